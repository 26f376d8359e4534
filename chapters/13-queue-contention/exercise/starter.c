/*
 * Chapter 13 exercise: your copy of the naive variant. Make the one shared
 * queue cost less per message, without changing what it prints.
 *
 * Here every message takes the queue's lock twice, once to push and once
 * to pop, and signals a condition variable each time. Take a batch per
 * lock instead: a producer collects up to --batch messages in a buffer of
 * its own and pushes them under one lock; a consumer pops up to --batch
 * messages under one lock and aggregates them after it lets go. Keep the
 * one queue and its lock: the partitioned rings are the chapter's other
 * answer. exercise/README.md says how to build, grade and measure yours.
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
	struct agg agg; /* consumers only */
	struct qc_counts counts;
};

static void queue_lock(struct queue *q, struct qc_counts *k)
{
	if (pthread_mutex_trylock(&q->lock) != 0) {
		k->contended++;
		pthread_mutex_lock(&q->lock);
	}
}

static void queue_push(struct queue *q, const struct msg *m, struct qc_counts *k)
{
	queue_lock(q, k);
	while (q->count == q->mask + 1) {
		k->waits++;
		pthread_cond_wait(&q->not_full, &q->lock);
	}
	q->slots[(q->head + q->count) & q->mask] = *m;
	q->count++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

/* Pop the oldest message into *m: 1, or 0 when the queue is empty and no producer is left. */
static int queue_pop(struct queue *q, struct msg *m, struct qc_counts *k)
{
	queue_lock(q, k);
	while (q->count == 0 && q->producers_left > 0) {
		k->waits++;
		pthread_cond_wait(&q->not_empty, &q->lock);
	}
	if (q->count == 0) {
		pthread_mutex_unlock(&q->lock);
		return 0;
	}
	*m = q->slots[q->head];
	q->head = (q->head + 1) & q->mask;
	q->count--;
	pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->lock);
	return 1;
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

	hp_section_thread_begin();
	for (uint64_t i = 0; i < n; i++) {
		struct msg m = msg_make(w->cfg, w->id, i);

		queue_push(w->q, &m, &w->counts);
	}
	queue_producer_done(w->q, &w->counts);
	hp_section_thread_end();
	return NULL;
}

static void *consumer_run(void *arg)
{
	struct worker *w = arg;
	struct msg m;

	hp_section_thread_begin();
	while (queue_pop(w->q, &m, &w->counts))
		agg_add(&w->agg, &m);
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
