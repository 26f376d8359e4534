/*
 * hp-limits: measure this machine's ceilings once, so that a lesson can say
 * how close its optimized variant comes to what the hardware allows.
 *
 * A speed-up means little without a ceiling to compare it with. A loop that
 * reads 10 GB/s is already at the limit on a machine whose memory delivers
 * 11 GB/s, and far from it on one that delivers 40. A server that makes one
 * syscall per request cannot answer faster than one syscall. hp-limits
 * measures those ceilings with the simplest loop that reaches each one:
 *
 *   memory bandwidth    sum 64-bit words over a buffer far larger than the
 *                       caches; memcpy between two such buffers; 1 and 2 threads
 *   syscall cost        syscall(SYS_getppid), about the cheapest kernel entry
 *   malloc + free       one block allocated and freed again, 64 B, 4 KiB, 64 KiB
 *   miss latency        a pointer chase over a random cycle of cache lines,
 *                       where every load depends on the one before it
 *   page-cache reads    read() of a file that is already in the page cache
 *   cached memcpy       memcpy of a 1 MiB buffer that stays in the caches
 *
 * Every figure is the median of several repetitions after one warm-up
 * repetition that is not counted (it faults pages in and warms the caches
 * and the branch predictors). The median rather than the mean because a VM
 * is noisy: one repetition that lost its CPU to a neighbour must not move
 * the result. The output states the method of every figure, and the JSON
 * keeps min and max too, so a reader can see how noisy the machine was.
 * The loops over cheap operations (syscalls, malloc, the chases, the cached
 * memcpy) are calibrated to last about 30 ms per repetition, so a loaded
 * machine makes the run noisier but not much longer.
 *
 * The whole run takes 5 to 10 seconds, under 20 s even on a loaded machine.
 * --quick uses 16 MiB buffers and fewer repetitions: the numbers are then
 * not memory-bound ceilings (16 MiB may fit in a large last-level cache),
 * but the program runs in a fraction of a second, which is what the tests
 * and the sanitizer builds need.
 *
 * Usage: hp-limits [--quick] [--out FILE]   (FILE defaults to results/limits.json)
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hp/prng.h"
#include "hp/stats.h"
#include "hp/time.h"
#include "hp/xalloc.h"

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)

/* The most repetitions any measurement takes; the array of samples is sized by it. */
#define MAX_REPS 16

/* ---------------------------------------------------------------------------
 * Keeping the compiler honest
 *
 * A benchmark loop whose result is never used is dead code to an optimizing
 * compiler: GCC deletes a sum nobody reads, a memcpy into a buffer that is
 * only freed afterwards, and even a malloc() followed by free() of the same
 * pointer. Two empty asm statements prevent that without adding work:
 *
 *   keep_value(v)   v must exist in a register: the computation of v stays.
 *   keep_memory(p)  p escapes into code the compiler cannot see, which may
 *                   read any memory (the "memory" clobber): every store made
 *                   through p before this point must really happen.
 *
 * Neither emits an instruction. A volatile sink would do the same job but
 * costs a store per use, which is visible inside a 1 ns loop.
 */
static inline void keep_value(uint64_t v)
{
	__asm__ volatile("" : : "r"(v));
}

static inline void keep_memory(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* ---------------------------------------------------------------------------
 * Buffers
 */

/*
 * A page-aligned buffer whose pages are already faulted in. Alignment keeps
 * the chase nodes on whole cache lines and lets memcpy use its aligned
 * paths; touching every page first keeps the page faults (about 3.5 us per
 * 4 KiB page on the reference VM) out of every timed loop.
 */
struct buf {
	void *raw;
	unsigned char *p;
	size_t len;
};

static void buf_init(struct buf *b, size_t len, int fill)
{
	b->raw = hp_xmalloc(len + 4096);
	b->p = (unsigned char *)(((uintptr_t)b->raw + 4095) & ~(uintptr_t)4095);
	b->len = len;
	memset(b->p, fill, len);
}

static void buf_release(struct buf *b)
{
	free(b->raw);
	b->raw = NULL;
	b->p = NULL;
}

/* ---------------------------------------------------------------------------
 * Repetitions and the table of results
 */

struct limit {
	const char *name;
	const char *unit;
	char method[240];
	int reps;
	double value; /* the median */
	double min, max;
};

/* One repetition of a measurement; returns the figure (GB/s, ns, ...). */
typedef double trial_fn(void *arg);

/*
 * Run one uncounted warm-up and then reps repetitions of trial, and store
 * their median, min and max in l. Also rejects a figure that is not a
 * positive finite number: that would be a bug here, not a property of the
 * machine.
 */
static void measure(struct limit *l, int reps, trial_fn *trial, void *arg)
{
	double x[MAX_REPS];

	if (reps < 1 || reps > MAX_REPS)
		hp_die("%s: %d repetitions, the limit is 1 to %d", l->name, reps, MAX_REPS);
	trial(arg);
	for (int i = 0; i < reps; i++)
		x[i] = trial(arg);
	l->reps = reps;
	l->min = l->max = x[0];
	for (int i = 1; i < reps; i++) {
		l->min = x[i] < l->min ? x[i] : l->min;
		l->max = x[i] > l->max ? x[i] : l->max;
	}
	if (hp_stats_median(x, (size_t)reps, &l->value) < 0 || !isfinite(l->value) || l->value <= 0)
		hp_die("%s: measured %g %s, not a positive finite number", l->name, l->value, l->unit);
}

/*
 * Choose the loop count of a trial so that one repetition lasts about
 * target_ns: starting from lo, run it with four times the count until one
 * run lasts an eighth of the target (so the first, cold runs, which pay
 * for page faults and heap growth, do not decide), then scale to the target,
 * within [lo, hi]. These runs are the warm-up too. A fixed count would make
 * the run as slow as the machine is loaded: on the reference VM a getppid
 * costs 1 us when it is quiet and 2.5 us when the neighbours compile, and a
 * miss 300 ns or 1000 ns. A fixed duration keeps the whole run bounded.
 */
static void calibrate(trial_fn *trial, void *arg, size_t *count, size_t lo, size_t hi, double target_ns)
{
	double t, scaled;

	for (*count = lo;; *count *= 4) {
		uint64_t t0 = hp_now_ns();

		trial(arg);
		t = (double)(hp_now_ns() - t0);
		if (t >= target_ns / 8 || *count >= hi / 4)
			break;
	}
	scaled = (double)*count * target_ns / (t > 0 ? t : 1.0);
	*count = scaled < (double)lo ? lo : scaled > (double)hi ? hi : (size_t)scaled;
}

/* Elapsed time of an interval in ns, never 0, so a rate never divides by zero. */
static double elapsed_ns(uint64_t t0, uint64_t t1)
{
	return t1 > t0 ? (double)(t1 - t0) : 1.0;
}

/* Bytes per nanosecond is GB/s (10^9 bytes per second), the unit of every bandwidth here. */
static double gbs(size_t bytes, uint64_t t0, uint64_t t1)
{
	return (double)bytes / elapsed_ns(t0, t1);
}

/* ---------------------------------------------------------------------------
 * Memory bandwidth: 1 and 2 threads
 *
 * Each thread works on its own contiguous share of the buffer. The threads
 * are created first and wait on a barrier; each reads the clock itself when
 * the barrier releases it and again when its share is done, and the interval
 * is from the earliest start to the latest end. The main thread's clock
 * would be wrong here: on a 2-core machine two busy workers leave it no CPU,
 * so it may read the clock only after they are half done (measured: "141
 * GB/s" for two threads whose own intervals said 50).
 */

enum bw_kind { BW_READ, BW_COPY };

struct bw_job {
	enum bw_kind kind;
	const unsigned char *src;
	unsigned char *dst;
	size_t len;
	pthread_barrier_t *start;
	uint64_t sum;
	uint64_t t0, t1;
};

/*
 * Four independent accumulators, so the additions form four short chains
 * instead of one long one; the loop is then limited by the loads, which is
 * the point. (A single accumulator already runs faster than DRAM on most
 * machines, but not on all.)
 */
static uint64_t sum_words(const unsigned char *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)p;
	size_t n = len / sizeof *w;
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	for (size_t i = 0; i + 4 <= n; i += 4) {
		s0 += w[i];
		s1 += w[i + 1];
		s2 += w[i + 2];
		s3 += w[i + 3];
	}
	return s0 + s1 + s2 + s3;
}

static void *bw_thread(void *arg)
{
	struct bw_job *j = arg;

	pthread_barrier_wait(j->start);
	j->t0 = hp_now_ns();
	if (j->kind == BW_READ) {
		j->sum = sum_words(j->src, j->len);
	} else {
		memcpy(j->dst, j->src, j->len);
		keep_memory(j->dst);
	}
	j->t1 = hp_now_ns();
	return NULL;
}

struct bw_arg {
	enum bw_kind kind;
	int threads;
	const unsigned char *src;
	unsigned char *dst;
	size_t len;      /* bytes read (BW_READ) or copied (BW_COPY), in all */
	uint64_t expect; /* the sum the read must find: the answer is checked */
};

static double bw_trial(void *arg)
{
	struct bw_arg *a = arg;
	struct bw_job job[2];
	pthread_t tid[2];
	pthread_barrier_t start;
	size_t share = a->len / (size_t)a->threads;
	uint64_t t0 = UINT64_MAX, t1 = 0, sum = 0;
	int err;

	pthread_barrier_init(&start, NULL, (unsigned)a->threads);
	for (int t = 0; t < a->threads; t++) {
		job[t] = (struct bw_job){
		    .kind = a->kind,
		    .src = a->src + (size_t)t * share,
		    .dst = a->dst ? a->dst + (size_t)t * share : NULL,
		    .len = share,
		    .start = &start,
		};
		err = pthread_create(&tid[t], NULL, bw_thread, &job[t]);
		if (err)
			hp_die("pthread_create: %s", strerror(err));
	}
	for (int t = 0; t < a->threads; t++) {
		pthread_join(tid[t], NULL);
		t0 = job[t].t0 < t0 ? job[t].t0 : t0;
		t1 = job[t].t1 > t1 ? job[t].t1 : t1;
		sum += job[t].sum;
	}
	pthread_barrier_destroy(&start);

	if (a->kind == BW_READ && sum != a->expect)
		hp_die("membw_read: sum %#llx, expected %#llx", (unsigned long long)sum,
		       (unsigned long long)a->expect);
	return gbs(a->len, t0, t1);
}

/* ---------------------------------------------------------------------------
 * Syscall and malloc + free costs: a tight loop of N calls, ns per call
 */

struct loop_arg {
	size_t n;
	size_t block; /* malloc: the block size */
};

static double syscall_trial(void *arg)
{
	struct loop_arg *a = arg;
	uint64_t t0, t1;

	/*
	 * syscall() rather than getppid(): glibc once cached getpid() in user
	 * space, and a cached call would measure nothing. getppid takes no lock
	 * and touches almost nothing in the kernel, so what remains is the cost
	 * of entering and leaving the kernel (with this kernel's mitigations).
	 */
	t0 = hp_now_ns();
	for (size_t i = 0; i < a->n; i++)
		keep_value((uint64_t)syscall(SYS_getppid));
	t1 = hp_now_ns();
	return elapsed_ns(t0, t1) / (double)a->n;
}

static double malloc_trial(void *arg)
{
	struct loop_arg *a = arg;
	uint64_t t0, t1;

	/*
	 * malloc() itself, not hp_xmalloc(): the allocator is what is measured,
	 * and a wrapper call would be counted with it. The NULL test is one
	 * predictable branch. The block is not touched: this is the allocator's
	 * bookkeeping only, in its best case, the same block coming back every
	 * time (glibc's per-thread tcache for the small sizes).
	 */
	t0 = hp_now_ns();
	for (size_t i = 0; i < a->n; i++) {
		void *p = malloc(a->block);

		if (!p)
			hp_die("out of memory (%zu bytes)", a->block);
		keep_memory(p);
		free(p);
	}
	t1 = hp_now_ns();
	return elapsed_ns(t0, t1) / (double)a->n;
}

/* ---------------------------------------------------------------------------
 * Latency: a pointer chase over a random cycle
 *
 * Every node is one 64-byte cache line whose first word points at the next
 * node. The next load cannot start before the previous one has returned its
 * address, so the time per step is the latency of one load, not a
 * throughput. The cycle is a random permutation (Sattolo's algorithm gives a
 * single cycle through every node), so the hardware prefetchers cannot guess
 * the next line. Over 256 MiB almost every step misses every cache level and
 * the TLB as well (the buffer uses ordinary 4 KiB pages, as a program's
 * heap does), so the figure is what a random access into a big heap costs.
 * Over 16 KiB the whole cycle fits in L1.
 */

struct node {
	struct node *next;
	char pad[64 - sizeof(struct node *)];
};
_Static_assert(sizeof(struct node) == 64, "one node per 64-byte cache line");

struct chase_arg {
	struct node *pos; /* where the walk goes on from: successive repetitions visit new lines */
	size_t steps;
};

/* Link the n nodes at nodes into one random cycle. */
static void chase_build(struct node *nodes, size_t n, uint64_t seed)
{
	uint32_t *perm = hp_xmalloc_array(n, sizeof *perm);
	struct hp_rng rng;

	hp_rng_init(&rng, seed);
	for (size_t i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	/* Sattolo: like Fisher–Yates, but j < i strictly, which yields one cycle of length n. */
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = hp_rng_below(&rng, i);
		uint32_t t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		nodes[i].next = &nodes[perm[i]];
	free(perm);
}

static double chase_trial(void *arg)
{
	struct chase_arg *a = arg;
	struct node *p = a->pos;
	uint64_t t0, t1;

	t0 = hp_now_ns();
	for (size_t i = 0; i < a->steps; i++)
		p = p->next;
	t1 = hp_now_ns();
	keep_value((uint64_t)(uintptr_t)p);
	a->pos = p;
	return elapsed_ns(t0, t1) / (double)a->steps;
}

/* ---------------------------------------------------------------------------
 * Page-cache reads and cached memcpy
 */

struct pagecache_arg {
	int fd;
	size_t file_len;
	unsigned char *chunk;
	size_t chunk_len;
};

static double pagecache_trial(void *arg)
{
	struct pagecache_arg *a = arg;
	size_t total = 0;
	uint64_t t0, t1;
	ssize_t r;

	if (lseek(a->fd, 0, SEEK_SET) < 0)
		hp_die("lseek: %s", strerror(errno));
	t0 = hp_now_ns();
	while ((r = read(a->fd, a->chunk, a->chunk_len)) > 0)
		total += (size_t)r;
	t1 = hp_now_ns();
	if (r < 0)
		hp_die("read: %s", strerror(errno));
	if (total != a->file_len)
		hp_die("read %zu bytes of a %zu-byte file", total, a->file_len);
	return gbs(total, t0, t1);
}

struct memcpy_arg {
	unsigned char *dst;
	const unsigned char *src;
	size_t len;
	size_t times;
};

static double memcpy_trial(void *arg)
{
	struct memcpy_arg *a = arg;
	uint64_t t0, t1;

	t0 = hp_now_ns();
	for (size_t i = 0; i < a->times; i++) {
		memcpy(a->dst, a->src, a->len);
		/* Each copy must really happen: without this, all but the last are dead stores. */
		keep_memory(a->dst);
	}
	t1 = hp_now_ns();
	return gbs(a->len * a->times, t0, t1);
}

/*
 * A temporary file of len bytes in /tmp, already unlinked, so nothing is
 * left behind even when the program is killed. Its pages stay in the page
 * cache: they are dirty, and the kernel does not write them back for tens of
 * seconds; the file is gone before that, and they are dropped unwritten.
 */
static int pagecache_file(const unsigned char *data, size_t len)
{
	char path[] = "/tmp/hp-limits-XXXXXX";
	size_t done = 0;
	int fd = mkstemp(path);

	if (fd < 0)
		hp_die("mkstemp %s: %s", path, strerror(errno));
	unlink(path);
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w < 0)
			hp_die("write %s: %s", path, strerror(errno));
		done += (size_t)w;
	}
	return fd;
}

/* ---------------------------------------------------------------------------
 * The machine and the output
 */

struct machine {
	char cpu[128];
	long cores;
	char kernel[128];
	char date[32];
};

static void machine_init(struct machine *m)
{
	struct utsname u;
	char line[256];
	FILE *f;
	time_t now = time(NULL);
	struct tm tm;

	snprintf(m->cpu, sizeof m->cpu, "unknown");
	f = fopen("/proc/cpuinfo", "r");
	if (f) {
		while (fgets(line, sizeof line, f)) {
			char *colon = strchr(line, ':');

			if (strncmp(line, "model name", 10) == 0 && colon) {
				colon += 1 + strspn(colon + 1, " \t");
				colon[strcspn(colon, "\n")] = '\0';
				snprintf(m->cpu, sizeof m->cpu, "%s", colon);
				break;
			}
		}
		fclose(f);
	}
	m->cores = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(m->kernel, sizeof m->kernel, "%s", uname(&u) == 0 ? u.release : "unknown");
	gmtime_r(&now, &tm);
	strftime(m->date, sizeof m->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Create the directories above path (mkdir -p of its dirname); an error shows when the file is opened. */
static void make_parents(const char *path)
{
	char *dir = hp_xstrdup(path);

	for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(dir, 0777);
		*s = '/';
	}
	free(dir);
}

/* Write the JSON to path.tmp, then rename: a reader never sees half a file. */
static void write_json(const char *path, const struct machine *m, int quick, const struct limit *l, int n)
{
	size_t len = strlen(path) + 8;
	char *tmp = hp_xmalloc(len);
	FILE *f;

	snprintf(tmp, len, "%s.tmp", path);
	make_parents(path);
	f = fopen(tmp, "w");
	if (!f)
		hp_die("cannot write %s: %s", tmp, strerror(errno));
	fprintf(f, "{\"machine\":{\"cpu\":");
	json_string(f, m->cpu);
	fprintf(f, ",\"cores\":%ld,\"kernel\":", m->cores);
	json_string(f, m->kernel);
	fprintf(f, ",\"date\":\"%s\"},\n \"quick\":%s,\n \"limits\":[\n", m->date, quick ? "true" : "false");
	for (int i = 0; i < n; i++) {
		fprintf(f, "  {\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"method\":", l[i].name,
		        l[i].value, l[i].unit);
		json_string(f, l[i].method);
		fprintf(f, ",\"reps\":%d,\"min\":%.6g,\"max\":%.6g}%s\n", l[i].reps, l[i].min, l[i].max,
		        i + 1 < n ? "," : "");
	}
	fprintf(f, " ]}\n");
	if (ferror(f) | fclose(f))
		hp_die("cannot write %s: %s", tmp, strerror(errno));
	if (rename(tmp, path) < 0)
		hp_die("cannot rename %s to %s: %s", tmp, path, strerror(errno));
	free(tmp);
}

/* Three significant digits without an exponent: 1234, 12.3, 1.23, 0.123. */
static void fmt3(char *buf, size_t len, double v)
{
	int decimals = v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3;

	snprintf(buf, len, "%.*f", decimals, v);
}

static void print_table(const struct machine *m, int quick, const struct limit *l, int n, double seconds)
{
	printf("Machine limits: %s, %ld cores, kernel %s, %s%s\n\n", m->cpu, m->cores, m->kernel, m->date,
	       quick ? " (--quick: small buffers, not real ceilings)" : "");
	printf("  %-20s %8s %-5s  %-17s  %s\n", "limit", "median", "unit", "min .. max", "method");
	for (int i = 0; i < n; i++) {
		char med[32], lo[32], hi[32], range[80];

		fmt3(med, sizeof med, l[i].value);
		fmt3(lo, sizeof lo, l[i].min);
		fmt3(hi, sizeof hi, l[i].max);
		snprintf(range, sizeof range, "%s .. %s", lo, hi);
		printf("  %-20s %8s %-5s  %-17s  %s\n", l[i].name, med, l[i].unit, range, l[i].method);
	}
	printf("\nEach value is the median of its repetitions after one uncounted warm-up; %.1f s in all.\n",
	       seconds);
}

/* ---------------------------------------------------------------------------
 * The measurements, in the order they run
 */

struct run {
	int quick;
	size_t big;    /* bytes of the big buffer: 256 MiB, 16 MiB with --quick */
	int reps;      /* repetitions of most measurements */
	int bw_reps;   /* of the bandwidth ones, which are short and the noisiest */
	double target; /* ns one repetition of a calibrated loop should take */
	struct buf b;  /* the big buffer, shared by every measurement that needs one */
	struct limit l[12];
	int n;
};

/* The next row of the table, named and with its method formatted. */
static struct limit *run_add(struct run *r, const char *name, const char *unit, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct limit *run_add(struct run *r, const char *name, const char *unit, const char *fmt, ...)
{
	struct limit *l;
	va_list ap;

	if (r->n == (int)(sizeof r->l / sizeof r->l[0]))
		hp_die("too many limits for the table");
	l = &r->l[r->n++];
	*l = (struct limit){.name = name, .unit = unit};
	va_start(ap, fmt);
	vsnprintf(l->method, sizeof l->method, fmt, ap);
	va_end(ap);
	return l;
}

/* The small-block costs run first, before the big buffer exists, so glibc's heap is in its usual state. */
static void measure_calls(struct run *r)
{
	/*
	 * 64 B comes from glibc's per-thread tcache (blocks up to 1032 B);
	 * 4 KiB and 64 KiB are beyond it and take the general path through the
	 * bins and the top chunk. 64 KiB is still below the mmap threshold
	 * (128 KiB at start), so none of the three makes a syscall.
	 */
	static const struct {
		const char *name;
		size_t block;
	} sizes[] = {
	    {"malloc_free_64_ns", 64},
	    {"malloc_free_4k_ns", 4 * KiB},
	    {"malloc_free_64k_ns", 64 * KiB},
	};
	struct loop_arg sys = {0};
	struct limit *l;

	calibrate(syscall_trial, &sys, &sys.n, 1000, 10000000, r->target);
	l = run_add(r, "syscall_ns", "ns", "syscall(SYS_getppid) in a loop of %zu calls; ns per call", sys.n);
	measure(l, r->reps, syscall_trial, &sys);

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct loop_arg ma = {.block = sizes[i].block};

		calibrate(malloc_trial, &ma, &ma.n, 10000, 100000000, r->target);
		l = run_add(
		    r, sizes[i].name, "ns",
		    "malloc(%zu) then free() of the same block, %zu pairs in a loop, block untouched; "
		    "ns per pair",
		    ma.block, ma.n);
		measure(l, r->reps, malloc_trial, &ma);
	}
}

static void measure_bandwidth(struct run *r)
{
	struct bw_arg bw;
	uint64_t word;
	struct limit *l;

	/* buf_init() filled every byte with 1: every 64-bit word is 0x0101..01, so the sum is known. */
	memcpy(&word, r->b.p, sizeof word);
	for (int t = 1; t <= 2; t++) {
		bw = (struct bw_arg){.kind = BW_READ, .threads = t, .src = r->b.p, .len = r->big};
		bw.expect = word * (uint64_t)(r->big / sizeof word);
		l = run_add(r, t == 1 ? "membw_read_1t" : "membw_read_2t", "GB/s",
		            "sum of 64-bit words (4 accumulators) over a %zu MiB buffer by %d thread%s, "
		            "each on its own share; bytes read / time",
		            r->big / MiB, t, t > 1 ? "s" : "");
		measure(l, r->bw_reps, bw_trial, &bw);
	}
	/*
	 * The copy goes between the two halves of the buffer, which never
	 * overlap. The destination is cleared first, so the check afterwards
	 * proves that the copies happened.
	 */
	memset(r->b.p + r->big / 2, 0, r->big / 2);
	for (int t = 1; t <= 2; t++) {
		bw = (struct bw_arg){.kind = BW_COPY,
		                     .threads = t,
		                     .src = r->b.p,
		                     .dst = r->b.p + r->big / 2,
		                     .len = r->big / 2};
		l = run_add(r, t == 1 ? "membw_copy_1t" : "membw_copy_2t", "GB/s",
		            "memcpy between two %zu MiB buffers by %d thread%s, each on its own share; "
		            "bytes copied / time (each byte is read once and written once)",
		            r->big / 2 / MiB, t, t > 1 ? "s" : "");
		measure(l, r->bw_reps, bw_trial, &bw);
	}
	if (memcmp(r->b.p, r->b.p + r->big / 2, r->big / 2) != 0)
		hp_die("membw_copy: the copy differs from its source");
}

static void measure_pagecache(struct run *r)
{
	struct buf chunk;
	struct pagecache_arg pc;
	struct limit *l;

	/*
	 * 1 MiB per read(): large enough that the syscall entry (about 1 us
	 * here) is under a tenth of the copy, small enough to stay in L2, as
	 * in a streaming reader; so this is the kernel's copy out of the page
	 * cache.
	 */
	buf_init(&chunk, 1 * MiB, 0);
	pc = (struct pagecache_arg){.fd = pagecache_file(r->b.p, r->big),
	                            .file_len = r->big,
	                            .chunk = chunk.p,
	                            .chunk_len = chunk.len};
	l = run_add(r, "pagecache_read_gbs", "GB/s",
	            "read() of a %zu MiB file in /tmp (already in the page cache; deleted after) "
	            "in 1 MiB chunks into one buffer; bytes / time",
	            r->big / MiB);
	measure(l, r->reps, pagecache_trial, &pc);
	close(pc.fd);
	buf_release(&chunk);
}

static void measure_latency(struct run *r)
{
	struct buf small;
	struct chase_arg ca;
	size_t nodes = r->big / sizeof(struct node);
	struct limit *l;

	/*
	 * Each repetition goes on where the previous one stopped, so it walks
	 * lines the previous ones did not touch (a repetition is a small part
	 * of the 4M-node cycle).
	 */
	chase_build((struct node *)r->b.p, nodes, 1);
	ca = (struct chase_arg){.pos = (struct node *)r->b.p};
	calibrate(chase_trial, &ca, &ca.steps, 4096, (size_t)1 << 26, r->target);
	l = run_add(r, "miss_latency_ns", "ns",
	            "pointer chase over a random cycle of %zu 64-byte nodes (%zu MiB, 4 KiB pages), "
	            "%zu dependent loads; ns per load",
	            nodes, r->big / MiB, ca.steps);
	measure(l, r->reps, chase_trial, &ca);

	buf_init(&small, 16 * KiB, 0);
	nodes = small.len / sizeof(struct node);
	chase_build((struct node *)small.p, nodes, 1);
	ca = (struct chase_arg){.pos = (struct node *)small.p};
	calibrate(chase_trial, &ca, &ca.steps, 65536, (size_t)1 << 30, r->target);
	l = run_add(r, "l1_latency_ns", "ns",
	            "the same chase over %zu nodes (16 KiB, fits in L1), %zu dependent loads; ns per load",
	            nodes, ca.steps);
	measure(l, r->reps, chase_trial, &ca);
	buf_release(&small);
}

static void measure_memcpy(struct run *r)
{
	struct buf src, dst;
	struct memcpy_arg mc;
	struct limit *l;

	/* 1 MiB fits in L2 or L3 on any current CPU. */
	buf_init(&src, 1 * MiB, 7);
	buf_init(&dst, 1 * MiB, 0);
	mc = (struct memcpy_arg){.dst = dst.p, .src = src.p, .len = src.len};
	calibrate(memcpy_trial, &mc, &mc.times, 4, 1000000, r->target);
	l = run_add(r, "memcpy_1m_gbs", "GB/s",
	            "memcpy of a 1 MiB buffer (cache-resident) to another, %zu times; bytes copied / time",
	            mc.times);
	measure(l, r->reps, memcpy_trial, &mc);
	if (memcmp(dst.p, src.p, src.len) != 0)
		hp_die("memcpy_1m: the copy differs from its source");
	buf_release(&src);
	buf_release(&dst);
}

/* ---------------------------------------------------------------------------
 * main
 */

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	        "usage: hp-limits [--quick] [--out FILE]\n"
	        "  Measures memory bandwidth, syscall, malloc and cache-miss costs and page-cache\n"
	        "  read bandwidth; writes JSON to FILE (default results/limits.json) and a table\n"
	        "  to stdout. --quick uses 16 MiB buffers and fewer repetitions (for tests).\n");
	exit(status);
}

static void progress(const char *what)
{
	fprintf(stderr, "hp-limits: %s\n", what);
}

int main(int argc, char **argv)
{
	const char *out = "results/limits.json";
	struct run r = {0};
	struct machine m;
	uint64_t start = hp_now_ns();

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			r.quick = 1;
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(0);
		} else {
			fprintf(stderr, "hp-limits: unknown or incomplete option '%s'\n", argv[i]);
			usage(2);
		}
	}

	/*
	 * 256 MiB is eight times the 32 MiB of L3 one core can use on the
	 * reference machine (a Zen 5 EPYC) and beyond any last-level cache a
	 * single core sees today. Nine repetitions give a median that one or
	 * two disturbed runs cannot move; the bandwidth loops take ~10 ms each
	 * and vary most (13 to 37 GB/s from one repetition to the next on the
	 * reference VM), so they get fifteen.
	 */
	r.big = r.quick ? 16 * MiB : 256 * MiB;
	r.reps = r.quick ? 3 : 9;
	r.bw_reps = r.quick ? 3 : 15;
	/*
	 * 30 ms per repetition of the calibrated loops: long against the clock
	 * (tens of ns) and a scheduler tick (4 ms), short enough that ten
	 * repetitions of the six of them stay under 2 s.
	 */
	r.target = r.quick ? 3e6 : 30e6;

	machine_init(&m);
	progress("syscall and malloc costs");
	measure_calls(&r);

	/*
	 * One big buffer for everything else, faulted in once: a first touch
	 * costs about 3.5 us per 4 KiB page on the reference VM, so each
	 * 256 MiB buffer would add a second to the run.
	 */
	buf_init(&r.b, r.big, 1);
	progress("memory bandwidth");
	measure_bandwidth(&r);
	progress("page-cache read bandwidth");
	measure_pagecache(&r);
	progress("cache-miss and L1 latency");
	measure_latency(&r);
	buf_release(&r.b);
	progress("cached memcpy");
	measure_memcpy(&r);

	write_json(out, &m, r.quick, r.l, r.n);
	print_table(&m, r.quick, r.l, r.n, (double)(hp_now_ns() - start) / 1e9);
	printf("Written to %s\n", out);
	return 0;
}
