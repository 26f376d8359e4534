/*
 * File search, step 4: a literal prefilter before the regex.
 *
 *   search [-F] [-i] PATTERN [DIR...]
 *
 * prints every line that matches, as path:lineno:line, sorted by path and
 * line number (search.h: the output of `grep -rnIE | sort`). The workload
 * is a tree of 100,000 small text files in about 1,000 directories
 * (gentree.c), where the pattern occurs in about one file in a thousand.
 *
 * Change from step 3: before any regex work, memmem() looks for the
 * longest literal that every match must contain (search.c: "zqneedle_"
 * for zqneedle_[0-9]+_[a-z]+, the whole string with -F). A file without it
 * cannot match and costs one memmem() pass, which glibc runs with SIMD at
 * many bytes per cycle; step 3 called regexec() on every line, about 25
 * lines a file, each call a setup of glibc's matcher before its first byte.
 * Only the lines around a hit are handed to the regex (and with -F not
 * even those), and the line numbers are counted only up to a hit, with
 * memchr(). The binary test moves after the first hit too: 999 files in
 * a thousand never need it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp/section.h"
#include "hp/xalloc.h"

#include "../search.h"

/* The buffer every file is read into: it grows to the largest file and stays. */
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

static void walk(const struct matcher *m, struct path *p, struct buf *b, struct hits *h)
{
	DIR *d = opendir(path_open_name(p->s));
	struct dirent *e;
	struct stat st;

	if (!d) {
		hits_error(h, p->s, errno);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t len = path_join(p, e->d_name);
		unsigned char type = e->d_type;
		if (type == DT_UNKNOWN) {
			if (lstat(p->s, &st) < 0)
				hits_error(h, p->s, errno);
			else
				type = IFTODT(st.st_mode);
		}
		if (type == DT_DIR)
			walk(m, p, b, h);
		else if (type == DT_REG)
			search_file(m, dirfd(d), e->d_name, p->s, b, h);
		path_trunc(p, len);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	struct search_args a;
	struct hits h;
	struct hp_section s;
	struct stat st;
	struct matcher m = {0};
	struct buf b = {.cap = 256 * 1024};
	int status;

	search_args_parse(&a, argc, argv);
	hits_init(&h, &a);

	hp_section_begin(&s);
	pattern_compile(&m.re, &a);
	literal_init(&m.lit, &a);
	m.fixed = a.fixed;
	b.p = hp_xmalloc(b.cap);
	for (size_t i = 0; i < a.nroots; i++) {
		struct path p;

		/* An operand is followed if it is a symbolic link, as grep does. */
		if (stat(path_open_name(a.roots[i]), &st) < 0) {
			hits_error(&h, a.roots[i], errno);
			continue;
		}
		path_init(&p, a.roots[i]);
		if (S_ISDIR(st.st_mode))
			walk(&m, &p, &b, &h);
		else
			search_file(&m, AT_FDCWD, p.s, p.s, &b, &h);
		path_release(&p);
	}
	regfree(&m.re);
	literal_release(&m.lit);
	free(b.p);
	status = hits_print(&h);
	hp_section_end(&s, h.files);

	hp_section_report(&s);
	hits_release(&h);
	search_args_release(&a);
	return status;
}
