/*
 * Chapter 04, optimized variant: records laid out for the loops that read
 * them.
 *
 * The same three cases as naive.c (workload.h), the same data, the same
 * loops; only where the bytes sit in memory changed:
 *
 *   padding  struct sample lists its fields from the largest to the
 *            smallest. Every field still starts at a multiple of its size,
 *            but none needs padding before it any more: 24 bytes instead
 *            of 40, so a 64-byte cache line holds 2.67 samples instead of
 *            1.6, and a scan of the buffer fetches 40% fewer lines.
 *   soa      the orders are stored as a structure of arrays: one array per
 *            field. The report that sums the amounts reads the amount
 *            array only, 8 bytes per order, where the naive array of
 *            structs made it fetch the whole 64-byte order for them: one
 *            line per eight orders instead of one per order.
 *   hotcold  the client table is split in two parallel arrays with the
 *            same slots: the hot fields that every lookup touches (key,
 *            quota, count: 16 bytes, four slots to a line) and the cold
 *            ones that only an alert reads (name, email, ...: 112 bytes).
 *            A probe sequence now usually stays within one line, and
 *            the hot array is an eighth of the naive table, so far more
 *            of it stays in the caches.
 *
 * What it costs: a struct of arrays and a hot/cold split give up the
 * convenience of one pointer per record (a record is now an index into
 * several arrays, and adding a field means adding an array), and the
 * field order of struct sample no longer reads like a sentence. Both are
 * worth it only for data that is scanned or probed in bulk, as here; the
 * layout excerpt of `make chapter4-profile` shows sizes and offsets.
 */
#include <assert.h>
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
 * A telemetry sample, its fields from the largest to the smallest. Each
 * field's offset is then a multiple of its size without any padding, and
 * the struct's size, 24, a multiple of its alignment, 8: no byte wasted.
 */
struct sample {
	int64_t time;
	double value;
	uint32_t sensor;
	uint16_t channel;
	uint8_t kind;
	uint8_t flags;
};

/* The layout is the point of this struct: a field added in the wrong place must not pass unnoticed. */
static_assert(sizeof(struct sample) == 24, "struct sample has padding again");

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

/*
 * The orders as a structure of arrays: field f of order i is in f[i]. Each
 * array starts on a cache line of its own, so a scan of one field fetches
 * only that field's lines.
 */
struct order_columns {
	uint64_t *id;
	uint64_t *customer;
	int64_t *created;
	int64_t *amount;
	char (*sku)[16];
	uint32_t *quantity;
	uint32_t *warehouse;
	uint32_t *status;
	uint32_t *coupon;
};

static void columns_init(struct order_columns *t, size_t n)
{
	t->id = line_aligned_array(n, sizeof *t->id);
	t->customer = line_aligned_array(n, sizeof *t->customer);
	t->created = line_aligned_array(n, sizeof *t->created);
	t->amount = line_aligned_array(n, sizeof *t->amount);
	t->sku = line_aligned_array(n, sizeof *t->sku);
	t->quantity = line_aligned_array(n, sizeof *t->quantity);
	t->warehouse = line_aligned_array(n, sizeof *t->warehouse);
	t->status = line_aligned_array(n, sizeof *t->status);
	t->coupon = line_aligned_array(n, sizeof *t->coupon);
}

static void columns_set(struct order_columns *t, size_t i, const struct order *o)
{
	t->id[i] = o->id;
	t->customer[i] = o->customer;
	t->created[i] = o->created;
	t->amount[i] = o->amount;
	memcpy(t->sku[i], o->sku, sizeof t->sku[i]);
	t->quantity[i] = o->quantity;
	t->warehouse[i] = o->warehouse;
	t->status[i] = o->status;
	t->coupon[i] = o->coupon;
}

static void columns_release(struct order_columns *t)
{
	free(t->id);
	free(t->customer);
	free(t->created);
	free(t->amount);
	free(t->sku);
	free(t->quantity);
	free(t->warehouse);
	free(t->status);
	free(t->coupon);
}

static void run_soa(uint64_t seed, size_t n, uint64_t passes, struct hp_digest *d)
{
	struct order_report *rep = line_aligned_array(passes, sizeof *rep);
	struct order_columns o;
	struct hp_section sec;
	struct hp_rng r;

	columns_init(&o, n);
	hp_rng_init(&r, seed);
	for (size_t i = 0; i < n; i++) {
		struct order row;

		order_draw(&r, i, &row);
		columns_set(&o, i, &row);
	}

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
			int64_t a = o.amount[i];

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
	columns_release(&o);
}

/* ------------------------------------------------------------ hotcold case */

/*
 * An API client, split by how often its fields are used. The hot part is
 * what every lookup reads or writes: the key it compares, the quota and
 * the count. 16 bytes, four slots to a cache line.
 */
struct client_hot {
	uint64_t key; /* 0: an empty slot */
	uint32_t quota;
	uint32_t hits;
};

static_assert(sizeof(struct client_hot) == 16, "four hot slots no longer fit in a cache line");

/* The cold part: what only an alert reads. 112 bytes. */
struct client_cold {
	char name[CLIENT_NAME_LEN];
	char email[CLIENT_EMAIL_LEN];
	int64_t created;
	uint32_t plan;
	uint32_t region;
};

/*
 * An open-addressing hash table with linear probing; slots with key 0 are
 * empty. Slot i of the table is hot[i] and cold[i]: the probes run over
 * hot[] only, and cold[] is read for the one slot that needs it.
 */
struct client_table {
	struct client_hot *hot;
	struct client_cold *cold;
	size_t cap;
};

/* Insert a key (absent from the table) and return its slot's index. */
static size_t client_insert(struct client_table *t, uint64_t key)
{
	size_t i = key % t->cap;

	while (t->hot[i].key)
		i = i + 1 == t->cap ? 0 : i + 1;
	t->hot[i].key = key;
	return i;
}

/* The slot of key, or t->cap when the key is not in the table. */
static size_t client_find(const struct client_table *t, uint64_t key)
{
	size_t i = key % t->cap;

	while (t->hot[i].key != key) {
		if (!t->hot[i].key)
			return t->cap;
		i = i + 1 == t->cap ? 0 : i + 1;
	}
	return i;
}

static void run_hotcold(uint64_t seed, size_t n, struct hp_digest *d)
{
	size_t clients = n / EVENTS_PER_CLIENT ? n / EVENTS_PER_CLIENT : 1;
	uint64_t base = clients_base(seed), rejected = 0, alerts = 0;
	struct client_table t = {NULL, NULL, table_capacity(clients)};
	unsigned char *verdict = line_aligned_array(n, 1);
	struct hp_section sec;
	struct events ev;
	struct hp_rng r;

	t.hot = line_aligned_array(t.cap, sizeof *t.hot);
	t.cold = line_aligned_array(t.cap, sizeof *t.cold);
	memset(t.hot, 0, t.cap * sizeof *t.hot);
	memset(t.cold, 0, t.cap * sizeof *t.cold);
	hp_rng_init(&r, seed);
	for (size_t i = 0; i < clients; i++) {
		size_t k = client_insert(&t, client_key(base, i));
		struct client_cold *c = &t.cold[k];

		client_draw(&r, c->name, c->email, &c->created, &c->plan, &c->region, &t.hot[k].quota);
	}
	events_init(&ev, seed, clients);

	hp_section_begin(&sec);
	for (size_t e = 0; e < n; e++) {
		size_t k = client_find(&t, events_next(&ev));

		if (k == t.cap) {
			verdict[e] = VERDICT_REJECT;
			rejected++;
		} else if (++t.hot[k].hits == t.hot[k].quota) {
			const struct client_cold *c = &t.cold[k];

			verdict[e] = VERDICT_ALERT;
			alerts++;
			alert_digest(d, t.hot[k].key, c->name, c->email, c->created, c->plan);
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
	free(t.hot);
	free(t.cold);
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
