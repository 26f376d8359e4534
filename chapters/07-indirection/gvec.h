#ifndef HP_CH07_GVEC_H
#define HP_CH07_GVEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Generic vectors, the way C code bases write them once and use them for
 * every type: the element type is erased to void *, and what the container
 * needs to know about an element comes in as a function pointer. Two
 * flavours, after GLib's GPtrArray and GArray:
 *
 *   struct ptr_array  a vector of pointers. Each element is a value the
 *                     caller allocated on its own ("boxed"); the vector
 *                     holds its address.
 *   struct val_array  a vector of values of elem_size bytes each, stored
 *                     inline one after the other, as qsort() sees an array.
 *
 * This file is a library: it is compiled on its own (gvec.c), so when it
 * calls back into the caller's function, the compiler that builds it cannot
 * know which function that is, and cannot inline it. The same holds for
 * qsort() and its comparator.
 *
 * Both grow by doubling and abort on out-of-memory (hp_xmalloc). Neither
 * frees the values it points to unless asked to.
 */

/* -------------------------------------------------------------- ptr_array */

struct ptr_array {
	void **items;
	size_t len, cap;
};

/* An empty vector with room for reserve pointers (allocates when reserve > 0). */
void ptr_array_init(struct ptr_array *a, size_t reserve);

/* Append item (the vector stores the pointer, not what it points to). */
void ptr_array_push(struct ptr_array *a, void *item);

/* The sum of score(item) over the items, in order. */
int64_t ptr_array_sum(const struct ptr_array *a, int64_t (*score)(const void *item));

/*
 * Append to out every item of a for which keep(item, ctx) is true, in order.
 * out then borrows those pointers: they stay owned by whoever owns a's.
 */
void ptr_array_filter(const struct ptr_array *a, struct ptr_array *out,
                      bool (*keep)(const void *item, const void *ctx), const void *ctx);

/*
 * Empty the vector and keep its capacity; when free_item is not NULL, call
 * it on every item first (the vector owned them).
 */
void ptr_array_clear(struct ptr_array *a, void (*free_item)(void *item));

/* Clear the vector (see ptr_array_clear) and free its storage. */
void ptr_array_release(struct ptr_array *a, void (*free_item)(void *item));

/* -------------------------------------------------------------- val_array */

struct val_array {
	unsigned char *data;
	size_t len, cap;
	size_t elem_size;
};

/* An empty vector of elements of elem_size (> 0) bytes, with room for reserve of them. */
void val_array_init(struct val_array *a, size_t elem_size, size_t reserve);

/* Append a copy of the elem_size bytes at elem. */
void val_array_push(struct val_array *a, const void *elem);

/* The address of element i; valid until the next push or release. */
static inline void *val_array_at(const struct val_array *a, size_t i)
{
	return a->data + i * a->elem_size;
}

/* The sum of score(element) over the elements, in order. */
int64_t val_array_sum(const struct val_array *a, int64_t (*score)(const void *elem));

/* Append to out (of the same elem_size) a copy of every element for which keep(elem, ctx) is true. */
void val_array_filter(const struct val_array *a, struct val_array *out,
                      bool (*keep)(const void *elem, const void *ctx), const void *ctx);

/* Empty the vector and keep its capacity. */
void val_array_clear(struct val_array *a);

/* Free the vector's storage. Leaves a empty. */
void val_array_release(struct val_array *a);

#endif
