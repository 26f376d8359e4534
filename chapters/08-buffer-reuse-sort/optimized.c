/*
 * Chapter 08, optimized variant: reused buffers and a radix sort for uint32_t.
 *
 * A metrics service (workload.h) summarizes --size latency samples that
 * arrive in batches of --batch samples on average (half to one and a half
 * times that): for each batch, the minimum, p50, p90, p99, p99.9, the
 * maximum and the sum, read off the sorted samples. The batch belongs to the
 * receive path and must keep its order, so the service sorts a copy.
 *
 * What changed from naive.c, in two steps (reuse.c takes the first alone):
 *
 *   - The copy goes into a buffer that the service keeps from batch to
 *     batch, grown geometrically, instead of a malloc and a free per batch.
 *   - The sort is written for the data, uint32_t keys in ascending order,
 *     and it does not compare them at all. A least significant digit radix
 *     sort makes one pass per byte of the key, lowest byte first: each pass
 *     scatters the samples into the order of that byte, keeping the order of
 *     the previous passes among equal bytes, so after the last pass they are
 *     sorted. Where qsort makes about log2(n) calls to a comparator per
 *     sample, each followed by a branch on its result that goes either way
 *     at random, a pass costs a load, an increment and a store per sample,
 *     and no branch depends on the data. It needs a second buffer to scatter
 *     into, kept and reused like the first; it replaces the temporary array
 *     that glibc's qsort mallocs for a large batch.
 *
 * (introsort.c is the other way to write a sort for the type: a comparison
 * sort with the comparisons inlined. It executes fewer instructions than
 * this one on small batches and is still slower; the README shows why.)
 *
 * Two details make the radix sort cheap on this data. The counts of all four
 * bytes are taken in one read of the batch, before any pass. And a pass in
 * which every sample has the same byte is skipped, since it would move
 * nothing. Only a latency of 16.8 s or more sets the top byte, so in a batch
 * of 80 samples that byte is almost always zero, and in three batches out of
 * four so is the third (65.5 ms and more): most small batches take two
 * passes. (A batch of 100000 usually holds such a sample and takes all
 * four.) The first pass that runs reads the batch itself, so the copy costs
 * no pass of its own.
 *
 * A short batch does not pay for four tables of 256 counts: below RADIX_MIN
 * samples, an insertion sort of the copy is faster.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/*
 * Batches shorter than this are insertion-sorted. Timed on this machine
 * against the radix sort on batches of 8 to 128 samples (in steps of 4 up
 * to 48, then 16; best of seven runs over 4 million samples each), the two
 * cost the same near 30 samples: the radix sort's fixed cost, clearing and
 * summing its counts, is about as much as an insertion sort of 30.
 */
#define RADIX_MIN 32

/* The service's sort buffers, kept from batch to batch. */
struct sort_buf {
	uint32_t *v;
	uint32_t *tmp; /* the radix sort scatters between v and tmp */
	size_t cap;    /* samples, of each */
};

/*
 * Make b hold n samples. The contents are dead between batches, so a short
 * buffer is freed and allocated again rather than realloc'd, which would
 * copy them.
 */
static void sort_buf_reserve(struct sort_buf *b, size_t n)
{
	if (n <= b->cap)
		return;
	free(b->v);
	free(b->tmp);
	b->cap = n > 2 * b->cap ? n : 2 * b->cap;
	b->v = hp_xmalloc_array(b->cap, sizeof *b->v);
	b->tmp = hp_xmalloc_array(b->cap, sizeof *b->tmp);
}

static void sort_buf_release(struct sort_buf *b)
{
	free(b->v);
	free(b->tmp);
	b->v = b->tmp = NULL;
	b->cap = 0;
}

static void insertion_sort(uint32_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t x = a[i];
		size_t j = i;

		for (; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/*
 * Sort a copy of src[0..n), n >= 1, with b's two buffers, which must hold n
 * samples; returns the one that holds the result. The counts are 32-bit:
 * main() bounds a batch below 2^32 samples.
 */
static const uint32_t *radix_sort_copy(struct sort_buf *b, const uint32_t *src, size_t n)
{
	uint32_t count[4][256] = {{0}};
	const uint32_t *from = src;
	uint32_t *to = b->v;

	for (size_t i = 0; i < n; i++) {
		uint32_t x = src[i];

		count[0][x & 0xff]++;
		count[1][x >> 8 & 0xff]++;
		count[2][x >> 16 & 0xff]++;
		count[3][x >> 24]++;
	}
	for (unsigned pass = 0; pass < 4; pass++) {
		unsigned shift = 8 * pass;
		uint32_t *c = count[pass];

		if (c[src[0] >> shift & 0xff] == n)
			continue; /* every sample has this byte: the pass would move nothing */

		/* Each count becomes the position where the first sample with that byte goes. */
		uint32_t at = 0;
		for (unsigned k = 0; k < 256; k++) {
			uint32_t t = c[k];

			c[k] = at;
			at += t;
		}
		for (size_t i = 0; i < n; i++) {
			uint32_t x = from[i];

			to[c[x >> shift & 0xff]++] = x;
		}
		from = to;
		to = to == b->v ? b->tmp : b->v;
	}
	/* All samples are equal: every pass was skipped, and only the copy is left to do. */
	if (from == src) {
		memcpy(b->v, src, n * sizeof *src);
		from = b->v;
	}
	return from;
}

/* Summarize one batch: sort a copy in the reused buffers, fold its summary into d. */
static void batch_summarize(struct sort_buf *b, const uint32_t *batch, size_t n, struct hp_digest *d)
{
	const uint32_t *sorted;

	sort_buf_reserve(b, n);
	if (n < RADIX_MIN) {
		memcpy(b->v, batch, n * sizeof *b->v);
		insertion_sort(b->v, n);
		sorted = b->v;
	} else {
		sorted = radix_sort_copy(b, batch, n);
	}
	summary_fold(d, sorted, n);
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct feed f;
	struct hp_digest d;
	struct hp_section s;
	struct sort_buf buf = {NULL, NULL, 0};
	char hex[17];

	hp_opts_parse(&opt, argc, argv, "batch");
	uint64_t batch = hp_opts_u64(&opt, "batch", 100);

	if (batch == 0 || batch > UINT32_MAX / 2)
		hp_die("--batch %llu: expected 1 to %u samples", (unsigned long long)batch, UINT32_MAX / 2);
	feed_init(&f, opt.seed, (size_t)opt.size, (size_t)batch);
	hp_digest_init(&d);

	hp_section_begin(&s);
	for (size_t b = 0; b < f.nbatches; b++)
		batch_summarize(&buf, f.samples + f.off[b], f.off[b + 1] - f.off[b], &d);
	hp_section_end(&s, f.nsamples);
	hp_section_report(&s);
	/* A service keeps its buffers for its lifetime; this run ends here. */
	sort_buf_release(&buf);

	hp_digest_hex(&d, hex);
	printf("digest %s batches %zu samples %zu\n", hex, f.nbatches, f.nsamples);
	feed_release(&f);
	return 0;
}
