// SPDX-License-Identifier: GPL-2.0
/*
 * PIDFD_TO_PROCFD with native pidfds (pidfs files) as input: from
 * pidfd_open(2), from clone3(CLONE_PIDFD) and PIDFD_THREAD ones, through every
 * row of the contract's table (Documentation/contract.md) that a pidfd
 * decides, each against the userspace idiom where there is one
 * (PIDFD_GET_INFO, openat of /proc/<n>, then pidfd_send_signal(pidfd, 0)).
 */
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* The kernel's O_LARGEFILE, which open(2) sets on 64-bit; glibc defines O_LARGEFILE as 0 there. */
#define KERNEL_O_LARGEFILE 0100000

#define INNER_PROC "/tmp/proc-inner"
#define RECYCLED_NR 100

static int open_pid_dir_at(int proc, pid_t nr)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", nr);
	return openat(proc, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The number after `key` in the status file of the directory `dir`, or -1. */
static long status_field(int dir, const char *key)
{
	char buf[64];

	return read_field_at(dir, "status", key, buf, sizeof(buf)) < 0 ? -1 : atol(buf);
}

/* An O_PATH fd of the same file as `fd`, reopened through /proc/self/fd. */
static int reopen_o_path(int fd)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_PATH | O_CLOEXEC);
}

/*
 * What every successful translation must give: the /proc/<pid> directory of
 * the thread `pid` of the thread group `tgid`, called `comm`, opened as
 * O_RDONLY|O_DIRECTORY (O_LARGEFILE aside) and close-on-exec, and the very
 * directory that `same` (the idiom's, or open(2)'s) is.
 */
static void expect_pid_dir(struct __test_metadata *_metadata, int dir, pid_t pid, pid_t tgid,
			   const char *comm, int same)
{
	struct stat got, want;
	char buf[32];

	ASSERT_GE(dir, 0);
	EXPECT_EQ(O_RDONLY | O_DIRECTORY, fcntl(dir, F_GETFL) & ~KERNEL_O_LARGEFILE);
	EXPECT_TRUE(is_cloexec(dir));
	EXPECT_EQ(pid, status_field(dir, "Pid:"));
	EXPECT_EQ(tgid, status_field(dir, "Tgid:"));
	EXPECT_STREQ(comm, comm_at(dir, buf, sizeof(buf)));
	ASSERT_GE(same, 0);
	EXPECT_EQ(fcntl(same, F_GETFL) & ~KERNEL_O_LARGEFILE,
		  fcntl(dir, F_GETFL) & ~KERNEL_O_LARGEFILE);
	ASSERT_EQ(0, fstat(dir, &got));
	ASSERT_EQ(0, fstat(same, &want));
	EXPECT_EQ(want.st_dev, got.st_dev);
	EXPECT_EQ(want.st_ino, got.st_ino);
}

/* The idiom's outcome against the module's, for the same fds. */
#define EXPECT_IDIOM_ERRNO(err, proc, pidfd)                                            \
	do {                                                                              \
		int __fd = native_idiom_to_procfd(proc, pidfd), __err = errno;            \
		EXPECT_EQ(-1, __fd) TH_LOG("the idiom gave an fd");                       \
		if (__fd >= 0)                                                            \
			close(__fd);                                                      \
		EXPECT_EQ(err, __err) TH_LOG("the idiom: errno %d (%s), expected %d (%s)", \
					      __err, strerror(__err), err, strerror(err));    \
	} while (0)

FIXTURE(native) {
	int proc;	/* /proc */
	pid_t child;	/* a live child named "target", made by clone3(CLONE_PIDFD) */
	int clone3_pidfd;	/* the pidfd clone3 gave for it */
	int native;	/* pidfd_open(child, 0) */
};

FIXTURE_SETUP(native)
{
	self->proc = open_dir("/proc");
	ASSERT_GE(self->proc, 0);
	self->child = spawn_named_pidfd("target", 0, &self->clone3_pidfd);
	ASSERT_GT(self->child, 0) TH_LOG("clone3(CLONE_PIDFD): %m");
	ASSERT_GE(self->clone3_pidfd, 0);
	self->native = sys_pidfd_open(self->child, 0);
	ASSERT_GE(self->native, 0) TH_LOG("pidfd_open(%d): %m", self->child);
}

FIXTURE_TEARDOWN(native)
{
	kill_and_reap(self->child);
}

TEST_F(native, pidfd_open_pidfd_gives_the_process_dir)
{
	int dir = pfo_to_procfd(self->proc, self->native), idiom, module, from_module;

	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD of a pidfd_open(2) pidfd: %m");
	idiom = native_idiom_to_procfd(self->proc, self->native);
	ASSERT_GE(idiom, 0) TH_LOG("the idiom: %m");
	expect_pid_dir(_metadata, dir, self->child, self->child, "target", idiom);

	/* The same directory as from one of the module's own pidfds of the process. */
	module = pfo_open(self->child);
	ASSERT_GE(module, 0);
	from_module = pfo_to_procfd(self->proc, module);
	expect_pid_dir(_metadata, dir, self->child, self->child, "target", from_module);
}

TEST_F(native, clone3_pidfd_gives_the_process_dir)
{
	int dir = pfo_to_procfd(self->proc, self->clone3_pidfd), idiom;

	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD of a clone3(CLONE_PIDFD) pidfd: %m");
	idiom = native_idiom_to_procfd(self->proc, self->clone3_pidfd);
	ASSERT_GE(idiom, 0) TH_LOG("the idiom: %m");
	expect_pid_dir(_metadata, dir, self->child, self->child, "target", idiom);
}

TEST_F(native, thread_pidfd_of_leader_gives_the_process_dir)
{
	int thread = sys_pidfd_open(self->child, PIDFD_THREAD), dir, idiom;

	ASSERT_GE(thread, 0) TH_LOG("pidfd_open(%d, PIDFD_THREAD): %m", self->child);
	dir = pfo_to_procfd(self->proc, thread);
	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD of a PIDFD_THREAD pidfd of a leader: %m");
	idiom = native_idiom_to_procfd(self->proc, thread);
	ASSERT_GE(idiom, 0) TH_LOG("the idiom: %m");
	expect_pid_dir(_metadata, dir, self->child, self->child, "target", idiom);
}

/* A thread of this process, named "worker": /proc/<tid> is its own, not the leader's. */
TEST(thread_pidfd_of_non_leader_gives_the_thread_dir)
{
	int proc = open_dir("/proc"), thread, dir, idiom, opened, comm;
	pid_t tid = start_sleeping_thread();
	char path[64];

	ASSERT_GT(tid, 0);
	ASSERT_GE(proc, 0);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", tid);
	comm = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_GE(comm, 0);
	ASSERT_EQ(6, write(comm, "worker", 6));
	close(comm);
	thread = sys_pidfd_open(tid, PIDFD_THREAD);
	ASSERT_GE(thread, 0) TH_LOG("pidfd_open(%d, PIDFD_THREAD): %m", tid);

	dir = pfo_to_procfd(proc, thread);
	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD of a PIDFD_THREAD pidfd of a non-leader: %m");
	idiom = native_idiom_to_procfd(proc, thread);
	ASSERT_GE(idiom, 0) TH_LOG("the idiom: %m");
	expect_pid_dir(_metadata, dir, tid, getpid(), "worker", idiom);
	opened = open_pid_dir_at(proc, tid);
	expect_pid_dir(_metadata, dir, tid, getpid(), "worker", opened);
}

/* A thread that records its tid, then exits once told to. */
struct exiting {
	volatile pid_t tid;
	volatile int go;
};

static void *exiting_thread(void *arg)
{
	struct exiting *e = arg;

	e->tid = gettid();
	while (!e->go)
		sched_yield();
	return NULL;
}

/* A PIDFD_THREAD pidfd of a thread that has exited (threads reap themselves). */
TEST(thread_pidfd_of_exited_thread_is_esrch)
{
	int proc = open_dir("/proc"), thread, i, gone;
	struct exiting e = { 0, 0 };
	pthread_t th;
	char path[64];

	ASSERT_GE(proc, 0);
	ASSERT_EQ(0, pthread_create(&th, NULL, exiting_thread, &e));
	while (!e.tid)
		sched_yield();
	thread = sys_pidfd_open(e.tid, PIDFD_THREAD);
	e.go = 1;
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_GE(thread, 0) TH_LOG("pidfd_open(%d, PIDFD_THREAD): %m", e.tid);
	/* pthread_join returns at the thread's exit; its pid goes a moment later. */
	snprintf(path, sizeof(path), "/proc/self/task/%d", e.tid);
	for (i = 0, gone = 0; i < 500 && !gone; i++) {
		gone = access(path, F_OK) < 0 && errno == ENOENT;
		if (!gone)
			usleep(10 * 1000);
	}
	ASSERT_TRUE(gone) TH_LOG("%s still there", path);
	EXPECT_PFO_ERRNO(ESRCH, -1, proc, thread, PIDFD_TO_PROCFD);
	EXPECT_IDIOM_ERRNO(ESRCH, proc, thread);
}

TEST_F(native, zombie_gives_the_zombie_dir)
{
	char state[32];
	siginfo_t info;
	int dir, idiom;

	kill(self->child, SIGKILL);
	ASSERT_EQ(0, waitid(P_PID, self->child, &info, WEXITED | WNOWAIT));
	dir = pfo_to_procfd(self->proc, self->native);
	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD of a zombie: %m");
	ASSERT_EQ(0, read_field_at(dir, "status", "State:", state, sizeof(state)));
	EXPECT_EQ('Z', state[0]) TH_LOG("State: %s", state);
	idiom = native_idiom_to_procfd(self->proc, self->native);
	ASSERT_GE(idiom, 0) TH_LOG("the idiom: %m");
	expect_pid_dir(_metadata, dir, self->child, self->child, "target", idiom);
	close(dir);
	dir = pfo_to_procfd(self->proc, self->clone3_pidfd);
	ASSERT_GE(dir, 0) TH_LOG("PIDFD_TO_PROCFD of a zombie, clone3 pidfd: %m");
	expect_pid_dir(_metadata, dir, self->child, self->child, "target", idiom);
}

TEST_F(native, reaped_is_esrch)
{
	int thread = sys_pidfd_open(self->child, PIDFD_THREAD);

	ASSERT_GE(thread, 0);
	ASSERT_EQ(0, kill_and_reap(self->child));
	EXPECT_PFO_ERRNO(ESRCH, -1, self->proc, self->native, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(ESRCH, -1, self->proc, self->clone3_pidfd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(ESRCH, -1, self->proc, thread, PIDFD_TO_PROCFD);
	EXPECT_IDIOM_ERRNO(ESRCH, self->proc, self->native);
	EXPECT_IDIOM_ERRNO(ESRCH, self->proc, thread);
}

/* The order of the table: argument checks, EBADF, then what the fds are, then the process. */
TEST_F(native, argument_and_fd_checks_come_first)
{
	int root = open_dir("/"), piddir = open_pid_dir_at(self->proc, self->child);

	ASSERT_GE(root, 0);
	ASSERT_GE(piddir, 0);
	ASSERT_EQ(0, kill_and_reap(self->child));
	EXPECT_PFO_ERRNO(EINVAL, self->child, self->proc, self->native, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, self->proc, self->native, PIDFD_TO_PROCFD | PROCFD_TO_PIDFD);
	EXPECT_PFO_ERRNO(EBADF, -1, 999, self->native, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, root, self->native, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, piddir, self->clone3_pidfd, PIDFD_TO_PROCFD);
	/* A native pidfd is no /proc/<pid> directory. */
	EXPECT_PFO_ERRNO(EBADF, -1, self->native, -1, PROCFD_TO_PIDFD);
}

/*
 * Files whose inodes carry private data of their own filesystem's, which a
 * check of i_private alone would take for a pid: each is no pidfd (4.2 row 4).
 * The filesystems this kernel lacks are named, not counted; sysfs, cgroup2, an
 * eventfd and a memfd are on every kernel of make check.
 */
TEST_F(native, files_of_other_filesystems_are_not_pidfds)
{
	static const struct {
		const char *name, *type, *dir;
		bool required;
	} fs[] = {
		{ "sysfs", NULL, "/sys/kernel", true },
		{ "cgroup2", "cgroup2", "/tmp/native-cgroup2", true },
		{ "debugfs", "debugfs", "/tmp/native-debugfs", false },
		{ "tracefs", "tracefs", "/tmp/native-tracefs", false },
	};
	int fd, tried = 0;

	ASSERT_EQ(0, private_mounts());
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		if (fs[i].type) {
			mkdir(fs[i].dir, 0700);
			if (mount(fs[i].type, fs[i].dir, fs[i].type, 0, NULL) < 0) {
				ASSERT_FALSE(fs[i].required) TH_LOG("mount %s: %m", fs[i].type);
				TH_LOG("%s: not in this kernel (mount: %m)", fs[i].name);
				continue;
			}
		}
		fd = open_first_file(fs[i].dir);
		ASSERT_GE(fd, 0) TH_LOG("no readable file in %s (%s)", fs[i].dir, fs[i].name);
		EXPECT_PFO_ERRNO(EBADF, -1, self->proc, fd, PIDFD_TO_PROCFD);
		close(fd);
		tried++;
	}
	fd = eventfd(0, EFD_CLOEXEC);
	ASSERT_GE(fd, 0);
	EXPECT_PFO_ERRNO(EBADF, -1, self->proc, fd, PIDFD_TO_PROCFD);
	close(fd);
	fd = memfd_create("native-test", MFD_CLOEXEC);
	ASSERT_GE(fd, 0);
	EXPECT_PFO_ERRNO(EBADF, -1, self->proc, fd, PIDFD_TO_PROCFD);
	close(fd);
	TH_LOG("%d filesystems' files, an eventfd and a memfd refused", tried);
}

TEST_F(native, o_path_native_pidfd_is_ebadf)
{
	int opath = reopen_o_path(self->native), opath_clone3 = reopen_o_path(self->clone3_pidfd);
	int thread = sys_pidfd_open(self->child, PIDFD_THREAD), opath_thread;

	ASSERT_GE(opath, 0) TH_LOG("O_PATH reopen of a native pidfd: %m");
	ASSERT_GE(opath_clone3, 0);
	ASSERT_GE(thread, 0);
	opath_thread = reopen_o_path(thread);
	ASSERT_GE(opath_thread, 0);
	EXPECT_PFO_ERRNO(EBADF, -1, self->proc, opath, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EBADF, -1, self->proc, opath_clone3, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EBADF, -1, self->proc, opath_thread, PIDFD_TO_PROCFD);
}

/*
 * As PID 1 of a new namespace: "victim" numbered RECYCLED_NR, with its clone3
 * pidfd, a pidfd_open(2) one and a PIDFD_THREAD one, is reaped and its number
 * given to "recycled". Every stale pidfd gives ESRCH; opening the number
 * without the check is what gives the new process.
 */
static int recycled_native_pidfds(void *arg)
{
	int inner, fds[3], i, dir, fresh, naive;
	pid_t victim, again;
	char comm[32];

	(void)arg;
	CHECK(mount_proc(INNER_PROC, NULL) == 0, "mount proc: %m");
	inner = open_dir(INNER_PROC);
	CHECK(inner >= 0, "open " INNER_PROC ": %m");
	victim = spawn_named_pidfd("victim", RECYCLED_NR, &fds[0]);
	CHECK(victim == RECYCLED_NR && fds[0] >= 0, "clone3(CLONE_PIDFD, set_tid): %d (%m)", victim);
	fds[1] = sys_pidfd_open(victim, 0);
	fds[2] = sys_pidfd_open(victim, PIDFD_THREAD);
	CHECK(fds[1] >= 0 && fds[2] >= 0, "pidfd_open: %m");
	for (i = 0; i < 3; i++) {
		dir = pfo_to_procfd(inner, fds[i]);
		CHECK(dir >= 0, "pidfd %d before: %m", i);
		CHECK(!strcmp(comm_at(dir, comm, sizeof(comm)), "victim"), "pidfd %d before: '%s'", i,
		      comm);
		close(dir);
	}

	CHECK(kill_and_reap(victim) == 0, "reap victim");
	again = spawn_named_with_tid("recycled", RECYCLED_NR);
	CHECK(again == RECYCLED_NR, "clone3 set_tid %d gave %d: %m", RECYCLED_NR, again);
	for (i = 0; i < 3; i++) {
		dir = pfo_to_procfd(inner, fds[i]);
		CHECK(dir == -1 && errno == ESRCH, "stale pidfd %d gave %d (errno %d), comm '%s'", i,
		      dir, errno, dir >= 0 ? comm_at(dir, comm, sizeof(comm)) : "");
		dir = native_idiom_to_procfd(inner, fds[i]);
		CHECK(dir == -1 && errno == ESRCH, "the idiom, pidfd %d: %d (errno %d)", i, dir, errno);
	}
	naive = open_pid_dir_at(inner, RECYCLED_NR);
	CHECK(naive >= 0 && !strcmp(comm_at(naive, comm, sizeof(comm)), "recycled"),
	      "/proc/%d now: '%s'", RECYCLED_NR, comm);

	/* A pidfd of the new process gives the new process. */
	fresh = sys_pidfd_open(RECYCLED_NR, 0);
	CHECK(fresh >= 0, "pidfd_open of the new process: %m");
	dir = pfo_to_procfd(inner, fresh);
	CHECK(dir >= 0 && !strcmp(comm_at(dir, comm, sizeof(comm)), "recycled"), "after: '%s' (%m)",
	      comm);
	kill_and_reap(again);
	return 0;
}

TEST(recycled_pid_is_esrch_never_the_new_process)
{
	EXPECT_EQ(0, run_in_new_pidns(recycled_native_pidfds, NULL));
}

/*
 * As PID 1 of a new namespace with its procfs: the pidfds of arg (made
 * outside, of processes outside) have no number there. A process made inside
 * gets its inner number through the inner procfs, its outer one through /proc.
 */
struct outside {
	int process, thread;
};

static int native_pidfds_across_namespaces(void *arg)
{
	const struct outside *o = arg;
	int inner, outer, x_pidfd, dir, fd;
	char comm[32], nspid[64];
	pid_t x;

	CHECK(mount_proc(INNER_PROC, NULL) == 0, "mount proc: %m");
	inner = open_dir(INNER_PROC);
	outer = open_dir("/proc");
	CHECK(inner >= 0 && outer >= 0, "open proc roots: %m");
	fd = pfo_to_procfd(inner, o->process);
	CHECK(fd == -1 && errno == ESRCH, "outside process: %d, errno %d (%m)", fd, errno);
	fd = pfo_to_procfd(inner, o->thread);
	CHECK(fd == -1 && errno == ESRCH, "outside thread: %d, errno %d (%m)", fd, errno);
	/* Through the outer procfs they have numbers. */
	fd = pfo_to_procfd(outer, o->process);
	CHECK(fd >= 0, "outside process via /proc: %m");
	close(fd);

	x = spawn_named_pidfd("x-inner", 0, &x_pidfd);
	CHECK(x == 2 && x_pidfd >= 0, "first child is %d (%m)", x);
	dir = pfo_to_procfd(inner, x_pidfd);
	CHECK(dir >= 0, "inner process via the inner procfs: %m");
	CHECK(status_field(dir, "Pid:") == 2, "inner Pid: %ld", status_field(dir, "Pid:"));
	close(dir);
	dir = pfo_to_procfd(outer, x_pidfd);
	CHECK(dir >= 0, "inner process via /proc: %m");
	CHECK(!strcmp(comm_at(dir, comm, sizeof(comm)), "x-inner"), "comm '%s'", comm);
	CHECK(read_field_at(dir, "status", "NSpid:", nspid, sizeof(nspid)) == 0, "NSpid: %m");
	CHECK(atoi(nspid) != 2 && atoi(strchr(nspid, ' ') ? strchr(nspid, ' ') + 1 : "0") == 2,
	      "NSpid via /proc: '%s'", nspid);
	kill_and_reap(x);
	return 0;
}

TEST(no_number_in_mount_namespace_is_esrch)
{
	struct outside o = { sys_pidfd_open(getpid(), 0), -1 };
	pid_t tid = start_sleeping_thread();

	ASSERT_GT(tid, 0);
	o.thread = sys_pidfd_open(tid, PIDFD_THREAD);
	ASSERT_GE(o.process, 0);
	ASSERT_GE(o.thread, 0);
	EXPECT_EQ(0, run_in_new_pidns(native_pidfds_across_namespaces, &o));
}

/*
 * As uid 65534, on a procfs mounted with `option`: the native pidfds of root's
 * processes give what openat(2) of their /proc/<n> gives that user there,
 * `err`; a process of the user's own gives its directory.
 */
static int hidepid_as_nobody(int hidden, const int *root_pidfds, const pid_t *root_pids, int n,
			     int err)
{
	int i, direct, direct_err, fd, own_pidfd;
	char comm[32];
	pid_t own;

	CHECK(setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0,
	      "setresuid: %m");
	for (i = 0; i < n; i++) {
		direct = open_pid_dir_at(hidden, root_pids[i]);
		direct_err = errno;
		CHECK(direct == -1 && direct_err == err, "openat(%d) = %d, errno %d", root_pids[i],
		      direct, direct_err);
		fd = pfo_to_procfd(hidden, root_pidfds[i]);
		CHECK(fd == -1 && errno == direct_err,
		      "PIDFD_TO_PROCFD of %d = %d, errno %d (%m), openat(2) gave %d", root_pids[i],
		      fd, errno, direct_err);
	}
	/* Changing uid made the process undumpable, which would hide it from its own user. */
	CHECK(prctl(PR_SET_DUMPABLE, 1) == 0, "PR_SET_DUMPABLE: %m");
	own = spawn_named_pidfd("own", 0, &own_pidfd);
	CHECK(own > 0 && own_pidfd >= 0, "clone3 as 65534: %m");
	direct = open_pid_dir_at(hidden, own);
	CHECK(direct >= 0, "openat of its own process: %m");
	fd = pfo_to_procfd(hidden, own_pidfd);
	CHECK(fd >= 0 && !strcmp(comm_at(fd, comm, sizeof(comm)), "own"),
	      "own process: %d (%m), comm '%s'", fd, comm);
	kill_and_reap(own);
	return 0;
}

static void hidepid_case(struct __test_metadata *_metadata, const char *option, int err)
{
	int hidden, pidfds[3], status, target_pidfd;
	pid_t pids[3], target, pid;

	ASSERT_EQ(0, private_mounts());
	ASSERT_EQ(0, mount_proc("/tmp/proc-hidden", option)) TH_LOG("mount %s: %m", option);
	hidden = open_dir("/tmp/proc-hidden");
	ASSERT_GE(hidden, 0);
	target = spawn_named_pidfd("root-target", 0, &target_pidfd);
	ASSERT_GT(target, 0);
	pids[0] = 1;
	pidfds[0] = sys_pidfd_open(1, 0);
	pids[1] = target;
	pidfds[1] = target_pidfd;
	pids[2] = target;
	pidfds[2] = sys_pidfd_open(target, PIDFD_THREAD);
	ASSERT_GE(pidfds[0], 0);
	ASSERT_GE(pidfds[2], 0);
	ASSERT_GE(pfo_dev(), 0);
	pid = fork();
	if (pid == 0)
		_exit(hidepid_as_nobody(hidden, pidfds, pids, 3, err));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	kill_and_reap(target);
}

TEST(open_error_passes_through_hidepid_invisible)
{
	hidepid_case(_metadata, "hidepid=invisible", ENOENT);
}

TEST(open_error_passes_through_hidepid_noaccess)
{
	hidepid_case(_metadata, "hidepid=noaccess", EPERM);
}

TEST_HARNESS_MAIN
