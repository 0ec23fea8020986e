// SPDX-License-Identifier: GPL-2.0
/*
 * Thread pidfds (PIDFD_OPEN_THREAD) against native PIDFD_THREAD pidfds of the
 * same thread: the open of a non-leader thread, its identity (st_ino, GET_INFO,
 * F_GETFL, PIDFD_TO_PROCFD), poll readable when that thread exits and not
 * before, its exit status, and its signal scopes.
 */
#include <poll.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

static int pfo_open_flags(pid_t pid, unsigned int flags)
{
	return pfo(pid, -1, -1, flags);
}

/* A thread of this process that exits when told to (a byte on its pipe). */
struct worker {
	pthread_t thread;
	pid_t tid;
	int go[2];
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char byte;

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	if (read(w->go[0], &byte, 1) != 1)
		return (void *)1;
	return NULL;
}

static int worker_start(struct worker *w)
{
	w->tid = 0;
	if (pipe2(w->go, O_CLOEXEC) || pthread_create(&w->thread, NULL, worker_main, w))
		return -1;
	while (!__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	return 0;
}

/* Ends the thread and waits until the kernel has released it (its /proc entry is gone). */
static int worker_end(struct worker *w)
{
	char path[64];

	if (write(w->go[1], "x", 1) != 1 || pthread_join(w->thread, NULL))
		return -1;
	snprintf(path, sizeof(path), "/proc/self/task/%d", w->tid);
	for (int i = 0; i < 5000 && access(path, F_OK) == 0; i++)
		usleep(1000);
	close(w->go[0]);
	close(w->go[1]);
	return access(path, F_OK) == 0 ? -1 : 0;
}

static short revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

FIXTURE(thread) {
	struct worker w;
	int native, module;
};

FIXTURE_SETUP(thread)
{
	ASSERT_EQ(0, worker_start(&self->w)) TH_LOG("thread: %m");
	self->native = sys_pidfd_open(self->w.tid, O_EXCL);
	ASSERT_GE(self->native, 0) TH_LOG("pidfd_open(tid, PIDFD_THREAD): %m");
	self->module = pfo_open_flags(self->w.tid, PIDFD_OPEN_THREAD);
	ASSERT_GE(self->module, 0) TH_LOG("PIDFD_IOC_OPEN(tid, PIDFD_OPEN_THREAD): %m");
}

FIXTURE_TEARDOWN(thread)
{
	close(self->native);
	close(self->module);
	if (self->w.tid && pthread_tryjoin_np(self->w.thread, NULL) != 0)
		worker_end(&self->w);
}

/* Without PIDFD_OPEN_THREAD a non-leader is ENOENT; with it, its own pidfd. */
TEST_F(thread, non_leader_opens_only_with_the_thread_flag_as_native)
{
	struct stat n, m;

	EXPECT_EQ(-1, pfo_open_flags(self->w.tid, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, sys_pidfd_open(self->w.tid, 0));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, fstat(self->native, &n));
	ASSERT_EQ(0, fstat(self->module, &m));
	EXPECT_EQ(n.st_ino, m.st_ino) TH_LOG("the thread's pidfs inode number");
	EXPECT_NE(getpid(), self->w.tid);
	EXPECT_EQ(fcntl(self->native, F_GETFL), fcntl(self->module, F_GETFL));
	EXPECT_TRUE(fcntl(self->module, F_GETFL) & O_EXCL);
}

TEST_F(thread, info_names_the_thread_as_native)
{
	struct pidfd_open_info m;

	ASSERT_EQ(0, compare_info(self->native, self->module, &m));
	EXPECT_EQ(self->w.tid, m.pid);
	EXPECT_EQ(getpid(), m.tgid);
}

/* Readable once that thread exits, with the rest of the process running; hung up when released. */
TEST_F(thread, polls_readable_when_the_thread_exits_and_not_before_as_native)
{
	EXPECT_EQ(0, revents(self->native));
	EXPECT_EQ(0, revents(self->module));
	ASSERT_EQ(0, worker_end(&self->w));
	EXPECT_EQ(revents(self->native), revents(self->module));
	EXPECT_EQ(POLLIN | POLLHUP, revents(self->module) & (POLLIN | POLLHUP));
	self->w.tid = 0;
}

TEST_F(thread, exit_status_of_the_released_thread_equals_native)
{
	struct pidfd_open_info n = { .mask = PIDFD_OPEN_INFO_EXIT };
	struct pidfd_open_info m = { .mask = PIDFD_OPEN_INFO_EXIT };

	ASSERT_EQ(0, worker_end(&self->w));
	self->w.tid = 0;
	ASSERT_EQ(0, ioctl(self->native, NATIVE_PIDFD_GET_INFO, &n)) TH_LOG("native: %m");
	ASSERT_EQ(0, ioctl(self->module, PIDFD_IOC_GET_INFO, &m)) TH_LOG("module: %m");
	EXPECT_TRUE(n.mask & PIDFD_OPEN_INFO_EXIT);
	EXPECT_EQ(n.mask & (OWN_BITS | PIDFD_OPEN_INFO_EXIT), m.mask);
	EXPECT_EQ(n.exit_code, m.exit_code);
	EXPECT_EQ(0, m.exit_code);
}

/*
 * A thread pidfd's default scope is its thread, which the module cannot offer
 * (contract, section 9); the thread-group scope reaches the thread's process.
 */
TEST_F(thread, signal_scopes_of_a_thread_pidfd)
{
	EXPECT_EQ(0, sys_pidfd_send_signal(self->native, 0, NULL, 0)) TH_LOG("native: %m");
	EXPECT_EQ(-1, pfo_send_signal(self->module, 0, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, pfo_send_signal(self->module, 0, PIDFD_OPEN_SIGNAL_THREAD));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(0, sys_pidfd_send_signal(self->native, 0, NULL, PIDFD_OPEN_SIGNAL_THREAD_GROUP));
	EXPECT_EQ(0, pfo_send_signal(self->module, 0, PIDFD_OPEN_SIGNAL_THREAD_GROUP)) TH_LOG("%m");
}

/* PIDFD_TO_PROCFD of a module thread pidfd: the thread's /proc/<tid>, as from a native one. */
TEST_F(thread, to_procfd_gives_the_threads_dir_as_from_a_native_thread_pidfd)
{
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), module, native, opened;
	struct stat m, n, o;
	char name[16];

	ASSERT_GE(proc, 0);
	module = pfo_to_procfd(proc, self->module);
	ASSERT_GE(module, 0) TH_LOG("PIDFD_TO_PROCFD of a module thread pidfd: %m");
	native = pfo_to_procfd(proc, self->native);
	ASSERT_GE(native, 0) TH_LOG("PIDFD_TO_PROCFD of a native thread pidfd: %m");
	snprintf(name, sizeof(name), "%d", self->w.tid);
	opened = openat(proc, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(opened, 0) TH_LOG("open /proc/%d: %m", self->w.tid);
	ASSERT_EQ(0, fstat(module, &m));
	ASSERT_EQ(0, fstat(native, &n));
	ASSERT_EQ(0, fstat(opened, &o));
	EXPECT_TRUE(m.st_dev == o.st_dev && m.st_ino == o.st_ino) TH_LOG("not /proc/%d itself",
									 self->w.tid);
	EXPECT_TRUE(m.st_dev == n.st_dev && m.st_ino == n.st_ino);
	close(opened);
	close(native);
	close(module);
	close(proc);
}

/* A thread pidfd of the leader is still a thread pidfd, and a process pidfd of it is not. */
TEST(leader_thread_pidfd_keeps_its_flag_as_native)
{
	int native = sys_pidfd_open(getpid(), O_EXCL);
	int module = pfo_open_flags(getpid(), PIDFD_OPEN_THREAD | PIDFD_OPEN_NONBLOCK);
	int process = pfo_open(getpid());

	ASSERT_GE(native, 0);
	ASSERT_GE(module, 0) TH_LOG("%m");
	ASSERT_GE(process, 0);
	EXPECT_EQ(fcntl(native, F_GETFL) | O_NONBLOCK, fcntl(module, F_GETFL));
	EXPECT_FALSE(fcntl(process, F_GETFL) & O_EXCL);
	EXPECT_EQ(0, pfo_send_signal(process, 0, 0));
	close(native);
	close(module);
	close(process);
}

/* A released thread's number: ESRCH with the flag, as native. */
TEST(released_thread_is_esrch_as_native)
{
	struct worker w;
	pid_t tid;

	ASSERT_EQ(0, worker_start(&w));
	tid = w.tid;
	ASSERT_EQ(0, worker_end(&w));
	EXPECT_EQ(-1, sys_pidfd_open(tid, O_EXCL));
	EXPECT_EQ(ESRCH, errno);
	EXPECT_EQ(-1, pfo_open_flags(tid, PIDFD_OPEN_THREAD));
	EXPECT_EQ(ESRCH, errno);
}

TEST_HARNESS_MAIN
