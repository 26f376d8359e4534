#ifndef HP_HIST_H
#define HP_HIST_H

#include <stdint.h>
#include <stdio.h>

#include "hp/json.h"

/*
 * A latency histogram in the HDR style: log-linear buckets, so every value
 * from 1 ns to about 584 years is recorded with a relative error below
 * 1/HP_HIST_SUB (0.8%), in constant memory, and two histograms merge by
 * adding counts (how the load generator's threads and processes combine
 * theirs). Values are nanoseconds by convention.
 *
 * The struct is caller-owned and holds its buckets inline (64 KiB): nothing
 * allocates, so recording is safe on the hot path of a load generator.
 */
#define HP_HIST_SUB_BITS 7
#define HP_HIST_SUB      (1u << HP_HIST_SUB_BITS)
#define HP_HIST_BUCKETS  ((64 - HP_HIST_SUB_BITS + 1) * HP_HIST_SUB)

struct hp_hist {
	uint64_t counts[HP_HIST_BUCKETS];
	uint64_t n;   /* values recorded */
	uint64_t min; /* exact smallest and largest values (min is UINT64_MAX when n == 0) */
	uint64_t max;
	double sum; /* for the mean */
};

void hp_hist_init(struct hp_hist *h);

/* Record one value. Never allocates; O(1). */
void hp_hist_record(struct hp_hist *h, uint64_t value);

/* Add src's counts to dst. */
void hp_hist_merge(struct hp_hist *dst, const struct hp_hist *src);

/*
 * The value at quantile q in [0, 1] (0.99 for p99): the smallest recorded
 * bucket's upper bound such that at least q*n values are at or below it,
 * clamped to [min, max], so q = 1 gives the exact max and q = 0 the exact
 * min. 0 when the histogram is empty. (q <= 0 returns min directly: by the
 * bucket rule alone it would be the upper bound of min's bucket, which can
 * lie above min.)
 */
uint64_t hp_hist_quantile(const struct hp_hist *h, double q);

/* The mean of the recorded values (0 when empty). */
double hp_hist_mean(const struct hp_hist *h);

/*
 * Write the histogram as one JSON object:
 * {"n":..,"min":..,"max":..,"sum":..,"sub_bits":7,"buckets":[[index,count],...]}
 * with only the non-empty buckets; integers are written exactly, and an
 * empty histogram writes min 0. Returns 0 or -EIO.
 */
int hp_hist_write_json(const struct hp_hist *h, FILE *f);

/*
 * Add the histogram written by hp_hist_write_json() at token i of j into
 * *h (call hp_hist_init() first to read rather than merge). Returns 0, or
 * -EINVAL when the object is malformed or was written with other sub_bits.
 */
int hp_hist_merge_json(struct hp_hist *h, const struct hp_json *j, size_t i);

#endif
