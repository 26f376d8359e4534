/*
 * The shared part of chapter 16 (workload.h has the table and the rows):
 * the row generator, the list of rejected rows, the timed section with the
 * database's counts, and the output, read back from the table after the
 * section.
 *
 * The rows are drawn before the section and held in memory, so the section
 * measures the database writes only, not the generator. A row that breaks a
 * constraint is chosen by the generator, about --reject-permille in a
 * thousand; whether the database really rejects it is the database's
 * business, and the output reports what it did.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/prng.h"
#include "hp/report.h"
#include "hp/xalloc.h"

#include "db.h"
#include "workload.h"

/* How many rejected rows the output lists one by one; the digest covers them all. */
enum { SHOW_REJECTS = 5 };

const char *reason_text(enum reason r)
{
	switch (r) {
	case REASON_OK:
		return "ok";
	case REASON_DUPLICATE_ID:
		return "duplicate id";
	case REASON_SCORE_RANGE:
		return "score out of range";
	case REASON_MISSING_NAME:
		return "missing name";
	case REASON_COUNT:
		break;
	}
	return "?";
}

/* ---------------------------------------------------------------------------
 * The rows
 */

static void row_draw(struct hp_rng *r, uint64_t i, unsigned permille, const struct row *rows, struct row *out)
{
	static const char *const first[] = {"Ada",     "Grace", "Alan",   "Edsger",
	                                    "Barbara", "Ken",   "Dennis", "Frances"};
	static const char *const last[] = {"Lovelace", "Hopper",   "O'Brien", "Dijkstra",
	                                   "Liskov",   "Thompson", "D'Arcy",  "Allen"};
	uint64_t fault = hp_rng_below(r, 3000);

	memset(out, 0, sizeof *out);
	out->id = (int64_t)i + 1;
	out->score = (int64_t)hp_rng_below(r, 1001);
	snprintf(out->name_buf, sizeof out->name_buf, "%s %s %" PRIu64,
	         first[hp_rng_below(r, sizeof first / sizeof first[0])],
	         last[hp_rng_below(r, sizeof last / sizeof last[0])], hp_rng_below(r, 100000));
	out->name = out->name_buf;
	if (hp_rng_below(r, 3) == 0) {
		snprintf(out->note_buf, sizeof out->note_buf, "customer since %" PRIu64 ", tier '%c'",
		         1990 + hp_rng_below(r, 35), (int)('A' + hp_rng_below(r, 4)));
		out->note = out->note_buf;
	}
	/* fault < 3 * permille: one of the three faults, in equal shares. */
	if (fault < permille) {
		/* The id of an earlier row that is loaded (rows without a fault of their own keep id i + 1).
		 */
		if (i > 0) {
			uint64_t j = hp_rng_below(r, i);
			while (j > 0 &&
			       (rows[j].id != (int64_t)j + 1 || !rows[j].name || rows[j].score > 1000))
				j--;
			out->id = rows[j].id;
		}
	} else if (fault < 2 * permille) {
		out->score = 1001 + (int64_t)hp_rng_below(r, 9000);
	} else if (fault < 3 * permille) {
		out->name = NULL;
	}
}

/* ---------------------------------------------------------------------------
 * The run
 */

void load_init(struct load *l, int argc, char **argv, const char *extra)
{
	char names[256];
	struct hp_rng rng;

	memset(l, 0, sizeof *l);
	snprintf(names, sizeof names, "db,durability,reject-permille%s%s", extra ? "," : "",
	         extra ? extra : "");
	hp_opts_parse(&l->opt, argc, argv, names);
	uint64_t permille = hp_opts_u64(&l->opt, "reject-permille", 10);
	if (permille > 333)
		hp_die("--reject-permille %" PRIu64 " is more than 333 (three faults share a thousand)",
		       permille);
	const char *kind = hp_opts_str(&l->opt, "db", "sqlite");
	const char *durability = hp_opts_str(&l->opt, "durability", "full");

	l->nrows = l->opt.size;
	l->rows = hp_xmalloc_array(l->nrows ? l->nrows : 1, sizeof *l->rows);
	l->rejects = hp_xmalloc_array(l->nrows ? l->nrows : 1, sizeof *l->rejects);
	hp_rng_init(&rng, l->opt.seed);
	/* Drawn in place: name and note point into the row's own buffers. */
	for (uint64_t i = 0; i < l->nrows; i++)
		row_draw(&rng, i, (unsigned)permille, l->rows, &l->rows[i]);
	l->db = db_open(kind, durability);
}

void load_reject(struct load *l, uint64_t i, enum reason why)
{
	l->rejects[l->nrejects].row = i;
	l->rejects[l->nrejects].why = why;
	l->nrejects++;
}

void load_begin(struct load *l)
{
	struct db_stats st;

	db_stats(l->db, &st);
	l->prepared0 = st.prepared;
	l->executed0 = st.executed;
	l->commits0 = st.commits;
	l->rollbacks0 = st.rollbacks;
	hp_section_begin(&l->s);
}

void load_end(struct load *l)
{
	hp_section_end(&l->s, l->nrows);
}

void load_finish(struct load *l)
{
	struct db_stats st;
	double ns = (double)(l->s.t1 - l->s.t0);

	db_stats(l->db, &st);
	hp_section_report(&l->s);
	if (ns > 0)
		hp_report_metric("rows_per_s", (double)l->nrows * 1e9 / ns, "rows/s", HP_HIGHER_IS_BETTER);
	hp_report_metric("commits", (double)(st.commits - l->commits0), "commits", HP_LOWER_IS_BETTER);
	hp_report_metric("rollbacks", (double)(st.rollbacks - l->rollbacks0), "rollbacks",
	                 HP_LOWER_IS_BETTER);
	hp_report_metric("statements_prepared", (double)(st.prepared - l->prepared0), "statements",
	                 HP_LOWER_IS_BETTER);
	hp_report_metric("statements_executed", (double)(st.executed - l->executed0), "statements",
	                 HP_LOWER_IS_BETTER);
	hp_report_metric("rejected", (double)l->nrejects, "rows", HP_LOWER_IS_BETTER);

	if (l->loaded + l->nrejects != l->nrows)
		hp_die("%" PRIu64 " rows loaded and %" PRIu64 " rejected, of %" PRIu64 ": rows were lost",
		       l->loaded, l->nrejects, l->nrows);
	char table_hex[17], rej_hex[17];
	uint64_t in_table, per[REASON_COUNT] = {0};
	db_digest(l->db, table_hex, &in_table);
	if (in_table != l->loaded)
		hp_die("the table holds %" PRIu64 " rows, %" PRIu64 " were loaded", in_table, l->loaded);

	struct hp_digest d;
	hp_digest_init(&d);
	for (uint64_t k = 0; k < l->nrejects; k++) {
		const char *why = reason_text(l->rejects[k].why);
		per[l->rejects[k].why]++;
		hp_digest_u64(&d, l->rejects[k].row);
		hp_digest_bytes(&d, why, strlen(why) + 1);
	}
	hp_digest_hex(&d, rej_hex);

	printf("rows %" PRIu64 " loaded %" PRIu64 " rejected %" PRIu64 "\n", l->nrows, l->loaded,
	       l->nrejects);
	printf("table rows %" PRIu64 " digest %s\n", in_table, table_hex);
	printf("rejected:");
	for (int r = REASON_OK + 1; r < REASON_COUNT; r++)
		printf(" %s %" PRIu64 "%s", reason_text((enum reason)r), per[r],
		       r + 1 < REASON_COUNT ? "," : "");
	printf("; digest %s\n", rej_hex);
	for (uint64_t k = 0; k < l->nrejects && k < SHOW_REJECTS; k++) {
		const struct row *r = &l->rows[l->rejects[k].row];
		printf("rejected row %" PRIu64 " id %" PRId64 ": %s\n", l->rejects[k].row, r->id,
		       reason_text(l->rejects[k].why));
	}
}

void load_release(struct load *l)
{
	if (l->db)
		db_close(l->db);
	free(l->rows);
	free(l->rejects);
	memset(l, 0, sizeof *l);
}
