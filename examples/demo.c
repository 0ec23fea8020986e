// SPDX-License-Identifier: GPL-2.0
/*
 * What `make run` shows: the three modes of PIDFD_IOC_OPEN, a recycled pid
 * number being refused, and a pidfd used to get information on a process,
 * signal it and wait for it to exit. Uses the selftests' helpers (tests/).
 */
#include <poll.h>

#include "pidfd_open_test.h"

static const char *result(int fd)
{
	static char buf[64];

	if (fd >= 0)
		snprintf(buf, sizeof(buf), "fd %d", fd);
	else
		snprintf(buf, sizeof(buf), "%s (%s)", strerrorname_np(errno), strerror(errno));
	return buf;
}

static void show_pidfd(const char *what, int pidfd)
{
	char pid[32] = "", nspid[32] = "";

	if (pidfd >= 0)
		fdinfo_pids("/proc", pidfd, pid, nspid, sizeof(pid));
	printf("  %-40s -> %s%s%s\n", what, result(pidfd), pidfd >= 0 ? ", fdinfo Pid: " : "", pid);
}

static void show_dir(const char *what, int dir)
{
	char comm[32] = "", pid[32] = "";

	if (dir >= 0) {
		comm_at(dir, comm, sizeof(comm));
		read_field_at(dir, "status", "Pid:", pid, sizeof(pid));
	}
	printf("  %-40s -> %s%s%s%s%s\n", what, result(dir), dir >= 0 ? ", /proc/" : "", pid,
	       dir >= 0 ? " of " : "", comm);
}

/* The pidfd operations: information, a signal, and waiting for the exit it causes. */
static void show_info_signal_and_wait(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	struct pidfd_open_info info;
	int ret;

	printf("\nThrough that pidfd:\n");
	if (pfo_get_info(pidfd, &info) == 0)
		printf("  %-40s -> pid %u, ppid %u, euid %u\n", "PIDFD_IOC_GET_INFO", info.pid,
		       info.ppid, info.euid);
	ret = poll(&p, 1, 0);
	printf("  %-40s -> %d (still running)\n", "poll, no wait", ret);
	ret = pfo_send_signal(pidfd, SIGTERM, 0);
	printf("  %-40s -> %s\n", "PIDFD_IOC_SEND_SIGNAL(SIGTERM)", ret ? strerror(errno) : "0");
	ret = poll(&p, 1, 5000);
	printf("  %-40s -> %d, revents %s (it exited)\n", "poll, wait up to 5 s", ret,
	       p.revents & POLLIN ? "POLLIN" : "none");
}

/* In a new pid namespace: a victim gets number 100, dies, and "usurper" gets 100. */
static int recycle_demo(void *arg)
{
	int proc, pidfd, dir;
	pid_t victim;

	(void)arg;
	if (mount_proc("/tmp/proc-demo", NULL) < 0)
		return 1;
	proc = open("/tmp/proc-demo", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	victim = spawn_named_with_tid("victim", 100);
	pidfd = pfo_open(victim);
	dir = openat(proc, "100", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	printf("\nIn a new pid namespace, \"victim\" is pid %d; we hold a pidfd and a /proc/100 fd.\n",
	       victim);
	kill_and_reap(victim);
	printf("It is killed and reaped; \"usurper\" gets pid %d.\n",
	       spawn_named_with_tid("usurper", 100));
	show_dir("PIDFD_TO_PROCFD(stale pidfd)", pfo_to_procfd(proc, pidfd));
	show_pidfd("PROCFD_TO_PIDFD(stale /proc/100 fd)", pfo_to_pidfd(dir));
	show_dir("PIDFD_TO_PROCFD(pidfd opened now)", pfo_to_procfd(proc, pfo_open(100)));
	return 0;
}

int main(void)
{
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), pidfd, dir;
	pid_t child = spawn_named("demo-child");
	char what[64];

	printf("pidfd_open demo: /dev/pidfd_open, ioctl PIDFD_IOC_OPEN. A child, \"demo-child\", is pid %d.\n",
	       child);
	snprintf(what, sizeof(what), "open: pid %d", child);
	pidfd = pfo_open(child);
	show_pidfd(what, pidfd);
	dir = pfo_to_procfd(proc, pidfd);
	show_dir("PIDFD_TO_PROCFD(/proc, that pidfd)", dir);
	show_pidfd("PROCFD_TO_PIDFD(that /proc fd)", pfo_to_pidfd(dir));
	show_info_signal_and_wait(pidfd);
	waitpid(child, NULL, 0);
	show_dir("PIDFD_TO_PROCFD(pidfd, child reaped)", pfo_to_procfd(proc, pidfd));

	fflush(stdout);
	return run_in_new_pidns(recycle_demo, NULL);
}
