/*
 * Chapter 21, optimized variant: one kept-alive connection, reused.
 *
 * HTTP/1.1 keeps a connection open after an answer unless one side says
 * "Connection: close", so the client keeps it: the first request connects,
 * and every later one is written on the same socket. The answer no longer
 * ends where the connection does, so the client reads until the head and
 * Content-Length bytes of body are in (reply_parse() says when), and keeps
 * any bytes beyond them for the next answer (there are none here: one
 * request is in flight at a time). TCP_NODELAY is set, as chapter 20 says
 * a request/response connection should be.
 *
 * A kept connection can go stale: the server closes an idle or
 * much-used connection (nginx after keepalive_timeout, or
 * keepalive_requests answers), and the client learns it only when its next
 * request gets no answer. A GET may then be sent again on a new connection,
 * once, as HTTP clients do (RFC 9110 §9.2.2: GET is idempotent); on a
 * connection that was just opened, a failure is an error. A pool of
 * connections for concurrent requests is this, with a list of idle
 * connections instead of one.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hp/net.h"
#include "hp/xalloc.h"

#include "workload.h"

struct client {
	int port;
	int fd; /* the kept connection, or -1 */
	uint64_t connections;
	size_t len;  /* bytes in buf */
	size_t used; /* of them, the answer handed out last */
	char buf[REPLY_MAX];
};

struct client *client_new(int port)
{
	struct client *c = hp_xcalloc(1, sizeof *c);

	c->port = port;
	c->fd = -1;
	return c;
}

static void drop(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = c->used = 0;
}

/* One attempt on the kept connection (opened first if there is none). Returns 0 or -errno. */
static int attempt(struct client *c, const char *req, size_t req_len, struct reply *r)
{
	if (c->fd < 0) {
		int on = 1;
		c->len = c->used = 0; /* nothing carries over from a closed connection */
		c->fd = hp_connect_tcp(NULL, c->port, NULL, 0);
		if (c->fd < 0)
			return c->fd;
		c->connections++;
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on); /* a failure only costs time */
	}
	/* What the last answer left behind is the start of this one. */
	memmove(c->buf, c->buf + c->used, c->len - c->used);
	c->len -= c->used;
	c->used = 0;

	int err = hp_write_all(c->fd, req, req_len);
	if (err)
		return err;
	for (;;) {
		long n = reply_parse(c->buf, c->len, r);
		if (n < 0)
			return -EPROTO;
		if (n > 0) {
			c->used = (size_t)n;
			return 0;
		}
		if (c->len == sizeof c->buf)
			return -EMSGSIZE;
		ssize_t got = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return -ECONNRESET; /* closed before the whole answer */
		c->len += (size_t)got;
	}
}

int client_get(struct client *c, const char *path, struct reply *r)
{
	char req[256];
	size_t req_len = request_write(req, sizeof req, path, 1);
	int reused = c->fd >= 0;
	int err = attempt(c, req, req_len, r);

	/* A kept connection the server had closed: once more, on a new one. */
	if (err && reused && c->len == 0) {
		drop(c);
		err = attempt(c, req, req_len, r);
	}
	if (err)
		drop(c);
	else if (r->close) {
		close(c->fd); /* the body stays readable in buf until the next call */
		c->fd = -1;
	}
	return err;
}

uint64_t client_connections(const struct client *c)
{
	return c->connections;
}

void client_free(struct client *c)
{
	drop(c);
	free(c);
}

int main(int argc, char **argv)
{
	return workload_main(argc, argv);
}
