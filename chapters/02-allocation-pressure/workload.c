/*
 * Input generation, parsing, formatting and digests of chapter 02 (see
 * workload.h for the formats). This is the part of the work both variants do
 * the same way.
 *
 * The parser and the formatter are hand-written, as in any JSON or CSV
 * library that cares about speed, rather than sscanf and snprintf: one
 * snprintf of an order line executes more instructions than everything else
 * the optimized strings loop does per order (callgrind measured about 2300
 * per line with glibc 2.36). With snprintf, the shared formatting would drown
 * the difference the lesson is about at the small size.
 */
#include <inttypes.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/xalloc.h"

#include "workload.h"

/* Write v in decimal at p and return the pointer past the digits. */
static char *put_uint(char *p, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = digits[--n];
	return p;
}

/* Copy the string literal lit to p and advance p; sizeof counts the bytes without the NUL. */
#define PUT_LITERAL(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)

/* The next order after the one with id *id. */
static void order_draw(struct hp_rng *r, uint32_t *id, struct order *o)
{
	/* Ids grow with gaps, as in a table where some rows were deleted. */
	*id += 1 + (uint32_t)hp_rng_below(r, 4);
	o->id = *id;
	o->customer = (uint32_t)hp_rng_below(r, 100000);
	o->cents = (int64_t)hp_rng_below(r, 1000000);
	/* One order in sixteen is a refund. */
	if (hp_rng_below(r, 16) == 0)
		o->cents = -o->cents;
}

void orders_generate(struct hp_rng *r, struct order *o, size_t n)
{
	uint32_t id = 0;

	for (size_t i = 0; i < n; i++)
		order_draw(r, &id, &o[i]);
}

char *orders_text_new(struct hp_rng *r, size_t n, size_t *len)
{
	/* The longest text line: a 10-digit id, a 5-digit customer, "-999999", two spaces, a newline. */
	enum { TEXT_LINE_MAX = 10 + 1 + 5 + 1 + 7 + 1 };
	enum { HEADER_MAX = 32 };

	if (n > (SIZE_MAX - HEADER_MAX) / TEXT_LINE_MAX)
		hp_die("orders_text_new: %zu orders do not fit in memory", n);
	char *text = hp_xmalloc(HEADER_MAX + n * TEXT_LINE_MAX);
	char *p = put_uint(text, n);
	uint32_t id = 0;
	struct order o;

	*p++ = '\n';
	for (size_t i = 0; i < n; i++) {
		order_draw(r, &id, &o);
		p = put_uint(p, o.id);
		*p++ = ' ';
		p = put_uint(p, o.customer);
		*p++ = ' ';
		if (o.cents < 0)
			*p++ = '-';
		p = put_uint(p, o.cents < 0 ? -(uint64_t)o.cents : (uint64_t)o.cents);
		*p++ = '\n';
	}
	*p = '\0';
	*len = (size_t)(p - text);
	return text;
}

/*
 * Parse an unsigned decimal of 1 to digits digits (at most 19, so it cannot
 * overflow) at p into *v. Returns the pointer past it, or NULL when there is
 * no digit or too many.
 */
static const char *parse_uint(const char *p, int digits, uint64_t *v)
{
	const char *end = p + digits;
	uint64_t x = 0;
	const char *q = p;

	while (q < end && *q >= '0' && *q <= '9')
		x = x * 10 + (uint64_t)(*q++ - '0');
	*v = x;
	if (q == p || (*q >= '0' && *q <= '9'))
		return NULL;
	return q;
}

static void die_malformed(const char *what, const char *p) __attribute__((noreturn));

static void die_malformed(const char *what, const char *p)
{
	size_t n = strcspn(p, "\n");

	hp_die("malformed %s: '%.*s'", what, (int)(n < 60 ? n : 60), p);
}

const char *orders_text_header(const char *text, size_t *count)
{
	uint64_t n;
	const char *p = parse_uint(text, 19, &n);

	if (!p || *p != '\n' || n > SIZE_MAX)
		die_malformed("header (expected the number of orders)", text);
	*count = (size_t)n;
	return p + 1;
}

const char *order_parse(const char *p, struct order *o)
{
	const char *line = p;
	uint64_t id, customer, cents;
	int refund;

	if (!*p)
		return NULL;
	if (!(p = parse_uint(p, 10, &id)) || *p++ != ' ' || id > UINT32_MAX)
		goto bad_line;
	if (!(p = parse_uint(p, 10, &customer)) || *p++ != ' ' || customer > UINT32_MAX)
		goto bad_line;
	refund = *p == '-';
	if (!(p = parse_uint(p + refund, 18, &cents)) || *p != '\n')
		goto bad_line;
	o->id = (uint32_t)id;
	o->customer = (uint32_t)customer;
	o->cents = refund ? -(int64_t)cents : (int64_t)cents;
	return p + 1;
bad_line:
	die_malformed("order line", line);
}

size_t order_format(char line[ORDER_LINE_MAX + 1], const struct order *o)
{
	/* Format the magnitude, so that -5 cents prints as -0.05 and not as -0.-5. */
	uint64_t mag = o->cents < 0 ? -(uint64_t)o->cents : (uint64_t)o->cents;
	char *p = line;

	if (o->customer > 99999 || mag > 999999)
		hp_die("order_format: order %" PRIu32 " is outside the ranges of ORDER_LINE_MAX", o->id);
	PUT_LITERAL(p, "{\"id\":");
	p = put_uint(p, o->id);
	PUT_LITERAL(p, ",\"customer\":");
	p = put_uint(p, o->customer);
	PUT_LITERAL(p, ",\"total\":");
	if (o->cents < 0)
		*p++ = '-';
	p = put_uint(p, mag / 100);
	*p++ = '.';
	*p++ = (char)('0' + mag / 10 % 10);
	*p++ = (char)('0' + mag % 10);
	PUT_LITERAL(p, "}\n");
	*p = '\0';
	return (size_t)(p - line);
}

void orders_digest(const struct order *o, size_t n, char hex[17])
{
	struct hp_digest d;

	hp_digest_init(&d);
	for (size_t i = 0; i < n; i++) {
		hp_digest_u64(&d, o[i].id);
		hp_digest_u64(&d, o[i].customer);
		hp_digest_u64(&d, (uint64_t)o[i].cents);
	}
	hp_digest_hex(&d, hex);
}

void text_digest(const char *text, size_t len, char hex[17])
{
	struct hp_digest d;

	hp_digest_init(&d);
	hp_digest_bytes(&d, text, len);
	hp_digest_hex(&d, hex);
}
