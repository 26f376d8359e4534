#ifndef HP_MACHINE_H
#define HP_MACHINE_H

#include <stdio.h>

/*
 * What a result must say about where it was measured: CPU model, cores,
 * memory, kernel, whether it is a virtual machine, compiler and flags,
 * commit and dirty flag, date. Filled from /proc, uname(2), `git` and the
 * compiler named in the flags.
 */
struct hp_machine {
	char cpu[128];
	int cores;
	double mem_gib;
	char kernel[200];
	int virtualized;
	int perf_counters; /* 1 when hardware counters can be opened */
	char compiler[160];
	char cflags[512];
	char commit[48];
	int dirty;
	char date[32]; /* UTC, ISO 8601 */
};

/* cflags: the compile command the variants were built with (its first word names the compiler). */
void hp_machine_collect(struct hp_machine *m, const char *cflags);

/* Write m as a JSON object to f (no trailing newline). */
void hp_machine_write_json(const struct hp_machine *m, FILE *f);

#endif
