/*
 * test_cmd_rows: the reader of JOB_QUERY "rows" replies (src/cmds/cmd_rows.c)
 * against good replies, escapes, and malformed or truncated text.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd.h"

static void
test_rows_good(void **state)
{
	static const char text[] =
		" {\"rc\":0,\"fields\":[\"job_id\",\"name\",\"priority\"],"
		"\"rows\":[[12,\"a\\\"b\\\\c\\n\",1.5],[13,null,-2],"
		" [ 14 , \"\\u00e9\\ud83d\\ude00/\\/\" , true ] ]} ";
	struct cmd_rows t;
	struct hc_err err = { 0 };

	assert_int_equal(cmd_rows_parse(text, strlen(text), &t, &err), 0);
	assert_int_equal(t.rc, 0);
	assert_int_equal(t.nfields, 3);
	assert_int_equal(t.nrows, 3);
	assert_int_equal(cmd_rows_col(&t, "name"), 1);
	assert_int_equal(cmd_rows_col(&t, "user"), -1);
	assert_string_equal(t.cells[0], "12");
	assert_string_equal(t.cells[1], "a\"b\\c\n");
	assert_string_equal(t.cells[2], "1.5");
	assert_string_equal(t.cells[4], "");
	assert_string_equal(t.cells[5], "-2");
	assert_string_equal(t.cells[7], "\xc3\xa9\xf0\x9f\x98\x80//");
	assert_string_equal(t.cells[8], "true");
	cmd_rows_free(&t);
}

static void
test_rows_error_and_empty(void **state)
{
	static const char e[] = "{\"rc\":3,\"error\":\"no such job\"}";
	static const char z[] = "{\"rc\":0,\"fields\":[\"job_id\"],\"rows\":[]}";
	struct cmd_rows t;
	struct hc_err err = { 0 };

	assert_int_equal(cmd_rows_parse(e, strlen(e), &t, &err), 0);
	assert_int_equal(t.rc, 3);
	assert_string_equal(t.error, "no such job");
	cmd_rows_free(&t);
	assert_int_equal(cmd_rows_parse(z, strlen(z), &t, &err), 0);
	assert_int_equal(t.nrows, 0);
	cmd_rows_free(&t);
}

static void
test_rows_bad(void **state)
{
	static const char *const bad[] = {
		"", "[]", "{", "{\"rc\":0", "{\"rc\":0,}",
		"{\"rows\":[[1]]}",				/* no fields */
		"{\"fields\":[\"a\"],\"rows\":[[1,2]]}",	/* too long */
		"{\"fields\":[\"a\",\"b\"],\"rows\":[[1]]}",	/* too short */
		"{\"fields\":[\"a\"],\"rows\":[[[1]]]}",	/* nested */
		"{\"fields\":[\"a\"],\"rows\":[[{}]]}",
		"{\"fields\":[\"a\"],\"rows\":[[\"x\ty\"]]}",	/* control */
		"{\"fields\":[\"a\"],\"rows\":[[\"\\x\"]]}",	/* escape */
		"{\"fields\":[\"a\"],\"rows\":[[\"\\ud800\"]]}",
		"{\"fields\":[\"a\"],\"rows\":[[\"\\u12\"]]}",
		"{\"fields\":[\"a\"],\"rows\":[[\"abc]]}",
		"{\"fields\":[1],\"rows\":[]}",
		"{\"rc\":0} x", "{\"rc\":nope}",
		NULL
	};
	static const char good[] =
		"{\"rc\":0,\"fields\":[\"a\",\"b\"],\"rows\":[[1,\"xy\"]]}";
	struct cmd_rows t;
	struct hc_err err = { 0 };

	for (size_t i = 0; bad[i]; i++) {
		assert_int_equal(cmd_rows_parse(bad[i], strlen(bad[i]), &t,
						&err), -1);
		assert_int_equal(err.code, HC_EPROTO);
		cmd_rows_free(&t);
	}
	/* every truncation of a good reply is refused, never overrun */
	for (size_t n = 0; n < sizeof(good) - 1; n++) {
		char *cut = malloc(n + 1);

		memcpy(cut, good, n);
		assert_int_equal(cmd_rows_parse(cut, n, &t, &err), -1);
		cmd_rows_free(&t);
		free(cut);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_good),
		cmocka_unit_test(test_rows_error_and_empty),
		cmocka_unit_test(test_rows_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
