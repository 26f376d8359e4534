/*
 * The cancellation token of chapter 14 (chapters/14-cancellation/cancel.h)
 * and the calls its workers wait on (workload.h): a fired token wakes every
 * waiter, now or later, and wins over a reply that is ready at the same
 * moment; threads that wait on a backend that never answers all exit once
 * the token fires, so none is left to leak; and the naive variant's
 * teardown (closing the down backend) ends a blocking call with -EPIPE.
 *
 * As test_pool_ch12.c does, this file includes the chapter's sources, so
 * the code under test is the chapter's own. Every join has a time limit
 * (pthread_timedjoin_np): a thread that does not exit fails the test
 * instead of hanging it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "../../chapters/14-cancellation/cancel.c"
#include "../../chapters/14-cancellation/workload.c"

#define WAITERS 64

/* Join th within 5 seconds: 0, or ETIMEDOUT when it is still alive. */
static int join_within(pthread_t th, void **ret)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	return pthread_timedjoin_np(th, ret, &ts);
}

static void test_fire_is_idempotent_and_seen_later(void **state)
{
	struct cancel c;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(cancel_init(&c), 0);
	assert_int_equal(cancel_fired(&c), 0);
	cancel_fire(&c);
	cancel_fire(&c);
	assert_int_equal(cancel_fired(&c), 1);
	/* A waiter that arrives after the fire does not wait at all. */
	assert_int_equal(cancel_wait_fd(&c, p[0]), 0);
	assert_int_equal(cancel_wait_fd(&c, p[0]), 0);
	cancel_release(&c);
	close(p[0]);
	close(p[1]);
}

static void test_ready_fd_and_cancel_wins(void **state)
{
	struct cancel c;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(cancel_init(&c), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(cancel_wait_fd(&c, p[0]), 1);
	/* Ready and fired: a cancelled worker must not start on the reply. */
	cancel_fire(&c);
	assert_int_equal(cancel_wait_fd(&c, p[0]), 0);
	cancel_release(&c);
	close(p[0]);
	close(p[1]);
}

struct waiter {
	struct cancel *tok;
	int fd;
	int result;
};

static void *waiter_thread(void *arg)
{
	struct waiter *w = arg;

	w->result = cancel_wait_fd(w->tok, w->fd);
	return NULL;
}

static void test_every_waiter_exits_on_fire(void **state)
{
	struct cancel c;
	struct waiter w[WAITERS];
	pthread_t th[WAITERS];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0); /* nobody writes it: a backend that is down */
	assert_int_equal(cancel_init(&c), 0);
	for (int i = 0; i < WAITERS; i++) {
		w[i] = (struct waiter){.tok = &c, .fd = p[0], .result = -1};
		assert_int_equal(pthread_create(&th[i], NULL, waiter_thread, &w[i]), 0);
	}
	cancel_fire(&c);
	for (int i = 0; i < WAITERS; i++) {
		assert_int_equal(join_within(th[i], NULL), 0);
		assert_int_equal(w[i].result, 0);
	}
	cancel_release(&c);
	close(p[0]);
	close(p[1]);
}

/* A fanout of the chapter with its default options. */
static void fanout_default(struct fanout *f)
{
	char *argv[] = {"test", "--size", "64", NULL};
	struct hp_opts opt;

	hp_opts_parse(&opt, 3, argv, FANOUT_OPTIONS);
	fanout_init(f, &opt);
}

/* The first (request, replica) of the seed whose replica is down. */
static void find_down(const struct fanout *f, size_t *req, unsigned *r)
{
	uint64_t ns;

	for (*req = 0;; ++*req)
		for (*r = 0; *r < f->replicas; ++*r)
			if (replica_plan(f, *req, *r, &ns) == REPLICA_DOWN)
				return;
}

struct caller {
	struct fanout *f;
	struct call *c;
	struct cancel *tok; /* NULL: the naive blocking read */
	int result;
};

static void *call_thread(void *arg)
{
	struct caller *k = arg;

	if (k->tok)
		k->result = cancel_wait_fd(k->tok, call_fd(k->c));
	else
		k->result = call_read(k->c);
	fanout_thread_exit(k->f);
	return NULL;
}

static void test_down_backend_call_ends_on_cancel(void **state)
{
	struct fanout f;
	struct cancel c;
	struct caller k[WAITERS];
	pthread_t th[WAITERS];
	size_t req;
	unsigned r;

	(void)state;
	fanout_default(&f);
	find_down(&f, &req, &r);
	assert_int_equal(cancel_init(&c), 0);
	for (int i = 0; i < WAITERS; i++) {
		k[i] = (struct caller){&f, call_new(&f, req, r), &c, -1};
		fanout_thread_start(&f);
		assert_int_equal(pthread_create(&th[i], NULL, call_thread, &k[i]), 0);
	}
	cancel_fire(&c);
	for (int i = 0; i < WAITERS; i++) {
		assert_int_equal(join_within(th[i], NULL), 0);
		assert_int_equal(k[i].result, 0);
		call_free(k[i].c);
	}
	assert_int_equal(fanout_settle(&f), 0); /* nothing left: no thread leaked */
	assert_int_equal(f.peak, WAITERS);
	cancel_release(&c);
	fanout_release(&f);
}

static void test_down_backend_read_ends_at_teardown(void **state)
{
	struct fanout f;
	struct caller k[WAITERS];
	pthread_t th[WAITERS];
	size_t req;
	unsigned r;

	(void)state;
	fanout_default(&f);
	find_down(&f, &req, &r);
	for (int i = 0; i < WAITERS; i++) {
		k[i] = (struct caller){&f, call_new(&f, req, r), NULL, 1};
		fanout_thread_start(&f);
		assert_int_equal(pthread_create(&th[i], NULL, call_thread, &k[i]), 0);
	}
	/* All parked in the read, for good: settle counts them as leaked; the teardown wakes them. */
	assert_int_equal(fanout_settle(&f), WAITERS);
	fanout_close_backends(&f);
	for (int i = 0; i < WAITERS; i++) {
		assert_int_equal(join_within(th[i], NULL), 0);
		assert_int_equal(k[i].result, -EPIPE);
		call_free(k[i].c);
	}
	fanout_wait_exit(&f);
	assert_int_equal(f.parked, 0);
	fanout_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fire_is_idempotent_and_seen_later),
	    cmocka_unit_test(test_ready_fd_and_cancel_wins),
	    cmocka_unit_test(test_every_waiter_exits_on_fire),
	    cmocka_unit_test(test_down_backend_call_ends_on_cancel),
	    cmocka_unit_test(test_down_backend_read_ends_at_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
