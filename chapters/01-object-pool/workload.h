#ifndef HP_CH01_WORKLOAD_H
#define HP_CH01_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hp/digest.h"
#include "hp/prng.h"

/*
 * The workload of chapter 01, shared by both variants so that they do the
 * same work and `diff naive.c optimized.c` shows only where the request
 * objects come from.
 *
 * A small HTTP echo service (think of httpbin's /anything) serves a stream
 * of requests. Up to INFLIGHT requests are in flight at once, as on a server
 * with that many busy connections, and they finish in an order the workload
 * draws, not in the order they came. Each request arrives as raw bytes,
 *
 *     POST /api/v1/orders/812?page=3 HTTP/1.1\r\n
 *     Host: api.example.com\r\n
 *     X-Request-Id: 9f86d081884c7d65\r\n
 *     Content-Length: 1536\r\n
 *     ...a dozen more headers, some of them hundreds of bytes long...\r\n
 *     \r\n
 *     ...1536 bytes of body...
 *
 * in a read buffer that the next read overwrites, so a request copies what
 * it keeps: its head (request line and headers), the index of its headers
 * and its body. When it finishes, the service writes the response (status
 * line, a few headers, then an echo of the request) into a response buffer
 * that the request owns, and the response's length and checksum are folded
 * into the run's digest.
 */

/* Requests in flight at once. */
#define INFLIGHT 16

/*
 * The generator's bounds, which a pool may use to size fresh buffers for the
 * common case: no head is longer than HEAD_MAX bytes (the longest it can
 * write is about 3.5 KiB, most are one or two) or has more than HEADERS_MAX
 * headers, and no body is longer than BODY_MAX bytes, except the rare upload
 * (one raw request in CORPUS_SIZE) whose body is between UPLOAD_MIN and
 * UPLOAD_MAX bytes.
 */
#define HEAD_MAX    4096
#define HEADERS_MAX 24
#define BODY_MAX    4096
#define UPLOAD_MIN  (16 * 1024)
#define UPLOAD_MAX  (64 * 1024)

/* Distinct raw requests the traffic draws from; a power of two. */
#define CORPUS_SIZE 512

/* A header: views into the request's own copy of its head. */
struct header {
	const char *name;
	const char *value;
	uint32_t name_len;
	uint32_t value_len;
};

/* What framing learns about a raw request before it is parsed. */
struct wire_info {
	size_t head_len; /* request line and headers, the blank line included */
	size_t nheaders;
	size_t body_len; /* from Content-Length; 0 without one */
};

/*
 * A request and the buffers it owns. Each buffer has a length (what this
 * request uses) and a capacity (what was allocated); request_parse() and
 * request_respond() check that the capacity suffices and never allocate.
 * The views (method, path, id, the headers) point into head and are valid
 * until head is overwritten or freed.
 */
struct request {
	struct request *next; /* free for a pool's list; parsing leaves it alone */
	char *head;
	size_t head_len, head_cap;
	struct header *headers;
	size_t nheaders, headers_cap;
	char *body;
	size_t body_len, body_cap;
	char *resp;
	size_t resp_len, resp_cap;
	size_t echo_len;  /* the response body's length, known once parsed */
	size_t resp_size; /* the whole response's length, known once parsed */
	const char *method, *path, *id;
	uint32_t method_len, path_len, id_len;
};

/*
 * The small object of the tiny case: what a router keeps of a request (its
 * method, the hash of its path and the length of its query). 48 bytes, so
 * malloc serves it from glibc's tcache.
 */
struct route {
	struct route *next; /* free for a pool's list; parsing leaves it alone */
	uint64_t path_hash;
	uint64_t seq;
	uint32_t method;
	uint32_t path_len;
	uint32_t query_len;
	uint32_t status;
	uint64_t deadline; /* the sequence number by which it must finish */
};

/* The raw requests of a run. */
struct corpus {
	char *buf;
	size_t off[CORPUS_SIZE + 1]; /* request k is buf[off[k]..off[k + 1]) */
};

/*
 * Generate CORPUS_SIZE raw requests from seed. Allocates; release with
 * corpus_release().
 */
void corpus_init(struct corpus *c, uint64_t seed);
void corpus_release(struct corpus *c);

/*
 * The traffic: which raw request arrives next, and which of the INFLIGHT
 * slots finishes to make room for it (the one it then occupies). The same
 * seed gives the same traffic. Caller-owned; never allocates.
 */
struct traffic {
	struct hp_rng rng;
	const struct corpus *corpus;
};

struct arrival {
	const char *raw;
	size_t len;
	unsigned slot;
};

void traffic_init(struct traffic *t, const struct corpus *c, uint64_t seed);
struct arrival traffic_next(struct traffic *t);

/*
 * Frame a raw request: find the end of its head, count its headers and read
 * its Content-Length into *w. Dies with a message on a malformed request.
 * Never allocates.
 */
void wire_scan(const char *raw, size_t len, struct wire_info *w);

/*
 * Copy the head and the body of raw into r, index the headers, and compute
 * r->resp_size. r's buffers must hold what *w says (head_cap >= head_len,
 * headers_cap >= nheaders, body_cap >= body_len); dies otherwise. Sets the
 * lengths and views of r; never allocates.
 */
void request_parse(struct request *r, const char *raw, const struct wire_info *w);

/*
 * Write the response of a parsed request into r->resp, which must hold
 * r->resp_size bytes (dies otherwise), and fold its length and checksum
 * into d. Never allocates.
 */
void request_respond(struct request *r, struct hp_digest *d);

/*
 * The tiny case: fill a route from the request line of raw, the seq-th
 * request of the run; when it finishes, as the now-th, fold its outcome into
 * d. Neither allocates.
 */
void route_parse(struct route *rt, const char *raw, size_t len, uint64_t seq);
void route_finish(struct route *rt, uint64_t now, struct hp_digest *d);

#endif
