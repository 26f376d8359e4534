/*
 * The echo service of chapter 01 (see workload.h): request generation,
 * framing, parsing and the response, which both variants share. None of it
 * allocates except corpus_init(), which runs before the timed section.
 *
 * The generated heads look like a browser's or an API client's: a handful of
 * short headers and a few long ones (a bearer token, cookies), so most heads
 * are between half a kilobyte and two. Bodies of POST, PUT and PATCH
 * requests are up to BODY_MAX bytes, and one raw request of the corpus is an
 * upload of up to UPLOAD_MAX bytes. These sizes put more than half of the
 * heads, most bodies and most responses above the 1032 bytes that glibc's
 * tcache serves, which is what the lesson is about. They all stay below
 * glibc's mmap threshold (128 KiB), where every malloc and free would be a
 * system call (until glibc's dynamic threshold rises after the first such
 * free).
 *
 * The parser is strict and small: it only accepts what a well-behaved client
 * sends, and it dies with a message naming the problem otherwise, since the
 * corpus is generated and a malformed request means a bug here.
 */
#include <string.h>
#include <strings.h>
#include <stdlib.h>

#include "hp/xalloc.h"

#include "workload.h"

/* ---------------------------------------------------------------- generation */

static const char *const resources[] = {
    "orders", "customers", "products", "invoices", "carts", "sessions", "reviews", "shipments",
};

static const char *const user_agents[] = {
    "curl/7.88.1",
    "okhttp/4.12.0",
    "python-requests/2.31.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
};

static const char *const accepts[] = {
    "*/*",
    "application/json",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
};

static const char token_chars[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

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

/* n characters of a base64url token; one draw of the generator gives ten. */
static void put_token(struct gen *g, size_t n)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < n; i++) {
		if (i % 10 == 0)
			bits = hp_rng_next(g->rng);
		*g->p++ = token_chars[bits & 63];
		bits >>= 6;
	}
}

static void put_hex(struct gen *g, size_t n)
{
	uint64_t bits = hp_rng_next(g->rng);

	for (size_t i = 0; i < n; i++, bits >>= 4)
		*g->p++ = "0123456789abcdef"[bits & 15];
}

/* A number in [lo, hi]. */
static size_t draw(struct gen *g, size_t lo, size_t hi)
{
	return lo + (size_t)hp_rng_below(g->rng, hi - lo + 1);
}

static int chance(struct gen *g, unsigned percent)
{
	return hp_rng_below(g->rng, 100) < percent;
}

static void put_header_token(struct gen *g, const char *name, size_t lo, size_t hi)
{
	put(g, name);
	put(g, ": ");
	put_token(g, draw(g, lo, hi));
	put(g, "\r\n");
}

/* One raw request at g->p; upload makes it a POST with a body of UPLOAD_MIN..UPLOAD_MAX bytes. */
static void generate_request(struct gen *g, int upload)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH"};
	/* Out of 20: 11 GET, 5 POST, 2 PUT, 1 DELETE, 1 PATCH. */
	static const unsigned char method_of[20] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	                                            0, 1, 1, 1, 1, 1, 2, 2, 3, 4};
	unsigned m = upload ? 1 : method_of[hp_rng_below(g->rng, 20)];
	char *start = g->p;

	put(g, methods[m]);
	put(g, " /api/v1/");
	put(g, resources[hp_rng_below(g->rng, sizeof resources / sizeof *resources)]);
	if (m != 1) {
		put(g, "/");
		put_u64(g, hp_rng_below(g->rng, 100000));
	}
	if (m == 0 && chance(g, 50)) {
		put(g, "?page=");
		put_u64(g, draw(g, 1, 40));
		put(g, "&limit=50&q=");
		put_token(g, draw(g, 1, 40));
	}
	put(g, " HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: ");
	put(g, user_agents[hp_rng_below(g->rng, sizeof user_agents / sizeof *user_agents)]);
	put(g, "\r\nAccept: ");
	put(g, accepts[hp_rng_below(g->rng, sizeof accepts / sizeof *accepts)]);
	put(g, "\r\nAccept-Encoding: gzip, deflate, br\r\n");
	if (chance(g, 60))
		put(g, "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n");
	put(g, "X-Request-Id: ");
	put_hex(g, 16);
	put(g, "\r\n");
	if (chance(g, 60)) {
		/* A JSON Web Token with a few claims is several hundred characters. */
		put(g, "Authorization: Bearer ");
		put_token(g, draw(g, 200, 1000));
		put(g, "\r\n");
	}
	if (chance(g, 70)) {
		size_t pairs = draw(g, 1, 10);

		put(g, "Cookie: ");
		for (size_t i = 0; i < pairs; i++) {
			if (i)
				put(g, "; ");
			put_token(g, draw(g, 3, 12));
			put(g, "=");
			put_token(g, draw(g, 8, 120));
		}
		put(g, "\r\n");
	}
	if (chance(g, 30)) {
		put(g, "X-Forwarded-For: 203.0.113.");
		put_u64(g, draw(g, 1, 254));
		put(g, ", 10.0.");
		put_u64(g, draw(g, 0, 255));
		put(g, ".");
		put_u64(g, draw(g, 1, 254));
		put(g, "\r\n");
	}
	if (chance(g, 40)) {
		put(g, "Referer: https://app.example.com/");
		put_token(g, draw(g, 4, 60));
		put(g, "\r\n");
	}
	for (size_t i = 0, n = draw(g, 0, 4); i < n; i++) {
		static const char *const names[] = {"X-Trace-Parent", "X-Feature-Flags", "X-Client-Version",
		                                    "X-Tenant"};
		put_header_token(g, names[i], 8, 100);
	}

	size_t body = 0;
	if (upload)
		body = draw(g, UPLOAD_MIN, UPLOAD_MAX);
	else if (m == 1 || m == 2 || m == 4)
		body = draw(g, 32, BODY_MAX);
	if (body) {
		put(g, "Content-Type: application/octet-stream\r\nContent-Length: ");
		put_u64(g, body);
		put(g, "\r\n");
	}
	put(g, "\r\n");
	if ((size_t)(g->p - start) > HEAD_MAX)
		hp_die("generate_request: a head of %zu bytes exceeds HEAD_MAX", (size_t)(g->p - start));
	put_token(g, body);
}

void corpus_init(struct corpus *c, uint64_t seed)
{
	struct hp_rng rng;
	/* The bound of generate_request(): every head and body at its maximum, plus one upload. */
	c->buf = hp_xmalloc((size_t)CORPUS_SIZE * (HEAD_MAX + BODY_MAX) + UPLOAD_MAX);

	struct gen g = {&rng, c->buf};

	/* A stream of its own, so that the traffic's draws do not depend on the corpus's. */
	hp_rng_init(&rng, seed ^ 0x636f72707573u);
	for (size_t k = 0; k < CORPUS_SIZE; k++) {
		c->off[k] = (size_t)(g.p - c->buf);
		generate_request(&g, k == CORPUS_SIZE - 1);
	}
	c->off[CORPUS_SIZE] = (size_t)(g.p - c->buf);
}

void corpus_release(struct corpus *c)
{
	free(c->buf);
	c->buf = NULL;
}

void traffic_init(struct traffic *t, const struct corpus *c, uint64_t seed)
{
	hp_rng_init(&t->rng, seed);
	t->corpus = c;
}

struct arrival traffic_next(struct traffic *t)
{
	uint64_t x = hp_rng_next(&t->rng);
	size_t k = x & (CORPUS_SIZE - 1);
	const struct corpus *c = t->corpus;

	return (struct arrival){
	    .raw = c->buf + c->off[k],
	    .len = c->off[k + 1] - c->off[k],
	    .slot = (unsigned)((x >> 32) % INFLIGHT),
	};
}

/* ------------------------------------------------------------------- framing */

/* The line at p, up to but not including its "\r\n"; dies if there is none before end. */
static size_t line_len(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (!nl || nl == p || nl[-1] != '\r') {
		int shown = end - p > 60 ? 60 : (int)(end - p);

		hp_die("malformed request: a line without CRLF: '%.*s'", shown, p);
	}
	return (size_t)(nl - 1 - p);
}

static size_t parse_length(const char *p, size_t n)
{
	size_t v = 0;

	if (n == 0 || n > 9)
		hp_die("malformed request: Content-Length of %zu characters", n);
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			hp_die("malformed request: Content-Length '%.*s'", (int)n, p);
		v = v * 10 + (size_t)(p[i] - '0');
	}
	return v;
}

void wire_scan(const char *raw, size_t len, struct wire_info *w)
{
	const char *p = raw, *end = raw + len;

	w->head_len = 0;
	w->nheaders = 0;
	w->body_len = 0;
	p += line_len(p, end) + 2; /* the request line */
	for (;;) {
		size_t n = line_len(p, end);

		if (n == 0)
			break;
		/* The first letter rules out most lines before the comparison. */
		if (n > 16 && (p[0] | 0x20) == 'c' && !strncasecmp(p, "Content-Length: ", 16))
			w->body_len = parse_length(p + 16, n - 16);
		w->nheaders++;
		p += n + 2;
	}
	w->head_len = (size_t)(p + 2 - raw);
	if (w->body_len > len - w->head_len)
		hp_die("malformed request: Content-Length %zu, but %zu bytes follow the head", w->body_len,
		       len - w->head_len);
}

/* ------------------------------------------------------------------- parsing */

/* The decimal digits of v. */
static size_t digits(size_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

void request_parse(struct request *r, const char *raw, const struct wire_info *w)
{
	if (r->head_cap < w->head_len || r->headers_cap < w->nheaders || r->body_cap < w->body_len)
		hp_die("request_parse: buffers of %zu/%zu/%zu for a request of %zu/%zu/%zu", r->head_cap,
		       r->headers_cap, r->body_cap, w->head_len, w->nheaders, w->body_len);

	memcpy(r->head, raw, w->head_len);
	r->head_len = w->head_len;
	if (w->body_len) /* a request without a body may have no body buffer at all */
		memcpy(r->body, raw + w->head_len, w->body_len);
	r->body_len = w->body_len;

	const char *p = r->head, *end = r->head + r->head_len;
	size_t n = line_len(p, end);
	const char *sp1 = memchr(p, ' ', n);
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(p + n - sp1 - 1)) : NULL;

	if (!sp2)
		hp_die("malformed request line '%.*s'", (int)n, p);
	r->method = p;
	r->method_len = (uint32_t)(sp1 - p);
	r->path = sp1 + 1;
	r->path_len = (uint32_t)(sp2 - sp1 - 1);
	r->id = NULL;
	r->id_len = 0;

	/* The echo: "<method> <path>\n", one "<name>: <value>\n" per header, "\n", the body. */
	size_t echo = r->method_len + 1 + r->path_len + 1 + 1 + r->body_len;

	r->nheaders = 0;
	p += n + 2;
	while ((n = line_len(p, end)) != 0) {
		const char *colon = memchr(p, ':', n);

		if (!colon || colon == p)
			hp_die("malformed header '%.*s'", (int)n, p);
		const char *v = colon + 1, *vend = p + n;
		while (v < vend && *v == ' ')
			v++;

		struct header *h = &r->headers[r->nheaders++];
		h->name = p;
		h->name_len = (uint32_t)(colon - p);
		h->value = v;
		h->value_len = (uint32_t)(vend - v);
		if (h->name_len == 12 && !strncasecmp(h->name, "X-Request-Id", 12)) {
			r->id = h->value;
			r->id_len = h->value_len;
		}
		echo += h->name_len + 2 + h->value_len + 1;
		p += n + 2;
	}

	r->echo_len = echo;
	r->resp_len = 0;
	r->resp_size = sizeof "HTTP/1.1 200 OK\r\n" - 1 + sizeof "Content-Type: text/plain\r\n" - 1 +
	               sizeof "Content-Length: \r\n" - 1 + digits(echo) + sizeof "\r\n" - 1 + echo;
	if (r->id)
		r->resp_size += sizeof "X-Request-Id: \r\n" - 1 + r->id_len;
}

/* ------------------------------------------------------------------ response */

static char *out(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define OUT_LIT(p, s) out((p), (s), sizeof(s) - 1)

/*
 * A checksum of the response, over 8-byte words in four lanes, with a
 * running sum of the lanes so that moving a block changes it too. It costs
 * about three instructions per word, little next to what the lesson
 * measures; a byte-at-a-time digest would cost ten times as much and hide it.
 */
static uint64_t checksum(const char *p, size_t n)
{
	uint64_t a[4] = {0, 0, 0, 0}, b = 0, w[4];
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		memcpy(w, p + i, 32);
		a[0] += w[0];
		a[1] += w[1];
		a[2] += w[2];
		a[3] += w[3];
		b += a[0];
	}
	memset(w, 0, sizeof w);
	memcpy(w, p + i, n - i);
	for (int k = 0; k < 4; k++)
		b = (b ^ (a[k] + w[k])) * 0x100000001b3u;
	return b ^ n;
}

void request_respond(struct request *r, struct hp_digest *d)
{
	if (r->resp_cap < r->resp_size)
		hp_die("request_respond: a response buffer of %zu bytes for a response of %zu", r->resp_cap,
		       r->resp_size);

	char num[20], *p = r->resp;
	size_t nd = 0;

	p = OUT_LIT(p, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ");
	for (size_t v = r->echo_len; nd == 0 || v; v /= 10)
		num[nd++] = (char)('0' + v % 10);
	while (nd)
		*p++ = num[--nd];
	p = OUT_LIT(p, "\r\n");
	if (r->id) {
		p = OUT_LIT(p, "X-Request-Id: ");
		p = out(p, r->id, r->id_len);
		p = OUT_LIT(p, "\r\n");
	}
	p = OUT_LIT(p, "\r\n");

	p = out(p, r->method, r->method_len);
	*p++ = ' ';
	p = out(p, r->path, r->path_len);
	*p++ = '\n';
	for (size_t i = 0; i < r->nheaders; i++) {
		const struct header *h = &r->headers[i];

		p = out(p, h->name, h->name_len);
		p = OUT_LIT(p, ": ");
		p = out(p, h->value, h->value_len);
		*p++ = '\n';
	}
	*p++ = '\n';
	if (r->body_len)
		p = out(p, r->body, r->body_len);

	r->resp_len = (size_t)(p - r->resp);
	if (r->resp_len != r->resp_size)
		hp_die("request_respond: wrote %zu bytes, expected %zu", r->resp_len, r->resp_size);
	hp_digest_u64(d, r->resp_len);
	hp_digest_u64(d, checksum(r->resp, r->resp_len));
}

/* --------------------------------------------------------------- tiny case */

void route_parse(struct route *rt, const char *raw, size_t len, uint64_t seq)
{
	struct wire_info w;

	/* A router reads only the request line, but frames the request to know where the next begins. */
	wire_scan(raw, len, &w);

	const char *end = raw + w.head_len;
	const char *sp = memchr(raw, ' ', len);
	const char *p = sp ? sp + 1 : end;
	uint64_t h = 0xcbf29ce484222325u;

	if (!sp)
		hp_die("malformed request line");
	rt->method = (uint32_t)(unsigned char)raw[0] << 8 | (uint32_t)(unsigned char)raw[1];
	/* FNV-1a of the path without its query, the key a router looks up. */
	while (p < end && *p != ' ' && *p != '?') {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3u;
	}
	rt->path_hash = h;
	rt->path_len = (uint32_t)(p - sp - 1);
	rt->query_len = 0;
	while (p < end && *p != ' ') {
		rt->query_len++;
		p++;
	}
	rt->seq = seq;
	rt->deadline = seq + 4 * INFLIGHT;
	rt->status = 0;
}

void route_finish(struct route *rt, uint64_t now, struct hp_digest *d)
{
	/* A stand-in for the routing table: one path in seven is unknown, and a late request timed out. */
	if (now > rt->deadline)
		rt->status = 504;
	else
		rt->status = rt->path_hash % 7 == 0 ? 404 : 200;
	hp_digest_u64(d, rt->path_hash ^ (uint64_t)rt->status << 48 ^ (uint64_t)rt->method << 32 ^
	                     (uint64_t)rt->query_len << 16 ^ (now - rt->seq));
}
