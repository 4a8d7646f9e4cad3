/* test_hostlist: expansion, compression and every error message. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hostlist.h"

/* Good expressions: the expansion, joined with spaces. */
static const struct {
	const char *expr;
	const char *names;
} good[] = {
	{ "", "" },
	{ "login1", "login1" },
	{ "n[1-3]", "n1 n2 n3" },
	{ "n[001-003]", "n001 n002 n003" },
	{ "n[8-10]", "n8 n9 n10" },
	{ "n[098-101]", "n098 n099 n100 n101" },
	{ "gpu[1,3,5-7],login1", "gpu1 gpu3 gpu5 gpu6 gpu7 login1" },
	{ "r[1-2]-ib", "r1-ib r2-ib" },
	{ "a,b,a", "a b a" },
	{ "[1-2]", "1 2" },
	{ "n[5]", "n5" },
	{ "node-1.example_x", "node-1.example_x" },
};

/* Bad expressions and the exact message. */
static const struct {
	const char *expr;
	const char *msg;
} bad[] = {
	{ "n[3-1]", "n[3-1]: range is reversed; write n[1-3]" },
	{ "n[010-001]", "n[010-001]: range is reversed; write n[001-010]" },
	{ "n[1-", "n[1-: missing ']'; write ranges like n[1-4]" },
	{ "n[]", "n[]: empty brackets; write ranges like n[1-4]" },
	{ "n[a-b]", "n[a-b]: 'a' is not a number; write ranges like n[1-4] "
		"or n[1,3,5-7]" },
	{ "n[1-x]", "n[1-x]: 'x' is not a number; write ranges like n[1-4] "
		"or n[1,3,5-7]" },
	{ "n[1,,2]", "n[1,,2]: empty number in range; write ranges like "
		"n[1-4] or n[1,3,5-7]" },
	{ "n[-2]", "n[-2]: empty number in range; write ranges like "
		"n[1-4] or n[1,3,5-7]" },
	{ "a,,b", "empty host name; separate names with one comma" },
	{ "a,", "empty host name; separate names with one comma" },
	{ "a[1-2]b[3-4]", "a[1-2]b[3-4]: only one [...] range per name; "
		"list such names separately" },
	{ "n1]", "n1]: ']' without '['; write ranges like n[1-4]" },
	{ "n@1", "n@1: invalid character '@' in host name; use letters, "
		"digits, '-', '_' and '.'" },
	{ "n 1", "n 1: invalid character ' ' in host name; use letters, "
		"digits, '-', '_' and '.'" },
	{ "n[1-1234567890]", "n[1-1234567890]: number too long in range; "
		"use at most 9 digits" },
	{ "n[1-65537]", "n[1-65537]: expands to more than 65536 names; "
		"split the expression" },
	{ "n[1-40000],m[1-40000]", "m[1-40000]: expands to more than 65536 "
		"names; split the expression" },
};

static char *
joined(const struct hostlist *hl)
{
	static char buf[4096];

	buf[0] = '\0';
	for (size_t i = 0; i < hl->count; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, hl->names[i]);
	}
	return buf;
}

static void
test_parse_good(void **state)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct hc_err err = { 0 };
		struct hostlist *hl = hostlist_parse(good[i].expr, &err);
		if (!hl)
			fail_msg("%s: %s", good[i].expr, err.text);
		assert_string_equal(joined(hl), good[i].names);
		hostlist_destroy(hl);
	}
}

static void
test_parse_bad(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hc_err err = { 0 };
		struct hostlist *hl = hostlist_parse(bad[i].expr, &err);
		if (hl)
			fail_msg("%s: accepted", bad[i].expr);
		assert_int_equal(err.code, HC_EINVAL);
		assert_string_equal(err.text, bad[i].msg);
	}
	assert_null(hostlist_parse(NULL, NULL));
}

static void
test_max(void **state)
{
	struct hostlist *hl = hostlist_parse("n[1-65536]", NULL);

	assert_non_null(hl);
	assert_int_equal(hl->count, HOSTLIST_MAX);
	assert_string_equal(hl->names[65535], "n65536");
	hostlist_destroy(hl);
}

/* Names in, compressed expression out. */
static const struct {
	const char *in;
	const char *out;
} ranged[] = {
	{ "", "" },
	{ "n1", "n1" },
	{ "n1,n2,n3", "n[1-3]" },
	{ "n3,n1,n2", "n[1-3]" },
	{ "n001,n002,n003,n007", "n[001-003,007]" },
	{ "n9,n10,n11", "n[9-11]" },
	{ "n2,n10,n1", "n[1-2,10]" },
	{ "n098,n099,n100", "n[098-100]" },
	{ "n1,n02", "n1,n02" },
	{ "gpu1,gpu3,gpu5,gpu6,gpu7,login1", "gpu[1,3,5-7],login1" },
	{ "login,n1,n2", "login,n[1-2]" },
	{ "n1,n1,n2", "n[1-2]" },
	{ "a1,b1", "a1,b1" },
};

static void
test_ranged(void **state)
{
	for (size_t i = 0; i < sizeof(ranged) / sizeof(ranged[0]); i++) {
		struct hostlist *hl = hostlist_parse(ranged[i].in, NULL);
		char *s;
		assert_non_null(hl);
		s = hostlist_ranged(hl);
		if (strcmp(s, ranged[i].out))
			fail_msg("%s: got %s, want %s", ranged[i].in, s,
				 ranged[i].out);
		free(s);
		hostlist_destroy(hl);
	}
}

/* Expanding the compressed form gives the sorted unique names back. */
static void
test_roundtrip(void **state)
{
	const char *exprs[] = { "n[001-128]", "x[1-3,5],y7,n[8-12],z",
				"a[0-9],a[10-19]" };

	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		struct hostlist *a = hostlist_parse(exprs[i], NULL), *b;
		char *s = hostlist_ranged(a);
		b = hostlist_parse(s, NULL);
		assert_non_null(b);
		hostlist_uniq(a);
		assert_string_equal(joined(a), joined(b));
		free(s);
		hostlist_destroy(a);
		hostlist_destroy(b);
	}
}

static void
test_uniq_find(void **state)
{
	struct hostlist *hl = hostlist_parse("n10,n2,n1,n2,m", NULL);

	hostlist_uniq(hl);
	assert_string_equal(joined(hl), "m n1 n2 n10");
	assert_int_equal(hostlist_find(hl, "n10"), 3);
	assert_int_equal(hostlist_find(hl, "n3"), -1);
	hostlist_push(hl, "extra");
	assert_int_equal(hostlist_find(hl, "extra"), 4);
	hostlist_destroy(hl);
	hostlist_destroy(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_ranged),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_uniq_find),
	};
	return cmocka_run_group_tests_name("hostlist", tests, NULL, NULL);
}
