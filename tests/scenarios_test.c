// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios the other tests miss, each against native pidfds where native has
 * the operation: an exec by a non-leader thread (de_thread's pid exchange),
 * the pid-namespace direction of SEND_SIGNAL and GET_INFO (outer caller, inner
 * target; hidden parent; zombie; leader exited first), a lost-wakeup loop of
 * kill and blocking poll/epoll, a real SIGKILL through a stale pidfd after pid
 * recycling, native syscalls handed module pidfds, execveat/open_tree/bind
 * mounts of pidfds, and hidepid=noaccess through PIDFD_TO_PROCFD.
 *
 * The binary runs itself as the image of the non-leader exec ("--sleep FD").
 */
#include <poll.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

static short poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDNORM };

	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

static long status_field(int dir, const char *key)
{
	char buf[64];

	return read_field_at(dir, "status", key, buf, sizeof(buf)) < 0 ? -1 : atol(buf);
}

/* The State: letter of /proc/<pid>/status, or 0. */
static char proc_state(pid_t pid)
{
	char path[64], state[16] = "";

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	read_field_at(AT_FDCWD, path, "State:", state, sizeof(state));
	return state[0];
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* ---- 1. exec by a non-leader thread ---- */

/* The image the exec'ing thread runs: names itself, says so on fd, sleeps. */
static int sleeper_main(const char *fd_text)
{
	int fd = atoi(fd_text);

	prctl(PR_SET_NAME, "execd");
	if (write(fd, "e", 1) != 1)
		return 2;
	close(fd);
	for (;;)
		pause();
}

struct exec_args {
	int ready, go, done; /* pipe ends: tid out, go in, the exec'd image's fd */
};

static void *exec_from_thread(void *arg)
{
	struct exec_args *a = arg;
	pid_t tid = gettid();
	char fd_text[16], c;
	char *argv[] = { "scenarios_test", "--sleep", fd_text, NULL };

	snprintf(fd_text, sizeof(fd_text), "%d", a->done);
	if (write(a->ready, &tid, sizeof(tid)) != sizeof(tid) || read(a->go, &c, 1) != 1)
		_exit(2);
	/* Per task, kept across the exec: the image dies with the test if an assert ends it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	execve("/proc/self/exe", argv, environ);
	_exit(3);
}

struct poller {
	int fd;
	atomic_int done;
	int ret;
	short revents;
};

static void *poll_in_thread(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	p->ret = poll(&pfd, 1, 20000);
	p->revents = pfd.revents;
	atomic_store(&p->done, 1);
	return NULL;
}

TEST(exec_by_non_leader_thread_keeps_pidfds_on_the_process)
{
	int ready[2], go[2], done[2], native, module, dir, pidfd, again;
	struct pidfd_open_info m, n;
	struct poller poller = {};
	struct pollfd p;
	pthread_t poll_thread;
	char np[64], nns[64], mp[64], mns[64], comm[32];
	pid_t child, tid;

	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe(done)); /* the write end survives the exec */
	child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		struct exec_args a = { ready[1], go[0], done[1] };
		pthread_t thread;

		close(done[0]);
		if (pthread_create(&thread, NULL, exec_from_thread, &a))
			_exit(4);
		for (;;)
			pause();
	}
	close(done[1]);
	ASSERT_EQ(sizeof(tid), read(ready[0], &tid, sizeof(tid)));
	ASSERT_NE(child, tid) TH_LOG("the exec'ing thread must not be the leader");
	native = sys_pidfd_open(child, 0);
	module = pfo_open(child);
	ASSERT_GE(native, 0) TH_LOG("pidfd_open: %m");
	ASSERT_GE(module, 0) TH_LOG("PIDFD_IOC_OPEN: %m");
	poller.fd = module;
	ASSERT_EQ(0, pthread_create(&poll_thread, NULL, poll_in_thread, &poller));

	/* The thread execs: de_thread kills the leader and gives the thread its pid. */
	ASSERT_EQ(1, write(go[1], "g", 1));
	p = (struct pollfd){ .fd = done[0], .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 10000)) TH_LOG("the exec'd image did not report within 10 s");
	ASSERT_EQ(1, read(done[0], comm, 1)) TH_LOG("the exec failed");
	usleep(200 * 1000);

	/* Alive after the exec: nothing readable, the sleeping poller still asleep. */
	EXPECT_EQ(0, atomic_load(&poller.done))
	TH_LOG("the blocked poll returned %d, revents %#x, while the process lives", poller.ret,
	       poller.revents);
	EXPECT_EQ(0, poll_now(module)) TH_LOG("module pidfd readable after the exec");
	EXPECT_EQ(0, poll_now(native)) TH_LOG("native pidfd readable after the exec");

	/* GET_INFO: the process, as native sees it. */
	ASSERT_EQ(0, native_get_info(native, &n)) TH_LOG("native GET_INFO: %m");
	ASSERT_EQ(0, pfo_get_info(module, &m)) TH_LOG("GET_INFO after the exec: %m");
	EXPECT_TRUE(same_info(&n, &m));
	EXPECT_EQ(child, m.pid);
	EXPECT_EQ(child, m.tgid);

	/* fdinfo Pid: as native's. */
	ASSERT_EQ(0, fdinfo_pids("/proc", native, np, nns, sizeof(np)));
	ASSERT_EQ(0, fdinfo_pids("/proc", module, mp, mns, sizeof(mp)));
	EXPECT_STREQ(np, mp);
	EXPECT_STREQ(nns, mns);
	EXPECT_EQ(child, atoi(mp));

	/* PIDFD_TO_PROCFD: the process's directory, with either pidfd. */
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const int pidfds[] = { module, native };

	ASSERT_GE(proc, 0);
	for (unsigned int i = 0; i < 2; i++) {
		dir = pfo_to_procfd(proc, pidfds[i]);
		ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD (%s) after the exec: %m",
					 i ? "native" : "module");
		EXPECT_EQ(child, status_field(dir, "Pid:"));
		EXPECT_EQ(child, status_field(dir, "Tgid:"));
		EXPECT_STREQ("execd", comm_at(dir, comm, sizeof(comm)));
		close(dir);
	}

	/* PROCFD_TO_PIDFD of /proc/<pid>: a pidfd of the process. */
	snprintf(comm, sizeof(comm), "/proc/%d", child);
	dir = open(comm, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(dir, 0);
	pidfd = pfo_to_pidfd(dir);
	ASSERT_GE(pidfd, 0) TH_LOG("PROCFD_TO_PIDFD after the exec: %m");
	ASSERT_EQ(0, pfo_get_info(pidfd, &m));
	EXPECT_EQ(child, m.pid);
	again = pfo_to_procfd(proc, pidfd);
	ASSERT_GE(again, 0);
	EXPECT_STREQ("execd", comm_at(again, comm, sizeof(comm)));

	/* Now it exits: the poller wakes with POLLIN. */
	ASSERT_EQ(0, pfo_send_signal(module, SIGKILL, 0));
	pthread_join(poll_thread, NULL);
	EXPECT_EQ(1, poller.ret) TH_LOG("the poller did not wake on the exit");
	EXPECT_TRUE(poller.revents & POLLIN);
	EXPECT_EQ(child, waitpid(child, NULL, 0));
}

/* ---- 2. pid-namespace direction ---- */

/* The outer pid of a child of ppid, found in /proc; 0 if none. */
static pid_t find_child_of(pid_t ppid)
{
	struct dirent *e;
	DIR *d = opendir("/proc");
	pid_t found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char path[300], buf[32];
		pid_t pid = atoi(e->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		if (read_field_at(AT_FDCWD, path, "PPid:", buf, sizeof(buf)) == 0 && atoi(buf) == ppid)
			found = pid;
	}
	closedir(d);
	return found;
}

/* Report each SIGUSR1's siginfo through a pipe. */
static int report_fd;

static void report_siginfo(int sig, siginfo_t *info, void *ctx)
{
	int fields[4] = { sig, info->si_code, info->si_pid, (int)info->si_uid };

	(void)ctx;
	if (write(report_fd, fields, sizeof(fields)) != sizeof(fields))
		_exit(3);
}

static void catch_sigusr1(int fd)
{
	struct sigaction sa = { .sa_sigaction = report_siginfo, .sa_flags = SA_SIGINFO };

	report_fd = fd;
	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * The test process (outer namespace) against I (init of a child pid namespace)
 * and X (I's child, 2 there): SEND_SIGNAL delivers as native's does; GET_INFO
 * gives the outer numbers, as native's.
 */
TEST(outer_caller_on_descendant_namespace_target_equals_native)
{
	int report[2], ready[2], xready[2], status, i;
	pid_t middle, init_outer, x_outer;
	char c;

	ASSERT_EQ(0, pipe2(report, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(xready, O_CLOEXEC));
	middle = fork();
	ASSERT_GE(middle, 0);
	if (middle == 0) {
		pid_t init;

		if (unshare(CLONE_NEWPID) < 0)
			_exit(2);
		init = fork();
		if (init == 0) {
			pid_t x;

			catch_sigusr1(report[1]);
			x = fork();
			if (x == 0) {
				catch_sigusr1(report[1]);
				if (write(xready[1], "x", 1) != 1)
					_exit(2);
				for (;;)
					pause();
			}
			for (;;)
				pause();
		}
		if (init < 0 || write(ready[1], &init, sizeof(init)) != sizeof(init))
			_exit(3);
		waitpid(init, NULL, 0);
		_exit(0);
	}
	ASSERT_EQ(sizeof(init_outer), read(ready[0], &init_outer, sizeof(init_outer)));
	ASSERT_EQ(1, read(xready[0], &c, 1));
	x_outer = find_child_of(init_outer);
	ASSERT_GT(x_outer, 0) TH_LOG("no child of %d in /proc", init_outer);
	ASSERT_NE(2, x_outer);

	const pid_t targets[] = { init_outer, x_outer }, parents[] = { middle, init_outer };
	for (i = 0; i < 2; i++) {
		struct pidfd_open_info m;
		int native = sys_pidfd_open(targets[i], 0), module = pfo_open(targets[i]);
		int n_si[4], m_si[4];

		ASSERT_GE(native, 0);
		ASSERT_GE(module, 0) TH_LOG("PIDFD_IOC_OPEN(%d): %m", targets[i]);
		ASSERT_EQ(0, compare_info(native, module, &m));
		EXPECT_EQ(targets[i], m.pid) TH_LOG("GET_INFO pid %u, outer %d", m.pid, targets[i]);
		EXPECT_EQ(targets[i], m.tgid);
		EXPECT_EQ(parents[i], m.ppid);

		EXPECT_EQ(0, sys_pidfd_send_signal(native, 0, NULL, 0));
		EXPECT_EQ(0, pfo_send_signal(module, 0, 0)) TH_LOG("signal 0 inward: %m");
		ASSERT_EQ(0, pfo_send_signal(module, SIGUSR1, 0)) TH_LOG("SIGUSR1 inward: %m");
		ASSERT_EQ(sizeof(m_si), read(report[0], m_si, sizeof(m_si)));
		ASSERT_EQ(0, sys_pidfd_send_signal(native, SIGUSR1, NULL, 0)) TH_LOG("native: %m");
		ASSERT_EQ(sizeof(n_si), read(report[0], n_si, sizeof(n_si)));
		EXPECT_EQ(0, memcmp(n_si, m_si, sizeof(n_si)))
		TH_LOG("siginfo native {%d, %d, %d, %d}, module {%d, %d, %d, %d}", n_si[0], n_si[1],
		       n_si[2], n_si[3], m_si[0], m_si[1], m_si[2], m_si[3]);
		EXPECT_EQ(SI_USER, m_si[1]);
		EXPECT_EQ(0, m_si[2]) TH_LOG("the sender is not visible in the target's namespace");
		close(native);
		close(module);
	}
	kill(init_outer, SIGKILL);
	ASSERT_EQ(middle, waitpid(middle, &status, 0));
	EXPECT_EQ(0, status);
}

/* As PID 1 of a new namespace, whose parent is outside it: ppid 0, as native. */
static int info_of_init_with_hidden_parent(void *arg)
{
	struct pidfd_open_info m;
	int native = sys_pidfd_open(1, 0), module = pfo_open(1);

	(void)arg;
	CHECK(native >= 0 && module >= 0, "pidfds of 1: %m");
	CHECK(compare_info(native, module, &m) == 0, "init");
	CHECK(m.pid == 1 && m.tgid == 1, "pid %u tgid %u", m.pid, m.tgid);
	CHECK(m.ppid == 0, "ppid %u: the parent is outside the namespace", m.ppid);
	return 0;
}

TEST(parent_outside_caller_namespace_gives_ppid_zero_as_native)
{
	EXPECT_EQ(0, run_in_new_pidns(info_of_init_with_hidden_parent, NULL));
}

TEST(get_info_of_zombie_equals_native)
{
	struct pidfd_open_info m;
	struct target t;
	siginfo_t si;
	pid_t child = fork();

	ASSERT_GE(child, 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, target_open(&t, child));
	kill(child, SIGKILL);
	ASSERT_EQ(0, waitid(P_PID, child, &si, WEXITED | WNOWAIT));
	ASSERT_EQ('Z', proc_state(child));
	ASSERT_EQ(0, compare_info(t.native, t.module, &m));
	EXPECT_EQ(child, m.pid);
	EXPECT_EQ(child, m.tgid);
	EXPECT_EQ(getpid(), m.ppid);
	EXPECT_EQ(0, m.exit_code);
	waitpid(child, NULL, 0);
}

static void *sleep_until_pipe_closes(void *arg)
{
	char c;

	if (read(*(int *)arg, &c, 1) < 0)
		_exit(3);
	_exit(0);
}

TEST(get_info_with_leader_exited_first_equals_native)
{
	struct pidfd_open_info m;
	int pipefd[2], i, proc, dir;
	struct target t;
	pid_t child;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		pthread_t thread;

		close(pipefd[1]);
		if (pthread_create(&thread, NULL, sleep_until_pipe_closes, &pipefd[0]))
			_exit(2);
		syscall(SYS_exit, 0); /* the leader alone */
	}
	close(pipefd[0]);
	ASSERT_EQ(0, target_open(&t, child));
	for (i = 0; i < 500 && proc_state(child) != 'Z'; i++)
		usleep(10000);
	ASSERT_EQ('Z', proc_state(child)) TH_LOG("the leader did not exit");
	ASSERT_EQ(0, kill(child, 0)) TH_LOG("the thread group must still live");

	ASSERT_EQ(0, compare_info(t.native, t.module, &m));
	EXPECT_EQ(child, m.pid);
	EXPECT_EQ(child, m.tgid);
	EXPECT_EQ(getpid(), m.ppid);
	EXPECT_EQ(0, poll_now(t.module)) TH_LOG("the group still lives");
	EXPECT_EQ(0, pfo_send_signal(t.module, 0, 0)) TH_LOG("%m");
	proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = pfo_to_procfd(proc, t.module);
	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD: %m");
	EXPECT_EQ(child, status_field(dir, "Tgid:"));
	close(pipefd[1]);
	waitpid(child, NULL, 0);
}

/* ---- 3. lost wakeups ---- */

#define WAKEUP_ITERATIONS 10000
#define WAKEUP_BOUND_MS 10000

LONG_TEST(wakeup, kill_then_blocking_poll_or_epoll_never_loses_the_wakeup, 900)
{
	long iterations = scaled(WAKEUP_ITERATIONS), i, worst = 0, late = 0, polls = 0, epolls = 0;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	(void)self;
	ASSERT_GE(ep, 0);
	for (i = 0; i < iterations; i++) {
		struct pollfd p;
		struct epoll_event ev = { .events = EPOLLIN }, out = {};
		struct timespec start;
		pid_t child = fork();
		int pidfd, ret;
		long ms;

		ASSERT_GE(child, 0);
		if (child == 0) {
			/* Dies with the test if an assert ends it: it holds the device's fd. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			pause();
			_exit(0);
		}
		pidfd = pfo_open(child);
		ASSERT_GE(pidfd, 0) TH_LOG("iteration %ld: PIDFD_IOC_OPEN: %m", i);
		if (i & 1)
			ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, pidfd, &ev));
		ASSERT_EQ(0, pfo_send_signal(pidfd, SIGKILL, 0)) TH_LOG("iteration %ld: %m", i);
		clock_gettime(CLOCK_MONOTONIC, &start);
		if (i & 1) {
			do
				ret = epoll_wait(ep, &out, 1, WAKEUP_BOUND_MS);
			while (ret < 0 && errno == EINTR);
			ASSERT_EQ(1, ret) TH_LOG("iteration %ld: epoll_wait gave %d after the kill", i,
						 ret);
			ASSERT_TRUE(out.events & EPOLLIN) TH_LOG("events %#x", out.events);
			ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_DEL, pidfd, NULL));
			epolls++;
		} else {
			p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
			do
				ret = poll(&p, 1, WAKEUP_BOUND_MS);
			while (ret < 0 && errno == EINTR);
			ASSERT_EQ(1, ret) TH_LOG("iteration %ld: poll gave %d after the kill", i, ret);
			ASSERT_TRUE(p.revents & POLLIN) TH_LOG("revents %#x", p.revents);
			ASSERT_FALSE(p.revents & POLLNVAL);
			polls++;
		}
		ms = ms_since(&start);
		worst = ms > worst ? ms : worst;
		late += ms > 1000;
		ASSERT_EQ(child, waitpid(child, NULL, 0));
		close(pidfd);
	}
	REPORT_FIGURE("wakeup_iterations", iterations);
	REPORT_FIGURE("wakeup_worst_ms", worst);
	TH_LOG("%ld polls, %ld epolls, worst wait %ld ms, %ld over 1 s", polls, epolls, worst, late);
	EXPECT_EQ(iterations, polls + epolls);
}

/* ---- 4. a real SIGKILL through a stale pidfd ---- */

#define RECYCLED_NR 100
#define RECYCLE_ROUNDS 50

static int stale_sigkill_spares_the_new_process(void *arg)
{
	char name[16], comm[32], state[16];
	int inner, round;

	(void)arg;
	CHECK(mount_proc("/tmp/proc-inner", NULL) == 0, "mount proc: %m");
	inner = open("/tmp/proc-inner", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(inner >= 0, "open proc: %m");
	snprintf(name, sizeof(name), "%d", RECYCLED_NR);
	for (round = 0; round < RECYCLE_ROUNDS; round++) {
		pid_t victim = spawn_named_with_tid("victim", RECYCLED_NR), fresh;
		int module, native, m, me, n, ne, dir;
		siginfo_t si = {};

		CHECK(victim == RECYCLED_NR, "clone3 set_tid: %d (%m)", victim);
		module = pfo_open(victim);
		native = sys_pidfd_open(victim, 0);
		CHECK(module >= 0 && native >= 0, "pidfds: %m");
		CHECK(kill_and_reap(victim) == 0, "reap");
		fresh = spawn_named_with_tid("fresh", RECYCLED_NR);
		CHECK(fresh == RECYCLED_NR, "recycle: %d (%m)", fresh);

		m = pfo_send_signal(module, SIGKILL, 0);
		me = errno;
		n = sys_pidfd_send_signal(native, SIGKILL, NULL, 0);
		ne = errno;
		CHECK(m == -1 && me == ESRCH, "round %d: stale module SIGKILL gave %d errno %d", round,
		      m, me);
		CHECK(n == -1 && ne == ESRCH, "round %d: stale native SIGKILL gave %d errno %d", round,
		      n, ne);
		/* Had the SIGKILL reached it, it would be dead within milliseconds. */
		usleep(20 * 1000);
		CHECK(waitid(P_PID, fresh, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0,
		      "round %d: the new process %d exited (status %d)", round, fresh, si.si_status);
		dir = openat(inner, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		CHECK(dir >= 0 && !strcmp(comm_at(dir, comm, sizeof(comm)), "fresh"),
		      "round %d: /proc/%d is '%s'", round, fresh, comm);
		CHECK(read_field_at(dir, "status", "State:", state, sizeof(state)) == 0 &&
		      state[0] != 'Z' && state[0] != 'X', "round %d: the new process is '%s'", round,
		      state);
		CHECK(kill(fresh, 0) == 0, "round %d: %m", round);
		close(dir);
		close(module);
		close(native);
		CHECK(kill_and_reap(fresh) == 0, "reap fresh");
	}
	return 0;
}

TEST(stale_pidfd_sigkill_after_recycle_is_esrch_and_spares_the_new_process)
{
	EXPECT_EQ(0, run_in_new_pidns(stale_sigkill_spares_the_new_process, NULL));
}

/* ---- 5. native syscalls refuse module pidfds as they refuse any other file ---- */

struct outcome {
	long ret;
	int err;
};

static struct outcome native_call(int which, int fd)
{
	struct outcome o;
	siginfo_t si = {};
	struct pidfd_open_info info;

	errno = 0;
	switch (which) {
	case 0: o.ret = sys_pidfd_send_signal(fd, SIGKILL, NULL, 0); break;
	case 1: o.ret = waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG); break;
	case 2: o.ret = syscall(__NR_pidfd_getfd, fd, 0, 0); break;
	case 3: o.ret = setns(fd, 0); break;
	default: o.ret = native_get_info(fd, &info); break;
	}
	o.err = errno;
	if (o.ret >= 0 && which == 2)
		close(o.ret);
	return o;
}

TEST(native_syscalls_reject_module_pidfds_as_other_files)
{
	static const char *const names[] = { "pidfd_send_signal(SIGKILL)", "waitid(P_PIDFD)",
					     "pidfd_getfd", "setns", "ioctl(PIDFD_GET_INFO)" };
	/* What the kernel gives for a file that is not a pidfd (observed on 7.3). */
	static const int want[] = { EBADF, EBADF, EBADF, EINVAL, ENOTTY };
	pid_t child = spawn_named("target");
	int module = pfo_open(child), efd = eventfd(0, EFD_CLOEXEC);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), native = sys_pidfd_open(child, 0);
	siginfo_t si = {};
	int which;

	ASSERT_GT(child, 0);
	ASSERT_GE(module, 0);
	ASSERT_GE(efd, 0);
	ASSERT_GE(null, 0);
	ASSERT_GE(native, 0);
	for (which = 0; which < 5; which++) {
		struct outcome m = native_call(which, module), e = native_call(which, efd);
		struct outcome d = native_call(which, null);

		TH_LOG("%s: module %ld/%d, eventfd %ld/%d, /dev/null %ld/%d", names[which], m.ret,
		       m.err, e.ret, e.err, d.ret, d.err);
		EXPECT_EQ(-1, m.ret) TH_LOG("%s accepted a module pidfd", names[which]);
		EXPECT_EQ(e.err, m.err) TH_LOG("%s: module errno %d, eventfd errno %d", names[which],
					       m.err, e.err);
		EXPECT_EQ(d.err, m.err) TH_LOG("%s: module errno %d, /dev/null errno %d",
					       names[which], m.err, d.err);
		EXPECT_EQ(want[which], m.err) TH_LOG("%s: errno %d (%s)", names[which], m.err,
						     strerror(m.err));
	}
	/* The same calls on the native pidfd do act: the comparison means something. */
	EXPECT_EQ(0, waitid(P_PIDFD, native, &si, WEXITED | WNOHANG)) TH_LOG("native: %m");
	EXPECT_EQ(0, native_get_info(native, &(struct pidfd_open_info){})) TH_LOG("native: %m");
	/* The refused SIGKILL did not land. */
	usleep(20 * 1000);
	EXPECT_EQ(0, kill(child, 0));
	EXPECT_NE('Z', proc_state(child));
	kill_and_reap(child);
}

/* ---- 6. execveat, open_tree, bind mounts, hidepid=noaccess ---- */

/* execveat(fd, "", AT_EMPTY_PATH) in a child; returns the errno (0: it exec'd). */
static int execveat_errno(int fd)
{
	char *argv[] = { "x", NULL };
	int pipefd[2], err = 0, status;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		syscall(__NR_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
		err = errno;
		if (write(pipefd[1], &err, sizeof(err)) != sizeof(err))
			_exit(2);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &err, sizeof(err)) != sizeof(err))
		err = 0; /* closed on exec: the exec succeeded */
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return err;
}

static int open_tree_errno(int fd)
{
	int tree = syscall(__NR_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

	if (tree >= 0) {
		close(tree);
		return 0;
	}
	return errno;
}

static int bind_errno(int fd, const char *target)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (mount(path, target, NULL, MS_BIND, NULL) == 0) {
		umount2(target, MNT_DETACH);
		return 0;
	}
	return errno;
}

FIXTURE(files) {
	pid_t child;
	int module, native, efd;
};

FIXTURE_SETUP(files)
{
	self->child = spawn_named("target");
	ASSERT_GT(self->child, 0);
	self->module = pfo_open(self->child);
	self->native = sys_pidfd_open(self->child, 0);
	self->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_GE(self->module, 0);
	ASSERT_GE(self->native, 0);
	ASSERT_GE(self->efd, 0);
	/* A mount namespace of the test's own, so that its mounts go away with it. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
}

FIXTURE_TEARDOWN(files)
{
	kill_and_reap(self->child);
}

TEST_F(files, execveat_of_module_pidfd_fails_cleanly)
{
	int m = execveat_errno(self->module), n = execveat_errno(self->native);
	int e = execveat_errno(self->efd);

	TH_LOG("execveat errno: module %d, native %d, eventfd %d", m, n, e);
	EXPECT_EQ(EACCES, m) TH_LOG("module: %d (%s)", m, strerror(m));
	EXPECT_EQ(e, m);
	EXPECT_EQ(EACCES, n) TH_LOG("native: %d (%s)", n, strerror(n));
	EXPECT_EQ(0, kill(self->child, 0));
}

TEST_F(files, open_tree_of_module_pidfd_fails_cleanly)
{
	int m = open_tree_errno(self->module), n = open_tree_errno(self->native);
	int e = open_tree_errno(self->efd);

	TH_LOG("open_tree(OPEN_TREE_CLONE) errno: module %d, native %d, eventfd %d", m, n, e);
	/*
	 * Observed on 7.3: pidfs lets open_tree() clone a native pidfd's mount;
	 * a module pidfd is refused as any other anonymous inode is, cleanly.
	 */
	EXPECT_EQ(EINVAL, m) TH_LOG("module: %d (%s)", m, strerror(m));
	EXPECT_EQ(e, m);
	EXPECT_EQ(0, n) TH_LOG("native: %d (%s)", n, strerror(n));
	/* The pidfd still works afterwards. */
	EXPECT_EQ(0, pfo_send_signal(self->module, 0, 0));
}

TEST_F(files, bind_mount_of_module_pidfd_fails_cleanly)
{
	const char *target = "/tmp/scenarios-bind-target";
	int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0600), m, n, e;

	ASSERT_GE(fd, 0);
	close(fd);
	m = bind_errno(self->module, target);
	n = bind_errno(self->native, target);
	e = bind_errno(self->efd, target);
	TH_LOG("bind mount errno: module %d, native %d, eventfd %d", m, n, e);
	EXPECT_EQ(EINVAL, m) TH_LOG("module: %d (%s)", m, strerror(m));
	EXPECT_EQ(e, m);
	EXPECT_EQ(EINVAL, n) TH_LOG("native: %d (%s)", n, strerror(n));
	EXPECT_EQ(0, pfo_send_signal(self->module, 0, 0));
}

/* As uid 65534: /proc/<root's process> under hidepid=noaccess, by open(2) and through the module. */
static int noaccess_as_nobody(int noaccess, int module, int native, pid_t target)
{
	char name[16];
	int direct, err, fd;

	CHECK(setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0,
	      "setresuid: %m");
	snprintf(name, sizeof(name), "%d", target);
	direct = openat(noaccess, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = errno;
	CHECK(direct == -1 && err == EPERM, "open(noaccess/%d) = %d, errno %d", target, direct, err);
	fd = pfo_to_procfd(noaccess, module);
	CHECK(fd == -1 && errno == EPERM, "PIDFD_TO_PROCFD (module pidfd) = %d, errno %d (%m)", fd,
	      errno);
	fd = pfo_to_procfd(noaccess, native);
	CHECK(fd == -1 && errno == EPERM, "PIDFD_TO_PROCFD (native pidfd) = %d, errno %d (%m)", fd,
	      errno);
	return 0;
}

TEST_F(files, hidepid_noaccess_gives_eperm_to_unprivileged_caller)
{
	int noaccess, status, dir;
	pid_t pid;

	ASSERT_EQ(0, mount_proc("/tmp/scenarios-proc-noaccess", "hidepid=noaccess"));
	noaccess = open("/tmp/scenarios-proc-noaccess", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(noaccess, 0);
	/* Root is let in: the refusal below is hidepid's. */
	dir = pfo_to_procfd(noaccess, self->module);
	ASSERT_GE(dir, 0) TH_LOG("as root: %m");
	close(dir);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(noaccess_as_nobody(noaccess, self->module, self->native, self->child));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--sleep"))
		return sleeper_main(argv[2]);
	return test_harness_run(argc, argv);
}
