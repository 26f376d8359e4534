/*
 * Chapter 04, naive variant: records laid out the way they were first
 * written down.
 *
 * Three cases (workload.h), picked with --mode:
 *
 *   padding  --size telemetry samples in a struct whose fields are in the
 *            order one thinks of them, scanned --passes times by a rule
 *            engine that checks each valid sample against the limit of its
 *            kind (one rule set per pass);
 *   soa      --size shop orders in an array of struct order, 64 bytes each,
 *            and --passes reports that each sum the amounts of the orders
 *            above a threshold: one field of the eight;
 *   hotcold  a rate limiter: --size events, each looked up by its client's
 *            key in an open-addressing hash table of --size / 8 clients
 *            (linear probing, 70% full) whose slots hold the whole client
 *            record, 128 bytes; a lookup counts the event against the
 *            client's quota and, when the quota is reached, reads the
 *            client's name and email for the alert.
 *
 * All three are what a careful engineer writes first: one struct per
 * record, its fields grouped the way a person reads them, an array of
 * those structs. The code is correct and clear. What it does not consider
 * is what the processor fetches: memory comes in 64-byte cache lines, and
 * every line a loop touches costs the same whether the loop needs one byte
 * of it or all 64. Here the samples carry 16 bytes of padding in every 40,
 * the order report fetches a whole line to read 8 bytes of it, and a client
 * lookup fetches a line for every slot it probes, to compare one key, and
 * another for the slot it finds, to bump one counter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/* ------------------------------------------------------------ padding case */

/*
 * A telemetry sample: what was measured, the value, where it came from,
 * whether to trust it, and when. Every field must start at a multiple of
 * its own size, so the compiler inserts padding after kind, channel and
 * flags: 24 bytes of data in 40.
 */
struct sample {
	uint8_t kind;
	double value;
	uint16_t channel;
	uint32_t sensor;
	uint8_t flags;
	int64_t time;
};

static void run_padding(uint64_t seed, size_t n, uint64_t passes, struct hp_digest *d)
{
	struct sample *s = line_aligned_array(n, sizeof *s);
	/* The alerts of one pass; every sample may raise one. */
	struct alert *log = line_aligned_array(n, sizeof *log);
	struct hp_section sec;
	struct hp_rng r;

	hp_rng_init(&r, seed);
	for (size_t i = 0; i < n; i++)
		sample_draw(&r, i, &s[i].time, &s[i].value, &s[i].sensor, &s[i].channel, &s[i].kind,
		            &s[i].flags);

	hp_section_begin(&sec);
	for (uint64_t p = 0; p < passes; p++) {
		double limit[SAMPLE_KINDS];
		size_t alerts = 0;

		sample_limits(limit, p);
		for (size_t i = 0; i < n; i++) {
			const struct sample *x = &s[i];

			if ((x->flags & SAMPLE_VALID) && x->value > limit[x->kind]) {
				log[alerts].time = x->time;
				log[alerts].where = (uint64_t)x->sensor << 16 | x->channel;
				alerts++;
			}
		}
		alerts_digest(d, log, alerts);
	}
	hp_section_end(&sec, n * passes);
	hp_section_report(&sec);
	free(log);
	free(s);
}

/* ---------------------------------------------------------------- soa case */

static void run_soa(uint64_t seed, size_t n, uint64_t passes, struct hp_digest *d)
{
	struct order *o = line_aligned_array(n, sizeof *o);
	struct order_report *rep = line_aligned_array(passes, sizeof *rep);
	struct hp_section sec;
	struct hp_rng r;

	hp_rng_init(&r, seed);
	for (size_t i = 0; i < n; i++)
		order_draw(&r, i, &o[i]);

	hp_section_begin(&sec);
	for (uint64_t p = 0; p < passes; p++) {
		int64_t threshold = order_threshold(p), sum = 0;
		uint64_t count = 0;

		/*
		 * No branch on the amount: the compiler turns the conditional
		 * sum into a conditional move. A branch would be mispredicted
		 * for a large share of the orders, and the scan would measure
		 * the branch predictor instead of memory.
		 */
		for (size_t i = 0; i < n; i++) {
			int64_t a = o[i].amount;

			count += a >= threshold;
			sum += a >= threshold ? a : 0;
		}
		rep[p].count = count;
		rep[p].sum = sum;
	}
	hp_section_end(&sec, n * passes);
	hp_section_report(&sec);

	reports_digest(d, rep, passes);
	free(rep);
	free(o);
}

/* ------------------------------------------------------------ hotcold case */

/*
 * An API client, as its sign-up form and its account page describe it:
 * who it is, how to reach it, its plan and region, then the rate limiter's
 * quota and count. 128 bytes: two cache lines, with the key on the first
 * and the quota and count on the second.
 */
struct client {
	uint64_t key; /* 0: an empty slot */
	char name[CLIENT_NAME_LEN];
	char email[CLIENT_EMAIL_LEN];
	int64_t created;
	uint32_t plan;
	uint32_t region;
	uint32_t quota;
	uint32_t hits;
};

/* An open-addressing hash table with linear probing; slots with key 0 are empty. */
struct client_table {
	struct client *slot;
	size_t cap;
};

static struct client *client_insert(struct client_table *t, uint64_t key)
{
	size_t i = key % t->cap;

	while (t->slot[i].key)
		i = i + 1 == t->cap ? 0 : i + 1;
	t->slot[i].key = key;
	return &t->slot[i];
}

static struct client *client_find(const struct client_table *t, uint64_t key)
{
	size_t i = key % t->cap;

	while (t->slot[i].key != key) {
		if (!t->slot[i].key)
			return NULL;
		i = i + 1 == t->cap ? 0 : i + 1;
	}
	return &t->slot[i];
}

static void run_hotcold(uint64_t seed, size_t n, struct hp_digest *d)
{
	size_t clients = n / EVENTS_PER_CLIENT ? n / EVENTS_PER_CLIENT : 1;
	uint64_t base = clients_base(seed), rejected = 0, alerts = 0;
	struct client_table t = {NULL, table_capacity(clients)};
	unsigned char *verdict = line_aligned_array(n, 1);
	struct hp_section sec;
	struct events ev;
	struct hp_rng r;

	t.slot = line_aligned_array(t.cap, sizeof *t.slot);
	memset(t.slot, 0, t.cap * sizeof *t.slot);
	hp_rng_init(&r, seed);
	for (size_t i = 0; i < clients; i++) {
		struct client *c = client_insert(&t, client_key(base, i));

		client_draw(&r, c->name, c->email, &c->created, &c->plan, &c->region, &c->quota);
	}
	events_init(&ev, seed, clients);

	hp_section_begin(&sec);
	for (size_t e = 0; e < n; e++) {
		struct client *c = client_find(&t, events_next(&ev));

		if (!c) {
			verdict[e] = VERDICT_REJECT;
			rejected++;
		} else if (++c->hits == c->quota) {
			verdict[e] = VERDICT_ALERT;
			alerts++;
			alert_digest(d, c->key, c->name, c->email, c->created, c->plan);
		} else {
			verdict[e] = VERDICT_ALLOW;
		}
	}
	hp_section_end(&sec, n);
	hp_section_report(&sec);

	hp_digest_bytes(d, verdict, n);
	printf("clients %zu rejected %llu alerts %llu\n", clients, (unsigned long long)rejected,
	       (unsigned long long)alerts);
	free(verdict);
	free(t.slot);
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct hp_digest d;
	char hex[17];

	hp_opts_parse(&opt, argc, argv, "mode,passes");
	const char *mode = hp_opts_str(&opt, "mode", "padding");
	uint64_t passes = hp_opts_u64(&opt, "passes", 1);

	/* The largest record is 128 bytes; a table has 10/7 slots per client. */
	if (opt.size > SIZE_MAX / 256 || (passes && opt.size > UINT64_MAX / passes))
		hp_die("--size %llu (with --passes %llu) is too large", (unsigned long long)opt.size,
		       (unsigned long long)passes);
	size_t n = (size_t)opt.size;

	hp_digest_init(&d);
	if (!strcmp(mode, "padding"))
		run_padding(opt.seed, n, passes, &d);
	else if (!strcmp(mode, "soa"))
		run_soa(opt.seed, n, passes, &d);
	else if (!strcmp(mode, "hotcold"))
		run_hotcold(opt.seed, n, &d);
	else
		hp_die("unknown --mode '%s' (expected padding, soa or hotcold)", mode);

	hp_digest_hex(&d, hex);
	printf("digest %s %s %zu\n", hex, mode, n);
	return 0;
}
