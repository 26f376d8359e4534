/*
 * Chapter 20, nodelay variant: the head, then the body, with TCP_NODELAY.
 *
 * The usual fix, and the first one people find: switch Nagle's algorithm
 * off on every connection, so a small segment leaves at once whatever is
 * still unacknowledged. The 40 ms stall is gone. But the response still
 * leaves in two segments, from two system calls: twice the packets, twice
 * the headers, twice the work in both kernels for the same bytes.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "workload.h"

void conn_setup(int fd)
{
	int on = 1;

	/* A failure leaves Nagle on: slower, never wrong, so it is not fatal. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

int send_response(int fd, const struct iovec part[2])
{
	return send_in_two(fd, part, 0); /* the head, then the body: a send() each, as naive */
}

int main(int argc, char **argv)
{
	return serve(argc, argv);
}
