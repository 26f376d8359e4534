#ifndef HP_CH14_WORKLOAD_H
#define HP_CH14_WORKLOAD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The workload of chapter 14, shared by both variants so that they do the
 * same work and `diff naive.c optimized.c` shows only how a request ends.
 *
 * A batch of --size requests, one after another. Each asks --replicas
 * replicas of a cache for the value of one key (a hedged request: ask them
 * all, take the first answer) and gives up on them at its deadline,
 * --deadline-ms after it started; then it fetches the value from the
 * origin itself (origin_fetch()), the slow path a cache exists to avoid.
 * Every replica and the origin hold the same value, so neither which
 * replica answered first nor whether the deadline passed changes the
 * output: the result does not depend on scheduling, which on a loaded
 * two-core machine can delay any thread by tens of milliseconds.
 *
 * A replica is one of three kinds, drawn from the seed, the request and the
 * replica's number (replica_plan()):
 *   - fast (3 in 4): it answers after 50 to 500 us;
 *   - slow (1 in 8): it answers, but only after three deadlines;
 *   - down (1 in 8): it never answers. Its connection is open and silent:
 *     a call waits on the read side of a pipe that nobody writes, until
 *     fanout_close_backends() closes the write side at the very end.
 * So about 1 request in 64 has no fast replica and times out.
 *
 * A call is what one replica's thread holds while it waits: the 4 KiB
 * buffer its reply is read into, and a timer descriptor that becomes
 * readable when the reply is due. A thread that never finishes keeps its
 * call, its stack and, for a slow reply, its descriptor.
 *
 * The result, printed by fanout_print(), is a digest of every request's
 * answer; the requests that timed out are a metric (timed_out), not output.
 */

/* The lesson's own options, for hp_opts_parse(). */
#define FANOUT_OPTIONS "replicas,deadline-ms,samples"
#define MAX_REPLICAS   8
#define CALL_BYTES     4096

struct sample {
	size_t request;   /* requests finished when it was taken */
	uint64_t t_us;    /* since the batch began */
	unsigned threads; /* the kernel's count, main thread included */
	unsigned long rss_kib, vm_kib;
};

struct fanout {
	size_t n;
	unsigned replicas;
	uint64_t seed;
	uint64_t deadline_ns;
	int down_rd, down_wr; /* the backend that is down: a pipe nobody writes */
	uint64_t *answers;
	uint64_t *wait_ns;   /* each request's time to its answer */
	uint64_t request_ns; /* when the current request began */
	size_t timed_out;    /* requests answered by the origin */
	size_t late;         /* of those, the ones with a fast replica: its reply came too late */

	/* The replica threads, counted for the metrics (fanout_thread_*). */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned alive;    /* started and not finished */
	unsigned peak;     /* the most alive at once */
	unsigned parked;   /* waiting where only a receiver or the end can wake them */
	unsigned replying; /* calls whose reply will still come and has not been read */

	/* --samples K: K snapshots of /proc/self/status during the batch. */
	size_t sample_every;
	struct sample *samples;
	size_t nsamples;
	uint64_t start_ns;
};

/*
 * Set up the batch from --size --seed --replicas --deadline-ms --samples
 * (the set-up, not timed): the answers' arrays and the down backend's
 * pipe. Dies on a bad argument. fanout_release() undoes it.
 */
struct hp_opts;
void fanout_init(struct fanout *f, const struct hp_opts *opt);
void fanout_release(struct fanout *f);

/* Start the batch's clock (for the samples). */
void fanout_start(struct fanout *f);

/*
 * A request begins now: return its deadline as an absolute CLOCK_MONOTONIC
 * time, for pthread_cond_timedwait(), and start its clock for the latency
 * fanout_record() records.
 */
struct timespec fanout_begin_request(struct fanout *f);

/* A condition variable that times out by CLOCK_MONOTONIC, as deadline_after() expects. */
void cond_init_monotonic(pthread_cond_t *c);

/*
 * The origin: the key's value, fetched the slow way by the caller itself
 * when no replica answered in time. The same value as every replica's.
 */
uint64_t origin_fetch(const struct fanout *f, size_t key);

/* Record request i's answer and whether a replica gave it (answered) or the origin. */
void fanout_record(struct fanout *f, size_t i, int answered, uint64_t answer);

/* Take a sample when --samples asks for one after request i. */
void fanout_sample(struct fanout *f, size_t i);

/* Print the result line on stdout. */
void fanout_print(const struct fanout *f);

/*
 * Thread accounting. The caller counts a replica thread as started just
 * before pthread_create() (so peak_threads does not depend on how soon
 * the thread runs); the thread counts itself as finished as the last thing
 * it does. A thread that waits where nothing but a receiver or the end of
 * the program can wake it brackets the wait with fanout_parked(f, +1) and
 * fanout_parked(f, -1).
 */
void fanout_thread_start(struct fanout *f);
void fanout_thread_exit(struct fanout *f);
void fanout_parked(struct fanout *f, int delta);

/*
 * After the batch: wait until every reply that will come has been read and
 * every thread still alive is parked, so that nothing can change any more
 * by itself, and return the number of threads alive: the threads leaked.
 */
unsigned fanout_settle(struct fanout *f);

/* Close the down backend's write side: every call waiting on it returns -EPIPE. */
void fanout_close_backends(struct fanout *f);

/* Wait until no replica thread is alive. */
void fanout_wait_exit(struct fanout *f);

/*
 * Report peak_threads, threads_leaked and vm_peak_mib (hp/report.h), and
 * print the samples, if any, on stderr. Call it after fanout_settle().
 */
void fanout_report(struct fanout *f, unsigned leaked);

/*
 * One replica's call for request req. call_new() allocates the call
 * (hp_xmalloc: aborts when out of memory) and sends the request: the
 * reply's timer is armed, or the call is attached to the down backend.
 * call_fd() is readable once the reply is in (or, for the down backend,
 * once it is closed). call_read() waits for the reply and reads it:
 * 0 with c->answer set, or -EPIPE when the backend closed without one.
 * call_free() closes the call, whether its reply was read or not.
 */
struct call {
	struct fanout *f;
	int fd;
	int down;    /* waits on the down backend's pipe, not on a timer */
	int replied; /* call_read() got the reply */
	uint64_t key;
	uint64_t answer;
	unsigned char buf[CALL_BYTES];
};

struct call *call_new(struct fanout *f, size_t req, unsigned replica);
int call_fd(const struct call *c);
int call_read(struct call *c);
void call_free(struct call *c);

#endif
