#ifndef HP_CH04_WORKLOAD_H
#define HP_CH04_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hp/digest.h"
#include "hp/prng.h"

/*
 * The workload of chapter 04, shared by both variants so that they hold the
 * same data and do the same work, and `diff naive.c optimized.c` shows only
 * how the data is laid out in memory. Three cases, one per kind of layout
 * problem:
 *
 *   padding  a buffer of telemetry samples (time, value, sensor, channel,
 *            kind, flags) that a rule engine scans once per rule set,
 *            checking every sample's value against the limit of its kind;
 *   soa      a table of shop orders (struct order below, 64 bytes) and a
 *            report that sums one column, the amount, once per threshold;
 *   hotcold  a rate limiter: a hash table of API clients, looked up once
 *            per incoming event to count it against the client's quota.
 *
 * The generators below hand over the fields of one record; each variant
 * stores them in its own layout. Every draw comes from the seed, so both
 * variants see the same records in the same order.
 */

/* ----------------------------------------------------------------- padding */

#define SAMPLE_KINDS 8    /* temperature, humidity, pressure, ... */
#define SAMPLE_VALID 0x01 /* in flags: the sensor vouches for the value */

/*
 * The fields of sample i of a time series, drawn in order from r. Times are
 * microseconds and never decrease; about one sample in 32 is not valid.
 */
void sample_draw(struct hp_rng *r, uint64_t i, int64_t *time, double *value, uint32_t *sensor,
                 uint16_t *channel, uint8_t *kind, uint8_t *flags);

/*
 * The limits of rule set number pass, one per kind. A valid sample whose
 * value exceeds the limit of its kind raises an alert; the limits of the
 * rule sets differ so that between one in two hundred and one in
 * twenty-five samples do.
 */
void sample_limits(double limit[SAMPLE_KINDS], uint64_t pass);

/* An alert of the rule engine: when, and where (sensor << 16 | channel). */
struct alert {
	int64_t time;
	uint64_t where;
};

void alerts_digest(struct hp_digest *d, const struct alert *a, size_t n);

/* ---------------------------------------------------------------------- soa */

/*
 * A shop order as the application thinks of it: 64 bytes, no padding,
 * every field in its natural place. The soa case's naive variant stores an
 * array of these; its optimized variant stores each field in an array of
 * its own.
 */
struct order {
	uint64_t id;
	uint64_t customer;
	int64_t created; /* milliseconds since the epoch */
	int64_t amount;  /* cents */
	char sku[16];    /* NUL-padded */
	uint32_t quantity;
	uint32_t warehouse;
	uint32_t status;
	uint32_t coupon; /* 0: none */
};

/* The i-th order. */
void order_draw(struct hp_rng *r, uint64_t i, struct order *o);

/* The threshold of report number pass, in cents: it sums the orders of at least this amount. */
int64_t order_threshold(uint64_t pass);

/* The result of one report: how many orders reached the threshold, and their total. */
struct order_report {
	uint64_t count;
	int64_t sum;
};

void reports_digest(struct hp_digest *d, const struct order_report *r, size_t n);

/* ------------------------------------------------------------------ hotcold */

#define CLIENT_NAME_LEN  40 /* bytes of a name, its NUL included */
#define CLIENT_EMAIL_LEN 56
#define CLIENT_QUOTA_MAX 64

/*
 * The number of events per client: the hotcold case serves --size events
 * from --size / EVENTS_PER_CLIENT clients (and at least one).
 */
#define EVENTS_PER_CLIENT 8

/*
 * The key of client i: distinct for distinct i below 2^32 and never 0, so 0
 * can mark an empty slot of a hash table. The keys are well mixed, so
 * key % capacity is a good slot. base comes from clients_base().
 */
uint64_t client_key(uint64_t base, uint64_t i);
uint64_t clients_base(uint64_t seed);

/*
 * The slots of an open-addressing table for n clients: about 10/7 of n, so
 * the table is 70% full, a usual load for linear probing.
 */
size_t table_capacity(size_t n);

/*
 * The descriptive fields of a client: name and email (NUL-terminated, the
 * rest of each array zeroed), when it signed up, its plan and region, and
 * its quota of events (1..CLIENT_QUOTA_MAX) before the rate limiter alerts.
 */
void client_draw(struct hp_rng *r, char name[CLIENT_NAME_LEN], char email[CLIENT_EMAIL_LEN], int64_t *created,
                 uint32_t *plan, uint32_t *region, uint32_t *quota);

/*
 * The stream of events: each names a client by its key. About one in nine
 * comes from an unknown client (a key that is in no table), whose lookup
 * fails. Caller-owned; never allocates.
 */
struct events {
	struct hp_rng rng;
	uint64_t base;
	uint64_t known, all;
};

void events_init(struct events *e, uint64_t seed, size_t clients);
uint64_t events_next(struct events *e);

/* The rate limiter's answer to an event, one byte per event. */
enum verdict {
	VERDICT_ALLOW,
	VERDICT_ALERT,  /* allowed, and the client has just reached its quota */
	VERDICT_REJECT, /* unknown client */
};

/* Fold an alert, raised for the client when its event count reached its quota, into d. */
void alert_digest(struct hp_digest *d, uint64_t key, const char *name, const char *email, int64_t created,
                  uint32_t plan);

/* ------------------------------------------------------------------- memory */

/*
 * An array of n elements of size bytes whose first byte starts a 64-byte
 * cache line, so that where the lines fall in it is the same on every run
 * and in every variant. Never returns NULL (aborts like hp_xmalloc); free
 * with free().
 */
void *line_aligned_array(size_t n, size_t size);

#endif
