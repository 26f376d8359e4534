/*
 * The common command line of every variant. Options come in "--name value"
 * pairs only, which keeps the parser tiny and the lesson.mk argument strings
 * readable. Unknown names are errors: a typo in a lesson's arguments must
 * stop the run, not measure the default workload.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"

static void usage(const char *prog, const char *extra, const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s '%s'\n", prog, what, arg);
	fprintf(stderr, "usage: %s [--size N] [--seed S] [--threads T] [--duration SECONDS]", prog);
	if (extra && *extra) {
		const char *p = extra;
		while (*p) {
			size_t n = strcspn(p, ",");
			fprintf(stderr, " [--%.*s VALUE]", (int)n, p);
			p += n + (p[n] == ',');
		}
	}
	fputc('\n', stderr);
	exit(2);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Is name (length n) in the comma-separated list? */
static int listed(const char *list, const char *name, size_t n)
{
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		if (len == n && !memcmp(p, name, n))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

void hp_opts_parse(struct hp_opts *o, int argc, char **argv, const char *extra)
{
	const char *prog = argc > 0 ? argv[0] : "variant";

	o->size = 1000;
	o->seed = 1;
	o->threads = 1;
	o->duration = 0;
	o->argc = argc;
	o->argv = argv;

	for (int i = 1; i < argc; i += 2) {
		const char *name = argv[i];
		if (strncmp(name, "--", 2))
			usage(prog, extra, "expected an option, got", name);
		if (i + 1 >= argc)
			usage(prog, extra, "missing value for", name);
		const char *val = argv[i + 1];
		name += 2;

		uint64_t v;
		if (!strcmp(name, "size")) {
			if (parse_u64(val, &o->size))
				usage(prog, extra, "--size needs a non-negative integer, got", val);
		} else if (!strcmp(name, "seed")) {
			if (parse_u64(val, &o->seed))
				usage(prog, extra, "--seed needs a non-negative integer, got", val);
		} else if (!strcmp(name, "threads")) {
			if (parse_u64(val, &v) || v == 0 || v > 4096)
				usage(prog, extra, "--threads needs an integer in 1..4096, got", val);
			o->threads = (unsigned)v;
		} else if (!strcmp(name, "duration")) {
			char *end;
			o->duration = strtod(val, &end);
			if (*end || !(o->duration >= 0))
				usage(prog, extra, "--duration needs seconds >= 0, got", val);
		} else if (!listed(extra, name, strlen(name))) {
			usage(prog, extra, "unknown option", argv[i]);
		}
	}
}

const char *hp_opts_str(const struct hp_opts *o, const char *name, const char *def)
{
	const char *found = def;

	/* The last occurrence wins, as with most command lines. */
	for (int i = 1; i + 1 < o->argc; i += 2)
		if (!strncmp(o->argv[i], "--", 2) && !strcmp(o->argv[i] + 2, name))
			found = o->argv[i + 1];
	return found;
}

uint64_t hp_opts_u64(const struct hp_opts *o, const char *name, uint64_t def)
{
	const char *s = hp_opts_str(o, name, NULL);
	uint64_t v;

	if (!s)
		return def;
	if (parse_u64(s, &v)) {
		fprintf(stderr, "%s: --%s needs a non-negative integer, got '%s'\n",
		        o->argc > 0 ? o->argv[0] : "variant", name, s);
		exit(2);
	}
	return v;
}
