/*
 * The batch of chapter 14 (see workload.h): the replicas' plans from the
 * seed, the calls (a timerfd per reply, a silent pipe for the backend that
 * is down), the thread accounting behind peak_threads and threads_leaked,
 * the samples of /proc/self/status and the result line.
 *
 * Replies are timers, not computation, because a hedged request waits: its
 * cost is the replicas' latency, and the threads that wait for it use no
 * CPU. What they use is a stack, a descriptor and the call's buffer, for as
 * long as they live, and that is what this chapter measures.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "hp/digest.h"
#include "hp/hist.h"
#include "hp/opts.h"
#include "hp/report.h"
#include "hp/time.h"
#include "hp/xalloc.h"

#include "workload.h"

enum replica_kind {
	REPLICA_FAST,
	REPLICA_SLOW,
	REPLICA_DOWN,
};

static enum replica_kind replica_plan(const struct fanout *f, size_t req, unsigned r, uint64_t *latency_ns);

/* splitmix64's output function (Steele, Lea and Flood, 2014). */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void fanout_init(struct fanout *f, const struct hp_opts *opt)
{
	uint64_t replicas = hp_opts_u64(opt, "replicas", 3);
	uint64_t deadline_ms = hp_opts_u64(opt, "deadline-ms", 10);
	uint64_t samples = hp_opts_u64(opt, "samples", 0);
	int p[2];

	if (replicas == 0 || replicas > MAX_REPLICAS)
		hp_die("--replicas %" PRIu64 ": between 1 and %d", replicas, MAX_REPLICAS);
	/* At least 2 ms: above the fast replies' 0.5 ms, or every request would time out. */
	if (deadline_ms < 2 || deadline_ms > 10000)
		hp_die("--deadline-ms %" PRIu64 ": between 2 and 10000", deadline_ms);
	if (samples > 1000)
		hp_die("--samples %" PRIu64 ": at most 1000", samples);
	*f = (struct fanout){
	    .n = (size_t)opt->size,
	    .replicas = (unsigned)replicas,
	    .seed = opt->seed,
	    .deadline_ns = deadline_ms * 1000000,
	    .lock = PTHREAD_MUTEX_INITIALIZER,
	    .changed = PTHREAD_COND_INITIALIZER,
	};
	f->answers = hp_xcalloc(f->n ? f->n : 1, sizeof *f->answers);
	f->wait_ns = hp_xcalloc(f->n ? f->n : 1, sizeof *f->wait_ns);
	if (samples > 0 && f->n > 0) {
		f->sample_every = (f->n + samples - 1) / samples;
		f->samples = hp_xcalloc(samples + 1, sizeof *f->samples);
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		hp_die("pipe2: %s", strerror(errno));
	f->down_rd = p[0];
	f->down_wr = p[1];
}

void fanout_release(struct fanout *f)
{
	fanout_close_backends(f);
	close(f->down_rd);
	free(f->answers);
	free(f->wait_ns);
	free(f->samples);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->changed);
}

void fanout_start(struct fanout *f)
{
	f->start_ns = hp_now_ns();
}

struct timespec fanout_begin_request(struct fanout *f)
{
	f->request_ns = hp_now_ns();
	uint64_t due = f->request_ns + f->deadline_ns; /* hp_now_ns() is CLOCK_MONOTONIC */

	return (struct timespec){.tv_sec = (time_t)(due / 1000000000), .tv_nsec = (long)(due % 1000000000)};
}

void cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
}

void fanout_record(struct fanout *f, size_t i, int answered, uint64_t answer)
{
	uint64_t ns;

	f->answers[i] = answer;
	f->wait_ns[i] = hp_now_ns() - f->request_ns;
	if (answered)
		return;
	f->timed_out++;
	for (unsigned r = 0; r < f->replicas; r++)
		if (replica_plan(f, i, r, &ns) == REPLICA_FAST) {
			f->late++; /* a reply was due long before the deadline */
			break;
		}
}

void fanout_print(const struct fanout *f)
{
	struct hp_digest d;
	char hex[17];

	hp_digest_init(&d);
	for (size_t i = 0; i < f->n; i++)
		hp_digest_u64(&d, f->answers[i]);
	hp_digest_hex(&d, hex);
	printf("requests %zu digest %s\n", f->n, hex);
}

/* ---------------------------------------------------------------------------
 * Thread accounting
 */

void fanout_thread_start(struct fanout *f)
{
	pthread_mutex_lock(&f->lock);
	if (++f->alive > f->peak)
		f->peak = f->alive;
	pthread_mutex_unlock(&f->lock);
}

void fanout_thread_exit(struct fanout *f)
{
	pthread_mutex_lock(&f->lock);
	f->alive--;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

void fanout_parked(struct fanout *f, int delta)
{
	pthread_mutex_lock(&f->lock);
	f->parked += (unsigned)delta;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

unsigned fanout_settle(struct fanout *f)
{
	unsigned leaked;

	pthread_mutex_lock(&f->lock);
	while (f->replying > 0 || f->alive != f->parked)
		pthread_cond_wait(&f->changed, &f->lock);
	leaked = f->alive;
	pthread_mutex_unlock(&f->lock);
	return leaked;
}

void fanout_close_backends(struct fanout *f)
{
	if (f->down_wr >= 0)
		close(f->down_wr);
	f->down_wr = -1;
}

static void status_read(char *buf, size_t cap);
static unsigned long status_field(const char *text, const char *name);

void fanout_wait_exit(struct fanout *f)
{
	pthread_mutex_lock(&f->lock);
	while (f->alive > 0)
		pthread_cond_wait(&f->changed, &f->lock);
	pthread_mutex_unlock(&f->lock);
	/*
	 * A detached thread that said it is done may still be finishing its exit
	 * (its stack and thread-local storage not yet released); returning now
	 * made Valgrind report those as possibly lost in about one run in eight.
	 * Wait, up to 2 s, until the kernel counts only this thread.
	 */
	char text[4096];
	for (int i = 0; i < 2000; i++) {
		status_read(text, sizeof text);
		if (status_field(text, "\nThreads:") <= 1)
			break;
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
}

/* ---------------------------------------------------------------------------
 * Samples of /proc/self/status: the kernel's view of threads and memory.
 */

/* The value of a "Name:  value" line of /proc/self/status, or 0. */
static unsigned long status_field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? strtoul(p + strlen(name), NULL, 10) : 0;
}

/* Read /proc/self/status into buf (NUL-terminated). No allocation. */
static void status_read(char *buf, size_t cap)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

static void sample_take(struct fanout *f, size_t requests)
{
	char text[4096];
	struct sample *s = &f->samples[f->nsamples++];

	status_read(text, sizeof text);
	*s = (struct sample){
	    .request = requests,
	    .t_us = (hp_now_ns() - f->start_ns) / 1000,
	    .threads = (unsigned)status_field(text, "\nThreads:"),
	    .rss_kib = status_field(text, "\nVmRSS:"),
	    .vm_kib = status_field(text, "\nVmSize:"),
	};
}

void fanout_sample(struct fanout *f, size_t i)
{
	if (f->sample_every && ((i + 1) % f->sample_every == 0 || i + 1 == f->n))
		sample_take(f, i + 1);
}

void fanout_report(struct fanout *f, unsigned leaked)
{
	char text[4096];

	status_read(text, sizeof text);
	hp_report_metric("peak_threads", f->peak, "threads", HP_LOWER_IS_BETTER);
	hp_report_metric("threads_leaked", leaked, "threads", HP_LOWER_IS_BETTER);
	struct hp_hist *h = hp_xmalloc(sizeof *h); /* 64 KiB: not on the stack */

	hp_hist_init(h);
	for (size_t i = 0; i < f->n; i++)
		hp_hist_record(h, f->wait_ns[i]);
	hp_report_metric("p50_request_us", (double)hp_hist_quantile(h, 0.50) / 1e3, "us", HP_LOWER_IS_BETTER);
	hp_report_metric("p99_request_us", (double)hp_hist_quantile(h, 0.99) / 1e3, "us", HP_LOWER_IS_BETTER);
	free(h);
	hp_report_metric("timed_out", (double)f->timed_out, "requests", HP_LOWER_IS_BETTER);
	hp_report_metric("late_replies", (double)f->late, "requests", HP_LOWER_IS_BETTER);
	hp_report_metric("vm_peak_mib", (double)status_field(text, "\nVmPeak:") / 1024, "MiB",
	                 HP_LOWER_IS_BETTER);
	if (f->nsamples == 0)
		return;
	fprintf(stderr, "# %10s %10s %8s %10s %10s\n", "requests", "ms", "threads", "rss_kib", "vm_mib");
	for (size_t k = 0; k < f->nsamples; k++) {
		const struct sample *s = &f->samples[k];

		fprintf(stderr, "  %10zu %10.1f %8u %10lu %10lu\n", s->request, (double)s->t_us / 1e3,
		        s->threads, s->rss_kib, s->vm_kib / 1024);
	}
	/* And once more after the batch, when every thread that could finish has. */
	fprintf(stderr, "  %10s %10s %8lu %10lu %10lu\n", "settled", "-", status_field(text, "\nThreads:"),
	        status_field(text, "\nVmRSS:"), status_field(text, "\nVmSize:") / 1024);
}

/* ---------------------------------------------------------------------------
 * Calls
 */

/* Replica r of request req: its kind and, when it answers, its latency. */
static enum replica_kind replica_plan(const struct fanout *f, size_t req, unsigned r, uint64_t *latency_ns)
{
	uint64_t h = mix64(f->seed ^ mix64(req * MAX_REPLICAS + r + 1));

	switch (h % 8) {
	case 0:
		*latency_ns = 0;
		return REPLICA_DOWN;
	case 1:
		*latency_ns = 3 * f->deadline_ns;
		return REPLICA_SLOW;
	default:
		*latency_ns = 50000 + (h >> 8) % 450000;
		return REPLICA_FAST;
	}
}

struct call *call_new(struct fanout *f, size_t req, unsigned replica)
{
	struct call *c = hp_xmalloc(sizeof *c);
	uint64_t ns;
	enum replica_kind kind = replica_plan(f, req, replica, &ns);

	c->f = f;
	c->key = req;
	c->answer = 0;
	c->replied = 0;
	c->down = kind == REPLICA_DOWN;
	if (c->down) {
		c->fd = f->down_rd;
		return c;
	}
	struct itimerspec when = {
	    .it_value = {.tv_sec = (time_t)(ns / 1000000000), .tv_nsec = (long)(ns % 1000000000)}};

	c->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (c->fd < 0 || timerfd_settime(c->fd, 0, &when, NULL) < 0)
		hp_die("timerfd (request %zu, replica %u): %s", req, replica, strerror(errno));
	pthread_mutex_lock(&f->lock);
	f->replying++;
	pthread_mutex_unlock(&f->lock);
	return c;
}

int call_fd(const struct call *c)
{
	return c->fd;
}

/* Fill buf with the key's value, the same on every replica and at the origin; return its digest. */
static uint64_t value_fill(const struct fanout *f, uint64_t key, unsigned char *buf)
{
	uint64_t base = mix64(f->seed ^ (key * 0x9e3779b97f4a7c15u));
	struct hp_digest d;

	for (size_t off = 0; off < CALL_BYTES; off += 8) {
		uint64_t r = mix64(base + off);

		memcpy(buf + off, &r, 8);
	}
	hp_digest_init(&d);
	hp_digest_bytes(&d, buf, CALL_BYTES);
	return d.h;
}

uint64_t origin_fetch(const struct fanout *f, size_t key)
{
	unsigned char buf[CALL_BYTES];

	return value_fill(f, key, buf);
}

int call_read(struct call *c)
{
	struct fanout *f = c->f;
	uint64_t expirations;
	ssize_t n;

	if (c->down) {
		char byte;

		/* Nobody writes this pipe: read() returns 0 when it is closed. */
		fanout_parked(f, 1);
		while ((n = read(c->fd, &byte, 1)) < 0 && errno == EINTR)
			;
		fanout_parked(f, -1);
		return -EPIPE;
	}
	while ((n = read(c->fd, &expirations, sizeof expirations)) < 0 && errno == EINTR)
		;
	if (n != sizeof expirations)
		hp_die("timerfd read (request %" PRIu64 "): %s", c->key, n < 0 ? strerror(errno) : "short");
	c->answer = value_fill(f, c->key, c->buf);
	pthread_mutex_lock(&f->lock);
	c->replied = 1;
	f->replying--;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
	return 0;
}

void call_free(struct call *c)
{
	struct fanout *f = c->f;

	if (!c->down) {
		close(c->fd);
		if (!c->replied) {
			pthread_mutex_lock(&f->lock);
			f->replying--;
			pthread_cond_broadcast(&f->changed);
			pthread_mutex_unlock(&f->lock);
		}
	}
	free(c);
}
