/*
 * The zero-copy CSV reader: the file is mapped once (mmap), and a field is
 * a pointer and a length into the mapping, valid until csv_close(). Nothing
 * is copied and nothing is allocated per record, with one exception: a
 * quoted field that holds '""' is unescaped into a scratch buffer, reused
 * by the next record (rare in real data, and in the generator's).
 *
 * The scan looks for the bytes that matter (',', '"', CR, LF) with memchr-
 * like loops over the mapping instead of a call per byte; the dialect is the
 * one of csv.h, byte for byte the same as csv_slow.c's, which the fuzzer
 * (tests/fuzz/fuzz_csv.c) checks on hostile input.
 *
 * madvise(MADV_SEQUENTIAL) lets the kernel read ahead far and drop pages
 * behind: the file is read once, front to back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp/xalloc.h"

#include "csv.h"

struct csv {
	const char *buf, *end, *pos;
	size_t map_len; /* 0 when buf is the caller's memory */
	size_t line;    /* the line of the byte at pos */
	char *scratch;  /* unescaped fields of the current record */
	size_t scratch_len, scratch_cap;
};

static struct csv *csv_new(const char *buf, size_t len)
{
	struct csv *c = hp_xcalloc(1, sizeof *c);

	c->buf = c->pos = buf;
	c->end = buf + len;
	c->line = 1;
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		c->pos += 3; /* a UTF-8 byte order mark is not data */
	return c;
}

struct csv *csv_open(const char *path, int *err)
{
	struct stat st;
	void *map = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*err = 0;
	if (fd < 0)
		goto out_err;
	if (fstat(fd, &st) < 0)
		goto out_close;
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED)
			goto out_close;
		madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	}
	close(fd);
	struct csv *c = csv_new(map ? map : "", map ? (size_t)st.st_size : 0);
	c->map_len = map ? (size_t)st.st_size : 0;
	return c;
out_close:
	*err = -errno;
	close(fd);
	return NULL;
out_err:
	*err = -errno;
	return NULL;
}

struct csv *csv_open_mem(const char *buf, size_t len)
{
	return csv_new(buf, len);
}

/* Append len bytes to the scratch buffer; returns their offset. */
static size_t scratch_add(struct csv *c, const char *p, size_t len)
{
	if (c->scratch_len + len > c->scratch_cap || !c->scratch) {
		c->scratch_cap = 2 * (c->scratch_len + len) + 64;
		c->scratch = hp_xrealloc(c->scratch, c->scratch_cap);
	}
	memcpy(c->scratch + c->scratch_len, p, len);
	c->scratch_len += len;
	return c->scratch_len - len;
}

/* Count the LFs in [p, q). */
static size_t count_lf(const char *p, const char *q)
{
	size_t n = 0;

	while ((p = memchr(p, '\n', (size_t)(q - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

int csv_next(struct csv *c, struct csv_record *r)
{
	const char *p = c->pos, *end = c->end;
	size_t n = 0;
	/* Fields unescaped into scratch: their offsets, resolved at the end (scratch may move). */
	uint8_t in_scratch[CSV_MAX_FIELDS] = {0};

	memset(r, 0, sizeof *r);
	c->scratch_len = 0;
	/* Empty lines are not records. */
	for (;;) {
		if (p < end && *p == '\n') {
			p++;
			c->line++;
		} else if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
			p += 2;
			c->line++;
		} else {
			break;
		}
	}
	if (p == end) {
		c->pos = p;
		return 0;
	}
	r->line = c->line;
	r->raw.p = p;

	for (;;) {
		const char *start = p;
		int at_end; /* the field ended the record */

		if (p < end && *p == '"') {
			/* Quoted: find the closing quote, skipping '""' pairs. */
			const char *q = p + 1, *body = q;
			int escaped = 0;
			for (;;) {
				q = memchr(q, '"', (size_t)(end - q));
				if (!q) {
					r->err = "unterminated quote";
					if (n < CSV_MAX_FIELDS)
						r->f[n] = (struct csv_field){body, (size_t)(end - body)};
					c->line += count_lf(start, end);
					p = end;
					n++;
					goto end_record;
				}
				if (q + 1 < end && q[1] == '"') {
					escaped = 1;
					q += 2;
					continue;
				}
				break;
			}
			c->line += count_lf(body, q);
			if (n < CSV_MAX_FIELDS) {
				if (!escaped) {
					r->f[n] = (struct csv_field){body, (size_t)(q - body)};
				} else {
					size_t off = c->scratch_len, len = 0;
					for (const char *s = body; s < q; s++) {
						scratch_add(c, s, 1);
						len++;
						if (*s == '"')
							s++;
					}
					r->f[n] = (struct csv_field){(const char *)(uintptr_t)off, len};
					in_scratch[n] = 1;
				}
			}
			p = q + 1;
			if (p == end || *p == ',' || *p == '\n' ||
			    (end - p >= 2 && p[0] == '\r' && p[1] == '\n'))
				goto end_field;
			if (!r->err)
				r->err = "stray quote";
			/* The rest of the field is unquoted text: it joins what the quotes held. */
			if (n < CSV_MAX_FIELDS && !in_scratch[n]) {
				size_t off = scratch_add(c, r->f[n].p, r->f[n].len);
				r->f[n] = (struct csv_field){(const char *)(uintptr_t)off, r->f[n].len};
				in_scratch[n] = 1;
			}
			start = p;
		}
		/* Unquoted bytes, up to the next ',' or the end of the record. */
		const char *q = start;
		while (q < end && *q != ',' && *q != '\n' && !(*q == '\r' && q + 1 < end && q[1] == '\n')) {
			if (*q == '"' && !r->err)
				r->err = "stray quote";
			q++;
		}
		if (n < CSV_MAX_FIELDS) {
			if (in_scratch[n]) {
				scratch_add(c, start, (size_t)(q - start));
				r->f[n].len += (size_t)(q - start);
			} else {
				r->f[n] = (struct csv_field){start, (size_t)(q - start)};
			}
		}
		p = q;
	end_field:
		n++;
		at_end = p == end || *p != ',';
		if (at_end)
			break;
		p++; /* the ',' */
	}
	r->raw.len = (size_t)(p - r->raw.p);
	if (p < end) {
		p += *p == '\r' ? 2 : 1; /* CRLF or LF */
		c->line++;
	}
	goto done;
end_record:
	r->raw.len = (size_t)(p - r->raw.p);
done:
	c->pos = p;
	r->nfields = n;
	for (size_t i = 0; i < n && i < CSV_MAX_FIELDS; i++) {
		if (in_scratch[i])
			r->f[i].p = c->scratch + (uintptr_t)r->f[i].p;
		else if (!r->f[i].p)
			r->f[i].p = "";
	}
	return 1;
}

int csv_field_stable(const struct csv *c, const struct csv_field *f)
{
	return f->p >= c->buf && f->p <= c->end;
}

void csv_close(struct csv *c)
{
	if (!c)
		return;
	if (c->map_len)
		munmap((void *)c->buf, c->map_len);
	free(c->scratch);
	free(c);
}
