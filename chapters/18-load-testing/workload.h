#ifndef HP_CH18_WORKLOAD_H
#define HP_CH18_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * The server of chapter 18: the hello API (hp/hello.h) on one thread with an
 * epoll loop, plus a session table that has to be swept for expired
 * sessions, as a cache or a session store does (Redis's "active expire
 * cycle" is the famous case). The two variants differ only in how they
 * sweep (naive.c, optimized.c); everything else is here, so that
 * `diff naive.c optimized.c` shows only that.
 *
 * The table has --sessions slots (default SESSIONS_DEFAULT). Each request
 * refreshes the session of a client (its connection); a sweep visits the
 * slots, and frees those whose time is up. A full sweep of the default
 * table takes milliseconds of CPU: that is the stall the chapter measures.
 */

#define SESSIONS_DEFAULT (4u << 20)
#define SWEEP_PERIOD_MS  100 /* the whole table is swept once per period */
#define SESSION_TTL_MS   250

struct session {
	uint64_t expires_ms; /* 0: free */
	uint64_t client;
};

struct table {
	struct session *slot;
	size_t n;
	size_t next; /* the next slot a sweep visits */
	uint64_t expired;
};

/* A table of n slots, half of them holding sessions that have already expired. Allocates. */
void table_init(struct table *t, size_t n);
void table_release(struct table *t);

/* Refresh the session of client at now_ms. Never allocates. */
void table_touch(struct table *t, uint64_t client, uint64_t now_ms);

/* Visit up to count slots from t->next on (wrapping), expiring those due at now_ms. Returns how many were
 * visited. */
size_t table_sweep(struct table *t, size_t count, uint64_t now_ms);

/*
 * The sweeping strategy of a variant, called by the loop: sweep_due() once
 * per loop iteration with the time; it returns how long the loop may sleep
 * at most (ms) before calling it again.
 */
int sweep_due(struct table *t, uint64_t now_ms);

/* Run the server (hp/hello.h) until SIGTERM; see workload.c. Returns the exit status. */
int serve(int argc, char **argv);

#endif
