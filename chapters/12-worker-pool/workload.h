#ifndef HP_CH12_WORKLOAD_H
#define HP_CH12_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * The workload of chapter 12, shared by both variants so that they do the
 * same work and `diff naive.c optimized.c` shows only how tasks reach a
 * thread.
 *
 * A burst of --size requests arrives, one every --gap-us microseconds: an
 * open-loop arrival schedule, as clients send requests whether or not the
 * service keeps up. The default gap is about half a task's cost on one of
 * the two cores, so the burst asks for twice what the machine can do.
 * Each request carries a payload of --payload bytes (made from the seed and
 * the request's index when it is submitted, as a request's body is read
 * when it arrives) and asks for its fingerprint: --passes passes of a 64-bit hash over the payload, which
 * stands for the CPU work of a request (parsing, hashing, compressing). A
 * request whose fingerprint is a multiple of 64 fails its validation (about
 * 1 in 64): the task returns -EBADMSG, as a real handler returns an error.
 *
 * The latency of a request is the time from its submission to the end of
 * its task. The result, printed by burst_print(), is the number of tasks
 * that completed and that failed and a digest of their fingerprints that
 * does not depend on the order in which they ran.
 */
struct task {
	uint64_t index;
	uint64_t seed;
	unsigned char *payload; /* from task_prepare(); freed by task_run() */
	size_t len;
	unsigned passes;
	uint64_t submit_ns; /* set by the producer just before it submits */
	uint64_t done_ns;   /* set by task_run() */
	uint64_t fingerprint;
	int status; /* 0, -EBADMSG, or 1 while the task has not run */
};

struct burst {
	struct task *tasks;
	size_t n;
	uint64_t gap_ns; /* between two arrivals */
	uint64_t start_ns;
};

/* The lesson's own options, for hp_opts_parse(). */
#define BURST_OPTIONS "payload,passes,gap-us,workers,queue"

/*
 * Set up the burst from the options --size --seed --payload --passes
 * --gap-us (the set-up, not timed). Dies on a bad argument.
 */
struct hp_opts;
void burst_init(struct burst *b, const struct hp_opts *opt);
void burst_release(struct burst *b);

/* Start the arrival clock: request 0 is due now. */
void burst_start(struct burst *b);

/*
 * Sleep until request i is due (return at once when it already is). The
 * producer calls it before it takes request i.
 */
void burst_wait_arrival(const struct burst *b, size_t i);

/*
 * Allocate and fill task t's payload (hp_xmalloc: aborts when out of
 * memory). The producer calls it when the request arrives.
 */
void task_prepare(struct task *t);

/*
 * The task: fingerprint the payload, free it, record the status and the
 * completion time. arg is a struct task. Returns 0 or -EBADMSG. Safe to run
 * on any thread; touches only its own struct task.
 */
int task_run(void *arg);

/*
 * Print the result line on stdout. Call it when every task has finished
 * (after a join or the pool's shutdown), and only then.
 */
void burst_print(const struct burst *b);

/* Report p50_task_us and p99_task_us of the tasks that ran (hp/report.h). */
void burst_report_latency(const struct burst *b);

#endif
