/*
 * Chapter 09, naive variant: every node and string of a request from
 * malloc, freed piece by piece when the request is done.
 *
 * A JSON service (workload.h) handles --size requests. Each parses its
 * document into a tree, computes the order total and the checksum of the
 * canonical form, and drops the tree. Two cases, picked with --mode:
 *
 *   requests  only that: every request's memory dies with the request;
 *   mixed     the same, and the service also keeps the settings of the
 *             tenants it saw last in a cache: deep copies, made with malloc
 *             while the request's tree is alive, which live for hundreds of
 *             requests among the short-lived garbage.
 *
 * This is how most C parsers are written (cJSON's items and strdup'd
 * strings, for one), and it is correct: a node is a malloc, a key is a
 * malloc, a string is a malloc, a temporary array is a malloc and a free,
 * and when the request is done tree_free() walks the tree and frees every
 * piece again. A document of a few kilobytes is a few hundred allocations
 * of sizes from 8 bytes to kilobytes, and as many frees, each of which
 * touches the piece's chunk header once more.
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

/* malloc is the heap: the handle the parser passes along is NULL. */
void *doc_alloc(struct doc_heap *h, size_t size)
{
	return hp_xmalloc(size);
}

void doc_free(struct doc_heap *h, void *p)
{
	free(p);
}

/* ------------------------------------------------------------------ service */

static void run(const struct corpus *c, uint64_t seed, size_t n, int mixed, struct settings_cache *cache,
                struct hp_digest *d)
{
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
		/* The request is done: free its tree, node by node and string by string. */
		tree_free(root);
	}

	hp_section_end(&s, n);
	heap_report(&probe);
	hp_section_report(&s);
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
