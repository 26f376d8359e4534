#ifndef HP_CH11_WORKLOAD_H
#define HP_CH11_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * The workload of chapter 11: a session service under a burst, then idle.
 *
 * --threads worker threads serve --size requests. A request comes from one
 * of --users users (a few users make most requests); serving it parses the
 * request's fields into heap strings, renders a response into a buffer
 * that grows as it is written, and stores the response as the user's
 * session, replacing (freeing) the previous one, which another thread may
 * have allocated. Most responses are a few hundred bytes to a few KiB; one
 * in a hundred is a report of 64 to 256 KiB. After the burst the service
 * expires the sessions of all but one user in twenty and goes idle, as a
 * service does after a traffic spike.
 *
 * Everything the variants print depends only on the requests, never on
 * which thread served one or in what order, so every allocator and every
 * thread schedule gives the same output.
 */

struct service {
	unsigned threads;
	size_t requests, users;
	uint64_t seed;
	struct session *sessions; /* one per user */
	uint64_t digest;          /* sum of the responses' hashes (order-free) */
	size_t bytes_out;
};

/* Set up a service; allocates the session table (release with service_release()). */
void service_init(struct service *s, unsigned threads, size_t requests, size_t users, uint64_t seed);

/* Serve every request on s->threads threads; returns when all are served. */
void service_burst(struct service *s);

/* Expire all sessions but those of one user in twenty; returns how many are left. */
size_t service_expire(struct service *s);

void service_release(struct service *s);

/* The page faults of this process so far, every thread's (getrusage). */
long faults_now(void);

/* This process's resident set size now, in KiB (from /proc/self/statm). */
long rss_now_kb(void);

#endif
