#ifndef ETL_CSV_H
#define ETL_CSV_H

#include <stddef.h>

/*
 * An RFC 4180 CSV reader, in two implementations with one interface:
 * csv_slow.c (stdio, a character at a time, a heap string per field) and
 * csv_fast.c (the whole file mapped, fields are views into it). A program
 * links exactly one of them; tests/fuzz/fuzz_csv.c links both and checks
 * that they agree on every input.
 *
 * The dialect, identical in both:
 *   - fields are separated by ',' and records end with LF or CRLF (a CR not
 *     followed by LF is data); the last record may lack its newline;
 *   - a field that starts with '"' is quoted: it may hold ',', CR, LF, and
 *     '""' for one '"'; a quote left open at the end of the file makes the
 *     record "unterminated quote" (it runs to the end: RFC 4180 gives no way
 *     to resynchronize);
 *   - a '"' inside an unquoted field, or anything but ',' or the end of the
 *     record after a closing quote, makes the record "stray quote"; the
 *     record still ends at the next unquoted newline;
 *   - a UTF-8 byte order mark at the start of the file is skipped, and empty
 *     lines are not records.
 */

/* A record keeps its first CSV_MAX_FIELDS fields; nfields counts them all. */
#define CSV_MAX_FIELDS 8

struct csv_field {
	const char *p;
	size_t len;
};

struct csv_record {
	size_t line;     /* the line the record starts on, 1-based */
	size_t nfields;  /* every field of the record, even past CSV_MAX_FIELDS */
	const char *err; /* NULL, "unterminated quote" or "stray quote" */
	struct csv_field f[CSV_MAX_FIELDS];
	struct csv_field raw; /* the record's bytes as in the file, without its newline */
};

struct csv;

/*
 * Open the file at path (csv_open) or read the len bytes at buf, which must
 * stay valid until csv_close() (csv_open_mem). Returns NULL and sets *err to
 * -errno on failure (csv_open only; csv_open_mem cannot fail). Free with
 * csv_close().
 */
struct csv *csv_open(const char *path, int *err);
struct csv *csv_open_mem(const char *buf, size_t len);

/*
 * Read the next record into *r. Returns 1, 0 at the end of the input, or
 * -errno on a read error. The views in *r stay valid until the next call
 * (csv_slow.c reuses its buffers); csv_fast.c's views into the file stay
 * valid until csv_close(), except fields that held '""', which are unescaped
 * into a buffer reused by the next call (csv_field_stable() tells them).
 */
int csv_next(struct csv *c, struct csv_record *r);

/* 1 when the field's bytes stay valid until csv_close(). */
int csv_field_stable(const struct csv *c, const struct csv_field *f);

void csv_close(struct csv *c);

#endif
