/*
 * The timed section (hp/section.h). begin() takes the allocation snapshot
 * and starts the counters before reading the clock, and end() reads the clock
 * first, so the bookkeeping sits outside the measured interval as far as it
 * can. The callgrind toggles are client requests: a handful of instructions
 * that do nothing unless the program runs under valgrind.
 */
#include <stdio.h>
#include <valgrind/callgrind.h>

#include "hp/report.h"
#include "hp/section.h"
#include "hp/time.h"

void hp_section_begin(struct hp_section *s)
{
	s->ops = 0;
	s->have_alloc = hp_alloc_snapshot(&s->a0) == 0;
	if (s->have_alloc)
		hp_alloc_reset_peak();
	hp_perf_init(&s->perf);
	hp_perf_start(&s->perf);
	CALLGRIND_TOGGLE_COLLECT;
	s->t0 = hp_now_ns();
}

void hp_section_end(struct hp_section *s, uint64_t ops)
{
	s->t1 = hp_now_ns();
	CALLGRIND_TOGGLE_COLLECT;
	hp_perf_stop(&s->perf);
	if (s->have_alloc)
		hp_alloc_snapshot(&s->a1);
	s->ops = ops;
}

void hp_section_thread_begin(void)
{
	CALLGRIND_TOGGLE_COLLECT;
}

void hp_section_thread_end(void)
{
	CALLGRIND_TOGGLE_COLLECT;
}

int hp_section_report(struct hp_section *s)
{
	double ns = (double)(s->t1 - s->t0);
	int err = 0;

	err |= hp_report_metric("time_ms", ns / 1e6, "ms", HP_LOWER_IS_BETTER);
	if (s->ops) {
		err |= hp_report_metric("ops", (double)s->ops, "ops", HP_HIGHER_IS_BETTER);
		err |= hp_report_metric("ns_per_op", ns / (double)s->ops, "ns", HP_LOWER_IS_BETTER);
	}
	for (int c = 0; c < HP_PERF_NCOUNTERS; c++)
		if (hp_perf_available(&s->perf, c))
			err |= hp_report_metric(hp_perf_name(c), (double)s->perf.value[c], "events",
			                        HP_LOWER_IS_BETTER);
	if (s->have_alloc) {
		err |= hp_report_metric("allocs", (double)(hp_alloc_calls(&s->a1) - hp_alloc_calls(&s->a0)),
		                        "calls", HP_LOWER_IS_BETTER);
		err |= hp_report_metric("alloc_bytes", (double)(s->a1.bytes - s->a0.bytes), "B",
		                        HP_LOWER_IS_BETTER);
		/*
		 * The peak above what was live when the section began: the input a
		 * lesson builds in its set-up is the same for both variants and
		 * would hide what the section itself holds.
		 */
		uint64_t peak = s->a1.peak_bytes > s->a0.live_bytes ? s->a1.peak_bytes - s->a0.live_bytes : 0;
		err |= hp_report_metric("peak_bytes", (double)peak, "B", HP_LOWER_IS_BETTER);
	}
	hp_perf_release(&s->perf);
	return err ? -1 : 0;
}
