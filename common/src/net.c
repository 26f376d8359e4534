/*
 * Socket plumbing for the network lessons and the load generator
 * (hp/net.h): loopback addresses, listening and connecting sockets, whole
 * writes, and the stop signal as a descriptor.
 *
 * Nothing here is timed: servers call it once at start-up and the load
 * generator once per connection, so it is written for clarity, not speed.
 * It sets no option a chapter teaches; the only ones it sets are the ones
 * every server needs to restart (SO_REUSEADDR) or that a flag asks for.
 *
 * Every descriptor is created close-on-exec (SOCK_CLOEXEC, SFD_CLOEXEC):
 * the harness starts servers and clients from one process, and a socket
 * leaked into a child would keep a port or a connection alive after its
 * owner closed it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hp/net.h"

int hp_loopback_addr(const char *addr, struct in_addr *out)
{
	struct in_addr a;

	out->s_addr = htonl(INADDR_ANY);
	if (!addr)
		addr = "127.0.0.1";
	/* inet_pton accepts exactly four dotted decimals: no "127.1", no hex. */
	if (inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	if ((ntohl(a.s_addr) >> 24) != 127)
		return -EPERM;
	*out = a;
	return 0;
}

/* addr:port as a sockaddr_in, with the checks of hp_loopback_addr(). */
static int loopback_sockaddr(const char *addr, int port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof *sa);
	if (port < 0 || port > 65535)
		return -EINVAL;
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return hp_loopback_addr(addr, &sa->sin_addr);
}

int hp_listen_tcp(const char *addr, int port, int backlog, unsigned flags)
{
	struct sockaddr_in sa;
	int fd, err, one = 1;

	if (flags & ~(unsigned)(HP_LISTEN_NONBLOCK | HP_LISTEN_REUSEPORT))
		return -EINVAL;
	err = loopback_sockaddr(addr, port, &sa);
	if (err)
		return err;
	fd =
	    socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (flags & HP_LISTEN_NONBLOCK ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		goto out_close;
	if ((flags & HP_LISTEN_REUSEPORT) && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
		goto out_close;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		goto out_close;
	if (listen(fd, backlog) < 0)
		goto out_close;
	return fd;

out_close:
	err = -errno;
	close(fd);
	return err;
}

int hp_socket_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -EAFNOSUPPORT;
}

/*
 * Wait for a blocking connect that a signal interrupted. The kernel goes on
 * connecting after EINTR, and calling connect() again would only answer
 * EALREADY, so wait until the socket is writable and read the outcome from
 * SO_ERROR.
 */
static int finish_connect(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int soerr = 0;

	while (poll(&pfd, 1, -1) < 0)
		if (errno != EINTR)
			return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -errno;
	return -soerr;
}

int hp_connect_tcp(const char *addr, int port, const char *src, unsigned flags)
{
	struct sockaddr_in sa, local;
	int fd, err;

	if (flags & ~(unsigned)HP_CONNECT_NONBLOCK)
		return -EINVAL;
	err = loopback_sockaddr(addr, port, &sa);
	if (!err && port == 0)
		err = -EINVAL;
	if (!err && src)
		err = loopback_sockaddr(src, 0, &local);
	if (err)
		return err;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (flags & HP_CONNECT_NONBLOCK ? SOCK_NONBLOCK : 0),
	            0);
	if (fd < 0)
		return -errno;
	/* Port 0: the kernel picks a free ephemeral port of that source address. */
	/*
	 * IP_BIND_ADDRESS_NO_PORT: let connect() pick the local port, as it does
	 * without a bind. Without it, bind() must find a port free for every
	 * possible destination: with tens of thousands of connections in
	 * TIME_WAIT from earlier load runs, that took 1.1 ms a connection here,
	 * against 29 us with it (16,000 connections: 15 s against 0.5 s).
	 */
	if (src)
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &(int){1}, sizeof(int));
	if (src && bind(fd, (struct sockaddr *)&local, sizeof local) < 0)
		goto out_close;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		return fd;
	if (errno == EINPROGRESS && (flags & HP_CONNECT_NONBLOCK))
		return fd;
	if (errno != EINTR)
		goto out_close;
	err = finish_connect(fd);
	if (err)
		goto out_close_err;
	return fd;

out_close:
	err = -errno;
out_close_err:
	close(fd);
	return err;
}

int hp_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int hp_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hp_stop_fd(void)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigset_t stop, old;
	int fd, err;

	/* A write to a closed connection answers EPIPE instead of killing the server. */
	if (sigaction(SIGPIPE, &ign, NULL) < 0)
		return -errno;

	/*
	 * Blocked, the signals stay pending until the event loop reads them
	 * from the descriptor. On Linux sigprocmask() sets the mask of the
	 * calling thread only, exactly as pthread_sigmask() does; threads
	 * created afterwards inherit it, so no thread takes the signal with
	 * its default action (terminate) before the loop sees it.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stop, &old) < 0)
		return -errno;
	fd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		goto out_restore_mask;
	return fd;

out_restore_mask:
	err = -errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err;
}

void hp_server_ready(int port)
{
	char line[32];
	int n = snprintf(line, sizeof line, "ready port=%d\n", port);

	/*
	 * One write(2), so the line cannot interleave with another thread's
	 * output; there is nobody to tell if it fails, the harness times out.
	 */
	if (n > 0 && (size_t)n < sizeof line)
		(void)hp_write_all(STDERR_FILENO, line, (size_t)n);
}
