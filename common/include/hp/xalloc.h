#ifndef HP_XALLOC_H
#define HP_XALLOC_H

#include <stddef.h>

/*
 * The out-of-memory policy of programs (variants and tools): these never
 * return NULL. On failure they print "fatal: out of memory (N bytes)" to
 * stderr and abort. libhp's own APIs do not use them; they return -ENOMEM.
 * hp_xmalloc_array() also aborts when n * size overflows size_t.
 * Free the result with free().
 */
void *hp_xmalloc(size_t size);
void *hp_xcalloc(size_t n, size_t size);
void *hp_xrealloc(void *ptr, size_t size);
void *hp_xmalloc_array(size_t n, size_t size);
char *hp_xstrdup(const char *s);

/* Print "fatal: " and the formatted message to stderr, then exit(2). */
void hp_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2), cold));

#endif
