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
 *   TCP round trip      a ping-pong of 64-byte messages between two threads
 *                       over 127.0.0.1; median and 99th percentile, with both
 *                       threads pinned to one CPU and with both free
 *   TCP stream          one thread writing 1 MiB blocks to another over
 *                       127.0.0.1; pinned to one CPU and free
 *   TCP connections     connect() + accept() + close(), one at a time
 *
 * The network figures are the ceilings of the server lessons: no server on
 * this machine answers a request in less than one loopback round trip, or
 * sends a response faster than the stream, or serves more new connections
 * a second than one thread can open and accept. They are measured over
 * loopback only, between two threads of this process:
 *
 *   tcp_rtt_{pinned,unpinned}_p50_us, _p99_us (us, lower is better)
 *       The client writes a 64-byte message and blocks until the echo
 *       thread has sent it back, with TCP_NODELAY on both ends; every round
 *       trip is timed, and each batch (about 30 ms of them) gives its median
 *       and its 99th percentile. 64 bytes is the size of a small request: the
 *       copy costs nothing, so the figure is the fixed cost of one message
 *       each way (the system calls, the TCP stack, waking the other thread);
 *       1 byte and 1 KiB measured the same here. Pinned, both threads share
 *       the CPU the server lessons pin server and load generator to
 *       (lesson_pin), and every round trip is two context switches on it.
 *       Unpinned, the scheduler places the two threads: on one CPU the
 *       round trip is the pinned one, on two every wake-up must reach the
 *       other CPU. On the 2-core reference VM the unpinned median moved
 *       from one run to the next between 12 us (as pinned), 16 to 19 us
 *       and 27 to 32 us, against 12 us pinned (when nothing else ran on
 *       that CPU). The placement mostly holds for a whole run, so
 *       min .. max does not show it; compare runs.
 *   tcp_stream_{pinned,unpinned}_gbs (GB/s, higher is better)
 *       Bytes through one connection per second, from the writer's first
 *       write() to the reader's last byte; kernel default socket buffers.
 *       Every byte is copied twice, into the kernel and out of it: pinned,
 *       one CPU does both copies; unpinned, they can overlap on two.
 *   tcp_connect_per_s (conn/s, higher is better)
 *       New connections a second when one thread connects, accepts and
 *       closes both ends, one connection at a time: the cost of a
 *       connection per request. The client end closes with a reset, so the
 *       run leaves no connections in TIME_WAIT behind.
 *
 * Every figure is the median of several repetitions after one warm-up
 * repetition that is not counted (it faults pages in and warms the caches
 * and the branch predictors). The median rather than the mean because a VM
 * is noisy: one repetition that lost its CPU to a neighbour must not move
 * the result. The output states the method of every figure, and the JSON
 * keeps min and max too, so a reader can see how noisy the machine was.
 * The loops over cheap operations (syscalls, malloc, the chases, the cached
 * memcpy, the TCP ones) are calibrated to last about 30 ms per repetition,
 * so a loaded machine makes the run noisier but not much longer.
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
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hp/net.h"
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
 * Store the median, min and max of the reps figures x in l. Rejects a
 * figure that is not a positive finite number: that would be a bug here,
 * not a property of the machine.
 */
static void limit_set(struct limit *l, const double *x, int reps)
{
	l->reps = reps;
	l->min = l->max = x[0];
	for (int i = 1; i < reps; i++) {
		l->min = x[i] < l->min ? x[i] : l->min;
		l->max = x[i] > l->max ? x[i] : l->max;
	}
	if (hp_stats_median(x, (size_t)reps, &l->value) < 0 || !isfinite(l->value) || l->value <= 0)
		hp_die("%s: measured %g %s, not a positive finite number", l->name, l->value, l->unit);
}

/* Run one uncounted warm-up and then reps repetitions of trial, and store their summary in l. */
static void measure(struct limit *l, int reps, trial_fn *trial, void *arg)
{
	double x[MAX_REPS];

	if (reps < 1 || reps > MAX_REPS)
		hp_die("%s: %d repetitions, the limit is 1 to %d", l->name, reps, MAX_REPS);
	trial(arg);
	for (int i = 0; i < reps; i++)
		x[i] = trial(arg);
	limit_set(l, x, reps);
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
 * TCP over loopback: round trips, a stream, new connections
 *
 * Two threads of this process talk over 127.0.0.1, each end on its own
 * socket, as a server and its client on one machine do. The round trips and
 * the streams use one connection each, made before their timed loops and
 * closed after them. The pinned variants put both threads on one CPU (the
 * first this process may use: CPU 0 unless hp-limits itself was started
 * pinned), where the server lessons pin server and load generator; the
 * unpinned ones leave both free to run on any CPU.
 */

/* A connected pair of sockets: the end that connected and the end that accept() returned. */
struct tcp_pair {
	int client;
	int server;
};

/*
 * TCP_NODELAY on both ends: without it Nagle's algorithm holds a small
 * message back while an earlier one is unacknowledged, and a ping-pong
 * then measures the delayed-ACK timer (40 ms on Linux), not the stack.
 */
static void set_nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
		hp_die("setsockopt(TCP_NODELAY): %s", strerror(errno));
}

static void tcp_pair_init(struct tcp_pair *p)
{
	int lfd = hp_listen_tcp(NULL, 0, 1, 0);
	int port = lfd < 0 ? lfd : hp_socket_port(lfd);

	if (lfd < 0 || port < 0)
		hp_die("listen on 127.0.0.1: %s", strerror(-(lfd < 0 ? lfd : port)));
	p->client = hp_connect_tcp(NULL, port, NULL, 0);
	if (p->client < 0)
		hp_die("connect to 127.0.0.1:%d: %s", port, strerror(-p->client));
	p->server = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (p->server < 0)
		hp_die("accept on 127.0.0.1:%d: %s", port, strerror(errno));
	close(lfd);
	set_nodelay(p->client);
	set_nodelay(p->server);
}

static void tcp_pair_release(struct tcp_pair *p)
{
	close(p->client);
	close(p->server);
	p->client = p->server = -1;
}

/* Read exactly len bytes. Returns len, fewer only at end of file, or dies. */
static size_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n == 0)
			break;
		if (n < 0 && errno != EINTR)
			hp_die("read from a loopback socket: %s", strerror(errno));
		if (n > 0)
			done += (size_t)n;
	}
	return done;
}

static void write_full(int fd, const void *buf, size_t len)
{
	int err = hp_write_all(fd, buf, len);

	if (err)
		hp_die("write to a loopback socket: %s", strerror(-err));
}

/* Pin the calling thread to cpu; cpu < 0 leaves it on the CPUs it inherited. */
static void pin_self(int cpu)
{
	cpu_set_t set;
	int err;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	err = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
	if (err)
		hp_die("pin a thread to CPU %d: %s", cpu, strerror(err));
}

/* The lowest-numbered CPU this process may run on. */
static int first_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set) < 0)
		hp_die("sched_getaffinity: %s", strerror(errno));
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	hp_die("sched_getaffinity: no CPU in the set");
}

static void thread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(tid, NULL, fn, arg);

	if (err)
		hp_die("pthread_create: %s", strerror(err));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The nearest-rank quantile q of the n > 0 sorted values x: the smallest
 * value with at least q * n of the values at or below it.
 */
static double quantile_sorted(const double *x, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);

	return x[rank < 1 ? 0 : rank > n ? n - 1 : rank - 1];
}

/*
 * Round trips. The client writes a message and waits for the echo; the
 * echo thread reads the message and writes it back. Each round trip is
 * timed on its own (one clock read between two replies, tens of ns), so a
 * batch gives a distribution, not just a mean: its median and its 99th
 * percentile. A batch lasts about the run's target time; the first batch is
 * the uncounted warm-up.
 */
#define RTT_MSG         64
#define RTT_MAX_SAMPLES 65536

struct rtt_session {
	struct tcp_pair pair;
	int cpu;                             /* both threads pinned to it; -1: unpinned */
	int batches;                         /* counted ones, after the warm-up */
	double target_ns;                    /* the length of one batch */
	double *samples;                     /* RTT_MAX_SAMPLES round-trip times of the current batch, ns */
	double p50[MAX_REPS], p99[MAX_REPS]; /* per counted batch, us */
	size_t trips;                        /* round trips in the counted batches */
};

static void *rtt_echo(void *arg)
{
	struct rtt_session *s = arg;
	unsigned char msg[RTT_MSG];

	pin_self(s->cpu);
	while (read_full(s->pair.server, msg, sizeof msg) == sizeof msg)
		write_full(s->pair.server, msg, sizeof msg);
	return NULL;
}

/* One batch of round trips; returns how many were made, their times in s->samples. */
static size_t rtt_batch(struct rtt_session *s, uint64_t *seq)
{
	unsigned char msg[RTT_MSG], reply[RTT_MSG];
	uint64_t start = hp_now_ns(), prev = start, now;
	size_t n = 0;

	memset(msg, 0x5a, sizeof msg);
	do {
		/* A sequence number in every message, so a lost or repeated echo cannot pass the check. */
		memcpy(msg, seq, sizeof *seq);
		++*seq;
		write_full(s->pair.client, msg, sizeof msg);
		if (read_full(s->pair.client, reply, sizeof reply) != sizeof reply ||
		    memcmp(reply, msg, sizeof msg) != 0)
			hp_die("tcp round trip %llu: the echo differs from the message",
			       (unsigned long long)*seq - 1);
		now = hp_now_ns();
		s->samples[n++] = (double)(now - prev);
		prev = now;
	} while ((double)(now - start) < s->target_ns && n < RTT_MAX_SAMPLES);
	return n;
}

static void *rtt_client(void *arg)
{
	struct rtt_session *s = arg;
	uint64_t seq = 0;

	pin_self(s->cpu);
	rtt_batch(s, &seq);
	for (int b = 0; b < s->batches; b++) {
		size_t n = rtt_batch(s, &seq);

		qsort(s->samples, n, sizeof *s->samples, cmp_double);
		s->p50[b] = quantile_sorted(s->samples, n, 0.50) / 1e3;
		s->p99[b] = quantile_sorted(s->samples, n, 0.99) / 1e3;
		s->trips += n;
	}
	return NULL;
}

static void rtt_run(struct rtt_session *s)
{
	pthread_t echo, client;

	tcp_pair_init(&s->pair);
	s->samples = hp_xmalloc_array(RTT_MAX_SAMPLES, sizeof *s->samples);
	s->trips = 0;
	thread_start(&echo, rtt_echo, s);
	thread_start(&client, rtt_client, s);
	pthread_join(client, NULL);
	/* End of file on the echo's socket ends its loop. */
	if (shutdown(s->pair.client, SHUT_WR) < 0)
		hp_die("shutdown: %s", strerror(errno));
	pthread_join(echo, NULL);
	free(s->samples);
	s->samples = NULL;
	tcp_pair_release(&s->pair);
}

/*
 * A stream. One thread write()s blocks of STREAM_BLOCK bytes, the other
 * read()s into a buffer of the same size until it has them all; both start
 * together at a barrier, and the interval is from the writer's start to the
 * reader's last byte. The sockets keep the kernel's default buffer sizes
 * (autotuned), as a program that sets none gets.
 *
 * 1 MiB blocks, as the page-cache reads: measured here unpinned, 256 KiB
 * blocks gave 2.3 to 2.8 GB/s in most runs, 1 MiB 3.6 to 4.3, and 4 MiB no
 * more: fewer, larger calls mean fewer wake-ups of the reader.
 */
#define STREAM_BLOCK (1 * MiB)

struct stream_arg {
	struct tcp_pair pair;
	int cpu;
	size_t blocks; /* per repetition */
	unsigned char *out, *in;
	pthread_barrier_t start;
	uint64_t t0, t1;
};

static void *stream_writer(void *arg)
{
	struct stream_arg *a = arg;

	pin_self(a->cpu);
	pthread_barrier_wait(&a->start);
	a->t0 = hp_now_ns();
	for (size_t i = 0; i < a->blocks; i++)
		write_full(a->pair.client, a->out, STREAM_BLOCK);
	return NULL;
}

static void *stream_reader(void *arg)
{
	struct stream_arg *a = arg;
	size_t want = a->blocks * STREAM_BLOCK, got = 0;
	ssize_t n = 0;

	pin_self(a->cpu);
	pthread_barrier_wait(&a->start);
	while (got < want) {
		size_t len = want - got < STREAM_BLOCK ? want - got : STREAM_BLOCK;

		n = read(a->pair.server, a->in, len);
		if (n == 0)
			hp_die("tcp stream: end of file after %zu of %zu bytes", got, want);
		if (n < 0 && errno != EINTR)
			hp_die("tcp stream: read: %s", strerror(errno));
		if (n > 0)
			got += (size_t)n;
	}
	a->t1 = hp_now_ns();
	/* Outside the interval: the bytes of the last read are the writer's pattern. */
	if (n > 0 && memcmp(a->in, a->out, (size_t)n) != 0)
		hp_die("tcp stream: the bytes read differ from the bytes written");
	return NULL;
}

static double stream_trial(void *arg)
{
	struct stream_arg *a = arg;
	pthread_t writer, reader;

	pthread_barrier_init(&a->start, NULL, 2);
	thread_start(&writer, stream_writer, a);
	thread_start(&reader, stream_reader, a);
	pthread_join(writer, NULL);
	pthread_join(reader, NULL);
	pthread_barrier_destroy(&a->start);
	return gbs(a->blocks * STREAM_BLOCK, a->t0, a->t1);
}

/*
 * New connections, one at a time in one thread: connect() to a listening
 * socket (the kernel completes the handshake inside the call), accept(),
 * and close() of both ends. The client's close is an abortive one
 * (SO_LINGER with a zero timeout sends a reset), so no connection is left
 * in TIME_WAIT: tens of thousands of those would hold ephemeral ports for a
 * minute and slow down every later connect() on the machine, the load tests
 * of the other lessons included.
 */
struct connect_arg {
	int lfd, port;
	size_t n;
};

static double connect_trial(void *arg)
{
	struct connect_arg *a = arg;
	struct linger reset = {.l_onoff = 1, .l_linger = 0};
	uint64_t t0, t1;

	t0 = hp_now_ns();
	for (size_t i = 0; i < a->n; i++) {
		int c = hp_connect_tcp(NULL, a->port, NULL, 0);
		int s;

		if (c < 0)
			hp_die("connect to 127.0.0.1:%d: %s", a->port, strerror(-c));
		s = accept4(a->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			hp_die("accept on 127.0.0.1:%d: %s", a->port, strerror(errno));
		if (setsockopt(c, SOL_SOCKET, SO_LINGER, &reset, sizeof reset) < 0)
			hp_die("setsockopt(SO_LINGER): %s", strerror(errno));
		close(c);
		close(s);
	}
	t1 = hp_now_ns();
	return (double)a->n / elapsed_ns(t0, t1) * 1e9;
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
	int width = 5; /* of the name column: the longest name, at least "limit" */

	printf("Machine limits: %s, %ld cores, kernel %s, %s%s\n\n", m->cpu, m->cores, m->kernel, m->date,
	       quick ? " (--quick: small buffers, not real ceilings)" : "");
	for (int i = 0; i < n; i++)
		width = (int)strlen(l[i].name) > width ? (int)strlen(l[i].name) : width;
	printf("  %-*s %8s %-6s  %-17s  %s\n", width, "limit", "median", "unit", "min .. max", "method");
	for (int i = 0; i < n; i++) {
		char med[32], lo[32], hi[32], range[80];

		fmt3(med, sizeof med, l[i].value);
		fmt3(lo, sizeof lo, l[i].min);
		fmt3(hi, sizeof hi, l[i].max);
		snprintf(range, sizeof range, "%s .. %s", lo, hi);
		printf("  %-*s %8s %-6s  %-17s  %s\n", width, l[i].name, med, l[i].unit, range, l[i].method);
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
	struct limit l[20];
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

static void measure_rtt(struct run *r, int cpu)
{
	struct rtt_session s = {.cpu = cpu, .batches = r->reps, .target_ns = r->target};
	char where[48] = "each free to run on any CPU";
	struct limit *l;

	if (s.batches > MAX_REPS)
		hp_die("tcp round trips: %d batches, the limit is %d", s.batches, MAX_REPS);
	if (cpu >= 0)
		snprintf(where, sizeof where, "both pinned to CPU %d", cpu);
	rtt_run(&s);
	l = run_add(r, cpu < 0 ? "tcp_rtt_unpinned_p50_us" : "tcp_rtt_pinned_p50_us", "us",
	            "ping-pong of %d-byte messages over TCP on 127.0.0.1 (TCP_NODELAY) between two "
	            "threads, %s; %zu round trips in %d batches, each timed; median of each batch",
	            RTT_MSG, where, s.trips, s.batches);
	limit_set(l, s.p50, s.batches);
	l = run_add(r, cpu < 0 ? "tcp_rtt_unpinned_p99_us" : "tcp_rtt_pinned_p99_us", "us",
	            "the same round trips (threads %s); 99th percentile of each batch", where);
	limit_set(l, s.p99, s.batches);
}

static void measure_stream(struct run *r, int cpu)
{
	struct buf out, in;
	struct stream_arg sa = {.cpu = cpu};
	char where[48] = "each free to run on any CPU";
	struct limit *l;

	if (cpu >= 0)
		snprintf(where, sizeof where, "both pinned to CPU %d", cpu);
	buf_init(&out, STREAM_BLOCK, 0x5a);
	buf_init(&in, STREAM_BLOCK, 0);
	sa.out = out.p;
	sa.in = in.p;
	tcp_pair_init(&sa.pair);
	calibrate(stream_trial, &sa, &sa.blocks, 4, 16384, r->target);
	l = run_add(r, cpu < 0 ? "tcp_stream_unpinned_gbs" : "tcp_stream_pinned_gbs", "GB/s",
	            "one thread write()s %zu MiB blocks over TCP on 127.0.0.1 (default buffers), another "
	            "reads them, %s; %zu MiB per repetition; bytes / time",
	            STREAM_BLOCK / MiB, where, sa.blocks * STREAM_BLOCK / MiB);
	measure(l, r->bw_reps, stream_trial, &sa);
	tcp_pair_release(&sa.pair);
	buf_release(&out);
	buf_release(&in);
}

static void measure_connect(struct run *r)
{
	struct connect_arg ca = {.lfd = hp_listen_tcp(NULL, 0, 16, 0)};
	struct limit *l;

	ca.port = ca.lfd < 0 ? ca.lfd : hp_socket_port(ca.lfd);
	if (ca.port < 0)
		hp_die("listen on 127.0.0.1: %s", strerror(-ca.port));
	calibrate(connect_trial, &ca, &ca.n, 16, 1000000, r->target);
	l = run_add(r, "tcp_connect_per_s", "conn/s",
	            "connect() to 127.0.0.1, accept(), close() of both ends (the client's with a reset, "
	            "so no TIME_WAIT), one at a time in one thread, %zu per repetition; connections / s",
	            ca.n);
	measure(l, r->reps, connect_trial, &ca);
	close(ca.lfd);
}

/*
 * The network ceilings, all over loopback. SIGPIPE is ignored so that a
 * peer that went away shows as an error message (EPIPE) rather than a
 * silent death.
 */
static void measure_tcp(struct run *r)
{
	int cpu = first_cpu();

	signal(SIGPIPE, SIG_IGN);
	measure_rtt(r, cpu);
	measure_rtt(r, -1);
	measure_stream(r, cpu);
	measure_stream(r, -1);
	measure_connect(r);
}

/* ---------------------------------------------------------------------------
 * main
 */

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	        "usage: hp-limits [--quick] [--out FILE]\n"
	        "  Measures memory bandwidth, syscall, malloc and cache-miss costs, page-cache\n"
	        "  read bandwidth, and TCP round trips, streams and connections over loopback;\n"
	        "  writes JSON to FILE (default results/limits.json) and a table to stdout.\n"
	        "  --quick uses 16 MiB buffers and fewer repetitions (for tests).\n");
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
	 * repetitions of the six of them stay under 2 s, and the network ones
	 * (two 10-batch round-trip sessions, two 16-repetition streams, ten
	 * rounds of connections) add under 2 s more.
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
	progress("tcp over loopback");
	measure_tcp(&r);

	write_json(out, &m, r.quick, r.l, r.n);
	print_table(&m, r.quick, r.l, r.n, (double)(hp_now_ns() - start) / 1e9);
	printf("Written to %s\n", out);
	return 0;
}
