/*
 * Chapter 02, optimized variant: ask for the memory once, or at least
 * geometrically.
 *
 * The same two jobs as naive.c (--mode growth: read a text export of orders
 * into an array; --mode strings: render orders as one JSON Lines string),
 * with the same output. What changed is how the memory grows.
 *
 * growth: the array is a small vector (items, len, cap). When the input says
 * how many orders follow, as this export's header does, the reader reserves
 * that many before the loop and the loop never allocates. When it does not
 * know, push doubles the capacity whenever it runs out, so n pushes cost
 * about log2(n) reallocs, and even if each of them moved the block the
 * copying would add up to fewer than 2n elements: amortized O(1) per push
 * instead of a realloc per push. The header is input, not a promise: the
 * reservation is capped by what the text can hold, and a wrong header costs
 * a regrowth or some unused capacity before the count check reports it.
 *
 * strings: the string is a builder (buf, len, cap) that remembers its length,
 * so an append is a memcpy at buf + len instead of a strcat that first walks
 * the whole string to find its end. It is pre-sized from an estimate: no
 * JSON line is longer than ORDER_LINE_MAX bytes, so count * ORDER_LINE_MAX
 * always suffices, at the price of reserving a little more than the typical
 * line needs. With a looser estimate the builder doubles when it runs out,
 * as the vector does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/prng.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/* A growable array of orders; zero-initialize it, free it with order_vec_release(). */
struct order_vec {
	struct order *items;
	size_t len, cap;
};

/* Make room for at least want orders in total; allocates only when cap < want. */
static void order_vec_reserve(struct order_vec *v, size_t want)
{
	if (want <= v->cap)
		return;
	if (want > SIZE_MAX / sizeof *v->items)
		hp_die("order_vec_reserve: %zu orders do not fit in memory", want);
	v->items = hp_xrealloc(v->items, want * sizeof *v->items);
	v->cap = want;
}

static void order_vec_push(struct order_vec *v, const struct order *o)
{
	/*
	 * Doubling keeps the number of reallocs logarithmic in the number of
	 * pushes. The first capacity of 16 and the factor 2 are the usual
	 * choices, not tuned: with the header's reservation this workload never
	 * gets here.
	 */
	if (v->len == v->cap)
		order_vec_reserve(v, v->cap ? 2 * v->cap : 16);
	v->items[v->len++] = *o;
}

static void order_vec_release(struct order_vec *v)
{
	free(v->items);
	*v = (struct order_vec){0};
}

/* A string that knows its length and capacity (git's strbuf, Redis's sds). */
struct strbuf {
	char *buf; /* always NUL-terminated */
	size_t len, cap;
};

/* Start an empty string with room for hint bytes before it must grow. */
static void strbuf_init(struct strbuf *sb, size_t hint)
{
	if (hint == SIZE_MAX)
		hp_die("strbuf_init: %zu bytes do not fit in memory", hint);
	sb->buf = hp_xmalloc(hint + 1);
	sb->buf[0] = '\0';
	sb->len = 0;
	sb->cap = hint;
}

static void strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
	if (n > sb->cap - sb->len) {
		/* Out of room: at least double, so a short estimate costs few reallocs. */
		size_t cap = sb->cap > n ? 2 * sb->cap : sb->cap + n;
		if (cap < sb->cap || cap == SIZE_MAX)
			hp_die("strbuf_add: the string outgrew memory");
		sb->buf = hp_xrealloc(sb->buf, cap + 1);
		sb->cap = cap;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

static void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	*sb = (struct strbuf){0};
}

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
	struct order_vec orders = {0};
	size_t room = (size_t)(text + text_len - p) / ORDER_TEXT_MIN;
	struct order o;

	order_vec_reserve(&orders, announced < room ? announced : room);
	while ((p = order_parse(p, &o)))
		order_vec_push(&orders, &o);

	hp_section_end(&s, orders.len);
	hp_section_report(&s);

	if (orders.len != announced)
		hp_die("the header announced %zu orders, the text holds %zu", announced, orders.len);
	char hex[17];
	orders_digest(orders.items, orders.len, hex);
	printf("digest %s orders %zu\n", hex, orders.len);
	order_vec_release(&orders);
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

	struct strbuf out;
	char line[ORDER_LINE_MAX + 1];

	if (count > (SIZE_MAX - 1) / ORDER_LINE_MAX)
		hp_die("%zu orders do not fit in one string", count);
	strbuf_init(&out, count * ORDER_LINE_MAX);
	for (size_t i = 0; i < count; i++) {
		size_t n = order_format(line, &orders[i]);
		strbuf_add(&out, line, n);
	}

	hp_section_end(&s, count);
	hp_section_report(&s);

	char hex[17];
	text_digest(out.buf, out.len, hex);
	printf("digest %s bytes %zu\n", hex, out.len);
	strbuf_release(&out);
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
