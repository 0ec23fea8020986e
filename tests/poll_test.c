// SPDX-License-Identifier: GPL-2.0
/*
 * Exit polling on module pidfds, against native pidfds of the same process:
 * poll, epoll and select, before exit, as a zombie, after reap, and with a
 * thread-group leader that exits before its other thread.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

static short poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDNORM };

	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

static unsigned int epoll_now(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDNORM }, out = {};
	int ep = epoll_create1(EPOLL_CLOEXEC), n;

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		return ~0U;
	n = epoll_wait(ep, &out, 1, 0);
	close(ep);
	return n < 0 ? ~0U : n == 0 ? 0 : out.events;
}

static int select_now(int fd)
{
	struct timeval zero = {};
	fd_set set;

	FD_ZERO(&set);
	FD_SET(fd, &set);
	if (select(fd + 1, &set, NULL, NULL, &zero) < 0)
		return -1;
	return FD_ISSET(fd, &set);
}

FIXTURE(both) {
	struct target t;
};

FIXTURE_SETUP(both)
{
	ASSERT_EQ(0, target_open(&self->t, spawn_named("polled"))) TH_LOG("target: %m");
}

FIXTURE_TEARDOWN(both)
{
	kill_and_reap(self->t.child);
}

/* Native and module agree on all three interfaces, and poll says `want`. */
#define EXPECT_SAME_READINESS(want, stage)                                                   \
	do {                                                                                 \
		short n = poll_now(self->t.native), m = poll_now(self->t.module);                 \
		EXPECT_EQ(n, m) TH_LOG("%s: poll revents native %#x, module %#x", stage, n, m); \
		EXPECT_EQ(want, m) TH_LOG("%s: poll revents %#x, expected %#x", stage, m, want); \
		EXPECT_EQ(epoll_now(self->t.native), epoll_now(self->t.module))                   \
		TH_LOG("%s: epoll native %#x, module %#x", stage, epoll_now(self->t.native),     \
		       epoll_now(self->t.module));                                             \
		EXPECT_EQ(select_now(self->t.native), select_now(self->t.module))                 \
		TH_LOG("%s: select native %d, module %d", stage, select_now(self->t.native),     \
		       select_now(self->t.module));                                            \
	} while (0)

TEST_F(both, readiness_equals_native_alive_zombie_reaped)
{
	siginfo_t info;

	EXPECT_SAME_READINESS(0, "alive");
	kill(self->t.child, SIGKILL);
	ASSERT_EQ(0, waitid(P_PID, self->t.child, &info, WEXITED | WNOWAIT));
	EXPECT_SAME_READINESS(POLLIN | POLLRDNORM, "zombie");
	ASSERT_EQ(self->t.child, waitpid(self->t.child, NULL, 0));
	EXPECT_SAME_READINESS(POLLIN | POLLRDNORM | POLLHUP, "reaped");
}

TEST_F(both, blocking_poll_wakes_on_exit)
{
	struct pollfd p = { .fd = self->t.module, .events = POLLIN };
	struct timespec start, end;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	ASSERT_EQ(0, kill(self->t.child, SIGTERM));
	ASSERT_EQ(1, poll(&p, 1, 5000)) TH_LOG("poll did not wake within 5 s");
	clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
	EXPECT_TRUE(p.revents & POLLIN) TH_LOG("revents %#x", p.revents);
	EXPECT_LT(ms, 2000) TH_LOG("woke after %ld ms", ms);
}

/* A sleeping poller in another thread, woken by the exit. */
static void *poll_forever(void *arg)
{
	struct pollfd p = { .fd = *(int *)arg, .events = POLLIN };

	return (void *)(long)(poll(&p, 1, -1) == 1 && (p.revents & POLLIN));
}

TEST_F(both, poll_already_sleeping_wakes_on_exit)
{
	struct timespec settle = { .tv_nsec = 100 * 1000 * 1000 };
	pthread_t thread;
	void *woke;

	ASSERT_EQ(0, pthread_create(&thread, NULL, poll_forever, &self->t.module));
	nanosleep(&settle, NULL);
	ASSERT_EQ(0, kill(self->t.child, SIGKILL));
	ASSERT_EQ(0, pthread_join(thread, &woke));
	EXPECT_EQ((void *)1, woke);
}

/* The leader exits first; the other thread exits when the pipe closes. */
static void *wait_then_exit(void *arg)
{
	char c;

	if (read(*(int *)arg, &c, 1) < 0)
		_exit(3);
	_exit(0);
}

/* The State: letter of /proc/<pid>/status (the thread-group leader's), or 0. */
static char leader_state(pid_t pid)
{
	char path[64], state[16] = "";

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	read_field_at(AT_FDCWD, path, "State:", state, sizeof(state));
	return state[0];
}

TEST(delayed_group_leader_equals_native)
{
	int pipefd[2], native, module, i;
	siginfo_t info;
	pid_t child;
	short n, m;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		pthread_t thread;

		close(pipefd[1]);
		if (pthread_create(&thread, NULL, wait_then_exit, &pipefd[0]))
			_exit(2);
		pthread_exit(NULL);
	}
	close(pipefd[0]);
	native = sys_pidfd_open(child, 0);
	module = pfo_open(child);
	ASSERT_GE(native, 0);
	ASSERT_GE(module, 0);
	for (i = 0; i < 500 && leader_state(child) != 'Z'; i++)
		usleep(10000);
	ASSERT_EQ('Z', leader_state(child)) TH_LOG("the leader did not exit");

	n = poll_now(native);
	m = poll_now(module);
	EXPECT_EQ(n, m) TH_LOG("leader gone, thread alive: native %#x, module %#x", n, m);
	EXPECT_EQ(0, m);

	close(pipefd[1]);
	ASSERT_EQ(0, waitid(P_PID, child, &info, WEXITED | WNOWAIT));
	n = poll_now(native);
	m = poll_now(module);
	EXPECT_EQ(n, m) TH_LOG("whole group exited: native %#x, module %#x", n, m);
	EXPECT_EQ(POLLIN | POLLRDNORM, m);
	waitpid(child, NULL, 0);
}

TEST_HARNESS_MAIN
