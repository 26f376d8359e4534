/*
 * Chapter 07, naive variant: boxed readings in a generic vector of
 * pointers, processed through callbacks.
 *
 * A telemetry service (workload.h) receives --size sensor readings as wire
 * records, in batches of --batch (default BATCH_DEFAULT). For each batch it
 * decodes the records into a container, answers one question about them and
 * clears the container for the next batch. Two cases, picked with --mode:
 *
 *   sum     how far the rooms are from comfortable: the sum of
 *           reading_score() over every reading;
 *   filter  which readings break the alert rule: reading_alert() selects
 *           them into a second vector, and each selected reading is
 *           emitted (folded into the digest).
 *
 * This is how generic code is written in C when the code base has one
 * container for everything: the readings go into a struct ptr_array
 * (gvec.h, after GLib's GPtrArray) whose elements are void *, so each
 * reading gets its own heap allocation (it is "boxed"), and the container
 * learns what to do with an element through a function pointer, a small
 * adapter from const void * to the typed function. The container library is
 * written once and compiled on its own, and it is correct and tidy. The
 * price is a malloc and a free per reading, a pointer to load before each
 * reading can be read, and an indirect call per reading that the compiler
 * cannot inline, because when it compiles gvec.c it does not know which
 * function the pointer will hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "gvec.h"
#include "workload.h"

/* The callbacks: adapters from the container's void * to the typed functions. */
static int64_t score_of(const void *item)
{
	return reading_score(item);
}

static bool alert_of(const void *item, const void *ctx)
{
	return reading_alert(item, ctx);
}

/* Decode a batch into boxes, one heap allocation per reading. */
static void ingest(struct ptr_array *readings, const unsigned char *recs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct reading *r = hp_xmalloc(sizeof *r);

		reading_decode(r, recs + i * WIRE_RECORD);
		ptr_array_push(readings, r);
	}
}

/*
 * Select the readings that break rule into alerts (which borrows their
 * boxes), emit each into d, and clear alerts; returns how many there were.
 */
static size_t raise_alerts(const struct ptr_array *readings, const struct alert_rule *rule,
                           struct ptr_array *alerts, struct hp_digest *d)
{
	ptr_array_filter(readings, alerts, alert_of, rule);
	for (size_t i = 0; i < alerts->len; i++)
		alert_emit(d, alerts->items[i]);

	size_t count = alerts->len;

	ptr_array_clear(alerts, NULL);
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
	struct ptr_array readings, alerts;
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

	ptr_array_init(&readings, batch);
	ptr_array_init(&alerts, 0);
	while ((len = feed_next(&feed, batch, &recs))) {
		ingest(&readings, recs, len);
		if (filter)
			nalerts += raise_alerts(&readings, &rule, &alerts, &d);
		else
			score += ptr_array_sum(&readings, score_of);
		ptr_array_clear(&readings, free);
	}
	ptr_array_release(&alerts, NULL);
	ptr_array_release(&readings, free);

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
