#ifndef HP_HTTP_H
#define HP_HTTP_H

#include <stddef.h>
#include <stdint.h>

/*
 * A zero-copy HTTP/1.1 parser and response writer, in the style of
 * picohttpparser: the parser never allocates and never copies; every string
 * it returns is a view into the caller's buffer, valid as long as that
 * buffer is unchanged. The caller keeps reading into its buffer and calls
 * the parser again on the whole buffer until it stops answering
 * HP_HTTP_INCOMPLETE (the parser keeps no state between calls).
 *
 * Limits (a server turns HP_HTTP_TOO_LARGE into 431):
 *   - the request or status line and the headers, up to and including the
 *     empty line, at most HP_HTTP_MAX_HEAD bytes;
 *   - at most HP_HTTP_MAX_HEADERS header fields.
 * Accepted line endings are CRLF and a bare LF (RFC 9112 §2.2 allows a
 * recipient to accept LF). Obsolete line folding is rejected.
 *
 * Framing is checked strictly, so that the server and any proxy in front of
 * it agree on where a message ends: a Content-Length is digits only (a
 * repeat of the same value is accepted, a different one is HP_HTTP_BAD),
 * and Content-Length together with Transfer-Encoding is HP_HTTP_BAD.
 * Connection is a comma-separated list of tokens, compared without case:
 * HTTP/1.1 persists unless it holds "close"; HTTP/1.0 persists only when it
 * holds "keep-alive" and not "close".
 */

#define HP_HTTP_MAX_HEADERS 32
#define HP_HTTP_MAX_HEAD    8192

/* Parser results other than a head length (which is > 0). */
#define HP_HTTP_BAD        (-1) /* malformed: answer 400 and close */
#define HP_HTTP_INCOMPLETE (-2) /* need more bytes */
#define HP_HTTP_TOO_LARGE  (-3) /* a limit above was exceeded: answer 431 and close */

enum hp_http_flags {
	HP_HTTP_KEEP_ALIVE = 1 << 0, /* the connection persists after this message */
	HP_HTTP_CHUNKED = 1 << 1,    /* Transfer-Encoding: chunked (the body length is not known) */
};

struct hp_http_header {
	const char *name;
	size_t name_len;
	const char *value; /* leading and trailing spaces and tabs removed */
	size_t value_len;
};

struct hp_http_request {
	const char *method;
	size_t method_len;
	const char *target; /* the request target as sent ("/", "/a?b=c") */
	size_t target_len;
	int minor_version; /* 0 or 1 (HTTP/1.0, HTTP/1.1); other versions are HP_HTTP_BAD */
	struct hp_http_header headers[HP_HTTP_MAX_HEADERS];
	size_t num_headers;
	int64_t content_length; /* -1 when absent; a malformed or repeated-different value is HP_HTTP_BAD */
	unsigned flags;         /* enum hp_http_flags: the version, Connection, Transfer-Encoding */
};

struct hp_http_response {
	int minor_version;  /* 0 or 1, as for a request */
	int status;         /* 100..999 */
	const char *reason; /* as sent, possibly empty ("HTTP/1.1 204\r\n" is accepted) */
	size_t reason_len;
	struct hp_http_header headers[HP_HTTP_MAX_HEADERS];
	size_t num_headers;
	int64_t content_length; /* -1 when absent */
	unsigned flags;
};

/*
 * Parse the head of a request in buf[0..len). Returns the length of the head
 * (the body, if any, starts at buf + result), HP_HTTP_INCOMPLETE,
 * HP_HTTP_BAD or HP_HTTP_TOO_LARGE. *req is fully written only when the
 * result is > 0. The method is any token (a server answers 501 to the ones
 * it does not implement). One empty line before the request line is
 * skipped (RFC 9112 §2.2) and counted in the result. A request whose body
 * length cannot be known is HP_HTTP_BAD (RFC 9112 §6.1, §6.3): a
 * Transfer-Encoding whose last coding is not "chunked", or any
 * Transfer-Encoding in an HTTP/1.0 request.
 */
int hp_http_parse_request(const char *buf, size_t len, struct hp_http_request *req);

/*
 * The same for a response head. A Transfer-Encoding that does not end in
 * "chunked" is accepted here: the body then ends when the connection does.
 */
int hp_http_parse_response(const char *buf, size_t len, struct hp_http_response *res);

/* The first header called name (case-insensitive), or NULL. */
const struct hp_http_header *hp_http_header_find(const struct hp_http_header *h, size_t n, const char *name);

/* The standard reason phrase of a status code ("OK", "Bad Request", ...; "Unknown" otherwise). */
const char *hp_http_reason(int status);

/*
 * Write a response head into buf[0..cap): the status line ("HTTP/1.1",
 * the code, hp_http_reason()), Content-Type (when content_type is not NULL;
 * written as given, so it must not hold CR or LF), Content-Length,
 * "Connection: close" when keep_alive is 0, and the empty line. No NUL is
 * added. Returns its length, -ENOSPC when it does not fit (nothing useful
 * is left in buf then), or -EINVAL when status is not within 100..999.
 * Never allocates.
 */
int hp_http_write_head(char *buf, size_t cap, int status, const char *content_type, size_t content_length,
                       int keep_alive);

#endif
