#ifndef HP_CH07_WORKLOAD_H
#define HP_CH07_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hp/digest.h"

/*
 * The workload of chapter 07, shared by every variant so that they do the
 * same work and the diffs between naive.c, unboxed.c and optimized.c show
 * only how the readings are stored and how the per-reading functions are
 * called.
 *
 * A telemetry service receives a batch of readings from room sensors (a
 * building's thermostats, say) as packed little-endian records, WIRE_RECORD
 * bytes each:
 *
 *     offset  0  u64  time, milliseconds since the epoch
 *             8  u32  sensor id
 *            12  i32  temperature, millidegrees Celsius
 *            16  u16  relative humidity, per mille
 *            18  u16  battery voltage, millivolts
 *            20  u32  sequence number of the reading
 *
 * It decodes each record into a struct reading, keeps the batch in a
 * container, and answers one question about it: how far the rooms are from
 * comfortable (the sum case), or which readings must raise an alert (the
 * filter case).
 *
 * The per-reading logic, decoding, scoring and the alert predicate, is here
 * as static inline functions, so every variant compiles the very same code
 * and may inline it. Whether it can is the lesson.
 */

#define WIRE_RECORD 24

/*
 * Readings per batch, by default and at most. A batch of 4096 is 96 KiB of
 * readings stored by value, and 160 KiB boxed (pointers and 32-byte chunks):
 * beyond the first-level cache either way, within the second. Batches from
 * 1024 to 65536 readings, tried by hand with --batch, gave the same picture.
 */
#define BATCH_DEFAULT 4096
#define BATCH_MAX     (1 << 20)

/* A decoded reading: 24 bytes, no padding. */
struct reading {
	uint64_t time_ms;
	uint32_t sensor;
	int32_t temp_mc;      /* millidegrees Celsius */
	uint16_t humidity_pm; /* relative humidity, per mille */
	uint16_t battery_mv;  /* millivolts */
	uint32_t seq;
};

_Static_assert(sizeof(struct reading) == 24, "the README says a reading is 24 bytes");

/* The alert rule of the filter case: a reading outside any bound raises an alert. */
struct alert_rule {
	int32_t max_temp_mc;
	uint16_t max_humidity_pm;
	uint16_t min_battery_mv;
};

/*
 * The rule of the filter case, as the service's configuration would give
 * it at run time. It lives in workload.c so that no variant's compiler sees
 * its values and folds them into the code as constants.
 */
void alert_rule_init(struct alert_rule *rule);

/* The temperature and the humidity band that count as comfortable. */
#define SETPOINT_MC      21000
#define HUMIDITY_MID_PM  500
#define HUMIDITY_BAND_PM 100

/*
 * The feed of a run: --size readings, delivered in batches. Generating tens
 * of millions of records would take longer than processing them and
 * hundreds of megabytes, so the feed is a capture of up to FEED_CAPTURE
 * generated records, replayed from the start whenever it runs out, as a load
 * test replays recorded traffic. A batch never straddles the end of the
 * capture, so the last batch before each replay may be shorter.
 */
#define FEED_CAPTURE 65536

struct feed {
	unsigned char *wire; /* the capture, captured * WIRE_RECORD bytes */
	size_t captured;
	size_t pos;  /* the next record of the capture */
	size_t left; /* readings still to deliver */
};

/*
 * A feed of n readings generated from seed: 256 sensors reporting in a
 * random order, each room's temperature and humidity
 * drifting around a level of its own, and batteries running down.
 * Allocates the capture; release with feed_release().
 */
void feed_init(struct feed *f, uint64_t seed, size_t n);
void feed_release(struct feed *f);

/*
 * The next batch: up to max records, which *recs then points at. Returns
 * how many (0 when the feed is done). Never allocates.
 */
size_t feed_next(struct feed *f, size_t max, const unsigned char **recs);

static inline uint16_t load_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t load_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t load_le64(const unsigned char *p)
{
	return (uint64_t)load_le32(p) | (uint64_t)load_le32(p + 4) << 32;
}

/* Decode one wire record into *r. Never allocates. */
static inline void reading_decode(struct reading *r, const unsigned char *rec)
{
	r->time_ms = load_le64(rec);
	r->sensor = load_le32(rec + 8);
	r->temp_mc = (int32_t)load_le32(rec + 12);
	r->humidity_pm = load_le16(rec + 16);
	r->battery_mv = load_le16(rec + 18);
	r->seq = load_le32(rec + 20);
}

/*
 * How far a room is from comfortable, in millidegrees: the distance from
 * the setpoint, plus twenty times the humidity (per mille) outside the band
 * of 40 to 60%. Integer arithmetic on purpose: integer addition is
 * associative, so a compiler may reorder (vectorize) a sum of scores and the
 * result stays exact and the same in every variant (see the README).
 */
static inline int64_t reading_score(const struct reading *r)
{
	int32_t dt = r->temp_mc - SETPOINT_MC;
	int32_t dh = (int32_t)r->humidity_pm - HUMIDITY_MID_PM;

	dt = dt < 0 ? -dt : dt;
	dh = dh < 0 ? -dh : dh;
	dh = dh > HUMIDITY_BAND_PM ? dh - HUMIDITY_BAND_PM : 0;
	return (int64_t)dt + 20 * (int64_t)dh;
}

/* Whether a reading breaks the rule: too hot, too humid, or a battery running out. */
static inline bool reading_alert(const struct reading *r, const struct alert_rule *rule)
{
	return r->temp_mc > rule->max_temp_mc || r->humidity_pm > rule->max_humidity_pm ||
	       r->battery_mv < rule->min_battery_mv;
}

/*
 * Send one alert on (here: fold what identifies it into d). Out of line on
 * purpose: it stands for the work after the filter, the same in every
 * variant. Never allocates.
 */
void alert_emit(struct hp_digest *d, const struct reading *r);

#endif
