/*
 * Chapter 07, optimized variant: a typed array of readings and direct calls
 * that the compiler inlines.
 *
 * The same telemetry service as naive.c (workload.h): --size readings in
 * batches of --batch, each decoded into a container, then the sum case (the
 * sum of reading_score()) or the filter case (the readings that break the
 * alert rule, each emitted into the digest).
 *
 * What changed: the container knows its element type. A struct
 * reading_array holds struct reading values one after the other, as
 * unboxed.c's val_array does, but the loops over it are written here, next
 * to the type, and call reading_score() and reading_alert() by name. The
 * compiler sees both the loop and the function, so it inlines the function
 * into the loop: no call and return per reading, no reloading of the
 * array's fields after a call that might have changed them, and the rule's
 * bounds stay in registers for the whole loop. Copying a reading is a
 * 24-byte struct assignment, a few moves, where the generic vector called
 * memcpy() with a size it learned at run time. The price is that these
 * loops are written for one type; C's way to write them once for many
 * types is a macro or a code generator, not a void *.
 *
 * The two loops are kept out of line (noinline) only so that they have a
 * symbol of their own: the profile can then name them, and
 * profile-extra.sh disassembles them for the README. They run once per
 * batch, so that call costs nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/* A vector of readings, by value. */
struct reading_array {
	struct reading *items;
	size_t len, cap;
};

/* The capacity of an array that grows from zero, as in gvec.c. */
#define FIRST_CAP 16

static void reading_array_init(struct reading_array *a, size_t reserve)
{
	a->items = reserve ? hp_xmalloc_array(reserve, sizeof *a->items) : NULL;
	a->len = 0;
	a->cap = reserve;
}

static void reading_array_grow(struct reading_array *a)
{
	if (a->cap > SIZE_MAX / 2 / sizeof *a->items)
		hp_die("reading_array_grow: %zu readings are too many", a->len);

	size_t cap = a->cap ? 2 * a->cap : FIRST_CAP;

	a->items = hp_xrealloc(a->items, cap * sizeof *a->items);
	a->cap = cap;
}

/* A new element at the end, its contents undefined; valid until the next push. */
static inline struct reading *reading_array_push(struct reading_array *a)
{
	if (a->len == a->cap)
		reading_array_grow(a);
	return &a->items[a->len++];
}

static void reading_array_release(struct reading_array *a)
{
	free(a->items);
	a->items = NULL;
	a->len = a->cap = 0;
}

/* Decode a batch straight into the array. */
static void ingest(struct reading_array *readings, const unsigned char *recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		reading_decode(reading_array_push(readings), recs + i * WIRE_RECORD);
}

/* The sum of the scores; reading_score() is inlined into the loop. */
static __attribute__((noinline)) int64_t sum_scores(const struct reading *r, size_t n)
{
	int64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += reading_score(&r[i]);
	return sum;
}

/*
 * Append a copy of every reading that breaks rule to out; reading_alert()
 * is inlined into the loop. The bounds are copied before the loop because
 * the pushes store through pointers that the compiler cannot prove leave
 * *rule alone; in a local they stay in registers.
 */
static __attribute__((noinline)) void select_alerts(const struct reading *r, size_t n,
                                                    const struct alert_rule *rule, struct reading_array *out)
{
	const struct alert_rule bounds = *rule;

	for (size_t i = 0; i < n; i++)
		if (reading_alert(&r[i], &bounds))
			*reading_array_push(out) = r[i];
}

/*
 * Copy the readings that break rule into alerts, emit each into d, and
 * clear alerts; returns how many there were.
 */
static size_t raise_alerts(const struct reading_array *readings, const struct alert_rule *rule,
                           struct reading_array *alerts, struct hp_digest *d)
{
	select_alerts(readings->items, readings->len, rule, alerts);
	for (size_t i = 0; i < alerts->len; i++)
		alert_emit(d, &alerts->items[i]);

	size_t count = alerts->len;

	alerts->len = 0;
	return count;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;

	hp_opts_parse(&opt, argc, argv, "mode,batch");
	const char *mode = hp_opts_str(&opt, "mode", "sum");
	size_t batch = (size_t)hp_opts_u64(&opt, "batch", BATCH_DEFAULT);
	int filter = !strcmp(mode, "filter");

	if (!filter && strcmp(mode, "sum"))
		hp_die("unknown --mode '%s' (expected sum or filter)", mode);
	if (batch == 0 || batch > BATCH_MAX)
		hp_die("--batch %zu is out of range (1 to %d)", batch, BATCH_MAX);

	size_t n = (size_t)opt.size;
	struct feed feed;
	struct alert_rule rule;
	struct reading_array readings, alerts;
	struct hp_digest d;
	struct hp_section s;
	const unsigned char *recs;
	size_t len;
	int64_t score = 0;
	size_t nalerts = 0;

	feed_init(&feed, opt.seed, n);
	alert_rule_init(&rule);
	hp_digest_init(&d);
	hp_section_begin(&s);

	reading_array_init(&readings, batch);
	reading_array_init(&alerts, 0);
	while ((len = feed_next(&feed, batch, &recs))) {
		ingest(&readings, recs, len);
		if (filter)
			nalerts += raise_alerts(&readings, &rule, &alerts, &d);
		else
			score += sum_scores(readings.items, readings.len);
		readings.len = 0;
	}
	reading_array_release(&alerts);
	reading_array_release(&readings);

	hp_section_end(&s, n);
	hp_section_report(&s);

	if (filter) {
		char hex[17];

		hp_digest_hex(&d, hex);
		printf("alerts %zu digest %s readings %zu\n", nalerts, hex, n);
	} else {
		printf("score %lld readings %zu\n", (long long)score, n);
	}
	feed_release(&feed);
	return 0;
}
