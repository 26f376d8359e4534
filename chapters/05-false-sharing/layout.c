/*
 * A helper of profile-extra.sh, not a variant: it prints where each thread's
 * counters lie, byte by byte and cache line by cache line, in the layouts of
 * the two variants, for the number of threads given as its argument.
 *
 * It includes optimized.c itself, its main renamed, so the slot type, its
 * alignment and the allocation it prints are the variant's own, not copies
 * that could drift. The naive layout needs no copy: it is an array of
 * workload.h's struct stats from calloc, exactly as naive.c allocates it.
 *
 * Offsets are counted from the start of the cache line where the array
 * begins. calloc() promises 16-byte alignment only, so a naive array may
 * begin 0, 16, 32 or 48 bytes into a line; the helper prints the one it got
 * and checks all four.
 */
#define main optimized_main
#include "optimized.c"
#undef main

#include <stdint.h>
#include <stdio.h>

#define LINE 64
#define PAIR (2 * LINE)

/* The first and last unit (line or pair) of thread t's counters, for an array starting start bytes in. */
static void span(size_t start, size_t stride, unsigned t, size_t unit, size_t *first, size_t *last)
{
	*first = (start + t * stride) / unit;
	*last = (start + t * stride + sizeof(struct stats) - 1) / unit;
}

/* Threads t and u write a common unit (a line, or a pair of lines) when their byte ranges touch one. */
static int share(size_t start, size_t stride, size_t unit, unsigned t, unsigned u)
{
	size_t t_first, t_last, u_first, u_last;

	span(start, stride, t, unit, &t_first, &t_last);
	span(start, stride, u, unit, &u_first, &u_last);
	return t_first <= u_last && u_first <= t_last;
}

/* How many neighbouring threads share a unit, for an array starting start bytes into a line. */
static unsigned shared_neighbours(size_t start, size_t stride, size_t unit, unsigned n)
{
	unsigned pairs = 0;

	for (unsigned t = 0; t + 1 < n; t++)
		pairs += share(start, stride, unit, t, t + 1);
	return pairs;
}

/* "3" or "3-4": the units thread t touches. */
static void format_span(char *buf, size_t cap, size_t start, size_t stride, unsigned t, size_t unit)
{
	size_t first, last;

	span(start, stride, t, unit, &first, &last);
	if (first == last)
		snprintf(buf, cap, "%zu", first);
	else
		snprintf(buf, cap, "%zu-%zu", first, last);
}

/* "0, 2": the other threads that share a unit with thread t, or "-". */
static void format_sharers(char *buf, size_t cap, size_t start, size_t stride, unsigned t, size_t unit,
                           unsigned n)
{
	size_t used = 0;

	snprintf(buf, cap, "-");
	for (unsigned u = 0; u < n && used + 8 < cap; u++)
		if (u != t && share(start, stride, unit, t, u))
			used += (size_t)snprintf(buf + used, cap - used, "%s%u", used ? ", " : "", u);
}

static void print_layout(size_t start, size_t stride, unsigned n)
{
	printf("thread  bytes       line  shares a line with  line pair  shares a pair with\n");
	for (unsigned t = 0; t < n; t++) {
		size_t first = start + t * stride;
		char lines[24], pairs[24], line_sharers[64], pair_sharers[64];

		format_span(lines, sizeof lines, start, stride, t, LINE);
		format_span(pairs, sizeof pairs, start, stride, t, PAIR);
		format_sharers(line_sharers, sizeof line_sharers, start, stride, t, LINE, n);
		format_sharers(pair_sharers, sizeof pair_sharers, start, stride, t, PAIR, n);
		printf("%6u  %4zu..%-4zu  %-4s  %-18s  %-9s  %s\n", t, first,
		       first + sizeof(struct stats) - 1, lines, line_sharers, pairs, pair_sharers);
	}
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 4;

	if (n < 1 || n > 64)
		hp_die("usage: layout [THREADS]   (1 to 64 threads)");

	struct stats *packed = hp_xcalloc(n, sizeof *packed);
	struct stats_slot *slots = stats_slots_new(n);
	size_t packed_start = (uintptr_t)packed % LINE, slots_start = (uintptr_t)slots % LINE;

	printf("struct stats: %zu bytes. Cache lines of %d bytes, numbered from the line where the array\n"
	       "begins; a line pair is an aligned 128 bytes. Bytes count from the start of that line.\n\n",
	       sizeof(struct stats), LINE);
	printf(
	    "naive: struct stats stats[%u] from calloc(): %zu bytes apart, beginning %zu bytes into a line\n",
	    n, sizeof *packed, packed_start);
	print_layout(packed_start, sizeof *packed, n);
	printf("neighbours that share a line when the array begins");
	for (size_t start = 0; start < LINE; start += 16)
		printf("%s %zu", start ? " /" : "", start);
	printf(" bytes into a line:");
	for (size_t start = 0; start < LINE; start += 16)
		printf("%s %u", start ? " /" : "", shared_neighbours(start, sizeof *packed, LINE, n));
	printf(" of %u", n - 1);
	printf("\n\noptimized: struct stats_slot slots[%u] from aligned_alloc(%d): %zu bytes apart, "
	       "beginning %zu "
	       "bytes into a line\n",
	       n, STATS_ALIGN, sizeof *slots, slots_start);
	print_layout(slots_start, sizeof *slots, n);
	printf("neighbours that share a line: %u of %u; a line pair: %u of %u\n",
	       shared_neighbours(slots_start, sizeof *slots, LINE, n), n - 1,
	       shared_neighbours(slots_start, sizeof *slots, PAIR, n), n - 1);
	free(slots);
	free(packed);
	return 0;
}
