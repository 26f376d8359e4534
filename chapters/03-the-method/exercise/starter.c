/*
 * Chapter 03, the exercise: your parser.
 *
 * This is small.c, the second variant of the chapter: the usage aggregator
 * (workload.h) with the tenant lookup already fixed by a hash index. The
 * lookup was the small cost. The big one is still here: parse_line() reads
 * every log line with sscanf(), which interprets its format string and reads
 * the line one character at a time through a string stream, for every line.
 *
 * Your task: replace the body of parse_line() with a parser that knows the
 * log format (see the TODOs there and exercise/README.md). The rest of the
 * program should not need to change. Grade it with
 *
 *     make chapter3-exercise EX=path/to/your.c
 *
 * The functions stay out of line (noinline), as in the other variants, so
 * that your profile lines up with theirs: run `valgrind --tool=callgrind
 * --collect-atstart=no` on your build and compare parse_line's inclusive
 * cost with the one in the chapter.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/*
 * Read the fields of one log line into e: the tenant (the user field), the
 * method, the status, the bytes sent and the request time. %*s and %*[...]
 * skip the fields the report does not need (the client's address, the
 * timestamp, the path, the protocol, the referer and the user agent).
 *
 * TODO: replace sscanf() with a parser that walks the line once. A line is
 *
 *     addr ident user [time] "method path protocol" status bytes "referer" "agent" secs.msec
 *
 * - skip a field you do not need by finding the character that ends it
 *   (strchr() or memchr(), which glibc vectorizes), without looking at what
 *   is inside: the address, the ident, the timestamp up to ']', the rest of
 *   the request up to '"', the referer and the user agent up to their '"';
 * - copy the user into e->tenant and the method into e->method, each up to
 *   the next space, NUL-terminated; die if a word is empty or does not fit
 *   (sizeof e->tenant, sizeof e->method), as %31s and %7s would stop there;
 * - convert status, bytes and the request time with a loop over the digits
 *   rather than strtoul(): the time is seconds, '.', then three digits of
 *   milliseconds, so "0.023" is e->time_ms = 23;
 * - on anything unexpected, hp_die() with lineno and the line, as below.
 */
static __attribute__((noinline)) void parse_line(const char *line, size_t lineno, struct log_entry *e)
{
	unsigned sec, msec;
	int n = sscanf(
	    line, "%*s %*s %31s [%*[^]]] \"%7s %*s %*[^\"]\" %u %" SCNu64 " \"%*[^\"]\" \"%*[^\"]\" %u.%3u",
	    e->tenant, e->method, &e->status, &e->bytes, &sec, &msec);

	if (n != 6)
		hp_die("log line %zu: not in the expected format: %s", lineno, line);
	e->time_ms = (uint64_t)sec * 1000 + msec;
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
