// SPDX-License-Identifier: GPL-2.0
/*
 * What `make run` shows: the module's device and what it answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/pidfd_open.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	struct pidfd_open_args args = { .pid = getpid(), .procfd = -1, .pidfd = -1 };
	struct stat st;
	int dev, ret;

	if (stat("/dev/pidfd_open", &st) < 0) {
		perror("demo: stat /dev/pidfd_open");
		return 1;
	}
	printf("demo: /dev/pidfd_open: character device, mode %04o\n", st.st_mode & 07777);

	dev = open("/dev/pidfd_open", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("demo: open /dev/pidfd_open");
		return 1;
	}
	ret = ioctl(dev, PIDFD_IOC_OPEN, &args);
	printf("demo: PIDFD_IOC_OPEN(pid %d) = %d (%s)\n", args.pid, ret, ret < 0 ? strerror(errno) : "a pidfd");
	close(dev);
	return 0;
}
