#ifndef HP_CH16_DB_H
#define HP_CH16_DB_H

#include <stdint.h>

/*
 * The database of chapter 16, SQLite or PostgreSQL behind one small API, so
 * that the variants are written once and `diff naive.c optimized.c` shows
 * only how the rows are written. Both backends live in db.c.
 *
 * Every function that runs SQL counts what it did (struct db_stats), from
 * the database's own transaction state, not from what the caller meant:
 * a statement that succeeded outside a transaction is an autocommit
 * transaction and counts as a commit, like an explicit COMMIT. A commit is
 * what costs a sync of the log to the disk, so it is the count that
 * explains the time.
 *
 * A statement that breaks one of the table's constraints returns the
 * reason (enum reason, workload.h), mapped from the database's own error
 * code (SQLite's extended result code, PostgreSQL's SQLSTATE), so both
 * backends report the same text. Any other error is fatal: the program
 * dies with the database's message.
 */

#include "workload.h"

struct db;

struct db_stats {
	uint64_t prepared;  /* statements parsed and planned: one per db_exec(), one per db_prepare() */
	uint64_t executed;  /* statements run: db_exec() and db_run(); a round trip each on PostgreSQL */
	uint64_t commits;   /* transactions committed, explicit or autocommit */
	uint64_t rollbacks; /* transactions rolled back whole (not ROLLBACK TO a savepoint) */
};

/*
 * Open the database named by kind and create the table rows are loaded into,
 * named uniquely for this process (db_table()).
 *   "sqlite":   a file in a new directory under $TMPDIR (or /tmp), removed
 *               by db_close() (or at exit if the program dies first);
 *   "postgres": the server that libpq's environment names (PGHOST, PGPORT,
 *               PGUSER, PGDATABASE); the table is dropped by db_close().
 * durability is "full" (SQLite: journal_mode DELETE, synchronous FULL, its
 * defaults; PostgreSQL: synchronous_commit on, its default) or "relaxed"
 * (SQLite: WAL, synchronous NORMAL; PostgreSQL: synchronous_commit off):
 * a crash of the machine may then lose the last commits, never corrupt.
 * Dies with a message naming the database on any error. Free with db_close().
 */
struct db *db_open(const char *kind, const char *durability);

/* Drop the table, remove the files, close the connection and free db. */
void db_close(struct db *db);

/* The table's name ("hp16_<pid>"), valid until db_close(). */
const char *db_table(const struct db *db);

/* "sqlite" or "postgres". */
const char *db_kind(const struct db *db);

/*
 * Parse and run one SQL statement given as text. Returns REASON_OK, or the
 * reason when the statement broke a constraint of the table; dies on any
 * other error. Counts one statement prepared and executed.
 */
enum reason db_exec(struct db *db, const char *sql);

/*
 * The SQL literal of s, quoted and escaped by the database's own function
 * (sqlite3_mprintf("%Q"), PQescapeLiteral()), or NULL's literal when s is
 * NULL. Free it with db_free_literal().
 */
char *db_literal(struct db *db, const char *s);
void db_free_literal(struct db *db, char *lit);

/*
 * Prepare a statement once (parameters are $1, $2, ... in both databases)
 * and return its handle for db_run(). Dies on an error. The statements are
 * finalized by db_close().
 */
int db_prepare(struct db *db, const char *sql);

/*
 * Run a prepared statement. A statement with parameters takes them from row:
 * $1 id, $2 name, $3 score, $4 note (NULL when the row has none); pass NULL
 * for a statement without parameters. Returns REASON_OK or the reason, as
 * db_exec(). Never allocates on SQLite; libpq allocates its result.
 */
enum reason db_run(struct db *db, int stmt, const struct row *row);

/* 1 when a transaction is open (BEGIN without its COMMIT or ROLLBACK yet), else 0. */
int db_in_transaction(const struct db *db);

/* The counts so far. */
void db_stats(const struct db *db, struct db_stats *out);

/*
 * Read the table back ordered by id and digest every row (id, name, score,
 * note) into hex[17]; *rows receives the number of rows. The digest is the
 * same for both databases when their contents are.
 */
void db_digest(struct db *db, char hex[17], uint64_t *rows);

#endif
