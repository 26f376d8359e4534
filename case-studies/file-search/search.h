#ifndef FILE_SEARCH_SEARCH_H
#define FILE_SEARCH_SEARCH_H

/*
 * What every step of the file-search case study shares and never changes:
 * the command line, the pattern, the list of matching lines, their sorted
 * output, error messages and the exit status. The steps differ only in how
 * they walk the tree and search a file, so `diff` between two steps shows
 * the one change.
 *
 *   search [-F] [-i] PATTERN [DIR...]
 *
 * Output: path:lineno:line for every matching line, sorted by path
 * (bytewise) then line number: the output of
 * `LC_ALL=C grep -rnIE PATTERN DIR | LC_ALL=C sort -t: -k1,1 -k2,2n`.
 */
#include <regex.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A file is binary, and skipped as `grep -I` skips it, when a NUL byte
 * occurs in its first BINARY_PROBE bytes.
 */
#define BINARY_PROBE (32 * 1024)

struct search_args {
	int fixed;           /* -F: the pattern is a fixed string */
	int icase;           /* -i: ASCII case-insensitive (the C locale) */
	const char *pattern; /* a POSIX extended regular expression, or -F's string */
	char **roots;        /* the operands, trailing slashes removed; "" for "." */
	size_t nroots;
	int with_names; /* 0 when the only operand is a file: grep prints no name */
};

/* Parse the command line; on a usage error print a message and exit 2. */
void search_args_parse(struct search_args *a, int argc, char **argv);
void search_args_release(struct search_args *a);

/*
 * Compile the pattern for regexec() (REG_EXTENDED | REG_NOSUB, REG_ICASE with
 * -i; with -F the string is escaped into an ERE). A bad pattern prints
 * regcomp's message and exits 2, as grep does. Free with regfree().
 */
void pattern_compile(regex_t *re, const struct search_args *a);

/* Does the line [line, line + len) match? (regexec with REG_STARTEND.) */
int line_matches(const regex_t *re, const char *line, size_t len);

/*
 * The prefilter's literal: the longest run of plain characters that every
 * match of the pattern must contain (the whole string with -F), or len 0
 * when the pattern guarantees none (an alternation, a pattern of classes).
 * The literal is a view into a->pattern for -F, else a copy in *buf, which
 * the caller frees with free().
 */
struct literal {
	const char *s;
	size_t len;
	int icase;
	char *buf;
};
void literal_init(struct literal *lit, const struct search_args *a);
void literal_release(struct literal *lit);

/* First occurrence of the literal in [p, p + n), or NULL (memmem; ASCII case folding with -i). */
const char *literal_find(const struct literal *lit, const char *p, size_t n);

/*
 * The matching lines found so far. The strings live in chunks owned by the
 * list, so a hit costs no allocation of its own; consecutive hits of one
 * file share its path. Caller-owned; one list per thread.
 */
struct hit {
	const char *path;
	const char *line;
	size_t len;
	uint64_t lineno;
};
struct chunk;
struct hits {
	struct hit *v;
	size_t n, cap;
	struct chunk *chunks; /* newest first; the strings of every hit */
	const char *last_path;
	uint64_t files; /* regular files opened: the ops of the timed section */
	unsigned errors;
	int with_names;
};

void hits_init(struct hits *h, const struct search_args *a);

/* Record a matching line; copies path (unless it is the previous hit's) and line. */
void hits_add(struct hits *h, const char *path, uint64_t lineno, const char *line, size_t len);

/* Print "search: PATH: strerror(err)" on stderr and count the error. */
void hits_error(struct hits *h, const char *path, int err);

/* Move every hit, string and count of from into into; from is left empty. */
void hits_merge(struct hits *into, struct hits *from);

/*
 * Sort the hits by path then line number and write them to stdout with one
 * buffer. Returns the exit status: 2 after any error, else 0 when a line
 * matched, 1 when none did (grep's).
 */
int hits_print(struct hits *h);
void hits_release(struct hits *h);

/*
 * A path being built: dir + "/" + name, or name alone under the root "".
 * path_join returns the length before the join, for path_trunc.
 */
struct path {
	char *s;
	size_t len, cap;
};
void path_init(struct path *p, const char *root);
size_t path_join(struct path *p, const char *name);
void path_trunc(struct path *p, size_t len);
void path_release(struct path *p);

/* The path to open for a walk's directory: "." for the root "". */
static inline const char *path_open_name(const char *path)
{
	return path[0] ? path : ".";
}

#endif
