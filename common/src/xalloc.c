/*
 * The out-of-memory policy of programs: abort with a message. A variant that
 * runs out of memory has no sensible way to go on, and checking for NULL
 * after every allocation would only add untested branches to code that
 * students read.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/xalloc.h"

static void oom(size_t size)
{
	fprintf(stderr, "fatal: out of memory (%zu bytes)\n", size);
	abort();
}

void *hp_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *hp_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *hp_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *hp_xmalloc_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		hp_die("allocation of %zu elements of %zu bytes overflows", n, size);
	return hp_xmalloc(n * size);
}

char *hp_xstrdup(const char *s)
{
	size_t len = strlen(s) + 1;

	return memcpy(hp_xmalloc(len), s, len);
}

void hp_die(const char *fmt, ...)
{
	va_list ap;

	fputs("fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}
