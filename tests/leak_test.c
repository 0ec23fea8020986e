// SPDX-License-Identifier: GPL-2.0
/*
 * Leak accounting: after many open/translate/close cycles, over processes that
 * live and die and pid numbers that get reused, the pid slab objects, the fd
 * count and the kernel's slab memory return to where they started. Run on the
 * debug kernel too, where kmemleak and KASAN watch the same cycles.
 */
#include <poll.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#define CYCLES 100000
#define PER_PROCESS 100		/* cycles on each short-lived child */
/* struct pid objects that may be in flight (RCU-deferred frees, the harness's own children). */
#define PID_TOLERANCE 8
/* Slab: kB of slack for caches that grow and shrink on their own. */
#define SLAB_TOLERANCE_KB 1024

/*
 * SLUB counts objects parked in per-CPU slabs as active; shrinking a cache
 * flushes those, so that the count is of live objects.
 */
static void shrink_pid_caches(void)
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
static long pid_objects(void)
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

static long slab_kb(void)
{
	char buf[64];

	if (read_field_at(AT_FDCWD, "/proc/meminfo", "Slab:", buf, sizeof(buf)) < 0)
		return -1;
	return atol(buf);
}

/* Waits for RCU-deferred frees of struct pid to land, then reads the count. */
static long settled_pid_objects(long target)
{
	long now = pid_objects();
	int i;

	for (i = 0; i < 50 && now > target + PID_TOLERANCE; i++) {
		usleep(100 * 1000);
		now = pid_objects();
	}
	return now;
}

/* One cycle on a live process: every success path, closing what it returns. */
static int live_cycle(int proc, pid_t pid)
{
	struct pollfd p = { .events = POLLIN };
	struct pidfd_open_info info;
	int pidfd, dir, again;

	pidfd = pfo_open(pid);
	CHECK(pidfd >= 0, "open %d: %m", pid);
	dir = pfo_to_procfd(proc, pidfd);
	CHECK(dir >= 0, "to_procfd: %m");
	again = pfo_to_pidfd(dir);
	CHECK(again >= 0, "to_pidfd: %m");
	CHECK(pfo_get_info(again, &info) == 0, "get_info: %m");
	CHECK(pfo_send_signal(again, 0, 0) == 0, "signal 0: %m");
	p.fd = again;
	CHECK(poll(&p, 1, 0) == 0, "poll of a live process: %d", p.revents);
	close(again);
	close(dir);
	close(pidfd);
	return 0;
}

/* The error paths, on a process that was reaped while we held its fds. */
static int dead_cycle(int proc, int pidfd, int dir, pid_t pid)
{
	struct pidfd_open_info info;

	CHECK(pfo_to_procfd(proc, pidfd) == -1 && errno == ESRCH, "to_procfd: %m");
	CHECK(pfo_to_pidfd(dir) == -1 && errno == ESRCH, "to_pidfd: %m");
	CHECK(pfo_get_info(pidfd, &info) == -1 && errno == ESRCH, "get_info: %m");
	CHECK(pfo_send_signal(pidfd, 0, 0) == -1 && errno == ESRCH, "signal: %m");
	/* The number may have been reused by now; either way no fd may stay behind. */
	close(pfo_open(pid));
	return 0;
}

/*
 * Each child gets the same number (RECYCLED_NR, through clone3 set_tid), so
 * the fds of the previous one are stale in both ways when the error paths run:
 * reaped, and their number taken.
 */
#define RECYCLED_NR 100

static int cycles(int proc, int count, int *prev_pidfd, int *prev_dir)
{
	int done = 0;

	while (done < count) {
		pid_t child = spawn_named_with_tid("leak-child", RECYCLED_NR);
		int i;

		CHECK(child == RECYCLED_NR, "clone3 set_tid: %d (%m)", child);
		if (*prev_pidfd >= 0) {
			CHECK(dead_cycle(proc, *prev_pidfd, *prev_dir, child) == 0, "dead cycle %d",
			      done);
			close(*prev_dir);
			close(*prev_pidfd);
		}
		for (i = 0; i < PER_PROCESS - 1; i++)
			CHECK(live_cycle(proc, child) == 0, "cycle %d", done + i);
		*prev_pidfd = pfo_open(child);
		*prev_dir = pfo_to_procfd(proc, *prev_pidfd);
		CHECK(*prev_pidfd >= 0 && *prev_dir >= 0, "fds: %m");
		CHECK(kill_and_reap(child) == 0, "reap");
		done += PER_PROCESS;
	}
	return 0;
}

/* As PID 1 of a new pid namespace, with its own procfs. */
static int leak_run(void *arg)
{
	long pids_before, pids_after, slab_before, slab_half, slab_after, cycles_run = scaled(CYCLES);
	int proc, fds_before, fds_after, prev_pidfd = -1, prev_dir = -1, ok = 1;

	(void)arg;
	CHECK(mount_proc("/tmp/proc-inner", NULL) == 0, "mount proc: %m");
	proc = open("/tmp/proc-inner", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(proc >= 0, "open proc: %m");
	/* Warm up: the first cycles fill caches (dentries, inodes) that stay. */
	CHECK(live_cycle(proc, getpid()) == 0, "warm-up");
	pids_before = settled_pid_objects(0);
	slab_before = slab_kb();
	fds_before = (pfo_dev(), fd_count());
	CHECK(pids_before > 0, "no pid cache in /proc/slabinfo (slab_nomerge?)");

	CHECK(cycles(proc, cycles_run / 2, &prev_pidfd, &prev_dir) == 0, "first half");
	slab_half = slab_kb();
	CHECK(cycles(proc, cycles_run / 2, &prev_pidfd, &prev_dir) == 0, "second half");
	close(prev_dir);
	close(prev_pidfd);

	pids_after = settled_pid_objects(pids_before);
	slab_after = slab_kb();
	fds_after = fd_count();
	REPORT_FIGURE("leak_cycles", cycles_run);
	REPORT_FIGURE("pid_objects_delta", pids_after - pids_before);
	REPORT_FIGURE("fd_delta", fds_after - fds_before);
	REPORT_FIGURE("slab_kb_delta", slab_after - slab_before);
	REPORT_FIGURE("slab_kb_delta_2nd_half", slab_after - slab_half);
	if (fds_after != fds_before) {
		fprintf(stderr, "# fds %d -> %d\n", fds_before, fds_after);
		ok = 0;
	}
	if (pids_after - pids_before > PID_TOLERANCE) {
		fprintf(stderr, "# pid objects %ld -> %ld over %ld processes\n", pids_before,
			pids_after, cycles_run / PER_PROCESS);
		ok = 0;
	}
	/* Memory that grows with the cycles grows in the second half as in the first. */
	if (!kmemleak_judges_leaks() && (slab_after - slab_half > SLAB_TOLERANCE_KB / 2 ||
					 slab_after - slab_before > SLAB_TOLERANCE_KB)) {
		fprintf(stderr, "# Slab %ld kB -> %ld kB -> %ld kB\n", slab_before, slab_half,
			slab_after);
		ok = 0;
	}
	return ok ? 0 : 1;
}

LONG_TEST(cycles, open_translate_close_cycles_leave_no_leak, 900)
{
	EXPECT_EQ(0, run_in_new_pidns(leak_run, NULL));
}

TEST_HARNESS_MAIN
