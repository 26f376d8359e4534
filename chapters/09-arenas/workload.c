/*
 * The JSON service of chapter 09 (see workload.h): document generation, the
 * parser, the canonical form and the settings cache, which every variant
 * shares. Nothing here allocates a request's memory itself: the parser and
 * the canonical form go through doc_alloc() and doc_free(), which each
 * variant defines. The cache allocates its long-lived copies with malloc,
 * the same way in every variant, because they outlive the request.
 *
 * The generated documents look like the bodies a shop's API receives: an
 * event with a list of line items. Their strings come in many lengths (keys
 * of 2 to 11 bytes, titles of ten to a hundred, descriptions of hundreds,
 * the odd inline image of kilobytes), so a request's allocations spread over
 * many of malloc's size classes, as a real parser's do. The number of items
 * is drawn log-uniformly, so most documents are small and a few are large:
 * CORPUS_DOCS / BIG_EVERY of them have hundreds of items.
 *
 * The parser is strict and small: it accepts what the generator writes
 * (RFC 8259 JSON with integer numbers and no surrogate escapes), and dies
 * with a message naming the offset otherwise, since the input is generated
 * and a malformed document means a bug here.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hp/report.h"
#include "hp/xalloc.h"

#include "workload.h"

/* One corpus document in BIG_EVERY has BIG_ITEMS_MIN..BIG_ITEMS_MAX items. */
#define BIG_EVERY     64
#define BIG_ITEMS_MIN 150
#define BIG_ITEMS_MAX 400

/*
 * The others have 1 to 2^ITEM_OCTAVES - 1 items, log-uniformly (as many
 * documents with 2-3 items as with 16-31): a median of about six.
 */
#define ITEM_OCTAVES 5

/* Distinct tenants; the cache has CACHE_SLOTS slots for them. */
#define TENANTS 1000

/* Nesting deeper than this is refused, so recursion stays shallow. */
#define DEPTH_MAX 64

/* ---------------------------------------------------------------- generation */

struct gen {
	struct hp_rng *rng;
	char *buf;
	size_t len, cap;
};

static void reserve(struct gen *g, size_t n)
{
	if (g->cap - g->len < n)
		hp_die("corpus_init: the documents exceed CORPUS_MAP (%zu bytes)", g->cap);
}

static void put_n(struct gen *g, const char *s, size_t n)
{
	reserve(g, n);
	memcpy(g->buf + g->len, s, n);
	g->len += n;
}

static void put(struct gen *g, const char *s)
{
	put_n(g, s, strlen(s));
}

static void put_c(struct gen *g, char c)
{
	put_n(g, &c, 1);
}

static void put_i64(struct gen *g, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		tmp[sizeof tmp - 1 - n++] = '-';
	put_n(g, tmp + sizeof tmp - n, (size_t)n);
}

/* A number in [lo, hi]. */
static size_t draw(struct gen *g, size_t lo, size_t hi)
{
	return lo + (size_t)hp_rng_below(g->rng, hi - lo + 1);
}

static int chance(struct gen *g, unsigned percent)
{
	return hp_rng_below(g->rng, 100) < percent;
}

static const char *pick(struct gen *g, const char *const *list, size_t n)
{
	return list[hp_rng_below(g->rng, n)];
}

#define PICK(g, list) pick((g), (list), sizeof(list) / sizeof *(list))

static void put_key(struct gen *g, const char *key)
{
	put_c(g, '"');
	put(g, key);
	put(g, "\":");
}

/*
 * n characters of prose: words of lower-case letters and, with escapes, now
 * and then a character that JSON escapes.
 */
static void put_prose(struct gen *g, size_t n, int escapes)
{
	static const char *const specials[] = {"\\\"", "\\\\", "\\n", "\\t", "\\u00e9", "\\u20ac", "\\/"};
	uint64_t bits = 0;

	put_c(g, '"');
	for (size_t i = 0; i < n; i++) {
		if (i % 10 == 0)
			bits = hp_rng_next(g->rng);
		unsigned r = bits & 63;
		bits >>= 6;
		if (r < 9)
			put_c(g, ' ');
		else if (r == 63 && escapes)
			put(g, PICK(g, specials));
		else
			put_c(g, (char)('a' + r % 26));
	}
	put_c(g, '"');
}

/* n base64url characters, as an inline image or a token carries; no quotes. */
static void put_base64(struct gen *g, size_t n)
{
	static const char chars[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint64_t bits = 0;

	reserve(g, n);
	for (size_t i = 0; i < n; i++) {
		if (i % 10 == 0)
			bits = hp_rng_next(g->rng);
		g->buf[g->len++] = chars[bits & 63];
		bits >>= 6;
	}
}

/* n hexadecimal digits; no quotes. */
static void put_hex(struct gen *g, size_t n)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < n; i++) {
		if (i % 16 == 0)
			bits = hp_rng_next(g->rng);
		put_c(g, "0123456789abcdef"[bits & 15]);
		bits >>= 4;
	}
}

/*
 * An object's members in an order the generator draws, as clients send
 * them: member m of n is written by put_member(g, ids[m]). The canonical
 * form sorts them back.
 */
static void shuffle(struct gen *g, unsigned char *ids, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)hp_rng_below(g->rng, i);
		unsigned char t = ids[i - 1];

		ids[i - 1] = ids[j];
		ids[j] = t;
	}
}

static void put_string_array(struct gen *g, size_t n, size_t lo, size_t hi)
{
	put_c(g, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			put_c(g, ',');
		put_prose(g, draw(g, lo, hi), 0);
	}
	put_c(g, ']');
}

static void put_item(struct gen *g)
{
	static const char *const attr_names[] = {"color", "size", "material", "fit", "origin", "season"};
	unsigned char ids[10];
	size_t n = 0;

	for (unsigned char id = 0; id < 6; id++)
		ids[n++] = id;
	if (chance(g, 30))
		ids[n++] = 6; /* a description */
	if (chance(g, 4))
		ids[n++] = 7; /* an inline image */
	if (chance(g, 20))
		ids[n++] = 8; /* a discount */
	if (chance(g, 10))
		ids[n++] = 9; /* a null reference */
	shuffle(g, ids, n);

	put_c(g, '{');
	for (size_t m = 0; m < n; m++) {
		if (m)
			put_c(g, ',');
		switch (ids[m]) {
		case 0:
			put_key(g, "sku");
			put(g, "\"SKU-");
			put_i64(g, (int64_t)draw(g, 10000, 99999));
			put_c(g, '"');
			break;
		case 1:
			put_key(g, "qty");
			put_i64(g, (int64_t)draw(g, 1, 12));
			break;
		case 2:
			put_key(g, "price");
			put_i64(g, (int64_t)draw(g, 99, 250000));
			break;
		case 3:
			put_key(g, "title");
			put_prose(g, draw(g, 8, 100), 1);
			break;
		case 4:
			put_key(g, "tags");
			put_string_array(g, draw(g, 0, 5), 3, 12);
			break;
		case 5: {
			size_t k = draw(g, 0, 4);
			put_key(g, "attrs");
			put_c(g, '{');
			for (size_t i = 0; i < k; i++) {
				if (i)
					put_c(g, ',');
				put_key(g, attr_names[i]);
				put_prose(g, draw(g, 2, 16), 0);
			}
			put_c(g, '}');
			break;
		}
		case 6:
			put_key(g, "description");
			put_prose(g, draw(g, 50, 600), 1);
			break;
		case 7:
			put_key(g, "image");
			put_c(g, '"');
			put_base64(g, draw(g, 1000, 6000));
			put_c(g, '"');
			break;
		case 8:
			put_key(g, "discount");
			put(g, "{\"code\":");
			put_prose(g, draw(g, 4, 10), 0);
			put(g, ",\"pct\":");
			put_i64(g, (int64_t)draw(g, 5, 50));
			put_c(g, '}');
			break;
		default:
			put_key(g, "ref");
			put(g, "null");
			break;
		}
	}
	put_c(g, '}');
}

static void put_settings(struct gen *g)
{
	static const char *const locales[] = {"en-US", "de-DE", "fr-FR", "ja-JP", "pt-BR"};
	static const char *const currencies[] = {"USD", "EUR", "JPY", "BRL", "GBP"};
	static const char *const limit_names[] = {"daily",   "monthly", "per_order",
	                                          "refunds", "api_rps", "seats"};
	static const char *const theme_names[] = {"primary", "accent", "background", "text", "link"};
	unsigned char ids[] = {0, 1, 2, 3, 4, 5, 6, 7};

	shuffle(g, ids, sizeof ids);
	put_c(g, '{');
	for (size_t m = 0; m < sizeof ids; m++) {
		if (m)
			put_c(g, ',');
		switch (ids[m]) {
		case 0:
			put_key(g, "locale");
			put_c(g, '"');
			put(g, PICK(g, locales));
			put_c(g, '"');
			break;
		case 1:
			put_key(g, "currency");
			put_c(g, '"');
			put(g, PICK(g, currencies));
			put_c(g, '"');
			break;
		case 2:
			put_key(g, "flags");
			put_string_array(g, draw(g, 0, 8), 4, 20);
			break;
		case 3: {
			size_t k = draw(g, 1, 6);
			put_key(g, "limits");
			put_c(g, '{');
			for (size_t i = 0; i < k; i++) {
				if (i)
					put_c(g, ',');
				put_key(g, limit_names[i]);
				put_i64(g, (int64_t)draw(g, 1, 1000000));
			}
			put_c(g, '}');
			break;
		}
		case 4:
			put_key(g, "webhook");
			put(g, "\"https://hooks.example.com/");
			put_base64(g, draw(g, 16, 120));
			put_c(g, '"');
			break;
		case 5:
			put_key(g, "retries");
			put_i64(g, (int64_t)draw(g, 0, 9));
			break;
		case 6:
			put_key(g, "notify");
			put_string_array(g, draw(g, 0, 3), 12, 40);
			break;
		default: {
			size_t k = draw(g, 2, 5);
			put_key(g, "theme");
			put_c(g, '{');
			for (size_t i = 0; i < k; i++) {
				if (i)
					put_c(g, ',');
				put_key(g, theme_names[i]);
				put(g, "\"#");
				put_hex(g, 6);
				put_c(g, '"');
			}
			put_c(g, '}');
			break;
		}
		}
	}
	put_c(g, '}');
}

static void put_document(struct gen *g, int big)
{
	static const char *const types[] = {"order.created", "order.updated", "cart.checkout",
	                                    "refund.requested", "inventory.sync"};
	unsigned char ids[9] = {0, 1, 2, 3, 4, 5, 6};
	size_t n = 7, items;

	if (big) {
		items = draw(g, BIG_ITEMS_MIN, BIG_ITEMS_MAX);
	} else {
		/* As many documents in each octave: 1, 2-3, 4-7, 8-15, 16-31 items. */
		unsigned octave = (unsigned)hp_rng_below(g->rng, ITEM_OCTAVES);
		items = draw(g, (size_t)1 << octave, ((size_t)2 << octave) - 1);
	}
	if (chance(g, 25))
		ids[n++] = 7; /* the tenant's settings */
	if (chance(g, 50))
		ids[n++] = 8; /* a note */
	shuffle(g, ids, n);

	put_c(g, '{');
	for (size_t m = 0; m < n; m++) {
		if (m)
			put_c(g, ',');
		switch (ids[m]) {
		case 0:
			put_key(g, "id");
			put_c(g, '"');
			put_hex(g, 16);
			put_c(g, '"');
			break;
		case 1:
			put_key(g, "tenant");
			put(g, "\"tenant-");
			put_i64(g, (int64_t)hp_rng_below(g->rng, TENANTS));
			put_c(g, '"');
			break;
		case 2:
			put_key(g, "type");
			put_c(g, '"');
			put(g, PICK(g, types));
			put_c(g, '"');
			break;
		case 3:
			put_key(g, "created");
			put_i64(g, 1700000000000 + (int64_t)hp_rng_below(g->rng, 100000000000));
			break;
		case 4:
			put_key(g, "version");
			put_i64(g, (int64_t)draw(g, 1, 3));
			break;
		case 5:
			put_key(g, "items");
			put_c(g, '[');
			for (size_t i = 0; i < items; i++) {
				if (i)
					put_c(g, ',');
				put_item(g);
			}
			put_c(g, ']');
			break;
		case 6:
			put_key(g, "live");
			put(g, chance(g, 80) ? "true" : "false");
			break;
		case 7:
			put_key(g, "settings");
			put_settings(g);
			break;
		default:
			put_key(g, "note");
			put_prose(g, draw(g, 0, 300), 1);
			break;
		}
	}
	put_c(g, '}');
}

/*
 * The corpus is mapped rather than malloc'd: it stands for the network's
 * read buffers, and off the heap it leaves the heap's counters and massif's
 * timeline to the requests, where the lesson is. CORPUS_MAP is address
 * space only (the documents take under 2 MiB); the unused tail is unmapped.
 */
#define CORPUS_MAP ((size_t)64 << 20)

void corpus_init(struct corpus *c, uint64_t seed)
{
	struct hp_rng rng;
	struct gen g = {&rng, NULL, 0, CORPUS_MAP};
	void *map = mmap(NULL, CORPUS_MAP, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (map == MAP_FAILED)
		hp_die("corpus_init: mmap of %zu bytes: %s", CORPUS_MAP, strerror(errno));
	g.buf = map;
	/* A stream of its own, so that the traffic's draws do not depend on the corpus's. */
	hp_rng_init(&rng, seed ^ 0x6a736f6e646f6373u);
	for (size_t k = 0; k < CORPUS_DOCS; k++) {
		c->off[k] = g.len;
		put_document(&g, k % BIG_EVERY == BIG_EVERY - 1);
	}
	c->off[CORPUS_DOCS] = g.len;
	c->buf = g.buf;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	c->map_len = (g.len + page - 1) / page * page;
	if (c->map_len < CORPUS_MAP)
		munmap(c->buf + c->map_len, CORPUS_MAP - c->map_len);
}

void corpus_release(struct corpus *c)
{
	munmap(c->buf, c->map_len);
	c->buf = NULL;
}

void traffic_init(struct traffic *t, const struct corpus *c, uint64_t seed)
{
	hp_rng_init(&t->rng, seed);
	t->corpus = c;
}

struct doc_text traffic_next(struct traffic *t)
{
	size_t k = hp_rng_next(&t->rng) & (CORPUS_DOCS - 1);
	const struct corpus *c = t->corpus;

	return (struct doc_text){c->buf + c->off[k], c->off[k + 1] - c->off[k]};
}

/* ------------------------------------------------------------------- parsing */

struct parser {
	struct doc_heap *heap;
	const char *start, *p, *end;
	unsigned depth;
};

static void __attribute__((noreturn)) parse_error(const struct parser *ps, const char *what)
{
	hp_die("malformed document at offset %zu: %s", (size_t)(ps->p - ps->start), what);
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

static void expect(struct parser *ps, char c)
{
	skip_space(ps);
	if (ps->p == ps->end || *ps->p != c)
		parse_error(ps, c == ':' ? "expected ':'" : "unexpected character");
	ps->p++;
}

static unsigned hex_digit(const struct parser *ps, char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (unsigned)((c | 0x20) - 'a' + 10);
	parse_error(ps, "bad \\u escape");
}

/* The code point of the \uXXXX escape at p (p at the backslash); dies on a surrogate. */
static unsigned unicode_escape(const struct parser *ps, const char *p)
{
	if (ps->end - p < 6)
		parse_error(ps, "short \\u escape");
	unsigned cp = hex_digit(ps, p[2]) << 12 | hex_digit(ps, p[3]) << 8 | hex_digit(ps, p[4]) << 4 |
	              hex_digit(ps, p[5]);
	if (cp >= 0xd800 && cp <= 0xdfff)
		parse_error(ps, "surrogate escapes are not supported");
	return cp;
}

/*
 * A string at ps->p (at its opening quote): returns a decoded, NUL-terminated
 * copy from doc_alloc() and its length in *len. Two passes: the first finds
 * the closing quote and the decoded length, so the copy is allocated once at
 * its exact size; a string without escapes is then a single memcpy.
 */
static char *parse_string(struct parser *ps, uint32_t *len)
{
	const char *s = ps->p + 1, *q = s;
	size_t n = 0;
	int escaped = 0;

	for (;;) {
		if (q == ps->end)
			parse_error(ps, "unterminated string");
		unsigned char c = (unsigned char)*q;
		if (c == '"')
			break;
		if (c < 0x20)
			parse_error(ps, "control character in a string");
		if (c != '\\') {
			q++;
			n++;
			continue;
		}
		escaped = 1;
		if (ps->end - q < 2)
			parse_error(ps, "unterminated escape");
		if (q[1] == 'u') {
			unsigned cp = unicode_escape(ps, q);
			n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
			q += 6;
		} else {
			if (!strchr("\"\\/bfnrt", q[1]) || !q[1])
				parse_error(ps, "unknown escape");
			n++;
			q += 2;
		}
	}
	if (n > UINT32_MAX)
		parse_error(ps, "string longer than 4 GiB");

	char *out = doc_alloc(ps->heap, n + 1), *o = out;
	if (!escaped) {
		memcpy(out, s, n);
	} else {
		for (const char *r = s; r < q;) {
			if (*r != '\\') {
				*o++ = *r++;
				continue;
			}
			if (r[1] == 'u') {
				unsigned cp = unicode_escape(ps, r);
				if (cp < 0x80) {
					*o++ = (char)cp;
				} else if (cp < 0x800) {
					*o++ = (char)(0xc0 | cp >> 6);
					*o++ = (char)(0x80 | (cp & 0x3f));
				} else {
					*o++ = (char)(0xe0 | cp >> 12);
					*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
					*o++ = (char)(0x80 | (cp & 0x3f));
				}
				r += 6;
				continue;
			}
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			*o++ = to[strchr(from, r[1]) - from];
			r += 2;
		}
	}
	out[n] = '\0';
	*len = (uint32_t)n;
	ps->p = q + 1;
	return out;
}

static int64_t parse_number(struct parser *ps)
{
	const char *q = ps->p;
	int neg = *q == '-';
	uint64_t v = 0;
	size_t digits = 0;

	q += neg;
	while (q < ps->end && *q >= '0' && *q <= '9') {
		v = v * 10 + (uint64_t)(*q++ - '0');
		digits++;
	}
	if (digits == 0 || digits > 18)
		parse_error(ps, digits ? "a number of more than 18 digits" : "bad number");
	if (q < ps->end && (*q == '.' || *q == 'e' || *q == 'E'))
		parse_error(ps, "only integers are supported");
	ps->p = q;
	return neg ? -(int64_t)v : (int64_t)v;
}

static int literal(struct parser *ps, const char *word, size_t n)
{
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return 0;
	ps->p += n;
	return 1;
}

static struct node *node_new(struct parser *ps, enum node_type type)
{
	struct node *n = doc_alloc(ps->heap, sizeof *n);

	n->next = NULL;
	n->key = NULL;
	n->u.child = NULL;
	n->key_len = 0;
	n->len = 0;
	n->type = (uint8_t)type;
	return n;
}

static struct node *parse_value(struct parser *ps);

/* The elements of an array or the members of an object, ps->p just past its opening bracket. */
static void parse_children(struct parser *ps, struct node *parent, char close)
{
	struct node **tail = &parent->u.child;

	if (++ps->depth > DEPTH_MAX)
		parse_error(ps, "nested too deeply");
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return;
	}
	for (;;) {
		char *key = NULL;
		uint32_t key_len = 0;

		if (close == '}') {
			skip_space(ps);
			if (ps->p == ps->end || *ps->p != '"')
				parse_error(ps, "expected a member name");
			key = parse_string(ps, &key_len);
			expect(ps, ':');
		}
		struct node *child = parse_value(ps);
		child->key = key;
		child->key_len = key_len;
		*tail = child;
		tail = &child->next;
		parent->len++;

		skip_space(ps);
		if (ps->p == ps->end)
			parse_error(ps, "unterminated array or object");
		if (*ps->p == close)
			break;
		if (*ps->p != ',')
			parse_error(ps, "expected ',' or a closing bracket");
		ps->p++;
	}
	ps->p++;
	ps->depth--;
}

static struct node *parse_value(struct parser *ps)
{
	struct node *n;

	skip_space(ps);
	if (ps->p == ps->end)
		parse_error(ps, "expected a value");
	switch (*ps->p) {
	case '{':
	case '[':
		n = node_new(ps, *ps->p == '{' ? NODE_OBJECT : NODE_ARRAY);
		ps->p++;
		parse_children(ps, n, n->type == NODE_OBJECT ? '}' : ']');
		return n;
	case '"':
		n = node_new(ps, NODE_STRING);
		n->u.str = parse_string(ps, &n->len);
		return n;
	case 't':
		if (literal(ps, "true", 4))
			return node_new(ps, NODE_TRUE);
		break;
	case 'f':
		if (literal(ps, "false", 5))
			return node_new(ps, NODE_FALSE);
		break;
	case 'n':
		if (literal(ps, "null", 4))
			return node_new(ps, NODE_NULL);
		break;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
			int64_t v = parse_number(ps);
			n = node_new(ps, NODE_NUMBER);
			n->u.num = v;
			return n;
		}
		break;
	}
	parse_error(ps, "unexpected character");
}

struct node *doc_parse(struct doc_heap *h, const char *text, size_t len)
{
	struct parser ps = {h, text, text, text + len, 0};
	struct node *root = parse_value(&ps);

	skip_space(&ps);
	if (ps.p != ps.end)
		parse_error(&ps, "text after the document");
	return root;
}

/* ------------------------------------------------------------ canonical form */

/*
 * The canonical form goes through a small buffer into a checksum, so it is
 * never built in memory: a service that signs or deduplicates documents
 * hashes it the same way. The checksum adds 8-byte words in four lanes, with
 * a running sum of the lanes so that moving a block changes it too: about
 * three instructions per word, little next to the parsing, where a
 * byte-at-a-time hash would cost ten times as much and hide what the lesson
 * measures.
 */
#define SINK_SIZE 4096 /* a multiple of 32, the checksum's block */

struct sink {
	uint64_t a[4], b;
	uint64_t total; /* bytes of canonical form */
	size_t len;     /* bytes in buf */
	uint64_t nodes;
	char buf[SINK_SIZE];
};

static void sink_init(struct sink *s)
{
	memset(s, 0, offsetof(struct sink, buf));
}

/* Fold the whole 32-byte blocks of buf into the checksum and keep the rest. */
static void sink_drain(struct sink *s)
{
	size_t i = 0;
	uint64_t w[4];

	for (; i + 32 <= s->len; i += 32) {
		memcpy(w, s->buf + i, 32);
		s->a[0] += w[0];
		s->a[1] += w[1];
		s->a[2] += w[2];
		s->a[3] += w[3];
		s->b += s->a[0];
	}
	memmove(s->buf, s->buf + i, s->len - i);
	s->len -= i;
}

static void sink_put(struct sink *s, const char *p, size_t n)
{
	s->total += n;
	while (n > SINK_SIZE - s->len) {
		size_t room = SINK_SIZE - s->len;

		memcpy(s->buf + s->len, p, room);
		s->len = SINK_SIZE;
		p += room;
		n -= room;
		sink_drain(s);
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void sink_putc(struct sink *s, char c)
{
	if (s->len == SINK_SIZE)
		sink_drain(s);
	s->buf[s->len++] = c;
	s->total++;
}

static uint64_t sink_checksum(struct sink *s)
{
	uint64_t w[4] = {0, 0, 0, 0}, b;

	sink_drain(s);
	memcpy(w, s->buf, s->len);
	b = s->b;
	for (int k = 0; k < 4; k++)
		b = (b ^ (s->a[k] + w[k])) * 0x100000001b3u;
	return b ^ s->total;
}

/* A string with JSON's minimal escapes: '"', '\\' and the control characters. */
static void canon_string(struct sink *s, const char *p, size_t n)
{
	const char *end = p + n, *run = p;

	sink_putc(s, '"');
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[6];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sink_put(s, run, (size_t)(p - run));
		run = p + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = "0123456789abcdef"[c >> 4];
			esc[5] = "0123456789abcdef"[c & 15];
			sink_put(s, esc, 6);
			continue;
		}
		sink_put(s, esc, 2);
	}
	sink_put(s, run, (size_t)(p - run));
	sink_putc(s, '"');
}

static void canon_number(struct sink *s, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		tmp[sizeof tmp - 1 - n++] = '-';
	sink_put(s, tmp + sizeof tmp - n, (size_t)n);
}

/* Member names in byte order; a shorter name before a longer one it begins. */
static int key_before(const struct node *a, const struct node *b)
{
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c = memcmp(a->key, b->key, n);

	return c < 0 || (c == 0 && a->key_len < b->key_len);
}

static void canon_value(struct doc_heap *h, struct sink *s, const struct node *n)
{
	s->nodes++;
	switch (n->type) {
	case NODE_NULL:
		sink_put(s, "null", 4);
		break;
	case NODE_FALSE:
		sink_put(s, "false", 5);
		break;
	case NODE_TRUE:
		sink_put(s, "true", 4);
		break;
	case NODE_NUMBER:
		canon_number(s, n->u.num);
		break;
	case NODE_STRING:
		canon_string(s, n->u.str, n->len);
		break;
	case NODE_ARRAY:
		sink_putc(s, '[');
		for (const struct node *c = n->u.child; c; c = c->next) {
			if (c != n->u.child)
				sink_putc(s, ',');
			canon_value(h, s, c);
		}
		sink_putc(s, ']');
		break;
	case NODE_OBJECT: {
		/*
		 * The members sorted by name, in a temporary array: an insertion
		 * sort, since objects have a dozen members at most here (the
		 * generator writes no duplicate names).
		 */
		const struct node **m = n->len ? doc_alloc(h, n->len * sizeof *m) : NULL;
		size_t k = 0;

		for (const struct node *c = n->u.child; c; c = c->next) {
			size_t i = k++;

			for (; i > 0 && key_before(c, m[i - 1]); i--)
				m[i] = m[i - 1];
			m[i] = c;
		}
		sink_putc(s, '{');
		for (size_t i = 0; i < k; i++) {
			if (i)
				sink_putc(s, ',');
			canon_string(s, m[i]->key, m[i]->key_len);
			sink_putc(s, ':');
			canon_value(h, s, m[i]);
		}
		sink_putc(s, '}');
		if (m)
			doc_free(h, (void *)m);
		break;
	}
	default:
		hp_die("canon_value: a node of type %u", n->type);
	}
}

/* The member of an object named name, or NULL. */
static const struct node *member(const struct node *obj, const char *name)
{
	size_t len = strlen(name);

	if (!obj || obj->type != NODE_OBJECT)
		return NULL;
	for (const struct node *c = obj->u.child; c; c = c->next)
		if (c->key_len == len && !memcmp(c->key, name, len))
			return c;
	return NULL;
}

void doc_handle(struct doc_heap *h, const struct node *root, struct hp_digest *d)
{
	struct sink s;
	const struct node *items = member(root, "items");
	int64_t total = 0;

	/* The business result: the order total, sum of quantity times price. */
	if (items && items->type == NODE_ARRAY) {
		for (const struct node *it = items->u.child; it; it = it->next) {
			const struct node *qty = member(it, "qty"), *price = member(it, "price");

			if (qty && price && qty->type == NODE_NUMBER && price->type == NODE_NUMBER)
				total += qty->u.num * price->u.num;
		}
	}
	sink_init(&s);
	canon_value(h, &s, root);
	hp_digest_u64(d, s.nodes);
	hp_digest_u64(d, (uint64_t)total);
	hp_digest_u64(d, s.total);
	hp_digest_u64(d, sink_checksum(&s));
}

/* --------------------------------------------------------------------- trees */

void tree_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;

		if (n->type == NODE_ARRAY || n->type == NODE_OBJECT)
			tree_free(n->u.child);
		else if (n->type == NODE_STRING)
			free(n->u.str);
		free(n->key);
		free(n);
		n = next;
	}
}

static char *copy_bytes(const char *p, size_t n)
{
	char *c = hp_xmalloc(n + 1);

	memcpy(c, p, n + 1); /* the NUL too */
	return c;
}

/* A deep copy of n and its children (not its siblings), every piece from malloc. */
static struct node *tree_copy(const struct node *n)
{
	struct node *c = hp_xmalloc(sizeof *c);

	*c = *n;
	c->next = NULL;
	if (n->key)
		c->key = copy_bytes(n->key, n->key_len);
	if (n->type == NODE_STRING) {
		c->u.str = copy_bytes(n->u.str, n->len);
	} else if (n->type == NODE_ARRAY || n->type == NODE_OBJECT) {
		struct node **tail = &c->u.child;

		for (const struct node *k = n->u.child; k; k = k->next) {
			*tail = tree_copy(k);
			tail = &(*tail)->next;
		}
	}
	return c;
}

/* ------------------------------------------------------------------- cache */

void cache_init(struct settings_cache *c)
{
	memset(c, 0, sizeof *c);
}

void cache_update(struct settings_cache *c, struct doc_heap *h, const struct node *root, struct hp_digest *d)
{
	const struct node *tenant = member(root, "tenant"), *settings = member(root, "settings");
	struct sink s;

	if (!tenant || tenant->type != NODE_STRING || !settings)
		return;

	/* FNV-1a of the tenant's name, never 0, which marks an empty slot. */
	uint64_t th = 0xcbf29ce484222325u;
	for (uint32_t i = 0; i < tenant->len; i++)
		th = (th ^ (unsigned char)tenant->u.str[i]) * 0x100000001b3u;
	th |= 1;

	sink_init(&s);
	canon_value(h, &s, settings);
	uint64_t canon = sink_checksum(&s);
	struct cache_slot *slot = &c->slot[th % CACHE_SLOTS];

	if (slot->tenant == th && slot->canon == canon) {
		c->hits++;
	} else {
		/* Another tenant's settings, or changed ones: replace the copy. */
		c->misses++;
		tree_free(slot->settings);
		slot->settings = tree_copy(settings);
		slot->tenant = th;
		slot->canon = canon;
	}
	hp_digest_u64(d, th ^ canon ^ c->hits);
}

void cache_release(struct settings_cache *c)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		tree_free(c->slot[i].settings);
	memset(c, 0, sizeof *c);
}

/* -------------------------------------------------------------------- heap */

static uint64_t minor_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		hp_die("getrusage: %s", strerror(errno));
	return (uint64_t)ru.ru_minflt;
}

void heap_probe_begin(struct heap_probe *p)
{
	p->minflt = minor_faults();
}

void heap_report(const struct heap_probe *p)
{
	/* The numbers first: reporting opens a file, which allocates. */
	uint64_t faults = minor_faults() - p->minflt;
	struct mallinfo2 m = mallinfo2();

	hp_report_metric("page_faults", (double)faults, "faults", HP_LOWER_IS_BETTER);
	hp_report_metric("heap_kb", (double)m.arena / 1024, "KiB", HP_LOWER_IS_BETTER);
	/* fordblks: the free chunks in the bins and the fastbins, and the top chunk. */
	hp_report_metric("heap_free_kb", (double)m.fordblks / 1024, "KiB", HP_LOWER_IS_BETTER);
}
