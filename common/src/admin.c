/*
 * The admin endpoint of the server lessons (hp/admin.h): one thread, a
 * blocking accept loop on 127.0.0.1, one short request per connection.
 *
 * It is deliberately the plainest server in the tree. It serves a person
 * or a test a few times a second, never the load, so it takes one client
 * at a time and blocks in accept() and read(); what keeps it safe is not
 * speed but bounds:
 *
 *   - the address is 127.0.0.1, fixed: hp_listen_tcp() refuses anything
 *     outside 127.0.0.0/8, and nothing here takes an address at all;
 *   - a client has ADMIN_TIMEOUT_MS to send its request and to take the
 *     answer (SO_RCVTIMEO, SO_SNDTIMEO), and the request must fit in
 *     HP_HTTP_MAX_HEAD bytes: a silent or slow client holds the thread for a
 *     second at most, and nothing it sends is kept;
 *   - the request goes through hp_http_parse_request(), the strict parser
 *     every server of the tree uses, and anything but GET or HEAD of
 *     /metrics gets the same errors the hello API gives (hp/hello.h);
 *   - when the process is out of descriptors, accept() fails with EMFILE
 *     while the socket stays readable: the thread then sleeps
 *     ADMIN_RETRY_MS before it tries again, instead of spinning on it.
 *
 * The thread stops when hp_admin_stop() writes its eventfd, which it polls
 * next to the listening socket (a thread blocked in accept() alone could
 * only be stopped by a signal or by shutting the socket down under it).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "hp/admin.h"
#include "hp/http.h"
#include "hp/net.h"

/* A local client answers in microseconds; a second is generous and still short. */
#define ADMIN_TIMEOUT_MS 1000

/* How long to wait before accepting again after EMFILE (or ENFILE, ENOBUFS, ENOMEM). */
#define ADMIN_RETRY_MS 50

/* A few pending connections are plenty for a port that serves people and tests. */
#define ADMIN_BACKLOG 16

/* Room for the head and the longest body (four 20-digit counters and their names). */
#define ADMIN_MAX_RESPONSE 512

/* The sum of the counter blocks, as the JSON body. Returns its length. */
static size_t metrics_json(const struct hp_admin *a, char *buf, size_t cap)
{
	unsigned long long open = 0, peak = 0, requests = 0, refused = 0;

	for (size_t i = 0; i < a->ncounters; i++) {
		const struct hp_admin_counters *c = &a->counters[i];
		open += atomic_load_explicit(&c->open, memory_order_relaxed);
		peak += atomic_load_explicit(&c->peak, memory_order_relaxed);
		requests += atomic_load_explicit(&c->requests, memory_order_relaxed);
		refused += atomic_load_explicit(&c->refused, memory_order_relaxed);
	}
	int n = snprintf(buf, cap,
	                 "{\"connections_open\":%llu,\"connections_peak\":%llu,\"requests\":%llu,"
	                 "\"refused\":%llu}",
	                 open, peak, requests, refused);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Write status and body (with Connection: close) to fd; head_only leaves the body out. */
static void respond(int fd, int status, const char *body, size_t blen, int head_only)
{
	char out[ADMIN_MAX_RESPONSE];
	int n = hp_http_write_head(out, sizeof out, status, "application/json", blen, 0);

	if (n < 0 || (size_t)n + blen > sizeof out)
		return;
	if (!head_only) {
		memcpy(out + n, body, blen);
		n += (int)blen;
	}
	/* A client that does not take its answer within the timeout loses it; nothing else to do. */
	(void)hp_write_all(fd, out, (size_t)n);
}

/* Read one request from fd (bounded by the timeouts and the buffer) and answer it. */
static void serve_one(const struct hp_admin *a, int fd)
{
	char in[HP_HTTP_MAX_HEAD], body[128];
	struct hp_http_request req;
	size_t len = 0;
	int head = HP_HTTP_INCOMPLETE;

	while (head == HP_HTTP_INCOMPLETE && len < sizeof in) {
		ssize_t n = read(fd, in + len, sizeof in - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* closed, timed out or failed before a whole request: no one to answer */
		len += (size_t)n;
		head = hp_http_parse_request(in, len, &req);
	}
	if (head == HP_HTTP_BAD) {
		static const char bad[] = "{\"error\":\"bad request\"}";
		respond(fd, 400, bad, sizeof bad - 1, 0);
		return;
	}
	if (head == HP_HTTP_TOO_LARGE || head == HP_HTTP_INCOMPLETE) {
		static const char big[] = "{\"error\":\"request header fields too large\"}";
		respond(fd, 431, big, sizeof big - 1, 0);
		return;
	}

	int get = req.method_len == 3 && !memcmp(req.method, "GET", 3);
	int is_head = req.method_len == 4 && !memcmp(req.method, "HEAD", 4);

	if ((!get && !is_head) || req.content_length > 0 || (req.flags & HP_HTTP_CHUNKED)) {
		static const char ni[] = "{\"error\":\"not implemented\"}";
		respond(fd, 501, ni, sizeof ni - 1, 0);
	} else if (req.target_len == 8 && !memcmp(req.target, "/metrics", 8)) {
		respond(fd, 200, body, metrics_json(a, body, sizeof body), is_head);
	} else {
		static const char nf[] = "{\"error\":\"not found\"}";
		respond(fd, 404, nf, sizeof nf - 1, is_head);
	}
}

static void *admin_main(void *arg)
{
	struct hp_admin *a = arg;
	struct timeval tv = {.tv_sec = ADMIN_TIMEOUT_MS / 1000, .tv_usec = ADMIN_TIMEOUT_MS % 1000 * 1000};
	int backoff = 0;

	for (;;) {
		struct pollfd p[2] = {{.fd = a->wake, .events = POLLIN}, {.fd = a->fd, .events = POLLIN}};
		/* After EMFILE only the stop is watched for a while: the socket would be readable at once. */
		int nfds = backoff ? 1 : 2;

		if (poll(p, (nfds_t)nfds, backoff ? ADMIN_RETRY_MS : -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		backoff = 0;
		if (nfds == 1 || !p[1].revents)
			continue;

		int fd = accept4(a->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			backoff = errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM;
			continue;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
		    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0)
			serve_one(a, fd);
		close(fd);
	}
	return NULL;
}

int hp_admin_start(struct hp_admin *a, int port, const struct hp_admin_counters *counters, size_t n)
{
	int err;

	a->counters = counters;
	a->ncounters = n;
	a->port = -1;
	a->wake = -1;
	a->fd = hp_listen_tcp("127.0.0.1", port, ADMIN_BACKLOG, 0);
	if (a->fd < 0)
		return a->fd;
	err = hp_socket_port(a->fd);
	if (err < 0)
		goto out_close;
	a->port = err;
	a->wake = eventfd(0, EFD_CLOEXEC);
	if (a->wake < 0) {
		err = -errno;
		goto out_close;
	}
	err = -pthread_create(&a->thread, NULL, admin_main, a);
	if (err)
		goto out_close_wake;
	return 0;

out_close_wake:
	close(a->wake);
	a->wake = -1;
out_close:
	close(a->fd);
	a->fd = -1;
	a->port = -1;
	return err;
}

void hp_admin_stop(struct hp_admin *a)
{
	uint64_t one = 1;

	if (a->fd < 0)
		return;
	/* An eventfd write of 1 cannot fail short of a counter at 2^64 - 2. */
	(void)!write(a->wake, &one, sizeof one);
	pthread_join(a->thread, NULL);
	close(a->wake);
	close(a->fd);
	a->wake = -1;
	a->fd = -1;
}

int hp_admin_memory(long *rss_kb, long *hwm_kb)
{
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");
	int found = 0;

	*rss_kb = 0;
	*hwm_kb = 0;
	if (!f)
		return -errno;
	while (found < 2 && fgets(line, sizeof line, f)) {
		if (!strncmp(line, "VmRSS:", 6) && ++found)
			*rss_kb = strtol(line + 6, NULL, 10);
		else if (!strncmp(line, "VmHWM:", 6) && ++found)
			*hwm_kb = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	if (found == 2)
		return 0;
	*rss_kb = 0;
	*hwm_kb = 0;
	return -ENOENT;
}
