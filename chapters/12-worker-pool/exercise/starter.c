/*
 * Chapter 12 exercise: your copy of the naive variant. Serve the burst with
 * a fixed pool of one worker per core and a bounded queue (pool.h), without
 * changing what it prints.
 *
 * Here every request gets a detached thread of its own, so under the burst
 * the threads pile up, each stretching the others' latency. pool.h has the
 * pool; decide what the producer does when pool_submit() returns -EAGAIN
 * (every task must still run, so: wait for room, pool_wait_room()), shut
 * the pool down to drain it, and report peak_threads as the number of
 * workers. exercise/README.md says how to build and measure your version.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/opts.h"
#include "hp/report.h"
#include "hp/section.h"
#include "hp/time.h"
#include "hp/xalloc.h"

#include "workload.h"

/* What the task threads share with the producer. */
struct tracker {
	pthread_mutex_t lock;
	pthread_cond_t all_done;
	size_t left; /* tasks not finished yet */
	atomic_uint alive;
	unsigned peak; /* written by the producer only */
};

struct job {
	struct task *task;
	struct tracker *tr;
};

static void *task_thread(void *arg)
{
	struct job *j = arg;
	struct tracker *tr = j->tr;

	hp_section_thread_begin();
	task_run(j->task); /* a failure is in task->status; burst_print() counts it */
	atomic_fetch_sub(&tr->alive, 1);
	hp_section_thread_end();
	pthread_mutex_lock(&tr->lock);
	if (--tr->left == 0)
		pthread_cond_signal(&tr->all_done);
	pthread_mutex_unlock(&tr->lock);
	return NULL;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct burst b;
	struct tracker tr = {.lock = PTHREAD_MUTEX_INITIALIZER, .all_done = PTHREAD_COND_INITIALIZER};
	struct hp_section s;
	pthread_attr_t attr;
	int err;

	hp_opts_parse(&opt, argc, argv, BURST_OPTIONS);
	burst_init(&b, &opt);
	struct job *jobs = hp_xmalloc_array(b.n ? b.n : 1, sizeof *jobs);

	for (size_t i = 0; i < b.n; i++)
		jobs[i] = (struct job){&b.tasks[i], &tr};
	tr.left = b.n;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);

	hp_section_begin(&s);
	burst_start(&b);
	for (size_t i = 0; i < b.n; i++) {
		struct task *t = &b.tasks[i];
		pthread_t th;
		unsigned alive = atomic_fetch_add(&tr.alive, 1) + 1;

		if (alive > tr.peak)
			tr.peak = alive;
		burst_wait_arrival(&b, i);
		task_prepare(t);
		t->submit_ns = hp_now_ns();
		if ((err = pthread_create(&th, &attr, task_thread, &jobs[i])))
			hp_die("pthread_create (task %zu, %u threads alive): %s", i, alive - 1,
			       strerror(err));
	}
	pthread_mutex_lock(&tr.lock);
	while (tr.left > 0)
		pthread_cond_wait(&tr.all_done, &tr.lock);
	pthread_mutex_unlock(&tr.lock);
	hp_section_end(&s, b.n);

	hp_section_report(&s);
	burst_report_latency(&b);
	hp_report_metric("peak_threads", tr.peak, "threads", HP_LOWER_IS_BETTER);
	burst_print(&b);
	pthread_attr_destroy(&attr);
	free(jobs);
	burst_release(&b);
	return 0;
}
