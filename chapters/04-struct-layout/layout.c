/*
 * Chapter 04's layout table: for the structs of one variant, the size and
 * alignment, the offset and size of every field, the padding the compiler
 * put between them, and how the struct falls into 64-byte cache lines in a
 * line-aligned array, as the variant allocates them. The same facts that
 * pahole reads from debug information, printed by the compiler's own
 * sizeof, alignof and offsetof.
 *
 * profile-extra.sh builds it once per variant, with -DLAYOUT_NAIVE or
 * -DLAYOUT_OPTIMIZED, and writes its output to the profile directory,
 * where the README quotes it. It includes the variant's source file, so the
 * table always describes the structs that were measured; only the lists of
 * field names are here.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* The variant's main() is renamed and never called; this file has its own. */
#define main variant_main
#if defined(LAYOUT_NAIVE)
#include "naive.c"
#define VARIANT "naive.c"
#elif defined(LAYOUT_OPTIMIZED)
#include "optimized.c"
#define VARIANT "optimized.c"
#else
#error "build with -DLAYOUT_NAIVE or -DLAYOUT_OPTIMIZED"
#endif
#undef main

#define LINE 64

struct field {
	const char *name;
	size_t offset, size;
};

#define FIELD(type, member) ((struct field){#member, offsetof(type, member), sizeof(((type *)0)->member)})
#define COUNT(a)            (sizeof(a) / sizeof *(a))

static int by_offset(const void *a, const void *b)
{
	const struct field *x = a, *y = b;

	return (x->offset > y->offset) - (x->offset < y->offset);
}

static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * How elements of size bytes fall into the lines of a line-aligned array:
 * for elements smaller than a line, how many share a line, and over one
 * period of the pattern how many straddle two lines.
 */
static void print_lines(size_t size)
{
	size_t period = LINE / gcd(size, LINE); /* elements until the pattern repeats */
	size_t straddle = 0;

	if (size % LINE == 0) {
		printf("  in a line-aligned array: each element is %zu whole cache line%s\n", size / LINE,
		       size == LINE ? "" : "s");
		return;
	}
	if (size > LINE) {
		printf("  in a line-aligned array: %.2f cache lines per element\n", (double)size / LINE);
		return;
	}
	for (size_t i = 0; i < period; i++) {
		size_t start = (i * size) % LINE;

		if ((start + size - 1) / LINE > 0)
			straddle++;
	}
	printf("  in a line-aligned array: %.2f elements per 64-byte line; %zu of every %zu straddle two "
	       "lines\n",
	       (double)LINE / (double)size, straddle, period);
}

/*
 * The line column says which line(s) of the element a field occupies; it is
 * shown when elements are whole lines, so that every element starts one.
 */
static void print_struct(const char *name, size_t size, size_t align, struct field *f, size_t n)
{
	size_t at = 0, padding = 0;
	int lines = size % LINE == 0;

	qsort(f, n, sizeof *f, by_offset);
	printf("struct %s: sizeof %zu, alignof %zu\n", name, size, align);
	printf("  %6s %5s %5s  %s\n", "offset", "size", lines ? "line" : "", "field");
	for (size_t i = 0; i <= n; i++) {
		size_t next = i < n ? f[i].offset : size;
		char line[48] = "";

		if (next > at) {
			printf("  %6zu %5zu %5s  (padding)\n", at, next - at, "");
			padding += next - at;
		}
		if (i == n)
			break;
		if (lines && f[i].offset / LINE == (f[i].offset + f[i].size - 1) / LINE)
			snprintf(line, sizeof line, "%zu", f[i].offset / LINE);
		else if (lines)
			snprintf(line, sizeof line, "%zu-%zu", f[i].offset / LINE,
			         (f[i].offset + f[i].size - 1) / LINE);
		printf("  %6zu %5zu %5s  %s\n", f[i].offset, f[i].size, line, f[i].name);
		at = f[i].offset + f[i].size;
	}
	printf("  %zu of %zu bytes are padding\n", padding, size);
	print_lines(size);
	printf("\n");
}

#define PRINT_STRUCT(type, fields)                                                                           \
	print_struct(#type, sizeof(struct type), alignof(struct type), fields, COUNT(fields))

int main(void)
{
	struct field sample[] = {
	    FIELD(struct sample, kind),   FIELD(struct sample, value), FIELD(struct sample, channel),
	    FIELD(struct sample, sensor), FIELD(struct sample, flags), FIELD(struct sample, time),
	};

	printf("== %s ==\n\n", VARIANT);
	PRINT_STRUCT(sample, sample);
#if defined(LAYOUT_NAIVE)
	struct field order[] = {
	    FIELD(struct order, id),        FIELD(struct order, customer), FIELD(struct order, created),
	    FIELD(struct order, amount),    FIELD(struct order, sku),      FIELD(struct order, quantity),
	    FIELD(struct order, warehouse), FIELD(struct order, status),   FIELD(struct order, coupon),
	};
	struct field client[] = {
	    FIELD(struct client, key),     FIELD(struct client, name), FIELD(struct client, email),
	    FIELD(struct client, created), FIELD(struct client, plan), FIELD(struct client, region),
	    FIELD(struct client, quota),   FIELD(struct client, hits),
	};

	PRINT_STRUCT(order, order);
	PRINT_STRUCT(client, client);
#else
	struct order_columns *c = NULL;
	struct field hot[] = {
	    FIELD(struct client_hot, key),
	    FIELD(struct client_hot, quota),
	    FIELD(struct client_hot, hits),
	};
	struct field cold[] = {
	    FIELD(struct client_cold, name),    FIELD(struct client_cold, email),
	    FIELD(struct client_cold, created), FIELD(struct client_cold, plan),
	    FIELD(struct client_cold, region),
	};

	/* sizeof does not evaluate its operand: c is never dereferenced. */
	printf("struct order_columns: one array per field of struct order\n");
	printf("  the report reads amount[]: %zu bytes per order\n", sizeof *c->amount);
	print_lines(sizeof *c->amount);
	printf("\n");
	PRINT_STRUCT(client_hot, hot);
	PRINT_STRUCT(client_cold, cold);
#endif
	return 0;
}
