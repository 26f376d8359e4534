/*
 * Chapter 11, tuned variant: the session service on glibc's allocator,
 * tuned for memory (compare with naive.c: diff naive.c optimized.c).
 *
 *   - M_ARENA_MAX: glibc gives threads that contend for the heap arenas of
 *     their own, up to eight per core; each holds its own free memory, which
 *     no other arena can use. Capping them at the number of cores keeps the
 *     free memory in fewer places, at the price of more waiting on an
 *     arena's lock.
 *   - M_MMAP_THRESHOLD: reports (64 to 256 KiB) would cross glibc's initial
 *     128 KiB threshold and be mmap()ed, then glibc raises its threshold on
 *     its own as they are freed. Fixing it above the largest report keeps
 *     them in the arenas, where the memory is reused; setting any of these
 *     options turns that adjustment off, so it is set here explicitly.
 *   - malloc_trim(0) when the service goes idle: glibc returns to the
 *     kernel only the top of the main heap, on its own; malloc_trim() also
 *     releases the free pages inside every arena (madvise(MADV_DONTNEED)).
 *
 * The timed section is the burst. After it, the service expires most
 * sessions, idles for --idle-ms, and reports its resident memory at the
 * end of the burst (burst_rss_kb) and when idle (idle_rss_kb): how much of
 * the spike it still holds. page_faults counts the faults of the burst:
 * each is the kernel handing the process a page of memory.
 */
#include <malloc.h>
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

	/* The number of cores: the arenas that threads can use at once. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	mallopt(M_ARENA_MAX, cores > 0 ? (int)cores : 1);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	service_init(&svc, opt.threads, (size_t)opt.size, users, opt.seed);
	long faults = faults_now();

	hp_section_begin(&sec);
	service_burst(&svc);
	hp_section_end(&sec, svc.requests);
	faults = faults_now() - faults;
	long burst_rss = rss_now_kb();

	size_t left = service_expire(&svc);
	malloc_trim(0);
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
