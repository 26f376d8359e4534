/*
 * The bounded worker pool of chapter 12 (see pool.h for the contract).
 *
 * One mutex guards everything: the ring of queued jobs, the state and the
 * counters. A task takes hundreds of microseconds in this chapter and the
 * lock is held for a few dozen instructions per task, so one lock is not
 * what limits the pool (perf showed no measurable time in it); a lock-free
 * ring would be harder to read for no gain here.
 *
 * Shutdown is the subtle part. A pool is RUNNING, then DRAINING (no new
 * task is accepted; workers empty the queue and exit when it is empty),
 * then STOPPED (every worker joined). Workers exit only when the queue is
 * empty *and* the pool is draining, and pool_submit() checks the state
 * under the same lock as it enqueues, so no task can slip in after the
 * last worker looked: every accepted task runs. Exactly one caller of
 * pool_shutdown() moves RUNNING to DRAINING and joins the workers; any
 * other caller waits on `stopped`, so every call returns only when the
 * pool has drained, however many threads call it at once.
 */
#include <errno.h>
#include <stdlib.h>

#include "hp/section.h"

#include "pool.h"

enum pool_state {
	POOL_RUNNING,
	POOL_DRAINING,
	POOL_STOPPED,
};

static void *worker_main(void *arg)
{
	struct pool *p = arg;

	/* Let callgrind count the tasks this thread runs (hp/section.h). */
	hp_section_thread_begin();
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->len == 0 && p->state == POOL_RUNNING)
			pthread_cond_wait(&p->has_work, &p->lock);
		if (p->len == 0)
			break; /* draining and nothing left: the queue is done */
		struct pool_job job = p->ring[p->head];

		p->head = (p->head + 1) % p->cap;
		p->len--;
		pthread_cond_signal(&p->has_room);
		pthread_mutex_unlock(&p->lock);

		/* A failing task is counted; the worker carries on. */
		int err = job.fn(job.arg);

		pthread_mutex_lock(&p->lock);
		if (err < 0)
			p->stats.failed++;
		else
			p->stats.completed++;
	}
	pthread_mutex_unlock(&p->lock);
	hp_section_thread_end();
	return NULL;
}

/* Stop accepting and wake everyone who waits. Called with the lock held. */
static void begin_drain(struct pool *p)
{
	p->state = POOL_DRAINING;
	pthread_cond_broadcast(&p->has_work);
	pthread_cond_broadcast(&p->has_room);
}

/* Join the first n workers: they exit once draining has emptied the queue. */
static void join_workers(struct pool *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		pthread_join(p->workers[i], NULL);
}

int pool_init(struct pool *p, unsigned nworkers, size_t queue_cap)
{
	int err;

	if (nworkers == 0 || queue_cap == 0)
		return -EINVAL;
	*p = (struct pool){.cap = queue_cap, .nworkers = nworkers, .state = POOL_RUNNING};
	p->ring = calloc(queue_cap, sizeof *p->ring);
	p->workers = calloc(nworkers, sizeof *p->workers);
	if (!p->ring || !p->workers) {
		err = -ENOMEM;
		goto out_free;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->has_work, NULL);
	pthread_cond_init(&p->has_room, NULL);
	pthread_cond_init(&p->stopped, NULL);
	for (unsigned i = 0; i < nworkers; i++) {
		err = pthread_create(&p->workers[i], NULL, worker_main, p);
		if (err) {
			err = -err;
			pthread_mutex_lock(&p->lock);
			begin_drain(p);
			pthread_mutex_unlock(&p->lock);
			join_workers(p, i);
			goto out_destroy;
		}
	}
	return 0;

out_destroy:
	pthread_cond_destroy(&p->stopped);
	pthread_cond_destroy(&p->has_room);
	pthread_cond_destroy(&p->has_work);
	pthread_mutex_destroy(&p->lock);
out_free:
	free(p->workers);
	free(p->ring);
	return err;
}

int pool_submit(struct pool *p, pool_fn *fn, void *arg)
{
	int err = 0;

	pthread_mutex_lock(&p->lock);
	if (p->state != POOL_RUNNING) {
		err = -ESHUTDOWN;
	} else if (p->len == p->cap) {
		p->stats.rejected++;
		err = -EAGAIN;
	} else {
		p->ring[(p->head + p->len) % p->cap] = (struct pool_job){fn, arg};
		p->len++;
		p->stats.accepted++;
		pthread_cond_signal(&p->has_work);
	}
	pthread_mutex_unlock(&p->lock);
	return err;
}

int pool_wait_room(struct pool *p)
{
	int err;

	pthread_mutex_lock(&p->lock);
	while (p->len == p->cap && p->state == POOL_RUNNING)
		pthread_cond_wait(&p->has_room, &p->lock);
	err = p->state == POOL_RUNNING ? 0 : -ESHUTDOWN;
	pthread_mutex_unlock(&p->lock);
	return err;
}

int pool_shutdown(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	if (p->state != POOL_RUNNING) {
		/* Another call is draining the pool, or has: wait for the end. */
		while (p->state != POOL_STOPPED)
			pthread_cond_wait(&p->stopped, &p->lock);
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	/* The state changes in the same critical section that saw RUNNING, so
	 * exactly one caller gets here and joins the workers. */
	begin_drain(p);
	pthread_mutex_unlock(&p->lock);

	join_workers(p, p->nworkers);

	pthread_mutex_lock(&p->lock);
	p->state = POOL_STOPPED;
	pthread_cond_broadcast(&p->stopped);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void pool_stats(struct pool *p, struct pool_stats *out)
{
	pthread_mutex_lock(&p->lock);
	*out = p->stats;
	pthread_mutex_unlock(&p->lock);
}

void pool_release(struct pool *p)
{
	pool_shutdown(p);
	pthread_cond_destroy(&p->stopped);
	pthread_cond_destroy(&p->has_room);
	pthread_cond_destroy(&p->has_work);
	pthread_mutex_destroy(&p->lock);
	free(p->workers);
	free(p->ring);
}
