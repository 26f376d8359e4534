/*
 * The lesson spec reader: the file make writes (key='value' lines, quotes
 * written the shell's way) must read back exactly, and a malformed line
 * must be rejected with its line number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hp/spec.h"

static const char *write_tmp(const char *text)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof path, "/tmp/hp-test-spec.%d", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void reads_keys_values_and_quotes(void **state)
{
	struct hp_spec s;
	const char *path = write_tmp("dir='chapters/01-object-pool'\n"
	                             " variants='naive optimized'\n"
	                             "# a comment\n\n"
	                             "empty=''\n"
	                             "go='append'\\''s growth'\n"
	                             "bin_naive='build/x/naive'\n");

	assert_int_equal(hp_spec_load(&s, path), 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(hp_spec_get(&s, "dir", NULL), "chapters/01-object-pool");
	assert_string_equal(hp_spec_get(&s, "variants", NULL), "naive optimized");
	assert_string_equal(hp_spec_get(&s, "empty", "x"), "");
	assert_string_equal(hp_spec_get(&s, "go", NULL), "append's growth");
	assert_string_equal(hp_spec_get2(&s, "bin_", "naive", NULL), "build/x/naive");
	assert_null(hp_spec_get(&s, "missing", NULL));
	assert_string_equal(hp_spec_get(&s, "missing", "def"), "def");
	hp_spec_release(&s);
	unlink(path);
}

static void rejects_malformed_lines(void **state)
{
	static const char *bad[] = {"novalue\n", "k=unquoted\n", "k='open\n", "k=\n"};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct hp_spec s;
		const char *path = write_tmp(bad[i]);
		assert_int_equal(hp_spec_load(&s, path), -EINVAL);
		unlink(path);
	}
}

static void missing_file_is_an_errno(void **state)
{
	struct hp_spec s;

	assert_int_equal(hp_spec_load(&s, "/nonexistent/lesson.spec"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reads_keys_values_and_quotes),
	    cmocka_unit_test(rejects_malformed_lines),
	    cmocka_unit_test(missing_file_is_an_errno),
	};
	return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
