/*
 * Chapter 06, naive variant: every check writes its error message up front.
 *
 * An import job (workload.h) validates --size records of a CSV export of
 * user accounts: the record's shape (four cells), then its id, port, e-mail
 * address and creation time. A valid record becomes a struct account; each
 * bad field of an invalid one adds a message such as
 *
 *     line 812: port '70000': Numerical result out of range
 *
 * to the import's log. --invalid sets how many records in a thousand are
 * invalid (5 by default: a clean export with a few typos).
 *
 * Each check returns a verdict that is complete on its own: the kind of
 * error, and the message, ready for the caller to log. Writing the message
 * inside the check, at once, keeps it next to the test it explains, and it
 * captures the cause while it is at hand, the habit errno teaches
 * (strerror(errno) before the next call overwrites it). The caller keeps
 * the message when the check failed and frees it when it passed.
 *
 * That is correct, and it reads well. It also means that five messages are
 * allocated, formatted by snprintf (with strerror() for the id and the
 * port) and freed for every record, while 995 records in a thousand need
 * none of them.
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
 * A check's verdict: its kind (ERR_NONE when the field is valid) and its
 * message, which the check always writes. The caller frees msg.
 */
struct check {
	enum err_kind kind;
	char *msg;
};

/* "line N: NAME 'VALUE': REASON" in a fresh buffer. */
static char *message_new(size_t line, enum err_kind kind, struct field value, const char *reason)
{
	char *msg = hp_xmalloc(ERR_MSG_MAX);

	snprintf(msg, ERR_MSG_MAX, "line %zu: %s '%.*s': %s", line, err_kind_name[kind], (int)value.len,
	         value.s, reason);
	return msg;
}

static struct check check_shape(struct field rec, size_t line, struct field f[NFIELDS])
{
	size_t n = record_split(rec.s, rec.len, f);

	return (struct check){n != NFIELDS ? ERR_SHAPE : ERR_NONE,
	                      message_new(line, ERR_SHAPE, rec, SHAPE_REASON)};
}

/* The cause goes into the message at once: strerror(0) is "Success", and it is dropped. */
static struct check check_id(struct field f, size_t line, uint64_t *id)
{
	int rc = parse_u64(f.s, f.len, id);

	return (struct check){rc ? ERR_ID : ERR_NONE, message_new(line, ERR_ID, f, strerror(-rc))};
}

static struct check check_port(struct field f, size_t line, uint32_t *port)
{
	int rc = parse_port(f.s, f.len, port);

	return (struct check){rc ? ERR_PORT : ERR_NONE, message_new(line, ERR_PORT, f, strerror(-rc))};
}

static struct check check_email(struct field f, size_t line)
{
	enum email_fault fault = email_check(f.s, f.len);

	return (struct check){fault ? ERR_EMAIL : ERR_NONE,
	                      message_new(line, ERR_EMAIL, f, email_fault_str(fault))};
}

static struct check check_created(struct field f, size_t line, int64_t *created)
{
	enum time_fault fault = time_parse(f.s, f.len, created);

	return (struct check){fault ? ERR_CREATED : ERR_NONE,
	                      message_new(line, ERR_CREATED, f, time_fault_str(fault))};
}

/* Log the message of a check that failed, drop the one of a check that passed; 1 when it failed. */
static int check_done(struct import *im, struct check c)
{
	int failed = c.kind != ERR_NONE;

	if (failed)
		import_error(im, c.kind, c.msg, strlen(c.msg));
	free(c.msg);
	return failed;
}

/* Validate one record: every field is checked, so one pass reports all that is wrong with it. */
static void validate(struct import *im, struct field rec, size_t line)
{
	struct field f[NFIELDS];
	struct account a;
	int bad;

	if (check_done(im, check_shape(rec, line, f)))
		return;
	bad = check_done(im, check_id(f[FIELD_ID], line, &a.id));
	bad |= check_done(im, check_port(f[FIELD_PORT], line, &a.port));
	bad |= check_done(im, check_email(f[FIELD_EMAIL], line));
	bad |= check_done(im, check_created(f[FIELD_CREATED], line, &a.created));
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
