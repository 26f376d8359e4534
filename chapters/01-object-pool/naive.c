/*
 * Chapter 01, naive variant: a fresh request object for every request.
 *
 * An echo service (workload.h) serves --size requests, INFLIGHT of them in
 * flight at once, finishing in an order the traffic draws. Two cases, picked
 * with --mode:
 *
 *   requests  each request is parsed into a struct request that owns its
 *             buffers: a copy of its head (mostly half a kilobyte to two),
 *             the index of its headers, its body (up to a few kilobytes)
 *             and, when it finishes, its response;
 *   tiny      each request keeps only what a router needs, a 48-byte
 *             struct route. This case serves --size times --scale requests
 *             (default --scale 1; lesson.mk sets it), because a request costs
 *             far less here and the clock needs a section long enough to
 *             measure.
 *
 * This is the code most of us write first, and it is correct: allocate the
 * object when the request arrives, size every buffer to exactly what this
 * request carries, free it all when the response is out. Ownership could not
 * be simpler. The price is four or five calls to malloc and as many to free
 * per request, in sizes that vary from request to request, many of them
 * above the 1032 bytes that glibc's per-thread cache (tcache) serves, and in
 * an order that is neither first-in first-out nor last-in first-out, as
 * requests finish.
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

/* A zeroed request whose buffers are sized to what raw carries, parsed. */
static struct request *request_new(const char *raw, size_t len)
{
	struct wire_info w;

	wire_scan(raw, len, &w);

	struct request *r = hp_xcalloc(1, sizeof *r);

	r->head = hp_xmalloc(w.head_len);
	r->head_cap = w.head_len;
	r->headers = hp_xmalloc_array(w.nheaders, sizeof *r->headers);
	r->headers_cap = w.nheaders;
	if (w.body_len) {
		r->body = hp_xmalloc(w.body_len);
		r->body_cap = w.body_len;
	}
	request_parse(r, raw, &w);
	return r;
}

/* Write the response into a buffer of its exact size, and fold it into d. */
static void request_finish(struct request *r, struct hp_digest *d)
{
	r->resp = hp_xmalloc(r->resp_size);
	r->resp_cap = r->resp_size;
	request_respond(r, d);
}

static void request_free(struct request *r)
{
	free(r->resp);
	free(r->body);
	free(r->headers);
	free(r->head);
	free(r);
}

static void run_requests(const struct corpus *c, uint64_t seed, size_t n, struct hp_digest *d)
{
	struct request *inflight[INFLIGHT] = {NULL};
	struct traffic t;
	struct hp_section s;

	traffic_init(&t, c, seed);
	hp_section_begin(&s);

	for (size_t i = 0; i < n; i++) {
		struct arrival a = traffic_next(&t);
		struct request *done = inflight[a.slot];

		if (done) {
			request_finish(done, d);
			request_free(done);
		}
		inflight[a.slot] = request_new(a.raw, a.len);
	}
	for (unsigned slot = 0; slot < INFLIGHT; slot++) {
		if (inflight[slot]) {
			request_finish(inflight[slot], d);
			request_free(inflight[slot]);
		}
	}

	hp_section_end(&s, n);
	hp_section_report(&s);
}

/* ---------------------------------------------------------------- tiny case */

static void run_tiny(const struct corpus *c, uint64_t seed, size_t n, struct hp_digest *d)
{
	struct route *inflight[INFLIGHT] = {NULL};
	struct traffic t;
	struct hp_section s;

	traffic_init(&t, c, seed);
	hp_section_begin(&s);

	for (size_t i = 0; i < n; i++) {
		struct arrival a = traffic_next(&t);
		struct route *done = inflight[a.slot];

		if (done) {
			route_finish(done, i, d);
			free(done);
		}
		struct route *rt = hp_xmalloc(sizeof *rt);
		route_parse(rt, a.raw, a.len, i);
		inflight[a.slot] = rt;
	}
	for (unsigned slot = 0; slot < INFLIGHT; slot++) {
		if (inflight[slot]) {
			route_finish(inflight[slot], n, d);
			free(inflight[slot]);
		}
	}

	hp_section_end(&s, n);
	hp_section_report(&s);
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
