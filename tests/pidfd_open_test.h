/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the pidfd_open selftests. */
#ifndef PIDFD_OPEN_TEST_H
#define PIDFD_OPEN_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/pidfd_open.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PIDFD_OPEN_DEV "/dev/pidfd_open"
#ifdef __KSELFTEST_HARNESS_H
/*
 * What a test binary needs, checked before any test runs; where something is
 * missing it skips as kselftest expects: a TAP plan of 0 with the reason, and
 * exit status 4 (KSFT_SKIP). Every test needs root and /dev/pidfd_open. Define
 * before including this header: PIDFD_OPEN_NEEDS_CPUS (the race tests: 2),
 * PIDFD_OPEN_NEEDS_USER_NS, PIDFD_OPEN_NEEDS_MODULE_FILE (tests that unload
 * and load the module again).
 */
#ifndef PIDFD_OPEN_NEEDS_CPUS
#define PIDFD_OPEN_NEEDS_CPUS 1
#endif

static inline const char *pidfd_open_ko_path(void);

static inline void __attribute__((format(printf, 1, 2))) pidfd_open_skip(const char *fmt, ...)
{
	va_list ap;

	printf("TAP version 13\n1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(KSFT_SKIP);
}

static void __attribute__((constructor)) pidfd_open_check_prerequisites(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int dev;

	if (geteuid() != 0)
		pidfd_open_skip("not root: these tests make namespaces, mounts and recycled pids");
	dev = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		pidfd_open_skip("cannot open /dev/pidfd_open (%m): load the module (modprobe pidfd_open)");
	close(dev);
	if (cpus < PIDFD_OPEN_NEEDS_CPUS)
		pidfd_open_skip("%ld CPU(s) online; the race tests need %d", cpus, PIDFD_OPEN_NEEDS_CPUS);
#ifdef PIDFD_OPEN_NEEDS_USER_NS
	if (access("/proc/self/ns/user", F_OK) < 0)
		pidfd_open_skip("no user namespaces (CONFIG_USER_NS)");
#endif
#ifdef PIDFD_OPEN_NEEDS_MODULE_FILE
	if (access(pidfd_open_ko_path(), R_OK) < 0)
		pidfd_open_skip("no module file at %s to load again: set PIDFD_OPEN_KO",
				pidfd_open_ko_path());
#endif
}
#endif /* __KSELFTEST_HARNESS_H */

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

/*
 * The module can be unloaded once nothing of it is in use: no pidfd, no fd of
 * /dev/pidfd_open, no O_PATH fd or path of a pidfd (contract, section 7). It
 * gives up its idle file system 100 ms after the last of them goes, and only
 * then does rmmod succeed.
 */
#define PIDFD_OPEN_UNMOUNT_DELAY_MS 100

/*
 * The slots of the module's stash of process dentries (STASH_SLOTS in
 * rust/pidfd_fs.rs): processes whose pidfs inode numbers are equal modulo this
 * share one. Not ABI; open_test.c makes two processes share a slot.
 */
#define PIDFD_OPEN_STASH_SLOTS 1024

/*
 * rmmod pidfd_open, retried every 10 ms while it is refused with EWOULDBLOCK,
 * for 50 times the unmount delay: 0, or -1 with the last errno.
 */
static inline int pidfd_open_unload_when_idle(void)
{
	struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
	int i, ret;

	for (i = 0; i < 5 * PIDFD_OPEN_UNMOUNT_DELAY_MS; i++) {
		ret = sys_delete_module("pidfd_open", O_NONBLOCK);
		if (ret == 0 || errno != EWOULDBLOCK)
			return ret;
		nanosleep(&pause, NULL);
	}
	return ret;
}

/*
 * rmmod pidfd_open once, after twice the unmount delay: a refusal then is the
 * refusal of a module in use, not of one that has not yet given up its idle
 * file system.
 */
static inline int pidfd_open_unload_after_delay(void)
{
	struct timespec pause = { .tv_nsec = 2 * PIDFD_OPEN_UNMOUNT_DELAY_MS * 1000 * 1000 };

	nanosleep(&pause, NULL);
	return sys_delete_module("pidfd_open", O_NONBLOCK);
}

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(__NR_pidfd_open, pid, flags);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
	return syscall(__NR_pidfd_send_signal, pidfd, sig, info, flags);
}

/*
 * The native PIDFD_GET_INFO (Linux 6.13), absent from Debian 12's headers. Its
 * struct pidfd_info of Linux 7.3 has the layout of struct pidfd_open_info.
 */
#define NATIVE_PIDFD_GET_INFO _IOWR(0xFF, 11, struct pidfd_open_info)
/* Either GET_INFO at another structure size: the size is in the command. */
#define GET_INFO_AT_SIZE(cmd, size) (((cmd) & ~_IOC(0, 0, 0, _IOC_SIZEMASK)) | _IOC(0, 0, 0, (size)))

/* The commands of the first header, which old binaries still send. */
#define PIDFD_IOC_SEND_SIGNAL_VER0 _IOW(PIDFD_IOC_MAGIC, 0x02, struct { __s32 sig; __u32 flags; })
#define PIDFD_IOC_GET_INFO_VER0 GET_INFO_AT_SIZE(PIDFD_IOC_GET_INFO, PIDFD_OPEN_INFO_SIZE_VER0)

static inline int native_get_info(int pidfd, struct pidfd_open_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(pidfd, NATIVE_PIDFD_GET_INFO, info);
}

static inline int pfo_get_info(int pidfd, struct pidfd_open_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(pidfd, PIDFD_IOC_GET_INFO, info);
}

static inline int pfo_send_signal(int pidfd, int sig, unsigned int flags)
{
	struct pidfd_signal_args args = { .sig = sig, .flags = flags };

	return ioctl(pidfd, PIDFD_IOC_SEND_SIGNAL, &args);
}

/* "ok" or the errno of a call's outcome, for comparing native and module. */
static inline const char *outcome_of(int ret, int err, char *buf, size_t size)
{
	if (ret >= 0)
		snprintf(buf, size, "ok");
	else
		snprintf(buf, size, "errno %d (%s)", err, strerror(err));
	return buf;
}

/* The process's fd of /dev/pidfd_open, opened on first use and kept. */
static inline int pfo_dev(void)
{
	static int dev = -1;

	if (dev < 0)
		dev = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
	return dev;
}

/* PIDFD_IOC_OPEN on the fd `dev` of /dev/pidfd_open: a new fd, or -1 with errno. */
static inline int pfo_on(int dev, int pid, int procfd, int pidfd, unsigned int flags)
{
	struct pidfd_open_args args = {
		.pid = pid, .procfd = procfd, .pidfd = pidfd, .flags = flags,
	};

	return ioctl(dev, PIDFD_IOC_OPEN, &args);
}

/* PIDFD_IOC_OPEN on the process's fd of /dev/pidfd_open. */
static inline int pfo(int pid, int procfd, int pidfd, unsigned int flags)
{
	int dev = pfo_dev();

	return dev < 0 ? -1 : pfo_on(dev, pid, procfd, pidfd, flags);
}

static inline int pfo_open(pid_t pid)
{
	return pfo(pid, -1, -1, 0);
}

static inline int pfo_to_procfd(int procfd, int pidfd)
{
	return pfo(-1, procfd, pidfd, PIDFD_TO_PROCFD);
}

static inline int pfo_to_pidfd(int procfd)
{
	return pfo(-1, procfd, -1, PROCFD_TO_PIDFD);
}

/* The number of open fds of the calling process. */
static inline int fd_count(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n - 1; /* opendir's own fd */
}

static inline int is_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

/* What /proc/self/fd/<fd> links to ("anon_inode:[pidfd]", "/proc/12", ...), or "". */
static inline const char *fd_link(int fd, char *buf, size_t size)
{
	char path[32];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/*
 * The value of the line "key" (e.g. "Pid:") in the file at dirfd/path, with tabs
 * turned into spaces, in buf. Returns 0, or -1 with errno.
 */
static inline int read_field_at(int dirfd, const char *path, const char *key, char *buf, size_t size)
{
	char text[4096], *line, *end;
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return -1;
	text[n] = '\0';
	for (line = text; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (strncmp(line, key, strlen(key)) == 0) {
			char *v = line + strlen(key);

			while (*v == '\t' || *v == ' ')
				v++;
			snprintf(buf, size, "%s", v);
			for (v = buf; *v; v++)
				if (*v == '\t')
					*v = ' ';
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/* The comm of the process behind the /proc/<pid> directory fd, or "" if unreadable. */
static inline const char *comm_at(int dirfd, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = openat(dirfd, "comm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0) {
		buf[0] = '\0';
		return buf;
	}
	buf[n - (buf[n - 1] == '\n')] = '\0';
	return buf;
}

/* "Pid:" and "NSpid:" of the caller's fd as the procfs at proc_root shows them. */
static inline int fdinfo_pids(const char *proc_root, int fd, char *pid_line, char *nspid_line,
			      size_t size)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/self/fdinfo/%d", proc_root, fd);
	if (read_field_at(AT_FDCWD, path, "Pid:", pid_line, size) < 0)
		return -1;
	return read_field_at(AT_FDCWD, path, "NSpid:", nspid_line, size);
}

/* clone3 with set_tid: a child numbered tid in the caller's pid namespace (needs CAP_SYS_ADMIN). */
static inline pid_t clone_with_tid(pid_t tid)
{
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&tid,
		.set_tid_size = 1,
	};

	return syscall(__NR_clone3, &args, sizeof(args));
}

/*
 * After a fork or clone of a child that is to be named comm and wait to be
 * killed: in the child, sets the name, tells the parent through pipefd and
 * pauses for good; in the parent, waits for that word. Returns pid, or -1 if
 * the child did not start.
 */
static inline pid_t named_child_started(pid_t pid, const char *comm, int pipefd[2])
{
	char c;

	if (pid == 0) {
		prctl(PR_SET_NAME, comm);
		close(pipefd[0]);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (pid > 0 && read(pipefd[0], &c, 1) != 1)
		pid = -1;
	close(pipefd[0]);
	return pid;
}

/*
 * A child that sets its comm, tells the parent through a pipe, then waits to be
 * killed; numbered tid if tid > 0.
 */
static inline pid_t spawn_named_with_tid(const char *comm, pid_t tid)
{
	int pipefd[2];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = tid > 0 ? clone_with_tid(tid) : fork();
	return named_child_started(pid, comm, pipefd);
}

static inline pid_t spawn_named(const char *comm)
{
	return spawn_named_with_tid(comm, 0);
}

static inline void *sleeping_thread(void *arg)
{
	*(volatile pid_t *)arg = gettid();
	for (;;)
		pause();
	return NULL;
}

/* A thread of the caller that sleeps for good: a non-leader tid. Returns the tid, or -1. */
static inline pid_t start_sleeping_thread(void)
{
	static volatile pid_t tid;
	pthread_t thread;

	tid = 0;
	if (pthread_create(&thread, NULL, sleeping_thread, (void *)&tid))
		return -1;
	while (!tid)
		sched_yield();
	return tid;
}

/* A child with a native and a module pidfd of it: what the differential tests compare. */
struct target {
	pid_t child;
	int native, module;
};

static inline int target_open(struct target *t, pid_t child)
{
	t->child = child;
	t->native = child > 0 ? sys_pidfd_open(child, 0) : -1;
	t->module = child > 0 ? pfo_open(child) : -1;
	return t->native >= 0 && t->module >= 0 ? 0 : -1;
}

static inline int kill_and_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

/*
 * Runs fn(arg) as PID 1 of a new pid namespace, with a private mount namespace,
 * and returns its exit status (or 255 if it died of a signal, -1 on setup failure).
 */
static inline int run_in_new_pidns(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		pid_t init;

		if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
			fprintf(stderr, "# unshare/mount: %m\n");
			_exit(254);
		}
		init = fork();
		if (init == 0)
			_exit(fn(arg));
		if (init < 0 || waitpid(init, &status, 0) != init)
			_exit(253);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 255);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

/* Mounts a new procfs instance (of the caller's pid namespace) at path. */
static inline int mount_proc(const char *path, const char *options)
{
	mkdir(path, 0755);
	return mount("proc", path, "proc", 0, options);
}

/*
 * For code that runs in a child process, where the harness's ASSERT_* cannot
 * report: print what failed, as a TAP diagnostic, and return 1 from the function.
 */
#define CHECK(cond, fmt, ...)                                                         \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "# %s:%d: %s: " fmt "\n", __FILE__, __LINE__, \
				#cond, ##__VA_ARGS__);                                \
			return 1;                                                     \
		}                                                                     \
	} while (0)

/* A call that must fail with err, and leave the fd count as it was. */
#define EXPECT_PFO_ERRNO(err, pid, procfd, pidfd, flags)                                    \
	do {                                                                                \
		int __before = (pfo_dev(), fd_count());                                     \
		int __ret = pfo(pid, procfd, pidfd, flags);                                 \
		int __err = errno;                                                          \
		EXPECT_EQ(-1, __ret)                                                        \
		TH_LOG("PIDFD_IOC_OPEN(pid %d, procfd %d, pidfd %d, flags %#x) = %d",       \
		       (int)(pid), (int)(procfd), (int)(pidfd), (unsigned int)(flags), __ret); \
		if (__ret >= 0)                                                             \
			close(__ret);                                                       \
		EXPECT_EQ(err, __err)                                                       \
		TH_LOG("errno %d (%s), expected %d (%s)", __err, strerror(__err), err,      \
		       strerror(err));                                                      \
		EXPECT_EQ(__before, fd_count());                                            \
	} while (0)

/*
 * How many times fewer iterations the long tests run: PIDFD_OPEN_SCALE, which
 * scripts/check sets for the debug kernel (TCG with KASAN, lockdep and
 * kmemleak runs those loops some 50 times slower). Always at least 1.
 */
static inline long scaled(long iterations)
{
	const char *env = getenv("PIDFD_OPEN_SCALE");
	long scale = env ? atol(env) : 1;

	return scale > 1 ? iterations / scale : iterations;
}

/*
 * SLUB counts objects parked in per-CPU slabs as active; shrinking a cache
 * flushes those, so that the count is of live objects.
 */
static inline void shrink_pid_caches(void)
{
	char path[300];
	struct dirent *e;
	DIR *dir = opendir("/sys/kernel/slab");

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		int fd;

		if (strcmp(e->d_name, "pid") && strncmp(e->d_name, "pid_", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write(fd, "1", 1) != 1)
			fprintf(stderr, "# shrink %s: %m\n", e->d_name);
		if (fd >= 0)
			close(fd);
	}
	closedir(dir);
}

/* Active objects of every pid cache ("pid", and "pid_N" of nested namespaces). */
static inline long pid_objects(void)
{
	char line[512], name[64];
	long active, total = 0;
	FILE *f;

	shrink_pid_caches();
	f = fopen("/proc/slabinfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &active) == 2 &&
		    (!strcmp(name, "pid") || !strncmp(name, "pid_", 4)))
			total += active;
	fclose(f);
	return total;
}

/*
 * Whether this is the debug kernel, where kmemleak judges leaks: its scan at
 * the end of the run fails the run on any report. There, slab sizes say
 * little (KASAN's quarantine holds freed objects, kmemleak and lockdep keep
 * metadata of their own), so tests report them without judging them.
 */
static inline bool kmemleak_judges_leaks(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) == 0;
}

/*
 * A figure for make check's summary: scripts/check collects these lines.
 * Keep names short and stable; values are integers.
 */
#define REPORT_FIGURE(name, value) \
	fprintf(stderr, "# pidfd_open-figure: %s %lld\n", name, (long long)(value))

/* A fixture with nothing in it, for tests that need TEST_F_TIMEOUT. */
#define LONG_TEST(fixture, name, seconds)       \
	FIXTURE(fixture) { int unused; };       \
	FIXTURE_SETUP(fixture) { (void)self; }  \
	FIXTURE_TEARDOWN(fixture) { (void)self; } \
	TEST_F_TIMEOUT(fixture, name, seconds)

/*
 * clone3 with CLONE_PIDFD: as spawn_named_with_tid (numbered tid if tid > 0),
 * and *pidfd gets the child's native pidfd, the one clone3 returns.
 */
static inline pid_t spawn_named_pidfd(const char *comm, pid_t tid, int *pidfd)
{
	struct clone_args args = {
		.flags = CLONE_PIDFD,
		.pidfd = (uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
		.set_tid = tid > 0 ? (uintptr_t)&tid : 0,
		.set_tid_size = tid > 0,
	};
	int pipefd[2];
	pid_t pid;

	*pidfd = -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = syscall(__NR_clone3, &args, sizeof(args));
	return named_child_started(pid, comm, pipefd);
}

/*
 * The userspace idiom for PIDFD_TO_PROCFD on a native pidfd: the pid from the
 * native PIDFD_GET_INFO, openat(proc, "<n>"), then pidfd_send_signal(pidfd, 0)
 * to prove the process still had that number (ESRCH: the directory may be
 * another process's, so it is dropped). A new fd, or -1 with errno: ESRCH
 * once reaped, else the error of the openat.
 */
static inline int native_idiom_to_procfd(int proc, int pidfd)
{
	struct pidfd_open_info info;
	int dir, err;
	char name[16];

	if (native_get_info(pidfd, &info) < 0)
		return -1;
	snprintf(name, sizeof(name), "%u", info.pid);
	dir = openat(proc, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = errno;
	if (sys_pidfd_send_signal(pidfd, 0, NULL, 0) < 0 && errno == ESRCH) {
		if (dir >= 0)
			close(dir);
		errno = ESRCH;
		return -1;
	}
	errno = err;
	return dir;
}

/* The mask bits this module fills in GET_INFO. */
#define OWN_BITS (PIDFD_OPEN_INFO_PID | PIDFD_OPEN_INFO_CREDS | PIDFD_OPEN_INFO_CGROUPID)

/* Compares every field the module fills; prints both structs on a difference. */
static inline int same_info(const struct pidfd_open_info *n, const struct pidfd_open_info *m)
{
	if ((n->mask & OWN_BITS) == m->mask && n->cgroupid == m->cgroupid && n->pid == m->pid &&
	    n->tgid == m->tgid && n->ppid == m->ppid && n->ruid == m->ruid && n->rgid == m->rgid &&
	    n->euid == m->euid && n->egid == m->egid && n->suid == m->suid && n->sgid == m->sgid &&
	    n->fsuid == m->fsuid && n->fsgid == m->fsgid && n->exit_code == m->exit_code)
		return 1;
	fprintf(stderr, "#   field    native   module\n");
#define ROW(f) fprintf(stderr, "#   %-8s %-8llu %llu\n", #f, (unsigned long long)n->f, \
		       (unsigned long long)m->f)
	ROW(mask); ROW(cgroupid); ROW(pid); ROW(tgid); ROW(ppid); ROW(ruid); ROW(rgid);
	ROW(euid); ROW(egid); ROW(suid); ROW(sgid); ROW(fsuid); ROW(fsgid); ROW(exit_code);
#undef ROW
	return 0;
}

/* Both infos of one process; 0 when both succeed and agree. */
static inline int compare_info(int native, int module, struct pidfd_open_info *m)
{
	struct pidfd_open_info n;

	CHECK(native_get_info(native, &n) == 0, "native PIDFD_GET_INFO: %m");
	CHECK(pfo_get_info(module, m) == 0, "PIDFD_IOC_GET_INFO: %m");
	CHECK(same_info(&n, m), "native and module differ (table above)");
	return 0;
}

/*
 * Waits (up to 5 s) for RCU-deferred frees of struct pid to bring the count
 * within tolerance of target, then reads it.
 */
static inline long settled_pid_objects(long target, long tolerance)
{
	long now = pid_objects();
	int i;

	for (i = 0; i < 50 && now > target + tolerance; i++) {
		usleep(100 * 1000);
		now = pid_objects();
	}
	return now;
}

/* Loads the module and waits, as udevadm settle would, for the node's mode. */
static inline int pidfd_open_load(void)
{
	int fd = open(pidfd_open_ko_path(), O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = sys_finit_module(fd, "", 0);
	close(fd);
	if (ret == 0 && pidfd_open_dev_settled_mode(0666) != 0666)
		fprintf(stderr, "# the device node did not get mode 0666\n");
	return ret;
}

/* A mount namespace of the test's own, so that its mounts go away with it. */
static inline int private_mounts(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -1;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

static inline int open_dir(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Drops every privilege: uid and gid 65534 ("nobody"), no supplementary groups. */
static inline int become_nobody(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0)
		return -1;
	return setresuid(65534, 65534, 65534);
}

/* The first regular file directly in dir that opens read-only, or -1. */
static inline int open_first_file(const char *path)
{
	struct dirent *d;
	struct stat st;
	int dir, fd = -1;
	DIR *list;

	dir = open_dir(path);
	list = dir >= 0 ? fdopendir(dir) : NULL;
	if (!list) {
		if (dir >= 0)
			close(dir);
		return -1;
	}
	while (fd < 0 && (d = readdir(list))) {
		if (fstatat(dir, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			fd = openat(dir, d->d_name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	}
	closedir(list);
	return fd;
}

#endif /* PIDFD_OPEN_TEST_H */
