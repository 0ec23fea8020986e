// SPDX-License-Identifier: GPL-2.0
/*
 * Pid recycling: a stale pidfd or /proc/<n> directory must never be translated
 * into an fd of the process that got the number next. Each test runs as PID 1
 * of a new pid namespace, where clone3() with set_tid hands out a chosen number
 * again as soon as it is free.
 */
#include <pthread.h>
#include <stdatomic.h>

/* The race loops need both CPUs. */
#define PIDFD_OPEN_NEEDS_CPUS 2
#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#define INNER_PROC "/tmp/proc-inner"
#define RECYCLED_NR 100

static int open_inner_proc(void)
{
	if (mount_proc(INNER_PROC, NULL) < 0)
		return -1;
	return open(INNER_PROC, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int open_inner_pid_dir(int inner, pid_t nr)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", nr);
	return openat(inner, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The comm of the process behind a module pidfd, through the inner procfs ("" if gone). */
static const char *pidfd_comm(int inner, int pidfd, char *buf, size_t size)
{
	int dir = pfo_to_procfd(inner, pidfd);

	buf[0] = '\0';
	if (dir >= 0) {
		comm_at(dir, buf, size);
		close(dir);
	}
	return buf;
}

/* Kills and reaps the victim, and gives its number to a new process named "recycled". */
static int recycle(pid_t victim)
{
	pid_t again;

	CHECK(kill_and_reap(victim) == 0, "reap victim");
	again = spawn_named_with_tid("recycled", victim);
	CHECK(again == victim, "clone3 with set_tid %d gave %d: %m", victim, again);
	return 0;
}

/* As PID 1 of a new namespace: its procfs, and a process "victim" numbered RECYCLED_NR. */
static int start_victim(int *inner)
{
	pid_t victim;

	*inner = open_inner_proc();
	CHECK(*inner >= 0, "mount/open " INNER_PROC ": %m");
	victim = spawn_named_with_tid("victim", RECYCLED_NR);
	CHECK(victim == RECYCLED_NR, "clone3 set_tid: %d (%m)", victim);
	return 0;
}

static int stale_pidfd_to_procfd(void *arg)
{
	const pid_t victim = RECYCLED_NR;
	int inner, pidfd, fresh, dir;
	char comm[32];

	(void)arg;
	CHECK(start_victim(&inner) == 0, "victim");
	pidfd = pfo_open(victim);
	CHECK(pidfd >= 0, "PIDFD_IOC_OPEN: %m");
	CHECK(!strcmp(pidfd_comm(inner, pidfd, comm, sizeof(comm)), "victim"), "before: '%s'", comm);

	CHECK(recycle(victim) == 0, "recycle");
	dir = pfo_to_procfd(inner, pidfd);
	CHECK(dir == -1 && errno == ESRCH, "stale pidfd gave %d (errno %d), comm '%s'", dir, errno,
	      dir >= 0 ? comm_at(dir, comm, sizeof(comm)) : "");

	/* The number now works for the new process. */
	fresh = pfo_open(RECYCLED_NR);
	CHECK(fresh >= 0, "PIDFD_IOC_OPEN of the new process: %m");
	CHECK(!strcmp(pidfd_comm(inner, fresh, comm, sizeof(comm)), "recycled"), "after: '%s'",
	      comm);
	return 0;
}

TEST(to_procfd_stale_pidfd_after_recycle_is_esrch)
{
	EXPECT_EQ(0, run_in_new_pidns(stale_pidfd_to_procfd, NULL));
}

static int stale_dir_to_pidfd(void *arg)
{
	const pid_t victim = RECYCLED_NR;
	int inner, dir, pidfd, fresh;
	char comm[32];

	(void)arg;
	CHECK(start_victim(&inner) == 0, "victim");
	dir = open_inner_pid_dir(inner, victim);
	CHECK(dir >= 0, "open /proc/%d: %m", victim);
	pidfd = pfo_to_pidfd(dir);
	CHECK(pidfd >= 0, "PROCFD_TO_PIDFD before: %m");
	CHECK(!strcmp(pidfd_comm(inner, pidfd, comm, sizeof(comm)), "victim"), "before: '%s'", comm);
	close(pidfd);

	CHECK(recycle(victim) == 0, "recycle");
	pidfd = pfo_to_pidfd(dir);
	CHECK(pidfd == -1 && errno == ESRCH, "stale directory gave %d (errno %d), comm '%s'", pidfd,
	      errno, pidfd >= 0 ? pidfd_comm(inner, pidfd, comm, sizeof(comm)) : "");

	/* A directory opened now is the new process's. */
	fresh = open_inner_pid_dir(inner, RECYCLED_NR);
	CHECK(fresh >= 0, "open /proc/%d: %m", RECYCLED_NR);
	pidfd = pfo_to_pidfd(fresh);
	CHECK(pidfd >= 0, "PROCFD_TO_PIDFD of the new directory: %m");
	CHECK(!strcmp(pidfd_comm(inner, pidfd, comm, sizeof(comm)), "recycled"), "after: '%s'",
	      comm);
	return 0;
}

TEST(to_pidfd_stale_dir_after_recycle_is_esrch)
{
	EXPECT_EQ(0, run_in_new_pidns(stale_dir_to_pidfd, NULL));
}

/*
 * The race: the main thread (vCPU 0) starts a victim with a unique comm, hands
 * a pidfd and a /proc/<n> fd of it to the converter thread (vCPU 1), kills and
 * reaps it and at once gives its number to a new process. The converter
 * translates both fds over and over until both give ESRCH. Every success must
 * lead to the victim; reading its comm may fail once it is gone, never give
 * another name.
 */
#define RACE_ITERATIONS 3000

static long race_rounds;

struct race {
	int inner;
	atomic_int round;	/* the round the converter may work on */
	atomic_int done;	/* the last round the converter finished */
	int pidfd, dir;
	char want[16];
	/* Results, written by the converter only. */
	long to_procfd_ok, to_pidfd_ok, unreadable, wrong, other_errors;
	char first_wrong[96], first_error[96];
};

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void race_record_comm(struct race *r, const char *what, const char *comm)
{
	if (!comm[0]) {
		r->unreadable++;
	} else if (strcmp(comm, r->want)) {
		if (!r->wrong++)
			snprintf(r->first_wrong, sizeof(r->first_wrong), "%s led to '%s', not '%s'",
				 what, comm, r->want);
	}
}

static void race_record_error(struct race *r, const char *what)
{
	if (!r->other_errors++)
		snprintf(r->first_error, sizeof(r->first_error), "%s: errno %d (%s)", what, errno,
			 strerror(errno));
}

static void *race_converter(void *arg)
{
	struct race *r = arg;
	char comm[32];
	int round;

	pin_to_cpu(1);
	for (round = 1; round <= race_rounds; round++) {
		bool procfd_gone = false, pidfd_gone = false;

		while (atomic_load(&r->round) < round)
			;
		while (!procfd_gone || !pidfd_gone) {
			int fd = pfo_to_procfd(r->inner, r->pidfd);

			if (fd >= 0) {
				r->to_procfd_ok++;
				race_record_comm(r, "PIDFD_TO_PROCFD", comm_at(fd, comm, sizeof(comm)));
				close(fd);
			} else if (errno == ESRCH) {
				procfd_gone = true;
			} else {
				race_record_error(r, "PIDFD_TO_PROCFD");
				procfd_gone = true;
			}
			fd = pfo_to_pidfd(r->dir);
			if (fd >= 0) {
				r->to_pidfd_ok++;
				race_record_comm(r, "PROCFD_TO_PIDFD", pidfd_comm(r->inner, fd, comm, sizeof(comm)));
				close(fd);
			} else if (errno == ESRCH) {
				pidfd_gone = true;
			} else {
				race_record_error(r, "PROCFD_TO_PIDFD");
				pidfd_gone = true;
			}
		}
		atomic_store(&r->done, round);
	}
	return NULL;
}

/*
 * Mounts the inner procfs, pins the caller to CPU 0 and starts converter, which
 * pins itself to CPU 1. Returns 0, or 1 after saying what failed.
 */
static int race_start(struct race *r, pthread_t *converter, void *(*fn)(void *))
{
	race_rounds = scaled(RACE_ITERATIONS);
	r->inner = open_inner_proc();
	CHECK(r->inner >= 0, "mount/open " INNER_PROC ": %m");
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 2, "the race needs two CPUs");
	CHECK(pin_to_cpu(0) == 0, "pin to CPU 0: %m");
	CHECK(pthread_create(converter, NULL, fn, r) == 0, "pthread_create");
	return 0;
}

/*
 * Starts round for the converter, lets it get going for a varying while, then
 * recycles victim's number under it: reaps victim, gives the number to a new
 * process, waits for the converter to finish the round and reaps that one.
 * Returns 0, or 1 after saying what failed.
 */
static int race_recycle_under(struct race *r, int round, pid_t victim)
{
	pid_t recycled;

	atomic_store(&r->round, round);
	for (int spin = round % 64; spin > 0; spin--)
		sched_yield();
	CHECK(kill_and_reap(victim) == 0, "round %d: reap", round);
	recycled = spawn_named_with_tid("recycled", RECYCLED_NR);
	CHECK(recycled == RECYCLED_NR, "round %d: recycle: %d (%m)", round, recycled);

	while (atomic_load(&r->done) < round)
		;
	CHECK(kill_and_reap(recycled) == 0, "round %d: reap recycled", round);
	return 0;
}

static int race_loop(void *arg)
{
	struct race *r = arg;
	pthread_t converter;
	int round;

	if (race_start(r, &converter, race_converter))
		return 1;

	for (round = 1; round <= race_rounds; round++) {
		pid_t victim;

		snprintf(r->want, sizeof(r->want), "v%d", round);
		victim = spawn_named_with_tid(r->want, RECYCLED_NR);
		CHECK(victim == RECYCLED_NR, "round %d: clone3 set_tid: %d (%m)", round, victim);
		r->pidfd = pfo_open(victim);
		r->dir = open_inner_pid_dir(r->inner, victim);
		CHECK(r->pidfd >= 0 && r->dir >= 0, "round %d: fds %d %d: %m", round, r->pidfd, r->dir);
		if (race_recycle_under(r, round, victim))
			return 1;
		close(r->pidfd);
		close(r->dir);
	}
	pthread_join(converter, NULL);
	REPORT_FIGURE("race_rounds", race_rounds);
	REPORT_FIGURE("race_successes", r->to_procfd_ok + r->to_pidfd_ok);
	REPORT_FIGURE("race_wrong", r->wrong);
	fprintf(stderr, "# %ld rounds: %ld PIDFD_TO_PROCFD and %ld PROCFD_TO_PIDFD successes, "
		"%ld unreadable after exit, %ld wrong, %ld other errors\n", race_rounds,
		r->to_procfd_ok, r->to_pidfd_ok, r->unreadable, r->wrong, r->other_errors);
	CHECK(r->wrong == 0, "first: %s", r->first_wrong);
	CHECK(r->other_errors == 0, "errors other than ESRCH, first: %s", r->first_error);
	CHECK(r->to_procfd_ok >= race_rounds && r->to_pidfd_ok >= race_rounds,
	      "too few successes to mean anything");
	return 0;
}

LONG_TEST(race, translations_against_exit_and_recycle_on_two_cpus, 900)
{
	static struct race race;

	EXPECT_EQ(0, run_in_new_pidns(race_loop, &race));
}

/*
 * The same race with native pidfds as PIDFD_TO_PROCFD's input: each round's
 * victim comes with a pidfd from clone3(CLONE_PIDFD), pidfd_open(2) or
 * pidfd_open(2) with PIDFD_THREAD, in turn. The converter translates it until
 * ESRCH; every success must lead to the victim.
 */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

static void *native_race_converter(void *arg)
{
	struct race *r = arg;
	char comm[32];
	int round;

	pin_to_cpu(1);
	for (round = 1; round <= race_rounds; round++) {
		while (atomic_load(&r->round) < round)
			;
		for (;;) {
			int fd = pfo_to_procfd(r->inner, r->pidfd);

			if (fd >= 0) {
				r->to_procfd_ok++;
				race_record_comm(r, "PIDFD_TO_PROCFD", comm_at(fd, comm, sizeof(comm)));
				close(fd);
				continue;
			}
			if (errno != ESRCH)
				race_record_error(r, "PIDFD_TO_PROCFD");
			break;
		}
		atomic_store(&r->done, round);
	}
	return NULL;
}

static int native_race_loop(void *arg)
{
	struct race *r = arg;
	pthread_t converter;
	int round;

	if (race_start(r, &converter, native_race_converter))
		return 1;

	for (round = 1; round <= race_rounds; round++) {
		pid_t victim;

		snprintf(r->want, sizeof(r->want), "n%d", round);
		if (round % 3 == 0) {
			victim = spawn_named_pidfd(r->want, RECYCLED_NR, &r->pidfd);
		} else {
			victim = spawn_named_with_tid(r->want, RECYCLED_NR);
			r->pidfd = sys_pidfd_open(victim, round % 3 == 1 ? 0 : PIDFD_THREAD);
		}
		CHECK(victim == RECYCLED_NR, "round %d: clone3 set_tid: %d (%m)", round, victim);
		CHECK(r->pidfd >= 0, "round %d: native pidfd: %m", round);
		if (race_recycle_under(r, round, victim))
			return 1;
		close(r->pidfd);
	}
	pthread_join(converter, NULL);
	REPORT_FIGURE("native_race_rounds", race_rounds);
	REPORT_FIGURE("native_race_successes", r->to_procfd_ok);
	REPORT_FIGURE("native_race_wrong", r->wrong);
	fprintf(stderr, "# %ld rounds with native pidfds: %ld PIDFD_TO_PROCFD successes, "
		"%ld unreadable after exit, %ld wrong, %ld other errors\n", race_rounds,
		r->to_procfd_ok, r->unreadable, r->wrong, r->other_errors);
	CHECK(r->wrong == 0, "first: %s", r->first_wrong);
	CHECK(r->other_errors == 0, "errors other than ESRCH, first: %s", r->first_error);
	CHECK(r->to_procfd_ok >= race_rounds, "too few successes to mean anything");
	return 0;
}

LONG_TEST(native_race, native_pidfds_against_exit_and_recycle_on_two_cpus, 900)
{
	static struct race race;

	EXPECT_EQ(0, run_in_new_pidns(native_race_loop, &race));
}

TEST_HARNESS_MAIN
