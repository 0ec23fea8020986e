// SPDX-License-Identifier: GPL-2.0
/*
 * References on error paths. Every error path of every ioctl, in a loop over
 * fresh processes: a struct pid reference kept by any failing call would keep
 * one pid object per round alive, so the pid slab's active objects must come
 * back to where they were. File references: a pipe's write end handed to
 * failing calls must reach EOF as soon as the caller closes it, and a procfs
 * mount handed to failing calls must unmount (no EBUSY) once its fds are closed.
 */
#include <grp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#define ROUNDS 2000
/* struct pid objects that may be in flight (RCU-deferred frees, the harness's own children). */
#define PID_TOLERANCE 8
#define CLOSED_FD 999
#define UNUSED_PID 30000 /* no process has it in the test's own pid namespace */

/* Counts calls and failures of a round; prints the first failures. */
struct tally {
	long calls, wrong;
};

static void expect_err(struct tally *t, const char *what, int ret, int want, bool returns_fd)
{
	int err = errno;

	t->calls++;
	if (ret >= 0 && returns_fd)
		close(ret);
	if (ret == -1 && err == want)
		return;
	if (t->wrong++ < 10)
		fprintf(stderr, "# %s: %d, errno %d (%s), expected errno %d (%s)\n", what, ret, err,
			strerror(err), want, strerror(want));
}

static int open_dir_at(int dir, const char *fmt, int a, int b)
{
	char path[64];

	snprintf(path, sizeof(path), fmt, a, b);
	return openat(dir, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* A call that returns a new fd on success (closed here), or one that returns 0. */
#define expect_fail(t, what, ret, want) expect_err(t, what, ret, want, true)
#define expect_fail0(t, what, ret, want) expect_err(t, what, ret, want, false)

/* A child with a second thread that sleeps; *tid gets the thread's id. */
static pid_t spawn_with_thread(pid_t *tid)
{
	int pipefd[2];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		pid_t t = start_sleeping_thread();

		if (write(pipefd[1], &t, sizeof(t)) != sizeof(t))
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (pid > 0 && read(pipefd[0], tid, sizeof(*tid)) != sizeof(*tid))
		pid = -1;
	close(pipefd[0]);
	return pid;
}

/*
 * The helper: init of a child pid namespace C, with C's procfs at /tmp/proc-c.
 * For each pair of pidfds (module, native) of a process of the outer namespace
 * it gets over the socket, it runs the paths that need a caller below the
 * target's namespace, and answers with its count of wrong outcomes.
 */
static int recv_fds(int sock, int *fds, int n)
{
	char byte, control[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *cmsg;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_len != CMSG_LEN(sizeof(int) * n))
		return -1;
	memcpy(fds, CMSG_DATA(cmsg), sizeof(int) * n);
	return 0;
}

static int send_fds(int sock, const int *fds, int n)
{
	char byte = 'f', control[CMSG_SPACE(sizeof(int) * 4)] = {};
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n);
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int helper(int sock)
{
	struct pidfd_open_info info;
	struct tally t = {};
	int proc_c, fds[2];

	if (mount_proc("/tmp/proc-c", NULL) < 0)
		return 2;
	proc_c = open("/tmp/proc-c", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc_c < 0 || write(sock, &t.wrong, sizeof(t.wrong)) != sizeof(t.wrong))
		return 3;
	while (recv_fds(sock, fds, 2) == 0) {
		t.wrong = 0;
		expect_fail0(&t, "outside: GET_INFO", pfo_get_info(fds[0], &info), EREMOTE);
		expect_fail0(&t, "outside: SEND_SIGNAL 0", pfo_send_signal(fds[0], 0, 0), EINVAL);
		expect_fail0(&t, "outside: SEND_SIGNAL SIGKILL", pfo_send_signal(fds[0], SIGKILL, 0),
			    EINVAL);
		expect_fail(&t, "outside: TO_PROCFD module", pfo_to_procfd(proc_c, fds[0]), ESRCH);
		expect_fail(&t, "outside: TO_PROCFD native", pfo_to_procfd(proc_c, fds[1]), ESRCH);
		close(fds[0]);
		close(fds[1]);
		if (write(sock, &t.wrong, sizeof(t.wrong)) != sizeof(t.wrong))
			return 4;
	}
	return 0;
}

/* Starts the helper; returns the socket to it, or -1. */
static int start_helper(pid_t *middle)
{
	int sv[2];
	long ready;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	*middle = fork();
	if (*middle == 0) {
		pid_t init;
		int status;

		close(sv[0]);
		if (unshare(CLONE_NEWPID) < 0)
			_exit(5);
		init = fork();
		if (init == 0)
			_exit(helper(sv[1]));
		close(sv[1]);
		_exit(init > 0 && waitpid(init, &status, 0) == init && WIFEXITED(status) ?
			      WEXITSTATUS(status) : 6);
	}
	close(sv[1]);
	if (*middle < 0 || read(sv[0], &ready, sizeof(ready)) != sizeof(ready))
		return -1;
	return sv[0];
}

struct fixed {
	int dev, proc, noaccess, invisible, file, tmp, efd, opath_proc, helper;
	char *ro_page;
};

/* One round: fresh processes, every error path on them, then all of it closed and reaped. */
static int round_of_errors(struct fixed *x, struct tally *t)
{
	pid_t live = spawn_named("live"), reaped = spawn_named("reaped"), owner, tid = 0;
	int lm, ln, ld, ltask, rm, rn, rd, td, opath_pidfd, fds[2];
	struct pidfd_open_info info;
	char path[64];
	long helper_wrong;

	owner = spawn_with_thread(&tid);
	CHECK(live > 0 && reaped > 0 && owner > 0 && tid > 0, "spawn: %m");
	lm = pfo_open(live);
	ln = sys_pidfd_open(live, 0);
	ld = open_dir_at(x->proc, "%d", live, 0);
	ltask = open_dir_at(x->proc, "%d/task/%d", live, live);
	rm = pfo_open(reaped);
	rn = sys_pidfd_open(reaped, 0);
	rd = open_dir_at(x->proc, "%d", reaped, 0);
	td = open_dir_at(x->proc, "%d", tid, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", lm);
	opath_pidfd = open(path, O_PATH | O_CLOEXEC);
	CHECK(lm >= 0 && ln >= 0 && ld >= 0 && ltask >= 0 && rm >= 0 && rn >= 0 && rd >= 0 &&
	      td >= 0 && opath_pidfd >= 0, "fds: %m");
	CHECK(kill_and_reap(reaped) == 0, "reap");

	/* flags = 0 */
	expect_fail(t, "open: pid 0", pfo(0, -1, -1, 0), EINVAL);
	expect_fail(t, "open: procfd set", pfo(live, x->proc, -1, 0), EINVAL);
	expect_fail(t, "open: pidfd set", pfo(live, -1, lm, 0), EINVAL);
	expect_fail(t, "open: bad flags", pfo(live, -1, -1, 4), EINVAL);
	expect_fail(t, "open: both flags", pfo(-1, x->proc, lm, 3), EINVAL);
	expect_fail(t, "open: unused pid", pfo_open(UNUSED_PID), ESRCH);
	expect_fail(t, "open: reaped pid", pfo_open(reaped), ESRCH);
	expect_fail(t, "open: thread", pfo_open(tid), ENOENT);
	expect_fail(t, "open: NULL", ioctl(x->dev, PIDFD_IOC_OPEN, NULL), EFAULT);
	expect_fail(t, "dev: unknown cmd", ioctl(x->dev, _IO(PIDFD_IOC_MAGIC, 0x7f), NULL), ENOTTY);

	/* PIDFD_TO_PROCFD */
	expect_fail(t, "to_procfd: pid set", pfo(live, x->proc, lm, PIDFD_TO_PROCFD), EINVAL);
	expect_fail(t, "to_procfd: not a proc root", pfo_to_procfd(x->tmp, lm), EINVAL);
	expect_fail(t, "to_procfd: a pid dir as root", pfo_to_procfd(ld, lm), EINVAL);
	expect_fail(t, "to_procfd: eventfd as pidfd", pfo_to_procfd(x->proc, x->efd), EBADF);
	expect_fail(t, "to_procfd: file as pidfd", pfo_to_procfd(x->proc, x->file), EBADF);
	expect_fail(t, "to_procfd: closed procfd", pfo_to_procfd(CLOSED_FD, lm), EBADF);
	expect_fail(t, "to_procfd: closed pidfd", pfo_to_procfd(x->proc, CLOSED_FD), EBADF);
	expect_fail(t, "to_procfd: O_PATH procfd", pfo_to_procfd(x->opath_proc, lm), EBADF);
	expect_fail(t, "to_procfd: O_PATH pidfd", pfo_to_procfd(x->proc, opath_pidfd), EBADF);
	expect_fail(t, "to_procfd: reaped module", pfo_to_procfd(x->proc, rm), ESRCH);
	expect_fail(t, "to_procfd: reaped native", pfo_to_procfd(x->proc, rn), ESRCH);

	/* PROCFD_TO_PIDFD */
	expect_fail(t, "to_pidfd: pid set", pfo(live, ld, -1, PROCFD_TO_PIDFD), EINVAL);
	expect_fail(t, "to_pidfd: pidfd set", pfo(-1, ld, lm, PROCFD_TO_PIDFD), EINVAL);
	expect_fail(t, "to_pidfd: closed", pfo_to_pidfd(CLOSED_FD), EBADF);
	expect_fail(t, "to_pidfd: O_PATH", pfo_to_pidfd(x->opath_proc), EBADF);
	expect_fail(t, "to_pidfd: proc root", pfo_to_pidfd(x->proc), EBADF);
	expect_fail(t, "to_pidfd: task dir", pfo_to_pidfd(ltask), EBADF);
	expect_fail(t, "to_pidfd: module pidfd", pfo_to_pidfd(lm), EBADF);
	expect_fail(t, "to_pidfd: native pidfd", pfo_to_pidfd(ln), EBADF);
	expect_fail(t, "to_pidfd: reaped dir", pfo_to_pidfd(rd), ESRCH);
	expect_fail(t, "to_pidfd: thread dir", pfo_to_pidfd(td), ENOENT);

	/* SEND_SIGNAL */
	expect_fail0(t, "signal: flags", pfo_send_signal(lm, 0, 8), EINVAL);
	expect_fail0(t, "signal: two scopes", pfo_send_signal(lm, 0, 3), EINVAL);
	expect_fail0(t, "signal: thread scope", pfo_send_signal(lm, 0, PIDFD_OPEN_SIGNAL_THREAD),
		     EOPNOTSUPP);
	expect_fail0(t, "signal: process group scope", pfo_send_signal(lm, 0,
		     PIDFD_OPEN_SIGNAL_PROCESS_GROUP), ESRCH);
	expect_fail0(t, "signal: -1", pfo_send_signal(lm, -1, 0), EINVAL);
	expect_fail0(t, "signal: 65", pfo_send_signal(lm, 65, 0), EINVAL);
	expect_fail0(t, "signal: reaped", pfo_send_signal(rm, 0, 0), ESRCH);
	expect_fail0(t, "signal: reaped SIGKILL", pfo_send_signal(rm, SIGKILL, 0), ESRCH);
	expect_fail0(t, "signal: NULL", ioctl(lm, PIDFD_IOC_SEND_SIGNAL, NULL), EFAULT);

	/* GET_INFO */
	expect_fail0(t, "info: reaped", pfo_get_info(rm, &info), ESRCH);
	expect_fail0(t, "info: NULL", ioctl(lm, PIDFD_IOC_GET_INFO, NULL), EFAULT);
	expect_fail0(t, "info: unmapped", ioctl(lm, PIDFD_IOC_GET_INFO, (void *)0x10), EFAULT);
	expect_fail0(t, "info: read-only", ioctl(lm, PIDFD_IOC_GET_INFO, x->ro_page), EFAULT);
	expect_fail0(t, "info: reaped, read-only", ioctl(rm, PIDFD_IOC_GET_INFO, x->ro_page),
		    ESRCH);
	expect_fail0(t, "pidfd: unknown cmd", ioctl(lm, _IO(PIDFD_IOC_MAGIC, 0x7f), NULL), ENOTTY);

	/* As uid 65534 (saved uid 0, to come back): hidepid, and no permission to signal root's. */
	CHECK(setresgid(65534, 65534, 0) == 0 && setresuid(65534, 65534, 0) == 0, "setresuid: %m");
	expect_fail(t, "to_procfd: hidepid=noaccess", pfo_to_procfd(x->noaccess, lm), EPERM);
	expect_fail(t, "to_procfd: hidepid=noaccess native", pfo_to_procfd(x->noaccess, ln), EPERM);
	expect_fail(t, "to_procfd: hidepid=invisible", pfo_to_procfd(x->invisible, lm), ENOENT);
	expect_fail0(t, "signal: EPERM 0", pfo_send_signal(lm, 0, 0), EPERM);
	expect_fail0(t, "signal: EPERM SIGKILL", pfo_send_signal(lm, SIGKILL, 0), EPERM);
	CHECK(setresuid(0, 0, 0) == 0 && setresgid(0, 0, 0) == 0, "back to root: %m");

	/* From below: the helper in a child pid namespace. */
	fds[0] = lm;
	fds[1] = ln;
	CHECK(send_fds(x->helper, fds, 2) == 0, "send to helper: %m");
	CHECK(read(x->helper, &helper_wrong, sizeof(helper_wrong)) == sizeof(helper_wrong),
	      "helper: %m");
	t->calls += 5;
	t->wrong += helper_wrong;

	close(opath_pidfd);
	close(td);
	close(rd);
	close(rn);
	close(rm);
	close(ltask);
	close(ld);
	close(ln);
	close(lm);
	CHECK(kill(live, 0) == 0, "the live child died: a refused SIGKILL landed");
	CHECK(kill_and_reap(live) == 0 && kill_and_reap(owner) == 0, "reap");
	return 0;
}

/* As PID 1 of a new pid namespace with its procfs; arg: where to report. */
static int errpath_run(void *arg)
{
	long rounds = scaled(ROUNDS), i, pids_before, pids_after;
	struct tally t = {};
	struct fixed x = {};
	int fds_before, fds_after;
	pid_t middle;

	(void)arg;
	/* hidepid lets the group of gid= (0) see everything: no supplementary groups. */
	CHECK(setgroups(0, NULL) == 0, "setgroups: %m");
	CHECK(mount_proc("/tmp/proc-inner", NULL) == 0 &&
	      mount_proc("/tmp/proc-noaccess", "hidepid=noaccess") == 0 &&
	      mount_proc("/tmp/proc-invisible", "hidepid=invisible") == 0, "mount proc: %m");
	x.dev = pfo_dev();
	x.proc = open("/tmp/proc-inner", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	x.noaccess = open("/tmp/proc-noaccess", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	x.invisible = open("/tmp/proc-invisible", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	x.file = open("/tmp/proc-inner/self/status", O_RDONLY | O_CLOEXEC);
	x.tmp = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	x.efd = eventfd(0, EFD_CLOEXEC);
	x.opath_proc = open("/tmp/proc-inner", O_PATH | O_CLOEXEC);
	x.ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	x.helper = start_helper(&middle);
	CHECK(x.dev >= 0 && x.proc >= 0 && x.noaccess >= 0 && x.invisible >= 0 && x.file >= 0 &&
	      x.tmp >= 0 && x.efd >= 0 && x.opath_proc >= 0 && x.ro_page != MAP_FAILED &&
	      x.helper >= 0, "setup: %m");
	CHECK(kill(UNUSED_PID, 0) == -1 && errno == ESRCH, "pid %d is in use", UNUSED_PID);

	/* Warm up: the first round fills caches (dentries, inodes) that stay. */
	CHECK(round_of_errors(&x, &t) == 0, "warm-up round");
	pids_before = settled_pid_objects(0, PID_TOLERANCE);
	fds_before = fd_count();
	CHECK(pids_before > 0, "no pid cache in /proc/slabinfo (slab_nomerge?)");
	for (i = 0; i < rounds; i++)
		CHECK(round_of_errors(&x, &t) == 0, "round %ld", i);
	pids_after = settled_pid_objects(pids_before, PID_TOLERANCE);
	fds_after = fd_count();

	REPORT_FIGURE("errpath_rounds", rounds);
	REPORT_FIGURE("errpath_calls", t.calls);
	REPORT_FIGURE("errpath_pid_objects_delta", pids_after - pids_before);
	CHECK(t.wrong == 0, "%ld error calls gave another outcome (first ones above)", t.wrong);
	CHECK(fds_after == fds_before, "fds %d -> %d", fds_before, fds_after);
	CHECK(pids_after - pids_before <= PID_TOLERANCE,
	      "pid objects %ld -> %ld over %ld rounds of %ld error calls", pids_before, pids_after,
	      rounds, t.calls / (rounds + 1));
	close(x.helper);
	return waitpid(middle, NULL, 0) == middle ? 0 : 1;
}

LONG_TEST(slab, every_error_path_leaves_no_pid_reference, 900)
{
	(void)self;
	EXPECT_EQ(0, run_in_new_pidns(errpath_run, NULL));
}

/* ---- file references: a pipe's write end ---- */

/* After the caller closes w, the reader r sees EOF at once: nothing else holds w. */
static int writer_released(int r)
{
	struct pollfd p = { .fd = r, .events = POLLIN };
	char c;

	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLHUP))
		return 0;
	return read(r, &c, 1) == 0;
}

TEST(failing_calls_with_a_pipe_as_fd_drop_its_reference)
{
	pid_t child = spawn_named("target"), reaped = spawn_named("reaped");
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int opath = open("/proc", O_PATH | O_CLOEXEC), module = pfo_open(child);
	int dead = pfo_open(reaped), i;
	struct {
		const char *what;
		int pid, procfd, pidfd; /* -2: the pipe's write end */
		unsigned int flags;
		int err;
	} calls[] = {
		{ "to_procfd(pipe, pidfd)", -1, -2, module, PIDFD_TO_PROCFD, EINVAL },
		{ "to_procfd(proc, pipe)", -1, proc, -2, PIDFD_TO_PROCFD, EBADF },
		{ "to_procfd(pipe, pipe)", -1, -2, -2, PIDFD_TO_PROCFD, EINVAL },
		{ "to_procfd(pipe, reaped pidfd)", -1, -2, dead, PIDFD_TO_PROCFD, EINVAL },
		{ "to_procfd(pipe, closed)", -1, -2, CLOSED_FD, PIDFD_TO_PROCFD, EBADF },
		{ "to_procfd(closed, pipe)", -1, CLOSED_FD, -2, PIDFD_TO_PROCFD, EBADF },
		{ "to_procfd(O_PATH, pipe)", -1, opath, -2, PIDFD_TO_PROCFD, EBADF },
		{ "to_procfd(pipe, pid set)", 1, -2, module, PIDFD_TO_PROCFD, EINVAL },
		{ "to_pidfd(pipe)", -1, -2, -1, PROCFD_TO_PIDFD, EBADF },
		{ "to_pidfd(pipe, pidfd pipe)", -1, -2, -2, PROCFD_TO_PIDFD, EINVAL },
		{ "open(pid, procfd pipe)", 1, -2, -1, 0, EINVAL },
		{ "both flags (pipe, pipe)", -1, -2, -2, 3, EINVAL },
	};

	ASSERT_GT(child, 0);
	ASSERT_GE(proc, 0);
	ASSERT_GE(opath, 0);
	ASSERT_GE(module, 0);
	ASSERT_GE(dead, 0);
	ASSERT_EQ(0, kill_and_reap(reaped));
	for (i = 0; i < (int)(sizeof(calls) / sizeof(calls[0])); i++) {
		int pipefd[2], ret, err, before;

		ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC | O_NONBLOCK));
		before = fd_count();
		ret = pfo(calls[i].pid, calls[i].procfd == -2 ? pipefd[1] : calls[i].procfd,
			  calls[i].pidfd == -2 ? pipefd[1] : calls[i].pidfd, calls[i].flags);
		err = errno;
		EXPECT_EQ(-1, ret) TH_LOG("%s succeeded", calls[i].what);
		if (ret >= 0)
			close(ret);
		EXPECT_EQ(calls[i].err, err) TH_LOG("%s: errno %d (%s)", calls[i].what, err,
						    strerror(err));
		EXPECT_EQ(before, fd_count()) TH_LOG("%s", calls[i].what);
		close(pipefd[1]);
		EXPECT_TRUE(writer_released(pipefd[0]))
		TH_LOG("%s: the pipe's write end is still held after close", calls[i].what);
		close(pipefd[0]);
	}
	kill_and_reap(child);
}

/* ---- file references: a procfs mount ---- */

/* The fds of one procfs mount handed to failing calls (and one success), then closed. */
static void use_mount_then_close(struct __test_metadata *_metadata, const char *path,
				 bool as_nobody)
{
	pid_t live = spawn_named("live"), reaped = spawn_named("reaped");
	int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), efd = eventfd(0, EFD_CLOEXEC);
	int lm = pfo_open(live), ln = sys_pidfd_open(live, 0), rm = pfo_open(reaped);
	int rn = sys_pidfd_open(reaped, 0), opath = open(path, O_PATH | O_CLOEXEC);
	int ld = open_dir_at(root, "%d", live, 0), rd = open_dir_at(root, "%d", reaped, 0);
	int ltask = open_dir_at(root, "%d/task/%d", live, live), status, fd;
	pid_t tid = start_sleeping_thread(), pid;
	int td = open_dir_at(root, "%d", tid, 0);

	ASSERT_GE(root, 0) TH_LOG("open %s: %m", path);
	ASSERT_TRUE(lm >= 0 && ln >= 0 && rm >= 0 && rn >= 0 && opath >= 0 && efd >= 0);
	ASSERT_TRUE(ld >= 0 && rd >= 0 && ltask >= 0 && td >= 0) TH_LOG("dirs in %s: %m", path);
	ASSERT_EQ(0, kill_and_reap(reaped));

	EXPECT_PFO_ERRNO(ESRCH, -1, root, rm, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(ESRCH, -1, root, rn, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EBADF, -1, root, efd, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EBADF, -1, root, CLOSED_FD, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EBADF, -1, opath, lm, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(EINVAL, -1, ld, lm, PIDFD_TO_PROCFD);
	EXPECT_PFO_ERRNO(ESRCH, -1, rd, -1, PROCFD_TO_PIDFD);
	EXPECT_PFO_ERRNO(ENOENT, -1, td, -1, PROCFD_TO_PIDFD);
	EXPECT_PFO_ERRNO(EBADF, -1, ltask, -1, PROCFD_TO_PIDFD);
	EXPECT_PFO_ERRNO(EBADF, -1, root, -1, PROCFD_TO_PIDFD);
	EXPECT_PFO_ERRNO(EBADF, -1, opath, -1, PROCFD_TO_PIDFD);
	/* One success each way, closed at once. */
	fd = pfo_to_procfd(root, lm);
	EXPECT_GE(fd, 0) TH_LOG("PIDFD_TO_PROCFD in %s: %m", path);
	close(fd);
	fd = pfo_to_pidfd(ld);
	EXPECT_GE(fd, 0) TH_LOG("PROCFD_TO_PIDFD in %s: %m", path);
	close(fd);
	if (as_nobody) {
		/* The open error as uid 65534, in a child that inherits the fds and exits. */
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
				_exit(2);
			fd = pfo_to_procfd(root, lm);
			_exit(fd == -1 && errno == EPERM ? 0 : 1);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, status) TH_LOG("hidepid=noaccess as nobody: not EPERM");
	}
	close(td);
	close(ltask);
	close(rd);
	close(ld);
	close(opath);
	close(rn);
	close(rm);
	close(ln);
	close(lm);
	close(efd);
	close(root);
	kill_and_reap(live);
}

TEST(failing_calls_leave_a_procfs_mount_unmountable)
{
	const char *plain = "/tmp/errpath-proc", *noaccess = "/tmp/errpath-proc-noaccess";

	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount_proc(plain, NULL)) TH_LOG("mount: %m");
	ASSERT_EQ(0, mount_proc(noaccess, "hidepid=noaccess")) TH_LOG("mount: %m");
	use_mount_then_close(_metadata, plain, false);
	use_mount_then_close(_metadata, noaccess, true);
	EXPECT_EQ(0, umount2(plain, 0)) TH_LOG("umount %s: %m (EBUSY: a reference is left)", plain);
	EXPECT_EQ(0, umount2(noaccess, 0))
	TH_LOG("umount %s: %m (EBUSY: a reference is left)", noaccess);
}

TEST_HARNESS_MAIN
