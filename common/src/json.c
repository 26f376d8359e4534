/*
 * A recursive-descent JSON parser into a flat token array (hp/json.h). The
 * harness reads files it wrote itself, but also report lines written by
 * lessons and by students' programs, so every error is reported with its
 * offset and nothing is assumed about the input: it is fuzzed.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hp/json.h"

#define MAX_DEPTH 64

struct parser {
	const char *buf;
	size_t len, pos;
	struct hp_json *j;
};

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && (p->buf[p->pos] == ' ' || p->buf[p->pos] == '\t' ||
	                           p->buf[p->pos] == '\n' || p->buf[p->pos] == '\r'))
		p->pos++;
}

static long push(struct parser *p, enum hp_json_type type)
{
	struct hp_json *j = p->j;

	if (j->n == j->cap) {
		size_t ncap = j->cap ? 2 * j->cap : 64;
		struct hp_json_tok *t = realloc(j->tok, ncap * sizeof *t);
		if (!t)
			return -ENOMEM;
		j->tok = t;
		j->cap = ncap;
	}
	memset(&j->tok[j->n], 0, sizeof j->tok[0]);
	j->tok[j->n].type = type;
	j->tok[j->n].s = p->buf + p->pos;
	return (long)j->n++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_string(struct parser *p)
{
	long t = push(p, HP_JSON_STRING);

	if (t < 0)
		return (int)t;
	p->pos++; /* the opening quote */
	size_t start = p->pos;
	while (p->pos < p->len) {
		unsigned char c = (unsigned char)p->buf[p->pos];
		if (c == '"') {
			p->j->tok[t].s = p->buf + start;
			p->j->tok[t].len = p->pos - start;
			p->j->tok[t].end = p->j->n;
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return -EINVAL;
		if (c == '\\') {
			if (++p->pos >= p->len)
				return -EINVAL;
			c = (unsigned char)p->buf[p->pos];
			if (c == 'u') {
				if (p->pos + 4 >= p->len)
					return -EINVAL;
				for (int k = 1; k <= 4; k++)
					if (hexval(p->buf[p->pos + k]) < 0)
						return -EINVAL;
				p->pos += 4;
			} else if (!strchr("\"\\/bfnrt", c)) {
				return -EINVAL;
			}
		}
		p->pos++;
	}
	return -EINVAL;
}

static int parse_number(struct parser *p)
{
	size_t start = p->pos;
	long t;

	/* The JSON grammar, checked by hand: strtod alone would accept "0x1p3", "inf" and " 1". */
	if (p->pos < p->len && p->buf[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || p->buf[p->pos] < '0' || p->buf[p->pos] > '9')
		return -EINVAL;
	if (p->buf[p->pos] == '0')
		p->pos++;
	else
		while (p->pos < p->len && p->buf[p->pos] >= '0' && p->buf[p->pos] <= '9')
			p->pos++;
	if (p->pos < p->len && p->buf[p->pos] == '.') {
		p->pos++;
		if (p->pos >= p->len || p->buf[p->pos] < '0' || p->buf[p->pos] > '9')
			return -EINVAL;
		while (p->pos < p->len && p->buf[p->pos] >= '0' && p->buf[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos < p->len && (p->buf[p->pos] == 'e' || p->buf[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->buf[p->pos] == '+' || p->buf[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || p->buf[p->pos] < '0' || p->buf[p->pos] > '9')
			return -EINVAL;
		while (p->pos < p->len && p->buf[p->pos] >= '0' && p->buf[p->pos] <= '9')
			p->pos++;
	}

	char tmp[64];
	size_t n = p->pos - start;
	if (n >= sizeof tmp)
		return -EINVAL;
	memcpy(tmp, p->buf + start, n);
	tmp[n] = '\0';
	size_t save = p->pos;
	p->pos = start;
	t = push(p, HP_JSON_NUMBER);
	p->pos = save;
	if (t < 0)
		return (int)t;
	p->j->tok[t].len = n;
	p->j->tok[t].num = strtod(tmp, NULL);
	p->j->tok[t].end = p->j->n;
	return 0;
}

static int parse_literal(struct parser *p, const char *word, enum hp_json_type type)
{
	size_t n = strlen(word);
	long t;

	if (p->len - p->pos < n || memcmp(p->buf + p->pos, word, n))
		return -EINVAL;
	t = push(p, type);
	if (t < 0)
		return (int)t;
	p->j->tok[t].len = n;
	p->j->tok[t].end = p->j->n;
	p->pos += n;
	return 0;
}

static int parse_value(struct parser *p, int depth);

static int parse_container(struct parser *p, int depth, int is_object)
{
	long t = push(p, is_object ? HP_JSON_OBJECT : HP_JSON_ARRAY);
	char close = is_object ? '}' : ']';
	int err;

	if (t < 0)
		return (int)t;
	if (depth >= MAX_DEPTH)
		return -EINVAL;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->buf[p->pos] == close) {
		p->pos++;
		p->j->tok[t].end = p->j->n;
		return 0;
	}
	for (;;) {
		skip_ws(p);
		if (is_object) {
			if (p->pos >= p->len || p->buf[p->pos] != '"')
				return -EINVAL;
			if ((err = parse_string(p)))
				return err;
			skip_ws(p);
			if (p->pos >= p->len || p->buf[p->pos] != ':')
				return -EINVAL;
			p->pos++;
			skip_ws(p);
		}
		if ((err = parse_value(p, depth + 1)))
			return err;
		p->j->tok[t].size++;
		skip_ws(p);
		if (p->pos >= p->len)
			return -EINVAL;
		if (p->buf[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->buf[p->pos] == close) {
			p->pos++;
			p->j->tok[t].end = p->j->n;
			return 0;
		}
		return -EINVAL;
	}
}

static int parse_value(struct parser *p, int depth)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return -EINVAL;
	switch (p->buf[p->pos]) {
	case '{':
		return parse_container(p, depth, 1);
	case '[':
		return parse_container(p, depth, 0);
	case '"':
		return parse_string(p);
	case 't':
		return parse_literal(p, "true", HP_JSON_TRUE);
	case 'f':
		return parse_literal(p, "false", HP_JSON_FALSE);
	case 'n':
		return parse_literal(p, "null", HP_JSON_NULL);
	default:
		return parse_number(p);
	}
}

int hp_json_parse(struct hp_json *j, const char *buf, size_t len, size_t *err_off)
{
	struct parser p = {.buf = buf, .len = len, .pos = 0, .j = j};
	int err;

	j->tok = NULL;
	j->n = j->cap = 0;
	err = parse_value(&p, 0);
	if (!err) {
		skip_ws(&p);
		if (p.pos != len)
			err = -EINVAL;
	}
	if (err_off)
		*err_off = p.pos;
	return err;
}

void hp_json_release(struct hp_json *j)
{
	free(j->tok);
	j->tok = NULL;
	j->n = j->cap = 0;
}

size_t hp_json_get(const struct hp_json *j, size_t obj, const char *key)
{
	if (obj >= j->n || j->tok[obj].type != HP_JSON_OBJECT)
		return HP_JSON_NONE;
	for (size_t i = obj + 1; i < j->tok[obj].end;) {
		size_t val = j->tok[i].end;
		if (hp_json_str_eq(j, i, key))
			return val;
		i = j->tok[val].end;
	}
	return HP_JSON_NONE;
}

double hp_json_num(const struct hp_json *j, size_t i, double def)
{
	if (i >= j->n || j->tok[i].type != HP_JSON_NUMBER)
		return def;
	return j->tok[i].num;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int hp_json_str(const struct hp_json *j, size_t i, char *out, size_t cap)
{
	const char *s, *end;
	size_t n = 0;
	int truncated = 0;

	if (i >= j->n || j->tok[i].type != HP_JSON_STRING) {
		if (cap)
			out[0] = '\0';
		return -EINVAL;
	}
	s = j->tok[i].s;
	end = s + j->tok[i].len;
	while (s < end) {
		char buf[4];
		size_t k = 1;
		if (*s != '\\') {
			buf[0] = *s++;
		} else {
			s++;
			switch (*s) {
			case 'b':
				buf[0] = '\b';
				break;
			case 'f':
				buf[0] = '\f';
				break;
			case 'n':
				buf[0] = '\n';
				break;
			case 'r':
				buf[0] = '\r';
				break;
			case 't':
				buf[0] = '\t';
				break;
			case 'u': {
				unsigned cp = 0;
				for (int d = 1; d <= 4; d++)
					cp = cp * 16 + (unsigned)hexval(s[d]);
				s += 4;
				/* A surrogate pair becomes one code point; a lone half becomes U+FFFD. */
				if (cp >= 0xd800 && cp < 0xdc00 && end - s >= 7 && s[1] == '\\' &&
				    s[2] == 'u') {
					unsigned lo = 0;
					int ok = 1;
					for (int d = 3; d <= 6; d++) {
						int h = hexval(s[d]);
						ok &= h >= 0;
						lo = lo * 16 + (unsigned)(h < 0 ? 0 : h);
					}
					if (ok && lo >= 0xdc00 && lo < 0xe000) {
						cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
						s += 6;
					}
				}
				if (cp >= 0xd800 && cp < 0xe000)
					cp = 0xfffd;
				k = put_utf8(buf, cp);
				break;
			}
			default:
				buf[0] = *s;
				break;
			}
			s++;
		}
		if (cap && n + k < cap)
			memcpy(out + n, buf, k);
		else
			truncated = 1;
		n += k;
	}
	if (cap)
		out[n < cap ? n : cap - 1] = '\0';
	if (truncated)
		return -ENOSPC;
	return (int)n;
}

int hp_json_str_eq(const struct hp_json *j, size_t i, const char *s)
{
	char buf[256];
	int n = hp_json_str(j, i, buf, sizeof buf);

	return n >= 0 && (size_t)n == strlen(s) && !memcmp(buf, s, (size_t)n);
}

void hp_json_write_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
