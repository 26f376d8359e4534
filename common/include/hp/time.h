#ifndef HP_TIME_H
#define HP_TIME_H

#include <stdint.h>

/*
 * Monotonic time in nanoseconds (CLOCK_MONOTONIC). Only differences are
 * meaningful. Never allocates; safe on the hot path (a vDSO call, no syscall).
 */
uint64_t hp_now_ns(void);

#endif
