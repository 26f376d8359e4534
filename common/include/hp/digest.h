#ifndef HP_DIGEST_H
#define HP_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/*
 * A stable 64-bit digest (FNV-1a) of a stream of bytes and integers, so a
 * variant can print one line that stands for megabytes of output. Integers
 * are fed in little-endian byte order whatever the host, so digests are
 * portable. Not cryptographic. Caller-owned; never allocates.
 */
struct hp_digest {
	uint64_t h;
	uint64_t n; /* bytes fed so far */
};

void hp_digest_init(struct hp_digest *d);
void hp_digest_bytes(struct hp_digest *d, const void *buf, size_t len);
void hp_digest_u64(struct hp_digest *d, uint64_t v);

/* The digest as 16 lowercase hex digits plus NUL into out[17]. */
void hp_digest_hex(const struct hp_digest *d, char out[17]);

#endif
