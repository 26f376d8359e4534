/*
 * Chapter 15, mmap variant: map the input instead of reading it.
 *
 * The output side is optimized.c's (a 64 KiB buffer, one write(2) when it
 * is full). The input is mapped with mmap(2): the file's pages in the page
 * cache become part of the address space, and the records are converted
 * straight from them, with no read(2) and no copy into a buffer of ours.
 * There are no partial records to carry either: the whole file is one
 * array.
 *
 * Nothing is free, though. Every page of the mapping needs a page-table
 * entry, made on the first touch by a page fault (the kernel maps a few
 * pages around the one touched) or, with MAP_POPULATE as here, all at once
 * in the mmap() call, which measured a little faster on this machine than
 * faulting them in. munmap() tears them down again. And the copy that
 * read(2) made, which mmap saves, costs little next to the conversion when
 * the buffer it lands in stays in the cache. The page says which wins here.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp/opts.h"
#include "hp/xalloc.h"

#include "workload.h"

int main(int argc, char **argv)
{
	enum { OUT_CAP = 64 * 1024 };
	struct hp_opts opt;
	struct job job;

	hp_opts_parse(&opt, argc, argv, NULL);
	job_init(&job, &opt);

	job_begin(&job);

	int in = open(job.in_path, O_RDONLY);
	int out = open(job.out_path, O_WRONLY | O_TRUNC);
	struct stat st;
	if (in < 0 || out < 0 || fstat(in, &st) < 0)
		hp_die("cannot open %s or %s", job.in_path, job.out_path);
	size_t size = (size_t)st.st_size;
	if (size % RECORD_LEN)
		hp_die("%s ends in a partial record of %zu bytes", job.in_path, size % RECORD_LEN);
	/* mmap() refuses a length of 0: an empty file has no records to map. */
	const char *map = NULL;
	if (size) {
		map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, in, 0);
		if (map == MAP_FAILED)
			hp_die("mmap %s failed", job.in_path);
	}
	char *obuf = hp_xmalloc(OUT_CAP);
	size_t olen = 0;
	uint64_t n = 0;

	for (size_t at = 0; at < size; at += RECORD_LEN) {
		if (OUT_CAP - olen < CSV_LINE_MAX) {
			write_all(out, obuf, olen, job.out_path);
			olen = 0;
		}
		olen += record_to_csv(map + at, n++, obuf + olen);
	}
	write_all(out, obuf, olen, job.out_path);
	if (size)
		munmap((void *)map, size);
	free(obuf);
	close(in);
	close(out);

	job_end(&job, n);
	job_finish(&job, n);
	job_release(&job);
	return 0;
}
