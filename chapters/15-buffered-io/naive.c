/*
 * Chapter 15, naive variant: one system call per record, each way.
 *
 * The job converts a fixed-width access log (RECORD_LEN bytes a record) to
 * CSV; workload.h has the formats. --size is the number of records.
 *
 * This is what the record structure invites: the records have a fixed
 * length, so read exactly one with read(2), convert it, and write its CSV
 * line with write(2). The code is short and obviously correct, and every
 * byte passes through the kernel exactly once. But each read() and write()
 * is a system call: the switch into the kernel and back, the file lookup,
 * the locks and the copy, whatever the size. For an 80-byte record that
 * fixed cost is most of the work, and this loop pays it twice per record.
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
