/*
 * Chapter 17, first variant: a queue too small for the bursts.
 *
 * The pipeline of workload.h: a bulk producer that sends bursts of up to
 * --burst items, a ping producer, and --consumers threads behind one
 * bounded channel (chan.h) whose full ring blocks the producers. This
 * variant gives the channel one slot, the buffer of a hand-off: the size
 * nobody chooses, because it is what you get when you want one stage to
 * pass items to the next and take the smallest buffer that works. Go's
 * default channel, unbuffered, is the same rendezvous with no slot at all.
 *
 * It is correct, and its queue holds almost nothing. But every burst
 * fills it at once: the producer blocks on nearly every item of a burst,
 * and every send is a wake-up of a sleeping thread on one side or the
 * other, a context switch per item. While the producer is being woken, the
 * ring is empty and a consumer that finishes its item has nothing to take:
 * the stage loses throughput exactly when it needs it, the producer falls
 * behind its schedule, and the items wait in front of the queue instead
 * of in it. The latency is counted from the time each item was due, so
 * that wait is in the percentiles.
 */
#include "hp/opts.h"
#include "hp/section.h"

#include "workload.h"

/* One slot: a hand-off between the stages. */
#define QUEUE_CAP 1

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
