/*
 * The worker pool of chapter 12 (chapters/12-worker-pool/pool.h) and the
 * four answers to a full queue (full.h): submit returns -EAGAIN at once
 * when the queue is full; a failing task is counted and its worker goes
 * on; shutdown is idempotent, drains the queue, and, with threads
 * submitting while it runs, every submit either fails or its task runs
 * exactly once.
 *
 * The unit tests link libhp only (common/mk/tests.mk builds every
 * tests/unit/test_*.c the same way), so this file includes the chapter's
 * pool.c and full.c directly: the code under test is the chapter's own,
 * not a copy.
 *
 * "Full" is made deterministic with a gate: tasks that block until the
 * test opens it keep every worker busy, so the queue fills exactly when
 * the test says it does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "../../chapters/12-worker-pool/full.c"
#include "../../chapters/12-worker-pool/pool.c"

/* A gate that blocked tasks wait on, and a count of the tasks that started. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int open;
	unsigned started;
};

static void gate_init(struct gate *g)
{
	*g = (struct gate){.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
}

static int gate_task(void *arg)
{
	struct gate *g = arg;

	pthread_mutex_lock(&g->lock);
	g->started++;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	return 0;
}

static void gate_wait_started(struct gate *g, unsigned n)
{
	pthread_mutex_lock(&g->lock);
	while (g->started < n)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = 1;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* A task that counts its runs in its own counter; odd ids fail. */
struct counted {
	atomic_uint runs;
	unsigned id;
};

static int counted_task(void *arg)
{
	struct counted *c = arg;

	atomic_fetch_add(&c->runs, 1);
	return c->id % 2 ? -EIO : 0;
}

static void discard_counted(void *arg)
{
	(void)arg; /* nothing to free: the test owns the struct */
}

/* Two workers held at the gate, so the queue of `cap` slots fills from the test. */
static void start_gated(struct pool *p, struct gate *g, size_t cap)
{
	gate_init(g);
	assert_int_equal(pool_init(p, 2, cap), 0);
	/* With one slot, the second must wait for a worker to take the first. */
	assert_int_equal(submit_or_wait(p, gate_task, g), 0);
	assert_int_equal(submit_or_wait(p, gate_task, g), 0);
	gate_wait_started(g, 2);
}

static void test_init_rejects_zero(void **state)
{
	struct pool p;

	(void)state;
	assert_int_equal(pool_init(&p, 0, 4), -EINVAL);
	assert_int_equal(pool_init(&p, 2, 0), -EINVAL);
}

static void test_full_returns_eagain_at_once(void **state)
{
	struct pool p;
	struct gate g;
	struct counted c[5] = {0};
	struct pool_stats st;

	(void)state;
	start_gated(&p, &g, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pool_submit(&p, counted_task, &c[i]), 0);
	assert_int_equal(pool_submit(&p, counted_task, &c[4]), -EAGAIN);
	gate_open(&g);
	assert_int_equal(pool_shutdown(&p), 0);
	pool_stats(&p, &st);
	assert_int_equal(st.accepted, 6);
	assert_int_equal(st.rejected, 1);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(atomic_load(&c[i].runs), 1);
	assert_int_equal(atomic_load(&c[4].runs), 0);
	pool_release(&p);
}

struct waiter {
	struct pool *p;
	struct counted *c;
	int err;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->err = submit_or_wait(w->p, counted_task, w->c);
	return NULL;
}

static void test_four_answers_to_full(void **state)
{
	struct pool p;
	struct gate g;
	struct counted filler = {0}, shed = {0}, retried = {0}, dropped = {0}, waited = {0};
	uint64_t nshed = 0, ndropped = 0;
	struct waiter w = {.c = &waited};
	pthread_t th;

	(void)state;
	start_gated(&p, &g, 1);
	assert_int_equal(pool_submit(&p, counted_task, &filler), 0);

	/* Shed: an error at once, counted. */
	assert_int_equal(submit_or_shed(&p, counted_task, &shed, &nshed), -EAGAIN);
	assert_int_equal(nshed, 1);
	/* Retry: three attempts (sleeping 100 and 200 us), then the error. */
	assert_int_equal(submit_retry(&p, counted_task, &retried, 3, 100), -EAGAIN);
	/* Drop: handled (0), discarded, counted. */
	assert_int_equal(submit_or_drop(&p, counted_task, &dropped, discard_counted, &ndropped), 0);
	assert_int_equal(ndropped, 1);
	/* Queue externally: blocks until the gate opens, then is accepted. */
	w.p = &p;
	assert_int_equal(pthread_create(&th, NULL, wait_thread, &w), 0);
	gate_open(&g);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.err, 0);

	assert_int_equal(pool_shutdown(&p), 0);
	assert_int_equal(atomic_load(&filler.runs), 1);
	assert_int_equal(atomic_load(&shed.runs), 0);
	assert_int_equal(atomic_load(&retried.runs), 0);
	assert_int_equal(atomic_load(&dropped.runs), 0);
	assert_int_equal(atomic_load(&waited.runs), 1);
	pool_release(&p);
}

static void test_failing_tasks_are_counted(void **state)
{
	enum { N = 200 };
	struct pool p;
	struct counted *c = calloc(N, sizeof *c);
	struct pool_stats st;

	(void)state;
	assert_non_null(c);
	assert_int_equal(pool_init(&p, 2, 4), 0);
	for (unsigned i = 0; i < N; i++) {
		c[i].id = i;
		assert_int_equal(submit_or_wait(&p, counted_task, &c[i]), 0);
	}
	assert_int_equal(pool_shutdown(&p), 0);
	pool_stats(&p, &st);
	assert_int_equal(st.completed, N / 2);
	assert_int_equal(st.failed, N / 2);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(atomic_load(&c[i].runs), 1);
	pool_release(&p);
	free(c);
}

static void test_shutdown_drains_and_is_idempotent(void **state)
{
	struct pool p;
	struct gate g;
	struct counted c[8] = {0};

	(void)state;
	start_gated(&p, &g, 8);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(pool_submit(&p, counted_task, &c[i]), 0);
	gate_open(&g);
	/* Queued tasks are still waiting; shutdown must run them all. */
	assert_int_equal(pool_shutdown(&p), 0);
	assert_int_equal(pool_shutdown(&p), 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(atomic_load(&c[i].runs), 1);
	assert_int_equal(pool_submit(&p, counted_task, &c[0]), -ESHUTDOWN);
	assert_int_equal(pool_wait_room(&p), -ESHUTDOWN);
	assert_int_equal(atomic_load(&c[0].runs), 1);
	pool_release(&p); /* shuts down a third time */
}

/* Concurrent submit during shutdown. */
enum { SUBMITTERS = 4, PER_SUBMITTER = 2000 };

struct submitter {
	struct pool *p;
	struct counted *c; /* PER_SUBMITTER tasks of its own */
	int err[PER_SUBMITTER];
};

static void *submit_thread(void *arg)
{
	struct submitter *s = arg;

	for (unsigned i = 0; i < PER_SUBMITTER; i++)
		s->err[i] = pool_submit(s->p, counted_task, &s->c[i]);
	return NULL;
}

static void *shutdown_thread(void *arg)
{
	pool_shutdown(arg);
	return NULL;
}

static void test_submit_during_shutdown(void **state)
{
	struct pool p;
	struct submitter *s = calloc(SUBMITTERS, sizeof *s);
	struct counted *c = calloc((size_t)SUBMITTERS * PER_SUBMITTER, sizeof *c);
	pthread_t sub[SUBMITTERS], closer[2];
	struct pool_stats st;
	uint64_t accepted = 0;

	(void)state;
	assert_non_null(s);
	assert_non_null(c);
	assert_int_equal(pool_init(&p, 2, 16), 0);
	for (unsigned k = 0; k < SUBMITTERS; k++) {
		s[k].p = &p;
		s[k].c = &c[k * PER_SUBMITTER];
		assert_int_equal(pthread_create(&sub[k], NULL, submit_thread, &s[k]), 0);
	}
	/* Two shutdowns race each other and the submitters. */
	for (unsigned k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&closer[k], NULL, shutdown_thread, &p), 0);
	for (unsigned k = 0; k < 2; k++)
		assert_int_equal(pthread_join(closer[k], NULL), 0);
	/* Both shutdowns have returned: whatever was accepted has run. */
	for (unsigned k = 0; k < SUBMITTERS; k++)
		assert_int_equal(pthread_join(sub[k], NULL), 0);
	for (unsigned k = 0; k < SUBMITTERS; k++)
		for (unsigned i = 0; i < PER_SUBMITTER; i++) {
			int err = s[k].err[i];
			unsigned runs = atomic_load(&s[k].c[i].runs);

			if (err == 0) {
				accepted++;
				if (runs != 1)
					fail_msg("submitter %u task %u: accepted, ran %u times", k, i, runs);
			} else if (err == -EAGAIN || err == -ESHUTDOWN) {
				if (runs != 0)
					fail_msg("submitter %u task %u: refused (%d), ran %u times", k, i,
					         err, runs);
			} else {
				fail_msg("submitter %u task %u: unexpected error %d", k, i, err);
			}
		}
	pool_stats(&p, &st);
	assert_int_equal(st.accepted, accepted);
	assert_int_equal(st.completed + st.failed, accepted);
	pool_release(&p);
	free(c);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_rejects_zero),
	    cmocka_unit_test(test_full_returns_eagain_at_once),
	    cmocka_unit_test(test_four_answers_to_full),
	    cmocka_unit_test(test_failing_tasks_are_counted),
	    cmocka_unit_test(test_shutdown_drains_and_is_idempotent),
	    cmocka_unit_test(test_submit_during_shutdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
