// SPDX-License-Identifier: GPL-2.0
/*
 * Stress, bounded in time: two threads per vCPU open, translate both ways,
 * poll, signal and close, while another thread forks children that exit at
 * once, in a pid namespace whose ns_last_pid is pinned so that a small range
 * of numbers is reused all the time. Every success is checked for identity.
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

struct stress {
	int inner;
	double deadline;
	atomic_bool stop;
	atomic_long iterations, successes, stale_esrch, wrong, errors;
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

/* Identity: the comm behind a /proc directory fd is the expected one, or unreadable (gone). */
static void check_dir(struct stress *s, int dir, const char *want, const char *how)
{
	char comm[32];

	atomic_fetch_add(&s->successes, 1);
	comm_at(dir, comm, sizeof(comm));
	if (comm[0] && strcmp(comm, want))
		record(s, &s->wrong, s->first_wrong, "%s led to '%s'", how, comm);
	close(dir);
}

static void check_pidfd(struct stress *s, int pidfd, const char *want, const char *how)
{
	int dir;

	atomic_fetch_add(&s->successes, 1);
	dir = pfo_to_procfd(s->inner, pidfd);
	if (dir >= 0)
		check_dir(s, dir, want, how);
	close(pidfd);
}

static void check_error(struct stress *s, const char *what)
{
	if (errno == ESRCH)
		atomic_fetch_add(&s->stale_esrch, 1);
	else
		record(s, &s->errors, s->first_error, "%s: %s", what, strerror(errno));
}

/* A child named comm that lives for a moment; returns with the fds held. */
static void worker_round(struct stress *s, int worker, long round)
{
	struct pollfd p = { .events = POLLIN };
	struct pidfd_open_info info;
	int pidfd, dir, fd;
	char comm[16];
	pid_t child;

	snprintf(comm, sizeof(comm), "w%d-%ld", worker, round % 100000);
	child = spawn_named(comm);
	if (child <= 0)
		return;
	pidfd = pfo_open(child);
	dir = pidfd >= 0 ? pfo_to_procfd(s->inner, pidfd) : -1;
	if (pidfd < 0 || dir < 0) {
		check_error(s, "open or to_procfd of a live child");
		kill_and_reap(child);
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	check_dir(s, dup(dir), comm, "PIDFD_TO_PROCFD (live)");
	p.fd = pidfd;
	poll(&p, 1, 0);
	if (pfo_send_signal(pidfd, 0, 0) < 0)
		check_error(s, "signal 0");
	if (pfo_get_info(pidfd, &info) == 0 && (pid_t)info.pid != child)
		record(s, &s->wrong, s->first_wrong, "GET_INFO %s gave another pid%s", comm, "");

	/* Reap it, then use the stale fds while other threads take its number. */
	kill_and_reap(child);
	for (int i = 0; i < 3; i++) {
		fd = pfo_to_procfd(s->inner, pidfd);
		if (fd >= 0)
			check_dir(s, fd, comm, "PIDFD_TO_PROCFD (stale)");
		else
			check_error(s, "to_procfd (stale)");
		fd = pfo_to_pidfd(dir);
		if (fd >= 0)
			check_pidfd(s, fd, comm, "PROCFD_TO_PIDFD (stale)");
		else
			check_error(s, "to_pidfd (stale)");
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
	REPORT_FIGURE("stress_stale_esrch", s.stale_esrch);
	REPORT_FIGURE("stress_wrong", s.wrong);
	CHECK(s.wrong == 0, "%ld successes led to another process, first: %s", (long)s.wrong,
	      s.first_wrong);
	CHECK(s.errors == 0, "%ld unexpected errors, first: %s", (long)s.errors, s.first_error);
	CHECK(s.iterations >= scaled(100), "only %ld iterations", (long)s.iterations);
	return 0;
}

LONG_TEST(ops, ops_with_exits_and_pinned_ns_last_pid_keep_identity, 600)
{
	EXPECT_EQ(0, run_in_new_pidns(stress_run, NULL));
}

/*
 * fd juggling: slots [SLOT0, SLOT0 + SLOTS) are closed and dup2()ed over with
 * fds of various kinds by one thread while three others pass them to the
 * ioctls. Whatever they find there, the answer must be one SPEC.md allows.
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
