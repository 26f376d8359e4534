/*
 * The bounded channel of chapter 17 (see chan.h): a mutex, two condition
 * variables and a ring of slots. Senders take a ticket and wait for their
 * turn as well as for room, so they are served first come, first served;
 * the one whose turn it is wakes the next when it is done. A receiver
 * wakes the senders only when one is waiting, so a channel that never
 * fills makes no wake-up calls for them.
 */
#include <stdlib.h>
#include <string.h>

#include "hp/xalloc.h"

#include "chan.h"

void chan_init(struct chan *c, size_t cap)
{
	if (cap == 0)
		hp_die("chan_init: a capacity of 0");
	*c = (struct chan){.cap = cap};
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->not_empty, NULL);
	pthread_cond_init(&c->not_full, NULL);
	/* Not calloc: the pages of a large ring are touched only when the ring reaches them. */
	c->slots = hp_xmalloc_array(cap, sizeof *c->slots);
}

void chan_release(struct chan *c)
{
	free(c->slots);
	pthread_cond_destroy(&c->not_full);
	pthread_cond_destroy(&c->not_empty);
	pthread_mutex_destroy(&c->lock);
}

void chan_send(struct chan *c, const struct item *it)
{
	pthread_mutex_lock(&c->lock);
	uint64_t ticket = c->next_ticket++;

	if (c->count == c->cap || ticket != c->serving) {
		c->blocked_sends++;
		while (c->count == c->cap || ticket != c->serving)
			pthread_cond_wait(&c->not_full, &c->lock);
	}
	memcpy(&c->slots[(c->head + c->count) % c->cap], it, sizeof *it);
	if (++c->count > c->max_depth)
		c->max_depth = c->count;
	c->serving++;
	pthread_cond_signal(&c->not_empty);
	/* Another sender is in line: wake it (the waiters include it; the rest wait again). */
	if (c->serving != c->next_ticket)
		pthread_cond_broadcast(&c->not_full);
	pthread_mutex_unlock(&c->lock);
}

int chan_recv(struct chan *c, struct item *it)
{
	pthread_mutex_lock(&c->lock);
	while (c->count == 0 && !c->closed)
		pthread_cond_wait(&c->not_empty, &c->lock);
	if (c->count == 0) {
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	memcpy(it, &c->slots[c->head], sizeof *it);
	c->head = (c->head + 1) % c->cap;
	c->count--;
	if (c->serving != c->next_ticket)
		pthread_cond_broadcast(&c->not_full);
	pthread_mutex_unlock(&c->lock);
	return 1;
}

void chan_close(struct chan *c)
{
	pthread_mutex_lock(&c->lock);
	c->closed = 1;
	pthread_cond_broadcast(&c->not_empty);
	pthread_mutex_unlock(&c->lock);
}
