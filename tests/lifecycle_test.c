// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifecycle and privilege: rmmod is refused while pidfds are open or
 * polled and while ioctls run, succeeds once they are gone, and 100 load and
 * unload cycles leave nothing behind. An unprivileged user can do with module
 * pidfds what native pidfds allow, and nothing they forbid.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#define PIDFD_OPEN_NEEDS_MODULE_FILE
#include "kselftest_harness.h"
#include "pidfd_open_test.h"

static int unload(void)
{
	return sys_delete_module("pidfd_open", O_NONBLOCK);
}

/* After a test: the module is loaded again, whatever happened. */
static void ensure_loaded(void)
{
	if (access(PIDFD_OPEN_DEV, F_OK) < 0)
		pidfd_open_load();
}

static int open_pidfd_then_close_device(pid_t pid)
{
	int dev = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC), pidfd;

	if (dev < 0)
		return -1;
	pidfd = pfo_on(dev, pid, -1, -1, 0);
	close(dev);
	return pidfd;
}

TEST(rmmod_is_refused_while_a_pidfd_is_open)
{
	int pidfd = open_pidfd_then_close_device(getpid());

	ASSERT_GE(pidfd, 0);
	EXPECT_EQ(-1, pidfd_open_unload_after_delay());
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(-1, sys_delete_module("pidfd_open", 0));
	EXPECT_EQ(EWOULDBLOCK, errno);
	/* The pidfd still works. */
	EXPECT_EQ(0, pfo_send_signal(pidfd, 0, 0));
	close(pidfd);
	EXPECT_EQ(0, pidfd_open_unload_when_idle()) TH_LOG("rmmod after the last pidfd closed: %m");
	EXPECT_EQ(0, pidfd_open_load()) TH_LOG("reload: %m");
	ensure_loaded();
}

static void *poll_pidfd(void *arg)
{
	struct pollfd p = { .fd = *(int *)arg, .events = POLLIN };

	return (void *)(long)poll(&p, 1, 10000);
}

TEST(rmmod_is_refused_while_a_thread_polls_a_pidfd)
{
	pid_t child = spawn_named("polled");
	int pidfd = open_pidfd_then_close_device(child);
	struct timespec settle = { .tv_nsec = 100 * 1000 * 1000 };
	pthread_t thread;
	void *ret;

	ASSERT_GE(pidfd, 0);
	ASSERT_EQ(0, pthread_create(&thread, NULL, poll_pidfd, &pidfd));
	nanosleep(&settle, NULL);
	EXPECT_EQ(-1, pidfd_open_unload_after_delay());
	EXPECT_EQ(EWOULDBLOCK, errno);
	kill_and_reap(child);
	pthread_join(thread, &ret);
	EXPECT_EQ((void *)1, ret) TH_LOG("the poller did not wake on exit");
	close(pidfd);
	EXPECT_EQ(0, pidfd_open_unload_when_idle()) TH_LOG("%m");
	EXPECT_EQ(0, pidfd_open_load()) TH_LOG("%m");
	ensure_loaded();
}

/* Threads that open the device, run ioctls and close it, until told to stop. */
struct storm {
	atomic_bool stop, lull;
	atomic_long calls, unexpected;
};

/*
 * Each round ends with a pause of up to 300 us: without gaps, three threads on
 * two CPUs always hold a module reference, and rmmod could only be refused.
 */
static void *ioctl_storm(void *arg)
{
	struct storm *s = arg;
	unsigned int seed = (unsigned int)gettid();

	while (!atomic_load(&s->stop)) {
		int dev, fd;

		if (atomic_load(&s->lull)) {
			usleep(1000);
			continue;
		}
		dev = open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC);
		if (dev < 0) {
			/* Unloaded under us: the node is gone, or its driver is. */
			if (errno != ENOENT && errno != ENODEV && errno != ENXIO)
				atomic_fetch_add(&s->unexpected, 1);
			continue;
		}
		fd = pfo_on(dev, getpid(), -1, -1, 0);
		if (fd >= 0) {
			pfo_send_signal(fd, 0, 0);
			close(fd);
		}
		atomic_fetch_add(&s->calls, 1);
		close(dev);
		usleep(rand_r(&seed) % 300);
	}
	return NULL;
}

LONG_TEST(storm, rmmod_during_an_ioctl_storm_is_refused_or_clean, 120)
{
	static struct storm s;
	int i, refused = 0, unloaded = 0;
	unsigned int seed = 1;
	pthread_t threads[3];
	struct timespec start;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, ioctl_storm, &s));
	/*
	 * Attempts paced by up to 200 us, for at least 200 attempts and 1000 ioctl
	 * rounds (a fifth on the debug kernel), and on until both outcomes were
	 * seen (for at most 60 s). Every 50th attempt, until three unloads, comes in
	 * a lull of the storm: the module gives up its file system only after
	 * 100 ms without a pidfd, which the storm never leaves it, so that is when
	 * an unload can succeed (and a reload on the debug kernel takes a second).
	 */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < 200 || s.calls < scaled(1000) || !unloaded || !refused; i++) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 60)
			break;
		atomic_store(&s.lull, i % 50 == 49 && unloaded < 3);
		if ((atomic_load(&s.lull) ? pidfd_open_unload_when_idle() : unload()) == 0) {
			unloaded++;
			ASSERT_EQ(0, pidfd_open_load()) TH_LOG("reload: %m");
		} else {
			ASSERT_EQ(EWOULDBLOCK, errno) TH_LOG("rmmod: %m");
			refused++;
		}
		usleep(rand_r(&seed) % 200);
	}
	atomic_store(&s.stop, true);
	for (i = 0; i < 3; i++)
		pthread_join(threads[i], NULL);
	ensure_loaded();
	TH_LOG("%d unloads, %d refusals, %ld ioctl rounds", unloaded, refused, (long)s.calls);
	REPORT_FIGURE("storm_unloads", unloaded);
	REPORT_FIGURE("storm_refusals", refused);
	EXPECT_EQ(0, s.unexpected);
	EXPECT_GE(s.calls, scaled(1000));
	/* Both branches ran: an unload under the storm, and a refusal while an ioctl held it. */
	EXPECT_GE(unloaded, 1) TH_LOG("rmmod never succeeded during the storm");
	EXPECT_GE(refused, 1) TH_LOG("rmmod was never refused during the storm");
}

/* A meminfo figure after dropping reclaimable caches (dentries, inodes). */
static long meminfo_kb(const char *key)
{
	char buf[64];
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	if (fd >= 0 && write(fd, "3", 1) != 1)
		fprintf(stderr, "# drop_caches: %m\n");
	if (fd >= 0)
		close(fd);
	return read_field_at(AT_FDCWD, "/proc/meminfo", key, buf, sizeof(buf)) < 0 ? -1 : atol(buf);
}

static int cycle_module(int times)
{
	int i;

	for (i = 0; i < times; i++)
		if (pidfd_open_unload_when_idle() < 0 || pidfd_open_load() < 0) {
			fprintf(stderr, "# cycle %d: %m\n", i);
			return -1;
		}
	return 0;
}

/*
 * The kernel's own caches grow over the first few dozen cycles (measured:
 * +316 kB unreclaimable slab over the first 50, then +8 to +48 kB per 50), so
 * 50 cycles warm up first. VmallocUsed moves by -44 to +64 kB over 100 cycles
 * (lazy vfree), hence its wider bound. A leaked registration or module image
 * per cycle would add at least a kilobyte or a page a cycle, 100 kB or 400 kB
 * in all; finer leaks are kmemleak's.
 */
LONG_TEST(cycles, load_and_unload_100_times_leaves_no_leak, 600)
{
	long slab_before, slab_after, vmalloc_before, vmalloc_after, cycles = scaled(100);

	ASSERT_EQ(0, cycle_module(scaled(50)));
	slab_before = meminfo_kb("SUnreclaim:");
	vmalloc_before = meminfo_kb("VmallocUsed:");
	ASSERT_EQ(0, cycle_module(cycles));
	slab_after = meminfo_kb("SUnreclaim:");
	vmalloc_after = meminfo_kb("VmallocUsed:");
	ensure_loaded();
	REPORT_FIGURE("module_cycles", cycles);
	REPORT_FIGURE("module_cycles_sunreclaim_kb_delta", slab_after - slab_before);
	REPORT_FIGURE("module_cycles_vmalloc_kb_delta", vmalloc_after - vmalloc_before);
	if (kmemleak_judges_leaks())
		return;
	EXPECT_LT(slab_after - slab_before, 150)
	TH_LOG("SUnreclaim %ld -> %ld kB", slab_before, slab_after);
	EXPECT_LT(vmalloc_after - vmalloc_before, 256)
	TH_LOG("VmallocUsed %ld -> %ld kB", vmalloc_before, vmalloc_after);
}

/*
 * As uid 65534 without capabilities: for each operation, the module's outcome
 * equals native's, on its own child and on root's processes.
 */
static int as_nobody(pid_t root_child)
{
	char nb[64], mb[64];
	struct pidfd_open_info info;
	pid_t own;
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	CHECK(setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0,
	      "setresuid: %m");
	own = spawn_named("own");
	CHECK(own > 0, "fork: %m");

	const pid_t targets[] = { own, root_child, 1 };
	for (unsigned int i = 0; i < 3; i++) {
		pid_t t = targets[i];
		int native = sys_pidfd_open(t, 0), ne = errno;
		int module = pfo_open(t), me = errno;
		int n, m, dir;

		CHECK(!strcmp(outcome_of(native, ne, nb, sizeof(nb)), outcome_of(module, me, mb, sizeof(mb))),
		      "open %d: native %s, module %s", t, nb, mb);
		CHECK(module >= 0, "open %d as nobody: %m", t);
		n = sys_pidfd_send_signal(native, 0, NULL, 0);
		ne = errno;
		m = pfo_send_signal(module, 0, 0);
		me = errno;
		CHECK(!strcmp(outcome_of(n, ne, nb, sizeof(nb)), outcome_of(m, me, mb, sizeof(mb))),
		      "signal 0 to %d: native %s, module %s", t, nb, mb);
		n = native_get_info(native, &info);
		ne = errno;
		m = pfo_get_info(module, &info);
		me = errno;
		CHECK(!strcmp(outcome_of(n, ne, nb, sizeof(nb)), outcome_of(m, me, mb, sizeof(mb))),
		      "get_info %d: native %s, module %s", t, nb, mb);
		/* The translations: as open(2) of /proc/<pid> by this user. */
		dir = pfo_to_procfd(proc, module);
		CHECK(dir >= 0, "PIDFD_TO_PROCFD of %d as nobody: %m", t);
		m = pfo_to_pidfd(dir);
		CHECK(m >= 0, "PROCFD_TO_PIDFD of %d as nobody: %m", t);
		close(m);
		close(dir);
		close(module);
		close(native);
	}
	/* What native forbids: signalling root's process. */
	CHECK(pfo_send_signal(pfo_open(root_child), SIGKILL, 0) == -1 && errno == EPERM,
	      "SIGKILL to root's child: %m");
	kill_and_reap(own);
	return 0;
}

TEST(unprivileged_user_gets_what_native_pidfds_allow)
{
	pid_t root_child = spawn_named("rootchild"), pid;
	int status;

	ASSERT_GT(root_child, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(as_nobody(root_child));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, kill(root_child, 0)) TH_LOG("root's child must be alive");
	kill_and_reap(root_child);
}

TEST_HARNESS_MAIN
