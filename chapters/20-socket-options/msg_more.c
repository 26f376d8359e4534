/*
 * Chapter 20, msg_more variant: the head with MSG_MORE, then the body.
 *
 * The other socket-level answer: tell the kernel that more is coming.
 * send(..., MSG_MORE) (per call; TCP_CORK is the same as a socket option)
 * keeps a partial segment back until the next send() without the flag
 * fills it or ends it, so the head and the body leave in one segment. No
 * stall and one segment, but still two system calls per response; and
 * with Nagle still on, a small write that is not followed by another (a
 * response without a body) can still be held.
 */
#include <sys/socket.h>

#include "workload.h"

void conn_setup(int fd)
{
	(void)fd; /* the defaults: Nagle's algorithm on */
}

int send_response(int fd, const struct iovec part[2])
{
	/* The head with MSG_MORE: the kernel holds it until the body's send() completes the segment. */
	return send_in_two(fd, part, part[1].iov_len ? MSG_MORE : 0);
}

int main(int argc, char **argv)
{
	return serve(argc, argv);
}
