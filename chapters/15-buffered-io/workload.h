#ifndef HP_CH15_WORKLOAD_H
#define HP_CH15_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hp/opts.h"
#include "hp/section.h"

/*
 * The workload of chapter 15, shared by every variant so that they do the
 * same work and `diff naive.c optimized.c` shows only how the bytes move
 * between the files and the program.
 *
 * The job converts an access log in a fixed-width format, as appliances,
 * mainframes and many bank exports still write them, to CSV. Every input
 * record is RECORD_LEN bytes, fields padded with spaces:
 *
 *     2024-03-01T12:00:07 GET    /api/orders/48213                200     5123 000421
 *     |time (19)          |method (6) |path (32)                  |status |bytes (8) |latency us (6)
 *
 * and becomes one CSV line, the padding trimmed:
 *
 *     2024-03-01T12:00:07,GET,/api/orders/48213,200,5123,421
 *
 * The input file is written in the set-up, outside the timed section, so it
 * sits in the page cache when the section reads it: the lesson measures the
 * cost of the system calls and the copies, not of a disk.
 */
#define RECORD_LEN 80

/* The longest CSV line record_to_csv() writes, newline included: every field at full width plus 5 commas. */
#define CSV_LINE_MAX (19 + 6 + 32 + 3 + 8 + 6 + 5 + 1)

/*
 * Convert the record at rec[0..RECORD_LEN) into a CSV line at
 * line[0..CSV_LINE_MAX). Returns the line's length, newline included. index
 * is the record's number, for the message when the record is malformed (then
 * it dies). Never allocates.
 */
size_t record_to_csv(const char *rec, uint64_t index, char *line);

/*
 * Write all len bytes of buf to fd, looping over short writes and EINTR.
 * Returns 0, or dies with a message naming path on an error.
 */
void write_all(int fd, const char *buf, size_t len, const char *path);

/*
 * Read up to len bytes from fd into buf, looping over short reads and EINTR
 * until len bytes or the end of the file. Returns the count read (short only
 * at the end of the file), or dies with a message naming path on an error.
 */
size_t read_full(int fd, char *buf, size_t len, const char *path);

/*
 * One run of the job: the input file, the output file and the counters of
 * the timed section. Caller-owned: job_init() sets it up, job_release()
 * removes both files and frees what it holds.
 */
struct job {
	char in_path[256], out_path[256];
	uint64_t records;       /* --size */
	uint64_t in_bytes;      /* records * RECORD_LEN */
	int proc_io;            /* /proc/self/io, or -1 when the kernel has no I/O accounting */
	uint64_t calls0, calls; /* read and write system calls: at the start, then in the section */
	uint64_t probe_calls;   /* what one reading of /proc/self/io adds to the count */
	uint64_t faults;        /* minor page faults in the section */
	struct hp_section s;
};

/*
 * Write the input file of opt->size records drawn from opt->seed in $TMPDIR
 * (or /tmp), and create the empty output file beside it. Both are removed by
 * job_release(), or at exit if the program dies first. Dies with a message
 * on any error. Allocates (outside the timed section).
 */
void job_init(struct job *j, const struct hp_opts *opt);

/*
 * Begin and end the timed section, counting the read and write system calls
 * the process makes in between (what /proc/self/io calls syscr and syscw, the
 * kernel's own count, so the calls stdio makes inside glibc count too).
 * ops is the number of records converted.
 */
void job_begin(struct job *j);
void job_end(struct job *j, uint64_t ops);

/*
 * Report the section's metrics (hp_section_report()), plus syscalls and
 * syscalls_per_mib (per MiB of input) when the kernel counts them,
 * page_faults (minor faults: the pages a mapping touched first), and
 * input_gbs (input bytes per second of the section, in GB/s, to compare
 * with the page cache's read bandwidth); then print the functional output,
 * the record count, the CSV's length and digest, read back from the output
 * file. Dies with a message on an error.
 */
void job_finish(struct job *j, uint64_t records_out);

/* Remove both files. */
void job_release(struct job *j);

#endif
