#ifndef HP_CH08_WORKLOAD_H
#define HP_CH08_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hp/digest.h"

/*
 * The workload of chapter 08, shared by every variant so that they do the
 * same work and the diffs between them show only how a batch is sorted.
 *
 * A metrics service receives request latencies, in microseconds as
 * uint32_t, in batches: one batch per scrape of a fleet of servers, say, of
 * varying size. For every batch it reports a summary read off the sorted
 * samples: the count, the minimum, the nearest-rank percentiles p50, p90,
 * p99 and p99.9, the maximum and the sum (for the mean). The batch itself
 * belongs to the receive path and must not be reordered, so the service
 * sorts a copy.
 *
 * The latencies have a heavy tail, as a web service's do: half of them are
 * between 250 and 500 us, each further doubling of the latency is half as
 * likely as the one before, and a request that waited for the client's
 * 30-second timeout is recorded as TIMEOUT_US. All of them are below 2^25.
 */

/* The client's timeout: no latency is larger. */
#define TIMEOUT_US 30000000u

/* The samples of a whole run, in arrival order, cut into batches. */
struct feed {
	uint32_t *samples;
	size_t nsamples;
	size_t *off; /* batch b is samples[off[b]..off[b + 1]) */
	size_t nbatches;
};

/*
 * Generate nsamples latencies from seed, cut into batches of batch_mean / 2
 * to 3 * batch_mean / 2 samples (the last batch takes what is left, so it
 * may be shorter). Every batch holds at least one sample; nsamples 0 gives
 * no batch. The same seed and sizes give the same feed. Allocates; release
 * with feed_release().
 */
void feed_init(struct feed *f, uint64_t seed, size_t nsamples, size_t batch_mean);
void feed_release(struct feed *f);

/*
 * Fold the summary of one batch into d: the count, the minimum, p50, p90,
 * p99, p99.9, the maximum and the sum of sorted[0..n), which must be sorted
 * in ascending order. Besides the summary it folds a checksum of the whole
 * order (the sum of sorted[i] * (i + 1)), so that two variants whose sorts
 * differ anywhere print different digests. Never allocates.
 */
void summary_fold(struct hp_digest *d, const uint32_t *sorted, size_t n);

#endif
