/*
 * Chapter 19, optimized variant: one thread, an epoll event loop.
 *
 * The same server of the hello API as naive.c (hp/hello.h), answering with
 * the same hp_hello_handle(), so every byte it sends is the same. What
 * changed is who waits. naive.c gives every connection a thread that
 * blocks in read(); here one thread asks the kernel, with epoll_wait(),
 * which of all the connections have something to read, and serves those,
 * never blocking on any one of them. That is what Go's netpoller does
 * under every goroutine that reads a socket, and what nginx, Redis and
 * libuv do.
 *
 * What a connection costs. A thread is a stack, a kernel task and a
 * context switch per request; here a connection is a struct conn of 24
 * bytes in a table indexed by its descriptor. Its buffers are the loop's:
 * a request is read into one shared buffer and answered from it, so a
 * connection holds memory of its own only while it has half a request (a
 * slow client) or answers the socket would not take (a client that does
 * not read). The table is calloc()ed for every descriptor the process may
 * open, but the kernel maps its pages only when they are first written.
 *
 * Edge-triggered (EPOLLET), and every connection is registered once, for
 * input and output together, so epoll_ctl() runs once per connection and
 * never again, not even when its output backs up. Edge-triggered means
 * epoll reports a socket when new bytes arrive, not for as long as bytes
 * wait, so a connection must be read until it is empty; a read that returns
 * less than it asked for has emptied it (TCP hands over all it has), so the
 * common case is one read() and one write() per request, plus a share of
 * one epoll_wait(): the same two calls per request as nginx (strace -c).
 * Level-triggered measured the same within the noise (alternating runs,
 * three at 100 connections, two at 1,000 and at 10,000: within 5%); it
 * would need an epoll_ctl() each time a connection's output backs up and
 * again when it drains. perf (cpu-clock)
 * puts three quarters of this server's time or more in the kernel (TCP,
 * sockets, epoll) and 6 to 7% in this file, parser included: what is left
 * to win is in the kernel, not here.
 *
 * Partial reads and writes: half a request is kept in the connection's
 * `in` until the rest comes (a client sending a byte a second costs this
 * one buffer and a wake-up per byte, and delays nobody else). Pipelined
 * requests are answered together, with one write(). When the socket does
 * not take all of it (EAGAIN, or a short write), the rest waits in `out`,
 * the connection stops reading (its unread requests stay in the kernel,
 * which pushes back on the client through TCP's window) and carries on at
 * the next EPOLLOUT.
 *
 * Out of descriptors (EMFILE): the listening socket stays readable while
 * connections wait in its backlog, and a loop that only retries accept()
 * would spin. As in naive.c, one descriptor is kept in reserve: it is
 * closed, the waiting connection accepted and closed at once (the client
 * sees the close, not a hang), and the reserve taken back. If the reserve
 * cannot be had (another thread took the descriptor), accepting pauses
 * until a connection closes or PAUSE_MS passes.
 *
 * Protocol of the harness: --port N, "ready port=N" on stderr, SIGTERM
 * (read from hp_stop_fd(), which sits in the epoll set like any socket)
 * stops it cleanly, everything freed. --admin-port N serves its counters on
 * 127.0.0.1:N (hp/admin.h). --workers N forks N processes that share the
 * port with SO_REUSEPORT, each with its own loop and socket (the kernel
 * spreads new connections over them): for more connections than one
 * process may hold descriptors. The parent says ready once every worker
 * runs, passes SIGTERM on, and reports the workers' metrics added up.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hp/admin.h"
#include "hp/hello.h"
#include "hp/http.h"
#include "hp/net.h"
#include "hp/opts.h"
#include "hp/report.h"
#include "hp/xalloc.h"

/*
 * One read takes at most a whole head: what is left after the complete
 * requests is then always less than a head, and fits in a connection's
 * `in`, which is the same size.
 */
#define READ_CHUNK HP_HTTP_MAX_HEAD

/* Answers to pipelined requests are gathered here and sent with one write(). */
#define OUT_CHUNK (16 * 1024)

/*
 * Events per epoll_wait(). Sharing a core with hp-load, a call returned 53
 * events on average at 100 connections but 14 at 1,000 and 6 at 10,000
 * (counted in a build of this file): the two programs take turns more
 * often. 512 is room for the bursts (1% of the calls at 1,000 filled it)
 * for 6 KiB of stack.
 */
#define MAX_EVENTS 512

/*
 * Connections accepted per wake-up, so that a burst of connects (10,000 at
 * the start of a run) is taken in turns with the requests of the open ones;
 * the listening socket is level-triggered, so the rest are reported again.
 */
#define ACCEPT_BATCH 64

/*
 * The same backlog as naive.c, the most this kernel allows (net.core.somaxconn):
 * a run opens its connections in a burst of thousands.
 */
#define BACKLOG 4096

/* How long accepting pauses when no descriptor can be freed to refuse a connection. */
#define PAUSE_MS 100

#define MAX_WORKERS 64

/* One connection. Most of the time both pointers are NULL. */
struct conn {
	char *in;         /* a request not complete yet, or requests waiting for out to drain */
	char *out;        /* answers the socket has not taken yet */
	uint16_t in_len;  /* bytes in in (at most READ_CHUNK) */
	uint16_t out_len; /* bytes in out (at most OUT_CHUNK) */
	uint16_t out_off; /* of which out_off are sent */
	uint8_t open;     /* the descriptor is this connection's */
	uint8_t closing;  /* close once out is sent */
};

/* What an idle connection costs this process (the README quotes it). */
_Static_assert(sizeof(struct conn) <= 24, "a connection is at most 24 bytes");

struct server {
	int epfd, lfd, stop_fd, reserve;
	int accept_paused;
	struct conn *conns; /* indexed by descriptor */
	size_t nconns;      /* descriptors the process may open (RLIMIT_NOFILE) */
	uint64_t open, peak, requests, refused;
	struct hp_admin_counters *stats; /* published once per loop pass */
	char in[READ_CHUNK];
	char out[OUT_CHUNK];
};

/* What a worker tells the parent when it stops (in memory shared with it). */
struct worker_result {
	uint64_t peak, requests, refused;
	long mem_kb; /* resident memory at the peak above what it had when ready */
};

/* ---------------------------------------------------------------------------
 * Connections
 */

/* Take the reserve descriptor back if it is gone, and watch the listening socket again. */
static void accept_resume(struct server *s)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->lfd};

	if (s->reserve < 0)
		s->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev) == 0)
		s->accept_paused = 0;
}

static void conn_close(struct server *s, int fd)
{
	struct conn *c = &s->conns[fd];

	free(c->in);
	free(c->out);
	memset(c, 0, sizeof *c);
	/* close() also takes the descriptor out of the epoll set. */
	close(fd);
	s->open--;
	if (s->accept_paused)
		accept_resume(s); /* a descriptor is free again */
}

/* Keep rest[0..n) as the connection's unanswered input (rest may point into c->in). */
static void keep_input(struct conn *c, const char *rest, size_t n)
{
	if (n == 0 && c->in) {
		free(c->in);
		c->in = NULL;
	} else if (n > 0) {
		if (!c->in)
			c->in = hp_xmalloc(READ_CHUNK);
		memmove(c->in, rest, n);
	}
	c->in_len = (uint16_t)n;
}

/*
 * Send buf[0..len); what the socket does not take is copied to c->out and
 * sent at the next EPOLLOUT. Returns 0, or -1 when the connection failed
 * and was closed.
 */
static int send_or_keep(struct server *s, int fd, const char *buf, size_t len)
{
	struct conn *c = &s->conns[fd];
	ssize_t n;

	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno != EAGAIN) {
		conn_close(s, fd);
		return -1;
	}
	if (n < 0)
		n = 0;
	c->out_len = (uint16_t)(len - (size_t)n);
	c->out_off = 0;
	c->out = hp_xmalloc(c->out_len);
	memcpy(c->out, buf + n, c->out_len);
	return 0;
}

/*
 * Answer the complete requests in buf[0..len), one write() per OUT_CHUNK
 * of answers, until they are done or the socket backs up. What is left is
 * kept in c->in. Returns 0, or -1 when the connection was closed.
 */
static int answer(struct server *s, int fd, const char *buf, size_t len)
{
	struct conn *c = &s->conns[fd];
	size_t used = 0;
	int close_after = 0;

	while (used < len && !c->out && !close_after) {
		size_t olen = 0, k, rlen;
		int cl;

		while (olen + HP_HELLO_MAX_RESPONSE <= OUT_CHUNK &&
		       (k = hp_hello_handle(buf + used, len - used, s->out + olen, &rlen, &cl)) > 0) {
			used += k;
			olen += rlen;
			s->requests++;
			if (cl) {
				close_after = 1;
				break;
			}
		}
		if (olen == 0)
			break; /* an incomplete request */
		if (send_or_keep(s, fd, s->out, olen))
			return -1;
	}
	if (close_after) {
		if (!c->out) {
			conn_close(s, fd);
			return -1;
		}
		c->closing = 1; /* what follows the last answer is never read */
		used = len;
	}
	keep_input(c, buf + used, len - used);
	return 0;
}

/* Read and answer until the socket is empty, the client is gone or the answers back up. */
static void conn_readable(struct server *s, int fd)
{
	struct conn *c = &s->conns[fd];

	while (!c->out && !c->closing) {
		/* Half a request continues in its own buffer; anything else is read into the loop's. */
		char *buf = c->in ? c->in : s->in;
		size_t have = c->in_len, room = READ_CHUNK - have;
		ssize_t n = read(fd, buf + have, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_close(s, fd);
			return;
		}
		if (answer(s, fd, buf, have + (size_t)n))
			return;
		/* A short read took all the socket had: the next arrival is a new edge. */
		if ((size_t)n < room)
			return;
	}
}

/* EPOLLOUT: send what waits in out, then go back to the requests that waited for it. */
static void conn_writable(struct server *s, int fd)
{
	struct conn *c = &s->conns[fd];
	ssize_t n;

	if (!c->out)
		return;
	do
		n = write(fd, c->out + c->out_off, (size_t)(c->out_len - c->out_off));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != EAGAIN)
			conn_close(s, fd);
		return;
	}
	c->out_off = (uint16_t)(c->out_off + n);
	if (c->out_off < c->out_len)
		return;
	free(c->out);
	c->out = NULL;
	if (c->closing) {
		conn_close(s, fd);
		return;
	}
	if (c->in_len && answer(s, fd, c->in, c->in_len))
		return;
	/* Bytes that arrived while out was full raised their edge then: read them now. */
	conn_readable(s, fd);
}

/* ---------------------------------------------------------------------------
 * Accepting
 */

/*
 * Out of descriptors: refuse the first waiting connection with the reserve.
 * Returns 0 (refused, or nobody was waiting any more), or -1 when there is
 * no reserve to do it with.
 */
static int refuse_one(struct server *s)
{
	if (s->reserve < 0)
		return -1;
	close(s->reserve);
	int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	int err = errno;
	if (fd >= 0) {
		close(fd);
		s->refused++;
	}
	s->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd >= 0 || err == EAGAIN ? 0 : -1;
}

static void accept_some(struct server *s)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN)
				return;
			if ((errno == EMFILE || errno == ENFILE) && refuse_one(s) == 0)
				continue;
			/*
			 * Nothing can be done now (no reserve, or ENOBUFS/ENOMEM), and the
			 * socket is still readable: stop watching it for a while.
			 */
			if (epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->lfd, NULL) == 0)
				s->accept_paused = 1;
			return;
		}
		if ((size_t)fd >= s->nconns) {
			close(fd);
			s->refused++;
			continue;
		}
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.fd = fd};
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			s->refused++;
			continue;
		}
		s->conns[fd].open = 1;
		if (++s->open > s->peak)
			s->peak = s->open;
	}
}

/* ---------------------------------------------------------------------------
 * The loop
 */

static void publish(struct server *s)
{
	atomic_store_explicit(&s->stats->open, s->open, memory_order_relaxed);
	atomic_store_explicit(&s->stats->peak, s->peak, memory_order_relaxed);
	atomic_store_explicit(&s->stats->requests, s->requests, memory_order_relaxed);
	atomic_store_explicit(&s->stats->refused, s->refused, memory_order_relaxed);
}

static void server_init(struct server *s, int lfd, int stop_fd, struct hp_admin_counters *stats)
{
	struct rlimit rl;
	struct epoll_event ev = {.events = EPOLLIN};

	memset(s, 0, sizeof *s);
	s->lfd = lfd;
	s->stop_fd = stop_fd;
	s->stats = stats;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		hp_die("getrlimit: %s", strerror(errno));
	/* Pages of the table that no descriptor reaches are never touched, so never resident. */
	s->nconns = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20) ? (1u << 20) : rl.rlim_cur;
	s->conns = hp_xcalloc(s->nconns, sizeof *s->conns);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		hp_die("epoll_create1: %s", strerror(errno));
	ev.data.fd = lfd;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		hp_die("epoll_ctl: %s", strerror(errno));
	ev.data.fd = stop_fd;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, stop_fd, &ev) < 0)
		hp_die("epoll_ctl: %s", strerror(errno));
	s->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Serve until SIGTERM or SIGINT. */
static void server_run(struct server *s)
{
	struct epoll_event ev[MAX_EVENTS];

	for (;;) {
		int n = epoll_wait(s->epfd, ev, MAX_EVENTS, s->accept_paused ? PAUSE_MS : -1);

		if (n < 0 && errno != EINTR)
			hp_die("epoll_wait: %s", strerror(errno));
		if (n == 0 && s->accept_paused)
			accept_resume(s);
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			uint32_t e = ev[i].events;

			if (fd == s->lfd) {
				accept_some(s);
			} else if (fd == s->stop_fd) {
				return;
			} else {
				/*
				 * A descriptor closed earlier in this batch may have been reused
				 * by accept() already; its stale event then costs one read()
				 * that answers EAGAIN, nothing worse.
				 */
				if (e & EPOLLOUT)
					conn_writable(s, fd);
				if ((e & (EPOLLIN | EPOLLHUP | EPOLLERR)) && s->conns[fd].open)
					conn_readable(s, fd);
			}
		}
		publish(s);
	}
}

static void server_release(struct server *s)
{
	s->accept_paused = 0; /* nothing is accepted any more */
	for (size_t fd = 0; fd < s->nconns; fd++)
		if (s->conns[fd].open)
			conn_close(s, (int)fd);
	publish(s);
	free(s->conns);
	close(s->epfd);
	if (s->reserve >= 0)
		close(s->reserve);
}

/* Run one server on lfd until stopped; its result goes to *r. */
static void serve(int lfd, int stop_fd, struct hp_admin_counters *stats, struct worker_result *r,
                  int ready_fd)
{
	struct server *s = hp_xmalloc(sizeof *s);
	long rss0, rss, hwm;

	server_init(s, lfd, stop_fd, stats);
	hp_admin_memory(&rss0, &hwm);
	if (ready_fd < 0)
		hp_server_ready(hp_socket_port(lfd));
	else if (write(ready_fd, "", 1) != 1 || close(ready_fd))
		hp_die("cannot tell the parent: %s", strerror(errno));
	server_run(s);
	hp_admin_memory(&rss, &hwm);
	r->peak = s->peak;
	r->requests = s->requests;
	r->refused = s->refused;
	r->mem_kb = hwm - rss0; /* the peak can only be at or above what it had when ready */
	server_release(s);
	free(s);
}

/* ---------------------------------------------------------------------------
 * Workers (--workers N)
 */

struct workers {
	int n;
	pid_t pid[MAX_WORKERS];
	int chld_fd; /* signalfd for SIGCHLD: readable when a worker has exited */
};

/* SIGTERM every worker still running, reap them all. Returns 0, or -1 when one failed. */
static int workers_stop(struct workers *w)
{
	int failed = 0;

	for (int i = 0; i < w->n; i++)
		kill(w->pid[i], SIGTERM);
	for (int i = 0; i < w->n; i++) {
		int st;
		if (waitpid(w->pid[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "optimized: worker %d (pid %d) failed\n", i, (int)w->pid[i]);
			failed = 1;
		}
	}
	close(w->chld_fd);
	return failed ? -1 : 0;
}

/*
 * Fork one worker per listening socket and return once every one of them
 * runs its loop: each writes a byte to a pipe and closes its end, so the
 * pipe ends early if one dies first. The parent keeps no socket. Returns 0,
 * or -1 when a worker failed to start (the others are stopped then).
 */
static int workers_start(struct workers *w, int *lfd, int n, int stop_fd, struct hp_admin_counters *stats,
                         struct worker_result *res)
{
	sigset_t chld;
	int ready[2], got = 0;
	char buf[MAX_WORKERS];

	/* A worker's exit is an event of the parent's wait, like SIGTERM (blocked, read from a signalfd). */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0)
		hp_die("sigprocmask: %s", strerror(errno));
	w->chld_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (w->chld_fd < 0 || pipe2(ready, O_CLOEXEC) < 0)
		hp_die("signalfd, pipe: %s", strerror(errno));
	fflush(NULL);
	for (w->n = 0; w->n < n; w->n++) {
		int i = w->n;

		w->pid[i] = fork();
		if (w->pid[i] < 0) {
			fprintf(stderr, "optimized: fork: %s\n", strerror(errno));
			break;
		}
		if (w->pid[i] == 0) {
			/* SIGTERM stays blocked (inherited mask) and comes through a signalfd of its own. */
			close(ready[0]);
			close(stop_fd);
			close(w->chld_fd);
			for (int k = 0; k < n; k++)
				if (k != i)
					close(lfd[k]);
			int sfd = hp_stop_fd();
			if (sfd < 0)
				hp_die("signalfd: %s", strerror(-sfd));
			serve(lfd[i], sfd, &stats[i], &res[i], ready[1]);
			close(sfd);
			close(lfd[i]);
			_exit(0);
		}
	}
	close(ready[1]);
	for (int i = 0; i < n; i++)
		close(lfd[i]);
	while (w->n == n && got < n) {
		ssize_t r = read(ready[0], buf, (size_t)(n - got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (int)r;
	}
	close(ready[0]);
	if (got == n)
		return 0;
	fprintf(stderr, "optimized: the workers did not all start\n");
	workers_stop(w);
	return -1;
}

/* Wait for SIGTERM or a worker's death, then stop and reap every worker. Returns 0 or -1. */
static int workers_wait(struct workers *w, int stop_fd)
{
	struct pollfd pfd[2] = {{.fd = stop_fd, .events = POLLIN}, {.fd = w->chld_fd, .events = POLLIN}};

	while (!pfd[0].revents && !pfd[1].revents)
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			hp_die("poll: %s", strerror(errno));
	return (workers_stop(w) || pfd[1].revents) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct hp_admin admin = {.fd = -1};
	struct hp_admin_counters *stats;
	struct worker_result *res, total = {0};
	struct workers w = {0};
	int lfd[MAX_WORKERS], stop_fd, port, workers, rc = 0;
	uint64_t mem_kb = 0;

	hp_opts_parse(&opt, argc, argv, "port,admin-port,workers");
	workers = (int)hp_opts_u64(&opt, "workers", 1);
	if (workers < 1 || workers > MAX_WORKERS)
		hp_die("--workers must be 1..%d", MAX_WORKERS);
	stop_fd = hp_stop_fd();
	if (stop_fd < 0)
		hp_die("signalfd: %s", strerror(-stop_fd));

	/* Counters and results in memory the workers share with the parent (and its admin thread). */
	size_t shared_len = (size_t)workers * (sizeof *stats + sizeof *res);
	void *shared = mmap(NULL, shared_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		hp_die("mmap: %s", strerror(errno));
	stats = shared;
	res = (struct worker_result *)(stats + workers);

	/* Every socket is listening before any worker starts: none of the port's connections is lost. */
	port = (int)hp_opts_u64(&opt, "port", 0);
	for (int i = 0; i < workers; i++) {
		lfd[i] = hp_listen_tcp(NULL, port, BACKLOG,
		                       HP_LISTEN_NONBLOCK | (workers > 1 ? HP_LISTEN_REUSEPORT : 0));
		if (lfd[i] < 0)
			hp_die("listen: %s", strerror(-lfd[i]));
		port = hp_socket_port(lfd[i]);
	}
	if (workers > 1 && workers_start(&w, lfd, workers, stop_fd, stats, res))
		return 1;
	if (hp_opts_str(&opt, "admin-port", NULL)) {
		int err =
		    hp_admin_start(&admin, (int)hp_opts_u64(&opt, "admin-port", 0), stats, (size_t)workers);
		if (err)
			hp_die("admin endpoint: %s", strerror(-err));
		fprintf(stderr, "admin port=%d\n", admin.port);
	}
	if (workers == 1) {
		serve(lfd[0], stop_fd, &stats[0], &res[0], -1);
		close(lfd[0]);
	} else {
		hp_server_ready(port);
		rc = workers_wait(&w, stop_fd);
	}
	for (int i = 0; i < workers; i++) {
		total.peak += res[i].peak;
		total.requests += res[i].requests;
		total.refused += res[i].refused;
		mem_kb += (uint64_t)res[i].mem_kb;
	}
	hp_admin_stop(&admin);
	hp_report_metric("peak_connections", (double)total.peak, "connections", HP_HIGHER_IS_BETTER);
	hp_report_metric("refused_connections", (double)total.refused, "connections", HP_LOWER_IS_BETTER);
	if (total.peak)
		hp_report_metric("mem_per_conn_bytes", (double)mem_kb * 1024 / (double)total.peak, "B",
		                 HP_LOWER_IS_BETTER);
	munmap(shared, shared_len);
	close(stop_fd);
	return rc ? 1 : 0;
}
