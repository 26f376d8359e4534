#ifndef HP_CH16_WORKLOAD_H
#define HP_CH16_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hp/opts.h"
#include "hp/section.h"

/*
 * The workload of chapter 16, shared by both variants: a batch import of
 * customer rows into a fresh table
 *
 *     id BIGINT PRIMARY KEY, name TEXT NOT NULL,
 *     score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 1000), note TEXT
 *
 * --size rows drawn from --seed. About --reject-permille rows in a thousand
 * (10 by default) break a constraint, in equal shares: a duplicate id (the id
 * of an earlier row), a score out of range, a missing name. A row breaks at
 * most one constraint, so the reason does not depend on the order in which
 * a database checks them. Names include apostrophes (O'Brien), so SQL text
 * must be quoted properly; notes are often NULL.
 *
 * The output is the same for both variants and both databases: the counts,
 * the digest of the table read back ordered by id, and the rejected rows
 * with their reasons (counts per reason, a digest of the list, the first
 * few rows).
 */

/* Why the database rejected a row; the text is ours, the same for SQLite and PostgreSQL. */
enum reason {
	REASON_OK,
	REASON_DUPLICATE_ID,
	REASON_SCORE_RANGE,
	REASON_MISSING_NAME,
	REASON_COUNT,
};

/* "duplicate id", "score out of range", "missing name" ("ok" for REASON_OK). */
const char *reason_text(enum reason r);

struct row {
	int64_t id;
	int64_t score;
	const char *name; /* NULL: missing (the row breaks NOT NULL); else points into name_buf */
	const char *note; /* NULL: the row has no note */
	char name_buf[32];
	char note_buf[48];
};

struct reject {
	uint64_t row; /* the row's index in the input */
	enum reason why;
};

/*
 * One run: the options, the rows, the database and the rejected rows.
 * Caller-owned: load_init() sets it up, load_release() frees it.
 */
struct load {
	struct hp_opts opt;
	struct row *rows;
	uint64_t nrows;
	struct db *db;
	struct reject *rejects; /* room for every row, allocated in load_init() */
	uint64_t nrejects;
	uint64_t loaded;
	struct hp_section s;
	uint64_t prepared0, executed0, commits0, rollbacks0; /* the counts when the section began */
};

/*
 * Parse the options (the common ones, --db sqlite|postgres, --durability
 * full|relaxed, --reject-permille N, and the variant's own names in extra,
 * comma-separated, or NULL), draw the rows, open the database and create the
 * table. Dies with a message on any error. Allocates (before the timed
 * section).
 */
void load_init(struct load *l, int argc, char **argv, const char *extra);

/* Record that row i was rejected for why. Never allocates. */
void load_reject(struct load *l, uint64_t i, enum reason why);

/* Begin and end the timed section (the load itself, every row written and committed). */
void load_begin(struct load *l);
void load_end(struct load *l);

/*
 * Report the metrics (hp_section_report(), rows_per_s, commits,
 * statements_prepared, statements_executed, rollbacks, rejected), read the
 * table back and print the functional output. Dies when loaded + rejected is
 * not the number of rows, or the table does not hold the rows loaded.
 */
void load_finish(struct load *l);

/* Drop the table, close the database, free everything. */
void load_release(struct load *l);

#endif
