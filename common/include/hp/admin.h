#ifndef HP_ADMIN_H
#define HP_ADMIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

/*
 * The admin endpoint of the server lessons: a server's own counters, served
 * as JSON on a port of their own, so that a person or a test can watch a
 * server under load without going through the port the load uses.
 *
 *   GET /metrics   200 {"connections_open":N,"connections_peak":N,
 *                       "requests":N,"refused":N}
 *   HEAD /metrics  the same head, no body
 *   other paths    404; other methods or a request body: 501;
 *   malformed      400; a head over the limits of hp/http.h: 431
 *
 * It listens on 127.0.0.1 only (never on the public address) and answers
 * every request with "Connection: close". One thread does it all, one
 * connection at a time, with blocking I/O: the endpoint is for humans and
 * tests, a few requests a second. A client gets ADMIN_TIMEOUT_MS (1 s, see
 * admin.c) to send its request and to take the answer; a slow or silent one
 * costs the others at most that.
 *
 * The counters are written by the server's threads (or processes: they may
 * live in shared memory) and read by the admin thread, so they are atomics.
 * Relaxed order is enough: each value is read on its own, and a reading
 * that lags by a request is as good as any. A single writer may publish
 * with atomic_store_explicit() from a plain local count, which costs no
 * locked instruction on the hot path.
 */
struct hp_admin_counters {
	atomic_ullong open;     /* connections open now */
	atomic_ullong peak;     /* the most connections open at once */
	atomic_ullong requests; /* requests answered */
	atomic_ullong refused;  /* connections closed unanswered (out of descriptors or threads) */
};

struct hp_admin {
	const struct hp_admin_counters *counters;
	size_t ncounters;
	int fd;   /* the listening socket */
	int wake; /* eventfd: written by hp_admin_stop() */
	int port; /* the port it listens on (useful with port 0) */
	pthread_t thread;
};

/*
 * Listen on 127.0.0.1:port (0: the kernel picks a free port; it is then in
 * a->port) and start the admin thread, which serves the sum of the n
 * counter blocks at counters (a server of several processes passes one
 * block per process; peak is then the sum of their peaks). The counters
 * must outlive hp_admin_stop(). Call it after hp_stop_fd(), so the thread
 * inherits the blocked SIGTERM. Returns 0 or -errno (nothing is left open
 * then). Allocates nothing but the thread.
 */
int hp_admin_start(struct hp_admin *a, int port, const struct hp_admin_counters *counters, size_t n);

/* Stop the thread, wait for it, close the socket. a may be started again. */
void hp_admin_stop(struct hp_admin *a);

/*
 * The calling process's resident memory now and at its peak, in KiB
 * (VmRSS and VmHWM of /proc/self/status). A server that notes *rss_kb when
 * it is ready and *hwm_kb when it stops can say what its connections cost
 * in user memory; the kernel's own (socket buffers, a thread's kernel
 * stack) is not in either. Returns 0, or -errno (both are 0 then).
 */
int hp_admin_memory(long *rss_kb, long *hwm_kb);

#endif
