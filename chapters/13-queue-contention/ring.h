#ifndef HP_CH13_RING_H
#define HP_CH13_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

/*
 * A bounded single-producer, single-consumer ring of messages, and a
 * parker: the two parts of chapter 13's optimized variant.
 *
 * The ring has no lock. Exactly one thread pushes and exactly one thread
 * pops; each owns one index and only reads the other's. The producer's
 * pushes are private until it publishes them (ring_publish()), so a batch
 * of pushes costs one store that the consumer can see; the consumer takes
 * everything available in one call (ring_pop_batch()), so a batch of pops
 * costs one store that the producer can see. The published indexes sit on
 * cache lines of their own (RING_ALIGN), so the two threads' writes never
 * share a line.
 *
 * Memory ordering: the producer writes the slots, then stores the tail
 * with release ordering (at least); the consumer loads the tail with
 * acquire ordering, then reads the slots: it sees every slot the tail
 * covers. The same pair, the other way, protects the slots the consumer
 * frees. Both published stores are sequentially consistent, and so are the
 * rechecks ring_empty() and ring_has_room(): that is what lets a thread go
 * to sleep on a parker without missing the message that should wake it
 * (see struct parker).
 *
 * Nothing here allocates except ring_init().
 */

/*
 * 128 bytes, not 64: chapter 05's measurement. Intel's spatial prefetcher
 * fetches lines in 128-byte pairs, so indexes 64 bytes apart can still
 * slow each other down there.
 */
#define RING_ALIGN 128

struct ring {
	/* Written by the producer when it publishes; read by the consumer. */
	alignas(RING_ALIGN) atomic_size_t tail;
	/* Written by the consumer when it pops; read by the producer when its copy says full. */
	alignas(RING_ALIGN) atomic_size_t head;
	/* The producer's own: the next slot to write, and its last look at head. */
	alignas(RING_ALIGN) size_t next;
	size_t head_cache;
	/* Read-only after ring_init(). */
	alignas(RING_ALIGN) struct msg *slots;
	size_t mask; /* capacity - 1 */
};

/*
 * Set up an empty ring of capacity slots, a power of two from 2 up.
 * Returns 0, -EINVAL for a bad capacity, or -ENOMEM.
 */
int ring_init(struct ring *r, size_t capacity);
void ring_release(struct ring *r);

/*
 * Producer: copy *m into the next slot. Returns 1, or 0 when the ring is
 * full (nothing is written). The message stays invisible to the consumer
 * until ring_publish(). Never blocks; on the fast path it touches only the
 * producer's own line and the slot.
 */
static inline int ring_try_push(struct ring *r, const struct msg *m)
{
	if (r->next - r->head_cache > r->mask) {
		/* Full as far as we knew: look at the consumer's index again. */
		r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
		if (r->next - r->head_cache > r->mask)
			return 0;
	}
	r->slots[r->next & r->mask] = *m;
	r->next++;
	return 1;
}

/* Producer: messages pushed but not published yet. */
static inline size_t ring_pending(const struct ring *r)
{
	return r->next - atomic_load_explicit(&r->tail, memory_order_relaxed);
}

/* Producer: make every pushed message visible to the consumer (one store). */
void ring_publish(struct ring *r);

/* Producer, before it sleeps: 1 when a slot is free (a sequentially consistent load). */
int ring_has_room(struct ring *r);

/*
 * Consumer: move up to max published messages into out[], oldest first,
 * and free their slots (one store). Returns how many; 0 when the ring is
 * empty.
 */
size_t ring_pop_batch(struct ring *r, struct msg *out, size_t max);

/* Consumer, before it sleeps: 1 when nothing is published (a sequentially consistent load). */
int ring_empty(struct ring *r);

/*
 * A parker lets one thread sleep in the kernel until another has
 * something for it, without a lock: a futex word (seq) and a flag that
 * says the owner is about to sleep or sleeps.
 *
 * The owner, having found nothing to do:
 *
 *     key = parker_prepare(pk);            announce: "I am going to sleep"
 *     if (there is something after all)    recheck (ring_empty(), ...)
 *             parker_cancel(pk);
 *     else
 *             parker_sleep(pk, key);       futex wait, unless seq moved
 *
 * Another thread, having made something for it (ring_publish(), ...):
 *
 *     parker_wake(pk);                     a futex wake only if announced
 *
 * Both sides store, then load the other's variable, all sequentially
 * consistent: either the waker sees the announcement, or the owner's
 * recheck sees the waker's work. A wake that comes after the key was read
 * moves seq, so the futex wait returns at once instead of sleeping. A
 * thread that has nothing to wake pays one load, no system call.
 */
struct parker {
	alignas(RING_ALIGN) atomic_uint seq;
	atomic_uint sleeping;
};

void parker_init(struct parker *pk);

/* Owner: announce the sleep; returns the key for parker_sleep(). */
unsigned parker_prepare(struct parker *pk);

/* Owner: the recheck found work; withdraw the announcement. */
void parker_cancel(struct parker *pk);

/* Owner: sleep until woken (or return at once if a wake came after the key was read). */
void parker_sleep(struct parker *pk, unsigned key);

/*
 * Anyone: wake the owner if it announced a sleep. Returns 1 when it made
 * the wake system call, 0 when there was nobody to wake (one load).
 */
int parker_wake(struct parker *pk);

/* A polite pause for a spinning thread (x86 PAUSE, Arm YIELD). */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

#endif
