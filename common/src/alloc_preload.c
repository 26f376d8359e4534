/*
 * hp-alloc.so, the allocation counter (hp/alloc.h). Loaded with LD_PRELOAD,
 * it defines malloc and its family, so every allocation of the program, of
 * libc and of the other libraries comes here first; it counts the call and
 * passes it on to glibc's own allocator through __libc_malloc and friends,
 * the second names under which glibc exports it. Linking to those needs no
 * dlsym(RTLD_NEXT, "malloc") at start-up, which would be a bootstrap
 * problem: dlsym() itself may call malloc.
 *
 * Every block carries a small header just before the pointer the caller
 * sees, holding the size the caller asked for and the pointer glibc gave us:
 *
 *   base                          user = base + pad
 *   |  ...padding...  | size | base | caller's bytes ...
 *
 * Why a header rather than malloc_usable_size()? The header gives the
 * requested size exactly, where malloc_usable_size() gives the rounded-up
 * chunk size, which depends on the allocator's size classes; with the header
 * the counts are the program's own and do not change with the allocator. The
 * cost is the header: 16 bytes per block on x86-64 (the header is padded to
 * alignof(max_align_t) so the caller's pointer keeps malloc's alignment), and
 * a counter update on every call. That is why the harness times variants
 * without the preload and counts their allocations in a separate run.
 *
 * The counters are C11 atomics updated with relaxed ordering: each is exact
 * on its own, and nothing else is published through them. The peak is kept
 * exact with a compare-exchange loop on every increase of live_bytes. There
 * are no locks, so fork() needs no special care. Nothing here calls malloc:
 * the environment is read with getenv() in a constructor, and the report is
 * written with snprintf() into a stack buffer and one write().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp/alloc.h"

/*
 * glibc's allocator under its exported internal names. They are reserved
 * names, declared here because no header does; glibc's manual ("Replacing
 * malloc") lists the functions a replacement must define.
 */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *ptr);

/* ---------------------------------------------------------------- blocks */

struct header {
	size_t size; /* bytes the caller asked for */
	void *base;  /* what glibc returned: what we hand back to __libc_free() */
};

/*
 * The room the header takes at the start of a plain block, rounded up to
 * alignof(max_align_t) so that base + HEADER_ROOM is as aligned as base.
 */
#define MAX_ALIGN   alignof(max_align_t)
#define HEADER_ROOM ((sizeof(struct header) + MAX_ALIGN - 1) / MAX_ALIGN * MAX_ALIGN)

static struct header *header_of(void *user)
{
	return (struct header *)user - 1;
}

/*
 * Allocate size bytes aligned to align, a power of two. Up to
 * alignof(max_align_t) plain malloc gives the alignment, and the caller's
 * pointer is base + HEADER_ROOM. Above it we ask glibc for a block aligned to
 * align with pad extra bytes in front, pad being HEADER_ROOM rounded up to a
 * multiple of align (on x86-64, align itself), so the caller's pointer
 * base + pad is aligned too and the header fits in the gap before it.
 * zero asks for zeroed memory, which only calloc() does, with plain
 * alignment; __libc_calloc() knows when fresh pages need no memset.
 */
static void *block_alloc(size_t align, size_t size, int zero)
{
	size_t pad = (HEADER_ROOM + align - 1) & ~(align - 1);
	struct header *h;
	char *base;

	if (size > SIZE_MAX - pad) {
		errno = ENOMEM;
		return NULL;
	}
	if (align > MAX_ALIGN)
		base = __libc_memalign(align, pad + size);
	else if (zero)
		base = __libc_calloc(1, pad + size);
	else
		base = __libc_malloc(pad + size);
	if (!base)
		return NULL;
	h = header_of(base + pad);
	h->size = size;
	h->base = base;
	return base + pad;
}

/*
 * Resize a block, keeping the caller's pointer at the same offset from base.
 * The new base has only malloc's alignment, and so does the caller's
 * pointer, which is all realloc() promises even for a block from
 * aligned_alloc().
 */
static void *block_realloc(void *user, size_t size)
{
	struct header *h = header_of(user);
	size_t pad = (size_t)((char *)user - (char *)h->base);
	char *base;

	if (size > SIZE_MAX - pad) {
		errno = ENOMEM;
		return NULL;
	}
	base = __libc_realloc(h->base, pad + size);
	if (!base)
		return NULL;
	h = header_of(base + pad);
	h->size = size;
	h->base = base;
	return base + pad;
}

/* -------------------------------------------------------------- counters */

static struct {
	atomic_uint_least64_t mallocs, reallocs, frees, bytes, live_bytes, peak_bytes;
	atomic_uint_least64_t calls; /* allocation calls, failed ones too, for HP_ALLOC_FAIL_AT */
} counters;

/*
 * Set once by the constructor, before main() and before any thread but the
 * first exists, and only read afterwards; so they need not be atomic.
 */
static uint64_t fail_at;
static char report_path[PATH_MAX];
static pid_t report_pid;

static void live_add(uint64_t n)
{
	uint64_t live = atomic_fetch_add_explicit(&counters.live_bytes, n, memory_order_relaxed) + n;
	uint64_t peak = atomic_load_explicit(&counters.peak_bytes, memory_order_relaxed);

	/* On failure the exchange reloads peak, so the loop ends once peak >= live. */
	while (peak < live &&
	       !atomic_compare_exchange_weak_explicit(&counters.peak_bytes, &peak, live, memory_order_relaxed,
	                                              memory_order_relaxed))
		;
}

static void live_sub(uint64_t n)
{
	atomic_fetch_sub_explicit(&counters.live_bytes, n, memory_order_relaxed);
}

static void count(atomic_uint_least64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static void count_malloc(size_t size)
{
	count(&counters.mallocs);
	atomic_fetch_add_explicit(&counters.bytes, size, memory_order_relaxed);
	live_add(size);
}

/*
 * One update of live_bytes per realloc: subtracting the old size and adding
 * the new one separately would let the peak see both blocks at once.
 */
static void count_realloc(size_t old, size_t size)
{
	count(&counters.reallocs);
	atomic_fetch_add_explicit(&counters.bytes, size, memory_order_relaxed);
	if (size >= old)
		live_add(size - old);
	else
		live_sub(old - size);
}

static void count_free(size_t size)
{
	count(&counters.frees);
	live_sub(size);
}

/*
 * Whether this allocation call is the one HP_ALLOC_FAIL_AT names. Calls are
 * numbered from the start, before the constructor has read fail_at too:
 * libraries initialised before it (libubsan, for one) allocate, and the
 * numbers must agree with the counters a program sees in a snapshot.
 */
static int injected_failure(void)
{
	if (atomic_fetch_add_explicit(&counters.calls, 1, memory_order_relaxed) + 1 != fail_at)
		return 0;
	errno = ENOMEM;
	return 1;
}

/* ------------------------------------------- the interposed allocator */

/*
 * The exported functions below call these, never each other: a call from
 * this library to malloc() would go through the PLT, to whichever malloc the
 * dynamic linker found first.
 */
static void counted_free(void *p)
{
	struct header *h;

	if (!p)
		return;
	h = header_of(p);
	count_free(h->size);
	__libc_free(h->base);
}

static void *counted_malloc(size_t align, size_t size, int zero)
{
	void *p;

	if (injected_failure())
		return NULL;
	p = block_alloc(align, size, zero);
	if (p)
		count_malloc(size);
	return p;
}

/* As glibc: realloc(NULL, n) is malloc(n), and realloc(p, 0) frees p and returns NULL. */
static void *counted_realloc(void *p, size_t size)
{
	size_t old;
	void *q;

	if (!p)
		return counted_malloc(MAX_ALIGN, size, 0);
	if (!size) {
		counted_free(p);
		return NULL;
	}
	if (injected_failure())
		return NULL;
	old = header_of(p)->size;
	q = block_realloc(p, size);
	if (q)
		count_realloc(old, size);
	return q;
}

/*
 * The aligned family shares one rule, glibc's memalign(): an alignment that
 * is not a power of two is rounded up to one, and one that cannot be is
 * EINVAL.
 */
static void *counted_memalign(size_t align, size_t size)
{
	size_t a = MAX_ALIGN;

	if (align > SIZE_MAX / 2 + 1) {
		errno = EINVAL;
		return NULL;
	}
	while (a < align)
		a *= 2;
	return counted_malloc(a, size, 0);
}

void *malloc(size_t size)
{
	return counted_malloc(MAX_ALIGN, size, 0);
}

void *calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return counted_malloc(MAX_ALIGN, n * size, 1);
}

void *realloc(void *p, size_t size)
{
	return counted_realloc(p, size);
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return counted_realloc(p, n * size);
}

void free(void *p)
{
	counted_free(p);
}

void *memalign(size_t align, size_t size)
{
	return counted_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	return counted_memalign(align, size);
}

/* The one member that reports errors by return value and leaves *out alone on failure. */
int posix_memalign(void **out, size_t align, size_t size)
{
	int saved = errno;
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = counted_memalign(align, size);
	if (!p) {
		int err = errno;

		errno = saved;
		return err;
	}
	*out = p;
	return 0;
}

void *valloc(size_t size)
{
	return counted_memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

/* pvalloc() rounds the size up to whole pages, and pvalloc(0) is one page. */
void *pvalloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (size > SIZE_MAX - page) {
		errno = ENOMEM;
		return NULL;
	}
	size = size ? (size + page - 1) / page * page : page;
	return counted_memalign(page, size);
}

/*
 * The requested size, not glibc's rounded-up chunk size: a program that uses
 * the slack (as some string libraries do) must not write past what the
 * counter knows of.
 */
size_t malloc_usable_size(void *p)
{
	return p ? header_of(p)->size : 0;
}

/* ------------------------------------------------- interface of libhp */

int hp_alloc_preload_snapshot(struct hp_alloc_stats *s)
{
	s->mallocs = atomic_load_explicit(&counters.mallocs, memory_order_relaxed);
	s->reallocs = atomic_load_explicit(&counters.reallocs, memory_order_relaxed);
	s->frees = atomic_load_explicit(&counters.frees, memory_order_relaxed);
	s->bytes = atomic_load_explicit(&counters.bytes, memory_order_relaxed);
	s->live_bytes = atomic_load_explicit(&counters.live_bytes, memory_order_relaxed);
	s->peak_bytes = atomic_load_explicit(&counters.peak_bytes, memory_order_relaxed);
	return 0;
}

void hp_alloc_preload_reset_peak(void)
{
	atomic_store_explicit(&counters.peak_bytes,
	                      atomic_load_explicit(&counters.live_bytes, memory_order_relaxed),
	                      memory_order_relaxed);
}

/* ------------------------------------------------- start-up and exit */

/* A message to stderr without stdio, which could allocate a buffer. */
static void say(const char *msg)
{
	ssize_t unused = write(STDERR_FILENO, msg, strlen(msg));

	(void)unused;
}

__attribute__((constructor)) static void alloc_init(void)
{
	const char *at = getenv("HP_ALLOC_FAIL_AT");
	const char *report = getenv("HP_ALLOC_REPORT");
	char msg[PATH_MAX + 128];

	if (at && *at) {
		char *end;

		errno = 0;
		fail_at = strtoull(at, &end, 10);
		if (errno || *end || !fail_at || *at == '-') {
			snprintf(msg, sizeof msg,
			         "hp-alloc: ignoring HP_ALLOC_FAIL_AT=%s (want a count >= 1)\n", at);
			say(msg);
			fail_at = 0;
		}
	}
	if (report && *report) {
		if (strlen(report) < sizeof report_path) {
			memcpy(report_path, report, strlen(report) + 1);
			report_pid = getpid();
		} else {
			say("hp-alloc: ignoring HP_ALLOC_REPORT: path too long\n");
		}
	}
}

/*
 * Append the totals, unless this process is a forked child that inherited
 * the parent's counts (and the parent's report_path). One write() with
 * O_APPEND keeps the four lines together when several processes report.
 */
__attribute__((destructor)) static void alloc_report(void)
{
	static const char fmt[] = "{\"name\":\"%s\",\"value\":%llu,\"unit\":\"%s\",\"better\":\"lower\"}\n";
	struct hp_alloc_stats s;
	char buf[512], msg[PATH_MAX + 128]; /* four lines of at most 90 bytes */
	ssize_t n;
	int len, fd, err;

	if (!report_path[0] || getpid() != report_pid)
		return;
	hp_alloc_preload_snapshot(&s);
	len = snprintf(buf, sizeof buf, fmt, "allocs", (unsigned long long)hp_alloc_calls(&s), "calls");
	len +=
	    snprintf(buf + len, sizeof buf - (size_t)len, fmt, "frees", (unsigned long long)s.frees, "calls");
	len += snprintf(buf + len, sizeof buf - (size_t)len, fmt, "alloc_bytes", (unsigned long long)s.bytes,
	                "B");
	len += snprintf(buf + len, sizeof buf - (size_t)len, fmt, "peak_bytes",
	                (unsigned long long)s.peak_bytes, "B");

	fd = open(report_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out_err;
	n = write(fd, buf, (size_t)len);
	if (n != len) {
		if (n >= 0)
			errno = EIO;
		goto out_close;
	}
	if (close(fd) < 0)
		goto out_err;
	return;

out_close:
	err = errno;
	close(fd);
	errno = err;
out_err:
	/* Not strerror(), which may allocate to translate the message. */
	snprintf(msg, sizeof msg, "hp-alloc: cannot append to %s: %s\n", report_path, strerrordesc_np(errno));
	say(msg);
}
