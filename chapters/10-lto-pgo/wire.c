/*
 * The varint decoder of chapter 10 (see wire.h). Written plainly: a loop
 * over the bytes, checking the end of the buffer before every read. Most
 * varints of the workload are one byte long, so the loop usually runs once;
 * the compiler cannot know that unless a profile tells it.
 */
#include <stddef.h>

#include "wire.h"

const uint8_t *wire_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p == end)
			return NULL;
		uint8_t b = *p++;

		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return p;
		}
	}
	return NULL;
}

int64_t wire_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}
