#ifndef HP_CH20_WORKLOAD_H
#define HP_CH20_WORKLOAD_H

#include <sys/uio.h>

/*
 * The server of chapter 20: the hello API (hp/hello.h), a thread per
 * connection (chapter 19's naive design, which is fine for the few dozen
 * connections of this page). It hands each response to the variant as an
 * HTTP framework does: a head, formatted for this request, and a body, in
 * two buffers. The variants differ only in the options of a new connection
 * and in how those two buffers leave (naive.c, nodelay.c, msg_more.c,
 * optimized.c); everything else is here.
 *
 * When it stops (SIGTERM) the server reports, per response:
 *   writes_per_response    the system calls the variant made to send it
 *   segments_per_response  the TCP segments that carried data, as the
 *                          kernel counted them (TCP_INFO tcpi_data_segs_out,
 *                          read before each connection closes)
 */

/* Called once for every accepted connection, before its first read. */
void conn_setup(int fd);

/*
 * Send part[0] (the head) and then part[1] (the body, maybe empty) on the
 * blocking socket fd, all of both. Returns the number of system calls it
 * made (at least 1), or -errno when the connection failed (-EPIPE: the
 * client has gone).
 */
int send_response(int fd, const struct iovec part[2]);

/*
 * Send part[0] (the head) with send() and flags head_flags, then part[1]
 * (the body, when there is one) with send() and no flags, each whole
 * (retrying on EINTR and short sends; MSG_NOSIGNAL always). Returns the
 * number of send() calls, or -errno. The variants that send a response in
 * two pieces do it with this.
 */
int send_in_two(int fd, const struct iovec part[2], int head_flags);

/* Run the server until SIGTERM (--port N, --admin-port N); see workload.c. Returns the exit status. */
int serve(int argc, char **argv);

#endif
