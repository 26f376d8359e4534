/*
 * Child processes for the harness (see hp/child.h): fork and exec with
 * redirections, a CPU set and extra environment; wait for a server's
 * "ready" line; wait for the exit with a timeout through a pidfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hp/child.h"
#include "hp/time.h"

/* "0,2-3" -> the set; returns 0 or -EINVAL. */
static int parse_cpus(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b;

		if (end == s || a < 0 || a >= CPU_SETSIZE)
			return -EINVAL;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a || b >= CPU_SETSIZE)
				return -EINVAL;
		}
		for (long i = a; i <= b; i++)
			CPU_SET(i, set);
		if (*end == ',')
			end++;
		else if (*end)
			return -EINVAL;
		s = end;
	}
	return 0;
}

int hp_child_start(struct hp_child *c, char *const argv[], char *const env[], const char *out_path,
                   const char *err_path, const char *cpus)
{
	cpu_set_t set;
	int pin = cpus && *cpus;

	c->pid = -1;
	c->pidfd = -1;
	if (pin && parse_cpus(cpus, &set))
		return -EINVAL;
	/*
	 * The files are truncated here, before the fork, not in the child: a
	 * caller waiting for "ready" in err_path must never read what an earlier
	 * child left there.
	 */
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int o = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int e = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int err = 0;

	if (in < 0 || o < 0 || e < 0) {
		err = -errno;
		goto out_close;
	}
	fflush(NULL);
	c->t0 = hp_now_ns();
	c->pid = fork();
	if (c->pid < 0) {
		err = -errno;
		goto out_close;
	}
	if (c->pid == 0) {
		dup2(in, 0);
		dup2(o, 1);
		dup2(e, 2);
		if (pin && sched_setaffinity(0, sizeof set, &set))
			fprintf(stderr, "hp_child: cannot pin to CPUs %s: %s\n", cpus, strerror(errno));
		for (char *const *kv = env; kv && *kv; kv++)
			putenv(*kv);
		execv(argv[0], argv);
		fprintf(stderr, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
out_close:
	if (in >= 0)
		close(in);
	if (o >= 0)
		close(o);
	if (e >= 0)
		close(e);
	return err;
}

/* Whether the child has exited (without reaping it). */
static int child_exited(struct hp_child *c)
{
	siginfo_t si;

	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return 1;
	return si.si_pid != 0;
}

int hp_child_wait_ready(struct hp_child *c, const char *err_path, double timeout_s)
{
	uint64_t deadline = hp_now_ns() + (uint64_t)(timeout_s * 1e9);
	char buf[4096];

	for (;;) {
		int fd = open(err_path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof buf - 1);

			close(fd);
			if (n > 0) {
				buf[n] = '\0';
				for (char *line = buf; line;
				     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
					if (strncmp(line, "ready", 5))
						continue;
					char *p = strstr(line, "port=");
					char *nl = strchr(line, '\n');

					if (!nl)
						break; /* the line is still being written */
					return p && p < nl ? atoi(p + 5) : 0;
				}
			}
		}
		if (child_exited(c))
			return -ECHILD;
		if (hp_now_ns() > deadline)
			return -ETIMEDOUT;
		/* A server is ready within milliseconds; 2 ms steps cost nothing. */
		usleep(2000);
	}
}

int hp_child_wait(struct hp_child *c, int stop, double timeout_s, struct rusage *ru, double *wall_ms,
                  char *status, size_t status_len)
{
	struct rusage dummy;
	int st = 0, timed_out = 0;

	if (stop)
		kill(c->pid, SIGTERM);
	if (c->pidfd >= 0) {
		struct pollfd pfd = {.fd = c->pidfd, .events = POLLIN};
		int n;

		do
			n = poll(&pfd, 1, (int)(timeout_s * 1000));
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			kill(c->pid, SIGKILL);
			timed_out = 1;
		}
	}
	if (wait4(c->pid, &st, 0, ru ? ru : &dummy) < 0) {
		snprintf(status, status_len, "wait4: %s", strerror(errno));
		return -1;
	}
	if (wall_ms)
		*wall_ms = (double)(hp_now_ns() - c->t0) / 1e6;
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	if (timed_out) {
		snprintf(status, status_len, "timeout after %g s%s", timeout_s,
		         stop ? " (after SIGTERM)" : "");
		return -1;
	}
	if (WIFEXITED(st)) {
		if (WEXITSTATUS(st) == 0) {
			snprintf(status, status_len, "ok");
			return 0;
		}
		snprintf(status, status_len, "exit %d", WEXITSTATUS(st));
		return -1;
	}
	snprintf(status, status_len, "signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	return -1;
}
