/*
 * Chapter 20, naive variant: the head, then the body.
 *
 * The server has the response in two pieces, as every HTTP framework does
 * (a head formatted for this request, a body from elsewhere), and writes
 * them as they come: one send() for the head, one for the body. The
 * socket keeps the kernel's defaults.
 *
 * Nothing here is wrong, and on a fresh connection it is fast. But TCP's
 * default is Nagle's algorithm: a small segment may not leave while an
 * earlier small segment is unacknowledged. The head goes out at once; the
 * body is small and the head is not acknowledged yet, so the body waits.
 * The client, meanwhile, has half a response and nothing to send, so it
 * delays its acknowledgement (Linux waits at least 40 ms, hoping to carry
 * it on data of its own). Each side waits for the other until the client's
 * delayed-ACK timer fires: 40 ms for every response on a kept-alive
 * connection.
 */
#include "workload.h"

void conn_setup(int fd)
{
	(void)fd; /* the defaults: Nagle's algorithm on */
}

int send_response(int fd, const struct iovec part[2])
{
	return send_in_two(fd, part, 0); /* the head, then the body: a send() each */
}

int main(int argc, char **argv)
{
	return serve(argc, argv);
}
