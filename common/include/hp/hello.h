#ifndef HP_HELLO_H
#define HP_HELLO_H

#include <stddef.h>

/*
 * The one API every hotpath server serves. The network chapters differ in
 * how their servers move bytes (threads, epoll, options, transports), not in
 * what they answer, so the answer is written once, here, and nginx is
 * configured to serve the same body (common/scripts/nginx.sh):
 *
 *   GET / or HEAD /          200, HP_HELLO_BODY as application/json
 *   GET or HEAD, other path  404
 *   any other method         501 (Not Implemented), and close
 *   a request with a body    501, and close (no endpoint takes one)
 *   a malformed request      400, and close
 *   a head over the limits   431, and close (hp/http.h: HP_HTTP_MAX_HEAD, _HEADERS)
 *
 * Keep-alive follows the request (HTTP/1.1 persists unless "Connection:
 * close"; HTTP/1.0 only with "keep-alive"). tests/net/corpus holds one
 * request of each kind, replayed against every server variant.
 */
#define HP_HELLO_BODY "{\"message\":\"hello, world\"}"
#define HP_HELLO_TYPE "application/json"

/* Room enough for any response hp_hello_handle() writes. */
#define HP_HELLO_MAX_RESPONSE 256

/*
 * Answer the first request in in[0..len): write its response into
 * out[0..HP_HELLO_MAX_RESPONSE) and its length into *out_len, and set
 * *close when the connection must be closed once the response is sent.
 * Returns the number of bytes of in the request took (> 0), or 0 when the
 * request is not complete yet (read more and call again with the whole
 * buffer). A buffer of HP_HTTP_MAX_HEAD bytes is enough: once len reaches
 * it without a complete head, the answer is 431.
 * Pipelined requests are answered one call at a time. Never allocates.
 */
size_t hp_hello_handle(const char *in, size_t len, char *out, size_t *out_len, int *close);

#endif
