// SPDX-License-Identifier: GPL-2.0
/*
 * Stress, bounded in time: two threads per vCPU open, translate both ways,
 * poll, signal and close, while another thread forks children that exit at
 * once, in a pid namespace whose ns_last_pid is pinned so that a small range
 * of numbers is reused all the time. On a live child every operation must
 * succeed and every fd it returns must be that child's (comm and Pid:); once
 * the child is reaped, ESRCH is the only answer. Spawn failures fail too.
 * Then one thread closes and dup2()s over fds that others pass to the ioctls.
 *
 * PIDFD_OPEN_STRESS_SECONDS sets each test's duration (default 20).
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#define WORKERS 4
#define PINNED_LAST_PID "49"

static int stress_seconds(void)
{
	const char *env = getenv("PIDFD_OPEN_STRESS_SECONDS");

	return env ? atoi(env) : 20;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The operations of a round, each with its count of successes. */
enum op {
	OP_SPAWN, OP_OPEN, OP_TO_PROCFD, OP_TO_PIDFD, OP_POLL, OP_SIGNAL, OP_GET_INFO,
	OP_STALE_TO_PROCFD, OP_STALE_TO_PIDFD, OP_COUNT
};

static const char *const op_name[OP_COUNT] = {
	"spawn", "open", "to_procfd", "to_pidfd", "poll", "signal 0", "get_info",
	"to_procfd (stale: ESRCH)", "to_pidfd (stale: ESRCH)",
};

struct stress {
	int inner;
	double deadline;
	atomic_bool stop;
	atomic_long iterations, successes, stale_esrch, wrong, errors, checked;
	atomic_long ok[OP_COUNT];
	char first_wrong[128], first_error[128];
	pthread_mutex_t lock;
};

static void record(struct stress *s, atomic_long *counter, char *first, const char *fmt,
		   const char *a, const char *b)
{
	if (atomic_fetch_add(counter, 1) == 0) {
		pthread_mutex_lock(&s->lock);
		snprintf(first, 128, fmt, a, b);
		pthread_mutex_unlock(&s->lock);
	}
}

static void unexpected_error(struct stress *s, const char *what)
{
	record(s, &s->errors, s->first_error, "%s: %s", what, strerror(errno));
}

/*
 * Identity of a live child's /proc directory fd: its comm is the child's and
 * its Pid: (in the inner procfs) the child's number. Closes dir.
 */
static bool dir_is(struct stress *s, int dir, const char *want, pid_t pid, const char *how)
{
	char comm[32], num[32];
	bool ok;

	comm_at(dir, comm, sizeof(comm));
	ok = !strcmp(comm, want) && read_field_at(dir, "status", "Pid:", num, sizeof(num)) == 0 &&
	     atoi(num) == pid;
	if (!ok)
		record(s, &s->wrong, s->first_wrong, "%s led to '%s'", how, comm);
	atomic_fetch_add(&s->checked, 1);
	close(dir);
	return ok;
}

/* Identity of a module pidfd of a live child: GET_INFO's pid, and its directory. */
static bool pidfd_is(struct stress *s, int pidfd, const char *want, pid_t pid, const char *how)
{
	struct pidfd_open_info info;
	int dir;

	if (pfo_get_info(pidfd, &info) < 0 || (pid_t)info.pid != pid) {
		record(s, &s->wrong, s->first_wrong, "%s: GET_INFO of '%s' gave another pid", how,
		       want);
		return false;
	}
	dir = pfo_to_procfd(s->inner, pidfd);
	if (dir < 0) {
		unexpected_error(s, how);
		return false;
	}
	return dir_is(s, dir, want, pid, how);
}

/* After the reap: ESRCH, and any fd returned is a failure, whoever's it is. */
static void expect_stale(struct stress *s, int fd, enum op op)
{
	char comm[32] = "";

	if (fd >= 0) {
		if (op == OP_STALE_TO_PROCFD)
			comm_at(fd, comm, sizeof(comm));
		record(s, &s->wrong, s->first_wrong, "%s gave an fd ('%s')", op_name[op], comm);
		close(fd);
	} else if (errno == ESRCH) {
		atomic_fetch_add(&s->stale_esrch, 1);
		atomic_fetch_add(&s->ok[op], 1);
	} else {
		unexpected_error(s, op_name[op]);
	}
}

/* A child named comm, every operation on it alive (each must succeed), then on it reaped. */
static void worker_round(struct stress *s, int worker, long round)
{
	struct pollfd p = { .events = POLLIN };
	struct pidfd_open_info info;
	int pidfd, dir, fd, i;
	char comm[16];
	pid_t child;

	snprintf(comm, sizeof(comm), "w%d-%ld", worker, round % 100000);
	child = spawn_named(comm);
	if (child <= 0) {
		unexpected_error(s, "spawn");
		return;
	}
	atomic_fetch_add(&s->ok[OP_SPAWN], 1);
	pidfd = pfo_open(child);
	if (pidfd < 0) {
		unexpected_error(s, "open of a live child");
		kill_and_reap(child);
		return;
	}
	if (pidfd_is(s, pidfd, comm, child, "PIDFD_IOC_OPEN (live)"))
		atomic_fetch_add(&s->ok[OP_OPEN], 1);
	dir = pfo_to_procfd(s->inner, pidfd);
	if (dir < 0) {
		unexpected_error(s, "to_procfd of a live child");
		kill_and_reap(child);
		close(pidfd);
		return;
	}
	if (dir_is(s, dup(dir), comm, child, "PIDFD_TO_PROCFD (live)"))
		atomic_fetch_add(&s->ok[OP_TO_PROCFD], 1);
	fd = pfo_to_pidfd(dir);
	if (fd < 0) {
		unexpected_error(s, "to_pidfd of a live child");
	} else {
		if (pidfd_is(s, fd, comm, child, "PROCFD_TO_PIDFD (live)"))
			atomic_fetch_add(&s->ok[OP_TO_PIDFD], 1);
		close(fd);
	}
	p.fd = pidfd;
	if (poll(&p, 1, 0) == 0)
		atomic_fetch_add(&s->ok[OP_POLL], 1);
	else
		record(s, &s->wrong, s->first_wrong, "poll of live '%s' is ready%s", comm, "");
	if (pfo_send_signal(pidfd, 0, 0) == 0)
		atomic_fetch_add(&s->ok[OP_SIGNAL], 1);
	else
		unexpected_error(s, "signal 0 to a live child");
	if (pfo_get_info(pidfd, &info) < 0)
		unexpected_error(s, "get_info of a live child");
	else if ((pid_t)info.pid != child || (pid_t)info.tgid != child ||
		 (pid_t)info.ppid != getpid())
		record(s, &s->wrong, s->first_wrong, "GET_INFO of '%s' gave another process%s",
		       comm, "");
	else
		atomic_fetch_add(&s->ok[OP_GET_INFO], 1);
	atomic_fetch_add(&s->successes, 1);

	/* Reap it, then use the stale fds while other threads take its number. */
	kill_and_reap(child);
	for (i = 0; i < 3; i++) {
		expect_stale(s, pfo_to_procfd(s->inner, pidfd), OP_STALE_TO_PROCFD);
		expect_stale(s, pfo_to_pidfd(dir), OP_STALE_TO_PIDFD);
	}
	close(dir);
	close(pidfd);
}

struct worker_arg {
	struct stress *s;
	int id;
};

static void *worker(void *arg)
{
	struct worker_arg *w = arg;
	long round;

	for (round = 0; !atomic_load(&w->s->stop); round++) {
		worker_round(w->s, w->id, round);
		atomic_fetch_add(&w->s->iterations, 1);
		if (now() > w->s->deadline)
			atomic_store(&w->s->stop, true);
	}
	return NULL;
}

/* Forks children that exit at once, and keeps ns_last_pid pinned. */
static void *churn(void *arg)
{
	struct stress *s = arg;
	int last = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);

	while (!atomic_load(&s->stop)) {
		pid_t pid;

		if (last >= 0 && pwrite(last, PINNED_LAST_PID, 2, 0) < 0)
			record(s, &s->errors, s->first_error, "ns_last_pid: %s%s", strerror(errno), "");
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	return NULL;
}

static int stress_run(void *arg)
{
	static struct stress s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct worker_arg args[WORKERS];
	pthread_t threads[WORKERS], churner;
	int i;

	(void)arg;
	CHECK(mount_proc("/tmp/proc-inner", NULL) == 0, "mount proc: %m");
	s.inner = open("/tmp/proc-inner", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(s.inner >= 0, "open proc: %m");
	s.deadline = now() + stress_seconds();
	CHECK(pthread_create(&churner, NULL, churn, &s) == 0, "churn thread");
	for (i = 0; i < WORKERS; i++) {
		args[i] = (struct worker_arg){ &s, i };
		CHECK(pthread_create(&threads[i], NULL, worker, &args[i]) == 0, "worker");
	}
	for (i = 0; i < WORKERS; i++)
		pthread_join(threads[i], NULL);
	pthread_join(churner, NULL);

	REPORT_FIGURE("stress_iterations", s.iterations);
	REPORT_FIGURE("stress_successes", s.successes);
	REPORT_FIGURE("stress_identity_checks", s.checked);
	REPORT_FIGURE("stress_stale_esrch", s.stale_esrch);
	REPORT_FIGURE("stress_wrong", s.wrong);
	for (i = 0; i < OP_COUNT; i++)
		fprintf(stderr, "# %-26s %ld successes\n", op_name[i], (long)s.ok[i]);
	CHECK(s.wrong == 0, "%ld results were wrong (another process, or an fd after the reap), first: %s",
	      (long)s.wrong, s.first_wrong);
	CHECK(s.errors == 0, "%ld unexpected errors, first: %s", (long)s.errors, s.first_error);
	CHECK(s.iterations >= scaled(100), "only %ld iterations", (long)s.iterations);
	/* Every operation succeeded in every round (stale ones: ESRCH three times a round). */
	for (i = 0; i < OP_COUNT; i++) {
		long want = i >= OP_STALE_TO_PROCFD ? 3 * s.iterations : s.iterations;

		CHECK(s.ok[i] == want, "%s: %ld successes in %ld rounds", op_name[i], (long)s.ok[i],
		      (long)s.iterations);
	}
	return 0;
}

LONG_TEST(ops, ops_with_exits_and_pinned_ns_last_pid_keep_identity, 600)
{
	EXPECT_EQ(0, run_in_new_pidns(stress_run, NULL));
}

/*
 * fd juggling: slots [SLOT0, SLOT0 + SLOTS) are closed and dup2()ed over with
 * fds of various kinds by one thread while three others pass them to the
 * ioctls. Whatever they find there, the answer must be one the contract
 * (Documentation/contract.md) allows.
 */
#define SLOT0 200
#define SLOTS 12

struct juggle {
	int sources[8], nsources;
	atomic_bool stop;
	atomic_long calls, unexpected;
	int first_errno, first_cmd;
};

static void *juggler(void *arg)
{
	struct juggle *j = arg;
	unsigned int seed = 1;

	while (!atomic_load(&j->stop)) {
		int slot = SLOT0 + rand_r(&seed) % SLOTS;

		if (rand_r(&seed) % 3 == 0)
			close(slot);
		else
			dup2(j->sources[rand_r(&seed) % j->nsources], slot);
	}
	return NULL;
}

static bool allowed(int err)
{
	return err == EBADF || err == EINVAL || err == ESRCH || err == ENOENT || err == ENOTTY;
}

static void *juggle_user(void *arg)
{
	struct juggle *j = arg;
	unsigned int seed = (unsigned int)gettid();
	struct pidfd_open_info info;

	while (!atomic_load(&j->stop)) {
		int a = SLOT0 + rand_r(&seed) % SLOTS, b = SLOT0 + rand_r(&seed) % SLOTS, ret, cmd;

		switch (rand_r(&seed) % 4) {
		case 0: cmd = 0; ret = pfo_to_procfd(a, b); break;
		case 1: cmd = 1; ret = pfo_to_pidfd(a); break;
		case 2: cmd = 2; ret = pfo_send_signal(a, 0, 0); break;
		default: cmd = 3; ret = ioctl(a, PIDFD_IOC_GET_INFO, &info); break;
		}
		atomic_fetch_add(&j->calls, 1);
		if (ret > 0 && cmd < 2) {
			close(ret);
		} else if (ret < 0 && !allowed(errno)) {
			if (atomic_fetch_add(&j->unexpected, 1) == 0) {
				j->first_errno = errno;
				j->first_cmd = cmd;
			}
		}
	}
	return NULL;
}

LONG_TEST(fds, closing_and_dup2_over_fds_in_use_is_safe, 300)
{
	static struct juggle j;
	pthread_t juggle_thread, users[3];
	pid_t child = spawn_named("juggled");
	int pipefd[2], i;
	double end;

	ASSERT_GT(child, 0);
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	j.sources[j.nsources++] = pfo_open(child);
	j.sources[j.nsources++] = pfo_open(getpid());
	j.sources[j.nsources++] = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	j.sources[j.nsources++] = pfo_to_procfd(j.sources[2], j.sources[0]);
	j.sources[j.nsources++] = pipefd[0];
	j.sources[j.nsources++] = sys_pidfd_open(child, 0);
	j.sources[j.nsources++] = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
	for (i = 0; i < j.nsources; i++)
		ASSERT_GE(j.sources[i], 0) TH_LOG("source %d", i);

	ASSERT_EQ(0, pthread_create(&juggle_thread, NULL, juggler, &j));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&users[i], NULL, juggle_user, &j));
	end = now() + stress_seconds() / 2;
	while (now() < end)
		usleep(100 * 1000);
	atomic_store(&j.stop, true);
	pthread_join(juggle_thread, NULL);
	for (i = 0; i < 3; i++)
		pthread_join(users[i], NULL);
	kill_and_reap(child);

	REPORT_FIGURE("juggle_calls", j.calls);
	EXPECT_EQ(0, j.unexpected) TH_LOG("first: op %d gave errno %d (%s)", j.first_cmd,
					  j.first_errno, strerror(j.first_errno));
	EXPECT_GT(j.calls, 1000);
}

TEST_HARNESS_MAIN
