// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark still runs: a smoke run of pidfd_bench (-q) exits 0 and writes
 * every row and scaling kind that make bench and scripts/bench-report read,
 * each with positive, finite figures, and with -O only the rows named. What the figures say is make bench's
 * business: a smoke run is far too short to mean anything.
 */
#include <libgen.h>
#include <math.h>

#include "kselftest_harness.h"
#include "pidfd_open_test.h"

#define SMOKE_JSON "/tmp/bench-smoke.json"
#define SMOKE_OUT "/tmp/bench-smoke.out"

/*
 * The objects the JSON must hold: each is found by its marker (its name
 * between `before` and `after`), and each of its `fields` must be a positive,
 * finite number.
 */
static const struct {
	const char *what, *before, *after, *fields[3];
	const char *names[12];	/* the rest NULL */
} expected[] = {
	{ "row", "\"op\": \"", "\"", { "median_ns", "baseline_median_ns", "ratio" },
	  { "open", "to_procfd", "to_procfd_native", "to_pidfd", "get_info", "send_signal0",
	    "floor_ioctl", "floor_getppid", "scaling_2t", "mem_per_fd" } },
	{ "scaling kind", "\"", "\": {", { "ratio", "one_thread_ops", "two_thread_ops" },
	  { "module", "native", "module_own_dev", "module_own_dev_pid", "native_own_pid",
	    "module_own_all", "native_own_all", "getppid" } },
};

/* Runs pidfd_bench, from the directory of this binary, with `args`; its output goes to SMOKE_OUT. */
static int run_bench(char *const args[])
{
	char self[PATH_MAX], bench[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status, out;
	pid_t pid;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(bench, sizeof(bench), "%s/pidfd_bench", dirname(self));
	pid = fork();
	if (pid == 0) {
		out = open(SMOKE_OUT, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(126);
		execv(bench, args);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Prints a file as TAP diagnostics. */
static void show(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("#   %s", line);
	fclose(f);
}

/* The whole of a file, NUL-terminated, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *text = calloc(1, 1 << 16);
	size_t n;

	if (!f || !text) {
		free(text);
		if (f)
			fclose(f);
		return NULL;
	}
	n = fread(text, 1, (1 << 16) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/*
 * The innermost JSON object that holds `marker` or that `marker` opens, from
 * its '{' to its '}', copied into `obj`: the last '{' up to the marker's end
 * starts it, as the bench's objects hold no objects once they have begun
 * their fields. Returns false if there is none.
 */
static bool object_with(const char *json, const char *marker, char *obj, size_t size)
{
	const char *at = strstr(json, marker), *start, *end;

	if (!at)
		return false;
	for (start = at + strlen(marker) - 1; start > json && *start != '{'; start--)
		;
	end = strchr(start, '}');
	if (*start != '{' || !end || (size_t)(end - start + 2) > size)
		return false;
	memcpy(obj, start, end - start + 1);
	obj[end - start + 1] = '\0';
	return true;
}

/* The number after `"key": ` in `obj`, or NAN. */
static double number_in(const char *obj, const char *key)
{
	char pattern[64];
	const char *at;

	snprintf(pattern, sizeof(pattern), "\"%s\": ", key);
	at = strstr(obj, pattern);
	return at ? strtod(at + strlen(pattern), NULL) : NAN;
}

/*
 * Runs pidfd_bench with `args`, which name SMOKE_JSON as its output: its exit
 * status in `status` (its output shown if not 0), and the JSON it wrote, or NULL.
 */
static char *bench_json(char *const args[], int *status)
{
	unlink(SMOKE_JSON);
	*status = run_bench(args);
	if (*status != 0)
		show(SMOKE_OUT);
	return *status == 0 ? slurp(SMOKE_JSON) : NULL;
}

static bool positive(double v)
{
	return isfinite(v) && v > 0;
}

/* No state: a fixture only for TEST_F_TIMEOUT. */
FIXTURE(bench) {};
FIXTURE_SETUP(bench) {}
FIXTURE_TEARDOWN(bench) {}

/* About 10 s on the test kernel; the debug kernel's checks make it several times that. */
TEST_F_TIMEOUT(bench, smoke_run_writes_every_row_and_scaling_kind, 600)
{
	char *const args[] = { "pidfd_bench", "-q", "-o", SMOKE_JSON, NULL };
	char marker[64], obj[1024];
	unsigned int e, i, k;
	char *json;
	int status;

	json = bench_json(args, &status);
	ASSERT_EQ(0, status) TH_LOG("pidfd_bench -q exited with %d (126/127: could not start it)", status);
	ASSERT_NE(NULL, json) TH_LOG("no %s: %m", SMOKE_JSON);

	for (e = 0; e < ARRAY_SIZE(expected); e++)
		for (i = 0; i < ARRAY_SIZE(expected[e].names) && expected[e].names[i]; i++) {
			const char *name = expected[e].names[i];

			snprintf(marker, sizeof(marker), "%s%s%s", expected[e].before, name,
				 expected[e].after);
			if (!object_with(json, marker, obj, sizeof(obj))) {
				EXPECT_TRUE(false) TH_LOG("no %s %s", expected[e].what, name);
				continue;
			}
			for (k = 0; k < ARRAY_SIZE(expected[e].fields); k++) {
				EXPECT_TRUE(positive(number_in(obj, expected[e].fields[k])))
				TH_LOG("%s %s: %s is not a positive number: %s", expected[e].what,
				       name, expected[e].fields[k], obj);
			}
		}
	if (_metadata->exit_code != KSFT_PASS) {
		printf("# %s:\n", SMOKE_JSON);
		show(SMOKE_JSON);
	}
	free(json);
}

/*
 * -O writes the rows named and nothing else (what make bench's further
 * real-time boots run), and refuses a name that is no row's.
 */
TEST_F_TIMEOUT(bench, rows_named_with_O_are_the_only_ones_written, 600)
{
	char *const named[] = { "pidfd_bench", "-q", "-O", "get_info,open", "-o", SMOKE_JSON, NULL };
	char *const unknown[] = { "pidfd_bench", "-q", "-O", "open,opne", "-o", SMOKE_JSON, NULL };
	const char *const wanted[] = { "open", "get_info" };
	const char *const absent[] = { "\"op\": \"to_procfd\"", "\"op\": \"send_signal0\"",
				       "\"op\": \"scaling_2t\"", "\"op\": \"mem_per_fd\"",
				       "\"scaling\": {" };
	char marker[64], obj[1024];
	unsigned int i;
	char *json, *out;
	int status;

	json = bench_json(named, &status);
	ASSERT_EQ(0, status) TH_LOG("pidfd_bench -q -O get_info,open exited with %d", status);
	ASSERT_NE(NULL, json) TH_LOG("no %s: %m", SMOKE_JSON);
	for (i = 0; i < ARRAY_SIZE(wanted); i++) {
		const char *op = wanted[i];

		snprintf(marker, sizeof(marker), "\"op\": \"%s\"", op);
		EXPECT_TRUE(object_with(json, marker, obj, sizeof(obj)) &&
			    positive(number_in(obj, "ratio")))
		TH_LOG("row %s missing or without a positive ratio", op);
	}
	for (i = 0; i < ARRAY_SIZE(absent); i++) {
		const char *unwanted = absent[i];

		EXPECT_EQ(NULL, strstr(json, unwanted)) TH_LOG("-O get_info,open wrote %s", unwanted);
	}
	if (_metadata->exit_code != KSFT_PASS) {
		printf("# %s:\n", SMOKE_JSON);
		show(SMOKE_JSON);
	}
	free(json);

	status = run_bench(unknown);
	out = slurp(SMOKE_OUT);
	ASSERT_NE(NULL, out) TH_LOG("no %s: %m", SMOKE_OUT);
	EXPECT_EQ(2, status) TH_LOG("pidfd_bench -O open,opne exited with %d, not 2", status);
	EXPECT_NE(NULL, strstr(out, "-O opne: no such operation")) TH_LOG("its output: %s", out);
	free(out);
}

TEST_HARNESS_MAIN
