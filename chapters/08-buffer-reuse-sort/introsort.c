/*
 * Chapter 08, introsort variant: one buffer, and a comparison sort for uint32_t.
 *
 * A metrics service (workload.h) summarizes --size latency samples that
 * arrive in batches of --batch samples on average (half to one and a half
 * times that): for each batch, the minimum, p50, p90, p99, p99.9, the
 * maximum and the sum, read off the sorted samples. The batch belongs to the
 * receive path and must keep its order, so the service sorts a copy.
 *
 * What changed from reuse.c: the sort. qsort sorts anything, so it compares
 * through a function pointer, an indirect call for each of its comparisons,
 * about log2(n) per sample, and it moves elements whose size it learns at
 * run time. This sort is written for uint32_t, ascending: a comparison is
 * one instruction that the compiler inlines, and a move is a 4-byte load
 * and store. It also sorts in place, so the temporary array glibc's qsort
 * takes for a large batch, and the malloc behind it, are gone too.
 *
 * The algorithm is introsort, as in C++'s std::sort: quicksort with the
 * median of the first, middle and last samples as the pivot; insertion sort
 * for ranges of INSERTION_MAX samples or fewer, where its simple loop beats
 * partitioning; and heapsort for a range once the recursion is deeper than
 * twice log2 of the batch's size, which bounds the worst case at
 * O(n log n), whatever order an adversary sends the samples in. Quicksort
 * recurses into the smaller part and loops on the larger one, so the stack
 * holds at most log2(n) frames.
 *
 * The buffer is the same as in reuse.c: kept from batch to batch and grown
 * geometrically.
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
 * Ranges this short are left to insertion sort. libstdc++'s std::sort uses
 * 16. Timed here with cut-offs from 8 to 96 (best of 30 interleaved runs on
 * batches of 80, 1000 and 100000 samples), every step up was faster: 16 to
 * 32 saved a sixth of the time on batches of 80 and a tenth on batches of
 * 1000, and larger cut-offs gained further, most on the batches of 80, which
 * they turn into a plain insertion sort. Insertion sort executes more
 * instructions than partitioning, but its branches are easier to predict.
 * It is also quadratic: 32 takes most of the gain on batches of 1000 and
 * more while keeping that part short.
 */
#define INSERTION_MAX 32

/* The service's sort buffer, kept from batch to batch. */
struct sort_buf {
	uint32_t *v;
	size_t cap; /* samples */
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
	b->cap = n > 2 * b->cap ? n : 2 * b->cap;
	b->v = hp_xmalloc_array(b->cap, sizeof *b->v);
}

static void sort_buf_release(struct sort_buf *b)
{
	free(b->v);
	b->v = NULL;
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

/* Restore the max-heap a[0..n) below position i. */
static void sift_down(uint32_t *a, size_t i, size_t n)
{
	uint32_t x = a[i];

	for (size_t child; (child = 2 * i + 1) < n; i = child) {
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[child] <= x)
			break;
		a[i] = a[child];
	}
	a[i] = x;
}

static void heap_sort(uint32_t *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n; end-- > 1;) {
		uint32_t top = a[0];

		a[0] = a[end];
		a[end] = top;
		sift_down(a, 0, end);
	}
}

static void swap_u32(uint32_t *x, uint32_t *y)
{
	uint32_t t = *x;

	*x = *y;
	*y = t;
}

/*
 * Partition a[0..n), n > INSERTION_MAX, around the median of its first,
 * middle and last samples. Returns k with 1 <= k < n such that every sample
 * of a[0..k) is <= every sample of a[k..n).
 *
 * Why the scans stay inside the range and k < n: a[0] <= pivot <= a[n - 1]
 * once the three are ordered, so the first scans stop at mid at the latest
 * (i) and at 0 (j); after a swap, the swapped samples stop the next scans.
 * The first round either swaps, leaving j <= n - 2, or ends with
 * j <= i <= mid.
 */
static size_t partition(uint32_t *a, size_t n)
{
	size_t mid = n / 2, i = 0, j = n - 1;

	/* Order the three so that a[0] <= a[mid] <= a[n - 1]. */
	if (a[mid] < a[0])
		swap_u32(&a[mid], &a[0]);
	if (a[n - 1] < a[mid]) {
		swap_u32(&a[n - 1], &a[mid]);
		if (a[mid] < a[0])
			swap_u32(&a[mid], &a[0]);
	}
	uint32_t pivot = a[mid];

	/* Hoare's scheme: samples equal to the pivot go to both sides, which keeps the parts balanced. */
	for (;;) {
		while (a[i] < pivot)
			i++;
		while (a[j] > pivot)
			j--;
		if (i >= j)
			return j + 1;
		swap_u32(&a[i], &a[j]);
		i++;
		j--;
	}
}

static void introsort_range(uint32_t *a, size_t n, unsigned depth)
{
	while (n > INSERTION_MAX) {
		if (depth == 0) {
			heap_sort(a, n);
			return;
		}
		depth--;

		size_t k = partition(a, n);

		if (k < n - k) {
			introsort_range(a, k, depth);
			a += k;
			n -= k;
		} else {
			introsort_range(a + k, n - k, depth);
			n = k;
		}
	}
	insertion_sort(a, n);
}

static void introsort_u32(uint32_t *a, size_t n)
{
	unsigned log2n = 0;

	for (size_t m = n; m > 1; m >>= 1)
		log2n++;
	introsort_range(a, n, 2 * log2n);
}

/* Summarize one batch: sort a copy in the reused buffer, fold its summary into d. */
static void batch_summarize(struct sort_buf *b, const uint32_t *batch, size_t n, struct hp_digest *d)
{
	sort_buf_reserve(b, n);
	memcpy(b->v, batch, n * sizeof *b->v);
	introsort_u32(b->v, n);
	summary_fold(d, b->v, n);
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct feed f;
	struct hp_digest d;
	struct hp_section s;
	struct sort_buf buf = {NULL, 0};
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
	/* A service keeps its buffer for its lifetime; this run ends here. */
	sort_buf_release(&buf);

	hp_digest_hex(&d, hex);
	printf("digest %s batches %zu samples %zu\n", hex, f.nbatches, f.nsamples);
	feed_release(&f);
	return 0;
}
