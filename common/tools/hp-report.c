/*
 * hp-report — turns one results file of hp-run into the lesson's page.
 *
 * It computes, for every case and metric, the median of each variant with
 * its 95% CI, the ratio against the first variant (naive) with its 95% CI,
 * the Mann–Whitney p-value and a verdict (libhp stats); checks the lesson's
 * claims; writes the chart data and draws the charts with the gnuplot
 * templates in charts/; and splices all of it into a copy of the lesson's
 * README at its markers:
 *
 *   <!-- hp:table [CASE] -->          statistics table(s)
 *   <!-- hp:chart bars|runs -->       charts of the primary metric
 *   <!-- hp:chart heap [CASE] -->     heap timeline from the profile target
 *   <!-- hp:chart latency -->         server lessons: latency percentiles per case
 *   <!-- hp:chart scaling [METRIC] --> server lessons: throughput_rps or p99_us by case
 *   <!-- hp:claims -->                the claims and whether they held
 *   <!-- hp:machine -->               where and how it was measured
 *   <!-- hp:limits -->                this machine's ceilings named by the lesson
 *   <!-- hp:profile TOOL VARIANT [CASE] -->   a profile excerpt
 *   <!-- hp:excerpt NAME -->          a file of the lesson's profile-extra.sh
 *
 * An unknown marker is an error, so a typo cannot leave a hole in the book.
 * Exit status: 0 when every claim holds and no run failed, 1 otherwise (the
 * page is still written: it shows what failed), 2 on a usage or input error.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp/file.h"
#include "hp/json.h"
#include "hp/spec.h"
#include "hp/stats.h"
#include "hp/xalloc.h"

#define MAX_VARIANTS 16
#define MAX_CASES    16
#define MAX_METRICS  48
#define MAX_CLAIMS   32
#define MAX_SAMPLES  1024

/* ---------------------------------------------------------------------------
 * The data model, read from the results file
 */

struct series {
	char name[48];
	char unit[16];
	int higher_better;
	int deterministic; /* one exact value per variant, from the counting runs */
	size_t n[MAX_VARIANTS];
	double *x[MAX_VARIANTS]; /* samples per variant */
};

struct lcase {
	char name[48];
	char args[512];
	char count_args[512];
	int equivalent;
	int nfailures;
	char failures[4096]; /* the failures, as markdown */
	int nseries;
	struct series s[MAX_METRICS];
	int skip[MAX_VARIANTS]; /* the variant does not run this case (lesson_case_<c>_variants) */
};

struct results {
	char *text;
	struct hp_json j;
	char lesson[256], id[64], size[16];
	int rounds;
	size_t machine; /* token of the machine object */
	int nvariants;
	char variants[MAX_VARIANTS][48];
	int last;  /* "optimized": the last of the lesson's own variants; peers (nginx) come after it */
	int steps; /* lesson_steps := yes: the own variants are a case study's steps, in order */
	int ncases;
	struct lcase cases[MAX_CASES];
	int failures;
};

struct options {
	const char *spec_path, *results_path, *out, *img_dir, *charts_dir, *limits_path, *profile_dir;
	const char *check;      /* "all" (default) or "deterministic" */
	const char *claims_key; /* "claims" or "exercise_claims" */
	const char *label;      /* how the page names the optimized side, for exercises */
	const char *summary;    /* JSON lines of every comparison, for tests and tools */
	int no_charts;
	int quiet;
};

static struct options opt;

/* ---------------------------------------------------------------------------
 * Helpers
 */

/* The file, or NULL with errno set. */
static char *slurp(const char *path, size_t *len)
{
	char *text;
	int err = hp_read_file(path, &text, len);

	if (err == -ENOMEM)
		hp_die("out of memory reading %s", path);
	errno = -err;
	return text;
}

/* A growable string, for building the page. */
struct buf {
	char *s;
	size_t len, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = hp_xrealloc(b->s, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void bput(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = hp_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static int jstr(const struct hp_json *j, size_t obj, const char *key, char *out, size_t cap)
{
	return hp_json_str(j, hp_json_get(j, obj, key), out, cap);
}

static int jbool(const struct hp_json *j, size_t obj, const char *key)
{
	size_t i = hp_json_get(j, obj, key);
	return i != HP_JSON_NONE && j->tok[i].type == HP_JSON_TRUE;
}

/* Numbers for people: 3 significant digits, thousands grouped for big integers. */
static void fmt_num(char *out, size_t cap, double v)
{
	double a = fabs(v);

	if (!isfinite(v))
		snprintf(out, cap, "n/a");
	else if (a >= 1000 || (v == floor(v) && a < 1e15)) {
		char digits[32], *o = out;
		int n = snprintf(digits, sizeof digits, "%.0f", a), k = 0;
		if (v < 0)
			*o++ = '-';
		for (int i = 0; i < n && (size_t)(o - out) < cap - 2; i++) {
			*o++ = digits[i];
			k = n - 1 - i;
			if (k > 0 && k % 3 == 0)
				*o++ = ',';
		}
		*o = '\0';
	} else if (a >= 100)
		snprintf(out, cap, "%.0f", v);
	else if (a >= 10)
		snprintf(out, cap, "%.1f", v);
	else if (a >= 1)
		snprintf(out, cap, "%.2f", v);
	else if (a == 0)
		snprintf(out, cap, "0");
	else
		snprintf(out, cap, "%.3g", v);
}

static void fmt_ratio(char *out, size_t cap, double r)
{
	if (!isfinite(r))
		snprintf(out, cap, "n/a");
	else if (r > 0 && r < 0.01) {
		/* ×4e-06 says little to a reader; 1/250,000 says it all. */
		char inv[24];
		fmt_num(inv, sizeof inv, round(1 / r));
		snprintf(out, cap, "1/%s", inv);
	} else if (r >= 100 || r == floor(r))
		snprintf(out, cap, "%.0f", r);
	else if (r >= 10)
		snprintf(out, cap, "%.1f", r);
	else if (r >= 0.1)
		snprintf(out, cap, "%.2f", r);
	else
		/* Below 0.1 two decimals would print 0.02 for 0.0151 and 0.0249 alike. */
		snprintf(out, cap, "%.2g", r);
}

static void fmt_p(char *out, size_t cap, double p)
{
	if (!isfinite(p))
		snprintf(out, cap, "—");
	else if (p < 0.001)
		snprintf(out, cap, "<0.001");
	else
		snprintf(out, cap, "%.3f", p);
}

/* ---------------------------------------------------------------------------
 * Reading the results
 */

static struct series *series_get(struct lcase *c, const char *name, const char *unit, int higher_better)
{
	for (int i = 0; i < c->nseries; i++)
		if (!strcmp(c->s[i].name, name))
			return &c->s[i];
	if (c->nseries == MAX_METRICS)
		return NULL;
	struct series *s = &c->s[c->nseries++];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	snprintf(s->unit, sizeof s->unit, "%s", unit);
	s->higher_better = higher_better;
	return s;
}

static void series_add(struct series *s, int v, double x)
{
	if (s->n[v] == 0)
		s->x[v] = hp_xmalloc(MAX_SAMPLES * sizeof(double));
	if (s->n[v] < MAX_SAMPLES)
		s->x[v][s->n[v]++] = x;
}

static int variant_index(const struct results *r, const struct hp_json *j, size_t tok)
{
	for (int v = 0; v < r->nvariants; v++)
		if (hp_json_str_eq(j, tok, r->variants[v]))
			return v;
	return -1;
}

/* Add every metric of a metrics object to the case's series for variant v. */
static void add_metrics(struct lcase *c, const struct hp_json *j, size_t metrics, int v, int deterministic)
{
	if (metrics == HP_JSON_NONE || j->tok[metrics].type != HP_JSON_OBJECT)
		return;
	for (size_t k = metrics + 1; k < j->tok[metrics].end;) {
		size_t val = j->tok[k].end;
		char name[48], unit[16], better[16];
		hp_json_str(j, k, name, sizeof name);
		if (jstr(j, val, "unit", unit, sizeof unit) < 0)
			unit[0] = '\0';
		if (jstr(j, val, "better", better, sizeof better) < 0)
			snprintf(better, sizeof better, "lower");
		struct series *s = series_get(c, name, unit, !strcmp(better, "higher"));
		if (s) {
			/* A metric measured in the timed rounds wins over the same name from a counting run.
			 */
			if (deterministic && s->n[v] == 0)
				s->deterministic = 1;
			if (!deterministic || s->deterministic)
				series_add(s, v, hp_json_num(j, hp_json_get(j, val, "value"), NAN));
		}
		k = j->tok[val].end;
	}
}

static void load_results(struct results *r, const char *path)
{
	size_t len, off;
	const struct hp_json *j = &r->j;

	memset(r, 0, sizeof *r);
	r->text = slurp(path, &len);
	if (!r->text)
		hp_die("cannot read results %s: %s", path, strerror(errno));
	if (hp_json_parse(&r->j, r->text, len, &off))
		hp_die("%s: not valid JSON near byte %zu", path, off);
	jstr(j, 0, "lesson", r->lesson, sizeof r->lesson);
	jstr(j, 0, "id", r->id, sizeof r->id);
	jstr(j, 0, "size", r->size, sizeof r->size);
	r->rounds = (int)hp_json_num(j, hp_json_get(j, 0, "rounds"), 0);
	r->machine = hp_json_get(j, 0, "machine");
	r->failures = (int)hp_json_num(j, hp_json_get(j, 0, "failures"), 0);

	size_t vs = hp_json_get(j, 0, "variants");
	if (vs == HP_JSON_NONE || j->tok[vs].type != HP_JSON_ARRAY)
		hp_die("%s: no variants", path);
	for (size_t k = vs + 1; k < j->tok[vs].end && r->nvariants < MAX_VARIANTS; k = j->tok[k].end)
		hp_json_str(j, k, r->variants[r->nvariants++], 48);

	size_t cs = hp_json_get(j, 0, "cases");
	if (cs == HP_JSON_NONE || j->tok[cs].type != HP_JSON_ARRAY)
		hp_die("%s: no cases", path);
	for (size_t k = cs + 1; k < j->tok[cs].end && r->ncases < MAX_CASES; k = j->tok[k].end) {
		struct lcase *c = &r->cases[r->ncases++];
		struct buf fb = {0};
		jstr(j, k, "name", c->name, sizeof c->name);
		jstr(j, k, "args", c->args, sizeof c->args);
		jstr(j, k, "count_args", c->count_args, sizeof c->count_args);
		c->equivalent = jbool(j, k, "equivalent");

		size_t det = hp_json_get(j, k, "deterministic");
		for (int v = 0; v < r->nvariants; v++)
			add_metrics(c, j, hp_json_get(j, det, r->variants[v]), v, 1);

		size_t runs = hp_json_get(j, k, "runs");
		for (size_t q = runs + 1; runs != HP_JSON_NONE && q < j->tok[runs].end; q = j->tok[q].end) {
			int v = variant_index(r, j, hp_json_get(j, q, "variant"));
			if (v < 0)
				continue;
			if (!jbool(j, q, "ok")) {
				char status[96], err[1024];
				jstr(j, q, "status", status, sizeof status);
				if (jstr(j, q, "stderr", err, sizeof err) < 0 && !err[0])
					snprintf(err, sizeof err, "(no stderr)");
				bprintf(
				    &fb,
				    "- %s, round %d: **%s**; stderr ends with:\n\n  ```\n  %.300s\n  ```\n",
				    r->variants[v], (int)hp_json_num(j, hp_json_get(j, q, "round"), 0) + 1,
				    status, err);
				c->nfailures++;
				continue;
			}
			add_metrics(c, j, hp_json_get(j, q, "metrics"), v, 0);
		}
		size_t fails = hp_json_get(j, k, "failures");
		for (size_t q = fails + 1; fails != HP_JSON_NONE && q < j->tok[fails].end;
		     q = j->tok[q].end) {
			int v = variant_index(r, j, hp_json_get(j, q, "variant"));
			char status[96], err[1024];
			jstr(j, q, "status", status, sizeof status);
			if (jstr(j, q, "stderr", err, sizeof err) < 0 && !err[0])
				snprintf(err, sizeof err, "(no stderr)");
			bprintf(&fb, "- %s, %s run: **%s**; stderr ends with:\n\n  ```\n  %.300s\n  ```\n",
			        v >= 0 ? r->variants[v] : "?",
			        hp_json_num(j, hp_json_get(j, q, "round"), 0) == -1 ? "equivalence"
			                                                            : "counting",
			        status, err);
			c->nfailures++;
		}
		if (fb.s) {
			snprintf(c->failures, sizeof c->failures, "%s", fb.s);
			free(fb.s);
		}
	}
}

static void release_results(struct results *r)
{
	for (int c = 0; c < r->ncases; c++)
		for (int i = 0; i < r->cases[c].nseries; i++)
			for (int v = 0; v < MAX_VARIANTS; v++)
				free(r->cases[c].s[i].x[v]);
	hp_json_release(&r->j);
	free(r->text);
}

static struct series *find_series(struct lcase *c, const char *name)
{
	for (int i = 0; i < c->nseries; i++)
		if (!strcmp(c->s[i].name, name))
			return &c->s[i];
	return NULL;
}

/* ---------------------------------------------------------------------------
 * Statistics of one series: variant v against variant 0
 */

struct cmp {
	int ok; /* both sides have samples */
	double med_a, med_b;
	struct hp_comparison c; /* valid when !deterministic */
	int deterministic;
	double ratio;
	enum hp_verdict verdict;
};

/* Variant v against variant base (0, naive, everywhere but in claims that name another). */
static void compare_series_to(const struct series *s, int base, int v, struct cmp *out)
{
	memset(out, 0, sizeof *out);
	out->deterministic = s->deterministic;
	if (!s->n[base] || !s->n[v])
		return;
	out->ok = 1;
	if (s->deterministic) {
		out->med_a = s->x[base][0];
		out->med_b = s->x[v][0];
		out->ratio = out->med_a != 0 ? out->med_b / out->med_a : (out->med_b == 0 ? 1 : INFINITY);
		/*
		 * Counts are exact for one binary and environment, but shift by a few
		 * hundredths of a percent when the stack moves (the environment's
		 * size): a difference below 0.1% is no difference.
		 */
		if (fabs(out->med_b - out->med_a) <= 0.001 * fmax(fabs(out->med_a), fabs(out->med_b)))
			out->verdict = HP_VERDICT_SAME;
		else if ((out->med_b < out->med_a) != (s->higher_better != 0))
			out->verdict = HP_VERDICT_BETTER;
		else
			out->verdict = HP_VERDICT_WORSE;
		return;
	}
	if (hp_stats_compare(s->x[base], s->n[base], s->x[v], s->n[v],
	                     s->higher_better ? HP_HIGHER_IS_BETTER : HP_LOWER_IS_BETTER, &out->c)) {
		out->ok = 0;
		return;
	}
	out->med_a = out->c.a.median;
	out->med_b = out->c.b.median;
	out->ratio = out->c.ratio.estimate;
	out->verdict = out->c.verdict;
}

static void compare_series(const struct series *s, int v, struct cmp *out)
{
	compare_series_to(s, 0, v, out);
}

/* ---------------------------------------------------------------------------
 * Claims
 *
 *   [case.]metric: VARIANT OP RHS        OP: < <= > >= ~     RHS: naive | K * naive | naive / K | NUMBER
 *
 * VARIANT is "optimized" (the last variant) or the name of any variant after
 * the first; on the right, "naive" is always the first variant, and any other
 * variant may be named instead (optimized <= 0.5 * small).
 */

struct claim {
	char text[200];
	char case_name[64]; /* "" = every case */
	char metric[64];
	char variant[48]; /* the left side: "optimized" or a variant's name */
	char base[48];    /* the right side's variant: "naive" unless named */

	char op[3];
	int vs_naive;
	double k;
};

static int parse_claim(const char *text, struct claim *cl)
{
	char buf[200], *p, *colon, *dot;

	memset(cl, 0, sizeof *cl);
	snprintf(cl->text, sizeof cl->text, "%s", text);
	snprintf(buf, sizeof buf, "%s", text);
	colon = strchr(buf, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	dot = strchr(buf, '.');
	if (dot) {
		*dot = '\0';
		snprintf(cl->case_name, sizeof cl->case_name, "%.63s", buf);
		snprintf(cl->metric, sizeof cl->metric, "%.63s", dot + 1);
	} else {
		snprintf(cl->metric, sizeof cl->metric, "%.63s", buf);
	}
	p = colon + 1;
	p += strspn(p, " ");
	/* The left side names a variant; "optimized" is the last one, whatever its name. */
	size_t vlen = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_-");
	if (vlen == 0 || vlen >= sizeof cl->variant)
		return -EINVAL;
	memcpy(cl->variant, p, vlen);
	p += vlen + strspn(p + vlen, " ");
	size_t oplen = strspn(p, "<>=~");
	if (oplen == 0 || oplen > 2)
		return -EINVAL;
	memcpy(cl->op, p, oplen);
	if (strcmp(cl->op, "<") && strcmp(cl->op, "<=") && strcmp(cl->op, ">") && strcmp(cl->op, ">=") &&
	    strcmp(cl->op, "~"))
		return -EINVAL;
	p += oplen + strspn(p + oplen, " ");

	char *end;
	cl->k = 1;
	size_t rlen = *p >= 'a' && *p <= 'z' ? strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_-") : 0;
	if (rlen > 0 && rlen < sizeof cl->base) {
		/* The right side names the baseline: "naive" (the first variant) or another variant. */
		cl->vs_naive = 1;
		memcpy(cl->base, p, rlen);
		p += rlen + strspn(p + rlen, " ");
		if (*p == '/') {
			double d = strtod(p + 1, &end);
			if (end == p + 1 || d <= 0)
				return -EINVAL;
			cl->k = 1 / d;
			p = end;
		} else if (*p == '*') {
			cl->k = strtod(p + 1, &end);
			if (end == p + 1)
				return -EINVAL;
			p = end;
		}
	} else {
		double k = strtod(p, &end);
		if (end == p)
			return -EINVAL;
		p = end + strspn(end, " ");
		if (*p == '*') {
			p++;
			p += strspn(p, " ");
			rlen = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_-");
			if (rlen == 0 || rlen >= sizeof cl->base)
				return -EINVAL;
			memcpy(cl->base, p, rlen);
			cl->vs_naive = 1;
			p += rlen;
		}
		cl->k = k;
	}
	p += strspn(p, " ");
	return *p ? -EINVAL : 0;
}

/* The metrics of the counting runs (hp-run): exact, so checked at every size. */
static int is_deterministic_name(const char *name)
{
	static const char *names[] = {"allocs",           "allocs_per_op", "alloc_bytes",
	                              "peak_bytes",       "instructions",  "instructions_per_op",
	                              "d1_misses",        "ll_misses",     "d1_misses_per_op",
	                              "ll_misses_per_op", "branch_misses", "branch_misses_per_op"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

enum claim_result {
	CLAIM_HOLDS,
	CLAIM_FAILS,
	CLAIM_NOT_CHECKED, /* a timing claim in a deterministic-only check */
	CLAIM_NO_DATA,     /* the metric is missing: that is a failure too */
};

/*
 * Evaluate a claim on one case with variant v as "optimized". why receives
 * the numbers that decided it.
 */
static enum claim_result eval_claim(const struct claim *cl, struct lcase *c, int base, int v, char *why,
                                    size_t cap)
{
	struct series *s = find_series(c, cl->metric);
	struct cmp m;
	char a[32], b[32], r[32], lo[32], hi[32];

	why[0] = '\0';
	if (!s && !strcmp(opt.check, "deterministic") && !is_deterministic_name(cl->metric)) {
		snprintf(why, cap, "timing: checked by compare, not at this size");
		return CLAIM_NOT_CHECKED;
	}
	if (!s) {
		snprintf(why, cap, "no %s measured", cl->metric);
		return CLAIM_NO_DATA;
	}
	if (!s->deterministic && !strcmp(opt.check, "deterministic")) {
		snprintf(why, cap, "timing: checked by compare, not at this size");
		return CLAIM_NOT_CHECKED;
	}
	compare_series_to(s, base, v, &m);
	if (!m.ok) {
		snprintf(why, cap, "no samples of %s", cl->metric);
		return CLAIM_NO_DATA;
	}
	fmt_num(a, sizeof a, m.med_a);
	fmt_num(b, sizeof b, m.med_b);
	fmt_ratio(r, sizeof r, m.ratio);

	int holds;
	if (!strcmp(cl->op, "~")) {
		holds = m.verdict == HP_VERDICT_SAME;
		snprintf(why, cap, "verdict %s (ratio %s)", hp_verdict_name(m.verdict), r);
	} else if (m.deterministic || !cl->vs_naive) {
		double lhs = m.med_b, rhs = cl->vs_naive ? cl->k * m.med_a : cl->k;
		int strict = cl->op[1] != '=';
		int less = cl->op[0] == '<';
		/* Timing against a constant: the CI end on the wrong side must satisfy it, not just the
		 * median. */
		if (!m.deterministic && strict)
			lhs = less ? m.c.b.hi : m.c.b.lo;
		holds = less ? (strict ? lhs < rhs : lhs <= rhs) : (strict ? lhs > rhs : lhs >= rhs);
		fmt_num(lo, sizeof lo, rhs);
		snprintf(why, cap, "%s vs %s (ratio %s; bound %s)", b, a, r, lo);
	} else {
		/* Timing against naive: judged on the ratio's 95% CI, not on two medians. */
		int strict = cl->op[1] != '=';
		int less = cl->op[0] == '<';
		if (!m.c.ratio.ci_ok && strict) {
			holds = 0;
			snprintf(why, cap, "too few samples for a 95%% CI");
		} else {
			double x = strict ? (less ? m.c.ratio.hi : m.c.ratio.lo) : m.c.ratio.estimate;
			holds = less ? (strict ? x < cl->k : x <= cl->k) : (strict ? x > cl->k : x >= cl->k);
			fmt_ratio(lo, sizeof lo, m.c.ratio.lo);
			fmt_ratio(hi, sizeof hi, m.c.ratio.hi);
			snprintf(why, cap, "ratio %s (95%% CI %s–%s), p %.3g", r, lo, hi, m.c.mwu.p);
		}
	}
	return holds ? CLAIM_HOLDS : CLAIM_FAILS;
}

struct claims_outcome {
	int checked, held, failed, not_checked;
	struct buf md; /* markdown list for the page */
};

static void check_claims(struct results *r, const char *claims_text, struct claims_outcome *o)
{
	char *copy = hp_xstrdup(claims_text ? claims_text : ""), *save = NULL;

	memset(o, 0, sizeof *o);
	for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		struct claim cl;
		t += strspn(t, " \t");
		size_t n = strlen(t);
		while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			t[--n] = '\0';
		if (!*t)
			continue;
		if (parse_claim(t, &cl))
			hp_die("%s: cannot parse claim '%s' (expected '[case.]metric: VARIANT OP RHS')",
			       opt.spec_path, t);
		/* "optimized" is the last variant (a case study's last step) unless a variant has that name.
		 */
		int v = r->last;
		for (int k = 1; k < r->nvariants; k++)
			if (!strcmp(r->variants[k], cl.variant))
				v = k;
		int base = 0;
		for (int k = 0; k < r->nvariants; k++)
			if (!strcmp(r->variants[k], cl.base))
				base = k;
		if (cl.vs_naive && strcmp(cl.base, "naive") && strcmp(r->variants[base], cl.base))
			hp_die("%s: claim '%s' compares with '%s', which is not a variant", opt.spec_path, t,
			       cl.base);
		if (strcmp(cl.variant, "optimized") && strcmp(r->variants[v], cl.variant))
			hp_die(
			    "%s: claim '%s' names variant '%s', which is not a variant after the first (%s)",
			    opt.spec_path, t, cl.variant, r->variants[0]);
		int matched = 0;
		for (int c = 0; c < r->ncases; c++) {
			if (cl.case_name[0] && strcmp(cl.case_name, r->cases[c].name))
				continue;
			matched = 1;
			/* A claim on every case skips the cases its variants do not run. */
			if (!cl.case_name[0] && (r->cases[c].skip[v] || r->cases[c].skip[base]))
				continue;
			char why[200];
			enum claim_result res = eval_claim(&cl, &r->cases[c], base, v, why, sizeof why);
			const char *mark = res == CLAIM_HOLDS         ? "holds"
			                   : res == CLAIM_NOT_CHECKED ? "not checked"
			                                              : "FAILS";
			if (res == CLAIM_NOT_CHECKED) {
				o->not_checked++;
			} else {
				o->checked++;
				if (res == CLAIM_HOLDS)
					o->held++;
				else
					o->failed++;
			}
			bprintf(&o->md, "- %s `%s`%s%s%s — %s\n",
			        res == CLAIM_HOLDS         ? "✔"
			        : res == CLAIM_NOT_CHECKED ? "·"
			                                   : "✘",
			        t, cl.case_name[0] ? "" : " (case ", cl.case_name[0] ? "" : r->cases[c].name,
			        cl.case_name[0] ? "" : ")", why);
			if (!opt.quiet || res != CLAIM_HOLDS)
				fprintf(stderr, "  claim %-11s %s%s%s%s: %s\n", mark, t,
				        cl.case_name[0] ? "" : " [", cl.case_name[0] ? "" : r->cases[c].name,
				        cl.case_name[0] ? "" : "]", why);
		}
		if (!matched)
			hp_die("%s: claim '%s' names case '%s', which the lesson does not have",
			       opt.spec_path, t, cl.case_name);
	}
	if (!o->md.s)
		bprintf(&o->md, "_This lesson makes no claims._\n");
	free(copy);
}

/* ---------------------------------------------------------------------------
 * Tables
 */

static const char *default_metrics = "time_ms ns_per_op instructions_per_op instructions allocs "
                                     "allocs_per_op alloc_bytes peak_bytes maxrss_kb";

static void table_case(struct results *r, struct lcase *c, const char *metrics, struct buf *b)
{
	char *copy = hp_xstrdup(metrics), *save = NULL;
	int wide_warned = 0, few_warned = 0;

	bprintf(b, "**Case `%s`** — arguments `%s`", c->name, c->args);
	if (c->count_args[0])
		bprintf(b, "; instructions counted with `%s`", c->count_args);
	bprintf(b, "\n\n");
	if (!c->equivalent) {
		bprintf(
		    b,
		    "**The variants' outputs differ: nothing was timed.** An optimization that changes the "
		    "answer is a bug.\n\n%s\n",
		    c->failures);
		free(copy);
		return;
	}
	/* The baseline is the first variant that runs the case (the ETL's full case has no naive). */
	int base = 0;
	while (base < r->nvariants - 1 && c->skip[base])
		base++;
	bprintf(b, "| metric | %s | %s | change (95%% CI) | p | verdict |\n", r->variants[base],
	        r->nvariants == 2 ? (opt.label ? opt.label : r->variants[1]) : "variant");
	bprintf(b, "|:--|--:|--:|--:|--:|:--|\n");
	for (char *name = strtok_r(copy, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
		struct series *s = find_series(c, name);
		if (!s)
			continue;
		for (int v = base + 1; v < r->nvariants; v++) {
			struct cmp m;
			char a[32], bb[32], ra[32], lo[32], hi[32], p[16], label[96];
			if (c->skip[v])
				continue;
			compare_series_to(s, base, v, &m);
			if (!m.ok)
				continue;
			fmt_num(a, sizeof a, m.med_a);
			fmt_num(bb, sizeof bb, m.med_b);
			fmt_ratio(ra, sizeof ra, m.ratio);
			snprintf(label, sizeof label, "%s%s%s%s%s", s->name, s->unit[0] ? " (" : "", s->unit,
			         s->unit[0] ? ")" : "", s->deterministic ? " ¹" : "");
			if (r->nvariants > 2)
				snprintf(label + strlen(label), sizeof label - strlen(label), " — %s",
				         r->variants[v]);
			if (m.deterministic) {
				bprintf(b, "| %s | %s | %s | ×%s | exact | %s |\n", label, a, bb, ra,
				        hp_verdict_name(m.verdict));
				continue;
			}
			fmt_p(p, sizeof p, m.c.mwu.p);
			if (m.c.ratio.ci_ok) {
				fmt_ratio(lo, sizeof lo, m.c.ratio.lo);
				fmt_ratio(hi, sizeof hi, m.c.ratio.hi);
				bprintf(b, "| %s | %s | %s | ×%s (%s–%s) | %s | %s |\n", label, a, bb, ra, lo,
				        hi, p, hp_verdict_name(m.verdict));
			} else {
				bprintf(b, "| %s | %s | %s | ×%s | %s | %s |\n", label, a, bb, ra, p,
				        hp_verdict_name(m.verdict));
			}
			if (m.c.warnings & HP_WARN_WIDE_CI)
				wide_warned = 1;
			if (m.c.warnings & HP_WARN_FEW_SAMPLES)
				few_warned = 1;
		}
	}
	bprintf(b, "\n");
	if (few_warned)
		bprintf(
		    b, "> **Warning:** fewer than 6 runs per side: no 95%% confidence interval of the median "
		       "exists, so no verdict can be trusted. Raise `ROUNDS`.\n\n");
	if (wide_warned)
		bprintf(
		    b, "> **Note:** a confidence interval is wider than 5%% of its median: this machine was "
		       "noisy during the run. The verdicts account for it; the deterministic rows (¹) do not "
		       "depend on it.\n\n");
	if (c->nfailures)
		bprintf(b, "**Failed runs (%d)** — shown, never dropped:\n\n%s\n", c->nfailures, c->failures);
	free(copy);
}

static void tables(struct results *r, const char *metrics, const char *only_case, struct buf *b)
{
	for (int c = 0; c < r->ncases; c++)
		if (!only_case || !strcmp(only_case, r->cases[c].name))
			table_case(r, &r->cases[c], metrics, b);
	bprintf(b,
	        "Medians of %d alternating runs per variant. Change is the ratio %s/%s (Hodges–Lehmann) with "
	        "its 95%% confidence interval; p from the Mann–Whitney U test; `~` means no significant "
	        "difference. ¹ Deterministic: counted once (allocations by the LD_PRELOAD counter; "
	        "instructions, and simulated cache or branch misses where shown, by callgrind over the "
	        "timed section only; exact counts a program reports itself, such as a server's, from its "
	        "run on the equivalence input); they do not depend on timing noise.\n",
	        r->rounds, r->nvariants == 2 ? (opt.label ? opt.label : r->variants[1]) : "variant",
	        r->variants[0]);
}

/* ---------------------------------------------------------------------------
 * Charts
 */

static int run_gnuplot(const char *template, const char *vars)
{
	char cmd[4096];

	snprintf(cmd, sizeof cmd, "gnuplot -e \"%s\" '%s/%s' 2>&1", vars, opt.charts_dir, template);
	FILE *p = popen(cmd, "r");
	char line[512];
	int out = 0;
	if (!p)
		return -1;
	while (fgets(line, sizeof line, p)) {
		/* A variant that does not run a case (lesson_case_<c>_variants) has an empty block. */
		if (strstr(line, "Skipping data file with no valid points") || !strcmp(line, "\n"))
			continue;
		if (!out++)
			fprintf(stderr, "hp-report: gnuplot %s:\n", template);
		fputs(line, stderr);
	}
	return pclose(p) == 0 ? 0 : -1;
}

static const char *slug_of(const char *page)
{
	const char *s = strrchr(page, '/');
	static char slug[128];

	snprintf(slug, sizeof slug, "%s", s ? s + 1 : page);
	char *dot = strrchr(slug, '.');
	if (dot)
		*dot = '\0';
	return slug;
}

/*
 * Server lessons: latency percentiles per case (latency.gp), and, with more
 * than one case, throughput and p99 across the cases (scaling.gp). Drawn
 * only when the runs have the load generator's metrics.
 */
static int server_charts(struct results *r, const char *slug, const char *title)
{
	static const char *pct[] = {"p50_us", "p90_us", "p99_us", "p999_us", "max_us"};
	static const char *pct_label[] = {"p50", "p90", "p99", "p99.9", "max"};
	static const char *scaled[] = {"throughput_rps", "p99_us"};
	char dat[512], out[512], vars[2048];
	struct buf names = {0}, cases = {0};
	int err = 0;
	FILE *f;

	if (!r->ncases || !find_series(&r->cases[0], "p50_us"))
		return 0;
	for (int v = 0; v < r->nvariants; v++)
		bprintf(&names, "%s%s", v ? " " : "", r->variants[v]);
	for (int c = 0; c < r->ncases; c++)
		bprintf(&cases, "%s%s", c ? " " : "", r->cases[c].name);

	snprintf(dat, sizeof dat, "%s/%s-latency.dat", opt.img_dir, slug);
	f = fopen(dat, "w");
	if (!f)
		hp_die("cannot write %s: %s", dat, strerror(errno));
	fprintf(f, "# one block per case and variant: x percentile median-us\n");
	for (int c = 0; c < r->ncases; c++)
		for (int v = 0; v < r->nvariants; v++) {
			fprintf(f, "# %s %s\n", r->cases[c].name, r->variants[v]);
			for (int k = 0; k < 5; k++) {
				struct series *s = find_series(&r->cases[c], pct[k]);
				struct hp_summary sm;
				if (s && s->n[v] && !hp_stats_summary(s->x[v], s->n[v], &sm) && sm.median > 0)
					fprintf(f, "%d %s %.6g\n", k, pct_label[k], sm.median);
			}
			fprintf(f, "\n\n");
		}
	fclose(f);
	for (int svg = 0; svg < 2; svg++) {
		const char *ext = svg ? "svg" : "png";
		snprintf(out, sizeof out, "%s/%s-latency.%s", opt.img_dir, slug, ext);
		snprintf(vars, sizeof vars,
		         "datafile='%s'; out='%s'; term='%s'; title='%s'; variants='%s'; cases='%s'", dat,
		         out, ext, title, names.s, cases.s);
		err |= run_gnuplot("latency.gp", vars);
	}

	for (size_t k = 0; r->ncases > 1 && k < sizeof scaled / sizeof *scaled; k++) {
		/* A lesson that reports latencies but no throughput gets no throughput chart. */
		int have = 0;
		for (int c = 0; c < r->ncases; c++)
			have |= find_series(&r->cases[c], scaled[k]) != NULL;
		if (!have)
			continue;
		snprintf(dat, sizeof dat, "%s/%s-scaling-%s.dat", opt.img_dir, slug, scaled[k]);
		f = fopen(dat, "w");
		if (!f)
			hp_die("cannot write %s: %s", dat, strerror(errno));
		fprintf(f, "# one block per variant: x case median lo hi\n");
		for (int v = 0; v < r->nvariants; v++) {
			fprintf(f, "# %s\n", r->variants[v]);
			for (int c = 0; c < r->ncases; c++) {
				struct series *s = find_series(&r->cases[c], scaled[k]);
				struct hp_summary sm;
				if (s && s->n[v] && !hp_stats_summary(s->x[v], s->n[v], &sm))
					fprintf(f, "%d %s %.6g %.6g %.6g\n", c, r->cases[c].name, sm.median,
					        sm.lo, sm.hi);
			}
			fprintf(f, "\n\n");
		}
		fclose(f);
		for (int svg = 0; svg < 2; svg++) {
			const char *ext = svg ? "svg" : "png";
			snprintf(out, sizeof out, "%s/%s-scaling-%s.%s", opt.img_dir, slug, scaled[k], ext);
			snprintf(vars, sizeof vars,
			         "datafile='%s'; out='%s'; term='%s'; title='%s'; metric='%s'; variants='%s'",
			         dat, out, ext, title, scaled[k], names.s);
			err |= run_gnuplot("scaling.gp", vars);
		}
	}
	free(names.s);
	free(cases.s);
	return err;
}

/*
 * waterfall (lesson_steps := yes): per case, naive's median of the primary
 * metric, then each step's change from the step before, then the final
 * program's total and the peers' (charts/waterfall.gp).
 */
static int waterfall_charts(struct results *r, const char *primary, const char *slug, const char *title)
{
	char dat[512], vars[2048], out[512];
	int err = 0;

	if (!r->steps)
		return 0;
	for (int c = 0; c < r->ncases; c++) {
		struct series *s = find_series(&r->cases[c], primary);
		double med[MAX_VARIANTS], base = 0;
		int have[MAX_VARIANTS] = {0}, x = 0;

		for (int v = 0; s && v < r->nvariants; v++) {
			struct hp_summary sm;
			if (s->n[v] && !hp_stats_summary(s->x[v], s->n[v], &sm)) {
				med[v] = sm.median;
				have[v] = 1;
			}
		}
		snprintf(dat, sizeof dat, "%s/%s-waterfall-%s.svg", opt.img_dir, slug, r->cases[c].name);
		unlink(dat);
		snprintf(dat, sizeof dat, "%s/%s-waterfall-%s.png", opt.img_dir, slug, r->cases[c].name);
		unlink(dat);
		/* The first own variant that ran the case is the base (the ETL's full case has no naive). */
		int first = 0;
		while (first < r->last && !have[first])
			first++;
		if (!s || !have[first] || med[first] <= 0)
			continue;
		base = med[first];
		snprintf(dat, sizeof dat, "%s/%s-waterfall-%s.dat", opt.img_dir, slug, r->cases[c].name);
		FILE *f = fopen(dat, "w");
		if (!f)
			hp_die("cannot write %s: %s", dat, strerror(errno));
		fprintf(f, "# x name low high colour label\n");
		char num[32];
		fmt_num(num, sizeof num, base);
		fprintf(f, "%d \"%s\" 0 %.6g 1 \"%s %s\"\n", x++, r->variants[first], base, num, s->unit);
		double prev = base;
		for (int v = first + 1; v <= r->last; v++) {
			if (!have[v])
				continue;
			double d = med[v] - prev;
			/* Green when the step improved the metric, whichever way is better. */
			int better = (d < 0) != (s->higher_better != 0);
			fprintf(f, "%d \"%s\" %.6g %.6g %d \"%+.0f%%\"\n", x++, r->variants[v],
			        d < 0 ? med[v] : prev, d < 0 ? prev : med[v], better ? 2 : 3, 100 * d / base);
			prev = med[v];
		}
		if (have[r->last]) {
			fmt_num(num, sizeof num, med[r->last]);
			fprintf(f, "%d \"= %s\" 0 %.6g 4 \"%s %s\"\n", x++, r->variants[r->last],
			        med[r->last], num, s->unit);
		}
		for (int v = r->last + 1; v < r->nvariants; v++) {
			if (!have[v])
				continue;
			fmt_num(num, sizeof num, med[v]);
			fprintf(f, "%d \"%s\" 0 %.6g 5 \"%s %s\"\n", ++x, r->variants[v], med[v], num,
			        s->unit);
		}
		fclose(f);
		for (int svg = 0; svg < 2; svg++) {
			const char *ext = svg ? "svg" : "png";
			snprintf(out, sizeof out, "%s/%s-waterfall-%s.%s", opt.img_dir, slug,
			         r->cases[c].name, ext);
			snprintf(vars, sizeof vars,
			         "datafile='%s'; out='%s'; term='%s'; title='%s (%s)'; metric='%s'", dat, out,
			         ext, title, r->cases[c].name, primary);
			err |= run_gnuplot("waterfall.gp", vars);
		}
	}
	return err;
}

/*
 * bars: the primary metric of every case relative to naive (naive = 1), each
 * bar with the whisker of its median's 95% CI, labelled with the absolute
 * median. runs: every timed run in order, so the reader sees the noise and
 * whether the alternation kept drift off the comparison.
 */
static int charts(struct results *r, const char *primary, const char *slug, const char *title)
{
	char dat[512], vars[2048], out[512];
	FILE *f;
	int err = 0, rows = 0;

	if (opt.no_charts)
		return 0;
	snprintf(dat, sizeof dat, "%s/%s-bars.dat", opt.img_dir, slug);
	f = fopen(dat, "w");
	if (!f)
		hp_die("cannot write %s: %s", dat, strerror(errno));
	fprintf(f, "# x case variant relative lo hi median-and-unit variant-index\n");
	for (int c = 0; c < r->ncases; c++) {
		struct series *s = find_series(&r->cases[c], primary);
		if (!s || !s->n[0])
			continue;
		struct hp_summary base;
		if (hp_stats_summary(s->x[0], s->n[0], &base) || base.median == 0)
			continue;
		for (int v = 0; v < r->nvariants; v++) {
			struct hp_summary sm;
			char med[32];
			if (!s->n[v] || hp_stats_summary(s->x[v], s->n[v], &sm))
				continue;
			fmt_num(med, sizeof med, sm.median);
			/* Bars of one case side by side, one empty slot between cases. */
			fprintf(f, "%d \"%s\" \"%s\" %.6g %.6g %.6g \"%s %s\" %d\n",
			        c * (r->nvariants + 1) + v, r->cases[c].name,
			        v == r->last && opt.label ? opt.label : r->variants[v],
			        sm.median / base.median, sm.lo / base.median, sm.hi / base.median, med,
			        s->unit, v + 1);
			rows++;
		}
	}
	fclose(f);
	if (!rows) {
		/* Nothing ran: no chart, and no stale chart of an earlier run either. */
		for (int svg = 0; svg < 2; svg++) {
			for (int k = 0; k < 2; k++) {
				snprintf(out, sizeof out, "%s/%s-%s.%s", opt.img_dir, slug,
				         k ? "runs" : "bars", svg ? "svg" : "png");
				unlink(out);
			}
		}
		return 0;
	}

	snprintf(dat + strlen(dat) - strlen("bars.dat"), 16, "runs.dat");
	f = fopen(dat, "w");
	if (!f)
		hp_die("cannot write %s: %s", dat, strerror(errno));
	fprintf(f, "# one block per case and variant: run-number value\n");
	for (int c = 0; c < r->ncases; c++) {
		struct series *s = find_series(&r->cases[c], primary);
		for (int v = 0; s && v < r->nvariants; v++) {
			fprintf(f, "# %s %s\n", r->cases[c].name, r->variants[v]);
			for (size_t i = 0; i < s->n[v]; i++)
				fprintf(f, "%zu %.6g\n", i + 1, s->x[v][i]);
			fprintf(f, "\n\n");
		}
	}
	fclose(f);

	for (int svg = 0; svg < 2; svg++) {
		const char *ext = svg ? "svg" : "png";
		snprintf(out, sizeof out, "%s/%s-bars.%s", opt.img_dir, slug, ext);
		snprintf(
		    vars, sizeof vars,
		    "datafile='%s/%s-bars.dat'; out='%s'; term='%s'; title='%s'; metric='%s'; variants=%d",
		    opt.img_dir, slug, out, ext, title, primary, r->nvariants);
		err |= run_gnuplot("bars.gp", vars);

		struct buf names = {0}, cases = {0};
		for (int v = 0; v < r->nvariants; v++)
			bprintf(&names, "%s%s", v ? " " : "",
			        v == r->last && opt.label ? opt.label : r->variants[v]);
		for (int c = 0; c < r->ncases; c++)
			bprintf(&cases, "%s%s", c ? " " : "", r->cases[c].name);
		snprintf(out, sizeof out, "%s/%s-runs.%s", opt.img_dir, slug, ext);
		snprintf(vars, sizeof vars,
		         "datafile='%s/%s-runs.dat'; out='%s'; term='%s'; title='%s'; metric='%s'; "
		         "variants='%s'; cases='%s'",
		         opt.img_dir, slug, out, ext, title, primary, names.s, cases.s);
		err |= run_gnuplot("runs.gp", vars);
		free(names.s);
		free(cases.s);
	}
	return err | server_charts(r, slug, title) | waterfall_charts(r, primary, slug, title);
}

static void json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fputs("null", f);
}

/*
 * One JSON line per case, metric and variant against naive: what the tables
 * say, in a form the tests (and any other tool) can read without parsing
 * markdown.
 */
static void write_summary(struct results *r, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		hp_die("cannot write %s: %s", path, strerror(errno));
	for (int c = 0; c < r->ncases; c++) {
		struct lcase *lc = &r->cases[c];
		for (int i = 0; i < lc->nseries; i++) {
			for (int v = 1; v < r->nvariants; v++) {
				struct cmp m;
				compare_series(&lc->s[i], v, &m);
				if (!m.ok)
					continue;
				fprintf(f, "{\"case\":");
				hp_json_write_str(f, lc->name);
				fprintf(f, ",\"metric\":");
				hp_json_write_str(f, lc->s[i].name);
				fprintf(f, ",\"variant\":");
				hp_json_write_str(f, r->variants[v]);
				fprintf(f, ",\"deterministic\":%s,\"naive\":",
				        m.deterministic ? "true" : "false");
				json_num(f, m.med_a);
				fprintf(f, ",\"value\":");
				json_num(f, m.med_b);
				fprintf(f, ",\"ratio\":");
				json_num(f, m.ratio);
				if (!m.deterministic) {
					/* JSON has no NaN: an interval that does not exist is null. */
					fprintf(f, ",\"lo\":");
					json_num(f, m.c.ratio.lo);
					fprintf(f, ",\"hi\":");
					json_num(f, m.c.ratio.hi);
					fprintf(f,
					        ",\"ci_ok\":%s,\"p\":", m.c.ratio.ci_ok ? "true" : "false");
					json_num(f, m.c.mwu.p);
					fprintf(f, ",\"n\":%zu", m.c.b.n);
				}
				fprintf(f, ",\"verdict\":\"%s\"}\n", hp_verdict_name(m.verdict));
			}
		}
	}
	if (fclose(f))
		hp_die("cannot write %s: %s", path, strerror(errno));
}

/* ---------------------------------------------------------------------------
 * Page blocks
 */

static void machine_block(struct results *r, struct buf *b)
{
	const struct hp_json *j = &r->j;
	size_t m = r->machine;
	char cpu[160], kernel[200], compiler[200], cflags[600], commit[64], date[40];

	jstr(j, m, "cpu", cpu, sizeof cpu);
	jstr(j, m, "kernel", kernel, sizeof kernel);
	jstr(j, m, "compiler", compiler, sizeof compiler);
	jstr(j, m, "cflags", cflags, sizeof cflags);
	jstr(j, m, "commit", commit, sizeof commit);
	jstr(j, m, "date", date, sizeof date);
	bprintf(b, "| measured on | |\n|:--|:--|\n");
	bprintf(b, "| CPU | %s, %d cores%s |\n", cpu, (int)hp_json_num(j, hp_json_get(j, m, "cores"), 0),
	        jbool(j, m, "virtualized") ? " (virtual machine)" : "");
	bprintf(b, "| memory | %.1f GiB |\n", hp_json_num(j, hp_json_get(j, m, "mem_gib"), 0));
	bprintf(b, "| kernel | %s |\n", kernel);
	bprintf(b, "| compiler | %s |\n", compiler);
	bprintf(b, "| flags | `%s` |\n", cflags);
	bprintf(b, "| hardware counters | %s |\n",
	        jbool(j, m, "perf_counters")
	            ? "available (hw_* metrics)"
	            : "not available on this machine: instructions are counted by callgrind");
	bprintf(b, "| commit | `%s`%s |\n", commit, jbool(j, m, "dirty") ? " with uncommitted changes" : "");
	bprintf(b, "| date | %s |\n", date);
	bprintf(b, "| size, rounds | `%s`, %d rounds after %d warm-up, variants alternating |\n", r->size,
	        r->rounds, (int)hp_json_num(j, hp_json_get(j, 0, "warmup"), 0));
	bprintf(b, "\nReproduce with `make %s-compare` (`SIZE=`, `ROUNDS=` to change the run).\n", r->id);
}

static void profile_block(const char *tool, const char *variant, const char *case_name, struct results *r,
                          const char *profile_dir, struct buf *b)
{
	char path[1024];
	size_t len;
	char *text;

	snprintf(path, sizeof path, "%s/%s-%s-%s.txt", profile_dir, tool, variant,
	         case_name ? case_name : r->cases[0].name);
	text = slurp(path, &len);
	if (!text) {
		bprintf(b, "> _No %s profile of %s yet: run `make %s-profile` to produce it._\n", tool,
		        variant, r->id);
		return;
	}
	/* An excerpt: the profile target already trims; cap it again so a page stays readable. */
	int lines = 0;
	size_t cut = 0;
	while (cut < len && lines < 45) {
		if (text[cut] == '\n')
			lines++;
		cut++;
	}
	bprintf(b, "```\n");
	bput(b, text, cut);
	if (cut && text[cut - 1] != '\n')
		bprintf(b, "\n");
	if (cut < len)
		bprintf(b, "[... %s]\n", path);
	bprintf(b, "```\n");
	free(text);
}

/* <!-- hp:excerpt NAME -->: a file a lesson's profile-extra.sh wrote, quoted whole. */
static void excerpt_block(const char *name, struct results *r, const char *profile_dir, struct buf *b)
{
	char path[1024];
	size_t len;
	char *text;

	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			hp_die("<!-- hp:excerpt %s -->: a name is [a-z0-9_-]+", name);
	snprintf(path, sizeof path, "%s/%s.txt", profile_dir, name);
	text = slurp(path, &len);
	if (!text) {
		bprintf(b, "> _No excerpt %s yet: run `make %s-profile` to produce it._\n", name, r->id);
		return;
	}
	bprintf(b, "```\n");
	bput(b, text, len);
	if (len && text[len - 1] != '\n')
		bprintf(b, "\n");
	bprintf(b, "```\n");
	free(text);
}

static void limits_block(struct results *r, const char *ceiling, struct buf *b)
{
	size_t len, off;
	char *text = opt.limits_path ? slurp(opt.limits_path, &len) : NULL;
	struct hp_json j;

	if (!text) {
		bprintf(b, "> _This machine's ceilings have not been measured: run `make limits`._\n");
		return;
	}
	if (hp_json_parse(&j, text, len, &off))
		hp_die("%s: not valid JSON near byte %zu", opt.limits_path, off);
	size_t lim = hp_json_get(&j, 0, "limits");
	char *copy = hp_xstrdup(ceiling ? ceiling : ""), *save = NULL;
	char lcpu[160] = "", rcpu[160] = "";
	size_t lm = hp_json_get(&j, 0, "machine");
	jstr(&j, lm, "cpu", lcpu, sizeof lcpu);
	jstr(&r->j, r->machine, "cpu", rcpu, sizeof rcpu);
	int lcores = (int)hp_json_num(&j, hp_json_get(&j, lm, "cores"), 0);
	int rcores = (int)hp_json_num(&r->j, hp_json_get(&r->j, r->machine, "cores"), 0);
	if (strcmp(lcpu, rcpu) || lcores != rcores)
		bprintf(b,
		        "> **Note:** these ceilings were measured on another machine (%s, %d cores) than the "
		        "results (%s, %d cores): run `make limits` on this one.\n\n",
		        lcpu, lcores, rcpu, rcores);
	int any = 0;
	for (char *item = strtok_r(copy, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(item, ':'), *lname = colon ? colon + 1 : item;
		double value = NAN;
		char unit[32] = "", method[300] = "";
		for (size_t k = lim + 1; lim != HP_JSON_NONE && k < j.tok[lim].end; k = j.tok[k].end) {
			if (hp_json_str_eq(&j, hp_json_get(&j, k, "name"), lname)) {
				value = hp_json_num(&j, hp_json_get(&j, k, "value"), NAN);
				jstr(&j, k, "unit", unit, sizeof unit);
				jstr(&j, k, "method", method, sizeof method);
			}
		}
		if (!any++)
			bprintf(b, "| this machine's ceiling | value | the lesson's optimized variant "
			           "|\n|:--|--:|:--|\n");
		char v[32];
		fmt_num(v, sizeof v, value);
		bprintf(b, "| `%s`: %s | %s %s | ", lname, method[0] ? method : "not measured", v, unit);
		if (colon) {
			*colon = '\0';
			char *dot = strchr(item, '.');
			const char *metric = dot ? dot + 1 : item;
			for (int c = 0; c < r->ncases; c++) {
				if (dot && strncmp(item, r->cases[c].name, (size_t)(dot - item)))
					continue;
				struct series *s = find_series(&r->cases[c], metric);
				struct hp_summary sm;
				int last = r->last;
				if (!s || !s->n[last] || hp_stats_summary(s->x[last], s->n[last], &sm))
					continue;
				char mv[32], ra[32];
				fmt_num(mv, sizeof mv, sm.median);
				fmt_ratio(ra, sizeof ra, sm.median / value);
				bprintf(b, "%s: %s %s = ×%s the ceiling; ", r->cases[c].name, mv, s->unit,
				        ra);
			}
		}
		bprintf(b, "|\n");
	}
	if (!any)
		bprintf(b, "> _This lesson names no ceiling._\n");
	free(copy);
	hp_json_release(&j);
	free(text);
}

/* ---------------------------------------------------------------------------
 * The page
 */

/*
 * The page's one-line result for the index: the primary metric of the first
 * case, the last own variant against naive, unless the lesson names another
 * with lesson_headline := [CASE.]METRIC [VARIANT] (chapter 18: the open
 * loop's p99, not the closed loop's).
 */
static void headline(struct results *r, const char *spec_headline, const char *primary, char *out, size_t cap)
{
	char want[128], *metric = want, *dot, *variant;
	struct lcase *c = &r->cases[0];
	int v = r->last;

	snprintf(want, sizeof want, "%s", *spec_headline ? spec_headline : primary);
	variant = strchr(want, ' ');
	if (variant) {
		*variant++ = '\0';
		for (int k = 1; k < r->nvariants; k++)
			if (!strcmp(r->variants[k], variant))
				v = k;
	}
	dot = strchr(want, '.');
	if (dot) {
		*dot = '\0';
		metric = dot + 1;
		for (int k = 0; k < r->ncases; k++)
			if (!strcmp(r->cases[k].name, want))
				c = &r->cases[k];
	}
	primary = metric;
	struct series *s = find_series(c, primary);
	struct cmp m;
	char ra[32], lo[32], hi[32];

	snprintf(out, cap, "no result");
	if (!c->equivalent) {
		snprintf(out, cap, "FAILED: the variants' outputs differ");
		return;
	}
	if (!s)
		return;
	compare_series(s, v, &m);
	if (!m.ok)
		return;
	fmt_ratio(ra, sizeof ra, m.ratio);
	if (!m.deterministic && m.c.ratio.ci_ok) {
		fmt_ratio(lo, sizeof lo, m.c.ratio.lo);
		fmt_ratio(hi, sizeof hi, m.c.ratio.hi);
		snprintf(out, cap, "%s%s%s%s%s ×%s (95%% CI %s–%s), %s", r->ncases > 1 ? c->name : "",
		         r->ncases > 1 ? ": " : "", v != r->last ? r->variants[v] : "",
		         v != r->last ? " " : "", primary, ra, lo, hi, hp_verdict_name(m.verdict));
	} else {
		snprintf(out, cap, "%s%s%s%s%s ×%s, %s", r->ncases > 1 ? c->name : "",
		         r->ncases > 1 ? ": " : "", v != r->last ? r->variants[v] : "",
		         v != r->last ? " " : "", primary, ra, hp_verdict_name(m.verdict));
	}
}

static void marker(const char *m, size_t n, struct results *r, struct hp_spec *spec,
                   struct claims_outcome *co, const char *slug, struct buf *b)
{
	char words[4][64] = {{0}};
	char inner[256];
	int nw = 0;

	snprintf(inner, sizeof inner, "%.*s", (int)n, m);
	for (char *save = NULL, *t = strtok_r(inner, " \t", &save); t && nw < 4;
	     t = strtok_r(NULL, " \t", &save))
		snprintf(words[nw++], sizeof words[0], "%s", t);
	const char *title = hp_spec_get(spec, "title", r->id);

	if (!strcmp(words[0], "table")) {
		tables(r,
		       *hp_spec_get(spec, "metrics", "") ? hp_spec_get(spec, "metrics", "") : default_metrics,
		       nw > 1 ? words[1] : NULL, b);
	} else if (!strcmp(words[0], "chart") && (!strcmp(words[1], "bars") || !strcmp(words[1], "runs"))) {
		char path[600];
		snprintf(path, sizeof path, "%s/%s-%s.svg", opt.img_dir, slug, words[1]);
		if (!opt.no_charts && access(path, R_OK)) {
			bprintf(b, "> _No chart: no run of this lesson succeeded._\n");
			return;
		}
		bprintf(b, "![%s: %s, %s](img/%s-%s.svg)\n", title, hp_spec_get(spec, "primary", "time_ms"),
		        !strcmp(words[1], "bars") ? "median relative to naive with 95% CI whiskers"
		                                  : "every timed run in order",
		        slug, words[1]);
	} else if (!strcmp(words[0], "chart") &&
	           (!strcmp(words[1], "latency") || !strcmp(words[1], "scaling"))) {
		/* <!-- hp:chart latency -->, <!-- hp:chart scaling throughput_rps|p99_us --> */
		char path[600], file[200];
		if (!strcmp(words[1], "latency"))
			snprintf(file, sizeof file, "%s-latency", slug);
		else
			snprintf(file, sizeof file, "%s-scaling-%s", slug,
			         nw > 2 ? words[2] : "throughput_rps");
		snprintf(path, sizeof path, "%s/%s.svg", opt.img_dir, file);
		if (!opt.no_charts && access(path, R_OK)) {
			bprintf(b, "> _No chart: no run of this lesson measured a server under load._\n");
			return;
		}
		bprintf(b, "![%s: %s](img/%s.svg)\n", title,
		        !strcmp(words[1], "latency") ? "latency percentiles per case, log scale"
		                                     : "by case, median with 95% CI whiskers",
		        file);
	} else if (!strcmp(words[0], "chart") && !strcmp(words[1], "waterfall")) {
		/* <!-- hp:chart waterfall [CASE] -->: the steps of a case study (lesson_steps := yes). */
		char path[600];
		const char *cname = nw > 2 ? words[2] : r->cases[0].name;
		snprintf(path, sizeof path, "%s/%s-waterfall-%s.svg", opt.img_dir, slug, cname);
		if (!r->steps)
			hp_die("%s: <!-- hp:chart waterfall --> needs lesson_steps := yes", opt.spec_path);
		if (!opt.no_charts && access(path, R_OK)) {
			bprintf(b, "> _No chart: no run of this case succeeded._\n");
			return;
		}
		bprintf(b,
		        "![%s: %s step by step, case %s (median; each step's change as a share of "
		        "naive)](img/%s-waterfall-%s.svg)\n",
		        title, hp_spec_get(spec, "primary", "time_ms"), cname, slug, cname);
	} else if (!strcmp(words[0], "chart") && !strcmp(words[1], "heap")) {
		char path[600];
		const char *cname = nw > 2 ? words[2] : r->cases[0].name;
		snprintf(path, sizeof path, "%s/%s-heap-%s.svg", opt.img_dir, slug, cname);
		if (access(path, R_OK) == 0)
			bprintf(b, "![%s: heap over time (massif), case %s](img/%s-heap-%s.svg)\n", title,
			        cname, slug, cname);
		else
			bprintf(b, "> _No heap timeline yet: run `make %s-profile` to produce it._\n", r->id);
	} else if (!strcmp(words[0], "claims")) {
		bput(b, co->md.s, co->md.len);
	} else if (!strcmp(words[0], "machine")) {
		machine_block(r, b);
	} else if (!strcmp(words[0], "limits")) {
		limits_block(r, hp_spec_get(spec, "ceiling", ""), b);
	} else if (!strcmp(words[0], "excerpt") && nw == 2) {
		excerpt_block(words[1], r, opt.profile_dir, b);
	} else if (!strcmp(words[0], "profile") && nw >= 3) {
		profile_block(words[1], words[2], nw > 3 ? words[3] : NULL, r, opt.profile_dir, b);
	} else {
		hp_die("%s/README.md: unknown marker <!-- hp:%.*s -->", hp_spec_get(spec, "dir", "?"), (int)n,
		       m);
	}
}

static void write_page(struct results *r, struct hp_spec *spec, struct claims_outcome *co, const char *slug)
{
	char readme[600], head[300], tmp[700];
	size_t len;
	const char *dir = hp_spec_get(spec, "dir", "");
	char *text;
	struct buf b = {0};

	snprintf(readme, sizeof readme, "%s/README.md", dir);
	text = slurp(readme, &len);
	if (!text)
		hp_die("cannot read %s: %s", readme, strerror(errno));

	headline(r, hp_spec_get(spec, "headline", ""), hp_spec_get(spec, "primary", "time_ms"), head,
	         sizeof head);
	const char *num = strncmp(dir, "chapters/", 9) ? NULL : dir + 9;
	bprintf(&b,
	        "---\ntitle: \"%s\"\nlesson: %s\nid: %s\norder: %d\nheadline: \"%s\"\nclaims: \"%d/%d "
	        "hold\"\n---\n\n",
	        hp_spec_get(spec, "title", r->id), dir, r->id, num ? atoi(num) : 100, head, co->held,
	        co->checked);
	bprintf(&b, "<!-- Generated by hp-report from %s and %s. Edit the README, not this page. -->\n\n",
	        opt.results_path, readme);

	/* Skip the README's own first-level title: the front matter's title replaces it. */
	char *p = text;
	if (!strncmp(p, "# ", 2)) {
		p = strchr(p, '\n');
		p = p ? p + 1 : text + len;
	}
	for (;;) {
		char *m = strstr(p, "<!-- hp:");
		if (!m) {
			bput(&b, p, strlen(p));
			break;
		}
		bput(&b, p, (size_t)(m - p));
		char *end = strstr(m, "-->");
		if (!end)
			hp_die("%s: unterminated marker", readme);
		char *inner = m + 8;
		size_t n = (size_t)(end - inner);
		while (n && inner[n - 1] == ' ')
			n--;
		marker(inner, n, r, spec, co, slug, &b);
		p = end + 3;
	}

	snprintf(tmp, sizeof tmp, "%s.tmp", opt.out);
	FILE *f = fopen(tmp, "w");
	if (!f || fwrite(b.s, 1, b.len, f) != b.len || fclose(f) || rename(tmp, opt.out))
		hp_die("cannot write %s: %s", opt.out, strerror(errno));
	free(b.s);
	free(text);
}

static void usage(void)
{
	fputs("usage: hp-report --spec build/<lesson>/lesson.spec --results FILE.json [--out docs/PAGE.md]\n"
	      "                 [--img-dir docs/img] [--charts-dir charts] [--limits results/limits.json]\n"
	      "                 [--profile-dir DIR] [--check all|deterministic] [--claims-key claims]\n"
	      "                 [--label NAME] [--summary FILE.jsonl] [--no-charts] [--quiet]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct hp_spec spec;
	struct results r;
	struct claims_outcome co;
	char profile_dir[600];
	int err, status = 0;

	opt.check = "all";
	opt.claims_key = "claims";
	opt.img_dir = "docs/img";
	opt.charts_dir = "charts";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--no-charts"))
			opt.no_charts = 1;
		else if (!strcmp(a, "--quiet"))
			opt.quiet = 1;
		else if (!val)
			usage();
		else if (!strcmp(a, "--spec"))
			opt.spec_path = argv[++i];
		else if (!strcmp(a, "--results"))
			opt.results_path = argv[++i];
		else if (!strcmp(a, "--out"))
			opt.out = argv[++i];
		else if (!strcmp(a, "--img-dir"))
			opt.img_dir = argv[++i];
		else if (!strcmp(a, "--charts-dir"))
			opt.charts_dir = argv[++i];
		else if (!strcmp(a, "--limits"))
			opt.limits_path = argv[++i];
		else if (!strcmp(a, "--profile-dir"))
			opt.profile_dir = argv[++i];
		else if (!strcmp(a, "--check"))
			opt.check = argv[++i];
		else if (!strcmp(a, "--claims-key"))
			opt.claims_key = argv[++i];
		else if (!strcmp(a, "--label"))
			opt.label = argv[++i];
		else if (!strcmp(a, "--summary"))
			opt.summary = argv[++i];
		else
			usage();
	}
	if (!opt.spec_path || !opt.results_path)
		usage();
	if (strcmp(opt.check, "all") && strcmp(opt.check, "deterministic"))
		usage();
	err = hp_spec_load(&spec, opt.spec_path);
	if (err)
		hp_die("cannot read %s: %s", opt.spec_path, strerror(-err));
	load_results(&r, opt.results_path);
	/* The results list the lesson's variants, then its peers (lesson_peers). */
	{
		char *copy = hp_xstrdup(hp_spec_get(&spec, "peers", "")), *save = NULL;
		int npeers = 0;

		for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
			npeers++;
		free(copy);
		r.last = r.nvariants - 1 - npeers > 0 ? r.nvariants - 1 - npeers : r.nvariants - 1;
		r.steps = !strcmp(hp_spec_get(&spec, "steps", ""), "yes");
	}
	for (int c = 0; c < r.ncases; c++) {
		char key[96];
		snprintf(key, sizeof key, "case_%s_variants", r.cases[c].name);
		const char *list = hp_spec_get(&spec, key, "");
		for (int v = 0; *list && v < r.nvariants; v++) {
			size_t n = strlen(r.variants[v]);
			const char *p = list;
			r.cases[c].skip[v] = 1;
			while ((p = strstr(p, r.variants[v]))) {
				if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
					r.cases[c].skip[v] = 0;
				p += n;
			}
		}
	}
	if (!opt.profile_dir) {
		/* An edition (DB=postgres) has its own profile, beside its own results. */
		const char *edition = hp_spec_get(&spec, "edition", "");
		snprintf(profile_dir, sizeof profile_dir, "results/%s%s%s/profile",
		         hp_spec_get(&spec, "dir", ""), *edition ? "/" : "", edition);
		opt.profile_dir = profile_dir;
	}

	for (int c = 0; c < r.ncases; c++)
		if (!r.cases[c].equivalent) {
			fprintf(stderr, "hp-report: %s, case %s: the variants' outputs differ\n", r.id,
			        r.cases[c].name);
			status = 1;
		}
	if (r.failures) {
		fprintf(stderr, "hp-report: %s: %d failed run(s), shown on the page\n", r.id, r.failures);
		status = 1;
	}

	check_claims(&r, hp_spec_get(&spec, opt.claims_key, ""), &co);
	if (co.failed)
		status = 1;

	if (!opt.quiet) {
		struct buf t = {0};
		tables(&r,
		       *hp_spec_get(&spec, "metrics", "") ? hp_spec_get(&spec, "metrics", "")
		                                          : default_metrics,
		       NULL, &t);
		printf("\n%s\n", t.s);
		free(t.s);
	}
	if (opt.summary)
		write_summary(&r, opt.summary);
	if (opt.out) {
		const char *slug = slug_of(opt.out);
		if (charts(&r, hp_spec_get(&spec, "primary", "time_ms"), slug,
		           hp_spec_get(&spec, "title", r.id)))
			hp_die("gnuplot failed to draw the charts of %s", r.id);
		write_page(&r, &spec, &co, slug);
		if (!opt.quiet)
			fprintf(stderr, "hp-report: wrote %s\n", opt.out);
	}
	fflush(stderr);
	printf("claims: %d of %d hold%s%s\n", co.held, co.checked,
	       co.not_checked ? ", timing claims not checked" : "", co.failed ? " — FAILED" : "");

	free(co.md.s);
	release_results(&r);
	hp_spec_release(&spec);
	return status;
}
