#ifndef HP_CH10_WIRE_H
#define HP_CH10_WIRE_H

#include <stdint.h>

/*
 * Decoding of the wire format of workload.h. Compiled on its own (wire.c),
 * as the decoding module of a real agent would be.
 */

/*
 * Decode the varint at p, which must end before end, into *v. Returns the
 * byte after it, or NULL when the varint runs past end or is longer than
 * ten bytes (more than 64 bits). Never allocates.
 */
const uint8_t *wire_varint(const uint8_t *p, const uint8_t *end, uint64_t *v);

/* Undo the zigzag encoding of a signed value (0, -1, 1, -2 ... -> 0, 1, 2, 3 ...). */
int64_t wire_unzigzag(uint64_t v);

#endif
