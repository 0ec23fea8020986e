// SPDX-License-Identifier: GPL-2.0
/*
 * pidfd_bench: the module against what users already have, side by side in one
 * run: native pidfd_open(2) and PIDFD_GET_INFO, pidfd_send_signal(2), and the
 * race-free userspace idioms for the /proc translations. Prints a table of
 * median and p99 ns/op (over repetitions of at least 400 ms, in batches of N
 * calls, module and baseline interleaved) with ratios to the baselines, and
 * writes the same as JSON (default /out/bench.json).
 *
 * With -c instructions, the guest runs under `qemu/run --icount`, where its
 * clock counts executed instructions: the figures are instructions per op,
 * within a few percent run to run, and repetitions are shorter. Threads there take turns
 * on one host thread, so the scaling row is left to the real-time run.
 *
 *   pidfd_bench [-c time|instructions] [-n CALLS] [-r REPETITIONS] [-o FILE]
 *   pidfd_bench -p OP [-s SECONDS]      (what scripts/profile samples)
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/resource.h>

#include "pidfd_open_test.h"

static int calls = 1000, reps = 9;

/* Whether the guest's clock counts instructions (qemu/run --icount). */
static bool insn_clock;

/* The objects the operations work on, prepared once. */
static struct {
	pid_t child;
	int proc, dev, native, module, dir;
} t;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
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
 * ns/op of one repetition of `op`. The guest's clock ticks in jiffies (TCG
 * gives it no stable TSC), so a repetition runs batches of `calls` calls until
 * at least min_rep_ns have passed: the tick then costs at most 1% of the figure.
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
 * `op` against `base`, repetitions interleaved (ab, ba, ab, ...): the speed of
 * a TCG guest drifts by tens of percent within a run, and measuring one after
 * the other would put the drift into the ratio. The ratio is the median of the
 * ratios of the pairs, each taken under the same conditions.
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
		if (r % 2 == 0) {
			a[r] = repetition(op);
			b[r] = repetition(base);
		} else {
			b[r] = repetition(base);
			a[r] = repetition(op);
		}
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
static void module_open(void) { must(close(pfo_open(t.child)) == 0, "PIDFD_IOC_OPEN"); }
static void native_open(void) { must(close(sys_pidfd_open(t.child, 0)) == 0, "pidfd_open"); }

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

static void floor_ioctl(void) { ioctl(t.dev, _IO(PIDFD_IOC_MAGIC, 0x7f), NULL); }
static void floor_getppid(void) { getppid(); }

/* The timed rows: each operation of the module and its baseline. */
static const struct pair {
	const char *op, *label, *base_label;
	void (*fn)(void), (*base_fn)(void);
} pairs[] = {
	{ "open", "PIDFD_IOC_OPEN + close", "pidfd_open + close", module_open, native_open },
	{ "to_procfd", "PIDFD_TO_PROCFD + close", "GET_INFO + openat + probe + close",
	  module_to_procfd, idiom_to_procfd },
	{ "to_pidfd", "PROCFD_TO_PIDFD + close", "readlink + pidfd_open + probe + close",
	  module_to_pidfd, idiom_to_pidfd },
	{ "get_info", "PIDFD_IOC_GET_INFO", "PIDFD_GET_INFO", module_get_info, native_get_info_op },
	{ "send_signal0", "PIDFD_IOC_SEND_SIGNAL(0)", "pidfd_send_signal(0)", module_signal0,
	  native_signal0 },
	{ "floor_ioctl", "unknown ioctl on /dev/pidfd_open", "getppid()", floor_ioctl, floor_getppid },
	{ "floor_getppid", "getppid()", "getppid()", floor_getppid, floor_getppid },
};

#define NR_PAIRS (sizeof(pairs) / sizeof(pairs[0]))

/*
 * Profile mode (-p OP): run OP's module side, then its baseline, for `seconds`
 * each, on CPU 0, between marker lines that scripts/profile samples between.
 */
static int profile(const char *op, int seconds)
{
	const struct pair *p = NULL;
	unsigned int k;
	int side, i;

	for (k = 0; k < NR_PAIRS; k++)
		if (!strcmp(pairs[k].op, op))
			p = &pairs[k];
	if (!p) {
		fprintf(stderr, "pidfd_bench: -p %s: no such operation; one of:", op);
		for (k = 0; k < NR_PAIRS; k++)
			fprintf(stderr, " %s", pairs[k].op);
		fprintf(stderr, "\n");
		return 2;
	}
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
 * Throughput of `op` in `threads` threads over 400 ms: ops per second.
 * Thread i runs on CPU i, so that the guest's scheduler cannot put both on one.
 */
struct runner {
	void (*op)(void);
	atomic_bool *stop;
	int cpu;
	long done;
};

static void *run_op(void *arg)
{
	struct runner *r = arg;

	pin_to_cpu(r->cpu);
	while (!atomic_load(r->stop)) {
		r->op();
		r->done++;
	}
	return NULL;
}

static double throughput(void (*op)(void), int threads)
{
	struct runner r[2];
	pthread_t th[2];
	atomic_bool stop = false;
	double start = now_ns(), total = 0;
	int i;

	for (i = 0; i < threads; i++) {
		r[i] = (struct runner){ op, &stop, i, 0 };
		pthread_create(&th[i], NULL, run_op, &r[i]);
	}
	usleep(400 * 1000);
	atomic_store(&stop, true);
	for (i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		total += r[i].done;
	}
	return total / ((now_ns() - start) / 1e9);
}

/* Throughput of `op` with 1 and then 2 threads, back to back; returns 2 over 1. */
static double scaling_of(void (*op)(void), double *one, double *two)
{
	*one = throughput(op, 1);
	*two = throughput(op, 2);
	return *two / *one;
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
	printf("%-13s %-34s %10.0f %10.0f  %-34s %10.0f  %6.3f\n", r->op, r->label, r->mod.median,
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

int main(int argc, char **argv)
{
	const char *out = "/out/bench.json", *profile_op = NULL;
	struct rlimit nofile = { 200000, 200000 };
	struct row rows[NR_PAIRS + 2];
	double scaling_control = 0;
	int n = 0, opt, i, seconds = 8;
	unsigned int k;
	FILE *f;

	while ((opt = getopt(argc, argv, "c:n:r:o:p:s:")) != -1) {
		if (opt == 'c' && (!strcmp(optarg, "time") || !strcmp(optarg, "instructions")))
			insn_clock = !strcmp(optarg, "instructions");
		else if (opt == 'n')
			calls = atoi(optarg);
		else if (opt == 'r')
			reps = atoi(optarg);
		else if (opt == 'o')
			out = optarg;
		else if (opt == 'p')
			profile_op = optarg;
		else if (opt == 's')
			seconds = atoi(optarg);
		else {
			fprintf(stderr, "usage: pidfd_bench [-c time|instructions] [-n CALLS] [-r REPETITIONS] [-o FILE]\n"
					"       pidfd_bench -p OP [-s SECONDS]\n");
			return 2;
		}
	}
	must(reps >= 5 && calls > 0, "need -r >= 5 and -n > 0");
	/* An instruction count has no noise to average out; 50 M is plenty. */
	if (insn_clock)
		min_rep_ns = 50e6;
	setrlimit(RLIMIT_NOFILE, &nofile);
	t.child = spawn_named("bench-target");
	t.proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	t.dev = pfo_dev();
	t.native = sys_pidfd_open(t.child, 0);
	t.module = pfo_open(t.child);
	t.dir = pfo_to_procfd(t.proc, t.module);
	must(t.child > 0 && t.proc >= 0 && t.dev >= 0 && t.native >= 0 && t.module >= 0 && t.dir >= 0,
	     "setup");
	if (profile_op) {
		i = profile(profile_op, seconds);
		kill_and_reap(t.child);
		return i;
	}

	printf("pidfd_bench: %d repetitions of at least %.0f %s (batches of %d calls), module and baseline interleaved;\n"
	       "%s, median and p99 over the repetitions; ratio: median of the repetitions' ratios\n\n",
	       reps, min_rep_ns / 1e6, insn_clock ? "M instructions" : "ms", calls,
	       insn_clock ? "instructions/op (qemu/run --icount)" : "ns/op");
	printf("%-13s %-34s %10s %10s  %-34s %10s  %6s\n", "op", "module", "median", "p99",
	       "baseline", "median", "ratio");

	for (k = 0; k < NR_PAIRS; k++) {
		const struct pair *p = &pairs[k];

		rows[n] = (struct row){ p->op, p->label, p->base_label, { 0, 0 }, { 0, 0 }, 0,
					insn_clock ? "instructions" : NULL };
		rows[n].ratio = measure_pair(p->fn, p->base_fn, &rows[n].mod, &rows[n].base);
		print_row(&rows[n++]);
		fflush(stdout);
	}

	/*
	 * Scaling: each round measures 1 and then 2 threads of one kind back to
	 * back, and takes their ratio under the same conditions; the kinds
	 * alternate in order. Medians over the rounds.
	 */
	if (insn_clock) {
		printf("%-13s (not on the instruction clock: its vCPUs take turns on one host thread)\n",
		       "scaling_2t");
	} else {
		enum { ROUNDS = 9 };
		double m1[ROUNDS], m2[ROUNDS], n1[ROUNDS], n2[ROUNDS], ms[ROUNDS], ns[ROUNDS];
		double c1, c2, cs[ROUNDS], sm, sn;

		for (i = 0; i < ROUNDS; i++) {
			if (i % 2 == 0)
				ms[i] = scaling_of(module_open, &m1[i], &m2[i]);
			ns[i] = scaling_of(native_open, &n1[i], &n2[i]);
			if (i % 2 == 1)
				ms[i] = scaling_of(module_open, &m1[i], &m2[i]);
			/* The control: what the guest allows a syscall that shares nothing. */
			cs[i] = scaling_of(floor_getppid, &c1, &c2);
		}
		sm = median_of(ms, ROUNDS);
		sn = median_of(ns, ROUNDS);
		rows[n] = (struct row){ "scaling_2t", "open+close ops/s, 2 threads / 1", "native: same",
					{ sm, sm }, { sn, sn }, sm / sn, "throughput ratio" };
		printf("%-13s %-34s %10.3f %10s  %-34s %10.3f  %6.3f\n", "scaling_2t",
		       "open+close, 2 threads / 1 thread", sm, "", "native, 2 threads / 1", sn,
		       rows[n].ratio);
		printf("%-13s   (ops/s, medians: module %.0f -> %.0f, native %.0f -> %.0f)\n", "",
		       median_of(m1, ROUNDS), median_of(m2, ROUNDS), median_of(n1, ROUNDS),
		       median_of(n2, ROUNDS));
		scaling_control = median_of(cs, ROUNDS);
		printf("%-13s   (control: getppid(), 2 threads / 1 thread: %.3f)\n", "", scaling_control);
		n++;
	}
	{
		double mb[3], nb[3], smb, snb;
		int fd;

		/* Grow the fd table to its final size first. */
		fd = dup2(0, 100000 + 64);
		must(fd >= 0 && close(fd) == 0, "growing the fd table");
		for (i = 0; i < 3; i++) {
			mb[i] = bytes_per_fd(pfo_open, 100000);
			nb[i] = bytes_per_fd(native_open_fd, 100000);
		}
		smb = median_of(mb, 3);
		snb = median_of(nb, 3);
		rows[n] = (struct row){ "mem_per_fd", "Slab bytes per open pidfd", "native pidfd",
					{ smb, smb }, { snb, snb }, smb / snb, "bytes" };
		printf("%-13s %-34s %10.0f %10s  %-34s %10.0f  %6.3f\n", "mem_per_fd",
		       "Slab bytes per open pidfd (100k)", smb, "", "native pidfd", snb, smb / snb);
		n++;
	}

	/* Where the time goes: the parts, measured the same way (medians, ns). */
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

	f = fopen(out, "we");
	must(f != NULL, out);
	fprintf(f, "{\n  \"clock\": \"%s\",\n  \"calls\": %d,\n  \"repetitions\": %d,\n",
		insn_clock ? "instructions" : "time", calls, reps);
	if (scaling_control)
		fprintf(f, "  \"scaling_control_getppid\": %.4f,\n", scaling_control);
	fprintf(f, "  \"rows\": [\n");
	for (i = 0; i < n; i++)
		json_row(f, &rows[i], i == n - 1);
	fprintf(f, "  ]\n}\n");
	fclose(f);
	kill_and_reap(t.child);
	return 0;
}
