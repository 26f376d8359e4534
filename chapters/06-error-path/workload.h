#ifndef HP_CH06_WORKLOAD_H
#define HP_CH06_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hp/digest.h"

/*
 * The workload of chapter 06, shared by every variant so that they do the
 * same work and `diff naive.c lazy.c` shows only when the error messages are
 * written (and `diff lazy.c optimized.c` only the hints).
 *
 * An import job validates a CSV export of user accounts, one record per line:
 *
 *     id,port,email,created
 *     48213391,8443,maria.rossi+shop@mail.example.org,2024-03-05T12:34:56Z
 *
 * (a numeric id, the TCP port of the account's service, its e-mail address
 * and when it was created, in UTC). A valid record becomes a struct account;
 * an invalid one is reported, one message per bad field, such as
 *
 *     line 812: port '70000': Numerical result out of range
 *     line 3071: created '2023-02-29T08:00:00Z': day out of range for its month
 *
 * and the import goes on. A known share of the records is invalid (the
 * generator's --invalid option, in parts per thousand), with one fault each.
 *
 * The parsers below are the validation itself, which every variant runs the
 * same way. What the lesson is about is the step after a parser has said
 * yes or no: how and when the message is made.
 */

/* The fields of a record, in order. */
enum field_index {
	FIELD_ID,
	FIELD_PORT,
	FIELD_EMAIL,
	FIELD_CREATED,
	NFIELDS,
};

/* What an error is about: the record's shape, or one of its fields. */
enum err_kind {
	ERR_NONE,
	ERR_SHAPE, /* not four comma-separated fields */
	ERR_ID,
	ERR_PORT,
	ERR_EMAIL,
	ERR_CREATED,
	ERR_KINDS,
};

/* "record", "id", "port", "email", "created": the name a message gives the kind. */
extern const char *const err_kind_name[ERR_KINDS];

/* The reason of a shape error. */
#define SHAPE_REASON "expected 4 comma-separated fields"

/*
 * A message is "line N: NAME 'VALUE': REASON". The longest one the generator
 * can provoke is a shape error quoting a whole line of about 110 bytes, well
 * under ERR_MSG_MAX; a longer one would be cut short (snprintf makes that
 * safe), the same way by every variant.
 */
#define ERR_MSG_MAX 256

/* A field: a view into the record's line, valid as long as the text. */
struct field {
	const char *s;
	size_t len;
};

/* ------------------------------------------------------------------ the input */

/* The generated export: n lines, each ending in '\n', in one buffer. */
struct records {
	char *text;
	size_t len;
	size_t n;
};

/*
 * Generate n records from seed, invalid_permille of a thousand of them
 * invalid on average (0..1000), each of those with exactly one fault: a bad
 * shape, id, port, email or timestamp, drawn evenly. Allocates; release with
 * records_release().
 */
void records_init(struct records *r, size_t n, unsigned invalid_permille, uint64_t seed);
void records_release(struct records *r);

/*
 * The next line of the text at *pos, without its '\n'; advances *pos past
 * it. Never allocates.
 */
struct field records_next_line(const struct records *r, size_t *pos);

/*
 * Split a line at its commas into f[0..NFIELDS). Returns the number of
 * fields the line has, which may be more or fewer than NFIELDS; only when
 * it is NFIELDS are all of f set. Never allocates.
 */
size_t record_split(const char *line, size_t len, struct field f[NFIELDS]);

/* ---------------------------------------------------------------- the parsers */

/*
 * Parse a decimal number of at most UINT64_MAX: digits only, no sign, no
 * spaces. Returns 0, -EINVAL when the text is empty or holds anything but
 * digits, or -ERANGE when the number is too large; *out is set only on
 * success. The codes are errno values, so strerror() names them.
 */
int parse_u64(const char *s, size_t len, uint64_t *out);

/* A TCP port, 1..65535: parse_u64()'s codes, and -ERANGE for 0 and above 65535. */
int parse_port(const char *s, size_t len, uint32_t *out);

/* Why an address is not valid; email_fault_str() names each. */
enum email_fault {
	EMAIL_OK,
	EMAIL_NO_AT,
	EMAIL_MANY_AT,
	EMAIL_LOCAL_EMPTY,
	EMAIL_LOCAL_LONG,
	EMAIL_LOCAL_CHAR,
	EMAIL_LOCAL_DOT,
	EMAIL_NO_DOT,
	EMAIL_LABEL,
	EMAIL_TLD,
	EMAIL_FAULTS,
};

/*
 * Check an address the way a sign-up form does (not all of RFC 5322): a
 * local part of 1..64 characters from [A-Za-z0-9._%+-] that neither starts
 * nor ends with '.' nor holds "..", one '@', and a domain of at least two
 * labels of [A-Za-z0-9-] (1..63 characters, no '-' at either end) whose last
 * label, the top-level domain, is two or more letters. Returns EMAIL_OK or
 * the first fault found. Never allocates.
 */
enum email_fault email_check(const char *s, size_t len);
const char *email_fault_str(enum email_fault f);

/* Why a timestamp is not valid; time_fault_str() names each. */
enum time_fault {
	TIME_OK,
	TIME_FORMAT,
	TIME_YEAR,
	TIME_MONTH,
	TIME_DAY,
	TIME_CLOCK,
	TIME_FAULTS,
};

/*
 * Parse "YYYY-MM-DDTHH:MM:SSZ" (UTC, no fractions, no leap seconds) from
 * 1970 on into seconds since the epoch. Returns TIME_OK and sets *out, or
 * the first fault found. Never allocates.
 */
enum time_fault time_parse(const char *s, size_t len, int64_t *out);
const char *time_fault_str(enum time_fault f);

/* --------------------------------------------------------------- the results */

/* A valid record, as the import keeps it. */
struct account {
	uint64_t id;
	int64_t created; /* seconds since the epoch */
	uint32_t port;
	uint32_t email_len;
	const char *email; /* a view into the export's text */
};

/*
 * What the import produced: the accounts and the error report. Caller-owned;
 * accounts is sized for every record before the timed section, so storing
 * one never allocates. The log grows geometrically, so adding a message
 * allocates only now and then.
 */
struct import {
	struct account *accounts;
	size_t naccounts;
	size_t errors[ERR_KINDS]; /* messages per kind */
	char *log;                /* the messages, one per line, in the order found */
	size_t log_len, log_cap;
};

/* Room for n accounts and an empty report. Allocates; release with import_release(). */
void import_init(struct import *im, size_t n);
void import_release(struct import *im);

/* Store a valid record. Never allocates. */
void import_account(struct import *im, const struct account *a);

/* Append one message (without its newline) to the log and count it under kind. */
void import_error(struct import *im, enum err_kind kind, const char *msg, size_t len);

/*
 * The digest of everything the import produced: every account's fields and
 * every message, in order. Never allocates.
 */
void import_digest(const struct import *im, struct hp_digest *d);

/* The first message of the log as a view (len 0 when there is none). */
struct field import_first_error(const struct import *im);

#endif
