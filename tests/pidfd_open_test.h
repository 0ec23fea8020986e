/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the pidfd_open selftests. */
#ifndef PIDFD_OPEN_TEST_H
#define PIDFD_OPEN_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <linux/pidfd_open.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PIDFD_OPEN_DEV "/dev/pidfd_open"
/* Where the guest image puts the module (qemu/run), unless the environment says otherwise. */
#define PIDFD_OPEN_KO_DEFAULT "/lib/modules/pidfd_open.ko"

static inline const char *pidfd_open_ko_path(void)
{
	const char *path = getenv("PIDFD_OPEN_KO");

	return path ? path : PIDFD_OPEN_KO_DEFAULT;
}

/*
 * udev sets the node's mode after the module creates it, asynchronously, as the
 * guest's uevent helper does. Wait for it as `udevadm settle` would, for at most
 * two seconds. Returns the mode bits last seen, or -1 with errno if stat fails.
 */
static inline int pidfd_open_dev_settled_mode(mode_t want)
{
	struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
	struct stat st;
	int i;

	for (i = 0; i < 200; i++) {
		if (stat(PIDFD_OPEN_DEV, &st) < 0) {
			if (errno != ENOENT)
				return -1;
		} else if ((st.st_mode & 07777) == want) {
			break;
		}
		nanosleep(&pause, NULL);
	}
	return stat(PIDFD_OPEN_DEV, &st) < 0 ? -1 : (int)(st.st_mode & 07777);
}

static inline int sys_finit_module(int fd, const char *params, int flags)
{
	return syscall(__NR_finit_module, fd, params, flags);
}

static inline int sys_delete_module(const char *name, int flags)
{
	return syscall(__NR_delete_module, name, flags);
}

#endif /* PIDFD_OPEN_TEST_H */
