/*
 * File search, step 1: compile the pattern once.
 *
 *   search [-F] [-i] PATTERN [DIR...]
 *
 * prints every line that matches, as path:lineno:line, sorted by path and
 * line number (search.h: the output of `grep -rnIE | sort`). The workload
 * is a tree of 100,000 small text files in about 1,000 directories
 * (gentree.c), where the pattern occurs in about one file in a thousand.
 *
 * Change from naive.c: regcomp() runs once, in main(), instead of once
 * per file. Compiling even a short ERE builds glibc's parse tree and NFA
 * and allocates dozens of blocks; the profile of naive showed regcomp and
 * its allocations as a visible slice of every file's cost, paid 100,000
 * times for the same result. Everything else is naive.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hp/section.h"

#include "../search.h"

static void search_file(const regex_t *re, const char *path, struct hits *h)
{
	char probe[BINARY_PROBE];
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
	got = fread(probe, 1, sizeof probe, f);
	if (!ferror(f) && !memchr(probe, '\0', got)) {
		rewind(f);
		while ((len = getline(&line, &cap, f)) > 0) {
			lineno++;
			if (line[len - 1] == '\n')
				line[--len] = '\0';
			if (regexec(re, line, 0, NULL, 0) == 0)
				hits_add(h, path, lineno, line, (size_t)len);
		}
	}
	if (ferror(f))
		hits_error(h, path, errno);
	free(line);
	fclose(f);
}

static void walk(const regex_t *re, struct path *p, struct hits *h)
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
			walk(re, p, h);
		else if (S_ISREG(st.st_mode))
			search_file(re, p->s, h);
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
	regex_t re;
	int status;

	search_args_parse(&a, argc, argv);
	hits_init(&h, &a);

	hp_section_begin(&s);
	pattern_compile(&re, &a);
	for (size_t i = 0; i < a.nroots; i++) {
		struct path p;

		/* An operand is followed if it is a symbolic link, as grep does. */
		if (stat(path_open_name(a.roots[i]), &st) < 0) {
			hits_error(&h, a.roots[i], errno);
			continue;
		}
		path_init(&p, a.roots[i]);
		if (S_ISDIR(st.st_mode))
			walk(&re, &p, &h);
		else
			search_file(&re, p.s, &h);
		path_release(&p);
	}
	regfree(&re);
	status = hits_print(&h);
	hp_section_end(&s, h.files);

	hp_section_report(&s);
	hits_release(&h);
	search_args_release(&a);
	return status;
}
