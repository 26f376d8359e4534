/*
 * Chapter 07, middle variant: the readings unboxed, stored by value in a
 * generic vector, still processed through callbacks.
 *
 * The same telemetry service as naive.c (workload.h): --size readings in
 * batches of --batch, each decoded into a container, then the sum case (the
 * sum of reading_score()) or the filter case (the readings that break the
 * alert rule, each emitted into the digest).
 *
 * What changed: the container is a struct val_array (gvec.h, after GLib's
 * GArray), which stores elements of a size given at run time one after the
 * other, so a reading is copied into the vector instead of being allocated
 * on its own. That removes the malloc and the free per reading and the
 * pointer loaded before each reading. What stays is the other half of
 * generic code: the container still calls reading_score() and
 * reading_alert() through a function pointer per element, and copies an
 * element with memcpy() of a size it learns at run time. This variant is
 * there to tell the two costs apart: naive against unboxed is what boxing
 * costs, unboxed against optimized what the indirect calls cost.
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

/* Decode a batch into the vector, one copy per reading. */
static void ingest(struct val_array *readings, const unsigned char *recs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct reading r;

		reading_decode(&r, recs + i * WIRE_RECORD);
		val_array_push(readings, &r);
	}
}

/*
 * Copy the readings that break rule into alerts, emit each into d, and
 * clear alerts; returns how many there were.
 */
static size_t raise_alerts(const struct val_array *readings, const struct alert_rule *rule,
                           struct val_array *alerts, struct hp_digest *d)
{
	val_array_filter(readings, alerts, alert_of, rule);
	for (size_t i = 0; i < alerts->len; i++)
		alert_emit(d, val_array_at(alerts, i));

	size_t count = alerts->len;

	val_array_clear(alerts);
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
	struct val_array readings, alerts;
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

	val_array_init(&readings, sizeof(struct reading), batch);
	val_array_init(&alerts, sizeof(struct reading), 0);
	while ((len = feed_next(&feed, batch, &recs))) {
		ingest(&readings, recs, len);
		if (filter)
			nalerts += raise_alerts(&readings, &rule, &alerts, &d);
		else
			score += val_array_sum(&readings, score_of);
		val_array_clear(&readings);
	}
	val_array_release(&alerts);
	val_array_release(&readings);

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
