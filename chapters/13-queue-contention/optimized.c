/*
 * Chapter 13, optimized variant: partitioned single-producer,
 * single-consumer rings, batched, with a bounded spin before sleeping.
 *
 * The same producers, consumers and messages as naive.c (workload.h). What
 * changed is the path between them:
 *
 *   - No shared queue. Each consumer owns a partition of the keys
 *     (key_partition(), a hash of the key), and every producer has one ring
 *     to every consumer (ring.h): P x C rings, each with exactly one thread
 *     at each end, so no lock and no atomic read-modify-write is needed to
 *     push or pop. A side effect that is often the real reason to
 *     partition: all messages of a key go to one consumer, in the order
 *     their producer made them.
 *   - Batches. A producer publishes a ring's messages every --batch pushes
 *     (64), and a consumer takes up to --batch at a time: the stores the
 *     other side must see, and the cache-line transfers they cause, happen
 *     once per batch instead of once per message.
 *   - Sleeping, but rarely. A thread that finds nothing to do (a consumer
 *     with empty rings, a producer with a full one) polls --spin times (100,
 *     about a microsecond) and then sleeps on a futex (struct parker). The
 *     other side pays a system call to wake it only if it really sleeps; a
 *     thread that never sleeps is never woken. A pure busy spin would be
 *     faster only if every thread had a core to itself: on two cores and
 *     four threads, a spinning consumer burns the time slice that the
 *     producer it waits for needs (profile-extra.sh measures --spin).
 *
 * Before a producer sleeps on a full ring it publishes all its rings, so no
 * consumer waits for messages held back by a sleeping producer. When a
 * producer is done it publishes everything, counts itself done and wakes
 * every consumer; a consumer leaves when it saw all producers done before
 * a pass over its rings that found them empty.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "ring.h"
#include "workload.h"

/* What all threads share. Rings and parkers are over-aligned: see shared_init(). */
struct shared {
	const struct qc_config *cfg;
	struct ring *rings;       /* rings[p * consumers + c]: producer p to consumer c */
	struct parker *producers; /* producers[p]: producer p sleeps here when a ring is full */
	struct parker *consumers; /* consumers[c]: consumer c sleeps here when its rings are empty */
	atomic_uint producers_done;
};

struct worker {
	struct shared *sh;
	unsigned id;
	struct agg agg;  /* consumers only */
	struct msg *buf; /* consumers only: a batch popped from a ring */
	size_t *pending; /* producers only: pushes not yet published, per consumer */
	struct qc_counts counts;
};

static struct ring *ring_of(struct shared *sh, unsigned p, unsigned c)
{
	return &sh->rings[(size_t)p * sh->cfg->consumers + c];
}

/* Producer: publish the ring to consumer c and wake it if it sleeps. */
static void publish(struct worker *w, unsigned c)
{
	ring_publish(ring_of(w->sh, w->id, c));
	w->pending[c] = 0;
	w->counts.wakes += parker_wake(&w->sh->consumers[c]);
}

static void publish_all(struct worker *w)
{
	for (unsigned c = 0; c < w->sh->cfg->consumers; c++)
		if (w->pending[c])
			publish(w, c);
}

/* Producer: the ring to consumer c is full; return when it has room. */
static void wait_for_room(struct worker *w, unsigned c)
{
	struct ring *r = ring_of(w->sh, w->id, c);
	struct parker *me = &w->sh->producers[w->id];

	publish_all(w);
	for (unsigned i = 0; i < w->sh->cfg->spin; i++) {
		if (ring_has_room(r))
			return;
		cpu_relax();
	}
	while (!ring_has_room(r)) {
		unsigned key = parker_prepare(me);

		if (ring_has_room(r)) {
			parker_cancel(me);
			return;
		}
		parker_sleep(me, key);
		w->counts.waits++;
	}
}

static void *producer_run(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	const struct qc_config *cfg = sh->cfg;
	uint64_t n = qc_share(cfg, w->id);

	hp_section_thread_begin();
	for (uint64_t i = 0; i < n; i++) {
		struct msg m = msg_make(cfg, w->id, i);
		unsigned c = key_partition(m.key, cfg->consumers);

		while (!ring_try_push(ring_of(sh, w->id, c), &m))
			wait_for_room(w, c);
		if (++w->pending[c] == cfg->batch)
			publish(w, c);
	}
	publish_all(w);
	atomic_fetch_add_explicit(&sh->producers_done, 1, memory_order_seq_cst);
	for (unsigned c = 0; c < cfg->consumers; c++)
		w->counts.wakes += parker_wake(&sh->consumers[c]);
	hp_section_thread_end();
	return NULL;
}

/* Consumer: one pass over its rings, a batch from each; returns the messages taken. */
static size_t consume_pass(struct worker *w)
{
	struct shared *sh = w->sh;
	size_t got = 0;

	for (unsigned p = 0; p < sh->cfg->producers; p++) {
		size_t n = ring_pop_batch(ring_of(sh, p, w->id), w->buf, sh->cfg->batch);

		if (n == 0)
			continue;
		w->counts.wakes += parker_wake(&sh->producers[p]);
		for (size_t i = 0; i < n; i++)
			agg_add(&w->agg, &w->buf[i]);
		got += n;
	}
	return got;
}

/* Consumer, before it sleeps: 1 when there is something to do after all. */
static int consumer_has_work(struct worker *w)
{
	struct shared *sh = w->sh;

	if (atomic_load_explicit(&sh->producers_done, memory_order_seq_cst) == sh->cfg->producers)
		return 1;
	for (unsigned p = 0; p < sh->cfg->producers; p++)
		if (!ring_empty(ring_of(sh, p, w->id)))
			return 1;
	return 0;
}

static void *consumer_run(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct parker *me = &sh->consumers[w->id];
	unsigned idle = 0;

	hp_section_thread_begin();
	for (;;) {
		/* Read before the pass: if every producer was done, the pass saw all they published. */
		unsigned done = atomic_load_explicit(&sh->producers_done, memory_order_acquire);

		if (consume_pass(w) > 0) {
			idle = 0;
			continue;
		}
		if (done == sh->cfg->producers)
			break;
		if (idle < sh->cfg->spin) {
			idle++;
			cpu_relax();
			continue;
		}
		unsigned key = parker_prepare(me);

		if (consumer_has_work(w)) {
			parker_cancel(me);
			continue;
		}
		parker_sleep(me, key);
		w->counts.waits++;
		idle = 0;
	}
	hp_section_thread_end();
	return NULL;
}

/* Over-aligned types need aligned_alloc(): calloc() promises 16 bytes only (chapter 05). */
static void *aligned_array(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes) || !(p = aligned_alloc(RING_ALIGN, bytes)))
		hp_die("out of memory (%zu x %zu bytes)", n, size);
	return memset(p, 0, bytes);
}

static void shared_init(struct shared *sh, const struct qc_config *cfg)
{
	unsigned np = cfg->producers, nc = cfg->consumers;
	int err;

	sh->cfg = cfg;
	sh->rings = aligned_array((size_t)np * nc, sizeof *sh->rings);
	sh->producers = aligned_array(np, sizeof *sh->producers);
	sh->consumers = aligned_array(nc, sizeof *sh->consumers);
	atomic_init(&sh->producers_done, 0);
	for (size_t i = 0; i < (size_t)np * nc; i++)
		if ((err = ring_init(&sh->rings[i], cfg->capacity)) < 0)
			hp_die("ring_init (%zu slots): %s", cfg->capacity, strerror(-err));
	for (unsigned p = 0; p < np; p++)
		parker_init(&sh->producers[p]);
	for (unsigned c = 0; c < nc; c++)
		parker_init(&sh->consumers[c]);
}

static void shared_release(struct shared *sh)
{
	for (size_t i = 0; i < (size_t)sh->cfg->producers * sh->cfg->consumers; i++)
		ring_release(&sh->rings[i]);
	free(sh->rings);
	free(sh->producers);
	free(sh->consumers);
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct qc_config cfg;
	struct shared sh;
	struct hp_section s;
	int err;

	hp_opts_parse(&opt, argc, argv, QC_OPTIONS);
	qc_config_init(&cfg, &opt);
	shared_init(&sh, &cfg);

	unsigned np = cfg.producers, nc = cfg.consumers, nt = np + nc;
	struct worker *workers = hp_xcalloc(nt, sizeof *workers);
	pthread_t *threads = hp_xmalloc_array(nt, sizeof *threads);

	/* Workers 0..np-1 produce, np..nt-1 consume. */
	for (unsigned t = 0; t < nt; t++) {
		workers[t] = (struct worker){.sh = &sh, .id = t < np ? t : t - np};
		if (t < np) {
			workers[t].pending = hp_xcalloc(nc, sizeof *workers[t].pending);
		} else {
			agg_init(&workers[t].agg, &cfg);
			workers[t].buf = hp_xmalloc_array(cfg.batch, sizeof *workers[t].buf);
		}
	}

	hp_section_begin(&s);
	for (unsigned t = 0; t < nt; t++)
		if ((err = pthread_create(&threads[t], NULL, t < np ? producer_run : consumer_run,
		                          &workers[t])))
			hp_die("pthread_create: %s", strerror(err));
	for (unsigned t = 0; t < nt; t++)
		if ((err = pthread_join(threads[t], NULL)))
			hp_die("pthread_join: %s", strerror(err));
	hp_section_end(&s, cfg.messages);
	hp_section_report(&s);

	struct agg total;
	struct qc_counts counts = {0};

	agg_init(&total, &cfg);
	for (unsigned t = 0; t < nt; t++) {
		counts.waits += workers[t].counts.waits;
		counts.wakes += workers[t].counts.wakes;
		if (t >= np) {
			agg_merge(&total, &workers[t].agg);
			agg_release(&workers[t].agg);
			free(workers[t].buf);
		} else {
			free(workers[t].pending);
		}
	}
	qc_counts_report(&counts, cfg.messages, 1, 0);
	agg_print(&total);
	agg_release(&total);
	free(threads);
	free(workers);
	shared_release(&sh);
	return 0;
}
