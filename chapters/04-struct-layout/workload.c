/*
 * The data of chapter 04 (see workload.h): telemetry samples, shop orders
 * and API clients, drawn from the seed, and the few helpers both variants
 * share. Nothing here runs in a timed section except events_next() and
 * alert_digest(), which cost the same in both variants.
 *
 * The distributions only need to look plausible; what matters to the
 * lesson is the size of the records and the pattern of access, which the
 * variants decide. Two choices do matter: the samples' alert rate is kept
 * at a few percent, so that the branch that raises an alert is well
 * predicted and the scan is limited by memory, not by mispredictions; and
 * client keys are well-mixed 64-bit numbers, so the hash table needs no
 * hash function of its own and its probe sequences are the same in both
 * variants.
 */
#include <stdlib.h>
#include <string.h>

#include "hp/xalloc.h"

#include "workload.h"

/* ----------------------------------------------------------------- padding */

/* A typical value and the width of its range, per kind. */
static const double kind_base[SAMPLE_KINDS] = {21.5, 45.0, 1013.0, 3.3, 0.8, 120.0, 400.0, 60.0};
static const double kind_spread[SAMPLE_KINDS] = {12.0, 40.0, 30.0, 0.4, 0.6, 80.0, 300.0, 25.0};

void sample_draw(struct hp_rng *r, uint64_t i, int64_t *time, double *value, uint32_t *sensor,
                 uint16_t *channel, uint8_t *kind, uint8_t *flags)
{
	/* One draw gives the small fields, a second the value: the set-up of a large run stays short. */
	uint64_t bits = hp_rng_next(r);
	uint8_t k = bits & (SAMPLE_KINDS - 1);

	/* About four samples a millisecond, in time order: sample i falls in the i-th 256 us. */
	*time = (int64_t)(i * 256 + (bits >> 3 & 255));
	*kind = k;
	*value = kind_base[k] + (hp_rng_double(r) - 0.5) * kind_spread[k];
	*sensor = (uint32_t)(bits >> 11 & 0xfffff);
	*channel = (uint16_t)(bits >> 31 & 63);
	/* Other flag bits (calibrated, battery low, ...) vary too; only SAMPLE_VALID is read. */
	*flags = (uint8_t)((bits >> 37 & 7) << 1 | ((bits >> 40 & 31) != 0 ? SAMPLE_VALID : 0));
}

void sample_limits(double limit[SAMPLE_KINDS], uint64_t pass)
{
	/*
	 * Values are uniform over base +- spread/2: a limit at base + 0.46 spread
	 * passes 4% of them, one at base + 0.495 spread 0.5%.
	 */
	double level = 0.46 + 0.005 * (double)(pass % 8);

	for (int k = 0; k < SAMPLE_KINDS; k++)
		limit[k] = kind_base[k] + level * kind_spread[k];
}

void alerts_digest(struct hp_digest *d, const struct alert *a, size_t n)
{
	uint64_t h = n;

	/*
	 * A multiply-add hash of the log, folded into the digest once: a few
	 * instructions per alert, so that the scan, not the bookkeeping of its
	 * alerts, is what the padding case measures.
	 */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint64_t)a[i].time) * 0x9e3779b97f4a7c15u + a[i].where;
	hp_digest_u64(d, h);
}

/* ---------------------------------------------------------------------- soa */

void order_draw(struct hp_rng *r, uint64_t i, struct order *o)
{
	uint64_t a = hp_rng_next(r), b = hp_rng_next(r), sku = hp_rng_next(r);

	memset(o, 0, sizeof *o);
	o->id = 1000000 + i;
	o->customer = a % 500000;
	o->created = 1700000000000 + (int64_t)(i * 137 + (a >> 20) % 1000);
	/* Most orders are small; one in four is between 200 and 5000 units of currency. */
	if (b & 3)
		o->amount = 99 + (int64_t)((b >> 2) % 20000);
	else
		o->amount = 20000 + (int64_t)((b >> 2) % 480000);
	memcpy(o->sku, "SKU-", 4);
	for (int k = 0; k < 8; k++, sku >>= 4)
		o->sku[4 + k] = "0123456789abcdef"[sku & 15];
	o->quantity = 1 + (uint32_t)((b >> 24) % 5);
	o->warehouse = (uint32_t)((b >> 32) % 40);
	o->status = (uint32_t)((b >> 40) % 6);
	o->coupon = (b >> 48) % 10 ? 0 : 1 + (uint32_t)((a >> 40) % 500);
}

int64_t order_threshold(uint64_t pass)
{
	return 500 + (int64_t)(pass * 7919 % 40000);
}

void reports_digest(struct hp_digest *d, const struct order_report *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		hp_digest_u64(d, r[i].count);
		hp_digest_u64(d, (uint64_t)r[i].sum);
	}
}

/* ------------------------------------------------------------------ hotcold */

/* MurmurHash3's finalizer: a bijection of the 64-bit numbers that maps 0 to 0 only. */
static uint64_t fmix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdu;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53u;
	x ^= x >> 33;
	return x;
}

uint64_t clients_base(uint64_t seed)
{
	struct hp_rng r;

	hp_rng_init(&r, seed ^ 0x636c69656e7473u);
	/* Below 2^62, so base + i + 1 never wraps to 0 for any i below 2^32. */
	return hp_rng_next(&r) >> 2;
}

uint64_t client_key(uint64_t base, uint64_t i)
{
	return fmix64(base + i + 1);
}

size_t table_capacity(size_t n)
{
	if (n > SIZE_MAX / 4)
		hp_die("table_capacity: %zu clients are too many", n);
	return n + n * 3 / 7 + 1;
}

static const char *const name_first[] = {"Blue",  "North",  "Silver", "Quiet", "Rapid", "Golden",
                                         "Urban", "Bright", "Cedar",  "Iron",  "Coral", "Summit"};
static const char *const name_second[] = {"Harbor", "Pine",    "Falcon", "River", "Stone",  "Meadow",
                                          "Bridge", "Lantern", "Orbit",  "Maple", "Anchor", "Forge"};
static const char *const name_third[] = {"Analytics", "Logistics", "Labs",   "Studio",
                                         "Systems",   "Foods",     "Health", "Media"};

/* Append s at p and return the new end. */
static char *put(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *put_u32(char *p, uint32_t v)
{
	char tmp[10];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	return p;
}

#define COUNT(a) (sizeof(a) / sizeof *(a))

void client_draw(struct hp_rng *r, char name[CLIENT_NAME_LEN], char email[CLIENT_EMAIL_LEN], int64_t *created,
                 uint32_t *plan, uint32_t *region, uint32_t *quota)
{
	uint64_t a = hp_rng_next(r), b = hp_rng_next(r);
	const char *first = name_first[a % COUNT(name_first)];
	const char *second = name_second[(a >> 8) % COUNT(name_second)];
	const char *third = name_third[(a >> 16) % COUNT(name_third)];
	uint32_t number = (uint32_t)((a >> 24) % 10000);
	char *p;

	/* The longest name is 29 bytes and the longest email 41: both arrays keep their NUL. */
	memset(name, 0, CLIENT_NAME_LEN);
	p = put(put(put(put(put(name, first), " "), second), " "), third);
	put_u32(put(p, " "), number);
	memset(email, 0, CLIENT_EMAIL_LEN);
	p = put_u32(put(email, "api-admin+"), number);
	put(put(put(put(put(p, "@"), first), "-"), second), ".example.com");
	*created = 1600000000000 + (int64_t)(b % 100000000000);
	*plan = (uint32_t)((a >> 40) % 4);
	*region = (uint32_t)((a >> 48) % 12);
	*quota = 1 + (uint32_t)((b >> 40) % CLIENT_QUOTA_MAX);
}

void events_init(struct events *e, uint64_t seed, size_t clients)
{
	hp_rng_init(&e->rng, seed ^ 0x6576656e7473u);
	e->base = clients_base(seed);
	e->known = clients;
	/* Client numbers from clients on are in no table: one event in nine is unknown. */
	e->all = clients + clients / 8 + 1;
}

uint64_t events_next(struct events *e)
{
	return client_key(e->base, hp_rng_below(&e->rng, e->all));
}

void alert_digest(struct hp_digest *d, uint64_t key, const char *name, const char *email, int64_t created,
                  uint32_t plan)
{
	hp_digest_u64(d, key);
	hp_digest_bytes(d, name, strnlen(name, CLIENT_NAME_LEN));
	hp_digest_bytes(d, email, strnlen(email, CLIENT_EMAIL_LEN));
	hp_digest_u64(d, (uint64_t)created);
	hp_digest_u64(d, plan);
}

/* ------------------------------------------------------------------- memory */

void *line_aligned_array(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (size && n > SIZE_MAX / size - 64)
		hp_die("line_aligned_array: %zu elements of %zu bytes overflow", n, size);
	/* aligned_alloc wants a multiple of the alignment; an empty array still gets a line. */
	bytes = (n * size + 63) / 64 * 64;
	p = aligned_alloc(64, bytes ? bytes : 64);
	if (!p)
		hp_die("out of memory (%zu bytes)", bytes);
	return p;
}
