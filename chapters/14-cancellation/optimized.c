/*
 * Chapter 14, optimized variant: a cancellation token that every replica
 * waits on, and a caller that cancels and joins.
 *
 * The same batch as naive.c (workload.h): --size requests, each sent to
 * --replicas replicas at once, the first answer wins, and a request that
 * has none by its deadline times out. The Go idiom it ports is the one
 * with a context:
 *
 *	ctx, cancel := context.WithTimeout(parent, deadline)
 *	defer cancel()
 *	for r := range replicas { go func() { select { case ch <- call(ctx, r): case <-ctx.Done(): } }() }
 *
 * What changed from naive.c, and why:
 *   - Every request has a cancellation token (cancel.h, an eventfd). A
 *     replica waits for its reply and for the token in one poll()
 *     (cancel_wait_fd()), so a replica that is slow or down learns at once
 *     that nobody needs it any more, and returns.
 *   - The result is a slot that keeps the first answer and drops the rest:
 *     an offer never blocks, so a loser cannot hang on a caller that has
 *     gone. (Go's equivalent is a channel buffered for every sender, or the
 *     select on ctx.Done() above.)
 *   - The caller fires the token as soon as it has an answer or the
 *     deadline passes, and joins the replicas before the next request.
 *     The join is what makes "no thread outlives its request" a fact
 *     rather than a hope, and it lets glibc reuse the stacks: the next
 *     request's threads get them from its cache instead of new mappings.
 * Threads alive at any time: at most --replicas. Threads left at the end:
 * none, whatever the batch's size.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "cancel.h"
#include "workload.h"

/* The first answer of a request; later ones are dropped. */
struct result {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int full;
	uint64_t value;
};

/* Offer v: kept when it is the first, dropped otherwise. Never blocks. */
static void result_offer(struct result *res, uint64_t v)
{
	pthread_mutex_lock(&res->lock);
	if (!res->full) {
		res->value = v;
		res->full = 1;
		pthread_cond_signal(&res->cond);
	}
	pthread_mutex_unlock(&res->lock);
}

/* Wait for the first answer into *v until the deadline: 0, or -ETIMEDOUT. */
static int result_wait(struct result *res, const struct timespec *deadline, uint64_t *v)
{
	int err = 0;

	pthread_mutex_lock(&res->lock);
	while (!res->full && err == 0)
		err = pthread_cond_timedwait(&res->cond, &res->lock, deadline);
	if (res->full) {
		*v = res->value;
		err = 0;
	}
	pthread_mutex_unlock(&res->lock);
	return -err;
}

/* What a replica's thread gets: the caller's, alive until the caller joins it. */
struct job {
	struct fanout *f;
	struct result *res;
	struct cancel *tok;
	size_t req;
	unsigned replica;
};

static void *replica_thread(void *arg)
{
	struct job *j = arg;
	struct fanout *f = j->f;

	hp_section_thread_begin();
	struct call *c = call_new(f, j->req, j->replica);
	/* The reply or the token, whichever comes first; a cancelled replica returns at once. */
	if (cancel_wait_fd(j->tok, call_fd(c)) > 0 && call_read(c) == 0)
		result_offer(j->res, c->answer);
	call_free(c);
	hp_section_thread_end();
	fanout_thread_exit(f);
	return NULL;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct fanout f;
	struct hp_section s;
	struct result res = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct job jobs[MAX_REPLICAS];
	pthread_t threads[MAX_REPLICAS];
	struct cancel tok;
	int err;

	hp_opts_parse(&opt, argc, argv, FANOUT_OPTIONS);
	fanout_init(&f, &opt);
	cond_init_monotonic(&res.cond);

	hp_section_begin(&s);
	fanout_start(&f);
	for (size_t i = 0; i < f.n; i++) {
		struct timespec deadline = fanout_begin_request(&f);
		uint64_t answer = 0;

		if ((err = cancel_init(&tok)) < 0)
			hp_die("cancel_init (request %zu): %s", i, strerror(-err));
		res.full = 0; /* no replica of the previous request is alive */
		for (unsigned r = 0; r < f.replicas; r++) {
			jobs[r] = (struct job){&f, &res, &tok, i, r};
			fanout_thread_start(&f);
			if ((err = pthread_create(&threads[r], NULL, replica_thread, &jobs[r])))
				hp_die("pthread_create (request %zu, replica %u): %s", i, r, strerror(err));
		}
		int answered = result_wait(&res, &deadline, &answer) == 0;
		cancel_fire(&tok); /* an answer or the deadline: the others are not needed */
		if (!answered)     /* no replica in time: ask the origin */
			answer = origin_fetch(&f, i);
		fanout_record(&f, i, answered, answer);
		for (unsigned r = 0; r < f.replicas; r++)
			pthread_join(threads[r], NULL);
		cancel_release(&tok);
		fanout_sample(&f, i);
	}
	hp_section_end(&s, f.n);

	unsigned leaked = fanout_settle(&f);
	hp_section_report(&s);
	fanout_report(&f, leaked);
	fanout_print(&f);

	pthread_mutex_destroy(&res.lock);
	pthread_cond_destroy(&res.cond);
	fanout_release(&f);
	return 0;
}
