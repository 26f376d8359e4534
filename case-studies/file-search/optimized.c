/*
 * File search, optimized (step 5): the tree walked and searched by a
 * bounded pool of threads, one per core.
 *
 *   search [-F] [-i] PATTERN [DIR...]
 *
 * Same output as naive.c (search.h): path:lineno:line, sorted.
 *
 * Change from step 4: after steps 1-4 the profile is nearly all kernel
 * time, openat(), read() and close() of 100,000 files, which no user-space
 * trick shortens; what is left is to make those calls on every core at
 * once. The work is a shared LIFO of items under one mutex: a directory to
 * list, or a chunk of up to 256 files of a listed directory. A thread that
 * lists a directory pushes its subdirectories and all its files' chunks
 * but the first in one locked push, and searches that first chunk itself,
 * so a directory of a hundred files costs one lock round trip, not one per
 * file; a directory of 100,000 files is still shared. Chunks come out of
 * the stack before the directories under them, so only a few directories
 * are open at a time. The directory's descriptor is kept (reference
 * counted) until its last chunk is searched: every file is opened with
 * openat() relative to it.
 *
 * Each thread has its own hits, buffer and compiled regex (glibc's
 * regexec() takes a lock inside a shared regex_t); the lists are merged
 * and sorted once at the end, so the output is the same bytes whatever
 * order the threads ran in. Threads: one per online core (2 on the
 * reference VM); more would only queue for the same two cores.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp/section.h"
#include "hp/xalloc.h"

#include "search.h"

struct buf {
	char *p;
	size_t cap;
};

/*
 * Read the whole file: one read() when it is smaller than the buffer. A
 * read of a regular file returns less than asked only at its end, so a
 * short read ends the loop without the second read() that would return 0.
 * Returns the length or -errno.
 */
static ssize_t read_all(int fd, struct buf *b)
{
	size_t len = 0;

	for (;;) {
		if (len == b->cap) {
			b->cap *= 2;
			b->p = hp_xrealloc(b->p, b->cap);
		}
		ssize_t r = read(fd, b->p + len, b->cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		len += (size_t)r;
		if (len < b->cap)
			return (ssize_t)len;
	}
}

static void search_lines(const regex_t *re, const char *path, const char *p, size_t len, struct hits *h)
{
	const char *end = p + len;
	uint64_t lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		lineno++;
		if (line_matches(re, p, (size_t)(eol - p)))
			hits_add(h, path, lineno, p, (size_t)(eol - p));
		p = eol + 1;
	}
}

/* The compiled pattern and its literal (search.h). */
struct matcher {
	regex_t re;
	struct literal lit;
	int fixed;
};

static int is_binary(const char *p, size_t len)
{
	return memchr(p, '\0', len < BINARY_PROBE ? len : BINARY_PROBE) != NULL;
}

static uint64_t count_lines(const char *p, const char *end)
{
	uint64_t n = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

static void search_file(const struct matcher *m, int dir, const char *name, const char *path, struct buf *b,
                        struct hits *h)
{
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t len;

	if (fd < 0) {
		hits_error(h, path, errno);
		return;
	}
	h->files++;
	len = read_all(fd, b);
	close(fd);
	if (len < 0) {
		hits_error(h, path, (int)-len);
		return;
	}
	const char *p = b->p, *end = p + len, *hit;
	if (!m->lit.len) {
		if (!is_binary(p, (size_t)len))
			search_lines(&m->re, path, p, (size_t)len, h);
		return;
	}
	uint64_t lineno = 1; /* the number of the line that starts at p */
	while (p < end && (hit = literal_find(&m->lit, p, (size_t)(end - p)))) {
		if (p == b->p && is_binary(p, (size_t)len))
			return; /* tested at the first hit only */
		const char *bol = memrchr(p, '\n', (size_t)(hit - p));
		bol = bol ? bol + 1 : p;
		const char *eol = memchr(hit, '\n', (size_t)(end - hit));
		eol = eol ? eol : end;
		lineno += count_lines(p, bol);
		if (m->fixed || line_matches(&m->re, bol, (size_t)(eol - bol)))
			hits_add(h, path, lineno, bol, (size_t)(eol - bol));
		p = eol + 1;
		lineno++;
	}
}

/* ---------------------------------------------------------------- the work queue */

/* Files a chunk: a directory of up to this many is searched by the thread that lists it. */
#define CHUNK 256

/* A listed directory, shared by its chunks until the last one is done. */
struct dir {
	DIR *d;
	char *path;
	char *names; /* the file names, each NUL-terminated */
	size_t *off; /* where each starts in names */
	size_t nfiles;
	atomic_uint refs;
};

/* A directory to list (path set) or files lo..hi of a listed one. */
struct item {
	char *path;
	struct dir *dir;
	size_t lo, hi;
};

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct item *v;
	size_t n, cap;
	unsigned busy; /* threads working on an item: they may push more */
};

/* Push n items with one lock. */
static void queue_push(struct queue *q, const struct item *it, size_t n)
{
	if (!n)
		return;
	pthread_mutex_lock(&q->mu);
	if (q->n + n > q->cap) {
		q->cap = 2 * (q->n + n);
		q->v = hp_xrealloc(q->v, q->cap * sizeof *q->v);
	}
	memcpy(q->v + q->n, it, n * sizeof *it);
	q->n += n;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

struct worker {
	pthread_t tid;
	struct queue *q;
	const struct search_args *a;
	struct matcher m;
	struct buf b;
	struct hits h;
	struct path p;
	struct item *out; /* the items one listing pushes */
	size_t nout, capout;
};

static void dir_release(struct dir *dir)
{
	if (atomic_fetch_sub(&dir->refs, 1) != 1)
		return;
	closedir(dir->d);
	free(dir->path);
	free(dir->names);
	free(dir->off);
	free(dir);
}

static void search_chunk(struct worker *w, struct dir *dir, size_t lo, size_t hi)
{
	path_init(&w->p, dir->path);
	for (size_t i = lo; i < hi; i++) {
		const char *name = dir->names + dir->off[i];
		size_t len = path_join(&w->p, name);

		search_file(&w->m, dirfd(dir->d), name, w->p.s, &w->b, &w->h);
		path_trunc(&w->p, len);
	}
	path_release(&w->p);
	dir_release(dir);
}

static void out_add(struct worker *w, struct item it)
{
	if (w->nout == w->capout) {
		w->capout = w->capout ? 2 * w->capout : 64;
		w->out = hp_xrealloc(w->out, w->capout * sizeof *w->out);
	}
	w->out[w->nout++] = it;
}

/* List a directory: push its subdirectories and its chunks but the first, then search that one. */
static void list_dir(struct worker *w, char *path)
{
	int fd = open(path_open_name(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	size_t used = 0, cap = 4096, ocap = 64;
	struct dirent *e;
	struct stat st;

	if (!d) {
		hits_error(&w->h, path, errno);
		if (fd >= 0)
			close(fd);
		free(path);
		return;
	}
	struct dir *dir = hp_xmalloc(sizeof *dir);
	*dir = (struct dir){
	    .d = d, .path = path, .names = hp_xmalloc(cap), .off = hp_xmalloc_array(ocap, sizeof(size_t))};
	path_init(&w->p, path);
	w->nout = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		unsigned char type = e->d_type;
		if (type == DT_UNKNOWN) {
			if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				size_t len = path_join(&w->p, e->d_name);
				hits_error(&w->h, w->p.s, errno);
				path_trunc(&w->p, len);
			} else {
				type = IFTODT(st.st_mode);
			}
		}
		if (type == DT_DIR) {
			size_t len = path_join(&w->p, e->d_name);
			out_add(w, (struct item){.path = hp_xstrdup(w->p.s)});
			path_trunc(&w->p, len);
		} else if (type == DT_REG) {
			size_t n = strlen(e->d_name) + 1;
			while (used + n > cap)
				dir->names = hp_xrealloc(dir->names, cap *= 2);
			if (dir->nfiles == ocap)
				dir->off = hp_xrealloc(dir->off, (ocap *= 2) * sizeof(size_t));
			memcpy(dir->names + used, e->d_name, n);
			dir->off[dir->nfiles++] = used;
			used += n;
		}
	}
	path_release(&w->p);
	size_t first = dir->nfiles < CHUNK ? dir->nfiles : CHUNK;
	atomic_init(&dir->refs, 1);
	for (size_t lo = first; lo < dir->nfiles; lo += CHUNK) {
		size_t hi = dir->nfiles - lo < CHUNK ? dir->nfiles : lo + CHUNK;
		atomic_fetch_add(&dir->refs, 1);
		out_add(w, (struct item){.dir = dir, .lo = lo, .hi = hi});
	}
	queue_push(w->q, w->out, w->nout);
	search_chunk(w, dir, 0, first);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct queue *q = w->q;

	hp_section_thread_begin();
	pattern_compile(&w->m.re, w->a);
	literal_init(&w->m.lit, w->a);
	w->m.fixed = w->a->fixed;
	w->b.cap = 256 * 1024;
	w->b.p = hp_xmalloc(w->b.cap);
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->n == 0 && q->busy > 0)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->n == 0)
			break; /* nothing queued and nobody left to queue more */
		struct item it = q->v[--q->n];
		q->busy++;
		pthread_mutex_unlock(&q->mu);
		if (it.path)
			list_dir(w, it.path);
		else
			search_chunk(w, it.dir, it.lo, it.hi);
		pthread_mutex_lock(&q->mu);
		if (--q->busy == 0 && q->n == 0)
			pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	regfree(&w->m.re);
	literal_release(&w->m.lit);
	free(w->b.p);
	free(w->out);
	hp_section_thread_end();
	return NULL;
}

static unsigned pool_size(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	return cores < 1 ? 1 : cores > 64 ? 64 : (unsigned)cores;
}

int main(int argc, char **argv)
{
	struct search_args a;
	struct hits h;
	struct hp_section s;
	struct stat st;
	struct queue q = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	unsigned nw = pool_size();
	struct worker *w = hp_xcalloc(nw, sizeof *w);
	int status;

	search_args_parse(&a, argc, argv);
	hits_init(&h, &a);

	hp_section_begin(&s);
	for (size_t i = 0; i < a.nroots; i++) {
		/* An operand is followed if it is a symbolic link, as grep does. */
		if (stat(path_open_name(a.roots[i]), &st) < 0) {
			hits_error(&h, a.roots[i], errno);
		} else if (S_ISDIR(st.st_mode)) {
			queue_push(&q, &(struct item){.path = hp_xstrdup(a.roots[i])}, 1);
		} else {
			struct matcher m = {.fixed = a.fixed};
			struct buf b = {.cap = 256 * 1024};

			pattern_compile(&m.re, &a);
			literal_init(&m.lit, &a);
			b.p = hp_xmalloc(b.cap);
			search_file(&m, AT_FDCWD, a.roots[i], a.roots[i], &b, &h);
			free(b.p);
			literal_release(&m.lit);
			regfree(&m.re);
		}
	}
	for (unsigned i = 0; i < nw; i++) {
		w[i].q = &q;
		w[i].a = &a;
		hits_init(&w[i].h, &a);
		int err = pthread_create(&w[i].tid, NULL, worker_main, &w[i]);
		if (err)
			hp_die("pthread_create: %s", strerror(err));
	}
	for (unsigned i = 0; i < nw; i++) {
		pthread_join(w[i].tid, NULL);
		hits_merge(&h, &w[i].h);
	}
	status = hits_print(&h);
	hp_section_end(&s, h.files);

	hp_section_report(&s);
	hits_release(&h);
	free(q.v);
	free(w);
	search_args_release(&a);
	return status;
}
