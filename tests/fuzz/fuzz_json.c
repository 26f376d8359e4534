/*
 * libFuzzer target for the JSON reader (common/src/json.c): any input must
 * parse or be rejected without a crash, an over-read or a leak, and what
 * parses must be walkable: every token's subtree ends inside the document,
 * and every string unescapes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hp/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy of exactly size bytes, so ASan catches a read past the end. */
	char *buf = malloc(size ? size : 1);
	struct hp_json j;
	char out[64];

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (hp_json_parse(&j, buf, size, NULL) == 0) {
		for (size_t i = 0; i < j.n; i++) {
			if (j.tok[i].end <= i || j.tok[i].end > j.n)
				abort();
			if (j.tok[i].type == HP_JSON_STRING)
				hp_json_str(&j, i, out, sizeof out);
			if (j.tok[i].type == HP_JSON_OBJECT)
				(void)hp_json_get(&j, i, "name");
		}
	}
	hp_json_release(&j);
	free(buf);
	return 0;
}
