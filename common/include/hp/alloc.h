#ifndef HP_ALLOC_H
#define HP_ALLOC_H

#include <stdint.h>

/*
 * The counters kept by hp-alloc.so, the LD_PRELOAD allocation counter
 * (common/src/alloc_preload.c). A program linked with libhp asks for them with
 * hp_alloc_snapshot(); it returns -ENOSYS when the counter is not preloaded.
 *
 * Counting starts when hp-alloc.so is loaded, so the totals include the
 * allocations of the dynamic loader and of libc's start-up: measure a piece
 * of code by the difference of two snapshots. Calls that fail (for lack of
 * memory, bad arguments or HP_ALLOC_FAIL_AT) allocate nothing and are not
 * counted. The counters are kept for the whole process, all threads
 * together. Under the counter every block costs a 16-byte header more, and
 * malloc_usable_size() returns the size that was asked for.
 *
 * Environment of hp-alloc.so, read once at start-up:
 *   HP_ALLOC_FAIL_AT=N   the Nth allocation call (1-based, counting malloc,
 *                        calloc, realloc, reallocarray and the aligned family
 *                        from start-up) returns NULL with errno ENOMEM, so
 *                        error paths can be tested. posix_memalign returns
 *                        ENOMEM instead. Only that one call fails. Calls
 *                        with invalid arguments (an overflowing calloc) and
 *                        realloc(p, 0), which frees, take no number.
 *   HP_ALLOC_REPORT=F    at exit, append the totals to F in the report
 *                        protocol (hp/report.h): allocs (mallocs + reallocs),
 *                        frees, alloc_bytes and peak_bytes. A forked child
 *                        that has not called exec does not report, since its
 *                        counts began as a copy of its parent's; a program it
 *                        execs loads the counter afresh and appends its own.
 */
struct hp_alloc_stats {
	uint64_t mallocs;    /* malloc, calloc, realloc(NULL, n), memalign family */
	uint64_t reallocs;   /* realloc or reallocarray of a block to a new size > 0 */
	uint64_t frees;      /* free of a non-NULL pointer, and realloc(p, 0) */
	uint64_t bytes;      /* bytes requested, realloc counts its new size */
	uint64_t live_bytes; /* requested bytes not yet freed */
	uint64_t peak_bytes; /* maximum of live_bytes */
};

/* Total allocation calls: mallocs + reallocs. */
static inline uint64_t hp_alloc_calls(const struct hp_alloc_stats *s)
{
	return s->mallocs + s->reallocs;
}

/*
 * Fill *s from the preloaded counter. Returns 0, or -ENOSYS (and zeroes *s)
 * when it is not loaded. Never allocates, so it does not disturb the counts.
 * Each field is read atomically, but while other threads allocate the six
 * fields may come from slightly different instants.
 */
int hp_alloc_snapshot(struct hp_alloc_stats *s);

/*
 * Lower the peak to the current live bytes, so a timed section can measure
 * its own peak. Returns 0, or -ENOSYS (and does nothing) when the counter is
 * not loaded. Never allocates.
 */
int hp_alloc_reset_peak(void);

/*
 * The interface between libhp and hp-alloc.so: defined only in hp-alloc.so,
 * and looked up at run time by hp_alloc_snapshot() and hp_alloc_reset_peak(),
 * which programs call instead. Declared here so both sides agree on the types.
 */
int hp_alloc_preload_snapshot(struct hp_alloc_stats *s);
void hp_alloc_preload_reset_peak(void);

#endif
