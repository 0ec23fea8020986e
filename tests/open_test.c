// SPDX-License-Identifier: GPL-2.0
/*
 * PIDFD_IOC_OPEN with flags = 0: every row of the contract's table
 * (Documentation/contract.md), parity with the native pidfd_open(2), and the
 * pidfd files' fdinfo against native pidfds.
 */
#include <stdatomic.h>
#include <sys/inotify.h>
#include <sys/statfs.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

TEST(flags_with_unknown_bit_or_both_modes_is_einval)
{
	const unsigned int bad[] = { 4, 8, 1U << 31, 0xffffffff, PIDFD_TO_PROCFD | PROCFD_TO_PIDFD };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_PFO_ERRNO(EINVAL, getpid(), -1, -1, bad[i]);
}

TEST(open_pid_zero_or_negative_is_einval)
{
	EXPECT_PFO_ERRNO(EINVAL, 0, -1, -1, 0);
	EXPECT_PFO_ERRNO(EINVAL, -1, -1, -1, 0);
	EXPECT_PFO_ERRNO(EINVAL, INT32_MIN, -1, -1, 0);
}

TEST(open_with_procfd_or_pidfd_set_is_einval)
{
	EXPECT_PFO_ERRNO(EINVAL, getpid(), 0, -1, 0);
	EXPECT_PFO_ERRNO(EINVAL, getpid(), -2, -1, 0);
	EXPECT_PFO_ERRNO(EINVAL, getpid(), -1, 0, 0);
	EXPECT_PFO_ERRNO(EINVAL, getpid(), -1, 5, 0);
}

/* A pid number nobody uses now, counting down from pid_max. */
static pid_t unused_pid(void)
{
	char buf[32];
	pid_t pid;

	if (read_field_at(AT_FDCWD, "/proc/sys/kernel/pid_max", "", buf, sizeof(buf)) < 0)
		return -1;
	for (pid = atoi(buf) - 1; pid > 300; pid--)
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return pid;
	return -1;
}

TEST(open_nonexistent_pid_is_esrch)
{
	pid_t pid = unused_pid();

	ASSERT_GT(pid, 0);
	EXPECT_PFO_ERRNO(ESRCH, pid, -1, -1, 0);
}

static int open_pid_outside_namespace_is_esrch(void *arg)
{
	pid_t outside = *(pid_t *)arg;
	int fd;

	/* The number of a process that exists, but only outside this namespace. */
	CHECK(getpid() == 1, "not the init of a new pid namespace");
	fd = pfo_open(outside);
	CHECK(fd == -1 && errno == ESRCH, "PIDFD_IOC_OPEN(%d) = %d, errno %d (%m)", outside, fd, errno);
	return 0;
}

TEST(open_pid_only_in_outer_namespace_is_esrch)
{
	pid_t outside = spawn_named("outside");

	ASSERT_GT(outside, 1);
	ASSERT_GT(outside, 2) TH_LOG("the number must not exist in the new namespace too");
	EXPECT_EQ(0, run_in_new_pidns(open_pid_outside_namespace_is_esrch, &outside));
	kill_and_reap(outside);
}

TEST(open_non_leader_thread_is_enoent)
{
	pid_t tid = start_sleeping_thread();

	ASSERT_GT(tid, 0);
	ASSERT_NE(getpid(), tid);
	EXPECT_PFO_ERRNO(ENOENT, tid, -1, -1, 0);
}

TEST(open_self_child_zombie_and_init_give_cloexec_pidfds)
{
	pid_t child = spawn_named("child"), zombie = fork();
	const pid_t pids[] = { getpid(), child, zombie, 1 };
	char link[64];
	siginfo_t info;
	unsigned int i;
	int fd;

	if (zombie == 0)
		_exit(0);
	ASSERT_GT(child, 0);
	ASSERT_GT(zombie, 0);
	ASSERT_EQ(0, waitid(P_PID, zombie, &info, WEXITED | WNOWAIT));

	for (i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		fd = pfo_open(pids[i]);
		ASSERT_GE(fd, 0) TH_LOG("PIDFD_IOC_OPEN(%d): %m", pids[i]);
		EXPECT_TRUE(is_cloexec(fd));
		EXPECT_STREQ("anon_inode:[pidfd]", fd_link(fd, link, sizeof(link)));
		close(fd);
	}
	kill_and_reap(child);
	waitpid(zombie, NULL, 0);
}

/*
 * A process's pidfds share its inode: it must refuse to be reopened by path
 * and to change, and look like any anonymous inode to fstat(): mode 0600, no
 * file type.
 */
TEST(pidfd_inode_refuses_open_by_path_and_setattr)
{
	int fd = pfo_open(getpid());
	const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	char path[64];
	struct stat st;
	unsigned int i;

	ASSERT_GE(fd, 0) TH_LOG("PIDFD_IOC_OPEN(self): %m");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, open(path, modes[i])) TH_LOG("open(%s, %d) succeeded", path, modes[i]);
		EXPECT_EQ(ENXIO, errno) TH_LOG("open(%s, %d): %m", path, modes[i]);
	}
	errno = 0;
	EXPECT_EQ(-1, fchmod(fd, 0666));
	EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("fchmod: %m");
	errno = 0;
	EXPECT_EQ(-1, fchown(fd, 1, 1));
	EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("fchown: %m");
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0600, st.st_mode) TH_LOG("st_mode 0%o", st.st_mode);
	EXPECT_EQ(getuid(), st.st_uid);
	close(fd);
}

static long fdinfo_mnt_id(int fd)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return read_field_at(AT_FDCWD, path, "mnt_id:", buf, sizeof(buf)) < 0 ? -1 : atol(buf);
}

/*
 * One inode per process (contract, 5.3): st_ino is the process's pidfs inode
 * number, the st_ino of its native pidfds, so two processes never share one
 * and all pidfds of a process do. The files are on the module's own file
 * system: an f_type, a st_dev and a mount (fdinfo's mnt_id) of their own,
 * shared by all of them while any is open.
 */
TEST(st_ino_names_the_process_as_a_native_pidfds_does)
{
	pid_t a = spawn_named("ino-a"), b = spawn_named("ino-b");
	struct stat ma, ma2, mb, na, nb;
	int fds[5], i;
	struct statfs fs;

	ASSERT_GT(a, 0);
	ASSERT_GT(b, 0);
	fds[0] = pfo_open(a);
	fds[1] = pfo_open(a);
	fds[2] = pfo_open(b);
	fds[3] = sys_pidfd_open(a, 0);
	fds[4] = sys_pidfd_open(b, 0);
	for (i = 0; i < 5; i++)
		ASSERT_GE(fds[i], 0) TH_LOG("pidfd %d: %m", i);
	ASSERT_EQ(0, fstat(fds[0], &ma));
	ASSERT_EQ(0, fstat(fds[1], &ma2));
	ASSERT_EQ(0, fstat(fds[2], &mb));
	ASSERT_EQ(0, fstat(fds[3], &na));
	ASSERT_EQ(0, fstat(fds[4], &nb));

	EXPECT_EQ(na.st_ino, ma.st_ino) TH_LOG("process %d: module st_ino %lu, native %lu", a,
					      (unsigned long)ma.st_ino, (unsigned long)na.st_ino);
	EXPECT_EQ(nb.st_ino, mb.st_ino) TH_LOG("process %d: module st_ino %lu, native %lu", b,
					      (unsigned long)mb.st_ino, (unsigned long)nb.st_ino);
	EXPECT_NE(ma.st_ino, mb.st_ino);
	EXPECT_EQ(ma.st_ino, ma2.st_ino);
	EXPECT_EQ(ma.st_dev, ma2.st_dev);
	EXPECT_EQ(ma.st_dev, mb.st_dev);
	EXPECT_NE(na.st_dev, ma.st_dev) TH_LOG("module pidfds on pidfs's device");

	ASSERT_EQ(0, fstatfs(fds[0], &fs));
	EXPECT_EQ(PIDFD_OPEN_FS_MAGIC, fs.f_type) TH_LOG("f_type %#lx", (unsigned long)fs.f_type);
	ASSERT_EQ(0, fstatfs(fds[3], &fs));
	EXPECT_NE(PIDFD_OPEN_FS_MAGIC, fs.f_type);
	EXPECT_GT(fdinfo_mnt_id(fds[0]), 0);
	EXPECT_EQ(fdinfo_mnt_id(fds[0]), fdinfo_mnt_id(fds[2]));
	EXPECT_NE(fdinfo_mnt_id(fds[3]), fdinfo_mnt_id(fds[0]));
	for (i = 0; i < 5; i++)
		close(fds[i]);
	kill_and_reap(a);
	kill_and_reap(b);
}

/* "ok" or the errno name of a call's outcome, and closes a returned fd. */
/*
 * A second open of a process finds the inode and dentry that the first made,
 * by the pidfs inode number, with no lock (rust/pidfd_fs.rs). Processes forked
 * one after another have neighbouring numbers, so a lookup that strayed to a
 * neighbour's inode would give another process's pidfd: every later pidfd
 * must name the same process as its first, by st_ino, by the native pidfd's
 * st_ino and by the pid that GET_INFO reports.
 */
#define NEIGHBOURS 16
TEST(later_opens_of_neighbouring_processes_find_their_own_inode)
{
	int first[NEIGHBOURS], later[NEIGHBOURS], native[NEIGHBOURS], i, round;
	pid_t pids[NEIGHBOURS];
	struct pidfd_open_info info;
	struct stat f, l, n;

	for (i = 0; i < NEIGHBOURS; i++) {
		pids[i] = spawn_named("ino-next");
		ASSERT_GT(pids[i], 0);
	}
	for (i = 0; i < NEIGHBOURS; i++) {
		first[i] = pfo_open(pids[i]);
		native[i] = sys_pidfd_open(pids[i], 0);
		ASSERT_GE(first[i], 0) TH_LOG("first open of %d: %m", pids[i]);
		ASSERT_GE(native[i], 0) TH_LOG("pidfd_open(%d): %m", pids[i]);
	}
	/* In both orders, so that each neighbour's inode exists at the lookup. */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < NEIGHBOURS; i++) {
			int k = round ? NEIGHBOURS - 1 - i : i;

			later[k] = pfo_open(pids[k]);
			ASSERT_GE(later[k], 0) TH_LOG("later open of %d: %m", pids[k]);
		}
		for (i = 0; i < NEIGHBOURS; i++) {
			ASSERT_EQ(0, fstat(first[i], &f));
			ASSERT_EQ(0, fstat(later[i], &l));
			ASSERT_EQ(0, fstat(native[i], &n));
			EXPECT_EQ(f.st_ino, l.st_ino)
				TH_LOG("process %d, round %d: first pidfd's st_ino %lu, later one's %lu",
				       pids[i], round, (unsigned long)f.st_ino, (unsigned long)l.st_ino);
			EXPECT_EQ(n.st_ino, l.st_ino)
				TH_LOG("process %d: native st_ino %lu, module %lu", pids[i],
				       (unsigned long)n.st_ino, (unsigned long)l.st_ino);
			ASSERT_EQ(0, pfo_get_info(later[i], &info)) TH_LOG("GET_INFO: %m");
			EXPECT_EQ((__u32)pids[i], info.pid)
				TH_LOG("later pidfd of %d reports pid %u", pids[i], info.pid);
			close(later[i]);
		}
	}
	for (i = 0; i < NEIGHBOURS; i++) {
		close(first[i]);
		close(native[i]);
		kill_and_reap(pids[i]);
	}
}

static void *exit_at_once(void *arg)
{
	return arg;
}

/* Uses up `n` pid numbers, and with them pidfs inode numbers: n threads that exit at once. */
static int use_up_pids(long n)
{
	pthread_t t;

	while (n-- > 0) {
		if (pthread_create(&t, NULL, exit_at_once, NULL) || pthread_join(t, NULL))
			return -1;
	}
	return 0;
}

/*
 * The module keeps each process's dentry in a slot of its stash by the pidfs
 * inode number modulo PIDFD_OPEN_STASH_SLOTS (rust/pidfd_fs.rs). Two processes
 * that share a slot take it from each other, and an open that finds the other
 * one's dentry there must not return it. pidfs hands out inode numbers from a
 * batch per CPU, in blocks of 4096 (a multiple of the slot count), so on one
 * CPU the next number is known from the last: the test uses up as many as it
 * takes for a child to share the first one's slot, then opens the two in turn,
 * each time finding the other's dentry in the slot.
 */
TEST(processes_sharing_a_stash_slot_each_get_their_own_pidfd)
{
	pid_t pids[2] = { -1, -1 }, c;
	int native[2], first[2], fd, i, round, tries;
	struct pidfd_open_info info;
	struct stat n[2], s;
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0)) TH_LOG("pinning to CPU 0: %m");
	pids[0] = spawn_named("slot-a");
	ASSERT_GT(pids[0], 0);
	native[0] = sys_pidfd_open(pids[0], 0);
	ASSERT_GE(native[0], 0);
	ASSERT_EQ(0, fstat(native[0], &n[0]));
	/* Another CPU's or task's allocation can take a number meanwhile: try again. */
	for (tries = 0; tries < 8 && pids[1] < 0; tries++) {
		c = fork();
		ASSERT_GE(c, 0);
		if (c == 0) {
			pause();
			_exit(0);
		}
		fd = sys_pidfd_open(c, 0);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(0, fstat(fd, &s));
		if (s.st_ino != n[0].st_ino &&
		    s.st_ino % PIDFD_OPEN_STASH_SLOTS == n[0].st_ino % PIDFD_OPEN_STASH_SLOTS) {
			pids[1] = c;
			native[1] = fd;
			n[1] = s;
			break;
		}
		close(fd);
		kill_and_reap(c);
		/* The next number after s.st_ino that shares the first one's slot, less one. */
		ASSERT_EQ(0, use_up_pids((long)((n[0].st_ino - s.st_ino - 1) % PIDFD_OPEN_STASH_SLOTS)));
	}
	ASSERT_GT(pids[1], 0) TH_LOG("no child shared the slot of st_ino %lu in %d tries",
				     (unsigned long)n[0].st_ino, tries);
	TH_LOG("processes %d and %d: st_ino %lu and %lu, after %d tries", pids[0], pids[1],
	       (unsigned long)n[0].st_ino, (unsigned long)n[1].st_ino, tries + 1);

	for (i = 0; i < 2; i++) {
		first[i] = pfo_open(pids[i]);
		ASSERT_GE(first[i], 0) TH_LOG("first open of %d: %m", pids[i]);
	}
	for (round = 0; round < 4; round++) {
		i = round % 2;
		fd = pfo_open(pids[i]);
		ASSERT_GE(fd, 0) TH_LOG("open of %d: %m", pids[i]);
		ASSERT_EQ(0, fstat(fd, &s));
		EXPECT_EQ(n[i].st_ino, s.st_ino)
			TH_LOG("round %d, process %d: native st_ino %lu, module %lu", round, pids[i],
			       (unsigned long)n[i].st_ino, (unsigned long)s.st_ino);
		ASSERT_EQ(0, pfo_get_info(fd, &info)) TH_LOG("GET_INFO: %m");
		EXPECT_EQ((__u32)pids[i], info.pid)
			TH_LOG("round %d: a pidfd of %d reports pid %u", round, pids[i], info.pid);
		close(fd);
	}
	for (i = 0; i < 2; i++) {
		close(first[i]);
		close(native[i]);
		kill_and_reap(pids[i]);
	}
}

static const char *outcome(int ret, int err, char *buf, size_t size)
{
	if (ret >= 0) {
		close(ret);
		return "ok";
	}
	snprintf(buf, size, "errno %d (%s)", err, strerror(err));
	return buf;
}

/* The State: letter of /proc/<pid>/status, or 0. */
static char state_of(pid_t pid)
{
	char path[64], state[16] = "";

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	read_field_at(AT_FDCWD, path, "State:", state, sizeof(state));
	return state[0];
}

/*
 * Opens racing on an inode that outlived its dentry: an inotify mark holds a
 * process's inode, not its dentry, so once the process's last pidfd is closed
 * the next open finds the inode with no dentry and asks d_obtain_alias() for
 * one. Two threads doing that at once both allocate a dentry, and the one that
 * loses throws away its own, which never had an inode, through the file
 * system's d_prune. Each round closes both pidfds, then releases two threads,
 * one per CPU, spinning on the round's number, to open the process at the
 * same moment; every pidfd must name it.
 */
#define RACE_ROUNDS 3000

struct racer {
	pid_t pid;
	atomic_int round, opened;
	int fd;
};

static void *race_open(void *arg)
{
	struct racer *r = arg;
	cpu_set_t cpu1;
	int round;

	CPU_ZERO(&cpu1);
	CPU_SET(1, &cpu1);
	sched_setaffinity(0, sizeof(cpu1), &cpu1);
	for (round = 1; round <= RACE_ROUNDS; round++) {
		while (atomic_load(&r->round) < round)
			;
		r->fd = pfo_open(r->pid);
		atomic_store(&r->opened, round);
	}
	return NULL;
}

TEST(racing_opens_of_an_inode_kept_by_an_inotify_mark_name_the_process)
{
	struct racer r = { .pid = spawn_named("race-target"), .fd = -1 };
	struct stat native, mine = { 0 }, theirs = { 0 };
	int in, pidfd, their_fd = -1, round, native_fd, err = 0;
	char path[64];
	cpu_set_t cpu0;
	pthread_t t;

	ASSERT_GT(r.pid, 0);
	native_fd = sys_pidfd_open(r.pid, 0);
	ASSERT_GE(native_fd, 0);
	ASSERT_EQ(0, fstat(native_fd, &native));
	pidfd = pfo_open(r.pid);
	ASSERT_GE(pidfd, 0);
	in = inotify_init1(IN_CLOEXEC);
	ASSERT_GE(in, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pidfd);
	ASSERT_GE(inotify_add_watch(in, path, IN_ALL_EVENTS), 0) TH_LOG("inotify_add_watch: %m");
	close(pidfd);
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0)) TH_LOG("pinning to CPU 0: %m");
	ASSERT_EQ(0, pthread_create(&t, NULL, race_open, &r));

	for (round = 1; round <= RACE_ROUNDS; round++) {
		atomic_store(&r.round, round);
		pidfd = pfo_open(r.pid);
		err = errno;
		while (atomic_load(&r.opened) < round)
			;
		their_fd = r.fd;
		if (pidfd < 0 || their_fd < 0 || fstat(pidfd, &mine) || fstat(their_fd, &theirs))
			break;
		if (mine.st_ino != native.st_ino || theirs.st_ino != native.st_ino)
			break;
		close(pidfd);
		close(their_fd);
	}
	if (round <= RACE_ROUNDS)
		atomic_store(&r.round, RACE_ROUNDS);	/* let the thread finish */
	pthread_join(t, NULL);
	EXPECT_EQ(RACE_ROUNDS + 1, round)
	TH_LOG("round %d: pidfds %d (%s) and %d, st_ino %lu and %lu, native's %lu", round, pidfd,
	       pidfd < 0 ? strerror(err) : "ok", their_fd, (unsigned long)mine.st_ino,
	       (unsigned long)theirs.st_ino, (unsigned long)native.st_ino);
	close(in);
	close(native_fd);
	kill_and_reap(r.pid);
}

/* A thread of this process other than the leader: in /proc/self/task, Tgid: ours. */
static bool is_our_thread(pid_t tid)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	return tid != getpid() && read_field_at(AT_FDCWD, path, "Tgid:", buf, sizeof(buf)) == 0 &&
	       atoi(buf) == getpid();
}

TEST(open_outcome_equals_native_pidfd_open)
{
	pid_t child = spawn_named("child"), zombie = fork(), reaped = fork();
	const char *names[] = { "self", "child", "zombie", "reaped", "thread", "pid 1", "nonexistent" };
	pid_t pids[7];
	siginfo_t info;
	unsigned int i;

	if (zombie == 0 || reaped == 0)
		_exit(0);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, waitid(P_PID, zombie, &info, WEXITED | WNOWAIT));
	ASSERT_EQ(reaped, waitpid(reaped, NULL, 0));
	pids[0] = getpid();
	pids[1] = child;
	pids[2] = zombie;
	pids[3] = reaped;
	pids[4] = start_sleeping_thread();
	pids[5] = 1;
	pids[6] = unused_pid();

	/* The inputs are what their names say, or the comparison proves nothing. */
	ASSERT_GT(zombie, 0);
	ASSERT_GT(reaped, 0);
	ASSERT_EQ('Z', state_of(zombie)) TH_LOG("zombie %d", zombie);
	ASSERT_EQ(-1, kill(reaped, 0)) TH_LOG("reaped %d still exists", reaped);
	ASSERT_EQ(ESRCH, errno);
	ASSERT_GT(pids[4], 0) TH_LOG("no thread");
	ASSERT_NE(getpid(), pids[4]);
	ASSERT_TRUE(is_our_thread(pids[4])) TH_LOG("%d is not a thread of ours", pids[4]);
	ASSERT_GT(pids[6], 0) TH_LOG("no unused pid found");
	ASSERT_EQ(-1, kill(pids[6], 0)) TH_LOG("'unused' pid %d exists", pids[6]);
	ASSERT_EQ(ESRCH, errno);

	for (i = 0; i < 7; i++) {
		char nbuf[64], mbuf[64];
		int native = sys_pidfd_open(pids[i], 0), nerr = errno;
		int module = pfo_open(pids[i]), merr = errno;
		const char *n = outcome(native, nerr, nbuf, sizeof(nbuf));
		const char *m = outcome(module, merr, mbuf, sizeof(mbuf));

		EXPECT_STREQ(n, m) TH_LOG("%s (pid %d): native %s, module %s", names[i], pids[i], n, m);
	}
	kill_and_reap(child);
	waitpid(zombie, NULL, 0);
}

TEST(bad_argument_pointer_is_efault)
{
	void *unmapped = (void *)0x10, *kernel = (void *)0xffffffff81000000UL;
	int dev = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC), before = fd_count();

	ASSERT_GE(dev, 0);
	EXPECT_EQ(-1, ioctl(dev, PIDFD_IOC_OPEN, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(dev, PIDFD_IOC_OPEN, unmapped));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(dev, PIDFD_IOC_OPEN, kernel));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(before, fd_count());
	close(dev);
}

/* fdinfo of native and module pidfds for the same pid, as seen through proc_root. */
static int compare_fdinfo(const char *proc_root, int native, int module, const char *want_pid)
{
	char np[64], nns[64], mp[64], mns[64];

	CHECK(fdinfo_pids(proc_root, native, np, nns, sizeof(np)) == 0,
	      "native fdinfo via %s: %m", proc_root);
	CHECK(fdinfo_pids(proc_root, module, mp, mns, sizeof(mp)) == 0,
	      "module fdinfo via %s: %m", proc_root);
	CHECK(strcmp(np, mp) == 0, "via %s: Pid: native '%s', module '%s'", proc_root, np, mp);
	CHECK(strcmp(nns, mns) == 0, "via %s: NSpid: native '%s', module '%s'", proc_root, nns, mns);
	CHECK(!want_pid || strcmp(mp, want_pid) == 0, "via %s: Pid: '%s', expected '%s'", proc_root,
	      mp, want_pid);
	return 0;
}

/*
 * As PID 1 of a new namespace with its own procfs at /tmp/proc-inner: pidfds
 * for a child X, read through the inner procfs (X is 2 there) and through
 * /proc, the outer one; then for a process outside the namespace (0 in the
 * inner view); then again for X once reaped (-1 everywhere).
 */
static int fdinfo_in_two_namespaces(void *arg)
{
	struct target *outside = arg;
	int native, module, ret;
	char want[16];
	pid_t x;

	CHECK(mount_proc("/tmp/proc-inner", NULL) == 0, "mount proc: %m");
	x = spawn_named("x");
	CHECK(x == 2, "first child of the namespace is %d", x);
	native = sys_pidfd_open(x, 0);
	module = pfo_open(x);
	CHECK(native >= 0 && module >= 0, "native %d, module %d: %m", native, module);

	snprintf(want, sizeof(want), "%d", x);
	ret = compare_fdinfo("/tmp/proc-inner", native, module, want);
	ret = ret ?: compare_fdinfo("/proc", native, module, NULL);
	ret = ret ?: compare_fdinfo("/tmp/proc-inner", outside->native, outside->module, "0");
	ret = ret ?: compare_fdinfo("/proc", outside->native, outside->module, NULL);
	CHECK(kill_and_reap(x) == 0, "reap x");
	ret = ret ?: compare_fdinfo("/tmp/proc-inner", native, module, "-1");
	ret = ret ?: compare_fdinfo("/proc", native, module, "-1");
	return ret;
}

TEST(fdinfo_equals_native_in_two_namespaces_alive_and_reaped)
{
	struct target outside;

	/* The namespace's init inherits both fds through fork. */
	ASSERT_EQ(0, target_open(&outside, spawn_named("outside")));
	EXPECT_EQ(0, run_in_new_pidns(fdinfo_in_two_namespaces, &outside));
	kill_and_reap(outside.child);
}

TEST_HARNESS_MAIN
