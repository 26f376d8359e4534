/*
 * The generator of chapter 10's record stream (see workload.h). It runs
 * before the timed section; only stream_generate() allocates.
 *
 * The mix: 70% counters (most increments are 1), 20% timers (durations
 * spread over powers of two from 16 us to 1 s), 8% gauges (signed values
 * within +-10,000), and the rest split between sets, events and
 * heartbeats. 7 keys in 8 are below 128, so most keys are one varint byte.
 */
#include <stdlib.h>

#include "hp/prng.h"
#include "hp/xalloc.h"

#include "workload.h"

/* The longest record: a type byte and two ten-byte varints. */
#define RECORD_MAX 21

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static enum record_type pick_type(struct hp_rng *rng)
{
	uint64_t r = hp_rng_below(rng, 1000);

	if (r < 700)
		return REC_COUNTER;
	if (r < 900)
		return REC_TIMER;
	if (r < 980)
		return REC_GAUGE;
	if (r < 990)
		return REC_SET;
	if (r < 996)
		return REC_EVENT;
	return REC_HEARTBEAT;
}

static uint64_t pick_value(struct hp_rng *rng, enum record_type type)
{
	switch (type) {
	case REC_COUNTER:
		return hp_rng_below(rng, 4) ? 1 : 1 + hp_rng_below(rng, 100);
	case REC_TIMER:
		return (1ull << (4 + hp_rng_below(rng, 16))) + hp_rng_below(rng, 16);
	case REC_GAUGE:
		return zigzag((int64_t)hp_rng_below(rng, 20001) - 10000);
	case REC_SET:
		return hp_rng_next(rng) >> 32;
	default:
		return 0;
	}
}

void stream_generate(struct stream *s, uint64_t seed, size_t n)
{
	struct hp_rng rng;

	hp_rng_init(&rng, seed);
	s->buf = hp_xmalloc_array(n ? n : 1, RECORD_MAX);
	s->len = 0;
	s->records = n;
	for (size_t i = 0; i < n; i++) {
		enum record_type type = pick_type(&rng);
		uint64_t key = hp_rng_below(&rng, 8) ? hp_rng_below(&rng, 128) : hp_rng_below(&rng, KEYS);

		s->buf[s->len++] = (uint8_t)type;
		s->len += put_varint(s->buf + s->len, key);
		s->len += put_varint(s->buf + s->len, pick_value(&rng, type));
	}
}

void stream_release(struct stream *s)
{
	free(s->buf);
}
