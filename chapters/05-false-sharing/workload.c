/*
 * The access-log aggregator of chapter 05 (see workload.h): decoding the
 * events, recording them in a struct stats, adding the workers' statistics
 * up and printing them. Both variants share all of it; they differ only in
 * where the workers' struct stats lie in memory.
 *
 * The events are generated, not read: event i is the i-th output of
 * splitmix64 from the seed, cut into a latency (log-uniform-ish: a 16-bit
 * value shifted right by 0 to 7 bits, so most requests take under a
 * millisecond or two and a few take tens), a response size and a status
 * code (84% 2xx, 6% 3xx, 8% 4xx, 2% 5xx). A counter-based generator
 * lets every worker decode its share on its own, at a cost per event that
 * stands in for parsing a log record, and it keeps the workers off any
 * shared input: the only memory the threads write is their own stats.
 */
#include <inttypes.h>
#include <stdio.h>

#include "hp/digest.h"
#include "hp/xalloc.h"

#include "workload.h"

void workload_check(uint64_t events, unsigned threads)
{
	if (events > UINT32_MAX)
		hp_die("--size %" PRIu64 " is above %" PRIu32 ", what the 32-bit counts of struct stats hold",
		       events, UINT32_MAX);
	if (threads < 1)
		hp_die("--threads must be at least 1");
}

uint64_t share_first(uint64_t events, unsigned nthreads, unsigned t)
{
	/* events < 2^32 and t <= nthreads <= 4096 (libhp's limit): no overflow. */
	return events * t / nthreads;
}

/* splitmix64's output function (Steele, Lea and Flood, 2014). */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Status codes, each listed as often as it occurs in 64 requests. */
static const uint16_t statuses[64] = {
    200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
    200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
    200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
    201, 201, 204, 204, 204, 204, 301, 304, 304, 304, 400, 401, 404, 404, 429, 503,
};

void event_decode(uint64_t seed, uint64_t i, struct event *e)
{
	/* splitmix64 jumped straight to its (i + 1)-th state. */
	uint64_t r = mix64(seed + (i + 1) * 0x9e3779b97f4a7c15u);

	e->latency_us = (uint32_t)(r & 0xffff) >> ((r >> 16) & 7);
	e->bytes = (uint32_t)(r >> 19) & 0x3ffff;
	e->status = statuses[(r >> 40) & 63];
}

/* 0 for 2xx up to 3 for 5xx; event_decode() only makes codes 200..599. */
static unsigned status_class(uint16_t status)
{
	return (unsigned)(status / 100 - 2) % STATUS_CLASSES;
}

static unsigned latency_bucket(uint32_t us)
{
	return us < 1000 ? 0 : us < 4000 ? 1 : us < 16000 ? 2 : 3;
}

void stats_record(struct stats *s, const struct event *e)
{
	s->requests++;
	s->bytes += e->bytes;
	s->latency_us += e->latency_us;
	s->status[status_class(e->status)]++;
	s->latency_hist[latency_bucket(e->latency_us)]++;
}

void stats_merge(struct stats *total, const struct stats *s)
{
	total->requests += s->requests;
	total->bytes += s->bytes;
	total->latency_us += s->latency_us;
	for (unsigned k = 0; k < STATUS_CLASSES; k++)
		total->status[k] += s->status[k];
	for (unsigned k = 0; k < LATENCY_BUCKETS; k++)
		total->latency_hist[k] += s->latency_hist[k];
}

void stats_print(const struct stats *total)
{
	struct hp_digest d;
	char hex[17];

	hp_digest_init(&d);
	hp_digest_u64(&d, total->requests);
	hp_digest_u64(&d, total->bytes);
	hp_digest_u64(&d, total->latency_us);
	for (unsigned k = 0; k < STATUS_CLASSES; k++)
		hp_digest_u64(&d, total->status[k]);
	for (unsigned k = 0; k < LATENCY_BUCKETS; k++)
		hp_digest_u64(&d, total->latency_hist[k]);
	hp_digest_hex(&d, hex);
	printf("events %" PRIu64 " 5xx %" PRIu32 " mean_latency_us %" PRIu64 " digest %s\n", total->requests,
	       total->status[3], total->requests ? total->latency_us / total->requests : 0, hex);
}
