/*
 * Chapter 14 exercise: your copy of the naive variant. Make every replica
 * thread end with its request, without changing what the program prints.
 *
 * Here each replica gets a detached thread that sends its reply on an
 * unbuffered channel, and the caller takes the first reply or gives up at
 * the deadline. The losers block in chan_send() for good, and a replica
 * whose backend is down blocks in call_read() for good: about two threads
 * per request stay alive until the program ends, each holding its stack and
 * its 4 KiB call. cancel.h has a cancellation token; a replica can wait for
 * its reply and the token at once (cancel_wait_fd() on call_fd()), a result
 * slot can keep the first answer without blocking anyone, and the caller
 * can fire the token and join its replicas before the next request.
 * exercise/README.md says what is graded and how to run it.
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
