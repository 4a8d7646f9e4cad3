/*
 * test_swf: hcsim's Standard Workload Format reader, good and bad lines
 * side by side, and a whole file's errors carrying its line numbers.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "swf.h"

#define OK18 "1 0 -1 10 2 -1 -1 2 20 -1 1 7 -1 -1 -1 -1 -1 -1"

static const struct {
	const char *line;
	const char *error;	/* NULL: accepted */
} lines[] = {
	{ OK18, NULL },
	{ "  1\t0 -1 10 2 1.5 -1 2 20 -1 1 7 -1 -1 -1 -1 -1 -1\r", NULL },
	{ "", NULL },
	{ "   ", NULL },
	{ "; Computer: nothing read", NULL },
	{ "; MaxProcs: 128", NULL },
	{ "; MaxNodes: 64", NULL },
	{ "; MaxProcs: many", "MaxProcs: 'many' is not a positive integer" },
	{ "; MaxNodes: 0", "MaxNodes: '0' is not a positive integer" },
	{ "1 0 -1 10 2", "5 fields; a data line has exactly 18" },
	{ OK18 " 9", "more than 18 fields" },
	{ "1 0 -1 ten 2 -1 -1 2 20 -1 1 7 -1 -1 -1 -1 -1 -1",
	  "field 4 (run time): 'ten' is not a number" },
	{ "1 0 -1 10.5 2 -1 -1 2 20 -1 1 7 -1 -1 -1 -1 -1 -1",
	  "field 4 (run time): '10.5' must be an integer" },
	{ "1 0 -1 10 2 -1 -1 2 -5 -1 1 7 -1 -1 -1 -1 -1 -1",
	  "field 9 (requested time): '-5' must be an integer >= -1" },
	{ "1 -3 -1 10 2 -1 -1 2 20 -1 1 7 -1 -1 -1 -1 -1 -1",
	  "field 2 (submit time): '-3' must be an integer >= -1" },
	{ "1 -1 -1 10 2 -1 -1 2 20 -1 1 7 -1 -1 -1 -1 -1 -1",
	  "field 2 (submit time): -1; it must be >= 0" },
	{ "1 0 -1 10 2x -1 -1 2 20 -1 1 7 -1 -1 -1 -1 -1 -1",
	  "field 5 (allocated processors): '2x' is not a number" },
};

static void
test_lines(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
		struct swf_trace t = { 0 };
		char why[256] = "";
		int rc = swf_parse_line(&t, lines[k].line, 1, why,
					sizeof(why));

		if (!lines[k].error) {
			if (rc != 0)
				fail_msg("'%s' refused: %s", lines[k].line,
					 why);
		} else if (rc == 0 || !strstr(why, lines[k].error)) {
			fail_msg("'%s': want '%s', got rc %d '%s'",
				 lines[k].line, lines[k].error, rc, why);
		}
		swf_free(&t);
	}
}

static void
test_fields(void **state)
{
	struct swf_trace t = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(swf_parse_line(&t, "; MaxProcs: 128", 1, why,
					sizeof(why)), 0);
	assert_int_equal(swf_parse_line(&t, OK18, 2, why, sizeof(why)), 0);
	/* requested processors -1: the allocated ones count */
	assert_int_equal(swf_parse_line(&t, "2 5 -1 3 16 -1 -1 -1 -1 -1 1 "
					"8 -1 -1 -1 -1 -1 -1", 3, why,
					sizeof(why)), 0);
	assert_int_equal(t.max_procs, 128);
	assert_int_equal(t.max_nodes, 0);
	assert_int_equal(t.count, 2);
	assert_int_equal(t.jobs[0].run, 10);
	assert_int_equal(t.jobs[0].procs, 2);
	assert_int_equal(t.jobs[0].req_time, 20);
	assert_int_equal(t.jobs[0].user, 7);
	assert_int_equal(t.jobs[1].submit, 5);
	assert_int_equal(t.jobs[1].procs, 16);
	assert_int_equal(t.jobs[1].req_time, -1);
	assert_int_equal(t.jobs[1].line, 3);
	swf_free(&t);
}

static void
test_file_line_numbers(void **state)
{
	const char *text = "; Version: 2\n; MaxNodes: 4\n" OK18 "\n\n"
			   "3 1 -1 x 1 -1 -1 1 5 -1 1 1 -1 -1 -1 -1 -1 -1\n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct swf_trace t = { 0 };
	struct hc_err err = { 0 };

	(void)state;
	assert_non_null(f);
	assert_int_equal(swf_read(f, "t.swf", &t, &err), -1);
	assert_non_null(strstr(err.text, "t.swf:5: field 4 (run time)"));
	assert_int_equal(t.max_nodes, 4);
	fclose(f);
	swf_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_file_line_numbers),
	};

	return cmocka_run_group_tests_name("swf", tests, NULL, NULL);
}
