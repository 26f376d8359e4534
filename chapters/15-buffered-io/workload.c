/*
 * The shared part of chapter 15 (see workload.h for the formats): the input
 * generator, the record-to-CSV conversion, the loops that finish a short
 * read or write, and the timed section with its system-call count.
 *
 * The count comes from the kernel, not from wrappers around read() and
 * write(): /proc/self/io keeps syscr and syscw, the read and write system
 * calls of the process (read, pread, readv, write, writev, ...), and that
 * count includes the calls glibc's stdio makes on our behalf, which no
 * wrapper of ours could see. mmap, munmap, open and close are not in it;
 * the strace excerpt of the page lists every call. Reading /proc/self/io
 * is itself a read, so job_init() measures what one reading adds and
 * job_end() subtracts it. The two readings sit inside the timed interval,
 * a few microseconds that every variant pays alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hp/digest.h"
#include "hp/file.h"
#include "hp/prng.h"
#include "hp/report.h"
#include "hp/xalloc.h"

#include "workload.h"

/* Field offsets and widths of a record; the separators between fields are single spaces. */
enum {
	TIME_AT = 0,
	TIME_LEN = 19,
	METHOD_AT = 20,
	METHOD_LEN = 6,
	PATH_AT = 27,
	PATH_LEN = 32,
	STATUS_AT = 60,
	STATUS_LEN = 3,
	BYTES_AT = 64,
	BYTES_LEN = 8,
	LATENCY_AT = 73,
	LATENCY_LEN = 6,
};

_Static_assert(LATENCY_AT + LATENCY_LEN + 1 == RECORD_LEN, "the fields and the newline fill a record");

/* ---------------------------------------------------------------------------
 * The conversion
 */

/*
 * The text fields are copied at their full width, with a memcpy of a
 * constant size that the compiler turns into a few moves, and the pointer
 * advances by the trimmed length only: the padding lands past the end of
 * the line and the next field overwrites it. That is why record_to_csv()
 * asks for CSV_LINE_MAX bytes of room, the line at full width.
 */
#define PUT_FIELD(p, f, width) (memcpy((p), (f), (width)), (p) += trimmed_len((f), (width)))

/* The length of the field at f[0..len) without its trailing spaces. */
static size_t trimmed_len(const char *f, size_t len)
{
	while (len && f[len - 1] == ' ')
		len--;
	return len;
}

/* Copy the number at f[0..len) without its leading spaces or zeros (but keep a last "0"). */
static char *put_number(char *p, const char *f, size_t len)
{
	while (len > 1 && (*f == ' ' || *f == '0')) {
		f++;
		len--;
	}
	while (len--)
		*p++ = *f++;
	return p;
}

static int is_digits(const char *f, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (f[i] < '0' || f[i] > '9')
			return 0;
	return 1;
}

size_t record_to_csv(const char *rec, uint64_t index, char *line)
{
	char *p = line;

	if (rec[RECORD_LEN - 1] != '\n' || rec[METHOD_AT - 1] != ' ' || rec[PATH_AT - 1] != ' ' ||
	    rec[STATUS_AT - 1] != ' ' || rec[BYTES_AT - 1] != ' ' || rec[LATENCY_AT - 1] != ' ' ||
	    !is_digits(rec + STATUS_AT, STATUS_LEN) || !is_digits(rec + LATENCY_AT, LATENCY_LEN))
		hp_die("record %" PRIu64 " (byte %" PRIu64 ") is not a %d-byte access log record: '%.*s'",
		       index, index * RECORD_LEN, RECORD_LEN, RECORD_LEN - 1, rec);
	memcpy(p, rec + TIME_AT, TIME_LEN);
	p += TIME_LEN;
	*p++ = ',';
	PUT_FIELD(p, rec + METHOD_AT, METHOD_LEN);
	*p++ = ',';
	PUT_FIELD(p, rec + PATH_AT, PATH_LEN);
	*p++ = ',';
	memcpy(p, rec + STATUS_AT, STATUS_LEN);
	p += STATUS_LEN;
	*p++ = ',';
	p = put_number(p, rec + BYTES_AT, BYTES_LEN);
	*p++ = ',';
	p = put_number(p, rec + LATENCY_AT, LATENCY_LEN);
	*p++ = '\n';
	return (size_t)(p - line);
}

/* ---------------------------------------------------------------------------
 * Complete reads and writes
 */

void write_all(int fd, const char *buf, size_t len, const char *path)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			hp_die("write %s: %s", path, n < 0 ? strerror(errno) : "wrote nothing");
		buf += n;
		len -= (size_t)n;
	}
}

size_t read_full(int fd, char *buf, size_t len, const char *path)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			hp_die("read %s: %s", path, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* ---------------------------------------------------------------------------
 * The input file
 */

/* Write record number i, drawn from r, to rec[0..RECORD_LEN). */
static void record_draw(struct hp_rng *r, uint64_t i, char *rec)
{
	static const char *const methods[] = {"GET", "GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH"};
	static const unsigned statuses[] = {200, 200, 200, 200, 200, 200, 201, 204, 304, 404, 500, 503};
	char tstamp[TIME_LEN + 1], path[64];
	/* One request every 0.4 s on average, from midnight on: the day has 86400 seconds. */
	uint64_t t = i * 2 / 5 % 86400;

	snprintf(tstamp, sizeof tstamp, "2024-03-01T%02u:%02u:%02u", (unsigned)(t / 3600),
	         (unsigned)(t / 60 % 60), (unsigned)(t % 60));
	switch (hp_rng_below(r, 4)) {
	case 0:
		snprintf(path, sizeof path, "/api/orders/%" PRIu64, hp_rng_below(r, 100000));
		break;
	case 1:
		snprintf(path, sizeof path, "/api/users/%" PRIu64 "/cart", hp_rng_below(r, 10000));
		break;
	case 2:
		snprintf(path, sizeof path, "/static/app.%08" PRIx64 ".js", hp_rng_below(r, 1u << 30));
		break;
	default:
		snprintf(path, sizeof path, "/health");
		break;
	}
	const char *method = methods[hp_rng_below(r, sizeof methods / sizeof methods[0])];
	unsigned status = statuses[hp_rng_below(r, sizeof statuses / sizeof statuses[0])];
	/* Bytes up to 8 digits, latencies up to 6 (a request slower than a second is cut at 999999 us). */
	uint64_t bytes = hp_rng_below(r, 4) ? hp_rng_below(r, 20000) : hp_rng_below(r, 100000000);
	uint64_t latency = hp_rng_below(r, 8) ? hp_rng_below(r, 5000) : hp_rng_below(r, 1000000);
	char tmp[RECORD_LEN + 1];
	int n = snprintf(tmp, sizeof tmp, "%-19s %-6s %-32s %03u %8" PRIu64 " %06" PRIu64 "\n", tstamp,
	                 method, path, status, bytes, latency);

	if (n != RECORD_LEN)
		hp_die("record_draw: record %" PRIu64 " came out %d bytes long", i, n);
	memcpy(rec, tmp, RECORD_LEN);
}

/* The job whose files atexit() removes if the program dies before job_release(). */
static struct job *job_to_clean;

static void job_clean_at_exit(void)
{
	if (job_to_clean)
		job_release(job_to_clean);
}

/* Create an empty file from the template dir/hp15-NAME-XXXXXX into path[256]; returns its descriptor. */
static int temp_create(char path[256], const char *dir, const char *name)
{
	if (snprintf(path, 256, "%s/hp15-%s-XXXXXX", dir, name) >= 256)
		hp_die("TMPDIR '%s' is too long", dir);
	int fd = mkstemp(path);
	if (fd < 0)
		hp_die("cannot create a file in %s: %s", dir, strerror(errno));
	return fd;
}

/* The read and write system calls of the process so far, or 0 without /proc/self/io. */
static uint64_t io_calls(const struct job *j)
{
	char buf[512];
	uint64_t r = 0, w = 0;

	if (j->proc_io < 0)
		return 0;
	ssize_t n = pread(j->proc_io, buf, sizeof buf - 1, 0);
	if (n <= 0)
		hp_die("read /proc/self/io: %s", n < 0 ? strerror(errno) : "empty");
	buf[n] = '\0';
	const char *sr = strstr(buf, "syscr: "), *sw = strstr(buf, "syscw: ");
	if (!sr || !sw || sscanf(sr, "syscr: %" SCNu64, &r) != 1 || sscanf(sw, "syscw: %" SCNu64, &w) != 1)
		hp_die("/proc/self/io has no syscr or syscw line");
	return r + w;
}

void job_init(struct job *j, const struct hp_opts *opt)
{
	/* Records are written in batches of 4096 (320 KiB), so the set-up does not hold the whole file. */
	enum { BATCH = 4096 };
	const char *dir = getenv("TMPDIR");
	struct hp_rng rng;

	memset(j, 0, sizeof *j);
	j->proc_io = -1;
	if (opt->size > UINT64_MAX / RECORD_LEN)
		hp_die("--size %" PRIu64 " records do not fit in a file", opt->size);
	j->records = opt->size;
	j->in_bytes = opt->size * RECORD_LEN;
	if (!dir || !*dir)
		dir = "/tmp";
	int in = temp_create(j->in_path, dir, "in");
	int out = temp_create(j->out_path, dir, "out");
	close(out);
	job_to_clean = j;
	atexit(job_clean_at_exit);

	char *batch = hp_xmalloc_array(BATCH, RECORD_LEN);
	hp_rng_init(&rng, opt->seed);
	for (uint64_t i = 0; i < j->records;) {
		size_t n = 0;
		for (; n < BATCH && i < j->records; n++, i++)
			record_draw(&rng, i, batch + n * RECORD_LEN);
		write_all(in, batch, n * RECORD_LEN, j->in_path);
	}
	free(batch);
	if (close(in) < 0)
		hp_die("close %s: %s", j->in_path, strerror(errno));

	/* Without task I/O accounting (CONFIG_TASK_IO_ACCOUNTING) the metrics are absent, not zero. */
	j->proc_io = open("/proc/self/io", O_RDONLY | O_CLOEXEC);
	if (j->proc_io < 0) {
		fprintf(stderr, "note: /proc/self/io: %s; system calls are not counted\n", strerror(errno));
		return;
	}
	uint64_t a = io_calls(j);
	j->probe_calls = io_calls(j) - a;
}

/* Minor page faults so far: a page of a mapping that the kernel maps on first touch. */
static uint64_t minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_minflt;
}

void job_begin(struct job *j)
{
	j->faults = minor_faults();
	hp_section_begin(&j->s);
	j->calls0 = io_calls(j);
}

void job_end(struct job *j, uint64_t ops)
{
	uint64_t calls = io_calls(j);

	hp_section_end(&j->s, ops);
	j->calls = calls - j->calls0 - j->probe_calls;
	j->faults = minor_faults() - j->faults;
}

void job_finish(struct job *j, uint64_t records_out)
{
	double mib = (double)j->in_bytes / (1024.0 * 1024.0);
	double ns = (double)(j->s.t1 - j->s.t0);

	hp_section_report(&j->s);
	if (j->proc_io >= 0) {
		hp_report_metric("syscalls", (double)j->calls, "calls", HP_LOWER_IS_BETTER);
		if (j->in_bytes)
			hp_report_metric("syscalls_per_mib", (double)j->calls / mib, "calls/MiB",
			                 HP_LOWER_IS_BETTER);
	}
	hp_report_metric("page_faults", (double)j->faults, "faults", HP_LOWER_IS_BETTER);
	/* Bytes per nanosecond are GB/s. */
	if (j->in_bytes && ns > 0)
		hp_report_metric("input_gbs", (double)j->in_bytes / ns, "GB/s", HP_HIGHER_IS_BETTER);

	if (records_out != j->records)
		hp_die("converted %" PRIu64 " records of %" PRIu64, records_out, j->records);
	char *csv;
	size_t len;
	int err = hp_read_file(j->out_path, &csv, &len);
	if (err)
		hp_die("cannot read back %s: %s", j->out_path, strerror(-err));
	struct hp_digest d;
	char hex[17];
	hp_digest_init(&d);
	hp_digest_bytes(&d, csv, len);
	hp_digest_hex(&d, hex);
	printf("records %" PRIu64 " csv_bytes %zu digest %s\n", records_out, len, hex);
	free(csv);
}

void job_release(struct job *j)
{
	if (j->proc_io >= 0)
		close(j->proc_io);
	j->proc_io = -1;
	if (j->in_path[0])
		unlink(j->in_path);
	if (j->out_path[0])
		unlink(j->out_path);
	j->in_path[0] = j->out_path[0] = '\0';
	if (job_to_clean == j)
		job_to_clean = NULL;
}
