// SPDX-License-Identifier: GPL-2.0
/*
 * PIDFD_IOC_SEND_SIGNAL against the native pidfd_send_signal(2) on a native
 * pidfd of the same process: same result, same errno, same siginfo.
 */
#include "kselftest_harness.h"
#include "pidfd_open_test.h"

/* Native and module outcomes of the same send, compared; returns the module's errno or 0. */
#define EXPECT_SAME_SEND(native_fd, module_fd, sig, native_flags, module_flags, want)          \
	do {                                                                                   \
		char __nb[64], __mb[64];                                                       \
		int __n = sys_pidfd_send_signal(native_fd, sig, NULL, native_flags);           \
		int __ne = errno;                                                              \
		int __m = pfo_send_signal(module_fd, sig, module_flags);                       \
		int __me = errno;                                                              \
		const char *__ns = outcome_of(__n, __ne, __nb, sizeof(__nb));                  \
		const char *__ms = outcome_of(__m, __me, __mb, sizeof(__mb));                  \
		EXPECT_STREQ(__ns, __ms) TH_LOG("sig %d: native %s, module %s", sig, __ns, __ms); \
		EXPECT_EQ(want, __m < 0 ? __me : 0) TH_LOG("sig %d: module %s", sig, __ms);     \
	} while (0)

FIXTURE(target) {
	struct target t;
};

FIXTURE_SETUP(target)
{
	ASSERT_EQ(0, target_open(&self->t, spawn_named("target"))) TH_LOG("target: %m");
}

FIXTURE_TEARDOWN(target)
{
	kill_and_reap(self->t.child);
}

TEST_F(target, signal_zero_equals_native)
{
	EXPECT_SAME_SEND(self->t.native, self->t.module, 0, 0, 0, 0);
	EXPECT_EQ(0, kill(self->t.child, 0)) TH_LOG("signal 0 must not kill");
}

TEST_F(target, invalid_signal_equals_native)
{
	const int sigs[] = { -1, 65, 1000, INT32_MIN };
	unsigned int i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		EXPECT_SAME_SEND(self->t.native, self->t.module, sigs[i], 0, 0, EINVAL);
}

TEST_F(target, unknown_or_several_scope_flags_are_einval_as_native)
{
	EXPECT_SAME_SEND(self->t.native, self->t.module, SIGTERM, 1U << 31, 1U << 31, EINVAL);
	EXPECT_SAME_SEND(self->t.native, self->t.module, SIGTERM, 8, 8, EINVAL);
	EXPECT_SAME_SEND(self->t.native, self->t.module, SIGTERM, 3, PIDFD_OPEN_SIGNAL_THREAD |
			 PIDFD_OPEN_SIGNAL_THREAD_GROUP, EINVAL);
	EXPECT_SAME_SEND(self->t.native, self->t.module, SIGTERM, 6, PIDFD_OPEN_SIGNAL_THREAD_GROUP |
			 PIDFD_OPEN_SIGNAL_PROCESS_GROUP, EINVAL);
	EXPECT_EQ(0, kill(self->t.child, 0)) TH_LOG("a refused send must not deliver");
}

TEST_F(target, thread_group_scope_equals_native_default)
{
	EXPECT_SAME_SEND(self->t.native, self->t.module, 0, 2, PIDFD_OPEN_SIGNAL_THREAD_GROUP, 0);
}

/* The target does not lead a process group: both find the group empty. */
TEST_F(target, process_group_scope_of_a_non_leader_is_esrch_as_native)
{
	ASSERT_NE(self->t.child, getpgid(self->t.child));
	EXPECT_SAME_SEND(self->t.native, self->t.module, 0, 4, PIDFD_OPEN_SIGNAL_PROCESS_GROUP, ESRCH);
}

/* No exported kernel function signals one thread with the caller's permission checked. */
TEST_F(target, thread_scope_is_eopnotsupp_where_native_succeeds)
{
	EXPECT_EQ(0, sys_pidfd_send_signal(self->t.native, 0, NULL, 1)) TH_LOG("native: %m");
	EXPECT_EQ(-1, pfo_send_signal(self->t.module, 0, PIDFD_OPEN_SIGNAL_THREAD));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

/* Binaries of the first header pass 8 bytes under the first command number. */
TEST_F(target, first_header_command_with_8_bytes_still_works)
{
	struct { __s32 sig; __u32 flags; } old = { .sig = 0, .flags = 0 };

	EXPECT_EQ(0, ioctl(self->t.module, PIDFD_IOC_SEND_SIGNAL_VER0, &old)) TH_LOG("%m");
	old.flags = 1U << 31;
	EXPECT_EQ(-1, ioctl(self->t.module, PIDFD_IOC_SEND_SIGNAL_VER0, &old));
	EXPECT_EQ(EINVAL, errno);
}

/* No exported kernel function sends a caller's siginfo with the permission checked. */
TEST_F(target, siginfo_is_eopnotsupp)
{
	siginfo_t si = { .si_signo = SIGUSR1, .si_code = SI_QUEUE };
	struct pidfd_signal_args args = { .sig = SIGUSR1, .info = (uintptr_t)&si };

	EXPECT_EQ(-1, ioctl(self->t.module, PIDFD_IOC_SEND_SIGNAL, &args));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(0, kill(self->t.child, 0)) TH_LOG("a refused send must not deliver");
}

TEST_F(target, reaped_target_equals_native)
{
	ASSERT_EQ(0, kill_and_reap(self->t.child));
	EXPECT_SAME_SEND(self->t.native, self->t.module, 0, 0, 0, ESRCH);
	EXPECT_SAME_SEND(self->t.native, self->t.module, SIGTERM, 0, 0, ESRCH);
}

/* A child that reports the siginfo of each SIGUSR1 through a pipe. */
static int report_fd;

static void report_siginfo(int sig, siginfo_t *info, void *ctx)
{
	int fields[4] = { sig, info->si_code, info->si_pid, (int)info->si_uid };

	(void)ctx;
	if (write(report_fd, fields, sizeof(fields)) != sizeof(fields))
		_exit(3);
}

TEST(caught_signal_arrives_with_native_siginfo)
{
	int pipefd[2], ready[2], native, module, n[4], m[4];
	struct sigaction sa = { .sa_sigaction = report_siginfo, .sa_flags = SA_SIGINFO };
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		report_fd = pipefd[1];
		sigaction(SIGUSR1, &sa, NULL);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	native = sys_pidfd_open(child, 0);
	module = pfo_open(child);
	ASSERT_GE(native, 0);
	ASSERT_GE(module, 0);

	ASSERT_EQ(0, pfo_send_signal(module, SIGUSR1, 0)) TH_LOG("module: %m");
	ASSERT_EQ(sizeof(m), read(pipefd[0], m, sizeof(m)));
	ASSERT_EQ(0, sys_pidfd_send_signal(native, SIGUSR1, NULL, 0)) TH_LOG("native: %m");
	ASSERT_EQ(sizeof(n), read(pipefd[0], n, sizeof(n)));

	EXPECT_EQ(SIGUSR1, m[0]);
	EXPECT_EQ(SI_USER, m[1]);
	EXPECT_EQ(getpid(), m[2]);
	EXPECT_EQ(getuid(), (uid_t)m[3]);
	EXPECT_EQ(0, memcmp(n, m, sizeof(n)))
	TH_LOG("siginfo native {sig %d, code %d, pid %d, uid %d}, module {%d, %d, %d, %d}", n[0],
	       n[1], n[2], n[3], m[0], m[1], m[2], m[3]);
	kill_and_reap(child);
}

/* As uid 65534 against a root process: the kernel's kill permission check. */
static int unprivileged_sends(int native, int module)
{
	int sigs[] = { 0, SIGTERM }, i;

	CHECK(setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0,
	      "setresuid: %m");
	for (i = 0; i < 2; i++) {
		int n = sys_pidfd_send_signal(native, sigs[i], NULL, 0), ne = errno;
		int m = pfo_send_signal(module, sigs[i], 0), me = errno;

		CHECK(n == -1 && ne == EPERM, "sig %d: native %d errno %d", sigs[i], n, ne);
		CHECK(m == -1 && me == EPERM, "sig %d: module %d errno %d", sigs[i], m, me);
	}
	return 0;
}

TEST_F(target, unprivileged_caller_against_root_is_eperm_as_native)
{
	int status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(unprivileged_sends(self->t.native, self->t.module));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, kill(self->t.child, 0)) TH_LOG("the target must be untouched");
}

/* From a child pid namespace to a process outside it. */
static int send_outside_namespace(void *arg)
{
	struct target *fds = arg;
	int n = sys_pidfd_send_signal(fds->native, 0, NULL, 0), ne = errno;
	int m = pfo_send_signal(fds->module, 0, 0), me = errno;

	CHECK(n == -1 && ne == EINVAL, "native %d errno %d", n, ne);
	CHECK(m == -1 && me == EINVAL, "module %d errno %d", m, me);
	return 0;
}

TEST_F(target, caller_in_child_namespace_to_outside_is_einval_as_native)
{
	EXPECT_EQ(0, run_in_new_pidns(send_outside_namespace, &self->t));
}

TEST_F(target, bad_argument_pointer_is_efault_and_unknown_ioctl_enotty)
{
	EXPECT_EQ(-1, ioctl(self->t.module, PIDFD_IOC_SEND_SIGNAL, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->t.module, PIDFD_IOC_SEND_SIGNAL, (void *)0x10));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->t.module, _IO(PIDFD_IOC_MAGIC, 0x7f), NULL));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->t.module, PIDFD_IOC_OPEN, NULL));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(0, kill(self->t.child, 0));
}

TEST_HARNESS_MAIN
