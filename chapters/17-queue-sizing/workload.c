/*
 * The pipeline of chapter 17 (see workload.h): the schedule, the producers,
 * the consumers, the result line and the metrics.
 *
 * The schedule is computed whole in the set-up, so the producers only wait
 * for each item's due time and send it: what they send does not depend on
 * when they get to run. Payloads are splitmix64's output from (seed, id).
 * The work is FNV-1a over the payload, pass after pass, a byte at a time
 * with a multiply in the chain: about 1.6 ns per byte on the reference VM,
 * so 12 passes over 1008 bytes are about 20 us, and two consumers serve
 * about 100 items per millisecond.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hp/digest.h"
#include "hp/hist.h"
#include "hp/opts.h"
#include "hp/report.h"
#include "hp/section.h"
#include "hp/time.h"
#include "hp/xalloc.h"

#include "chan.h"
#include "workload.h"

/* splitmix64's output function (Steele, Lea and Flood, 2014). */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void pipeline_init(struct pipeline *p, const struct hp_opts *opt)
{
	uint64_t burst = hp_opts_u64(opt, "burst", 200);
	uint64_t period_us = hp_opts_u64(opt, "period-us", 3000);
	uint64_t gap_us = hp_opts_u64(opt, "gap-us", 2);
	uint64_t ping_us = hp_opts_u64(opt, "ping-us", 1000);
	uint64_t passes = hp_opts_u64(opt, "passes", 12);
	uint64_t consumers = hp_opts_u64(opt, "consumers", 2);

	if (burst == 0 || burst > 1000000)
		hp_die("--burst %" PRIu64 ": between 1 and 1000000", burst);
	if (period_us == 0 || period_us > 10000000 || gap_us > period_us)
		hp_die("--period-us %" PRIu64 " --gap-us %" PRIu64 ": a period of 1 us to 10 s, and a gap "
		       "no longer",
		       period_us, gap_us);
	if (ping_us == 0 || ping_us > 10000000)
		hp_die("--ping-us %" PRIu64 ": between 1 us and 10 s", ping_us);
	if (passes == 0 || passes > 1000)
		hp_die("--passes %" PRIu64 ": between 1 and 1000", passes);
	if (consumers == 0 || consumers > 64)
		hp_die("--consumers %" PRIu64 ": between 1 and 64", consumers);
	if (opt->size > 100000000)
		hp_die("--size %" PRIu64 ": at most 100000000", opt->size);

	*p = (struct pipeline){.seed = opt->seed,
	                       .nbulk = (size_t)opt->size,
	                       .burst_max = (size_t)burst,
	                       .period_ns = period_us * 1000,
	                       .gap_ns = gap_us * 1000,
	                       .ping_ns = ping_us * 1000,
	                       .passes = (unsigned)passes,
	                       .consumers = (unsigned)consumers};

	/* Bulk: burst k starts at k periods and holds 3/4 to all of --burst items. */
	size_t cap = p->nbulk + 1;
	p->due_ns = hp_xmalloc_array(cap, sizeof *p->due_ns);
	uint64_t last = 0;
	for (size_t i = 0, k = 0; i < p->nbulk; k++) {
		size_t len = burst - mix64(p->seed ^ (k * 0x9e3779b97f4a7c15u)) % (burst / 4 + 1);

		for (size_t j = 0; j < len && i < p->nbulk; j++, i++)
			p->due_ns[i] = last = k * p->period_ns + j * p->gap_ns;
		p->nbursts = k + 1;
	}
	/* Pings: one every --ping-us while the bulk schedule lasts. */
	p->nping = p->nbulk ? (size_t)(last / p->ping_ns) + 1 : 0;
	p->due_ns = hp_xrealloc(p->due_ns, (p->nbulk + p->nping + 1) * sizeof *p->due_ns);
	for (size_t k = 0; k < p->nping; k++)
		p->due_ns[p->nbulk + k] = k * p->ping_ns;

	size_t n = p->nbulk + p->nping + 1;
	p->fingerprint = hp_xcalloc(n, sizeof *p->fingerprint);
	p->latency_ns = hp_xcalloc(n, sizeof *p->latency_ns);
}

void pipeline_release(struct pipeline *p)
{
	free(p->latency_ns);
	free(p->fingerprint);
	free(p->due_ns);
}

/* ---------------------------------------------------------------- the run */

struct run {
	struct pipeline *p;
	struct chan ch;
	pthread_mutex_t lock; /* for service_ns */
};

static void item_make(const struct pipeline *p, uint64_t id, struct item *it)
{
	uint64_t base = mix64(p->seed ^ (id * 0x9e3779b97f4a7c15u));

	it->id = id;
	it->due_ns = p->due_ns[id];
	for (size_t off = 0; off < sizeof it->payload; off += 8) {
		uint64_t r = mix64(base + off);

		memcpy(it->payload + off, &r, 8);
	}
}

/* Sleep until the schedule's time due (return at once when it is past). */
static void wait_until(uint64_t due)
{
	struct timespec ts = {.tv_sec = (time_t)(due / 1000000000), .tv_nsec = (long)(due % 1000000000)};

	/* hp_now_ns() is CLOCK_MONOTONIC: the same clock, absolute time. */
	if (hp_now_ns() < due)
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
}

static void *consumer(void *arg)
{
	struct run *r = arg;
	struct pipeline *p = r->p;
	struct item it;
	uint64_t busy = 0;

	hp_section_thread_begin();
	while (chan_recv(&r->ch, &it)) {
		uint64_t t0 = hp_now_ns();
		uint64_t h = 0xcbf29ce484222325u; /* FNV-1a 64's offset basis */

		for (unsigned pass = 0; pass < p->passes; pass++)
			for (size_t i = 0; i < sizeof it.payload; i++)
				h = (h ^ it.payload[i]) * 0x100000001b3u;
		uint64_t t1 = hp_now_ns();

		/* Each item is one consumer's: these writes do not race. */
		p->fingerprint[it.id] = h;
		p->latency_ns[it.id] = t1 - (p->start_ns + it.due_ns);
		busy += t1 - t0;
	}
	hp_section_thread_end();
	pthread_mutex_lock(&r->lock);
	p->service_ns += busy;
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void *ping_producer(void *arg)
{
	struct run *r = arg;
	struct pipeline *p = r->p;
	struct item it;

	hp_section_thread_begin();
	for (size_t k = 0; k < p->nping; k++) {
		uint64_t id = p->nbulk + k;

		wait_until(p->start_ns + p->due_ns[id]);
		item_make(p, id, &it);
		chan_send(&r->ch, &it);
	}
	hp_section_thread_end();
	return NULL;
}

void pipeline_run(struct pipeline *p, size_t cap)
{
	struct run r = {.p = p, .lock = PTHREAD_MUTEX_INITIALIZER};
	pthread_t *threads = hp_xmalloc_array(p->consumers + 1, sizeof *threads);
	struct item it;
	int err;

	chan_init(&r.ch, cap);
	p->cap = cap;
	p->start_ns = hp_now_ns();
	for (unsigned i = 0; i <= p->consumers; i++)
		if ((err = pthread_create(&threads[i], NULL, i ? consumer : ping_producer, &r)))
			hp_die("pthread_create: %s", strerror(err));

	/* The bulk producer: each item when it is due, or at once when the producer is late. */
	for (size_t i = 0; i < p->nbulk; i++) {
		uint64_t due = p->start_ns + p->due_ns[i];

		wait_until(due);
		uint64_t now = hp_now_ns();
		if (now > due && now - due > p->behind_max_ns)
			p->behind_max_ns = now - due;
		item_make(p, i, &it);
		chan_send(&r.ch, &it);
	}
	pthread_join(threads[0], NULL); /* the pings are sent */
	chan_close(&r.ch);
	for (unsigned i = 1; i <= p->consumers; i++)
		pthread_join(threads[i], NULL);

	p->blocked_sends = r.ch.blocked_sends;
	p->max_depth = r.ch.max_depth;
	chan_release(&r.ch);
	pthread_mutex_destroy(&r.lock);
	free(threads);
}

/* ----------------------------------------------------- result and metrics */

void pipeline_print(const struct pipeline *p)
{
	uint64_t sum = 0;
	struct hp_digest d;
	char hex[17];

	/* A sum of per-item hashes: the same whatever order the items ran in. */
	for (size_t i = 0; i < p->nbulk + p->nping; i++)
		sum += mix64(i ^ mix64(p->fingerprint[i]));
	hp_digest_init(&d);
	hp_digest_u64(&d, p->nbulk);
	hp_digest_u64(&d, p->nping);
	hp_digest_u64(&d, sum);
	hp_digest_hex(&d, hex);
	printf("bulk %zu in %zu bursts, pings %zu, digest %s\n", p->nbulk, p->nbursts, p->nping, hex);
}

static void report_percentiles(const struct pipeline *p, size_t from, size_t to, const char *p50,
                               const char *p99)
{
	struct hp_hist *h = hp_xmalloc(sizeof *h); /* 64 KiB: not on the stack */

	hp_hist_init(h);
	for (size_t i = from; i < to; i++)
		hp_hist_record(h, p->latency_ns[i]);
	hp_report_metric(p50, (double)hp_hist_quantile(h, 0.50) / 1e3, "us", HP_LOWER_IS_BETTER);
	hp_report_metric(p99, (double)hp_hist_quantile(h, 0.99) / 1e3, "us", HP_LOWER_IS_BETTER);
	free(h);
}

void pipeline_report(const struct pipeline *p)
{
	size_t n = p->nbulk + p->nping;

	report_percentiles(p, 0, p->nbulk, "bulk_p50_us", "bulk_p99_us");
	report_percentiles(p, p->nbulk, n, "ping_p50_us", "ping_p99_us");
	hp_report_metric("behind_max_us", (double)p->behind_max_ns / 1e3, "us", HP_LOWER_IS_BETTER);
	hp_report_metric("blocked_sends", (double)p->blocked_sends, "sends", HP_LOWER_IS_BETTER);
	hp_report_metric("max_depth", (double)p->max_depth, "items", HP_LOWER_IS_BETTER);
	hp_report_metric("queued_kib", (double)p->max_depth * ITEM_BYTES / 1024, "KiB", HP_LOWER_IS_BETTER);
	hp_report_metric("queue_cap", (double)p->cap, "slots", HP_LOWER_IS_BETTER);
	if (n)
		hp_report_metric("service_us", (double)p->service_ns / (double)n / 1e3, "us",
		                 HP_LOWER_IS_BETTER);
}
