/*
 * The account import of chapter 06 (see workload.h): the generated export,
 * the field parsers and the import's results, which every variant shares.
 * Nothing here formats a message: that is the variants' part.
 *
 * The export looks like one a web shop's back office would send: ids of up
 * to thirteen digits, ports that are mostly the usual few (443, 8080, 5432)
 * and otherwise anything from 1024 up, addresses made of first and last
 * names at a dozen domains, some with a "+tag", and creation times from
 * 2000 to 2030. The faults of an invalid record are the ones such exports
 * really have: a digit typed as a letter, an id pasted twice into one cell,
 * a port of 0 or 70000, an address without its '@' or with a space in it, a
 * 29th of February in a common year, a time written "2024-03-05 12:00:00"
 * without its 'T' and 'Z', a cell missing or one too many.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hp/prng.h"
#include "hp/xalloc.h"

#include "workload.h"

const char *const err_kind_name[ERR_KINDS] = {"", "record", "id", "port", "email", "created"};

/*
 * A bound of the lines the generator writes, newline included. A line has
 * one fault at most, so the longest is about 110 bytes: a 13-digit id, a
 * port, an address of 70 + 1 + 17 characters (a local part too long) and a
 * timestamp; records_init() checks every line against the bound.
 */
#define LINE_MAX_GEN 192

/* ----------------------------------------------------------------- generation */

static const char *const first_names[] = {
    "maria", "james", "wei",  "olga",  "ahmed", "lucia", "john",   "anna", "kenji", "fatima",
    "peter", "chloe", "ravi", "sofia", "tomas", "ines",  "mikael", "yuki", "omar",  "elena",
};

static const char *const last_names[] = {
    "rossi",  "smith", "zhang",   "ivanova", "hassan", "garcia", "nguyen", "kowalski",
    "tanaka", "silva", "mueller", "dubois",  "okafor", "larsen", "patel",  "novak",
};

static const char *const domains[] = {
    "example.com",     "mail.example.org", "corp.example.net",  "example.co.uk",
    "shop.example.de", "example.io",       "users.example.com", "example.fr",
    "eu.example.com",  "example.jp",       "mx.example.org",    "example.es",
};

static const char *const tags[] = {"shop", "news", "work", "2fa", "billing", "test"};

static const uint32_t usual_ports[] = {443, 8443, 8080, 80, 5432, 6379, 3306, 9000, 25, 587};

struct gen {
	struct hp_rng *rng;
	char *p;
};

static void put(struct gen *g, const char *s)
{
	size_t n = strlen(s);

	memcpy(g->p, s, n);
	g->p += n;
}

static void put_char(struct gen *g, char c)
{
	*g->p++ = c;
}

static void put_u64(struct gen *g, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*g->p++ = tmp[--n];
}

/* v in exactly width digits, zero-padded (width <= 4). */
static void put_fixed(struct gen *g, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		g->p[i] = (char)('0' + v % 10);
	g->p += width;
}

/* A number in [lo, hi]. */
static uint64_t draw(struct gen *g, uint64_t lo, uint64_t hi)
{
	return lo + hp_rng_below(g->rng, hi - lo + 1);
}

#define PICK(g, array) (array)[hp_rng_below((g)->rng, sizeof(array) / sizeof *(array))]

/* The day count of a civil date and back (Howard Hinnant's algorithms); 1970-01-01 is day 0. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, unsigned *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (unsigned)((int64_t)yoe + era * 400) + (*m <= 2);
}

static int is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* The kinds of fault an invalid record gets, drawn evenly. */
enum fault {
	FAULT_SHAPE,
	FAULT_ID,
	FAULT_PORT,
	FAULT_EMAIL,
	FAULT_CREATED,
	NFAULTS,
};

static void gen_id(struct gen *g, int bad)
{
	if (!bad) {
		put_u64(g, draw(g, 1, 9999999999999));
		return;
	}
	switch (hp_rng_below(g->rng, 4)) {
	case 0: { /* a digit typed as a letter */
		char *start = g->p;

		put_u64(g, draw(g, 1000000, 9999999999999));
		start[hp_rng_below(g->rng, (uint64_t)(g->p - start))] = "OlIS"[hp_rng_below(g->rng, 4)];
		break;
	}
	case 1: /* two ids pasted into one cell: 20 to 24 digits, too large for 64 bits */
		put_u64(g, draw(g, 2000000000, 9999999999));
		put_u64(g, draw(g, 1000000000, 99999999999999));
		break;
	case 2: /* a sign */
		put_char(g, '-');
		put_u64(g, draw(g, 1, 99999));
		break;
	default: /* missing */
		break;
	}
}

static void gen_port(struct gen *g, int bad)
{
	if (!bad) {
		if (hp_rng_below(g->rng, 10) < 6)
			put_u64(g, PICK(g, usual_ports));
		else
			put_u64(g, draw(g, 1024, 65535));
		return;
	}
	switch (hp_rng_below(g->rng, 4)) {
	case 0:
		put_char(g, '0');
		break;
	case 1:
		put_u64(g, draw(g, 65536, 99999));
		break;
	case 2: /* a service name where a number belongs */
		put(g, PICK(g, ((const char *const[]){"https", "http", "smtp", "postgres"})));
		break;
	default: /* the unit typed along */
		put_u64(g, PICK(g, usual_ports));
		put(g, "/tcp");
		break;
	}
}

/* A valid local part: "maria.rossi", "wei_zhang+shop", "olga1987", "tomas.k.novak". */
static void gen_local(struct gen *g)
{
	put(g, PICK(g, first_names));
	switch (hp_rng_below(g->rng, 4)) {
	case 0:
	case 1:
		put_char(g, hp_rng_below(g->rng, 4) ? '.' : '_');
		put(g, PICK(g, last_names));
		break;
	case 2:
		put_u64(g, draw(g, 1950, 2010));
		break;
	default:
		put_char(g, '.');
		put_char(g, (char)('a' + hp_rng_below(g->rng, 26)));
		put_char(g, '.');
		put(g, PICK(g, last_names));
		break;
	}
	if (hp_rng_below(g->rng, 8) == 0) {
		put_char(g, '+');
		put(g, PICK(g, tags));
	}
}

static void gen_email(struct gen *g, int bad)
{
	if (!bad) {
		gen_local(g);
		put_char(g, '@');
		put(g, PICK(g, domains));
		return;
	}
	switch (hp_rng_below(g->rng, 8)) {
	case 0: /* the '@' lost */
		gen_local(g);
		put_char(g, '.');
		put(g, PICK(g, domains));
		break;
	case 1: /* two of them */
		put(g, PICK(g, first_names));
		put_char(g, '@');
		put(g, PICK(g, last_names));
		put_char(g, '@');
		put(g, PICK(g, domains));
		break;
	case 2: /* no local part */
		put_char(g, '@');
		put(g, PICK(g, domains));
		break;
	case 3: { /* a local part of 65 to 70 characters */
		char *start = g->p;
		size_t want = draw(g, 65, 70);

		while ((size_t)(g->p - start) < want) {
			put(g, PICK(g, first_names));
			put_char(g, '.');
		}
		g->p = start + want;
		if (g->p[-1] == '.')
			g->p[-1] = 'x';
		put_char(g, '@');
		put(g, PICK(g, domains));
		break;
	}
	case 4: /* a space, as in a name typed into the field */
		put(g, PICK(g, first_names));
		put_char(g, ' ');
		put(g, PICK(g, last_names));
		put_char(g, '@');
		put(g, PICK(g, domains));
		break;
	case 5: /* a dot too many */
		gen_local(g);
		put(g, ".@");
		put(g, PICK(g, domains));
		break;
	case 6: /* a host name, not a domain */
		gen_local(g);
		put(g, PICK(g, ((const char *const[]){"@localhost", "@mailserver", "@intranet"})));
		break;
	default: /* a domain with a typo */
		gen_local(g);
		put(g, PICK(g, ((const char *const[]){"@example.c", "@example..com", "@-mail.example.org",
		                                      "@mail_server.example.net", "@example.c0m"})));
		break;
	}
}

static void gen_created(struct gen *g, int bad)
{
	/* 2000-01-01 to 2030-12-31. */
	int64_t day = (int64_t)draw(g, 10957, 22279);
	unsigned y, m, d, hh = (unsigned)draw(g, 0, 23), mm = (unsigned)draw(g, 0, 59),
	                  ss = (unsigned)draw(g, 0, 59);
	char date_sep = '-', t = 'T';
	int zone = 1;

	civil_from_days(day, &y, &m, &d);
	if (bad) {
		switch (hp_rng_below(g->rng, 6)) {
		case 0: /* written the SQL way */
			t = ' ';
			zone = 0;
			break;
		case 1:
			date_sep = '/';
			break;
		case 2: /* the 29th of February in a common year, or the 31st of a short month */
			if (is_leap(y))
				y++;
			if (hp_rng_below(g->rng, 2)) {
				m = 2;
				d = 29;
			} else {
				m = PICK(g, ((const unsigned[]){4, 6, 9, 11}));
				d = 31;
			}
			break;
		case 3:
			m = hp_rng_below(g->rng, 2) ? 13 : 0;
			break;
		case 4:
			if (hp_rng_below(g->rng, 2))
				hh = 24;
			else
				mm = 60;
			break;
		default: /* before the epoch */
			y = (unsigned)draw(g, 1900, 1969);
			break;
		}
	}
	put_fixed(g, y, 4);
	put_char(g, date_sep);
	put_fixed(g, m, 2);
	put_char(g, date_sep);
	put_fixed(g, d, 2);
	put_char(g, t);
	put_fixed(g, hh, 2);
	put_char(g, ':');
	put_fixed(g, mm, 2);
	put_char(g, ':');
	put_fixed(g, ss, 2);
	if (zone)
		put_char(g, 'Z');
}

static void gen_record(struct gen *g, int bad_kind)
{
	int shape = bad_kind == FAULT_SHAPE;
	unsigned shape_fault = shape ? (unsigned)hp_rng_below(g->rng, 2) : 0;

	gen_id(g, bad_kind == FAULT_ID);
	put_char(g, ',');
	gen_port(g, bad_kind == FAULT_PORT);
	put_char(g, ',');
	/* A shape fault drops the address's cell, or adds a note after the last one. */
	if (!(shape && shape_fault == 0)) {
		gen_email(g, bad_kind == FAULT_EMAIL);
		put_char(g, ',');
	}
	gen_created(g, bad_kind == FAULT_CREATED);
	if (shape && shape_fault == 1)
		put(g, PICK(g, ((const char *const[]){",vip", ",imported 2019", ",see ticket 4471"})));
	put_char(g, '\n');
}

void records_init(struct records *r, size_t n, unsigned invalid_permille, uint64_t seed)
{
	struct hp_rng rng;
	struct gen g = {&rng, NULL};

	if (invalid_permille > 1000)
		hp_die("records_init: %u invalid records per thousand", invalid_permille);
	r->text = hp_xmalloc_array(n ? n : 1, LINE_MAX_GEN);
	r->n = n;
	g.p = r->text;
	hp_rng_init(&rng, seed);
	for (size_t i = 0; i < n; i++) {
		char *start = g.p;
		int bad = hp_rng_below(&rng, 1000) < invalid_permille;

		gen_record(&g, bad ? (int)hp_rng_below(&rng, NFAULTS) : -1);
		if ((size_t)(g.p - start) > LINE_MAX_GEN)
			hp_die("records_init: a line of %zu bytes exceeds LINE_MAX_GEN",
			       (size_t)(g.p - start));
	}
	r->len = (size_t)(g.p - r->text);
	/* The buffer was sized for the longest lines; give back what the real ones left. */
	r->text = hp_xrealloc(r->text, r->len ? r->len : 1);
}

void records_release(struct records *r)
{
	free(r->text);
	r->text = NULL;
	r->len = r->n = 0;
}

struct field records_next_line(const struct records *r, size_t *pos)
{
	const char *p = r->text + *pos;
	const char *nl = memchr(p, '\n', r->len - *pos);
	size_t len = nl ? (size_t)(nl - p) : r->len - *pos;

	*pos += len + (nl != NULL);
	return (struct field){p, len};
}

size_t record_split(const char *line, size_t len, struct field f[NFIELDS])
{
	const char *p = line, *end = line + len;
	size_t n = 0;

	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;

		if (n < NFIELDS)
			f[n] = (struct field){p, (size_t)(stop - p)};
		n++;
		if (!comma)
			return n;
		p = comma + 1;
	}
}

/* -------------------------------------------------------------------- parsers */

int parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	int overflow = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned digit = (unsigned)(unsigned char)s[i] - '0';

		if (digit > 9)
			return -EINVAL;
		/* Keep scanning after an overflow: "12a" that is also long is a syntax error first. */
		if (v > (UINT64_MAX - digit) / 10)
			overflow = 1;
		v = v * 10 + digit;
	}
	if (overflow)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_port(const char *s, size_t len, uint32_t *out)
{
	uint64_t v;
	int rc = parse_u64(s, len, &v);

	if (rc)
		return rc;
	if (v == 0 || v > 65535)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static int is_alpha(unsigned char c)
{
	return (unsigned)((c | 0x20) - 'a') < 26;
}

static int is_digit(unsigned char c)
{
	return (unsigned)(c - '0') < 10;
}

static int is_local_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

enum email_fault email_check(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);

	if (!at)
		return EMAIL_NO_AT;

	size_t local = (size_t)(at - s);
	const char *dom = at + 1, *end = s + len;

	if (memchr(dom, '@', (size_t)(end - dom)))
		return EMAIL_MANY_AT;
	if (local == 0)
		return EMAIL_LOCAL_EMPTY;
	if (local > 64)
		return EMAIL_LOCAL_LONG;
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_local_char(c))
			return EMAIL_LOCAL_CHAR;
		if (c == '.' && (i == 0 || i == local - 1 || s[i - 1] == '.'))
			return EMAIL_LOCAL_DOT;
	}

	/* The domain, label by label; the last label is the top-level domain. */
	const char *label = dom;
	size_t labels = 0;

	for (const char *p = dom;; p++) {
		if (p < end && *p != '.') {
			unsigned char c = (unsigned char)*p;

			if (!is_alpha(c) && !is_digit(c) && c != '-')
				return EMAIL_LABEL;
			continue;
		}
		size_t n = (size_t)(p - label);

		if (n == 0 || n > 63 || label[0] == '-' || p[-1] == '-')
			return p == end && labels == 0 ? EMAIL_NO_DOT : EMAIL_LABEL;
		labels++;
		if (p == end) {
			if (labels < 2)
				return EMAIL_NO_DOT;
			if (n < 2)
				return EMAIL_TLD;
			for (const char *q = label; q < p; q++)
				if (!is_alpha((unsigned char)*q))
					return EMAIL_TLD;
			return EMAIL_OK;
		}
		label = p + 1;
	}
}

const char *email_fault_str(enum email_fault f)
{
	static const char *const str[EMAIL_FAULTS] = {
	    [EMAIL_OK] = "valid",
	    [EMAIL_NO_AT] = "missing '@'",
	    [EMAIL_MANY_AT] = "more than one '@'",
	    [EMAIL_LOCAL_EMPTY] = "empty local part",
	    [EMAIL_LOCAL_LONG] = "local part longer than 64 characters",
	    [EMAIL_LOCAL_CHAR] = "invalid character in the local part",
	    [EMAIL_LOCAL_DOT] = "misplaced '.' in the local part",
	    [EMAIL_NO_DOT] = "domain without a dot",
	    [EMAIL_LABEL] = "invalid domain label",
	    [EMAIL_TLD] = "invalid top-level domain",
	};

	return (unsigned)f < EMAIL_FAULTS ? str[f] : "unknown fault";
}

/* The number in s[0..n), all digits (the caller checked). */
static unsigned digits_value(const char *s, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

enum time_fault time_parse(const char *s, size_t len, int64_t *out)
{
	/* "YYYY-MM-DDTHH:MM:SSZ": the punctuation is fixed, every other place a digit. */
	static const char shape[] = "0000-00-00T00:00:00Z";

	if (len != sizeof shape - 1)
		return TIME_FORMAT;
	for (size_t i = 0; i < len; i++) {
		if (shape[i] == '0' ? !is_digit((unsigned char)s[i]) : s[i] != shape[i])
			return TIME_FORMAT;
	}

	unsigned y = digits_value(s, 4), m = digits_value(s + 5, 2), d = digits_value(s + 8, 2);
	unsigned hh = digits_value(s + 11, 2), mm = digits_value(s + 14, 2), ss = digits_value(s + 17, 2);

	if (y < 1970)
		return TIME_YEAR;
	if (m < 1 || m > 12)
		return TIME_MONTH;
	if (d < 1 || d > days_in_month(y, m))
		return TIME_DAY;
	if (hh > 23 || mm > 59 || ss > 59)
		return TIME_CLOCK;
	*out = days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
	return TIME_OK;
}

const char *time_fault_str(enum time_fault f)
{
	static const char *const str[TIME_FAULTS] = {
	    [TIME_OK] = "valid",
	    [TIME_FORMAT] = "not YYYY-MM-DDTHH:MM:SSZ",
	    [TIME_YEAR] = "year before 1970",
	    [TIME_MONTH] = "month out of range",
	    [TIME_DAY] = "day out of range for its month",
	    [TIME_CLOCK] = "time of day out of range",
	};

	return (unsigned)f < TIME_FAULTS ? str[f] : "unknown fault";
}

/* -------------------------------------------------------------------- results */

void import_init(struct import *im, size_t n)
{
	memset(im, 0, sizeof *im);
	im->accounts = hp_xmalloc_array(n ? n : 1, sizeof *im->accounts);
}

void import_release(struct import *im)
{
	free(im->accounts);
	free(im->log);
	memset(im, 0, sizeof *im);
}

void import_account(struct import *im, const struct account *a)
{
	im->accounts[im->naccounts++] = *a;
}

void import_error(struct import *im, enum err_kind kind, const char *msg, size_t len)
{
	if (im->log_cap - im->log_len < len + 1) {
		size_t cap = im->log_cap ? im->log_cap : 4096;

		while (cap - im->log_len < len + 1)
			cap *= 2;
		im->log = hp_xrealloc(im->log, cap);
		im->log_cap = cap;
	}
	memcpy(im->log + im->log_len, msg, len);
	im->log[im->log_len + len] = '\n';
	im->log_len += len + 1;
	im->errors[kind]++;
}

void import_digest(const struct import *im, struct hp_digest *d)
{
	for (size_t i = 0; i < im->naccounts; i++) {
		const struct account *a = &im->accounts[i];

		hp_digest_u64(d, a->id);
		hp_digest_u64(d, (uint64_t)a->created);
		hp_digest_u64(d, (uint64_t)a->port << 32 | a->email_len);
		hp_digest_bytes(d, a->email, a->email_len);
	}
	hp_digest_bytes(d, im->log, im->log_len);
	for (int k = 0; k < ERR_KINDS; k++)
		hp_digest_u64(d, im->errors[k]);
}

struct field import_first_error(const struct import *im)
{
	const char *nl = im->log_len ? memchr(im->log, '\n', im->log_len) : NULL;

	return nl ? (struct field){im->log, (size_t)(nl - im->log)} : (struct field){"", 0};
}
