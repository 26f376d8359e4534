/*
 * The metrics service of chapter 08 (see workload.h): the latency feed and
 * the summary of a sorted batch, which every variant shares. Only
 * feed_init() allocates, and it runs before the timed section.
 *
 * The generator uses integers only, so a seed gives the same latencies, and
 * the same digest, with any compiler and libm. A latency is drawn in two
 * steps: an octave e from a geometric distribution (e = 0 with probability
 * 1/2, 1 with 1/4, ..., capped at TAIL_OCTAVES), then a value uniform in
 * [BASE_US << e, BASE_US << (e + 1)). That is a Pareto-like tail: p50 near
 * 500 us, p99 in the tens of milliseconds, p99.9 in the hundreds, and in a
 * large batch a few samples of seconds and the odd timeout.
 */
#include <stdlib.h>

#include "hp/prng.h"
#include "hp/xalloc.h"

#include "workload.h"

/* The fastest requests take 250 us; the octaves double from there. */
#define BASE_US 250u

/* The last octave starts at 250 us << 16, about 16 s, and is cut at TIMEOUT_US. */
#define TAIL_OCTAVES 16

static uint32_t draw_latency(struct hp_rng *rng)
{
	uint64_t x = hp_rng_next(rng);
	/* The trailing zeros of random bits are geometric; the OR caps them. */
	unsigned e = (unsigned)__builtin_ctzll(x | (1ull << TAIL_OCTAVES));
	uint64_t base = (uint64_t)BASE_US << e;
	/* The high 32 bits, independent of the low ones that chose e, scaled into [0, base). */
	uint64_t v = base + (((x >> 32) * base) >> 32);

	return v > TIMEOUT_US ? TIMEOUT_US : (uint32_t)v;
}

void feed_init(struct feed *f, uint64_t seed, size_t nsamples, size_t batch_mean)
{
	struct hp_rng rng;
	size_t lo = batch_mean / 2 ? batch_mean / 2 : 1;
	size_t hi = batch_mean + batch_mean / 2 > lo ? batch_mean + batch_mean / 2 : lo;

	f->samples = hp_xmalloc_array(nsamples, sizeof *f->samples);
	f->nsamples = nsamples;
	/* Every batch but the last holds at least lo samples. */
	f->off = hp_xmalloc_array(nsamples / lo + 2, sizeof *f->off);
	f->nbatches = 0;

	hp_rng_init(&rng, seed);
	for (size_t i = 0; i < nsamples; i++)
		f->samples[i] = draw_latency(&rng);

	/* A stream of its own for the batch sizes, so that they do not shift the latencies. */
	hp_rng_init(&rng, seed ^ 0x6261746368u);
	size_t at = 0;
	f->off[0] = 0;
	while (at < nsamples) {
		size_t len = lo + (size_t)hp_rng_below(&rng, hi - lo + 1);

		at = len < nsamples - at ? at + len : nsamples;
		f->off[++f->nbatches] = at;
	}
}

void feed_release(struct feed *f)
{
	free(f->samples);
	free(f->off);
	f->samples = NULL;
	f->off = NULL;
}

/* The nearest-rank percentile: the smallest sample at or above permille/1000 of the batch. */
static uint32_t percentile(const uint32_t *sorted, size_t n, unsigned permille)
{
	size_t rank = (n * permille + 999) / 1000;

	return sorted[rank ? rank - 1 : 0];
}

void summary_fold(struct hp_digest *d, const uint32_t *sorted, size_t n)
{
	uint64_t sum = 0, order = 0;

	hp_digest_u64(d, n);
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		sum += sorted[i];
		order += (uint64_t)sorted[i] * (i + 1);
	}
	hp_digest_u64(d, sorted[0]);
	hp_digest_u64(d, percentile(sorted, n, 500));
	hp_digest_u64(d, percentile(sorted, n, 900));
	hp_digest_u64(d, percentile(sorted, n, 990));
	hp_digest_u64(d, percentile(sorted, n, 999));
	hp_digest_u64(d, sorted[n - 1]);
	hp_digest_u64(d, sum);
	hp_digest_u64(d, order);
}
