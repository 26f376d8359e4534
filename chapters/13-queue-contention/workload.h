#ifndef HP_CH13_WORKLOAD_H
#define HP_CH13_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * The workload of chapter 13, shared by every variant so that they do the
 * same work and `diff naive.c optimized.c` shows only how messages travel
 * from producers to consumers.
 *
 * --producers P threads make --size messages between them, each a keyed
 * record (a key among --keys, and a 64-bit value), as a service's request
 * threads make events for an aggregator. --consumers C threads take the
 * messages off the queue(s) and aggregate them per key: how many, the sum
 * of the values, and a sum of a hash of each value. Each consumer keeps
 * its own table of every key; when all threads have finished, the main
 * thread adds the tables up and prints one line. Sums do not depend on the
 * order of their terms, so the line is the same whichever consumer took
 * which message in which order: the variants' outputs are identical
 * whatever the scheduler does.
 *
 * Message i of producer p is a function of (seed, p, i) alone, and
 * producer p makes messages [0, share) of its own stream: the messages do
 * not depend on the interleaving either.
 */

/* One message: 16 bytes, four to a cache line. */
struct msg {
	uint64_t value;
	uint32_t key;
	uint32_t producer;
};

/* The lesson's own options, for hp_opts_parse(). */
#define QC_OPTIONS "producers,consumers,keys,capacity,batch,spin"

/* The run's shape, from the options (qc_config_init()). */
struct qc_config {
	uint64_t seed;
	uint64_t messages;  /* --size */
	unsigned producers; /* --producers, default 2 */
	unsigned consumers; /* --consumers, default 2 */
	uint32_t keys;      /* --keys, default 4096 */
	size_t capacity;    /* --capacity: slots of a queue, default 1024, a power of two */
	unsigned batch;     /* --batch: the optimized variants' batch, default 64 */
	unsigned spin;      /* --spin: polls before a thread sleeps, default 100 */
};

/*
 * Read the options (the set-up, not timed). Dies with a message on a bad
 * one: 1 to 64 producers and consumers, 1 to 2^20 keys, a capacity that is
 * a power of two from 2 to 2^24, a batch from 1 to the capacity.
 */
struct hp_opts;
void qc_config_init(struct qc_config *c, const struct hp_opts *opt);

/* How many messages producer p makes: the messages split as evenly as they go. */
uint64_t qc_share(const struct qc_config *c, unsigned p);

/*
 * Message i of producer p. The stand-in for the work a producer does to
 * make a record (parsing a request, say): about ten nanoseconds.
 */
struct msg msg_make(const struct qc_config *c, unsigned p, uint64_t i);

/*
 * The consumer that owns a key when the keys are partitioned over n
 * consumers: a hash of the key, so neighbouring keys spread out.
 */
static inline unsigned key_partition(uint32_t key, unsigned n)
{
	uint32_t h = key * 0x9e3779b1u; /* Fibonacci hashing (Knuth) */

	return (unsigned)(((uint64_t)h * n) >> 32);
}

/* One key's aggregate. */
struct key_stat {
	uint64_t count;
	uint64_t sum;
	uint64_t mix; /* a sum of a 64-bit hash of each value */
};

/* A consumer's aggregate of every key it was given. Caller-owned. */
struct agg {
	struct key_stat *keys; /* keys[key], c->keys of them */
	uint32_t nkeys;
	uint64_t messages;
};

/* Allocate a zeroed table of c->keys keys (hp_xcalloc: aborts when out of memory). */
void agg_init(struct agg *a, const struct qc_config *c);
void agg_release(struct agg *a);

/* Count one message: the consumer's work per message, a few nanoseconds. */
static inline void agg_add(struct agg *a, const struct msg *m)
{
	struct key_stat *s = &a->keys[m->key];
	uint64_t z = m->value * 0xbf58476d1ce4e5b9u;

	s->count++;
	s->sum += m->value;
	s->mix += z ^ (z >> 31);
	a->messages++;
}

/* Add src's counts to dst (the main thread, after the joins). */
void agg_merge(struct agg *dst, const struct agg *src);

/*
 * Print the result line on stdout: the messages, the keys that got any,
 * and a digest of every key's aggregate in key order.
 */
void agg_print(const struct agg *a);

/*
 * How often the threads blocked: the variants' own counters, reported
 * through hp/report.h. waits: a thread went to sleep in the kernel (a
 * condition variable's wait, or a futex wait); wakes: a thread made the
 * system call that wakes another (the optimized variants; the naive one
 * signals on every push and pop and cannot tell which signals woke
 * anyone); contended: a lock was taken by another thread when a thread
 * wanted it (the naive variants).
 */
struct qc_counts {
	uint64_t waits;
	uint64_t wakes;
	uint64_t contended;
};

/* Report waits, wakes and contended, and each per thousand messages. */
void qc_counts_report(const struct qc_counts *k, uint64_t messages, int have_wakes, int have_contended);

#endif
