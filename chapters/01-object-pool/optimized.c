/*
 * Chapter 01, optimized variant: a free-list pool of request objects.
 *
 * The same echo service as naive.c (workload.h): --size requests, INFLIGHT
 * of them in flight at once, in the requests case (a request owns its head,
 * its header index, its body and its response) and in the tiny case (a
 * 48-byte struct route per request, --size times --scale of them).
 *
 * What changed: a request that finishes is not freed but reset and pushed on
 * a free list, buffers and all, and the next request that arrives pops it.
 * Its buffers keep their capacity, so after the first few requests nothing
 * is allocated at all: the naive variant's four or five malloc and free
 * calls per request become a pop and a push. Three rules keep that honest:
 *
 *   - Reset, do not clear. A returned request gets its lengths set to zero;
 *     its buffers keep whatever bytes the last request left. Clearing them
 *     with memset would write the whole capacity, about 17 KiB, per request,
 *     several times what a typical request copies: most of the gain would go
 *     to clearing. It is safe because nothing reads a buffer beyond the
 *     length the current request wrote; the cost of that rule is that a bug
 *     which does read past it shows the previous request's bytes (tokens,
 *     cookies) instead of zeros or a crash.
 *   - Size fresh buffers for the common case. A new object gets buffers as
 *     large as the generator's bounds for an ordinary request (HEAD_MAX,
 *     HEADERS_MAX, BODY_MAX), so it is allocated once and never grows
 *     again, except for the rare upload.
 *   - Do not keep what is rare. A buffer above KEEP_MAX (grown for an
 *     upload) is freed when its request returns, and the pool keeps at most
 *     POOL_IDLE_MAX idle objects. Without the size limit, a pool ends up
 *     holding the largest request it has ever seen in every object.
 *
 * The pool is for one thread, as this program is. A threaded server gives
 * each thread its own pool (a thread-local free list, as glibc's tcache is
 * for malloc), so that taking and returning an object needs no lock.
 *
 * The tiny case has the same kind of pool for struct route, which owns no
 * buffers; it is there to measure what a pool buys when malloc already
 * serves the object from a free list of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/* ------------------------------------------------------------ requests case */

/*
 * A response echoes the head and the body, less the request line's
 * " HTTP/1.1\r" and the head's blank "\r", after at most 100 bytes of
 * status line and headers: this holds the response of any ordinary request.
 */
#define RESP_FRESH (HEAD_MAX + BODY_MAX + 128)

/*
 * Buffers larger than this are freed when their request returns to the
 * pool. It lies between the largest ordinary buffer (RESP_FRESH, about
 * 8 KiB) and the smallest upload (UPLOAD_MIN, 16 KiB), so exactly the
 * buffers grown for an upload are dropped.
 */
#define KEEP_MAX (12 * 1024)

/*
 * Idle objects the pool keeps; it frees the rest. This program never has
 * more than INFLIGHT requests in flight, so the bound never applies here;
 * it is what stops a burst of traffic from pinning its memory for good.
 */
#define POOL_IDLE_MAX 64

struct request_pool {
	struct request *free; /* idle requests, linked through ->next */
	size_t idle;
};

/*
 * Make a buffer hold need elements of size elem. The contents of a pooled
 * buffer are dead, so a short buffer is freed and allocated again instead
 * of realloc'd, which would copy them. A fresh buffer gets at least fresh
 * elements.
 */
static void *buffer_reserve(void *buf, size_t *cap, size_t need, size_t fresh, size_t elem)
{
	if (need <= *cap)
		return buf;
	free(buf);
	*cap = need > fresh ? need : fresh;
	return hp_xmalloc_array(*cap, elem);
}

/* Drop a byte buffer that grew beyond KEEP_MAX; returns what the caller keeps. */
static void *buffer_trim(void *buf, size_t *cap)
{
	if (*cap <= KEEP_MAX)
		return buf;
	free(buf);
	*cap = 0;
	return NULL;
}

static void request_free(struct request *r)
{
	free(r->resp);
	free(r->body);
	free(r->headers);
	free(r->head);
	free(r);
}

/*
 * Forget the last request: lengths and views only. The buffers keep their
 * capacity and their stale bytes (see the rules at the top).
 */
static void request_reset(struct request *r)
{
	r->body = buffer_trim(r->body, &r->body_cap);
	r->resp = buffer_trim(r->resp, &r->resp_cap);
	r->head_len = r->nheaders = r->body_len = r->resp_len = 0;
	r->echo_len = r->resp_size = 0;
	r->method = r->path = r->id = NULL;
	r->method_len = r->path_len = r->id_len = 0;
}

/* An idle request from the pool, or a new zeroed one when it is empty. */
static struct request *pool_get(struct request_pool *p)
{
	struct request *r = p->free;

	if (!r)
		return hp_xcalloc(1, sizeof *r);
	p->free = r->next;
	p->idle--;
	return r;
}

static void pool_put(struct request_pool *p, struct request *r)
{
	if (p->idle == POOL_IDLE_MAX) {
		request_free(r);
		return;
	}
	request_reset(r);
	r->next = p->free;
	p->free = r;
	p->idle++;
}

static void pool_release(struct request_pool *p)
{
	while (p->free) {
		struct request *r = p->free;

		p->free = r->next;
		request_free(r);
	}
	p->idle = 0;
}

/* A request from the pool, its buffers made large enough for raw, parsed. */
static struct request *request_new(struct request_pool *p, const char *raw, size_t len)
{
	struct wire_info w;

	wire_scan(raw, len, &w);

	struct request *r = pool_get(p);

	r->head = buffer_reserve(r->head, &r->head_cap, w.head_len, HEAD_MAX, 1);
	r->headers = buffer_reserve(r->headers, &r->headers_cap, w.nheaders, HEADERS_MAX, sizeof *r->headers);
	r->body = buffer_reserve(r->body, &r->body_cap, w.body_len, BODY_MAX, 1);
	request_parse(r, raw, &w);
	return r;
}

/* Write the response into the request's own buffer, and fold it into d. */
static void request_finish(struct request *r, struct hp_digest *d)
{
	r->resp = buffer_reserve(r->resp, &r->resp_cap, r->resp_size, RESP_FRESH, 1);
	request_respond(r, d);
}

static void run_requests(const struct corpus *c, uint64_t seed, size_t n, struct hp_digest *d)
{
	struct request *inflight[INFLIGHT] = {NULL};
	struct request_pool pool = {NULL, 0};
	struct traffic t;
	struct hp_section s;

	traffic_init(&t, c, seed);
	hp_section_begin(&s);

	for (size_t i = 0; i < n; i++) {
		struct arrival a = traffic_next(&t);
		struct request *done = inflight[a.slot];

		if (done) {
			request_finish(done, d);
			pool_put(&pool, done);
		}
		inflight[a.slot] = request_new(&pool, a.raw, a.len);
	}
	for (unsigned slot = 0; slot < INFLIGHT; slot++) {
		if (inflight[slot]) {
			request_finish(inflight[slot], d);
			pool_put(&pool, inflight[slot]);
		}
	}

	hp_section_end(&s, n);
	hp_section_report(&s);
	/* A server keeps its pool for its lifetime; this one ends here. */
	pool_release(&pool);
}

/* ---------------------------------------------------------------- tiny case */

struct route_pool {
	struct route *free; /* idle routes, linked through ->next */
};

static struct route *route_get(struct route_pool *p)
{
	struct route *rt = p->free;

	if (!rt)
		return hp_xmalloc(sizeof *rt);
	p->free = rt->next;
	return rt;
}

/* No reset: route_parse() sets every field the request uses. */
static void route_put(struct route_pool *p, struct route *rt)
{
	rt->next = p->free;
	p->free = rt;
}

static void route_pool_release(struct route_pool *p)
{
	while (p->free) {
		struct route *rt = p->free;

		p->free = rt->next;
		free(rt);
	}
}

static void run_tiny(const struct corpus *c, uint64_t seed, size_t n, struct hp_digest *d)
{
	struct route *inflight[INFLIGHT] = {NULL};
	struct route_pool pool = {NULL};
	struct traffic t;
	struct hp_section s;

	traffic_init(&t, c, seed);
	hp_section_begin(&s);

	for (size_t i = 0; i < n; i++) {
		struct arrival a = traffic_next(&t);
		struct route *done = inflight[a.slot];

		if (done) {
			route_finish(done, i, d);
			route_put(&pool, done);
		}
		struct route *rt = route_get(&pool);
		route_parse(rt, a.raw, a.len, i);
		inflight[a.slot] = rt;
	}
	for (unsigned slot = 0; slot < INFLIGHT; slot++) {
		if (inflight[slot]) {
			route_finish(inflight[slot], n, d);
			route_put(&pool, inflight[slot]);
		}
	}

	hp_section_end(&s, n);
	hp_section_report(&s);
	route_pool_release(&pool);
}

int main(int argc, char **argv)
{
	struct hp_opts opt;

	hp_opts_parse(&opt, argc, argv, "mode,scale");
	const char *mode = hp_opts_str(&opt, "mode", "requests");
	uint64_t scale = hp_opts_u64(&opt, "scale", 1);
	int tiny = !strcmp(mode, "tiny");

	if (!tiny && strcmp(mode, "requests"))
		hp_die("unknown --mode '%s' (expected requests or tiny)", mode);
	if (tiny && scale && opt.size > SIZE_MAX / scale)
		hp_die("--size %llu times --scale %llu is too large", (unsigned long long)opt.size,
		       (unsigned long long)scale);

	size_t n = (size_t)(tiny ? opt.size * scale : opt.size);
	struct corpus c;
	struct hp_digest d;
	char hex[17];

	corpus_init(&c, opt.seed);
	hp_digest_init(&d);
	if (tiny)
		run_tiny(&c, opt.seed, n, &d);
	else
		run_requests(&c, opt.seed, n, &d);

	hp_digest_hex(&d, hex);
	printf("digest %s %s %zu\n", hex, tiny ? "routes" : "requests", n);
	corpus_release(&c);
	return 0;
}
