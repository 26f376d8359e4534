#ifndef HP_SECTION_H
#define HP_SECTION_H

#include <stdint.h>

#include "hp/alloc.h"
#include "hp/perf.h"

/*
 * The timed section of a variant: everything between hp_section_begin() and
 * hp_section_end() is what the harness compares; set-up and output are not.
 * It measures
 *   - wall time (CLOCK_MONOTONIC),
 *   - hardware counters where available (hp/perf.h),
 *   - allocations when hp-alloc.so is preloaded (hp/alloc.h),
 *   - and it toggles callgrind's collection, so `valgrind --tool=callgrind
 *     --collect-atstart=no` counts the instructions of the section only.
 * begin and end never allocate, so they do not disturb the counts.
 *
 * hp_section_report() then writes, through the report protocol (hp/report.h):
 *   time_ms, ns_per_op (when ops > 0), the available counters, and
 *   allocs, alloc_bytes, peak_bytes (when the counter is preloaded). peak_bytes
 *   is the largest heap growth during the section above what was live when
 *   it began, so the set-up's input, the same for every variant, is left out.
 * One section per process: the harness reads one value per metric.
 */
struct hp_section {
	uint64_t t0, t1;
	uint64_t ops;
	struct hp_perf perf;
	int have_alloc;
	struct hp_alloc_stats a0, a1;
};

void hp_section_begin(struct hp_section *s);

/* ops: how many operations the section did (requests, rows, bytes...), for ns_per_op. */
void hp_section_end(struct hp_section *s, uint64_t ops);

/*
 * For a thread started inside the timed section: make callgrind count the
 * calling thread's instructions (begin when the thread starts its work, end
 * before it returns). Callgrind keeps its collection switch per thread and a
 * new thread starts with it off, so hp_section_begin() in the main thread
 * does not reach workers. Natively each is a few instructions that do
 * nothing. Wall time and allocations need no such call.
 */
void hp_section_thread_begin(void);
void hp_section_thread_end(void);

/* Report the metrics and release the counters. Returns 0 or -errno. */
int hp_section_report(struct hp_section *s);

#endif
