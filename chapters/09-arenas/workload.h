#ifndef HP_CH09_WORKLOAD_H
#define HP_CH09_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hp/digest.h"
#include "hp/prng.h"

/*
 * The workload of chapter 09, shared by every variant so that they do the
 * same work and `diff naive.c arena.c` shows only where a request's memory
 * comes from and how it goes back.
 *
 * A service receives JSON documents, one per request: events of a shop's
 * API, each with an id, a tenant, a type, and a list of line items (a SKU, a
 * quantity, a price, a title, tags, attributes, sometimes a description or
 * an inline image in base64); one document in four also carries the
 * tenant's settings (locale, flags, limits, a webhook). Most documents are
 * one to ten kilobytes, a few are a hundred.
 *
 * For each request the service
 *   1. parses the document into a tree of nodes (struct node), copying every
 *      key and string out of the read buffer, which the next read
 *      overwrites;
 *   2. computes its result from the tree: the order total, and a checksum of
 *      the document's canonical form (keys sorted, no whitespace, minimal
 *      escapes, in the spirit of RFC 8785's JSON Canonicalization Scheme),
 *      which a signature or an idempotency check would hash;
 *   3. in the mixed case, keeps the tenant's settings in a cache that
 *      outlives the request (struct settings_cache): a deep copy made with
 *      malloc while the request's tree is still alive;
 *   4. drops the tree.
 *
 * The tree's memory is the lesson. The parser and the canonical form ask
 * for it through doc_alloc() and give temporaries back through doc_free(),
 * which each variant defines: naive.c with malloc and free (and it frees
 * the tree node by node with tree_free()), arena.c and optimized.c with a
 * bump arena that they reset after every request.
 */

enum node_type {
	NODE_NULL,
	NODE_FALSE,
	NODE_TRUE,
	NODE_NUMBER,
	NODE_STRING,
	NODE_ARRAY,
	NODE_OBJECT,
};

/*
 * One value of a document. 40 bytes on x86-64, which malloc rounds up to a
 * 48-byte chunk. Strings and keys are NUL-terminated copies, decoded (no
 * escapes left), allocated separately.
 */
struct node {
	struct node *next; /* the next element of an array, or member of an object */
	char *key;         /* a member's name; NULL in an array and at the root */
	union {
		int64_t num;        /* NODE_NUMBER: the generator writes integers only */
		char *str;          /* NODE_STRING */
		struct node *child; /* NODE_ARRAY, NODE_OBJECT: the first element or member */
	} u;
	uint32_t key_len;
	uint32_t len; /* NODE_STRING: bytes; NODE_ARRAY, NODE_OBJECT: children */
	uint8_t type;
};

/*
 * The request-scoped allocator, defined by each variant (naive.c,
 * optimized.c): the parser takes every node and string of a request's tree
 * from doc_alloc(), and the canonical form takes its temporary arrays from
 * it and hands each back with doc_free() as soon as it is done with it.
 * doc_alloc() returns memory aligned for a struct node, never NULL; what
 * happens to it afterwards is the variant's business.
 */
struct doc_heap;
void *doc_alloc(struct doc_heap *h, size_t size);
void doc_free(struct doc_heap *h, void *p);

/* Distinct documents the traffic draws from; a power of two. */
#define CORPUS_DOCS 256

/* The documents of a run, generated from the seed. */
struct corpus {
	char *buf;
	size_t map_len;
	size_t off[CORPUS_DOCS + 1]; /* document k is buf[off[k]..off[k + 1]) */
};

/*
 * Generate CORPUS_DOCS documents from seed into a mapping of their own (not
 * malloc'd); release it with corpus_release().
 */
void corpus_init(struct corpus *c, uint64_t seed);
void corpus_release(struct corpus *c);

/* The traffic: which document the next request carries. Caller-owned; never allocates. */
struct traffic {
	struct hp_rng rng;
	const struct corpus *corpus;
};

struct doc_text {
	const char *text;
	size_t len;
};

void traffic_init(struct traffic *t, const struct corpus *c, uint64_t seed);
struct doc_text traffic_next(struct traffic *t);

/*
 * Parse the JSON document text[0..len) into a tree whose every node and
 * string comes from doc_alloc(h). The tree does not point into text. Dies
 * with a message naming the offset on malformed input, or on nesting deeper
 * than 64 levels.
 */
struct node *doc_parse(struct doc_heap *h, const char *text, size_t len);

/*
 * Compute the request's result from its tree and fold it into d: the
 * number of nodes, the order total, and the length and checksum of the
 * canonical form. Its temporaries (one array per object, to sort the
 * members) come from doc_alloc(h) and go back with doc_free(h, ...).
 */
void doc_handle(struct doc_heap *h, const struct node *root, struct hp_digest *d);

/*
 * Free a tree whose every node and string was allocated with malloc, node
 * by node: the children, then the strings, then the node. The cache's
 * copies are such trees, and so are the naive variant's requests.
 */
void tree_free(struct node *n);

/*
 * The long-lived data of the mixed case: the settings of the tenants seen
 * last, one direct-mapped slot per tenant hash. A document with settings
 * looks up its tenant; when the slot holds another tenant or other settings,
 * the old copy is freed and the new settings are deep-copied with malloc,
 * because they must outlive the request. A copy lives until another tenant
 * of the same slot, or a change of settings, replaces it: a few hundred
 * requests on average.
 */
#define CACHE_SLOTS 64

struct settings_cache {
	struct cache_slot {
		uint64_t tenant; /* a hash of the tenant's name; 0 when empty */
		uint64_t canon;  /* the checksum of the settings' canonical form */
		struct node *settings;
	} slot[CACHE_SLOTS];
	uint64_t hits, misses;
};

void cache_init(struct settings_cache *c);

/* Look up root's tenant and keep a copy of its settings, if it has any; fold the outcome into d. */
void cache_update(struct settings_cache *c, struct doc_heap *h, const struct node *root, struct hp_digest *d);

/* Free every copy the cache holds. */
void cache_release(struct settings_cache *c);

/*
 * What the heap and the kernel did during the timed section.
 * heap_probe_begin() takes the count of page faults before the section;
 * heap_report(), called after it, before anything else allocates, reports
 * through the report protocol
 *   page_faults       minor page faults during the section: pages the
 *                     kernel had to map (and zero) because the heap grew
 *                     into them, for the first time or again after glibc
 *                     gave them back;
 * and the state of malloc's heap between requests, after the last one:
 *   heap_kb           what the heap holds from the kernel (glibc's
 *                     mallinfo2() arena, the brk heap);
 *   heap_free_kb      how much of that is free: the free chunks, and the
 *                     top chunk, the free space at the end of the heap,
 *                     which glibc keeps up to M_TRIM_THRESHOLD (128 KiB).
 *                     Free memory below the top cannot go back to the
 *                     kernel while chunks above it are in use.
 * The heap figures are glibc's; under a sanitizer or Valgrind, which
 * replace malloc, they mean nothing. Neither function allocates before it
 * has taken its numbers.
 */
struct heap_probe {
	uint64_t minflt;
};

void heap_probe_begin(struct heap_probe *p);
void heap_report(const struct heap_probe *p);

#endif
