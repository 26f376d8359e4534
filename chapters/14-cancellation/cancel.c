/*
 * The cancellation token of chapter 14 (cancel.h): an eventfd that is
 * written once and never read, so it stays readable for every waiter.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cancel.h"

int cancel_init(struct cancel *c)
{
	/* Non-blocking, so a fire that overflows the counter (never, in
	 * practice: it would take 2^64 - 1 fires) fails instead of blocking. */
	c->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return c->fd < 0 ? -errno : 0;
}

void cancel_release(struct cancel *c)
{
	close(c->fd);
	c->fd = -1;
}

void cancel_fire(struct cancel *c)
{
	uint64_t one = 1;

	/* The only failure is EAGAIN at the counter's ceiling: fired already. */
	while (write(c->fd, &one, sizeof one) < 0 && errno == EINTR)
		;
}

int cancel_fired(const struct cancel *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1;
}

int cancel_wait_fd(const struct cancel *c, int fd)
{
	struct pollfd p[2] = {{.fd = c->fd, .events = POLLIN}, {.fd = fd, .events = POLLIN}};

	for (;;) {
		int n = poll(p, 2, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (p[0].revents)
			return 0;
		return 1;
	}
}
