/*
 * Chapter 20, optimized variant: one writev() for the whole response, and
 * TCP_NODELAY.
 *
 * The response is already in memory, in two buffers; writev() hands both to
 * the kernel in one system call, which sends them as one segment (the
 * response is far smaller than a segment). With one segment per response
 * there is no second small segment for Nagle's algorithm to hold, and
 * TCP_NODELAY is set all the same, so that nothing this server ever sends
 * (a response that does not fit one segment, pipelined answers) waits for
 * an acknowledgement. nginx sets TCP_NODELAY on kept-alive connections by
 * default, and Go's net package on every TCP connection.
 *
 * A short write (a full socket buffer: a client that does not read) is
 * resumed where it stopped, still gathering what is left of both buffers.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "workload.h"

void conn_setup(int fd)
{
	int on = 1;

	/* A failure leaves Nagle on: slower, never wrong, so it is not fatal. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

int send_response(int fd, const struct iovec part[2])
{
	struct iovec iov[2] = {part[0], part[1]};
	struct iovec *v = iov;
	size_t left = part[0].iov_len + part[1].iov_len;
	int cnt = 2, calls = 0;

	while (left) {
		ssize_t n = writev(fd, v, cnt);

		calls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		left -= (size_t)n;
		/* Skip what was sent: whole buffers, then the start of the next. */
		size_t done = (size_t)n;
		while (cnt && done >= v->iov_len) {
			done -= v->iov_len;
			v++;
			cnt--;
		}
		if (cnt) {
			v->iov_base = (char *)v->iov_base + done;
			v->iov_len -= done;
		}
	}
	return calls;
}

int main(int argc, char **argv)
{
	return serve(argc, argv);
}
