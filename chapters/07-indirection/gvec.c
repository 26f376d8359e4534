/*
 * Generic vectors (see gvec.h): written once for every element type, which
 * is their appeal, and compiled once, which is their cost. Every loop here
 * calls the caller's function through a pointer for each element, and
 * ptr_array's loops load each element's address before they can reach the
 * element. The code is what such a library looks like when written well:
 * nothing here is slow on its own.
 */
#include <stdlib.h>
#include <string.h>

#include "hp/xalloc.h"

#include "gvec.h"

/* The capacity of a vector that grows from zero. */
#define FIRST_CAP 16

/* -------------------------------------------------------------- ptr_array */

void ptr_array_init(struct ptr_array *a, size_t reserve)
{
	a->items = reserve ? hp_xmalloc_array(reserve, sizeof *a->items) : NULL;
	a->len = 0;
	a->cap = reserve;
}

void ptr_array_push(struct ptr_array *a, void *item)
{
	if (a->len == a->cap) {
		if (a->cap > SIZE_MAX / 2 / sizeof *a->items)
			hp_die("ptr_array_push: %zu items are too many", a->len);

		size_t cap = a->cap ? 2 * a->cap : FIRST_CAP;

		a->items = hp_xrealloc(a->items, cap * sizeof *a->items);
		a->cap = cap;
	}
	a->items[a->len++] = item;
}

int64_t ptr_array_sum(const struct ptr_array *a, int64_t (*score)(const void *item))
{
	int64_t sum = 0;

	for (size_t i = 0; i < a->len; i++)
		sum += score(a->items[i]);
	return sum;
}

void ptr_array_filter(const struct ptr_array *a, struct ptr_array *out,
                      bool (*keep)(const void *item, const void *ctx), const void *ctx)
{
	for (size_t i = 0; i < a->len; i++)
		if (keep(a->items[i], ctx))
			ptr_array_push(out, a->items[i]);
}

void ptr_array_clear(struct ptr_array *a, void (*free_item)(void *item))
{
	if (free_item)
		for (size_t i = 0; i < a->len; i++)
			free_item(a->items[i]);
	a->len = 0;
}

void ptr_array_release(struct ptr_array *a, void (*free_item)(void *item))
{
	ptr_array_clear(a, free_item);
	free(a->items);
	a->items = NULL;
	a->len = a->cap = 0;
}

/* -------------------------------------------------------------- val_array */

void val_array_init(struct val_array *a, size_t elem_size, size_t reserve)
{
	a->data = reserve ? hp_xmalloc_array(reserve, elem_size) : NULL;
	a->len = 0;
	a->cap = reserve;
	a->elem_size = elem_size;
}

void val_array_push(struct val_array *a, const void *elem)
{
	if (a->len == a->cap) {
		if (a->cap > SIZE_MAX / 2 / a->elem_size)
			hp_die("val_array_push: %zu elements are too many", a->len);

		size_t cap = a->cap ? 2 * a->cap : FIRST_CAP;

		a->data = hp_xrealloc(a->data, cap * a->elem_size);
		a->cap = cap;
	}
	/* The size is only known at run time, so this is a call to memcpy. */
	memcpy(a->data + a->len++ * a->elem_size, elem, a->elem_size);
}

int64_t val_array_sum(const struct val_array *a, int64_t (*score)(const void *elem))
{
	int64_t sum = 0;

	for (size_t i = 0; i < a->len; i++)
		sum += score(val_array_at(a, i));
	return sum;
}

void val_array_filter(const struct val_array *a, struct val_array *out,
                      bool (*keep)(const void *elem, const void *ctx), const void *ctx)
{
	for (size_t i = 0; i < a->len; i++)
		if (keep(val_array_at(a, i), ctx))
			val_array_push(out, val_array_at(a, i));
}

void val_array_clear(struct val_array *a)
{
	a->len = 0;
}

void val_array_release(struct val_array *a)
{
	free(a->data);
	a->data = NULL;
	a->len = a->cap = 0;
}
