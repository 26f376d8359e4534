/*
 * The report protocol (hp/report.h): one JSON object per line, appended to
 * the file named by HP_REPORT. Appending with O_APPEND and one write() per
 * line keeps lines whole even when several processes of one run report.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp/report.h"

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

int hp_report_metric(const char *name, double value, const char *unit, enum hp_better better)
{
	char line[256];
	const char *path = getenv("HP_REPORT");
	int fd, len, err = 0;

	if (!valid_name(name) || strpbrk(unit, "\"\\") || !isfinite(value)) {
		fprintf(stderr, "hp_report_metric: invalid metric '%s' (%s, %g)\n", name, unit, value);
		return -EINVAL;
	}
	len = snprintf(line, sizeof line,
	               "{\"name\":\"%s\",\"value\":%.17g,\"unit\":\"%s\",\"better\":\"%s\"}\n", name, value,
	               unit, better == HP_HIGHER_IS_BETTER ? "higher" : "lower");
	if (len < 0 || (size_t)len >= sizeof line)
		return -EINVAL;

	if (!path || !*path) {
		fputs(line, stderr);
		return 0;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out_err;
	if (write(fd, line, (size_t)len) != len)
		goto out_close;
	if (close(fd) < 0)
		goto out_err;
	return 0;

out_close:
	err = errno ? -errno : -EIO;
	close(fd);
	fprintf(stderr, "hp_report_metric: cannot write %s: %s\n", path, strerror(-err));
	return err;
out_err:
	err = -errno;
	fprintf(stderr, "hp_report_metric: cannot write %s: %s\n", path, strerror(errno));
	return err;
}
