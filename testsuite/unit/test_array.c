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

/* Holding or cancelling part of a set: a, the tasks named b, what of a is
 * in b, what is left; and the union of the two gives a back. */
static const struct {
	const char *a, *b, *in, *out;
} cuts[] = {
	{ "0-999999", "7", "7", "0-6,8-999999" },
	{ "0-999999", "1-500", "1-500", "0,501-999999" },
	{ "0-999999", "0-999999", "0-999999", "" },
	{ "0-999999", "2000000-3000000", "", "0-999999" },
	{ "1,3,5-11:2", "4-8", "5-7:2", "1,3,9-11:2" },
	{ "0-20:2", "5-9", "6-8:2", "0-4:2,10-20:2" },
	{ "0-9", "1-9:2", "1-9:2", "0-8:2" },
	{ "0-9,20-29", "5-24", "5-9,20-24", "0-4,25-29" },
	{ "10-19", "0-4,12,15-30", "12,15-19", "10-11,13-14" },
	{ "0-9%3", "9", "9", "0-8%3" },
};

static char *
fmt(const struct array_set *s)
{
	return array_set_format(s, true);
}

static bool
same_set(const struct array_set *a, const struct array_set *b)
{
	if (array_set_size(a) != array_set_size(b))
		return false;
	for (int64_t t = -1; (t = array_set_next(a, t)) >= 0;)
		if (!array_set_contains(b, (uint32_t)t))
			return false;
	return true;
}

static void
test_cut(void **state)
{
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		struct array_set a, b, in, out, u;
		char *x, *y, *z, *w;

		assert_int_equal(array_set_parse(&a, cuts[i].a, NULL), 0);
		assert_int_equal(array_set_parse(&b, cuts[i].b, NULL), 0);
		assert_int_equal(array_set_cut(&a, &b, &in, &out), 0);
		assert_int_equal(array_set_union(&u, &out, &in), 0);
		x = fmt(&in), y = fmt(&out), z = fmt(&u), w = fmt(&a);
		if (strcmp(x, cuts[i].in) || strcmp(y, cuts[i].out) ||
		    !same_set(&u, &a))
			fail_msg("%s cut by %s: in %s out %s union %s; want "
				 "%s, %s, %s", cuts[i].a, cuts[i].b, x, y, z,
				 cuts[i].in, cuts[i].out, w);
		assert_int_equal(array_set_size(&in) + array_set_size(&out),
				 array_set_size(&a));
		free(x), free(y), free(z), free(w);
		array_set_free(&a), array_set_free(&b), array_set_free(&in);
		array_set_free(&out), array_set_free(&u);
	}
}

/* Random sets against a bitmap: every task lands on the right side, the
 * results are valid sets (they print and parse back), and a union of
 * interleaved sets holds each task once. */
static void
test_cut_random(void **state)
{
	srand(42);
	for (int round = 0; round < 300; round++) {
		struct array_set a = { 0 }, b = { 0 }, in, out, u, back;
		char spec[2][256];
		char *f;

		for (int k = 0; k < 2; k++) {
			size_t len = 0;
			uint32_t at = (uint32_t)(rand() % 5);

			for (int r = 0; r < 1 + rand() % 4; r++) {
				uint32_t n = (uint32_t)(rand() % 12);
				uint32_t st = 1 + (uint32_t)(rand() % 3);

				len += (size_t)snprintf(spec[k] + len,
					sizeof(spec[k]) - len, "%s%u-%u:%u",
					r ? "," : "", at, at + n, st);
				at += n + 1 + (uint32_t)(rand() % 4);
			}
		}
		assert_int_equal(array_set_parse(&a, spec[0], NULL), 0);
		assert_int_equal(array_set_parse(&b, spec[1], NULL), 0);
		assert_int_equal(array_set_cut(&a, &b, &in, &out), 0);
		for (uint32_t t = 0; t < 120; t++) {
			bool ina = array_set_contains(&a, t);
			bool inb = array_set_contains(&b, t);

			if (array_set_contains(&in, t) != (ina && inb) ||
			    array_set_contains(&out, t) != (ina && !inb))
				fail_msg("%s cut by %s: task %u misplaced",
					 spec[0], spec[1], t);
		}
		assert_int_equal(array_set_union(&u, &out, &b), 0);
		for (uint32_t t = 0; t < 120; t++)
			assert_int_equal(array_set_contains(&u, t),
					 array_set_contains(&out, t) ||
					 array_set_contains(&b, t));
		f = array_set_format(&u, false);
		if (*f && array_set_parse(&back, f, NULL) < 0)
			fail_msg("union %s does not parse back", f);
		if (*f) {
			assert_int_equal(array_set_size(&back),
					 array_set_size(&u));
			array_set_free(&back);
		}
		free(f);
		array_set_free(&a), array_set_free(&b), array_set_free(&in);
		array_set_free(&out), array_set_free(&u);
	}
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
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_cut_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
