/*
 * The input of the ETL case study: a deterministic users CSV,
 *
 *   gencsv --rows N --seed S --out FILE
 *
 * a header line and N records, ids 1..N in order, with what real exports
 * hold: names with commas, quotes and line breaks inside quoted fields,
 * blanks around fields, mixed-case emails, scores with 0 to 2 decimals,
 * CRLF on one record in ten. One record in 100 is malformed on purpose, a
 * reason each in turn (wrong field count, bad id, bad score, bad date, a
 * stray quote), and with N >= 2 the last record opens a quote it never
 * closes. Same arguments, same bytes.
 *
 * Beside FILE it writes FILE's name with .copyable.csv for .csv: the same
 * records without those whose field count is wrong and without the last,
 * all ending in LF: the file that psql's \copy (a peer, peer-import.sh)
 * can load whole.
 *
 * Cached: FILE.stamp records the arguments; when it matches and FILE exists
 * the generator exits at once. It writes FILE.tmp and renames it, so a
 * killed run never leaves a truncated FILE behind.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp/xalloc.h"

#define STAMP_VERSION 2

static uint64_t rng_state;

static uint64_t next(void)
{
	/* splitmix64: tiny, and the same stream on every machine. */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return (unsigned)(next() % n);
}

static const char *first[] = {"Ada",  "Grace", "Alan",  "Edsger", "Barbara", "Ken",  "Dennis", "Linus",
                              "Anna", "José",  "Zoë",   "Björn",  "Chloé",   "Mei",  "Ravi",   "Olu",
                              "Ivan", "Sofia", "Lukas", "Amira",  "Noah",    "Emma", "Yuki",   "Omar"};
static const char *last[] = {"Lovelace", "Hopper",  "Turing",  "Dijkstra", "Liskov", "Thompson",
                             "Ritchie",  "Smith",   "O'Brien", "García",   "Müller", "Nguyen",
                             "Kowalski", "Ivanova", "Dubois",  "Rossi",    "Tanaka", "Okafor"};
static const char *domains[] = {"example.com", "Example.ORG", "mail.test", "Corp.Example.net"};

/* Write one record to f and, unless \copy would refuse it, to c. */
static void write_row(FILE *f, FILE *c, uint64_t id, uint64_t nrows)
{
	char rec[512];
	int copyable = 1;

	const char *fn = first[below(sizeof first / sizeof *first)];
	const char *ln = last[below(sizeof last / sizeof *last)];
	const char *dom = domains[below(sizeof domains / sizeof *domains)];
	unsigned kind = below(20);
	char name[128], email[128], score[32], date[32], idtxt[32];

	/* Names: plain, "Last, First" (a comma: quoted), with a nickname in quotes, on two lines, padded. */
	if (kind == 0)
		snprintf(name, sizeof name, "\"%s, %s\"", ln, fn);
	else if (kind == 1)
		snprintf(name, sizeof name, "\"%s \"\"%c\"\" %s\"", fn, "XYZW"[below(4)], ln);
	else if (kind == 2)
		snprintf(name, sizeof name, "\"%s\n%s\"", fn, ln);
	else if (kind == 3)
		snprintf(name, sizeof name, "  %s %s ", fn, ln);
	else
		snprintf(name, sizeof name, "%s %s", fn, ln);
	snprintf(email, sizeof email, "%s%s.%" PRIu64 "@%s", below(3) ? "" : "  ", below(2) ? "user" : "User",
	         id, dom);
	unsigned sc = below(10001);
	switch (below(4)) {
	case 0:
		snprintf(score, sizeof score, "%u", sc / 100);
		break;
	case 1:
		snprintf(score, sizeof score, "%u.%u", sc / 100, sc % 10);
		break;
	default:
		snprintf(score, sizeof score, "%u.%02u", sc / 100, sc % 100);
	}
	snprintf(date, sizeof date, "%04u-%02u-%02u", 2000 + below(25), 1 + below(12), 1 + below(28));
	snprintf(idtxt, sizeof idtxt, "%" PRIu64, id);

	/* One record in 100 is malformed, each reason in turn. */
	if (id % 100 == 50) {
		switch (id / 100 % 5) {
		case 0:
			snprintf(rec, sizeof rec, "%s,%s,%s,%s", idtxt, name, email,
			         score); /* a field short */
			copyable = 0;
			break;
		case 1:
			snprintf(rec, sizeof rec, "x%s,%s,%s,%s,%s", idtxt, name, email, score, date);
			break;
		case 2:
			snprintf(rec, sizeof rec, "%s,%s,%s,%s,%s", idtxt, name, email,
			         below(2) ? "n/a" : "12.345", date);
			break;
		case 3:
			snprintf(rec, sizeof rec, "%s,%s,%s,%s,%04u-02-30", idtxt, name, email, score,
			         2000 + below(25));
			break;
		default:
			snprintf(rec, sizeof rec, "%s,%s \"The\" %s,%s,%s,%s", idtxt, fn, ln, email, score,
			         date);
		}
	} else if (id == nrows && nrows >= 2) {
		snprintf(rec, sizeof rec, "%s,\"%s %s,%s,%s,%s", idtxt, fn, ln, email, score,
		         date); /* never closed */
		copyable = 0;
	} else {
		snprintf(rec, sizeof rec, "%s,%s,%s,%s,%s", idtxt, name, email, score, date);
	}
	const char *eol = below(10) ? "\n" : "\r\n";
	fputs(rec, f);
	fputs(eol, f);
	if (copyable) {
		fputs(rec, c);
		fputc('\n', c); /* \copy wants one kind of line end in a file */
	}
}

int main(int argc, char **argv)
{
	uint64_t rows = 1000000, seed = 1;
	const char *out = NULL;
	char stamp[4096], want[256], have[256] = "", tmp[4096], copy[4096], copytmp[4200];

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--rows"))
			rows = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--out"))
			out = argv[i + 1];
		else
			hp_die("gencsv: unknown option %s (usage: gencsv --rows N --seed S --out FILE)",
			       argv[i]);
	}
	if (!out || argc % 2 == 0)
		hp_die("usage: gencsv --rows N --seed S --out FILE");

	snprintf(stamp, sizeof stamp, "%s.stamp", out);
	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	size_t base =
	    strlen(out) > 4 && !strcmp(out + strlen(out) - 4, ".csv") ? strlen(out) - 4 : strlen(out);
	snprintf(copy, sizeof copy, "%.*s.copyable.csv", (int)base, out);
	snprintf(copytmp, sizeof copytmp, "%s.tmp", copy);
	snprintf(want, sizeof want, "gencsv %d rows %" PRIu64 " seed %" PRIu64 "\n", STAMP_VERSION, rows,
	         seed);
	FILE *s = fopen(stamp, "r");
	if (s) {
		if (!fgets(have, sizeof have, s))
			have[0] = '\0';
		fclose(s);
	}
	if (!strcmp(have, want) && access(out, R_OK) == 0 && access(copy, R_OK) == 0)
		return 0;

	rng_state = seed;
	FILE *f = fopen(tmp, "w");
	if (!f)
		hp_die("gencsv: cannot write %s: %s", tmp, strerror(errno));
	FILE *c = fopen(copytmp, "w");
	if (!c)
		hp_die("gencsv: cannot write %s: %s", copytmp, strerror(errno));
	static char buf[1 << 16], cbuf[1 << 16];
	setvbuf(f, buf, _IOFBF, sizeof buf);
	setvbuf(c, cbuf, _IOFBF, sizeof cbuf);
	fputs("id,name,email,score,signup_date\n", f);
	fputs("id,name,email,score,signup_date\n", c);
	for (uint64_t id = 1; id <= rows; id++)
		write_row(f, c, id, rows);
	if (fflush(f) == EOF || ferror(f) || fclose(f) == EOF)
		hp_die("gencsv: writing %s: %s", tmp, strerror(errno));
	if (fflush(c) == EOF || ferror(c) || fclose(c) == EOF)
		hp_die("gencsv: writing %s: %s", copytmp, strerror(errno));
	if (rename(copytmp, copy) < 0 || rename(tmp, out) < 0)
		hp_die("gencsv: rename %s: %s", out, strerror(errno));
	s = fopen(stamp, "w");
	if (!s || fputs(want, s) == EOF || fclose(s) == EOF)
		hp_die("gencsv: writing %s: %s", stamp, strerror(errno));
	return 0;
}
