/*
 * The telemetry of chapter 07 (see workload.h): the generator of the
 * capture, the feed that replays it, the alert rule and the alert's digest,
 * which every variant shares. Only feed_init() allocates, and it runs
 * before the timed section.
 *
 * The generated building has SENSORS rooms. Each room has a temperature
 * level of its own between 17 and 27 degrees and a humidity level between
 * 30 and 70%, and its readings wander around those levels in a random walk
 * that is pulled back towards them; its sensor's battery starts between
 * 2.25 and 3.3 volts and loses a millivolt in one reading of 64. The
 * sensors report in a random order, a few milliseconds apart. With the
 * rule of alert_rule_init(), between one reading in eight and one in six
 * raises an alert, depending on the seed: the readings of the warmest and
 * the most humid rooms, and of the weakest batteries.
 */
#include <stdlib.h>

#include "hp/prng.h"
#include "hp/xalloc.h"

#include "workload.h"

#define SENSORS 256

struct room {
	int32_t base_temp_mc, temp_mc;
	int32_t base_humidity_pm, humidity_pm;
	int32_t battery_mv;
};

/* A step of a random walk: a whole number in [-step, step]. */
static int32_t walk(struct hp_rng *rng, int32_t step)
{
	return (int32_t)hp_rng_below(rng, 2 * (uint64_t)step + 1) - step;
}

static void store_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void store_le32(unsigned char *p, uint32_t v)
{
	store_le16(p, (uint16_t)v);
	store_le16(p + 2, (uint16_t)(v >> 16));
}

static void store_le64(unsigned char *p, uint64_t v)
{
	store_le32(p, (uint32_t)v);
	store_le32(p + 4, (uint32_t)(v >> 32));
}

/* n wire records, generated from seed. */
static void wire_generate(unsigned char *wire, size_t n, uint64_t seed)
{
	struct room rooms[SENSORS];
	struct hp_rng rng;
	/* 2026-01-01T00:00:00Z. */
	uint64_t time_ms = 1767225600000u;

	hp_rng_init(&rng, seed);
	for (size_t s = 0; s < SENSORS; s++) {
		rooms[s].base_temp_mc = 17000 + (int32_t)hp_rng_below(&rng, 10001);
		rooms[s].base_humidity_pm = 300 + (int32_t)hp_rng_below(&rng, 401);
		rooms[s].temp_mc = rooms[s].base_temp_mc;
		rooms[s].humidity_pm = rooms[s].base_humidity_pm;
		rooms[s].battery_mv = 2250 + (int32_t)hp_rng_below(&rng, 1051);
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t s = (uint32_t)hp_rng_below(&rng, SENSORS);
		struct room *room = &rooms[s];
		unsigned char *rec = wire + i * WIRE_RECORD;

		/* A random walk pulled back towards the room's own level, so it stays near it. */
		room->temp_mc += walk(&rng, 300) + (room->base_temp_mc - room->temp_mc) / 16;
		room->humidity_pm += walk(&rng, 20) + (room->base_humidity_pm - room->humidity_pm) / 16;
		if (hp_rng_below(&rng, 64) == 0 && room->battery_mv > 2000)
			room->battery_mv--;
		time_ms += hp_rng_below(&rng, 20);

		store_le64(rec, time_ms);
		store_le32(rec + 8, 1000 + s);
		store_le32(rec + 12, (uint32_t)room->temp_mc);
		store_le16(rec + 16, (uint16_t)room->humidity_pm);
		store_le16(rec + 18, (uint16_t)room->battery_mv);
		store_le32(rec + 20, (uint32_t)i);
	}
}

void feed_init(struct feed *f, uint64_t seed, size_t n)
{
	f->captured = n < FEED_CAPTURE ? n : FEED_CAPTURE;
	f->wire = f->captured ? hp_xmalloc_array(f->captured, WIRE_RECORD) : NULL;
	f->pos = 0;
	f->left = n;
	wire_generate(f->wire, f->captured, seed);
}

void feed_release(struct feed *f)
{
	free(f->wire);
	f->wire = NULL;
	f->captured = f->pos = f->left = 0;
}

size_t feed_next(struct feed *f, size_t max, const unsigned char **recs)
{
	size_t len = f->left < max ? f->left : max;

	if (len == 0) {
		*recs = NULL;
		return 0;
	}
	if (f->pos == f->captured)
		f->pos = 0;
	if (len > f->captured - f->pos)
		len = f->captured - f->pos;
	*recs = f->wire + f->pos * WIRE_RECORD;
	f->pos += len;
	f->left -= len;
	return len;
}

void alert_rule_init(struct alert_rule *rule)
{
	rule->max_temp_mc = 26500;
	rule->max_humidity_pm = 680;
	rule->min_battery_mv = 2300;
}

void alert_emit(struct hp_digest *d, const struct reading *r)
{
	hp_digest_u64(d, (uint64_t)r->sensor << 32 | r->seq);
}
