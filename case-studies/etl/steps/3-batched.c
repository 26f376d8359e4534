/*
 * ETL case study, step 3: batched transactions.
 *
 * In autocommit every row is a transaction, and every commit waits for the
 * disk (fsync). Here the rows go in transactions of --batch rows (default
 * BATCH): one commit, and its syncs, per batch instead of per row. The
 * batch is the unit a crash loses: a killed loader rolls back the batch it
 * was writing, and --resume loads it again; a bad record goes to the
 * quarantine file and never aborts a batch, since it is rejected before
 * the database sees it.
 *
 * The size was chosen by measurement (README.md): past a few thousand rows
 * the commits no longer show, and a larger batch only makes the work lost
 * to a crash larger.
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
