#ifndef HP_CHILD_H
#define HP_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/*
 * Child processes for the harness: a server variant, the load generator, a
 * peer's start script. A child gets /dev/null as stdin, its stdout and
 * stderr in files, extra environment entries, and optionally a CPU set
 * (servers and their load generator share one core on a 2-core machine, see
 * the network pages). Waiting uses a pidfd and poll(), never a busy loop.
 */
struct hp_child {
	pid_t pid;
	int pidfd;   /* -1 when the kernel has no pidfd_open */
	uint64_t t0; /* start, CLOCK_MONOTONIC ns */
};

/*
 * Start argv (argv[0] is a path) with stdout to out_path and stderr to
 * err_path (NULL: /dev/null), the "NAME=value" entries of env (NULL-ended,
 * may be NULL) added to the environment, and, when cpus is a list such as
 * "0" or "0,1" (NULL or "": no pinning), its CPU affinity set to those
 * CPUs. Returns 0 or -errno (a program that cannot be executed exits 127).
 */
int hp_child_start(struct hp_child *c, char *const argv[], char *const env[], const char *out_path,
                   const char *err_path, const char *cpus);

/*
 * Wait until the file err_path has a line that starts with "ready" (the
 * server protocol: hp_server_ready() writes "ready port=N"), at most
 * timeout_s. Returns the port from "port=N" (0 when the line has none),
 * -ETIMEDOUT, or -ECHILD when the child exited before it was ready.
 */
int hp_child_wait_ready(struct hp_child *c, const char *err_path, double timeout_s);

/*
 * Wait for the child to exit, at most timeout_s, then kill it (SIGKILL).
 * With stop set, send SIGTERM first (a server's clean stop). Fills *ru
 * (may be NULL), *wall_ms (may be NULL; from start to exit) and status:
 * "ok", "exit N", "signal N (name)" or "timeout after S s". Returns 0 when
 * the child exited with status 0, else -1.
 */
int hp_child_wait(struct hp_child *c, int stop, double timeout_s, struct rusage *ru, double *wall_ms,
                  char *status, size_t status_len);

#endif
