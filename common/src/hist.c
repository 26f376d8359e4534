/*
 * A log-linear latency histogram (hp/hist.h), after Gil Tene's HdrHistogram.
 *
 * A latency distribution spans many orders of magnitude (a 20 us median and a
 * 200 ms stall in the same run), and what a reader wants is each value to a
 * fixed *relative* precision. So the buckets are linear inside each power of
 * two and double in width from one power to the next: every power of two
 * [2^e, 2^(e+1)) is cut into HP_HIST_SUB = 128 buckets of width 2^(e-7), and
 * a value v >= 128 lands in a bucket whose width is at most v/128. Values
 * below 256 have buckets of width 1, so they are exact.
 *
 * The index needs no loop and no branch. With shift = max(0, e - 7), where e
 * is the position of v's highest set bit, v >> shift is v's top 8 bits, a
 * number in [128, 256) (or v itself when v < 256), and
 *
 *     index = (shift << 7) + (v >> shift)
 *
 * numbers the buckets 0, 1, 2, ... without gaps: each step of shift adds 128
 * indices, one per value of the top 8 bits. Computing e from (v | 128)
 * gives shift = 0 for every v below 256 without a branch. The largest index,
 * for v = 2^64 - 1, is (56 << 7) + 255 = 7423 = HP_HIST_BUCKETS - 1.
 *
 * The JSON form writes every integer exactly (hp_json keeps the token text
 * of a number, so counts and nanoseconds above 2^53 survive the round trip
 * that a double would round).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hp/hist.h"

/* ---------------------------------------------------------------- buckets */

static unsigned bucket_of(uint64_t v)
{
	unsigned shift = 63 - HP_HIST_SUB_BITS - (unsigned)__builtin_clzll(v | HP_HIST_SUB);

	return (shift << HP_HIST_SUB_BITS) + (unsigned)(v >> shift);
}

/* The largest value that falls into bucket i. */
static uint64_t bucket_upper(unsigned i)
{
	unsigned shift = i >> HP_HIST_SUB_BITS;

	shift = shift ? shift - 1 : 0;
	uint64_t top = i - ((uint64_t)shift << HP_HIST_SUB_BITS);
	/* For the last bucket this is (255 << 56) + 2^56 - 1 = 2^64 - 1: no overflow. */
	return (top << shift) + (((uint64_t)1 << shift) - 1);
}

/* ------------------------------------------------------------- recording */

void hp_hist_init(struct hp_hist *h)
{
	memset(h->counts, 0, sizeof h->counts);
	h->n = 0;
	h->min = UINT64_MAX;
	h->max = 0;
	h->sum = 0;
}

void hp_hist_record(struct hp_hist *h, uint64_t value)
{
	h->counts[bucket_of(value)]++;
	h->n++;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	h->sum += (double)value;
}

void hp_hist_merge(struct hp_hist *dst, const struct hp_hist *src)
{
	if (src->n == 0)
		return;
	for (size_t i = 0; i < HP_HIST_BUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->n += src->n;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->sum += src->sum;
}

/* --------------------------------------------------------------- queries */

uint64_t hp_hist_quantile(const struct hp_hist *h, double q)
{
	if (h->n == 0)
		return 0;
	/*
	 * q = 0 asks for the smallest value. The rule below would answer the
	 * upper bound of the smallest value's bucket, which may lie above it
	 * (and the clamp to [min, max] cannot fix that), so the ends are exact.
	 */
	if (!(q > 0))
		return h->min;
	if (q >= 1)
		return h->max;

	/* At least q*n values at or below the answer: the rank ceil(q*n), 1..n. */
	double want = ceil(q * (double)h->n);
	uint64_t rank = want < 1 ? 1 : want >= (double)h->n ? h->n : (uint64_t)want;
	uint64_t seen = 0;
	unsigned i = 0;

	for (; i < HP_HIST_BUCKETS - 1; i++) {
		seen += h->counts[i];
		if (seen >= rank)
			break;
	}
	uint64_t v = bucket_upper(i);
	if (v < h->min)
		return h->min;
	return v > h->max ? h->max : v;
}

double hp_hist_mean(const struct hp_hist *h)
{
	return h->n ? h->sum / (double)h->n : 0;
}

/* ------------------------------------------------------------------ JSON */

int hp_hist_write_json(const struct hp_hist *h, FILE *f)
{
	const char *sep = "";

	/* An empty histogram writes min 0 rather than the UINT64_MAX it holds. */
	fprintf(f,
	        "{\"n\":%" PRIu64 ",\"min\":%" PRIu64 ",\"max\":%" PRIu64
	        ",\"sum\":%.17g,\"sub_bits\":%u,\"buckets\":[",
	        h->n, h->n ? h->min : 0, h->max, h->sum, (unsigned)HP_HIST_SUB_BITS);
	for (unsigned i = 0; i < HP_HIST_BUCKETS; i++) {
		if (!h->counts[i])
			continue;
		fprintf(f, "%s[%u,%" PRIu64 "]", sep, i, h->counts[i]);
		sep = ",";
	}
	fputs("]}", f);
	return ferror(f) ? -EIO : 0;
}

/*
 * An unsigned integer token, read from its text rather than from the double
 * the reader computed, so that values above 2^53 stay exact. Only plain
 * digits are accepted: that is what hp_hist_write_json() writes.
 */
static int json_u64(const struct hp_json *j, size_t i, uint64_t *out)
{
	if (i == HP_JSON_NONE || j->tok[i].type != HP_JSON_NUMBER || j->tok[i].len == 0)
		return -EINVAL;

	const char *s = j->tok[i].s;
	uint64_t v = 0;

	for (size_t k = 0; k < j->tok[i].len; k++) {
		unsigned d = (unsigned)(s[k] - '0');
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/*
 * Two passes over the buckets: the first checks the whole object, so that a
 * malformed one leaves *h untouched instead of half merged.
 */
int hp_hist_merge_json(struct hp_hist *h, const struct hp_json *j, size_t i)
{
	uint64_t n, min, max, sub_bits, total = 0;

	if (i >= j->n || j->tok[i].type != HP_JSON_OBJECT)
		return -EINVAL;
	if (json_u64(j, hp_json_get(j, i, "sub_bits"), &sub_bits) || sub_bits != HP_HIST_SUB_BITS)
		return -EINVAL;
	if (json_u64(j, hp_json_get(j, i, "n"), &n) || json_u64(j, hp_json_get(j, i, "min"), &min) ||
	    json_u64(j, hp_json_get(j, i, "max"), &max))
		return -EINVAL;

	size_t sum_tok = hp_json_get(j, i, "sum");
	if (sum_tok == HP_JSON_NONE || j->tok[sum_tok].type != HP_JSON_NUMBER)
		return -EINVAL;
	double sum = j->tok[sum_tok].num;

	size_t arr = hp_json_get(j, i, "buckets");
	if (arr == HP_JSON_NONE || j->tok[arr].type != HP_JSON_ARRAY)
		return -EINVAL;
	for (size_t e = arr + 1; e < j->tok[arr].end; e = j->tok[e].end) {
		uint64_t index, count;
		if (j->tok[e].type != HP_JSON_ARRAY || j->tok[e].size != 2)
			return -EINVAL;
		if (json_u64(j, e + 1, &index) || json_u64(j, j->tok[e + 1].end, &count))
			return -EINVAL;
		if (index >= HP_HIST_BUCKETS || count > UINT64_MAX - total)
			return -EINVAL;
		total += count;
	}
	/* The counts must add up to n, and min and max must lie in a plausible order. */
	if (total != n || (n > 0 && min > max))
		return -EINVAL;

	for (size_t e = arr + 1; e < j->tok[arr].end; e = j->tok[e].end) {
		uint64_t index, count;
		json_u64(j, e + 1, &index);
		json_u64(j, j->tok[e + 1].end, &count);
		h->counts[index] += count;
	}
	if (n == 0)
		return 0;
	h->n += n;
	if (min < h->min)
		h->min = min;
	if (max > h->max)
		h->max = max;
	h->sum += sum;
	return 0;
}
