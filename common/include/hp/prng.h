#ifndef HP_PRNG_H
#define HP_PRNG_H

#include <stdint.h>

/*
 * A small, fast, seeded generator (xoshiro256**, seeded through splitmix64).
 * The sequence for a given seed is part of the project's contract: lessons
 * generate their inputs with it, so changing it changes every digest.
 * tests/unit/test_prng.c pins the first values for known seeds.
 * Caller-owned; never allocates.
 */
struct hp_rng {
	uint64_t s[4];
};

void hp_rng_init(struct hp_rng *r, uint64_t seed);
uint64_t hp_rng_next(struct hp_rng *r);

/* Uniform in [0, bound) without modulo bias; bound 0 returns 0. */
uint64_t hp_rng_below(struct hp_rng *r, uint64_t bound);

/* Uniform in [0, 1) with 53 random bits. */
double hp_rng_double(struct hp_rng *r);

#endif
