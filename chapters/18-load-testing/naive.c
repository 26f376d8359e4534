/*
 * Chapter 18, naive variant: sweep the whole session table when its period
 * is up, in one go.
 *
 * That is how an expiry job is first written: a timer, and a loop over the
 * table. It is correct, and on average cheap (a few percent of one core).
 * But the server has one thread, and while the loop runs, nobody is
 * answered: every SWEEP_PERIOD_MS the server stalls for as long as the
 * sweep takes. Whether a load test notices depends on how the load test
 * measures, which is what this chapter is about.
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
