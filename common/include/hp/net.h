#ifndef HP_NET_H
#define HP_NET_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Small socket helpers for the network lessons and the load generator.
 * They do only the plumbing every program repeats (resolve a loopback
 * address, socket + bind + listen, connect); they never set an option a
 * chapter teaches (TCP_NODELAY, buffer sizes, ...): a chapter that teaches
 * an option sets it in its own code, where the reader sees it.
 *
 * hotpath sends traffic to 127.0.0.0/8 only: every function that takes an
 * address refuses anything else with -EPERM. Functions return a descriptor
 * or 0 on success and -errno on failure; none allocates.
 */

enum hp_listen_flags {
	/* The listening socket is O_NONBLOCK (accept4 callers still pass their own flags). */
	HP_LISTEN_NONBLOCK = 1 << 0,
	/* SO_REUSEPORT: several processes share one port. */
	HP_LISTEN_REUSEPORT = 1 << 1,
};

enum hp_connect_flags {
	/* Return at once; connect may still be in progress (check SO_ERROR when writable). */
	HP_CONNECT_NONBLOCK = 1 << 0,
};

/*
 * Parse a dotted IPv4 loopback address ("127.0.0.1"; NULL means 127.0.0.1)
 * into *out (network byte order). Returns 0, -EINVAL when it is not an
 * IPv4 address in dotted-decimal form, -EPERM when it is not in
 * 127.0.0.0/8; *out is 0.0.0.0 after a failure.
 */
struct in_addr;
int hp_loopback_addr(const char *addr, struct in_addr *out);

/*
 * A TCP socket bound to addr:port (port 0: the kernel picks a free port)
 * and listening with the given backlog. SO_REUSEADDR is always set, so a
 * restarted server can bind again at once. Returns the descriptor
 * (close-on-exec) or -errno; -EINVAL for a port outside 0..65535 or an
 * unknown flag.
 */
int hp_listen_tcp(const char *addr, int port, int backlog, unsigned flags);

/* The local port of a bound socket, or -errno. */
int hp_socket_port(int fd);

/*
 * A TCP connection to addr:port. src, when not NULL, binds the local end to
 * that loopback address first (127.0.0.2, 127.0.0.3, ...: each source
 * address has its own ~28,000 ephemeral ports, which is how a load test
 * opens more connections than one address allows). Returns the descriptor
 * (close-on-exec) or -errno; -EINVAL for a port outside 1..65535 or an
 * unknown flag. With HP_CONNECT_NONBLOCK, -EINPROGRESS is not an error: the
 * descriptor is returned and the connection completes later. A blocking
 * connect interrupted by a signal waits for the outcome instead of
 * returning -EINTR.
 */
int hp_connect_tcp(const char *addr, int port, const char *src, unsigned flags);

/* Set O_NONBLOCK. Returns 0 or -errno. */
int hp_set_nonblock(int fd);

/*
 * Write all len bytes to a blocking descriptor, retrying on EINTR and short
 * writes. Returns 0 or -errno (-EPIPE when the peer closed: callers ignore
 * SIGPIPE, see hp_stop_fd()).
 */
int hp_write_all(int fd, const void *buf, size_t len);

/*
 * The server side of the harness protocol: blocks SIGTERM and SIGINT in the
 * calling thread (threads created afterwards inherit the mask, so call it
 * first in main), ignores SIGPIPE, and returns a signalfd that becomes
 * readable when either signal arrives. Event loops add it to their epoll
 * set; thread-per-connection servers poll it in the accept loop. The
 * descriptor is nonblocking and close-on-exec; each read(2) returns one
 * struct signalfd_siginfo (or EAGAIN once drained). Returns the descriptor
 * or -errno (the signal mask is restored then).
 */
int hp_stop_fd(void);

/*
 * Tell the harness the server is ready: writes "ready port=N\n" to stderr.
 * The harness waits for the line "ready" at the start of a line.
 */
void hp_server_ready(int port);

#endif
