// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded ioctl fuzzer: random commands (the real ones and their neighbours),
 * random argument structs and random fds of every kind, on /dev/pidfd_open,
 * module pidfds and native pidfds. A model of the contract
 * (Documentation/contract.md) predicts each outcome; any other errno, or any
 * fd that should not have been returned, fails. Every fd returned is checked:
 * close-on-exec, F_GETFL as open(2)'s or a native pidfd's, and the process
 * behind it (NSpid: of the directory, GET_INFO of the pidfd); the fd count
 * must not move. Run once on one thread and once on two sharing the pool;
 * every kind of fd must have reached the driver.
 *
 * PIDFD_OPEN_FUZZ_SEED=N reruns a seed; PIDFD_OPEN_FUZZ_CALLS=N sets the count.
 */
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#define DEFAULT_CALLS 200000
#define POOL_CHILDREN 4
#define RESPAWN_EVERY 2000
#define CLOSED_FD 1000	/* fds from here up are never open */

static __thread uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static uint32_t below(uint32_t n)
{
	return rnd() % n;
}

enum kind {
	K_CLOSED, K_OPATH, K_PIPE, K_SOCKET, K_FILE, K_DIR, K_DEV, K_PROC_SELF_FD,
	K_INNER_ROOT, K_OUTER_ROOT, K_INNER_PID, K_OUTER_PID, K_DEAD_PID_DIR, K_THREAD_DIR,
	K_TASK_TID_DIR, K_PIDFD_LIVE, K_PIDFD_DEAD, K_PIDFD_OUTSIDE, K_NATIVE_PIDFD, K_FOREIGN,
	K_COUNT
};

static const char *const kind_name[K_COUNT] = {
	"closed", "O_PATH", "pipe", "socket", "file", "dir", "/dev/pidfd_open", "/proc/self/fd",
	"inner proc root", "outer proc root", "inner /proc/<pid>", "outer /proc/<pid>",
	"dead /proc/<pid>", "/proc/<tid>", "/proc/<pid>/task/<tid>", "live pidfd", "dead pidfd",
	"outside pidfd", "native pidfd", "other filesystem's file",
};

#define MAX_ENTRIES 64
struct entry {
	int fd;
	enum kind kind;
	pid_t pid;	/* the process a pidfd or /proc directory is of, in the inner namespace */
};

struct fuzz {
	struct entry e[MAX_ENTRIES];
	int n;
	pid_t children[POOL_CHILDREN];
	pid_t thread_tid;
	pid_t worker_tids[2];		/* the fuzzing threads: non-leaders too */
	pthread_barrier_t start;	/* the workers' tids are known before any call, and */
					/* live until the last call (the oracle takes them as threads) */
	int inner, outer, dev;
	char *ro_page;
	int dir_fl, pidfd_fl;		/* F_GETFL of open(2)'s /proc/<pid> and of a native pidfd */
	int fd_base;			/* the fd count between calls */
	bool per_call_fd_check;		/* one thread: the count is checked after each call */
	pthread_rwlock_t lock;		/* calls take it shared, respawn exclusive */
	atomic_long calls, successes, by_errno[256], mismatches, identity_checks;
	atomic_long exercised[K_COUNT];	/* calls in which an fd of that kind reached the driver */
};

/* What the fuzz test passes into the namespace. */
struct fuzz_arg {
	int outside_pidfd;
	pid_t outside_pid;	/* its number outside (it has none inside) */
	int threads;
};

static void add(struct fuzz *f, int fd, enum kind kind, pid_t pid)
{
	if (fd < 0 && kind != K_CLOSED) {
		fprintf(stderr, "# pool: could not open a %s fd: %m\n", kind_name[kind]);
		return;
	}
	if (f->n < MAX_ENTRIES)
		f->e[f->n++] = (struct entry){ fd, kind, pid };
}

static int open_at(int dir, const char *fmt, pid_t a, pid_t b)
{
	char path[64];

	snprintf(path, sizeof(path), fmt, a, b);
	return openat(dir, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The fds of one pool child: its module pidfd and /proc directories. */
static void add_child_fds(struct fuzz *f, pid_t child)
{
	add(f, pfo_open(child), K_PIDFD_LIVE, child);
	add(f, open_at(f->inner, "%d", child, 0), K_INNER_PID, child);
	add(f, sys_pidfd_open(child, 0), K_NATIVE_PIDFD, child);
}

/* Kills one child: its fds become stale; a new child takes its place (and often its number). */
static int respawn(struct fuzz *f)
{
	int slot = below(POOL_CHILDREN), i;
	pid_t old = f->children[slot], fresh;

	if (kill_and_reap(old) < 0)
		return -1;
	for (i = 0; i < f->n; i++) {
		if (f->e[i].pid != old)
			continue;
		if (f->e[i].kind == K_PIDFD_LIVE)
			f->e[i].kind = K_PIDFD_DEAD;
		else if (f->e[i].kind == K_INNER_PID)
			f->e[i].kind = K_DEAD_PID_DIR;
		else if (f->e[i].kind == K_NATIVE_PIDFD)
			f->e[i].pid = -old; /* a native pidfd of a reaped process */
	}
	/* Keep the pool bounded: drop the oldest stale entries of this child. */
	fresh = below(2) ? spawn_named_with_tid("fuzz-child", old) : spawn_named("fuzz-child");
	if (fresh <= 0)
		return -1;
	f->children[slot] = fresh;
	if (f->n + 3 > MAX_ENTRIES) {
		for (i = 0; i < f->n; i++)
			if (f->e[i].kind == K_PIDFD_DEAD || f->e[i].kind == K_DEAD_PID_DIR ||
			    (f->e[i].kind == K_NATIVE_PIDFD && f->e[i].pid < 0)) {
				close(f->e[i].fd);
				f->e[i] = f->e[--f->n];
				i--;
			}
	}
	add_child_fds(f, fresh);
	return 0;
}

static bool is_live_leader(struct fuzz *f, pid_t pid)
{
	int i;

	if (pid == 1)
		return true;
	for (i = 0; i < POOL_CHILDREN; i++)
		if (f->children[i] == pid)
			return true;
	return false;
}

static struct entry *pick(struct fuzz *f)
{
	return &f->e[below(f->n)];
}

/* An fd number: mostly from the pool, sometimes negative or closed. */
static int pick_fd(struct fuzz *f, enum kind *kind, pid_t *pid)
{
	struct entry *e;

	switch (below(10)) {
	case 0:
		*kind = K_CLOSED;
		return below(3) ? -1 - (int)below(3) : INT32_MIN;
	case 1:
		*kind = K_CLOSED;
		return CLOSED_FD + below(1000);
	default:
		e = pick(f);
		*kind = e->kind;
		*pid = e->pid;
		return e->fd;
	}
}

static int pick_pid(struct fuzz *f)
{
	switch (below(8)) {
	case 0: return 0;
	case 1: return -1;
	case 2: return below(2) ? INT32_MIN : INT32_MAX;
	case 3: return f->thread_tid;
	case 4: return 1;
	case 5: return 1 + below(300);
	default: return f->children[below(POOL_CHILDREN)];
	}
}

#define OK 0
/* The outcome the contract gives for PIDFD_IOC_SEND_SIGNAL on a module pidfd (section 5.1). */
static int expect_signal(const struct entry *e, const struct pidfd_signal_args *s)
{
	const unsigned int scopes = PIDFD_OPEN_SIGNAL_THREAD | PIDFD_OPEN_SIGNAL_THREAD_GROUP |
				    PIDFD_OPEN_SIGNAL_PROCESS_GROUP;

	if ((s->flags & ~scopes) || __builtin_popcount(s->flags) > 1)
		return EINVAL;
	if (e->kind == K_PIDFD_OUTSIDE)
		return EINVAL;
	if (s->flags == PIDFD_OPEN_SIGNAL_THREAD || s->info)
		return EOPNOTSUPP;
	if (e->kind == K_PIDFD_DEAD)
		return ESRCH;
	/* The process group the process leads: none unless it leads one. */
	if (s->flags == PIDFD_OPEN_SIGNAL_PROCESS_GROUP && getpgid(e->pid) != e->pid)
		return ESRCH;
	if (s->sig < 0 || s->sig > 64)
		return EINVAL;
	return OK;
}

/* The outcome the contract (Documentation/contract.md) gives for PIDFD_IOC_OPEN with these args. */
static int expect_open(struct fuzz *f, struct pidfd_open_args *a, enum kind pk, enum kind dk,
		       pid_t ppid, pid_t dpid)
{
	if (!(a->flags & ~(PIDFD_OPEN_THREAD | PIDFD_OPEN_NONBLOCK))) {
		bool thread = a->pid == f->thread_tid || a->pid == f->worker_tids[0] ||
			      a->pid == f->worker_tids[1];

		if (a->pid <= 0 || a->procfd != -1 || a->pidfd != -1)
			return EINVAL;
		if (is_live_leader(f, a->pid))
			return OK;
		if (thread)
			return a->flags & PIDFD_OPEN_THREAD ? OK : ENOENT;
		return ESRCH;
	}
	if (a->flags == PIDFD_TO_PROCFD) {
		if (a->pid != -1 || a->procfd < 0 || a->pidfd < 0)
			return EINVAL;
		if (pk == K_CLOSED || pk == K_OPATH || dk == K_CLOSED || dk == K_OPATH)
			return EBADF;
		if (pk != K_INNER_ROOT && pk != K_OUTER_ROOT)
			return EINVAL;
		if (dk != K_PIDFD_LIVE && dk != K_PIDFD_DEAD && dk != K_PIDFD_OUTSIDE &&
		    dk != K_NATIVE_PIDFD)
			return EBADF;
		if (dk == K_PIDFD_DEAD || (dk == K_PIDFD_OUTSIDE && pk == K_INNER_ROOT) ||
		    (dk == K_NATIVE_PIDFD && dpid < 0))
			return ESRCH;
		return OK;
	}
	if (a->flags == PROCFD_TO_PIDFD) {
		if (a->pid != -1 || a->pidfd != -1 || a->procfd < 0)
			return EINVAL;
		if (pk == K_CLOSED || pk == K_OPATH)
			return EBADF;
		if (pk == K_DEAD_PID_DIR)
			return ESRCH;
		if (pk == K_THREAD_DIR)
			return ENOENT;
		if (pk == K_INNER_PID || pk == K_OUTER_PID)
			return OK;
		(void)ppid;
		return EBADF;
	}
	return EINVAL;
}

static void mismatch(struct fuzz *f, const char *what, int want, int got_ret, int got_err)
{
	if (atomic_fetch_add(&f->mismatches, 1) < 10)
		fprintf(stderr, "# call %ld: %s: expected %s, got %d (errno %d %s)\n",
			(long)f->calls, what, want ? strerror(want) : "success", got_ret, got_err,
			strerror(got_err));
}

/*
 * The argument buffer, or a pointer that faults: unmapped, kernel, or read-only
 * (which faults only on write: GET_INFO then reports its other errors first,
 * as native PIDFD_GET_INFO does, and EFAULT where it would succeed).
 */
static void *pick_pointer(struct fuzz *f, void *buf, bool *faults, bool for_write)
{
	switch (below(12)) {
	case 0: *faults = true; return NULL;
	case 1: *faults = true; return (void *)0x10;
	case 2: *faults = true; return (void *)0xffffffff81000000UL;
	case 3: *faults = for_write; return f->ro_page;
	default: *faults = false; return buf;
	}
}

static void check_result(struct fuzz *f, const char *what, int want, int ret, int err)
{
	f->calls++;
	if (ret >= 0) {
		f->successes++;
		if (want != OK)
			mismatch(f, what, want, ret, err);
		return;
	}
	f->by_errno[err & 255]++;
	if (err != want)
		mismatch(f, what, want, ret, err);
}

/* The last number of the NSpid: line: the process's number in its own namespace (the inner one). */
static pid_t own_number(int dir)
{
	char buf[128], *last;

	if (read_field_at(dir, "status", "NSpid:", buf, sizeof(buf)) < 0)
		return -1;
	last = strrchr(buf, ' ');
	return atoi(last ? last + 1 : buf);
}

/*
 * A returned fd: close-on-exec, F_GETFL as the contract says (plus open_fl, the
 * file flags PIDFD_OPEN_THREAD and PIDFD_OPEN_NONBLOCK stand for), and the
 * process behind it. A /proc directory (PIDFD_TO_PROCFD) is of the mount procfd
 * is of, and of process want (NSpid:); a pidfd is one, and GET_INFO says want.
 */
static void check_returned_fd(struct fuzz *f, const char *what, int fd, bool is_dir, int procfd,
			      pid_t want, int open_fl)
{
	int want_fl = (is_dir ? f->dir_fl : f->pidfd_fl) | open_fl;
	struct pidfd_open_info info;
	struct stat st, root;
	char link[64], msg[240];
	int fl = fcntl(fd, F_GETFL) & ~O_LARGEFILE;

	f->identity_checks++;
	if (!is_cloexec(fd)) {
		snprintf(msg, sizeof(msg), "%s: returned fd is not close-on-exec", what);
		mismatch(f, msg, OK, fd, 0);
	}
	if (fl != want_fl) {
		snprintf(msg, sizeof(msg), "%s: F_GETFL %#x, expected %#x", what, fl, want_fl);
		mismatch(f, msg, OK, fd, 0);
	}
	if (is_dir) {
		pid_t got = own_number(fd);

		if (fstat(fd, &st) < 0 || fstat(procfd, &root) < 0 || st.st_dev != root.st_dev ||
		    !S_ISDIR(st.st_mode)) {
			snprintf(msg, sizeof(msg), "%s: not a directory of that procfs", what);
			mismatch(f, msg, OK, fd, 0);
		}
		if (got != want) {
			snprintf(msg, sizeof(msg), "%s: directory of process %d, expected %d", what,
				 got, want);
			mismatch(f, msg, OK, fd, 0);
		}
		return;
	}
	if (strcmp(fd_link(fd, link, sizeof(link)), "anon_inode:[pidfd]")) {
		snprintf(msg, sizeof(msg), "%s: returned '%s', not a pidfd", what, link);
		mismatch(f, msg, OK, fd, 0);
	} else if (pfo_get_info(fd, &info) < 0 || (pid_t)info.pid != want) {
		snprintf(msg, sizeof(msg), "%s: pidfd of process %d, expected %d", what,
			 (int)info.pid, want);
		mismatch(f, msg, OK, fd, errno);
	}
}

/*
 * The fd count is what it was: after every call on one thread, and before
 * each respawn (when no call is in flight) on two.
 */
static void check_fd_count(struct fuzz *f, const char *what, bool between_calls)
{
	char msg[240];
	int now;

	if (!f->per_call_fd_check && !between_calls)
		return;
	now = fd_count();
	if (now != f->fd_base) {
		snprintf(msg, sizeof(msg), "%s: fd count %d, expected %d", what, now, f->fd_base);
		mismatch(f, msg, OK, now, 0);
		f->fd_base = now;
	}
}

static void fuzz_device(struct fuzz *f)
{
	struct pidfd_open_args a;
	enum kind pk = K_CLOSED, dk = K_CLOSED;
	pid_t ppid = 0, dpid = 0;
	char what[160];
	bool faults;
	void *ptr;
	unsigned int cmd;
	int ret, want;

	static const uint32_t open_flags[] = { PIDFD_OPEN_NONBLOCK, PIDFD_OPEN_THREAD,
					       PIDFD_OPEN_THREAD | PIDFD_OPEN_NONBLOCK };

	a.flags = below(4) ? below(3) : below(2) ? open_flags[below(3)] : (uint32_t)rnd();
	a.pid = below(3) ? -1 : pick_pid(f);
	if (!(a.flags & ~(PIDFD_OPEN_THREAD | PIDFD_OPEN_NONBLOCK)) && below(4))
		a.pid = pick_pid(f);
	a.procfd = below(4) ? pick_fd(f, &pk, &ppid) : -1;
	a.pidfd = below(2) ? pick_fd(f, &dk, &dpid) : -1;
	if (a.procfd == -1)
		pk = K_CLOSED;
	if (a.pidfd == -1)
		dk = K_CLOSED;

	switch (below(20)) {
	case 0: cmd = _IOR(PIDFD_IOC_MAGIC, 0x01, struct pidfd_open_args); break;
	case 1: cmd = _IOW(PIDFD_IOC_MAGIC, 0x01, struct pidfd_signal_args); break;
	case 2: cmd = _IOC(below(4), PIDFD_IOC_MAGIC + below(2), below(16), below(128)); break;
	case 3: cmd = below(2) ? PIDFD_IOC_SEND_SIGNAL : PIDFD_IOC_GET_INFO; break;
	default: cmd = PIDFD_IOC_OPEN; break;
	}
	ptr = pick_pointer(f, &a, &faults, false);
	if (ptr == f->ro_page)
		memset(&a, 0, sizeof(a)); /* what the kernel will read there */
	if (cmd != PIDFD_IOC_OPEN)
		want = ENOTTY;
	else if (faults)
		want = EFAULT;
	else
		want = expect_open(f, &a, pk, dk, ppid, dpid);
	snprintf(what, sizeof(what), "dev cmd %#x {pid %d, procfd %d (%s), pidfd %d (%s), flags %#x}%s",
		 cmd, a.pid, a.procfd, kind_name[pk], a.pidfd, kind_name[dk], a.flags,
		 faults ? " bad pointer" : "");
	if (cmd == PIDFD_IOC_OPEN && !faults) {
		if (a.procfd != -1)
			f->exercised[pk]++;
		if (a.pidfd != -1)
			f->exercised[dk]++;
	}
	ret = ioctl(f->dev, cmd, ptr);
	check_result(f, what, want, ret, errno);
	if (ret >= 0) {
		if (a.flags == PIDFD_TO_PROCFD)
			check_returned_fd(f, what, ret, true, a.procfd, dpid, 0);
		else if (a.flags == PROCFD_TO_PIDFD)
			check_returned_fd(f, what, ret, false, -1, ppid, 0);
		else
			check_returned_fd(f, what, ret, false, -1, a.pid, a.flags);
		close(ret);
	}
	check_fd_count(f, what, false);
}

static void fuzz_pidfd(struct fuzz *f)
{
	static const int sigs[] = { 0, SIGCONT, SIGWINCH, SIGURG, -1, 65, 1000, INT32_MAX, INT32_MIN };
	union {
		struct pidfd_signal_args s;
		struct pidfd_open_info info;
		char any_size[_IOC_SIZEMASK + 1]; /* GET_INFO at any size the command names */
	} buf;
	struct entry *e;
	unsigned int cmd;
	char what[128];
	bool faults, is_info, is_signal, reaped_exit;
	void *ptr;
	int ret, want, tries;

	for (tries = 0; tries < 100; tries++) {
		e = pick(f);
		if (e->kind == K_PIDFD_LIVE || e->kind == K_PIDFD_DEAD || e->kind == K_PIDFD_OUTSIDE ||
		    e->kind == K_NATIVE_PIDFD)
			break;
	}
	memset(&buf, 0, sizeof(buf));
	buf.s.sig = sigs[below(sizeof(sigs) / sizeof(sigs[0]))];
	buf.s.flags = below(4) ? 0 : (uint32_t)rnd();
	switch (below(6)) {
	case 0: cmd = _IOR(PIDFD_IOC_MAGIC, 0x02, struct pidfd_signal_args); break;
	case 1: cmd = _IOC(below(4), PIDFD_IOC_MAGIC, below(16), below(128)); break;
	case 2: cmd = PIDFD_IOC_SEND_SIGNAL; break;
	case 3: cmd = below(2) ? PIDFD_IOC_SEND_SIGNAL_VER0 :
		      GET_INFO_AT_SIZE(PIDFD_IOC_GET_INFO, PIDFD_OPEN_INFO_SIZE_VER0 + below(200)); break;
	default: cmd = PIDFD_IOC_GET_INFO; break;
	}
	/* GET_INFO matches on direction, type and number, at any size of at least VER0. */
	is_info = _IOC_DIR(cmd) == _IOC_DIR(PIDFD_IOC_GET_INFO) &&
		  _IOC_TYPE(cmd) == PIDFD_IOC_MAGIC && _IOC_NR(cmd) == _IOC_NR(PIDFD_IOC_GET_INFO) &&
		  _IOC_SIZE(cmd) >= PIDFD_OPEN_INFO_SIZE_VER0;
	is_signal = cmd == PIDFD_IOC_SEND_SIGNAL || cmd == PIDFD_IOC_SEND_SIGNAL_VER0;
	ptr = pick_pointer(f, &buf, &faults, is_info);
	if (ptr == f->ro_page)
		memset(&buf, 0, sizeof(buf)); /* what the kernel will read there */
	if (e->kind == K_NATIVE_PIDFD || (!is_signal && !is_info))
		want = ENOTTY;
	else if (faults && ptr != f->ro_page)
		want = EFAULT;
	else if (is_signal)
		want = expect_signal(e, &buf.s);
	else if (e->kind == K_PIDFD_OUTSIDE)
		want = EREMOTE;
	else if (e->kind == K_PIDFD_DEAD && !(buf.info.mask & PIDFD_OPEN_INFO_EXIT))
		want = ESRCH;
	else
		want = faults ? EFAULT : OK;
	/* A reaped process's answer (its exit status) names no pid. */
	reaped_exit = e->kind == K_PIDFD_DEAD && is_info;
	snprintf(what, sizeof(what), "%s (pid %d) cmd %#x sig %d flags %#x%s", kind_name[e->kind],
		 e->pid, cmd, buf.s.sig, buf.s.flags, faults ? " bad pointer" : "");
	if (cmd == PIDFD_IOC_SEND_SIGNAL || cmd == PIDFD_IOC_GET_INFO)
		f->exercised[e->kind]++;
	ret = ioctl(e->fd, cmd, ptr);
	check_result(f, what, want, ret, errno);
	if (ret == 0 && is_info && !reaped_exit && (int)buf.info.pid != e->pid)
		mismatch(f, "GET_INFO pid", OK, buf.info.pid, 0);
	check_fd_count(f, what, false);
}

static int build_pool(struct fuzz *f, const struct fuzz_arg *arg)
{
	int sv[2], pipefd[2], i, fd;

	f->ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(f->ro_page != MAP_FAILED, "mmap: %m");
	CHECK(mount_proc("/tmp/proc-inner", NULL) == 0, "mount proc: %m");
	f->inner = open("/tmp/proc-inner", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	f->outer = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	f->dev = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
	CHECK(f->inner >= 0 && f->outer >= 0 && f->dev >= 0, "open: %m");
	f->thread_tid = start_sleeping_thread();
	CHECK(f->thread_tid > 0, "thread");
	CHECK(pipe2(pipefd, O_CLOEXEC) == 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0,
	      "pipe/socketpair: %m");

	add(f, CLOSED_FD + 1, K_CLOSED, 0);
	add(f, open("/proc", O_PATH | O_CLOEXEC), K_OPATH, 0);
	add(f, pipefd[0], K_PIPE, 0);
	add(f, sv[0], K_SOCKET, 0);
	/* A regular file every system has: this program (the busybox guest has /init, Debian not). */
	add(f, open("/proc/self/exe", O_RDONLY | O_CLOEXEC), K_FILE, 0);
	/* Files whose inodes carry private data, none of it a pid. */
	add(f, open_first_file("/sys/kernel"), K_FOREIGN, 0);
	add(f, eventfd(0, EFD_CLOEXEC), K_FOREIGN, 0);
	add(f, memfd_create("fuzz", MFD_CLOEXEC), K_FOREIGN, 0);
	add(f, open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC), K_DIR, 0);
	add(f, f->dev, K_DEV, 0);
	add(f, open("/tmp/proc-inner/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC), K_PROC_SELF_FD, 0);
	add(f, f->inner, K_INNER_ROOT, 0);
	add(f, f->outer, K_OUTER_ROOT, 0);
	add(f, open_at(f->inner, "%d", f->thread_tid, 0), K_THREAD_DIR, f->thread_tid);
	add(f, open_at(f->inner, "1/task/%d", f->thread_tid, 0), K_TASK_TID_DIR, f->thread_tid);
	add(f, open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC), K_OUTER_PID, 1);
	add(f, pfo_open(1), K_PIDFD_LIVE, 1);
	add(f, arg->outside_pidfd, K_PIDFD_OUTSIDE, arg->outside_pid);
	for (i = 0; i < POOL_CHILDREN; i++) {
		f->children[i] = spawn_named("fuzz-child");
		CHECK(f->children[i] > 0, "fork: %m");
		add_child_fds(f, f->children[i]);
	}
	/* What the contract compares returned fds with: open(2)'s directory, a native pidfd. */
	fd = openat(f->inner, "1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0, "open /proc/1: %m");
	f->dir_fl = fcntl(fd, F_GETFL) & ~O_LARGEFILE;
	close(fd);
	fd = sys_pidfd_open(1, 0);
	CHECK(fd >= 0, "pidfd_open: %m");
	f->pidfd_fl = fcntl(fd, F_GETFL) & ~O_LARGEFILE;
	close(fd);
	f->fd_base = fd_count();
	return 0;
}

struct fuzz_thread {
	struct fuzz *f;
	uint64_t seed;
	long calls;
	int index, failed;
};

static void *fuzz_loop(void *arg)
{
	struct fuzz_thread *t = arg;
	struct fuzz *f = t->f;
	long i;

	rng_state = t->seed ? t->seed : 1;
	f->worker_tids[t->index] = gettid();
	pthread_barrier_wait(&f->start);
	for (i = 0; i < t->calls; i++) {
		if (i % RESPAWN_EVERY == RESPAWN_EVERY - 1) {
			pthread_rwlock_wrlock(&f->lock);
			/* No call in flight: the count is exact, whatever the threads. */
			check_fd_count(f, "before a respawn", true);
			if (respawn(f) < 0) {
				fprintf(stderr, "# respawn: %m\n");
				t->failed = 1;
			}
			f->fd_base = fd_count();
			pthread_rwlock_unlock(&f->lock);
			if (t->failed)
				break;
		}
		pthread_rwlock_rdlock(&f->lock);
		if (below(3))
			fuzz_device(f);
		else
			fuzz_pidfd(f);
		pthread_rwlock_unlock(&f->lock);
	}
	/* A worker that ended first would be a dead tid to the other's calls. */
	pthread_barrier_wait(&f->start);
	return NULL;
}

static int fuzz_run(void *arg)
{
	static struct fuzz f = { .lock = PTHREAD_RWLOCK_INITIALIZER };
	const struct fuzz_arg *fa = arg;
	struct fuzz_thread threads[2];
	pthread_t ids[2];
	long calls = scaled(DEFAULT_CALLS);
	int i, k, fds_after, unexercised = 0;
	const char *env;
	uint64_t seed;

	env = getenv("PIDFD_OPEN_FUZZ_SEED");
	seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) ^ ((uint64_t)getppid() << 32);
	env = getenv("PIDFD_OPEN_FUZZ_CALLS");
	if (env)
		calls = atol(env);
	fprintf(stderr, "# fuzz seed %llu, %ld calls on %d thread(s) (rerun: PIDFD_OPEN_FUZZ_SEED=%llu)\n",
		(unsigned long long)seed, calls, fa->threads, (unsigned long long)seed);
	rng_state = seed ? seed : 1;

	CHECK(build_pool(&f, fa) == 0, "pool");
	f.per_call_fd_check = fa->threads == 1;
	CHECK(pthread_barrier_init(&f.start, NULL, fa->threads) == 0, "barrier");
	for (k = 0; k < fa->threads; k++) {
		threads[k] = (struct fuzz_thread){ &f, seed + k, calls / fa->threads, k, 0 };
		CHECK(pthread_create(&ids[k], NULL, fuzz_loop, &threads[k]) == 0, "thread");
	}
	for (k = 0; k < fa->threads; k++) {
		pthread_join(ids[k], NULL);
		CHECK(!threads[k].failed, "thread %d failed", k);
	}
	fds_after = fd_count();
	for (i = 0; i < K_COUNT; i++)
		if (f.exercised[i] == 0) {
			fprintf(stderr, "# no call got a %s fd\n", kind_name[i]);
			unexercised++;
		}
	REPORT_FIGURE(fa->threads == 1 ? "fuzz_calls" : "fuzz_calls_2threads", f.calls);
	if (fa->threads == 1) {
		REPORT_FIGURE("fuzz_successes", f.successes);
		REPORT_FIGURE("fuzz_identity_checks", f.identity_checks);
		REPORT_FIGURE("fuzz_mismatches", f.mismatches);
	}
	fprintf(stderr, "# errnos: EINVAL %ld, EBADF %ld, ESRCH %ld, ENOENT %ld, EFAULT %ld, ENOTTY %ld, EREMOTE %ld, EOPNOTSUPP %ld; %ld successes, %ld fds checked\n",
		(long)f.by_errno[EINVAL], (long)f.by_errno[EBADF], (long)f.by_errno[ESRCH],
		(long)f.by_errno[ENOENT], (long)f.by_errno[EFAULT], (long)f.by_errno[ENOTTY],
		(long)f.by_errno[EREMOTE], (long)f.by_errno[EOPNOTSUPP], (long)f.successes,
		(long)f.identity_checks);
	CHECK(f.mismatches == 0, "%ld outcomes differ from the contract (first ones above)",
	      (long)f.mismatches);
	CHECK(fds_after == f.fd_base, "fd count %d after the calls, %d before", fds_after, f.fd_base);
	CHECK(f.identity_checks > 0, "no call returned an fd");
	/* Stale kinds appear after the first respawn; a short run may not get there. */
	CHECK(unexercised == 0 || calls < 2 * RESPAWN_EVERY * fa->threads,
	      "%d kinds of fd never reached the driver (listed above)", unexercised);
	return 0;
}

static void fuzz_with_threads(struct __test_metadata *_metadata, int threads)
{
	pid_t outside = spawn_named("outside");
	struct fuzz_arg arg = { pfo_open(outside), outside, threads };

	ASSERT_GE(arg.outside_pidfd, 0);
	EXPECT_EQ(0, run_in_new_pidns(fuzz_run, &arg));
	kill_and_reap(outside);
}

LONG_TEST(fuzz, ioctls_with_random_commands_args_and_fds_follow_spec, 900)
{
	(void)self;
	fuzz_with_threads(_metadata, 1);
}

/* The same on two threads sharing the pool (respawns take it for themselves). */
LONG_TEST(fuzz2, two_threads_on_one_pool_follow_spec, 900)
{
	(void)self;
	fuzz_with_threads(_metadata, 2);
}

TEST_HARNESS_MAIN
