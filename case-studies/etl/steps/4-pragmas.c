/*
 * ETL case study, step 4: SQLite's journal and sync settings.
 *
 * With batched transactions each commit still writes a rollback journal,
 * syncs it, writes the database pages and syncs them (journal_mode DELETE,
 * synchronous FULL: SQLite's defaults). db_tune() switches to the
 * write-ahead log (journal_mode WAL), where a commit appends the changed
 * pages to one log, and to synchronous NORMAL, where that log is synced at
 * checkpoints rather than at every commit.
 *
 * The durability cost, spelled out: a killed process loses nothing it
 * committed (the log is in the OS's cache, and the next open replays it);
 * a power cut or a kernel crash may lose the last commits before the
 * checkpoint, but never corrupts the file. --resume then loads them again,
 * because the ids it skips are read from the table itself. PostgreSQL's
 * settings are left alone (db_tune() does nothing there).
 */
#include <stdlib.h>

#include "hp/section.h"
#include "hp/xalloc.h"

#include "../db.h"
#include "../etl.h"

/* Rows per transaction (README.md has the measurement). */
#define BATCH 10000

int main(int argc, char **argv)
{
	struct etl_opts o;
	struct etl_counts n = {0};
	struct idset loaded = {0};
	struct quarantine q;
	struct hp_section s;
	struct csv_record rec;
	char reason[64];

	etl_opts_parse(&o, argc, argv);
	struct db *db = db_open(&o);
	db_tune(db);
	db_reset(db, o.resume, &loaded);
	db_prepare_insert(db);
	quarantine_open(&q, o.quarantine);

	uint64_t batch = o.batch ? o.batch : BATCH, in_batch = 0;
	hp_section_begin(&s);
	db_begin(db);
	struct csv *c = etl_open_input(&o);
	while (etl_next(c, &o, &n, &rec)) {
		struct row r;
		char *email = hp_xmalloc(rec.f[2].len + 1);
		const char *why = etl_transform(&rec, &r, email, reason);
		if (why) {
			quarantine_add(&q, rec.line, why, &rec.raw);
			n.quarantined++;
		} else if (idset_has(&loaded, r.id)) {
			n.skipped++;
			n.loaded++;
		} else {
			db_insert(db, &r);
			n.loaded++;
			if (++in_batch == batch) {
				db_commit(db);
				db_begin(db);
				in_batch = 0;
			}
		}
		free(email);
	}
	db_commit(db);
	csv_close(c);
	quarantine_close(&q);
	hp_section_end(&s, n.read);

	n.commits = db_commits(db);
	etl_finish(db, &n, &s);
	db_close(db);
	idset_release(&loaded);
	return 0;
}
