/*
 * libFuzzer target for the HTTP head parsers (common/src/http.c): any input
 * must parse or be refused without a crash or an over-read, and what parses
 * must be consistent: the result is one of the named codes or a length
 * within the input and the limit, every view lies inside the head, and the
 * head is self-delimiting (parsing exactly its bytes gives the same length,
 * and one byte fewer is incomplete).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hp/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_view(const char *p, size_t n, const char *buf, int head_len)
{
	if (n == 0)
		return;
	if (!p || p < buf || p + n > buf + head_len)
		abort();
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static void check_headers(const struct hp_http_header *h, size_t n, const char *buf, int head_len)
{
	if (n > HP_HTTP_MAX_HEADERS)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (h[i].name_len == 0)
			abort();
		check_view(h[i].name, h[i].name_len, buf, head_len);
		check_view(h[i].value, h[i].value_len, buf, head_len);
		/* A value never holds a line end, nor starts or ends with whitespace. */
		if (memchr(h[i].value, '\n', h[i].value_len) || memchr(h[i].value, '\r', h[i].value_len))
			abort();
		if (h[i].value_len && (is_ows(h[i].value[0]) || is_ows(h[i].value[h[i].value_len - 1])))
			abort();
		/* Looking the name up finds this header or an earlier one of the same name. */
		char name[64];
		if (h[i].name_len < sizeof name) {
			memcpy(name, h[i].name, h[i].name_len);
			name[h[i].name_len] = '\0';
			const struct hp_http_header *found = hp_http_header_find(h, n, name);
			if (!found || found > &h[i] || found->name_len != h[i].name_len ||
			    strncasecmp(found->name, name, found->name_len) != 0)
				abort();
		}
	}
}

static void check_result(int r, size_t size)
{
	if (r > 0) {
		if ((size_t)r > size || r > HP_HTTP_MAX_HEAD)
			abort();
	} else if (r != HP_HTTP_BAD && r != HP_HTTP_INCOMPLETE && r != HP_HTTP_TOO_LARGE) {
		abort();
	}
}

static void check_request(const char *buf, size_t size)
{
	struct hp_http_request req;
	int r = hp_http_parse_request(buf, size, &req);

	check_result(r, size);
	if (r <= 0)
		return;
	if (req.method_len == 0 || req.target_len == 0)
		abort();
	check_view(req.method, req.method_len, buf, r);
	check_view(req.target, req.target_len, buf, r);
	check_headers(req.headers, req.num_headers, buf, r);
	if (req.minor_version != 0 && req.minor_version != 1)
		abort();
	if (req.content_length < -1 || (req.content_length >= 0 && (req.flags & HP_HTTP_CHUNKED)))
		abort();
	if (req.flags & ~(unsigned)(HP_HTTP_KEEP_ALIVE | HP_HTTP_CHUNKED))
		abort();
	if (hp_http_parse_request(buf, (size_t)r, &req) != r)
		abort();
	if (hp_http_parse_request(buf, (size_t)r - 1, &req) != HP_HTTP_INCOMPLETE)
		abort();
}

static void check_response(const char *buf, size_t size)
{
	struct hp_http_response res;
	int r = hp_http_parse_response(buf, size, &res);

	check_result(r, size);
	if (r <= 0)
		return;
	if (res.status < 100 || res.status > 999)
		abort();
	check_view(res.reason, res.reason_len, buf, r);
	check_headers(res.headers, res.num_headers, buf, r);
	if (res.minor_version != 0 && res.minor_version != 1)
		abort();
	if (res.content_length < -1 || (res.content_length >= 0 && (res.flags & HP_HTTP_CHUNKED)))
		abort();
	if (hp_http_parse_response(buf, (size_t)r, &res) != r)
		abort();
	if (hp_http_parse_response(buf, (size_t)r - 1, &res) != HP_HTTP_INCOMPLETE)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy of exactly size bytes, so ASan catches a read past the end. */
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check_request(buf, size);
	check_response(buf, size);
	free(buf);
	return 0;
}
