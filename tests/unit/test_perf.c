/*
 * Tests of the hardware counters (common/src/perf.c).
 *
 * Whether counters exist depends on the machine: most virtual machines
 * expose no PMU, and perf_event_paranoid may forbid them. The tests that
 * need a counter are named test_counting_* and are left out, with a TAP
 * comment saying why, when the instruction counter cannot be opened. They
 * use cmocka's skip filter rather than skip(), because cmocka 1.1.5
 * (Debian 12) prints a skipped test as "not ok N # SKIP", which prove counts
 * as a failure. The other tests run everywhere: whatever the machine, init,
 * start, stop and release must neither crash nor leak a descriptor, and an
 * unavailable counter must say so.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hp/perf.h"

/* Each iteration is at least one add and one store, so this many instructions or more. */
enum { BUSY_LOOP = 10 * 1000 * 1000 };

static void *busy_loop(void *arg)
{
	volatile uint64_t sum = 0;

	for (uint64_t i = 0; i < BUSY_LOOP; i++)
		sum += i;
	(void)sum;
	return arg;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(hp_perf_name(HP_PERF_INSTRUCTIONS), "hw_instructions");
	assert_string_equal(hp_perf_name(HP_PERF_CYCLES), "hw_cycles");
	assert_string_equal(hp_perf_name(HP_PERF_CACHE_MISSES), "hw_cache_misses");
	assert_string_equal(hp_perf_name(HP_PERF_BRANCH_MISSES), "hw_branch_misses");
	assert_null(hp_perf_name(HP_PERF_NCOUNTERS));
}

/* The count init returns matches the descriptors, and available() agrees. */
static void test_init_count_matches(void **state)
{
	struct hp_perf p;
	int n, nopen = 0;

	(void)state;
	n = hp_perf_init(&p);
	assert_in_range(n, 0, HP_PERF_NCOUNTERS);
	for (int c = 0; c < HP_PERF_NCOUNTERS; c++) {
		assert_int_equal(hp_perf_available(&p, c), p.fd[c] >= 0);
		assert_int_equal(p.start[c], 0);
		assert_int_equal(p.value[c], 0);
		nopen += p.fd[c] >= 0;
	}
	assert_int_equal(nopen, n);
	assert_false(hp_perf_available(&p, HP_PERF_NCOUNTERS));
	hp_perf_release(&p);
}

/*
 * start and stop work on any mix of counters, an unavailable one keeps the
 * value 0 that callers must not show, and release may be called twice.
 */
static void test_start_stop_release(void **state)
{
	struct hp_perf p;

	(void)state;
	hp_perf_init(&p);
	hp_perf_start(&p);
	busy_loop(NULL);
	hp_perf_stop(&p);
	for (int c = 0; c < HP_PERF_NCOUNTERS; c++)
		if (!hp_perf_available(&p, c))
			assert_int_equal(p.value[c], 0);
	hp_perf_release(&p);
	hp_perf_release(&p);
	for (int c = 0; c < HP_PERF_NCOUNTERS; c++) {
		assert_int_equal(p.fd[c], -1);
		assert_false(hp_perf_available(&p, c));
	}
}

/*
 * Release closes every descriptor: a leak of four per round would exhaust
 * the usual limit of 1024 open files long before the last round.
 */
static void test_release_closes(void **state)
{
	struct hp_perf p;
	int first = -1;

	(void)state;
	for (int round = 0; round < 1000; round++) {
		int n = hp_perf_init(&p);

		if (round == 0)
			first = n;
		assert_int_equal(n, first);
		hp_perf_release(&p);
	}
}

static void test_counting_busy_loop(void **state)
{
	struct hp_perf p;

	(void)state;
	hp_perf_init(&p);
	hp_perf_start(&p);
	busy_loop(NULL);
	hp_perf_stop(&p);
	assert_true(hp_perf_available(&p, HP_PERF_INSTRUCTIONS));
	assert_in_range(p.value[HP_PERF_INSTRUCTIONS], BUSY_LOOP, UINT64_MAX);
	if (hp_perf_available(&p, HP_PERF_CYCLES))
		assert_in_range(p.value[HP_PERF_CYCLES], 1, UINT64_MAX);
	hp_perf_release(&p);
}

/* Nothing is counted outside start and stop. */
static void test_counting_only_between_start_and_stop(void **state)
{
	struct hp_perf p;

	(void)state;
	hp_perf_init(&p);
	busy_loop(NULL);
	hp_perf_start(&p);
	hp_perf_stop(&p);
	busy_loop(NULL);
	assert_true(hp_perf_available(&p, HP_PERF_INSTRUCTIONS));
	assert_in_range(p.value[HP_PERF_INSTRUCTIONS], 0, BUSY_LOOP / 10);
	hp_perf_release(&p);
}

/* inherit: a thread created after init is counted with its creator. */
static void test_counting_threads(void **state)
{
	struct hp_perf p;
	pthread_t tid;

	(void)state;
	hp_perf_init(&p);
	hp_perf_start(&p);
	assert_int_equal(pthread_create(&tid, NULL, busy_loop, NULL), 0);
	assert_int_equal(pthread_join(tid, NULL), 0);
	hp_perf_stop(&p);
	assert_true(hp_perf_available(&p, HP_PERF_INSTRUCTIONS));
	assert_in_range(p.value[HP_PERF_INSTRUCTIONS], BUSY_LOOP, UINT64_MAX);
	hp_perf_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_init_count_matches),
	    cmocka_unit_test(test_start_stop_release),
	    cmocka_unit_test(test_release_closes),
	    cmocka_unit_test(test_counting_busy_loop),
	    cmocka_unit_test(test_counting_only_between_start_and_stop),
	    cmocka_unit_test(test_counting_threads),
	};
	struct hp_perf p;
	int have;

	hp_perf_init(&p);
	have = hp_perf_available(&p, HP_PERF_INSTRUCTIONS);
	hp_perf_release(&p);
	if (!have) {
		printf("# SKIP test_counting_*: no hardware instruction counter here "
		       "(no PMU exposed, as in most virtual machines, or perf_event_paranoid forbids it)\n");
		cmocka_set_skip_filter("test_counting_*");
	}
	return cmocka_run_group_tests_name("perf", tests, NULL, NULL);
}
