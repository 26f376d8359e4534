#ifndef HP_SPEC_H
#define HP_SPEC_H

#include <stddef.h>

/*
 * A lesson's spec as make writes it to build/<lesson>/lesson.spec: one
 * key='value' line per field (see common/mk/lesson-rules.mk). make is the only
 * parser of lesson.mk; the tools read this file instead.
 */
struct hp_spec {
	char *text; /* the file, owned; keys and values point into it */
	size_t n;
	const char **keys;
	const char **values;
};

/* Load and parse path. Returns 0, -errno, or -EINVAL (a message names the line). Release with
 * hp_spec_release(). */
int hp_spec_load(struct hp_spec *s, const char *path);
void hp_spec_release(struct hp_spec *s);

/* The value of key, or def when the key is absent. The view lives as long as s. */
const char *hp_spec_get(const struct hp_spec *s, const char *key, const char *def);

/* The value of prefix + name (hp_spec_get2(s, "bin_", "naive")). */
const char *hp_spec_get2(const struct hp_spec *s, const char *prefix, const char *name, const char *def);

#endif
