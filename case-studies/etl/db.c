/*
 * Both databases of the case study behind db.h. SQLite is the embedded
 * default; PostgreSQL is reached through libpq, on a throwaway cluster
 * (common/scripts/postgres.sh) whose environment (PGHOST, PGPORT, PGUSER,
 * PGDATABASE) the harness passes to every run.
 *
 * The types: SQLite stores score as REAL and the date as ISO text;
 * PostgreSQL as double precision and date. The digest reads both back the
 * same way (score in hundredths, the date as YYYY-MM-DD), so the two
 * editions print the same digest for the same file.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <postgresql/libpq-fe.h>
#include <sqlite3.h>

#include "hp/digest.h"
#include "hp/xalloc.h"

#include "db.h"
#include "etl.h"

struct db {
	sqlite3 *lite;
	sqlite3_stmt *ins;
	sqlite3_stmt *ins_rows; /* ROWS_PER_INSERT rows in one statement */
	PGconn *pg;
	const char *name; /* for messages: the file, or "PostgreSQL" */
	int in_tx;
	uint64_t commits;
};

#define LITE_TABLE                                                                                           \
	"CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT "      \
	"NULL, "                                                                                             \
	"score REAL NOT NULL, signup_date TEXT NOT NULL)"
#define PG_TABLE                                                                                             \
	"CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL, " \
	"score double precision NOT NULL, signup_date date NOT NULL)"
/* The advisory lock key of the loaders' runs, any number ("etl" in ASCII). */
#define PG_RUN_LOCK "6648940"

/* The score in hundredths as decimal text ("-12.05"), into out[32]. */
static void score_text(char out[32], int64_t score)
{
	uint64_t a = score < 0 ? (uint64_t)0 - (uint64_t)score : (uint64_t)score;
	snprintf(out, 32, "%s%" PRIu64 ".%02" PRIu64, score < 0 ? "-" : "", a / 100, a % 100);
}

static void lite_die(struct db *db, const char *what)
{
	hp_die("%s: %s: %s", db->name, what, sqlite3_errmsg(db->lite));
}

static void lite_exec(struct db *db, const char *sql)
{
	if (sqlite3_exec(db->lite, sql, NULL, NULL, NULL) != SQLITE_OK)
		lite_die(db, sql);
}

/* Run one statement; a result other than expect dies with the server's message. */
static void pg_exec(struct db *db, const char *sql, ExecStatusType expect)
{
	PGresult *res = PQexec(db->pg, sql);

	if (PQresultStatus(res) != expect) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->pg));
		PQclear(res);
		hp_die("PostgreSQL: %s: %s", sql, msg);
	}
	PQclear(res);
}

/* A duplicate id is the one constraint a well-formed row can break. */
static void insert_failed(struct db *db, const struct row *r, const char *msg, int duplicate)
{
	if (duplicate)
		hp_die("%s: line %zu: duplicate id %" PRId64 " (the table's primary key): %s", db->name,
		       r->line, r->id, msg);
	hp_die("%s: line %zu: insert failed: %s", db->name, r->line, msg);
}

/* ---------------------------------------------------------------------------
 * Opening
 */

struct db *db_open(const struct etl_opts *o)
{
	struct db *db = hp_xcalloc(1, sizeof *db);

	if (o->pg) {
		db->name = "PostgreSQL";
		db->pg = PQconnectdb(o->pg);
		if (PQstatus(db->pg) != CONNECTION_OK) {
			char msg[512];
			snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->pg));
			PQfinish(db->pg);
			free(db);
			hp_die("cannot connect to PostgreSQL%s%s: %s", *o->pg ? " at " : "", o->pg, msg);
		}
		/* Notices (DROP TABLE IF EXISTS of a missing table) are not errors. */
		pg_exec(db, "SET client_min_messages = warning", PGRES_COMMAND_OK);
		/* Every connection of every run holds this lock until it closes (db_reset). */
		pg_exec(db, "SELECT pg_advisory_lock_shared(" PG_RUN_LOCK ")", PGRES_TUPLES_OK);
		return db;
	}
	db->name = o->db_path;
	/*
	 * Without --resume a run starts from nothing: the file is the loader's
	 * own, and removing it is much cheaper than DROP TABLE, which would
	 * journal and free every page of the old table first.
	 */
	if (!o->resume) {
		static const char *const suffix[] = {"", "-journal", "-wal", "-shm"};
		for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
			char path[4096];
			snprintf(path, sizeof path, "%s%s", o->db_path, suffix[i]);
			if (unlink(path) < 0 && errno != ENOENT)
				hp_die("cannot remove the old database %s: %s", path, strerror(errno));
		}
	}
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (o->one_thread_db) {
		/*
		 * SQLite's default is "serialized": every call on a connection locks
		 * its mutex, and every allocation a global one for the memory
		 * statistics, because any thread might use any connection. The
		 * optimized loader's connection is used by its loader thread only:
		 * perf showed pthread_mutex_lock and _unlock at 18% of its samples.
		 * NOMUTEX drops the connection's mutex; MEMSTATUS off the allocator's.
		 * sqlite3_config() must come before SQLite initializes: this is the
		 * process's first connection.
		 */
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		flags |= SQLITE_OPEN_NOMUTEX;
	}
	if (sqlite3_open_v2(o->db_path, &db->lite, flags, NULL) != SQLITE_OK) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(db->lite));
		sqlite3_close(db->lite);
		free(db);
		hp_die("cannot open the database %s: %s", o->db_path, msg);
	}
	if (sqlite3_db_readonly(db->lite, "main") == 1)
		hp_die("the database %s is read-only", o->db_path);
	/*
	 * A file kept for --resume gets SQLite's defaults back, whatever journal
	 * mode a previous run left in it. A new file has them already and gets no
	 * statement here: db_tune()'s page size must come first (see there).
	 */
	if (o->resume) {
		lite_exec(db, "PRAGMA journal_mode = DELETE");
		lite_exec(db, "PRAGMA synchronous = FULL");
	}
	return db;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->pg) {
		PQfinish(db->pg);
	} else {
		sqlite3_finalize(db->ins);
		sqlite3_finalize(db->ins_rows);
		if (sqlite3_close(db->lite) != SQLITE_OK)
			hp_die("closing the database %s: %s", db->name, sqlite3_errmsg(db->lite));
	}
	free(db);
}

int db_is_pg(const struct db *db)
{
	return db->pg != NULL;
}

uint64_t db_commits(const struct db *db)
{
	return db->commits;
}

void db_tune(struct db *db)
{
	if (db->pg)
		return;
	/*
	 * Pages of 64 KiB, SQLite's largest (the default is 4 KiB): a bulk load
	 * then splits and writes 16 times fewer pages, and the WAL, whose
	 * automatic checkpoint comes every 1,000 pages, is copied into the
	 * database far less often. It took the optimized loader's timed section
	 * from about 830 to 650 ms in the full case. The cost comes later: an
	 * update of one row writes a whole 64 KiB page to the log. The size is
	 * fixed when the file is created, so it must come before WAL, and it is
	 * ignored for an existing database (--resume). It must also be the first
	 * statement on a new file: set after PRAGMA synchronous, with every
	 * setting the same as the pragmas report them, the load measured 730 ms
	 * against 480 (SQLite 3.40).
	 */
	lite_exec(db, "PRAGMA page_size = 65536");
	/*
	 * WAL: a commit appends to the log and syncs it (or not, below) instead
	 * of writing a rollback journal and the database and syncing both.
	 * synchronous NORMAL: in WAL mode the log is synced at checkpoints, not
	 * at every commit; a power cut can lose the last commits, never corrupt
	 * the file, and a killed process loses nothing it committed.
	 */
	lite_exec(db, "PRAGMA journal_mode = WAL");
	lite_exec(db, "PRAGMA synchronous = NORMAL");
}

static void pg_db_reset(struct db *db, int resume, struct idset *loaded)
{
	if (!resume)
		pg_exec(db, "DROP TABLE IF EXISTS users", PGRES_COMMAND_OK);
	pg_exec(db, PG_TABLE, PGRES_COMMAND_OK);
	if (!resume)
		return;
	PGresult *res = PQexec(db->pg, "SELECT id FROM users ORDER BY id");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		hp_die("PostgreSQL: reading the loaded ids: %s", PQerrorMessage(db->pg));
	for (int i = 0, n = PQntuples(res); i < n; i++)
		idset_add(loaded, strtoll(PQgetvalue(res, i, 0), NULL, 10));
	PQclear(res);
	idset_sort(loaded);
}

void db_reset(struct db *db, int resume, struct idset *loaded)
{
	if (db->pg) {
		/*
		 * A client killed mid-load leaves its server process behind for a
		 * moment, and that process still runs what had reached its socket:
		 * a whole COPY and its commit can land after the client is gone.
		 * Reading the ids before then and loading them again breaks the
		 * primary key. So the reset waits, for the lock every connection
		 * holds in shared mode, until every connection of an earlier run
		 * has ended, and only then drops the table or reads its ids. (The
		 * other connections of this run open after the reset.)
		 */
		pg_exec(db, "SET lock_timeout = '30s'", PGRES_COMMAND_OK);
		PGresult *lock = PQexec(db->pg, "SELECT pg_advisory_lock(" PG_RUN_LOCK ")");
		if (PQresultStatus(lock) != PGRES_TUPLES_OK)
			hp_die("PostgreSQL: another loader has been connected to the table for 30 s; "
			       "a run waits for the ones before it to end: %s",
			       PQerrorMessage(db->pg));
		PQclear(lock);
		pg_exec(db, "RESET lock_timeout", PGRES_COMMAND_OK);
		pg_db_reset(db, resume, loaded);
		pg_exec(db, "SELECT pg_advisory_unlock(" PG_RUN_LOCK ")", PGRES_TUPLES_OK);
		return;
	}
	if (!resume)
		lite_exec(db, "DROP TABLE IF EXISTS users");
	lite_exec(db, LITE_TABLE);
	if (!resume)
		return;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->lite, "SELECT id FROM users ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		lite_die(db, "reading the loaded ids");
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		idset_add(loaded, sqlite3_column_int64(st, 0));
	if (rc != SQLITE_DONE)
		lite_die(db, "reading the loaded ids");
	sqlite3_finalize(st);
	idset_sort(loaded);
}

/* ---------------------------------------------------------------------------
 * Writing
 */

static void count_commit(struct db *db)
{
	if (!db->in_tx)
		db->commits++; /* an autocommit statement is a transaction of its own */
}

void db_insert_sql(struct db *db, const struct row *r)
{
	char score[32];

	score_text(score, r->score);
	if (db->pg) {
		char *name = PQescapeLiteral(db->pg, r->name, r->name_len);
		char *email = PQescapeLiteral(db->pg, r->email, r->email_len);
		if (!name || !email)
			hp_die("PostgreSQL: line %zu: %s", r->line, PQerrorMessage(db->pg));
		size_t n = strlen(name) + strlen(email) + 128;
		char *sql = hp_xmalloc(n);
		snprintf(sql, n, "INSERT INTO users VALUES (%" PRId64 ", %s, %s, %s, '%s')", r->id, name,
		         email, score, r->date);
		PQfreemem(name);
		PQfreemem(email);
		PGresult *res = PQexec(db->pg, sql);
		free(sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			insert_failed(db, r, PQerrorMessage(db->pg), state && !strcmp(state, "23505"));
		}
		PQclear(res);
	} else {
		/* %.*Q quotes and escapes that many bytes (the fields are views, not strings). */
		char *sql =
		    sqlite3_mprintf("INSERT INTO users VALUES (%lld, %.*Q, %.*Q, %s, %Q)", (long long)r->id,
		                    (int)r->name_len, r->name, (int)r->email_len, r->email, score, r->date);
		if (!sql)
			hp_die("fatal: out of memory");
		char *err = NULL;
		int rc = sqlite3_exec(db->lite, sql, NULL, NULL, &err);
		sqlite3_free(sql);
		if (rc != SQLITE_OK)
			insert_failed(db, r, err ? err : sqlite3_errstr(rc),
			              sqlite3_extended_errcode(db->lite) == SQLITE_CONSTRAINT_PRIMARYKEY);
	}
	count_commit(db);
}

void db_prepare_insert(struct db *db)
{
	static const char sql[] = "INSERT INTO users VALUES ($1, $2, $3, $4, $5)";

	if (db->pg) {
		PGresult *res = PQprepare(db->pg, "ins", sql, 5, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			hp_die("PostgreSQL: preparing %s: %s", sql, PQerrorMessage(db->pg));
		PQclear(res);
	} else if (sqlite3_prepare_v2(db->lite, sql, -1, &db->ins, NULL) != SQLITE_OK) {
		lite_die(db, sql);
	}
}

/* Bind a row to the five parameters from first on (SQLite counts from 1). */
static void bind_row(sqlite3_stmt *st, int first, const struct row *r)
{
	sqlite3_bind_int64(st, first, r->id);
	sqlite3_bind_text(st, first + 1, r->name, (int)r->name_len, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 2, r->email, (int)r->email_len, SQLITE_STATIC);
	sqlite3_bind_double(st, first + 3, (double)r->score / 100.0);
	sqlite3_bind_text(st, first + 4, r->date, 10, SQLITE_STATIC);
}

void db_insert(struct db *db, const struct row *r)
{
	if (db->pg) {
		/* Text parameters, sent apart from the statement: no quoting, no parsing of SQL. */
		char id[24], score[32];
		const char *values[5] = {id, r->name, r->email, score, r->date};
		int lengths[5] = {0, (int)r->name_len, (int)r->email_len, 0, 0};
		snprintf(id, sizeof id, "%" PRId64, r->id);
		score_text(score, r->score);
		lengths[0] = (int)strlen(id);
		lengths[3] = (int)strlen(score);
		lengths[4] = 10;
		/* Binary format with explicit lengths, so the views need no NUL; text types take it as is. */
		int formats[5] = {0, 1, 1, 0, 0};
		PGresult *res = PQexecPrepared(db->pg, "ins", 5, values, lengths, formats, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			insert_failed(db, r, PQerrorMessage(db->pg), state && !strcmp(state, "23505"));
		}
		PQclear(res);
	} else {
		sqlite3_stmt *st = db->ins;
		bind_row(st, 1, r);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			insert_failed(db, r, sqlite3_errmsg(db->lite),
			              sqlite3_extended_errcode(db->lite) == SQLITE_CONSTRAINT_PRIMARYKEY);
	}
	count_commit(db);
}

/*
 * Rows per INSERT of db_insert_rows(): one statement of 500 rows costs one
 * sqlite3_step() and one statement start where 500 statements cost 500
 * (2,500 parameters, within SQLite's limit of 32,766). In the full case, 100
 * rows took the pipeline's loader from about 650 to 560 ms and 500 to 510;
 * 1,000 measured the same as 500.
 */
#define ROWS_PER_INSERT 500

void db_prepare_insert_rows(struct db *db)
{
	static const char head[] = "INSERT INTO users VALUES ", row[] = "(?,?,?,?,?),";
	char sql[sizeof head + ROWS_PER_INSERT * (sizeof row - 1)];
	size_t len = sizeof head - 1;

	db_prepare_insert(db); /* for the rows that do not fill a statement */
	if (db->pg)
		return;
	memcpy(sql, head, len);
	for (int i = 0; i < ROWS_PER_INSERT; i++) {
		memcpy(sql + len, row, sizeof row - 1);
		len += sizeof row - 1;
	}
	sql[len - 1] = '\0'; /* the last comma */
	if (sqlite3_prepare_v2(db->lite, sql, -1, &db->ins_rows, NULL) != SQLITE_OK)
		lite_die(db, "preparing the INSERT of many rows");
}

void db_insert_rows(struct db *db, const struct row *rows, size_t n)
{
	size_t i = 0;

	if (!db->pg) {
		for (; n - i >= ROWS_PER_INSERT; i += ROWS_PER_INSERT) {
			sqlite3_stmt *st = db->ins_rows;
			for (int j = 0; j < ROWS_PER_INSERT; j++)
				bind_row(st, 5 * j + 1, &rows[i + j]);
			int rc = sqlite3_step(st);
			sqlite3_reset(st);
			if (rc == SQLITE_DONE) {
				count_commit(db);
				continue;
			}
			/*
			 * A failed statement leaves none of its rows in the table.
			 * When the error ended the whole transaction (a full disk, an
			 * I/O error), say so at once. Otherwise insert them one at a
			 * time, so db_insert() names the row (a duplicate id) and dies
			 * with its line.
			 */
			if (!db->in_tx || !sqlite3_get_autocommit(db->lite))
				for (int j = 0; j < ROWS_PER_INSERT; j++)
					db_insert(db, &rows[i + j]);
			hp_die("%s: lines %zu to %zu: insert failed: %s", db->name, rows[i].line,
			       rows[i + ROWS_PER_INSERT - 1].line, sqlite3_errmsg(db->lite));
		}
	}
	for (; i < n; i++)
		db_insert(db, &rows[i]);
}

void db_begin(struct db *db)
{
	if (db->pg)
		pg_exec(db, "BEGIN", PGRES_COMMAND_OK);
	else
		lite_exec(db, "BEGIN");
	db->in_tx = 1;
}

void db_commit(struct db *db)
{
	if (db->pg)
		pg_exec(db, "COMMIT", PGRES_COMMAND_OK);
	else
		lite_exec(db, "COMMIT");
	db->in_tx = 0;
	db->commits++;
}

/* ---------------------------------------------------------------------------
 * COPY (PostgreSQL)
 */

void db_copy_begin(struct db *db)
{
	if (!db->pg)
		hp_die("COPY is PostgreSQL's: run this variant with --postgres");
	pg_exec(db, "COPY users FROM STDIN", PGRES_COPY_IN);
}

void db_copy_send(struct db *db, const char *buf, size_t len)
{
	if (PQputCopyData(db->pg, buf, (int)len) != 1)
		hp_die("PostgreSQL: COPY: %s", PQerrorMessage(db->pg));
}

void db_copy_end(struct db *db)
{
	if (PQputCopyEnd(db->pg, NULL) != 1)
		hp_die("PostgreSQL: COPY: %s", PQerrorMessage(db->pg));
	PGresult *res = PQgetResult(db->pg);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		hp_die("PostgreSQL: COPY failed%s: %s",
		       state && !strcmp(state, "23505") ? " (a duplicate id: the table's primary key)" : "",
		       PQerrorMessage(db->pg));
	}
	PQclear(res);
	while ((res = PQgetResult(db->pg)) != NULL)
		PQclear(res);
	count_commit(db);
}

size_t db_copy_max(const struct row *r)
{
	/* Every byte of name and email may double when escaped; the rest fits in 96. */
	return 2 * (r->name_len + r->email_len) + 96;
}

/* COPY's text format: a backslash, tab, newline or CR in a value is escaped. */
static char *copy_text(char *o, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = p[i];
		switch (ch) {
		case '\\':
			*o++ = '\\';
			*o++ = '\\';
			break;
		case '\t':
			*o++ = '\\';
			*o++ = 't';
			break;
		case '\n':
			*o++ = '\\';
			*o++ = 'n';
			break;
		case '\r':
			*o++ = '\\';
			*o++ = 'r';
			break;
		default:
			*o++ = ch;
		}
	}
	return o;
}

size_t db_copy_format(char *out, const struct row *r)
{
	char score[32], *o = out;

	score_text(score, r->score);
	o += sprintf(o, "%" PRId64 "\t", r->id);
	o = copy_text(o, r->name, r->name_len);
	*o++ = '\t';
	o = copy_text(o, r->email, r->email_len);
	o += sprintf(o, "\t%s\t%s\n", score, r->date);
	return (size_t)(o - out);
}

/* ---------------------------------------------------------------------------
 * Reading back
 */

void db_digest(struct db *db, struct hp_digest *d)
{
	static const char sql[] = "SELECT id, name, email, score, signup_date FROM users ORDER BY id";
	struct row r;

	memset(&r, 0, sizeof r);
	if (db->pg) {
		/* One row at a time: the result of a million rows is never held whole. */
		if (!PQsendQuery(db->pg, "SELECT id, name, email, score, to_char(signup_date, 'YYYY-MM-DD') "
		                         "FROM users ORDER BY id") ||
		    !PQsetSingleRowMode(db->pg))
			hp_die("PostgreSQL: %s: %s", sql, PQerrorMessage(db->pg));
		PGresult *res;
		while ((res = PQgetResult(db->pg)) != NULL) {
			ExecStatusType st = PQresultStatus(res);
			if (st == PGRES_SINGLE_TUPLE) {
				r.id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
				r.name = PQgetvalue(res, 0, 1);
				r.name_len = (size_t)PQgetlength(res, 0, 1);
				r.email = PQgetvalue(res, 0, 2);
				r.email_len = (size_t)PQgetlength(res, 0, 2);
				r.score = llround(strtod(PQgetvalue(res, 0, 3), NULL) * 100.0);
				snprintf(r.date, sizeof r.date, "%s", PQgetvalue(res, 0, 4));
				etl_digest_row(d, &r);
			} else if (st != PGRES_TUPLES_OK) {
				hp_die("PostgreSQL: %s: %s", sql, PQerrorMessage(db->pg));
			}
			PQclear(res);
		}
		return;
	}
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK)
		lite_die(db, sql);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(st, 0);
		r.name = (const char *)sqlite3_column_text(st, 1);
		r.name_len = (size_t)sqlite3_column_bytes(st, 1);
		r.email = (const char *)sqlite3_column_text(st, 2);
		r.email_len = (size_t)sqlite3_column_bytes(st, 2);
		r.score = llround(sqlite3_column_double(st, 3) * 100.0);
		snprintf(r.date, sizeof r.date, "%s", (const char *)sqlite3_column_text(st, 4));
		etl_digest_row(d, &r);
	}
	if (rc != SQLITE_DONE)
		lite_die(db, sql);
	sqlite3_finalize(st);
}
