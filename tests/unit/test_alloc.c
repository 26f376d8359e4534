/*
 * Tests of the allocation counter: hp-alloc.so (common/src/alloc_preload.c)
 * and the libhp side that finds it (common/src/alloc.c).
 *
 * The counter works only when preloaded, and this test is an ordinary
 * program linked with alloc.c. So each test forks and re-executes this same
 * binary as "test_alloc child SCENARIO" with LD_PRELOAD set to $HP_ALLOC_SO
 * (the Makefile sets it; the tests that need it are left out when it is
 * unset). The child runs one scenario without cmocka, whose own allocations
 * would be counted, prints any failed check with both sides on stderr and
 * exits 1; the parent checks the exit status and, for HP_ALLOC_REPORT, the
 * file the child left.
 *
 * The counts are exact: between two snapshots a scenario calls only the
 * allocation functions it counts, and hp_alloc_snapshot() never allocates.
 * The blocks are kept in volatile arrays, since GCC deletes a malloc() whose
 * block is freed unused.
 *
 * Under AddressSanitizer the preloaded tests are left out: ASan replaces
 * malloc itself and refuses to start when another library is preloaded
 * before it. Only test_enosys_without_preload runs there.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hp/alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* ------------------------------------------------ checks in the child */

static const char *scenario_name = "?";

#define CHECK(cond)    check(__FILE__, __LINE__, #cond, (cond))
#define CHECK_EQ(a, b) check_eq(__FILE__, __LINE__, #a, (uint64_t)(a), #b, (uint64_t)(b))

static void check(const char *file, int line, const char *what, int ok)
{
	if (ok)
		return;
	fprintf(stderr, "%s:%d: child %s: check failed: %s\n", file, line, scenario_name, what);
	exit(1);
}

static void check_eq(const char *file, int line, const char *a_src, uint64_t a, const char *b_src, uint64_t b)
{
	if (a == b)
		return;
	fprintf(stderr, "%s:%d: child %s: %s == %s failed: %" PRIu64 " != %" PRIu64 "\n", file, line,
	        scenario_name, a_src, b_src, a, b);
	exit(1);
}

static void snap(struct hp_alloc_stats *s)
{
	CHECK_EQ(hp_alloc_snapshot(s), 0);
}

static int aligned_to(const void *p, size_t align)
{
	return (uintptr_t)p % align == 0;
}

/* ------------------------------------------------------ the scenarios */

/*
 * Compilers know the allocator. Clang folds "calloc(...) == NULL" to false
 * and assumes malloc() leaves errno alone, so where a scenario tests failure
 * it calls through these volatile pointers, which no compiler sees through.
 */
static void *(*volatile opaque_malloc)(size_t) = malloc;
static void *(*volatile opaque_calloc)(size_t, size_t) = calloc;
static void *(*volatile opaque_reallocarray)(void *, size_t, size_t) = reallocarray;

enum { NBLOCKS = 1000 };
static void *volatile blocks[NBLOCKS];

/* N mallocs between two snapshots count N, their bytes, and the peak. */
static void scenario_count(void)
{
	struct hp_alloc_stats a, b, c, d;
	uint64_t sum = 0;

	snap(&a);
	CHECK_EQ(hp_alloc_reset_peak(), 0);
	for (size_t i = 0; i < NBLOCKS; i++) {
		blocks[i] = malloc(i + 1);
		sum += i + 1;
	}
	snap(&b);
	CHECK_EQ(b.mallocs - a.mallocs, NBLOCKS);
	CHECK_EQ(b.reallocs - a.reallocs, 0);
	CHECK_EQ(b.frees - a.frees, 0);
	CHECK_EQ(b.bytes - a.bytes, sum);
	CHECK_EQ(b.live_bytes - a.live_bytes, sum);
	/* The peak was reset to a.live_bytes, and live only grew since. */
	CHECK_EQ(b.peak_bytes, b.live_bytes);

	for (size_t i = 0; i < NBLOCKS; i++)
		free(blocks[i]);
	snap(&c);
	CHECK_EQ(c.frees - b.frees, NBLOCKS);
	CHECK_EQ(c.mallocs, b.mallocs);
	CHECK_EQ(c.live_bytes, a.live_bytes);
	CHECK_EQ(c.peak_bytes, b.peak_bytes);

	CHECK_EQ(hp_alloc_reset_peak(), 0);
	snap(&d);
	CHECK_EQ(d.peak_bytes, d.live_bytes);
}

/* free(NULL) is not a free. */
static void scenario_free_null(void)
{
	struct hp_alloc_stats a, b;
	void *volatile null = NULL;

	snap(&a);
	free(null);
	snap(&b);
	CHECK_EQ(b.frees, a.frees);
	CHECK_EQ(b.live_bytes, a.live_bytes);
}

static void scenario_realloc(void)
{
	struct hp_alloc_stats a, b, c;
	char *p, *q;

	snap(&a);
	p = malloc(10);
	memcpy(p, "012345678", 10);
	q = realloc(p, 100);
	CHECK(q != NULL);
	CHECK(memcmp(q, "012345678", 10) == 0);
	snap(&b);
	CHECK_EQ(b.mallocs - a.mallocs, 1);
	CHECK_EQ(b.reallocs - a.reallocs, 1);
	CHECK_EQ(b.bytes - a.bytes, 10 + 100);
	CHECK_EQ(b.live_bytes - a.live_bytes, 100);
	CHECK_EQ(malloc_usable_size(q), 100);

	p = realloc(q, 5);
	CHECK(p != NULL);
	CHECK(memcmp(p, "01234", 5) == 0);
	/* As glibc, realloc(p, 0) frees p and returns NULL. */
	CHECK(realloc(p, 0) == NULL);
	snap(&c);
	CHECK_EQ(c.reallocs - b.reallocs, 1);
	CHECK_EQ(c.bytes - b.bytes, 5);
	CHECK_EQ(c.frees - b.frees, 1);
	CHECK_EQ(c.live_bytes, a.live_bytes);

	/* realloc(NULL, n) and reallocarray(NULL, ...) are mallocs. */
	blocks[0] = realloc(NULL, 7);
	blocks[1] = reallocarray(NULL, 4, 8);
	CHECK(blocks[0] && blocks[1]);
	snap(&b);
	CHECK_EQ(b.mallocs - c.mallocs, 2);
	CHECK_EQ(b.reallocs, c.reallocs);
	CHECK_EQ(b.bytes - c.bytes, 7 + 32);
	free(blocks[0]);
	free(blocks[1]);
}

/*
 * n * size overflows: calloc and reallocarray fail with ENOMEM. The product
 * here wraps around to exactly 0, which an unchecked multiplication would
 * happily allocate.
 */
static void scenario_calloc(void)
{
	volatile size_t half = SIZE_MAX / 2 + 1;
	struct hp_alloc_stats a, b;
	volatile unsigned char *dirty;
	unsigned char *p;

	snap(&a);
	errno = 0;
	CHECK(opaque_calloc(half, 2) == NULL);
	CHECK_EQ(errno, ENOMEM);
	errno = 0;
	CHECK(opaque_reallocarray(NULL, 2, half) == NULL);
	CHECK_EQ(errno, ENOMEM);
	snap(&b);
	CHECK_EQ(b.mallocs, a.mallocs);
	CHECK_EQ(b.bytes, a.bytes);

	/*
	 * Dirty a block of the same size first, so calloc is likely to reuse
	 * it. Through a volatile pointer, or GCC drops the stores as dead.
	 */
	dirty = malloc(800);
	for (int i = 0; i < 800; i++)
		dirty[i] = 0xff;
	free((void *)dirty);
	snap(&a);
	p = calloc(100, 8);
	CHECK(p != NULL);
	for (int i = 0; i < 800; i++)
		CHECK_EQ(p[i], 0);
	snap(&b);
	CHECK_EQ(b.mallocs - a.mallocs, 1);
	CHECK_EQ(b.bytes - a.bytes, 800);
	free(p);
}

/* The header keeps malloc's alignment, and the aligned family keeps theirs. */
static void scenario_align(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct hp_alloc_stats a, b;
	size_t n = 0;
	char *p;
	void *out = NULL;

	snap(&a);
	for (size_t size = 0; size <= 256; size++) {
		blocks[n] = malloc(size);
		CHECK(aligned_to(blocks[n], alignof(max_align_t)));
		n++;
	}
	for (size_t align = 1; align <= 8192; align *= 2) {
		blocks[n] = aligned_alloc(align, 100);
		CHECK(aligned_to(blocks[n], align));
		CHECK_EQ(malloc_usable_size(blocks[n]), 100);
		memset(blocks[n], 0xa5, 100);
		n++;
	}
	p = aligned_alloc(64, 128);
	CHECK(aligned_to(p, 64));
	memset(p, 'x', 128);
	/* realloc of an aligned block keeps the data and malloc's alignment. */
	p = realloc(p, 4000);
	CHECK(aligned_to(p, alignof(max_align_t)));
	for (int i = 0; i < 128; i++)
		CHECK_EQ(p[i], 'x');
	blocks[n++] = p;

	CHECK_EQ(posix_memalign(&out, 4096, 10), 0);
	CHECK(aligned_to(out, 4096));
	blocks[n++] = out;
	out = NULL;
	CHECK_EQ(posix_memalign(&out, 24, 10), EINVAL);
	CHECK(out == NULL);
	blocks[n] = memalign(256, 1);
	CHECK(aligned_to(blocks[n++], 256));
	blocks[n] = valloc(1);
	CHECK(aligned_to(blocks[n++], page));
	blocks[n] = pvalloc(1);
	CHECK(aligned_to(blocks[n], page));
	CHECK_EQ(malloc_usable_size(blocks[n++]), page);

	snap(&b);
	/* Every block but p counts one malloc; p was allocated then reallocated. */
	CHECK_EQ(b.mallocs - a.mallocs, n);
	CHECK_EQ(b.reallocs - a.reallocs, 1);
	for (size_t i = 0; i < n; i++)
		free(blocks[i]);
	snap(&b);
	CHECK_EQ(b.frees - a.frees, n);
	CHECK_EQ(b.live_bytes, a.live_bytes);
}

/*
 * HP_ALLOC_FAIL_AT=3: the third allocation call fails, the others do not.
 * Calls made before main() take the first numbers: none in a plain build
 * with glibc 2.36, a few when libubsan is linked in.
 */
static void scenario_fail_at(void)
{
	struct hp_alloc_stats s;
	void *volatile p;

	snap(&s);
	CHECK(hp_alloc_calls(&s) < 3);
	for (uint64_t call = hp_alloc_calls(&s) + 1; call <= 6; call++) {
		errno = 0;
		p = call % 2 ? opaque_malloc(16) : opaque_calloc(2, 8);
		if (call == 3) {
			CHECK(p == NULL);
			CHECK_EQ(errno, ENOMEM);
		} else {
			CHECK(p != NULL);
		}
	}
}

/*
 * Allocate, fork a child that allocates and exits through exit() (so its
 * destructors run, and it must not report), then leave in HP_TEST_EXPECT the
 * four numbers the report should show. Nothing allocates after the snapshot.
 */
static void scenario_report(void)
{
	const char *expect = getenv("HP_TEST_EXPECT");
	struct hp_alloc_stats s;
	char line[256];
	pid_t pid;
	int status, fd, len;

	CHECK(expect != NULL);
	for (size_t i = 0; i < 10; i++)
		blocks[i] = malloc(100);
	for (size_t i = 0; i < 5; i++)
		free(blocks[i]);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		blocks[0] = malloc(1000);
		exit(0);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	snap(&s);
	len = snprintf(line, sizeof line, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
	               hp_alloc_calls(&s), s.frees, s.bytes, s.peak_bytes);
	fd = open(expect, O_WRONLY | O_TRUNC | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, line, (size_t)len), len);
	CHECK_EQ(close(fd), 0);
}

/*
 * Threads: each does ROUNDS of malloc, calloc, realloc, aligned_alloc and
 * three frees, then allocates HOLD blocks and keeps them; the totals must be
 * exact. With every thread holding its blocks the live bytes are at their
 * highest, so the peak must equal them exactly: a peak updated without the
 * compare-exchange loop loses a race now and then, and falls short. Three
 * barriers keep thread creation and exit, which allocate and free
 * thread-local storage, out of the two snapshots.
 */
enum { NTHREADS = 4, ROUNDS = 50000, HOLD = 1000 };
static pthread_barrier_t ready, done, leave;
static void *held[NTHREADS][HOLD];

static size_t size_at(size_t t, size_t i)
{
	return (t * 7919 + i * 31) % 512 + 1;
}

static void *thread_work(void *arg)
{
	size_t t = (size_t)arg;

	pthread_barrier_wait(&ready);
	for (size_t i = 0; i < ROUNDS; i++) {
		char *volatile p = malloc(size_at(t, i));
		char *volatile q = calloc(1, size_at(t, i + 1));
		char *volatile r = aligned_alloc(64, 64);

		p = realloc(p, size_at(t, i + 2));
		free(p);
		free(q);
		free(r);
	}
	for (size_t i = 0; i < HOLD; i++)
		held[t][i] = malloc(size_at(t, i));
	pthread_barrier_wait(&done);
	pthread_barrier_wait(&leave);
	for (size_t i = 0; i < HOLD; i++)
		free(held[t][i]);
	return NULL;
}

static void scenario_threads(void)
{
	pthread_t tid[NTHREADS];
	struct hp_alloc_stats a, b;
	uint64_t bytes = 0, kept = 0;

	pthread_barrier_init(&ready, NULL, NTHREADS + 1);
	pthread_barrier_init(&done, NULL, NTHREADS + 1);
	pthread_barrier_init(&leave, NULL, NTHREADS + 1);
	for (size_t t = 0; t < NTHREADS; t++) {
		CHECK_EQ(pthread_create(&tid[t], NULL, thread_work, (void *)t), 0);
		for (size_t i = 0; i < ROUNDS; i++)
			bytes += size_at(t, i) + size_at(t, i + 1) + 64 + size_at(t, i + 2);
		for (size_t i = 0; i < HOLD; i++)
			kept += size_at(t, i);
	}
	CHECK_EQ(hp_alloc_reset_peak(), 0);
	snap(&a);
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&done);
	snap(&b);
	pthread_barrier_wait(&leave);
	for (size_t t = 0; t < NTHREADS; t++)
		CHECK_EQ(pthread_join(tid[t], NULL), 0);

	CHECK_EQ(b.mallocs - a.mallocs, NTHREADS * (3 * ROUNDS + HOLD));
	CHECK_EQ(b.reallocs - a.reallocs, NTHREADS * ROUNDS);
	CHECK_EQ(b.frees - a.frees, 3 * NTHREADS * ROUNDS);
	CHECK_EQ(b.bytes - a.bytes, bytes + kept);
	CHECK_EQ(b.live_bytes - a.live_bytes, kept);
	CHECK_EQ(b.peak_bytes, b.live_bytes);
}

/*
 * The stress test: many threads keep a window of live blocks of every kind,
 * each filled with its owner's byte and checked before it is freed, while
 * the main thread forks children that allocate too. Each thread counts its
 * own calls, and the sums must match the counter; the barriers keep thread
 * creation and exit out of the snapshots, as in scenario_threads().
 */
enum { STRESS_THREADS = 32, STRESS_ROUNDS = 20000, WINDOW = 16, FORKS = 8 };

struct stress {
	size_t id;
	uint64_t mallocs, reallocs, frees, bytes;
};

static void *stress_alloc(struct stress *st, size_t *size, uint64_t rnd)
{
	void *p = NULL;

	*size = rnd % 2000;
	switch (rnd / 2000 % 6) {
	case 0:
		p = malloc(*size);
		break;
	case 1:
		p = calloc(*size, 1);
		break;
	case 2:
		p = aligned_alloc(128, *size);
		break;
	case 3:
		CHECK_EQ(posix_memalign(&p, 32, *size), 0);
		break;
	case 4:
		p = reallocarray(NULL, *size, 1);
		break;
	case 5:
		p = memalign(4096, *size);
		break;
	}
	CHECK(p != NULL);
	st->mallocs++;
	st->bytes += *size;
	return p;
}

static int filled_with(const unsigned char *p, size_t n, unsigned char mark)
{
	for (size_t k = 0; k < n; k++)
		if (p[k] != mark)
			return 0;
	return 1;
}

static void *stress_work(void *arg)
{
	struct stress *st = arg;
	unsigned char *block[WINDOW] = {NULL};
	size_t size[WINDOW] = {0};
	uint64_t rnd = st->id * 0x9e3779b97f4a7c15u + 1;
	unsigned char mark = (unsigned char)st->id;

	pthread_barrier_wait(&ready);
	for (size_t i = 0; i < STRESS_ROUNDS; i++) {
		size_t w = i % WINDOW;

		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		if (block[w]) {
			CHECK(filled_with(block[w], size[w], mark));
			if (rnd % 3 == 0) {
				size_t n = rnd / 3 % 3000 + 1;

				block[w] = realloc(block[w], n);
				CHECK(block[w] != NULL);
				st->reallocs++;
				st->bytes += n;
				if (n > size[w])
					memset(block[w] + size[w], mark, n - size[w]);
				size[w] = n;
				continue;
			}
			free(block[w]);
			st->frees++;
		}
		block[w] = stress_alloc(st, &size[w], rnd >> 8);
		memset(block[w], mark, size[w]);
	}
	for (size_t w = 0; w < WINDOW; w++) {
		if (block[w]) {
			free(block[w]);
			st->frees++;
		}
	}
	pthread_barrier_wait(&done);
	pthread_barrier_wait(&leave);
	return NULL;
}

/* A child forked while threads allocate: its counter works and it can allocate. */
static void fork_and_allocate(void)
{
	struct hp_alloc_stats a, b;
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		snap(&a);
		blocks[0] = malloc(12345);
		free(blocks[0]);
		snap(&b);
		CHECK_EQ(b.mallocs - a.mallocs, 1);
		CHECK_EQ(b.bytes - a.bytes, 12345);
		CHECK_EQ(b.frees - a.frees, 1);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void scenario_stress(void)
{
	static struct stress st[STRESS_THREADS];
	pthread_t tid[STRESS_THREADS];
	struct hp_alloc_stats a, b;
	uint64_t mallocs = 0, reallocs = 0, frees = 0, bytes = 0;

	pthread_barrier_init(&ready, NULL, STRESS_THREADS + 1);
	pthread_barrier_init(&done, NULL, STRESS_THREADS + 1);
	pthread_barrier_init(&leave, NULL, STRESS_THREADS + 1);
	for (size_t t = 0; t < STRESS_THREADS; t++) {
		st[t].id = t + 1;
		CHECK_EQ(pthread_create(&tid[t], NULL, stress_work, &st[t]), 0);
	}
	snap(&a);
	pthread_barrier_wait(&ready);
	for (int i = 0; i < FORKS; i++)
		fork_and_allocate();
	pthread_barrier_wait(&done);
	snap(&b);
	pthread_barrier_wait(&leave);
	for (size_t t = 0; t < STRESS_THREADS; t++) {
		CHECK_EQ(pthread_join(tid[t], NULL), 0);
		mallocs += st[t].mallocs;
		reallocs += st[t].reallocs;
		frees += st[t].frees;
		bytes += st[t].bytes;
	}
	CHECK_EQ(b.mallocs - a.mallocs, mallocs);
	CHECK_EQ(b.reallocs - a.reallocs, reallocs);
	CHECK_EQ(b.frees - a.frees, frees);
	CHECK_EQ(b.bytes - a.bytes, bytes);
	CHECK_EQ(b.live_bytes, a.live_bytes);
}

static const struct {
	const char *name;
	void (*run)(void);
} scenarios[] = {
    {"count", scenario_count},   {"free_null", scenario_free_null}, {"realloc", scenario_realloc},
    {"calloc", scenario_calloc}, {"align", scenario_align},         {"fail_at", scenario_fail_at},
    {"report", scenario_report}, {"threads", scenario_threads},     {"stress", scenario_stress},
};

static int run_scenario(const char *name)
{
	for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
		if (!strcmp(scenarios[i].name, name)) {
			scenario_name = name;
			scenarios[i].run();
			return 0;
		}
	}
	fprintf(stderr, "test_alloc: no scenario '%s'\n", name);
	return 2;
}

/* ------------------------------------------------- the cmocka tests */

/*
 * Why the test_preload_* tests cannot run here, or NULL when they can.
 *
 * They are then left out with cmocka's skip filter, not skipped one by one
 * with skip(): cmocka 1.1.5 (Debian 12) prints a skipped test as
 * "not ok N # SKIP", which prove counts as a failure.
 */
static const char *preload_missing(void)
{
	const char *so = getenv("HP_ALLOC_SO");

	if (UNDER_ASAN)
		return "AddressSanitizer replaces malloc, and refuses to run under hp-alloc.so";
	if (!so || !*so)
		return "HP_ALLOC_SO, the path of hp-alloc.so, is not set (make sets it)";
	return NULL;
}

/*
 * Run a scenario in a preloaded child with the extra environment entries
 * env (NAME=VALUE, NULL-terminated), and expect it to exit 0. The child's
 * stdout goes to stderr, so the TAP stream on stdout stays clean.
 */
static void run_child(const char *scenario, const char *const *env)
{
	const char *so = getenv("HP_ALLOC_SO");
	int status;
	pid_t pid;

	if (access(so, R_OK) < 0)
		fail_msg("HP_ALLOC_SO=%s: %s", so, strerror(errno));

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		unsetenv("HP_ALLOC_FAIL_AT");
		unsetenv("HP_ALLOC_REPORT");
		setenv("LD_PRELOAD", so, 1);
		for (; env && *env; env++)
			putenv((char *)*env);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/proc/self/exe", "test_alloc", "child", scenario, (char *)NULL);
		fprintf(stderr, "test_alloc: cannot execute /proc/self/exe: %s\n", strerror(errno));
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("child %s: killed by signal %d", scenario, WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_preload_counts_mallocs_bytes_peak(void **state)
{
	(void)state;
	run_child("count", NULL);
}

static void test_preload_free_null_not_counted(void **state)
{
	(void)state;
	run_child("free_null", NULL);
}

static void test_preload_realloc_counted(void **state)
{
	(void)state;
	run_child("realloc", NULL);
}

static void test_preload_calloc_overflow(void **state)
{
	(void)state;
	run_child("calloc", NULL);
}

static void test_preload_alignment(void **state)
{
	(void)state;
	run_child("align", NULL);
}

static void test_preload_fail_at(void **state)
{
	static const char *const env[] = {"HP_ALLOC_FAIL_AT=3", NULL};

	(void)state;
	run_child("fail_at", env);
}

static void test_preload_threads_exact(void **state)
{
	(void)state;
	run_child("threads", NULL);
}

static void test_preload_stress_threads_and_fork(void **state)
{
	(void)state;
	run_child("stress", NULL);
}

/* A fresh directory for the report test, removed with what is in it. */
struct report_files {
	char dir[32];
	char report[64];
	char expect[64];
};

static int report_setup(void **state)
{
	static struct report_files rf;

	snprintf(rf.dir, sizeof rf.dir, "/tmp/test_alloc.XXXXXX");
	if (!mkdtemp(rf.dir)) {
		fprintf(stderr, "test_alloc: mkdtemp %s: %s\n", rf.dir, strerror(errno));
		return -1;
	}
	snprintf(rf.report, sizeof rf.report, "%s/report", rf.dir);
	snprintf(rf.expect, sizeof rf.expect, "%s/expect", rf.dir);
	*state = &rf;
	return 0;
}

static int report_teardown(void **state)
{
	struct report_files *rf = *state;

	unlink(rf->report);
	unlink(rf->expect);
	return rmdir(rf->dir);
}

static size_t read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/*
 * The report is appended (an earlier line survives), holds exactly the four
 * lines, and its numbers are the child's last snapshot: nothing allocated
 * after main() returned, and the forked grandchild did not report.
 */
static void test_preload_report(void **state)
{
	static const char earlier[] =
	    "{\"name\":\"time_ms\",\"value\":1,\"unit\":\"ms\",\"better\":\"lower\"}\n";
	static const char fmt[] =
	    "{\"name\":\"allocs\",\"value\":%" PRIu64 ",\"unit\":\"calls\",\"better\":\"lower\"}\n"
	    "{\"name\":\"frees\",\"value\":%" PRIu64 ",\"unit\":\"calls\",\"better\":\"lower\"}\n"
	    "{\"name\":\"alloc_bytes\",\"value\":%" PRIu64 ",\"unit\":\"B\",\"better\":\"lower\"}\n"
	    "{\"name\":\"peak_bytes\",\"value\":%" PRIu64 ",\"unit\":\"B\",\"better\":\"lower\"}\n";
	struct report_files *rf = *state;
	char env_report[96], env_expect[96];
	char got[2048], want[2048], nums[256];
	const char *env[] = {env_report, env_expect, NULL};
	uint64_t allocs, frees, bytes, peak;
	FILE *f;

	snprintf(env_report, sizeof env_report, "HP_ALLOC_REPORT=%s", rf->report);
	snprintf(env_expect, sizeof env_expect, "HP_TEST_EXPECT=%s", rf->expect);
	f = fopen(rf->report, "w");
	assert_non_null(f);
	fputs(earlier, f);
	fclose(f);

	run_child("report", env);

	read_file(rf->expect, nums, sizeof nums);
	assert_int_equal(
	    sscanf(nums, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &allocs, &frees, &bytes, &peak), 4);
	assert_true(allocs >= 10);
	assert_true(frees >= 5);
	snprintf(want, sizeof want, "%s", earlier);
	snprintf(want + strlen(want), sizeof want - strlen(want), fmt, allocs, frees, bytes, peak);
	read_file(rf->report, got, sizeof got);
	assert_string_equal(got, want);
}

/* This process runs without the preload, so the counter is not there. */
static void test_enosys_without_preload(void **state)
{
	struct hp_alloc_stats s;

	(void)state;
	memset(&s, 0xff, sizeof s);
	assert_int_equal(hp_alloc_snapshot(&s), -ENOSYS);
	assert_int_equal(s.mallocs, 0);
	assert_int_equal(s.peak_bytes, 0);
	assert_int_equal(hp_alloc_reset_peak(), -ENOSYS);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_enosys_without_preload),
	    cmocka_unit_test(test_preload_counts_mallocs_bytes_peak),
	    cmocka_unit_test(test_preload_free_null_not_counted),
	    cmocka_unit_test(test_preload_realloc_counted),
	    cmocka_unit_test(test_preload_calloc_overflow),
	    cmocka_unit_test(test_preload_alignment),
	    cmocka_unit_test(test_preload_fail_at),
	    cmocka_unit_test_setup_teardown(test_preload_report, report_setup, report_teardown),
	    cmocka_unit_test(test_preload_threads_exact),
	    cmocka_unit_test(test_preload_stress_threads_and_fork),
	};

	const char *missing;

	if (argc == 3 && !strcmp(argv[1], "child"))
		return run_scenario(argv[2]);
	missing = preload_missing();
	if (missing) {
		printf("# SKIP test_preload_*: %s\n", missing);
		cmocka_set_skip_filter("test_preload_*");
	}
	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
