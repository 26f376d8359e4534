/*
 * Chapter 21, naive variant: a new connection for every request.
 *
 * The client as most code first writes it, and as most one-call HTTP
 * helpers behave (a bare curl_easy_perform() on a new handle, Python's
 * requests.get() without a Session): connect, send the request with
 * "Connection: close", read until the server closes, parse, close. Each
 * request is self-contained, and no state is left between them.
 *
 * Each request also pays for a connection: the three-way handshake (a
 * round trip before the request can leave), accept() and a new socket in
 * the server, the close handshake, and a socket left in TIME_WAIT for a
 * minute by whichever side closed first (here nginx, as it answers
 * "Connection: close"). On a real network the handshake alone is a round
 * trip per request; on the loopback this page measures the rest.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "hp/net.h"
#include "hp/xalloc.h"

#include "workload.h"

struct client {
	int port;
	uint64_t connections;
	char buf[REPLY_MAX];
};

struct client *client_new(int port)
{
	struct client *c = hp_xcalloc(1, sizeof *c);

	c->port = port;
	return c;
}

int client_get(struct client *c, const char *path, struct reply *r)
{
	char req[256];
	size_t req_len = request_write(req, sizeof req, path, 0), len = 0;
	int fd = hp_connect_tcp(NULL, c->port, NULL, 0), err = 0;

	if (fd < 0)
		return fd;
	c->connections++;
	err = hp_write_all(fd, req, req_len);
	/* The answer ends where the connection does. */
	while (!err) {
		ssize_t n = read(fd, c->buf + len, sizeof c->buf - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		else if (n == 0)
			break;
		else if ((len += (size_t)n) == sizeof c->buf)
			err = -EMSGSIZE;
	}
	close(fd);
	if (err)
		return err;
	return reply_parse(c->buf, len, r) == (long)len ? 0 : -EPROTO;
}

uint64_t client_connections(const struct client *c)
{
	return c->connections;
}

void client_free(struct client *c)
{
	free(c);
}

int main(int argc, char **argv)
{
	return workload_main(argc, argv);
}
