// SPDX-License-Identifier: GPL-2.0
/*
 * pidfd_bench: the module against what users already have, side by side in one
 * run: native pidfd_open(2) and PIDFD_GET_INFO, pidfd_send_signal(2), and the
 * race-free userspace idioms for the /proc translations. Prints a table of
 * median and p99 ns/op (over repetitions of at least 400 ms each, in batches of N
 * calls, module and baseline batch by batch) with ratios to the baselines, and
 * writes the same as JSON (default /out/bench.json).
 *
 * With -c instructions, the guest runs under `qemu/run --icount`, where its
 * clock counts executed instructions: the figures are instructions per op,
 * within a few percent run to run, and repetitions are shorter. Threads there take turns
 * on one host thread, so the scaling row is left to the real-time run.
 *
 * The real-time run also breaks scaling down (ROUNDS rounds, default 15): what
 * the module's open shares between threads is measured piece by piece, next to
 * native's and a control that shares nothing. -S runs those rounds alone.
 *
 * -q is a smoke run, what make check runs (tests/bench_test.c): every row,
 * from the shortest repetitions and rounds.
 *
 * -O OPS measures only the rows named (comma-separated, or "all"), with no
 * scaling, memory or parts: what make bench's further real-time boots run.
 *
 *   pidfd_bench [-c time|instructions] [-n CALLS] [-r REPETITIONS] [-R ROUNDS] [-O OPS] [-q] [-o FILE]
 *   pidfd_bench -S [-R ROUNDS] [-o FILE]
 *   pidfd_bench -p OP [-s SECONDS]      (what scripts/profile samples)
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/resource.h>

#include "pidfd_open_test.h"

static int calls = 1000, reps = 9;

/* How many pidfds of each kind the memory row holds open at once, how many times (at most 3). */
static int mem_fds = 100000, mem_rounds = 3;

/* Whether the guest's clock counts instructions (qemu/run --icount). */
static bool insn_clock;

/* The objects the operations work on, prepared once. */
static struct {
	pid_t child, other_child;
	int proc, dev, native, other_native, module, other_module, dir;
} t;

/*
 * What this thread's opens work on: the fd of /dev/pidfd_open that its ioctls
 * go through and the pid they open, t.dev and t.child but in the scaling
 * rounds that give each thread its own.
 */
static __thread int thread_dev = -1;
static __thread pid_t thread_pid;

static double clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * The benchmark's clock: the TSC, read here. A TCG guest's TSC is one counter
 * for all its vCPUs: the host's TSC in real time, the instruction count on the
 * instruction clock (one tick each). The guest kernel keeps it on the
 * instruction clock (qemu/run boots it with tsc=reliable), but in real time it
 * has nothing to calibrate the TSC against (no HPET or PM timer without ACPI,
 * and the PIT is too slow under TCG), and its clock ticks in jiffies: 4 ms on
 * the test kernel, as long as a batch of calls. So the TSC's rate is measured
 * against that clock once, from one of its ticks to another a second later.
 */
static double ns_per_tick;

static void calibrate_clock(double seconds)
{
	double start = clock_ns(), from, to;
	unsigned long long ticks;

	while ((from = clock_ns()) == start)
		;
	ticks = __builtin_ia32_rdtsc();
	while ((to = clock_ns()) < from + seconds * 1e9)
		;
	ns_per_tick = (to - from) / (__builtin_ia32_rdtsc() - ticks);
}

static double now_ns(void)
{
	return __builtin_ia32_rdtsc() * ns_per_tick;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	double median, p99;
};

/*
 * ns/op of one repetition of `op`: batches of `calls` calls until at least
 * min_rep_ns have passed.
 */
static double min_rep_ns = 400e6;

static double repetition(void (*op)(void))
{
	double start = now_ns(), elapsed;
	long done = 0;
	int i;

	do {
		for (i = 0; i < calls; i++)
			op();
		done += calls;
		elapsed = now_ns() - start;
	} while (elapsed < min_rep_ns);
	return elapsed / done;
}

static double median_of(double *v, int count)
{
	qsort(v, count, sizeof(double), cmp_double);
	return v[count / 2];
}

static struct stats stats_of(double *per)
{
	struct stats s;

	s.median = median_of(per, reps);
	s.p99 = per[(int)ceil(0.99 * reps) - 1];
	return s;
}

/*
 * One repetition of `op` against `base`: batches of `calls` calls of each in
 * turn, the first of each pair of batches alternating (ABBA), until each has
 * run for at least min_rep_ns; ns/op of each. The speed of a TCG guest drifts
 * by tens of percent within a run and changes within a second as the host's
 * other work comes and goes: batches a few milliseconds apart run under the
 * same conditions, where repetitions one after the other would put the change
 * into the ratio.
 */
static void repetition_pair(void (*op)(void), void (*base)(void), double *op_ns, double *base_ns)
{
	void (*const fn[2])(void) = { op, base };
	double spent[2] = { 0, 0 }, start;
	long done = 0;
	int i, turn, side;

	do {
		for (turn = 0; turn < 2; turn++) {
			side = turn ^ (done / calls % 2);
			start = now_ns();
			for (i = 0; i < calls; i++)
				fn[side]();
			spent[side] += now_ns() - start;
		}
		done += calls;
	} while (spent[0] < min_rep_ns || spent[1] < min_rep_ns);
	*op_ns = spent[0] / done;
	*base_ns = spent[1] / done;
}

/*
 * `op` against `base` over `reps` repetitions of repetition_pair(). The ratio
 * is the median of the repetitions' ratios, each taken under the same
 * conditions.
 */
static double measure_pair(void (*op)(void), void (*base)(void), struct stats *op_stats,
			   struct stats *base_stats)
{
	double *a = calloc(reps, sizeof(double)), *b = calloc(reps, sizeof(double));
	double *ratio = calloc(reps, sizeof(double)), r_median;
	int r, i;

	for (i = 0; i < calls / 10; i++) {	/* warm up */
		op();
		base();
	}
	for (r = 0; r < reps; r++) {
		repetition_pair(op, base, &a[r], &b[r]);
		ratio[r] = a[r] / b[r];
	}
	r_median = median_of(ratio, reps);
	*op_stats = stats_of(a);
	*base_stats = stats_of(b);
	free(a);
	free(b);
	free(ratio);
	return r_median;
}

/* ns/op of `op` alone, median and p99 over the repetitions. */
static struct stats measure(void (*op)(void))
{
	double *per = calloc(reps, sizeof(double));
	struct stats s;
	int r;

	for (r = 0; r < reps; r++)
		per[r] = repetition(op);
	s = stats_of(per);
	free(per);
	return s;
}

static void must(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "pidfd_bench: %s: %m\n", what);
		exit(1);
	}
}

/* Runs the calling thread on `cpu` only. */
static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	must(sched_setaffinity(0, sizeof(set), &set) == 0, "sched_setaffinity");
}

/* The operations. */
static void module_open(void)
{
	must(close(pfo_on(thread_dev, thread_pid, -1, -1, 0)) == 0, "PIDFD_IOC_OPEN");
}

static void native_open(void) { must(close(sys_pidfd_open(thread_pid, 0)) == 0, "pidfd_open"); }

static void module_to_procfd(void)
{
	must(close(pfo_to_procfd(t.proc, t.module)) == 0, "PIDFD_TO_PROCFD");
}

/* From a native pidfd: the number, the directory, then proof it is still that process. */
static void idiom_to_procfd(void)
{
	struct pidfd_open_info info;
	char name[16];
	int dir;

	must(native_get_info(t.native, &info) == 0, "PIDFD_GET_INFO");
	snprintf(name, sizeof(name), "%u", info.pid);
	dir = openat(t.proc, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	must(dir >= 0 && sys_pidfd_send_signal(t.native, 0, NULL, 0) == 0, "idiom to procfd");
	close(dir);
}

/* PIDFD_TO_PROCFD with a native pidfd (pidfs) as input, against the same idiom. */
static void module_to_procfd_native(void)
{
	must(close(pfo_to_procfd(t.proc, t.native)) == 0, "PIDFD_TO_PROCFD of a native pidfd");
}

static void module_to_pidfd(void) { must(close(pfo_to_pidfd(t.dir)) == 0, "PROCFD_TO_PIDFD"); }

/* From a /proc/<n> fd: the number from its path, a pidfd, then proof the directory is live. */
static void idiom_to_pidfd(void)
{
	char path[32], link[64];
	ssize_t n;
	int pidfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", t.dir);
	n = readlink(path, link, sizeof(link) - 1);
	must(n > 0, "readlink");
	link[n] = '\0';
	pidfd = sys_pidfd_open(atoi(strrchr(link, '/') + 1), 0);
	must(pidfd >= 0 && sys_pidfd_send_signal(t.dir, 0, NULL, 0) == 0, "idiom to pidfd");
	close(pidfd);
}

static void module_get_info(void)
{
	struct pidfd_open_info info = { .mask = 0 };

	must(ioctl(t.module, PIDFD_IOC_GET_INFO, &info) == 0, "PIDFD_IOC_GET_INFO");
}

static void native_get_info_op(void)
{
	struct pidfd_open_info info = { .mask = 0 };

	must(ioctl(t.native, NATIVE_PIDFD_GET_INFO, &info) == 0, "PIDFD_GET_INFO");
}

static void module_signal0(void) { must(pfo_send_signal(t.module, 0, 0) == 0, "SEND_SIGNAL"); }
static void native_signal0(void)
{
	must(sys_pidfd_send_signal(t.native, 0, NULL, 0) == 0, "pidfd_send_signal");
}

/* Parts of the operations, for the profile. */
static void openat_proc_dir(void)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", t.child);
	must(close(openat(t.proc, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == 0, "openat");
}

static void readlink_only(void)
{
	char path[32], link[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", t.dir);
	must(readlink(path, link, sizeof(link)) > 0, "readlink");
}

/* Creation and release timed apart: `calls` opens, then as many closes. */
static void open_then_close(int (*open_one)(pid_t), double *open_ns, double *close_ns)
{
	int *fds = calloc(calls, sizeof(int)), r, i;
	double *o = calloc(reps, sizeof(double)), *c = calloc(reps, sizeof(double)), start;

	for (r = 0; r < reps; r++) {
		double ot = 0, ct = 0;
		long done = 0;

		do {
			start = now_ns();
			for (i = 0; i < calls; i++)
				fds[i] = open_one(t.child);
			ot += now_ns() - start;
			start = now_ns();
			for (i = 0; i < calls; i++)
				close(fds[i]);
			ct += now_ns() - start;
			done += calls;
		} while (ot + ct < min_rep_ns);
		o[r] = ot / done;
		c[r] = ct / done;
	}
	qsort(o, reps, sizeof(double), cmp_double);
	qsort(c, reps, sizeof(double), cmp_double);
	*open_ns = o[reps / 2];
	*close_ns = c[reps / 2];
	free(fds);
	free(o);
	free(c);
}

static void floor_ioctl(void) { ioctl(thread_dev, _IO(PIDFD_IOC_MAGIC, 0x7f), NULL); }
static void floor_getppid(void) { getppid(); }

/* The timed rows: each operation of the module and its baseline. */
static const struct pair {
	const char *op, *label, *base_label;
	void (*fn)(void), (*base_fn)(void);
} pairs[] = {
	{ "open", "PIDFD_IOC_OPEN + close", "pidfd_open + close", module_open, native_open },
	{ "to_procfd", "PIDFD_TO_PROCFD + close", "GET_INFO + openat + probe + close",
	  module_to_procfd, idiom_to_procfd },
	{ "to_procfd_native", "PIDFD_TO_PROCFD(native) + close", "GET_INFO + openat + probe + close",
	  module_to_procfd_native, idiom_to_procfd },
	{ "to_pidfd", "PROCFD_TO_PIDFD + close", "readlink + pidfd_open + probe + close",
	  module_to_pidfd, idiom_to_pidfd },
	{ "get_info", "PIDFD_IOC_GET_INFO", "PIDFD_GET_INFO", module_get_info, native_get_info_op },
	{ "send_signal0", "PIDFD_IOC_SEND_SIGNAL(0)", "pidfd_send_signal(0)", module_signal0,
	  native_signal0 },
	{ "floor_ioctl", "unknown ioctl on /dev/pidfd_open", "getppid()", floor_ioctl, floor_getppid },
	{ "floor_getppid", "getppid()", "getppid()", floor_getppid, floor_getppid },
};

#define NR_PAIRS (sizeof(pairs) / sizeof(pairs[0]))

/* The row called `op`, or NULL after saying which rows there are. */
static const struct pair *find_pair(const char *op, const char *option)
{
	unsigned int k;

	for (k = 0; k < NR_PAIRS; k++)
		if (!strcmp(pairs[k].op, op))
			return &pairs[k];
	fprintf(stderr, "pidfd_bench: %s %s: no such operation; one of:", option, op);
	for (k = 0; k < NR_PAIRS; k++)
		fprintf(stderr, " %s", pairs[k].op);
	fprintf(stderr, "\n");
	return NULL;
}

/*
 * -O OPS: the rows to measure, comma-separated, or "all"; then nothing else
 * (no scaling, memory or parts). NULL: every row, and the rest.
 */
static char *only_ops;

static bool row_wanted(const char *op)
{
	size_t len = strlen(op);
	const char *at;

	if (!only_ops || !strcmp(only_ops, "all"))
		return true;
	for (at = only_ops; (at = strstr(at, op)); at += len)
		if ((at == only_ops || at[-1] == ',') && (at[len] == ',' || at[len] == '\0'))
			return true;
	return false;
}

/* Whether every name in -O OPS is a row's (an error for each that is not). */
static bool only_ops_valid(void)
{
	char *copy, *op, *save;
	bool valid = true;

	if (!strcmp(only_ops, "all"))
		return true;
	copy = strdup(only_ops);
	for (op = strtok_r(copy, ",", &save); op; op = strtok_r(NULL, ",", &save))
		valid = find_pair(op, "-O") && valid;
	free(copy);
	return valid;
}

/*
 * Profile mode (-p OP): run OP's module side, then its baseline, for `seconds`
 * each, on CPU 0, between marker lines that scripts/profile samples between.
 */
static int profile(const char *op, int seconds)
{
	const struct pair *p = find_pair(op, "-p");
	int side, i;

	if (!p)
		return 2;
	pin_to_cpu(0);
	for (side = 0; side < 2; side++) {
		void (*fn)(void) = side ? p->base_fn : p->fn;
		double end;

		for (i = 0; i < calls; i++)	/* warm up */
			fn();
		printf("pidfd_bench: profile %s %s begin (%s)\n", p->op,
		       side ? "baseline" : "module", side ? p->base_label : p->label);
		fflush(stdout);
		end = now_ns() + seconds * 1e9;
		while (now_ns() < end)
			for (i = 0; i < calls; i++)
				fn();
		printf("pidfd_bench: profile %s %s end\n", p->op, side ? "baseline" : "module");
		fflush(stdout);
	}
	return 0;
}

/*
 * What the scaling rounds measure: the row's two, both threads opening the
 * same process, then what the threads share taken away piece by piece, each
 * kind with fewer shared counts and locks than the one before:
 *  - the /dev/pidfd_open file, whose count every ioctl takes once the process
 *    has a second thread (fdget);
 *  - the target process: the lockref of its dentry (the module's or pidfs's),
 *    which every open and close takes, and natively its struct pid's count;
 *  - the fd table, whose lock every fd allocation and close takes.
 * What is then left is global. Each process that the threads open has a
 * native pidfd and a module pidfd held open throughout, so that neither side's
 * opens ever build the process's dentry afresh.
 */
static const struct scaling_kind {
	const char *name, *label;
	void (*op)(void);
	bool own_dev;	/* each thread opens its own fd of /dev/pidfd_open */
	bool own_pid;	/* each thread opens pidfds of a process of its own */
	bool own_files;	/* each thread has an fd table of its own (unshare(CLONE_FILES)) */
	const char *native;	/* a module kind: the native kind it compares with */
} kinds[] = {
	{ "module", "PIDFD_IOC_OPEN + close", module_open, false, false, false, "native" },
	{ "native", "pidfd_open + close", native_open, false, false, false, NULL },
	{ "module_own_dev", "  module, a /dev fd per thread", module_open, true, false, false,
	  "native" },
	{ "module_own_dev_pid", "  module, a /dev fd and a process per thread", module_open, true,
	  true, false, "native_own_pid" },
	{ "native_own_pid", "  native, a process per thread", native_open, false, true, false, NULL },
	{ "module_own_all", "  module, the same and an fd table per thread", module_open, true, true,
	  true, "native_own_all" },
	{ "native_own_all", "  native, a process and an fd table per thread", native_open, false,
	  true, true, NULL },
	{ "getppid", "getppid(): shares nothing", floor_getppid, false, false, false, NULL },
};

#define NR_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* The index in kinds[] of the kind called `name`. */
static unsigned int kind_index(const char *name)
{
	unsigned int k;

	for (k = 0; k < NR_KINDS && strcmp(kinds[k].name, name); k++)
		;
	must(k < NR_KINDS, name);
	return k;
}

static int rounds = 15;

/*
 * Each kind's figures: medians over the rounds, and each round's 2-over-1
 * ratio in the order measured.
 */
static struct {
	double ratio, vs_native;	/* vs_native: for a module kind, see measure_scaling() */
	double *per_round, *ones, *twos;	/* 2 over 1; ops/s with 1 and with 2 threads */
} scaling[NR_KINDS];

/*
 * A kind's 2-thread over 1-thread throughput, measured in short slices that
 * alternate 1, 2, 2, 1, ... threads: a TCG guest's speed drifts by tens of
 * percent over hundreds of ms, and alternating finely puts the same drift into
 * both counts. Worker i runs on CPU i, so that the guest's scheduler cannot put
 * both on one; worker 1 sleeps in a futex while one thread runs, so that its
 * vCPU idles as it would with one thread alone.
 */
enum { SLICE_MS = 40, SETTLE_MS = 4 };

static int slices_per_count = 10;	/* of each thread count, per kind and round */

static struct {
	const struct scaling_kind *kind;
	atomic_int threads;	/* how many workers run: 0, 1 or 2; -1 tells them to return */
	struct {
		_Alignas(64) atomic_long done;
	} worker[2];
} slices;

static void *run_worker(void *arg)
{
	int me = (int)(long)arg, n;
	long done = 0;

	pin_to_cpu(me);
	must(!slices.kind->own_files || unshare(CLONE_FILES) == 0, "unshare(CLONE_FILES)");
	thread_dev = slices.kind->own_dev ? open(PIDFD_OPEN_DEV, O_RDWR | O_CLOEXEC) : t.dev;
	must(thread_dev >= 0, "opening " PIDFD_OPEN_DEV " for a thread");
	thread_pid = slices.kind->own_pid && me == 1 ? t.other_child : t.child;
	while ((n = atomic_load_explicit(&slices.threads, memory_order_relaxed)) >= 0) {
		if (me >= n) {
			syscall(SYS_futex, &slices.threads, FUTEX_WAIT_PRIVATE, n, NULL, NULL, 0);
			continue;
		}
		slices.kind->op();
		atomic_store_explicit(&slices.worker[me].done, ++done, memory_order_relaxed);
	}
	if (slices.kind->own_dev)
		close(thread_dev);
	return NULL;
}

static long slices_done(void)
{
	return atomic_load(&slices.worker[0].done) + atomic_load(&slices.worker[1].done);
}

static void set_threads(int n)
{
	atomic_store(&slices.threads, n);
	syscall(SYS_futex, &slices.threads, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Returns 2 over 1; `one` and `two` get the ops/s with 1 and with 2 threads. */
static double scaling_of(const struct scaling_kind *kind, double *one, double *two)
{
	double ops[3] = { 0 }, ns[3] = { 0 }, start;
	pthread_t th[2];
	long before;
	int i, n;

	slices.kind = kind;
	atomic_store(&slices.threads, 0);
	for (i = 0; i < 2; i++) {
		atomic_store(&slices.worker[i].done, 0);
		must(pthread_create(&th[i], NULL, run_worker, (void *)(long)i) == 0, "pthread_create");
	}
	for (i = 0; i < 2 * slices_per_count; i++) {
		n = (i + 1) % 4 < 2 ? 1 : 2;
		set_threads(n);
		usleep(SETTLE_MS * 1000);	/* the other vCPU wakes or parks */
		before = slices_done();
		start = now_ns();
		usleep(SLICE_MS * 1000);
		ops[n] += slices_done() - before;
		ns[n] += now_ns() - start;
	}
	set_threads(-1);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	*one = ops[1] / (ns[1] / 1e9);
	*two = ops[2] / (ns[2] / 1e9);
	return *two / *one;
}

/* The median of `count` values, leaving them in their order. */
static double median_kept(const double *v, int count)
{
	double *copy = calloc(count, sizeof(double)), m;

	memcpy(copy, v, count * sizeof(double));
	m = median_of(copy, count);
	free(copy);
	return m;
}

/*
 * Each round measures each kind once (scaling_of()); the kinds' order rotates
 * from round to round. Medians over the rounds. For a module kind, "/ native"
 * (vs_native) is the median over the rounds of its scaling over its native
 * kind's in the same round, which cancels the drift that a round's kinds share.
 */
static void measure_scaling(void)
{
	double *vs_native = calloc(rounds, sizeof(double)), lo, hi;
	char paired[16];
	unsigned int k;
	int i;

	for (k = 0; k < NR_KINDS; k++) {
		scaling[k].per_round = calloc(rounds, sizeof(double));
		scaling[k].ones = calloc(rounds, sizeof(double));
		scaling[k].twos = calloc(rounds, sizeof(double));
	}
	for (i = 0; i < rounds; i++)
		for (k = 0; k < NR_KINDS; k++) {
			unsigned int j = (k + i) % NR_KINDS;

			scaling[j].per_round[i] = scaling_of(&kinds[j], &scaling[j].ones[i],
							     &scaling[j].twos[i]);
		}
	printf("\nscaling: 2-thread over 1-thread throughput, %d rounds of %d ms per count in %d ms slices\n",
	       rounds, slices_per_count * SLICE_MS, SLICE_MS);
	printf("  %-48s %8s %12s %8s  %s\n", "kind", "median", "min-max", "/ native",
	       "ops/s, 1 -> 2 threads (medians)");
	for (k = 0; k < NR_KINDS; k++) {
		const double *nat = kinds[k].native ? scaling[kind_index(kinds[k].native)].per_round
						    : NULL;

		lo = hi = scaling[k].per_round[0];
		for (i = 0; i < rounds; i++) {
			if (nat)
				vs_native[i] = scaling[k].per_round[i] / nat[i];
			lo = fmin(lo, scaling[k].per_round[i]);
			hi = fmax(hi, scaling[k].per_round[i]);
		}
		scaling[k].ratio = median_kept(scaling[k].per_round, rounds);
		scaling[k].vs_native = nat ? median_of(vs_native, rounds) : 0;
		snprintf(paired, sizeof(paired), nat ? "%.3f" : "-", scaling[k].vs_native);
		printf("  %-48s %8.3f %6.2f-%-5.2f %8s  %.0f -> %.0f\n", kinds[k].label,
		       scaling[k].ratio, lo, hi, paired, median_kept(scaling[k].ones, rounds),
		       median_kept(scaling[k].twos, rounds));
	}
	printf("\n");
	free(vs_native);
}

static long slab_kb(void)
{
	char buf[64];
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			fprintf(stderr, "pidfd_bench: drop_caches: %m\n");
		close(fd);
	}
	usleep(200 * 1000);
	return read_field_at(AT_FDCWD, "/proc/meminfo", "Slab:", buf, sizeof(buf)) < 0 ? -1 : atol(buf);
}

static int native_open_fd(pid_t pid)
{
	return sys_pidfd_open(pid, 0);
}

/*
 * Kernel memory per open pidfd: the Slab growth over `count` open pidfds,
 * divided. The caller has grown the fd table beforehand, so that neither kind
 * pays for it.
 */
static double bytes_per_fd(int (*open_one)(pid_t), int count)
{
	int *fds = calloc(count, sizeof(int)), i;
	long before = slab_kb(), after;

	for (i = 0; i < count; i++) {
		fds[i] = open_one(t.child);
		must(fds[i] >= 0, "open for the memory figure");
	}
	after = slab_kb();
	for (i = 0; i < count; i++)
		close(fds[i]);
	free(fds);
	return (after - before) * 1024.0 / count;
}

struct row {
	const char *op, *label, *baseline;
	struct stats mod, base;
	double ratio;
	const char *unit;
};

static void print_row(const struct row *r)
{
	printf("%-16s %-34s %10.0f %10.0f  %-34s %10.0f  %6.3f\n", r->op, r->label, r->mod.median,
	       r->mod.p99, r->baseline, r->base.median, r->ratio);
}

static void json_row(FILE *f, const struct row *r, bool last)
{
	fprintf(f, "    {\"op\": \"%s\", \"median_ns\": %.3f, \"p99_ns\": %.3f, \"baseline\": \"%s\", "
		   "\"baseline_median_ns\": %.3f, \"ratio\": %.4f%s%s%s}%s\n",
		r->op, r->mod.median, r->mod.p99, r->baseline, r->base.median, r->ratio,
		r->unit ? ", \"unit\": \"" : "", r->unit ? r->unit : "", r->unit ? "\"" : "",
		last ? "" : ",");
}

/* The per-operation rows, then scaling_2t (real time only); returns how many. */
static int timed_rows(struct row *rows)
{
	double sm, sn;
	unsigned int k;
	int n = 0;

	printf("pidfd_bench: %d repetitions of at least %.0f %s (batches of %d calls), module and baseline batch by batch;\n"
	       "%s, median and p99 over the repetitions; ratio: median of the repetitions' ratios\n\n",
	       reps, min_rep_ns / 1e6, insn_clock ? "M instructions" : "ms", calls,
	       insn_clock ? "instructions/op (qemu/run --icount)" : "ns/op");
	printf("%-16s %-34s %10s %10s  %-34s %10s  %6s\n", "op", "module", "median", "p99",
	       "baseline", "median", "ratio");
	for (k = 0; k < NR_PAIRS; k++) {
		const struct pair *p = &pairs[k];

		if (!row_wanted(p->op))
			continue;
		rows[n] = (struct row){ p->op, p->label, p->base_label, { 0, 0 }, { 0, 0 }, 0,
					insn_clock ? "instructions" : NULL };
		rows[n].ratio = measure_pair(p->fn, p->base_fn, &rows[n].mod, &rows[n].base);
		print_row(&rows[n++]);
		fflush(stdout);
	}

	if (only_ops)
		return n;
	if (insn_clock) {
		printf("%-16s (not on the instruction clock: its vCPUs take turns on one host thread)\n",
		       "scaling_2t");
		return n;
	}
	measure_scaling();
	sm = scaling[kind_index("module")].ratio;
	sn = scaling[kind_index("native")].ratio;
	rows[n] = (struct row){ "scaling_2t", "open+close ops/s, 2 threads / 1", "native: same",
				{ sm, sm }, { sn, sn }, sm / sn, "throughput ratio" };
	printf("%-16s %-34s %10.3f %10s  %-34s %10.3f  %6.3f\n", "scaling_2t",
	       "open+close, 2 threads / 1 thread", sm, "", "native, 2 threads / 1", sn, sm / sn);
	return n + 1;
}

/*
 * mem_per_fd: the median of mem_rounds rounds over mem_fds pidfds of each kind.
 * Too few pidfds fit in the free objects that the slab caches already hold,
 * and Slab does not grow at all: that is an error, not a figure.
 */
static struct row memory_row(void)
{
	double mb[3], nb[3], smb, snb;
	char label[40];
	int fd, i;

	/* Grow the fd table to its final size first. */
	fd = dup2(0, mem_fds + 64);
	must(fd >= 0 && close(fd) == 0, "growing the fd table");
	for (i = 0; i < mem_rounds; i++) {
		mb[i] = bytes_per_fd(pfo_open, mem_fds);
		nb[i] = bytes_per_fd(native_open_fd, mem_fds);
	}
	smb = median_of(mb, mem_rounds);
	snb = median_of(nb, mem_rounds);
	if (smb <= 0 || snb <= 0) {
		fprintf(stderr, "pidfd_bench: Slab did not grow over %d open pidfds (module %.0f, native %.0f bytes each): too few to measure\n",
			mem_fds, smb, snb);
		exit(1);
	}
	snprintf(label, sizeof(label), "Slab bytes per open pidfd (%dk)", mem_fds / 1000);
	printf("%-16s %-34s %10.0f %10s  %-34s %10.0f  %6.3f\n", "mem_per_fd", label, smb, "",
	       "native pidfd", snb, smb / snb);
	return (struct row){ "mem_per_fd", "Slab bytes per open pidfd", "native pidfd",
			     { smb, smb }, { snb, snb }, smb / snb, "bytes" };
}

/* Where the time goes: the parts, measured the same way (medians). */
static void print_parts(void)
{
	double mo, mc, no, nc;

	open_then_close(pfo_open, &mo, &mc);
	open_then_close(native_open_fd, &no, &nc);
	printf("\nprofile (median %s of the parts):\n", insn_clock ? "instructions/op" : "ns/op");
	printf("  %-52s %8.0f  (native: %.0f)\n", "PIDFD_IOC_OPEN alone, no close", mo, no);
	printf("  %-52s %8.0f  (native pidfd: %.0f)\n", "close of a module pidfd", mc, nc);
	printf("  %-52s %8.0f\n", "openat(/proc fd, \"<n>\") + close (the path walk)",
	       measure(openat_proc_dir).median);
	printf("  %-52s %8.0f\n", "readlink(/proc/self/fd/<dir fd>)", measure(readlink_only).median);
}

/* The scaling kinds as a JSON member, each with its rounds in the order measured. */
static void json_scaling(FILE *f)
{
	unsigned int k;
	int i;

	fprintf(f, "  \"scaling\": {\n");
	for (k = 0; k < NR_KINDS; k++) {
		fprintf(f, "    \"%s\": {\"label\": \"%s\", \"ratio\": %.4f, ", kinds[k].name,
			kinds[k].label + strspn(kinds[k].label, " "), scaling[k].ratio);
		if (kinds[k].native)
			fprintf(f, "\"native\": \"%s\", \"vs_native\": %.4f, ", kinds[k].native,
				scaling[k].vs_native);
		fprintf(f, "\"one_thread_ops\": %.0f, \"two_thread_ops\": %.0f, \"rounds\": [",
			median_kept(scaling[k].ones, rounds), median_kept(scaling[k].twos, rounds));
		for (i = 0; i < rounds; i++)
			fprintf(f, "%.4f%s", scaling[k].per_round[i], i == rounds - 1 ? "" : ", ");
		fprintf(f, "]}%s\n", k == NR_KINDS - 1 ? "" : ",");
	}
	fprintf(f, "  },\n");
}

int main(int argc, char **argv)
{
	const char *out = "/out/bench.json", *profile_op = NULL;
	struct rlimit nofile = { 200000, 200000 };
	struct row rows[NR_PAIRS + 2];
	int n = 0, opt, i, seconds = 8;
	bool scaling_only = false, quick = false;
	FILE *f;

	while ((opt = getopt(argc, argv, "c:n:r:o:O:p:s:R:Sq")) != -1) {
		if (opt == 'c' && (!strcmp(optarg, "time") || !strcmp(optarg, "instructions")))
			insn_clock = !strcmp(optarg, "instructions");
		else if (opt == 'n')
			calls = atoi(optarg);
		else if (opt == 'r')
			reps = atoi(optarg);
		else if (opt == 'o')
			out = optarg;
		else if (opt == 'O')
			only_ops = optarg;
		else if (opt == 'p')
			profile_op = optarg;
		else if (opt == 's')
			seconds = atoi(optarg);
		else if (opt == 'R')
			rounds = atoi(optarg);
		else if (opt == 'S')
			scaling_only = true;
		else if (opt == 'q')
			quick = true;
		else {
			fprintf(stderr, "usage: pidfd_bench [-c time|instructions] [-n CALLS] [-r REPETITIONS] [-R ROUNDS] [-O OPS] [-q] [-o FILE]\n"
					"       pidfd_bench -S [-R ROUNDS] [-o FILE]\n"
					"       pidfd_bench -p OP [-s SECONDS]\n");
			return 2;
		}
	}
	must(reps >= 5 && calls > 0 && rounds >= 3, "need -r >= 5, -n > 0 and -R >= 3");
	must(!(scaling_only && insn_clock), "-S needs the real-time clock");
	if (only_ops && scaling_only) {
		fprintf(stderr, "pidfd_bench: -O measures rows, -S scaling rounds: one or the other\n");
		return 2;
	}
	if (only_ops && !only_ops_valid())
		return 2;
	/* An instruction count has no noise to average out; 50 M is plenty. */
	if (insn_clock)
		min_rep_ns = 50e6;
	/* A smoke run (make check): every row and kind, measured too briefly to mean anything. */
	if (quick) {
		calls = 10;	/* on the debug kernel, an open + close takes over a millisecond */
		reps = 5;
		min_rep_ns = 5e6;
		rounds = 3;
		slices_per_count = 1;
		mem_fds = 5000;
		mem_rounds = 1;
	}
	calibrate_clock(quick ? 0.1 : 1);
	setrlimit(RLIMIT_NOFILE, &nofile);
	t.child = spawn_named("bench-target");
	t.other_child = spawn_named("bench-target-2");
	t.proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	t.dev = pfo_dev();
	t.native = sys_pidfd_open(t.child, 0);
	t.other_native = sys_pidfd_open(t.other_child, 0);
	t.module = pfo_open(t.child);
	t.other_module = pfo_open(t.other_child);
	t.dir = pfo_to_procfd(t.proc, t.module);
	must(t.child > 0 && t.other_child > 0 && t.proc >= 0 && t.dev >= 0 && t.native >= 0 && t.other_native >= 0 && t.module >= 0 && t.other_module >= 0 && t.dir >= 0,
	     "setup");
	thread_dev = t.dev;
	thread_pid = t.child;
	if (profile_op) {
		i = profile(profile_op, seconds);
		kill_and_reap(t.child);
		kill_and_reap(t.other_child);
		return i;
	}

	if (scaling_only) {
		measure_scaling();
	} else {
		n = timed_rows(rows);
		if (!only_ops) {
			rows[n++] = memory_row();
			print_parts();
		}
	}

	f = fopen(out, "we");
	must(f != NULL, out);
	fprintf(f, "{\n  \"clock\": \"%s\",\n  \"calls\": %d,\n  \"repetitions\": %d,\n",
		insn_clock ? "instructions" : "time", calls, reps);
	if (scaling[0].per_round)
		json_scaling(f);
	fprintf(f, "  \"rows\": [\n");
	for (i = 0; i < n; i++)
		json_row(f, &rows[i], i == n - 1);
	fprintf(f, "  ]\n}\n");
	fclose(f);
	kill_and_reap(t.child);
	kill_and_reap(t.other_child);
	return 0;
}
