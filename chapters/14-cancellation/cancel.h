#ifndef HP_CH14_CANCEL_H
#define HP_CH14_CANCEL_H

#include <stdint.h>

/*
 * A cancellation token (chapter 14): the C counterpart of a Go context's
 * Done channel. One thread fires it, any number of threads learn it at
 * once, and a thread can wait for it and for its own work in one poll().
 *
 * The token is an eventfd. Firing it writes 1, which makes the descriptor
 * readable for good: nobody reads it back, so every waiter that polls it
 * now or later sees it fired (a broadcast, where a condition variable's
 * signal would wake whoever happens to wait at that moment). Because it is
 * a file descriptor, a worker that waits for a socket, a pipe or a timer
 * waits for the token in the same poll() and needs no second thread and no
 * timeout to notice it.
 *
 * cancel_fire() and the waits are thread-safe and may race; cancel_init()
 * and cancel_release() must not run at the same time as any other call on
 * the same token. Nothing allocates; the token holds one descriptor.
 */
struct cancel {
	int fd;
};

/* Returns 0, or -errno when no eventfd can be made (EMFILE, ENFILE, ENOMEM). */
int cancel_init(struct cancel *c);

/* Close the descriptor. Every thread that waits on the token must be gone. */
void cancel_release(struct cancel *c);

/* Fire the token. Idempotent: the second and later calls change nothing. */
void cancel_fire(struct cancel *c);

/* 1 when the token has been fired, else 0. Never blocks. */
int cancel_fired(const struct cancel *c);

/*
 * Wait until fd is readable or the token is fired, whichever comes first.
 * Returns 1 when fd is readable (or at its end: POLLHUP, POLLERR), 0 when
 * the token was fired, and 0 too when both happened: a worker that was
 * cancelled must not start on a reply it no longer needs. Returns -errno
 * when poll() fails for another reason than a signal.
 */
int cancel_wait_fd(const struct cancel *c, int fd);

#endif
