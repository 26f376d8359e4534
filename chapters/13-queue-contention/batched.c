/*
 * Chapter 13, batched variant: the naive variant's one shared queue, but a
 * batch of messages per lock instead of one.
 *
 * Everything is as in naive.c, the one ring of --capacity slots under one
 * mutex with its two condition variables, except that a producer collects
 * --batch messages (64) in a buffer of its own and pushes them under one
 * lock, and a consumer takes up to --batch messages under one lock and
 * aggregates them after it let go of it. The lock is taken, and the
 * condition variables signalled, about 2 / --batch times per message
 * instead of twice: the cache line of the lock and the futex calls of the
 * threads that find it taken are paid per batch.
 *
 * This is the smallest change to the naive variant that attacks its cost,
 * and the exercise's answer (exercise/README.md). What it keeps: every
 * thread still meets every other on one lock, so with more cores the lock
 * is still the one point everybody queues on; the optimized variant
 * removes the sharing itself. A producer waits for room for its whole
 * batch (a batch is at most the capacity, so the room comes), and a
 * consumer takes what is there, up to a batch, so a short queue is not
 * held back.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct msg *slots;
	size_t mask; /* capacity - 1 */
	size_t head; /* the oldest message */
	size_t count;
	unsigned producers_left;
};

/* What each thread needs, and its own counters. */
struct worker {
	struct queue *q;
	const struct qc_config *cfg;
	unsigned id;
	struct agg agg;  /* consumers only */
	struct msg *buf; /* a batch: collected by a producer, popped by a consumer */
	struct qc_counts counts;
};

static void queue_lock(struct queue *q, struct qc_counts *k)
{
	if (pthread_mutex_trylock(&q->lock) != 0) {
		k->contended++;
		pthread_mutex_lock(&q->lock);
	}
}

/* Push m[0..n-1], n at most the capacity, under one lock; wait until all of them fit. */
static void queue_push_batch(struct queue *q, const struct msg *m, size_t n, struct qc_counts *k)
{
	queue_lock(q, k);
	while (q->mask + 1 - q->count < n) {
		k->waits++;
		pthread_cond_wait(&q->not_full, &q->lock);
	}
	for (size_t i = 0; i < n; i++)
		q->slots[(q->head + q->count + i) & q->mask] = m[i];
	q->count += n;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

/*
 * Pop up to max of the oldest messages into m[]: how many, or 0 when the
 * queue is empty and no producer is left.
 */
static size_t queue_pop_batch(struct queue *q, struct msg *m, size_t max, struct qc_counts *k)
{
	queue_lock(q, k);
	while (q->count == 0 && q->producers_left > 0) {
		k->waits++;
		pthread_cond_wait(&q->not_empty, &q->lock);
	}
	size_t n = q->count < max ? q->count : max;

	for (size_t i = 0; i < n; i++)
		m[i] = q->slots[(q->head + i) & q->mask];
	q->head = (q->head + n) & q->mask;
	q->count -= n;
	if (n > 0)
		pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->lock);
	return n;
}

static void queue_producer_done(struct queue *q, struct qc_counts *k)
{
	queue_lock(q, k);
	if (--q->producers_left == 0)
		pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

static void *producer_run(void *arg)
{
	struct worker *w = arg;
	uint64_t n = qc_share(w->cfg, w->id);
	size_t len = 0;

	hp_section_thread_begin();
	for (uint64_t i = 0; i < n; i++) {
		w->buf[len++] = msg_make(w->cfg, w->id, i);
		if (len == w->cfg->batch) {
			queue_push_batch(w->q, w->buf, len, &w->counts);
			len = 0;
		}
	}
	if (len > 0)
		queue_push_batch(w->q, w->buf, len, &w->counts);
	queue_producer_done(w->q, &w->counts);
	hp_section_thread_end();
	return NULL;
}

static void *consumer_run(void *arg)
{
	struct worker *w = arg;
	size_t n;

	hp_section_thread_begin();
	while ((n = queue_pop_batch(w->q, w->buf, w->cfg->batch, &w->counts)) > 0)
		for (size_t i = 0; i < n; i++)
			agg_add(&w->agg, &w->buf[i]);
	hp_section_thread_end();
	return NULL;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct qc_config cfg;
	struct hp_section s;
	int err;

	hp_opts_parse(&opt, argc, argv, QC_OPTIONS);
	qc_config_init(&cfg, &opt);

	unsigned np = cfg.producers, nc = cfg.consumers, nt = np + nc;
	struct queue q = {
	    .lock = PTHREAD_MUTEX_INITIALIZER,
	    .not_empty = PTHREAD_COND_INITIALIZER,
	    .not_full = PTHREAD_COND_INITIALIZER,
	    .slots = hp_xmalloc_array(cfg.capacity, sizeof(struct msg)),
	    .mask = cfg.capacity - 1,
	    .producers_left = np,
	};
	struct worker *workers = hp_xcalloc(nt, sizeof *workers);
	pthread_t *threads = hp_xmalloc_array(nt, sizeof *threads);

	/* Workers 0..np-1 produce, np..nt-1 consume. */
	for (unsigned t = 0; t < nt; t++) {
		workers[t] = (struct worker){.q = &q, .cfg = &cfg, .id = t < np ? t : t - np};
		workers[t].buf = hp_xmalloc_array(cfg.batch, sizeof *workers[t].buf);
		if (t >= np)
			agg_init(&workers[t].agg, &cfg);
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
		counts.contended += workers[t].counts.contended;
		free(workers[t].buf);
		if (t >= np) {
			agg_merge(&total, &workers[t].agg);
			agg_release(&workers[t].agg);
		}
	}
	qc_counts_report(&counts, cfg.messages, 0, 1);
	agg_print(&total);
	agg_release(&total);
	free(threads);
	free(workers);
	free(q.slots);
	return 0;
}
