/*
 * Chapter 05, naive variant: the workers' counters side by side in one array.
 *
 * An access-log aggregator (workload.h): --threads worker threads split
 * --size events into contiguous shares, and each records every event of its
 * share in its own struct stats (counts, sums, a small histogram: five
 * read-modify-writes per event). When they are done, the main thread adds
 * the statistics up and prints the totals.
 *
 * This is the code most of us write first, and it is correct: one array of
 * struct stats with an element per thread, each thread writing only its own
 * element, the main thread reading them all after pthread_join(). No two
 * threads write the same byte, so there is no data race and no lock; TSan
 * agrees. But a struct stats is 56 bytes and the array packs them, so the
 * counters of neighbouring threads share 64-byte cache lines, and a cache
 * line, not a byte, is what a core owns when it writes. Every write of one
 * thread takes the line away from the other, although they never touch the
 * same counter: false sharing.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

struct worker {
	struct stats *stats; /* this thread's element of the array */
	uint64_t seed;
	uint64_t first, end; /* its share: events [first, end) */
};

static void *worker_run(void *arg)
{
	const struct worker *w = arg;
	struct stats *mine = w->stats;
	uint64_t seed = w->seed, end = w->end;
	struct event e;

	hp_section_thread_begin();
	for (uint64_t i = w->first; i < end; i++) {
		event_decode(seed, i, &e);
		stats_record(mine, &e);
	}
	hp_section_thread_end();
	return NULL;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;

	hp_opts_parse(&opt, argc, argv, NULL);
	workload_check(opt.size, opt.threads);

	unsigned nthreads = opt.threads;
	struct stats *stats = hp_xcalloc(nthreads, sizeof *stats);
	struct worker *workers = hp_xmalloc_array(nthreads, sizeof *workers);
	pthread_t *threads = hp_xmalloc_array(nthreads, sizeof *threads);
	struct hp_section s;
	int err;

	for (unsigned t = 0; t < nthreads; t++) {
		workers[t].stats = &stats[t];
		workers[t].seed = opt.seed;
		workers[t].first = share_first(opt.size, nthreads, t);
		workers[t].end = share_first(opt.size, nthreads, t + 1);
	}

	hp_section_begin(&s);
	for (unsigned t = 0; t < nthreads; t++)
		if ((err = pthread_create(&threads[t], NULL, worker_run, &workers[t])))
			hp_die("pthread_create: %s", strerror(err));
	for (unsigned t = 0; t < nthreads; t++)
		if ((err = pthread_join(threads[t], NULL)))
			hp_die("pthread_join: %s", strerror(err));
	hp_section_end(&s, opt.size);
	hp_section_report(&s);

	struct stats total = {0};

	for (unsigned t = 0; t < nthreads; t++)
		stats_merge(&total, &stats[t]);
	stats_print(&total);
	free(threads);
	free(workers);
	free(stats);
	return 0;
}
