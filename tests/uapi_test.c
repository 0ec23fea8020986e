// SPDX-License-Identifier: GPL-2.0
/*
 * The C header against the values of the contract (Documentation/contract.md).
 * rust/uapi.rs pins the Rust mirror to the same values at compile time, so the
 * two cannot disagree.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

TEST(structs_have_spec_sizes_and_offsets)
{
	EXPECT_EQ(16, sizeof(struct pidfd_open_args));
	EXPECT_EQ(0, offsetof(struct pidfd_open_args, pid));
	EXPECT_EQ(4, offsetof(struct pidfd_open_args, procfd));
	EXPECT_EQ(8, offsetof(struct pidfd_open_args, pidfd));
	EXPECT_EQ(12, offsetof(struct pidfd_open_args, flags));

	EXPECT_EQ(PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1, sizeof(struct pidfd_signal_args));
	EXPECT_EQ(8, PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0);
	EXPECT_EQ(16, PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1);
	EXPECT_EQ(4, offsetof(struct pidfd_signal_args, flags));
	EXPECT_EQ(8, offsetof(struct pidfd_signal_args, info));

	/* struct pidfd_info of <linux/pidfd.h> in Linux 7.3, field by field. */
	EXPECT_EQ(PIDFD_OPEN_INFO_SIZE_VER3, sizeof(struct pidfd_open_info));
	EXPECT_EQ(64, PIDFD_OPEN_INFO_SIZE_VER0);
	EXPECT_EQ(72, PIDFD_OPEN_INFO_SIZE_VER1);
	EXPECT_EQ(80, PIDFD_OPEN_INFO_SIZE_VER2);
	EXPECT_EQ(88, PIDFD_OPEN_INFO_SIZE_VER3);
	EXPECT_EQ(8, offsetof(struct pidfd_open_info, cgroupid));
	EXPECT_EQ(16, offsetof(struct pidfd_open_info, pid));
	EXPECT_EQ(28, offsetof(struct pidfd_open_info, ruid));
	EXPECT_EQ(56, offsetof(struct pidfd_open_info, fsgid));
	EXPECT_EQ(60, offsetof(struct pidfd_open_info, exit_code));
	EXPECT_EQ(64, offsetof(struct pidfd_open_info, coredump_mask));
	EXPECT_EQ(68, offsetof(struct pidfd_open_info, coredump_signal));
	EXPECT_EQ(72, offsetof(struct pidfd_open_info, coredump_code));
	EXPECT_EQ(76, offsetof(struct pidfd_open_info, coredump_pad));
	EXPECT_EQ(80, offsetof(struct pidfd_open_info, supported_mask));
}

TEST(ioctl_numbers_and_flags_are_spec_values)
{
	EXPECT_EQ(1, PIDFD_TO_PROCFD);
	EXPECT_EQ(2, PROCFD_TO_PIDFD);
	EXPECT_EQ(0x4010b901U, PIDFD_IOC_OPEN);
	EXPECT_EQ(0x4010b902U, PIDFD_IOC_SEND_SIGNAL);
	EXPECT_EQ(0xc058b903U, PIDFD_IOC_GET_INFO);
	/* What binaries built against the first header send. */
	EXPECT_EQ(0x4008b902U, PIDFD_IOC_SEND_SIGNAL_VER0);
	EXPECT_EQ(0xc040b903U, PIDFD_IOC_GET_INFO_VER0);
	EXPECT_EQ(1ULL, PIDFD_OPEN_INFO_PID);
	EXPECT_EQ(2ULL, PIDFD_OPEN_INFO_CREDS);
	EXPECT_EQ(4ULL, PIDFD_OPEN_INFO_CGROUPID);
	EXPECT_EQ(8ULL, PIDFD_OPEN_INFO_EXIT);
	EXPECT_EQ(16ULL, PIDFD_OPEN_INFO_COREDUMP);
	EXPECT_EQ(32ULL, PIDFD_OPEN_INFO_SUPPORTED_MASK);
	EXPECT_EQ(64ULL, PIDFD_OPEN_INFO_COREDUMP_SIGNAL);
	EXPECT_EQ(128ULL, PIDFD_OPEN_INFO_COREDUMP_CODE);
	EXPECT_EQ(O_EXCL, PIDFD_OPEN_THREAD);
	EXPECT_EQ(O_NONBLOCK, PIDFD_OPEN_NONBLOCK);
	EXPECT_EQ(1U, PIDFD_OPEN_SIGNAL_THREAD);
	EXPECT_EQ(2U, PIDFD_OPEN_SIGNAL_THREAD_GROUP);
	EXPECT_EQ(4U, PIDFD_OPEN_SIGNAL_PROCESS_GROUP);
	EXPECT_EQ(0x70666f70, PIDFD_OPEN_FS_MAGIC);
}

/* The module answers the header's PIDFD_IOC_OPEN number with the header's struct. */
TEST(module_accepts_header_ioctl_number)
{
	int fd = pfo_open(getpid());

	ASSERT_GE(fd, 0) TH_LOG("PIDFD_IOC_OPEN(self): %m");
	close(fd);
}

TEST_HARNESS_MAIN
