#ifndef HP_CH05_WORKLOAD_H
#define HP_CH05_WORKLOAD_H

#include <stdint.h>

/*
 * The workload of chapter 05, shared by both variants so that they do the
 * same work and `diff naive.c optimized.c` shows only where each thread's
 * counters live in memory.
 *
 * A service's access log is aggregated by --threads worker threads. Each
 * event is one finished request: its status code, its latency and the bytes
 * of its response. Each worker takes a contiguous share of the events and
 * records every event of its share in its own struct stats: counts, sums and
 * a small histogram. When all workers are done, the main thread adds the
 * workers' statistics up and prints the totals, which do not depend on the
 * number of threads.
 */

/* One finished request. */
struct event {
	uint32_t latency_us;
	uint32_t bytes; /* of the response body */
	uint16_t status;
};

/* Status classes (2xx, 3xx, 4xx, 5xx) and latency buckets of struct stats. */
#define STATUS_CLASSES  4
#define LATENCY_BUCKETS 4

/*
 * One worker's statistics. 56 bytes: a 64-byte cache line holds one of them
 * and part of the next. The 32-bit counts hold up to 2^32 - 1 events, so
 * workload_check() limits a run to that many.
 */
struct stats {
	uint64_t requests;
	uint64_t bytes;
	uint64_t latency_us;                    /* the sum, for the mean */
	uint32_t status[STATUS_CLASSES];        /* 2xx, 3xx, 4xx, 5xx */
	uint32_t latency_hist[LATENCY_BUCKETS]; /* < 1 ms, < 4 ms, < 16 ms, slower */
};

/* Die with a message unless events and threads make a valid run. */
void workload_check(uint64_t events, unsigned threads);

/* The first event of thread t's share when events are split over nthreads threads. */
uint64_t share_first(uint64_t events, unsigned nthreads, unsigned t);

/*
 * Decode event i of the log of the given seed into *e. Each event is a
 * function of (seed, i) alone, so a thread can decode its share without
 * reading anyone else's data, and the events do not depend on how the log
 * is split. It stands for the parsing a real aggregator does per record.
 * Never allocates; safe to call from any thread.
 */
void event_decode(uint64_t seed, uint64_t i, struct event *e);

/*
 * Count one event into s: five read-modify-writes of s in memory. A separate
 * function in a separate file, as a real aggregator's would be: the worker
 * loop cannot keep the counters in registers across the call.
 */
void stats_record(struct stats *s, const struct event *e);

/* Add the counts of s to total. */
void stats_merge(struct stats *total, const struct stats *s);

/* Print the totals on stdout: the functional output, one line. */
void stats_print(const struct stats *total);

#endif
