/*
 * Chapter 10, optimized.c: naive.c rewritten so that a plain -O2 build does
 * what LTO and PGO did for naive.c (compare the two with diff). wire.c and
 * agg.c are unchanged. Two variants are built from it: "hand", each .c on
 * its own with -O2 as naive is built, and "optimized", with -flto and a
 * profile as lto_pgo is built, which is what you would ship: the hot loop
 * written for the compiler, and the whole program in its view.
 *
 *   - The varint decoder is here, static inline, with the one-byte case
 *     first: the compiler can inline it, and the common case is one test.
 *     (LTO inlines wire_varint() the same way; the profile tells PGO that
 *     one byte is the common case.)
 *   - The two most frequent record types, counters and timers, are handled
 *     in the loop; only the rare types go through the handler table. (PGO
 *     does this on its own: it sees that the indirect call nearly always
 *     goes to on_counter, so it compares the pointer and calls it directly,
 *     and then inlines it.)
 *
 * What it costs: the handling of counters and timers now lives in two
 * places, agg.c and here, and the registry no longer says everything a
 * record type does. That is the trade-off against a two-step build.
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

/* wire_varint() with the one-byte case first; same result, same errors. */
static inline const uint8_t *varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	if (p < end && !(*p & 0x80)) {
		*v = *p;
		return p + 1;
	}
	return wire_varint(p, end, v);
}

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
		p = varint(p, end, &key);
		if (p)
			p = varint(p, end, &value);
		if (!p)
			hp_die("record %zu at byte %zu: truncated or overlong varint", records,
			       (size_t)(rec - buf));
		if (key >= KEYS)
			hp_die("record %zu at byte %zu: key %" PRIu64 " out of range", records,
			       (size_t)(rec - buf), key);
		if (type == REC_COUNTER) {
			a->counters[key] += value;
		} else if (type == REC_TIMER) {
			a->timer_buckets[value ? 64 - __builtin_clzll(value) : 0]++;
			a->timer_sum += value;
		} else {
			agg_handlers[type](a, (uint32_t)key, value);
		}
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
