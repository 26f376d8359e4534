/*
 * Chapter 09, arena variant: a request's tree from a bump arena, freed at
 * once when the request is done; the arena keeps its first block and frees
 * the others.
 *
 * The same JSON service as naive.c (workload.h): --size requests, each
 * parsed into a tree, checksummed in canonical form and dropped; in the
 * mixed case a cache of tenants' settings lives across requests.
 *
 * What changed: every node, key, string and temporary array of a request
 * comes from an arena, a chain of large blocks with a pointer to the first
 * free byte. An allocation rounds its size up to 8 bytes and moves the
 * pointer; when the block is full, the arena chains a new one. Nothing is
 * freed one by one (doc_free() does nothing): when the request is done,
 * arena_reset() frees the blocks it had to add and sets the pointer back to
 * the start of the first one. The naive variant's hundreds of malloc and
 * free calls per request become a handful of instructions each, plus one
 * malloc and free per extra block of a large request.
 *
 * Three rules:
 *
 *   - Everything in the arena dies together. Nothing allocated from it may
 *     outlive the request, so the settings cache still copies with malloc
 *     (workload.c), exactly as in the naive variant: data that lives longer
 *     than its request does not belong in the request's arena.
 *   - Keep the first block, free the others, as PostgreSQL's memory
 *     contexts keep their "keeper" block. A reset that keeps every block
 *     would pin the largest request ever seen; a reset that frees every
 *     block costs a malloc and a free per request again. Most requests fit
 *     in the first block. Measured at the default size: freeing every block
 *     took 6459 allocations, keeping the first took 459.
 *   - Size the block for the common request. BLOCK_SIZE (64 KiB) holds the
 *     tree of all but the largest documents; it stays below glibc's mmap
 *     threshold (128 KiB), so a block comes from the heap, not from an mmap
 *     system call.
 *
 * What this costs: the blocks a large request adds are freed at its end,
 * merge into the free space at the top of glibc's heap, and once that
 * exceeds M_TRIM_THRESHOLD (128 KiB) free() gives it back to the kernel. The
 * next large request takes it back, and the kernel maps and zeroes every
 * page of it again, one page fault per 4 KiB: 3589 in the timed section at
 * the default size, against 133 for the naive variant, whose heap never
 * shrinks. optimized.c keeps the blocks instead.
 *
 * An arena hides bugs from the tools the way a pool does: a node used after
 * its request ended points into memory that is still allocated, so neither
 * ASan nor Valgrind can see it. When this file is built with ASan, the arena
 * poisons what it has not handed out and what a reset takes back
 * (ASAN_POISON_MEMORY_REGION), so such a use is reported like a
 * use-after-free; in an ordinary build those macros compile to nothing.
 */
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/opts.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

/* ------------------------------------------------------- the request's heap */

/*
 * The block size. 64 KiB holds the tree of every document but the largest
 * few (a median document needs a few KiB). Measured in the requests case at
 * the default size (6000 requests), in arena.c: 4 KiB blocks took 19722
 * allocations, 16 KiB 3441, 64 KiB 459, 128 KiB 189, 256 KiB 83; the
 * instruction counts hardly differed. 128 KiB is glibc's mmap threshold:
 * the first such block is mmap'd, and when it is unmapped glibc raises its
 * mmap threshold to the block's size and its trim threshold to twice that,
 * so later blocks come from the heap and stay there (the heap held 388 KiB
 * after the run, against 196 with 64 KiB blocks). That also happened to
 * stop the page faults that arena.c pays (150 instead of 3589), by an
 * accident of glibc's heuristics; optimized.c keeps its blocks by decision.
 */
#define BLOCK_SIZE (64 * 1024)

/* Every allocation is rounded up to this, the alignment of struct node. */
#define ARENA_ALIGN 8

struct block {
	struct block *prev; /* the block chained before this one; NULL for the first */
	size_t size;        /* bytes of data */
	char data[];        /* malloc's alignment (16) suffices for ARENA_ALIGN */
};

/* The data of an ordinary block: BLOCK_SIZE is what it asks malloc for. */
#define BLOCK_DATA (BLOCK_SIZE - sizeof(struct block))

/* The arena: allocations are cut from [ptr, end) of the newest block. */
struct doc_heap {
	char *ptr, *end;
	struct block *head; /* the newest block; the chain ends at the first, which stays */
};

static size_t round_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/* Chain a block for at least size bytes (an ordinary one, or one of its own for a larger piece). */
static void arena_add_block(struct doc_heap *a, size_t size)
{
	size_t data = size > BLOCK_DATA ? round_up(size) : BLOCK_DATA;
	struct block *b = hp_xmalloc(sizeof *b + data);

	b->prev = a->head;
	b->size = data;
	ASAN_POISON_MEMORY_REGION(b->data, data);
	a->head = b;
	a->ptr = b->data;
	a->end = b->data + data;
}

static void arena_init(struct doc_heap *a)
{
	a->head = NULL;
	arena_add_block(a, 0);
}

/* The slow path: the current block is full. */
static void *__attribute__((noinline)) arena_grow(struct doc_heap *a, size_t size)
{
	if (size > SIZE_MAX / 2)
		hp_die("doc_alloc: %zu bytes", size);
	arena_add_block(a, size);
	return doc_alloc(a, size);
}

void *doc_alloc(struct doc_heap *a, size_t size)
{
	char *p = a->ptr;

	/* end - ptr is a multiple of ARENA_ALIGN, so the rounded size fits whenever size does. */
	if (size > (size_t)(a->end - p))
		return arena_grow(a, size);
	a->ptr = p + round_up(size);
	ASAN_UNPOISON_MEMORY_REGION(p, size);
	return p;
}

/* Nothing: the memory goes back when the request's arena is reset. */
void doc_free(struct doc_heap *a, void *p)
{
}

/* Free every block but the first and start over at its beginning. */
static void arena_reset(struct doc_heap *a)
{
	struct block *b = a->head;

	while (b->prev) {
		struct block *prev = b->prev;

		free(b);
		b = prev;
	}
	a->head = b;
	ASAN_POISON_MEMORY_REGION(b->data, b->size);
	a->ptr = b->data;
	a->end = b->data + b->size;
}

static void arena_release(struct doc_heap *a)
{
	arena_reset(a);
	free(a->head);
	a->head = NULL;
	a->ptr = a->end = NULL;
}

/* ------------------------------------------------------------------ service */

static void run(const struct corpus *c, uint64_t seed, size_t n, int mixed, struct settings_cache *cache,
                struct hp_digest *d)
{
	struct doc_heap arena;
	struct doc_heap *heap = &arena;
	struct traffic t;
	struct heap_probe probe;
	struct hp_section s;

	traffic_init(&t, c, seed);
	heap_probe_begin(&probe);
	hp_section_begin(&s);
	arena_init(heap);

	for (size_t i = 0; i < n; i++) {
		struct doc_text doc = traffic_next(&t);
		struct node *root = doc_parse(heap, doc.text, doc.len);

		doc_handle(heap, root, d);
		if (mixed)
			cache_update(cache, heap, root, d);
		/* The request is done: its whole tree goes at once. */
		arena_reset(heap);
	}

	hp_section_end(&s, n);
	heap_report(&probe);
	hp_section_report(&s);
	arena_release(heap);
}

int main(int argc, char **argv)
{
	struct hp_opts opt;

	hp_opts_parse(&opt, argc, argv, "mode");
	const char *mode = hp_opts_str(&opt, "mode", "requests");
	int mixed = !strcmp(mode, "mixed");

	if (!mixed && strcmp(mode, "requests"))
		hp_die("unknown --mode '%s' (expected requests or mixed)", mode);

	size_t n = (size_t)opt.size;
	struct settings_cache cache;
	struct corpus c;
	struct hp_digest d;
	char hex[17];

	corpus_init(&c, opt.seed);
	cache_init(&cache);
	hp_digest_init(&d);
	run(&c, opt.seed, n, mixed, &cache, &d);

	hp_digest_hex(&d, hex);
	printf("digest %s requests %zu cache %llu/%llu\n", hex, n, (unsigned long long)cache.hits,
	       (unsigned long long)(cache.hits + cache.misses));
	cache_release(&cache);
	corpus_release(&c);
	return 0;
}
