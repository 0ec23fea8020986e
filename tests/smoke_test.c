// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke tests: the module is loaded, its device node is usable by anyone,
 * unknown ioctls are refused, and it unloads and reloads cleanly.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define PIDFD_OPEN_NEEDS_MODULE_FILE
#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#define MISC_MAJOR 10U

TEST(device_is_misc_char_node_with_mode_0666)
{
	struct stat st;

	ASSERT_EQ(0, stat(PIDFD_OPEN_DEV, &st)) TH_LOG("stat %s: %m", PIDFD_OPEN_DEV);
	EXPECT_TRUE(S_ISCHR(st.st_mode)) TH_LOG("st_mode %o", st.st_mode);
	EXPECT_EQ(MISC_MAJOR, major(st.st_rdev));
	EXPECT_EQ(0666, pidfd_open_dev_settled_mode(0666));
}

TEST(unprivileged_user_can_open_device)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0666, pidfd_open_dev_settled_mode(0666));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		fd = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
		_exit(fd >= 0 ? 0 : 10 + errno);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("exit 2: setresuid failed; 10+N: open failed with errno N");
}

TEST(unknown_ioctl_is_enotty)
{
	/* Neighbours of the real commands: unused numbers, wrong direction, another magic. */
	const unsigned int cmds[] = {
		_IO(PIDFD_IOC_MAGIC, 0x00),
		_IO(PIDFD_IOC_MAGIC, 0x7f),
		_IOR(PIDFD_IOC_MAGIC, 0x01, struct pidfd_open_args),
		_IOW(PIDFD_IOC_MAGIC + 1, 0x01, struct pidfd_open_args),
		_IOW(PIDFD_IOC_MAGIC, 0x04, struct pidfd_open_args),
	};
	struct pidfd_open_args args = { .pid = getpid(), .procfd = -1, .pidfd = -1 };
	unsigned int i;
	int fd;

	fd = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0) TH_LOG("open %s: %m", PIDFD_OPEN_DEV);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, cmds[i], &args)) TH_LOG("cmd %#x", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#x: errno %d (%m)", cmds[i], errno);
	}
	close(fd);
}

TEST(module_refuses_unload_while_device_is_open)
{
	int fd = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_GE(fd, 0) TH_LOG("open %s: %m", PIDFD_OPEN_DEV);
	/* After the unmount delay: refused for the open device, not for an idle mount. */
	EXPECT_EQ(-1, pidfd_open_unload_after_delay());
	EXPECT_EQ(EWOULDBLOCK, errno) TH_LOG("errno %d (%m)", errno);
	close(fd);
	EXPECT_EQ(0, access(PIDFD_OPEN_DEV, F_OK));
}

TEST(module_unloads_and_reloads)
{
	const char *ko = pidfd_open_ko_path();
	int kofd, fd;

	kofd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(kofd, 0) TH_LOG("open %s: %m", ko);

	ASSERT_EQ(0, pidfd_open_unload_when_idle()) TH_LOG("delete_module: %m");
	EXPECT_EQ(-1, access(PIDFD_OPEN_DEV, F_OK));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(0, sys_finit_module(kofd, "", 0)) TH_LOG("finit_module %s: %m", ko);
	close(kofd);
	EXPECT_EQ(0666, pidfd_open_dev_settled_mode(0666));
	fd = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0) TH_LOG("open after reload: %m");
	EXPECT_EQ(-1, ioctl(fd, _IO(PIDFD_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_HARNESS_MAIN
