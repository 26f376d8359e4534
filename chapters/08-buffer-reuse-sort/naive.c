/*
 * Chapter 08, naive variant: a fresh copy of every batch, sorted with qsort.
 *
 * A metrics service (workload.h) summarizes --size latency samples that
 * arrive in batches of --batch samples on average (half to one and a half
 * times that): for each batch, the minimum, p50, p90, p99, p99.9, the
 * maximum and the sum, read off the sorted samples. The batch belongs to the
 * receive path and must keep its order, so the service sorts a copy.
 *
 * This is the code most of us write first, and it is correct: allocate a
 * buffer of exactly the batch's size, copy the batch into it, sort it with
 * the C library's qsort and a comparator, read the summary, free the buffer.
 * The comparator is written the safe way, (x > y) - (x < y); the tempting
 * `return x - y` is wrong for values that differ by 2^31 or more (the
 * chapter's README shows how). The price is one malloc and one free per
 * batch, and a call through a function pointer for every comparison the
 * sort makes, about log2(n) of them per sample.
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

/* Summarize one batch: sort a fresh copy, fold its summary into d, free it. */
static void batch_summarize(const uint32_t *batch, size_t n, struct hp_digest *d)
{
	uint32_t *sorted = hp_xmalloc_array(n, sizeof *sorted);

	memcpy(sorted, batch, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, compare_u32);
	summary_fold(d, sorted, n);
	free(sorted);
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct feed f;
	struct hp_digest d;
	struct hp_section s;
	char hex[17];

	hp_opts_parse(&opt, argc, argv, "batch");
	uint64_t batch = hp_opts_u64(&opt, "batch", 100);

	if (batch == 0 || batch > UINT32_MAX / 2)
		hp_die("--batch %llu: expected 1 to %u samples", (unsigned long long)batch, UINT32_MAX / 2);
	feed_init(&f, opt.seed, (size_t)opt.size, (size_t)batch);
	hp_digest_init(&d);

	hp_section_begin(&s);
	for (size_t b = 0; b < f.nbatches; b++)
		batch_summarize(f.samples + f.off[b], f.off[b + 1] - f.off[b], &d);
	hp_section_end(&s, f.nsamples);
	hp_section_report(&s);

	hp_digest_hex(&d, hex);
	printf("digest %s batches %zu samples %zu\n", hex, f.nbatches, f.nsamples);
	feed_release(&f);
	return 0;
}
