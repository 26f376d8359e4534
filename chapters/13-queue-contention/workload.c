/*
 * The messages and the aggregate of chapter 13 (see workload.h).
 *
 * A message's value is splitmix64's output from (seed, producer, index);
 * its key is a second mix of the value, spread over --keys by a multiply
 * (no modulo bias to speak of, and no division). The keys are uniform: a
 * skewed key set (a few hot keys) would load one partition more than the
 * others, which is a real cost of partitioning that the page mentions but
 * this workload leaves out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/report.h"
#include "hp/xalloc.h"

#include "workload.h"

static unsigned option_count(const struct hp_opts *opt, const char *name, unsigned def)
{
	uint64_t v = hp_opts_u64(opt, name, def);

	if (v < 1 || v > 64)
		hp_die("--%s %" PRIu64 ": between 1 and 64 threads", name, v);
	return (unsigned)v;
}

void qc_config_init(struct qc_config *c, const struct hp_opts *opt)
{
	uint64_t keys = hp_opts_u64(opt, "keys", 4096);
	uint64_t cap = hp_opts_u64(opt, "capacity", 1024);
	uint64_t batch = hp_opts_u64(opt, "batch", 64);
	uint64_t spin = hp_opts_u64(opt, "spin", 100);

	c->seed = opt->seed;
	c->messages = opt->size;
	c->producers = option_count(opt, "producers", 2);
	c->consumers = option_count(opt, "consumers", 2);
	if (keys < 1 || keys > (1u << 20))
		hp_die("--keys %" PRIu64 ": between 1 and 2^20", keys);
	if (cap < 2 || cap > (1u << 24) || (cap & (cap - 1)))
		hp_die("--capacity %" PRIu64 ": a power of two between 2 and 2^24", cap);
	if (batch < 1 || batch > cap)
		hp_die("--batch %" PRIu64 ": between 1 and the capacity (%" PRIu64 ")", batch, cap);
	if (spin > 100000000)
		hp_die("--spin %" PRIu64 ": at most 10^8", spin);
	c->keys = (uint32_t)keys;
	c->capacity = (size_t)cap;
	c->batch = (unsigned)batch;
	c->spin = (unsigned)spin;
}

uint64_t qc_share(const struct qc_config *c, unsigned p)
{
	return c->messages / c->producers + (p < c->messages % c->producers);
}

/* splitmix64's output function (Steele, Lea and Flood, 2014). */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

struct msg msg_make(const struct qc_config *c, unsigned p, uint64_t i)
{
	uint64_t v = mix64(c->seed * 0x9e3779b97f4a7c15u + ((uint64_t)p << 40) + i);
	uint32_t k = (uint32_t)(((mix64(v) & 0xffffffffu) * c->keys) >> 32);

	return (struct msg){.value = v, .key = k, .producer = p};
}

void agg_init(struct agg *a, const struct qc_config *c)
{
	a->keys = hp_xcalloc(c->keys, sizeof *a->keys);
	a->nkeys = c->keys;
	a->messages = 0;
}

void agg_release(struct agg *a)
{
	free(a->keys);
	a->keys = NULL;
}

void agg_merge(struct agg *dst, const struct agg *src)
{
	for (uint32_t k = 0; k < dst->nkeys; k++) {
		dst->keys[k].count += src->keys[k].count;
		dst->keys[k].sum += src->keys[k].sum;
		dst->keys[k].mix += src->keys[k].mix;
	}
	dst->messages += src->messages;
}

void agg_print(const struct agg *a)
{
	struct hp_digest d;
	uint32_t seen = 0;
	char hex[17];

	hp_digest_init(&d);
	for (uint32_t k = 0; k < a->nkeys; k++) {
		const struct key_stat *s = &a->keys[k];

		seen += s->count > 0;
		hp_digest_u64(&d, s->count);
		hp_digest_u64(&d, s->sum);
		hp_digest_u64(&d, s->mix);
	}
	hp_digest_hex(&d, hex);
	printf("messages %" PRIu64 " keys %" PRIu32 " digest %s\n", a->messages, seen, hex);
}

void qc_counts_report(const struct qc_counts *k, uint64_t messages, int have_wakes, int have_contended)
{
	double per_k = messages ? 1000.0 / (double)messages : 0;

	hp_report_metric("waits", (double)k->waits, "waits", HP_LOWER_IS_BETTER);
	hp_report_metric("waits_per_kmsg", (double)k->waits * per_k, "waits", HP_LOWER_IS_BETTER);
	if (have_wakes) {
		hp_report_metric("wakes", (double)k->wakes, "wakes", HP_LOWER_IS_BETTER);
		hp_report_metric("wakes_per_kmsg", (double)k->wakes * per_k, "wakes", HP_LOWER_IS_BETTER);
	}
	if (have_contended) {
		hp_report_metric("contended", (double)k->contended, "locks", HP_LOWER_IS_BETTER);
		hp_report_metric("contended_per_kmsg", (double)k->contended * per_k, "locks",
		                 HP_LOWER_IS_BETTER);
	}
}
