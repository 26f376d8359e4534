/*
 * Chapter 16, naive variant: one INSERT per row, each its own transaction.
 *
 * The job imports --size customer rows into a fresh table (workload.h has
 * the table and its constraints); about one row in a hundred breaks a
 * constraint and must be reported with its reason, none may be lost.
 *
 * This is the loader most of us write first, and it is not careless: the
 * values are quoted by the database's own function (sqlite3_mprintf("%Q"),
 * PQescapeLiteral()), so O'Brien is stored as O'Brien and not as an SQL
 * injection; every row is a statement of its own in autocommit mode, so a
 * bad row fails alone, is reported, and cannot take good rows with it.
 * Simple, correct, and robust.
 *
 * And slow, for two reasons the code does not show. Autocommit means every
 * row is a transaction, and a transaction is durable only when its journal
 * (SQLite) or write-ahead log (PostgreSQL) is on the disk: every row waits
 * for at least one fsync(), about a millisecond or more even on an SSD. And
 * every row's SQL text is parsed and planned anew, since no two texts are
 * the same.
 */
#include <inttypes.h>
#include <stdio.h>

#include "hp/opts.h"
#include "hp/xalloc.h"

#include "db.h"
#include "workload.h"

int main(int argc, char **argv)
{
	struct load l;
	char sql[512];

	load_init(&l, argc, argv, NULL);

	load_begin(&l);
	for (uint64_t i = 0; i < l.nrows; i++) {
		const struct row *r = &l.rows[i];
		char *name = db_literal(l.db, r->name), *note = db_literal(l.db, r->note);

		int len = snprintf(sql, sizeof sql,
		                   "INSERT INTO %s (id, name, score, note) VALUES (%" PRId64 ", %s, %" PRId64
		                   ", %s)",
		                   db_table(l.db), r->id, name, r->score, note);
		if (len >= (int)sizeof sql)
			hp_die("row %" PRIu64 ": the INSERT is longer than %zu bytes", i, sizeof sql);
		db_free_literal(l.db, name);
		db_free_literal(l.db, note);
		enum reason why = db_exec(l.db, sql);
		if (why == REASON_OK)
			l.loaded++;
		else
			load_reject(&l, i, why);
	}
	load_end(&l);

	load_finish(&l);
	load_release(&l);
	return 0;
}
