/*
 * Hardware counters through perf_event_open(2) (hp/perf.h).
 *
 * Each counter is its own event, opened stopped (disabled = 1) and switched
 * on and off with ioctl() around the measured code. The settings, and why:
 *   - pid 0, cpu -1: this thread, on whatever CPU it runs.
 *   - inherit: threads the program creates later are counted too, and a
 *     read() of our descriptor sums them in. perf_event_open(2) warns that
 *     inherit does not work with some read formats, PERF_FORMAT_GROUP among
 *     them (old kernels refused the pair), so the counters are not one group
 *     read in one call but four descriptors read one by one. That also lets
 *     each counter be available or not on its own: a PMU without one event
 *     still gives the other three.
 *   - exclude_kernel, exclude_hv: user space only, which the default
 *     perf_event_paranoid (2) allows without privilege. Lessons measure the
 *     program's code; its system calls show in sys_ms.
 *   - PERF_FORMAT_TOTAL_TIME_ENABLED/RUNNING: with more events than hardware
 *     counters the kernel takes turns (multiplexes), and a counter counts only
 *     while it has a turn; on a hybrid CPU it also stops while the thread runs
 *     on the other kind of core. A count that did not run the whole time is
 *     an estimate; we mark it unavailable rather than report a made-up number.
 *
 * Anything the kernel refuses (no PMU in a virtual machine, a paranoid
 * setting, a seccomp filter) leaves that counter at fd -1 without a message:
 * a missing counter is a normal state of the machine, shown as "n/a".
 */
#include <linux/perf_event.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hp/perf.h"

static const struct {
	const char *name;
	uint64_t config;
} counters[HP_PERF_NCOUNTERS] = {
    [HP_PERF_INSTRUCTIONS] = {"hw_instructions", PERF_COUNT_HW_INSTRUCTIONS},
    [HP_PERF_CYCLES] = {"hw_cycles", PERF_COUNT_HW_CPU_CYCLES},
    [HP_PERF_CACHE_MISSES] = {"hw_cache_misses", PERF_COUNT_HW_CACHE_MISSES},
    [HP_PERF_BRANCH_MISSES] = {"hw_branch_misses", PERF_COUNT_HW_BRANCH_MISSES},
};

/* What read() returns for the read_format we ask for. */
struct reading {
	uint64_t value;
	uint64_t enabled; /* ns the counter was enabled */
	uint64_t running; /* ns it actually counted */
};

static int open_counter(uint64_t config)
{
	struct perf_event_attr attr;

	/* Zero all of it: the kernel rejects an attr with unknown fields set. */
	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = config;
	attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr.disabled = 1;
	attr.inherit = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	/* glibc has no wrapper for perf_event_open; it returns -1 on failure. */
	return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static int read_counter(int fd, struct reading *r)
{
	return read(fd, r, sizeof *r) == (ssize_t)sizeof *r ? 0 : -1;
}

/* Mark counter c unavailable from now on. */
static void drop(struct hp_perf *p, int c)
{
	close(p->fd[c]);
	p->fd[c] = -1;
	p->value[c] = 0;
}

const char *hp_perf_name(enum hp_perf_counter c)
{
	if ((unsigned)c >= HP_PERF_NCOUNTERS)
		return NULL;
	return counters[c].name;
}

int hp_perf_init(struct hp_perf *p)
{
	int n = 0;

	for (int c = 0; c < HP_PERF_NCOUNTERS; c++) {
		p->start[c] = 0;
		p->value[c] = 0;
		p->fd[c] = open_counter(counters[c].config);
		if (p->fd[c] >= 0)
			n++;
	}
	return n;
}

/* Read every start value first, then enable: the reads are not counted. */
void hp_perf_start(struct hp_perf *p)
{
	struct reading r;

	for (int c = 0; c < HP_PERF_NCOUNTERS; c++) {
		if (p->fd[c] < 0)
			continue;
		if (read_counter(p->fd[c], &r) < 0)
			drop(p, c);
		else
			p->start[c] = r.value;
	}
	for (int c = 0; c < HP_PERF_NCOUNTERS; c++)
		if (p->fd[c] >= 0)
			ioctl(p->fd[c], PERF_EVENT_IOC_ENABLE, 0);
}

/*
 * Disable every counter first, then read. The times are the counter's
 * totals since hp_perf_init(), so a counter multiplexed in an earlier
 * start/stop interval stays unavailable; that is the safe side.
 */
void hp_perf_stop(struct hp_perf *p)
{
	struct reading r;

	for (int c = 0; c < HP_PERF_NCOUNTERS; c++)
		if (p->fd[c] >= 0)
			ioctl(p->fd[c], PERF_EVENT_IOC_DISABLE, 0);
	for (int c = 0; c < HP_PERF_NCOUNTERS; c++) {
		if (p->fd[c] < 0)
			continue;
		if (read_counter(p->fd[c], &r) < 0 || r.running == 0 || r.running != r.enabled)
			drop(p, c);
		else
			p->value[c] = r.value - p->start[c];
	}
}

int hp_perf_available(const struct hp_perf *p, enum hp_perf_counter c)
{
	return (unsigned)c < HP_PERF_NCOUNTERS && p->fd[c] >= 0;
}

void hp_perf_release(struct hp_perf *p)
{
	for (int c = 0; c < HP_PERF_NCOUNTERS; c++) {
		if (p->fd[c] >= 0)
			close(p->fd[c]);
		p->fd[c] = -1;
	}
}
