// SPDX-License-Identifier: GPL-2.0
/*
 * PIDFD_TO_PROCFD and PROCFD_TO_PIDFD: every row of the contract's tables
 * (Documentation/contract.md), and the round trip pid -> pidfd -> /proc/<pid>
 * fd -> pidfd, in the initial pid namespace and through a procfs of a child
 * namespace.
 */
#include <poll.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

static int open_proc_pid(const char *proc_root, pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/%d", proc_root, pid);
	return open_dir(path);
}

/* An fd number that is not open. */
#define CLOSED_FD 999

FIXTURE(proc) {
	int proc;	/* /proc */
	pid_t child;	/* a live child named "target" */
	int pidfd;	/* module pidfd of child */
};

FIXTURE_SETUP(proc)
{
	self->proc = open_dir("/proc");
	ASSERT_GE(self->proc, 0);
	self->child = spawn_named("target");
	ASSERT_GT(self->child, 0);
	self->pidfd = pfo_open(self->child);
	ASSERT_GE(self->pidfd, 0) TH_LOG("PIDFD_IOC_OPEN(%d): %m", self->child);
}

FIXTURE_TEARDOWN(proc)
{
	kill_and_reap(self->child);
}

/* PIDFD_TO_PROCFD */

TEST_F(proc, to_procfd_pid_set_or_negative_fd_is_einval)
{
	EXPECT_PFO_ERRNO(EINVAL, self->child, self->proc, self->pidfd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, 0, self->proc, self->pidfd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, -1, self->pidfd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, self->proc, -1, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, self->proc, INT32_MIN, PIDFD_TO_PROCFD);
}

TEST_F(proc, to_procfd_fd_not_open_or_o_path_is_ebadf)
{
	char path[64];
	int opath_proc = open("/proc", O_PATH | O_CLOEXEC), opath_pidfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->pidfd);
	opath_pidfd = open(path, O_PATH | O_CLOEXEC);
	ASSERT_GE(opath_proc, 0);
	ASSERT_GE(opath_pidfd, 0);

	EXPECT_PFO_ERRNO(EBADF, -1, CLOSED_FD, self->pidfd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EBADF, -1, self->proc, CLOSED_FD, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EBADF, -1, opath_proc, self->pidfd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EBADF, -1, self->proc, opath_pidfd, PIDFD_TO_PROCFD);
	/* EBADF comes before the checks of what the fds are. */
	EXPECT_PFO_ERRNO(EBADF, -1, CLOSED_FD, self->proc, PIDFD_TO_PROCFD);
}

TEST_F(proc, to_procfd_procfd_not_procfs_root_is_einval)
{
	int root = open_dir("/"), piddir = open_proc_pid("/proc", self->child);
	int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC), bind_pid;
	char path[64];

	ASSERT_EQ(0, private_mounts());
	snprintf(path, sizeof(path), "/proc/%d", self->child);
	mkdir("/tmp/bind-pid", 0755);
	ASSERT_EQ(0, mount(path, "/tmp/bind-pid", NULL, MS_BIND, NULL)) TH_LOG("bind %s: %m", path);
	bind_pid = open_dir("/tmp/bind-pid");
	ASSERT_GE(bind_pid, 0);

	EXPECT_PFO_ERRNO(EINVAL, -1, root, self->pidfd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, piddir, self->pidfd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, file, self->pidfd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, bind_pid, self->pidfd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, self->pidfd, self->pidfd, PIDFD_TO_PROCFD);
}

TEST_F(proc, to_procfd_bind_mount_of_proc_root_is_a_procfs_root)
{
	char comm[32];
	int bind, dir;

	ASSERT_EQ(0, private_mounts());
	mkdir("/tmp/bind-proc", 0755);
	ASSERT_EQ(0, mount("/proc", "/tmp/bind-proc", NULL, MS_BIND, NULL));
	bind = open_dir("/tmp/bind-proc");
	ASSERT_GE(bind, 0);
	dir = pfo_to_procfd(bind, self->pidfd);
	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD via a bind mount of /proc: %m");
	EXPECT_STREQ("target", comm_at(dir, comm, sizeof(comm)));
}

TEST_F(proc, to_procfd_pidfd_neither_module_nor_native_pidfd_is_ebadf)
{
	int dev = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
	int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	ASSERT_GE(dev, 0);
	EXPECT_PFO_ERRNO(EBADF, -1, self->proc, dev, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EBADF, -1, self->proc, file, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EBADF, -1, self->proc, self->proc, PIDFD_TO_PROCFD);
}

TEST_F(proc, to_procfd_reaped_is_esrch)
{
	ASSERT_EQ(0, kill_and_reap(self->child));
	EXPECT_PFO_ERRNO(ESRCH, -1, self->proc, self->pidfd, PIDFD_TO_PROCFD);
}

TEST_F(proc, to_procfd_zombie_gives_its_directory)
{
	struct stat got, want;
	char buf[32];
	siginfo_t info;
	int dir, opened;

	kill(self->child, SIGKILL);
	ASSERT_EQ(0, waitid(P_PID, self->child, &info, WEXITED | WNOWAIT));
	dir = pfo_to_procfd(self->proc, self->pidfd);
	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD of a zombie: %m");
	ASSERT_EQ(0, read_field_at(dir, "status", "State:", buf, sizeof(buf)));
	EXPECT_EQ('Z', buf[0]) TH_LOG("State: %s", buf);
	/* The zombie's own directory, opened as open(2) would. */
	ASSERT_EQ(0, read_field_at(dir, "status", "Pid:", buf, sizeof(buf)));
	EXPECT_EQ(self->child, atoi(buf)) TH_LOG("Pid: %s", buf);
	EXPECT_STREQ("target", comm_at(dir, buf, sizeof(buf)));
	EXPECT_TRUE(is_cloexec(dir));
	opened = open_proc_pid("/proc", self->child);
	ASSERT_GE(opened, 0);
	EXPECT_EQ(fcntl(opened, F_GETFL) & ~O_LARGEFILE, fcntl(dir, F_GETFL) & ~O_LARGEFILE);
	ASSERT_EQ(0, fstat(dir, &got));
	ASSERT_EQ(0, fstat(opened, &want));
	EXPECT_EQ(want.st_ino, got.st_ino);
}

/* In a new pid namespace, with its own procfs: a process outside has no number there. */
static int to_procfd_outside_namespace(void *arg)
{
	int outside_pidfd = *(int *)arg, inner, fd;

	CHECK(mount_proc("/tmp/proc-inner", NULL) == 0, "mount proc: %m");
	inner = open_dir("/tmp/proc-inner");
	CHECK(inner >= 0, "open /tmp/proc-inner: %m");
	fd = pfo_to_procfd(inner, outside_pidfd);
	CHECK(fd == -1 && errno == ESRCH, "PIDFD_TO_PROCFD = %d, errno %d (%m)", fd, errno);
	return 0;
}

TEST_F(proc, to_procfd_no_pid_in_mount_namespace_is_esrch)
{
	EXPECT_EQ(0, run_in_new_pidns(to_procfd_outside_namespace, &self->pidfd));
}

/* As uid 65534: the error of opening /proc/1 under hidepid=invisible, both ways. */
static int hidepid_as_nobody(int hidden, int pidfd)
{
	int direct, err, fd;

	CHECK(setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0,
	      "setresuid: %m");
	direct = openat(hidden, "1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = errno;
	CHECK(direct == -1 && err == ENOENT, "open(hidden/1) = %d, errno %d", direct, err);
	fd = pfo_to_procfd(hidden, pidfd);
	CHECK(fd == -1 && errno == err, "PIDFD_TO_PROCFD = %d, errno %d (%m), open(2) gave %d",
	      fd, errno, err);
	return 0;
}

TEST(to_procfd_open_error_passes_through_hidepid)
{
	int hidden, pidfd, status;
	pid_t pid;

	ASSERT_EQ(0, private_mounts());
	ASSERT_EQ(0, mount_proc("/tmp/proc-hidden", "hidepid=invisible")) TH_LOG("mount: %m");
	hidden = open_dir("/tmp/proc-hidden");
	ASSERT_GE(hidden, 0);
	pidfd = pfo_open(1);
	ASSERT_GE(pidfd, 0);
	pid = fork();
	if (pid == 0)
		_exit(hidepid_as_nobody(hidden, pidfd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

TEST_F(proc, to_procfd_gives_proc_pid_dir_as_open_would)
{
	struct stat got, want;
	int dir, opened;
	char buf[32];

	dir = pfo_to_procfd(self->proc, self->pidfd);
	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD: %m");
	opened = open_proc_pid("/proc", self->child);
	ASSERT_GE(opened, 0);

	EXPECT_TRUE(is_cloexec(dir));
	EXPECT_EQ(fcntl(opened, F_GETFL) & ~O_LARGEFILE, fcntl(dir, F_GETFL) & ~O_LARGEFILE);
	ASSERT_EQ(0, fstat(dir, &got));
	ASSERT_EQ(0, fstat(opened, &want));
	EXPECT_EQ(want.st_dev, got.st_dev);
	EXPECT_EQ(want.st_ino, got.st_ino);
	ASSERT_EQ(0, read_field_at(dir, "status", "Pid:", buf, sizeof(buf)));
	EXPECT_EQ(self->child, atoi(buf));
	EXPECT_STREQ("target", comm_at(dir, buf, sizeof(buf)));
}

/* PROCFD_TO_PIDFD */

TEST_F(proc, to_pidfd_pid_or_pidfd_set_or_negative_procfd_is_einval)
{
	int dir = open_proc_pid("/proc", self->child);

	ASSERT_GE(dir, 0);
	EXPECT_PFO_ERRNO(EINVAL, self->child, dir, -1, PROCFD_TO_PIDFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, dir, self->pidfd, PROCFD_TO_PIDFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, -1, -1, PROCFD_TO_PIDFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, INT32_MIN, -1, PROCFD_TO_PIDFD);
}

TEST_F(proc, to_pidfd_fd_not_open_or_o_path_is_ebadf)
{
	char path[64];
	int opath;

	snprintf(path, sizeof(path), "/proc/%d", self->child);
	opath = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(opath, 0);
	EXPECT_PFO_ERRNO(EBADF, -1, CLOSED_FD, -1, PROCFD_TO_PIDFD);
	EXPECT_PFO_ERRNO(EBADF, -1, opath, -1, PROCFD_TO_PIDFD);
}

TEST_F(proc, to_pidfd_not_proc_pid_dir_is_ebadf)
{
	int fds[10], pipefd[2], i, n = 0;
	char path[64];

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	snprintf(path, sizeof(path), "/proc/%d/task/%d", self->child, self->child);
	fds[n++] = open_dir(path);
	snprintf(path, sizeof(path), "/proc/%d/status", self->child);
	fds[n++] = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/fd", self->child);
	fds[n++] = open_dir(path);
	fds[n++] = open_dir("/proc/sys");
	fds[n++] = open_dir("/tmp");
	fds[n++] = self->proc;
	fds[n++] = pipefd[0];
	fds[n++] = self->pidfd;
	fds[n++] = sys_pidfd_open(self->child, 0);
	for (i = 0; i < n; i++) {
		ASSERT_GE(fds[i], 0) TH_LOG("fd %d of the list", i);
		EXPECT_PFO_ERRNO(EBADF, -1, fds[i], -1, PROCFD_TO_PIDFD);
	}
}

TEST_F(proc, to_pidfd_reaped_is_esrch)
{
	int dir = open_proc_pid("/proc", self->child);

	ASSERT_GE(dir, 0);
	ASSERT_EQ(0, kill_and_reap(self->child));
	EXPECT_PFO_ERRNO(ESRCH, -1, dir, -1, PROCFD_TO_PIDFD);
}

TEST(to_pidfd_non_leader_thread_dir_is_enoent)
{
	pid_t tid = start_sleeping_thread();
	int dir;

	ASSERT_GT(tid, 0);
	dir = open_proc_pid("/proc", tid);
	ASSERT_GE(dir, 0) TH_LOG("open /proc/%d: %m", tid);
	EXPECT_PFO_ERRNO(ENOENT, -1, dir, -1, PROCFD_TO_PIDFD);
}

TEST_F(proc, to_pidfd_gives_pidfd_of_the_directory_process)
{
	char buf[64], nspid[64], link[64];
	int dir, pidfd, back;

	dir = open_proc_pid("/proc", self->child);
	ASSERT_GE(dir, 0);
	pidfd = pfo_to_pidfd(dir);
	ASSERT_GE(pidfd, 0) TH_LOG("PROCFD_TO_PIDFD: %m");
	EXPECT_TRUE(is_cloexec(pidfd));
	EXPECT_STREQ("anon_inode:[pidfd]", fd_link(pidfd, link, sizeof(link)));
	ASSERT_EQ(0, fdinfo_pids("/proc", pidfd, buf, nspid, sizeof(buf)));
	EXPECT_EQ(self->child, atoi(buf));
	back = pfo_to_procfd(self->proc, pidfd);
	ASSERT_GE(back, 0) TH_LOG("PIDFD_TO_PROCFD of the new pidfd: %m");
	EXPECT_STREQ("target", comm_at(back, buf, sizeof(buf)));
}

TEST_F(proc, to_pidfd_zombie_directory_gives_pidfd)
{
	char buf[64], nspid[64], link[64];
	struct pidfd_open_info pinfo;
	siginfo_t info;
	int dir, pidfd, back;

	dir = open_proc_pid("/proc", self->child);
	ASSERT_GE(dir, 0);
	kill(self->child, SIGKILL);
	ASSERT_EQ(0, waitid(P_PID, self->child, &info, WEXITED | WNOWAIT));
	pidfd = pfo_to_pidfd(dir);
	ASSERT_GE(pidfd, 0) TH_LOG("PROCFD_TO_PIDFD of a zombie's directory: %m");
	/* A pidfd of exactly that zombie. */
	EXPECT_TRUE(is_cloexec(pidfd));
	EXPECT_STREQ("anon_inode:[pidfd]", fd_link(pidfd, link, sizeof(link)));
	ASSERT_EQ(0, pfo_get_info(pidfd, &pinfo)) TH_LOG("GET_INFO of the zombie: %m");
	EXPECT_EQ(self->child, pinfo.pid);
	EXPECT_EQ(self->child, pinfo.tgid);
	ASSERT_EQ(0, fdinfo_pids("/proc", pidfd, buf, nspid, sizeof(buf)));
	EXPECT_EQ(self->child, atoi(buf)) TH_LOG("fdinfo Pid: %s", buf);
	back = pfo_to_procfd(self->proc, pidfd);
	ASSERT_GE(back, 0) TH_LOG("PIDFD_TO_PROCFD of the new pidfd: %m");
	EXPECT_STREQ("target", comm_at(back, buf, sizeof(buf)));
	/* It sees the exit as native does: readable, not yet hung up. */
	EXPECT_EQ(1, poll(&(struct pollfd){ .fd = pidfd, .events = POLLIN }, 1, 0));
}

/* Round trips */

TEST_F(proc, round_trip_pid_pidfd_procfd_pidfd_in_initial_namespace)
{
	char buf[64], nspid[64];
	int pidfd, dir, again;

	pidfd = pfo_open(self->child);
	ASSERT_GE(pidfd, 0);
	dir = pfo_to_procfd(self->proc, pidfd);
	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD: %m");
	ASSERT_EQ(0, read_field_at(dir, "status", "Pid:", buf, sizeof(buf)));
	EXPECT_EQ(self->child, atoi(buf));
	again = pfo_to_pidfd(dir);
	ASSERT_GE(again, 0) TH_LOG("PROCFD_TO_PIDFD: %m");
	ASSERT_EQ(0, fdinfo_pids("/proc", again, buf, nspid, sizeof(buf)));
	EXPECT_EQ(self->child, atoi(buf));
}

/*
 * As PID 1 of a new namespace: X is 2 here. Through the inner procfs the
 * numbers are the inner ones; through /proc (the outer procfs) the outer ones.
 */
static int round_trip_in_child_namespace(void *arg)
{
	char pid_line[64], nspid[64], native_nspid[64], buf[64];
	int inner, outer, pidfd, native, dir, again;
	pid_t x;

	(void)arg;
	CHECK(mount_proc("/tmp/proc-inner", NULL) == 0, "mount proc: %m");
	inner = open_dir("/tmp/proc-inner");
	outer = open_dir("/proc");
	CHECK(inner >= 0 && outer >= 0, "open proc roots: %m");
	x = spawn_named("x-inner");
	CHECK(x == 2, "first child is %d", x);
	pidfd = pfo_open(x);
	native = sys_pidfd_open(x, 0);
	CHECK(pidfd >= 0 && native >= 0, "pidfds: %m");

	dir = pfo_to_procfd(inner, pidfd);
	CHECK(dir >= 0, "PIDFD_TO_PROCFD via the inner procfs: %m");
	CHECK(read_field_at(dir, "status", "Pid:", buf, sizeof(buf)) == 0 && atoi(buf) == 2,
	      "status Pid: '%s'", buf);
	again = pfo_to_pidfd(dir);
	CHECK(again >= 0, "PROCFD_TO_PIDFD via the inner procfs: %m");
	CHECK(fdinfo_pids("/tmp/proc-inner", again, pid_line, nspid, sizeof(pid_line)) == 0 &&
	      atoi(pid_line) == 2, "inner fdinfo Pid: '%s'", pid_line);
	close(dir);
	close(again);

	/* The same process through the outer procfs: its outer number, and NSpid as native's. */
	CHECK(fdinfo_pids("/proc", native, pid_line, native_nspid, sizeof(pid_line)) == 0,
	      "native fdinfo: %m");
	dir = pfo_to_procfd(outer, pidfd);
	CHECK(dir >= 0, "PIDFD_TO_PROCFD via /proc: %m");
	CHECK(read_field_at(dir, "status", "NSpid:", nspid, sizeof(nspid)) == 0 &&
	      strcmp(nspid, native_nspid) == 0, "status NSpid: '%s', native fdinfo '%s'", nspid,
	      native_nspid);
	CHECK(atoi(nspid) != 2, "outer number %s", nspid);
	CHECK(strcmp(comm_at(dir, buf, sizeof(buf)), "x-inner") == 0, "comm '%s'", buf);
	again = pfo_to_pidfd(dir);
	CHECK(again >= 0, "PROCFD_TO_PIDFD via /proc: %m");
	CHECK(fdinfo_pids("/tmp/proc-inner", again, pid_line, nspid, sizeof(pid_line)) == 0 &&
	      atoi(pid_line) == 2, "inner fdinfo Pid: '%s'", pid_line);
	return 0;
}

TEST(round_trip_through_procfs_of_child_namespace)
{
	EXPECT_EQ(0, run_in_new_pidns(round_trip_in_child_namespace, NULL));
}

/*
 * A caller outside a pid namespace, holding a /proc/<pid> directory of that
 * namespace's procfs: it has no number there, and still gets a pidfd for the
 * directory's process (here the namespace's init, reopened through
 * /proc/<init>/fd/<n>).
 */
TEST(to_pidfd_by_a_caller_with_no_number_in_the_mount_namespace)
{
	int ready[2], fd_ready[2], go[2], nr, dir, pidfd;
	struct pidfd_open_info info;
	pid_t outer, init = -1;
	char path[64], c;

	/* Two writers, two pipes: the outer process and the init write in either order. */
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(fd_ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	outer = fork();
	ASSERT_GE(outer, 0);
	if (outer == 0) {
		close(ready[0]);
		close(fd_ready[0]);
		close(go[1]);
		if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(1);
		init = fork();
		if (init == 0) {
			int fd;

			if (mount_proc("/tmp/proc-hidden", NULL) < 0)
				_exit(1);
			fd = open_dir("/tmp/proc-hidden/1");
			if (write(fd_ready[1], &fd, sizeof(fd)) != sizeof(fd) || read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		if (write(ready[1], &init, sizeof(init)) != sizeof(init))
			_exit(1);
		waitpid(init, NULL, 0);
		_exit(0);
	}
	close(ready[1]);
	close(fd_ready[1]);
	close(go[0]);
	ASSERT_EQ(sizeof(init), read(ready[0], &init, sizeof(init)));
	ASSERT_EQ(sizeof(nr), read(fd_ready[0], &nr, sizeof(nr)));
	ASSERT_GE(nr, 0) TH_LOG("the namespace's init could not open its /proc/1");
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", init, nr);
	dir = open_dir(path);
	ASSERT_GE(dir, 0) TH_LOG("open %s: %m", path);

	pidfd = pfo_to_pidfd(dir);
	ASSERT_GE(pidfd, 0) TH_LOG("PROCFD_TO_PIDFD of the hidden namespace's /proc/1: %m");
	ASSERT_EQ(0, pfo_get_info(pidfd, &info));
	EXPECT_EQ(init, (pid_t)info.pid) TH_LOG("the pidfd is of %u, not of the namespace's init", info.pid);
	EXPECT_EQ(1, is_cloexec(pidfd));
	close(go[1]);
	ASSERT_EQ(outer, waitpid(outer, NULL, 0));
}

TEST_HARNESS_MAIN
