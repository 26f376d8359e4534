/*
 * Chapter 10: one program, four builds. Four of the lesson's variants are
 * not different sources but different ways of building these same files
 * (lesson.mk says how):
 *
 *   naive      -O2, each .c compiled on its own (what a Makefile does
 *              unless told otherwise)
 *   lto        -O2 -flto: the compiler sees the whole program at link time
 *   pgo        -O2 with profile-guided optimization: a profile recorded by
 *              running an instrumented build on a training input (another
 *              seed, another size) guides the final build
 *   lto_pgo    -O2 -flto with profile-guided optimization: both
 *
 * optimized.c is this file rewritten to get the same effect from a plain
 * -O2 build (the "hand" variant, and the exercise); the "optimized"
 * variant is optimized.c built like lto_pgo.
 *
 * The program is the ingest loop of a metrics agent (workload.h): decode a
 * stream of records with the varint decoder of wire.c and hand each record
 * to its handler in agg.c through the handler table. It is written the way
 * a competent engineer writes it, in modules with clean interfaces; the
 * price, in a plain -O2 build, is three calls per record that the compiler
 * cannot inline, because when it compiles this file it cannot see the bodies
 * in wire.c and agg.c, and one of them is an indirect call whose target it
 * could not know even if it could see them.
 *
 * Output: the number of records and a digest of the aggregates, the same
 * for every build.
 */
#include <inttypes.h>
#include <stdio.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "agg.h"
#include "wire.h"
#include "workload.h"

/*
 * Decode and fold every record of buf[0..len) into a; returns the record
 * count. noinline only so that the page can show its machine code
 * (profile-extra.sh finds it by name): it runs once, so inlining it into
 * main() would save nothing.
 */
static __attribute__((noinline)) size_t ingest(struct agg *a, const uint8_t *buf, size_t len)
{
	const uint8_t *p = buf, *end = buf + len;
	size_t records = 0;

	while (p < end) {
		const uint8_t *rec = p;
		uint8_t type = *p++;
		uint64_t key, value;

		if (type >= REC_TYPES)
			hp_die("record %zu at byte %zu: unknown type %u", records, (size_t)(rec - buf), type);
		p = wire_varint(p, end, &key);
		if (p)
			p = wire_varint(p, end, &value);
		if (!p)
			hp_die("record %zu at byte %zu: truncated or overlong varint", records,
			       (size_t)(rec - buf));
		if (key >= KEYS)
			hp_die("record %zu at byte %zu: key %" PRIu64 " out of range", records,
			       (size_t)(rec - buf), key);
		agg_handlers[type](a, (uint32_t)key, value);
		records++;
	}
	return records;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct stream s;
	static struct agg a;
	struct hp_digest d;
	struct hp_section sec;
	char hex[17];

	hp_opts_parse(&opt, argc, argv, NULL);
	stream_generate(&s, opt.seed, (size_t)opt.size);
	agg_init(&a);

	hp_section_begin(&sec);
	size_t records = ingest(&a, s.buf, s.len);
	hp_section_end(&sec, records);
	hp_section_report(&sec);

	hp_digest_init(&d);
	agg_digest(&a, &d);
	hp_digest_hex(&d, hex);
	printf("records %zu bytes %zu digest %s\n", records, s.len, hex);
	stream_release(&s);
	return 0;
}
