/*
 * Chapter 14, naive variant: a thread per replica, and a channel nobody
 * reads once the caller has moved on.
 *
 * The batch (workload.h): --size requests, one after another, each sent to
 * --replicas replicas at once; the first answer wins, and a request that
 * has none by its deadline times out. This is the C port of the Go idiom
 *
 *	ch := make(chan uint64)
 *	for r := range replicas { go func() { ch <- call(r) }() }
 *	select { case v := <-ch: ...; case <-time.After(deadline): ... }
 *
 * Each replica gets a detached thread that makes its call, waits for the
 * reply and sends it on the request's channel. The channel is unbuffered,
 * as in the Go code, and in C there is a second reason for it: a send that
 * returns only once the value was taken hands its ownership over cleanly.
 * The caller takes the first value or gives up at the deadline, and goes on
 * to the next request.
 *
 * It prints the right answers, and at once. But every replica that did not
 * win is still there: a loser sends its reply into a channel that nobody
 * will ever read again and blocks, and a replica that is down blocks in
 * its read. Neither has a way to learn that the caller has gone. So the
 * program keeps about (replicas - 1) threads per request, each with its
 * stack, its call's buffer and the channel it waits on, until it exits: a
 * leak that grows with the number of requests.
 *
 * After the batch the program counts them (fanout_settle()), then does by
 * hand what exit() would do, so that the sanitizers and Valgrind can check
 * that nothing else leaks: it closes the down backend and every channel,
 * which wakes the parked threads with an error, and waits for them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/*
 * An unbuffered channel of one value: a send waits until a receiver has
 * taken the value. Reference-counted: the caller and each sender hold one
 * reference, and the last to let go frees it.
 */
struct chan {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int full;   /* value holds a sent value nobody took yet */
	int closed; /* chan_close(): every wait ends with -EPIPE */
	uint64_t value;
	uint64_t puts;  /* values put into the slot */
	uint64_t takes; /* values taken from it */
	unsigned refs;
};

static struct chan *chan_new(unsigned refs)
{
	struct chan *ch = hp_xmalloc(sizeof *ch);

	*ch = (struct chan){.lock = PTHREAD_MUTEX_INITIALIZER, .refs = refs};
	cond_init_monotonic(&ch->cond);
	return ch;
}

static void chan_put(struct chan *ch)
{
	pthread_mutex_lock(&ch->lock);
	unsigned left = --ch->refs;
	pthread_mutex_unlock(&ch->lock);
	if (left == 0) {
		pthread_mutex_destroy(&ch->lock);
		pthread_cond_destroy(&ch->cond);
		free(ch);
	}
}

/* Send v; return 0 once a receiver has taken it, or -EPIPE when the channel is closed. */
static int chan_send(struct chan *ch, uint64_t v)
{
	int err = 0;

	pthread_mutex_lock(&ch->lock);
	while (ch->full && !ch->closed) /* another sender's value waits for its receiver */
		pthread_cond_wait(&ch->cond, &ch->lock);
	if (!ch->closed) {
		uint64_t mine = ++ch->puts;

		ch->value = v;
		ch->full = 1;
		pthread_cond_broadcast(&ch->cond);
		while (ch->takes < mine && !ch->closed)
			pthread_cond_wait(&ch->cond, &ch->lock);
		if (ch->takes < mine) { /* closed with our value still in the slot */
			ch->full = 0;
			err = -EPIPE;
		}
	} else {
		err = -EPIPE;
	}
	pthread_mutex_unlock(&ch->lock);
	return err;
}

/* Receive a value into *v before the deadline: 0, or -ETIMEDOUT. */
static int chan_recv(struct chan *ch, const struct timespec *deadline, uint64_t *v)
{
	int err = 0;

	pthread_mutex_lock(&ch->lock);
	while (!ch->full && err == 0)
		err = pthread_cond_timedwait(&ch->cond, &ch->lock, deadline);
	if (ch->full) {
		*v = ch->value;
		ch->full = 0;
		ch->takes++;
		pthread_cond_broadcast(&ch->cond);
		err = 0;
	}
	pthread_mutex_unlock(&ch->lock);
	return -err;
}

static void chan_close(struct chan *ch)
{
	pthread_mutex_lock(&ch->lock);
	ch->closed = 1;
	pthread_cond_broadcast(&ch->cond);
	pthread_mutex_unlock(&ch->lock);
}

/* What a replica's thread gets: its own copy, freed by the thread. */
struct job {
	struct fanout *f;
	struct chan *ch;
	size_t req;
	unsigned replica;
};

static void *replica_thread(void *arg)
{
	struct job *j = arg;
	struct fanout *f = j->f;

	hp_section_thread_begin();
	struct call *c = call_new(f, j->req, j->replica);
	if (call_read(c) == 0) {             /* for a backend that is down: until the program ends */
		fanout_parked(f, 1);         /* instrumentation: waiting for a receiver */
		chan_send(j->ch, c->answer); /* for a loser: until the program ends */
		fanout_parked(f, -1);
	}
	call_free(c);
	chan_put(j->ch);
	free(j);
	hp_section_thread_end();
	fanout_thread_exit(f);
	return NULL;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct fanout f;
	struct hp_section s;
	pthread_attr_t attr;
	int err;

	hp_opts_parse(&opt, argc, argv, FANOUT_OPTIONS);
	fanout_init(&f, &opt);
	/* Kept only for the teardown after the batch: the caller never looks at them again. */
	struct chan **chans = hp_xcalloc(f.n ? f.n : 1, sizeof *chans);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);

	hp_section_begin(&s);
	fanout_start(&f);
	for (size_t i = 0; i < f.n; i++) {
		struct timespec deadline = fanout_begin_request(&f);
		struct chan *ch = chan_new(f.replicas + 1); /* the caller and every sender */
		uint64_t answer = 0;

		chans[i] = ch;
		for (unsigned r = 0; r < f.replicas; r++) {
			struct job *j = hp_xmalloc(sizeof *j);
			pthread_t th;

			*j = (struct job){&f, ch, i, r};
			fanout_thread_start(&f);
			if ((err = pthread_create(&th, &attr, replica_thread, j)))
				hp_die("pthread_create (request %zu, replica %u): %s", i, r, strerror(err));
		}
		int answered = chan_recv(ch, &deadline, &answer) == 0;
		if (!answered) /* no replica in time: ask the origin */
			answer = origin_fetch(&f, i);
		fanout_record(&f, i, answered, answer);
		fanout_sample(&f, i);
	}
	hp_section_end(&s, f.n);

	unsigned leaked = fanout_settle(&f);
	hp_section_report(&s);
	fanout_report(&f, leaked);
	fanout_print(&f);

	/* The teardown exit() would do: wake every parked thread and wait for it. */
	fanout_close_backends(&f);
	for (size_t i = 0; i < f.n; i++) {
		chan_close(chans[i]);
		chan_put(chans[i]);
	}
	fanout_wait_exit(&f);
	pthread_attr_destroy(&attr);
	free(chans);
	fanout_release(&f);
	return 0;
}
