/*
 * The latency histogram (hp/hist.h): small values exact, the relative error
 * bound over every power of two up to 2^64, quantiles of distributions whose
 * quantiles are known in closed form, merging (of structs and of JSON) equal
 * to recording everything in one histogram, and the empty histogram.
 *
 * A bucket is observed through the public API by recording a value v with a
 * much larger one: the median of the two is then v's bucket's upper bound
 * (the clamp to [min, max] does not touch it), which is the value a report
 * would print for v.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/hist.h"
#include "hp/json.h"
#include "hp/prng.h"

/* 64 KiB each: on the heap, not on cmocka's stack. */
static struct hp_hist *hist_new(void)
{
	struct hp_hist *h = malloc(sizeof *h);

	assert_non_null(h);
	hp_hist_init(h);
	return h;
}

/* What a report would print for v: the upper bound of v's bucket. */
static uint64_t reported(uint64_t v)
{
	struct hp_hist *h = hist_new();

	hp_hist_record(h, v);
	hp_hist_record(h, UINT64_MAX);
	uint64_t r = hp_hist_quantile(h, 0.5);
	free(h);
	return r;
}

static void assert_within(double got, double want, double rel)
{
	if (fabs(got - want) > rel * fabs(want))
		fail_msg("got %.17g, want %.17g within %g%%", got, want, rel * 100);
}

static void assert_same_hist(const struct hp_hist *a, const struct hp_hist *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->min, b->min);
	assert_int_equal(a->max, b->max);
	assert_true(a->sum == b->sum);
	for (size_t i = 0; i < HP_HIST_BUCKETS; i++)
		if (a->counts[i] != b->counts[i])
			fail_msg("bucket %zu: %llu != %llu", i, (unsigned long long)a->counts[i],
			         (unsigned long long)b->counts[i]);
}

static void small_values_are_exact(void **state)
{
	struct hp_hist *h = hist_new();

	for (uint64_t v = 0; v < 256; v++)
		assert_int_equal(reported(v), v);
	for (uint64_t v = 0; v < HP_HIST_SUB; v++)
		hp_hist_record(h, v);
	/* 128 values 0..127: the 64th smallest is 63; every quantile is exact. */
	assert_int_equal(hp_hist_quantile(h, 0.5), 63);
	assert_int_equal(hp_hist_quantile(h, 0.25), 31);
	assert_int_equal(hp_hist_quantile(h, 0.99), 126);
	assert_int_equal(hp_hist_quantile(h, 0), 0);
	assert_int_equal(hp_hist_quantile(h, 1), 127);
	free(h);
}

/* The reported value is never below v and at most v/128 above it. */
static void check_bound(uint64_t v)
{
	uint64_t r = reported(v);

	/* In 128-bit integers: the bound is exact, and (r - v) * 128 cannot overflow. */
	if (r < v || (r > v && (unsigned __int128)(r - v) * HP_HIST_SUB >= v))
		fail_msg("value %llu reported as %llu: error %.3g%%", (unsigned long long)v,
		         (unsigned long long)r, 100.0 * (double)(r - v) / (double)v);
}

static void relative_error_is_bounded(void **state)
{
	struct hp_rng rng;

	hp_rng_init(&rng, 42);
	for (unsigned e = 0; e < 64; e++) {
		uint64_t p = (uint64_t)1 << e;
		check_bound(p);
		check_bound(p - 1 > 0 ? p - 1 : 1);
		check_bound(p + p / 2);
		check_bound(p | (p - 1)); /* the last value of a power of two */
		for (int k = 0; k < 50; k++)
			check_bound(p | (hp_rng_next(&rng) & (p - 1)));
	}
	check_bound(UINT64_MAX);
	check_bound((uint64_t)1 << 63);
}

/* Values 1..100000, each once: quantile q is q*100000. */
static void quantiles_of_a_uniform_distribution(void **state)
{
	struct hp_hist *h = hist_new();

	for (uint64_t v = 1; v <= 100000; v++)
		hp_hist_record(h, v);
	assert_int_equal(h->n, 100000);
	assert_within((double)hp_hist_quantile(h, 0.5), 50000, 0.01);
	assert_within((double)hp_hist_quantile(h, 0.9), 90000, 0.01);
	assert_within((double)hp_hist_quantile(h, 0.99), 99000, 0.01);
	assert_within((double)hp_hist_quantile(h, 0.999), 99900, 0.01);
	assert_int_equal(hp_hist_quantile(h, 0), 1);
	assert_int_equal(hp_hist_quantile(h, 1), 100000);
	assert_true(hp_hist_mean(h) == 50000.5);
	free(h);
}

/*
 * The exponential distribution with mean 1 ms, sampled on an even grid of
 * its inverse CDF so that the sample quantiles are the true ones: the
 * quantile q is -mean * ln(1 - q).
 */
static void quantiles_of_an_exponential_distribution(void **state)
{
	struct hp_hist *h = hist_new();
	const double mean = 1e6;
	const int n = 1000000;

	for (int k = 0; k < n; k++)
		hp_hist_record(h, (uint64_t)llround(-mean * log(1 - (k + 0.5) / n)));
	const double qs[] = {0.1, 0.5, 0.9, 0.99, 0.999};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
		assert_within((double)hp_hist_quantile(h, qs[i]), -mean * log(1 - qs[i]), 0.01);
	assert_within(hp_hist_mean(h), mean, 0.001);
	free(h);
}

/* 90% of the requests take 1 ms, 10% take 1 s: p90 is the fast mode, p91 the slow one. */
static void quantiles_of_a_bimodal_distribution(void **state)
{
	struct hp_hist *h = hist_new();

	for (int k = 0; k < 1000; k++)
		hp_hist_record(h, k % 10 == 9 ? 1000000000 : 1000000);
	assert_within((double)hp_hist_quantile(h, 0.5), 1e6, 0.01);
	assert_within((double)hp_hist_quantile(h, 0.9), 1e6, 0.01);
	assert_within((double)hp_hist_quantile(h, 0.91), 1e9, 0.01);
	assert_int_equal(hp_hist_quantile(h, 1), 1000000000);
	free(h);
}

/*
 * Values below 2^40 keep every partial sum exact in a double, so the sums of
 * the merged and the single histogram are equal, not just close.
 */
static void merge_equals_recording_both(void **state)
{
	struct hp_hist *a = hist_new(), *b = hist_new(), *both = hist_new(), *empty = hist_new();
	struct hp_rng rng;

	hp_rng_init(&rng, 7);
	for (int k = 0; k < 20000; k++) {
		uint64_t v = hp_rng_next(&rng) >> (24 + hp_rng_below(&rng, 40));
		hp_hist_record(k % 3 ? a : b, v);
		hp_hist_record(both, v);
	}
	hp_hist_merge(a, empty);
	hp_hist_merge(a, b);
	assert_same_hist(a, both);

	/* Merging into an empty histogram copies it. */
	hp_hist_merge(empty, both);
	assert_same_hist(empty, both);
	free(a);
	free(b);
	free(both);
	free(empty);
}

/* Write h as JSON into a string; free it with free(). */
static char *to_json(const struct hp_hist *h, size_t *len)
{
	char *s = NULL;
	FILE *f = open_memstream(&s, len);

	assert_non_null(f);
	assert_int_equal(hp_hist_write_json(h, f), 0);
	assert_int_equal(fclose(f), 0);
	return s;
}

static int merge_text(struct hp_hist *h, const char *s)
{
	struct hp_json j;

	assert_int_equal(hp_json_parse(&j, s, strlen(s), NULL), 0);
	int rc = hp_hist_merge_json(h, &j, 0);
	hp_json_release(&j);
	return rc;
}

static void json_round_trip(void **state)
{
	struct hp_hist *h = hist_new(), *back = hist_new(), *twice = hist_new();
	struct hp_rng rng;
	size_t len;

	hp_rng_init(&rng, 3);
	for (int k = 0; k < 5000; k++)
		hp_hist_record(h, hp_rng_next(&rng) >> hp_rng_below(&rng, 64));
	/* Values a double cannot hold exactly must come back exact. */
	hp_hist_record(h, UINT64_MAX);
	hp_hist_record(h, 0);
	char *s = to_json(h, &len);
	assert_int_equal(strlen(s), len);

	/* A histogram inside a report, as hp-load writes it. */
	size_t wrapped_len = len + 64;
	char *wrapped = malloc(wrapped_len);
	assert_non_null(wrapped);
	snprintf(wrapped, wrapped_len, "{\"mode\":\"closed\",\"histogram\":%s}", s);
	struct hp_json j;
	assert_int_equal(hp_json_parse(&j, wrapped, strlen(wrapped), NULL), 0);
	assert_int_equal(hp_hist_merge_json(back, &j, hp_json_get(&j, 0, "histogram")), 0);
	hp_json_release(&j);
	assert_same_hist(back, h);

	/* Read twice: merged twice. */
	assert_int_equal(merge_text(twice, s), 0);
	assert_int_equal(merge_text(twice, s), 0);
	hp_hist_merge(back, h);
	assert_same_hist(twice, back);
	free(wrapped);
	free(s);
	free(h);
	free(back);
	free(twice);
}

static void json_rejects_malformed_objects(void **state)
{
	struct hp_hist *h = hist_new(), *before = hist_new();
	const char *bad[] = {
	    "[]",
	    "{\"n\":1,\"min\":5,\"max\":5,\"sum\":5,\"sub_bits\":6,\"buckets\":[[5,1]]}",
	    "{\"n\":2,\"min\":5,\"max\":5,\"sum\":5,\"sub_bits\":7,\"buckets\":[[5,1]]}",
	    "{\"n\":1,\"min\":5,\"max\":5,\"sum\":5,\"sub_bits\":7,\"buckets\":[[7424,1]]}",
	    "{\"n\":1,\"min\":5,\"max\":5,\"sum\":5,\"sub_bits\":7,\"buckets\":[[5,1,2]]}",
	    "{\"n\":1,\"min\":5,\"max\":5,\"sum\":5,\"sub_bits\":7,\"buckets\":[[-5,1]]}",
	    "{\"n\":1,\"min\":5,\"max\":5,\"sub_bits\":7,\"buckets\":[[5,1]]}",
	    "{\"n\":1,\"min\":5,\"max\":5,\"sum\":5,\"sub_bits\":7,\"buckets\":{}}",
	    "{\"n\":1.5,\"min\":5,\"max\":5,\"sum\":5,\"sub_bits\":7,\"buckets\":[[5,1]]}",
	    "{\"n\":1,\"min\":5,\"max\":5,\"sum\":5,\"sub_bits\":7,\"buckets\":[[5,1]],",
	};

	hp_hist_record(h, 1000);
	hp_hist_record(before, 1000);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct hp_json j;
		int rc = hp_json_parse(&j, bad[i], strlen(bad[i]), NULL);
		if (rc == 0)
			rc = hp_hist_merge_json(h, &j, 0);
		hp_json_release(&j);
		if (rc != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_same_hist(h, before);
	}
	assert_int_equal(
	    merge_text(h, "{\"n\":1,\"min\":5,\"max\":5,\"sum\":5,\"sub_bits\":7,\"buckets\":[[5,1]]}"), 0);
	assert_int_equal(h->n, 2);
	assert_int_equal(h->min, 5);
	assert_int_equal(h->max, 1000);
	free(h);
	free(before);
}

static void empty_histogram(void **state)
{
	struct hp_hist *h = hist_new(), *back = hist_new(), *one = hist_new();
	size_t len;

	assert_int_equal(h->n, 0);
	assert_int_equal(h->min, UINT64_MAX);
	assert_int_equal(hp_hist_quantile(h, 0.5), 0);
	assert_int_equal(hp_hist_quantile(h, 0), 0);
	assert_int_equal(hp_hist_quantile(h, 1), 0);
	assert_true(hp_hist_mean(h) == 0);

	char *s = to_json(h, &len);
	assert_non_null(strstr(s, "\"buckets\":[]"));
	assert_int_equal(merge_text(back, s), 0);
	assert_same_hist(back, h);

	/* Merging an empty histogram, as a struct or as JSON, changes nothing. */
	hp_hist_record(one, 77);
	hp_hist_merge(one, h);
	assert_int_equal(merge_text(one, s), 0);
	assert_int_equal(one->n, 1);
	assert_int_equal(one->min, 77);
	assert_int_equal(hp_hist_quantile(one, 0.5), 77);
	free(s);
	free(h);
	free(back);
	free(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(small_values_are_exact),
	    cmocka_unit_test(relative_error_is_bounded),
	    cmocka_unit_test(quantiles_of_a_uniform_distribution),
	    cmocka_unit_test(quantiles_of_an_exponential_distribution),
	    cmocka_unit_test(quantiles_of_a_bimodal_distribution),
	    cmocka_unit_test(merge_equals_recording_both),
	    cmocka_unit_test(json_round_trip),
	    cmocka_unit_test(json_rejects_malformed_objects),
	    cmocka_unit_test(empty_histogram),
	};
	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
