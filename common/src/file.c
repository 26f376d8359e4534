/*
 * Whole-file reads for the harness: results, report lines, specs, READMEs.
 * The buffer doubles as it fills, so no size is trusted up front.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "hp/file.h"

int hp_read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int err;

	*out = NULL;
	*len = 0;
	if (!f)
		return -errno;
	for (;;) {
		if (cap - n < 4096) {
			size_t ncap = cap ? 2 * cap : 8192;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				err = -ENOMEM;
				goto out_free;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		err = -EIO;
		goto out_free;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;

out_free:
	free(buf);
	fclose(f);
	return err;
}
