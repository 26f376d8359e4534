/*
 * Chapter 18 exercise: your copy of the naive variant. Rewrite sweep_due()
 * so that the server never stalls for long, while the whole table is still
 * swept once every SWEEP_PERIOD_MS. workload.c stays as it is.
 * exercise/README.md says how to measure it.
 */
#include "workload.h"

static uint64_t last_sweep_ms;

int sweep_due(struct table *t, uint64_t now_ms)
{
	if (now_ms - last_sweep_ms >= SWEEP_PERIOD_MS) {
		table_sweep(t, t->n, now_ms);
		last_sweep_ms = now_ms;
	}
	return (int)(SWEEP_PERIOD_MS - (now_ms - last_sweep_ms));
}

int main(int argc, char **argv)
{
	return serve(argc, argv);
}
