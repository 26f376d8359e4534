/*
 * Chapter 11, naive variant: the session service (workload.h) on glibc's
 * allocator with its defaults. This file is also the jemalloc and mimalloc
 * variants: lesson.mk runs the same program with the other allocator
 * preloaded (LD_PRELOAD), which replaces malloc and free for the whole
 * process without changing a line.
 *
 * The timed section is the burst. After it, the service expires most
 * sessions, idles for --idle-ms, and reports its resident memory at the
 * end of the burst (burst_rss_kb) and when idle (idle_rss_kb): how much of
 * the spike it still holds. page_faults counts the faults of the burst:
 * each is the kernel handing the process a page of memory.
 */
#include <stdio.h>
#include <unistd.h>

#include "hp/opts.h"
#include "hp/report.h"
#include "hp/section.h"

#include "workload.h"

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct service svc;
	struct hp_section sec;

	hp_opts_parse(&opt, argc, argv, "users,idle-ms");
	size_t users = (size_t)hp_opts_u64(&opt, "users", 20000);
	unsigned idle_ms = (unsigned)hp_opts_u64(&opt, "idle-ms", 100);

	service_init(&svc, opt.threads, (size_t)opt.size, users, opt.seed);
	long faults = faults_now();

	hp_section_begin(&sec);
	service_burst(&svc);
	hp_section_end(&sec, svc.requests);
	faults = faults_now() - faults;
	long burst_rss = rss_now_kb();

	size_t left = service_expire(&svc);
	usleep(idle_ms * 1000);
	long idle_rss = rss_now_kb();

	hp_section_report(&sec);
	hp_report_metric("page_faults", (double)faults, "faults", HP_LOWER_IS_BETTER);
	hp_report_metric("burst_rss_kb", (double)burst_rss, "KiB", HP_LOWER_IS_BETTER);
	hp_report_metric("idle_rss_kb", (double)idle_rss, "KiB", HP_LOWER_IS_BETTER);
	printf("requests %zu bytes %zu digest %016llx sessions %zu\n", svc.requests, svc.bytes_out,
	       (unsigned long long)svc.digest, left);
	service_release(&svc);
	return 0;
}
