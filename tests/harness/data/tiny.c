/*
 * A tiny lesson for the harness tests: two variants of one job, built from
 * this one file. The job builds a linked list of --size records, sums them
 * and frees them. With -DTINY_POOL=0 (the "naive" variant) every record is
 * its own malloc(); with -DTINY_POOL=1 (the "optimized" variant) all the
 * records come from one array. Both print the same digest, as the variant
 * protocol requires, and their heap timelines differ clearly (many small
 * blocks against one big one), which is what the profile test wants to see
 * in massif's output.
 *
 * --mode sum|twice picks how many passes over the list the timed section
 * makes, so a spec can name two cases. The timed section is bracketed by
 * hp_section_begin/end, which also switches callgrind's collection on and off.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/prng.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#ifndef TINY_POOL
#define TINY_POOL 0
#endif

struct rec {
	struct rec *next;
	uint64_t value;
	char payload[48];
};

static struct rec *build(size_t n, struct hp_rng *rng, struct rec **pool)
{
	struct rec *head = NULL;

	*pool = TINY_POOL ? hp_xmalloc_array(n ? n : 1, sizeof **pool) : NULL;
	for (size_t i = 0; i < n; i++) {
		struct rec *r = TINY_POOL ? &(*pool)[i] : hp_xmalloc(sizeof *r);

		r->value = hp_rng_below(rng, 1000);
		memset(r->payload, (int)(r->value & 0x7f), sizeof r->payload);
		r->next = head;
		head = r;
	}
	return head;
}

static uint64_t sum(const struct rec *r)
{
	uint64_t s = 0;

	for (; r; r = r->next)
		s += r->value * (uint64_t)(unsigned char)r->payload[7];
	return s;
}

static void destroy(struct rec *head, struct rec *pool)
{
	if (TINY_POOL) {
		free(pool);
		return;
	}
	while (head) {
		struct rec *next = head->next;

		free(head);
		head = next;
	}
}

int main(int argc, char **argv)
{
	struct hp_opts o;
	struct hp_section s;
	struct hp_rng rng;
	struct rec *head, *pool;
	uint64_t total = 0;
	int passes;

	hp_opts_parse(&o, argc, argv, "mode");
	passes = strcmp(hp_opts_str(&o, "mode", "sum"), "twice") == 0 ? 2 : 1;
	hp_rng_init(&rng, o.seed);

	hp_section_begin(&s);
	for (int p = 0; p < passes; p++) {
		head = build((size_t)o.size, &rng, &pool);
		total += sum(head);
		destroy(head, pool);
	}
	hp_section_end(&s, o.size * (uint64_t)passes);
	hp_section_report(&s);

	printf("sum %" PRIu64 " records %" PRIu64 "\n", total, o.size * (uint64_t)passes);
	return 0;
}
