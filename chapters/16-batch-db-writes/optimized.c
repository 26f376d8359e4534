/*
 * Chapter 16, optimized variant: one prepared INSERT, rows bound to it,
 * committed in transactions of --batch rows (10000), a savepoint around each row.
 *
 * The same job as naive.c (import --size rows, report every rejected row
 * with its reason), with the same output. Three things changed.
 *
 * 1. Transactions of 10000 rows. A commit is what waits for the disk (an
 *    fsync of SQLite's journal and database file, of PostgreSQL's WAL), and
 *    it costs about the same for one row as for ten thousand: 2-3 ms on the
 *    reference VM. 10000 was measured: the batches excerpt of the page runs
 *    this program with --batch from 100 to 50000 on 50000 rows. At 1000 the
 *    commits were still about half of the time; from 5000-10000 on the
 *    curve is flat within the noise. A larger batch gains nothing more and
 *    holds the database's write lock longer, and more work hangs on one
 *    commit.
 *
 * 2. One statement, prepared once, with bound parameters. The SQL is parsed
 *    and planned once instead of once per row, and the values never pass
 *    through SQL text, so no quoting: the O'Brien problem is gone by
 *    construction.
 *
 * 3. A failing row must not lose its batch. PostgreSQL aborts the whole
 *    transaction on any error; SQLite rolls back only the failing statement
 *    (its default conflict resolution, ABORT), but code that is to run on
 *    both cannot count on that. Three ways, chosen by --on-error:
 *      savepoint  SAVEPOINT before each row, RELEASE after it, and ROLLBACK TO
 *                 the savepoint when the row fails: only that row is undone.
 *                 Two more statements per row, prepared once like the
 *                 insert; on PostgreSQL two more round trips.
 *      replay     no savepoints; when a row fails, roll the batch back and
 *                 run it again with a savepoint per row. Free while rows
 *                 rarely fail, twice the work for every batch that has a
 *                 bad row.
 *      statement  SQLite only: no savepoint, rely on SQLite undoing the
 *                 failed statement alone (checked after every failure).
 *    The default, savepoint, is the one that works on both databases at a
 *    bounded cost; the on-error excerpt of the page measures the three.
 *    On SQLite the savepoints cost about as much again as the inserts
 *    (statement is the fastest there, and what SQLite-only code can ship);
 *    replay costs about the same as savepoint here, because a bad row comes
 *    early in a batch of 10000 and little work is thrown away, and wins
 *    only when bad rows are rarer than one per batch.
 *
 * Durability is unchanged: the same journal mode and synchronous setting
 * as the naive variant, every committed row is on the disk.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/xalloc.h"

#include "db.h"
#include "workload.h"

enum on_error { ON_ERROR_SAVEPOINT, ON_ERROR_REPLAY, ON_ERROR_STATEMENT };

struct stmts {
	int insert, begin, commit, rollback, savepoint, release, undo;
};

/* Insert rows [from, to) with a savepoint around each; returns the number loaded. */
static uint64_t insert_guarded(struct load *l, const struct stmts *st, uint64_t from, uint64_t to)
{
	uint64_t loaded = 0;

	for (uint64_t i = from; i < to; i++) {
		db_run(l->db, st->savepoint, NULL);
		enum reason why = db_run(l->db, st->insert, &l->rows[i]);
		if (why == REASON_OK) {
			loaded++;
		} else {
			db_run(l->db, st->undo, NULL);
			load_reject(l, i, why);
		}
		db_run(l->db, st->release, NULL);
	}
	return loaded;
}

int main(int argc, char **argv)
{
	struct load l;
	struct stmts st;
	char sql[256];

	load_init(&l, argc, argv, "batch,on-error");
	uint64_t batch = hp_opts_u64(&l.opt, "batch", 10000);
	const char *mode = hp_opts_str(&l.opt, "on-error", "savepoint");
	enum on_error on_error = ON_ERROR_SAVEPOINT;
	if (batch < 1)
		hp_die("--batch must be at least 1");
	if (!strcmp(mode, "replay"))
		on_error = ON_ERROR_REPLAY;
	else if (!strcmp(mode, "statement"))
		on_error = ON_ERROR_STATEMENT;
	else if (strcmp(mode, "savepoint"))
		hp_die("--on-error %s: not savepoint, replay or statement", mode);
	if (on_error == ON_ERROR_STATEMENT && strcmp(db_kind(l.db), "sqlite"))
		hp_die("--on-error statement relies on SQLite's statement rollback; "
		       "PostgreSQL aborts the whole transaction on an error");

	load_begin(&l);
	snprintf(sql, sizeof sql, "INSERT INTO %s (id, name, score, note) VALUES ($1, $2, $3, $4)",
	         db_table(l.db));
	st.insert = db_prepare(l.db, sql);
	st.begin = db_prepare(l.db, "BEGIN");
	st.commit = db_prepare(l.db, "COMMIT");
	st.rollback = db_prepare(l.db, "ROLLBACK");
	st.savepoint = db_prepare(l.db, "SAVEPOINT r");
	st.release = db_prepare(l.db, "RELEASE r");
	st.undo = db_prepare(l.db, "ROLLBACK TO r");

	for (uint64_t from = 0; from < l.nrows; from += batch) {
		uint64_t to = from + batch < l.nrows ? from + batch : l.nrows;
		uint64_t loaded = 0, i = from;

		db_run(l.db, st.begin, NULL);
		switch (on_error) {
		case ON_ERROR_SAVEPOINT:
			loaded = insert_guarded(&l, &st, from, to);
			break;
		case ON_ERROR_REPLAY:
			for (; i < to && db_run(l.db, st.insert, &l.rows[i]) == REASON_OK; i++)
				loaded++;
			if (i < to) {
				/* Row i failed and took the transaction with it (PostgreSQL): start over,
				 * guarded. */
				db_run(l.db, st.rollback, NULL);
				db_run(l.db, st.begin, NULL);
				loaded = insert_guarded(&l, &st, from, to);
			}
			break;
		case ON_ERROR_STATEMENT:
			for (; i < to; i++) {
				enum reason why = db_run(l.db, st.insert, &l.rows[i]);
				if (why == REASON_OK) {
					loaded++;
					continue;
				}
				load_reject(&l, i, why);
				if (!db_in_transaction(l.db))
					hp_die("sqlite rolled back the whole transaction at row %" PRIu64, i);
			}
			break;
		}
		db_run(l.db, st.commit, NULL);
		l.loaded += loaded;
	}
	load_end(&l);

	load_finish(&l);
	load_release(&l);
	return 0;
}
