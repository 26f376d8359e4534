#ifndef HP_CH02_WORKLOAD_H
#define HP_CH02_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hp/prng.h"

/*
 * The workload of chapter 02, shared by both variants so that they do the
 * same work and `diff naive.c optimized.c` shows only how memory is grown.
 *
 * The data is a list of shop orders. The growth case reads them from a text
 * export: a header line with the number of orders, then one order per line,
 *
 *     3
 *     1 4711 1999
 *     2 815 -250
 *     5 4711 120000
 *
 * (id, customer, total in cents; a negative total is a refund). The strings
 * case renders orders as one JSON object per line (JSON Lines):
 *
 *     {"id":2,"customer":815,"total":-2.50}
 */
struct order {
	uint32_t id;
	uint32_t customer;
	int64_t cents;
};

/*
 * The longest JSON line order_format() can write, newline included: the
 * 29 bytes of fixed text, a 10-digit id, a 5-digit customer and a total of
 * at most "-9999.99". A buffer of ORDER_LINE_MAX + 1 bytes holds any line
 * and its NUL.
 */
#define ORDER_LINE_MAX (29 + 10 + 5 + 8)

/*
 * The shortest line of the text export ("1 0 0\n"). An honest header never
 * announces more orders than len / ORDER_TEXT_MIN, which bounds how much a
 * reader may reserve on the header's word.
 */
#define ORDER_TEXT_MIN 6

/* Fill o[0..n) with orders drawn from r: ids increasing with small gaps. Never allocates. */
void orders_generate(struct hp_rng *r, struct order *o, size_t n);

/*
 * The text export of n orders drawn from r, NUL-terminated, its length
 * without the NUL in *len. Free it with free().
 */
char *orders_text_new(struct hp_rng *r, size_t n, size_t *len);

/*
 * Read the header of a text export: the announced count goes to *count,
 * and the return value points at the first order line. Dies with a message
 * on a malformed header. Never allocates.
 */
const char *orders_text_header(const char *text, size_t *count);

/*
 * Parse the order line at p into *o. Returns a pointer just past the line,
 * or NULL at the end of the text (p at the NUL). Dies with a message naming
 * the line on malformed input. Never allocates.
 */
const char *order_parse(const char *p, struct order *o);

/*
 * Write the JSON line of *o, newline included, plus a NUL into
 * line[ORDER_LINE_MAX + 1]. Returns the length without the NUL. Dies with a
 * message when the customer exceeds 5 digits or the total 9999.99 (no
 * generated order does). Never allocates.
 */
size_t order_format(char line[ORDER_LINE_MAX + 1], const struct order *o);

/* The digest of n orders, or of len bytes of text, as 16 hex digits into hex[17]. */
void orders_digest(const struct order *o, size_t n, char hex[17]);
void text_digest(const char *text, size_t len, char hex[17]);

#endif
