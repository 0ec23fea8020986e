// SPDX-License-Identifier: GPL-2.0
/*
 * Leak accounting: after many open/translate/close cycles, over processes that
 * live and die and pid numbers that get reused, the pid slab objects, the fd
 * count and the kernel's slab memory return to where they started. Run on the
 * debug kernel too, where kmemleak and KASAN watch the same cycles. The cycles
 * include PIDFD_TO_PROCFD's error paths with native pidfds as input.
 */
#include <poll.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#define CYCLES 100000
#define PER_PROCESS 100		/* cycles on each short-lived child */
#define NATIVE_PER_PROCESS 10	/* rounds of the native pidfds' error paths on each child */
/* struct pid objects that may be in flight (RCU-deferred frees, the harness's own children). */
#define PID_TOLERANCE 8
/* Slab: kB of slack for caches that grow and shrink on their own. */
#define SLAB_TOLERANCE_KB 1024

static long slab_kb(void)
{
	char buf[64];

	if (read_field_at(AT_FDCWD, "/proc/meminfo", "Slab:", buf, sizeof(buf)) < 0)
		return -1;
	return atol(buf);
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
 * PIDFD_TO_PROCFD's error paths with native pidfds: a pidfd of a reaped
 * process (whose number the live child now has), one of a process with no
 * number in the mount's namespace, and, as euid 65534, the open errors of
 * hidepid=invisible and hidepid=noaccess for the live child, a process of
 * root's. Each returns no fd.
 */
struct native_paths {
	int outside;		/* native pidfd of a process outside the pid namespace */
	int invisible, noaccess;	/* procfs roots mounted with those hidepid= values */
	long calls;
};

static int native_error_cycle(int proc, struct native_paths *np, int reaped, pid_t live)
{
	int live_pidfd = sys_pidfd_open(live, 0), invisible, invisible_err, noaccess, noaccess_err;

	CHECK(live_pidfd >= 0, "pidfd_open(%d): %m", live);
	CHECK(pfo_to_procfd(proc, reaped) == -1 && errno == ESRCH, "native, reaped: %m");
	CHECK(pfo_to_procfd(proc, np->outside) == -1 && errno == ESRCH, "native, no number: %m");
	/* hidepid lets the group of gid= (0 by default) see everything: drop it too. */
	CHECK(setegid(65534) == 0 && seteuid(65534) == 0, "seteuid(65534): %m");
	invisible = pfo_to_procfd(np->invisible, live_pidfd);
	invisible_err = errno;
	noaccess = pfo_to_procfd(np->noaccess, live_pidfd);
	noaccess_err = errno;
	CHECK(seteuid(0) == 0 && setegid(0) == 0, "seteuid(0): %m");
	close(live_pidfd);
	if (invisible >= 0)
		close(invisible);
	if (noaccess >= 0)
		close(noaccess);
	CHECK(invisible == -1 && invisible_err == ENOENT, "native, hidepid=invisible: %d, errno %d",
	      invisible, invisible_err);
	CHECK(noaccess == -1 && noaccess_err == EPERM, "native, hidepid=noaccess: %d, errno %d",
	      noaccess, noaccess_err);
	np->calls += 4;
	return 0;
}

/*
 * Each child gets the same number (RECYCLED_NR, through clone3 set_tid), so
 * the fds of the previous one are stale in both ways when the error paths run:
 * reaped, and their number taken.
 */
#define RECYCLED_NR 100

static int cycles(int proc, int count, int *prev_pidfd, int *prev_dir, int *prev_native,
		  struct native_paths *np)
{
	int done = 0;

	while (done < count) {
		pid_t child = spawn_named_with_tid("leak-child", RECYCLED_NR);
		int i;

		CHECK(child == RECYCLED_NR, "clone3 set_tid: %d (%m)", child);
		if (*prev_pidfd >= 0) {
			CHECK(dead_cycle(proc, *prev_pidfd, *prev_dir, child) == 0, "dead cycle %d",
			      done);
			for (i = 0; i < NATIVE_PER_PROCESS; i++)
				CHECK(native_error_cycle(proc, np, *prev_native, child) == 0,
				      "native error cycle %d", done);
			close(*prev_dir);
			close(*prev_pidfd);
			close(*prev_native);
		}
		for (i = 0; i < PER_PROCESS - 1; i++)
			CHECK(live_cycle(proc, child) == 0, "cycle %d", done + i);
		*prev_pidfd = pfo_open(child);
		*prev_dir = pfo_to_procfd(proc, *prev_pidfd);
		*prev_native = sys_pidfd_open(child, 0);
		CHECK(*prev_pidfd >= 0 && *prev_dir >= 0 && *prev_native >= 0, "fds: %m");
		CHECK(kill_and_reap(child) == 0, "reap");
		done += PER_PROCESS;
	}
	return 0;
}

/*
 * As PID 1 of a new pid namespace, with its own procfs (and two with hidepid=);
 * arg points to a native pidfd of a process outside the namespace.
 */
static int leak_run(void *arg)
{
	long pids_before, pids_after, slab_before, slab_half, slab_after, cycles_run = scaled(CYCLES);
	int proc, fds_before, fds_after, prev_pidfd = -1, prev_dir = -1, prev_native = -1, ok = 1;
	struct native_paths np = { .outside = *(int *)arg };

	CHECK(mount_proc("/tmp/proc-inner", NULL) == 0, "mount proc: %m");
	proc = open("/tmp/proc-inner", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(proc >= 0, "open proc: %m");
	CHECK(mount_proc("/tmp/proc-invisible", "hidepid=invisible") == 0 &&
	      mount_proc("/tmp/proc-noaccess", "hidepid=noaccess") == 0, "mount hidepid proc: %m");
	np.invisible = open("/tmp/proc-invisible", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	np.noaccess = open("/tmp/proc-noaccess", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(np.invisible >= 0 && np.noaccess >= 0, "open hidepid proc: %m");
	/* Warm up: the first cycles fill caches (dentries, inodes) that stay. */
	CHECK(live_cycle(proc, getpid()) == 0, "warm-up");
	pids_before = settled_pid_objects(0, PID_TOLERANCE);
	slab_before = slab_kb();
	fds_before = (pfo_dev(), fd_count());
	CHECK(pids_before > 0, "no pid cache in /proc/slabinfo (slab_nomerge?)");

	CHECK(cycles(proc, cycles_run / 2, &prev_pidfd, &prev_dir, &prev_native, &np) == 0,
	      "first half");
	slab_half = slab_kb();
	CHECK(cycles(proc, cycles_run / 2, &prev_pidfd, &prev_dir, &prev_native, &np) == 0,
	      "second half");
	close(prev_dir);
	close(prev_pidfd);
	close(prev_native);

	pids_after = settled_pid_objects(pids_before, PID_TOLERANCE);
	slab_after = slab_kb();
	fds_after = fd_count();
	REPORT_FIGURE("leak_cycles", cycles_run);
	REPORT_FIGURE("leak_native_error_calls", np.calls);
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
	int outside = sys_pidfd_open(getpid(), 0);

	ASSERT_GE(outside, 0) TH_LOG("pidfd_open(self): %m");
	EXPECT_EQ(0, run_in_new_pidns(leak_run, &outside));
}

TEST_HARNESS_MAIN
