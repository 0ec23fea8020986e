// SPDX-License-Identifier: GPL-2.0
/*
 * PIDFD_IOC_GET_INFO's exit information (PIDFD_OPEN_INFO_EXIT) against the
 * native PIDFD_GET_INFO's (PIDFD_INFO_EXIT), on a native pidfd and a module
 * pidfd of the same process: every field and errno compared, for exit(n),
 * death by signals, a group exit started by a non-leader thread, an exec by a
 * non-leader, a core dump (which only native reports as such), while running,
 * as a zombie, after the reap, read by a process that is not the parent, from
 * another pid namespace; and at every published structure size and larger.
 */
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

/* What GET_INFO gave: the return value, errno, and the structure. */
struct answer {
	int ret, err;
	struct pidfd_open_info info;
};

static struct answer ask(int fd, bool module, __u64 mask)
{
	struct answer a = { .info = { .mask = mask } };

	a.ret = ioctl(fd, module ? PIDFD_IOC_GET_INFO : NATIVE_PIDFD_GET_INFO, &a.info);
	a.err = a.ret < 0 ? errno : 0;
	return a;
}

/*
 * The module's answer equals native's: return value, errno, and every field the
 * module fills. Native alone fills the core-dump fields and has more supported
 * bits (contract, section 9), so the masks are compared on the module's bits.
 */
static int same_answer(const struct answer *n, const struct answer *m)
{
	const __u64 bits = OWN_BITS | PIDFD_OPEN_INFO_EXIT;

	if (n->ret == m->ret && n->err == m->err &&
	    (n->ret < 0 || ((n->info.mask & bits) == m->info.mask &&
			    n->info.exit_code == m->info.exit_code &&
			    n->info.cgroupid == m->info.cgroupid && n->info.pid == m->info.pid &&
			    n->info.tgid == m->info.tgid && n->info.ppid == m->info.ppid)))
		return 1;
	fprintf(stderr, "#   native: ret %d errno %d mask %#llx exit_code %#x cgroupid %llu pid %u\n",
		n->ret, n->err, (unsigned long long)n->info.mask, n->info.exit_code,
		(unsigned long long)n->info.cgroupid, n->info.pid);
	fprintf(stderr, "#   module: ret %d errno %d mask %#llx exit_code %#x cgroupid %llu pid %u\n",
		m->ret, m->err, (unsigned long long)m->info.mask, m->info.exit_code,
		(unsigned long long)m->info.cgroupid, m->info.pid);
	return 0;
}

/* Both answers to mask; fails the test where they differ. */
#define EXPECT_SAME_EXIT_INFO(t, mask, m)                                                       \
	do {                                                                                    \
		struct answer __n = ask((t)->native, false, (mask));                            \
		*(m) = ask((t)->module, true, (mask));                                          \
		EXPECT_TRUE(same_answer(&__n, (m))) TH_LOG("native and module differ (above)"); \
	} while (0)

/* A child that waits for a byte on go, then runs how(arg). */
struct child {
	pid_t pid;
	int go, native, module;
};

static void *group_exit_thread(void *code)
{
	syscall(SYS_exit_group, (int)(long)code);
	return NULL;
}

/* A non-leader thread execs a shell that exits with the code: the process keeps its pid. */
static void *exec_thread(void *code)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "exit %d", (int)(long)code);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	return NULL;
}

enum how { EXIT_CODE, RAISE, GROUP_EXIT_FROM_THREAD, EXEC_FROM_THREAD, DUMP_CORE };

static int start(struct child *c, enum how how, int arg)
{
	int go[2];
	char byte;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		const struct rlimit no_core = { 0, 0 };
		pthread_t thread;

		const struct rlimit core = { RLIM_INFINITY, RLIM_INFINITY };

		/* A fatal signal's status without the core-dump bit, but where a core is wanted. */
		if (how == DUMP_CORE) {
			setrlimit(RLIMIT_CORE, &core);
		} else {
			setrlimit(RLIMIT_CORE, &no_core);
			prctl(PR_SET_DUMPABLE, 0);
		}
		if (read(go[0], &byte, 1) != 1)
			_exit(100);
		switch (how) {
		case EXIT_CODE:
			_exit(arg);
		case RAISE:
			signal(arg, SIG_DFL);
			raise(arg);
			_exit(101);
		case GROUP_EXIT_FROM_THREAD:
		case EXEC_FROM_THREAD:
			if (pthread_create(&thread, NULL, how == EXEC_FROM_THREAD ? exec_thread :
					   group_exit_thread, (void *)(long)arg))
				_exit(102);
			for (;;)
				pause();
		case DUMP_CORE:
			signal(SIGABRT, SIG_DFL);
			raise(SIGABRT);
			_exit(104);
		}
		_exit(103);
	}
	close(go[0]);
	c->go = go[1];
	c->native = sys_pidfd_open(c->pid, 0);
	c->module = pfo_open(c->pid);
	return c->native >= 0 && c->module >= 0 ? 0 : -1;
}

/* Lets the child run its ending, and waits until it is a zombie (not reaped). */
static int end(struct child *c)
{
	siginfo_t si;

	if (write(c->go, "g", 1) != 1)
		return -1;
	close(c->go);
	return waitid(P_PID, c->pid, &si, WEXITED | WNOWAIT);
}

/* Reaps the child; its wait status. */
static int reap(struct child *c)
{
	int status;

	return waitpid(c->pid, &status, 0) == c->pid ? status : -1;
}

static void finish(struct child *c)
{
	close(c->native);
	close(c->module);
}

TEST(exit_status_after_reap_equals_native_and_waitpid)
{
	const int codes[] = { 0, 1, 42, 255 };

	for (unsigned int i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct answer m;
		struct child c;
		int status;

		ASSERT_EQ(0, start(&c, EXIT_CODE, codes[i])) TH_LOG("child: %m");
		ASSERT_EQ(0, end(&c));
		status = reap(&c);
		ASSERT_EQ(codes[i] << 8, status);
		EXPECT_SAME_EXIT_INFO(&c, PIDFD_OPEN_INFO_EXIT, &m);
		EXPECT_EQ(0, m.ret) TH_LOG("exit(%d): %s", codes[i], strerror(m.err));
		EXPECT_TRUE(m.info.mask & PIDFD_OPEN_INFO_EXIT) TH_LOG("exit(%d): mask %#llx",
			codes[i], (unsigned long long)m.info.mask);
		EXPECT_EQ(status, m.info.exit_code) TH_LOG("exit(%d)", codes[i]);
		finish(&c);
	}
}

TEST(death_by_signal_equals_native)
{
	const int sigs[] = { SIGKILL, SIGTERM, SIGSEGV, SIGABRT, SIGUSR1 };

	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct answer m;
		struct child c;
		int status;

		ASSERT_EQ(0, start(&c, RAISE, sigs[i])) TH_LOG("child: %m");
		ASSERT_EQ(0, end(&c));
		status = reap(&c);
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i]) TH_LOG("status %#x", status);
		EXPECT_SAME_EXIT_INFO(&c, PIDFD_OPEN_INFO_EXIT, &m);
		EXPECT_EQ(sigs[i], m.info.exit_code) TH_LOG("signal %d", sigs[i]);
		finish(&c);
	}
}

TEST(group_exit_by_a_non_leader_thread_equals_native)
{
	struct answer m;
	struct child c;
	int status;

	ASSERT_EQ(0, start(&c, GROUP_EXIT_FROM_THREAD, 7)) TH_LOG("child: %m");
	ASSERT_EQ(0, end(&c));
	status = reap(&c);
	ASSERT_EQ(7 << 8, status);
	EXPECT_SAME_EXIT_INFO(&c, PIDFD_OPEN_INFO_EXIT, &m);
	EXPECT_EQ(7 << 8, m.info.exit_code);
	EXPECT_TRUE(m.info.mask & PIDFD_OPEN_INFO_EXIT);
	finish(&c);
}

/* After a non-leader's exec, the process (same pid, new leader) exits: its status, as native. */
TEST(exec_by_a_non_leader_then_exit_equals_native)
{
	struct answer m;
	struct child c;
	int status;

	ASSERT_EQ(0, access("/bin/sh", X_OK)) TH_LOG("no /bin/sh to exec");
	ASSERT_EQ(0, start(&c, EXEC_FROM_THREAD, 11)) TH_LOG("child: %m");
	ASSERT_EQ(0, end(&c));
	status = reap(&c);
	ASSERT_EQ(11 << 8, status);
	EXPECT_SAME_EXIT_INFO(&c, PIDFD_OPEN_INFO_EXIT, &m);
	EXPECT_EQ(11 << 8, m.info.exit_code);
	EXPECT_TRUE(m.info.mask & PIDFD_OPEN_INFO_EXIT);
	finish(&c);
}

/*
 * A core dump: the module cannot see it (contract, section 9) and reports only
 * what the exit status says, WCOREDUMP included, equal to native's.
 */
TEST(core_dump_shows_in_the_exit_status_only)
{
	const char *pattern_file = "/proc/sys/kernel/core_pattern", *pattern = "/tmp/pfo-core.%p\n";
	const __u64 mask = PIDFD_OPEN_INFO_EXIT | PIDFD_OPEN_INFO_COREDUMP;
	char old[256] = "", core[64];
	struct answer n, m;
	struct child c;
	int fd, status;
	ssize_t len = 0;

	/* Without CONFIG_COREDUMP (the test and debug kernels) nothing dumps: the rest holds. */
	bool dumps = access(pattern_file, F_OK) == 0;

	fd = dumps ? open(pattern_file, O_RDWR | O_CLOEXEC) : -1;
	if (dumps && fd < 0)
		SKIP(return, "core_pattern not writable (%m): needs root");
	if (dumps) {
		len = read(fd, old, sizeof(old) - 1);
		ASSERT_GT(len, 0);
		ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
		ASSERT_EQ((ssize_t)strlen(pattern), write(fd, pattern, strlen(pattern)))
			TH_LOG("core_pattern: %m");
	} else {
		TH_LOG("no core dumps in this kernel (no %s): a dumping signal's status only",
		       pattern_file);
	}
	ASSERT_EQ(0, start(&c, DUMP_CORE, 0)) TH_LOG("child: %m");
	ASSERT_EQ(0, end(&c));
	status = reap(&c);
	if (dumps) {
		snprintf(core, sizeof(core), "/tmp/pfo-core.%d", c.pid);
		unlink(core);
		ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
		ASSERT_EQ(len, write(fd, old, len)) TH_LOG("core_pattern not restored: %m");
		close(fd);
	}
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) TH_LOG("status %#x", status);
	EXPECT_EQ(dumps, !!WCOREDUMP(status)) TH_LOG("status %#x", status);
	n = ask(c.native, false, mask);
	m = ask(c.module, true, mask);
	ASSERT_EQ(0, n.ret);
	ASSERT_EQ(0, m.ret) TH_LOG("%s", strerror(m.err));
	EXPECT_EQ(status, n.info.exit_code);
	EXPECT_EQ(n.info.exit_code, m.info.exit_code);
	/* pidfs learns of a dump only from a pipe or socket core_pattern: here, a file. */
	TH_LOG("native mask %#llx, coredump_mask %#x (no dump report for a file core_pattern)",
	       (unsigned long long)n.info.mask, n.info.coredump_mask);
	EXPECT_EQ(0, m.info.mask & PIDFD_OPEN_INFO_COREDUMP);
	EXPECT_EQ(0, m.info.coredump_mask);
	EXPECT_EQ(0, m.info.coredump_signal);
	finish(&c);
}

/* While running and as a zombie: the process's fields, and no exit bit yet. */
TEST(running_and_zombie_have_no_exit_bit_as_native)
{
	struct answer m;
	struct child c;

	ASSERT_EQ(0, start(&c, EXIT_CODE, 3)) TH_LOG("child: %m");
	EXPECT_SAME_EXIT_INFO(&c, PIDFD_OPEN_INFO_EXIT, &m);
	EXPECT_EQ(0, m.ret);
	EXPECT_EQ(OWN_BITS, m.info.mask) TH_LOG("running");
	EXPECT_EQ(c.pid, m.info.pid);
	ASSERT_EQ(0, end(&c));
	EXPECT_SAME_EXIT_INFO(&c, PIDFD_OPEN_INFO_EXIT, &m);
	EXPECT_EQ(0, m.ret);
	EXPECT_EQ(OWN_BITS, m.info.mask) TH_LOG("zombie");
	EXPECT_EQ(0, m.info.exit_code) TH_LOG("zombie");
	EXPECT_EQ(3 << 8, reap(&c));
	finish(&c);
}

/*
 * A pidfd first opened when the process is already a zombie: its inode comes
 * after the exit's wake-up, so it must take the status from the zombie itself.
 */
TEST(opened_as_a_zombie_then_reaped_equals_native)
{
	struct answer m;
	struct child c;
	int go[2];
	siginfo_t si;
	char byte;

	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	c.pid = fork();
	ASSERT_GE(c.pid, 0);
	if (c.pid == 0) {
		if (read(go[0], &byte, 1) != 1)
			_exit(100);
		_exit(12);
	}
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, waitid(P_PID, c.pid, &si, WEXITED | WNOWAIT));
	c.native = sys_pidfd_open(c.pid, 0);
	c.module = pfo_open(c.pid);
	ASSERT_GE(c.native, 0);
	ASSERT_GE(c.module, 0) TH_LOG("PIDFD_IOC_OPEN of a zombie: %m");
	EXPECT_EQ(12 << 8, reap(&c));
	EXPECT_SAME_EXIT_INFO(&c, PIDFD_OPEN_INFO_EXIT, &m);
	EXPECT_TRUE(m.info.mask & PIDFD_OPEN_INFO_EXIT);
	EXPECT_EQ(12 << 8, m.info.exit_code);
	close(go[0]);
	close(go[1]);
	finish(&c);
}

/* Without the exit bit, a reaped process has nothing to tell: ESRCH. */
TEST(reaped_without_exit_bit_is_esrch_as_native)
{
	struct answer m;
	struct child c;

	ASSERT_EQ(0, start(&c, EXIT_CODE, 4)) TH_LOG("child: %m");
	ASSERT_EQ(0, end(&c));
	EXPECT_EQ(4 << 8, reap(&c));
	EXPECT_SAME_EXIT_INFO(&c, 0, &m);
	EXPECT_EQ(-1, m.ret);
	EXPECT_EQ(ESRCH, m.err);
	finish(&c);
}

/* The status is readable by anyone holding the pidfd: here, not the parent. */
TEST(reaped_by_another_process_equals_native)
{
	int pids[2], go[2];
	struct answer m;
	struct child c;
	pid_t parent;
	char byte;

	ASSERT_EQ(0, pipe2(pids, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	parent = fork();
	ASSERT_GE(parent, 0);
	if (parent == 0) {
		pid_t grandchild = fork();
		int status;

		if (grandchild == 0) {
			if (read(go[0], &byte, 1) != 1)
				_exit(100);
			_exit(9);
		}
		if (write(pids[1], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
			_exit(1);
		_exit(waitpid(grandchild, &status, 0) == grandchild && status == 9 << 8 ? 0 : 2);
	}
	ASSERT_EQ(sizeof(c.pid), read(pids[0], &c.pid, sizeof(c.pid)));
	c.native = sys_pidfd_open(c.pid, 0);
	c.module = pfo_open(c.pid);
	ASSERT_GE(c.native, 0);
	ASSERT_GE(c.module, 0) TH_LOG("PIDFD_IOC_OPEN of the grandchild: %m");
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, reap(&(struct child){ .pid = parent })) TH_LOG("the parent did not reap it");
	EXPECT_SAME_EXIT_INFO(&c, PIDFD_OPEN_INFO_EXIT, &m);
	EXPECT_EQ(9 << 8, m.info.exit_code);
	EXPECT_TRUE(m.info.mask & PIDFD_OPEN_INFO_EXIT);
	finish(&c);
}

static int info_from_child_ns(void *arg)
{
	struct child *c = arg;
	struct answer n = ask(c->native, false, PIDFD_OPEN_INFO_EXIT);
	struct answer m = ask(c->module, true, PIDFD_OPEN_INFO_EXIT);

	if (!same_answer(&n, &m))
		return 1;
	return m.ret == -1 && m.err == EREMOTE ? 0 : 2;
}

/* From a pid namespace where the reaped process has no number: EREMOTE, as native. */
TEST(reaped_outside_the_callers_pid_namespace_is_eremote_as_native)
{
	struct child c;

	ASSERT_EQ(0, start(&c, EXIT_CODE, 5)) TH_LOG("child: %m");
	ASSERT_EQ(0, end(&c));
	EXPECT_EQ(5 << 8, reap(&c));
	EXPECT_EQ(0, run_in_new_pidns(info_from_child_ns, &c)) TH_LOG("1: answers differ, 2: not EREMOTE");
	finish(&c);
}

/*
 * Every published size and larger ones, for a live and a reaped process: both
 * write the same bytes, zeros past what they know, nothing past the size.
 */
TEST(every_structure_size_equals_native_byte_for_byte)
{
	const unsigned int sizes[] = { PIDFD_OPEN_INFO_SIZE_VER0, PIDFD_OPEN_INFO_SIZE_VER1,
				       PIDFD_OPEN_INFO_SIZE_VER2, PIDFD_OPEN_INFO_SIZE_VER3, 96, 200 };
	unsigned char n[256], m[256];
	struct child c;

	ASSERT_EQ(0, start(&c, EXIT_CODE, 6)) TH_LOG("child: %m");
	for (int reaped = 0; reaped < 2; reaped++) {
		if (reaped) {
			ASSERT_EQ(0, end(&c));
			ASSERT_EQ(6 << 8, reap(&c));
		}
		for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			const __u64 mask = PIDFD_OPEN_INFO_EXIT;
			unsigned int size = sizes[i], b;
			int nr, mr;

			memset(n, 0xaa, sizeof(n));
			memset(m, 0xaa, sizeof(m));
			memcpy(n, &mask, sizeof(mask));
			memcpy(m, &mask, sizeof(mask));
			nr = ioctl(c.native, GET_INFO_AT_SIZE(NATIVE_PIDFD_GET_INFO, size), n);
			mr = ioctl(c.module, GET_INFO_AT_SIZE(PIDFD_IOC_GET_INFO, size), m);
			ASSERT_EQ(0, nr) TH_LOG("native at %u bytes: %m", size);
			ASSERT_EQ(0, mr) TH_LOG("module at %u bytes: %m", size);
			for (b = 0; b < sizeof(n) && n[b] == m[b]; b++)
				;
			EXPECT_EQ(sizeof(n), b) TH_LOG("%s, %u bytes: byte %u: native %#x, module %#x",
				reaped ? "reaped" : "running", size, b, n[b % sizeof(n)], m[b % sizeof(m)]);
			EXPECT_EQ(0xaa, m[size]) TH_LOG("written past %u bytes", size);
		}
	}
	finish(&c);
}

/* A structure smaller than the first published one is no GET_INFO command at all. */
TEST(smaller_than_ver0_is_enotty_as_native)
{
	unsigned char buf[64] = { 0 };
	struct child c;

	ASSERT_EQ(0, start(&c, EXIT_CODE, 0)) TH_LOG("child: %m");
	EXPECT_EQ(-1, ioctl(c.native, GET_INFO_AT_SIZE(NATIVE_PIDFD_GET_INFO, 56), buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(c.module, GET_INFO_AT_SIZE(PIDFD_IOC_GET_INFO, 56), buf));
	EXPECT_EQ(ENOTTY, errno);
	ASSERT_EQ(0, end(&c));
	reap(&c);
	finish(&c);
}

/* The module's supported mask: exactly what it fills, all of which native supports too. */
TEST(supported_mask_is_what_the_module_fills)
{
	const __u64 own = OWN_BITS | PIDFD_OPEN_INFO_EXIT | PIDFD_OPEN_INFO_SUPPORTED_MASK;
	struct answer n, m;
	struct child c;

	ASSERT_EQ(0, start(&c, EXIT_CODE, 0)) TH_LOG("child: %m");
	n = ask(c.native, false, PIDFD_OPEN_INFO_SUPPORTED_MASK);
	m = ask(c.module, true, PIDFD_OPEN_INFO_SUPPORTED_MASK);
	ASSERT_EQ(0, n.ret);
	ASSERT_EQ(0, m.ret) TH_LOG("%s", strerror(m.err));
	EXPECT_TRUE(m.info.mask & PIDFD_OPEN_INFO_SUPPORTED_MASK);
	EXPECT_EQ(own, m.info.supported_mask);
	EXPECT_EQ(own, n.info.supported_mask & own) TH_LOG("native %#llx",
		(unsigned long long)n.info.supported_mask);
	ASSERT_EQ(0, end(&c));
	reap(&c);
	finish(&c);
}

/* PIDFD_OPEN_NONBLOCK shows in F_GETFL, as PIDFD_NONBLOCK does on a native pidfd. */
TEST(nonblock_shows_in_getfl_as_native)
{
	struct pidfd_open_args args = { .pid = getpid(), .procfd = -1, .pidfd = -1,
					.flags = PIDFD_OPEN_NONBLOCK };
	int dev = pfo_dev(), native = sys_pidfd_open(getpid(), O_NONBLOCK), module;

	ASSERT_GE(dev, 0);
	ASSERT_GE(native, 0);
	module = ioctl(dev, PIDFD_IOC_OPEN, &args);
	ASSERT_GE(module, 0) TH_LOG("PIDFD_IOC_OPEN(PIDFD_OPEN_NONBLOCK): %m");
	EXPECT_EQ(fcntl(native, F_GETFL), fcntl(module, F_GETFL));
	EXPECT_TRUE(fcntl(module, F_GETFL) & O_NONBLOCK);
	args.flags = PIDFD_OPEN_NONBLOCK | PIDFD_TO_PROCFD;
	EXPECT_EQ(-1, ioctl(dev, PIDFD_IOC_OPEN, &args));
	EXPECT_EQ(EINVAL, errno);
	close(module);
	close(native);
	close(dev);
}

TEST_HARNESS_MAIN
