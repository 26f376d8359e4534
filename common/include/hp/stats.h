#ifndef HP_STATS_H
#define HP_STATS_H

#include <stddef.h>

#include "hp/report.h"

/*
 * Statistics for comparing two variants from repeated runs. Samples are
 * plain arrays of doubles that the functions never modify (they sort private
 * copies, so they allocate; none of this runs in a timed section). Functions
 * return 0, -EINVAL for unusable input (no samples, NaN or infinity), or
 * -ENOMEM. On failure the double outputs are NAN and ci_ok and exact are 0.
 * All intervals are 95% and all tests two-sided at 5%.
 * tests/unit/test_stats.c checks every function against textbook values.
 */

/* The median of n > 0 samples; with even n the mean of the two middle ones. */
int hp_stats_median(const double *x, size_t n, double *median);

/*
 * Median with a distribution-free 95% confidence interval from order
 * statistics: [x(k), x(n+1-k)] with the largest k whose binomial(n, 1/2)
 * coverage is at least 95% (n = 10 gives x(2)..x(9)). Below n = 6 no such k
 * exists: lo and hi are then the minimum and maximum and ci_ok is 0.
 */
struct hp_summary {
	size_t n;
	double median, lo, hi;
	double min, max, mean;
	int ci_ok;
};
int hp_stats_summary(const double *x, size_t n, struct hp_summary *out);

/*
 * Mann–Whitney U test, two-sided, of samples a and b. u is the U statistic
 * of a (pairs with a > b, ties counting one half). The p-value is exact
 * (the permutation distribution; exact is 1) when the pooled sample has no
 * ties and na * nb <= 400; otherwise the normal approximation with tie and
 * continuity corrections.
 */
struct hp_mwu {
	double u;
	double p;
	int exact;
};
int hp_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct hp_mwu *out);

/*
 * The ratio b/a (optimized/naive) estimated by Hodges–Lehmann on log values:
 * exp of the median of all pairwise differences log b_j - log a_i, with the
 * distribution-free 95% CI taken from the same sorted differences at the
 * Mann–Whitney critical rank: with N = na * nb sorted differences d(1..N)
 * the interval is exp of [d(Ca), d(N+1-Ca)], Ca being one more than the
 * tables' lower 2.5% critical value of U (na = nb = 10: d(24) .. d(77)).
 * Needs every sample > 0, else -EINVAL. ci_ok is 0 when the samples are too
 * few for a 95% interval (lo and hi are then the extreme pairwise ratios).
 */
struct hp_ratio {
	double estimate, lo, hi;
	int ci_ok;
};
int hp_stats_ratio(const double *a, size_t na, const double *b, size_t nb, struct hp_ratio *out);

enum hp_verdict {
	HP_VERDICT_SAME, /* "~": no significant difference */
	HP_VERDICT_BETTER,
	HP_VERDICT_WORSE,
};

enum hp_warning {
	HP_WARN_FEW_SAMPLES = 1 << 0, /* fewer than 6 per side: no 95% CI of the median */
	HP_WARN_WIDE_CI = 1 << 1,     /* a median's CI is wider than 5% of the median */
};

/*
 * The whole comparison of one metric, a the baseline and b the candidate:
 * summaries, ratio, test and verdict. The verdict is BETTER or WORSE (by the
 * direction in better) only when p < 0.05 and the ratio's CI excludes 1;
 * otherwise SAME. When a sample is <= 0 there are no logarithms: the ratio
 * is median(b) / median(a) (NAN when median(a) is 0) with ci_ok 0 and lo, hi
 * NAN, and the verdict follows p < 0.05 and the order of the medians.
 * warnings is a set of enum hp_warning.
 */
struct hp_comparison {
	struct hp_summary a, b;
	struct hp_ratio ratio;
	struct hp_mwu mwu;
	enum hp_verdict verdict;
	unsigned warnings;
};
int hp_stats_compare(const double *a, size_t na, const double *b, size_t nb, enum hp_better better,
                     struct hp_comparison *out);

/* "better", "worse" or "~". */
const char *hp_verdict_name(enum hp_verdict v);

#endif
