/*
 * The lesson spec reader. The format is deliberately the shell's key='value'
 * so the test scripts can source the same file; values never contain a
 * single quote (the lesson rules write them verbatim).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/file.h"
#include "hp/spec.h"

int hp_spec_load(struct hp_spec *s, const char *path)
{
	size_t cap = 0, lineno = 0, len;
	char *line, *next;
	int err;

	memset(s, 0, sizeof *s);
	err = hp_read_file(path, &s->text, &len);
	if (err)
		return err;

	for (line = s->text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		char *eq = strchr(line, '=');
		size_t vlen;
		if (!eq || eq[1] != '\'' || (vlen = strlen(eq + 2)) == 0 || eq[1 + vlen] != '\'') {
			fprintf(stderr, "%s:%zu: expected key='value'\n", path, lineno);
			err = -EINVAL;
			goto out_release;
		}
		*eq = '\0';
		eq[1 + vlen] = '\0';
		/* The shell's way of writing a quote inside quotes: '\'' stands for one '. */
		char *w = eq + 2;
		for (const char *r = eq + 2; *r; r++) {
			*w++ = *r;
			if (r[0] == '\'' && r[1] == '\\' && r[2] == '\'' && r[3] == '\'')
				r += 3;
		}
		*w = '\0';
		if (s->n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			const char **k = realloc(s->keys, ncap * sizeof *k);
			if (!k)
				goto out_nomem;
			s->keys = k;
			const char **v = realloc(s->values, ncap * sizeof *v);
			if (!v)
				goto out_nomem;
			s->values = v;
			cap = ncap;
		}
		s->keys[s->n] = line;
		s->values[s->n] = eq + 2;
		s->n++;
	}
	return 0;

out_nomem:
	err = -ENOMEM;
out_release:
	hp_spec_release(s);
	return err;
}

void hp_spec_release(struct hp_spec *s)
{
	free(s->text);
	free(s->keys);
	free(s->values);
	memset(s, 0, sizeof *s);
}

const char *hp_spec_get(const struct hp_spec *s, const char *key, const char *def)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->keys[i], key))
			return s->values[i];
	return def;
}

const char *hp_spec_get2(const struct hp_spec *s, const char *prefix, const char *name, const char *def)
{
	size_t lp = strlen(prefix);

	for (size_t i = 0; i < s->n; i++)
		if (!strncmp(s->keys[i], prefix, lp) && !strcmp(s->keys[i] + lp, name))
			return s->values[i];
	return def;
}
