/*
 * Chapter 08, reuse variant: one buffer for every batch, still sorted with qsort.
 *
 * A metrics service (workload.h) summarizes --size latency samples that
 * arrive in batches of --batch samples on average (half to one and a half
 * times that): for each batch, the minimum, p50, p90, p99, p99.9, the
 * maximum and the sum, read off the sorted samples. The batch belongs to the
 * receive path and must keep its order, so the service sorts a copy.
 *
 * What changed from naive.c: the copy goes into one buffer that the service
 * keeps from batch to batch, so the malloc and free per batch are gone. The
 * buffer grows when a batch is larger than any before, and then to twice its
 * capacity at least, so a run of slowly growing batches costs a logarithmic
 * number of regrowths, not one per batch. The sort is still qsort with the
 * same comparator: this variant separates what the buffer buys from what
 * the sort costs (optimized.c changes the sort too).
 *
 * One allocation per batch remains for batches of 256 samples or more, and
 * it is not in this file: glibc's qsort is a merge sort that needs a
 * temporary array as large as the one it sorts. It takes it from the stack
 * when it is smaller than 1024 bytes, and from malloc otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/* The comparator for qsort: -1, 0 or 1, without a subtraction that can overflow. */
static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

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

/* Summarize one batch: sort a copy in the reused buffer, fold its summary into d. */
static void batch_summarize(struct sort_buf *b, const uint32_t *batch, size_t n, struct hp_digest *d)
{
	sort_buf_reserve(b, n);
	memcpy(b->v, batch, n * sizeof *b->v);
	qsort(b->v, n, sizeof *b->v, compare_u32);
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
