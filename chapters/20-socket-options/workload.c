/*
 * The server of chapter 20 (see workload.h): the main thread accepts, and
 * each connection gets a thread that reads a request, asks hp_hello_handle()
 * for the answer, hands it to the variant's send_response() as a head and a
 * body, and reads the next. The connections live in a fixed table so that
 * a stop can shut them down and wake their threads; a connection beyond
 * the table, one a thread cannot be started for, or one accepted when the
 * process is out of descriptors (with a descriptor kept in reserve for
 * that, as chapter 19's servers do) is closed at once and counted as
 * refused: the client sees the connection closed, not a hang.
 *
 * Before closing a connection its thread asks the kernel how many segments
 * carried its data (TCP_INFO), which is what the page's
 * segments_per_response is made of: the variants differ there, and in the
 * system calls they make, more than anywhere else.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_data_segs_out; glibc's lacks it */
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hp/admin.h"
#include "hp/hello.h"
#include "hp/http.h"
#include "hp/net.h"
#include "hp/opts.h"
#include "hp/report.h"
#include "hp/xalloc.h"

#include "workload.h"

#define MAX_CONNS 4096 /* the load runs of this page open 64 at most */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t idle; /* signalled when the last connection ends */
	int fd[MAX_CONNS];   /* -1: a free slot */
	size_t live;
	int stopping;
} conns = {.lock = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER};

static atomic_uint_fast64_t responses, writes, segments;
static struct hp_admin_counters stats; /* for the admin endpoint */

/* A slot for fd, or -1 when the table is full or the server is stopping. */
static int conn_add(int fd)
{
	int slot = -1;

	pthread_mutex_lock(&conns.lock);
	for (int i = 0; i < MAX_CONNS && !conns.stopping; i++)
		if (conns.fd[i] < 0) {
			conns.fd[i] = fd;
			conns.live++;
			slot = i;
			break;
		}
	atomic_store_explicit(&stats.open, conns.live, memory_order_relaxed);
	if (conns.live > atomic_load_explicit(&stats.peak, memory_order_relaxed))
		atomic_store_explicit(&stats.peak, conns.live, memory_order_relaxed);
	pthread_mutex_unlock(&conns.lock);
	return slot;
}

static void conn_remove(int slot)
{
	pthread_mutex_lock(&conns.lock);
	conns.fd[slot] = -1;
	if (--conns.live == 0)
		pthread_cond_signal(&conns.idle);
	atomic_store_explicit(&stats.open, conns.live, memory_order_relaxed);
	pthread_mutex_unlock(&conns.lock);
}

/* The segments that carried this connection's data, as the kernel counted them. */
static void count_segments(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    len >= offsetof(struct tcp_info, tcpi_data_segs_out) + sizeof ti.tcpi_data_segs_out)
		atomic_fetch_add_explicit(&segments, ti.tcpi_data_segs_out, memory_order_relaxed);
}

/* send() all len bytes; returns the calls made, or -errno. */
static int send_counted(int fd, const void *buf, size_t len, int flags)
{
	const char *p = buf;
	int calls = 0;

	while (len) {
		ssize_t n = send(fd, p, len, flags | MSG_NOSIGNAL);

		calls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return calls;
}

int send_in_two(int fd, const struct iovec part[2], int head_flags)
{
	int head = send_counted(fd, part[0].iov_base, part[0].iov_len, head_flags);
	if (head < 0 || !part[1].iov_len)
		return head;
	int body = send_counted(fd, part[1].iov_base, part[1].iov_len, 0);
	return body < 0 ? body : head + body;
}

/* One connection: read, answer, repeat, until the client, an error or a stop closes it. */
static void *conn_main(void *arg)
{
	int slot = (int)(intptr_t)arg, fd = conns.fd[slot];
	char in[HP_HTTP_MAX_HEAD], out[HP_HELLO_MAX_RESPONSE];
	size_t len = 0;

	conn_setup(fd);
	for (;;) {
		ssize_t n = read(fd, in + len, sizeof in - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;

		size_t used, out_len;
		int close_after = 0;

		/* Answer every complete request in the buffer (a client may pipeline). */
		while (len && (used = hp_hello_handle(in, len, out, &out_len, &close_after)) > 0) {
			/* The head ends at its blank line; what follows is the body. */
			const char *blank = memmem(out, out_len, "\r\n\r\n", 4);
			size_t head = blank ? (size_t)(blank - out) + 4 : out_len;
			struct iovec part[2] = {{out, head}, {out + head, out_len - head}};
			int calls = send_response(fd, part);

			if (calls < 0)
				goto done;
			atomic_fetch_add_explicit(&responses, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&writes, (unsigned)calls, memory_order_relaxed);
			atomic_fetch_add_explicit(&stats.requests, 1, memory_order_relaxed);
			if (close_after)
				goto done;
			memmove(in, in + used, len - used);
			len -= used;
		}
	}
done:
	count_segments(fd);
	conn_remove(slot); /* before close(): a stop must never shut down a number reused since */
	close(fd);
	return NULL;
}

static void refuse(int fd)
{
	close(fd);
	atomic_fetch_add_explicit(&stats.refused, 1, memory_order_relaxed);
}

int serve(int argc, char **argv)
{
	struct hp_opts opt;
	struct hp_admin admin = {.fd = -1};
	pthread_attr_t attr;
	int stop_fd, lfd, reserve;

	hp_opts_parse(&opt, argc, argv, "port,admin-port");
	for (int i = 0; i < MAX_CONNS; i++)
		conns.fd[i] = -1;
	stop_fd = hp_stop_fd();
	if (stop_fd < 0)
		hp_die("signalfd: %s", strerror(-stop_fd));
	lfd = hp_listen_tcp(NULL, (int)hp_opts_u64(&opt, "port", 0), 4096, 0);
	if (lfd < 0)
		hp_die("listen: %s", strerror(-lfd));
	if (hp_opts_str(&opt, "admin-port", NULL)) {
		int err = hp_admin_start(&admin, (int)hp_opts_u64(&opt, "admin-port", 0), &stats, 1);
		if (err)
			hp_die("admin endpoint: %s", strerror(-err));
		fprintf(stderr, "admin port=%d\n", admin.port);
	}
	/* A descriptor given up to refuse a connection when the process is out of them. */
	reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	hp_server_ready(hp_socket_port(lfd));

	for (;;) {
		struct pollfd pfd[2] = {{.fd = lfd, .events = POLLIN}, {.fd = stop_fd, .events = POLLIN}};

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			hp_die("poll: %s", strerror(errno));
		if (pfd[1].revents)
			break;
		if (!pfd[0].revents)
			continue;

		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if ((errno == EMFILE || errno == ENFILE) && reserve >= 0) {
				/* Out of descriptors: refuse this one cleanly instead of spinning on it. */
				close(reserve);
				fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
				if (fd >= 0)
					refuse(fd);
				reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
			}
			continue;
		}
		int slot = conn_add(fd);
		pthread_t tid;
		if (slot < 0)
			refuse(fd);
		else if (pthread_create(&tid, &attr, conn_main, (void *)(intptr_t)slot)) {
			conn_remove(slot);
			refuse(fd);
		}
	}

	/* Stop: no new connections; wake every thread blocked in read() and wait for them. */
	close(lfd);
	pthread_mutex_lock(&conns.lock);
	conns.stopping = 1;
	for (int i = 0; i < MAX_CONNS; i++)
		if (conns.fd[i] >= 0)
			shutdown(conns.fd[i], SHUT_RDWR);
	while (conns.live)
		pthread_cond_wait(&conns.idle, &conns.lock);
	pthread_mutex_unlock(&conns.lock);

	uint64_t n = atomic_load(&responses);
	if (n) {
		hp_report_metric("writes_per_response", (double)atomic_load(&writes) / (double)n, "calls",
		                 HP_LOWER_IS_BETTER);
		hp_report_metric("segments_per_response", (double)atomic_load(&segments) / (double)n,
		                 "segments", HP_LOWER_IS_BETTER);
	}
	hp_report_metric("refused_connections", (double)atomic_load(&stats.refused), "connections",
	                 HP_LOWER_IS_BETTER);
	hp_admin_stop(&admin);
	pthread_attr_destroy(&attr);
	if (reserve >= 0)
		close(reserve);
	close(stop_fd);
	return 0;
}
