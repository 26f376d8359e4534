/*
 * Chapter 11 exercise: your copy of the naive variant. Tune glibc's
 * allocator, from this file only, so that the service gives back the
 * memory of the burst when it goes idle (idle_rss_kb), without making the
 * burst slower than it must be. workload.c stays as it is.
 * exercise/README.md says how to measure your file against the others.
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
