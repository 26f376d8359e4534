/*
 * File search, step 0 (naive): what a competent engineer writes first.
 *
 *   search [-F] [-i] PATTERN [DIR...]
 *
 * prints every line that matches, as path:lineno:line, sorted by path and
 * line number (search.h: the output of `grep -rnIE | sort`). The workload
 * is a tree of 100,000 small text files in about 1,000 directories
 * (gentree.c), where the pattern occurs in about one file in a thousand.
 *
 * The program is the textbook one: a recursive walk with opendir/readdir,
 * lstat() on every entry to learn whether it is a directory, a file or a
 * symbolic link (which is not followed); for every regular file, compile
 * the pattern, fopen() it, read its first 32 KiB to see whether it is
 * binary, rewind, and run regexec() on every line that getline() returns.
 * Everything is correct, and each piece is what the manual pages suggest.
 * The steps that follow each change one thing (steps/), measured.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hp/section.h"

#include "search.h"

static void search_file(const struct search_args *a, const char *path, struct hits *h)
{
	char probe[BINARY_PROBE];
	regex_t re;
	char *line = NULL;
	size_t cap = 0, got;
	ssize_t len;
	uint64_t lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		hits_error(h, path, errno);
		return;
	}
	h->files++;
	pattern_compile(&re, a);
	got = fread(probe, 1, sizeof probe, f);
	if (!ferror(f) && !memchr(probe, '\0', got)) {
		rewind(f);
		while ((len = getline(&line, &cap, f)) > 0) {
			lineno++;
			if (line[len - 1] == '\n')
				line[--len] = '\0';
			if (regexec(&re, line, 0, NULL, 0) == 0)
				hits_add(h, path, lineno, line, (size_t)len);
		}
	}
	if (ferror(f))
		hits_error(h, path, errno);
	free(line);
	regfree(&re);
	fclose(f);
}

static void walk(const struct search_args *a, struct path *p, struct hits *h)
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
		if (lstat(p->s, &st) < 0)
			hits_error(h, p->s, errno);
		else if (S_ISDIR(st.st_mode))
			walk(a, p, h);
		else if (S_ISREG(st.st_mode))
			search_file(a, p->s, h);
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
	int status;

	search_args_parse(&a, argc, argv);
	hits_init(&h, &a);

	hp_section_begin(&s);
	for (size_t i = 0; i < a.nroots; i++) {
		struct path p;

		/* An operand is followed if it is a symbolic link, as grep does. */
		if (stat(path_open_name(a.roots[i]), &st) < 0) {
			hits_error(&h, a.roots[i], errno);
			continue;
		}
		path_init(&p, a.roots[i]);
		if (S_ISDIR(st.st_mode))
			walk(&a, &p, &h);
		else
			search_file(&a, p.s, &h);
		path_release(&p);
	}
	status = hits_print(&h);
	hp_section_end(&s, h.files);

	hp_section_report(&s);
	hits_release(&h);
	search_args_release(&a);
	return status;
}
