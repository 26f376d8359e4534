/*
 * Chapter 03, optimized variant: the lookup through a hash index (as in
 * small.c) and a hand-written parser.
 *
 * The same usage aggregator as naive.c (workload.h): --size lines of a
 * gateway's access log from --tenants tenants, added to their tenants'
 * totals, then the usage report.
 *
 * What changed from small.c: parse_line() no longer calls sscanf(). The
 * profile of naive.c put most of the instructions there, in glibc's
 * __vfscanf_internal and the functions it calls, and the reason is in what
 * sscanf() must do for every line: set up a string stream (a FILE that reads
 * from memory), interpret the format string directive by directive, read
 * the line one character at a time through the stream, and match the
 * scansets %[^]] and %[^"] character by character, the user agent's hundred
 * bytes or so included. Most of that work is the same for every line, and
 * all of it is paid again for each one.
 *
 * The parser here knows the format. It walks the line once, finds each
 * delimiter with strchr() (which glibc vectorizes: 32 bytes at a step with
 * AVX2), skips the fields the report does not need without looking inside
 * them, and converts the three numbers with a loop of its own. On every line
 * the gateway writes, and on every truncation of one, it reads what the
 * format of naive.c reads. On a line it cannot parse it dies with the line's
 * number, as naive.c does, though the two do not reject exactly the same
 * malformed lines: sscanf() takes a tab for a space, for one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/* A cursor over one log line, and where it came from, for the error message. */
struct scan {
	const char *p;
	const char *line;
	size_t lineno;
};

static void __attribute__((noreturn)) scan_fail(const struct scan *s, const char *what)
{
	hp_die("log line %zu: %s: %s", s->lineno, what, s->line);
}

/* Step over the literal text lit, which must come next. */
static void scan_expect(struct scan *s, const char *lit, const char *what)
{
	for (; *lit; lit++, s->p++)
		if (*s->p != *lit)
			scan_fail(s, what);
}

/* Step past the next c; the text before it is not looked at. */
static void scan_past(struct scan *s, char c, const char *what)
{
	const char *q = strchr(s->p, c);

	if (!q)
		scan_fail(s, what);
	s->p = q + 1;
}

/* Copy the text up to the next space into out (cap bytes, NUL included); it must not be empty. */
static void scan_word(struct scan *s, char *out, size_t cap, const char *what)
{
	const char *q = strchr(s->p, ' ');
	size_t n = q ? (size_t)(q - s->p) : 0;

	if (n == 0 || n >= cap)
		scan_fail(s, what);
	memcpy(out, s->p, n);
	out[n] = '\0';
	s->p = q;
}

/* A decimal number of at most max_digits digits (at least one). */
static uint64_t scan_number(struct scan *s, int max_digits, const char *what)
{
	uint64_t v = 0;
	int n = 0;

	while (n < max_digits && *s->p >= '0' && *s->p <= '9') {
		v = v * 10 + (uint64_t)(*s->p++ - '0');
		n++;
	}
	if (n == 0)
		scan_fail(s, what);
	return v;
}

/*
 * Read the fields of one log line into e, as naive.c's sscanf() format does:
 *
 *     addr ident user [time] "method path protocol" status bytes "referer" "agent" secs.msec
 */
static __attribute__((noinline)) void parse_line(const char *line, size_t lineno, struct log_entry *e)
{
	struct scan s = {line, line, lineno};

	scan_past(&s, ' ', "no address");
	scan_past(&s, ' ', "no ident");
	scan_word(&s, e->tenant, sizeof e->tenant, "bad user");
	scan_expect(&s, " [", "no timestamp");
	scan_past(&s, ']', "unterminated timestamp");
	scan_expect(&s, " \"", "no request");
	scan_word(&s, e->method, sizeof e->method, "bad method");
	scan_past(&s, '"', "unterminated request");
	scan_expect(&s, " ", "no status");
	/* Nine digits at most: below 2^32, so the cast cannot wrap. */
	e->status = (unsigned)scan_number(&s, 9, "bad status");
	scan_expect(&s, " ", "no byte count");
	/* Nineteen digits at most: below 2^64. */
	e->bytes = scan_number(&s, 19, "bad byte count");
	scan_expect(&s, " \"", "no referer");
	scan_past(&s, '"', "unterminated referer");
	scan_expect(&s, " \"", "no user agent");
	scan_past(&s, '"', "unterminated user agent");
	scan_expect(&s, " ", "no request time");
	uint64_t sec = scan_number(&s, 9, "bad request time");
	scan_expect(&s, ".", "bad request time");
	e->time_ms = sec * 1000 + scan_number(&s, 3, "bad request time");
}

/*
 * An index of the account table by tenant name: open addressing with linear
 * probing, in a power-of-two array of slots kept at most half full, so that
 * a lookup probes one or two slots on average. A slot holds a position in
 * the table plus one; 0 marks an empty slot.
 */
struct tenant_index {
	uint32_t *slot;
	size_t mask;
};

/* FNV-1a: short, and good enough for names that differ in a few letters. */
static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3u;
	}
	return h;
}

/* Index the tenants of tt. Allocates; release with index_release(). */
static void index_init(struct tenant_index *ix, const struct tenant_table *tt)
{
	size_t cap = 16;

	while (cap < 2 * tt->n)
		cap *= 2;
	ix->slot = hp_xcalloc(cap, sizeof *ix->slot);
	ix->mask = cap - 1;
	for (size_t i = 0; i < tt->n; i++) {
		size_t k = name_hash(tt->t[i].name) & ix->mask;

		while (ix->slot[k])
			k = (k + 1) & ix->mask;
		ix->slot[k] = (uint32_t)(i + 1);
	}
}

static void index_release(struct tenant_index *ix)
{
	free(ix->slot);
	ix->slot = NULL;
}

/* The tenant named name, or NULL when the account table has none. */
static __attribute__((noinline)) struct tenant *find_tenant(const struct tenant_index *ix,
                                                            struct tenant_table *tt, const char *name)
{
	for (size_t k = name_hash(name) & ix->mask; ix->slot[k]; k = (k + 1) & ix->mask) {
		struct tenant *t = &tt->t[ix->slot[k] - 1];

		if (!strcmp(t->name, name))
			return t;
	}
	return NULL;
}

/* Add every line of the log to its tenant's totals; returns the lines of unknown tenants. */
static size_t aggregate(struct tenant_table *tt, const struct access_log *log)
{
	struct tenant_index ix;
	struct log_reader r;
	const char *line;
	size_t unknown = 0;

	index_init(&ix, tt);
	log_reader_init(&r, log);
	while ((line = log_next(&r))) {
		struct log_entry e;
		struct tenant *t;

		parse_line(line, r.lines, &e);
		t = find_tenant(&ix, tt, e.tenant);
		if (t)
			tenant_account(t, &e);
		else
			unknown++;
	}
	index_release(&ix);
	return unknown;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct tenant_table tt;
	struct access_log log;
	struct hp_section s;
	struct hp_digest d;
	char hex[17];

	hp_opts_parse(&opt, argc, argv, "tenants");
	tenants_init(&tt, (size_t)hp_opts_u64(&opt, "tenants", TENANTS_DEFAULT), opt.seed);
	log_init(&log, (size_t)opt.size, &tt, opt.seed);
	hp_digest_init(&d);

	hp_section_begin(&s);
	size_t unknown = aggregate(&tt, &log);
	size_t lines = report_write(&tt, &d);
	hp_section_end(&s, log.n);
	hp_section_report(&s);

	hp_digest_hex(&d, hex);
	printf("digest %s lines %zu tenants %zu unknown %zu\n", hex, log.n, lines, unknown);
	log_release(&log);
	tenants_release(&tt);
	return 0;
}
