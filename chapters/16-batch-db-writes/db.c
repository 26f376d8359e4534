/*
 * The two databases of chapter 16 behind db.h: SQLite, embedded, a file in
 * a temporary directory, and PostgreSQL, a server reached through libpq.
 * Each public function picks the backend; the sections below hold one
 * backend each.
 *
 * What the variants are measured on is counted here, from the database's
 * own state after each statement: sqlite3_get_autocommit() and
 * PQtransactionStatus() say whether a transaction is still open, so a
 * statement that succeeded with none open before or after was its own
 * (autocommit) transaction, and committed.
 *
 * The constraint errors are mapped to our reasons by code, never by message
 * text: SQLite's extended result codes (SQLITE_CONSTRAINT_PRIMARYKEY, _CHECK,
 * _NOTNULL) and PostgreSQL's SQLSTATE (23505 unique_violation, 23514
 * check_violation, 23502 not_null_violation). The table has one constraint
 * of each kind, so the code alone says which.
 */
#include <errno.h>
#include <inttypes.h>
#include <postgresql/libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp/digest.h"
#include "hp/xalloc.h"

#include "db.h"

/* The statements a variant prepares: the insert and the few transaction controls. */
enum { MAX_STMTS = 16 };

struct stmt {
	sqlite3_stmt *lite;
	char name[16]; /* PostgreSQL: the prepared statement's name */
	int nparams;
	int is_commit;
};

struct db {
	int pg; /* 0: SQLite, 1: PostgreSQL */
	char table[32];
	char dir[256], path[300]; /* SQLite: the directory and the database file */
	sqlite3 *lite;
	PGconn *conn;
	struct stmt stmts[MAX_STMTS];
	int nstmts;
	struct db_stats st;
};

/* The open database, closed at exit if the program dies before db_close(). */
static struct db *db_to_close;

static void db_close_at_exit(void)
{
	if (db_to_close)
		db_close(db_to_close);
}

/* The digest of one row as read back, the same for both databases. */
static void digest_row(struct hp_digest *d, int64_t id, const char *name, int64_t score, const char *note)
{
	hp_digest_u64(d, (uint64_t)id);
	hp_digest_bytes(d, name, strlen(name) + 1);
	hp_digest_u64(d, (uint64_t)score);
	hp_digest_bytes(d, note ? "\1" : "\0", 1);
	if (note)
		hp_digest_bytes(d, note, strlen(note) + 1);
}

/* Is this statement a COMMIT (END is SQLite's and PostgreSQL's other spelling)? */
static int sql_is_commit(const char *sql)
{
	return !strncmp(sql, "COMMIT", 6) || !strncmp(sql, "END", 3);
}

/* ---------------------------------------------------------------------------
 * SQLite
 */

static enum reason lite_reason(struct db *db, const char *what)
{
	int ext = sqlite3_extended_errcode(db->lite);

	switch (ext) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_UNIQUE:
		return REASON_DUPLICATE_ID;
	case SQLITE_CONSTRAINT_CHECK:
		return REASON_SCORE_RANGE;
	case SQLITE_CONSTRAINT_NOTNULL:
		return REASON_MISSING_NAME;
	}
	hp_die("sqlite %s: %s (%s, extended code %d)", db->path, sqlite3_errmsg(db->lite), what, ext);
}

static void lite_exec_or_die(struct db *db, const char *sql)
{
	if (sqlite3_exec(db->lite, sql, NULL, NULL, NULL) != SQLITE_OK)
		hp_die("sqlite %s: %s: %s", db->path, sql, sqlite3_errmsg(db->lite));
}

static void lite_open(struct db *db, const char *durability)
{
	const char *tmp = getenv("TMPDIR");
	char sql[256];

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(db->dir, sizeof db->dir, "%s/hp16-XXXXXX", tmp) >= (int)sizeof db->dir)
		hp_die("TMPDIR '%s' is too long", tmp);
	if (!mkdtemp(db->dir))
		hp_die("cannot create a directory in %s: %s", tmp, strerror(errno));
	snprintf(db->path, sizeof db->path, "%s/load.db", db->dir);
	if (sqlite3_open_v2(db->path, &db->lite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		hp_die("sqlite %s: %s", db->path, db->lite ? sqlite3_errmsg(db->lite) : "out of memory");
	/*
	 * The durability is set explicitly, although "full" is SQLite's default
	 * for a file database, so that a build with other defaults does not
	 * change what is measured.
	 */
	if (!strcmp(durability, "full")) {
		lite_exec_or_die(db, "PRAGMA journal_mode = DELETE");
		lite_exec_or_die(db, "PRAGMA synchronous = FULL");
	} else {
		lite_exec_or_die(db, "PRAGMA journal_mode = WAL");
		lite_exec_or_die(db, "PRAGMA synchronous = NORMAL");
	}
	/* INTEGER PRIMARY KEY is SQLite's rowid: the table is its own index, as PostgreSQL's is not. */
	snprintf(sql, sizeof sql,
	         "CREATE TABLE %s (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score INTEGER NOT NULL "
	         "CHECK (score BETWEEN 0 AND 1000), note TEXT)",
	         db->table);
	lite_exec_or_die(db, sql);
}

static void lite_close(struct db *db)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	char path[320];

	for (int i = 0; i < db->nstmts; i++)
		sqlite3_finalize(db->stmts[i].lite);
	sqlite3_close(db->lite);
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(path, sizeof path, "%s%s", db->path, suffixes[i]);
		unlink(path);
	}
	rmdir(db->dir);
}

static void lite_bind(struct db *db, sqlite3_stmt *s, const struct row *r)
{
	/* SQLITE_STATIC: the row outlives the statement's step, so SQLite need not copy the text. */
	if (sqlite3_bind_int64(s, 1, r->id) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, r->name, -1, SQLITE_STATIC) || sqlite3_bind_int64(s, 3, r->score) ||
	    sqlite3_bind_text(s, 4, r->note, -1, SQLITE_STATIC))
		hp_die("sqlite %s: bind: %s", db->path, sqlite3_errmsg(db->lite));
}

static void lite_digest(struct db *db, struct hp_digest *d, uint64_t *rows)
{
	char sql[128];
	sqlite3_stmt *s;
	int rc;

	snprintf(sql, sizeof sql, "SELECT id, name, score, note FROM %s ORDER BY id", db->table);
	if (sqlite3_prepare_v2(db->lite, sql, -1, &s, NULL) != SQLITE_OK)
		hp_die("sqlite %s: %s: %s", db->path, sql, sqlite3_errmsg(db->lite));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		digest_row(d, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
		           sqlite3_column_int64(s, 2), (const char *)sqlite3_column_text(s, 3));
		++*rows;
	}
	if (rc != SQLITE_DONE)
		hp_die("sqlite %s: %s: %s", db->path, sql, sqlite3_errmsg(db->lite));
	sqlite3_finalize(s);
}

/* ---------------------------------------------------------------------------
 * PostgreSQL
 */

/* The reason of a failed result, or death with the server's message when it is not a constraint. */
static enum reason pg_reason(struct db *db, PGresult *res, const char *what)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (state && !strcmp(state, "23505"))
		return REASON_DUPLICATE_ID;
	if (state && !strcmp(state, "23514"))
		return REASON_SCORE_RANGE;
	if (state && !strcmp(state, "23502"))
		return REASON_MISSING_NAME;
	/* 25P02: a statement after an error in the same transaction, which PostgreSQL refuses. */
	hp_die("postgres: %s: %s%s", what, PQresultErrorMessage(res),
	       state && !strcmp(state, "25P02") ? "(PostgreSQL aborts the whole transaction on an error; "
	                                          "a batch needs a savepoint per row or a replay)"
	                                        : "");
}

/* The reason of a finished statement; clears res. */
static enum reason pg_result(struct db *db, PGresult *res, const char *what)
{
	ExecStatusType st = PQresultStatus(res);
	enum reason why = REASON_OK;

	if (st == PGRES_FATAL_ERROR)
		why = pg_reason(db, res, what);
	else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		hp_die("postgres: %s: %s", what, PQresultErrorMessage(res));
	PQclear(res);
	return why;
}

static void pg_exec_or_die(struct db *db, const char *sql)
{
	if (pg_result(db, PQexec(db->conn, sql), sql) != REASON_OK)
		hp_die("postgres: %s failed", sql);
}

/* The server's notices (DROP TABLE IF EXISTS says it skipped) are not our output. */
static void pg_quiet(void *arg, const char *message)
{
}

static void pg_open(struct db *db, const char *durability)
{
	char sql[256];

	/* libpq reads PGHOST, PGPORT, PGUSER and PGDATABASE itself; the timeout bounds a dead host. */
	db->conn = PQconnectdb("connect_timeout=10");
	if (PQstatus(db->conn) != CONNECTION_OK) {
		const char *host = getenv("PGHOST"), *port = getenv("PGPORT");
		fprintf(stderr, "fatal: cannot connect to PostgreSQL (PGHOST=%s PGPORT=%s): %s",
		        host ? host : "", port ? port : "", PQerrorMessage(db->conn));
		fprintf(stderr,
		        "fatal: start a throwaway server with common/scripts/postgres.sh start DIR and "
		        "export the PG* lines it prints\n");
		PQfinish(db->conn);
		db->conn = NULL;
		exit(2);
	}
	PQsetNoticeProcessor(db->conn, pg_quiet, NULL);
	/* "full" is the server's default; "relaxed" lets COMMIT return before its WAL reaches the disk. */
	if (strcmp(durability, "full"))
		pg_exec_or_die(db, "SET synchronous_commit = off");
	snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", db->table);
	pg_exec_or_die(db, sql);
	snprintf(sql, sizeof sql,
	         "CREATE TABLE %s (id BIGINT PRIMARY KEY, name TEXT NOT NULL, score INTEGER NOT NULL "
	         "CHECK (score BETWEEN 0 AND 1000), note TEXT)",
	         db->table);
	pg_exec_or_die(db, sql);
}

static void pg_close(struct db *db)
{
	char sql[64];

	if (!db->conn)
		return;
	/* Best effort: at exit after an error the connection may be in any state. */
	if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		PQclear(PQexec(db->conn, "ROLLBACK"));
	snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", db->table);
	PQclear(PQexec(db->conn, sql));
	PQfinish(db->conn);
}

static void pg_digest(struct db *db, struct hp_digest *d, uint64_t *rows)
{
	char sql[128];

	snprintf(sql, sizeof sql, "SELECT id, name, score, note FROM %s ORDER BY id", db->table);
	PGresult *res = PQexec(db->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		hp_die("postgres: %s: %s", sql, PQresultErrorMessage(res));
	int n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		digest_row(d, strtoll(PQgetvalue(res, i, 0), NULL, 10), PQgetvalue(res, i, 1),
		           strtoll(PQgetvalue(res, i, 2), NULL, 10),
		           PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3));
		++*rows;
	}
	PQclear(res);
}

/* ---------------------------------------------------------------------------
 * The API
 */

int db_in_transaction(const struct db *db)
{
	if (db->pg)
		return PQtransactionStatus(db->conn) != PQTRANS_IDLE;
	return !sqlite3_get_autocommit(db->lite);
}

/* Count one executed statement; was_open: a transaction was open before it. */
static void count(struct db *db, int was_open, enum reason why, int is_commit)
{
	db->st.executed++;
	if (db_in_transaction(db))
		return;
	if (!was_open) {
		if (why == REASON_OK)
			db->st.commits++;
	} else if (is_commit && why == REASON_OK) {
		db->st.commits++;
	} else {
		db->st.rollbacks++;
	}
}

struct db *db_open(const char *kind, const char *durability)
{
	struct db *db = hp_xcalloc(1, sizeof *db);

	if (strcmp(durability, "full") && strcmp(durability, "relaxed"))
		hp_die("--durability %s: not full or relaxed", durability);
	if (!strcmp(kind, "postgres"))
		db->pg = 1;
	else if (strcmp(kind, "sqlite"))
		hp_die("--db %s: not sqlite or postgres", kind);
	snprintf(db->table, sizeof db->table, "hp16_%ld", (long)getpid());
	db_to_close = db;
	atexit(db_close_at_exit);
	if (db->pg)
		pg_open(db, durability);
	else
		lite_open(db, durability);
	return db;
}

void db_close(struct db *db)
{
	if (db_to_close == db)
		db_to_close = NULL;
	if (db->pg)
		pg_close(db);
	else
		lite_close(db);
	free(db);
}

const char *db_table(const struct db *db)
{
	return db->table;
}

const char *db_kind(const struct db *db)
{
	return db->pg ? "postgres" : "sqlite";
}

enum reason db_exec(struct db *db, const char *sql)
{
	int was_open = db_in_transaction(db);
	enum reason why;

	db->st.prepared++;
	if (db->pg) {
		PGresult *res = PQexec(db->conn, sql);
		int commit = !strcmp(PQcmdStatus(res), "COMMIT");
		why = pg_result(db, res, sql);
		count(db, was_open, why, commit);
		return why;
	}
	why = sqlite3_exec(db->lite, sql, NULL, NULL, NULL) == SQLITE_OK ? REASON_OK : lite_reason(db, sql);
	count(db, was_open, why, sql_is_commit(sql));
	return why;
}

char *db_literal(struct db *db, const char *s)
{
	if (!db->pg)
		return sqlite3_mprintf("%Q", s);
	if (!s)
		return hp_xstrdup("NULL");
	char *lit = PQescapeLiteral(db->conn, s, strlen(s));
	if (!lit)
		hp_die("postgres: cannot quote '%s': %s", s, PQerrorMessage(db->conn));
	return lit;
}

void db_free_literal(struct db *db, char *lit)
{
	if (!db->pg)
		sqlite3_free(lit);
	else if (!strcmp(lit, "NULL"))
		free(lit);
	else
		PQfreemem(lit);
}

int db_prepare(struct db *db, const char *sql)
{
	if (db->nstmts == MAX_STMTS)
		hp_die("more than %d prepared statements", MAX_STMTS);
	struct stmt *s = &db->stmts[db->nstmts];

	memset(s, 0, sizeof *s);
	s->is_commit = sql_is_commit(sql);
	db->st.prepared++;
	if (db->pg) {
		for (const char *p = strchr(sql, '$'); p; p = strchr(p + 1, '$'))
			s->nparams++;
		snprintf(s->name, sizeof s->name, "s%d", db->nstmts);
		if (pg_result(db, PQprepare(db->conn, s->name, sql, s->nparams, NULL), sql) != REASON_OK)
			hp_die("postgres: cannot prepare %s", sql);
	} else {
		if (sqlite3_prepare_v2(db->lite, sql, -1, &s->lite, NULL) != SQLITE_OK)
			hp_die("sqlite %s: %s: %s", db->path, sql, sqlite3_errmsg(db->lite));
		s->nparams = sqlite3_bind_parameter_count(s->lite);
	}
	if (s->nparams != 0 && s->nparams != 4)
		hp_die("%s: %d parameters, not 0 or 4 (id, name, score, note)", sql, s->nparams);
	return db->nstmts++;
}

enum reason db_run(struct db *db, int stmt, const struct row *row)
{
	struct stmt *s = &db->stmts[stmt];
	int was_open = db_in_transaction(db);
	enum reason why = REASON_OK;

	if (s->nparams && !row)
		hp_die("statement %d needs a row", stmt);
	if (db->pg) {
		char id[24], score[24];
		const char *values[4] = {id, row ? row->name : NULL, score, row ? row->note : NULL};
		if (row) {
			snprintf(id, sizeof id, "%" PRId64, row->id);
			snprintf(score, sizeof score, "%" PRId64, row->score);
		}
		PGresult *res =
		    PQexecPrepared(db->conn, s->name, s->nparams, s->nparams ? values : NULL, NULL, NULL, 0);
		int commit = !strcmp(PQcmdStatus(res), "COMMIT");
		why = pg_result(db, res, s->name);
		count(db, was_open, why, commit);
		return why;
	}
	if (s->nparams)
		lite_bind(db, s->lite, row);
	if (sqlite3_step(s->lite) != SQLITE_DONE)
		why = lite_reason(db, sqlite3_sql(s->lite));
	sqlite3_reset(s->lite);
	count(db, was_open, why, s->is_commit);
	return why;
}

void db_stats(const struct db *db, struct db_stats *out)
{
	*out = db->st;
}

void db_digest(struct db *db, char hex[17], uint64_t *rows)
{
	struct hp_digest d;

	hp_digest_init(&d);
	*rows = 0;
	if (db->pg)
		pg_digest(db, &d, rows);
	else
		lite_digest(db, &d, rows);
	hp_digest_hex(&d, hex);
}
