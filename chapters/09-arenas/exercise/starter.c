/*
 * Chapter 09 exercise: your copy of the naive variant. Give each request a
 * bump arena, so that its tree is allocated by moving a pointer and freed at
 * once, without changing what the program prints.
 *
 * The service (workload.h) handles --size requests: each parses a JSON
 * document into a tree, computes its result, and drops the tree. Two cases,
 * picked with --mode:
 *
 *   requests  every request's memory dies with the request;
 *   mixed     the service also keeps tenants' settings in a cache, deep
 *             copies made with malloc (workload.c) that outlive the request.
 *
 * workload.h has what you may use: the parser and doc_handle() take every
 * piece of a request's memory from doc_alloc() and give temporaries back
 * with doc_free(), which this file defines; struct doc_heap is yours to
 * define. exercise/README.md says how your file is graded.
 */
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
 * TODO: an arena. Define struct doc_heap as a chain of large blocks with a
 * pointer to the first free byte of the newest one; doc_alloc() rounds the
 * size up to 8 bytes (the alignment of struct node) and moves the pointer,
 * and chains a new block when the current one is full (a piece larger
 * than a block gets a block of its own size). Write the functions that
 * create the arena, reset it after a request (keep the first block, free
 * the others) and release it at exit.
 */

/* malloc is the heap: the handle the parser passes along is NULL. */
void *doc_alloc(struct doc_heap *h, size_t size)
{
	return hp_xmalloc(size);
}

/* TODO: in an arena, a single piece is never freed; the reset frees them all. */
void doc_free(struct doc_heap *h, void *p)
{
	free(p);
}

/* ------------------------------------------------------------------ service */

static void run(const struct corpus *c, uint64_t seed, size_t n, int mixed, struct settings_cache *cache,
                struct hp_digest *d)
{
	/* TODO: the arena, created inside the timed section so its first block is counted. */
	struct doc_heap *heap = NULL;
	struct traffic t;
	struct heap_probe probe;
	struct hp_section s;

	traffic_init(&t, c, seed);
	heap_probe_begin(&probe);
	hp_section_begin(&s);

	for (size_t i = 0; i < n; i++) {
		struct doc_text doc = traffic_next(&t);
		struct node *root = doc_parse(heap, doc.text, doc.len);

		doc_handle(heap, root, d);
		if (mixed)
			cache_update(cache, heap, root, d);
		/*
		 * The request is done: free its tree, node by node and string by
		 * string. TODO: reset the arena instead.
		 */
		tree_free(root);
	}

	hp_section_end(&s, n);
	heap_report(&probe);
	hp_section_report(&s);
	/* TODO: release the arena (after the section: a server keeps it). */
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
