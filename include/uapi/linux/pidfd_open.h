/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pidfd_open: pidfds and race-free /proc/<pid> translations, as ioctls on
 * /dev/pidfd_open. The design is that of the 2019 LKML patch
 * "pid: add pidfd_open()". Documentation/contract.md documents this ABI and
 * gives the errno of every case.
 */
#ifndef _UAPI_LINUX_PIDFD_OPEN_H
#define _UAPI_LINUX_PIDFD_OPEN_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PIDFD_TO_PROCFD 1 /* retrieve file descriptor to /proc/<pid> for pidfd */
#define PROCFD_TO_PIDFD 2 /* retrieve pidfd for /proc/<pid> */

struct pidfd_open_args {
	__s32 pid;
	__s32 procfd;
	__s32 pidfd;
	__u32 flags;
};

/* Or'ed into flags = 0 of PIDFD_IOC_OPEN, with the meaning and the values of
 * PIDFD_THREAD (O_EXCL) and PIDFD_NONBLOCK (O_NONBLOCK) of <linux/pidfd.h>:
 * a pidfd of one thread, and O_NONBLOCK on the new file. */
#define PIDFD_OPEN_THREAD   00000200
#define PIDFD_OPEN_NONBLOCK 00004000

struct pidfd_signal_args {
	__s32 sig;
	__u32 flags;	/* 0 or one PIDFD_OPEN_SIGNAL_* */
	__aligned_u64 info; /* a siginfo_t __user *, or 0; not in VER0 */
};
#define PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0 8
#define PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1 16
/* The values of PIDFD_SIGNAL_* of <linux/pidfd.h>. */
#define PIDFD_OPEN_SIGNAL_THREAD        (1U << 0)
#define PIDFD_OPEN_SIGNAL_THREAD_GROUP  (1U << 1)
#define PIDFD_OPEN_SIGNAL_PROCESS_GROUP (1U << 2)

/* Same layout, field names and mask bits as struct pidfd_info of
 * <linux/pidfd.h> in Linux 7.3 (88 bytes). PIDFD_IOC_GET_INFO takes any
 * of the published sizes, or a larger one, as PIDFD_GET_INFO does. */
struct pidfd_open_info {
	__u64 mask;
	__u64 cgroupid;
	__u32 pid;
	__u32 tgid;
	__u32 ppid;
	__u32 ruid;
	__u32 rgid;
	__u32 euid;
	__u32 egid;
	__u32 suid;
	__u32 sgid;
	__u32 fsuid;
	__u32 fsgid;
	__s32 exit_code;
	__u32 coredump_mask;
	__u32 coredump_signal;
	__u32 coredump_code;
	__u32 coredump_pad;
	__u64 supported_mask;
};
#define PIDFD_OPEN_INFO_PID             (1ULL << 0)
#define PIDFD_OPEN_INFO_CREDS           (1ULL << 1)
#define PIDFD_OPEN_INFO_CGROUPID        (1ULL << 2)
#define PIDFD_OPEN_INFO_EXIT            (1ULL << 3)
#define PIDFD_OPEN_INFO_COREDUMP        (1ULL << 4)
#define PIDFD_OPEN_INFO_SUPPORTED_MASK  (1ULL << 5)
#define PIDFD_OPEN_INFO_COREDUMP_SIGNAL (1ULL << 6)
#define PIDFD_OPEN_INFO_COREDUMP_CODE   (1ULL << 7)
#define PIDFD_OPEN_INFO_SIZE_VER0 64
#define PIDFD_OPEN_INFO_SIZE_VER1 72
#define PIDFD_OPEN_INFO_SIZE_VER2 80
#define PIDFD_OPEN_INFO_SIZE_VER3 88

/* statfs(2)'s f_type of this module's pidfds: the module's own pseudo file
 * system, which keeps one inode per process (st_ino: the process's pidfs
 * inode number, as a native pidfd's). */
#define PIDFD_OPEN_FS_MAGIC 0x70666f70 /* "pfop" */

#define PIDFD_IOC_MAGIC       0xB9
/* on /dev/pidfd_open: returns a new fd */
#define PIDFD_IOC_OPEN        _IOW(PIDFD_IOC_MAGIC, 0x01, struct pidfd_open_args)
/* on a pidfd returned by this module: returns 0. Both take their structure's
 * size from the command: SEND_SIGNAL VER0 or VER1, GET_INFO VER0 or more. */
#define PIDFD_IOC_SEND_SIGNAL _IOW(PIDFD_IOC_MAGIC, 0x02, struct pidfd_signal_args)
#define PIDFD_IOC_GET_INFO    _IOWR(PIDFD_IOC_MAGIC, 0x03, struct pidfd_open_info)

#endif /* _UAPI_LINUX_PIDFD_OPEN_H */
