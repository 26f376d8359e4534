/*
 * The usage aggregator of chapter 03 (see workload.h): the account table,
 * the access log, the accounting of one line and the usage report, which the
 * three variants share. None of it allocates except tenants_init() and
 * log_init(), which run before the timed section.
 *
 * The log looks like a real gateway's: mostly GETs, the paths of a REST API
 * with numeric ids and now and then a query string, the status codes of a
 * healthy service (a few 4xx, rare 5xx), response sizes from nothing to tens
 * of kilobytes, the user agents of SDKs, tools and browsers, and request
 * times of milliseconds with a long tail. Lines are about 170 bytes long on
 * average, 300 at most.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/prng.h"
#include "hp/xalloc.h"

#include "workload.h"

/* ------------------------------------------------------------------ tenants */

/* 32 x 32 name pairs; beyond 1024 tenants, a suffix "-2", "-3"... tells them apart. */
static const char *const adjectives[32] = {
    "amber",  "arctic",  "azure",  "bold",   "brisk", "calm",  "cedar",  "clever",
    "coral",  "crimson", "daring", "dusty",  "eager", "early", "fancy",  "gentle",
    "golden", "granite", "hidden", "humble", "ivory", "jolly", "lively", "lunar",
    "mellow", "misty",   "noble",  "polar",  "quiet", "rapid", "silver", "swift",
};

static const char *const nouns[32] = {
    "anchor", "badger", "beacon",  "bison",  "canyon",  "comet",  "falcon", "fjord",
    "garden", "harbor", "heron",   "island", "lantern", "maple",  "meadow", "meteor",
    "orchid", "otter",  "pebble",  "pine",   "prairie", "quarry", "raven",  "reef",
    "river",  "summit", "thicket", "tiger",  "tundra",  "valley", "willow", "zephyr",
};

void tenants_init(struct tenant_table *tt, size_t n, uint64_t seed)
{
	uint16_t pick[TENANTS_MAX];
	struct hp_rng rng;

	if (n == 0 || n > TENANTS_MAX)
		hp_die("--tenants %zu: expected 1 to %d", n, TENANTS_MAX);
	/* A stream of its own, so that the log's draws do not depend on the names'. */
	hp_rng_init(&rng, seed ^ 0x74656e616e7473u);
	/* Names without a suffix while there are enough of them. */
	size_t names = n <= 1024 ? 1024 : TENANTS_MAX;

	for (size_t i = 0; i < names; i++)
		pick[i] = (uint16_t)i;
	tt->t = hp_xcalloc(n, sizeof *tt->t);
	tt->n = n;
	for (size_t i = 0; i < n; i++) {
		/* A partial Fisher-Yates shuffle: n distinct names. */
		size_t j = i + (size_t)hp_rng_below(&rng, names - i);
		uint16_t k = pick[j];

		pick[j] = pick[i];
		pick[i] = k;
		if (k < 1024)
			snprintf(tt->t[i].name, TENANT_NAME_MAX, "%s-%s", adjectives[k % 32], nouns[k / 32]);
		else
			snprintf(tt->t[i].name, TENANT_NAME_MAX, "%s-%s-%d", adjectives[k % 32],
			         nouns[k / 32 % 32], k / 1024 + 1);
	}
}

void tenants_release(struct tenant_table *tt)
{
	free(tt->t);
	tt->t = NULL;
	tt->n = 0;
}

/* ---------------------------------------------------------------------- log */

/*
 * A line of the log is one of CORPUS_SIZE distinct requests (a client's
 * address and the text after the timestamp), drawn at random, with its
 * tenant and the clock. Storing only those draws, four bytes a line, keeps
 * the log small whatever its length. A 200000-line log written out is
 * 34 MB, and on this project's VM the page faults of writing it once took
 * about as long as the naive aggregator takes to read it: the set-up was a
 * third of the samples in perf's profile, which covers the whole run.
 */
#define CORPUS_SIZE 1024

/* Bounds of an address and of a request's text, NUL included. */
#define ADDR_MAX    16
#define REQUEST_MAX 320

/* Requests per second of the log's clock. */
#define LINES_PER_SECOND 50

_Static_assert(ADDR_MAX + 3 + TENANT_NAME_MAX + 1 + 32 + 1 + REQUEST_MAX <= LINE_MAX_BYTES,
               "a line (address, \" - \", name, \" \", timestamp, \" \", request) fits in LINE_MAX_BYTES");

static const char *const resources[] = {
    "orders", "customers", "products", "invoices", "carts", "payments", "shipments", "webhooks",
};

static const char *const subresources[] = {"items", "events", "notes", "refunds"};

static const char *const user_agents[] = {
    "curl/8.5.0",
    "Go-http-client/2.0",
    "python-requests/2.31.0",
    "okhttp/4.12.0",
    "acme-sdk-node/3.4.1 node/20.11.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.3 Safari/605.1.15",
};

struct gen {
	struct hp_rng *rng;
	char *p;
};

static void put(struct gen *g, const char *s)
{
	size_t n = strlen(s);

	memcpy(g->p, s, n);
	g->p += n;
}

static void put_u64(struct gen *g, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*g->p++ = tmp[--n];
}

/* v as two digits, as in a timestamp. */
static void put_2(struct gen *g, unsigned v)
{
	*g->p++ = (char)('0' + v / 10 % 10);
	*g->p++ = (char)('0' + v % 10);
}

static uint64_t below(struct gen *g, uint64_t bound)
{
	return hp_rng_below(g->rng, bound);
}

static int chance(struct gen *g, unsigned percent)
{
	return hp_rng_below(g->rng, 100) < percent;
}

/* The client: an address inside the tenant's network (over a VPN), or a public one. */
static void generate_addr(struct gen *g)
{
	if (chance(g, 70)) {
		put(g, "10.");
		put_u64(g, below(g, 256));
		*g->p++ = '.';
		put_u64(g, below(g, 256));
		*g->p++ = '.';
	} else {
		put(g, chance(g, 50) ? "198.51.100." : "203.0.113.");
	}
	put_u64(g, 1 + below(g, 254));
}

/* What follows the timestamp: "request" status bytes "referer" "user agent" request_time. */
static void generate_request(struct gen *g)
{
	/* Out of 100: 70 GET, 14 POST, 6 PUT, 4 DELETE, 3 PATCH, 3 HEAD. */
	static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"};
	static const unsigned char method_cut[] = {70, 84, 90, 94, 97, 100};
	unsigned roll = (unsigned)below(g, 100), m = 0;

	while (roll >= method_cut[m])
		m++;
	*g->p++ = '"';
	put(g, methods[m]);
	put(g, " /v1/");
	put(g, resources[below(g, sizeof resources / sizeof *resources)]);
	if (m != 1 || chance(g, 30)) {
		*g->p++ = '/';
		put_u64(g, 1 + below(g, 999999));
		if (chance(g, 20)) {
			*g->p++ = '/';
			put(g, subresources[below(g, sizeof subresources / sizeof *subresources)]);
		}
	}
	if (m == 0 && chance(g, 25)) {
		put(g, "?page=");
		put_u64(g, 1 + below(g, 40));
		put(g, "&limit=50");
	}
	put(g, " HTTP/1.1\" ");

	/* The status of a healthy service: a few client errors, rare server errors. */
	static const unsigned short errors[] = {400, 401, 403, 404, 404, 404, 409, 429, 500, 502, 503, 504};
	unsigned status;
	roll = (unsigned)below(g, 1000);
	if (roll < 60)
		status = errors[roll < 52 ? roll % 8 : 8 + roll % 4];
	else if (m == 0 && roll < 110)
		status = 304;
	else if (m == 1)
		status = 201;
	else if (m == 3)
		status = 204;
	else
		status = 200;
	put_u64(g, status);
	*g->p++ = ' ';

	/* Bytes: none for 204, 304 and HEAD; small for writes and errors; up to 48 KiB for reads. */
	uint64_t bytes;
	if (status == 204 || status == 304 || m == 5)
		bytes = 0;
	else if (status >= 400 || m != 0)
		bytes = 40 + below(g, 400);
	else
		bytes = 200 + (chance(g, 10) ? below(g, 48 * 1024) : below(g, 6000));
	put_u64(g, bytes);

	if (chance(g, 85)) {
		put(g, " \"-\" \"");
	} else {
		put(g, " \"https://dashboard.example.com/");
		put(g, resources[below(g, sizeof resources / sizeof *resources)]);
		put(g, "\" \"");
	}
	put(g, user_agents[below(g, sizeof user_agents / sizeof *user_agents)]);
	put(g, "\" ");

	/* nginx's $request_time: seconds with three decimals; milliseconds with a long tail. */
	uint64_t ms = 1 + below(g, 40);
	if (chance(g, 5))
		ms += below(g, 2000);
	put_u64(g, ms / 1000);
	*g->p++ = '.';
	*g->p++ = (char)('0' + ms / 100 % 10);
	put_2(g, (unsigned)(ms % 100));
}

/*
 * The log's clock, "[12/Mar/2024:10:15:32 +0000]" for the given second after
 * 2024-03-12 10:00:00. The days run past the month's end without rolling
 * over, which would take more than 80 million lines.
 */
static void put_time(struct gen *g, uint64_t second)
{
	uint64_t s = 10 * 3600 + second;

	*g->p++ = '[';
	put_u64(g, 12 + s / 86400);
	put(g, "/Mar/2024:");
	put_2(g, (unsigned)(s / 3600 % 24));
	*g->p++ = ':';
	put_2(g, (unsigned)(s / 60 % 60));
	*g->p++ = ':';
	put_2(g, (unsigned)(s % 60));
	put(g, " +0000]");
}

/*
 * The corpus: CORPUS_SIZE addresses and requests, entry k at buf + off[k],
 * len[k] bytes long; and the length of each tenant's name, so that writing a
 * line never needs strlen().
 */
struct log_corpus {
	char buf[CORPUS_SIZE * (ADDR_MAX + REQUEST_MAX)];
	uint32_t off[2 * CORPUS_SIZE]; /* address k is entry 2k, request k is entry 2k + 1 */
	uint16_t len[2 * CORPUS_SIZE];
	uint16_t name_len[TENANTS_MAX];
};

static void corpus_init(struct log_corpus *c, struct hp_rng *rng)
{
	struct gen g = {rng, c->buf};

	for (size_t k = 0; k < 2 * CORPUS_SIZE; k++) {
		char *start = g.p;

		if (k % 2 == 0)
			generate_addr(&g);
		else
			generate_request(&g);
		c->off[k] = (uint32_t)(start - c->buf);
		c->len[k] = (uint16_t)(g.p - start);
		if (c->len[k] >= (k % 2 == 0 ? ADDR_MAX : REQUEST_MAX))
			hp_die("corpus_init: entry %zu is %u bytes long", k, c->len[k]);
	}
}

void log_init(struct access_log *log, size_t n, const struct tenant_table *tt, uint64_t seed)
{
	struct hp_rng rng;
	uint64_t *cum = hp_xmalloc_array(tt->n, sizeof *cum);
	uint32_t *rank = hp_xmalloc_array(tt->n, sizeof *rank);
	uint64_t total = 0;

	hp_rng_init(&rng, seed);
	log->corpus = hp_xmalloc(sizeof *log->corpus);
	corpus_init(log->corpus, &rng);
	/*
	 * Popularity: the tenant of rank r (0 = the busiest) sends a share of the
	 * traffic proportional to 1 / (r + 8), a Zipf-Mandelbrot law; the ranks
	 * are shuffled over the table, so the busiest tenants are anywhere in it.
	 */
	for (size_t i = 0; i < tt->n; i++)
		rank[i] = (uint32_t)i;
	for (size_t i = tt->n; i > 1; i--) {
		size_t j = (size_t)hp_rng_below(&rng, i);
		uint32_t r = rank[j];

		rank[j] = rank[i - 1];
		rank[i - 1] = r;
	}
	for (size_t i = 0; i < tt->n; i++) {
		total += 1000000 / (rank[i] + 8);
		cum[i] = total;
		log->corpus->name_len[i] = (uint16_t)strlen(tt->t[i].name);
	}

	log->tt = tt;
	log->n = n;
	log->request = hp_xmalloc_array(n ? n : 1, sizeof *log->request);
	log->tenant = hp_xmalloc_array(n ? n : 1, sizeof *log->tenant);
	for (size_t i = 0; i < n; i++) {
		uint64_t u = hp_rng_below(&rng, total);
		size_t lo = 0, hi = tt->n - 1;

		/* The first tenant whose cumulative weight exceeds u. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (cum[mid] > u)
				hi = mid;
			else
				lo = mid + 1;
		}
		log->tenant[i] = (uint16_t)lo;
		log->request[i] = (uint16_t)hp_rng_below(&rng, CORPUS_SIZE);
	}
	free(rank);
	free(cum);
}

void log_release(struct access_log *log)
{
	free(log->corpus);
	free(log->request);
	free(log->tenant);
	log->corpus = NULL;
	log->request = log->tenant = NULL;
	log->n = 0;
}

/* ------------------------------------------------------------- the reader */

static void reader_set_clock(struct log_reader *r, uint64_t second)
{
	struct gen g = {NULL, r->now};

	put_time(&g, second);
	r->second = second;
	r->now_len = (size_t)(g.p - r->now);
}

void log_reader_init(struct log_reader *r, const struct access_log *log)
{
	r->log = log;
	r->lines = 0;
	reader_set_clock(r, 0);
}

static char *append(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

const char *log_next(struct log_reader *r)
{
	const struct access_log *log = r->log;
	const struct log_corpus *c = log->corpus;
	size_t i = r->lines;

	if (i >= log->n)
		return NULL;
	if (i / LINES_PER_SECOND != r->second)
		reader_set_clock(r, i / LINES_PER_SECOND);

	size_t a = 2 * (size_t)log->request[i], t = log->tenant[i];
	char *p = r->line;

	p = append(p, c->buf + c->off[a], c->len[a]);
	p = append(p, " - ", 3);
	p = append(p, log->tt->t[t].name, c->name_len[t]);
	p = append(p, " ", 1);
	p = append(p, r->now, r->now_len);
	p = append(p, " ", 1);
	p = append(p, c->buf + c->off[a + 1], c->len[a + 1]);
	*p = '\0';
	r->lines++;
	return r->line;
}

/* ------------------------------------------------- accounting and the report */

void tenant_account(struct tenant *t, const struct log_entry *e)
{
	const char *m = e->method;

	t->requests++;
	t->writes += strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
	t->errors += e->status >= 500 && e->status <= 599;
	t->bytes += e->bytes;
	t->time_ms += e->time_ms;
}

size_t report_write(const struct tenant_table *tt, struct hp_digest *d)
{
	char line[160];
	size_t lines = 0;

	for (size_t i = 0; i < tt->n; i++) {
		const struct tenant *t = &tt->t[i];

		if (!t->requests)
			continue;
		/* The mean request time in milliseconds, with one decimal, rounded down. */
		uint64_t tenths = t->time_ms * 10 / t->requests;
		int len = snprintf(
		    line, sizeof line,
		    "%-24s requests %8llu writes %7llu errors %5llu bytes %12llu mean_ms %llu.%llu\n",
		    t->name, (unsigned long long)t->requests, (unsigned long long)t->writes,
		    (unsigned long long)t->errors, (unsigned long long)t->bytes,
		    (unsigned long long)(tenths / 10), (unsigned long long)(tenths % 10));
		hp_digest_bytes(d, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
		lines++;
	}
	return lines;
}
