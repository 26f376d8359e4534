/*
 * Chapter 07 exercise: your copy of the naive variant. Store the readings by
 * value in an array that knows their type, and call reading_score() and
 * reading_alert() directly from loops the compiler can see, without
 * changing what the program prints.
 *
 * The service (workload.h) receives --size readings in batches of --batch,
 * decodes each batch into a container and answers one question about it.
 * Two cases, picked with --mode:
 *
 *   sum     the sum of reading_score() over every reading;
 *   filter  the readings that break the alert rule (reading_alert()), each
 *           emitted with alert_emit().
 *
 * As given, every reading is a heap allocation of its own held by a
 * void * in a struct ptr_array (gvec.h), and the loops in gvec.c call the
 * per-reading functions through a function pointer. workload.h has what
 * you may use: struct reading, reading_decode(), reading_score(),
 * reading_alert(), alert_emit() and the feed. exercise/README.md says how
 * your file is graded.
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

/*
 * The callbacks: adapters from the container's void * to the typed functions.
 * TODO: gvec.c calls these through a pointer, one call per reading, and
 * cannot inline them. Write the loops here instead, over an array of
 * struct reading, calling reading_score() and reading_alert() by name.
 */
static int64_t score_of(const void *item)
{
	return reading_score(item);
}

static bool alert_of(const void *item, const void *ctx)
{
	return reading_alert(item, ctx);
}

/*
 * Decode a batch into boxes, one heap allocation per reading.
 * TODO: decode straight into an array of struct reading values that keeps
 * its capacity from batch to batch: no malloc and no free per reading.
 */
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
 * TODO: a loop of your own over the typed array, with reading_alert()
 * called directly. Emit the alerts in the same order.
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
			score += ptr_array_sum(&readings, score_of); /* TODO: a direct loop */
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
