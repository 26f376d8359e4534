/*
 * The server of chapter 18 (see workload.h): one thread, one epoll loop,
 * level-triggered; each connection has an input buffer for one request head
 * and a pending output buffer for answers the socket could not take yet.
 * Between events the loop calls the variant's sweep_due(), and it measures
 * how long each call took: the longest (max_pause_us) is the stall as the
 * server itself sees it, reported at exit next to what the load generator
 * saw.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hp/hello.h"
#include "hp/http.h"
#include "hp/net.h"
#include "hp/opts.h"
#include "hp/report.h"
#include "hp/time.h"
#include "hp/xalloc.h"

#include "workload.h"

#define MAX_EVENTS 256
#define OUT_MAX    (64 * HP_HELLO_MAX_RESPONSE) /* answers queued for a client that is not reading */

/* ------------------------------------------------------------------------
 * The session table
 */

void table_init(struct table *t, size_t n)
{
	t->slot = hp_xcalloc(n, sizeof *t->slot);
	t->n = n;
	t->next = 0;
	t->expired = 0;
	/* Half the slots hold sessions that are already over, for the first sweep to free. */
	for (size_t i = 0; i < n; i += 2) {
		t->slot[i].expires_ms = 1;
		t->slot[i].client = i;
	}
}

void table_release(struct table *t)
{
	free(t->slot);
}

void table_touch(struct table *t, uint64_t client, uint64_t now_ms)
{
	struct session *s = &t->slot[(client * 0x9e3779b97f4a7c15u >> 20) % t->n];

	s->expires_ms = now_ms + SESSION_TTL_MS;
	s->client = client;
}

size_t table_sweep(struct table *t, size_t count, uint64_t now_ms)
{
	for (size_t k = 0; k < count; k++) {
		struct session *s = &t->slot[t->next];

		if (s->expires_ms && s->expires_ms <= now_ms) {
			s->expires_ms = 0;
			t->expired++;
		}
		if (++t->next == t->n)
			t->next = 0;
	}
	return count;
}

/* ------------------------------------------------------------------------
 * The server
 */

struct conn {
	struct conn *prev, *next; /* every open connection, so a stop can close them all */
	int fd;
	int want_out; /* EPOLLOUT is in the interest set: output is waiting for room */
	uint64_t client;
	size_t in_len, out_len, out_off;
	char in[HP_HTTP_MAX_HEAD];
	char out[OUT_MAX];
};

static uint64_t now_ms(void)
{
	return hp_now_ns() / 1000000;
}

static struct conn conns = {.prev = &conns, .next = &conns};

static void conn_close(int ep, struct conn *c, size_t *open)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
	(*open)--;
}

/* Send what is pending; returns 0, or -1 when the connection is gone. */
static int conn_flush(int ep, struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
	}
	int want_out = c->out_off < c->out_len;

	if (!want_out)
		c->out_len = c->out_off = 0;
	/* Change the interest only when it changes: an epoll_ctl per answer cost 4% of the server's time. */
	if (want_out != c->want_out) {
		struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};

		c->want_out = want_out;
		return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) ? -1 : 0;
	}
	return 0;
}

/*
 * Read what the client sent and answer every complete request. Returns 0,
 * or -1 when the connection must close (the client left, an error, or a
 * request that asked for it, once its answer is flushed).
 */
static int conn_serve(int ep, struct conn *c, struct table *t, uint64_t *served)
{
	int close_after = 0;

	for (;;) {
		ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return -1;
		c->in_len += (size_t)n;

		size_t used, len;
		while (!close_after && c->in_len && c->out_len + HP_HELLO_MAX_RESPONSE <= sizeof c->out &&
		       (used = hp_hello_handle(c->in, c->in_len, c->out + c->out_len, &len, &close_after)) >
		           0) {
			c->out_len += len;
			memmove(c->in, c->in + used, c->in_len - used);
			c->in_len -= used;
			table_touch(t, c->client, now_ms());
			(*served)++;
		}
		if (close_after || c->out_len + HP_HELLO_MAX_RESPONSE > sizeof c->out)
			break; /* answer what we have before reading more */
	}
	if (conn_flush(ep, c) || (close_after && c->out_len == 0))
		return -1;
	return 0;
}

int serve(int argc, char **argv)
{
	struct hp_opts opt;
	struct epoll_event ev, events[MAX_EVENTS];
	struct table t;
	uint64_t served = 0, clients = 0, max_pause_ns = 0, sweep_ns = 0;
	size_t open = 0, peak = 0;
	int stop_fd, lfd, ep;

	hp_opts_parse(&opt, argc, argv, "port,sessions");
	table_init(&t, (size_t)hp_opts_u64(&opt, "sessions", SESSIONS_DEFAULT));
	stop_fd = hp_stop_fd();
	if (stop_fd < 0)
		hp_die("signalfd: %s", strerror(-stop_fd));
	lfd = hp_listen_tcp(NULL, (int)hp_opts_u64(&opt, "port", 0), 4096, HP_LISTEN_NONBLOCK);
	if (lfd < 0)
		hp_die("listen: %s", strerror(-lfd));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		hp_die("epoll_create1: %s", strerror(errno));
	ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = NULL};
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = &stop_fd};
	epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd, &ev);

	sweep_due(&t, now_ms()); /* the first sweep, before any client is served */
	hp_server_ready(hp_socket_port(lfd));

	for (int stopping = 0; !stopping;) {
		uint64_t t0 = hp_now_ns();
		int wait_ms = sweep_due(&t, t0 / 1000000);
		uint64_t d = hp_now_ns() - t0;

		sweep_ns += d;
		if (d > max_pause_ns)
			max_pause_ns = d;

		int n = epoll_wait(ep, events, MAX_EVENTS, wait_ms > 0 ? wait_ms : 0);
		if (n < 0 && errno != EINTR)
			hp_die("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;

			if (events[i].data.ptr == &stop_fd) {
				stopping = 1;
			} else if (!c) {
				int fd;
				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					c = hp_xmalloc(sizeof *c);
					c->fd = fd;
					c->client = clients++;
					c->in_len = c->out_len = c->out_off = 0;
					c->want_out = 0;
					ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = c};
					if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
						close(fd);
						free(c);
						continue;
					}
					c->next = conns.next;
					c->prev = &conns;
					conns.next->prev = c;
					conns.next = c;
					if (++open > peak)
						peak = open;
				}
			} else if ((events[i].events & (EPOLLERR | EPOLLHUP)) &&
			           !(events[i].events & EPOLLIN)) {
				conn_close(ep, c, &open);
			} else if (events[i].events & EPOLLOUT && !(events[i].events & EPOLLIN)) {
				if (conn_flush(ep, c))
					conn_close(ep, c, &open);
			} else if (conn_serve(ep, c, &t, &served)) {
				conn_close(ep, c, &open);
			}
		}
	}

	while (conns.next != &conns)
		conn_close(ep, conns.next, &open);
	hp_report_metric("max_pause_us", (double)max_pause_ns / 1e3, "us", HP_LOWER_IS_BETTER);
	hp_report_metric("sweep_ms", (double)sweep_ns / 1e6, "ms", HP_LOWER_IS_BETTER);
	hp_report_metric("served", (double)served, "requests", HP_HIGHER_IS_BETTER);
	hp_report_metric("expired", (double)t.expired, "sessions", HP_HIGHER_IS_BETTER);
	hp_report_metric("peak_connections", (double)peak, "connections", HP_HIGHER_IS_BETTER);
	close(ep);
	close(lfd);
	close(stop_fd);
	table_release(&t);
	return 0;
}
