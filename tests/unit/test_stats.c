/*
 * Unit tests of common/src/stats.c against values that can be checked by
 * hand or in the standard tables: binomial coverages of order-statistic
 * intervals for the median, the exact distribution of the Mann–Whitney U and
 * its critical values, and a normal approximation with ties worked out in
 * full. Noisy samples come from a fixed-seed LCG, so every run sees the same
 * numbers.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hp/stats.h"

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* cmocka's assert_float_equal() rounds to float; this keeps doubles and prints both sides. */
#define assert_near(actual, expected, tol)                                                                   \
	do {                                                                                                 \
		double actual_ = (actual), expected_ = (expected);                                           \
		if (!(fabs(actual_ - expected_) <= (tol)))                                                   \
			fail_msg("%s = %.17g, expected %.17g within %g", #actual, actual_, expected_,        \
			         (double)(tol));                                                             \
	} while (0)

#define assert_rel_near(actual, expected, rel) assert_near((actual), (expected), (rel)*fabs(expected))

/* Knuth's MMIX LCG; the top 53 bits of the state as a double in [0, 1). */
static double lcg_next(uint64_t *state)
{
	*state = *state * 6364136223846793005u + 1442695040888963407u;
	return (double)(*state >> 11) * 0x1.0p-53;
}

/* Fisher–Yates, so a test can feed order statistics in no particular order. */
static void shuffle(double *x, size_t n, uint64_t *state)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(lcg_next(state) * (double)i);
		double t = x[i - 1];

		x[i - 1] = x[j];
		x[j] = t;
	}
}

/* x = a shuffled 1, 2, ..., n, so that the order statistic x(k) is k. */
static void shuffled_ranks(double *x, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (double)(i + 1);
	shuffle(x, n, &seed);
}

/* base times multiplicative noise uniform in [1, 1 + spread). */
static void noisy(double *x, size_t n, double base, double spread, uint64_t *state)
{
	for (size_t i = 0; i < n; i++)
		x[i] = base * (1 + spread * lcg_next(state));
}

/* ------------------------------------------------------------------ median */

static void test_median_odd_is_middle_value(void **state)
{
	double x[] = {3, 1, 2}, one[] = {7}, m;

	(void)state;
	assert_int_equal(hp_stats_median(x, ARRAY_SIZE(x), &m), 0);
	assert_near(m, 2, 0);
	assert_int_equal(hp_stats_median(one, 1, &m), 0);
	assert_near(m, 7, 0);
}

static void test_median_even_is_mean_of_middle_pair(void **state)
{
	double x[] = {4, 1, 3, 2}, m;

	(void)state;
	assert_int_equal(hp_stats_median(x, ARRAY_SIZE(x), &m), 0);
	assert_near(m, 2.5, 0);
}

static void test_median_leaves_input_unchanged(void **state)
{
	double x[] = {5, 3, 9, 1, 7}, copy[ARRAY_SIZE(x)], m;

	(void)state;
	memcpy(copy, x, sizeof x);
	assert_int_equal(hp_stats_median(x, ARRAY_SIZE(x), &m), 0);
	assert_memory_equal(x, copy, sizeof x);
}

static void test_median_of_nothing_is_einval(void **state)
{
	double m = 0;

	(void)state;
	assert_int_equal(hp_stats_median(NULL, 0, &m), -EINVAL);
	assert_true(isnan(m));
}

static void test_median_of_nan_or_inf_is_einval(void **state)
{
	double with_nan[] = {1, NAN, 3}, with_inf[] = {1, INFINITY, 3}, m;

	(void)state;
	assert_int_equal(hp_stats_median(with_nan, 3, &m), -EINVAL);
	assert_int_equal(hp_stats_median(with_inf, 3, &m), -EINVAL);
}

/* ----------------------------------------------------------------- summary */

/*
 * The interval [x(k), x(n+1-k)] covers the median with probability
 * 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2). For n = 10:
 *   k = 2: 1 - 2 (1 + 10) / 1024 = 0.9785 >= 0.95
 *   k = 3: 1 - 2 (1 + 10 + 45) / 1024 = 0.8906 < 0.95
 * so the interval is x(2) .. x(9).
 */
static void test_summary_n10_ci_is_x2_to_x9(void **state)
{
	double x[10];
	struct hp_summary s;

	(void)state;
	shuffled_ranks(x, 10, 1);
	assert_int_equal(hp_stats_summary(x, 10, &s), 0);
	assert_int_equal(s.n, 10);
	assert_true(s.ci_ok);
	assert_near(s.median, 5.5, 0);
	assert_near(s.lo, 2, 0);
	assert_near(s.hi, 9, 0);
}

/* n = 5: even [x(1), x(5)] covers only 1 - 2/32 = 0.9375, so no 95% interval. */
static void test_summary_n5_has_no_ci(void **state)
{
	double x[] = {4, 2, 5, 1, 3};
	struct hp_summary s;

	(void)state;
	assert_int_equal(hp_stats_summary(x, 5, &s), 0);
	assert_false(s.ci_ok);
	assert_near(s.median, 3, 0);
	assert_near(s.lo, 1, 0);
	assert_near(s.hi, 5, 0);
}

/* n = 6, the smallest with an interval: [x(1), x(6)] covers 1 - 2/64 = 0.96875. */
static void test_summary_n6_ci_is_x1_to_x6(void **state)
{
	double x[6];
	struct hp_summary s;

	(void)state;
	shuffled_ranks(x, 6, 2);
	assert_int_equal(hp_stats_summary(x, 6, &s), 0);
	assert_true(s.ci_ok);
	assert_near(s.lo, 1, 0);
	assert_near(s.hi, 6, 0);
}

/*
 * n = 20: P(B <= 5) = (1 + 20 + 190 + 1140 + 4845 + 15504) / 2^20
 * = 21700 / 1048576 = 0.020695, coverage 0.9586 for k = 6; adding
 * C(20, 6) = 38760 gives P(B <= 6) = 0.0577, coverage 0.8847 for k = 7.
 * So x(6) .. x(15).
 */
static void test_summary_n20_ci_is_x6_to_x15(void **state)
{
	double x[20];
	struct hp_summary s;

	(void)state;
	shuffled_ranks(x, 20, 3);
	assert_int_equal(hp_stats_summary(x, 20, &s), 0);
	assert_true(s.ci_ok);
	assert_near(s.lo, 6, 0);
	assert_near(s.hi, 15, 0);
}

/*
 * n = 100: P(B <= 39) = 0.0176 and P(B <= 40) = 0.0284, so k = 40 and the
 * interval x(40) .. x(61), coverage 0.9648, as in the usual tables.
 */
static void test_summary_n100_ci_is_x40_to_x61(void **state)
{
	double x[100];
	struct hp_summary s;

	(void)state;
	shuffled_ranks(x, 100, 4);
	assert_int_equal(hp_stats_summary(x, 100, &s), 0);
	assert_true(s.ci_ok);
	assert_near(s.lo, 40, 0);
	assert_near(s.hi, 61, 0);
}

/*
 * n = 2000, where 2^-n underflows a double: k = 956 (coverage 0.95345, from
 * exact integer arithmetic), near the normal estimate n/2 - 1.96 sqrt(n)/2 = 956.2.
 */
static void test_summary_n2000_ci_is_x956_to_x1045(void **state)
{
	double x[2000];
	struct hp_summary s;

	(void)state;
	shuffled_ranks(x, 2000, 5);
	assert_int_equal(hp_stats_summary(x, 2000, &s), 0);
	assert_true(s.ci_ok);
	assert_near(s.lo, 956, 0);
	assert_near(s.hi, 1045, 0);
}

static void test_summary_min_max_mean(void **state)
{
	double x[] = {2, 8, 4, 6};
	struct hp_summary s;

	(void)state;
	assert_int_equal(hp_stats_summary(x, 4, &s), 0);
	assert_near(s.min, 2, 0);
	assert_near(s.max, 8, 0);
	assert_near(s.mean, 5, 0);
	assert_near(s.median, 5, 0);
}

static void test_summary_of_nothing_or_nan_is_einval(void **state)
{
	double x[] = {1, 2, NAN};
	struct hp_summary s;

	(void)state;
	assert_int_equal(hp_stats_summary(NULL, 0, &s), -EINVAL);
	assert_int_equal(hp_stats_summary(x, 3, &s), -EINVAL);
	assert_true(isnan(s.median));
	assert_false(s.ci_ok);
}

/* ------------------------------------------------------------ Mann–Whitney */

/*
 * Complete separation with 5 a side: U = 0 happens in 1 of the C(10, 5) = 252
 * orderings, so the exact two-sided p is 2/252 = 0.0079365.
 */
static void test_mwu_separated_5x5_exact_p(void **state)
{
	double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
	struct hp_mwu r;

	(void)state;
	assert_int_equal(hp_stats_mann_whitney(a, 5, b, 5, &r), 0);
	assert_true(r.exact);
	assert_near(r.u, 0, 0);
	assert_near(r.p, 2.0 / 252, 1e-15);

	/* Swapped, U of a is 25 and the p-value is the same. */
	assert_int_equal(hp_stats_mann_whitney(b, 5, a, 5, &r), 0);
	assert_near(r.u, 25, 0);
	assert_near(r.p, 2.0 / 252, 1e-15);
}

/* a = {1, 4, 5, 8}, b = {2, 3, 6, 7}: U = 0 + 2 + 2 + 4 = 8 = 4*4/2, the centre, so p = 1. */
static void test_mwu_balanced_p_is_one(void **state)
{
	double a[] = {1, 4, 5, 8}, b[] = {2, 3, 6, 7};
	struct hp_mwu r;

	(void)state;
	assert_int_equal(hp_stats_mann_whitney(a, 4, b, 4, &r), 0);
	assert_true(r.exact);
	assert_near(r.u, 8, 0);
	assert_near(r.p, 1, 0);
}

/*
 * Ten a side, the two-sided 5% critical value of U in the tables is 23:
 * P(U <= 23) = 3996 / 184756, p = 0.0432571 < 0.05, while
 * P(U <= 24) = 4843 / 184756, p = 0.0524259 > 0.05.
 * b = 10, 20, ..., 100; in a, 101 and 102 beat all ten, 35 beats three
 * (or 45 beats four) and the rest beat none.
 */
static void test_mwu_10x10_critical_value_23(void **state)
{
	double a[] = {101, 102, 35, 1, 2, 3, 4, 5, 6, 7};
	double b[] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
	struct hp_mwu r;

	(void)state;
	assert_int_equal(hp_stats_mann_whitney(a, 10, b, 10, &r), 0);
	assert_true(r.exact);
	assert_near(r.u, 23, 0);
	assert_near(r.p, 2.0 * 3996 / 184756, 1e-15);

	a[2] = 45;
	assert_int_equal(hp_stats_mann_whitney(a, 10, b, 10, &r), 0);
	assert_near(r.u, 24, 0);
	assert_near(r.p, 2.0 * 4843 / 184756, 1e-15);
}

/*
 * U counts pairs with a > b and half the ties; checked against the
 * definition on tie-heavy random data (values rounded to 0 .. 9).
 */
static void test_mwu_u_is_pair_count_with_half_ties(void **state)
{
	double a[37], b[23], pairs = 0;
	uint64_t seed = 6;
	struct hp_mwu r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = floor(10 * lcg_next(&seed));
	for (size_t j = 0; j < ARRAY_SIZE(b); j++)
		b[j] = floor(10 * lcg_next(&seed));
	for (size_t i = 0; i < ARRAY_SIZE(a); i++)
		for (size_t j = 0; j < ARRAY_SIZE(b); j++)
			pairs += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
	assert_int_equal(hp_stats_mann_whitney(a, ARRAY_SIZE(a), b, ARRAY_SIZE(b), &r), 0);
	assert_false(r.exact);
	assert_near(r.u, pairs, 0);
}

/*
 * a = {1, 2, 2, 3, 4}, b = {2, 3, 5, 6, 7}. Pooled ranks: 1 -> 1, the three
 * 2s -> 3, the two 3s -> 5.5, 4 -> 7, 5 6 7 -> 8 9 10. Rank sum of a
 * 1 + 3 + 3 + 5.5 + 7 = 19.5, U = 19.5 - 5*6/2 = 4.5 (pairs: 0 + 0.5 + 0.5
 * + 1.5 + 2). Ties t = 3 and t = 2: sum(t^3 - t) = 24 + 6 = 30, n = 10:
 *   sigma^2 = 25/12 * (11 - 30/90) = 22.2222, sigma = 4.7140452
 *   z = (|4.5 - 12.5| - 0.5) / sigma = 7.5 / 4.7140452 = 1.5909903
 *   p = 2 (1 - Phi(z)) = erfc(z / sqrt 2) = 0.1116118
 */
static void test_mwu_ties_use_normal_approximation(void **state)
{
	double a[] = {1, 2, 2, 3, 4}, b[] = {2, 3, 5, 6, 7};
	struct hp_mwu r;

	(void)state;
	assert_int_equal(hp_stats_mann_whitney(a, 5, b, 5, &r), 0);
	assert_false(r.exact);
	assert_near(r.u, 4.5, 0);
	assert_near(r.p, 0.11161176829829222, 1e-6);
}

/*
 * 20 a side, 400 pairs, is the largest exact case: a = 1..20, b = 21..40
 * gives U = 0, one ordering of C(40, 20) = 137846528820, p = 1.4509e-11.
 */
static void test_mwu_20x20_is_exact(void **state)
{
	double a[20], b[20];
	struct hp_mwu r;

	(void)state;
	for (size_t i = 0; i < 20; i++) {
		a[i] = (double)(i + 1);
		b[i] = (double)(i + 21);
	}
	assert_int_equal(hp_stats_mann_whitney(a, 20, b, 20, &r), 0);
	assert_true(r.exact);
	assert_rel_near(r.p, 2.0 / 137846528820.0, 1e-12);
}

/*
 * 21 a side is 441 pairs, beyond the exact table. a = 1..21, b = 22..42:
 * U = 0, sigma^2 = 441/12 * 43 = 1580.25, sigma = 39.7524,
 * z = (220.5 - 0.5) / 39.7524 = 5.534263, p = erfc(z / sqrt 2) = 3.1254e-8.
 */
static void test_mwu_large_samples_use_normal_approximation(void **state)
{
	double a[21], b[21];
	struct hp_mwu r;

	(void)state;
	for (size_t i = 0; i < 21; i++) {
		a[i] = (double)(i + 1);
		b[i] = (double)(i + 22);
	}
	assert_int_equal(hp_stats_mann_whitney(a, 21, b, 21, &r), 0);
	assert_false(r.exact);
	assert_near(r.u, 0, 0);
	assert_rel_near(r.p, 3.125399998400882e-08, 1e-6);
}

/* All values equal: the tie-corrected variance is 0 and p is 1. */
static void test_mwu_all_equal_p_is_one(void **state)
{
	double a[] = {5, 5, 5}, b[] = {5, 5, 5, 5};
	struct hp_mwu r;

	(void)state;
	assert_int_equal(hp_stats_mann_whitney(a, 3, b, 4, &r), 0);
	assert_near(r.u, 6, 0);
	assert_near(r.p, 1, 0);
}

static void test_mwu_empty_or_nan_is_einval(void **state)
{
	double a[] = {1, 2, 3}, b[] = {4, NAN};
	struct hp_mwu r;

	(void)state;
	assert_int_equal(hp_stats_mann_whitney(a, 3, b, 0, &r), -EINVAL);
	assert_int_equal(hp_stats_mann_whitney(NULL, 0, a, 3, &r), -EINVAL);
	assert_int_equal(hp_stats_mann_whitney(a, 3, b, 2, &r), -EINVAL);
	assert_true(isnan(r.p));
}

/* ------------------------------------------------------------------- ratio */

/*
 * Samples whose pairwise log differences are d = step * (na*j + i), the
 * numbers 0 .. na*nb - 1 in steps of 0.01 with no two equal, so d(r), the
 * r-th smallest (1-based), is 0.01 (r - 1) and a test can tell which ranks
 * the interval used.
 */
static void ranked_differences(double *a, size_t na, double *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		a[i] = exp(-0.01 * (double)i);
	for (size_t j = 0; j < nb; j++)
		b[j] = exp(0.01 * (double)(na * j));
}

static void test_ratio_of_doubled_sample_is_2(void **state)
{
	double a[] = {3, 1, 4, 1.5, 9, 2.6, 5, 3.5, 8.9, 7.9}, b[10];
	struct hp_ratio r;

	(void)state;
	for (size_t i = 0; i < 10; i++)
		b[i] = 2 * a[i];
	assert_int_equal(hp_stats_ratio(a, 10, b, 10, &r), 0);
	assert_near(r.estimate, 2, 1e-12);
	assert_true(r.ci_ok);
	assert_true(r.lo <= 2 && 2 <= r.hi);
}

static void test_ratio_of_identical_samples_is_1(void **state)
{
	double a[] = {10, 12, 11, 15, 9, 13, 10.5};
	struct hp_ratio r;

	(void)state;
	assert_int_equal(hp_stats_ratio(a, 7, a, 7, &r), 0);
	assert_near(r.estimate, 1, 1e-12);
	assert_true(r.lo < 1 && 1 < r.hi);
}

/*
 * 10 a side: the critical value of U is 23 (see the Mann–Whitney test
 * above), so the interval is d(24) .. d(77) of the 100 differences, and the
 * estimate is the mean of d(50) and d(51).
 */
static void test_ratio_10x10_ci_is_d24_to_d77(void **state)
{
	double a[10], b[10];
	struct hp_ratio r;

	(void)state;
	ranked_differences(a, 10, b, 10);
	assert_int_equal(hp_stats_ratio(a, 10, b, 10, &r), 0);
	assert_true(r.ci_ok);
	assert_near(log(r.lo), 0.23, 1e-9);
	assert_near(log(r.hi), 0.76, 1e-9);
	assert_near(log(r.estimate), 0.495, 1e-9);
}

/*
 * 5 a side: P(U <= 2) = 4/252 = 0.0159 and P(U <= 3) = 7/252 = 0.0278, so the
 * critical value is 2 and the interval d(3) .. d(23).
 */
static void test_ratio_5x5_ci_is_d3_to_d23(void **state)
{
	double a[5], b[5];
	struct hp_ratio r;

	(void)state;
	ranked_differences(a, 5, b, 5);
	assert_int_equal(hp_stats_ratio(a, 5, b, 5, &r), 0);
	assert_true(r.ci_ok);
	assert_near(log(r.lo), 0.02, 1e-9);
	assert_near(log(r.hi), 0.22, 1e-9);
}

/* 4 a side: P(U = 0) = 1/70 = 0.0143 but P(U <= 1) = 2/70 = 0.0286: d(1) .. d(16). */
static void test_ratio_4x4_ci_is_d1_to_d16(void **state)
{
	double a[4], b[4];
	struct hp_ratio r;

	(void)state;
	ranked_differences(a, 4, b, 4);
	assert_int_equal(hp_stats_ratio(a, 4, b, 4, &r), 0);
	assert_true(r.ci_ok);
	assert_near(log(r.lo), 0, 1e-9);
	assert_near(log(r.hi), 0.15, 1e-9);
}

/* 3 a side: P(U = 0) = 1/20 = 0.05 > 0.025, no interval; lo, hi are the extremes. */
static void test_ratio_3x3_has_no_ci(void **state)
{
	double a[3], b[3];
	struct hp_ratio r;

	(void)state;
	ranked_differences(a, 3, b, 3);
	assert_int_equal(hp_stats_ratio(a, 3, b, 3, &r), 0);
	assert_false(r.ci_ok);
	assert_near(log(r.lo), 0, 1e-9);
	assert_near(log(r.hi), 0.08, 1e-9);
}

/*
 * 20 a side, 400 pairs, is the largest exact case. The tables' critical value
 * of U is 127: P(U <= 127) = 3383465463 / 137846528820 = 0.02455 and
 * P(U <= 128) = 0.02620, so the interval is d(128) .. d(273). (The normal
 * approximation would give floor(200 - 1.959964 sqrt(400*41/12)) = 127.)
 */
static void test_ratio_20x20_is_exact_ci_d128_to_d273(void **state)
{
	double a[20], b[20];
	struct hp_ratio r;

	(void)state;
	ranked_differences(a, 20, b, 20);
	assert_int_equal(hp_stats_ratio(a, 20, b, 20, &r), 0);
	assert_true(r.ci_ok);
	assert_near(log(r.lo), 1.27, 1e-9);
	assert_near(log(r.hi), 2.72, 1e-9);
}

/*
 * 21 a side (441 pairs) uses the normal approximation:
 * Ca = floor(441/2 - 1.959964 sqrt(21*21*43/12)) = floor(220.5 - 77.913) = 142,
 * so the interval is d(142) .. d(441 + 1 - 142) = d(300).
 */
static void test_ratio_21x21_ci_is_d142_to_d300(void **state)
{
	double a[21], b[21];
	struct hp_ratio r;

	(void)state;
	ranked_differences(a, 21, b, 21);
	assert_int_equal(hp_stats_ratio(a, 21, b, 21, &r), 0);
	assert_true(r.ci_ok);
	assert_near(log(r.lo), 1.41, 1e-9);
	assert_near(log(r.hi), 2.99, 1e-9);
}

/* Independent noise, true ratio 2: the interval must hold 2 and exclude 1. */
static void test_ratio_noisy_samples_ci_holds_true_ratio(void **state)
{
	double a[15], b[15];
	uint64_t seed = 42;
	struct hp_ratio r;

	(void)state;
	noisy(a, 15, 100, 0.2, &seed);
	noisy(b, 15, 200, 0.2, &seed);
	assert_int_equal(hp_stats_ratio(a, 15, b, 15, &r), 0);
	assert_true(r.ci_ok);
	assert_true(r.lo <= 2 && 2 <= r.hi);
	assert_true(r.lo > 1);
	assert_near(r.estimate, 2, 0.1);
}

static void test_ratio_nonpositive_or_nan_is_einval(void **state)
{
	double a[] = {1, 2, 3}, zero[] = {1, 0, 3}, negative[] = {1, -2, 3}, nan[] = {1, NAN, 3};
	struct hp_ratio r;

	(void)state;
	assert_int_equal(hp_stats_ratio(a, 3, zero, 3, &r), -EINVAL);
	assert_int_equal(hp_stats_ratio(negative, 3, a, 3, &r), -EINVAL);
	assert_int_equal(hp_stats_ratio(a, 3, nan, 3, &r), -EINVAL);
	assert_int_equal(hp_stats_ratio(a, 0, a, 3, &r), -EINVAL);
	assert_true(isnan(r.estimate));
	assert_false(r.ci_ok);
}

/* -------------------------------------------------------------- comparison */

static void test_compare_same_multiset_is_same(void **state)
{
	double a[20], b[20];
	uint64_t seed = 7;
	struct hp_comparison c;

	(void)state;
	noisy(a, 20, 100, 0.02, &seed);
	memcpy(b, a, sizeof a);
	shuffle(b, 20, &seed);
	assert_int_equal(hp_stats_compare(a, 20, b, 20, HP_LOWER_IS_BETTER, &c), 0);
	assert_int_equal(c.verdict, HP_VERDICT_SAME);
	assert_near(c.mwu.p, 1, 0);
	assert_near(c.ratio.estimate, 1, 1e-12);
	assert_int_equal(c.warnings, 0);
}

static void test_compare_twice_the_time_is_worse(void **state)
{
	double a[12], b[12];
	uint64_t seed = 8;
	struct hp_comparison c;

	(void)state;
	noisy(a, 12, 100, 0.02, &seed);
	noisy(b, 12, 200, 0.02, &seed);
	assert_int_equal(hp_stats_compare(a, 12, b, 12, HP_LOWER_IS_BETTER, &c), 0);
	assert_int_equal(c.verdict, HP_VERDICT_WORSE);
	assert_true(c.mwu.p < 0.05);
	assert_true(c.ratio.lo <= 2 && 2 <= c.ratio.hi);
}

/* b is half of a with the same noise: when lower is better, that is better. */
static void test_compare_half_the_time_is_better(void **state)
{
	double a[12], b[12];
	uint64_t seed = 9;
	struct hp_comparison c;

	(void)state;
	noisy(a, 12, 100, 0.02, &seed);
	noisy(b, 12, 50, 0.02, &seed);
	assert_int_equal(hp_stats_compare(a, 12, b, 12, HP_LOWER_IS_BETTER, &c), 0);
	assert_int_equal(c.verdict, HP_VERDICT_BETTER);
	assert_true(c.ratio.lo <= 0.5 && 0.5 <= c.ratio.hi);
}

static void test_compare_higher_is_better_flips_verdict(void **state)
{
	double a[12], b[12];
	uint64_t seed = 10;
	struct hp_comparison c;

	(void)state;
	noisy(a, 12, 100, 0.02, &seed);
	noisy(b, 12, 200, 0.02, &seed);
	assert_int_equal(hp_stats_compare(a, 12, b, 12, HP_HIGHER_IS_BETTER, &c), 0);
	assert_int_equal(c.verdict, HP_VERDICT_BETTER);
	assert_int_equal(hp_stats_compare(b, 12, a, 12, HP_HIGHER_IS_BETTER, &c), 0);
	assert_int_equal(c.verdict, HP_VERDICT_WORSE);
}

/*
 * 5 a side, fully separated: p = 2/252 and the ratio interval d(3) .. d(23)
 * excludes 1, so a verdict is still given, with the warning.
 */
static void test_compare_few_samples_warns(void **state)
{
	double a[] = {10, 11, 12, 13, 14}, b[] = {20, 21, 22, 23, 24};
	struct hp_comparison c;

	(void)state;
	assert_int_equal(hp_stats_compare(a, 5, b, 5, HP_LOWER_IS_BETTER, &c), 0);
	assert_near(c.mwu.p, 2.0 / 252, 1e-15);
	assert_true(c.ratio.ci_ok && c.ratio.lo > 1);
	assert_true(c.warnings & HP_WARN_FEW_SAMPLES);
	assert_int_equal(c.verdict, HP_VERDICT_WORSE);
}

/* 3 a side has no 95% ratio interval (and p = 2/20 = 0.1): no verdict. */
static void test_compare_three_samples_is_same(void **state)
{
	double a[] = {10, 11, 12}, b[] = {20, 21, 22};
	struct hp_comparison c;

	(void)state;
	assert_int_equal(hp_stats_compare(a, 3, b, 3, HP_LOWER_IS_BETTER, &c), 0);
	assert_false(c.ratio.ci_ok);
	assert_near(c.mwu.p, 0.1, 1e-15);
	assert_int_equal(c.verdict, HP_VERDICT_SAME);
	assert_true(c.warnings & HP_WARN_FEW_SAMPLES);
}

/* Runs spread over 50% leave a median interval far wider than 5% of the median. */
static void test_compare_noisy_samples_warn_wide_ci(void **state)
{
	double a[20], b[20];
	uint64_t seed = 11;
	struct hp_comparison c;

	(void)state;
	noisy(a, 20, 100, 0.5, &seed);
	noisy(b, 20, 100, 0.001, &seed);
	assert_int_equal(hp_stats_compare(a, 20, b, 20, HP_LOWER_IS_BETTER, &c), 0);
	assert_true(c.warnings & HP_WARN_WIDE_CI);
	assert_true(c.a.hi - c.a.lo > 0.05 * c.a.median);
	assert_false(c.b.hi - c.b.lo > 0.05 * c.b.median);

	assert_int_equal(hp_stats_compare(b, 20, b, 20, HP_LOWER_IS_BETTER, &c), 0);
	assert_false(c.warnings & HP_WARN_WIDE_CI);
}

/*
 * Counts can be 0: a = {0, 1, ..., 9} (median 4.5) against b = a + 10
 * (median 14.5). No logarithm, so the ratio is 14.5 / 4.5 without an
 * interval; separated samples with no ties give p = 2/184756, and the
 * medians decide the direction.
 */
static void test_compare_nonpositive_samples_use_median_ratio(void **state)
{
	double a[10], b[10];
	struct hp_comparison c;

	(void)state;
	for (size_t i = 0; i < 10; i++) {
		a[i] = (double)i;
		b[i] = (double)i + 10;
	}
	assert_int_equal(hp_stats_compare(a, 10, b, 10, HP_HIGHER_IS_BETTER, &c), 0);
	assert_false(c.ratio.ci_ok);
	assert_near(c.ratio.estimate, 14.5 / 4.5, 1e-15);
	assert_near(c.mwu.p, 2.0 / 184756, 1e-18);
	assert_int_equal(c.verdict, HP_VERDICT_BETTER);

	/* A median of 0 has no ratio at all. */
	for (size_t i = 0; i < 10; i++)
		a[i] = 0;
	assert_int_equal(hp_stats_compare(a, 10, b, 10, HP_LOWER_IS_BETTER, &c), 0);
	assert_true(isnan(c.ratio.estimate));
	assert_int_equal(c.verdict, HP_VERDICT_WORSE);
}

static void test_compare_nan_is_einval(void **state)
{
	double a[] = {1, 2, 3, 4, 5, 6}, b[] = {1, 2, NAN, 4, 5, 6};
	struct hp_comparison c;

	(void)state;
	assert_int_equal(hp_stats_compare(a, 6, b, 6, HP_LOWER_IS_BETTER, &c), -EINVAL);
	assert_int_equal(hp_stats_compare(a, 0, a, 6, HP_LOWER_IS_BETTER, &c), -EINVAL);
	assert_int_equal(c.verdict, HP_VERDICT_SAME);
}

static void test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(hp_verdict_name(HP_VERDICT_SAME), "~");
	assert_string_equal(hp_verdict_name(HP_VERDICT_BETTER), "better");
	assert_string_equal(hp_verdict_name(HP_VERDICT_WORSE), "worse");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_median_odd_is_middle_value),
	    cmocka_unit_test(test_median_even_is_mean_of_middle_pair),
	    cmocka_unit_test(test_median_leaves_input_unchanged),
	    cmocka_unit_test(test_median_of_nothing_is_einval),
	    cmocka_unit_test(test_median_of_nan_or_inf_is_einval),
	    cmocka_unit_test(test_summary_n10_ci_is_x2_to_x9),
	    cmocka_unit_test(test_summary_n5_has_no_ci),
	    cmocka_unit_test(test_summary_n6_ci_is_x1_to_x6),
	    cmocka_unit_test(test_summary_n20_ci_is_x6_to_x15),
	    cmocka_unit_test(test_summary_n100_ci_is_x40_to_x61),
	    cmocka_unit_test(test_summary_n2000_ci_is_x956_to_x1045),
	    cmocka_unit_test(test_summary_min_max_mean),
	    cmocka_unit_test(test_summary_of_nothing_or_nan_is_einval),
	    cmocka_unit_test(test_mwu_separated_5x5_exact_p),
	    cmocka_unit_test(test_mwu_balanced_p_is_one),
	    cmocka_unit_test(test_mwu_10x10_critical_value_23),
	    cmocka_unit_test(test_mwu_u_is_pair_count_with_half_ties),
	    cmocka_unit_test(test_mwu_ties_use_normal_approximation),
	    cmocka_unit_test(test_mwu_20x20_is_exact),
	    cmocka_unit_test(test_mwu_large_samples_use_normal_approximation),
	    cmocka_unit_test(test_mwu_all_equal_p_is_one),
	    cmocka_unit_test(test_mwu_empty_or_nan_is_einval),
	    cmocka_unit_test(test_ratio_of_doubled_sample_is_2),
	    cmocka_unit_test(test_ratio_of_identical_samples_is_1),
	    cmocka_unit_test(test_ratio_10x10_ci_is_d24_to_d77),
	    cmocka_unit_test(test_ratio_5x5_ci_is_d3_to_d23),
	    cmocka_unit_test(test_ratio_4x4_ci_is_d1_to_d16),
	    cmocka_unit_test(test_ratio_3x3_has_no_ci),
	    cmocka_unit_test(test_ratio_20x20_is_exact_ci_d128_to_d273),
	    cmocka_unit_test(test_ratio_21x21_ci_is_d142_to_d300),
	    cmocka_unit_test(test_ratio_noisy_samples_ci_holds_true_ratio),
	    cmocka_unit_test(test_ratio_nonpositive_or_nan_is_einval),
	    cmocka_unit_test(test_compare_same_multiset_is_same),
	    cmocka_unit_test(test_compare_twice_the_time_is_worse),
	    cmocka_unit_test(test_compare_half_the_time_is_better),
	    cmocka_unit_test(test_compare_higher_is_better_flips_verdict),
	    cmocka_unit_test(test_compare_few_samples_warns),
	    cmocka_unit_test(test_compare_three_samples_is_same),
	    cmocka_unit_test(test_compare_noisy_samples_warn_wide_ci),
	    cmocka_unit_test(test_compare_nonpositive_samples_use_median_ratio),
	    cmocka_unit_test(test_compare_nan_is_einval),
	    cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
