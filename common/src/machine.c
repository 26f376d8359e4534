/*
 * Machine metadata for results (hp/machine.h). Every field degrades to
 * "unknown" rather than failing: a result without a commit hash is still a
 * result, and the page says what is unknown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hp/json.h"
#include "hp/machine.h"
#include "hp/perf.h"

/* The first line of a command's output, trimmed, or "" on failure. */
static void first_line(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");

	out[0] = '\0';
	if (!p)
		return;
	if (fgets(out, (int)cap, p))
		out[strcspn(out, "\r\n")] = '\0';
	while (fgetc(p) != EOF)
		;
	if (pclose(p) != 0)
		out[0] = '\0';
}

static void cpuinfo(struct hp_machine *m)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[1024];

	snprintf(m->cpu, sizeof m->cpu, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "model name", 10) && !strcmp(m->cpu, "unknown")) {
			char *v = strchr(line, ':');
			if (v) {
				v += 1 + strspn(v + 1, " \t");
				v[strcspn(v, "\n")] = '\0';
				snprintf(m->cpu, sizeof m->cpu, "%s", v);
			}
		}
		if (!strncmp(line, "flags", 5) && strstr(line, " hypervisor"))
			m->virtualized = 1;
	}
	fclose(f);
}

void hp_machine_collect(struct hp_machine *m, const char *cflags)
{
	struct utsname u;
	char cmd[256];
	time_t now = time(NULL);
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	memset(m, 0, sizeof *m);
	cpuinfo(m);
	m->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
	m->mem_gib = pages > 0 && psize > 0 ? (double)pages * (double)psize / (1024.0 * 1024 * 1024) : 0;
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release, u.machine);

	struct hp_perf p;
	m->perf_counters = hp_perf_init(&p) > 0;
	hp_perf_release(&p);

	snprintf(m->cflags, sizeof m->cflags, "%s", cflags ? cflags : "");
	size_t cc_len = strcspn(m->cflags, " ");
	/* Only a plain compiler name or path is run, never arbitrary text from a spec. */
	if (cc_len > 0 && cc_len < 64 &&
	    strspn(m->cflags, "abcdefghijklmnopqrstuvwxyz0123456789-_./+") == cc_len) {
		snprintf(cmd, sizeof cmd, "%.*s --version 2>/dev/null", (int)cc_len, m->cflags);
		first_line(cmd, m->compiler, sizeof m->compiler);
	}
	if (!m->compiler[0])
		snprintf(m->compiler, sizeof m->compiler, "unknown");

	first_line("git rev-parse --short=12 HEAD 2>/dev/null", m->commit, sizeof m->commit);
	if (!m->commit[0])
		snprintf(m->commit, sizeof m->commit, "unknown");
	char dirty[8];
	/* Tracked files only: results/ and docs/ being written by this very run are not "dirty code". */
	first_line(
	    "git status --porcelain --untracked-files=no -- . ':!results' ':!docs' 2>/dev/null | head -1",
	    dirty, sizeof dirty);
	m->dirty = dirty[0] != '\0';
	strftime(m->date, sizeof m->date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
}

void hp_machine_write_json(const struct hp_machine *m, FILE *f)
{
	fputs("{\"cpu\":", f);
	hp_json_write_str(f, m->cpu);
	fprintf(f, ",\"cores\":%d,\"mem_gib\":%.1f,\"kernel\":", m->cores, m->mem_gib);
	hp_json_write_str(f, m->kernel);
	fprintf(f,
	        ",\"virtualized\":%s,\"perf_counters\":%s,\"compiler\":", m->virtualized ? "true" : "false",
	        m->perf_counters ? "true" : "false");
	hp_json_write_str(f, m->compiler);
	fputs(",\"cflags\":", f);
	hp_json_write_str(f, m->cflags);
	fputs(",\"commit\":", f);
	hp_json_write_str(f, m->commit);
	fprintf(f, ",\"dirty\":%s,\"date\":", m->dirty ? "true" : "false");
	hp_json_write_str(f, m->date);
	fputc('}', f);
}
