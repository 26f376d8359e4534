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
#include <errno.h>
#include <sys/socket.h>

#include "workload.h"

void conn_setup(int fd)
{
	(void)fd; /* the defaults: Nagle's algorithm on */
}

int send_response(int fd, const struct iovec part[2])
{
	int calls = 0;

	for (int i = 0; i < 2; i++) {
		const char *p = part[i].iov_base;
		size_t left = part[i].iov_len;
		/* The head is followed by a body (when there is one): hold it for the body. */
		int flags = MSG_NOSIGNAL | (i == 0 && part[1].iov_len ? MSG_MORE : 0);

		while (left) {
			ssize_t n = send(fd, p, left, flags);

			calls++;
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			p += n;
			left -= (size_t)n;
		}
	}
	return calls;
}

int main(int argc, char **argv)
{
	return serve(argc, argv);
}
