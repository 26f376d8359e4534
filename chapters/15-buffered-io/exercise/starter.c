/*
 * Chapter 15 exercise: your copy of the naive variant. Make it read and
 * write in large buffers, one system call per buffer instead of two per
 * record, without changing what it prints.
 *
 * The job converts a fixed-width access log (RECORD_LEN bytes a record) to
 * CSV; workload.h has the formats and the helpers you may use:
 * record_to_csv() (it needs CSV_LINE_MAX bytes of room), read_full() and
 * write_all(). --size is the number of records.
 *
 * exercise/README.md says how your file is graded.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "hp/opts.h"
#include "hp/xalloc.h"

#include "workload.h"

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct job job;

	hp_opts_parse(&opt, argc, argv, NULL);
	job_init(&job, &opt);

	job_begin(&job);

	int in = open(job.in_path, O_RDONLY);
	int out = open(job.out_path, O_WRONLY | O_TRUNC);
	if (in < 0 || out < 0)
		hp_die("cannot open %s or %s", job.in_path, job.out_path);
	char rec[RECORD_LEN], line[CSV_LINE_MAX];
	uint64_t n = 0;
	size_t got;

	/*
	 * TODO: one read(2) per record and one write(2) per line. Read a large
	 * buffer at a time instead, convert every whole record in it straight
	 * into an output buffer, keep the partial record at its end for the
	 * next read, and write the output buffer when it is full.
	 */
	while ((got = read_full(in, rec, RECORD_LEN, job.in_path)) == RECORD_LEN) {
		size_t len = record_to_csv(rec, n++, line);
		write_all(out, line, len, job.out_path);
	}
	if (got)
		hp_die("%s ends in a partial record of %zu bytes", job.in_path, got);
	close(in);
	close(out);

	job_end(&job, n);
	job_finish(&job, n);
	job_release(&job);
	return 0;
}
