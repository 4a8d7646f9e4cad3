/* test_array: array task set parsing, folding, membership and removal. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "array.h"

/* Good specifications: the folded form and the task count. */
static const struct {
	const char *spec;
	const char *folded;
	uint64_t size;
} good[] = {
	{ "0-9999", "0-9999", 10000 },
	{ "1,3,5-11:2", "1,3,5-11:2", 6 },
	{ "7", "7", 1 },
	{ "0-99%10", "0-99%10", 100 },
	{ "7-9999%50", "7-9999%50", 9993 },
	{ "5-10:2", "5-9:2", 3 },
	{ "5-5:3", "5", 1 },
	{ "1,2,3", "1-3", 3 },
	{ "10,1-5", "1-5,10", 6 },
	{ "0-3999999", "0-3999999", 4000000 },
	{ "4000000", "4000000", 1 },
	{ "0-999999%1", "0-999999%1", 1000000 },
};

/* Bad specifications and the exact message. */
static const struct {
	const char *spec;
	const char *msg;
} bad[] = {
	{ "5-1", "5-1: range is reversed; write 1-5" },
	{ "0-99999999999", "0-99999999999: task id 99999999999 is above "
		"the maximum 4000000" },
	{ "4000001", "4000001: task id 4000001 is above the maximum 4000000" },
	{ "", "empty array; write task ids such as 0-99 or 1,3,5-11:2" },
	{ "%5", "empty array; write task ids such as 0-99 or 1,3,5-11:2" },
	{ "1,,2", "empty task id; separate ranges with one comma" },
	{ "1,", "empty task id; separate ranges with one comma" },
	{ "a-3", "a-3: 'a' is not a number; write task ids such as 0-99 or "
		"1,3,5-11:2" },
	{ "1-", "1-: missing number; write task ids such as 0-99 or "
		"1,3,5-11:2" },
	{ "-3", "-3: missing number; write task ids such as 0-99 or "
		"1,3,5-11:2" },
	{ "1-9:0", "1-9:0: step must be at least 1" },
	{ "5:2", "5:2: a step needs a range; write 5-N:2" },
	{ "1-9x", "1-9x: unexpected 'x'; write task ids such as 0-99 or "
		"1,3,5-11:2" },
	{ "0-9%0", "%0: throttle must be at least 1" },
	{ "0-9%x", "%x: 'x' is not a number; write task ids such as 0-99 or "
		"1,3,5-11:2" },
	{ "0-9%2x", "%2x: unexpected 'x' in throttle; write %N, e.g. %10" },
	{ "1-5,3", "task 3 is listed twice (ranges overlap); list each task "
		"once" },
	{ "1,1", "task 1 is listed twice (ranges overlap); list each task "
		"once" },
};

static void
test_parse_good(void **state)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct hc_err err = { 0 };
		struct array_set set;
		char *s;

		if (array_set_parse(&set, good[i].spec, &err) < 0)
			fail_msg("%s: %s", good[i].spec, err.text);
		s = array_set_format(&set, true);
		if (strcmp(s, good[i].folded))
			fail_msg("%s: got %s, want %s", good[i].spec, s,
				 good[i].folded);
		assert_int_equal(array_set_size(&set), good[i].size);
		free(s);
		array_set_free(&set);
	}
}

static void
test_parse_bad(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hc_err err = { 0 };
		struct array_set set;

		if (array_set_parse(&set, bad[i].spec, &err) == 0)
			fail_msg("%s: accepted", bad[i].spec);
		assert_int_equal(err.code, HC_EINVAL);
		if (strcmp(err.text, bad[i].msg))
			fail_msg("%s: got '%s', want '%s'", bad[i].spec,
				 err.text, bad[i].msg);
		assert_int_equal(set.count, 0);
		assert_null(set.ranges);
	}
}

static void
test_members(void **state)
{
	struct array_set set;

	assert_int_equal(array_set_parse(&set, "1,3,5-11:2%4", NULL), 0);
	assert_true(array_set_contains(&set, 1));
	assert_false(array_set_contains(&set, 2));
	assert_true(array_set_contains(&set, 9));
	assert_false(array_set_contains(&set, 10));
	assert_false(array_set_contains(&set, 13));
	assert_int_equal(array_set_first(&set), 1);
	assert_int_equal(array_set_last(&set), 11);
	assert_int_equal(array_set_next(&set, -1), 1);
	assert_int_equal(array_set_next(&set, 1), 3);
	assert_int_equal(array_set_next(&set, 5), 7);
	assert_int_equal(array_set_next(&set, 6), 7);
	assert_int_equal(array_set_next(&set, 11), -1);
	assert_int_equal(set.throttle, 4);
	array_set_free(&set);
}

/* Removing tasks splits ranges; the folded form follows. */
static void
test_remove(void **state)
{
	struct array_set set, copy;
	char *s;

	assert_int_equal(array_set_parse(&set, "0-9999%50", NULL), 0);
	for (uint32_t id = 0; id < 7; id++)
		assert_int_equal(array_set_remove(&set, id), 0);
	s = array_set_format(&set, true);
	assert_string_equal(s, "7-9999%50");
	free(s);
	assert_int_equal(array_set_remove(&set, 500), 0);
	assert_int_equal(array_set_remove(&set, 9999), 0);
	assert_int_equal(array_set_remove(&set, 500), -1);
	assert_int_equal(array_set_remove(&set, 3), -1);
	s = array_set_format(&set, false);
	assert_string_equal(s, "7-499,501-9998");
	free(s);
	assert_int_equal(array_set_size(&set), 9991);
	assert_int_equal(array_set_copy(&copy, &set), 0);
	array_set_free(&set);
	assert_int_equal(array_set_parse(&set, "1-9:2", NULL), 0);
	assert_int_equal(array_set_remove(&set, 3), 0);
	assert_int_equal(array_set_remove(&set, 7), 0);
	s = array_set_format(&set, false);
	assert_string_equal(s, "1,5,9");
	free(s);
	assert_int_equal(array_set_remove(&set, 1), 0);
	assert_int_equal(array_set_remove(&set, 5), 0);
	assert_int_equal(array_set_remove(&set, 9), 0);
	assert_int_equal(array_set_size(&set), 0);
	assert_int_equal(array_set_first(&set), -1);
	s = array_set_format(&set, false);
	assert_string_equal(s, "");
	free(s);
	array_set_free(&set);
	assert_int_equal(array_set_size(&copy), 9991);
	array_set_free(&copy);
}

/* A million tasks are a single range, and stay few ranges when drained. */
static void
test_large(void **state)
{
	struct array_set set;
	uint64_t n = 0;

	assert_int_equal(array_set_parse(&set, "0-999999", NULL), 0);
	assert_int_equal(set.count, 1);
	for (int64_t id = -1; (id = array_set_next(&set, id)) >= 0;)
		n++;
	assert_int_equal(n, 1000000);
	for (uint32_t id = 0; id < 1000; id++)
		assert_int_equal(array_set_remove(&set,
			(uint32_t)array_set_first(&set)), 0);
	assert_int_equal(set.count, 1);
	assert_int_equal(array_set_first(&set), 1000);
	array_set_free(&set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
