/*
 * Chapter 02, naive variant: growing memory one piece at a time.
 *
 * Two everyday jobs, picked with --mode:
 *
 *   growth   read a text export of orders (a header with the count, then one
 *            order per line) into an array of struct order;
 *   strings  render an array of orders as one JSON Lines string, the body
 *            of an HTTP response or a file written in one go.
 *
 * --size is the number of orders. The growth case is linear and much cheaper
 * per order than the strings case, so it reads --size times --scale orders
 * (--scale defaults to 1; lesson.mk sets it per size) to give the clock a
 * section long enough to measure.
 *
 * This is the code most of us write first. The array grows by exactly one
 * element per order, `a = realloc(a, (n + 1) * sizeof *a)`, and the string
 * grows by exactly one line per order, appended with strcat. Both are correct
 * and both look cheap line by line: every order costs one realloc, and every
 * strcat walks the whole string built so far to find its end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/prng.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

static int run_growth(const struct hp_opts *opt, size_t count)
{
	struct hp_rng rng;
	size_t text_len;

	hp_rng_init(&rng, opt->seed);
	char *text = orders_text_new(&rng, count, &text_len);

	struct hp_section s;
	hp_section_begin(&s);

	size_t announced;
	const char *p = orders_text_header(text, &announced);
	struct order *orders = NULL;
	size_t n = 0;
	struct order o;

	while ((p = order_parse(p, &o))) {
		orders = hp_xrealloc(orders, (n + 1) * sizeof *orders);
		orders[n++] = o;
	}

	hp_section_end(&s, n);
	hp_section_report(&s);

	if (n != announced)
		hp_die("the header announced %zu orders, the text holds %zu", announced, n);
	char hex[17];
	orders_digest(orders, n, hex);
	printf("digest %s orders %zu\n", hex, n);
	free(orders);
	free(text);
	return 0;
}

static int run_strings(const struct hp_opts *opt, size_t count)
{
	struct hp_rng rng;
	struct order *orders = hp_xmalloc_array(count, sizeof *orders);

	hp_rng_init(&rng, opt->seed);
	orders_generate(&rng, orders, count);

	struct hp_section s;
	hp_section_begin(&s);

	char *out = hp_xstrdup("");
	size_t len = 0;
	char line[ORDER_LINE_MAX + 1];

	for (size_t i = 0; i < count; i++) {
		size_t n = order_format(line, &orders[i]);
		out = hp_xrealloc(out, len + n + 1);
		strcat(out, line);
		len += n;
	}

	hp_section_end(&s, count);
	hp_section_report(&s);

	char hex[17];
	text_digest(out, len, hex);
	printf("digest %s bytes %zu\n", hex, len);
	free(out);
	free(orders);
	return 0;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;

	hp_opts_parse(&opt, argc, argv, "mode,scale");
	const char *mode = hp_opts_str(&opt, "mode", "growth");
	uint64_t scale = hp_opts_u64(&opt, "scale", 1);

	if (!strcmp(mode, "growth")) {
		if (scale && opt.size > SIZE_MAX / scale)
			hp_die("--size %llu times --scale %llu is too large", (unsigned long long)opt.size,
			       (unsigned long long)scale);
		return run_growth(&opt, (size_t)(opt.size * scale));
	}
	if (!strcmp(mode, "strings"))
		return run_strings(&opt, (size_t)opt.size);
	hp_die("unknown --mode '%s' (expected growth or strings)", mode);
}
