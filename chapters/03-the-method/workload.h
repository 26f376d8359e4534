#ifndef HP_CH03_WORKLOAD_H
#define HP_CH03_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hp/digest.h"

/*
 * The workload of chapter 03, shared by the three variants so that they do
 * the same work and the diffs between them show only what each step changed.
 *
 * An API gateway serves many tenants (customers, each with its own account)
 * and writes one access-log line per request, in nginx's "combined" format
 * with the request time appended, the tenant's account name in the user
 * field (one line, broken here to fit):
 *
 *     10.4.17.203 - amber-falcon [12/Mar/2024:10:15:32 +0000]
 *         "GET /v1/orders/81234 HTTP/1.1" 200 1536 "-" "Go-http-client/2.0" 0.023
 *
 * A usage aggregator reads the log and adds every line to its tenant's
 * totals (requests, writes, server errors, bytes sent, request time), then
 * writes a usage report with one line per tenant that had traffic, as a
 * billing or quota job does. The tenants come from the account table, loaded
 * before the log is read: `--tenants` accounts in sign-up order. Their
 * traffic is skewed as real traffic is: a few large customers and a long
 * tail (a Zipf-Mandelbrot law), and how busy a tenant is has nothing to do
 * with when it signed up.
 */

/* Tenant names are shorter than this, NUL included. */
#define TENANT_NAME_MAX 32

/* The default number of tenants (--tenants). */
#define TENANTS_DEFAULT 100

/* A tenant and its usage totals. */
struct tenant {
	char name[TENANT_NAME_MAX];
	uint64_t requests;
	uint64_t writes; /* POST, PUT, PATCH and DELETE */
	uint64_t errors; /* responses with a 5xx status */
	uint64_t bytes;  /* response bytes sent */
	uint64_t time_ms;
};

/* The account table, in sign-up order. */
struct tenant_table {
	struct tenant *t;
	size_t n;
};

/*
 * What the aggregator needs of one log line. The parsers of the variants fill
 * it; tenant and method are NUL-terminated copies.
 */
struct log_entry {
	char tenant[TENANT_NAME_MAX];
	char method[8];
	unsigned status;
	uint64_t bytes;
	uint64_t time_ms; /* nginx's $request_time, "0.023" seconds, as 23 */
};

/* Room for one line of the log, NUL included; no line the generator writes is longer. */
#define LINE_MAX_BYTES 512

/*
 * The log: n lines, each a request drawn from a corpus of distinct requests
 * (the client's address and everything after the timestamp), with its
 * tenant and the log's clock. Only what makes a line unique is stored per
 * line, four bytes; log_next() writes the text.
 */
struct log_corpus;
struct access_log {
	struct log_corpus *corpus;
	const struct tenant_table *tt;
	uint16_t *request; /* line i is request request[i] of the corpus... */
	uint16_t *tenant;  /* ...sent by tenant tenant[i] of the table */
	size_t n;
};

/*
 * A reader of the log, the stand-in for a loop over getline(): log_next()
 * copies the next line into the reader's buffer, as getline() copies it from
 * the file's buffer, and the parser reads it there. Caller-owned.
 */
struct log_reader {
	const struct access_log *log;
	size_t lines;    /* lines read so far: the number of the current line */
	uint64_t second; /* the clock of the current line, in now */
	size_t now_len;
	char now[32]; /* "[12/Mar/2024:10:15:32 +0000]" */
	char line[LINE_MAX_BYTES];
};

/*
 * Create n tenants with distinct names and zero totals, in a random order
 * drawn from seed. Allocates; release with tenants_release(). Dies when n is
 * 0 or larger than the generator has names for (TENANTS_MAX).
 */
#define TENANTS_MAX 4096
void tenants_init(struct tenant_table *tt, size_t n, uint64_t seed);
void tenants_release(struct tenant_table *tt);

/*
 * Generate n log lines of the tenants' traffic from seed. The log refers to
 * tt, which must outlive it. Allocates; release with log_release().
 */
void log_init(struct access_log *log, size_t n, const struct tenant_table *tt, uint64_t seed);
void log_release(struct access_log *log);

/*
 * Start reading log from its first line. log_next() returns the next line,
 * NUL-terminated and without its newline, in r->line (valid until the next
 * call), or NULL after the last. Neither allocates.
 */
void log_reader_init(struct log_reader *r, const struct access_log *log);
const char *log_next(struct log_reader *r);

/*
 * Add one parsed line to its tenant's totals (t is the tenant that
 * e->tenant names). Never allocates.
 */
void tenant_account(struct tenant *t, const struct log_entry *e);

/*
 * Write the usage report, one line per tenant with traffic, in table order,
 * and fold it into d. Returns the number of lines written. Never allocates.
 */
size_t report_write(const struct tenant_table *tt, struct hp_digest *d);

#endif
