/*
 * The single-producer, single-consumer ring and the parker of chapter 13
 * (see ring.h for the contract and the memory ordering).
 *
 * The indexes count messages from 0 and never wrap in practice (2^64
 * messages); a slot is index & mask. The ring is full when next - head
 * equals the capacity, empty when head equals tail.
 *
 * The parker is a futex (Linux's "fast userspace mutex" system call used
 * as a wait queue keyed by an address): FUTEX_WAIT sleeps only if the word
 * still holds the expected value, which closes the window between the
 * owner's last check and its sleep. The _PRIVATE forms skip the kernel's
 * cross-process lookup: the word never leaves this process.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ring.h"

int ring_init(struct ring *r, size_t capacity)
{
	if (capacity < 2 || (capacity & (capacity - 1)))
		return -EINVAL;
	atomic_init(&r->tail, 0);
	atomic_init(&r->head, 0);
	r->next = 0;
	r->head_cache = 0;
	r->mask = capacity - 1;
	r->slots = calloc(capacity, sizeof *r->slots);
	return r->slots ? 0 : -ENOMEM;
}

void ring_release(struct ring *r)
{
	free(r->slots);
	r->slots = NULL;
}

void ring_publish(struct ring *r)
{
	atomic_store_explicit(&r->tail, r->next, memory_order_seq_cst);
}

int ring_has_room(struct ring *r)
{
	r->head_cache = atomic_load_explicit(&r->head, memory_order_seq_cst);
	return r->next - r->head_cache <= r->mask;
}

size_t ring_pop_batch(struct ring *r, struct msg *out, size_t max)
{
	/* Only this thread stores head: its own last value needs no ordering. */
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t n = tail - head < max ? tail - head : max;

	for (size_t i = 0; i < n; i++)
		out[i] = r->slots[(head + i) & r->mask];
	if (n > 0)
		atomic_store_explicit(&r->head, head + n, memory_order_seq_cst);
	return n;
}

int ring_empty(struct ring *r)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	return atomic_load_explicit(&r->tail, memory_order_seq_cst) == head;
}

static long futex(atomic_uint *word, int op, unsigned val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

void parker_init(struct parker *pk)
{
	atomic_init(&pk->seq, 0);
	atomic_init(&pk->sleeping, 0);
}

unsigned parker_prepare(struct parker *pk)
{
	unsigned key = atomic_load_explicit(&pk->seq, memory_order_seq_cst);

	atomic_store_explicit(&pk->sleeping, 1, memory_order_seq_cst);
	return key;
}

void parker_cancel(struct parker *pk)
{
	atomic_store_explicit(&pk->sleeping, 0, memory_order_relaxed);
}

void parker_sleep(struct parker *pk, unsigned key)
{
	/* EAGAIN (seq moved: a wake came first) and EINTR both mean: look again. */
	futex(&pk->seq, FUTEX_WAIT_PRIVATE, key);
	atomic_store_explicit(&pk->sleeping, 0, memory_order_relaxed);
}

int parker_wake(struct parker *pk)
{
	if (!atomic_load_explicit(&pk->sleeping, memory_order_seq_cst))
		return 0;
	/* Several threads may see the flag; one of them makes the system call. */
	if (!atomic_exchange_explicit(&pk->sleeping, 0, memory_order_seq_cst))
		return 0;
	atomic_fetch_add_explicit(&pk->seq, 1, memory_order_seq_cst);
	futex(&pk->seq, FUTEX_WAKE_PRIVATE, 1);
	return 1;
}
