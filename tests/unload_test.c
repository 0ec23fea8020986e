// SPDX-License-Identifier: GPL-2.0
/*
 * Unload safety: nothing that outlives a pidfd points into the module while
 * the module can be unloaded. An O_PATH fd of a pidfd, or of
 * /proc/<pid>/fd/<n> held by another process, holds the module's file system
 * and so the module: rmmod is refused with EWOULDBLOCK while it is open, every
 * operation on it gives what the same operation gives on an O_PATH fd of an
 * eventfd (the kernel's own anonymous-inode file), and once it is closed the
 * module unloads (within its unmount delay) and loads again. fanotify and
 * inotify see nothing of pidfds, as of native ones. Destructive: unloads the
 * module (it is loaded again at the end).
 */
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#define PIDFD_OPEN_NEEDS_MODULE_FILE
#include "kselftest_harness.h"
#include "pidfd_open_test.h"

/* What each operation on an O_PATH fd gives: 0 or an errno. */
struct opath_results {
	int fstat, statx, faccessat, chmod, utimensat, getxattr, listxattr, reopen;
	mode_t mode;
};

static int result(int ret)
{
	return ret < 0 ? errno : 0;
}

static void opath_ops(int opath, struct opath_results *r)
{
	char path[64], buf[64];
	struct statx stx;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", opath);
	r->fstat = result(fstat(opath, &st));
	r->mode = r->fstat ? 0 : st.st_mode;
	r->statx = result(statx(opath, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx));
	r->faccessat = result(faccessat(opath, "", R_OK | W_OK, AT_EMPTY_PATH));
	r->chmod = result(chmod(path, 0644));
	r->utimensat = result(utimensat(opath, "", NULL, AT_EMPTY_PATH));
	r->getxattr = result(getxattr(path, "user.pidfd_open", buf, sizeof(buf)));
	r->listxattr = result(listxattr(path, buf, sizeof(buf)) < 0 ? -1 : 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	r->reopen = result(fd);
	if (fd >= 0)
		close(fd);
}

#define EXPECT_SAME_RESULTS(want, got)                                                    \
	do {                                                                              \
		EXPECT_EQ((want).fstat, (got).fstat);                                     \
		EXPECT_EQ((want).mode, (got).mode);                                       \
		EXPECT_EQ((want).statx, (got).statx);                                     \
		EXPECT_EQ((want).faccessat, (got).faccessat);                             \
		EXPECT_EQ((want).chmod, (got).chmod);                                     \
		EXPECT_EQ((want).utimensat, (got).utimensat);                             \
		EXPECT_EQ((want).getxattr, (got).getxattr);                               \
		EXPECT_EQ((want).listxattr, (got).listxattr);                             \
		EXPECT_EQ((want).reopen, (got).reopen);                                   \
	} while (0)

/* The reference: the same operations on an O_PATH fd of an eventfd. */
static void reference_results(struct __test_metadata *_metadata, struct opath_results *r)
{
	char path[64];
	int efd = eventfd(0, EFD_CLOEXEC), opath;

	ASSERT_GE(efd, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", efd);
	opath = open(path, O_PATH | O_CLOEXEC);
	ASSERT_GE(opath, 0) TH_LOG("O_PATH of an eventfd: %m");
	close(efd);
	opath_ops(opath, r);
	close(opath);
	/* What the kernel's anonymous inodes give; a change in 7.x shows here first. */
	EXPECT_EQ(0, r->fstat);
	EXPECT_EQ(EOPNOTSUPP, r->chmod);
	EXPECT_EQ(ENXIO, r->reopen);
}

/* A child holding a module pidfd of itself at a known fd until told to go. */
static pid_t spawn_holder(int *pidfd_nr, int *go)
{
	int ready[2], release[2];
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(release, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int dev = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
		int fd = dev < 0 ? -1 : pfo_on(dev, getpid(), -1, -1, 0);
		char c;

		close(ready[0]);
		close(release[1]);
		close(dev);
		if (write(ready[1], &fd, sizeof(fd)) != sizeof(fd) || fd < 0)
			_exit(1);
		if (read(release[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	if (pid < 0 || read(ready[0], pidfd_nr, sizeof(*pidfd_nr)) != sizeof(*pidfd_nr))
		pid = -1;
	close(ready[0]);
	*go = release[1];
	return pid;
}

/*
 * With only opath left of a pidfd: rmmod is refused, even after the unmount
 * delay; opath works as the reference does; once it is closed, rmmod succeeds
 * and the module loads again.
 */
static void held_until_closed(struct __test_metadata *_metadata,
			      const struct opath_results *want, int opath, int round)
{
	struct opath_results got;

	ASSERT_EQ(-1, pidfd_open_unload_after_delay())
		TH_LOG("round %d: rmmod succeeded with an O_PATH fd of a pidfd open", round);
	EXPECT_EQ(EWOULDBLOCK, errno) TH_LOG("round %d: rmmod: %m", round);
	opath_ops(opath, &got);
	EXPECT_SAME_RESULTS(*want, got);
	close(opath);
	ASSERT_EQ(0, pidfd_open_unload_when_idle())
		TH_LOG("round %d: rmmod once the O_PATH fd was closed: %m", round);
	ASSERT_EQ(0, pidfd_open_load()) TH_LOG("round %d: reload: %m", round);
}

FIXTURE(unload) {
	struct opath_results want;
};

FIXTURE_SETUP(unload)
{
	if (access(PIDFD_OPEN_DEV, F_OK) < 0)
		ASSERT_EQ(0, pidfd_open_load()) TH_LOG("loading %s: %m", pidfd_open_ko_path());
	reference_results(_metadata, &self->want);
}

FIXTURE_TEARDOWN(unload)
{
	if (access(PIDFD_OPEN_DEV, F_OK) < 0)
		pidfd_open_load();
}

/*
 * The five steps of the report (issue 12), five rounds: a pidfd's O_PATH fd
 * kept past the pidfd, the device fd, the process and the module.
 */
TEST_F(unload, opath_of_a_pidfd_holds_the_module_until_closed)
{
	struct opath_results got;
	int round;

	for (round = 0; round < 5; round++) {
		int dev = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC), pidfd, opath;
		pid_t child = spawn_named("opath-target");
		char path[64];

		ASSERT_GE(dev, 0) TH_LOG("round %d: open %s: %m", round, PIDFD_OPEN_DEV);
		ASSERT_GT(child, 0);
		pidfd = pfo_on(dev, child, -1, -1, 0);
		ASSERT_GE(pidfd, 0) TH_LOG("round %d: PIDFD_IOC_OPEN: %m", round);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", pidfd);
		opath = open(path, O_PATH | O_CLOEXEC);
		ASSERT_GE(opath, 0) TH_LOG("round %d: O_PATH reopen: %m", round);

		/* With the pidfd open, too. */
		opath_ops(opath, &got);
		EXPECT_SAME_RESULTS(self->want, got);

		close(pidfd);
		close(dev);
		ASSERT_EQ(0, kill_and_reap(child));
		held_until_closed(_metadata, &self->want, opath, round);
	}
}

/* The same through /proc/<pid>/fd/<n> of another process that has since exited. */
TEST_F(unload, path_walk_through_another_process_holds_the_module_until_closed)
{
	int round;

	for (round = 0; round < 5; round++) {
		int nr, go, opath, status;
		char path[64];
		pid_t holder = spawn_holder(&nr, &go);

		ASSERT_GT(holder, 0) TH_LOG("round %d: the holder failed", round);
		ASSERT_GE(nr, 0) TH_LOG("round %d: the holder's PIDFD_IOC_OPEN failed", round);
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", holder, nr);
		opath = open(path, O_PATH | O_CLOEXEC);
		ASSERT_GE(opath, 0) TH_LOG("round %d: O_PATH of %s: %m", round, path);
		close(go);
		ASSERT_EQ(holder, waitpid(holder, &status, 0));
		ASSERT_EQ(0, status);

		held_until_closed(_metadata, &self->want, opath, round);
	}
}

/*
 * fanotify with an inode mark on a pidfd's inode: opening and closing a pidfd
 * reports nothing (pidfds are FMODE_NONOTIFY, as native ones), and nothing
 * that fanotify could open from the inode is taken for a pidfd.
 */
TEST_F(unload, fanotify_inode_mark_sees_no_pidfd_and_opens_none)
{
	char buf[4096], path[64];
	pid_t child = spawn_named("fanotify-target");
	int fan, pidfd, opath, proc, events = 0;
	ssize_t len;

	ASSERT_GT(child, 0);
	pidfd = pfo_open(child);
	ASSERT_GE(pidfd, 0) TH_LOG("PIDFD_IOC_OPEN: %m");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pidfd);
	opath = open(path, O_PATH | O_CLOEXEC);
	ASSERT_GE(opath, 0);
	fan = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK | FAN_CLOEXEC, O_RDONLY);
	ASSERT_GE(fan, 0) TH_LOG("fanotify_init: %m");
	/* fanotify_mark() takes no O_PATH fd as dirfd, but a path through it. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", opath);
	ASSERT_EQ(0, fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN | FAN_CLOSE | FAN_ACCESS,
				   AT_FDCWD, path))
		TH_LOG("fanotify_mark on the pidfd's inode: %m");

	close(pidfd);
	pidfd = pfo_open(child);
	ASSERT_GE(pidfd, 0);
	close(pidfd);

	proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(proc, 0);
	while ((len = read(fan, buf, sizeof(buf))) > 0) {
		struct fanotify_event_metadata *ev = (void *)buf;

		for (; FAN_EVENT_OK(ev, len); ev = FAN_EVENT_NEXT(ev, len)) {
			struct pidfd_open_info info;
			struct pollfd p;

			events++;
			TH_LOG("event mask %#llx fd %d", (unsigned long long)ev->mask, ev->fd);
			if (ev->fd < 0)
				continue;
			p = (struct pollfd){ .fd = ev->fd, .events = POLLIN };
			EXPECT_EQ(-1, pfo_to_procfd(proc, ev->fd));
			EXPECT_EQ(EINVAL, errno);
			EXPECT_EQ(-1, ioctl(ev->fd, PIDFD_IOC_GET_INFO, &info));
			EXPECT_EQ(ENOTTY, errno);
			EXPECT_LE(0, poll(&p, 1, 0));
			close(ev->fd);
		}
	}
	EXPECT_EQ(-1, len);
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, events) TH_LOG("fanotify reported %d events for pidfds", events);
	close(proc);
	close(fan);
	close(opath);
	kill_and_reap(child);
}

/* inotify on a pidfd's inode sees no IN_OPEN or IN_CLOSE for new pidfds. */
TEST_F(unload, inotify_sees_no_pidfd_open_or_close)
{
	pid_t child = spawn_named("inotify-target");
	char path[64], buf[4096];
	int in, pidfd;
	ssize_t len;

	ASSERT_GT(child, 0);
	pidfd = pfo_open(child);
	ASSERT_GE(pidfd, 0);
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ASSERT_GE(in, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pidfd);
	ASSERT_GE(inotify_add_watch(in, path, IN_ALL_EVENTS), 0) TH_LOG("inotify_add_watch: %m");
	close(pidfd);
	pidfd = pfo_open(child);
	ASSERT_GE(pidfd, 0);
	close(pidfd);
	len = read(in, buf, sizeof(buf));
	EXPECT_EQ(-1, len) TH_LOG("inotify reported %zd bytes of events", len);
	EXPECT_EQ(EAGAIN, errno);
	close(in);
	kill_and_reap(child);
}

TEST_HARNESS_MAIN
