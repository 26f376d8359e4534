/*
 * Chapter 03, naive variant: the usage aggregator as it is first written.
 *
 * It reads a gateway's access log (workload.h), --size lines of traffic from
 * --tenants tenants, adds every line to its tenant's totals, and writes the
 * usage report. Each line takes two steps, both written the way most of us
 * write them first:
 *
 *   parse_line()   reads the fields with one sscanf() call, whose format
 *                  string documents the log format at a glance;
 *   find_tenant()  finds the line's tenant by walking the account table and
 *                  comparing names with strcmp(), which was fine when the
 *                  gateway had a dozen tenants.
 *
 * Both are correct, and both are suspects. This chapter does not guess which
 * one costs more: it profiles. small.c changes the lookup, optimized.c then
 * changes the parser as well, and each step is measured against this file.
 *
 * The two steps are kept out of line (noinline). At -O2 gcc inlines a static
 * function that is called once, and a profile charges the cost of inlined
 * code to the function it was inlined into: the two suspects would merge
 * into one line, main. The call costs a few instructions per line; seeing the
 * two costs apart is worth more. The other variants do the same.
 */
#include <inttypes.h>
#include <stdio.h>
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

/* The tenant named name, or NULL when the account table has none. */
static __attribute__((noinline)) struct tenant *find_tenant(struct tenant_table *tt, const char *name)
{
	for (size_t i = 0; i < tt->n; i++)
		if (!strcmp(tt->t[i].name, name))
			return &tt->t[i];
	return NULL;
}

/* Add every line of the log to its tenant's totals; returns the lines of unknown tenants. */
static size_t aggregate(struct tenant_table *tt, const struct access_log *log)
{
	struct log_reader r;
	const char *line;
	size_t unknown = 0;

	log_reader_init(&r, log);
	while ((line = log_next(&r))) {
		struct log_entry e;
		struct tenant *t;

		parse_line(line, r.lines, &e);
		t = find_tenant(tt, e.tenant);
		if (t)
			tenant_account(t, &e);
		else
			unknown++;
	}
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
