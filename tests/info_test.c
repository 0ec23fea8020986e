// SPDX-License-Identifier: GPL-2.0
/*
 * PIDFD_IOC_GET_INFO against the native PIDFD_GET_INFO on a native pidfd of
 * the same process: from the initial namespaces, from a child pid namespace,
 * and from a user namespace with a uid mapping.
 */
#define PIDFD_OPEN_NEEDS_USER_NS
#include "kselftest_harness.h"
#include "pidfd_open_test.h"

/* A child with distinct ids everywhere: r/e/s uid 1001/1002/1003, gid 2001/2002/2003. */
static pid_t spawn_with_creds(void)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (setresgid(2001, 2002, 2003) || setresuid(1001, 1002, 1003))
			_exit(2);
		if (write(ready[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	if (pid > 0 && read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	close(ready[1]);
	return pid;
}

FIXTURE(target) {
	struct target t;
};

FIXTURE_SETUP(target)
{
	ASSERT_EQ(0, target_open(&self->t, spawn_with_creds())) TH_LOG("target: %m");
}

FIXTURE_TEARDOWN(target)
{
	kill_and_reap(self->t.child);
}

TEST_F(target, info_equals_native_in_initial_namespaces)
{
	struct pidfd_open_info m;

	ASSERT_EQ(0, compare_info(self->t.native, self->t.module, &m));
	EXPECT_EQ(OWN_BITS, m.mask);
	EXPECT_EQ(self->t.child, m.pid);
	EXPECT_EQ(self->t.child, m.tgid);
	EXPECT_EQ(getpid(), m.ppid);
	EXPECT_EQ(1001, m.ruid);
	EXPECT_EQ(1002, m.euid);
	EXPECT_EQ(1003, m.suid);
	EXPECT_EQ(1002, m.fsuid);
	EXPECT_EQ(2001, m.rgid);
	EXPECT_EQ(2002, m.egid);
	EXPECT_EQ(2003, m.sgid);
	EXPECT_EQ(2002, m.fsgid);
}

/* Every bit asked for: what the module has, for a running process, and nothing else. */
TEST_F(target, all_bits_asked_give_what_a_running_process_has_as_native)
{
	const __u64 own = OWN_BITS | PIDFD_OPEN_INFO_SUPPORTED_MASK;
	struct pidfd_open_info n, m;

	memset(&n, 0xff, sizeof(n));
	memset(&m, 0xff, sizeof(m));
	ASSERT_EQ(0, ioctl(self->t.native, NATIVE_PIDFD_GET_INFO, &n));
	ASSERT_EQ(0, ioctl(self->t.module, PIDFD_IOC_GET_INFO, &m));
	EXPECT_EQ(own, m.mask);
	EXPECT_EQ(own, n.mask & (own | PIDFD_OPEN_INFO_EXIT)) TH_LOG("native mask %#llx",
		(unsigned long long)n.mask);
	EXPECT_EQ(0, m.exit_code) TH_LOG("running: no exit status");
	EXPECT_EQ(n.exit_code, m.exit_code);
	EXPECT_EQ(self->t.child, m.pid);
	EXPECT_EQ(0, m.coredump_mask);
}

TEST_F(target, reaped_is_esrch_as_native)
{
	struct pidfd_open_info info;
	int n, ne, m, me;

	ASSERT_EQ(0, kill_and_reap(self->t.child));
	n = native_get_info(self->t.native, &info);
	ne = errno;
	m = pfo_get_info(self->t.module, &info);
	me = errno;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ESRCH, ne);
	EXPECT_EQ(-1, m);
	EXPECT_EQ(ESRCH, me);
}

TEST_F(target, bad_argument_pointer_is_efault)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-1, ioctl(self->t.module, PIDFD_IOC_GET_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->t.module, PIDFD_IOC_GET_INFO, (void *)0x10));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->t.module, PIDFD_IOC_GET_INFO, ro)) TH_LOG("read-only memory");
	EXPECT_EQ(EFAULT, errno);
}

/* As PID 1 of a child namespace: X (2 here) agrees; the outside process is EREMOTE. */
static int info_from_child_namespace(void *arg)
{
	struct target *outside = arg;
	struct pidfd_open_info m;
	int native, module, n, ne, r, re;
	pid_t x = spawn_named("x");

	CHECK(x == 2, "first child is %d", x);
	native = sys_pidfd_open(x, 0);
	module = pfo_open(x);
	CHECK(native >= 0 && module >= 0, "pidfds: %m");
	CHECK(compare_info(native, module, &m) == 0, "x");
	CHECK(m.pid == 2 && m.tgid == 2 && m.ppid == 1, "pid %u tgid %u ppid %u", m.pid, m.tgid,
	      m.ppid);

	n = native_get_info(outside->native, &m);
	ne = errno;
	r = pfo_get_info(outside->module, &m);
	re = errno;
	CHECK(n == -1 && ne == EREMOTE, "native outside: %d errno %d", n, ne);
	CHECK(r == -1 && re == EREMOTE, "module outside: %d errno %d", r, re);
	return 0;
}

TEST_F(target, info_equals_native_from_child_pid_namespace)
{
	EXPECT_EQ(0, run_in_new_pidns(info_from_child_namespace, &self->t));
}

/*
 * In a user namespace that maps 0 to uid/gid 1001/2001: the target's ids as
 * mapped (ruid 0; the unmapped ones as the overflow id 65534), as native.
 */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

TEST_F(target, info_equals_native_in_user_namespace_with_mapping)
{
	int to_child[2], from_child[2], status;
	char c, path[64];
	pid_t pid;

	ASSERT_EQ(0, pipe2(to_child, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(from_child, O_CLOEXEC));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct pidfd_open_info m;

		if (unshare(CLONE_NEWUSER) < 0 || write(from_child[1], "u", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(2);
		if (compare_info(self->t.native, self->t.module, &m))
			_exit(1);
		if (m.ruid != 0 || m.rgid != 0 || m.euid != 65534 || m.egid != 65534) {
			fprintf(stderr, "# mapped ids: ruid %u rgid %u euid %u egid %u\n", m.ruid,
				m.rgid, m.euid, m.egid);
			_exit(1);
		}
		_exit(0);
	}
	ASSERT_EQ(1, read(from_child[0], &c, 1));
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	ASSERT_EQ(0, write_file(path, "0 1001 1\n")) TH_LOG("%s: %m", path);
	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	ASSERT_EQ(0, write_file(path, "deny\n"));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	ASSERT_EQ(0, write_file(path, "0 2001 1\n")) TH_LOG("%s: %m", path);
	ASSERT_EQ(1, write(to_child[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

TEST_HARNESS_MAIN
