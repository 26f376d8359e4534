/*
 * Fuzz target of the ETL case study's CSV readers (case-studies/etl/csv.h):
 * the stdio reader (csv_slow.c) and the zero-copy one (csv_fast.c) must
 * agree on every input, record by record: line, field count, error, raw
 * text, and the fields of every record without an error. Both are compiled
 * into this one file under different names. The input sits at the end of
 * its buffer so that reading past it is caught by ASan.
 *
 * fuzz sources: common/src/xalloc.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define csv_open         slow_csv_open
#define csv_open_mem     slow_csv_open_mem
#define csv_next         slow_csv_next
#define csv_close        slow_csv_close
#define csv_field_stable slow_csv_field_stable
#define csv              slow_csv
#define str_push         slow_str_push
#define csv_from_file    slow_csv_from_file
#include "../../case-studies/etl/csv_slow.c"
#undef csv_open
#undef csv_open_mem
#undef csv_next
#undef csv_close
#undef csv_field_stable
#undef csv
#include "../../case-studies/etl/csv_fast.c"

static void same(int cond, const char *what, size_t rec)
{
	if (!cond) {
		fprintf(stderr, "csv_slow and csv_fast differ on record %zu: %s\n", rec, what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	struct slow_csv *s = slow_csv_open_mem(buf, size);
	struct csv *f = csv_open_mem(buf, size);
	struct csv_record a, b;

	for (size_t i = 0;; i++) {
		int ra = slow_csv_next(s, &a), rb = csv_next(f, &b);
		same(ra == rb, "return value", i);
		if (ra <= 0)
			break;
		same(a.line == b.line, "line", i);
		same(a.nfields == b.nfields, "field count", i);
		same((a.err == NULL) == (b.err == NULL) && (!a.err || !strcmp(a.err, b.err)), "error", i);
		same(a.raw.len == b.raw.len && !memcmp(a.raw.p, b.raw.p, a.raw.len), "raw text", i);
		if (a.err)
			continue;
		for (size_t k = 0; k < a.nfields && k < CSV_MAX_FIELDS; k++)
			same(a.f[k].len == b.f[k].len && !memcmp(a.f[k].p, b.f[k].p, a.f[k].len), "field", i);
	}
	slow_csv_close(s);
	csv_close(f);
	free(buf);
	return 0;
}
