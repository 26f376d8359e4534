/*
 * A zero-copy HTTP/1.1 head parser and response writer (hp/http.h), in the
 * style of picohttpparser: no state between calls, no allocation, every
 * string a view into the caller's buffer.
 *
 * The workload is an epoll server answering small keep-alive requests,
 * parsed once each, so the parser is on the hot path of every chapter that
 * serves HTTP. The benchmark request the comments below quote is a 231-byte
 * GET with six headers (Host, User-Agent, Accept, Accept-Encoding,
 * Connection, X-Request-Id): 1642 instructions a parse (callgrind), about
 * 70 ns on the shared 2-core VM it was written on, as fast as
 * picohttpparser's portable (non-SSE) version, which validates less. Three
 * choices keep it cheap:
 *
 *   - One pass. Each byte is looked at once (no function call per byte, no
 *     strlen, no ctype.h with its locale), and the loop that validates a
 *     value also finds the end of its line.
 *   - Eight bytes at a time through field values and the request target,
 *     where most of the bytes are: a 64-bit word is tested for "any control
 *     byte or DEL (or SP)" with the bit trick of Bit Twiddling Hacks, and the
 *     first such byte is located in the word without a byte loop.
 *   - Headers the parser itself must understand (Content-Length,
 *     Transfer-Encoding, Connection) are recognized by their length first,
 *     so the other headers cost one switch.
 *
 * It is strict where leniency lets two parsers disagree on where a message
 * ends (request smuggling): one SP between the parts of the request line,
 * no whitespace before a colon, no obsolete line folding, no bare CR,
 * Content-Length digits only and never with Transfer-Encoding. It accepts a
 * bare LF as a line end and skips one empty line before a request line, as
 * RFC 9112 §2.2 allows.
 *
 * An error is reported as soon as the bytes that make it are in the buffer
 * (only the framing checks that need every header wait for the empty
 * line), so a client sending garbage is refused at once; an input that is
 * still a prefix of a valid head is always HP_HTTP_INCOMPLETE (the unit
 * tests try every split point; the fuzzer checks that a head parses the
 * same on its own and that one byte less is incomplete).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "hp/http.h"

/* ------------------------------------------------------------------------
 * Tokens
 * ------------------------------------------------------------------------ */

/*
 * tchar (RFC 9110 §5.6.2), the bytes of a method and a header name: letters,
 * digits and !#$%&'*+-.^_`|~. Sixteen bytes a row, as in an ASCII chart;
 * the rows not written, 0x80-0xff, are zero.
 */
/* clang-format off */
static const unsigned char token_char[256] = {
    /* 0x00-0x1f: controls */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x20-0x2f:  SP !  "  #  $  %  &  '  (  )  *  +  ,  -  .  / */
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0,
    /* 0x30-0x3f:  0-9, then :  ;  <  =  >  ? */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    /* 0x40-0x4f:  @, then A-O */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x50-0x5f:  P-Z, then [  \  ]  ^  _ */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
    /* 0x60-0x6f:  `, then a-o */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x70-0x7f:  p-z, then {  |  }  ~  DEL */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
};
/* clang-format on */

/*
 * The end of the token at p. While eight bytes remain, they are tested
 * without a bounds check each: the unrolled inner loop took 14% off the
 * instructions of a whole parse of the benchmark request (callgrind; clang
 * unrolls it by itself, gcc -O2 only when asked).
 */
static inline const char *skip_token(const char *p, const char *end)
{
	for (; end - p >= 8; p += 8)
#pragma GCC unroll 8
		for (int i = 0; i < 8; i++)
			if (!token_char[(unsigned char)p[i]])
				return p + i;
	while (p < end && token_char[(unsigned char)*p])
		p++;
	return p;
}

static inline unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Whether s[0..n) is the lower-case literal lit, ignoring the case of s. */
static int eq_lower(const char *s, size_t n, const char *lit, size_t lit_len)
{
	if (n != lit_len)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != (unsigned char)lit[i])
			return 0;
	return 1;
}

#define EQ_LOWER(s, n, lit) eq_lower(s, n, lit, sizeof(lit) - 1)

/* ------------------------------------------------------------------------
 * Values and targets, eight bytes at a time
 * ------------------------------------------------------------------------ */

/*
 * A field value, a reason phrase and a request target run until a "stop"
 * byte: a control character or DEL, and for a target also SP (below is
 * 0x20 or 0x21). Everything else, including obs-text (0x80-0xff), belongs
 * to them; HTAB is a stop byte that values allow (skip_value()).
 */
static inline int is_stop(unsigned char c, unsigned below)
{
	return c < below || c == 0x7f;
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/*
 * The stop bytes of a word: the high bit of each byte of the result is set
 * where w holds a byte below n (n <= 0x80) or DEL. The first term is
 * "haslessthan" from Bit Twiddling Hacks: subtracting n from every byte
 * borrows into its high bit where the byte is below n, and "& ~w" drops the
 * bytes whose high bit was set already (obs-text). The second is the same
 * test for a zero byte of w ^ DEL. A borrow only runs towards the more
 * significant bytes, so the least significant flag is always a real one:
 * on a little-endian machine, the first stop byte in memory.
 */
static inline uint64_t stop_mask(uint64_t w, unsigned n)
{
	uint64_t del = w ^ (ONES * 0x7f);

	return ((w - ONES * n) & ~w & HIGHS) | ((del - ONES) & ~del & HIGHS);
}

/*
 * The first stop byte at or after p, or end. Values and targets hold most
 * of the bytes of a head, and reading them a word at a time took 30% off
 * the instructions of a parse of the benchmark request (callgrind, 2342 to
 * 1642). The unaligned load is a memcpy, which compilers turn into one mov.
 */
static inline const char *find_stop(const char *p, const char *end, unsigned below)
{
	for (; end - p >= 8; p += 8) {
		uint64_t w, m;
		memcpy(&w, p, 8);
		m = stop_mask(w, below);
		if (m) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + __builtin_ctzll(m) / 8;
#else
			break; /* the flags are exact only for the last byte in memory: use the byte loop */
#endif
		}
	}
	while (p < end && !is_stop((unsigned char)*p, below))
		p++;
	return p;
}

/* The end of a field value or reason phrase: the first stop byte that is not HTAB. */
static inline const char *skip_value(const char *p, const char *end)
{
	for (;;) {
		p = find_stop(p, end, 0x20);
		if (p == end || *p != '\t')
			return p;
		p++;
	}
}

/* ------------------------------------------------------------------------
 * Lines
 * ------------------------------------------------------------------------ */

/*
 * The parsing functions return the position after what they parsed, or
 * NULL with *err set to HP_HTTP_INCOMPLETE (the input ended inside), or
 * HP_HTTP_BAD / HP_HTTP_TOO_LARGE (no continuation can make it valid).
 */
#define FAIL(code)                                                                                           \
	do {                                                                                                 \
		*err = (code);                                                                               \
		return NULL;                                                                                 \
	} while (0)

/* A line end at p: CRLF or a bare LF. A CR followed by anything else is bad. */
static inline const char *parse_eol(const char *p, const char *end, int *err)
{
	if (p == end)
		FAIL(HP_HTTP_INCOMPLETE);
	if (*p == '\r') {
		if (++p == end)
			FAIL(HP_HTTP_INCOMPLETE);
		if (*p != '\n')
			FAIL(HP_HTTP_BAD);
	} else if (*p != '\n') {
		FAIL(HP_HTTP_BAD);
	}
	return p + 1;
}

/* "HTTP/1.0" or "HTTP/1.1": the digit goes to *minor. */
static const char *parse_version(const char *p, const char *end, int *minor, int *err)
{
	static const char prefix[] = "HTTP/1.";
	size_t avail = (size_t)(end - p);

	if (avail < sizeof prefix) {
		/* Still a valid prefix as long as the bytes so far match. */
		if (memcmp(p, prefix, avail) != 0)
			FAIL(HP_HTTP_BAD);
		FAIL(HP_HTTP_INCOMPLETE);
	}
	if (memcmp(p, prefix, sizeof prefix - 1) != 0)
		FAIL(HP_HTTP_BAD);
	p += sizeof prefix - 1;
	if (*p != '0' && *p != '1')
		FAIL(HP_HTTP_BAD);
	*minor = *p - '0';
	return p + 1;
}

/* ------------------------------------------------------------------------
 * Headers
 * ------------------------------------------------------------------------ */

/* What the headers say about the framing of the message. */
struct framing {
	int64_t content_length; /* -1: no Content-Length */
	int has_te;             /* a Transfer-Encoding header was seen */
	int chunked;            /* its last coding is "chunked" */
	int close;              /* Connection holds "close" */
	int keep_alive;         /* Connection holds "keep-alive" */
};

/* The next element of a comma-separated list in [*p, end), without OWS; empty ones are skipped. */
static int next_element(const char **p, const char *end, const char **elem, size_t *elem_len)
{
	const char *s = *p, *e;

	while (s < end && (*s == ' ' || *s == '\t' || *s == ','))
		s++;
	if (s == end)
		return 0;
	e = s;
	while (e < end && *e != ',')
		e++;
	*p = e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*elem = s;
	*elem_len = (size_t)(e - s);
	return 1;
}

/* 1*DIGIT into *out, refusing anything else and values above INT64_MAX. */
static int parse_content_length(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)((unsigned char)s[i] - '0');
		if (d > 9 || v > (INT64_MAX - d) / 10)
			return -1;
		v = 10 * v + d;
	}
	*out = v;
	return 0;
}

/*
 * Note what a header means for framing and persistence. Returns -1 for a
 * bad Content-Length. The three names have different lengths, so the length
 * picks the one comparison worth making.
 */
static int interpret_header(const struct hp_http_header *h, struct framing *f)
{
	const char *p = h->value, *end = h->value + h->value_len, *e;
	size_t elen;
	int64_t v;

	switch (h->name_len) {
	case sizeof "connection" - 1:
		if (!EQ_LOWER(h->name, h->name_len, "connection"))
			break;
		while (next_element(&p, end, &e, &elen)) {
			if (EQ_LOWER(e, elen, "close"))
				f->close = 1;
			else if (EQ_LOWER(e, elen, "keep-alive"))
				f->keep_alive = 1;
		}
		break;
	case sizeof "content-length" - 1:
		if (!EQ_LOWER(h->name, h->name_len, "content-length"))
			break;
		/* RFC 9110 §8.6: identical repeats may be accepted; different ones are an error. */
		if (parse_content_length(h->value, h->value_len, &v) < 0 ||
		    (f->content_length >= 0 && f->content_length != v))
			return -1;
		f->content_length = v;
		break;
	case sizeof "transfer-encoding" - 1:
		if (!EQ_LOWER(h->name, h->name_len, "transfer-encoding"))
			break;
		/* Repeated headers form one list: only the last coding decides. */
		f->has_te = 1;
		while (next_element(&p, end, &e, &elen))
			f->chunked = EQ_LOWER(e, elen, "chunked");
		break;
	}
	return 0;
}

/*
 * The header lines and the empty line that ends them. Writes up to
 * HP_HTTP_MAX_HEADERS entries of h and their count to *num.
 */
static const char *parse_headers(const char *p, const char *end, struct hp_http_header *h, size_t *num,
                                 struct framing *f, int *err)
{
	size_t n = 0;

	*num = 0;
	for (;; n++) {
		if (p == end)
			FAIL(HP_HTTP_INCOMPLETE);
		if (*p == '\r' || *p == '\n')
			return parse_eol(p, end, err);
		if (n == HP_HTTP_MAX_HEADERS)
			FAIL(HP_HTTP_TOO_LARGE);

		/*
		 * The name. Whatever stops it must be the colon: a SP or HTAB
		 * there is whitespace before the colon, and at the start of the
		 * line it is obsolete line folding (both rejected, RFC 9112 §5).
		 */
		const char *name = p;
		p = skip_token(p, end);
		if (p == end)
			FAIL(HP_HTTP_INCOMPLETE);
		if (*p != ':' || p == name)
			FAIL(HP_HTTP_BAD);
		h[n].name = name;
		h[n].name_len = (size_t)(p - name);
		p++;

		/* The value, without the whitespace around it. */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *value = p;
		p = skip_value(p, end);
		const char *value_end = p;
		p = parse_eol(p, end, err);
		if (!p)
			return NULL;
		while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t'))
			value_end--;
		h[n].value = value;
		h[n].value_len = (size_t)(value_end - value);
		*num = n + 1;

		if (interpret_header(&h[n], f) < 0)
			FAIL(HP_HTTP_BAD);
	}
}

/* Whether the connection persists, from the version and the Connection header. */
static unsigned persistence(int minor_version, const struct framing *f)
{
	if (f->close)
		return 0;
	if (minor_version >= 1 || f->keep_alive)
		return HP_HTTP_KEEP_ALIVE;
	return 0;
}

/*
 * The limit on the head: parse no further than HP_HTTP_MAX_HEAD bytes, so a
 * head that has not ended there is too large, however valid it looks.
 */
static int head_result(const char *buf, size_t len, const char *p, int err)
{
	if (p)
		return (int)(p - buf);
	if (err == HP_HTTP_INCOMPLETE && len > HP_HTTP_MAX_HEAD)
		return HP_HTTP_TOO_LARGE;
	return err;
}

/* ------------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------------ */

static const char *parse_request_head(const char *p, const char *end, struct hp_http_request *req, int *err)
{
	struct framing f = {.content_length = -1};

	/* One empty line before the request line is ignored (RFC 9112 §2.2). */
	if (p < end && *p == '\r') {
		if (p + 1 == end)
			FAIL(HP_HTTP_INCOMPLETE);
		if (p[1] == '\n')
			p += 2;
	} else if (p < end && *p == '\n') {
		p++;
	}

	/* method SP request-target SP HTTP-version, each separated by one SP. */
	req->method = p;
	p = skip_token(p, end);
	if (p == end)
		FAIL(HP_HTTP_INCOMPLETE);
	if (*p != ' ' || p == req->method)
		FAIL(HP_HTTP_BAD);
	req->method_len = (size_t)(p - req->method);
	p++;

	req->target = p;
	p = find_stop(p, end, 0x21);
	if (p == end)
		FAIL(HP_HTTP_INCOMPLETE);
	if (*p != ' ' || p == req->target)
		FAIL(HP_HTTP_BAD);
	req->target_len = (size_t)(p - req->target);
	p++;

	p = parse_version(p, end, &req->minor_version, err);
	if (!p)
		return NULL;
	p = parse_eol(p, end, err);
	if (!p)
		return NULL;

	p = parse_headers(p, end, req->headers, &req->num_headers, &f, err);
	if (!p)
		return NULL;

	/*
	 * Framing a server could get wrong (RFC 9112 §6.1, §6.3): a body length
	 * given twice, a transfer coding whose length is unknown, or one sent by
	 * an HTTP/1.0 client, which cannot know it.
	 */
	if (f.has_te && (f.content_length >= 0 || !f.chunked || req->minor_version == 0))
		FAIL(HP_HTTP_BAD);
	req->content_length = f.content_length;
	req->flags = persistence(req->minor_version, &f) | (f.chunked ? HP_HTTP_CHUNKED : 0);
	return p;
}

int hp_http_parse_request(const char *buf, size_t len, struct hp_http_request *req)
{
	const char *end = buf + (len > HP_HTTP_MAX_HEAD ? HP_HTTP_MAX_HEAD : len);
	const char *p;
	int err = HP_HTTP_BAD;

	req->num_headers = 0;
	req->content_length = -1;
	req->flags = 0;
	p = parse_request_head(buf, end, req, &err);
	return head_result(buf, len, p, err);
}

/* ------------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------------ */

static const char *parse_response_head(const char *p, const char *end, struct hp_http_response *res, int *err)
{
	struct framing f = {.content_length = -1};

	/* HTTP-version SP status-code [SP reason-phrase] */
	p = parse_version(p, end, &res->minor_version, err);
	if (!p)
		return NULL;
	if (p == end)
		FAIL(HP_HTTP_INCOMPLETE);
	if (*p++ != ' ')
		FAIL(HP_HTTP_BAD);

	res->status = 0;
	for (int i = 0; i < 3; i++, p++) {
		if (p == end)
			FAIL(HP_HTTP_INCOMPLETE);
		if (*p < '0' || *p > '9' || (i == 0 && *p == '0'))
			FAIL(HP_HTTP_BAD);
		res->status = 10 * res->status + (*p - '0');
	}

	/*
	 * RFC 9112 §4 requires the SP even before an empty reason, but
	 * "HTTP/1.1 204\r\n" is common enough that clients accept it.
	 */
	if (p == end)
		FAIL(HP_HTTP_INCOMPLETE);
	if (*p == ' ')
		p++;
	else if (*p != '\r' && *p != '\n')
		FAIL(HP_HTTP_BAD);
	res->reason = p;
	p = skip_value(p, end);
	res->reason_len = (size_t)(p - res->reason);
	p = parse_eol(p, end, err);
	if (!p)
		return NULL;

	p = parse_headers(p, end, res->headers, &res->num_headers, &f, err);
	if (!p)
		return NULL;
	if (f.has_te && f.content_length >= 0)
		FAIL(HP_HTTP_BAD);
	res->content_length = f.content_length;
	res->flags = persistence(res->minor_version, &f) | (f.chunked ? HP_HTTP_CHUNKED : 0);
	return p;
}

int hp_http_parse_response(const char *buf, size_t len, struct hp_http_response *res)
{
	const char *end = buf + (len > HP_HTTP_MAX_HEAD ? HP_HTTP_MAX_HEAD : len);
	const char *p;
	int err = HP_HTTP_BAD;

	res->num_headers = 0;
	res->content_length = -1;
	res->flags = 0;
	p = parse_response_head(buf, end, res, &err);
	return head_result(buf, len, p, err);
}

/* ------------------------------------------------------------------------
 * Headers, reasons, and writing a response head
 * ------------------------------------------------------------------------ */

const struct hp_http_header *hp_http_header_find(const struct hp_http_header *h, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < n; i++) {
		if (h[i].name_len != len)
			continue;
		size_t j = 0;
		while (j < len && lower((unsigned char)h[i].name[j]) == lower((unsigned char)name[j]))
			j++;
		if (j == len)
			return &h[i];
	}
	return NULL;
}

const char *hp_http_reason(int status)
{
	/* RFC 9110 §15, with its names (413 is no longer "Payload Too Large"). */
	/* One status a line reads as the table it is. */
	/* clang-format off */
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 203: return "Non-Authoritative Information";
	case 204: return "No Content";
	case 205: return "Reset Content";
	case 206: return "Partial Content";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 305: return "Use Proxy";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 421: return "Misdirected Request";
	case 422: return "Unprocessable Content";
	case 426: return "Upgrade Required";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
	/* clang-format on */
}

/* The decimal digits of v, written at the end of buf[0..20); returns the first. */
static char *format_size(char buf[20], size_t v)
{
	char *p = buf + 20;

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

static inline char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define PUT(p, lit) put(p, lit, sizeof(lit) - 1)

int hp_http_write_head(char *buf, size_t cap, int status, const char *content_type, size_t content_length,
                       int keep_alive)
{
	char code[3], digits[20], *len_digits;
	const char *reason;
	size_t reason_len, type_len, len_len;

	/* The contract leaves other codes undefined; they would not parse back. */
	if (status < 100 || status > 999)
		return -EINVAL;
	reason = hp_http_reason(status);
	reason_len = strlen(reason);
	type_len = content_type ? strlen(content_type) : 0;
	len_digits = format_size(digits, content_length);
	len_len = (size_t)(digits + sizeof digits - len_digits);
	code[0] = (char)('0' + status / 100);
	code[1] = (char)('0' + status / 10 % 10);
	code[2] = (char)('0' + status % 10);

	/* Measure first, so nothing is written that does not fit. */
	size_t need = sizeof "HTTP/1.1 200 \r\n" - 1 + reason_len + sizeof "Content-Length: \r\n" - 1 +
	              len_len + sizeof "\r\n" - 1;
	if (content_type)
		need += sizeof "Content-Type: \r\n" - 1 + type_len;
	if (!keep_alive)
		need += sizeof "Connection: close\r\n" - 1;
	if (need > cap || need > INT_MAX)
		return -ENOSPC;

	char *p = PUT(buf, "HTTP/1.1 ");
	p = put(p, code, 3);
	*p++ = ' ';
	p = put(p, reason, reason_len);
	p = PUT(p, "\r\n");
	if (content_type) {
		p = PUT(p, "Content-Type: ");
		p = put(p, content_type, type_len);
		p = PUT(p, "\r\n");
	}
	p = PUT(p, "Content-Length: ");
	p = put(p, len_digits, len_len);
	p = PUT(p, "\r\n");
	if (!keep_alive)
		p = PUT(p, "Connection: close\r\n");
	p = PUT(p, "\r\n");
	return (int)(p - buf);
}
