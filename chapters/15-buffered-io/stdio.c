/*
 * Chapter 15, stdio variant: the same loop through stdio's buffers.
 *
 * The job and its loop are naive.c's: read one record, convert it, write
 * its CSV line. Only the calls changed, fread() and fwrite() on FILE
 * streams instead of read(2) and write(2) on descriptors. That is the fix
 * most C programmers reach for first, and it is a big one: a FILE keeps a
 * buffer, so fread() copies a record out of it and calls read(2) only when
 * it runs dry, and fwrite() copies the line into the output buffer and
 * calls write(2) only when it is full.
 *
 * The buffer is stdio's default: glibc sizes it from the file's st_blksize,
 * 4096 bytes on ext4 and tmpfs, so it still makes one system call per 4 KiB
 * each way. And each record now costs two library calls that lock the
 * stream, check its state and copy: user-space instructions that the naive
 * variant did not execute.
 */
#include <stdio.h>

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

	FILE *in = fopen(job.in_path, "r");
	FILE *out = fopen(job.out_path, "w");
	if (!in || !out)
		hp_die("cannot open %s or %s", job.in_path, job.out_path);
	char rec[RECORD_LEN], line[CSV_LINE_MAX];
	uint64_t n = 0;
	size_t got;

	while ((got = fread(rec, 1, RECORD_LEN, in)) == RECORD_LEN) {
		size_t len = record_to_csv(rec, n++, line);
		if (fwrite(line, 1, len, out) != len)
			hp_die("write %s failed", job.out_path);
	}
	if (ferror(in))
		hp_die("read %s failed", job.in_path);
	if (got)
		hp_die("%s ends in a partial record of %zu bytes", job.in_path, got);
	fclose(in);
	/* fclose() writes what is left in the buffer: a failure there is a failed write. */
	if (fclose(out) != 0)
		hp_die("write %s failed", job.out_path);

	job_end(&job, n);
	job_finish(&job, n);
	job_release(&job);
	return 0;
}
