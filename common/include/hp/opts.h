#ifndef HP_OPTS_H
#define HP_OPTS_H

#include <stdint.h>

/*
 * The options every variant understands (the variant protocol of
 * docs/ARCHITECTURE.md):
 *
 *   --size N  --seed S  --threads T  --duration SECONDS
 *
 * plus the lesson's own options, each "--name value", whose names the
 * program declares. Anything else is an error: a misspelled option in a
 * lesson.mk must not silently run the default workload.
 */
struct hp_opts {
	uint64_t size;    /* default 1000 */
	uint64_t seed;    /* default 1 */
	unsigned threads; /* default 1 */
	double duration;  /* seconds; default 0 = not used */
	int argc;         /* the arguments, kept for hp_opts_str() */
	char **argv;
};

/*
 * Parse argv. extra is a comma-separated list of the lesson's own option
 * names without dashes ("mode,payload"), or NULL. On a bad or unknown option
 * prints a usage message naming it and exits with status 2. Never allocates.
 */
void hp_opts_parse(struct hp_opts *o, int argc, char **argv, const char *extra);

/* The value of a lesson option ("mode"), or def when it was not given. */
const char *hp_opts_str(const struct hp_opts *o, const char *name, const char *def);

/* The same, parsed as an unsigned integer; exits with status 2 when it is not one. */
uint64_t hp_opts_u64(const struct hp_opts *o, const char *name, uint64_t def);

#endif
