#ifndef HP_CH21_WORKLOAD_H
#define HP_CH21_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Chapter 21: a client that makes --size HTTP GET requests, one after the
 * other, to an upstream server (nginx, started on 127.0.0.1 by
 * common/scripts/nginx-upstream.sh, which hp-run runs as the lesson's
 * service and which sets HP_UPSTREAM_PORT). The paths come from --seed: most
 * are "/" (200, the hello body), one in eight is "/missing/N" (404, nginx's
 * error page), so the answers are not all alike.
 *
 * The variants differ only in struct client (naive.c, optimized.c): how a
 * request gets a connection, and what happens to it afterwards. The
 * workload checks every answer, counts and digests them, and prints
 *   requests N / ok N / not_found N / body_bytes N / digest HEX
 * and reports connections_per_request (the connections the client opened,
 * counted by the variant). The sockets a run leaves in TIME_WAIT are not a
 * metric: they last 60 s, so in alternating runs each run would count its
 * neighbours' too; profile-extra.sh counts them with runs 61 s apart.
 */

#define REPLY_MAX 8192 /* a head and a body of either answer fit, with room to spare */

/* An answer, parsed: its status, and its body as a view into the caller's buffer. */
struct reply {
	int status;
	const char *body;
	size_t body_len;
	int close; /* the server said "Connection: close" */
};

/*
 * Parse the answer at the start of buf[0..len): returns its length (head and
 * body) and fills *r, 0 when it is not complete yet, or -1 when it is not a
 * valid answer (no Content-Length, or a malformed head). Never allocates.
 */
long reply_parse(const char *buf, size_t len, struct reply *r);

/*
 * Write the request for path into buf[0..cap): HTTP/1.1 with a Host header,
 * and "Connection: close" when keep_alive is 0. Returns its length; dies
 * when it does not fit (paths here are short).
 */
size_t request_write(char *buf, size_t cap, const char *path, int keep_alive);

/* The variant's client. */
struct client;

/* A client of the upstream at 127.0.0.1:port. Allocates; client_free() releases it. */
struct client *client_new(int port);

/*
 * GET path and put the answer into *r, its body a view into the client's
 * own buffer, valid until the next call. Returns 0, or -errno when the
 * request failed (the upstream refused the connection, or closed it
 * without answering).
 */
int client_get(struct client *c, const char *path, struct reply *r);

/* The connections the client has opened so far. */
uint64_t client_connections(const struct client *c);

void client_free(struct client *c);

/* Run the job with the variant's client (see above); the variant's main() calls it. */
int workload_main(int argc, char **argv);

#endif
