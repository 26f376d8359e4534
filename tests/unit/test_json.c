/*
 * The JSON reader of the harness: valid documents, every error class, and
 * inputs placed against a PROT_NONE guard page so that any read past the
 * end crashes the test instead of passing by luck.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hp/json.h"

/* Copy s so that its last byte is the last byte before an unreadable page. */
static const char *guarded(const char *s, size_t len)
{
	static char *region;
	static size_t page;

	if (!region) {
		page = (size_t)sysconf(_SC_PAGESIZE);
		region = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(region != MAP_FAILED);
		assert_int_equal(mprotect(region + page, page, PROT_NONE), 0);
	}
	assert_true(len <= page);
	memcpy(region + page - len, s, len);
	return region + page - len;
}

static int parse(struct hp_json *j, const char *s)
{
	size_t len = strlen(s);
	return hp_json_parse(j, guarded(s, len), len, NULL);
}

static void parses_a_results_like_document(void **state)
{
	struct hp_json j;
	const char *doc = "{\"lesson\":\"chapters/01\",\"rounds\":10,\"ok\":true,\"none\":null,"
	                  "\"cases\":[{\"name\":\"a\",\"x\":[1,2.5,-3e2]},{\"name\":\"b\"}]}";
	char buf[32];

	assert_int_equal(parse(&j, doc), 0);
	assert_int_equal(j.tok[0].type, HP_JSON_OBJECT);
	assert_int_equal(j.tok[0].size, 5);
	assert_true(hp_json_str_eq(&j, hp_json_get(&j, 0, "lesson"), "chapters/01"));
	assert_true(hp_json_num(&j, hp_json_get(&j, 0, "rounds"), 0) == 10);
	assert_int_equal(j.tok[hp_json_get(&j, 0, "ok")].type, HP_JSON_TRUE);
	assert_int_equal(j.tok[hp_json_get(&j, 0, "none")].type, HP_JSON_NULL);
	assert_int_equal(hp_json_get(&j, 0, "missing"), HP_JSON_NONE);

	size_t cases = hp_json_get(&j, 0, "cases");
	assert_int_equal(j.tok[cases].size, 2);
	size_t first = cases + 1, second = j.tok[first].end;
	assert_int_equal(hp_json_str(&j, hp_json_get(&j, second, "name"), buf, sizeof buf), 1);
	assert_string_equal(buf, "b");
	size_t x = hp_json_get(&j, first, "x");
	size_t e = x + 1;
	double want[] = {1, 2.5, -300};
	for (int i = 0; i < 3; i++, e = j.tok[e].end)
		assert_true(hp_json_num(&j, e, NAN) == want[i]);
	assert_int_equal(e, j.tok[x].end);
	hp_json_release(&j);
}

static void unescapes_strings(void **state)
{
	struct hp_json j;
	char buf[64];

	assert_int_equal(parse(&j, "\"a\\n\\\"b\\\\ \\u00e9 \\ud83d\\ude00\""), 0);
	int n = hp_json_str(&j, 0, buf, sizeof buf);
	assert_string_equal(buf, "a\n\"b\\ \xc3\xa9 \xf0\x9f\x98\x80");
	assert_int_equal(n, (int)strlen(buf));
	assert_int_equal(hp_json_str(&j, 0, buf, 4), -ENOSPC);
	assert_string_equal(buf, "a\n\"");
	hp_json_release(&j);
}

static void rejects_malformed_documents(void **state)
{
	static const char *bad[] = {
	    "",          "{",     "[1,]",       "{\"a\"}", "{\"a\":}", "{a:1}", "01",
	    "1.",        "-",     "1e",         "tru",     "nul",      "\"abc", "\"a\\x\"",
	    "\"\\u12\"", "[1 2]", "{\"a\":1,}", "1 2",     "\"\x01\"", "0x10",  "inf",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct hp_json j;
		int err = parse(&j, bad[i]);
		if (err != -EINVAL)
			print_error("accepted malformed input '%s'\n", bad[i]);
		assert_int_equal(err, -EINVAL);
		hp_json_release(&j);
	}
}

static void limits_nesting_depth(void **state)
{
	char deep[200];
	struct hp_json j;

	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	assert_int_equal(hp_json_parse(&j, guarded(deep, 200), 200, NULL), -EINVAL);
	hp_json_release(&j);
	assert_int_equal(hp_json_parse(&j, guarded(deep + 40, 120), 120, NULL), 0);
	hp_json_release(&j);
}

static void reports_error_offset(void **state)
{
	struct hp_json j;
	size_t off = 0;
	const char *s = "{\"a\": [1, 2, x]}";

	assert_int_equal(hp_json_parse(&j, s, strlen(s), &off), -EINVAL);
	assert_int_equal(off, 13);
	hp_json_release(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_a_results_like_document), cmocka_unit_test(unescapes_strings),
	    cmocka_unit_test(rejects_malformed_documents),    cmocka_unit_test(limits_nesting_depth),
	    cmocka_unit_test(reports_error_offset),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
