#ifndef HP_CH17_CHAN_H
#define HP_CH17_CHAN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

/*
 * A bounded, blocking FIFO of items: Go's buffered channel, in C. The
 * buffer is a ring of `cap` slots that hold the items themselves (1 KiB
 * each), allocated whole by chan_init(), as make(chan T, cap) allocates its
 * buffer; sending copies an item in, receiving copies it out.
 *
 * When the ring is full, chan_send() blocks until a receiver takes an item:
 * backpressure, the overflow policy of this chapter, so every item is
 * processed whatever the capacity. Blocked senders are served in the order
 * they arrived (a ticket each, as Go queues blocked senders), so a sender
 * waits behind at most `cap` items and the senders ahead of it, and a
 * steady sender cannot starve an occasional one.
 *
 * Thread-safe for any number of senders and receivers. Only chan_init()
 * allocates.
 */
struct chan {
	pthread_mutex_t lock;
	pthread_cond_t not_empty; /* receivers wait here */
	pthread_cond_t not_full;  /* senders wait here, for room and for their turn */
	struct item *slots;
	size_t cap;
	size_t head;  /* the oldest item */
	size_t count; /* items in the ring */
	uint64_t next_ticket, serving;
	int closed;
	/* Statistics, under the lock. */
	uint64_t blocked_sends; /* sends that had to wait */
	size_t max_depth;       /* the most items the ring held at once */
};

/* Allocate a ring of cap slots (cap >= 1; aborts when out of memory). */
void chan_init(struct chan *c, size_t cap);
void chan_release(struct chan *c);

/* Copy *it into the ring, blocking while it is full or another sender is ahead. */
void chan_send(struct chan *c, const struct item *it);

/*
 * Copy the oldest item into *it and return 1; block while the ring is
 * empty. Return 0 when the channel is closed and drained.
 */
int chan_recv(struct chan *c, struct item *it);

/* No more sends: receivers drain what is left, then chan_recv() returns 0. */
void chan_close(struct chan *c);

#endif
