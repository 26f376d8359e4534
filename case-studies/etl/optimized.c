/*
 * ETL case study, the optimized loader: a pipeline on threads.
 *
 * After the steps (zero-copy parser, prepared statement, batched
 * transactions, WAL and 64 KiB pages, 500 rows per INSERT), one thread
 * still does everything in turn: parse, transform, insert, commit, and
 * while it inserts the parser waits, and the other way round. Here a
 * reader thread parses and transforms records into batches, and the loader
 * takes whole batches from a bounded queue:
 *
 *   reader (parse + transform + quarantine)  --[queue of 4 batches]-->  loader(s)
 *
 * The queue is bounded, and the batches are recycled through a second
 * queue, so memory stays at a few batches whatever the file's size, and a
 * reader faster than the database waits instead of filling the memory.
 * A batch is also the unit of a transaction: a crash loses the batches not
 * yet committed, and --resume loads them again.
 *
 * Rows point into the mapped file (csv_fast.c) wherever they can; only the
 * lowercased emails and the rare unescaped fields are copied, into the
 * batch's own buffer. There is no allocation per row.
 *
 * SQLite: one loader (SQLite has one writer at a time), step 5's INSERT of
 * 500 rows, with step 4's settings and their trade-off. PostgreSQL:
 * --threads loaders (default 2), each on its own connection, each batch one
 * COPY users FROM STDIN, formatted by the reader in COPY's text format, so a
 * loader only sends bytes. Batches commit in any order across connections;
 * the rows are the same, and --resume works from the ids in the table, not
 * from a position in the file.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hp/section.h"
#include "hp/xalloc.h"

#include "db.h"
#include "etl.h"

/* Rows per batch and transaction: SQLite's from step 3; COPY gains up to about 50,000 (README.md). */
#define BATCH_SQLITE 10000
#define BATCH_COPY   50000
#define MAX_LOADERS  16
#define RING         64 /* > the batches in flight plus one NULL per loader */
#define TEXT_MIN     (1 << 20)

struct batch {
	struct row *rows; /* SQLite: the rows; their text is in the file or in text */
	size_t nrows;
	char *text; /* the emails (SQLite), or the COPY lines (PostgreSQL) */
	size_t len, cap;
};

/* A queue of batch pointers: a ring under a mutex, a few operations per batch. */
struct queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *slot[RING];
	size_t head, n;
};

static void queue_init(struct queue *q)
{
	memset(q, 0, sizeof *q);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
}

static void queue_release(struct queue *q)
{
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
}

/*
 * Never blocks: the queues are bounded by the batches themselves. There are
 * nloaders + 3 of them, each in one place at a time (being filled, in a
 * queue, being loaded), so neither queue ever holds more than all of them
 * plus the NULLs that stop the loaders.
 */
static void queue_push(struct queue *q, struct batch *b)
{
	pthread_mutex_lock(&q->mu);
	q->slot[(q->head + q->n) % RING] = b;
	q->n++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

static struct batch *queue_pop(struct queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->n == 0)
		pthread_cond_wait(&q->cv, &q->mu);
	struct batch *b = q->slot[q->head];
	q->head = (q->head + 1) % RING;
	q->n--;
	pthread_mutex_unlock(&q->mu);
	return b;
}

struct pipeline {
	const struct etl_opts *o;
	int pg;
	size_t batch_rows;
	unsigned nloaders;
	struct queue full, empty;
	struct idset loaded;
	struct etl_counts n; /* read, quarantined, skipped: the reader's */
	struct csv *csv;
};

/* Room for len more bytes in b->text; 0 when the batch must be sent first. */
static int text_room(struct batch *b, size_t len)
{
	if (b->len + len <= b->cap)
		return 1;
	if (b->nrows)
		return 0; /* rows point into text: it cannot move now */
	b->cap = len > TEXT_MIN ? len : TEXT_MIN;
	b->text = hp_xrealloc(b->text, b->cap);
	return 1;
}

/* Make room for need bytes, sending the batch first when it is full. */
static struct batch *room(struct pipeline *p, struct batch *b, size_t need)
{
	if (text_room(b, need))
		return b;
	queue_push(&p->full, b);
	b = queue_pop(&p->empty);
	text_room(b, need);
	return b;
}

static void *reader_main(void *arg)
{
	struct pipeline *p = arg;
	struct csv_record rec;
	char reason[64];
	struct quarantine q;
	char *email = NULL, *line = NULL; /* PostgreSQL: the reader's own buffers */
	size_t email_cap = 0, line_cap = 0;

	hp_section_thread_begin();
	quarantine_open(&q, p->o->quarantine);
	struct batch *b = queue_pop(&p->empty);
	while (etl_next(p->csv, p->o, &p->n, &rec)) {
		struct row r;
		const char *why;
		int name_moves = 0;
		if (p->pg) {
			if (rec.f[2].len + 1 > email_cap) {
				email_cap = 2 * rec.f[2].len + 64;
				email = hp_xrealloc(email, email_cap);
			}
			why = etl_transform(&rec, &r, email, reason);
		} else {
			/* The email (and a name the parser unescaped) go to the batch's text. */
			name_moves = rec.nfields > 1 && !csv_field_stable(p->csv, &rec.f[1]);
			b = room(p, b, rec.f[2].len + (name_moves ? rec.f[1].len : 0));
			why = etl_transform(&rec, &r, b->text + b->len, reason);
			if (!why && name_moves) {
				memcpy(b->text + b->len + r.email_len, r.name, r.name_len);
				r.name = b->text + b->len + r.email_len;
			}
		}
		if (why) {
			quarantine_add(&q, rec.line, why, &rec.raw);
			p->n.quarantined++;
			continue;
		}
		if (idset_has(&p->loaded, r.id)) {
			p->n.skipped++;
			continue;
		}
		if (p->pg) {
			/* Formatted here, in COPY's text format: the loaders only send bytes. */
			size_t max = db_copy_max(&r);
			if (max > line_cap) {
				line_cap = 2 * max;
				line = hp_xrealloc(line, line_cap);
			}
			size_t len = db_copy_format(line, &r);
			b = room(p, b, len);
			memcpy(b->text + b->len, line, len);
			b->len += len;
		} else {
			b->len += r.email_len + (name_moves ? r.name_len : 0);
			b->rows[b->nrows] = r;
		}
		if (++b->nrows == p->batch_rows) {
			queue_push(&p->full, b);
			b = queue_pop(&p->empty);
		}
	}
	queue_push(&p->full, b); /* the last one, maybe empty */
	for (unsigned i = 0; i < p->nloaders; i++)
		queue_push(&p->full, NULL);
	quarantine_close(&q);
	free(email);
	free(line);
	hp_section_thread_end();
	return NULL;
}

/* A loader: one connection, a transaction per batch, until the reader's NULL. */
struct loader {
	struct pipeline *p;
	struct db *db;
	uint64_t loaded;
};

static void load_batch(struct loader *l, struct batch *b)
{
	if (l->p->pg) {
		db_copy_begin(l->db);
		db_copy_send(l->db, b->text, b->len);
		db_copy_end(l->db);
	} else {
		db_begin(l->db);
		db_insert_rows(l->db, b->rows, b->nrows);
		db_commit(l->db);
	}
	l->loaded += b->nrows;
}

static void *loader_main(void *arg)
{
	struct loader *l = arg;
	struct batch *b;

	hp_section_thread_begin();
	while ((b = queue_pop(&l->p->full)) != NULL) {
		if (b->nrows)
			load_batch(l, b);
		b->nrows = 0;
		b->len = 0;
		queue_push(&l->p->empty, b);
	}
	hp_section_thread_end();
	return NULL;
}

int main(int argc, char **argv)
{
	struct etl_opts o;
	struct pipeline p = {0};
	struct loader loaders[MAX_LOADERS] = {0};
	pthread_t reader, threads[MAX_LOADERS];
	struct hp_section s;

	etl_opts_parse(&o, argc, argv);
	o.one_thread_db = 1; /* one loader thread per connection: db.c drops SQLite's locks */
	p.o = &o;
	p.pg = o.pg != NULL;
	p.nloaders = p.pg ? (o.threads ? o.threads : 2) : 1;
	if (p.nloaders > MAX_LOADERS)
		hp_die("--threads %u: at most %d connections", p.nloaders, MAX_LOADERS);
	p.batch_rows = o.batch ? o.batch : p.pg ? BATCH_COPY : BATCH_SQLITE;
	queue_init(&p.full);
	queue_init(&p.empty);

	/* Every connection is open, and the table ready, before the clock starts. */
	for (unsigned i = 0; i < p.nloaders; i++) {
		loaders[i].p = &p;
		loaders[i].db = db_open(&o);
		db_tune(loaders[i].db);
		if (i == 0)
			db_reset(loaders[0].db, o.resume, &p.loaded);
		if (!p.pg)
			db_prepare_insert_rows(loaders[i].db);
	}
	size_t nbatches = p.nloaders + 3;
	struct batch *batches = hp_xcalloc(nbatches, sizeof *batches);
	for (size_t i = 0; i < nbatches; i++) {
		if (!p.pg)
			batches[i].rows = hp_xmalloc_array(p.batch_rows, sizeof *batches[i].rows);
		queue_push(&p.empty, &batches[i]);
	}

	hp_section_begin(&s);
	p.csv = etl_open_input(&o);
	if (pthread_create(&reader, NULL, reader_main, &p))
		hp_die("pthread_create failed");
	for (unsigned i = 0; i < p.nloaders; i++)
		if (pthread_create(&threads[i], NULL, loader_main, &loaders[i]))
			hp_die("pthread_create failed");
	for (unsigned i = 0; i < p.nloaders; i++)
		pthread_join(threads[i], NULL);
	pthread_join(reader, NULL);
	csv_close(p.csv);
	hp_section_end(&s, p.n.read);

	struct etl_counts n = p.n;
	n.loaded = n.skipped;
	for (unsigned i = 0; i < p.nloaders; i++) {
		n.loaded += loaders[i].loaded;
		n.commits += db_commits(loaders[i].db);
	}
	etl_finish(loaders[0].db, &n, &s);
	for (unsigned i = 0; i < p.nloaders; i++)
		db_close(loaders[i].db);
	for (size_t i = 0; i < nbatches; i++) {
		free(batches[i].rows);
		free(batches[i].text);
	}
	free(batches);
	queue_release(&p.full);
	queue_release(&p.empty);
	idset_release(&p.loaded);
	return 0;
}
