#ifndef HP_CH12_FULL_H
#define HP_CH12_FULL_H

#include <stdint.h>

#include "pool.h"

/*
 * The four honest answers to a full queue (chapter 12). pool_submit()
 * returns -EAGAIN at once when the queue is full; each function below is one
 * thing a caller can do then. Which one is honest depends on the task: the
 * chapter's README says when each fits. None of them allocates.
 *
 * The counters are the caller's: one per producer thread, or guarded by the
 * caller's own lock.
 */

/*
 * Shed: try once and, when the queue is full, count the task in *shed and
 * return -EAGAIN, so the caller answers its client with an error now (HTTP
 * 503 with Retry-After). The caller still owns arg.
 */
int submit_or_shed(struct pool *p, pool_fn *fn, void *arg, uint64_t *shed);

/*
 * Queue externally: wait until the pool has room, and leave the task where
 * it came from meanwhile (the caller stops reading its socket, file or
 * broker, whose own buffers and flow control hold the rest). Returns 0, or
 * -ESHUTDOWN when the pool shuts down first (the caller still owns arg).
 */
int submit_or_wait(struct pool *p, pool_fn *fn, void *arg);

/*
 * Retry a bounded number of times: up to tries attempts, sleeping
 * backoff_us before the second, twice that before the third, and so on.
 * Returns 0, or the last error (-EAGAIN when every attempt found the queue
 * full): the caller then sheds. The total wait is bounded by
 * backoff_us * (2^(tries-1) - 1).
 */
int submit_retry(struct pool *p, pool_fn *fn, void *arg, unsigned tries, unsigned backoff_us);

/*
 * Drop with a counter: try once and, when the queue is full, give arg to
 * discard() (which frees what the task owned), count it in *dropped and
 * return 0: the task is handled, by not being done. Returns -ESHUTDOWN
 * (arg not discarded) when the pool is shut down.
 */
int submit_or_drop(struct pool *p, pool_fn *fn, void *arg, void (*discard)(void *arg), uint64_t *dropped);

#endif
