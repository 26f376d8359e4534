/*
 * The socket helpers: a loopback round trip, the refusal of every address
 * outside 127.0.0.0/8, source addresses, nonblocking connects, whole
 * writes under signals, and the stop signal as a readable descriptor. All
 * traffic stays on the loopback interface.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hp/net.h"

/* Read exactly len bytes, or fail the test. */
static void read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

static int has_fd_flag(int fd, int flag)
{
	int fl = fcntl(fd, F_GETFD);
	assert_true(fl >= 0);
	return (fl & flag) != 0;
}

static int has_fl_flag(int fd, int flag)
{
	int fl = fcntl(fd, F_GETFL);
	assert_true(fl >= 0);
	return (fl & flag) != 0;
}

/* A listening socket on a port the kernel picked; its port in *port. */
static int listener(int *port, unsigned flags)
{
	int fd = hp_listen_tcp("127.0.0.1", 0, 16, flags);

	assert_true(fd >= 0);
	*port = hp_socket_port(fd);
	assert_true(*port > 0 && *port <= 65535);
	return fd;
}

static void round_trips_over_loopback(void **state)
{
	int port, lfd = listener(&port, 0);
	char buf[4];

	assert_true(has_fd_flag(lfd, FD_CLOEXEC));
	assert_false(has_fl_flag(lfd, O_NONBLOCK));

	int cfd = hp_connect_tcp(NULL, port, NULL, 0);
	assert_true(cfd >= 0);
	assert_true(has_fd_flag(cfd, FD_CLOEXEC));
	assert_false(has_fl_flag(cfd, O_NONBLOCK));
	int sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(sfd >= 0);

	assert_int_equal(hp_write_all(cfd, "ping", 4), 0);
	read_exact(sfd, buf, 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(hp_write_all(sfd, "pong", 4), 0);
	read_exact(cfd, buf, 4);
	assert_memory_equal(buf, "pong", 4);

	/* The client's local port is what getsockname says, as seen by the server. */
	struct sockaddr_in peer;
	socklen_t len = sizeof peer;
	assert_int_equal(getpeername(sfd, (struct sockaddr *)&peer, &len), 0);
	assert_int_equal(ntohs(peer.sin_port), hp_socket_port(cfd));

	close(sfd);
	close(cfd);
	close(lfd);
}

static void refuses_addresses_outside_loopback(void **state)
{
	static const char *outside[] = {"10.0.0.1",  "8.8.8.8",         "0.0.0.0",
	                                "128.0.0.1", "126.255.255.255", "255.255.255.255"};
	struct in_addr a;

	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		assert_int_equal(hp_loopback_addr(outside[i], &a), -EPERM);
		assert_int_equal(hp_listen_tcp(outside[i], 0, 1, 0), -EPERM);
		assert_int_equal(hp_connect_tcp(outside[i], 80, NULL, 0), -EPERM);
		assert_int_equal(hp_connect_tcp("127.0.0.1", 80, outside[i], 0), -EPERM);
	}

	assert_int_equal(hp_loopback_addr(NULL, &a), 0);
	assert_int_equal(ntohl(a.s_addr), INADDR_LOOPBACK);
	assert_int_equal(hp_loopback_addr("127.255.255.254", &a), 0);
	assert_int_equal(ntohl(a.s_addr), 0x7ffffffe);
	assert_int_equal(hp_loopback_addr("127.0.0.2", &a), 0);
	assert_int_equal(ntohl(a.s_addr), 0x7f000002);
}

static void rejects_what_is_not_an_address(void **state)
{
	static const char *bad[] = {"nonsense",    "",          "127.1",      "::1",        "127.0.0.1 ",
	                            "127.0.0.256", "localhost", "0x7f.0.0.1", "127.0.0.1.1"};
	struct in_addr a;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (hp_loopback_addr(bad[i], &a) != -EINVAL)
			print_error("accepted '%s'\n", bad[i]);
		assert_int_equal(hp_loopback_addr(bad[i], &a), -EINVAL);
		assert_int_equal(hp_listen_tcp(bad[i], 0, 1, 0), -EINVAL);
		assert_int_equal(hp_connect_tcp(bad[i], 80, NULL, 0), -EINVAL);
	}
	assert_int_equal(hp_listen_tcp(NULL, -1, 1, 0), -EINVAL);
	assert_int_equal(hp_listen_tcp(NULL, 65536, 1, 0), -EINVAL);
	assert_int_equal(hp_listen_tcp(NULL, 0, 1, 1u << 7), -EINVAL);
	assert_int_equal(hp_connect_tcp(NULL, 0, NULL, 0), -EINVAL);
	assert_int_equal(hp_connect_tcp(NULL, 65536, NULL, 0), -EINVAL);
	assert_int_equal(hp_connect_tcp(NULL, 80, NULL, 1u << 7), -EINVAL);
	assert_int_equal(hp_socket_port(-1), -EBADF);
}

static void connects_from_a_source_address(void **state)
{
	int port, lfd = listener(&port, 0);
	struct sockaddr_in local, peer;
	socklen_t len = sizeof local;

	int cfd = hp_connect_tcp("127.0.0.1", port, "127.0.0.2", 0);
	assert_true(cfd >= 0);
	assert_int_equal(getsockname(cfd, (struct sockaddr *)&local, &len), 0);
	assert_int_equal(ntohl(local.sin_addr.s_addr), 0x7f000002);

	int sfd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	assert_true(sfd >= 0);
	assert_int_equal(ntohl(peer.sin_addr.s_addr), 0x7f000002);
	assert_int_equal(peer.sin_port, local.sin_port);
	close(sfd);
	close(cfd);
	close(lfd);
}

/* The outcome of a nonblocking connect: wait until writable, then SO_ERROR. */
static int connect_result(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	int soerr = -1;
	socklen_t len = sizeof soerr;

	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len), 0);
	return soerr;
}

static void connects_without_blocking(void **state)
{
	int port, lfd = listener(&port, HP_LISTEN_NONBLOCK);

	assert_true(has_fl_flag(lfd, O_NONBLOCK));
	assert_int_equal(accept4(lfd, NULL, NULL, SOCK_CLOEXEC), -1);
	assert_int_equal(errno, EAGAIN);

	int cfd = hp_connect_tcp("127.0.0.1", port, "127.0.0.3", HP_CONNECT_NONBLOCK);
	assert_true(cfd >= 0);
	assert_true(has_fl_flag(cfd, O_NONBLOCK));
	assert_true(has_fd_flag(cfd, FD_CLOEXEC));
	assert_int_equal(connect_result(cfd), 0);
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	int sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(sfd >= 0);
	close(sfd);
	close(cfd);

	/* A closed port: refused at once, or later through SO_ERROR. */
	close(lfd);
	assert_int_equal(hp_connect_tcp("127.0.0.1", port, NULL, 0), -ECONNREFUSED);
	cfd = hp_connect_tcp("127.0.0.1", port, NULL, HP_CONNECT_NONBLOCK);
	if (cfd >= 0) {
		assert_int_equal(connect_result(cfd), ECONNREFUSED);
		close(cfd);
	} else {
		assert_int_equal(cfd, -ECONNREFUSED);
	}
}

static void shares_a_port_only_with_reuseport(void **state)
{
	int port, a = listener(&port, HP_LISTEN_REUSEPORT);

	int b = hp_listen_tcp("127.0.0.1", port, 16, HP_LISTEN_REUSEPORT);
	assert_true(b >= 0);
	assert_int_equal(hp_socket_port(b), port);
	assert_int_equal(hp_listen_tcp("127.0.0.1", port, 16, 0), -EADDRINUSE);
	close(b);
	close(a);
}

static void sets_nonblock(void **state)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(hp_set_nonblock(p[0]), 0);
	assert_true(has_fl_flag(p[0], O_NONBLOCK));
	assert_false(has_fl_flag(p[1], O_NONBLOCK));
	assert_int_equal(hp_set_nonblock(-1), -EBADF);
	assert_int_equal(hp_socket_port(p[0]), -ENOTSOCK);
	close(p[0]);
	close(p[1]);
}

static volatile sig_atomic_t alarms;

static void count_alarm(int sig)
{
	alarms++;
}

/* The byte at offset i of the stream written below. */
static char pattern(size_t i)
{
	return (char)(i * 7 + i / 251);
}

static void writes_everything_despite_signals(void **state)
{
	enum { total = 8 << 20 };
	struct sigaction sa = {.sa_handler = count_alarm}, old_sa; /* no SA_RESTART: write answers EINTR */
	struct itimerval every_200us = {{0, 200}, {0, 200}}, off = {{0, 0}, {0, 0}};
	char *buf = malloc(total);
	int p[2], status;

	assert_non_null(buf);
	for (size_t i = 0; i < total; i++)
		buf[i] = pattern(i);
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* A slow reader, so the writer blocks and the timer interrupts it. */
		static char in[65536];
		size_t got = 0;
		ssize_t n;
		close(p[1]);
		while ((n = read(p[0], in, sizeof in)) > 0) {
			for (ssize_t i = 0; i < n; i++)
				if (in[i] != pattern(got + (size_t)i))
					_exit(2);
			got += (size_t)n;
			usleep(50);
		}
		_exit(got == total ? 0 : 1);
	}
	close(p[0]);

	alarms = 0;
	assert_int_equal(sigaction(SIGALRM, &sa, &old_sa), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &every_200us, NULL), 0);
	int err = hp_write_all(p[1], buf, total);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	close(p[1]);

	assert_int_equal(err, 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The test means something only if the writes were interrupted. */
	assert_true(alarms > 0);
	free(buf);
}

static void write_to_a_closed_pipe_is_epipe(void **state)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	int p[2];

	assert_int_equal(sigaction(SIGPIPE, &ign, &old), 0);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	assert_int_equal(hp_write_all(p[1], "x", 1), -EPIPE);
	close(p[1]);
	sigaction(SIGPIPE, &old, NULL);
}

/* Raise sig and read it back from the stop descriptor. */
static void stop_fd_reports(int fd, int sig)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	struct signalfd_siginfo si;

	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(raise(sig), 0);
	/* Still alive: the signal was blocked, and it waits on the descriptor. */
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_true(pfd.revents & POLLIN);
	assert_int_equal(read(fd, &si, sizeof si), sizeof si);
	assert_int_equal(si.ssi_signo, sig);
	assert_int_equal(read(fd, &si, sizeof si), -1);
	assert_int_equal(errno, EAGAIN);
}

static void stop_fd_turns_signals_into_a_readable_descriptor(void **state)
{
	struct sigaction pipe_action;
	sigset_t before, blocked;

	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &before), 0);
	int fd = hp_stop_fd();
	assert_true(fd >= 0);
	assert_true(has_fd_flag(fd, FD_CLOEXEC));
	assert_true(has_fl_flag(fd, O_NONBLOCK));

	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &blocked), 0);
	assert_true(sigismember(&blocked, SIGTERM));
	assert_true(sigismember(&blocked, SIGINT));
	assert_int_equal(sigaction(SIGPIPE, NULL, &pipe_action), 0);
	assert_true(pipe_action.sa_handler == SIG_IGN);

	stop_fd_reports(fd, SIGTERM);
	stop_fd_reports(fd, SIGINT);

	close(fd);
	assert_int_equal(sigprocmask(SIG_SETMASK, &before, NULL), 0);
	signal(SIGPIPE, SIG_DFL);
}

static void server_ready_writes_one_line_to_stderr(void **state)
{
	char buf[64] = {0};
	int p[2];

	assert_int_equal(pipe(p), 0);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	hp_server_ready(8080);
	hp_server_ready(65535);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(p[1]);

	const char *want = "ready port=8080\nready port=65535\n";
	read_exact(p[0], buf, strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(read(p[0], buf, sizeof buf), 0);
	close(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trips_over_loopback),
	    cmocka_unit_test(refuses_addresses_outside_loopback),
	    cmocka_unit_test(rejects_what_is_not_an_address),
	    cmocka_unit_test(connects_from_a_source_address),
	    cmocka_unit_test(connects_without_blocking),
	    cmocka_unit_test(shares_a_port_only_with_reuseport),
	    cmocka_unit_test(sets_nonblock),
	    cmocka_unit_test(writes_everything_despite_signals),
	    cmocka_unit_test(write_to_a_closed_pipe_is_epipe),
	    cmocka_unit_test(stop_fd_turns_signals_into_a_readable_descriptor),
	    cmocka_unit_test(server_ready_writes_one_line_to_stderr),
	};
	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
