/*
 * Statistics for comparing two variants from repeated runs (hp/stats.h).
 *
 * Run times are skewed and heavy-tailed: most runs cluster near the best
 * time, a few land on a busy core or a cold cache and take much longer. So
 * nothing here assumes normal data; every method is distribution-free and
 * needs only that the runs are independent.
 *
 * The centre of one sample is its median. Its 95% confidence interval comes
 * from order statistics: whatever the distribution, the number B of samples
 * below the true median is Binomial(n, 1/2), so the interval [x(k), x(n+1-k)]
 * covers the median with probability P(k <= B <= n-k). We take the largest k
 * whose coverage is still at least 95%.
 *
 * Whether two samples differ is the Mann–Whitney U test (the Wilcoxon
 * rank-sum test). For small samples without ties the p-value is exact: when
 * the null hypothesis holds every ordering of the pooled sample is equally
 * likely, and dynamic programming counts the orderings that give each value
 * of U. With ties, or above 400 pairs, we use the normal approximation with
 * the tie-corrected variance and a continuity correction, as R's
 * wilcox.test does (Hollander & Wolfe, Nonparametric Statistical Methods,
 * chapter 4, describe all three methods used here).
 *
 * How much they differ is a ratio, because lessons report "2.3x faster" and
 * because timing noise is roughly multiplicative. The Hodges–Lehmann
 * estimator on logs (the median of all pairwise log b - log a) is the shift
 * estimator that belongs to the U test, and its confidence interval is read
 * off the same sorted differences at ranks given by the same null
 * distribution of U. The interval therefore excludes a ratio of 1 exactly
 * when the exact test rejects at 5% (but for the boundary case p = 0.05);
 * with ties or the normal approximation the two can differ slightly, which
 * is why a verdict asks for both.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hp/stats.h"

/*
 * The exact null distribution of U is used up to na * nb = 400 pairs (20
 * runs a side). Its table then has at most C(40, 20) ~ 1.4e11 orderings,
 * exact in a uint64_t, and takes well under a millisecond to fill; above it
 * the normal approximation of U is close enough for a 5% decision.
 */
#define EXACT_MAX_PAIRS 400

/* The 97.5% quantile of the standard normal: two-sided 95%. */
#define Z_975 1.959964

/* The conventional 5% significance level, matching the 95% intervals. */
#define ALPHA 0.05

/* What outputs hold when a function fails. */
static const struct hp_summary no_summary = {
    .median = NAN, .lo = NAN, .hi = NAN, .min = NAN, .max = NAN, .mean = NAN};
static const struct hp_mwu no_mwu = {.u = NAN, .p = NAN};
static const struct hp_ratio no_ratio = {.estimate = NAN, .lo = NAN, .hi = NAN};

/* ---------------------------------------------------------------- samples */

/*
 * NaN would break the ordering that sorting and ranks need, and an infinite
 * time is not a measurement: both are unusable input.
 */
static int check_samples(const double *x, size_t n)
{
	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	return 0;
}

static int all_positive(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0))
			return 0;
	return 1;
}

static int cmp_double(const void *pa, const void *pb)
{
	double x = *(const double *)pa, y = *(const double *)pb;

	return (x > y) - (x < y);
}

/* A sorted private copy of x, to be freed by the caller; NULL when out of memory. */
static double *sorted_copy(const double *x, size_t n)
{
	/* calloc, unlike malloc(n * size), checks the multiplication for overflow. */
	double *s = calloc(n, sizeof *s);

	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	return s;
}

static double median_sorted(const double *s, size_t n)
{
	if (n % 2)
		return s[n / 2];
	/* Halving first cannot overflow, even for two values near DBL_MAX. */
	return s[n / 2 - 1] / 2 + s[n / 2] / 2;
}

/* --------------------------------------------------------- median and CI */

/*
 * The largest k with P(k <= B <= n-k) >= 95% for B ~ Binomial(n, 1/2), or 0
 * when there is none (n < 6). By symmetry the coverage is 1 - 2 P(B <= k-1),
 * so we walk up the lower tail until it passes 2.5%; the loop ends by
 * n / 2, where the tail reaches one half. The probabilities are carried as
 * logs because 2^-n underflows a double beyond n = 1074.
 */
static size_t median_ci_rank(size_t n)
{
	double log_pmf = -(double)n * log(2.0); /* P(B = 0) */
	double tail = 0;
	size_t j;

	for (j = 0; j < n; j++) {
		tail += exp(log_pmf); /* P(B <= j) */
		if (tail > 0.025)
			break;
		log_pmf += log((double)(n - j) / (double)(j + 1));
	}
	/* Here P(B <= j-1) <= 2.5% < P(B <= j), so k = j. */
	return j;
}

int hp_stats_median(const double *x, size_t n, double *median)
{
	double *s;
	int err;

	*median = NAN;
	err = check_samples(x, n);
	if (err)
		return err;
	s = sorted_copy(x, n);
	if (!s)
		return -ENOMEM;
	*median = median_sorted(s, n);
	free(s);
	return 0;
}

int hp_stats_summary(const double *x, size_t n, struct hp_summary *out)
{
	double *s, sum = 0;
	size_t k;
	int err;

	*out = no_summary;
	err = check_samples(x, n);
	if (err)
		return err;
	s = sorted_copy(x, n);
	if (!s)
		return -ENOMEM;

	for (size_t i = 0; i < n; i++)
		sum += s[i];
	out->n = n;
	out->median = median_sorted(s, n);
	out->min = s[0];
	out->max = s[n - 1];
	out->mean = sum / (double)n;

	k = median_ci_rank(n);
	if (k > 0) {
		/* x(k) and x(n+1-k) in the 1-based notation of the header. */
		out->lo = s[k - 1];
		out->hi = s[n - k];
		out->ci_ok = 1;
	} else {
		out->lo = s[0];
		out->hi = s[n - 1];
	}
	free(s);
	return 0;
}

/* --------------------------------------------- exact null distribution of U */

/*
 * counts[u] for u = 0 .. na*nb: how many of the C(na+nb, na) equally likely
 * orderings of na values of a and nb of b, all distinct, give U = u. Mann and
 * Whitney's recurrence for f(i, j, u), the count with i values of a and j of
 * b, looks at the largest value: either it is from a and beats all j values
 * of b, or it is from b and beats nothing, so
 *
 *     f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u),   f(0, j, 0) = f(i, 0, 0) = 1.
 *
 * The table keeps one row per j, holding f(i, j, .) for the current i. Row
 * j-1 is already at step i when row j is updated, and u runs downwards so
 * that f(i-1, j, u-j), lower in the same row, is still the old value. The
 * answer, the last row, is moved to the front of the table and returned; the
 * caller frees it. NULL when out of memory.
 */
static uint64_t *u_null_counts(size_t na, size_t nb)
{
	/*
	 * The counts are symmetric in the two sizes (renaming a and b turns U
	 * into na*nb - U, and the distribution is symmetric about na*nb/2), so
	 * the smaller size sets the number of rows: at most 21 x 401 entries.
	 */
	size_t m = na > nb ? na : nb, n = na > nb ? nb : na;
	size_t cols = m * n + 1;
	uint64_t *f = calloc((n + 1) * cols, sizeof *f);

	if (!f)
		return NULL;
	for (size_t j = 0; j <= n; j++)
		f[j * cols] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t j = 1; j <= n; j++) {
			uint64_t *row = f + j * cols, *prev_row = row - cols;

			for (size_t u = i * j + 1; u-- > 0;)
				row[u] = (u >= j ? row[u - j] : 0) + prev_row[u];
		}
	}
	memmove(f, f + n * cols, cols * sizeof *f);
	return f;
}

static int use_exact(size_t na, size_t nb)
{
	return na <= EXACT_MAX_PAIRS / nb;
}

/* ---------------------------------------------------------- Mann–Whitney */

struct tagged {
	double v;
	int in_a;
};

static int cmp_tagged(const void *pa, const void *pb)
{
	double x = ((const struct tagged *)pa)->v, y = ((const struct tagged *)pb)->v;

	return (x > y) - (x < y);
}

static int exact_p(size_t na, size_t nb, double u, double *p)
{
	uint64_t *counts = u_null_counts(na, nb);
	uint64_t below = 0, above = 0, total = 0;
	/* Without ties U is a whole number. */
	size_t ui = (size_t)u;

	if (!counts)
		return -ENOMEM;
	for (size_t v = 0; v <= na * nb; v++) {
		total += counts[v];
		if (v <= ui)
			below += counts[v];
		if (v >= ui)
			above += counts[v];
	}
	free(counts);
	*p = fmin(1.0, 2.0 * (double)(below < above ? below : above) / (double)total);
	return 0;
}

/*
 * The normal approximation. tie_sum is sum(t^3 - t) over the groups of t
 * equal values in the pooled sample; each group shrinks the variance.
 */
static double normal_p(size_t na, size_t nb, double u, double tie_sum)
{
	double n = (double)na + (double)nb, pairs = (double)na * (double)nb;
	double var = pairs / 12 * ((n + 1) - tie_sum / (n * (n - 1)));
	double z;

	/*
	 * The variance is 0 only when every value is equal. U is then exactly
	 * na*nb/2, so should rounding leave var a hair above 0, z below is
	 * still 0 and p is 1 all the same.
	 */
	if (var <= 0)
		return 1;
	/* The continuity correction: U moves in whole steps (half steps with ties), the normal does not. */
	z = fmax(0.0, fabs(u - pairs / 2) - 0.5) / sqrt(var);
	/* 2 (1 - Phi(z)) = erfc(z / sqrt 2), without cancellation for large z. */
	return erfc(z / sqrt(2.0));
}

int hp_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct hp_mwu *out)
{
	struct tagged *pool;
	size_t n = na + nb, i, j;
	double rank_sum_a = 0, tie_sum = 0;
	int err;

	*out = no_mwu;
	err = check_samples(a, na);
	if (!err)
		err = check_samples(b, nb);
	if (err)
		return err;
	pool = calloc(n, sizeof *pool);
	if (!pool)
		return -ENOMEM;
	for (i = 0; i < na; i++)
		pool[i] = (struct tagged){a[i], 1};
	for (j = 0; j < nb; j++)
		pool[na + j] = (struct tagged){b[j], 0};
	qsort(pool, n, sizeof *pool, cmp_tagged);

	/*
	 * U from ranks rather than by comparing all na * nb pairs. A run of t
	 * equal values holding ranks i+1 .. j gives each of them the mean rank
	 * (i+1+j)/2, which makes a tie between a and b count one half in U.
	 */
	for (i = 0; i < n; i = j) {
		size_t in_a = 0;
		double t;

		for (j = i; j < n && pool[j].v == pool[i].v; j++)
			in_a += (size_t)pool[j].in_a;
		t = (double)(j - i);
		rank_sum_a += (double)in_a * (double)(i + 1 + j) / 2;
		tie_sum += t * t * t - t;
	}
	free(pool);
	/* Ranks 1 .. na are the least a can hold; each rank above them is a b beaten. */
	out->u = rank_sum_a - (double)na * (double)(na + 1) / 2;

	/*
	 * The exact distribution assumes distinct values; a tie anywhere in the
	 * pooled sample, even within a, changes the null distribution.
	 */
	if (tie_sum == 0 && use_exact(na, nb)) {
		err = exact_p(na, nb, out->u, &out->p);
		out->exact = !err;
		return err;
	}
	out->p = normal_p(na, nb, out->u, tie_sum);
	return 0;
}

/* --------------------------------------------------- Hodges–Lehmann ratio */

/*
 * Ca, the rank of the lower end of the 95% interval among the N = na * nb
 * sorted differences: the largest C with P(U < C) <= 2.5% under the null
 * distribution, or 0 when even C = 1 fails. Then the interval
 * [d(Ca), d(N+1-Ca)] covers the true shift with probability
 * 1 - 2 P(U <= Ca-1) >= 95%.
 *
 * Conventions differ by one: tables list the lower critical value of U, the
 * largest u with P(U <= u) <= 2.5% (for na = nb = 10 it is 23, because
 * P(U <= 23) = 3996/184756 = 0.0216 and P(U <= 24) = 0.0262), and
 * Ca = u + 1 = 24, so the interval is d(24) .. d(77). Hollander and Wolfe
 * write C_alpha = n(2m+n+1)/2 + 1 - w, with w the upper critical value of
 * the rank sum W = U + n(n+1)/2 of one sample; in terms of U that is
 * mn + 1 - (mn - u) = u + 1, the same Ca.
 */
static int u_critical(size_t na, size_t nb, size_t *ca)
{
	uint64_t *counts, total = 0, below = 0;
	size_t c, pairs = na * nb;

	if (!use_exact(na, nb)) {
		double sd = sqrt((double)na * (double)nb * ((double)na + (double)nb + 1) / 12);
		/* Rounding down widens the interval: it errs on the safe side. */
		double approx = floor((double)pairs / 2 - Z_975 * sd);

		*ca = approx < 1 ? 0 : (size_t)approx;
		return 0;
	}
	counts = u_null_counts(na, nb);
	if (!counts)
		return -ENOMEM;
	for (c = 0; c <= pairs; c++)
		total += counts[c];
	/*
	 * below = P(U < c) * total. Comparing below * 40 with total in whole
	 * numbers decides "<= 2.5%" without rounding; total * 40 < 2^43.
	 */
	for (c = 0; c <= pairs && (below + counts[c]) * 40 <= total; c++)
		below += counts[c];
	free(counts);
	*ca = c;
	return 0;
}

int hp_stats_ratio(const double *a, size_t na, const double *b, size_t nb, struct hp_ratio *out)
{
	double *logs = NULL, *d = NULL;
	size_t pairs, ca, k = 0;
	int err;

	*out = no_ratio;
	err = check_samples(a, na);
	if (!err)
		err = check_samples(b, nb);
	if (err)
		return err;
	if (!all_positive(a, na) || !all_positive(b, nb))
		return -EINVAL;
	if (na > SIZE_MAX / nb)
		return -ENOMEM;
	pairs = na * nb;

	/* na + nb logarithms rather than 2 * na * nb. */
	logs = calloc(na + nb, sizeof *logs);
	if (!logs)
		return -ENOMEM;
	d = calloc(pairs, sizeof *d);
	if (!d) {
		err = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < na; i++)
		logs[i] = log(a[i]);
	for (size_t j = 0; j < nb; j++)
		logs[na + j] = log(b[j]);
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			d[k++] = logs[na + j] - logs[i];
	qsort(d, pairs, sizeof *d, cmp_double);

	err = u_critical(na, nb, &ca);
	if (err)
		goto out_free;
	out->estimate = exp(median_sorted(d, pairs));
	if (ca > 0) {
		/* d(Ca) and d(N+1-Ca), 1-based. */
		out->lo = exp(d[ca - 1]);
		out->hi = exp(d[pairs - ca]);
		out->ci_ok = 1;
	} else {
		out->lo = exp(d[0]);
		out->hi = exp(d[pairs - 1]);
	}

out_free:
	free(d);
	free(logs);
	return err;
}

/* ------------------------------------------------------------ comparison */

int hp_stats_compare(const double *a, size_t na, const double *b, size_t nb, enum hp_better better,
                     struct hp_comparison *out)
{
	const struct hp_summary *sa = &out->a, *sb = &out->b;
	int err, significant, b_lower;

	out->a = no_summary;
	out->b = no_summary;
	out->ratio = no_ratio;
	out->mwu = no_mwu;
	out->verdict = HP_VERDICT_SAME;
	out->warnings = 0;

	err = hp_stats_summary(a, na, &out->a);
	if (!err)
		err = hp_stats_summary(b, nb, &out->b);
	if (!err)
		err = hp_stats_mann_whitney(a, na, b, nb, &out->mwu);
	if (err)
		return err;

	if (all_positive(a, na) && all_positive(b, nb)) {
		const struct hp_ratio *r = &out->ratio;

		err = hp_stats_ratio(a, na, b, nb, &out->ratio);
		if (err)
			return err;
		significant = out->mwu.p < ALPHA && r->ci_ok && (r->hi < 1 || r->lo > 1);
		b_lower = r->hi < 1;
	} else {
		/*
		 * A count or a difference can be 0 or negative, and has no
		 * logarithm: fall back to the ratio of the medians, without an
		 * interval, and let the test and the medians decide.
		 */
		out->ratio.estimate = sa->median != 0 ? sb->median / sa->median : (double)NAN;
		significant = out->mwu.p < ALPHA && sb->median != sa->median;
		b_lower = sb->median < sa->median;
	}
	if (significant) {
		int lower_is_better = better == HP_LOWER_IS_BETTER;

		out->verdict = b_lower == lower_is_better ? HP_VERDICT_BETTER : HP_VERDICT_WORSE;
	}

	/* 6 runs is the least that gives a 95% interval of the median. */
	if (na < 6 || nb < 6)
		out->warnings |= HP_WARN_FEW_SAMPLES;
	/*
	 * With a median uncertain by more than 5%, a change of a few percent,
	 * which many lessons show, cannot be resolved.
	 */
	if ((sa->ci_ok && sa->hi - sa->lo > 0.05 * fabs(sa->median)) ||
	    (sb->ci_ok && sb->hi - sb->lo > 0.05 * fabs(sb->median)))
		out->warnings |= HP_WARN_WIDE_CI;
	return 0;
}

const char *hp_verdict_name(enum hp_verdict v)
{
	switch (v) {
	case HP_VERDICT_SAME:
		return "~";
	case HP_VERDICT_BETTER:
		return "better";
	case HP_VERDICT_WORSE:
		return "worse";
	}
	return "?";
}
