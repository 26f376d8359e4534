/*
 * What every variant of the loader shares (etl.h): the command line, the
 * transform, the quarantine file, the set of ids a resumed run skips, and
 * the report. Nothing here changes from step to step, so the steps' files
 * show only what they change.
 *
 * The transform, for a record of the users file (id,name,email,score,
 * signup_date): blanks (space, tab) around every field are trimmed; the id
 * is a positive decimal integer; the score a decimal number with at most
 * two decimals, kept in hundredths so that both databases store the same
 * value; the date is YYYY-MM-DD and must exist in the calendar; name and
 * email must be valid UTF-8 without NUL bytes (PostgreSQL refuses anything
 * else) and the email is lowercased. A record that fails goes to the
 * quarantine file with its line and the first reason.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp/digest.h"
#include "hp/report.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "db.h"
#include "etl.h"

/* ---------------------------------------------------------------------------
 * Command line
 */

static void usage(const char *msg, const char *arg)
{
	fprintf(stderr,
	        "etl: %s%s%s\n"
	        "usage: etl [--db PATH | --postgres CONNINFO] [--quarantine FILE] [--resume]\n"
	        "           [--limit N] [--batch N] [--threads N] FILE.csv\n"
	        "  Loads the users CSV (id,name,email,score,signup_date) into the table users.\n"
	        "  Without --resume the table is dropped and created empty first; with it the\n"
	        "  rows already there are kept and the rest of the file is loaded.\n"
	        "  --postgres env (or -) connects with libpq's environment (PGHOST, PGPORT...).\n"
	        "  Rejected rows go to the quarantine file (default FILE.csv.quarantine).\n",
	        msg, arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static uint64_t parse_count(const char *opt, const char *s)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		usage("not a count", opt);
	return v;
}

void etl_opts_parse(struct etl_opts *o, int argc, char **argv)
{
	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--resume")) {
			o->resume = 1;
			continue;
		}
		if (a[0] != '-' || !a[1]) {
			if (o->input)
				usage("more than one input file", a);
			o->input = a;
			continue;
		}
		if (!v)
			usage("missing value", a);
		i++;
		if (!strcmp(a, "--db"))
			o->db_path = v;
		else if (!strcmp(a, "--postgres"))
			o->pg = !strcmp(v, "env") || !strcmp(v, "-") ? "" : v;
		else if (!strcmp(a, "--quarantine"))
			o->quarantine = v;
		else if (!strcmp(a, "--limit"))
			o->limit = parse_count(a, v);
		else if (!strcmp(a, "--batch"))
			o->batch = parse_count(a, v);
		else if (!strcmp(a, "--threads"))
			o->threads = (unsigned)parse_count(a, v);
		else
			usage("unknown option", a);
	}
	if (!o->input)
		usage("no input file", NULL);
	if (o->db_path && o->pg)
		usage("--db and --postgres are exclusive", NULL);
	if (!o->pg && !o->db_path)
		o->db_path = "etl.db";
	if (!o->quarantine) {
		size_t n = strlen(o->input) + sizeof ".quarantine";
		char *q = hp_xmalloc(n);
		snprintf(q, n, "%s.quarantine", o->input);
		o->quarantine = q; /* lives as long as the process */
	}
	/*
	 * A file grown past RLIMIT_FSIZE (ulimit -f) must fail the write with
	 * EFBIG, which the database reports, instead of killing the process
	 * silently.
	 */
	signal(SIGXFSZ, SIG_IGN);
}

/* ---------------------------------------------------------------------------
 * Transform
 */

static struct csv_field trim(struct csv_field f)
{
	while (f.len && (f.p[0] == ' ' || f.p[0] == '\t')) {
		f.p++;
		f.len--;
	}
	while (f.len && (f.p[f.len - 1] == ' ' || f.p[f.len - 1] == '\t'))
		f.len--;
	return f;
}

/* 1 when f is a positive decimal integer that fits (at most 18 digits). */
static int parse_id(struct csv_field f, int64_t *out)
{
	int64_t v = 0;

	if (f.len == 0 || f.len > 18)
		return 0;
	for (size_t i = 0; i < f.len; i++) {
		if (f.p[i] < '0' || f.p[i] > '9')
			return 0;
		v = v * 10 + (f.p[i] - '0');
	}
	*out = v;
	return v > 0;
}

/* [-]DIGITS[.D[D]], at most 12 integer digits, into hundredths. */
static int parse_score(struct csv_field f, int64_t *out)
{
	size_t i = 0, digits = 0;
	int neg = 0;
	int64_t v = 0;

	if (f.len && (f.p[0] == '-' || f.p[0] == '+')) {
		neg = f.p[0] == '-';
		i++;
	}
	for (; i < f.len && f.p[i] >= '0' && f.p[i] <= '9'; i++, digits++)
		v = v * 10 + (f.p[i] - '0');
	if (digits == 0 || digits > 12)
		return 0;
	v *= 100;
	if (i < f.len && f.p[i] == '.') {
		i++;
		size_t frac = 0;
		int64_t scale = 10;
		for (; i < f.len && f.p[i] >= '0' && f.p[i] <= '9'; i++, frac++, scale /= 10)
			v += (f.p[i] - '0') * scale;
		if (frac == 0 || frac > 2)
			return 0;
	}
	if (i != f.len)
		return 0;
	*out = neg ? -v : v;
	return 1;
}

static int digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* YYYY-MM-DD, a day that exists, years 1000-9999 (both databases store them). */
static int parse_date(struct csv_field f, char out[11])
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (f.len != 10 || f.p[4] != '-' || f.p[7] != '-')
		return 0;
	int y = digits(f.p, 4), m = digits(f.p + 5, 2), d = digits(f.p + 8, 2);
	if (y < 1000 || m < 1 || m > 12 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return 0;
	memcpy(out, f.p, 10);
	out[10] = '\0';
	return 1;
}

/* Valid UTF-8 (no overlongs, no surrogates) and no NUL byte. */
static int valid_text(struct csv_field f)
{
	const unsigned char *p = (const unsigned char *)f.p, *end = p + f.len;

	while (p < end) {
		unsigned c = *p;
		if (c >= 0x01 && c < 0x80) {
			p++;
			continue;
		}
		size_t n;
		unsigned min, cp;
		if (c >= 0xC2 && c <= 0xDF)
			n = 1, min = 0x80, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2, min = 0x800, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		if ((size_t)(end - p) <= n)
			return 0;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		p += n + 1;
	}
	return 1;
}

const char *etl_transform(const struct csv_record *r, struct row *out, char *email_buf, char reason_buf[64])
{
	if (r->err)
		return r->err;
	if (r->nfields != 5) {
		snprintf(reason_buf, 64, "wrong field count (%zu, expected 5)", r->nfields);
		return reason_buf;
	}
	struct csv_field id = trim(r->f[0]), name = trim(r->f[1]), email = trim(r->f[2]);
	out->line = r->line;
	if (!parse_id(id, &out->id))
		return "bad id";
	if (!valid_text(name) || !valid_text(email))
		return "bad text encoding";
	if (!parse_score(trim(r->f[3]), &out->score))
		return "bad score";
	if (!parse_date(trim(r->f[4]), out->date))
		return "bad date";
	for (size_t i = 0; i < email.len; i++) {
		char ch = email.p[i];
		email_buf[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 'a' - 'A') : ch;
	}
	out->name = name.p;
	out->name_len = name.len;
	out->email = email_buf;
	out->email_len = email.len;
	return NULL;
}

/* ---------------------------------------------------------------------------
 * Quarantine
 */

void quarantine_open(struct quarantine *q, const char *path)
{
	q->path = path;
	q->f = fopen(path, "w");
	if (!q->f)
		hp_die("cannot write the quarantine file %s: %s", path, strerror(errno));
}

void quarantine_add(struct quarantine *q, size_t line, const char *reason, const struct csv_field *raw)
{
	FILE *f = q->f;

	fprintf(f, "%zu\t%s\t", line, reason);
	for (size_t i = 0; i < raw->len; i++) {
		char ch = raw->p[i];
		switch (ch) {
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		default:
			putc(ch, f);
		}
	}
	if (putc('\n', f) == EOF)
		hp_die("writing the quarantine file %s: %s", q->path, strerror(errno));
}

void quarantine_close(struct quarantine *q)
{
	if (fflush(q->f) == EOF || ferror(q->f) || fsync(fileno(q->f)) < 0) {
		int err = errno;
		fclose(q->f);
		hp_die("writing the quarantine file %s: %s", q->path, strerror(err));
	}
	if (fclose(q->f) == EOF)
		hp_die("writing the quarantine file %s: %s", q->path, strerror(errno));
	q->f = NULL;
}

/* ---------------------------------------------------------------------------
 * Resume: the ids already in the table
 */

void idset_add(struct idset *s, int64_t id)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->ids = hp_xrealloc(s->ids, s->cap * sizeof *s->ids);
	}
	s->ids[s->n++] = id;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

void idset_sort(struct idset *s)
{
	if (s->n)
		qsort(s->ids, s->n, sizeof *s->ids, cmp_id);
}

int idset_has(const struct idset *s, int64_t id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->ids[lo] == id;
}

void idset_release(struct idset *s)
{
	free(s->ids);
	*s = (struct idset){0};
}

/* ---------------------------------------------------------------------------
 * Input and report
 */

struct csv *etl_open_input(const struct etl_opts *o)
{
	int err;
	struct csv *c = csv_open(o->input, &err);

	if (!c)
		hp_die("cannot read %s: %s", o->input, strerror(-err));
	return c;
}

int etl_next(struct csv *c, const struct etl_opts *o, struct etl_counts *n, struct csv_record *r)
{
	static const char header[] = "id,name,email,score,signup_date";

	if (o->limit && n->read >= o->limit)
		return 0;
	for (;;) {
		int rc = csv_next(c, r);
		if (rc < 0)
			hp_die("reading %s: %s", o->input, strerror(-rc));
		if (rc == 0)
			return 0;
		/* The header is not a row: the first record, when it is exactly the header. */
		if (r->line == 1 && r->raw.len == sizeof header - 1 &&
		    !memcmp(r->raw.p, header, sizeof header - 1))
			continue;
		n->read++;
		return 1;
	}
}

void etl_digest_row(struct hp_digest *d, const struct row *r)
{
	hp_digest_u64(d, (uint64_t)r->id);
	hp_digest_u64(d, r->name_len);
	hp_digest_bytes(d, r->name, r->name_len);
	hp_digest_u64(d, r->email_len);
	hp_digest_bytes(d, r->email, r->email_len);
	hp_digest_u64(d, (uint64_t)r->score);
	hp_digest_bytes(d, r->date, 10);
}

void etl_finish(struct db *db, const struct etl_counts *n, struct hp_section *s)
{
	struct hp_digest d;
	char hex[17];
	double secs = (double)(s->t1 - s->t0) / 1e9;

	if (n->loaded + n->quarantined != n->read)
		hp_die("loaded %" PRIu64 " + quarantined %" PRIu64 " != read %" PRIu64, n->loaded,
		       n->quarantined, n->read);
	hp_digest_init(&d);
	db_digest(db, &d);
	hp_digest_hex(&d, hex);
	printf("read %" PRIu64 "\nloaded %" PRIu64 "\nquarantined %" PRIu64 "\ndigest %s\n", n->read,
	       n->loaded, n->quarantined, hex);
	hp_section_report(s);
	hp_report_metric("rows_per_s", secs > 0 ? (double)n->read / secs : 0, "rows/s", HP_HIGHER_IS_BETTER);
	hp_report_metric("commits", (double)n->commits, "", HP_LOWER_IS_BETTER);
	hp_report_metric("loaded", (double)(n->loaded - n->skipped), "rows", HP_HIGHER_IS_BETTER);
}
