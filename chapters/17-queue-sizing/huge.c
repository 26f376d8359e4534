/*
 * Chapter 17, second variant: a queue far too large.
 *
 * The same pipeline as naive.c (workload.h), with a channel of 65536 slots,
 * 64 MiB of items: "large enough never to block", the usual answer to the
 * first variant's stalls, and true here, since no run of this lesson sends
 * that many items. The producer never waits, the consumers never find the
 * ring empty while a burst is being absorbed, and the context switches of
 * naive.c are gone.
 *
 * What it costs shows when the load exceeds what the consumers can serve
 * for a while (the overload case). Nothing pushes back, so the backlog
 * grows inside the process: every queued item holds its 1 KiB slot, and
 * the ring's pages are touched as it cycles through them. Everything that
 * shares the queue waits behind the whole backlog: a ping that arrives
 * after a few seconds of overload waits for every bulk item ahead of it,
 * however stale. The bulk itself does not finish any sooner: the
 * consumers do the same work at the same pace; the queue only decides
 * where the wait happens, and here it happens where it costs memory and
 * delays everyone.
 */
#include "hp/opts.h"
#include "hp/section.h"

#include "workload.h"

/* "Big enough never to block": more slots than any run here sends items. */
#define QUEUE_CAP 65536

int main(int argc, char **argv)
{
	struct hp_opts opt;
	struct pipeline p;
	struct hp_section s;

	hp_opts_parse(&opt, argc, argv, PIPE_OPTIONS);
	pipeline_init(&p, &opt);

	hp_section_begin(&s);
	pipeline_run(&p, QUEUE_CAP);
	hp_section_end(&s, p.nbulk + p.nping);

	hp_section_report(&s);
	pipeline_report(&p);
	pipeline_print(&p);
	pipeline_release(&p);
	return 0;
}
