/*
 * The four answers to a full queue (full.h). Each is a few lines: the point
 * of the chapter is that the caller chooses one on purpose, not that any of
 * them is hard to write. What none of them does is queue the task in an
 * unbounded list inside the process, which only moves the unbounded queue
 * from the pool to its caller.
 */
#include <errno.h>
#include <time.h>

#include "full.h"

int submit_or_shed(struct pool *p, pool_fn *fn, void *arg, uint64_t *shed)
{
	int err = pool_submit(p, fn, arg);

	if (err == -EAGAIN)
		(*shed)++;
	return err;
}

int submit_or_wait(struct pool *p, pool_fn *fn, void *arg)
{
	int err;

	/* A freed slot is not reserved for us (pool.h): another producer may
	 * take it, so wait and try again until accepted or shut down. */
	while ((err = pool_submit(p, fn, arg)) == -EAGAIN)
		if ((err = pool_wait_room(p)) < 0)
			break;
	return err;
}

static void sleep_us(unsigned long us)
{
	struct timespec ts = {.tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int submit_retry(struct pool *p, pool_fn *fn, void *arg, unsigned tries, unsigned backoff_us)
{
	int err = -EAGAIN;
	unsigned long wait = backoff_us;

	for (unsigned k = 0; k < tries; k++) {
		if (k > 0) {
			sleep_us(wait);
			wait *= 2;
		}
		err = pool_submit(p, fn, arg);
		if (err != -EAGAIN)
			break;
	}
	return err;
}

int submit_or_drop(struct pool *p, pool_fn *fn, void *arg, void (*discard)(void *arg), uint64_t *dropped)
{
	int err = pool_submit(p, fn, arg);

	if (err != -EAGAIN)
		return err;
	discard(arg);
	(*dropped)++;
	return 0;
}
