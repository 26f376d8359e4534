#ifndef HP_JSON_H
#define HP_JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * A small JSON reader for the harness (results files, report lines). It
 * parses a whole document into a flat array of tokens in document order: a
 * container is followed by its children (an object by key, value, key,
 * value...), and tok[i].end is the index just past i's subtree, so siblings
 * are walked with i = tok[i].end. Strings are views into the caller's
 * buffer, still escaped; hp_json_str() unescapes into a caller buffer. The
 * buffer must outlive the tokens. Nesting deeper than 64 is rejected.
 */
enum hp_json_type {
	HP_JSON_NULL,
	HP_JSON_FALSE,
	HP_JSON_TRUE,
	HP_JSON_NUMBER,
	HP_JSON_STRING,
	HP_JSON_ARRAY,
	HP_JSON_OBJECT,
};

struct hp_json_tok {
	enum hp_json_type type;
	const char *s; /* strings: the bytes between the quotes; others: the token text */
	size_t len;
	double num;  /* numbers */
	size_t size; /* arrays: elements; objects: key/value pairs */
	size_t end;  /* index just past this token's subtree */
};

struct hp_json {
	struct hp_json_tok *tok;
	size_t n, cap;
};

#define HP_JSON_NONE ((size_t)-1)

/*
 * Parse buf[0..len). Returns 0; -EINVAL on a syntax error, with *err_off set
 * to the byte offset (err_off may be NULL); -ENOMEM. Trailing whitespace is
 * allowed, anything else after the value is an error. Release with
 * hp_json_release() whatever the result.
 */
int hp_json_parse(struct hp_json *j, const char *buf, size_t len, size_t *err_off);
void hp_json_release(struct hp_json *j);

/* The value of key in object obj, or HP_JSON_NONE. */
size_t hp_json_get(const struct hp_json *j, size_t obj, const char *key);

/* A number (or def when i is HP_JSON_NONE or not a number). */
double hp_json_num(const struct hp_json *j, size_t i, double def);

/*
 * Unescape string i into out[cap] (always NUL-terminated when cap > 0).
 * Returns the unescaped length, or -EINVAL when i is not a string, or
 * -ENOSPC when it was truncated. \u escapes become UTF-8.
 */
int hp_json_str(const struct hp_json *j, size_t i, char *out, size_t cap);

/* Compare string i with s after unescaping; 1 when equal. */
int hp_json_str_eq(const struct hp_json *j, size_t i, const char *s);

/* Write s as a JSON string literal (quotes and escapes) to f. */
void hp_json_write_str(FILE *f, const char *s);

#endif
