#ifndef HP_CH12_POOL_H
#define HP_CH12_POOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A fixed pool of worker threads fed by a bounded queue (chapter 12).
 *
 * The pool starts its workers in pool_init() and keeps exactly that many
 * until pool_shutdown(): the number of threads never depends on the load.
 * The queue holds at most queue_cap tasks that were accepted but not yet
 * taken by a worker. pool_submit() never blocks and never allocates: when
 * the queue is full it returns -EAGAIN at once, and what to do then is the
 * caller's decision (chapter 12 lists four honest answers; full.h has them).
 *
 * The guarantees, which tests/unit/test_pool_ch12.c checks:
 *   - every task that pool_submit() accepted (returned 0) runs exactly once,
 *     including those still queued when pool_shutdown() is called;
 *   - a task that was not accepted never runs;
 *   - a task that fails (its function returns < 0) is counted in
 *     pool_stats.failed; its worker goes on with the next task;
 *   - pool_shutdown() may be called any number of times, from any threads,
 *     also while other threads submit: it returns once the queue is drained
 *     and every worker has exited.
 *
 * All functions are thread-safe, except pool_init() and pool_release(),
 * which must not run at the same time as any other call on the same pool.
 */

/*
 * A task: fn(arg) runs on a worker thread. It returns 0, or < 0 (a -errno)
 * when the task failed; a failure is counted, never propagated. The pool
 * does not own arg: the task frees what it must.
 */
typedef int pool_fn(void *arg);

/* The pool's counters, a consistent snapshot from pool_stats(). */
struct pool_stats {
	uint64_t accepted;  /* pool_submit() calls that returned 0 */
	uint64_t rejected;  /* ... that returned -EAGAIN (the queue was full) */
	uint64_t completed; /* tasks that ran and returned 0 */
	uint64_t failed;    /* tasks that ran and returned < 0 */
};

struct pool_job {
	pool_fn *fn;
	void *arg;
};

/* Caller-owned; the fields are private to pool.c. */
struct pool {
	pthread_mutex_t lock;
	pthread_cond_t has_work; /* a worker waits for a task or for shutdown */
	pthread_cond_t has_room; /* pool_wait_room() waits for a free slot */
	pthread_cond_t stopped;  /* a second pool_shutdown() waits for the first */
	struct pool_job *ring;   /* queue_cap slots, a circular buffer */
	size_t cap, head, len;
	pthread_t *workers;
	unsigned nworkers;
	int state; /* enum pool_state in pool.c */
	struct pool_stats stats;
};

/*
 * Start nworkers threads (at least 1) with a queue of queue_cap slots (at
 * least 1). Allocates the queue and the thread handles; nothing else in the
 * pool allocates. Returns 0; -EINVAL for a zero argument; -ENOMEM; or the
 * error of pthread_create() (-EAGAIN), after stopping the workers it had
 * started. On failure there is nothing to release.
 */
int pool_init(struct pool *p, unsigned nworkers, size_t queue_cap);

/*
 * Queue fn(arg) for a worker. Never blocks (beyond the pool's lock, held
 * for a few instructions) and never allocates. Returns
 *   0           accepted: the task will run exactly once;
 *   -EAGAIN     the queue is full: the task was not accepted;
 *   -ESHUTDOWN  pool_shutdown() has been called: the task was not accepted.
 */
int pool_submit(struct pool *p, pool_fn *fn, void *arg);

/*
 * Block until the queue has a free slot or the pool is shut down. Returns 0
 * or -ESHUTDOWN. A free slot is not reserved: another producer may take it
 * first, so call pool_submit() again and expect -EAGAIN now and then.
 */
int pool_wait_room(struct pool *p);

/*
 * Stop accepting tasks, run every task already accepted, and join the
 * workers. Idempotent and thread-safe: the first call does the work, a
 * concurrent or later call waits until it is done. Returns 0. Must not be
 * called from a task (a worker cannot join itself).
 */
int pool_shutdown(struct pool *p);

/* A snapshot of the counters. */
void pool_stats(struct pool *p, struct pool_stats *out);

/* Shut down (if no one did) and free the pool's memory. */
void pool_release(struct pool *p);

#endif
