#ifndef HP_CH10_AGG_H
#define HP_CH10_AGG_H

#include <stdint.h>

#include "hp/digest.h"

#include "workload.h"

/*
 * The aggregates of the metrics agent (agg.c): what it would flush to its
 * backend every few seconds. Compiled on its own, as the aggregation module
 * of a real agent would be; the ingest loop reaches it through a handler
 * table indexed by record type, the registry pattern that lets a new record
 * type be added in one place.
 */
struct agg {
	uint64_t counters[KEYS];
	int64_t gauges[KEYS];
	uint64_t timer_buckets[65]; /* bucket b: durations with bit length b */
	uint64_t timer_sum;
	uint64_t sets[KEYS / 64]; /* one bit per (key, value) pair, folded */
	uint64_t events, heartbeats;
};

/* A record handler. key is below KEYS (the ingest loop checks). Never allocates. */
typedef void (*agg_handler)(struct agg *a, uint32_t key, uint64_t value);

/* The handler of each record type, indexed by enum record_type. */
extern const agg_handler agg_handlers[REC_TYPES];

void agg_init(struct agg *a);

/* Fold every aggregate into d, in a fixed order. */
void agg_digest(const struct agg *a, struct hp_digest *d);

#endif
