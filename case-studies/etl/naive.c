/*
 * ETL case study, naive loader: read the users CSV with the stdio parser
 * (csv_slow.c), transform each record (common.c), and write each row with
 * an INSERT of its own, built as SQL text, in autocommit.
 *
 * This is the loader most of us write first, and it is not careless: the
 * values are quoted by the database's own function (sqlite3_mprintf's %Q,
 * PQescapeLiteral()), so O'Brien is stored as O'Brien and not as an SQL
 * injection; a malformed record goes to the quarantine file with its line
 * and reason; each row is committed alone, so a crash loses at most the row
 * being written, and --resume skips what is in the table.
 *
 * Its cost is the commit: in autocommit every row is a transaction, and a
 * transaction is durable only once its journal (SQLite) or write-ahead log
 * (PostgreSQL) is on the disk, so every row waits for one or more fsync().
 * The parser and the SQL text come second. The steps of the case study
 * (steps/, then optimized.c) remove these costs one at a time.
 *
 * The step "mmap_parser" is this same file linked with csv_fast.c instead of
 * csv_slow.c: the parser is the only change.
 */
#include <stdlib.h>

#include "hp/section.h"
#include "hp/xalloc.h"

#include "db.h"
#include "etl.h"

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
			db_insert_sql(db, &r);
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
