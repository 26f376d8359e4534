/*
 * libFuzzer target for the lesson spec reader (common/src/spec.c): any file
 * must load or be rejected with a message, never crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hp/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct hp_spec s;
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof path, "/tmp/hp-fuzz-spec.%d", (int)getpid());
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (hp_spec_load(&s, path) == 0) {
		for (size_t i = 0; i < s.n; i++)
			(void)hp_spec_get(&s, s.keys[i], NULL);
		hp_spec_release(&s);
	}
	return 0;
}
