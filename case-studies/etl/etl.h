#ifndef ETL_ETL_H
#define ETL_ETL_H

#include <stdint.h>
#include <stdio.h>

#include "hp/section.h"

#include "csv.h"

/*
 * What every variant of the loader shares (common.c): the command line, the
 * transform of a CSV record into a row, the quarantine file, the resume
 * set, and the report. The variants differ only in how they read (csv.h)
 * and how they write (db.h), which is the story of the case study.
 *
 * The command line, the same for every variant:
 *
 *   etl [--db PATH | --postgres CONNINFO] [--quarantine FILE] [--resume]
 *       [--limit N] [--batch N] [--threads N] FILE.csv
 *
 *   --db PATH          SQLite database file (default etl.db)
 *   --postgres INFO    PostgreSQL: a libpq conninfo string; "env" or "-"
 *                      means libpq's environment (PGHOST, PGPORT, ...)
 *   --quarantine FILE  where rejected rows go (default FILE.csv.quarantine),
 *                      rewritten by every run
 *   --resume           keep the rows already in the table and load the
 *                      rest; without it the table is dropped and created
 *                      empty first, so every run starts from nothing
 *   --limit N          only the first N records of the file
 *   --batch N          rows per transaction, for the variants that batch
 *   --threads N        connections (PostgreSQL) of the parallel variant
 *
 * stdout: "read N", "loaded N", "quarantined N" and "digest HEX", a digest
 * of the table's rows ordered by id, read back from the database.
 */

struct etl_opts {
	const char *db_path; /* SQLite file, or NULL with pg set */
	const char *pg;      /* conninfo ("" = environment), or NULL */
	const char *quarantine;
	const char *input;
	int resume;
	uint64_t limit;    /* 0: no limit */
	uint64_t batch;    /* 0: the variant's default */
	unsigned threads;  /* 0: the variant's default */
	int one_thread_db; /* SQLite: each connection is used by one thread at a time (db_open) */
};

/* A transformed row. name and email point to memory the caller manages. */
struct row {
	int64_t id;
	int64_t score; /* hundredths */
	const char *name, *email;
	size_t name_len, email_len;
	char date[11]; /* YYYY-MM-DD */
	size_t line;
};

/* The counts every variant reports. */
struct etl_counts {
	uint64_t read, loaded, quarantined;
	uint64_t skipped; /* already in the table (--resume), counted in loaded too */
	uint64_t commits; /* transactions committed (db_commits() of every connection) */
};

/* Parse the command line; prints the usage and exits with status 2 on an error. */
void etl_opts_parse(struct etl_opts *o, int argc, char **argv);

/*
 * Transform a record into *out: trim blanks around every field, check the
 * field count, parse id, score and date, lowercase the email into
 * email_buf (at least r->f[2].len bytes). Returns NULL, or the reason the
 * record is rejected (a static string; field-count reasons name the count
 * in reason_buf[64]).
 */
const char *etl_transform(const struct csv_record *r, struct row *out, char *email_buf, char reason_buf[64]);

/*
 * The quarantine file: one line per rejected record, "LINE<TAB>REASON<TAB>RAW"
 * with RAW the record's bytes, escaped so one entry stays one line (\n \r
 * \t \\). Opened truncated; dies with a message naming the file on any error,
 * and quarantine_close() flushes and fsyncs it.
 */
struct quarantine {
	FILE *f;
	const char *path;
};
void quarantine_open(struct quarantine *q, const char *path);
void quarantine_add(struct quarantine *q, size_t line, const char *reason, const struct csv_field *raw);
void quarantine_close(struct quarantine *q);

/*
 * The ids already loaded (--resume), sorted. idset_has() is a binary search;
 * an empty set answers 0 at once.
 */
struct idset {
	int64_t *ids;
	size_t n, cap;
};
void idset_add(struct idset *s, int64_t id);
void idset_sort(struct idset *s);
int idset_has(const struct idset *s, int64_t id);
void idset_release(struct idset *s);

/*
 * Print the counts and the table's digest on stdout, and report rows_per_s
 * (records read per second of the timed section) and the section's metrics.
 */
struct db;
void etl_finish(struct db *db, const struct etl_counts *n, struct hp_section *s);

/* The digest of one row, fed in id order by db_digest(). */
struct hp_digest;
void etl_digest_row(struct hp_digest *d, const struct row *r);

/* Open the input or die naming it. */
struct csv *etl_open_input(const struct etl_opts *o);

/* Read the next record, dying on a read error; 0 at the end or past --limit. */
int etl_next(struct csv *c, const struct etl_opts *o, struct etl_counts *n, struct csv_record *r);

#endif
