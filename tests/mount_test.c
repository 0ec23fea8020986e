// SPDX-License-Identifier: GPL-2.0
/*
 * Identity against the file system (Documentation/contract.md, section 4.5):
 * whoever can mount in the procfd's mount namespace, root or an unprivileged
 * user in a user and mount namespace of its own, cannot choose which
 * directory PIDFD_TO_PROCFD returns. A mount on /proc/<n> (another process's
 * directory, a tmpfs, the directory bound onto itself) gives EXDEV, as
 * openat2(RESOLVE_NO_XDEV) does, for module and native pidfds alike, while the
 * userspace idiom (openat) returns whatever is mounted there. Once the mount
 * is gone the process's own directory comes back. And PROCFD_TO_PIDFD gives
 * the same answer whether or not the dcache holds what hidepid hides.
 */
#define PIDFD_OPEN_NEEDS_USER_NS
#include <linux/openat2.h>
#include <sys/statfs.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

enum mount_kind { BIND_OF_OTHER, TMPFS, BIND_ONTO_ITSELF };

static const char *const kind_name[] = {
	[BIND_OF_OTHER] = "/proc/<other> bound onto /proc/<victim>",
	[TMPFS] = "a tmpfs on /proc/<victim>",
	[BIND_ONTO_ITSELF] = "/proc/<victim> bound onto itself",
};

/* The processes and pidfds of one test: the victim's are translated. */
struct scene {
	pid_t victim, other;
	int module, native;	/* pidfds of the victim */
};

static int mount_over(pid_t victim, pid_t other, enum mount_kind kind)
{
	char target[64], source[64];

	snprintf(target, sizeof(target), "/proc/%d", victim);
	snprintf(source, sizeof(source), "/proc/%d", kind == BIND_OF_OTHER ? other : victim);
	if (kind == TMPFS)
		return mount("tmpfs", target, "tmpfs", 0, "size=64k");
	return mount(source, target, NULL, MS_BIND, NULL);
}

static int openat2_no_xdev(int dirfd, const char *name)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS,
	};

	return syscall(__NR_openat2, dirfd, name, &how, sizeof(how));
}

/* The pid of the process behind a pidfd of this module (GET_INFO), or -1. */
static pid_t pid_behind(int pidfd)
{
	struct pidfd_open_info info;

	return pfo_get_info(pidfd, &info) == 0 ? (pid_t)info.pid : -1;
}

/* Whether dir is the /proc/<pid> directory of pid: its status and comm say so. */
static int is_dir_of(int dir, pid_t pid, const char *comm)
{
	char buf[32];

	if (read_field_at(dir, "status", "Pid:", buf, sizeof(buf)) < 0 || atoi(buf) != pid)
		return 0;
	return strcmp(comm_at(dir, buf, sizeof(buf)), comm) == 0;
}

/*
 * With `kind` mounted on /proc/<victim> of the caller's mount namespace: what
 * the idiom and openat2 see, then both translations, for both pidfds.
 */
static int check_overmounted(const struct scene *s, enum mount_kind kind)
{
	int proc, idiom, fd, pidfd, err, before, i;
	const int pidfds[] = { s->module, s->native };
	char name[16];
	struct statfs fs;

	proc = open_dir("/proc");
	CHECK(proc >= 0, "open /proc: %m");
	snprintf(name, sizeof(name), "%d", s->victim);

	/* The mount is in effect: the idiom's openat returns what is mounted. */
	idiom = openat(proc, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(idiom >= 0, "openat(/proc, %s): %m", name);
	switch (kind) {
	case BIND_OF_OTHER:
		CHECK(is_dir_of(idiom, s->other, "other"), "the idiom did not get the other's directory");
		break;
	case TMPFS:
		CHECK(fstatfs(idiom, &fs) == 0 && fs.f_type == TMPFS_MAGIC,
		      "the idiom did not get the tmpfs (f_type %#lx)", (long)fs.f_type);
		break;
	case BIND_ONTO_ITSELF:
		CHECK(is_dir_of(idiom, s->victim, "victim"), "the idiom did not get the victim's directory");
		break;
	}
	fd = openat2_no_xdev(proc, name);
	err = errno;
	CHECK(fd == -1 && err == EXDEV, "openat2(RESOLVE_NO_XDEV) = %d, errno %d (%s)", fd, err,
	      strerror(err));

	for (i = 0; i < 2; i++) {
		before = fd_count();
		fd = pfo_to_procfd(proc, pidfds[i]);
		err = errno;
		CHECK(fd == -1 && err == EXDEV,
		      "PIDFD_TO_PROCFD (%s pidfd) under %s = %d, errno %d (%s); the dir is %s",
		      i ? "native" : "module", kind_name[kind], fd, err, strerror(err),
		      fd < 0 ? "-" : is_dir_of(fd, s->other, "other") ? "the other's" : "not the other's");
		CHECK(fd_count() == before, "fd count %d -> %d", before, fd_count());
	}

	/* The round trip from what the path gave: the directory's own process, never the path's. */
	pidfd = pfo_to_pidfd(idiom);
	err = errno;
	switch (kind) {
	case BIND_OF_OTHER:
		CHECK(pidfd >= 0 && pid_behind(pidfd) == s->other,
		      "PROCFD_TO_PIDFD of the other's directory = %d (pid %d), errno %d; other %d",
		      pidfd, pidfd >= 0 ? pid_behind(pidfd) : -1, err, s->other);
		break;
	case TMPFS:
		CHECK(pidfd == -1 && err == EBADF, "PROCFD_TO_PIDFD of a tmpfs = %d, errno %d", pidfd, err);
		break;
	case BIND_ONTO_ITSELF:
		CHECK(pidfd >= 0 && pid_behind(pidfd) == s->victim,
		      "PROCFD_TO_PIDFD of the victim's directory = %d (pid %d), errno %d", pidfd,
		      pidfd >= 0 ? pid_behind(pidfd) : -1, err);
		break;
	}
	if (pidfd >= 0)
		close(pidfd);
	close(idiom);
	close(proc);
	return 0;
}

/* After the mount is gone: both pidfds give the victim's own directory, and it goes round. */
static int check_restored(const struct scene *s)
{
	int proc, dir, pidfd, i;
	const int pidfds[] = { s->module, s->native };
	struct stat got, want;
	char path[32];

	proc = open_dir("/proc");
	CHECK(proc >= 0, "open /proc: %m");
	snprintf(path, sizeof(path), "/proc/%d", s->victim);
	CHECK(stat(path, &want) == 0, "stat %s: %m", path);
	for (i = 0; i < 2; i++) {
		dir = pfo_to_procfd(proc, pidfds[i]);
		CHECK(dir >= 0, "PIDFD_TO_PROCFD (%s pidfd) after umount: %m", i ? "native" : "module");
		CHECK(is_dir_of(dir, s->victim, "victim"), "not the victim's directory");
		CHECK(fstat(dir, &got) == 0 && got.st_dev == want.st_dev && got.st_ino == want.st_ino,
		      "st_dev/st_ino %lu/%lu, %s has %lu/%lu", (unsigned long)got.st_dev,
		      (unsigned long)got.st_ino, path, (unsigned long)want.st_dev,
		      (unsigned long)want.st_ino);
		pidfd = pfo_to_pidfd(dir);
		CHECK(pidfd >= 0 && pid_behind(pidfd) == s->victim, "round trip gave %d (pid %d): %m",
		      pidfd, pidfd >= 0 ? pid_behind(pidfd) : -1);
		close(pidfd);
		close(dir);
	}
	close(proc);
	return 0;
}

/* Mount, check, unmount, check: in the caller's own mount namespace. */
static int overmount_and_restore(const struct scene *s, enum mount_kind kind)
{
	char target[64];

	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make / private: %m");
	CHECK(mount_over(s->victim, s->other, kind) == 0, "mount %s: %m", kind_name[kind]);
	if (check_overmounted(s, kind))
		return 1;
	snprintf(target, sizeof(target), "/proc/%d", s->victim);
	CHECK(umount2(target, 0) == 0, "umount %s: %m", target);
	return check_restored(s);
}

/* As uid and gid 65534, in a user and mount namespace of its own. */
static int unprivileged(const struct scene *s, enum mount_kind kind)
{
	CHECK(become_nobody() == 0, "drop to 65534: %m");
	CHECK(geteuid() == 65534, "euid %d", geteuid());
	CHECK(unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0, "unshare(user, mount) as 65534: %m");
	return overmount_and_restore(s, kind);
}

FIXTURE(overmount) {
	struct scene s;
};

FIXTURE_VARIANT(overmount) {
	enum mount_kind kind;
	bool unprivileged;
};

FIXTURE_VARIANT_ADD(overmount, root_bind_of_another_process) { .kind = BIND_OF_OTHER };
FIXTURE_VARIANT_ADD(overmount, root_tmpfs) { .kind = TMPFS };
FIXTURE_VARIANT_ADD(overmount, root_bind_onto_itself) { .kind = BIND_ONTO_ITSELF };
FIXTURE_VARIANT_ADD(overmount, userns_bind_of_another_process) {
	.kind = BIND_OF_OTHER, .unprivileged = true,
};
FIXTURE_VARIANT_ADD(overmount, userns_tmpfs) { .kind = TMPFS, .unprivileged = true };
FIXTURE_VARIANT_ADD(overmount, userns_bind_onto_itself) {
	.kind = BIND_ONTO_ITSELF, .unprivileged = true,
};

FIXTURE_SETUP(overmount)
{
	self->s.victim = spawn_named("victim");
	self->s.other = spawn_named("other");
	ASSERT_GT(self->s.victim, 0);
	ASSERT_GT(self->s.other, 0);
	self->s.module = pfo_open(self->s.victim);
	ASSERT_GE(self->s.module, 0) TH_LOG("PIDFD_IOC_OPEN(%d): %m", self->s.victim);
	self->s.native = sys_pidfd_open(self->s.victim, 0);
	ASSERT_GE(self->s.native, 0) TH_LOG("pidfd_open(%d): %m", self->s.victim);
}

FIXTURE_TEARDOWN(overmount)
{
	kill_and_reap(self->s.victim);
	kill_and_reap(self->s.other);
}

TEST_F(overmount, exdev_then_the_own_directory_after_umount)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (variant->unprivileged)
			_exit(unprivileged(&self->s, variant->kind));
		_exit(unshare(CLONE_NEWNS) == 0 ? overmount_and_restore(&self->s, variant->kind) : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status) TH_LOG("%s%s: see the lines above", kind_name[variant->kind],
				    variant->unprivileged ? ", as 65534 in a user namespace" : "");
}

/*
 * PROCFD_TO_PIDFD by a caller with no number in the mount's pid namespace and
 * no right to see its processes (uid 65534 under hidepid), of the directory of
 * the namespace's second process: the same pidfd whether the namespace's
 * /proc/1 was dropped from the dcache before the call or looked up (by root)
 * just before it. hidepid=ptraceable refuses lookups of what it hides, so
 * there a lookup of /proc/1 succeeds only on a dcache hit; hidepid=invisible
 * refuses access, not lookups.
 */
struct hidden_ns {
	const char *hidepid;	/* the mount option */
	int report;	/* write end: init's pid (from outer), then init's two fds */
	int release;	/* read end: init exits when it reads EOF */
};

/* PID 1 of the namespace: a hidden procfs, a second process, fds of both for the test. */
static int hidden_ns_init(const struct hidden_ns *h)
{
	char comm[32], c;
	int fds[2] = { -1, -1 };
	pid_t second;

	if (mount_proc("/tmp/proc-hidden", h->hidepid) < 0)
		return 1;
	second = fork();
	if (second == 0) {
		prctl(PR_SET_NAME, "hidden-second");
		for (;;)
			pause();
	}
	fds[0] = open_dir("/tmp/proc-hidden");
	/* The second process's directory, once the process has its name. */
	for (int i = 0; i < 1000 && fds[1] < 0; i++) {
		fds[1] = open_dir("/tmp/proc-hidden/2");
		if (fds[1] >= 0 && strcmp(comm_at(fds[1], comm, sizeof(comm)), "hidden-second") != 0) {
			close(fds[1]);
			fds[1] = -1;
			usleep(1000);
		}
	}
	if (second != 2 || write(h->report, fds, sizeof(fds)) != sizeof(fds))
		return 1;
	if (read(h->release, &c, 1) < 0)
		return 1;
	kill(second, SIGKILL);
	return 0;
}

static int drop_dcache(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	int ok = fd >= 0 && write(fd, "2", 1) == 1;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* As 65534: PROCFD_TO_PIDFD of dir, answered on `answer` as (fd >= 0 ? pid : -errno). */
static void translate_as_nobody(int dir, int ask, int answer)
{
	char c;
	int pidfd, result;

	if (become_nobody() < 0)
		_exit(1);
	while (read(ask, &c, 1) == 1) {
		pidfd = pfo_to_pidfd(dir);
		result = pidfd >= 0 ? pid_behind(pidfd) : -errno;
		if (pidfd >= 0)
			close(pidfd);
		if (write(answer, &result, sizeof(result)) != sizeof(result))
			_exit(1);
	}
	_exit(0);
}

FIXTURE(hidepid) {
	int unused;
};

FIXTURE_VARIANT(hidepid) {
	const char *option;
};

FIXTURE_VARIANT_ADD(hidepid, invisible) { .option = "hidepid=invisible" };
FIXTURE_VARIANT_ADD(hidepid, ptraceable) { .option = "hidepid=ptraceable" };

FIXTURE_SETUP(hidepid)
{
	(void)self;
}

FIXTURE_TEARDOWN(hidepid)
{
	(void)self;
}

TEST_F(hidepid, to_pidfd_outside_the_namespace_ignores_the_dcache)
{
	int report[2], release[2], ask[2], answer[2], fds[2], root, dir, cold, warm, status;
	char path[64], buf[32];
	pid_t outer, init, nobody;
	struct hidden_ns h;
	struct stat st;

	ASSERT_EQ(0, pipe2(report, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(release, O_CLOEXEC));
	h = (struct hidden_ns){ .hidepid = variant->option, .report = report[1], .release = release[0] };
	fflush(NULL);
	outer = fork();
	ASSERT_GE(outer, 0);
	if (outer == 0) {
		close(release[1]);
		if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(1);
		init = fork();
		if (init == 0)
			_exit(hidden_ns_init(&h));
		if (write(report[1], &init, sizeof(init)) != sizeof(init))
			_exit(1);
		waitpid(init, &status, 0);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	close(report[1]);
	close(release[0]);
	ASSERT_EQ(sizeof(init), read(report[0], &init, sizeof(init)));
	ASSERT_EQ(sizeof(fds), read(report[0], fds, sizeof(fds)))
		TH_LOG("the namespace's init could not set up its hidden procfs");
	ASSERT_GE(fds[1], 0) TH_LOG("the namespace has no second process at /proc/2");
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", init, fds[0]);
	root = open_dir(path);
	ASSERT_GE(root, 0) TH_LOG("open %s: %m", path);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", init, fds[1]);
	dir = open_dir(path);
	ASSERT_GE(dir, 0) TH_LOG("open %s: %m", path);
	ASSERT_EQ(0, pipe2(ask, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(answer, O_CLOEXEC));
	nobody = fork();
	ASSERT_GE(nobody, 0);
	if (nobody == 0) {
		close(ask[1]);
		close(release[1]);
		translate_as_nobody(dir, ask[0], answer[1]);
	}
	close(dir);

	/* Cold: of the namespace's procfs, only what is held stays cached. */
	ASSERT_EQ(0, drop_dcache()) TH_LOG("drop_caches: %m");
	ASSERT_EQ(1, write(ask[1], "c", 1));
	ASSERT_EQ(sizeof(cold), read(answer[0], &cold, sizeof(cold)));
	/* Warm: root looks the namespace's /proc/1 up, so that it is cached. */
	ASSERT_EQ(0, fstatat(root, "1", &st, 0)) TH_LOG("fstatat(hidden root, 1) as root: %m");
	ASSERT_EQ(1, write(ask[1], "w", 1));
	ASSERT_EQ(sizeof(warm), read(answer[0], &warm, sizeof(warm)));

	EXPECT_EQ(cold, warm) TH_LOG("%s: cold dcache: %d, warm: %d (a pid, or -errno)",
				     variant->option, cold, warm);
	ASSERT_GT(cold, 0) TH_LOG("PROCFD_TO_PIDFD as 65534 gave errno %d (%s)", -cold,
				  strerror(-cold));
	/* The pidfd is of the namespace's second process: so named, a child of its init. */
	snprintf(path, sizeof(path), "/proc/%d", cold);
	dir = open_dir(path);
	ASSERT_GE(dir, 0) TH_LOG("open %s: %m", path);
	EXPECT_STREQ("hidden-second", comm_at(dir, buf, sizeof(buf)));
	ASSERT_EQ(0, read_field_at(dir, "status", "PPid:", buf, sizeof(buf)));
	EXPECT_EQ(init, atoi(buf));

	close(ask[1]);
	ASSERT_EQ(nobody, waitpid(nobody, &status, 0));
	close(release[1]);
	ASSERT_EQ(outer, waitpid(outer, &status, 0));
	EXPECT_EQ(0, status);
}

TEST_HARNESS_MAIN
