/*
 * Chapter 12, optimized variant: a fixed pool with a bounded queue.
 *
 * The same burst as naive.c (workload.h), handed to a pool (pool.h) of
 * --workers threads, one per core by default, fed by a queue of --queue
 * slots. When the queue is full, pool_submit() says so at once (-EAGAIN),
 * and the producer answers the way this batch must, since every request's
 * result is printed: it queues externally. It leaves the rest of the burst
 * where it is (here the array of tasks; in a server, the socket buffers and
 * the clients' TCP windows) and waits for room before it reads the next
 * payload. That is backpressure: the burst is held outside the process,
 * where it costs no thread and no payload, instead of inside it.
 *
 * What changed from naive.c: the pool instead of pthread_create(), and the
 * wait for room. Threads alive: --workers, whatever the burst. Payloads
 * alive: at most --queue + --workers + 1 (the one the producer holds).
 * Latency, measured from acceptance as in naive.c: at most about
 * (--queue / --workers + 1) task times, because a task accepted behind a
 * full queue waits only for the tasks ahead of it, not for the whole burst.
 *
 * Why 8 slots: the queue is a latency budget, not a buffer to make as large
 * as memory allows. With two workers and tasks of about 0.4 ms, a full
 * queue is about 1.6 ms of work: enough that a worker never finds it empty
 * while the producer prepares the next payload, small enough that an
 * accepted task waits a few milliseconds at most. A first version had 64
 * slots and its p99 was several times the thread-per-task variant's: a big
 * queue buys back exactly the latency the pool was meant to bound. The other three answers to "full"
 * (shed, retry a bounded number of times, drop with a counter) are in
 * full.c, and chapter 12's README says when each is the honest one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hp/opts.h"
#include "hp/report.h"
#include "hp/section.h"
#include "hp/time.h"
#include "hp/xalloc.h"

#include "pool.h"
#include "workload.h"

/* --workers 0 (the default): one worker per online core. */
static unsigned pool_size(uint64_t workers)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (workers > 0)
		return workers > 1024 ? 1024 : (unsigned)workers;
	return cores > 0 ? (unsigned)cores : 1;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct burst b;
	struct pool pool;
	struct pool_stats st;
	struct hp_section s;
	int err;

	hp_opts_parse(&opt, argc, argv, BURST_OPTIONS);
	burst_init(&b, &opt);
	unsigned workers = pool_size(hp_opts_u64(&opt, "workers", 0));
	size_t queue = (size_t)hp_opts_u64(&opt, "queue", 8);

	hp_section_begin(&s);
	burst_start(&b);
	if ((err = pool_init(&pool, workers, queue)) < 0)
		hp_die("pool_init (%u workers, %zu slots): %s", workers, queue, strerror(-err));
	for (size_t i = 0; i < b.n; i++) {
		struct task *t = &b.tasks[i];

		burst_wait_arrival(&b, i);
		task_prepare(t);
		t->submit_ns = hp_now_ns();
		/* Full: queue externally. Wait for room, then stamp the time of
		 * the submission that is accepted (pool.h: room is not reserved,
		 * hence the loop, though this producer is the only one). */
		while ((err = pool_submit(&pool, task_run, t)) == -EAGAIN) {
			if ((err = pool_wait_room(&pool)) < 0)
				break;
			t->submit_ns = hp_now_ns();
		}
		if (err < 0)
			hp_die("pool_submit (task %zu): %s", i, strerror(-err));
	}
	pool_shutdown(&pool); /* drains: every accepted task runs */
	hp_section_end(&s, b.n);

	pool_stats(&pool, &st);
	pool_release(&pool);
	if (st.completed + st.failed != b.n)
		hp_die("the pool ran %llu tasks of %zu", (unsigned long long)(st.completed + st.failed), b.n);
	hp_section_report(&s);
	burst_report_latency(&b);
	/* The pool's threads are all alive from pool_init() to pool_shutdown(). */
	hp_report_metric("peak_threads", workers, "threads", HP_LOWER_IS_BETTER);
	hp_report_metric("rejected", (double)st.rejected, "submits", HP_LOWER_IS_BETTER);
	burst_print(&b);
	burst_release(&b);
	return 0;
}
