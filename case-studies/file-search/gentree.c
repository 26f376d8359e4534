/*
 * gentree: the file-search case study's workload, a deterministic tree.
 *
 *   gentree --files N --seed S --out DIR
 *
 * writes N files into about N / 100 directories of varied depth under DIR:
 * text that looks like source code and notes (lines from empty to a few
 * hundred bytes, files from empty to 64 KiB, most under 2 KiB), 2% binary
 * files (a NUL within the first 512 bytes), a few names with spaces, with a
 * byte that is not UTF-8, or hidden (a leading dot), and the rare token
 * "zqneedle_<n>_<word>" on one or two lines of exactly one file in a
 * thousand. No name contains ':' (the reference `sort -t:` splits on it)
 * or a newline. Same arguments, same tree, byte for byte.
 *
 * The tree is built once and cached: when DIR exists and DIR.stamp records
 * the same arguments, gentree exits at once. Otherwise it builds DIR.tmp,
 * replaces DIR with it by rename() and writes the stamp last, so a run that
 * is killed never leaves a half tree that looks complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp/opts.h"
#include "hp/prng.h"
#include "hp/xalloc.h"

static const char *const words[] = {
    "static", "int",    "return", "struct", "const",  "char",   "void",   "size_t", "if",     "else",
    "for",    "while",  "buffer", "count",  "node",   "value",  "index",  "length", "result", "error",
    "next",   "prev",   "list",   "table",  "hash",   "key",    "data",   "offset", "flags",  "mode",
    "read",   "write",  "open",   "close",  "handle", "state",  "config", "parse",  "token",  "line",
    "file",   "path",   "name",   "the",    "a",      "of",     "to",     "and",    "is",     "in",
    "that",   "when",   "this",   "we",     "it",     "not",    "cache",  "queue",  "worker", "thread",
    "lock",   "unlock", "alloc",  "free",   "memcpy", "printf", "NULL",   "true",   "false",  "uint64_t",
    "0",      "1",      "42",     "0x7f",   "1024",   "=",      "==",     "+=",     "->",     "(",
    ")",      "{",      "}",      ";",      "*",      "&&",     "||",     "//",     "#",      "TODO",
};
#define NWORDS (sizeof words / sizeof words[0])

static const char *const stems[] = {
    "main", "util", "parser", "buffer", "config", "notes", "server", "client", "hash",   "list",
    "tree", "io",   "net",    "log",    "test",   "bench", "README", "design", "module", "core",
};
static const char *const exts[] = {".c", ".h", ".txt", ".md", ".py", ".log", ".go", ""};
static const char *const dirs[] = {"src",  "lib", "include", "test",   "docs",
                                   "util", "net", "core",    "vendor", "internal"};

struct gen {
	struct hp_rng rng;
	char *buf;
	size_t len, cap;
};

static void put(struct gen *g, const char *s, size_t n)
{
	if (g->len + n > g->cap) {
		g->cap = 2 * (g->len + n);
		g->buf = hp_xrealloc(g->buf, g->cap);
	}
	memcpy(g->buf + g->len, s, n);
	g->len += n;
}

static void put_str(struct gen *g, const char *s)
{
	put(g, s, strlen(s));
}

/* One line of about target bytes, without its newline. */
static void put_line(struct gen *g, size_t target)
{
	size_t start = g->len;
	unsigned indent = (unsigned)hp_rng_below(&g->rng, 4);

	for (unsigned i = 0; i < indent && target; i++)
		put_str(g, "\t");
	while (g->len - start < target) {
		put_str(g, words[hp_rng_below(&g->rng, NWORDS)]);
		put_str(g, " ");
	}
}

/* Line lengths: a tenth empty, most 10-100 bytes, a few long ones. */
static size_t line_length(struct gen *g)
{
	uint64_t r = hp_rng_below(&g->rng, 100);

	if (r < 10)
		return 0;
	if (r < 50)
		return 10 + hp_rng_below(&g->rng, 30);
	if (r < 97)
		return 40 + hp_rng_below(&g->rng, 60);
	return 100 + hp_rng_below(&g->rng, 400);
}

/*
 * File sizes: log-uniform from 32 B to 4 KiB (an octave picked uniformly,
 * then a size uniform within it; about 700 B on average, like a tree of
 * small sources and notes), one file in 200 from 16 to 64 KiB.
 */
static size_t file_size(struct gen *g)
{
	if (hp_rng_below(&g->rng, 200) == 0)
		return 16 * 1024 + hp_rng_below(&g->rng, 48 * 1024);
	size_t octave = (size_t)32 << hp_rng_below(&g->rng, 7);
	return octave + hp_rng_below(&g->rng, octave);
}

static void file_text(struct gen *g, size_t size, int rare)
{
	size_t rare_line = rare ? (size_t)hp_rng_below(&g->rng, size / 40 + 1) : (size_t)-1;
	size_t line = 0;

	while (g->len < size) {
		if (line == rare_line || (rare && line == rare_line + 7 && hp_rng_below(&g->rng, 2))) {
			char tok[64];

			put_line(g, hp_rng_below(&g->rng, 30));
			snprintf(tok, sizeof tok, "zqneedle_%u_%s ", (unsigned)hp_rng_below(&g->rng, 1000),
			         words[hp_rng_below(&g->rng, 60)]);
			put_str(g, tok);
		}
		put_line(g, line_length(g));
		put_str(g, "\n");
		line++;
	}
	if (rare && line <= rare_line) {
		put_str(g, "zqneedle_0_tail\n");
	}
	/* One file in 20 ends without a newline. */
	if (g->len && hp_rng_below(&g->rng, 20) == 0)
		g->len--;
}

static void file_binary(struct gen *g, size_t size)
{
	size_t nul = (size_t)hp_rng_below(&g->rng, 512);

	put_str(g, "\x7f"
	           "ELF");
	for (size_t i = 4; i < size; i++) {
		char c = i == nul + 4 ? '\0' : (char)hp_rng_below(&g->rng, 256);

		put(g, &c, 1);
	}
}

/* A name: mostly plain, some with a space, a byte that is not UTF-8, or a leading dot. */
static void make_name(struct gen *g, char *out, size_t cap, const char *stem, const char *ext, size_t id)
{
	uint64_t r = hp_rng_below(&g->rng, 100);

	if (r < 2)
		snprintf(out, cap, "%s copy %zu%s", stem, id, ext);
	else if (r < 3)
		snprintf(out, cap, "%s\xe9t\xe9_%zu%s", stem, id, ext);
	else if (r < 5)
		snprintf(out, cap, ".%s_%zu%s", stem, id, ext);
	else
		snprintf(out, cap, "%s_%zu%s", stem, id, ext);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		hp_die("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

static void remove_tree(const char *path)
{
	if (access(path, F_OK) == 0)
		nftw(path, remove_entry, 64, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t off = 0;

	if (fd < 0)
		hp_die("cannot create %s: %s", path, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0)
			hp_die("cannot write %s: %s", path, strerror(errno));
		off += (size_t)w;
	}
	if (close(fd) < 0)
		hp_die("cannot write %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct gen g = {0};
	char stamp_text[256], old[256] = "";

	hp_opts_parse(&opt, argc, argv, "files,out");
	uint64_t nfiles = hp_opts_u64(&opt, "files", 100000);
	const char *out = hp_opts_str(&opt, "out", NULL);
	if (!out || !*out)
		hp_die("gentree: --out DIR is required");

	size_t n = strlen(out);
	char *stamp = hp_xmalloc(n + 8), *tmp = hp_xmalloc(n + 8);
	snprintf(stamp, n + 8, "%s.stamp", out);
	snprintf(tmp, n + 8, "%s.tmp", out);
	/* The format version first: a new generator must not reuse an old tree. */
	snprintf(stamp_text, sizeof stamp_text, "gentree 2 --files %llu --seed %llu\n",
	         (unsigned long long)nfiles, (unsigned long long)opt.seed);

	/* The cache: the same arguments and a complete tree. */
	FILE *f = fopen(stamp, "r");
	if (f) {
		size_t got = fread(old, 1, sizeof old - 1, f);

		old[got] = '\0';
		fclose(f);
		if (!strcmp(old, stamp_text) && access(out, F_OK) == 0) {
			free(stamp);
			free(tmp);
			return 0;
		}
	}

	remove_tree(tmp);
	if (mkdir(tmp, 0755) < 0)
		hp_die("cannot create %s: %s", tmp, strerror(errno));
	hp_rng_init(&g.rng, opt.seed);

	/*
	 * Directories: each one's parent is, half the time, one of the eight
	 * made just before it (chains, so depth varies up to about ten), and
	 * otherwise any earlier one (wide, shallow parts).
	 */
	size_t ndirs = nfiles / 100 + 1;
	char **dpath = hp_xmalloc_array(ndirs, sizeof *dpath);
	dpath[0] = hp_xstrdup(tmp);
	for (size_t i = 1; i < ndirs; i++) {
		size_t parent = hp_rng_below(&g.rng, 2) ? i - 1 - hp_rng_below(&g.rng, i < 8 ? i : 8)
		                                        : hp_rng_below(&g.rng, i);
		char name[128], *p;

		make_name(&g, name, sizeof name, dirs[hp_rng_below(&g.rng, 10)], "", i);
		size_t len = strlen(dpath[parent]) + strlen(name) + 2;
		p = hp_xmalloc(len);
		snprintf(p, len, "%s/%s", dpath[parent], name);
		if (mkdir(p, 0755) < 0)
			hp_die("cannot create %s: %s", p, strerror(errno));
		dpath[i] = p;
	}

	/* Files: a tenth of them crowd into the first tenth of the directories. */
	for (size_t i = 0; i < nfiles; i++) {
		size_t d = hp_rng_below(&g.rng, 10) ? hp_rng_below(&g.rng, ndirs)
		                                    : hp_rng_below(&g.rng, ndirs / 10 + 1);
		char name[128], path[4096];
		uint64_t kind = hp_rng_below(&g.rng, 100);
		/* Exactly one file in a thousand carries the rare token, spread evenly. */
		int rare = i % 1000 == 500 || (nfiles < 1000 && i == nfiles / 2);

		make_name(&g, name, sizeof name, stems[hp_rng_below(&g.rng, 20)],
		          exts[hp_rng_below(&g.rng, 8)], i);
		snprintf(path, sizeof path, "%s/%s", dpath[d], name);
		g.len = 0;
		if (rare || kind >= 3)
			file_text(&g, file_size(&g), rare);
		else if (kind >= 1)
			file_binary(&g, 64 + hp_rng_below(&g.rng, 4096));
		/* else: an empty file */
		write_file(path, g.buf, g.len);
	}

	remove_tree(out);
	unlink(stamp);
	if (rename(tmp, out) < 0)
		hp_die("cannot rename %s to %s: %s", tmp, out, strerror(errno));
	f = fopen(stamp, "w");
	if (!f || fputs(stamp_text, f) < 0 || fclose(f) != 0)
		hp_die("cannot write %s", stamp);

	for (size_t i = 0; i < ndirs; i++)
		free(dpath[i]);
	free(dpath);
	free(g.buf);
	free(stamp);
	free(tmp);
	return 0;
}
