/*
 * Chapter 06, lazy variant: a check returns a small code, and the message is
 * written only for a check that failed.
 *
 * The same import as naive.c (workload.h): --size records of a CSV export
 * of user accounts, --invalid of a thousand of them invalid, the same
 * checks, the same messages in the same order.
 *
 * What changed: a check's verdict is two integers, the kind of error and
 * the parser's own code (an errno value such as -ERANGE for the id and the
 * port, a fault number for the address and the timestamp). That is all a
 * message needs, and it cannot be overwritten the way errno can, so there
 * is no reason to format anything before we know that something failed. The
 * verdict comes back in registers; a check that passes allocates nothing,
 * formats nothing and calls neither snprintf nor strerror. Only report()
 * writes a message, into a buffer on its stack, and only for a failed
 * check; the log copies it.
 *
 * The compiler is told nothing about which way the checks usually go: this
 * variant measures what not doing the work buys. optimized.c adds the hints
 * (a cold, out-of-line report() and __builtin_expect), so that the
 * difference between the two is the hints alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/*
 * A check's verdict: its kind (ERR_NONE when the field is valid) and the
 * parser's code, from which report() writes the message if it is needed.
 */
struct check {
	enum err_kind kind;
	int code;
};

/* Write the message of a failed check, "line N: NAME 'VALUE': REASON", into the log. */
static void report(struct import *im, size_t line, struct field value, struct check c)
{
	char msg[ERR_MSG_MAX];
	const char *reason;

	switch (c.kind) {
	case ERR_ID:
	case ERR_PORT:
		reason = strerror(-c.code);
		break;
	case ERR_EMAIL:
		reason = email_fault_str((enum email_fault)c.code);
		break;
	case ERR_CREATED:
		reason = time_fault_str((enum time_fault)c.code);
		break;
	default:
		reason = SHAPE_REASON;
		break;
	}
	snprintf(msg, sizeof msg, "line %zu: %s '%.*s': %s", line, err_kind_name[c.kind], (int)value.len,
	         value.s, reason);
	import_error(im, c.kind, msg, strlen(msg));
}

static struct check check_shape(struct field rec, struct field f[NFIELDS])
{
	size_t n = record_split(rec.s, rec.len, f);

	return (struct check){n != NFIELDS ? ERR_SHAPE : ERR_NONE, 0};
}

static struct check check_id(struct field f, uint64_t *id)
{
	int rc = parse_u64(f.s, f.len, id);

	return (struct check){rc ? ERR_ID : ERR_NONE, rc};
}

static struct check check_port(struct field f, uint32_t *port)
{
	int rc = parse_port(f.s, f.len, port);

	return (struct check){rc ? ERR_PORT : ERR_NONE, rc};
}

static struct check check_email(struct field f)
{
	enum email_fault fault = email_check(f.s, f.len);

	return (struct check){fault ? ERR_EMAIL : ERR_NONE, (int)fault};
}

static struct check check_created(struct field f, int64_t *created)
{
	enum time_fault fault = time_parse(f.s, f.len, created);

	return (struct check){fault ? ERR_CREATED : ERR_NONE, (int)fault};
}

/* Report a check that failed (value is what it checked); 1 when it failed. */
static int check_done(struct import *im, size_t line, struct field value, struct check c)
{
	if (c.kind == ERR_NONE)
		return 0;
	report(im, line, value, c);
	return 1;
}

/* Validate one record: every field is checked, so one pass reports all that is wrong with it. */
static void validate(struct import *im, struct field rec, size_t line)
{
	struct field f[NFIELDS];
	struct account a;
	int bad;

	if (check_done(im, line, rec, check_shape(rec, f)))
		return;
	bad = check_done(im, line, f[FIELD_ID], check_id(f[FIELD_ID], &a.id));
	bad |= check_done(im, line, f[FIELD_PORT], check_port(f[FIELD_PORT], &a.port));
	bad |= check_done(im, line, f[FIELD_EMAIL], check_email(f[FIELD_EMAIL]));
	bad |= check_done(im, line, f[FIELD_CREATED], check_created(f[FIELD_CREATED], &a.created));
	if (bad)
		return;
	a.email = f[FIELD_EMAIL].s;
	a.email_len = (uint32_t)f[FIELD_EMAIL].len;
	import_account(im, &a);
}

int main(int argc, char **argv)
{
	struct hp_opts opt;

	hp_opts_parse(&opt, argc, argv, "invalid");
	uint64_t invalid = hp_opts_u64(&opt, "invalid", 5);

	if (invalid > 1000)
		hp_die("--invalid %llu: at most 1000 records in a thousand can be invalid",
		       (unsigned long long)invalid);

	struct records rec;
	struct import im;
	struct hp_section s;
	struct hp_digest d;
	char hex[17];
	size_t pos = 0;

	records_init(&rec, (size_t)opt.size, (unsigned)invalid, opt.seed);
	import_init(&im, rec.n);
	hp_section_begin(&s);

	for (size_t i = 0; i < rec.n; i++)
		validate(&im, records_next_line(&rec, &pos), i + 1);

	hp_section_end(&s, rec.n);
	hp_section_report(&s);

	struct field first = import_first_error(&im);

	hp_digest_init(&d);
	import_digest(&im, &d);
	hp_digest_hex(&d, hex);
	printf("records %zu valid %zu invalid %zu\n", rec.n, im.naccounts, rec.n - im.naccounts);
	printf("errors record %zu id %zu port %zu email %zu created %zu\n", im.errors[ERR_SHAPE],
	       im.errors[ERR_ID], im.errors[ERR_PORT], im.errors[ERR_EMAIL], im.errors[ERR_CREATED]);
	printf("first error: %.*s\n", first.len ? (int)first.len : 4, first.len ? first.s : "none");
	printf("digest %s\n", hex);
	import_release(&im);
	records_release(&rec);
	return 0;
}
