/*
 * Chapter 08: the comparator trap, shown on real values. This is not one of
 * the lesson's variants: profile-extra.sh builds it with
 * -fsanitize=undefined, runs it, and writes what it prints (the sanitizer's
 * messages included) to the excerpt that the README quotes.
 *
 * qsort needs a comparator that returns a negative number, zero or a
 * positive number, and that describes a total order: if x < y and y < z,
 * then x < z. The shortcut `return x - y` meets that only while the
 * difference fits in an int. For uint32_t it does not: the subtraction
 * wraps modulo 2^32 and the conversion to int turns every difference of
 * 2^31 or more into the wrong sign. For int the subtraction itself
 * overflows, which is undefined behaviour.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The shortcut: the difference converted to int. */
static int compare_sub_u32(const void *a, const void *b)
{
	return *(const uint32_t *)a - *(const uint32_t *)b;
}

/* The safe way, as in naive.c. */
static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int compare_sub_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static const char *sign(int r)
{
	return r < 0 ? "<" : r > 0 ? ">" : "=";
}

static void print_u32s(const char *label, const uint32_t *v, size_t n)
{
	printf("  %-20s", label);
	for (size_t i = 0; i < n; i++)
		printf(" %u", v[i]);
	printf("\n");
}

int main(void)
{
	/*
	 * A batch of latencies in microseconds. 4294966296 is -1000 wrapped:
	 * an end time taken from a wall clock that stepped back by a
	 * millisecond, minus the start time.
	 */
	static const uint32_t batch[] = {900, 250, 4294966296u, 1200, 300, 31000};
	enum { N = sizeof batch / sizeof *batch };
	uint32_t a[N], b[N];

	printf("uint32_t: what each comparator says about pairs of latencies\n");
	printf("  %-12s %-12s %14s %9s %9s\n", "x", "y", "x - y as int", "x - y", "safe");
	static const uint32_t pairs[][2] = {
	    {300, 1200}, {4294966296u, 250}, {1, 1500000000}, {1500000000, 3000000000u}, {1, 3000000000u},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		int r = compare_sub_u32(&pairs[i][0], &pairs[i][1]);

		printf("  %-12u %-12u %14d %9s %9s\n", pairs[i][0], pairs[i][1], r, sign(r),
		       sign(compare_u32(&pairs[i][0], &pairs[i][1])));
	}
	printf("  (the last three rows: 1 < 1500000000 < 3000000000 < 1)\n\n");

	for (size_t i = 0; i < N; i++)
		a[i] = b[i] = batch[i];
	qsort(a, N, sizeof *a, compare_sub_u32);
	qsort(b, N, sizeof *b, compare_u32);
	printf("uint32_t: one batch sorted with each\n");
	print_u32s("x - y:", a, N);
	print_u32s("(x > y) - (x < y):", b, N);
	printf("\n");

	/* The same shortcut on int: here the subtraction itself overflows. */
	int v[] = {7, INT_MIN, -3, 1};
	enum { NV = sizeof v / sizeof *v };

	printf("int: {7, INT_MIN, -3, 1} sorted with x - y\n");
	fflush(stdout);
	qsort(v, NV, sizeof *v, compare_sub_int);
	printf("  x - y:");
	for (size_t i = 0; i < NV; i++)
		printf(" %d", v[i]);
	printf("\n");
	return 0;
}
