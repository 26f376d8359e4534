#ifndef ETL_DB_H
#define ETL_DB_H

#include <stddef.h>
#include <stdint.h>

/*
 * The table the loader fills, in SQLite or PostgreSQL behind one small API
 * (db.c), so that a step of the story changes the calls it makes and not
 * the code around them:
 *
 *   users(id PRIMARY KEY, name, email, score, signup_date)
 *
 * Every function dies with a message that names the database and says what
 * failed (hp_die(): exit status 2): a database that cannot be opened or
 * written, a full disk, a server that is down, a duplicate id. The loader
 * never carries on after a failed write, so it never reports a partial
 * success.
 */

struct etl_opts;
struct row;
struct idset;
struct hp_digest;

struct db;

/*
 * Connect (--postgres) or open the file (--db). One connection per handle.
 * SQLite without --resume: the file (and its -journal, -wal, -shm) is
 * removed first, so the run starts from an empty database.
 */
struct db *db_open(const struct etl_opts *o);
void db_close(struct db *db);
int db_is_pg(const struct db *db);

/*
 * SQLite's settings for the bulk load: 64 KiB pages, WAL and synchronous
 * NORMAL (see README.md: a power cut may lose the last commits, never
 * corrupt the file). Without this call db_open() sets SQLite's defaults,
 * journal DELETE and synchronous FULL, whatever a previous run left in the
 * file. PostgreSQL: nothing (its defaults are kept).
 */
void db_tune(struct db *db);

/*
 * Without resume: drop the table and create it empty. With resume: create
 * it if it is missing and add the ids it holds to *loaded.
 */
void db_reset(struct db *db, int resume, struct idset *loaded);

/* One INSERT of SQL text, literals quoted by the database's own function. */
void db_insert_sql(struct db *db, const struct row *r);

/* The prepared INSERT with bound parameters: prepare once, run per row. */
void db_prepare_insert(struct db *db);
void db_insert(struct db *db, const struct row *r);

/*
 * Many rows per statement (SQLite: INSERT ... VALUES (...), (...), ... of
 * 500 rows): prepare once, then db_insert_rows() sends the rows 500 to a
 * statement and the rest one at a time. A row that cannot be inserted dies
 * with its line, as db_insert(). PostgreSQL: one row at a time (its edition
 * uses COPY instead).
 */
void db_prepare_insert_rows(struct db *db);
void db_insert_rows(struct db *db, const struct row *rows, size_t n);

void db_begin(struct db *db);
void db_commit(struct db *db);

/*
 * PostgreSQL's COPY users FROM STDIN (text format): begin, send lines made
 * by db_copy_format(), end (the rows are committed then, as one statement
 * in autocommit). db_copy_format() writes one line at out, which must hold
 * db_copy_max(r) bytes, and returns its length.
 */
void db_copy_begin(struct db *db);
void db_copy_send(struct db *db, const char *buf, size_t len);
void db_copy_end(struct db *db);
size_t db_copy_max(const struct row *r);
size_t db_copy_format(char *out, const struct row *r);

/* Feed every row of the table in id order to etl_digest_row(). */
void db_digest(struct db *db, struct hp_digest *d);

/* Transactions committed by this handle (autocommit statements included). */
uint64_t db_commits(const struct db *db);

#endif
