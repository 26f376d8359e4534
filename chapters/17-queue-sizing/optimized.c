/*
 * Chapter 17, optimized variant: a queue sized from the measured burst.
 *
 * The same pipeline as naive.c (workload.h). The capacity is not a habit
 * or a guess: it is what one burst leaves queued, by Little's law over the
 * burst, plus headroom.
 *
 *   - A burst of at most --burst items arrives over (burst - 1) * --gap-us
 *     microseconds, and the pings that fall inside it arrive too.
 *   - Meanwhile the consumers drain --consumers items per service time.
 *     SERVICE_NS is the measured service time of an item (the service_us
 *     row of the chapter's table, on the quiet reference VM).
 *   - What arrives minus what drains is the backlog at the end of the
 *     burst: the queue must hold it for the producer never to block while
 *     the load is within capacity. A quarter more covers consumers slower
 *     than measured (a neighbour on the core, a cold cache).
 *
 * With the default burst of 200 items 2 us apart and two consumers of
 * 16 us, that is 201 arrivals, 49 drained, 152 queued, 190 slots.
 *
 * What changed from naive.c: the capacity, and nothing else. Within
 * capacity the producer sends a whole burst without blocking, as huge.c
 * does, with no hand-off per item. Under overload the queue fills and the
 * producer blocks: the backlog stays in front of the queue, at the source
 * (in a server, the socket buffers and the clients' TCP windows), where it
 * holds no memory of ours and where the source can see it. The ring holds
 * at most one burst, and a ping waits behind at most one burst.
 */
#include "hp/opts.h"
#include "hp/section.h"

#include "workload.h"

/* The measured service time of one item, in ns (service_us, quiet reference VM). */
#define SERVICE_NS 16000

static size_t queue_cap(const struct pipeline *p)
{
	uint64_t burst_ns = (p->burst_max - 1) * p->gap_ns;
	uint64_t arrivals = p->burst_max + burst_ns / p->ping_ns + 1;
	uint64_t drained = burst_ns * p->consumers / SERVICE_NS;
	uint64_t backlog = arrivals > drained ? arrivals - drained : 1;

	return (size_t)(backlog + backlog / 4);
}

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct pipeline p;
	struct hp_section s;

	hp_opts_parse(&opt, argc, argv, PIPE_OPTIONS);
	pipeline_init(&p, &opt);

	hp_section_begin(&s);
	pipeline_run(&p, queue_cap(&p));
	hp_section_end(&s, p.nbulk + p.nping);

	hp_section_report(&s);
	pipeline_report(&p);
	pipeline_print(&p);
	pipeline_release(&p);
	return 0;
}
