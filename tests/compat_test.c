// SPDX-License-Identifier: GPL-2.0
/*
 * Every ioctl from a 64-bit and from a 32-bit program (this file is built
 * twice: compat_test and, with gcc -m32, compat32_test), with the same
 * expected results: the 32-bit one goes through compat_ioctl, which must
 * change nothing, since the argument structs have one layout for both.
 */
#include <poll.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#ifndef COMPAT_BITS
#define COMPAT_BITS 64
#endif

TEST(runs_as_the_intended_word_size)
{
	TH_LOG("a %d-bit program", (int)(sizeof(long) * 8));
	ASSERT_EQ(COMPAT_BITS, (int)(sizeof(long) * 8));
}

TEST(open_errors_are_as_for_64_bit_callers)
{
	int dev = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
	pid_t gone = spawn_named("gone");

	ASSERT_GE(dev, 0) TH_LOG("open %s: %m", PIDFD_OPEN_DEV);
	ASSERT_GT(gone, 0);
	ASSERT_EQ(0, kill_and_reap(gone));
	EXPECT_PFO_ERRNO(EINVAL, getpid(), -1, -1, 4);
	EXPECT_PFO_ERRNO(EINVAL, 0, -1, -1, 0);
	EXPECT_PFO_ERRNO(ESRCH, gone, -1, -1, 0);
	EXPECT_PFO_ERRNO(EBADF, -1, 999, 999, PIDFD_TO_PROCFD);
	EXPECT_EQ(-1, ioctl(dev, PIDFD_IOC_OPEN, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(dev, _IO(PIDFD_IOC_MAGIC, 0x7f), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(dev);
}

TEST(get_info_matches_native)
{
	struct pidfd_open_info mine = { 0 }, native = { 0 };
	pid_t child = spawn_named("compat-info");
	struct target t;

	ASSERT_GT(child, 0);
	ASSERT_EQ(0, target_open(&t, child)) TH_LOG("pidfds of %d: %m", child);
	ASSERT_EQ(0, pfo_get_info(t.module, &mine)) TH_LOG("PIDFD_IOC_GET_INFO: %m");
	ASSERT_EQ(0, native_get_info(t.native, &native)) TH_LOG("PIDFD_GET_INFO: %m");
	EXPECT_EQ(child, (pid_t)mine.pid);
	EXPECT_EQ(child, (pid_t)mine.tgid);
	EXPECT_EQ(getpid(), (pid_t)mine.ppid);
	EXPECT_EQ(native.pid, mine.pid);
	EXPECT_EQ(native.ppid, mine.ppid);
	EXPECT_EQ(native.ruid, mine.ruid);
	EXPECT_EQ(native.egid, mine.egid);
	EXPECT_EQ(native.fsuid, mine.fsuid);
	EXPECT_EQ(native.cgroupid, mine.cgroupid);
	EXPECT_EQ(PIDFD_OPEN_INFO_PID | PIDFD_OPEN_INFO_CREDS,
		  mine.mask & (PIDFD_OPEN_INFO_PID | PIDFD_OPEN_INFO_CREDS));
	EXPECT_EQ(-1, ioctl(t.module, PIDFD_IOC_GET_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	kill_and_reap(child);
}

TEST(translations_give_the_same_process)
{
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), dir, pidfd, back;
	pid_t child = spawn_named("compat-dir");
	struct pidfd_open_info info;
	char comm[32];

	ASSERT_GE(proc, 0);
	ASSERT_GT(child, 0);
	pidfd = pfo_open(child);
	ASSERT_GE(pidfd, 0);
	dir = pfo_to_procfd(proc, pidfd);
	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD: %m");
	EXPECT_STREQ("compat-dir", comm_at(dir, comm, sizeof(comm)));
	EXPECT_EQ(1, is_cloexec(dir));
	back = pfo_to_pidfd(dir);
	ASSERT_GE(back, 0) TH_LOG("PROCFD_TO_PIDFD: %m");
	ASSERT_EQ(0, pfo_get_info(back, &info));
	EXPECT_EQ(child, (pid_t)info.pid);
	kill_and_reap(child);
}

TEST(send_signal_and_poll_see_the_exit)
{
	pid_t child = spawn_named("compat-kill");
	struct pollfd p = { .events = POLLIN };
	struct pidfd_open_info info = { 0 };
	int status;

	ASSERT_GT(child, 0);
	p.fd = pfo_open(child);
	ASSERT_GE(p.fd, 0);
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(-1, pfo_send_signal(p.fd, SIGKILL, 8));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pfo_send_signal(p.fd, SIGKILL, PIDFD_OPEN_SIGNAL_THREAD));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, pfo_send_signal(p.fd, SIGKILL, 0)) TH_LOG("PIDFD_IOC_SEND_SIGNAL: %m");
	ASSERT_EQ(1, poll(&p, 1, 10000));
	EXPECT_EQ(POLLIN, p.revents & POLLIN);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(-1, pfo_send_signal(p.fd, 0, 0));
	EXPECT_EQ(ESRCH, errno);
	/* The exit status through the 88-byte structure, whose last field is a __u64. */
	info.mask = PIDFD_OPEN_INFO_EXIT | PIDFD_OPEN_INFO_SUPPORTED_MASK;
	ASSERT_EQ(0, ioctl(p.fd, PIDFD_IOC_GET_INFO, &info)) TH_LOG("GET_INFO after the reap: %m");
	EXPECT_EQ(status, info.exit_code);
	EXPECT_TRUE(info.mask & PIDFD_OPEN_INFO_EXIT);
	EXPECT_TRUE(info.supported_mask & PIDFD_OPEN_INFO_EXIT);
}

TEST_HARNESS_MAIN
