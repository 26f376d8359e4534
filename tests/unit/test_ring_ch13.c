/*
 * The single-producer, single-consumer ring and the parker of chapter 13
 * (chapters/13-queue-contention/ring.h): pushes are invisible until
 * published; a full ring refuses a push and writes nothing; pops come out
 * oldest first, across the wrap-around, at most max at a time; and, with a
 * producer and a consumer thread on a tiny ring that both sleep on their
 * parkers whenever they must, every message arrives exactly once and in
 * order (no lost wake-up: a lost one hangs the test).
 *
 * The unit tests link libhp only (common/mk/tests.mk), so this file
 * includes the chapter's ring.c directly: the code under test is the
 * chapter's own, not a copy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "../../chapters/13-queue-contention/ring.c"

static struct msg msg_of(uint64_t v)
{
	return (struct msg){.value = v, .key = (uint32_t)(v % 7), .producer = 0};
}

/* struct ring is over-aligned: aligned_alloc, not the stack's 16 bytes. */
static struct ring *ring_new(size_t capacity)
{
	struct ring *r = aligned_alloc(RING_ALIGN, sizeof *r);

	assert_non_null(r);
	assert_int_equal(ring_init(r, capacity), 0);
	return r;
}

static void ring_free(struct ring *r)
{
	ring_release(r);
	free(r);
}

static void test_init_rejects_bad_capacity(void **state)
{
	struct ring *r = aligned_alloc(RING_ALIGN, sizeof *r);

	assert_non_null(r);
	assert_int_equal(ring_init(r, 0), -EINVAL);
	assert_int_equal(ring_init(r, 1), -EINVAL);
	assert_int_equal(ring_init(r, 12), -EINVAL);
	free(r);
}

static void test_publish_makes_pushes_visible(void **state)
{
	struct ring *r = ring_new(8);
	struct msg out[8];
	struct msg m = msg_of(42);

	assert_int_equal(ring_try_push(r, &m), 1);
	assert_int_equal(ring_pending(r), 1);
	assert_int_equal(ring_empty(r), 1);
	assert_int_equal(ring_pop_batch(r, out, 8), 0);
	ring_publish(r);
	assert_int_equal(ring_pending(r), 0);
	assert_int_equal(ring_empty(r), 0);
	assert_int_equal(ring_pop_batch(r, out, 8), 1);
	assert_int_equal(out[0].value, 42);
	assert_int_equal(ring_empty(r), 1);
	ring_free(r);
}

static void test_full_ring_refuses_and_wraps(void **state)
{
	struct ring *r = ring_new(4);
	struct msg out[4];
	uint64_t next = 0, expect = 0;

	/* Fill, refuse, take some, refill across the end of the array, many times over. */
	for (int round = 0; round < 10; round++) {
		while (1) {
			struct msg m = msg_of(next);

			if (!ring_try_push(r, &m))
				break;
			next++;
		}
		assert_int_equal(ring_has_room(r), 0);
		ring_publish(r);
		size_t n = ring_pop_batch(r, out, 3); /* at most max */

		assert_int_equal(n, 3);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(out[i].value, expect++);
		assert_int_equal(ring_has_room(r), 1);
	}
	ring_publish(r);
	size_t n = ring_pop_batch(r, out, 4);

	assert_int_equal(n, 1);
	assert_int_equal(out[0].value, expect++);
	assert_int_equal(expect, next);
	ring_free(r);
}

static void test_wake_without_sleeper_is_free(void **state)
{
	struct parker pk;

	parker_init(&pk);
	assert_int_equal(parker_wake(&pk), 0);
	(void)parker_prepare(&pk);
	parker_cancel(&pk);
	assert_int_equal(parker_wake(&pk), 0);
	/* Announced and not cancelled: the wake is made, and a sleep with the old key returns at once. */
	unsigned key = parker_prepare(&pk);

	assert_int_equal(parker_wake(&pk), 1);
	parker_sleep(&pk, key);
	assert_int_equal(parker_wake(&pk), 0);
}

/* Two threads on a ring of 4 slots, both sleeping whenever they must. */
#define STRESS_MESSAGES 200000

struct pair {
	struct ring *r;
	struct parker producer, consumer;
	atomic_int done;
	uint64_t received, out_of_order, sleeps;
};

static void *stress_producer(void *arg)
{
	struct pair *pp = arg;

	for (uint64_t i = 0; i < STRESS_MESSAGES; i++) {
		struct msg m = msg_of(i);

		while (!ring_try_push(pp->r, &m)) {
			ring_publish(pp->r);
			parker_wake(&pp->consumer);
			unsigned key = parker_prepare(&pp->producer);

			if (ring_has_room(pp->r)) {
				parker_cancel(&pp->producer);
				continue;
			}
			parker_sleep(&pp->producer, key);
		}
		if (i % 3 == 0) { /* publish at odd moments, not only when full */
			ring_publish(pp->r);
			parker_wake(&pp->consumer);
		}
	}
	ring_publish(pp->r);
	atomic_store(&pp->done, 1);
	parker_wake(&pp->consumer);
	return NULL;
}

static void *stress_consumer(void *arg)
{
	struct pair *pp = arg;
	struct msg out[4];

	for (;;) {
		int done = atomic_load(&pp->done);
		size_t n = ring_pop_batch(pp->r, out, 4);

		if (n > 0) {
			parker_wake(&pp->producer);
			for (size_t i = 0; i < n; i++)
				pp->out_of_order += out[i].value != pp->received++;
			continue;
		}
		if (done)
			break;
		unsigned key = parker_prepare(&pp->consumer);

		if (atomic_load(&pp->done) || !ring_empty(pp->r)) {
			parker_cancel(&pp->consumer);
			continue;
		}
		parker_sleep(&pp->consumer, key);
		pp->sleeps++;
	}
	return NULL;
}

static void test_threads_sleep_and_lose_nothing(void **state)
{
	struct pair pp = {.r = ring_new(4)};
	pthread_t p, c;

	parker_init(&pp.producer);
	parker_init(&pp.consumer);
	atomic_init(&pp.done, 0);
	assert_int_equal(pthread_create(&c, NULL, stress_consumer, &pp), 0);
	assert_int_equal(pthread_create(&p, NULL, stress_producer, &pp), 0);
	assert_int_equal(pthread_join(p, NULL), 0);
	assert_int_equal(pthread_join(c, NULL), 0);
	assert_int_equal(pp.received, STRESS_MESSAGES);
	assert_int_equal(pp.out_of_order, 0);
	ring_free(pp.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_rejects_bad_capacity),
	    cmocka_unit_test(test_publish_makes_pushes_visible),
	    cmocka_unit_test(test_full_ring_refuses_and_wraps),
	    cmocka_unit_test(test_wake_without_sleeper_is_free),
	    cmocka_unit_test(test_threads_sleep_and_lose_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
