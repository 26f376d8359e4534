#ifndef HP_CH10_WORKLOAD_H
#define HP_CH10_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * The workload of chapter 10: a metrics agent's ingest loop. Clients send
 * measurements as a binary stream of records, each
 *
 *     u8      type    (enum record_type)
 *     varint  key     the metric's id, below KEYS
 *     varint  value   unsigned; a gauge's value is zigzag-encoded (signed)
 *
 * where a varint is the protobuf encoding: seven bits per byte, low bits
 * first, the top bit set on every byte but the last. The agent decodes the
 * stream (wire.c) and folds every record into its aggregates (agg.c).
 *
 * The mix is that of a typical service: most records are counter
 * increments of small values, then timings, then gauges; sets, events and
 * heartbeats are rare. Keys follow a skewed popularity, so most fit in one
 * varint byte. That skew is what profile-guided optimization can learn and
 * a compiler on its own cannot know.
 */

enum record_type {
	REC_COUNTER,   /* 70%: add value to the counter of key */
	REC_TIMER,     /* 20%: a duration in microseconds, into a log2 histogram */
	REC_GAUGE,     /*  8%: set the gauge of key to a signed value */
	REC_SET,       /* ~1%: mark value as seen in the set of key */
	REC_EVENT,     /* rare: count an event of kind key */
	REC_HEARTBEAT, /* rare: a client is alive (key is its id) */
	REC_TYPES
};

#define KEYS 1024

/* A generated stream: the bytes of the records and how many there are. */
struct stream {
	uint8_t *buf;
	size_t len;
	size_t records;
};

/*
 * n records generated from seed. Allocates; release with stream_release().
 * The same (seed, n) always gives the same bytes.
 */
void stream_generate(struct stream *s, uint64_t seed, size_t n);
void stream_release(struct stream *s);

#endif
