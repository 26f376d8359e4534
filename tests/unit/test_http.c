/*
 * The HTTP/1.1 head parser and response writer: valid requests and
 * responses, every error class, the limits, the character classes byte by
 * byte, and the property a server relies on when it reads in pieces: every
 * strict prefix of a valid head is HP_HTTP_INCOMPLETE. Every input sits
 * against a PROT_NONE guard page, so a read past the end crashes the test
 * instead of passing by luck.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hp/http.h"

/* Room for the largest input below: a head twice the limit. */
#define GUARDED_ROOM (2 * HP_HTTP_MAX_HEAD + 4096)

/* Copy s so that its last byte is the last byte before an unreadable page. */
static const char *guarded(const char *s, size_t len)
{
	static char *region;
	static size_t room;

	if (!region) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		room = (GUARDED_ROOM + page - 1) / page * page;
		region = mmap(NULL, room + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(region != MAP_FAILED);
		assert_int_equal(mprotect(region + room, page, PROT_NONE), 0);
	}
	assert_true(len <= room);
	memcpy(region + room - len, s, len);
	return region + room - len;
}

static int request_n(const char *s, size_t len, struct hp_http_request *r)
{
	return hp_http_parse_request(guarded(s, len), len, r);
}

static int request(const char *s, struct hp_http_request *r)
{
	return request_n(s, strlen(s), r);
}

static int response_n(const char *s, size_t len, struct hp_http_response *r)
{
	return hp_http_parse_response(guarded(s, len), len, r);
}

static int response(const char *s, struct hp_http_response *r)
{
	return response_n(s, strlen(s), r);
}

/* A view equals want; on failure both sides are printed. */
static void view_equal(const char *p, size_t n, const char *want)
{
	if (n != strlen(want) || memcmp(p, want, n) != 0) {
		print_error("got '%.*s' (%zu bytes), want '%s'\n", (int)n, p, n, want);
		fail();
	}
}

static void header_equal(const struct hp_http_header *h, const char *name, const char *value)
{
	view_equal(h->name, h->name_len, name);
	view_equal(h->value, h->value_len, value);
}

/* Fail with the input shown when parsing s gives anything but want. */
static void request_gives(const char *s, size_t len, int want)
{
	struct hp_http_request r;
	int got = request_n(s, len, &r);

	if (got != want) {
		print_error("request '%.*s': got %d, want %d\n", (int)len, s, got, want);
		fail();
	}
}

static void response_gives(const char *s, size_t len, int want)
{
	struct hp_http_response r;
	int got = response_n(s, len, &r);

	if (got != want) {
		print_error("response '%.*s': got %d, want %d\n", (int)len, s, got, want);
		fail();
	}
}

/* ------------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------------ */

static void parses_a_get_with_headers(void **state)
{
	const char *s = "GET /index.html?a=b&c=%20 HTTP/1.1\r\n"
	                "Host: example.com\r\n"
	                "User-Agent: curl/8.0  \r\n"
	                "Accept:*/*\r\n"
	                "X-Empty:\r\n"
	                "X-Tabs: \tx\ty \t\r\n"
	                "X-Obs-Text: caf\xc3\xa9\r\n"
	                "\r\n";
	struct hp_http_request r;

	assert_int_equal(request(s, &r), strlen(s));
	view_equal(r.method, r.method_len, "GET");
	view_equal(r.target, r.target_len, "/index.html?a=b&c=%20");
	assert_int_equal(r.minor_version, 1);
	assert_int_equal(r.num_headers, 6);
	header_equal(&r.headers[0], "Host", "example.com");
	header_equal(&r.headers[1], "User-Agent", "curl/8.0");
	header_equal(&r.headers[2], "Accept", "*/*");
	header_equal(&r.headers[3], "X-Empty", "");
	header_equal(&r.headers[4], "X-Tabs", "x\ty");
	header_equal(&r.headers[5], "X-Obs-Text", "caf\xc3\xa9");
	assert_true(r.content_length == -1);
	assert_int_equal(r.flags, HP_HTTP_KEEP_ALIVE);

	assert_ptr_equal(hp_http_header_find(r.headers, r.num_headers, "user-agent"), &r.headers[1]);
	assert_ptr_equal(hp_http_header_find(r.headers, r.num_headers, "HOST"), &r.headers[0]);
	assert_null(hp_http_header_find(r.headers, r.num_headers, "Hos"));
	assert_null(hp_http_header_find(r.headers, r.num_headers, "Hosts"));
	assert_null(hp_http_header_find(r.headers, 0, "Host"));

	/* Any token is a method; the server decides which it implements. */
	s = "M-SEARCH * HTTP/1.1\r\n\r\n";
	assert_int_equal(request(s, &r), strlen(s));
	view_equal(r.method, r.method_len, "M-SEARCH");
	view_equal(r.target, r.target_len, "*");
	assert_int_equal(r.num_headers, 0);
}

static void parses_a_post_with_a_body(void **state)
{
	const char *s = "POST /api HTTP/1.1\r\nHost: h\r\ncontent-LENGTH: 5\r\n\r\nhello";
	struct hp_http_request r;

	assert_int_equal(request(s, &r), strlen(s) - 5);
	view_equal(r.method, r.method_len, "POST");
	assert_true(r.content_length == 5);

	static const struct {
		const char *head;
		int64_t length;
	} ok[] = {
	    {"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 0},
	    {"POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n", 7},
	    {"POST / HTTP/1.1\r\nContent-Length:  42 \t\r\n\r\n", 42},
	    {"POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n", INT64_MAX},
	    /* RFC 9110 §8.6: repeats of one value may be accepted. */
	    {"POST / HTTP/1.1\r\nContent-Length: 3\r\nX: y\r\nContent-Length: 3\r\n\r\n", 3},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		request_gives(ok[i].head, strlen(ok[i].head), (int)strlen(ok[i].head));
		request(ok[i].head, &r);
		assert_true(r.content_length == ok[i].length);
		assert_int_equal(r.flags, HP_HTTP_KEEP_ALIVE);
	}
}

static void parses_chunked_requests(void **state)
{
	static const char *chunked[] = {
	    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked , \r\n\r\n",
	};
	for (size_t i = 0; i < sizeof chunked / sizeof chunked[0]; i++) {
		struct hp_http_request r;
		request_gives(chunked[i], strlen(chunked[i]), (int)strlen(chunked[i]));
		request(chunked[i], &r);
		assert_int_equal(r.flags, HP_HTTP_KEEP_ALIVE | HP_HTTP_CHUNKED);
		assert_true(r.content_length == -1);
	}
}

static void accepts_bare_lf_line_ends(void **state)
{
	const char *s = "GET / HTTP/1.1\nHost: a\nAccept: b \n\n";
	struct hp_http_request r;

	assert_int_equal(request(s, &r), strlen(s));
	assert_int_equal(r.num_headers, 2);
	header_equal(&r.headers[1], "Accept", "b");

	s = "GET / HTTP/1.1\r\nHost: a\n\r\n";
	assert_int_equal(request(s, &r), strlen(s));
	s = "GET / HTTP/1.1\nHost: a\r\n\n";
	assert_int_equal(request(s, &r), strlen(s));
}

static void follows_the_keep_alive_rules(void **state)
{
	static const struct {
		const char *head;
		unsigned flags;
	} cases[] = {
	    {"GET / HTTP/1.1\r\n\r\n", HP_HTTP_KEEP_ALIVE},
	    {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection: CLOSE\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection: Upgrade, close\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", HP_HTTP_KEEP_ALIVE},
	    {"GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", HP_HTTP_KEEP_ALIVE},
	    {"GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n", HP_HTTP_KEEP_ALIVE},
	    {"GET / HTTP/1.0\r\n\r\n", 0},
	    {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", HP_HTTP_KEEP_ALIVE},
	    {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", HP_HTTP_KEEP_ALIVE},
	    {"GET / HTTP/1.0\r\nConnection: foo,,keep-alive ,bar\r\n\r\n", HP_HTTP_KEEP_ALIVE},
	    {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 0},
	    {"GET / HTTP/1.0\r\nConnection: keep-alives\r\n\r\n", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct hp_http_request r;
		request_gives(cases[i].head, strlen(cases[i].head), (int)strlen(cases[i].head));
		request(cases[i].head, &r);
		if (r.flags != cases[i].flags)
			print_error("'%s': flags %u, want %u\n", cases[i].head, r.flags, cases[i].flags);
		assert_int_equal(r.flags, cases[i].flags);
		assert_int_equal(r.minor_version, strstr(cases[i].head, "HTTP/1.1") ? 1 : 0);
	}
}

static void parses_pipelined_requests_one_at_a_time(void **state)
{
	const char *first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
	const char *s = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTT";
	size_t len = strlen(s);
	const char *buf = guarded(s, len);
	struct hp_http_request r;

	int n = hp_http_parse_request(buf, len, &r);
	assert_int_equal(n, strlen(first));
	view_equal(r.target, r.target_len, "/a");
	int m = hp_http_parse_request(buf + n, len - (size_t)n, &r);
	assert_int_equal(m, strlen("GET /b HTTP/1.1\r\n\r\n"));
	view_equal(r.target, r.target_len, "/b");
	assert_int_equal(hp_http_parse_request(buf + n + m, len - (size_t)(n + m), &r), HP_HTTP_INCOMPLETE);
}

static void skips_one_empty_line_before_a_request(void **state)
{
	const char *s = "\r\nGET / HTTP/1.1\r\n\r\n";
	struct hp_http_request r;

	assert_int_equal(request(s, &r), strlen(s));
	view_equal(r.method, r.method_len, "GET");
	s = "\nGET / HTTP/1.1\r\n\r\n";
	assert_int_equal(request(s, &r), strlen(s));
	request_gives("\r\n\r\nGET / HTTP/1.1\r\n\r\n", 22, HP_HTTP_BAD);
	request_gives("\r", 1, HP_HTTP_INCOMPLETE);
	request_gives("\r\n", 2, HP_HTTP_INCOMPLETE);
	request_gives("\rGET / HTTP/1.1\r\n\r\n", 19, HP_HTTP_BAD);
}

static void rejects_malformed_requests(void **state)
{
	static const char *bad[] = {
	    /* the request line */
	    "G@T / HTTP/1.1\r\n\r\n",
	    "GET(/ HTTP/1.1\r\n\r\n",
	    " GET / HTTP/1.1\r\n\r\n",
	    "GET  / HTTP/1.1\r\n\r\n",
	    "GET /  HTTP/1.1\r\n\r\n",
	    "GET\t/ HTTP/1.1\r\n\r\n",
	    "GET /a\x01 HTTP/1.1\r\n\r\n",
	    "GET /a\x7f HTTP/1.1\r\n\r\n",
	    "GET / \r\n\r\n",
	    "GET /\r\n\r\n",
	    "GET / HTTP/1.1 \r\n\r\n",
	    "GET / HTTP/1.1x\r\n\r\n",
	    "GET / HTTP/1.2\r\n\r\n",
	    "GET / HTTP/2.0\r\n\r\n",
	    "GET / HTTP/0.9\r\n\r\n",
	    "GET / http/1.1\r\n\r\n",
	    "GET / HTTP/1.\r\n\r\n",
	    "GET / HTTP/11\r\n\r\n",
	    "GET / HTTP/1.1\r\r\n\r\n",
	    /* header names */
	    "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
	    "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n",
	    "GET / HTTP/1.1\r\n: x\r\n\r\n",
	    "GET / HTTP/1.1\r\nHo(st: x\r\n\r\n",
	    "GET / HTTP/1.1\r\nHost x\r\n\r\n",
	    "GET / HTTP/1.1\r\nHost\r\n\r\n",
	    /* obsolete line folding, also before the first header */
	    "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
	    "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n",
	    "GET / HTTP/1.1\r\n Host: x\r\n\r\n",
	    /* control characters in values, and bare CRs */
	    "GET / HTTP/1.1\r\nX: a\x01\r\n\r\n",
	    "GET / HTTP/1.1\r\nX: a\x7f b\r\n\r\n",
	    "GET / HTTP/1.1\r\nX: a\vb\r\n\r\n",
	    "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
	    "GET / HTTP/1.1\r\nX: a\r\r\n\r\n",
	    "GET / HTTP/1.1\r\nX: a\r\n\r\r\n",
	    /* Content-Length */
	    "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
	    "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
	    "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
	    "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
	    "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
	    "POST / HTTP/1.1\r\nContent-Length: 1,1\r\n\r\n",
	    "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n",
	    "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
	    "POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n",
	    "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
	    /* Transfer-Encoding */
	    "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n",
	    "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		request_gives(bad[i], strlen(bad[i]), HP_HTTP_BAD);

	/* A NUL in a value, which a parser relying on strlen would miss. */
	static const char nul[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";
	request_gives(nul, sizeof nul - 1, HP_HTTP_BAD);
}

/* A request head with n headers "X-i: v". */
static size_t head_with_headers(char *buf, size_t cap, int n)
{
	size_t len = (size_t)snprintf(buf, cap, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "X-%d: v\r\n", i);
	len += (size_t)snprintf(buf + len, cap - len, "\r\n");
	assert_true(len < cap);
	return len;
}

static void enforces_the_limits(void **state)
{
	static char buf[2 * HP_HTTP_MAX_HEAD];
	struct hp_http_request r;
	size_t len;

	len = head_with_headers(buf, sizeof buf, HP_HTTP_MAX_HEADERS);
	assert_int_equal(request_n(buf, len, &r), len);
	assert_int_equal(r.num_headers, HP_HTTP_MAX_HEADERS);
	len = head_with_headers(buf, sizeof buf, HP_HTTP_MAX_HEADERS + 1);
	request_gives(buf, len, HP_HTTP_TOO_LARGE);
	/* Known as soon as the extra field begins. */
	len = head_with_headers(buf, sizeof buf, HP_HTTP_MAX_HEADERS);
	buf[len - 2] = 'X';
	request_gives(buf, len - 1, HP_HTTP_TOO_LARGE);

	/* A head of exactly HP_HTTP_MAX_HEAD bytes, then one byte longer. */
	const char *start = "GET / HTTP/1.1\r\nX: ";
	size_t fixed = strlen(start) + 4;
	memcpy(buf, start, strlen(start));
	memset(buf + strlen(start), 'a', HP_HTTP_MAX_HEAD - fixed);
	memcpy(buf + HP_HTTP_MAX_HEAD - 4, "\r\n\r\n", 4);
	assert_int_equal(request_n(buf, HP_HTTP_MAX_HEAD, &r), HP_HTTP_MAX_HEAD);
	assert_int_equal(r.headers[0].value_len, HP_HTTP_MAX_HEAD - fixed);
	request_gives(buf, HP_HTTP_MAX_HEAD - 1, HP_HTTP_INCOMPLETE);

	memset(buf + strlen(start), 'a', HP_HTTP_MAX_HEAD + 1 - fixed);
	memcpy(buf + HP_HTTP_MAX_HEAD + 1 - 4, "\r\n\r\n", 4);
	request_gives(buf, HP_HTTP_MAX_HEAD + 1, HP_HTTP_TOO_LARGE);
	/* Complete but too long, with a body behind it or not. */
	memset(buf + strlen(start), 'a', sizeof buf - strlen(start));
	memcpy(buf + HP_HTTP_MAX_HEAD + 100, "\r\n\r\n", 4);
	request_gives(buf, HP_HTTP_MAX_HEAD + 104, HP_HTTP_TOO_LARGE);
	request_gives(buf, sizeof buf, HP_HTTP_TOO_LARGE);
	/* Not ended within the limit: too large once more bytes than the limit are in. */
	request_gives(buf, HP_HTTP_MAX_HEAD, HP_HTTP_INCOMPLETE);
	request_gives(buf, HP_HTTP_MAX_HEAD + 1, HP_HTTP_TOO_LARGE);
}

/* RFC 9110 §5.6.2, written out independently of the parser's table. */
static int is_tchar(int c)
{
	return c != 0 && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	                  strchr("!#$%&'*+-.^_`|~", c));
}

static void classifies_every_byte(void **state)
{
	char s[64];

	for (int c = 0; c < 256; c++) {
		int n = snprintf(s, sizeof s, "G_T / HTTP/1.1\r\n\r\n");
		s[1] = (char)c;
		request_gives(s, (size_t)n, is_tchar(c) ? n : HP_HTTP_BAD);

		n = snprintf(s, sizeof s, "GET / HTTP/1.1\r\nX_Y: v\r\n\r\n");
		s[17] = (char)c;
		/* With a colon there, it is the header "X" with the value "Y: v". */
		request_gives(s, (size_t)n, is_tchar(c) || c == ':' ? n : HP_HTTP_BAD);

		/* field-vchar, SP, HTAB (RFC 9110 §5.5); obs-text is allowed. */
		n = snprintf(s, sizeof s, "GET / HTTP/1.1\r\nX: a_b\r\n\r\n");
		s[20] = (char)c;
		int value_ok = c == '\t' || (c >= 0x20 && c != 0x7f);
		request_gives(s, (size_t)n, value_ok ? n : HP_HTTP_BAD);

		/* A target is visible characters; SP ends it. */
		n = snprintf(s, sizeof s, "GET /a_b HTTP/1.1\r\n\r\n");
		s[6] = (char)c;
		int target_ok = c > 0x20 && c != 0x7f;
		request_gives(s, (size_t)n, target_ok ? n : HP_HTTP_BAD);

		/* The same in a long value, where the parser reads words of 8 bytes. */
		n = snprintf(s, sizeof s, "GET / HTTP/1.1\r\nX: aaaaaaaaaaaaaaaaaaaa_aaaaaaaaaaa\r\n\r\n");
		s[39] = (char)c;
		request_gives(s, (size_t)n, value_ok ? n : HP_HTTP_BAD);
	}
}

/* Every strict prefix of a valid head is incomplete; the head and more give its length. */
static void check_prefixes(const char *s, size_t head_len, int is_request)
{
	size_t len = strlen(s);

	for (size_t i = 0; i <= len; i++) {
		int want = i < head_len ? HP_HTTP_INCOMPLETE : (int)head_len;
		if (is_request)
			request_gives(s, i, want);
		else
			response_gives(s, i, want);
	}
}

static void every_prefix_of_a_valid_request_is_incomplete(void **state)
{
	static const char *heads[] = {
	    "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test/1.0\r\n"
	    "Accept: text/html,application/xhtml+xml\r\nX-Empty:\r\nX-Tab:\tx\t\r\n\r\n",
	    "GET / HTTP/1.0\nHost: a\n\n",
	    "\r\nPOST /a/very/long/path/that/takes/several/words?q=1 HTTP/1.1\r\n"
	    "Content-Length: 12\r\nConnection: keep-alive, close\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	    "\nGET * HTTP/1.1\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
		check_prefixes(heads[i], strlen(heads[i]), 1);

	/* With a body behind the head. */
	const char *s = "POST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody";
	check_prefixes(s, strlen(s) - 4, 1);
}

/* ------------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------------ */

static void parses_responses(void **state)
{
	const char *s =
	    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nhello world\n";
	struct hp_http_response r;

	assert_int_equal(response(s, &r), strlen(s) - 12);
	assert_int_equal(r.minor_version, 1);
	assert_int_equal(r.status, 200);
	view_equal(r.reason, r.reason_len, "OK");
	assert_int_equal(r.num_headers, 2);
	header_equal(&r.headers[0], "Content-Type", "text/plain");
	assert_true(r.content_length == 12);
	assert_int_equal(r.flags, HP_HTTP_KEEP_ALIVE);

	s = "HTTP/1.0 404 Not Found\r\n\r\n";
	assert_int_equal(response(s, &r), strlen(s));
	assert_int_equal(r.minor_version, 0);
	assert_int_equal(r.status, 404);
	view_equal(r.reason, r.reason_len, "Not Found");
	assert_true(r.content_length == -1);
	assert_int_equal(r.flags, 0);

	s = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n";
	assert_int_equal(response(s, &r), strlen(s));
	assert_int_equal(r.flags, HP_HTTP_KEEP_ALIVE);
	s = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
	assert_int_equal(response(s, &r), strlen(s));
	assert_int_equal(r.flags, 0);

	/* An empty reason, with or without its SP; a reason with spaces and a tab. */
	s = "HTTP/1.1 204 \r\n\r\n";
	assert_int_equal(response(s, &r), strlen(s));
	assert_int_equal(r.status, 204);
	view_equal(r.reason, r.reason_len, "");
	s = "HTTP/1.1 204\n\n";
	assert_int_equal(response(s, &r), strlen(s));
	view_equal(r.reason, r.reason_len, "");
	s = "HTTP/1.1 599 Very  Odd\tIndeed \xc3\xa9\r\n\r\n";
	assert_int_equal(response(s, &r), strlen(s));
	assert_int_equal(r.status, 599);
	view_equal(r.reason, r.reason_len, "Very  Odd\tIndeed \xc3\xa9");

	s = "HTTP/1.1 100 Continue\r\n\r\n";
	assert_int_equal(response(s, &r), strlen(s));
	assert_int_equal(r.status, 100);
	s = "HTTP/1.1 999 x\r\n\r\n";
	assert_int_equal(response(s, &r), strlen(s));
	assert_int_equal(r.status, 999);

	/* Chunked, and a transfer coding that is not: the body then ends with the connection. */
	s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
	assert_int_equal(response(s, &r), strlen(s));
	assert_int_equal(r.flags, HP_HTTP_KEEP_ALIVE | HP_HTTP_CHUNKED);
	s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n";
	assert_int_equal(response(s, &r), strlen(s));
	assert_int_equal(r.flags, HP_HTTP_KEEP_ALIVE);
	assert_true(r.content_length == -1);
}

static void rejects_malformed_responses(void **state)
{
	static const char *bad[] = {
	    "HTTP/1.1 20 OK\r\n\r\n",
	    "HTTP/1.1 2000 OK\r\n\r\n",
	    "HTTP/1.1 099 OK\r\n\r\n",
	    "HTTP/1.1 abc OK\r\n\r\n",
	    "HTTP/1.1 2x0 OK\r\n\r\n",
	    "HTTP/1.1200 OK\r\n\r\n",
	    "HTTP/1.1  200 OK\r\n\r\n",
	    "HTTP/1.1\t200 OK\r\n\r\n",
	    "HTTP/1.1 200\tOK\r\n\r\n",
	    "HTTP/2 200 OK\r\n\r\n",
	    "HTTP/1.2 200 OK\r\n\r\n",
	    "HTTP/1.1 200 O\x01K\r\n\r\n",
	    "HTTP/1.1 200 OK\r\r\n\r\n",
	    " HTTP/1.1 200 OK\r\n\r\n",
	    "\r\nHTTP/1.1 200 OK\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nX : y\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nX: y\r\n z\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		response_gives(bad[i], strlen(bad[i]), HP_HTTP_BAD);

	static char buf[2 * HP_HTTP_MAX_HEAD];
	size_t len = (size_t)snprintf(buf, sizeof buf, "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i <= HP_HTTP_MAX_HEADERS; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "X-%d: v\r\n", i);
	len += (size_t)snprintf(buf + len, sizeof buf - len, "\r\n");
	response_gives(buf, len, HP_HTTP_TOO_LARGE);
	memset(buf, 'a', sizeof buf);
	memcpy(buf, "HTTP/1.1 200 OK\r\nX: ", 20);
	response_gives(buf, HP_HTTP_MAX_HEAD, HP_HTTP_INCOMPLETE);
	response_gives(buf, HP_HTTP_MAX_HEAD + 1, HP_HTTP_TOO_LARGE);
}

static void every_prefix_of_a_valid_response_is_incomplete(void **state)
{
	static const char *heads[] = {
	    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n",
	    "HTTP/1.0 204\n\n",
	    "HTTP/1.1 404 Not Found At All, Sorry\r\nConnection: close\r\nX-A:\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
		check_prefixes(heads[i], strlen(heads[i]), 0);
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
	check_prefixes(s, strlen(s) - 2, 0);
}

/* ------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------ */

static void writes_a_response_head(void **state)
{
	const char *want = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n";
	char buf[256];

	int n = hp_http_write_head(buf, sizeof buf, 200, "application/json", 17, 1);
	assert_int_equal(n, strlen(want));
	view_equal(buf, (size_t)n, want);

	want = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	n = hp_http_write_head(buf, sizeof buf, 404, NULL, 0, 0);
	assert_int_equal(n, strlen(want));
	view_equal(buf, (size_t)n, want);

	/* Every capacity too small is refused; the exact one is enough (no NUL is written). */
	for (size_t cap = 0; cap < strlen(want); cap++)
		assert_int_equal(hp_http_write_head(buf, cap, 404, NULL, 0, 0), -ENOSPC);
	assert_int_equal(hp_http_write_head(buf, strlen(want), 404, NULL, 0, 0), strlen(want));

	assert_int_equal(hp_http_write_head(buf, sizeof buf, 99, NULL, 0, 1), -EINVAL);
	assert_int_equal(hp_http_write_head(buf, sizeof buf, 1000, NULL, 0, 1), -EINVAL);
	assert_int_equal(hp_http_write_head(buf, sizeof buf, -200, NULL, 0, 1), -EINVAL);
}

static void written_heads_parse_back(void **state)
{
	static const int statuses[] = {100, 200, 204, 301, 404, 431, 500, 505, 599, 999};
	static const size_t lengths[] = {0, 1, 9, 10, 12345, (size_t)INT64_MAX};
	static const char *types[] = {NULL, "text/plain", "application/json; charset=utf-8"};
	char buf[256];

	for (size_t s = 0; s < sizeof statuses / sizeof statuses[0]; s++)
		for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++)
			for (size_t t = 0; t < 3; t++)
				for (int ka = 0; ka < 2; ka++) {
					struct hp_http_response r;
					int n = hp_http_write_head(buf, sizeof buf, statuses[s], types[t],
					                           lengths[l], ka);
					assert_true(n > 0);
					assert_int_equal(response_n(buf, (size_t)n, &r), n);
					assert_int_equal(r.minor_version, 1);
					assert_int_equal(r.status, statuses[s]);
					view_equal(r.reason, r.reason_len, hp_http_reason(statuses[s]));
					assert_true(r.content_length == (int64_t)lengths[l]);
					assert_int_equal(r.flags, ka ? HP_HTTP_KEEP_ALIVE : 0);
					const struct hp_http_header *ct =
					    hp_http_header_find(r.headers, r.num_headers, "content-type");
					if (types[t])
						view_equal(ct->value, ct->value_len, types[t]);
					else
						assert_null(ct);
				}
}

static void names_the_standard_statuses(void **state)
{
	assert_string_equal(hp_http_reason(200), "OK");
	assert_string_equal(hp_http_reason(400), "Bad Request");
	assert_string_equal(hp_http_reason(404), "Not Found");
	assert_string_equal(hp_http_reason(413), "Content Too Large");
	assert_string_equal(hp_http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(hp_http_reason(501), "Not Implemented");
	assert_string_equal(hp_http_reason(599), "Unknown");
	assert_string_equal(hp_http_reason(0), "Unknown");
	assert_string_equal(hp_http_reason(-1), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_a_get_with_headers),
	    cmocka_unit_test(parses_a_post_with_a_body),
	    cmocka_unit_test(parses_chunked_requests),
	    cmocka_unit_test(accepts_bare_lf_line_ends),
	    cmocka_unit_test(follows_the_keep_alive_rules),
	    cmocka_unit_test(parses_pipelined_requests_one_at_a_time),
	    cmocka_unit_test(skips_one_empty_line_before_a_request),
	    cmocka_unit_test(rejects_malformed_requests),
	    cmocka_unit_test(enforces_the_limits),
	    cmocka_unit_test(classifies_every_byte),
	    cmocka_unit_test(every_prefix_of_a_valid_request_is_incomplete),
	    cmocka_unit_test(parses_responses),
	    cmocka_unit_test(rejects_malformed_responses),
	    cmocka_unit_test(every_prefix_of_a_valid_response_is_incomplete),
	    cmocka_unit_test(writes_a_response_head),
	    cmocka_unit_test(written_heads_parse_back),
	    cmocka_unit_test(names_the_standard_statuses),
	};
	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
