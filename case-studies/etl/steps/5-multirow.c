/*
 * ETL case study, step 5 (SQLite): many rows per INSERT.
 *
 * After step 4 the disk no longer sets the pace: the loader's time is
 * SQLite's own, row by row. Each row is one sqlite3_step() that starts the
 * statement, opens a cursor on the table, inserts one record, closes the
 * cursor and halts, then one sqlite3_reset(). db_insert_rows() sends 500
 * rows in one INSERT ... VALUES (...), (...), ...: the start and the stop
 * are paid once per 500 rows, and the per-row work is what is left.
 *
 * The rows must now live until their statement runs, so the batch of step
 * 3 is kept whole before it is sent: an array of rows whose fields point
 * into the mapped file, except the lowercased email and a name the parser
 * unescaped (its next record would overwrite it), which are copied to the
 * heap and freed when the batch is committed. The batch is still the
 * transaction, so a crash loses what it lost in step 3, and no more.
 */
#include <stdlib.h>
#include <string.h>

#include "hp/section.h"
#include "hp/xalloc.h"

#include "../db.h"
#include "../etl.h"

/* Rows per transaction (README.md has the measurement). */
#define BATCH 10000

struct batch {
	struct row *rows;
	char **owned; /* the copies the rows point to, freed with the batch */
	size_t nrows, nowned;
};

static void batch_send(struct db *db, struct batch *b)
{
	db_begin(db);
	db_insert_rows(db, b->rows, b->nrows);
	db_commit(db);
	for (size_t i = 0; i < b->nowned; i++)
		free(b->owned[i]);
	b->nrows = 0;
	b->nowned = 0;
}

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
	db_prepare_insert_rows(db);
	quarantine_open(&q, o.quarantine);

	size_t batch = o.batch ? o.batch : BATCH;
	struct batch b = {
	    .rows = hp_xmalloc_array(batch, sizeof *b.rows),
	    .owned = hp_xmalloc_array(batch, 2 * sizeof *b.owned),
	};
	hp_section_begin(&s);
	struct csv *c = etl_open_input(&o);
	while (etl_next(c, &o, &n, &rec)) {
		struct row r;
		char *email = hp_xmalloc(rec.f[2].len + 1);
		const char *why = etl_transform(&rec, &r, email, reason);
		if (why) {
			quarantine_add(&q, rec.line, why, &rec.raw);
			n.quarantined++;
			free(email);
		} else if (idset_has(&loaded, r.id)) {
			n.skipped++;
			n.loaded++;
			free(email);
		} else {
			b.owned[b.nowned++] = email;
			if (!csv_field_stable(c, &rec.f[1])) {
				char *name = hp_xmalloc(r.name_len + 1);
				memcpy(name, r.name, r.name_len);
				r.name = name;
				b.owned[b.nowned++] = name;
			}
			b.rows[b.nrows++] = r;
			n.loaded++;
			if (b.nrows == batch)
				batch_send(db, &b);
		}
	}
	if (b.nrows)
		batch_send(db, &b);
	csv_close(c);
	quarantine_close(&q);
	hp_section_end(&s, n.read);

	n.commits = db_commits(db);
	etl_finish(db, &n, &s);
	db_close(db);
	free(b.rows);
	free(b.owned);
	idset_release(&loaded);
	return 0;
}
