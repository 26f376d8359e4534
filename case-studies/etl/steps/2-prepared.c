/*
 * ETL case study, step 2: a prepared statement with bound parameters.
 *
 * The naive loader builds each row's INSERT as text, with its values quoted
 * into it, and the database parses and plans every one of them, since no
 * two texts are alike. Here the INSERT is prepared once, with placeholders
 * ($1 ... $5), and each row only binds its values and runs it: no SQL text
 * to build, escape, parse or plan per row (on PostgreSQL the values travel
 * apart from the statement). Still one autocommit transaction per row: the
 * fsync per row is untouched, and the next step is about it.
 *
 * Reads with the zero-copy parser of step 1 (csv_fast.c).
 */
#include <stdlib.h>

#include "hp/section.h"
#include "hp/xalloc.h"

#include "../db.h"
#include "../etl.h"

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

	hp_section_begin(&s);
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
		}
		free(email);
	}
	csv_close(c);
	quarantine_close(&q);
	hp_section_end(&s, n.read);

	n.commits = db_commits(db);
	etl_finish(db, &n, &s);
	db_close(db);
	idset_release(&loaded);
	return 0;
}
