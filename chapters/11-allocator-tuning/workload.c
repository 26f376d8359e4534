/*
 * The session service of chapter 11 (see workload.h). The allocation
 * pattern is the point, so it is written the ordinary way: strdup() per
 * field, a response buffer grown by doubling with realloc(), the stored
 * session shrunk to its size, the old session freed by whichever thread
 * replaces it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hp/prng.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

#define FIELDS_MAX 32
#define STRIPES    64 /* session locks: users hash onto them */

struct session {
	char *body;
	size_t len;
};

static pthread_mutex_t stripe_lock[STRIPES];

/* The user of request i: a skewed choice, the first users the busiest. */
static size_t pick_user(struct hp_rng *rng, size_t users)
{
	double u = hp_rng_double(rng);

	return (size_t)(u * u * u * (double)users);
}

/* Fields of a request: n words of 3 to 40 letters, from the request's own generator. */
static size_t parse_fields(struct hp_rng *rng, char **field)
{
	size_t n = 4 + hp_rng_below(rng, FIELDS_MAX - 4);
	char word[48];

	for (size_t i = 0; i < n; i++) {
		size_t len = 3 + hp_rng_below(rng, 38);

		uint64_t bits = 0;

		/* Twelve letters from each 64-bit draw, five bits a letter (a to z, then a to f again). */
		for (size_t k = 0; k < len; k++, bits >>= 5) {
			if (k % 12 == 0)
				bits = hp_rng_next(rng);
			word[k] = (char)('a' + (bits & 31) % 26);
		}
		word[len] = '\0';
		field[i] = hp_xstrdup(word);
	}
	return n;
}

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_put(struct buf *b, const char *s, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + len)
			cap *= 2;
		b->p = hp_xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
}

/*
 * Render the response to a request: its fields as JSON-ish text, repeated
 * to the response's size (one response in a hundred is a report of 64 to
 * 256 KiB, the rest are 1 to 8 times the fields).
 */
static void render(struct buf *out, struct hp_rng *rng, char **field, size_t n, size_t user)
{
	char head[64];
	size_t reps = hp_rng_below(rng, 100) ? 1 + hp_rng_below(rng, 8) : 0;
	size_t target = reps ? 0 : (64 << 10) + hp_rng_below(rng, 192 << 10);
	int hl = snprintf(head, sizeof head, "{\"user\":%zu,\"items\":[", user);

	buf_put(out, head, (size_t)hl);
	for (size_t r = 0; reps ? r < reps : out->len < target; r++)
		for (size_t i = 0; i < n; i++) {
			buf_put(out, "\"", 1);
			buf_put(out, field[i], strlen(field[i]));
			buf_put(out, "\",", 2);
		}
	buf_put(out, "]}", 2);
}

/*
 * A hash of a response, eight bytes at a time (FNV-1a's byte at a time
 * would cost more than the allocations this chapter is about).
 */
static uint64_t hash_bytes(const char *p, size_t len)
{
	uint64_t h = len * 0x9e3779b97f4a7c15u, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3u;
	return h;
}

struct worker {
	struct service *s;
	unsigned index;
	uint64_t digest;
	size_t bytes_out;
	pthread_t tid;
};

static void serve(struct worker *w, size_t i)
{
	struct service *s = w->s;
	struct hp_rng rng;
	char *field[FIELDS_MAX];
	struct buf out = {0};

	hp_rng_init(&rng, s->seed * 0x9e3779b97f4a7c15u + i);
	size_t user = pick_user(&rng, s->users);
	size_t n = parse_fields(&rng, field);

	render(&out, &rng, field, n, user);
	for (size_t k = 0; k < n; k++)
		free(field[k]);
	w->digest += hash_bytes(out.p, out.len);
	w->bytes_out += out.len;

	/* Keep the response as the user's session, shrunk to its length. */
	char *body = hp_xrealloc(out.p, out.len);
	struct session *ss = &s->sessions[user];
	pthread_mutex_t *lock = &stripe_lock[user % STRIPES];
	char *old;

	pthread_mutex_lock(lock);
	old = ss->body;
	ss->body = body;
	ss->len = out.len;
	pthread_mutex_unlock(lock);
	free(old);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	hp_section_thread_begin();
	for (size_t i = w->index; i < w->s->requests; i += w->s->threads)
		serve(w, i);
	hp_section_thread_end();
	return NULL;
}

void service_init(struct service *s, unsigned threads, size_t requests, size_t users, uint64_t seed)
{
	if (threads == 0 || threads > 1024)
		hp_die("--threads %u is out of range (1 to 1024)", threads);
	if (users == 0)
		hp_die("--users must be at least 1");
	s->threads = threads;
	s->requests = requests;
	s->users = users;
	s->seed = seed;
	s->sessions = hp_xcalloc(users, sizeof *s->sessions);
	s->digest = 0;
	s->bytes_out = 0;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&stripe_lock[i], NULL);
}

void service_burst(struct service *s)
{
	struct worker *w = hp_xcalloc(s->threads, sizeof *w);

	for (unsigned t = 0; t < s->threads; t++) {
		int err;

		w[t].s = s;
		w[t].index = t;
		err = pthread_create(&w[t].tid, NULL, worker_main, &w[t]);
		if (err)
			hp_die("pthread_create: %s", strerror(err));
	}
	for (unsigned t = 0; t < s->threads; t++) {
		pthread_join(w[t].tid, NULL);
		s->digest += w[t].digest;
		s->bytes_out += w[t].bytes_out;
	}
	free(w);
}

size_t service_expire(struct service *s)
{
	size_t left = 0;

	for (size_t u = 0; u < s->users; u++) {
		if (u % 20 == 0) {
			left += s->sessions[u].body != NULL;
			continue;
		}
		free(s->sessions[u].body);
		s->sessions[u].body = NULL;
	}
	return left;
}

void service_release(struct service *s)
{
	for (size_t u = 0; u < s->users; u++)
		free(s->sessions[u].body);
	free(s->sessions);
}

long faults_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

long rss_now_kb(void)
{
	long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		hp_die("/proc/self/statm: %s", strerror(errno));
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		hp_die("/proc/self/statm: unexpected contents");
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}
