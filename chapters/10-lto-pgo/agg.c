/*
 * The aggregates of chapter 10 (see agg.h): one small function per record
 * type, registered in a table. Each does a few instructions of work, so the
 * cost of reaching it (an indirect call through the table, from another
 * translation unit) is a large part of the cost of a record.
 */
#include <string.h>

#include "agg.h"
#include "wire.h"

void agg_init(struct agg *a)
{
	memset(a, 0, sizeof *a);
}

static void on_counter(struct agg *a, uint32_t key, uint64_t value)
{
	a->counters[key] += value;
}

static void on_timer(struct agg *a, uint32_t key, uint64_t value)
{
	unsigned bits = value ? 64 - (unsigned)__builtin_clzll(value) : 0;

	a->timer_buckets[bits]++;
	a->timer_sum += value;
}

static void on_gauge(struct agg *a, uint32_t key, uint64_t value)
{
	a->gauges[key] = wire_unzigzag(value);
}

static void on_set(struct agg *a, uint32_t key, uint64_t value)
{
	uint64_t h = (key * 0x9e3779b97f4a7c15u) ^ value;

	a->sets[(h >> 6) % (KEYS / 64)] |= 1ull << (h & 63);
}

static void on_event(struct agg *a, uint32_t key, uint64_t value)
{
	a->events += key + 1;
}

static void on_heartbeat(struct agg *a, uint32_t key, uint64_t value)
{
	a->heartbeats++;
}

const agg_handler agg_handlers[REC_TYPES] = {
    [REC_COUNTER] = on_counter, [REC_TIMER] = on_timer, [REC_GAUGE] = on_gauge,
    [REC_SET] = on_set,         [REC_EVENT] = on_event, [REC_HEARTBEAT] = on_heartbeat,
};

void agg_digest(const struct agg *a, struct hp_digest *d)
{
	for (size_t i = 0; i < KEYS; i++) {
		hp_digest_u64(d, a->counters[i]);
		hp_digest_u64(d, (uint64_t)a->gauges[i]);
	}
	for (size_t i = 0; i < 65; i++)
		hp_digest_u64(d, a->timer_buckets[i]);
	for (size_t i = 0; i < KEYS / 64; i++)
		hp_digest_u64(d, a->sets[i]);
	hp_digest_u64(d, a->timer_sum);
	hp_digest_u64(d, a->events);
	hp_digest_u64(d, a->heartbeats);
}
