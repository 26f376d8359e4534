/*
 * ETL case study (PostgreSQL edition), step 4: COPY FROM STDIN in batches.
 *
 * Batched INSERTs still cost PostgreSQL a round trip and an executor start
 * per row: the client sends Bind and Execute, the server answers, and the
 * client waits for it before the next row. COPY users FROM STDIN streams
 * rows as text lines, with no answer until the end; the server parses them
 * in bulk. Each batch of --batch rows (default BATCH) is one COPY, and one
 * COPY is one transaction: a crash loses the batch being sent, and --resume
 * loads it again.
 *
 * SQLite has no COPY: this step is PostgreSQL's (with --db it stops with a
 * message). Its place in the SQLite edition is step 4, pragmas.
 */
#include <stdlib.h>

#include "hp/section.h"
#include "hp/xalloc.h"

#include "../db.h"
#include "../etl.h"

/* Rows per COPY (README.md has the measurement). */
#define BATCH 50000

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
	quarantine_open(&q, o.quarantine);

	uint64_t batch = o.batch ? o.batch : BATCH, in_batch = 0;
	hp_section_begin(&s);
	char *line = NULL;
	size_t line_cap = 0;
	db_copy_begin(db);
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
			if (db_copy_max(&r) > line_cap) {
				line_cap = 2 * db_copy_max(&r);
				line = hp_xrealloc(line, line_cap);
			}
			db_copy_send(db, line, db_copy_format(line, &r));
			n.loaded++;
			if (++in_batch == batch) {
				db_copy_end(db);
				db_copy_begin(db);
				in_batch = 0;
			}
		}
		free(email);
	}
	db_copy_end(db);
	free(line);
	csv_close(c);
	quarantine_close(&q);
	hp_section_end(&s, n.read);

	n.commits = db_commits(db);
	etl_finish(db, &n, &s);
	db_close(db);
	idset_release(&loaded);
	return 0;
}
