/*
 * Chapter 18, optimized variant: sweep the session table a slice at a time.
 *
 * The same work as naive.c, spread out: every millisecond, the loop sweeps
 * the share of the table that keeps the sweep on schedule (the whole table
 * once per SWEEP_PERIOD_MS), so no single pause is longer than a slice.
 * Redis expires keys the same way ("active expire cycle", with a time
 * budget per cycle). The total CPU spent sweeping does not change; only
 * how it is spread in time.
 */
#include "workload.h"

#define SLICE_MS        1
#define CATCH_UP_SLICES 4

static uint64_t last_slice_ms;

int sweep_due(struct table *t, uint64_t now_ms)
{
	if (now_ms - last_slice_ms >= SLICE_MS) {
		/*
		 * The slots due since the last slice, so the table is covered once
		 * per period; but never more than CATCH_UP_SLICES slices' worth at
		 * once: after the process was descheduled for a while, catching up
		 * in one go would be the very stall this variant exists to avoid,
		 * so it falls behind the schedule instead, a little.
		 */
		size_t count = t->n * (now_ms - last_slice_ms) / SWEEP_PERIOD_MS;
		size_t most = t->n * CATCH_UP_SLICES * SLICE_MS / SWEEP_PERIOD_MS;

		table_sweep(t, count < most ? count : most, now_ms);
		last_slice_ms = now_ms;
	}
	return SLICE_MS;
}

int main(int argc, char **argv)
{
	return serve(argc, argv);
}
