/*
 * The burst of chapter 12 (see workload.h): payloads made from the seed,
 * the fingerprint that is each task's work, the result line and the
 * latency percentiles.
 *
 * The payload is splitmix64's output from (seed, index), 8 bytes at a
 * time. The fingerprint is FNV-1a over the bytes, pass after pass, each
 * pass starting from the previous one's value: a byte at a time with a
 * multiply in the chain, about 1.6 ns per byte on the reference VM, so the
 * default 32 KiB payload and 8 passes make a task of about 0.4 ms, and the
 * default gap of 100 us asks two cores for twice what they can do.
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
#include "hp/time.h"
#include "hp/xalloc.h"

#include "workload.h"

/* 1 in FAIL_ONE_IN fingerprints fails validation (a power of two). */
#define FAIL_ONE_IN 64

void burst_init(struct burst *b, const struct hp_opts *opt)
{
	size_t n = (size_t)opt->size;
	size_t payload = (size_t)hp_opts_u64(opt, "payload", 32768);
	unsigned passes = (unsigned)hp_opts_u64(opt, "passes", 8);
	uint64_t gap_us = hp_opts_u64(opt, "gap-us", 100);

	if (payload == 0 || payload > (64u << 20))
		hp_die("--payload %zu: between 1 byte and 64 MiB", payload);
	if (passes == 0 || passes > 1000)
		hp_die("--passes %u: between 1 and 1000", passes);
	if (gap_us > 1000000)
		hp_die("--gap-us %llu: at most a second", (unsigned long long)gap_us);
	b->n = n;
	b->gap_ns = gap_us * 1000;
	b->start_ns = 0;
	b->tasks = hp_xcalloc(n ? n : 1, sizeof *b->tasks);
	for (size_t i = 0; i < n; i++)
		b->tasks[i] = (struct task){
		    .index = i, .seed = opt->seed, .len = payload, .passes = passes, .status = 1};
}

void burst_release(struct burst *b)
{
	free(b->tasks);
}

void burst_start(struct burst *b)
{
	b->start_ns = hp_now_ns();
}

void burst_wait_arrival(const struct burst *b, size_t i)
{
	uint64_t due = b->start_ns + i * b->gap_ns;
	struct timespec ts = {.tv_sec = (time_t)(due / 1000000000), .tv_nsec = (long)(due % 1000000000)};

	/* hp_now_ns() is CLOCK_MONOTONIC: the same clock, absolute time. */
	if (hp_now_ns() < due)
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
}

/* splitmix64's output function (Steele, Lea and Flood, 2014). */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void task_prepare(struct task *t)
{
	uint64_t base = mix64(t->seed ^ (t->index * 0x9e3779b97f4a7c15u));

	t->payload = hp_xmalloc(t->len);
	for (size_t off = 0; off < t->len; off += 8) {
		uint64_t r = mix64(base + off);
		size_t k = t->len - off < 8 ? t->len - off : 8;

		memcpy(t->payload + off, &r, k);
	}
}

int task_run(void *arg)
{
	struct task *t = arg;
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a 64's offset basis */

	for (unsigned pass = 0; pass < t->passes; pass++)
		for (size_t i = 0; i < t->len; i++)
			h = (h ^ t->payload[i]) * 0x100000001b3u;
	free(t->payload);
	t->payload = NULL;
	t->fingerprint = h;
	t->status = mix64(h) % FAIL_ONE_IN == 0 ? -EBADMSG : 0;
	t->done_ns = hp_now_ns();
	return t->status;
}

void burst_print(const struct burst *b)
{
	uint64_t completed = 0, failed = 0, notrun = 0, sum = 0;
	struct hp_digest d;
	char hex[17];

	/* A sum of per-task hashes: the same whatever order the tasks ran in. */
	for (size_t i = 0; i < b->n; i++) {
		const struct task *t = &b->tasks[i];

		if (t->status > 0) {
			notrun++;
			continue;
		}
		if (t->status == 0)
			completed++;
		else
			failed++;
		sum += mix64(t->index ^ mix64(t->fingerprint));
	}
	hp_digest_init(&d);
	hp_digest_u64(&d, completed);
	hp_digest_u64(&d, failed);
	hp_digest_u64(&d, sum);
	hp_digest_hex(&d, hex);
	printf("tasks %zu completed %" PRIu64 " failed %" PRIu64 " not_run %" PRIu64 " digest %s\n", b->n,
	       completed, failed, notrun, hex);
}

void burst_report_latency(const struct burst *b)
{
	struct hp_hist *h = hp_xmalloc(sizeof *h); /* 64 KiB: not on the stack */

	hp_hist_init(h);
	for (size_t i = 0; i < b->n; i++)
		if (b->tasks[i].status <= 0)
			hp_hist_record(h, b->tasks[i].done_ns - b->tasks[i].submit_ns);
	hp_report_metric("p50_task_us", (double)hp_hist_quantile(h, 0.50) / 1e3, "us", HP_LOWER_IS_BETTER);
	hp_report_metric("p99_task_us", (double)hp_hist_quantile(h, 0.99) / 1e3, "us", HP_LOWER_IS_BETTER);
	free(h);
}
