#ifndef HP_PERF_H
#define HP_PERF_H

#include <stdint.h>

/*
 * Hardware counters of the calling thread (and of the threads it creates
 * after hp_perf_init), user space only so no privilege is needed, through
 * perf_event_open(2). Where the kernel or a hypervisor refuses a counter it is
 * marked unavailable: callers must show "n/a", never a zero.
 *
 * Use: hp_perf_init(), hp_perf_start(), the measured code, hp_perf_stop(),
 * then read value[c] for each c where hp_perf_available(), and
 * hp_perf_release(). None of these allocates or prints.
 */
enum hp_perf_counter {
	HP_PERF_INSTRUCTIONS,
	HP_PERF_CYCLES,
	HP_PERF_CACHE_MISSES,
	HP_PERF_BRANCH_MISSES,
	HP_PERF_NCOUNTERS,
};

struct hp_perf {
	int fd[HP_PERF_NCOUNTERS]; /* -1 when unavailable */
	uint64_t start[HP_PERF_NCOUNTERS];
	uint64_t value[HP_PERF_NCOUNTERS]; /* deltas after hp_perf_stop() */
};

/*
 * The metric name of a counter: "hw_instructions", "hw_cycles",
 * "hw_cache_misses", "hw_branch_misses" (the "hw_" prefix keeps them apart
 * from the deterministic "instructions" that the runner counts with callgrind).
 * Returns NULL for a value outside the enum.
 */
const char *hp_perf_name(enum hp_perf_counter c);

/*
 * Open every counter it can, stopped, and zero start[] and value[]. Returns
 * how many are available (0 is not an error: the machine has no PMU, or
 * perf_event_paranoid forbids it). Does not allocate. Release with
 * hp_perf_release().
 */
int hp_perf_init(struct hp_perf *p);

/* Start counting. Unavailable counters are skipped. */
void hp_perf_start(struct hp_perf *p);

/*
 * Stop counting and set value[c] to the events since hp_perf_start(). A
 * counter that did not count the whole time it was enabled (the kernel had
 * more events than hardware counters and took turns) becomes unavailable:
 * its value would be an estimate, and it is reported as "n/a" instead.
 */
void hp_perf_stop(struct hp_perf *p);

/* 1 when counter c was opened and has a value, else 0. */
int hp_perf_available(const struct hp_perf *p, enum hp_perf_counter c);

/* Close the counters and mark them unavailable. Calling it again is harmless. */
void hp_perf_release(struct hp_perf *p);

#endif
