/*
 * Chapter 05 exercise: your copy of the naive variant. Give each worker's
 * counters cache lines of their own, without changing what it prints.
 *
 * The aggregator (workload.h): --threads workers split --size events into
 * contiguous shares, each records its share in its own struct stats (56
 * bytes: counts, sums, a small histogram), and the main thread adds them up
 * after pthread_join(). Here the workers' struct stats are packed side by
 * side in one array from calloc(), so neighbouring threads' counters share
 * 64-byte cache lines, and every write of one thread takes the line away
 * from the other.
 *
 * workload.h has what you may use; exercise/README.md says how to check and
 * measure your version.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/*
 * TODO: a per-thread slot that holds one struct stats and is aligned, and
 * therefore sized, to 128 bytes (why 128 and not 64: see the chapter), and
 * a function that allocates a zeroed array of them. calloc() aligns to 16
 * bytes only; an over-aligned type needs aligned_alloc().
 */

struct worker {
	struct stats *stats; /* this thread's counters */
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
	/* TODO: an array of your slots instead, one per thread. */
	struct stats *stats = hp_xcalloc(nthreads, sizeof *stats);
	struct worker *workers = hp_xmalloc_array(nthreads, sizeof *workers);
	pthread_t *threads = hp_xmalloc_array(nthreads, sizeof *threads);
	struct hp_section s;
	int err;

	for (unsigned t = 0; t < nthreads; t++) {
		workers[t].stats = &stats[t]; /* TODO: the stats in thread t's slot */
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
		stats_merge(&total, &stats[t]); /* TODO: from the slots */
	stats_print(&total);
	free(threads);
	free(workers);
	free(stats);
	return 0;
}
