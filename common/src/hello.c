/*
 * The hello API of the network chapters (see hp/hello.h): the request
 * parsed by hp_http_parse_request(), the response written by
 * hp_http_write_head() plus its body. Nothing here depends on how the
 * bytes arrive, so a thread-per-connection server and an event loop answer
 * exactly alike.
 */
#include <string.h>

#include "hp/hello.h"
#include "hp/http.h"

/* Write status, a JSON body and the Connection header into out. */
static size_t respond(char *out, int status, const char *body, int keep_alive, int head_only)
{
	size_t blen = strlen(body);
	int n = hp_http_write_head(out, HP_HELLO_MAX_RESPONSE, status, HP_HELLO_TYPE, blen, keep_alive);

	/* Every response here fits: the longest is well under HP_HELLO_MAX_RESPONSE. */
	if (n < 0 || (size_t)n + blen > HP_HELLO_MAX_RESPONSE)
		return 0;
	if (!head_only) {
		memcpy(out + n, body, blen);
		n += (int)blen;
	}
	return (size_t)n;
}

size_t hp_hello_handle(const char *in, size_t len, char *out, size_t *out_len, int *close)
{
	struct hp_http_request req;
	int n = hp_http_parse_request(in, len, &req);

	*out_len = 0;
	*close = 1;
	/*
	 * A head still incomplete at HP_HTTP_MAX_HEAD bytes can only end past
	 * the limit, so a server's buffer of HP_HTTP_MAX_HEAD bytes is enough: a
	 * full buffer is answered, never read into again.
	 */
	if (n == HP_HTTP_INCOMPLETE && len >= HP_HTTP_MAX_HEAD)
		n = HP_HTTP_TOO_LARGE;
	if (n == HP_HTTP_INCOMPLETE)
		return 0;
	if (n == HP_HTTP_BAD) {
		*out_len = respond(out, 400, "{\"error\":\"bad request\"}", 0, 0);
		return len;
	}
	if (n == HP_HTTP_TOO_LARGE) {
		*out_len = respond(out, 431, "{\"error\":\"request header fields too large\"}", 0, 0);
		return len;
	}

	int get = req.method_len == 3 && !memcmp(req.method, "GET", 3);
	int head = req.method_len == 4 && !memcmp(req.method, "HEAD", 4);

	if ((!get && !head) || req.content_length > 0 || (req.flags & HP_HTTP_CHUNKED)) {
		*out_len = respond(out, 501, "{\"error\":\"not implemented\"}", 0, 0);
		return len;
	}
	*close = !(req.flags & HP_HTTP_KEEP_ALIVE);
	if (req.target_len == 1 && req.target[0] == '/')
		*out_len = respond(out, 200, HP_HELLO_BODY, !*close, head);
	else
		*out_len = respond(out, 404, "{\"error\":\"not found\"}", !*close, head);
	return (size_t)n;
}
