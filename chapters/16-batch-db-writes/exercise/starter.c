/*
 * Chapter 16, the exercise: this is the naive variant. Batch it.
 *
 * It imports --size customer rows, one autocommit INSERT of SQL text per
 * row: every row is a transaction, and every transaction waits for the
 * disk. exercise/README.md has the task; in short, prepare one INSERT with
 * $1..$4 parameters (db_prepare()), run it for every row (db_run()) inside
 * transactions of many rows (BEGIN ... COMMIT, prepared once too), and keep
 * a failing row from losing its batch (SAVEPOINT per row, ROLLBACK TO it
 * when the row fails). The output must stay the same.
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
