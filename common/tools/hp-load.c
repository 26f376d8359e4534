/*
 * hp-load: the HTTP/1.1 load generator of the network lessons.
 *
 * Two ways to load a server, and they answer different questions:
 *
 *   closed loop  (--connections C)  C connections, each sending its next
 *                request when the previous response arrives. It measures
 *                how much the server can do (throughput) at concurrency C,
 *                as wrk does. Its latencies flatter a server that stalls:
 *                while a response is late the connection sends nothing, so
 *                the requests that would have waited are never made.
 *   open loop    (--rate R)  requests are due at fixed times, R per second,
 *                whether or not the server keeps up, as real users arrive.
 *                Each latency is measured from the request's *intended*
 *                send time, so a request that had to wait for a busy
 *                connection, or for a stalled server, counts its waiting:
 *                no coordinated omission (Gil Tene's term; wrk2 does this).
 *                The due requests are dealt round-robin over the --connections
 *                pool: request k goes to connection k mod C and is sent as
 *                soon as that connection is free, never earlier.
 *
 * How it works: one epoll loop per thread (--threads), level-triggered, over
 * that thread's share of the connections. A connection is a small state
 * machine (closed, connecting, idle, busy, backing off) with one fixed read
 * buffer; the request text is built once and every connection writes it
 * from the same read-only buffer, so nothing is allocated per request. Time
 * is CLOCK_MONOTONIC (hp_now_ns()). There are no per-request timers: a
 * thread sleeps until the earliest of its next due request (open loop), its
 * next scan for timeouts and reconnects (every 10 ms at most), and the end
 * of the run. epoll_pwait2() takes a nanosecond timeout, and the thread's
 * timer slack is lowered to 1 us, so a request due in 300 us is sent in
 * about 300 us, not in the next millisecond.
 *
 * --procs P forks P processes, each with its share of the connections and
 * of the rate, each binding its connections to its own source address
 * (127.0.0.2, 127.0.0.3, ...): one source address has about 28,000
 * ephemeral ports, and one process may hold only RLIMIT_NOFILE descriptors
 * (20,000 on the reference machine). Each child writes its report as JSON
 * to a pipe, in the same format as --json, and the parent merges them; the
 * latency histograms merge exactly (hp/hist.h).
 *
 * What counts: "requests" are complete responses (any status); "ok" are
 * those with a status below 400; throughput is ok per second of the
 * measured window. The latency histogram holds every complete response.
 * Failures are counted by kind and never stop the run:
 *   connect   the connection could not be made (refused, no port, timed out)
 *   timeout   no complete response within --timeout-ms of sending
 *   reset     the connection failed while sending or reading (ECONNRESET, EPIPE)
 *   eof       the server closed the connection before the response was complete
 *   status    a response with status >= 400 (also counted in "statuses")
 *   protocol  a response hp-load cannot frame: malformed, chunked, no
 *             Content-Length, or bytes nobody asked for
 * A failed connection is closed and opened again; a connection that could
 * not connect waits 10 ms before the next attempt, so a server that is down
 * costs a bounded number of attempts. The open-loop schedule never moves.
 *
 * Open loop also reports "offered" (requests due in the measured window),
 * "sent" (those actually sent before the end) and how late the generator
 * itself was when each request fell due. When more than 1% of the requests
 * (and at least 10) were released over 1 ms late, the generator could not
 * keep up with its own schedule and the report says so ("behind": true):
 * its latencies then describe the generator as much as the server.
 *
 * The end: at the end of --duration (or when --requests have been made) no
 * new request starts; the ones in flight get up to --timeout-ms to finish
 * and are counted, so every request sent has exactly one outcome. --warmup
 * runs the same load first and records nothing that started in it.
 *
 * The cost per request in a closed loop is two system calls, send() and
 * read(): the connection's interest stays EPOLLIN and EPOLLOUT is armed only
 * for a short write. wrk makes four (it arms and disarms EPOLLOUT around each
 * write), which is why, on a core shared with the server, hp-load reports
 * about 20% more throughput than wrk (tests/net/load.t measures it).
 *
 * Usage: see usage() below.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hp/file.h"
#include "hp/hist.h"
#include "hp/http.h"
#include "hp/json.h"
#include "hp/net.h"
#include "hp/time.h"
#include "hp/xalloc.h"

#define NS_PER_S  1000000000ull
#define NS_PER_MS 1000000ull

#define MAX_THREADS    64
#define MAX_PROCS      64
#define MAX_DURATION_S 600.0
#define MAX_STATUS     1000

/*
 * Descriptors a process needs besides its connections: stdio, one epoll
 * descriptor per thread, the pipes to the children, a file being read.
 */
#define FD_RESERVE 32

/* One response head must fit (http.h's limit); bodies stream through the same buffer. */
#define BUF_SIZE HP_HTTP_MAX_HEAD

/* The longest request line and headers hp-load builds. */
#define REQ_MAX 2048

/* A connection that could not connect tries again after this long. */
#define BACKOFF_NS (10 * NS_PER_MS)

/* Timeouts and reconnects are checked at most this far apart (and at 1/10 of the timeout). */
#define SCAN_MAX_NS (10 * NS_PER_MS)

/*
 * A request released over 1 ms after its due time was late because of the
 * generator (its loop was busy or descheduled), not because of the server:
 * release happens whether or not the request's connection is free. Over 1%
 * of them late means the generator did not keep up.
 */
#define LATE_NS         NS_PER_MS
#define BEHIND_FRACTION 0.01

/*
 * ... and at least this many: a VM that deschedules the generator once for
 * 3 ms makes a few requests late in a short run, which is a hiccup, not a
 * generator that cannot keep up (seen: 4 of 200 in a 2 s run at 100/s).
 */
#define BEHIND_MIN 10

#define MAX_EVENTS 256

enum mode { MODE_CLOSED, MODE_OPEN };

enum err_kind { ERR_CONNECT, ERR_TIMEOUT, ERR_RESET, ERR_EOF, ERR_STATUS, ERR_PROTOCOL, ERR_KINDS };
static const char *const err_names[ERR_KINDS] = {"connect", "timeout", "reset", "eof", "status", "protocol"};

/* ---------------------------------------------------------------------------
 * Configuration and results
 */

struct config {
	enum mode mode;
	const char *url;
	char addr[16]; /* the server, dotted IPv4 in 127.0.0.0/8 */
	int port;
	double rate;          /* open loop: requests per second (this process's share in a child) */
	unsigned connections; /* this process's share in a child */
	unsigned threads;
	unsigned procs;
	double duration, warmup; /* seconds */
	uint64_t requests;       /* --requests: stop after this many (this process's share) */
	int has_limit;
	unsigned timeout_ms;
	int close; /* a new connection per request */
	const char *json;
	char src[16];  /* source address of this process's connections, or "" */
	unsigned proc; /* this process's index */
	uint64_t t0;   /* when the schedule starts (CLOCK_MONOTONIC, shared by every process) */
	char request[REQ_MAX];
	size_t request_len;
};

struct result {
	uint64_t requests; /* complete responses */
	uint64_t ok;       /* responses with status < 400 */
	uint64_t errors[ERR_KINDS];
	uint64_t statuses[MAX_STATUS];
	uint64_t offered, sent, late; /* open loop */
	uint64_t max_lag_ns;
	double measured_s;   /* the measured window */
	struct hp_hist hist; /* latency of every complete response, ns */
};

static void result_init(struct result *r)
{
	memset(r, 0, sizeof *r);
	hp_hist_init(&r->hist);
}

static void result_merge(struct result *dst, const struct result *src)
{
	dst->requests += src->requests;
	dst->ok += src->ok;
	for (int k = 0; k < ERR_KINDS; k++)
		dst->errors[k] += src->errors[k];
	for (int s = 0; s < MAX_STATUS; s++)
		dst->statuses[s] += src->statuses[s];
	dst->offered += src->offered;
	dst->sent += src->sent;
	dst->late += src->late;
	if (src->max_lag_ns > dst->max_lag_ns)
		dst->max_lag_ns = src->max_lag_ns;
	if (src->measured_s > dst->measured_s)
		dst->measured_s = src->measured_s;
	hp_hist_merge(&dst->hist, &src->hist);
}

/* Part i of n equal parts of total, the remainder going to the first parts. */
static uint64_t share(uint64_t total, unsigned n, unsigned i)
{
	return total / n + (i < total % n);
}

/*
 * The part of total that belongs to connections [first, first + n) of all:
 * --requests follows the connections as the rate does, so that every part
 * of the run reaches its share at the same time.
 */
static uint64_t share_by(uint64_t total, uint64_t first, uint64_t n, uint64_t all)
{
	unsigned __int128 lo = (unsigned __int128)total * first / all;
	unsigned __int128 hi = (unsigned __int128)total * (first + n) / all;

	return (uint64_t)(hi - lo);
}

/* ---------------------------------------------------------------------------
 * Connections
 */

enum conn_state {
	C_CLOSED,     /* no descriptor */
	C_CONNECTING, /* connect in progress */
	C_IDLE,       /* connected, no request */
	C_BUSY,       /* request being written or response being read */
	C_BACKOFF,    /* no descriptor; the last connect failed, retry at deadline */
};

struct conn {
	int fd;
	enum conn_state state;
	int has_req;    /* a request is assigned and has no outcome yet */
	int measured;   /* ... and it counts (it started after the warm-up) */
	int want_out;   /* EPOLLOUT is armed for the rest of a short write */
	uint64_t seq;   /* open loop: the sequence number of this connection's next request */
	uint64_t start; /* the latency origin of the request: intended (open) or actual (closed) send time */
	uint64_t deadline; /* of the connect or request in progress; the retry time in C_BACKOFF */
	size_t sent;       /* request bytes written */
	size_t have;       /* response head bytes in buf */
	int64_t body_left; /* body bytes still to come; -1 while reading the head */
	int status, keep;
	char buf[BUF_SIZE];
};

struct worker {
	const struct config *cfg;
	pthread_t thread;
	struct conn *conns;
	unsigned nconns;
	int ep;
	uint64_t t0, measure, end, timeout_ns, scan_ns;
	double interval_ns, phase; /* open loop: request seq is due at t0 + (seq + phase) * interval_ns */
	uint64_t next_seq;         /* open loop: the first request not yet released */
	uint64_t issued;           /* open loop: requests handed to a connection (all, warm-up too) */
	uint64_t limit;            /* --requests: this thread's share; counted in "counted" */
	int has_limit;
	uint64_t counted; /* measured requests released (open) or issued (closed) */
	unsigned inflight;
	int started, stopping, limit_done;
	uint64_t last_done;
	struct result res;
};

static uint64_t due_time(const struct worker *w, uint64_t seq)
{
	return w->t0 + (uint64_t)(((double)seq + w->phase) * w->interval_ns);
}

static void conn_open(struct worker *w, struct conn *c, uint64_t now);
static void conn_ready(struct worker *w, struct conn *c, uint64_t now);

static void ep_ctl(struct worker *w, int op, struct conn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (epoll_ctl(w->ep, op, c->fd, &ev) < 0)
		hp_die("epoll_ctl: %s", strerror(errno));
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd); /* also removes it from the epoll set */
	c->fd = -1;
	c->want_out = 0;
	c->state = C_CLOSED;
}

/* The request on c (if any) is over; an open-loop connection moves to its next slot. */
static void conn_end_request(struct worker *w, struct conn *c)
{
	if (!c->has_req)
		return;
	c->has_req = 0;
	w->inflight--;
	if (w->cfg->mode == MODE_OPEN)
		c->seq += w->nconns;
}

/* A failure of kind on c: counted, the request (if any) ends, the connection starts over. */
static void conn_fail(struct worker *w, struct conn *c, enum err_kind kind, uint64_t now)
{
	int counts = c->has_req ? c->measured : w->started && now >= w->measure && !w->stopping;

	if (counts)
		w->res.errors[kind]++;
	conn_end_request(w, c);
	conn_close(c);
	if (kind == ERR_CONNECT) {
		c->state = C_BACKOFF;
		c->deadline = now + BACKOFF_NS;
		return;
	}
	if (!w->cfg->close && !w->stopping)
		conn_open(w, c, now);
	conn_ready(w, c, now);
}

/* Start a connection; with a request assigned it is sent once connected. */
static void conn_open(struct worker *w, struct conn *c, uint64_t now)
{
	const struct config *cfg = w->cfg;
	int fd = hp_connect_tcp(cfg->addr, cfg->port, cfg->src[0] ? cfg->src : NULL, HP_CONNECT_NONBLOCK);

	if (fd < 0) {
		/* Refused at once (loopback often knows immediately), or out of ports or descriptors. */
		conn_fail(w, c, ERR_CONNECT, now);
		return;
	}
	/*
	 * Small requests, one at a time: Nagle's algorithm would hold a request
	 * only while an earlier one is unacknowledged, which never happens here,
	 * but wrk sets TCP_NODELAY and the cross-check should compare like with like.
	 */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->fd = fd;
	c->state = C_CONNECTING;
	c->deadline = now + w->timeout_ns;
	ep_ctl(w, EPOLL_CTL_ADD, c, EPOLLIN | EPOLLOUT);
}

static void conn_write(struct worker *w, struct conn *c, uint64_t now)
{
	const struct config *cfg = w->cfg;
	ssize_t n = send(c->fd, cfg->request + c->sent, cfg->request_len - c->sent, MSG_NOSIGNAL);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			n = 0;
		else {
			conn_fail(w, c, ERR_RESET, now);
			return;
		}
	}
	c->sent += (size_t)n;
	/* A short write waits for EPOLLOUT; a 100-byte request almost never needs it. */
	if (c->sent < cfg->request_len && !c->want_out) {
		c->want_out = 1;
		ep_ctl(w, EPOLL_CTL_MOD, c, EPOLLIN | EPOLLOUT);
	} else if (c->sent == cfg->request_len && c->want_out) {
		c->want_out = 0;
		ep_ctl(w, EPOLL_CTL_MOD, c, EPOLLIN);
	}
}

static void conn_send(struct worker *w, struct conn *c, uint64_t now)
{
	c->state = C_BUSY;
	c->sent = 0;
	c->have = 0;
	c->body_left = -1;
	c->deadline = now + w->timeout_ns;
	conn_write(w, c, now);
}

/* Give c a request that starts (for its latency) at start. */
static void conn_issue(struct worker *w, struct conn *c, uint64_t start, uint64_t now)
{
	c->has_req = 1;
	c->start = start;
	c->measured = start >= w->measure;
	w->inflight++;
	if (w->cfg->mode == MODE_OPEN) {
		w->issued++;
		if (c->measured)
			w->res.sent++;
	} else if (c->measured) {
		w->counted++;
	}
	if (c->state == C_IDLE)
		conn_send(w, c, now);
	else if (c->state == C_CLOSED)
		conn_open(w, c, now);
	/* C_CONNECTING: sent when the connection is up. */
}

/* c may take a request: give it one if one is due. */
static void conn_ready(struct worker *w, struct conn *c, uint64_t now)
{
	if (!w->started || w->stopping || c->has_req || c->state == C_BACKOFF || c->state == C_BUSY)
		return;
	if (w->cfg->mode == MODE_CLOSED) {
		if (w->has_limit && w->counted >= w->limit && now >= w->measure)
			return;
		conn_issue(w, c, now, now);
	} else if (c->seq < w->next_seq) {
		/* Released already: it was due at its own time, however late it goes now. */
		conn_issue(w, c, due_time(w, c->seq), now);
	}
}

/* A complete response on c. */
static void conn_done(struct worker *w, struct conn *c, uint64_t now)
{
	if (c->measured) {
		struct result *r = &w->res;
		r->requests++;
		r->statuses[c->status]++;
		if (c->status >= 400)
			r->errors[ERR_STATUS]++;
		else
			r->ok++;
		hp_hist_record(&r->hist, now - c->start);
	}
	w->last_done = now;
	conn_end_request(w, c);
	if (!c->keep || w->cfg->close) {
		conn_close(c);
		if (!w->cfg->close && !w->stopping)
			conn_open(w, c, now);
	} else {
		c->state = C_IDLE;
	}
	conn_ready(w, c, now);
}

static void conn_connected(struct worker *w, struct conn *c, uint64_t now)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		conn_fail(w, c, ERR_CONNECT, now);
		return;
	}
	ep_ctl(w, EPOLL_CTL_MOD, c, EPOLLIN);
	c->state = C_IDLE;
	if (c->has_req)
		conn_send(w, c, now);
	else
		conn_ready(w, c, now);
}

/* The response head in c->buf is complete at length head. */
static void conn_head(struct worker *w, struct conn *c, const struct hp_http_response *res, int head,
                      uint64_t now)
{
	int64_t len = res->content_length;

	/* 1xx never answers a plain GET; a chunked or unframed body cannot be skipped by length. */
	if (res->status < 200 || res->status >= MAX_STATUS || (res->flags & HP_HTTP_CHUNKED)) {
		conn_fail(w, c, ERR_PROTOCOL, now);
		return;
	}
	if (len < 0) {
		if (res->status != 204 && res->status != 304) {
			conn_fail(w, c, ERR_PROTOCOL, now);
			return;
		}
		len = 0;
	}
	c->status = res->status;
	c->keep = (res->flags & HP_HTTP_KEEP_ALIVE) != 0;
	c->body_left = len - (int64_t)(c->have - (size_t)head);
	/* Bytes past the body: nothing was pipelined, so the server sent what nobody asked for. */
	if (c->body_left < 0) {
		conn_fail(w, c, ERR_PROTOCOL, now);
		return;
	}
	if (c->body_left == 0)
		conn_done(w, c, now);
}

static void conn_read(struct worker *w, struct conn *c, uint64_t now)
{
	int reading_head = c->body_left < 0;
	char *p = reading_head ? c->buf + c->have : c->buf;
	size_t room = reading_head ? BUF_SIZE - c->have : BUF_SIZE;
	ssize_t n = read(c->fd, p, room);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		{
			conn_fail(w, c, ERR_RESET, now);
			return;
		}
	}
	if (n == 0) {
		conn_fail(w, c, ERR_EOF, now);
		return;
	}
	if (!reading_head) {
		c->body_left -= n;
		if (c->body_left < 0) {
			conn_fail(w, c, ERR_PROTOCOL, now);
			return;
		}
		if (c->body_left == 0)
			conn_done(w, c, now);
		return;
	}
	c->have += (size_t)n;

	struct hp_http_response res;
	int head = hp_http_parse_response(c->buf, c->have, &res);
	if (head == HP_HTTP_INCOMPLETE) {
		if (c->have == BUF_SIZE) /* the head cannot fit: the server broke the limit */
			conn_fail(w, c, ERR_PROTOCOL, now);
		return;
	}
	if (head < 0) {
		conn_fail(w, c, ERR_PROTOCOL, now);
		return;
	}
	conn_head(w, c, &res, head, now);
}

/* Something on an idle keep-alive connection: the server closed it, or sent what nobody asked for. */
static void conn_idle_event(struct worker *w, struct conn *c, uint64_t now)
{
	char byte;
	ssize_t n = read(c->fd, &byte, 1);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		conn_fail(w, c, ERR_PROTOCOL, now);
		return;
	}
	/*
	 * Closed (or reset) while idle: not a failed request. Reconnect at the
	 * next scan rather than at once, so a server that closes every new
	 * connection costs one attempt per connection per scan, not a busy loop.
	 */
	conn_close(c);
	c->state = C_BACKOFF;
	c->deadline = now;
}

static void conn_event(struct worker *w, struct conn *c, uint32_t events)
{
	uint64_t now = hp_now_ns();

	switch (c->state) {
	case C_CONNECTING:
		conn_connected(w, c, now);
		break;
	case C_IDLE:
		conn_idle_event(w, c, now);
		break;
	case C_BUSY:
		if ((events & EPOLLOUT) && c->sent < w->cfg->request_len)
			conn_write(w, c, now);
		if (c->state == C_BUSY && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
			conn_read(w, c, now);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------------------
 * The loop of one thread
 */

/* Timeouts, connects that take too long, and reconnects after a back-off. */
static void scan(struct worker *w, uint64_t now)
{
	for (unsigned i = 0; i < w->nconns; i++) {
		struct conn *c = &w->conns[i];
		if ((c->has_req || c->state == C_CONNECTING) && now >= c->deadline) {
			conn_fail(w, c, c->state == C_BUSY ? ERR_TIMEOUT : ERR_CONNECT, now);
		} else if (c->state == C_BACKOFF && now >= c->deadline && !w->stopping) {
			c->state = C_CLOSED;
			if (!w->cfg->close)
				conn_open(w, c, now);
			conn_ready(w, c, now);
		}
	}
}

/* Open loop: hand every request that has fallen due to its connection. */
static void release_due(struct worker *w, uint64_t now)
{
	for (;;) {
		uint64_t due = due_time(w, w->next_seq);
		if (due > now || due >= w->end)
			return;
		if (due >= w->measure) {
			if (w->has_limit && w->counted >= w->limit) {
				w->limit_done = 1;
				return;
			}
			uint64_t lag = now - due;
			w->counted++;
			w->res.offered++;
			if (lag > LATE_NS)
				w->res.late++;
			if (lag > w->res.max_lag_ns)
				w->res.max_lag_ns = lag;
		}
		struct conn *c = &w->conns[w->next_seq % w->nconns];
		w->next_seq++;
		conn_ready(w, c, now);
	}
}

/* Has the --requests share been reached, and every request of it answered? */
static int limit_finished(const struct worker *w)
{
	if (!w->has_limit || !w->started)
		return 0;
	if (w->cfg->mode == MODE_OPEN)
		return (w->limit_done || w->limit == 0) && w->issued == w->next_seq && w->inflight == 0;
	return w->counted >= w->limit && w->inflight == 0;
}

static int wait_events(int ep, struct epoll_event *ev, uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S)};
	int n = epoll_pwait2(ep, ev, MAX_EVENTS, &ts, NULL);

	if (n < 0 && errno == ENOSYS) /* kernels before 5.11: millisecond timeouts, rounded up */
		n = epoll_wait(ep, ev, MAX_EVENTS, (int)((ns + NS_PER_MS - 1) / NS_PER_MS));
	if (n < 0 && errno != EINTR)
		hp_die("epoll_wait: %s", strerror(errno));
	return n < 0 ? 0 : n;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[MAX_EVENTS];
	uint64_t now = hp_now_ns(), next_scan = now, drain_end = UINT64_MAX, stop_at = w->end;

	/* Sleep to the microsecond: the default 50 us of slack would blur a 2000/s schedule. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->ep < 0)
		hp_die("epoll_create1: %s", strerror(errno));
	/* Keep-alive connections are opened before the schedule starts; --close opens one per request. */
	for (unsigned i = 0; i < w->nconns; i++)
		if (!w->cfg->close)
			conn_open(w, &w->conns[i], now);
	/*
	 * Their connect timeouts count from now, when the loop begins to
	 * notice them: opening thousands can take seconds (bind() with a
	 * source address took 1.1 ms per call with 38,000 sockets of earlier
	 * runs in TIME_WAIT), and a connection made long ago but not yet seen
	 * must not be counted as a connect timeout.
	 */
	now = hp_now_ns();
	for (unsigned i = 0; i < w->nconns; i++)
		if (w->conns[i].state == C_CONNECTING)
			w->conns[i].deadline = now + w->timeout_ns;

	for (;;) {
		now = hp_now_ns();
		if (!w->started && now >= w->t0) {
			w->started = 1;
			for (unsigned i = 0; i < w->nconns; i++)
				conn_ready(w, &w->conns[i], now);
		}
		if (w->started && w->cfg->mode == MODE_OPEN && !w->stopping)
			release_due(w, now);
		if (now >= next_scan) {
			scan(w, now);
			next_scan = now + w->scan_ns;
		}
		if (!w->stopping && (now >= w->end || limit_finished(w))) {
			/* No new requests from here; the ones in flight get their timeout to finish. */
			w->stopping = 1;
			stop_at = now >= w->end ? w->end : w->last_done;
			drain_end = now + w->timeout_ns + NS_PER_MS;
		}
		if (w->stopping && (w->inflight == 0 || now >= drain_end))
			break;

		uint64_t wake = next_scan;
		if (!w->started)
			wake = min_u64(wake, w->t0);
		else if (w->cfg->mode == MODE_OPEN && !w->stopping && !w->limit_done)
			wake = min_u64(wake, due_time(w, w->next_seq));
		wake = min_u64(wake, w->stopping ? drain_end : w->end);
		now = hp_now_ns();
		int n = wait_events(w->ep, ev, wake > now ? wake - now : 0);
		for (int i = 0; i < n; i++)
			conn_event(w, ev[i].data.ptr, ev[i].events);
	}

	/* Whatever is still in flight after the drain has timed out. */
	now = hp_now_ns();
	for (unsigned i = 0; i < w->nconns; i++) {
		if (w->conns[i].has_req)
			conn_fail(w, &w->conns[i], ERR_TIMEOUT, now);
		conn_close(&w->conns[i]);
	}
	close(w->ep);
	w->res.measured_s = stop_at > w->measure ? (double)(stop_at - w->measure) / 1e9 : 0;
	return NULL;
}

/* One process's share: its threads, their results merged into *res. */
static void run_process(const struct config *cfg, struct result *res)
{
	struct worker *ws = hp_xcalloc(cfg->threads, sizeof *ws);
	unsigned all_threads = cfg->procs * cfg->threads;
	uint64_t first = 0; /* this thread's first connection */

	for (unsigned t = 0; t < cfg->threads; t++) {
		struct worker *w = &ws[t];
		unsigned g = cfg->proc * cfg->threads + t; /* this thread's index among all */
		w->cfg = cfg;
		w->nconns = (unsigned)share(cfg->connections, cfg->threads, t);
		w->conns = hp_xcalloc(w->nconns, sizeof *w->conns);
		for (unsigned i = 0; i < w->nconns; i++) {
			w->conns[i].fd = -1;
			w->conns[i].seq = i;
		}
		w->t0 = cfg->t0;
		w->measure = cfg->t0 + (uint64_t)(cfg->warmup * 1e9);
		w->end = w->measure + (uint64_t)(cfg->duration * 1e9);
		w->timeout_ns = cfg->timeout_ms * NS_PER_MS;
		w->scan_ns = min_u64(SCAN_MAX_NS, w->timeout_ns / 10);
		if (w->scan_ns < NS_PER_MS)
			w->scan_ns = NS_PER_MS;
		if (cfg->mode == MODE_OPEN) {
			/* The rate follows the connections, so every connection carries the same load. */
			double rate = cfg->rate * w->nconns / cfg->connections;
			w->interval_ns = 1e9 / rate;
			/* Threads and processes take turns, so the merged arrivals are evenly spaced. */
			w->phase = (double)g / all_threads;
		}
		w->has_limit = cfg->has_limit;
		w->limit = share_by(cfg->requests, first, w->nconns, cfg->connections);
		first += w->nconns;
		result_init(&w->res);
		int err = pthread_create(&w->thread, NULL, worker_run, w);
		if (err)
			hp_die("pthread_create: %s", strerror(err));
	}
	result_init(res);
	for (unsigned t = 0; t < cfg->threads; t++) {
		pthread_join(ws[t].thread, NULL);
		result_merge(res, &ws[t].res);
		free(ws[t].conns);
	}
	free(ws);
}

/* ---------------------------------------------------------------------------
 * The report: JSON (also how children talk to the parent) and the summary
 */

static double quantile_us(const struct result *r, double q)
{
	return (double)hp_hist_quantile(&r->hist, q) / 1e3;
}

static int fell_behind(const struct result *r)
{
	return r->late >= BEHIND_MIN && (double)r->late > BEHIND_FRACTION * (double)r->offered;
}

/* One process of --procs, as the parent saw it. */
struct part {
	char src[16];
	unsigned connections;
	uint64_t requests, ok;
};

/* parts: the processes of --procs (NULL for one process, and in the children's own reports). */
static int write_report(FILE *f, const struct config *cfg, const struct result *r, const struct part *parts)
{
	const char *sep = "";
	double tput = r->measured_s > 0 ? (double)r->ok / r->measured_s : 0;

	fprintf(f, "{\"mode\":\"%s\",\"url\":", cfg->mode == MODE_OPEN ? "open" : "closed");
	hp_json_write_str(f, cfg->url);
	if (cfg->mode == MODE_OPEN)
		fprintf(f, ",\"rate\":%.17g", cfg->rate);
	else
		fputs(",\"rate\":null", f);
	fprintf(f, ",\"connections\":%u,\"threads\":%u,\"procs\":%u,\"duration_s\":%.17g,\"warmup_s\":%.17g",
	        cfg->connections, cfg->threads, cfg->procs, cfg->duration, cfg->warmup);
	fprintf(f, ",\"keep_alive\":%s,\"timeout_ms\":%u", cfg->close ? "false" : "true", cfg->timeout_ms);
	if (cfg->has_limit)
		fprintf(f, ",\"requests_limit\":%" PRIu64, cfg->requests);
	fprintf(f, ",\"measured_s\":%.6f,\"requests\":%" PRIu64 ",\"ok\":%" PRIu64 ",\"errors\":{",
	        r->measured_s, r->requests, r->ok);
	for (int k = 0; k < ERR_KINDS; k++)
		fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", err_names[k], r->errors[k]);
	fputs("},\"statuses\":{", f);
	for (int s = 0; s < MAX_STATUS; s++) {
		if (!r->statuses[s])
			continue;
		fprintf(f, "%s\"%d\":%" PRIu64, sep, s, r->statuses[s]);
		sep = ",";
	}
	fprintf(f, "},\"throughput_rps\":%.3f", tput);
	fprintf(f,
	        ",\"latency_us\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,\"mean\":"
	        "%.3f}",
	        quantile_us(r, 0.5), quantile_us(r, 0.9), quantile_us(r, 0.99), quantile_us(r, 0.999),
	        (double)(r->hist.n ? r->hist.max : 0) / 1e3, hp_hist_mean(&r->hist) / 1e3);
	if (cfg->mode == MODE_OPEN) {
		int behind = fell_behind(r);
		fprintf(f,
		        ",\"offered\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"unsent\":%" PRIu64
		        ",\"late\":%" PRIu64 ",\"behind\":%s,\"max_lag_us\":%.3f",
		        r->offered, r->sent, r->offered - r->sent, r->late, behind ? "true" : "false",
		        (double)r->max_lag_ns / 1e3);
	}
	for (unsigned i = 0; parts && i < cfg->procs; i++) {
		fprintf(
		    f, "%s{\"source\":\"%s\",\"connections\":%u,\"requests\":%" PRIu64 ",\"ok\":%" PRIu64 "}",
		    i ? "," : ",\"per_process\":[", parts[i].src, parts[i].connections, parts[i].requests,
		    parts[i].ok);
		if (i + 1 == cfg->procs)
			fputs("]", f);
	}
	fputs(",\"histogram\":", f);
	hp_hist_write_json(&r->hist, f);
	fputs("}\n", f);
	return ferror(f) ? -EIO : 0;
}

static uint64_t json_count(const struct hp_json *j, size_t obj, const char *key)
{
	double v = hp_json_num(j, hp_json_get(j, obj, key), 0);
	return v > 0 ? (uint64_t)v : 0;
}

/* Add a child's report (written by write_report()) to *r. Returns 0 or -EINVAL. */
static int merge_report(struct result *r, const char *buf, size_t len)
{
	struct hp_json j;
	int err = hp_json_parse(&j, buf, len, NULL);

	if (err || j.tok[0].type != HP_JSON_OBJECT)
		goto out_release;
	err = -EINVAL;
	size_t hist = hp_json_get(&j, 0, "histogram");
	if (hist == HP_JSON_NONE || hp_hist_merge_json(&r->hist, &j, hist))
		goto out_release;
	r->requests += json_count(&j, 0, "requests");
	r->ok += json_count(&j, 0, "ok");
	r->offered += json_count(&j, 0, "offered");
	r->sent += json_count(&j, 0, "sent");
	r->late += json_count(&j, 0, "late");
	uint64_t lag = (uint64_t)(hp_json_num(&j, hp_json_get(&j, 0, "max_lag_us"), 0) * 1e3);
	if (lag > r->max_lag_ns)
		r->max_lag_ns = lag;
	double m = hp_json_num(&j, hp_json_get(&j, 0, "measured_s"), 0);
	if (m > r->measured_s)
		r->measured_s = m;
	size_t errs = hp_json_get(&j, 0, "errors");
	for (int k = 0; k < ERR_KINDS && errs != HP_JSON_NONE; k++)
		r->errors[k] += json_count(&j, errs, err_names[k]);
	size_t st = hp_json_get(&j, 0, "statuses");
	if (st == HP_JSON_NONE || j.tok[st].type != HP_JSON_OBJECT)
		goto out_release;
	for (size_t k = st + 1; k < j.tok[st].end; k = j.tok[k + 1].end) {
		char code[8];
		if (hp_json_str(&j, k, code, sizeof code) < 0)
			goto out_release;
		int s = atoi(code);
		if (s < 100 || s >= MAX_STATUS)
			goto out_release;
		r->statuses[s] += json_count(&j, st, code);
	}
	err = 0;
out_release:
	hp_json_release(&j);
	return err ? -EINVAL : 0;
}

/* A latency for people: "85 us", "1.25 ms", "2.10 s". */
static const char *human_ns(char *buf, size_t cap, double ns)
{
	if (ns < 1e6)
		snprintf(buf, cap, "%.0f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, cap, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, cap, "%.2f s", ns / 1e9);
	return buf;
}

static void print_summary(const struct config *cfg, const struct result *r)
{
	char a[32], b[32], c[32], d[32], e[32], m[32];
	const struct hp_hist *h = &r->hist;
	uint64_t nerr = 0;

	if (cfg->mode == MODE_OPEN)
		printf("hp-load: open loop at %.0f req/s over %u connection%s", cfg->rate, cfg->connections,
		       cfg->connections == 1 ? "" : "s");
	else
		printf("hp-load: closed loop with %u connection%s", cfg->connections,
		       cfg->connections == 1 ? "" : "s");
	printf(" (%s, %u thread%s, %u process%s) for %.3g s against %s: %" PRIu64 " requests, %" PRIu64
	       " ok, %.0f ok/s in %.3f s measured",
	       cfg->close ? "a connection per request" : "keep-alive", cfg->threads,
	       cfg->threads == 1 ? "" : "s", cfg->procs, cfg->procs == 1 ? "" : "es", cfg->duration, cfg->url,
	       r->requests, r->ok, r->measured_s > 0 ? (double)r->ok / r->measured_s : 0, r->measured_s);
	if (h->n)
		printf("; latency p50 %s, p90 %s, p99 %s, p99.9 %s, max %s, mean %s",
		       human_ns(a, sizeof a, (double)hp_hist_quantile(h, 0.5)),
		       human_ns(b, sizeof b, (double)hp_hist_quantile(h, 0.9)),
		       human_ns(c, sizeof c, (double)hp_hist_quantile(h, 0.99)),
		       human_ns(d, sizeof d, (double)hp_hist_quantile(h, 0.999)),
		       human_ns(e, sizeof e, (double)h->max), human_ns(m, sizeof m, hp_hist_mean(h)));
	for (int k = 0; k < ERR_KINDS; k++)
		nerr += r->errors[k];
	if (!nerr) {
		printf("; no errors");
	} else {
		const char *sep = "";
		printf("; errors:");
		for (int k = 0; k < ERR_KINDS; k++) {
			if (r->errors[k])
				printf("%s %s %" PRIu64, sep, err_names[k], r->errors[k]);
			if (r->errors[k])
				sep = ",";
		}
	}
	if (r->errors[ERR_STATUS]) {
		const char *sep = " (";
		for (int s = 400; s < MAX_STATUS; s++) {
			if (!r->statuses[s])
				continue;
			printf("%s%" PRIu64 " answered %d", sep, r->statuses[s], s);
			sep = ", ";
		}
		printf(")");
	}
	printf(".");
	if (cfg->mode == MODE_OPEN) {
		printf(" Offered %" PRIu64 ", sent %" PRIu64, r->offered, r->sent);
		if (r->sent < r->offered)
			printf(" (%" PRIu64 " were due but their connections were still busy at the end)",
			       r->offered - r->sent);
		if (fell_behind(r))
			printf(". THE GENERATOR FELL BEHIND its schedule: %" PRIu64
			       " requests released over 1 ms late, max lag %s; the latencies include its own "
			       "delay"
			       " (use more --threads or --procs)",
			       r->late, human_ns(a, sizeof a, (double)r->max_lag_ns));
		else
			printf("; the generator kept to its schedule (max lag %s)",
			       human_ns(a, sizeof a, (double)r->max_lag_ns));
		printf(".");
	}
	printf("\n");
}

/* ---------------------------------------------------------------------------
 * Options
 */

static void usage(FILE *f, int status)
{
	fputs("usage: hp-load --url http://127.0.0.1:PORT/PATH --duration S\n"
	      "               (--rate R [--connections C] | --connections C)\n"
	      "               [--requests N] [--warmup S] [--timeout-ms T] [--close]\n"
	      "               [--threads T] [--procs P] [--json FILE]\n"
	      "\n"
	      "  --rate R          open loop: R requests per second in all, each timed from when it was due\n"
	      "  --connections C   closed loop: C connections, each sending when its last response is in;\n"
	      "                    with --rate, the pool the due requests are spread over (default 32)\n"
	      "  --duration S      measured seconds (at most 600); --warmup S more before it, not recorded\n"
	      "  --requests N      stop after N requests (or at the end of --duration, if sooner)\n"
	      "  --timeout-ms T    a request without its response after T ms is an error (default 2000)\n"
	      "  --close           a new connection per request (default: HTTP/1.1 keep-alive)\n"
	      "  --threads T       epoll loops (threads) per process (default 1)\n"
	      "  --procs P         processes, each with its share and source address 127.0.0.(2+i)\n"
	      "  --json FILE       write the report as JSON (a summary is always printed)\n",
	      f);
	exit(status);
}

static void bad(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("hp-load: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (hp-load --help for usage)\n", stderr);
	exit(2);
}

static double parse_num(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi)) {
		fprintf(stderr, "hp-load: %s wants a number from %g to %g, not '%s'\n", opt, lo, hi, s);
		exit(2);
	}
	return v;
}

/* A count: the same, and a whole number. */
static uint64_t parse_count(const char *opt, const char *s, double lo, double hi)
{
	double v = parse_num(opt, s, lo, hi);

	if (v != floor(v)) {
		fprintf(stderr, "hp-load: %s wants a whole number, not '%s'\n", opt, s);
		exit(2);
	}
	return (uint64_t)v;
}

/* http://HOST[:PORT][/PATH], HOST a dotted IPv4 address in 127.0.0.0/8 or "localhost". */
static void parse_url(struct config *cfg, const char *url)
{
	const char *p = url, *host, *path;
	char hostbuf[64];
	struct in_addr in;
	size_t n;

	if (strncmp(p, "http://", 7))
		bad("the URL must start with http:// (no TLS here): %s", url);
	host = p += 7;
	n = strcspn(p, ":/");
	if (n == 0 || n >= sizeof hostbuf)
		bad("no host in the URL %s", url);
	memcpy(hostbuf, host, n);
	hostbuf[n] = '\0';
	p += n;
	cfg->port = 80;
	if (*p == ':') {
		char *end;
		long port = strtol(p + 1, &end, 10);
		if (end == p + 1 || port < 1 || port > 65535 || (*end && *end != '/'))
			bad("bad port in the URL %s", url);
		cfg->port = (int)port;
		p = end;
	}
	path = *p ? p : "/";
	for (const char *q = path; *q; q++)
		if ((unsigned char)*q <= ' ' || *q == 127)
			bad("the path may not contain spaces or control characters: %s", url);

	int err = hp_loopback_addr(strcmp(hostbuf, "localhost") ? hostbuf : "127.0.0.1", &in);
	if (err == -EPERM) {
		fprintf(
		    stderr,
		    "hp-load: refusing %s: it is not a loopback address. hotpath sends load to 127.0.0.0/8 "
		    "only (this machine's own servers), never to another host.\n",
		    hostbuf);
		exit(2);
	}
	if (err)
		bad("the host must be a dotted IPv4 address such as 127.0.0.1, not '%s'", hostbuf);
	inet_ntop(AF_INET, &in, cfg->addr, sizeof cfg->addr);

	int len = snprintf(cfg->request, sizeof cfg->request,
	                   "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: hp-load\r\n%s\r\n", path, cfg->addr,
	                   cfg->port, cfg->close ? "Connection: close\r\n" : "");
	if (len < 0 || (size_t)len >= sizeof cfg->request)
		bad("the URL is too long: %s", url);
	cfg->request_len = (size_t)len;
	cfg->url = url;
}

static void parse_options(struct config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"url", required_argument, NULL, 'u'},
	    {"rate", required_argument, NULL, 'r'},
	    {"connections", required_argument, NULL, 'c'},
	    {"duration", required_argument, NULL, 'd'},
	    {"requests", required_argument, NULL, 'n'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"timeout-ms", required_argument, NULL, 't'},
	    {"close", no_argument, NULL, 'C'},
	    {"threads", required_argument, NULL, 'T'},
	    {"procs", required_argument, NULL, 'P'},
	    {"json", required_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *url = NULL;
	int have_conns = 0, have_rate = 0, have_duration = 0, o;

	memset(cfg, 0, sizeof *cfg);
	cfg->connections = 32;
	cfg->threads = 1;
	cfg->procs = 1;
	cfg->timeout_ms = 2000;
	while ((o = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (o) {
		case 'u':
			url = optarg;
			break;
		case 'r':
			cfg->rate = parse_num("--rate", optarg, 1e-3, 1e8);
			have_rate = 1;
			break;
		case 'c':
			cfg->connections = (unsigned)parse_count("--connections", optarg, 1, 1e6);
			have_conns = 1;
			break;
		case 'd':
			cfg->duration = parse_num("--duration", optarg, 1e-3, MAX_DURATION_S);
			have_duration = 1;
			break;
		case 'n':
			cfg->requests = parse_count("--requests", optarg, 1, 1e15);
			cfg->has_limit = 1;
			break;
		case 'w':
			cfg->warmup = parse_num("--warmup", optarg, 0, MAX_DURATION_S);
			break;
		case 't':
			cfg->timeout_ms = (unsigned)parse_count("--timeout-ms", optarg, 1, 600000);
			break;
		case 'C':
			cfg->close = 1;
			break;
		case 'T':
			cfg->threads = (unsigned)parse_count("--threads", optarg, 1, MAX_THREADS);
			break;
		case 'P':
			cfg->procs = (unsigned)parse_count("--procs", optarg, 1, MAX_PROCS);
			break;
		case 'j':
			cfg->json = optarg;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind < argc)
		bad("unexpected argument '%s'", argv[optind]);
	if (!url)
		bad("--url is required");
	if (!have_duration)
		bad("--duration is required (seconds, at most 600): every run is bounded");
	if (cfg->warmup + cfg->duration > MAX_DURATION_S)
		bad("--warmup plus --duration may not exceed 600 s");
	if (!have_rate && !have_conns)
		bad("give --rate R (open loop) or --connections C (closed loop)");
	cfg->mode = have_rate ? MODE_OPEN : MODE_CLOSED;
	if (cfg->connections < cfg->threads * cfg->procs) {
		fprintf(stderr, "hp-load: %u connections cannot be shared by %u threads in %u processes\n",
		        cfg->connections, cfg->threads, cfg->procs);
		exit(2);
	}
	parse_url(cfg, url);
}

/*
 * Each process holds its connections plus FD_RESERVE descriptors. Raise the
 * soft limit to the hard one if that is enough; refuse otherwise.
 */
static void check_descriptors(const struct config *cfg)
{
	uint64_t per_proc = share(cfg->connections, cfg->procs, 0);
	uint64_t need = per_proc + FD_RESERVE + cfg->threads;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		hp_die("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
			uint64_t fit = rl.rlim_max > FD_RESERVE + cfg->threads
			                   ? rl.rlim_max - FD_RESERVE - cfg->threads
			                   : 1;
			fprintf(stderr,
			        "hp-load: %" PRIu64 " connections in one process need %" PRIu64
			        " descriptors, but RLIMIT_NOFILE allows %" PRIu64 " (ulimit -Hn).\n"
			        "hp-load: use --procs %" PRIu64 " or more: each process opens its share "
			        "(at most %" PRIu64 " connections each).\n",
			        per_proc, need, (uint64_t)rl.rlim_max, (cfg->connections + fit - 1) / fit,
			        fit);
			exit(2);
		}
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			hp_die("setrlimit(RLIMIT_NOFILE, %" PRIu64 "): %s", need, strerror(errno));
	}
}

/* ---------------------------------------------------------------------------
 * Main: one process, or P children and a merge
 */

static void run_children(const struct config *total, struct result *res, struct part *parts)
{
	pid_t pids[MAX_PROCS];
	int fds[MAX_PROCS];
	int failed = 0;
	uint64_t first = 0; /* the next process's first connection */

	for (unsigned i = 0; i < total->procs; i++) {
		int p[2];
		if (pipe(p) < 0)
			hp_die("pipe: %s", strerror(errno));
		fflush(NULL);
		pids[i] = fork();
		if (pids[i] < 0)
			hp_die("fork: %s", strerror(errno));
		unsigned nconns = (unsigned)share(total->connections, total->procs, i);
		parts[i].connections = nconns;
		snprintf(parts[i].src, sizeof parts[i].src, "127.0.0.%u", 2 + i);
		if (pids[i] == 0) {
			struct config cfg = *total;
			struct result *r = hp_xmalloc(sizeof *r);
			close(p[0]);
			cfg.proc = i;
			cfg.connections = nconns;
			cfg.rate = total->rate * nconns / total->connections;
			cfg.requests = share_by(total->requests, first, nconns, total->connections);
			/* Each process has its own source address, and so its own ~28,000 ephemeral ports. */
			memcpy(cfg.src, parts[i].src, sizeof cfg.src);
			run_process(&cfg, r);
			FILE *f = fdopen(p[1], "w");
			if (!f || write_report(f, &cfg, r, NULL) || fclose(f))
				_exit(1);
			_exit(0);
		}
		close(p[1]);
		fds[i] = p[0];
		first += nconns;
	}

	/* Children never wait for each other, so reading their pipes in order cannot deadlock. */
	result_init(res);
	for (unsigned i = 0; i < total->procs; i++) {
		char path[32], *buf;
		size_t len;
		int status;
		uint64_t requests = res->requests, ok = res->ok;
		snprintf(path, sizeof path, "/dev/fd/%d", fds[i]);
		int err = hp_read_file(path, &buf, &len);
		close(fds[i]);
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "hp-load: process %u (pid %d) failed\n", i, (int)pids[i]);
			failed = 1;
		} else if (err || merge_report(res, buf, len)) {
			fprintf(stderr, "hp-load: process %u sent a report that does not parse\n", i);
			failed = 1;
		}
		free(buf);
		parts[i].requests = res->requests - requests;
		parts[i].ok = res->ok - ok;
	}
	if (failed)
		exit(1);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct result *res = hp_xmalloc(sizeof *res);
	struct part parts[MAX_PROCS];

	parse_options(&cfg, argc, argv);
	check_descriptors(&cfg);
	signal(SIGPIPE, SIG_IGN);

	/*
	 * The schedule starts a little after now, the same instant for every
	 * process (CLOCK_MONOTONIC is system-wide): time to fork and to open
	 * the keep-alive connections, about 20 us each.
	 */
	uint64_t per_thread = share(share(cfg.connections, cfg.procs, 0), cfg.threads, 0);
	cfg.t0 = hp_now_ns() + 20 * NS_PER_MS + per_thread * 20000;

	if (cfg.procs == 1)
		run_process(&cfg, res);
	else
		run_children(&cfg, res, parts);

	print_summary(&cfg, res);
	if (cfg.json) {
		FILE *f = fopen(cfg.json, "w");
		if (!f)
			hp_die("cannot write %s: %s", cfg.json, strerror(errno));
		if (write_report(f, &cfg, res, cfg.procs > 1 ? parts : NULL) || fclose(f))
			hp_die("cannot write %s: %s", cfg.json, strerror(errno));
	}
	free(res);
	return 0;
}
