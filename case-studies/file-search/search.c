/*
 * The parts of the file search that every step shares (search.h): the
 * command line, the pattern and its prefilter literal, the list of hits,
 * the sorted output, errors and the exit status.
 *
 * The output is sorted once, at the end: a traversal order (readdir's, or
 * whichever thread finished first) is never the order printed, so every
 * step, serial or parallel, prints the same bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp/xalloc.h"

#include "search.h"

/* ---------------------------------------------------------------- the command line */

static void usage(void)
{
	fprintf(stderr, "usage: search [-F] [-i] PATTERN [DIR...]\n");
	exit(2);
}

void search_args_parse(struct search_args *a, int argc, char **argv)
{
	int i = 1;

	memset(a, 0, sizeof *a);
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *f = argv[i] + 1; *f; f++) {
			if (*f == 'F')
				a->fixed = 1;
			else if (*f == 'i')
				a->icase = 1;
			else
				usage();
		}
	}
	if (i >= argc)
		usage();
	a->pattern = argv[i++];
	a->nroots = argc > i ? (size_t)(argc - i) : 1;
	a->roots = hp_xmalloc_array(a->nroots, sizeof *a->roots);
	a->with_names = 1;
	if (i >= argc) {
		/* No operand: grep -r searches "." and prints names without "./". */
		a->roots[0] = hp_xstrdup("");
		return;
	}
	for (size_t k = 0; k < a->nroots; k++) {
		char *r = hp_xstrdup(argv[i + k]);
		size_t n = strlen(r);

		/* grep prints d/f for the operand d/ or d//, and /f for /. */
		while (n > 1 && r[n - 1] == '/')
			r[--n] = '\0';
		a->roots[k] = r;
	}
	if (a->nroots == 1) {
		struct stat st;

		/* grep -r names the files only when it has a directory to walk. */
		if (stat(a->roots[0], &st) == 0 && !S_ISDIR(st.st_mode))
			a->with_names = 0;
	}
}

void search_args_release(struct search_args *a)
{
	for (size_t k = 0; k < a->nroots; k++)
		free(a->roots[k]);
	free(a->roots);
}

/* ---------------------------------------------------------------- the pattern */

void pattern_compile(regex_t *re, const struct search_args *a)
{
	const char *src = a->pattern;
	char *esc = NULL;
	int err;

	if (a->fixed) {
		/* -F: every character that means something in an ERE gets a backslash. */
		size_t n = strlen(a->pattern), k = 0;

		esc = hp_xmalloc_array(2, n + 1);
		for (const char *p = a->pattern; *p; p++) {
			if (strchr("\\.[()*+?{|^$", *p))
				esc[k++] = '\\';
			esc[k++] = *p;
		}
		esc[k] = '\0';
		src = esc;
	}
	err = regcomp(re, src, REG_EXTENDED | REG_NOSUB | (a->icase ? REG_ICASE : 0));
	free(esc);
	if (err) {
		char msg[256];

		regerror(err, re, msg, sizeof msg);
		fprintf(stderr, "search: %s: %s\n", a->pattern, msg);
		exit(2);
	}
}

int line_matches(const regex_t *re, const char *line, size_t len)
{
	regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)len};

	return regexec(re, line, 1, &m, REG_STARTEND) == 0;
}

/*
 * The longest literal of an ERE that every match contains. Conservative:
 * any alternation gives none (a literal of one branch is not in the other's
 * matches); characters inside parentheses or brackets, after a backslash
 * letter (\w, \b, \1) and before ?, * or {} do not count; a character
 * before + does (it occurs at least once).
 */
void literal_init(struct literal *lit, const struct search_args *a)
{
	const char *p = a->pattern;
	size_t n = strlen(p), cur = 0, best = 0, best_at = 0;
	char *run;
	int depth = 0, last_lit = 0;

	memset(lit, 0, sizeof *lit);
	lit->icase = a->icase;
	if (a->fixed) {
		lit->s = a->pattern;
		lit->len = n;
		return;
	}
	run = hp_xmalloc(2 * n + 2); /* the current run, then the best one after it */
	for (size_t i = 0; i < n;) {
		char c = p[i];
		int add = 0;

		if (c == '|') {
			free(run);
			return;
		}
		if (c == '\\' && i + 1 < n) {
			c = p[i + 1];
			i += 2;
			add = !isalnum((unsigned char)c) && !strchr("<>`'", c);
		} else if (c == '[') {
			size_t j = i + 1;

			j += p[j] == '^';
			j += p[j] == ']';
			while (j < n && p[j] != ']') {
				if (p[j] == '[' && j + 1 < n && strchr(":.=", p[j + 1])) {
					const char *end = strstr(p + j + 2, p[j + 1] == ':'   ? ":]"
					                                    : p[j + 1] == '.' ? ".]"
					                                                      : "=]");
					j = end ? (size_t)(end - p) + 2 : n;
				} else {
					j++;
				}
			}
			i = j + 1;
		} else if (c == '*' || c == '?' || c == '{' || c == '+') {
			if (last_lit && c != '+')
				cur--; /* the character before is optional */
			if (c == '{')
				while (i < n && p[i] != '}')
					i++;
			i++;
		} else {
			depth += c == '(';
			depth -= c == ')' && depth > 0;
			add = !strchr("()^$.", c);
			i++;
		}
		if (add && depth == 0) {
			run[cur++] = c;
			last_lit = 1;
			continue;
		}
		/* The run ends here: keep it if it is the longest so far. */
		if (cur > best) {
			memcpy(run + n + 1, run, cur);
			best = cur;
			best_at = n + 1;
		}
		cur = 0;
		last_lit = 0;
	}
	if (cur > best) {
		memcpy(run + n + 1, run, cur);
		best = cur;
		best_at = n + 1;
	}
	lit->buf = run;
	lit->s = run + best_at;
	lit->len = best;
}

void literal_release(struct literal *lit)
{
	free(lit->buf);
}

const char *literal_find(const struct literal *lit, const char *p, size_t n)
{
	if (!lit->icase)
		return memmem(p, n, lit->s, lit->len);
	/* -i is not what the case study measures: a plain loop, correct first. */
	for (size_t i = 0; i + lit->len <= n; i++)
		if (!strncasecmp(p + i, lit->s, lit->len))
			return p + i;
	return NULL;
}

/* ---------------------------------------------------------------- the hits */

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

/* Chunks of 64 KiB: a hundred hits a chunk, and one malloc for a line longer than that. */
#define CHUNK_MIN (64 * 1024)

void hits_init(struct hits *h, const struct search_args *a)
{
	memset(h, 0, sizeof *h);
	h->with_names = a->with_names;
}

static char *hits_store(struct hits *h, const char *s, size_t len)
{
	struct chunk *c = h->chunks;

	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > CHUNK_MIN ? len + 1 : CHUNK_MIN;

		c = hp_xmalloc(sizeof *c + cap);
		c->used = 0;
		c->cap = cap;
		c->next = h->chunks;
		h->chunks = c;
	}
	char *d = c->data + c->used;
	memcpy(d, s, len);
	d[len] = '\0';
	c->used += len + 1;
	return d;
}

void hits_add(struct hits *h, const char *path, uint64_t lineno, const char *line, size_t len)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->v = hp_xrealloc(h->v, h->cap * sizeof *h->v);
	}
	if (!h->last_path || strcmp(h->last_path, path))
		h->last_path = hits_store(h, path, strlen(path));
	h->v[h->n++] = (struct hit){
	    .path = h->last_path,
	    .line = hits_store(h, line, len),
	    .len = len,
	    .lineno = lineno,
	};
}

void hits_error(struct hits *h, const char *path, int err)
{
	fprintf(stderr, "search: %s: %s\n", path[0] ? path : ".", strerror(err));
	h->errors++;
}

void hits_merge(struct hits *into, struct hits *from)
{
	if (into->cap < into->n + from->n) {
		into->cap = into->n + from->n;
		into->v = hp_xrealloc(into->v, into->cap * sizeof *into->v);
	}
	if (from->n)
		memcpy(into->v + into->n, from->v, from->n * sizeof *from->v);
	into->n += from->n;
	/* The strings stay where they are: only the chunk list changes hands. */
	struct chunk **tail = &from->chunks;
	while (*tail)
		tail = &(*tail)->next;
	*tail = into->chunks;
	into->chunks = from->chunks;
	into->last_path = NULL;
	into->files += from->files;
	into->errors += from->errors;
	free(from->v);
	from->v = NULL;
	from->n = from->cap = 0;
	from->chunks = NULL;
	from->last_path = NULL;
	from->files = 0;
	from->errors = 0;
}

static int hit_cmp(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;
	int c = a->path == b->path ? 0 : strcmp(a->path, b->path);

	if (c)
		return c;
	return (a->lineno > b->lineno) - (a->lineno < b->lineno);
}

struct out {
	char buf[64 * 1024];
	size_t len;
	int failed;
};

static void out_flush(struct out *o)
{
	size_t off = 0;

	while (off < o->len && !o->failed) {
		ssize_t w = write(STDOUT_FILENO, o->buf + off, o->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fprintf(stderr, "search: write error: %s\n", strerror(errno));
			o->failed = 1;
			break;
		}
		off += (size_t)w;
	}
	o->len = 0;
}

static void out_put(struct out *o, const char *s, size_t n)
{
	while (n) {
		size_t room = sizeof o->buf - o->len, k = n < room ? n : room;

		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (o->len == sizeof o->buf)
			out_flush(o);
	}
}

int hits_print(struct hits *h)
{
	static struct out o;
	char num[24];

	qsort(h->v, h->n, sizeof *h->v, hit_cmp);
	o.len = 0;
	o.failed = 0;
	for (size_t i = 0; i < h->n; i++) {
		const struct hit *t = &h->v[i];
		int k = snprintf(num, sizeof num, "%llu:", (unsigned long long)t->lineno);

		if (h->with_names) {
			out_put(&o, t->path, strlen(t->path));
			out_put(&o, ":", 1);
		}
		out_put(&o, num, (size_t)k);
		out_put(&o, t->line, t->len);
		out_put(&o, "\n", 1);
	}
	out_flush(&o);
	if (h->errors || o.failed)
		return 2;
	return h->n ? 0 : 1;
}

void hits_release(struct hits *h)
{
	while (h->chunks) {
		struct chunk *next = h->chunks->next;

		free(h->chunks);
		h->chunks = next;
	}
	free(h->v);
	memset(h, 0, sizeof *h);
}

/* ---------------------------------------------------------------- paths */

void path_init(struct path *p, const char *root)
{
	p->len = strlen(root);
	p->cap = p->len + 256;
	p->s = hp_xmalloc(p->cap);
	memcpy(p->s, root, p->len + 1);
}

size_t path_join(struct path *p, const char *name)
{
	size_t old = p->len, n = strlen(name);
	int slash = old > 0 && p->s[old - 1] != '/';

	if (p->len + slash + n + 1 > p->cap) {
		p->cap = 2 * (p->len + slash + n + 1);
		p->s = hp_xrealloc(p->s, p->cap);
	}
	if (slash)
		p->s[p->len++] = '/';
	memcpy(p->s + p->len, name, n + 1);
	p->len += n;
	return old;
}

void path_trunc(struct path *p, size_t len)
{
	p->len = len;
	p->s[len] = '\0';
}

void path_release(struct path *p)
{
	free(p->s);
}
