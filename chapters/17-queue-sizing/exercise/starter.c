/*
 * Chapter 17 exercise: your copy of the first variant (naive.c). Size the
 * queue from the burst it must absorb, without changing what it prints.
 *
 * Here the channel has one slot, so the producer blocks on nearly every
 * item of every burst. Replace QUEUE_CAP by a function of the pipeline
 * (workload.h: burst_max, gap_ns, ping_ns, consumers) and of the service
 * time you measured (the service_us the program reports): the items that
 * arrive during one burst, minus those the consumers drain meanwhile, plus
 * some headroom. exercise/README.md says how to measure and grade it.
 */
#include "hp/opts.h"
#include "hp/section.h"

#include "workload.h"

/* One slot: a hand-off between the stages. Too small for a burst: size it. */
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
