/*
 * xoshiro256** by Blackman and Vigna, seeded with splitmix64 as its authors
 * recommend: fast (a few instructions per value), statistically strong for
 * workload generation, and with a fixed, documented sequence so that every
 * machine generates the same inputs for the same seed.
 */
#include "hp/prng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void hp_rng_init(struct hp_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t hp_rng_next(struct hp_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t hp_rng_below(struct hp_rng *r, uint64_t bound)
{
	/*
	 * Lemire's multiply-shift with rejection: unbiased, and the rejection
	 * branch is almost never taken for the small bounds lessons use.
	 */
	if (bound == 0)
		return 0;
	unsigned __int128 m = (unsigned __int128)hp_rng_next(r) * bound;
	uint64_t low = (uint64_t)m;
	if (low < bound) {
		uint64_t threshold = -bound % bound;
		while (low < threshold) {
			m = (unsigned __int128)hp_rng_next(r) * bound;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double hp_rng_double(struct hp_rng *r)
{
	return (double)(hp_rng_next(r) >> 11) * 0x1.0p-53;
}
