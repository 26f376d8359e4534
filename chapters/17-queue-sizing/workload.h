#ifndef HP_CH17_WORKLOAD_H
#define HP_CH17_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * The workload of chapter 17, shared by the three variants so that they do
 * the same work and `diff naive.c optimized.c` shows only how the queue's
 * capacity is chosen.
 *
 * A pipeline of two stages joined by one bounded channel (chan.h). The
 * first stage is two producers that keep an open-loop schedule, fixed by
 * the options and the seed before the run starts:
 *   - the bulk producer (the main thread) emits --size items in bursts:
 *     burst k starts every --period-us microseconds and holds between 3/4
 *     of --burst and --burst items (from the seed), one every --gap-us
 *     microseconds, as an upstream flushes a batch, a cron job fans out or
 *     a client reconnects with its backlog;
 *   - the ping producer (a thread) emits one item every --ping-us for as
 *     long as the bulk schedule lasts: the occasional request that shares
 *     the queue with the bulk, a health check or an interactive user.
 * The second stage is --consumers threads that take items off the channel
 * and process each one: --passes passes of a 64-bit hash over its 1 KiB
 * payload, the stage's known service time (about 20 us on the reference
 * VM, reported as service_us).
 *
 * When the channel is full the producer blocks (chan.h): every item is
 * processed whatever the capacity, so the result line is the same for
 * every variant. Latency is measured from the item's *intended* arrival,
 * the time the schedule says it was due, not from when a blocked producer
 * got round to sending it: a producer that falls behind its schedule does
 * not hide the wait (no coordinated omission).
 *
 * The result, printed by pipeline_print(), counts the items and digests
 * their fingerprints in a way that does not depend on which consumer ran
 * which item when.
 */

/* One item and one slot of the channel: 1 KiB. */
#define ITEM_BYTES 1024

struct item {
	uint64_t id;     /* bulk items 0 .. nbulk-1, then the pings */
	uint64_t due_ns; /* intended arrival, from the start of the run */
	unsigned char payload[ITEM_BYTES - 16];
};

/* The lesson's own options, for hp_opts_parse(). */
#define PIPE_OPTIONS "burst,period-us,gap-us,ping-us,passes,consumers"

struct pipeline {
	/* The schedule and the work, from the options (the set-up). */
	uint64_t seed;
	size_t nbulk, nping, nbursts;
	size_t burst_max;   /* --burst: the largest burst */
	uint64_t period_ns; /* between the starts of two bursts */
	uint64_t gap_ns;    /* between two items of a burst */
	uint64_t ping_ns;   /* between two pings */
	unsigned passes;
	unsigned consumers;
	uint64_t *due_ns; /* per item: bulk, then pings */

	/* What the run measured and computed, per item and in total. */
	uint64_t *fingerprint;
	uint64_t *latency_ns;   /* done minus intended arrival */
	uint64_t start_ns;      /* time 0 of the schedule */
	uint64_t behind_max_ns; /* the furthest the bulk producer fell behind */
	uint64_t service_ns;    /* summed over every item processed */
	uint64_t blocked_sends; /* from the channel */
	size_t max_depth;       /* from the channel */
	size_t cap;             /* the capacity the run used */
};

/*
 * Set up the schedule from --size --seed and the lesson's options (not
 * timed). Dies on a bad argument.
 */
struct hp_opts;
void pipeline_init(struct pipeline *p, const struct hp_opts *opt);
void pipeline_release(struct pipeline *p);

/*
 * The timed work: allocate a channel of cap slots, start the consumers and
 * the ping producer, run the bulk producer on the calling thread, close
 * the channel and join. Every item is processed once.
 */
void pipeline_run(struct pipeline *p, size_t cap);

/*
 * Report the lesson's metrics (hp/report.h): latency percentiles of the
 * bulk items and of the pings from intended arrival, how far the producer
 * fell behind, blocked sends, the deepest queue and the memory it held,
 * the capacity and the measured service time.
 */
void pipeline_report(const struct pipeline *p);

/* Print the result line on stdout. */
void pipeline_print(const struct pipeline *p);

#endif
