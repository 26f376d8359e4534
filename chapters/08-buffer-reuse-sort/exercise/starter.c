/*
 * Chapter 08 exercise: your copy of the naive variant. Keep one sort buffer
 * for the whole run instead of one per batch, and replace qsort with a sort
 * written for uint32_t, without changing what the program prints.
 *
 * A metrics service (workload.h) summarizes --size latency samples that
 * arrive in batches of --batch samples on average (half to one and a half
 * times that): for each batch, the minimum, p50, p90, p99, p99.9, the
 * maximum and the sum, read off the sorted samples. The batch belongs to the
 * receive path and must keep its order, so the service sorts a copy.
 *
 * workload.h has what you may use: summary_fold() wants the batch sorted in
 * ascending order, in any buffer; TIMEOUT_US bounds every sample.
 * exercise/README.md says how your file is graded.
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
 * The comparator for qsort: -1, 0 or 1, without a subtraction that can overflow.
 * TODO: a sort written for uint32_t needs no comparator at all: compare the
 * samples directly (a comparison sort), or do not compare them (a radix sort).
 */
static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * Summarize one batch: sort a fresh copy, fold its summary into d, free it.
 * TODO: copy into a buffer that lives as long as the run, grown
 * geometrically when a batch does not fit, instead of one per batch. Note
 * that qsort mallocs a temporary array of its own for 256 samples or more.
 */
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
	/* TODO: free your buffers here, after the section (a service keeps them). */

	hp_digest_hex(&d, hex);
	printf("digest %s batches %zu samples %zu\n", hex, f.nbatches, f.nsamples);
	feed_release(&f);
	return 0;
}
