/*
 * Chapter 19, naive variant: a thread per connection.
 *
 * The server of the hello API (hp/hello.h) written the way most servers
 * were written before event loops, and the way a competent engineer writes
 * one first: the main thread accepts, and every connection gets a thread of
 * its own that reads a request, answers it and reads the next, blocking in
 * read() while the client is quiet. The code is short and plain, and each
 * connection's state lives on its thread's stack.
 *
 * The price grows with the connections: a thread is a stack (mostly
 * untouched virtual memory, but some of it resident), a kernel task the
 * scheduler must pick, and a context switch every time a request arrives on
 * one connection and the answer leaves.
 *
 * Protocol of the harness: --port N (0: any free port), "ready port=N" on
 * stderr once listening, a clean exit on SIGTERM, after which it reports
 * peak_connections, refused_connections and mem_per_conn_bytes (how much
 * its resident memory grew, per connection at the peak). Limits: when
 * accept() fails because the process is out of descriptors (EMFILE), the
 * server closes a descriptor it keeps in reserve, accepts the connection,
 * closes it at once (the client sees the connection closed, not a hang)
 * and takes the reserve back, so the listening socket never stays readable
 * with nothing done about it: no busy loop. With --admin-port N it also
 * serves its counters as JSON on 127.0.0.1:N (hp/admin.h), and says
 * "admin port=N".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Every open connection, so that a stop can wake the threads blocked in read(). */
struct registry {
	pthread_mutex_t lock;
	pthread_cond_t empty;
	int *fds;
	size_t n, cap;
	size_t peak;
};

static struct registry reg = {.lock = PTHREAD_MUTEX_INITIALIZER, .empty = PTHREAD_COND_INITIALIZER};
static atomic_int stopping;
static struct hp_admin_counters stats; /* for the admin endpoint */

static void registry_add(int fd)
{
	pthread_mutex_lock(&reg.lock);
	if (reg.n == reg.cap) {
		reg.cap = reg.cap ? 2 * reg.cap : 1024;
		reg.fds = hp_xrealloc(reg.fds, reg.cap * sizeof *reg.fds);
	}
	reg.fds[reg.n++] = fd;
	if (reg.n > reg.peak)
		reg.peak = reg.n;
	atomic_store_explicit(&stats.open, reg.n, memory_order_relaxed);
	atomic_store_explicit(&stats.peak, reg.peak, memory_order_relaxed);
	pthread_mutex_unlock(&reg.lock);
}

static void registry_remove(int fd)
{
	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < reg.n; i++)
		if (reg.fds[i] == fd) {
			reg.fds[i] = reg.fds[--reg.n];
			break;
		}
	atomic_store_explicit(&stats.open, reg.n, memory_order_relaxed);
	if (reg.n == 0)
		pthread_cond_signal(&reg.empty);
	pthread_mutex_unlock(&reg.lock);
}

/* One connection: read, answer, repeat, until the client or an error closes it. */
static void *connection_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char in[HP_HTTP_MAX_HEAD], out[HP_HELLO_MAX_RESPONSE];
	size_t len = 0;

	while (!atomic_load(&stopping)) {
		ssize_t n = read(fd, in + len, sizeof in - len);

		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		if (n < 0)
			continue;
		len += (size_t)n;

		size_t used, out_len;
		int close_after = 0;

		/* Answer every complete request in the buffer (a client may pipeline). */
		while (len && (used = hp_hello_handle(in, len, out, &out_len, &close_after)) > 0) {
			atomic_fetch_add_explicit(&stats.requests, 1, memory_order_relaxed);
			if (hp_write_all(fd, out, out_len) || close_after)
				goto done;
			memmove(in, in + used, len - used);
			len -= used;
		}
	}
done:
	registry_remove(fd);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct hp_admin admin = {.fd = -1};
	pthread_attr_t attr;
	const char *admin_port;
	int stop_fd, lfd, reserve, port;
	long rss0, rss, hwm;

	hp_opts_parse(&opt, argc, argv, "port,admin-port");
	stop_fd = hp_stop_fd();
	if (stop_fd < 0)
		hp_die("signalfd: %s", strerror(-stop_fd));
	lfd = hp_listen_tcp(NULL, (int)hp_opts_u64(&opt, "port", 0), 4096, 0);
	if (lfd < 0)
		hp_die("listen: %s", strerror(-lfd));
	port = hp_socket_port(lfd);
	admin_port = hp_opts_str(&opt, "admin-port", NULL);
	if (admin_port) {
		int err = hp_admin_start(&admin, (int)hp_opts_u64(&opt, "admin-port", 0), &stats, 1);
		if (err)
			hp_die("admin endpoint: %s", strerror(-err));
		fprintf(stderr, "admin port=%d\n", admin.port);
	}
	reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	hp_admin_memory(&rss0, &hwm);
	hp_server_ready(port);

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
					close(fd);
				reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
				atomic_fetch_add_explicit(&stats.refused, 1, memory_order_relaxed);
			}
			continue;
		}
		registry_add(fd);

		pthread_t tid;
		int err = pthread_create(&tid, &attr, connection_main, (void *)(intptr_t)fd);
		if (err) {
			/* No thread for it (the process is out of memory or of threads): refuse it. */
			registry_remove(fd);
			close(fd);
			atomic_fetch_add_explicit(&stats.refused, 1, memory_order_relaxed);
		}
	}

	/* Stop: no new connections; wake every thread blocked in read() and wait for them. */
	close(lfd);
	atomic_store(&stopping, 1);
	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < reg.n; i++)
		shutdown(reg.fds[i], SHUT_RDWR);
	while (reg.n)
		pthread_cond_wait(&reg.empty, &reg.lock);
	pthread_mutex_unlock(&reg.lock);

	hp_report_metric("peak_connections", (double)reg.peak, "connections", HP_HIGHER_IS_BETTER);
	hp_report_metric("refused_connections", (double)atomic_load(&stats.refused), "connections",
	                 HP_LOWER_IS_BETTER);
	hp_admin_memory(&rss, &hwm);
	if (reg.peak)
		hp_report_metric("mem_per_conn_bytes", (double)(hwm - rss0) * 1024 / (double)reg.peak, "B",
		                 HP_LOWER_IS_BETTER);
	hp_admin_stop(&admin);
	free(reg.fds);
	pthread_attr_destroy(&attr);
	if (reserve >= 0)
		close(reserve);
	close(stop_fd);
	return 0;
}
