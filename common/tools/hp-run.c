/*
 * hp-run — the runner. It measures the variants of one lesson and writes one
 * results file (JSON) that hp-report turns into a page.
 *
 * For every case of the lesson, in this order:
 *   1. Equivalence: each variant runs once with the compare arguments and
 *      seed 1, under the allocation counter (hp-alloc.so). Their stdout must
 *      be byte-identical, else the lesson fails here, with the first differing
 *      line of each side, and nothing is timed. This run also yields the
 *      deterministic allocation metrics (allocs, alloc_bytes, peak_bytes).
 *   2. Counting: each variant runs once under callgrind at the count size,
 *      which yields the deterministic instruction count of the timed section
 *      (the section toggles callgrind's collection). This machine's kind of
 *      VM exposes no hardware counters, and callgrind's count does not vary
 *      from run to run, so claims and exercise grades can rely on it.
 *   3. Warm-up runs, not recorded.
 *   4. Rounds: in round r every variant runs once, in declared order when r
 *      is even and reversed when r is odd (ABBA...), so slow drift of the
 *      machine (thermal state, a neighbour's load) hits both sides alike.
 *      Timed runs do not load the allocation counter: its 16-byte headers and
 *      atomic counters would tax the allocation-heavy side more.
 *
 * Every run has a timeout. A run that crashes, exits non-zero or times out is
 * recorded with its status and the tail of its stderr, and makes hp-run exit
 * 1 after writing the results: failures are shown, never dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "hp/child.h"
#include "hp/file.h"
#include "hp/http.h"
#include "hp/net.h"
#include "hp/json.h"
#include "hp/machine.h"
#include "hp/spec.h"
#include "hp/time.h"
#include "hp/xalloc.h"

#define MAX_VARIANTS 16
#define MAX_CASES    16
#define MAX_METRICS  32
#define MAX_ARGS     64
#define TAIL_BYTES   2048

struct metric {
	char name[48];
	char unit[16];
	int higher_better;
	double value;
};

struct run {
	int ok;
	char status[96];   /* "ok", "exit 3", "signal 11 (Segmentation fault)", "timeout after 60 s" */
	char *stderr_tail; /* owned; NULL when ok */
	int nmetrics;
	struct metric m[MAX_METRICS];
};

struct options {
	const char *spec_path;
	const char *size;
	const char *out;
	const char *alloc_so;
	const char *seed;
	const char *extra_args; /* appended to every run: tests use it for --size N */
	int rounds, warmup;
	int equivalence_only;
	int no_count;
	int nvariant_overrides;
	char *variant_override[MAX_VARIANTS]; /* "name=path" */
};

#define MAX_ENV 8

struct lesson {
	struct hp_spec spec;
	const char *dir, *id;
	int nvariants, ncases;
	char *variants[MAX_VARIANTS];
	const char *bins[MAX_VARIANTS];
	char *envs[MAX_VARIANTS]; /* lesson_env_<v>: "NAME=value ..." for every run of the variant */
	char *cases[MAX_CASES];
	const char *size_args, *count_args;
	double timeout_s;
	int server;                /* lesson_kind := server: variants are servers, measured under hp-load */
	int is_peer[MAX_VARIANTS]; /* a peer (nginx): started by common/scripts/<name>.sh */
	const char *server_args, *pin, *load_pin, *corpus, *url_path;
	int cur_case;      /* the case being run, for the per-variant server arguments */
	char hp_load[512]; /* the load generator, next to this program */
	int cache_sim;     /* lesson_cache_sim := yes: the counting run simulates the caches */
	int branch_sim;    /* lesson_branch_sim := yes: ... and the branch predictor */
	int seeded;        /* 0 (lesson_seeded := no): the arguments are passed as they are, case first */
	int skip[MAX_VARIANTS]; /* not in this case (lesson_case_<c>_variants) */
	/*
	 * lesson_exact: counts a variant reports itself that do not depend on
	 * timing (chapter 16's commits), taken from the equivalence run into the
	 * deterministic metrics, so that make test checks their claims.
	 */
	char *exact[MAX_METRICS];
	int nexact;
};

struct progress {
	int done, total;
	uint64_t t_start;
	int tty;
};

static struct options opt;
static char tmpdir[] = "/tmp/hp-run.XXXXXX";

/* ---------------------------------------------------------------------------
 * Small helpers
 */

/* The file's contents, or "" when it cannot be read (a variant that wrote nothing). */
static char *read_file(const char *path, size_t *len)
{
	char *text;
	int err = hp_read_file(path, &text, len);

	if (err == -ENOMEM)
		hp_die("out of memory reading %s", path);
	return err ? hp_xstrdup("") : text;
}

/* Split a copy of s on blanks into argv[from...]; returns the new count. */
static int split_args(char *s, char **argv, int from)
{
	for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (from >= MAX_ARGS - 1)
			hp_die("too many arguments in '%s'", s);
		argv[from++] = tok;
	}
	argv[from] = NULL;
	return from;
}

/*
 * A copy of args with every "@tmp@" replaced by this run's private
 * directory: a lesson names there the files its variants write (the ETL's
 * database), so that two hp-runs at once (make test runs two test files at
 * a time) never share them. Free it.
 */
static char *expand_tmp(const char *args)
{
	static const char token[] = "@tmp@";
	size_t n = 0, tl = sizeof token - 1, dl = strlen(tmpdir);

	for (const char *p = args; (p = strstr(p, token)); p += tl)
		n++;
	char *out = hp_xmalloc(strlen(args) + n * dl + 1), *o = out;
	for (const char *p = args, *q;; p = q + tl) {
		q = strstr(p, token);
		size_t len = q ? (size_t)(q - p) : strlen(p);
		memcpy(o, p, len);
		o += len;
		if (!q)
			break;
		memcpy(o, tmpdir, dl);
		o += dl;
	}
	*o = '\0';
	return out;
}

static int split_words(const char *s, char **out, int max, const char *what)
{
	char *copy = hp_xstrdup(s), *save = NULL;
	int n = 0;

	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			hp_die("more than %d %s", max, what);
		out[n++] = hp_xstrdup(tok);
	}
	free(copy);
	return n;
}

static const char *signal_name(int sig)
{
	const char *s = strsignal(sig);
	return s ? s : "unknown signal";
}

/* ---------------------------------------------------------------------------
 * Running one variant
 */

struct exec_result {
	int ok;
	char status[96];
	double wall_ms;
	struct rusage ru;
};

/*
 * Fork and exec argv with stdout and stderr redirected to files and extra
 * environment variables, wait at most timeout_s. The wait uses a pidfd and
 * poll(), so the runner sleeps instead of polling while the variant runs.
 */
static void exec_variant(char **argv, const char *out_path, const char *err_path, char **env,
                         double timeout_s, struct exec_result *r)
{
	uint64_t t0, t1;
	pid_t pid;
	int status = 0, pidfd;

	memset(r, 0, sizeof *r);
	fflush(NULL);
	t0 = hp_now_ns();
	pid = fork();
	if (pid < 0)
		hp_die("fork: %s", strerror(errno));
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int in = open("/dev/null", O_RDONLY);
		if (o < 0 || e < 0 || in < 0)
			_exit(126);
		dup2(in, 0);
		dup2(o, 1);
		dup2(e, 2);
		for (char **kv = env; kv && *kv; kv++)
			putenv(*kv);
		/* A peer (grep, rg) is found on PATH; a variant's path has a slash. */
		execvp(argv[0], argv);
		fprintf(stderr, "hp-run: cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
		int ms = (int)(timeout_s * 1000);
		int n;
		do
			n = poll(&pfd, 1, ms);
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			kill(pid, SIGKILL);
			snprintf(r->status, sizeof r->status, "timeout after %g s", timeout_s);
		}
		close(pidfd);
	}
	if (wait4(pid, &status, 0, &r->ru) < 0)
		hp_die("wait4: %s", strerror(errno));
	t1 = hp_now_ns();
	r->wall_ms = (double)(t1 - t0) / 1e6;
	if (r->status[0])
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		r->ok = 1;
		snprintf(r->status, sizeof r->status, "ok");
	} else if (WIFEXITED(status)) {
		snprintf(r->status, sizeof r->status, "exit %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		snprintf(r->status, sizeof r->status, "signal %d (%s)", WTERMSIG(status),
		         signal_name(WTERMSIG(status)));
	}
}

static void add_metric(struct run *run, const char *name, double v, const char *unit, int higher_better)
{
	for (int i = 0; i < run->nmetrics; i++) {
		if (!strcmp(run->m[i].name, name)) {
			run->m[i].value = v;
			return;
		}
	}
	if (run->nmetrics == MAX_METRICS)
		return;
	struct metric *m = &run->m[run->nmetrics++];
	snprintf(m->name, sizeof m->name, "%s", name);
	snprintf(m->unit, sizeof m->unit, "%s", unit);
	m->higher_better = higher_better;
	m->value = v;
}

static const struct metric *find_metric(const struct run *run, const char *name)
{
	for (int i = 0; i < run->nmetrics; i++)
		if (!strcmp(run->m[i].name, name))
			return &run->m[i];
	return NULL;
}

/* Read the report lines a variant wrote. A malformed line fails the run: the variant broke the protocol. */
static int read_report(const char *path, struct run *run, const char *who)
{
	size_t len, lineno = 0;
	char *text = read_file(path, &len), *line, *next;
	int err = 0;

	for (line = text; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		lineno++;
		if (!*line)
			continue;
		struct hp_json j;
		size_t off;
		char name[48], unit[16], better[16];
		if (hp_json_parse(&j, line, strlen(line), &off) || j.tok[0].type != HP_JSON_OBJECT ||
		    hp_json_str(&j, hp_json_get(&j, 0, "name"), name, sizeof name) <= 0 ||
		    hp_json_get(&j, 0, "value") == HP_JSON_NONE ||
		    j.tok[hp_json_get(&j, 0, "value")].type != HP_JSON_NUMBER) {
			fprintf(stderr, "hp-run: %s: report line %zu is not a metric: %.120s\n", who, lineno,
			        line);
			err = -EINVAL;
			hp_json_release(&j);
			continue;
		}
		if (hp_json_str(&j, hp_json_get(&j, 0, "unit"), unit, sizeof unit) < 0)
			unit[0] = '\0';
		if (hp_json_str(&j, hp_json_get(&j, 0, "better"), better, sizeof better) < 0)
			snprintf(better, sizeof better, "lower");
		add_metric(run, name, hp_json_num(&j, hp_json_get(&j, 0, "value"), 0), unit,
		           !strcmp(better, "higher"));
		hp_json_release(&j);
	}
	free(text);
	return err;
}

static char *tail_of(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);

	if (len > TAIL_BYTES) {
		char *t = hp_xstrdup(text + len - TAIL_BYTES);
		free(text);
		return t;
	}
	return text;
}

/* The count of event name in a callgrind summary, by its column in the events line; 0 when absent. */
static double event_count(const char *events, const double *counts, int ncounts, const char *name)
{
	size_t n = strlen(name);
	int col = 0;

	if (!events)
		return !strcmp(name, "Ir") && ncounts > 0 ? counts[0] : 0;
	const char *p = events + strlen("\nevents:");
	while (*p && *p != '\n') {
		p += strspn(p, " ");
		size_t len = strcspn(p, " \n");
		if (len == n && !strncmp(p, name, n))
			return col < ncounts ? counts[col] : 0;
		p += len;
		col++;
	}
	return 0;
}

/* The numbers of a callgrind summary line, in order. Returns how many. */
static int parse_counts(const char *s, double *out, int max)
{
	int n = 0;
	char *end;

	while (n < max) {
		double v = strtod(s, &end);
		if (end == s)
			break;
		out[n++] = v;
		s = end;
	}
	return n;
}

enum run_mode {
	RUN_TIMED,
	RUN_EQUIVALENCE,
	RUN_COUNT,
};

/* ---------------------------------------------------------------------------
 * Servers (lesson_kind := server)
 *
 * A server variant is started with --port 0, and says "ready port=N" on
 * stderr (hp_server_ready()). The equivalence run replays the lesson's
 * corpus of raw requests (lesson_corpus, a directory of *.http files, one
 * connection each) and writes the responses, normalized to what matters
 * (status, Content-Type, Content-Length, Connection, body), as its output,
 * which check_equivalence() compares as for any variant. A timed run puts
 * hp-load on it with the size's and the case's arguments, then stops it
 * with SIGTERM: a server that does not exit cleanly within 10 s is a failed
 * run. Peers (lesson_peers, e.g. nginx) are started and stopped by
 * common/scripts/<peer>.sh and measured the same way, but take no part in
 * the equivalence check: their error pages are their own.
 */

#define READY_TIMEOUT_S 10
#define STOP_TIMEOUT_S  10

/*
 * Read one response from fd into buf (at most cap bytes), 2 s at most.
 * head_only: the answer to a HEAD request, whose Content-Length describes a
 * body that is not sent. Returns its length, or 0.
 */
static size_t read_response(int fd, char *buf, size_t cap, int head_only)
{
	size_t len = 0;
	uint64_t deadline = hp_now_ns() + 2000000000ull;

	while (len < cap) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left_ms = ((int64_t)deadline - (int64_t)hp_now_ns()) / 1000000;

		if (left_ms <= 0 || poll(&pfd, 1, (int)left_ms) <= 0)
			break;
		ssize_t n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;

		struct hp_http_response res;
		int h = hp_http_parse_response(buf, len, &res);
		if (h > 0 && head_only)
			return (size_t)h;
		if (h > 0 && res.content_length >= 0 && len >= (size_t)h + (size_t)res.content_length)
			return (size_t)h + (size_t)res.content_length;
		if (h == HP_HTTP_BAD || h == HP_HTTP_TOO_LARGE)
			break;
	}
	return len;
}

/* Append the normalized response in buf[0..len) to f. */
static void write_normalized(FILE *f, const char *buf, size_t len)
{
	struct hp_http_response res;
	int h = len ? hp_http_parse_response(buf, len, &res) : HP_HTTP_INCOMPLETE;
	static const char *keep[] = {"Content-Type", "Content-Length", "Connection"};

	if (h <= 0) {
		fprintf(f, len ? "(not an HTTP response: %zu bytes)\n" : "(no response)\n", len);
		return;
	}
	fprintf(f, "status %d\n", res.status);
	for (size_t k = 0; k < sizeof keep / sizeof *keep; k++) {
		const struct hp_http_header *hd = hp_http_header_find(res.headers, res.num_headers, keep[k]);
		if (hd)
			fprintf(f, "%s: %.*s\n", keep[k], (int)hd->value_len, hd->value);
	}
	fprintf(f, "body %zu bytes:\n", len - (size_t)h);
	fwrite(buf + h, 1, len - (size_t)h, f);
	fputs("\n", f);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay the corpus against port; the normalized responses go to out_path. Returns 0 or -1. */
static int replay_corpus(const char *corpus, int port, const char *out_path, char *status, size_t status_len)
{
	DIR *d = opendir(corpus);
	char *names[256];
	int n = 0, rc = 0;
	FILE *f;

	if (!d) {
		snprintf(status, status_len, "corpus %s: %s", corpus, strerror(errno));
		return -1;
	}
	for (struct dirent *e; (e = readdir(d)) && n < 256;) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".http"))
			names[n++] = hp_xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof *names, name_cmp);
	f = fopen(out_path, "w");
	if (!f)
		hp_die("cannot write %s: %s", out_path, strerror(errno));
	for (int i = 0; i < n; i++) {
		char path[1024], *req, resp[65536];
		size_t rlen;
		int fd;

		snprintf(path, sizeof path, "%s/%s", corpus, names[i]);
		if (hp_read_file(path, &req, &rlen)) {
			snprintf(status, status_len, "cannot read %.80s", path);
			rc = -1;
			break;
		}
		fprintf(f, "== %s\n", names[i]);
		fd = hp_connect_tcp("127.0.0.1", port, NULL, 0);
		if (fd < 0) {
			fprintf(f, "(connect: %s)\n", strerror(-fd));
		} else {
			if (hp_write_all(fd, req, rlen))
				fprintf(f, "(the server closed while the request was sent)\n");
			write_normalized(f, resp,
			                 read_response(fd, resp, sizeof resp, !strncmp(req, "HEAD ", 5)));
			close(fd);
		}
		free(req);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	fclose(f);
	if (!rc && !n) {
		snprintf(status, status_len, "corpus %s has no *.http files", corpus);
		rc = -1;
	}
	return rc;
}

/*
 * Add hp-load's report (JSON) to run's metrics. Returns 0; -1 when it is
 * unreadable; -2 when no request completed (a server that stalled or shut
 * every connection: its throughput would read as a measured 0, and its
 * latencies as empty, so the run is a failure).
 */
static int read_load_report(const char *path, struct run *run)
{
	struct hp_json j = {0};
	size_t len;
	char *text = read_file(path, &len);
	int rc = -1;

	if (len && !hp_json_parse(&j, text, len, NULL)) {
		static const char *pct[] = {"p50", "p90", "p99", "p999", "max", "mean"};
		size_t lat = hp_json_get(&j, 0, "latency_us"), errs = hp_json_get(&j, 0, "errors");
		double nerr = 0;

		add_metric(run, "throughput_rps", hp_json_num(&j, hp_json_get(&j, 0, "throughput_rps"), 0),
		           "req/s", 1);
		for (size_t k = 0; k < sizeof pct / sizeof *pct; k++) {
			char name[32];
			snprintf(name, sizeof name, "%s_us", pct[k]);
			add_metric(run, name, hp_json_num(&j, hp_json_get(&j, lat, pct[k]), 0), "us", 0);
		}
		if (errs != HP_JSON_NONE && j.tok[errs].type == HP_JSON_OBJECT)
			for (size_t i = errs + 1; i < j.tok[errs].end; i = j.tok[i + 1].end)
				nerr += hp_json_num(&j, i + 1, 0);
		add_metric(run, "errors", nerr, "requests", 0);
		double requests = hp_json_num(&j, hp_json_get(&j, 0, "requests"), 0);
		add_metric(run, "requests", requests, "requests", 1);
		size_t behind = hp_json_get(&j, 0, "behind");
		if (behind != HP_JSON_NONE)
			add_metric(run, "load_behind", j.tok[behind].type == HP_JSON_TRUE, "", 0);
		rc = requests > 0 ? 0 : -2;
	}
	hp_json_release(&j);
	free(text);
	return rc;
}

/*
 * The admin endpoint's counters (hp/admin.h), read while the server still
 * runs: a server that printed "admin port=N" on stderr is asked for
 * GET /metrics, and every number of the JSON answer becomes a metric
 * admin_<name>. A server without one is fine; an endpoint that does not
 * answer is a failed run.
 */
static int read_admin(const char *err_path, struct run *run)
{
	size_t len;
	char *text = read_file(err_path, &len), *p = strstr(text, "admin port=");
	int port = p ? atoi(p + 11) : 0, fd, rc = -1;
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	char resp[4096];

	free(text);
	if (port <= 0)
		return 0;
	fd = hp_connect_tcp("127.0.0.1", port, NULL, 0);
	if (fd < 0)
		return -1;
	if (!hp_write_all(fd, req, sizeof req - 1)) {
		size_t n = read_response(fd, resp, sizeof resp, 0);
		struct hp_http_response res;
		int h = n ? hp_http_parse_response(resp, n, &res) : -1;
		struct hp_json j = {0};

		if (h > 0 && res.status == 200 && !hp_json_parse(&j, resp + h, n - (size_t)h, NULL) && j.n &&
		    j.tok[0].type == HP_JSON_OBJECT) {
			for (size_t i = 1; i < j.tok[0].end; i = j.tok[i + 1].end) {
				char key[40], name[48];
				if (j.tok[i + 1].type != HP_JSON_NUMBER ||
				    hp_json_str(&j, i, key, sizeof key) < 0)
					continue;
				snprintf(name, sizeof name, "admin_%s", key);
				add_metric(run, name, j.tok[i + 1].num, "", 0);
			}
			rc = 0;
		}
		hp_json_release(&j);
	}
	close(fd);
	return rc;
}

/* Start variant v (a server or a peer); returns its port or -1 with run filled. */
static int server_start(struct lesson *l, int v, const char *args, struct hp_child *c, const char *err,
                        const char *report, struct run *run)
{
	char *argv[MAX_ARGS], *env[MAX_ENV + 2] = {NULL};
	char envrep[600], peerdir[600], out[600];
	char *args_copy = expand_tmp(args), *env_copy = hp_xstrdup(l->envs[v] ? l->envs[v] : "");
	int argc = 0, nenv = 0, port;

	if (l->is_peer[v]) {
		/* common/scripts/<peer>.sh start DIR prints the port and returns once it answers. */
		static char start[] = "start";
		struct hp_child sc;
		char st[96];
		size_t len;

		snprintf(peerdir, sizeof peerdir, "%s/peer-%s", tmpdir, l->variants[v]);
		snprintf(out, sizeof out, "%s/peer.out", tmpdir);
		argv[argc++] = (char *)l->bins[v];
		argv[argc++] = start;
		argv[argc++] = peerdir;
		argv[argc] = NULL;
		if (hp_child_start(&sc, argv, NULL, out, err, l->pin) ||
		    hp_child_wait(&sc, 0, 30, NULL, NULL, st, sizeof st)) {
			snprintf(run->status, sizeof run->status, "peer start failed");
			run->stderr_tail = tail_of(err);
			free(args_copy);
			free(env_copy);
			return -1;
		}
		char *text = read_file(out, &len);
		port = atoi(text);
		free(text);
		free(args_copy);
		free(env_copy);
		c->pid = -1;
		return port > 0 ? port : -1;
	}
	static char portflag[] = "--port", zero[] = "0";
	argv[argc++] = (char *)l->bins[v];
	argv[argc++] = portflag;
	argv[argc++] = zero;
	argc = split_args(args_copy, argv, argc);
	snprintf(envrep, sizeof envrep, "HP_REPORT=%s", report);
	env[nenv++] = envrep;
	for (char *save = NULL, *kv = strtok_r(env_copy, " ", &save); kv && nenv < MAX_ENV;
	     kv = strtok_r(NULL, " ", &save))
		env[nenv++] = kv;
	port = -1;
	if (hp_child_start(c, argv, env, NULL, err, l->pin) == 0) {
		port = hp_child_wait_ready(c, err, READY_TIMEOUT_S);
		if (port <= 0) {
			char st[96];
			hp_child_wait(c, 1, STOP_TIMEOUT_S, NULL, NULL, st, sizeof st);
			snprintf(run->status, sizeof run->status, "%s",
			         port == -ETIMEDOUT ? "not ready in 10 s"
			         : port == 0        ? "ready without port="
			                            : st);
			run->stderr_tail = tail_of(err);
			port = -1;
		}
	} else {
		snprintf(run->status, sizeof run->status, "cannot start");
	}
	free(args_copy);
	free(env_copy);
	return port;
}

/* Stop what server_start() started; adds the server's rusage and report. Returns 0 or -1. */
static int server_stop(struct lesson *l, int v, struct hp_child *c, const char *err, const char *report,
                       struct run *run)
{
	if (l->is_peer[v]) {
		static char stop[] = "stop";
		char peerdir[600], st[96], *argv[4];
		struct hp_child sc;

		snprintf(peerdir, sizeof peerdir, "%s/peer-%s", tmpdir, l->variants[v]);
		argv[0] = (char *)l->bins[v];
		argv[1] = stop;
		argv[2] = peerdir;
		argv[3] = NULL;
		if (hp_child_start(&sc, argv, NULL, NULL, NULL, NULL) ||
		    hp_child_wait(&sc, 0, 30, NULL, NULL, st, sizeof st))
			return -1;
		return 0;
	}
	struct rusage ru;
	char st[96];
	if (hp_child_wait(c, 1, STOP_TIMEOUT_S, &ru, NULL, st, sizeof st)) {
		snprintf(run->status, sizeof run->status, "server: %.80s", st);
		run->stderr_tail = tail_of(err);
		return -1;
	}
	add_metric(run, "server_user_ms",
	           (double)ru.ru_utime.tv_sec * 1e3 + (double)ru.ru_utime.tv_usec / 1e3, "ms", 0);
	add_metric(run, "server_sys_ms", (double)ru.ru_stime.tv_sec * 1e3 + (double)ru.ru_stime.tv_usec / 1e3,
	           "ms", 0);
	add_metric(run, "server_maxrss_kb", (double)ru.ru_maxrss, "KiB", 0);
	add_metric(run, "server_ctx_switches", (double)(ru.ru_nvcsw + ru.ru_nivcsw), "switches", 0);
	if (access(report, R_OK) == 0 && read_report(report, run, l->variants[v])) {
		snprintf(run->status, sizeof run->status, "malformed report line");
		return -1;
	}
	return 0;
}

/*
 * One run of server variant v. args is "SERVER ARGS | LOAD ARGS" (case_args()
 * of a server lesson puts a '|' between them).
 */
static void run_server(struct lesson *l, int v, const char *args, enum run_mode mode, struct run *run,
                       const char *out_keep)
{
	char report[512], err[512], loadjson[512], url[128], key[128];
	char *split = hp_xstrdup(args), *bar = strchr(split, '|');
	const char *largs = bar ? bar + 1 : "";
	struct hp_child c = {.pid = -1};
	int port;

	if (bar)
		*bar = '\0';
	/*
	 * lesson_server_case_<case>_<variant>: arguments only one variant takes
	 * (chapter 19: --workers for the epoll server at 100,000 connections).
	 */
	snprintf(key, sizeof key, "server_case_%s_", l->cases[l->cur_case]);
	const char *own = hp_spec_get2(&l->spec, key, l->variants[v], "");
	size_t slen = strlen(split) + strlen(own) + 2;
	char *sargs = hp_xmalloc(slen);
	snprintf(sargs, slen, "%s %s", split, own);
	memset(run, 0, sizeof *run);
	snprintf(report, sizeof report, "%s/report", tmpdir);
	snprintf(err, sizeof err, "%s/stderr", tmpdir);
	snprintf(loadjson, sizeof loadjson, "%s/load.json", tmpdir);
	unlink(report);
	unlink(loadjson);
	if (mode == RUN_COUNT) {
		snprintf(run->status, sizeof run->status, "not counted (server)");
		free(split);
		free(sargs);
		return;
	}
	port = server_start(l, v, sargs, &c, err, report, run);
	if (port < 0) {
		free(split);
		free(sargs);
		return;
	}
	if (mode == RUN_EQUIVALENCE) {
		run->ok = replay_corpus(l->corpus, port, out_keep, run->status, sizeof run->status) == 0;
	} else {
		char *argv[MAX_ARGS], *largs_copy = hp_xstrdup(largs), st[96];
		static char urlflag[] = "--url", jsonflag[] = "--json";
		struct hp_child lc;
		char lerr[600];
		int argc = 0;

		snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, l->url_path);
		snprintf(lerr, sizeof lerr, "%s/load.err", tmpdir);
		argv[argc++] = l->hp_load;
		argv[argc++] = urlflag;
		argv[argc++] = url;
		argv[argc++] = jsonflag;
		argv[argc++] = loadjson;
		argc = split_args(largs_copy, argv, argc);
		argv[argc] = NULL;
		int started = hp_child_start(&lc, argv, NULL, NULL, lerr, l->load_pin) == 0;
		int ended = started && hp_child_wait(&lc, 0, l->timeout_s, NULL, NULL, st, sizeof st) == 0;

		int report_rc = ended ? read_load_report(loadjson, run) : -1;
		run->ok = ended && report_rc == 0;
		if (!run->ok) {
			snprintf(run->status, sizeof run->status, "hp-load: %.80s",
			         !started          ? "cannot start"
			         : !ended          ? st
			         : report_rc == -2 ? "no request completed"
			                           : "no readable report");
			run->stderr_tail = tail_of(report_rc == -2 ? err : lerr);
		} else if (!l->is_peer[v] && read_admin(err, run)) {
			run->ok = 0;
			snprintf(run->status, sizeof run->status, "the admin endpoint did not answer");
		}
		free(largs_copy);
	}
	if (server_stop(l, v, &c, err, report, run) && run->ok) {
		run->ok = 0;
		if (!run->status[0])
			snprintf(run->status, sizeof run->status, "peer stop failed");
	} else if (run->ok) {
		snprintf(run->status, sizeof run->status, "ok");
	}
	free(split);
	free(sargs);
}

/*
 * One run of variant v with args; fills run. For RUN_EQUIVALENCE the stdout
 * file is kept at out_keep for the comparison.
 */
static void run_variant(struct lesson *l, int v, const char *args, enum run_mode mode, struct run *run,
                        const char *out_keep)
{
	char *argv[MAX_ARGS];
	char *env[MAX_ENV + 3] = {NULL};
	char report[512], out[512], err[512], cgout[512], envrep[600], envpre[1200];
	char *args_copy = expand_tmp(args);
	char *env_copy = hp_xstrdup(l->envs[v] ? l->envs[v] : "");
	char *peer_copy = NULL;
	const char *preload = NULL;
	int nenv = 0;
	struct exec_result r;
	int argc = 0;
	double timeout = l->timeout_s;

	if (l->server) {
		free(args_copy);
		free(env_copy);
		run_server(l, v, args, mode, run, out_keep);
		return;
	}
	memset(run, 0, sizeof *run);
	snprintf(report, sizeof report, "%s/report", tmpdir);
	/*
	 * Timed runs write their output to a file, not /dev/null: GNU grep notices
	 * /dev/null and stops reading each file at its first match, which would
	 * make a peer look faster than the work it is compared on.
	 */
	if (out_keep)
		snprintf(out, sizeof out, "%s", out_keep);
	else
		snprintf(out, sizeof out, "%s/stdout.timed", tmpdir);
	snprintf(err, sizeof err, "%s/stderr", tmpdir);
	snprintf(cgout, sizeof cgout, "%s/callgrind.out", tmpdir);
	unlink(report);
	unlink(cgout);

	if (mode == RUN_COUNT) {
		static char vg[] = "/usr/bin/valgrind", tool[] = "--tool=callgrind",
		            atstart[] = "--collect-atstart=no";
		static char cgopt[600];
		snprintf(cgopt, sizeof cgopt, "--callgrind-out-file=%s", cgout);
		argv[argc++] = vg;
		argv[argc++] = tool;
		argv[argc++] = atstart;
		argv[argc++] = cgopt;
		if (l->cache_sim) {
			static char sim[] = "--cache-sim=yes";
			argv[argc++] = sim;
		}
		if (l->branch_sim) {
			static char bsim[] = "--branch-sim=yes";
			argv[argc++] = bsim;
		}
		timeout *= 20; /* callgrind runs the count size, but about 50 times slower */
	}
	if (l->is_peer[v]) {
		/* A batch peer is a command line (grep -rnIE); the case's arguments follow it. */
		peer_copy = hp_xstrdup(l->bins[v]);
		argc = split_args(peer_copy, argv, argc);
	} else {
		argv[argc++] = (char *)l->bins[v];
	}
	argc = split_args(args_copy, argv, argc);

	snprintf(envrep, sizeof envrep, "HP_REPORT=%s", report);
	env[nenv++] = envrep;
	/*
	 * The variant's own environment (chapter 11 preloads another allocator
	 * with it). Its LD_PRELOAD is kept apart so that the equivalence run can
	 * put the allocation counter in front of it: the counter passes every
	 * call on to glibc's allocator, so the equivalence run counts the
	 * program's calls, while every other run uses the variant's allocator
	 * (make test checks its output under that allocator too).
	 */
	for (char *save = NULL, *kv = strtok_r(env_copy, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
		if (!strncmp(kv, "LD_PRELOAD=", 11))
			preload = kv + 11;
		else if (nenv < MAX_ENV)
			env[nenv++] = kv;
	}
	if (mode == RUN_EQUIVALENCE && opt.alloc_so)
		snprintf(envpre, sizeof envpre, "LD_PRELOAD=%s%s%s", opt.alloc_so, preload ? ":" : "",
		         preload ? preload : "");
	else if (preload)
		snprintf(envpre, sizeof envpre, "LD_PRELOAD=%s", preload);
	if ((mode == RUN_EQUIVALENCE && opt.alloc_so) || preload)
		env[nenv++] = envpre;
	exec_variant(argv, out, err, env, timeout, &r);
	free(args_copy);
	free(env_copy);
	free(peer_copy);

	run->ok = r.ok;
	snprintf(run->status, sizeof run->status, "%s", r.status);
	if (!r.ok) {
		run->stderr_tail = tail_of(err);
		return;
	}
	if (read_report(report, run, l->variants[v])) {
		run->ok = 0;
		snprintf(run->status, sizeof run->status, "malformed report line");
		run->stderr_tail = tail_of(err);
		return;
	}
	if (mode == RUN_TIMED) {
		add_metric(run, "wall_ms", r.wall_ms, "ms", 0);
		add_metric(run, "user_ms",
		           (double)r.ru.ru_utime.tv_sec * 1e3 + (double)r.ru.ru_utime.tv_usec / 1e3, "ms", 0);
		add_metric(run, "sys_ms",
		           (double)r.ru.ru_stime.tv_sec * 1e3 + (double)r.ru.ru_stime.tv_usec / 1e3, "ms", 0);
		add_metric(run, "maxrss_kb", (double)r.ru.ru_maxrss, "KiB", 0);
		add_metric(run, "ctx_switches", (double)(r.ru.ru_nvcsw + r.ru.ru_nivcsw), "switches", 0);
	}
	if (mode == RUN_COUNT) {
		size_t len;
		char *text = read_file(cgout, &len);
		char *line = strstr(text, "\nsummary:");
		if (!line)
			line = strstr(text, "\ntotals:");
		if (line) {
			double counts[16] = {0};
			const char *events = strstr(text, "\nevents:");
			int ncounts = parse_counts(strchr(line, ':') + 1, counts, 16);
			const struct metric *ops = find_metric(run, "ops");
			double per = ops && ops->value > 0 ? ops->value : 0;
			/*
			 * The events line names the columns: Ir always; with --cache-sim=yes
			 * D1mr D1mw DLmr DLmw (a simulated L1 and last-level cache), with
			 * --branch-sim=yes Bc Bcm Bi Bim (a simulated predictor). Both are
			 * deterministic where the hardware counters are absent.
			 */
			double ir = event_count(events, counts, ncounts, "Ir");
			add_metric(run, "instructions", ir, "instr", 0);
			if (per)
				add_metric(run, "instructions_per_op", ir / per, "instr", 0);
			if (l->cache_sim) {
				double d1 = event_count(events, counts, ncounts, "D1mr") +
				            event_count(events, counts, ncounts, "D1mw");
				double ll = event_count(events, counts, ncounts, "DLmr") +
				            event_count(events, counts, ncounts, "DLmw");
				add_metric(run, "d1_misses", d1, "misses", 0);
				add_metric(run, "ll_misses", ll, "misses", 0);
				if (per) {
					add_metric(run, "d1_misses_per_op", d1 / per, "misses", 0);
					add_metric(run, "ll_misses_per_op", ll / per, "misses", 0);
				}
			}
			if (l->branch_sim) {
				double bm = event_count(events, counts, ncounts, "Bcm") +
				            event_count(events, counts, ncounts, "Bim");
				add_metric(run, "branch_misses", bm, "misses", 0);
				if (per)
					add_metric(run, "branch_misses_per_op", bm / per, "misses", 0);
			}
		} else {
			run->ok = 0;
			snprintf(run->status, sizeof run->status,
			         "no callgrind totals (is valgrind installed?)");
			run->stderr_tail = tail_of(err);
		}
		free(text);
	}
}

/* ---------------------------------------------------------------------------
 * Equivalence
 */

/* Print the first line where a and b differ, both sides, and its line number. */
static void show_difference(const char *name_a, const char *a, const char *name_b, const char *b)
{
	int lineno = 1;
	const char *la = a, *lb = b;

	while (*la && *lb) {
		size_t na = strcspn(la, "\n"), nb = strcspn(lb, "\n");
		if (na != nb || memcmp(la, lb, na))
			break;
		la += na + (la[na] == '\n');
		lb += nb + (lb[nb] == '\n');
		lineno++;
	}
	fprintf(stderr, "  first difference at stdout line %d:\n", lineno);
	fprintf(stderr, "    %-10s %.*s\n", name_a, (int)strcspn(la, "\n"), *la ? la : "(end of output)");
	fprintf(stderr, "    %-10s %.*s\n", name_b, (int)strcspn(lb, "\n"), *lb ? lb : "(end of output)");
}

/*
 * Check that every variant of the case prints the same stdout as the first
 * one that runs it. Returns 1 when they are equivalent. runs[v] receives
 * each variant's run.
 */
static int check_equivalence(struct lesson *l, const char *args, const char *case_name, struct run *runs,
                             char **digest)
{
	char *outs[MAX_VARIANTS];
	size_t lens[MAX_VARIANTS];
	int equivalent = 1, ref = -1;

	*digest = NULL;
	for (int v = 0; v < l->nvariants; v++) {
		char path[512];
		if (l->is_peer[v] || l->skip[v]) {
			/* A peer's output is its own: it is measured, not compared. */
			memset(&runs[v], 0, sizeof runs[v]);
			runs[v].ok = 1;
			outs[v] = hp_xstrdup("");
			lens[v] = 0;
			continue;
		}
		if (ref < 0)
			ref = v;
		snprintf(path, sizeof path, "%s/stdout.%d", tmpdir, v);
		run_variant(l, v, args, RUN_EQUIVALENCE, &runs[v], path);
		outs[v] = read_file(path, &lens[v]);
		if (!runs[v].ok) {
			fprintf(stderr, "hp-run: %s: %s failed (%s) with: %s\n%s", l->id, l->variants[v],
			        runs[v].status, args, runs[v].stderr_tail ? runs[v].stderr_tail : "");
			equivalent = 0;
		}
	}
	for (int v = ref + 1; ref >= 0 && v < l->nvariants && equivalent; v++) {
		if (l->is_peer[v] || l->skip[v])
			continue;
		if (lens[v] != lens[ref] || memcmp(outs[v], outs[ref], lens[ref])) {
			fprintf(stderr, "hp-run: %s, case %s: %s and %s print different output for: %s\n",
			        l->id, case_name, l->variants[ref], l->variants[v], args);
			show_difference(l->variants[ref], outs[ref], l->variants[v], outs[v]);
			equivalent = 0;
		}
	}
	if (equivalent && ref >= 0)
		*digest = hp_xstrdup(outs[ref]);
	for (int v = 0; v < l->nvariants; v++)
		free(outs[v]);
	return equivalent;
}

/* ---------------------------------------------------------------------------
 * Output
 */

static void write_metrics(FILE *f, const struct run *run)
{
	fputs("{", f);
	for (int i = 0; i < run->nmetrics; i++) {
		const struct metric *m = &run->m[i];
		fprintf(f, "%s\"%s\":{\"value\":%.17g,\"unit\":", i ? "," : "", m->name, m->value);
		hp_json_write_str(f, m->unit);
		fprintf(f, ",\"better\":\"%s\"}", m->higher_better ? "higher" : "lower");
	}
	fputs("}", f);
}

static void write_run(FILE *f, const char *variant, int round, const struct run *run)
{
	fputs("{\"variant\":", f);
	hp_json_write_str(f, variant);
	fprintf(f, ",\"round\":%d,\"ok\":%s,\"status\":", round, run->ok ? "true" : "false");
	hp_json_write_str(f, run->status);
	if (run->stderr_tail) {
		fputs(",\"stderr\":", f);
		hp_json_write_str(f, run->stderr_tail);
	}
	fputs(",\"metrics\":", f);
	write_metrics(f, run);
	fputs("}", f);
}

static void release_run(struct run *run)
{
	free(run->stderr_tail);
	run->stderr_tail = NULL;
}

/* ---------------------------------------------------------------------------
 * Progress
 */

static void progress_step(struct progress *p, const char *id, const char *what)
{
	double elapsed = (double)(hp_now_ns() - p->t_start) / 1e9;
	double eta = p->done ? elapsed / p->done * (p->total - p->done) : 0;

	p->done++;
	if (p->tty)
		fprintf(stderr, "\r\033[K  %-10s run %d/%d  %-40.40s ETA %3.0f s", id, p->done, p->total,
		        what, eta);
}

static void progress_note(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	if (p->tty)
		fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---------------------------------------------------------------------------
 * Main
 */

static void usage(void)
{
	fputs("usage: hp-run --spec build/<lesson>/lesson.spec [--size small|default|large] [--rounds N]\n"
	      "              [--warmup N] [--out FILE] [--alloc hp-alloc.so] [--seed S] [--args 'EXTRA']\n"
	      "              [--variant NAME=BINARY] [--equivalence-only] [--no-count]\n",
	      stderr);
	exit(2);
}

static void parse_options(int argc, char **argv)
{
	opt.size = "default";
	opt.seed = "1";
	opt.rounds = -1;
	opt.warmup = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE(field)                                                                                          \
	do {                                                                                                 \
		if (!val)                                                                                    \
			usage();                                                                             \
		field = val;                                                                                 \
		i++;                                                                                         \
	} while (0)
		if (!strcmp(a, "--spec"))
			TAKE(opt.spec_path);
		else if (!strcmp(a, "--size"))
			TAKE(opt.size);
		else if (!strcmp(a, "--out"))
			TAKE(opt.out);
		else if (!strcmp(a, "--alloc"))
			TAKE(opt.alloc_so);
		else if (!strcmp(a, "--seed"))
			TAKE(opt.seed);
		else if (!strcmp(a, "--args"))
			TAKE(opt.extra_args);
		else if (!strcmp(a, "--rounds") && val)
			opt.rounds = atoi(argv[++i]);
		else if (!strcmp(a, "--warmup") && val)
			opt.warmup = atoi(argv[++i]);
		else if (!strcmp(a, "--variant") && val && strchr(val, '=') &&
		         opt.nvariant_overrides < MAX_VARIANTS)
			opt.variant_override[opt.nvariant_overrides++] = argv[++i];
		else if (!strcmp(a, "--equivalence-only"))
			opt.equivalence_only = 1;
		else if (!strcmp(a, "--no-count"))
			opt.no_count = 1;
		else
			usage();
#undef TAKE
	}
	if (!opt.spec_path)
		usage();
	if (strcmp(opt.size, "small") && strcmp(opt.size, "default") && strcmp(opt.size, "large"))
		hp_die("--size must be small, default or large, not '%s'", opt.size);
}

static void load_lesson(struct lesson *l)
{
	char key[64];
	int err = hp_spec_load(&l->spec, opt.spec_path);

	if (err)
		hp_die("cannot read the lesson spec %s: %s (run make first)", opt.spec_path, strerror(-err));
	l->dir = hp_spec_get(&l->spec, "dir", "?");
	l->id = hp_spec_get(&l->spec, "id", l->dir);
	l->nvariants = split_words(hp_spec_get(&l->spec, "variants", "naive optimized"), l->variants,
	                           MAX_VARIANTS, "variants");
	/* A size may have cases of its own (lesson_cases_large: chapter 19's 100,000 connections). */
	snprintf(key, sizeof key, "cases_%s", opt.size);
	const char *cases = hp_spec_get(&l->spec, key, "");
	l->ncases = split_words(*cases ? cases : hp_spec_get(&l->spec, "cases", "main"), l->cases, MAX_CASES,
	                        "cases");
	if (l->nvariants < 2)
		hp_die("%s: a lesson needs at least two variants", l->dir);
	for (int v = 0; v < l->nvariants; v++) {
		l->bins[v] = hp_spec_get2(&l->spec, "bin_", l->variants[v], NULL);
		l->envs[v] = (char *)hp_spec_get2(&l->spec, "env_", l->variants[v], NULL);
		for (int k = 0; k < opt.nvariant_overrides; k++) {
			size_t n = strcspn(opt.variant_override[k], "=");
			if (strlen(l->variants[v]) == n &&
			    !strncmp(opt.variant_override[k], l->variants[v], n))
				l->bins[v] = opt.variant_override[k] + n + 1;
		}
		if (!l->bins[v] || access(l->bins[v], X_OK))
			hp_die("%s: variant %s: no executable at %s (run make first)", l->dir, l->variants[v],
			       l->bins[v] ? l->bins[v] : "(none)");
	}
	l->server = !strcmp(hp_spec_get(&l->spec, "kind", "batch"), "server");
	l->seeded = strcmp(hp_spec_get(&l->spec, "seeded", "yes"), "no") != 0;
	l->nexact = split_words(hp_spec_get(&l->spec, "exact", ""), l->exact, MAX_METRICS, "exact metrics");
	/*
	 * Peers are measured like variants but never compared (their output is
	 * their own). A server peer (nginx) is started and stopped by
	 * common/scripts/<name>.sh; a batch peer (grep, rg) is the command line
	 * of lesson_peer_<name>, run with the case's arguments after it.
	 */
	char *peers[MAX_VARIANTS];
	int np = split_words(hp_spec_get(&l->spec, "peers", ""), peers, MAX_VARIANTS - l->nvariants, "peers");
	for (int i = 0; i < np; i++) {
		char path[256];
		int v = l->nvariants++;
		const char *cmd = hp_spec_get2(&l->spec, "peer_", peers[i], "");

		if (l->server) {
			snprintf(path, sizeof path, "common/scripts/%s.sh", peers[i]);
			cmd = path;
			if (access(path, X_OK))
				hp_die("%s: peer %s: no script %s", l->dir, peers[i], path);
		} else if (!*cmd) {
			hp_die("%s: peer %s has no command (lesson_peer_%s)", l->dir, peers[i], peers[i]);
		}
		l->variants[v] = peers[i];
		l->bins[v] = hp_xstrdup(cmd);
		l->is_peer[v] = 1;
	}
	if (l->server) {
		ssize_t n = readlink("/proc/self/exe", l->hp_load, sizeof l->hp_load - 16);

		if (n < 0)
			hp_die("readlink /proc/self/exe: %s", strerror(errno));
		l->hp_load[n] = '\0';
		strcpy(strrchr(l->hp_load, '/') + 1, "hp-load");
		if (access(l->hp_load, X_OK))
			hp_die("%s: the load generator is missing (make tools)", l->hp_load);
		l->server_args = hp_spec_get(&l->spec, "server_args", "");
		l->pin = hp_spec_get(&l->spec, "pin", "");
		/* The load generator's CPUs: the server's unless the lesson says otherwise. */
		l->load_pin = hp_spec_get(&l->spec, "load_pin", "");
		if (!*l->load_pin)
			l->load_pin = l->pin;
		l->corpus = hp_spec_get(&l->spec, "corpus", "");
		l->url_path = hp_spec_get(&l->spec, "url_path", "");
		if (!*l->corpus)
			l->corpus = "tests/net/corpus";
		if (!*l->url_path)
			l->url_path = "/";
		opt.no_count = 1; /* instructions of a server under load are not a deterministic count */
	}
	snprintf(key, sizeof key, "args_%s", opt.size);
	l->size_args = hp_spec_get(&l->spec, key, "");
	if (!*l->size_args && !strcmp(opt.size, "large"))
		l->size_args = hp_spec_get(&l->spec, "args_default", "");
	l->count_args = hp_spec_get(&l->spec, "args_count", "");
	l->cache_sim = !strcmp(hp_spec_get(&l->spec, "cache_sim", ""), "yes");
	l->branch_sim = !strcmp(hp_spec_get(&l->spec, "branch_sim", ""), "yes");
	l->timeout_s = atof(hp_spec_get(&l->spec, "timeout", "60"));
	if (l->timeout_s <= 0)
		l->timeout_s = 60;
	if (opt.rounds < 0)
		opt.rounds = atoi(hp_spec_get(&l->spec, "rounds", "10"));
	if (opt.warmup < 0)
		opt.warmup = atoi(hp_spec_get(&l->spec, "warmup", "1"));
}

static char *case_args(struct lesson *l, const char *base, int c)
{
	if (l->server) {
		/* "SERVER ARGS | LOAD ARGS": run_server() splits them. */
		const char *sc = hp_spec_get2(&l->spec, "server_case_", l->cases[c], "");
		const char *cargs = hp_spec_get2(&l->spec, "case_", l->cases[c], "");
		const char *extra = opt.extra_args ? opt.extra_args : "";
		size_t n = strlen(l->server_args) + strlen(sc) + strlen(opt.seed) + strlen(base) +
		           strlen(cargs) + strlen(extra) + 32;
		char *s = hp_xmalloc(n);

		snprintf(s, n, "%s%s%s --seed %s | %s%s%s%s%s", l->server_args, *sc ? " " : "", sc, opt.seed,
		         base, *cargs ? " " : "", cargs, *extra ? " " : "", extra);
		return s;
	}
	const char *cargs = hp_spec_get2(&l->spec, "case_", l->cases[c], "");
	const char *extra = opt.extra_args ? opt.extra_args : "";
	size_t n = strlen(base) + strlen(cargs) + strlen(extra) + strlen(opt.seed) + 16;
	char *s = hp_xmalloc(n);

	/*
	 * The extra arguments come last so that they win (tests pass --size N).
	 * A tool with a command line of its own (lesson_seeded := no: the file
	 * search's PATTERN DIR) gets the case's arguments first and no seed.
	 */
	if (l->seeded)
		snprintf(s, n, "%s %s --seed %s %s", base, cargs, opt.seed, extra);
	else
		snprintf(s, n, "%s %s %s", cargs, base, extra);
	/* One blank between words, none at the ends: the string is shown on the page. */
	char *w = s;
	for (const char *r = s; *r; r++)
		if (*r != ' ' || (w > s && w[-1] != ' '))
			*w++ = *r;
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
	return s;
}

/* ---------------------------------------------------------------------------
 * Set-up and services
 */

/*
 * lesson_setup_<size>: a command run once before the cases (the file
 * search's tree generator, which returns at once when its tree exists);
 * the small size's too when the counting run will use its input.
 * Split on blanks, no shell. A failure ends the run: nothing can be measured.
 */
static void run_setup(struct lesson *l, const char *size)
{
	char key[64], out[600], err[600];
	char *argv[MAX_ARGS];
	struct exec_result r;

	snprintf(key, sizeof key, "setup_%s", size);
	const char *cmd = hp_spec_get(&l->spec, key, "");
	if (!*cmd)
		return;
	char *copy = hp_xstrdup(cmd);
	split_args(copy, argv, 0);
	snprintf(out, sizeof out, "%s/setup.out", tmpdir);
	snprintf(err, sizeof err, "%s/setup.err", tmpdir);
	fprintf(stderr, "hp-run: %s: set-up: %s\n", l->id, cmd);
	exec_variant(argv, out, err, NULL, 900, &r);
	if (!r.ok) {
		char *tail = tail_of(err);
		hp_die("%s: set-up failed (%s): %s\n%s", l->id, r.status, cmd, tail);
	}
	free(copy);
}

static char service_cmd[512], service_dir[512];

static void stop_service(void)
{
	char *argv[] = {service_cmd, "stop", service_dir, NULL};
	char out[600], err[600];
	struct exec_result r;

	snprintf(out, sizeof out, "%s/service-stop.out", tmpdir);
	snprintf(err, sizeof err, "%s/service-stop.err", tmpdir);
	exec_variant(argv, out, err, NULL, 60, &r);
	if (!r.ok)
		fprintf(stderr, "hp-run: %s stop %s failed (%s)\n", service_cmd, service_dir, r.status);
}

/*
 * lesson_service := NAME (chapter 16 with DB=postgres): before the first run,
 * common/scripts/NAME.sh start DIR starts the service and prints NAME=value
 * lines (PGHOST=127.0.0.1, PGPORT=...), which every run inherits; the
 * service is stopped when hp-run exits, whatever the outcome. DIR is in
 * hp-run's private directory, so each hp-run has a service of its own.
 */
static void start_service(struct lesson *l)
{
	const char *name = hp_spec_get(&l->spec, "service", "");
	char out[600], err[600];
	struct exec_result r;

	if (!*name)
		return;
	/* A name with a slash is the script's path (the harness test's fixture). */
	if (strchr(name, '/'))
		snprintf(service_cmd, sizeof service_cmd, "%s", name);
	else
		snprintf(service_cmd, sizeof service_cmd, "common/scripts/%s.sh", name);
	/* In hp-run's own directory: two hp-runs at once (make test) each get their own service. */
	snprintf(service_dir, sizeof service_dir, "%s/service-%s", tmpdir,
	         strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
	if (access(service_cmd, X_OK))
		hp_die("%s: service %s: no script %s", l->id, name, service_cmd);
	char *argv[] = {service_cmd, "start", service_dir, NULL};
	snprintf(out, sizeof out, "%s/service.out", tmpdir);
	snprintf(err, sizeof err, "%s/service.err", tmpdir);
	fprintf(stderr, "hp-run: %s: starting %s in %s\n", l->id, name, service_dir);
	exec_variant(argv, out, err, NULL, 120, &r);
	if (!r.ok) {
		char *tail = tail_of(err);
		hp_die("%s: %s start failed (%s):\n%s", l->id, service_cmd, r.status, tail);
	}
	atexit(stop_service);

	size_t len;
	char *text = read_file(out, &len), *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (!eq || eq == line)
			continue;
		*eq = '\0';
		if (setenv(line, eq + 1, 1))
			hp_die("setenv %s: %s", line, strerror(errno));
	}
	free(text);
}

/*
 * lesson_case_<c>_variants: the variants (and peers) that run case c, when
 * not all of them can (the ETL's naive loader commits every row and would
 * take twenty minutes over the full file; it runs the prefix case only).
 */
static void select_variants(struct lesson *l, int c)
{
	char key[96];
	char *names[MAX_VARIANTS];

	snprintf(key, sizeof key, "case_%s_variants", l->cases[c]);
	const char *list = hp_spec_get(&l->spec, key, "");
	int n = split_words(list, names, MAX_VARIANTS, "variants of a case");
	for (int v = 0; v < l->nvariants; v++) {
		l->skip[v] = n > 0;
		for (int k = 0; k < n; k++)
			if (!strcmp(names[k], l->variants[v]))
				l->skip[v] = 0;
	}
	for (int k = 0; k < n; k++) {
		int found = 0;
		for (int v = 0; v < l->nvariants; v++)
			found |= !strcmp(names[k], l->variants[v]);
		if (!found)
			hp_die("%s: %s names '%s', which is neither a variant nor a peer", l->id, key,
			       names[k]);
		free(names[k]);
	}
}

static void cleanup_tmpdir(void)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "hp-run: could not remove %s\n", tmpdir);
}

int main(int argc, char **argv)
{
	struct lesson l;
	struct hp_machine machine;
	struct progress prog = {0};
	FILE *out = NULL;
	int failures = 0;

	parse_options(argc, argv);
	memset(&l, 0, sizeof l);
	load_lesson(&l);
	if (!mkdtemp(tmpdir))
		hp_die("mkdtemp: %s", strerror(errno));
	atexit(cleanup_tmpdir);
	start_service(&l);
	run_setup(&l, opt.size);
	/* The counting run uses the small size's arguments unless the lesson gives its own. */
	if (!opt.no_count && !opt.equivalence_only && strcmp(opt.size, "small"))
		run_setup(&l, "small");
	if (opt.alloc_so && access(opt.alloc_so, R_OK))
		hp_die("allocation counter %s not found (make build/common/hp-alloc.so)", opt.alloc_so);

	hp_machine_collect(&machine, hp_spec_get(&l.spec, "cflags", ""));
	if (opt.out) {
		out = fopen(opt.out, "w");
		if (!out)
			hp_die("cannot write %s: %s", opt.out, strerror(errno));
	}

	prog.tty = isatty(2);
	prog.t_start = hp_now_ns();
	prog.total = l.ncases * l.nvariants *
	             (1 + (opt.equivalence_only ? 0 : (opt.no_count ? 0 : 1) + opt.warmup + opt.rounds));
	progress_note(&prog, "hp-run: %s, size %s (%s), %d rounds, %d cases x %d variants", l.id, opt.size,
	              l.size_args, opt.equivalence_only ? 0 : opt.rounds, l.ncases, l.nvariants);

	if (out) {
		fputs("{\"lesson\":", out);
		hp_json_write_str(out, l.dir);
		fputs(",\"id\":", out);
		hp_json_write_str(out, l.id);
		fputs(",\"size\":", out);
		hp_json_write_str(out, opt.size);
		fprintf(out, ",\"rounds\":%d,\"warmup\":%d,\"order\":\"alternating (ABBA)\",\"machine\":",
		        opt.rounds, opt.warmup);
		hp_machine_write_json(&machine, out);
		fputs(",\"variants\":[", out);
		for (int v = 0; v < l.nvariants; v++) {
			fputs(v ? "," : "", out);
			hp_json_write_str(out, l.variants[v]);
		}
		/* How each variant differs besides its sources: build flags, PGO training, environment. */
		fputs("],\"variant_setup\":{", out);
		for (int v = 0, first = 1; v < l.nvariants; v++) {
			static const char *keys[] = {"build_", "pgo_", "env_"};
			const char *val[3];
			int any = 0;

			for (int k = 0; k < 3; k++) {
				val[k] = hp_spec_get2(&l.spec, keys[k], l.variants[v], "");
				any |= val[k][0] != 0;
			}
			if (!any)
				continue;
			fputs(first ? "" : ",", out);
			first = 0;
			hp_json_write_str(out, l.variants[v]);
			fputc(':', out);
			for (int k = 0; k < 3; k++) {
				fputs(k ? ",\"" : "{\"", out);
				fwrite(keys[k], 1, strlen(keys[k]) - 1, out);
				fputs("\":", out);
				hp_json_write_str(out, val[k]);
			}
			fputc('}', out);
		}
		fputs("},\"cases\":[", out);
	}

	for (int c = 0; c < l.ncases; c++) {
		l.cur_case = c;
		select_variants(&l, c);
		char *args = case_args(&l, l.size_args, c);
		struct run eq[MAX_VARIANTS], cnt[MAX_VARIANTS];
		char *digest;
		int equivalent, counted = 0;

		for (int v = 0; v < l.nvariants; v++)
			progress_step(&prog, l.id, "equivalence");
		equivalent = check_equivalence(&l, args, l.cases[c], eq, &digest);
		if (!equivalent)
			failures++;
		if (equivalent && !opt.equivalence_only && !opt.no_count) {
			char *cargs = case_args(&l, l.count_args, c);
			counted = 1;
			for (int v = 0; v < l.nvariants; v++) {
				progress_step(&prog, l.id, "counting instructions (callgrind)");
				if (l.is_peer[v] || l.skip[v]) {
					/* A peer's instructions are not its timed section's: not counted. */
					memset(&cnt[v], 0, sizeof cnt[v]);
					cnt[v].ok = 1;
					continue;
				}
				run_variant(&l, v, cargs, RUN_COUNT, &cnt[v], NULL);
				if (!cnt[v].ok) {
					progress_note(&prog, "hp-run: %s: %s: callgrind run failed (%s)\n%s",
					              l.id, l.variants[v], cnt[v].status,
					              cnt[v].stderr_tail ? cnt[v].stderr_tail : "");
					failures++;
				}
			}
			free(cargs);
		}

		if (out) {
			fputs(c ? "," : "", out);
			fputs("{\"name\":", out);
			hp_json_write_str(out, l.cases[c]);
			fputs(",\"args\":", out);
			hp_json_write_str(out, args);
			fprintf(out, ",\"equivalent\":%s", equivalent ? "true" : "false");
			if (digest) {
				fputs(",\"output\":", out);
				hp_json_write_str(out, digest);
			}
			fputs(",\"deterministic\":{", out);
			for (int v = 0; v < l.nvariants; v++) {
				/* One object per variant: the allocation metrics and the instruction count.
				 */
				struct run merged = {0};
				static const char *from_eq[] = {"allocs", "alloc_bytes", "peak_bytes"};
				for (size_t k = 0; k < sizeof from_eq / sizeof *from_eq; k++) {
					const struct metric *m = find_metric(&eq[v], from_eq[k]);
					if (m)
						add_metric(&merged, m->name, m->value, m->unit,
						           m->higher_better);
				}
				/* lesson_exact: the variant's own exact counts, from this run like the
				 * allocations. */
				for (int k = 0; k < l.nexact; k++) {
					const struct metric *m = find_metric(&eq[v], l.exact[k]);
					if (m)
						add_metric(&merged, m->name, m->value, m->unit,
						           m->higher_better);
				}
				const struct metric *allocs = find_metric(&eq[v], "allocs");
				const struct metric *ops = find_metric(&eq[v], "ops");
				if (allocs && ops && ops->value > 0)
					add_metric(&merged, "allocs_per_op", allocs->value / ops->value,
					           "calls", 0);
				if (counted) {
					const struct metric *m = find_metric(&cnt[v], "instructions");
					if (m)
						add_metric(&merged, m->name, m->value, m->unit, 0);
					static const char *from_cnt[] = {
					    "instructions_per_op", "d1_misses",        "ll_misses",
					    "d1_misses_per_op",    "ll_misses_per_op", "branch_misses",
					    "branch_misses_per_op"};
					for (size_t k = 0; k < sizeof from_cnt / sizeof *from_cnt; k++) {
						m = find_metric(&cnt[v], from_cnt[k]);
						if (m)
							add_metric(&merged, m->name, m->value, m->unit, 0);
					}
				}
				fputs(v ? "," : "", out);
				hp_json_write_str(out, l.variants[v]);
				fputc(':', out);
				write_metrics(out, &merged);
			}
			fputs("}", out);
			if (counted) {
				char *cargs = case_args(&l, l.count_args, c);
				fputs(",\"count_args\":", out);
				hp_json_write_str(out, cargs);
				free(cargs);
			}
			fputs(",\"failures\":[", out);
			int nf = 0;
			for (int v = 0; v < l.nvariants; v++) {
				if (!eq[v].ok) {
					fputs(nf++ ? "," : "", out);
					write_run(out, l.variants[v], -1, &eq[v]);
				}
				if (counted && !cnt[v].ok) {
					fputs(nf++ ? "," : "", out);
					write_run(out, l.variants[v], -2, &cnt[v]);
				}
			}
			fputs("],\"runs\":[", out);
		}
		for (int v = 0; v < l.nvariants; v++) {
			release_run(&eq[v]);
			if (counted)
				release_run(&cnt[v]);
		}

		if (equivalent && !opt.equivalence_only) {
			int first = 1;
			for (int w = 0; w < opt.warmup; w++) {
				for (int v = 0; v < l.nvariants; v++) {
					struct run r;
					progress_step(&prog, l.id, "warm-up");
					if (l.skip[v])
						continue;
					run_variant(&l, v, args, RUN_TIMED, &r, NULL);
					release_run(&r);
				}
			}
			for (int round = 0; round < opt.rounds; round++) {
				for (int k = 0; k < l.nvariants; k++) {
					int v = round % 2 ? l.nvariants - 1 - k : k;
					struct run r;
					char what[96];
					snprintf(what, sizeof what, "%s round %d/%d %s", l.cases[c],
					         round + 1, opt.rounds, l.variants[v]);
					progress_step(&prog, l.id, what);
					if (l.skip[v])
						continue;
					run_variant(&l, v, args, RUN_TIMED, &r, NULL);
					if (!r.ok) {
						failures++;
						progress_note(&prog,
						              "hp-run: %s: %s round %d failed (%s)\n%s", l.id,
						              l.variants[v], round + 1, r.status,
						              r.stderr_tail ? r.stderr_tail : "");
					}
					if (out) {
						fputs(first ? "" : ",", out);
						write_run(out, l.variants[v], round, &r);
						first = 0;
					}
					release_run(&r);
				}
			}
		}
		if (out)
			fputs("]}", out);
		free(digest);
		free(args);
	}

	if (out) {
		fprintf(out, "],\"failures\":%d}\n", failures);
		if (fclose(out))
			hp_die("cannot write %s: %s", opt.out, strerror(errno));
	}
	progress_note(&prog, "hp-run: %s: %s in %.1f s%s%s", l.id, failures ? "FAILED" : "done",
	              (double)(hp_now_ns() - prog.t_start) / 1e9, opt.out ? ", results in " : "",
	              opt.out ? opt.out : "");
	for (int v = 0; v < l.nvariants; v++) {
		free(l.variants[v]);
		if (l.is_peer[v])
			free((char *)l.bins[v]);
	}
	for (int c = 0; c < l.ncases; c++)
		free(l.cases[c]);
	for (int k = 0; k < l.nexact; k++)
		free(l.exact[k]);
	hp_spec_release(&l.spec);
	return failures ? 1 : 0;
}
