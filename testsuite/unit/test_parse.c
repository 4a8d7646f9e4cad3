/* test_parse: the shared parsers, good and bad inputs side by side. */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "parse.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* One row: input, expected value when ok (msg NULL), or the message. */
struct row {
	const char *in;
	long long want;
	const char *msg;
};

#define TL " bad time limit; write MINUTES, M:S, H:M:S, D-H, D-H:M or " \
	"D-H:M:S (e.g. 90, 1:30:00, 2-00:00:00) or UNLIMITED"

static const struct row time_limits[] = {
	{ "90", 90, NULL },
	{ "0", 0, NULL },
	{ "1:30", 2, NULL },		/* M:S, seconds round up */
	{ "5:00", 5, NULL },
	{ "1:30:00", 90, NULL },
	{ "1:00:01", 61, NULL },
	{ "2-0", 2880, NULL },
	{ "1-2", 1560, NULL },
	{ "1-2:30", 1590, NULL },
	{ "1-00:00:30", 1441, NULL },
	{ "UNLIMITED", -1, NULL },
	{ "infinite", -1, NULL },
	{ "", 0, "empty time limit; write MINUTES, M:S, H:M:S, D-H, D-H:M "
		"or D-H:M:S (e.g. 90, 1:30:00, 2-00:00:00) or UNLIMITED" },
	{ "abc", 0, "abc:" TL },
	{ "1:2:3:4", 0, "1:2:3:4:" TL },
	{ "-5", 0, "-5:" TL },
	{ "1-", 0, "1-:" TL },
	{ "1h", 0, "1h:" TL },
	{ "1::2", 0, "1::2:" TL },
	{ "1234567890", 0, "1234567890:" TL },
	{ "99999999-0", 0, "99999999-0: time limit too long; use at most "
		"100 years or UNLIMITED" },
};

#define DUR "write seconds (300) or a number with s, min, h or d " \
	"(30s, 5min, 2h, 1d)"

static const struct row durations[] = {
	{ "300", 300, NULL },
	{ "30s", 30, NULL },
	{ "5min", 300, NULL },
	{ "15m", 900, NULL },
	{ "2h", 7200, NULL },
	{ "1d", 86400, NULL },
	{ "2H", 7200, NULL },
	{ "1w", 604800, NULL },
	{ "0", 0, NULL },
	{ "", 0, "empty duration; " DUR },
	{ "x", 0, "x: not a duration; " DUR },
	{ "-1", 0, "-1: not a duration; " DUR },
	{ "5x", 0, "5x: unknown unit 'x'; " DUR },
	{ "5 min", 0, "5 min: unknown unit ' min'; " DUR },
	{ "99999999999999999999d", 0, "99999999999999999999d: duration too "
		"long; use at most 9223372036854775807 seconds" },
};

#define SZ "write MiB (4096) or a number with K, M, G or T " \
	"(800K, 512M, 16G, 1T)"

static const struct row sizes[] = {
	{ "4096", 4096, NULL },
	{ "512M", 512, NULL },
	{ "16G", 16384, NULL },
	{ "16GiB", 16384, NULL },
	{ "16gb", 16384, NULL },
	{ "1T", 1048576, NULL },
	{ "800K", 1, NULL },
	{ "2048K", 2, NULL },
	{ "2049K", 3, NULL },
	{ "0", 0, NULL },
	{ "", 0, "empty size; " SZ },
	{ "G", 0, "G: not a size; " SZ },
	{ "16X", 0, "16X: unknown unit 'X'; " SZ },
	{ "-1G", 0, "-1G: not a size; " SZ },
	{ "99999999999999P", 0, "99999999999999P: size too large; use a "
		"smaller unit or value" },
};

#define BOOL_MSG ": not a yes/no value; write YES or NO (also " \
	"true/false, on/off, 1/0)"

static const struct row bools[] = {
	{ "yes", 1, NULL }, { "YES", 1, NULL }, { "true", 1, NULL },
	{ "1", 1, NULL }, { "On", 1, NULL }, { "no", 0, NULL },
	{ "False", 0, NULL }, { "0", 0, NULL }, { "off", 0, NULL },
	{ "y", 0, "y" BOOL_MSG }, { "", 0, BOOL_MSG },
	{ "2", 0, "2" BOOL_MSG },
};

static const struct row longs[] = {	/* range [-5, 100] */
	{ "42", 42, NULL }, { "-5", -5, NULL }, { "100", 100, NULL },
	{ "0", 0, NULL },
	{ "101", 0, "101: out of range; give a number from -5 to 100" },
	{ "-6", 0, "-6: out of range; give a number from -5 to 100" },
	{ "4x", 0, "4x: not a whole number; write digits only, like 42" },
	{ " 4", 0, " 4: not a whole number; write digits only, like 42" },
	{ "", 0, "empty number; give a whole number" },
	{ "99999999999999999999", 0, "99999999999999999999: out of range; "
		"give a number from -5 to 100" },
};

#define SIG_MSG ": no such signal; give a name like TERM, INT, KILL, " \
	"USR1, USR2 or a number"

static const struct row signals_t[] = {
	{ "TERM", SIGTERM, NULL }, { "SIGTERM", SIGTERM, NULL },
	{ "term", SIGTERM, NULL }, { "15", 15, NULL },
	{ "USR1", SIGUSR1, NULL }, { "sigkill", SIGKILL, NULL },
	{ "64", 64, NULL },
	{ "FOO", 0, "FOO" SIG_MSG }, { "SIG", 0, "SIG" SIG_MSG },
	{ "0", 0, "0: no such signal; give a number from 1 to 64 or a name "
		"like TERM" },
	{ "65", 0, "65: no such signal; give a number from 1 to 64 or a "
		"name like TERM" },
	{ "", 0, "empty signal; give a name or number, like TERM, USR1 or "
		"15" },
};

enum kind { K_TL, K_DUR, K_SIZE, K_BOOL, K_LONG, K_SIG };

static int
run_one(enum kind k, const char *in, long long *v, struct hc_err *err)
{
	long l = 0;
	uint64_t u = 0;
	bool b = false;
	int s = 0, rc = -1;

	switch (k) {
	case K_TL: rc = parse_time_limit(in, &l, err); *v = l; break;
	case K_DUR: rc = parse_duration_secs(in, &l, err); *v = l; break;
	case K_SIZE: rc = parse_size_mb(in, &u, err); *v = (long long)u; break;
	case K_BOOL: rc = parse_bool(in, &b, err); *v = b; break;
	case K_LONG: rc = parse_long(in, -5, 100, &l, err); *v = l; break;
	case K_SIG: rc = parse_signal(in, &s, err); *v = s; break;
	}
	return rc;
}

static void
run_table(enum kind k, const struct row *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct hc_err err = { 0 };
		long long v = 0;
		int rc = run_one(k, t[i].in, &v, &err);
		if (!t[i].msg) {
			if (rc != 0)
				fail_msg("'%s': %s", t[i].in, err.text);
			if (v != t[i].want)
				fail_msg("'%s': got %lld want %lld", t[i].in,
					 v, t[i].want);
			continue;
		}
		if (rc == 0)
			fail_msg("'%s': accepted as %lld", t[i].in, v);
		assert_int_equal(err.code, HC_EINVAL);
		assert_string_equal(err.text, t[i].msg);
	}
}

static void
test_time_limit(void **state)
{
	run_table(K_TL, time_limits, N(time_limits));
}

static void
test_duration(void **state)
{
	run_table(K_DUR, durations, N(durations));
}

static void
test_size(void **state)
{
	run_table(K_SIZE, sizes, N(sizes));
}

static void
test_bool(void **state)
{
	run_table(K_BOOL, bools, N(bools));
}

static void
test_long(void **state)
{
	struct hc_err err;
	long v;

	run_table(K_LONG, longs, N(longs));
	assert_int_equal(parse_long("-1", 0, LONG_MAX, &v, &err), -1);
	assert_string_equal(err.text, "-1: out of range; give a number >= 0");
}

static void
test_signal(void **state)
{
	run_table(K_SIG, signals_t, N(signals_t));
	assert_string_equal(signal_name(SIGTERM), "TERM");
	assert_string_equal(signal_name(SIGUSR2), "USR2");
	assert_null(signal_name(0));
}

static void
test_format(void **state)
{
	static const struct {
		long v;
		const char *limit, *dur;
	} t[] = {
		{ -1, "UNLIMITED", "00:00:00" },
		{ 0, "00:00:00", "00:00:00" },
		{ 59, "00:59:00", "00:00:59" },
		{ 90, "01:30:00", "00:01:30" },
		{ 1440, "1-00:00:00", "00:24:00" },
		{ 86400, "60-00:00:00", "1-00:00:00" },
		{ 2 * 86400 + 3723, NULL, "2-01:02:03" },
	};
	char buf[32];

	for (size_t i = 0; i < N(t); i++) {
		format_duration(t[i].v, buf, sizeof(buf));
		assert_string_equal(buf, t[i].dur);
		if (!t[i].limit)
			continue;
		format_time_limit(t[i].v, buf, sizeof(buf));
		assert_string_equal(buf, t[i].limit);
	}
}

#define DT ": not a date or time; write now, now+SECONDS, now+10min, " \
	"YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or HH:MM[:SS]"

static time_t
local(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s,
			 .tm_isdst = -1 };
	return mktime(&tm);
}

static void
test_datetime(void **state)
{
	time_t now = local(2026, 3, 10, 12, 0, 0), t;
	static const char *const bad[] = {
		"2026-02-30", "2026-13-01", "26-01-01", "2026-01-01T25:00",
		"2026-01-01T10", "2026-01-01 10:00", "24:00", "9:00",
		"12:60", "tomorrow", "2026-01-01T10:00:00Z",
	};
	char buf[32];
	struct hc_err err;

	assert_int_equal(parse_datetime("now", now, &t, NULL), 0);
	assert_true(t == now);
	assert_int_equal(parse_datetime("now+60", now, &t, NULL), 0);
	assert_true(t == now + 60);
	assert_int_equal(parse_datetime("now+10min", now, &t, NULL), 0);
	assert_true(t == now + 600);
	assert_int_equal(parse_datetime("2026-11-27", now, &t, NULL), 0);
	assert_true(t == local(2026, 11, 27, 0, 0, 0));
	assert_int_equal(parse_datetime("2026-11-27T10:00", now, &t, NULL), 0);
	assert_true(t == local(2026, 11, 27, 10, 0, 0));
	assert_int_equal(parse_datetime("2026-11-27T10:00:05", now, &t, NULL),
			 0);
	assert_true(t == local(2026, 11, 27, 10, 0, 5));
	assert_int_equal(parse_datetime("13:30", now, &t, NULL), 0);
	assert_true(t == local(2026, 3, 10, 13, 30, 0));
	assert_int_equal(parse_datetime("11:00:00", now, &t, NULL), 0);
	assert_true(t == local(2026, 3, 11, 11, 0, 0));	/* tomorrow */

	for (size_t i = 0; i < N(bad); i++) {
		char want[256];
		if (parse_datetime(bad[i], now, &t, &err) == 0)
			fail_msg("%s: accepted", bad[i]);
		snprintf(want, sizeof(want), "%s" DT, bad[i]);
		assert_string_equal(err.text, want);
	}
	assert_int_equal(parse_datetime("now+x", now, &t, &err), -1);
	assert_string_equal(err.text, "now+x: bad offset after now+; write "
			    "now+60, now+10min or now+2h");
	assert_int_equal(parse_datetime("", now, &t, &err), -1);

	format_datetime(local(2026, 11, 27, 10, 0, 0), buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-27T10:00:00");
	format_datetime(0, buf, sizeof(buf));
	assert_string_equal(buf, "Unknown");
}

#define RES "write name[:type]:count, e.g. gpu:h100:4 or gpu:2,fpga:1"

static void
test_res_list(void **state)
{
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "gpu:h100:4", "gpu:h100:4" },
		{ "gpu:2", "gpu:2" },
		{ "gpu", "gpu:1" },
		{ "gpu:h100", "gpu:h100:1" },
		{ "cpu:512,gpu:16", "cpu:512,gpu:16" },
		{ "gpu:a100:2,gpu:h100:4", "gpu:a100:2,gpu:h100:4" },
		{ "gpu:0", "gpu:0" },
		{ "", "" },
	};
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "gpu:h100:x", "gpu:h100:x: 'x' is not a count; " RES },
		{ "gpu:4x", "gpu:4x: '4x' is not a count; " RES },
		{ "gpu:-1", "gpu:-1: '-1' is not a count; " RES },
		{ "gpu:", "gpu:: '' is not a count; " RES },
		{ ":4", ":4: empty name; " RES },
		{ "gpu::4", "gpu::4: empty name; " RES },
		{ "a:b:c:d", "a:b:c:d: too many ':'; " RES },
		{ "gp u:1", "gp u:1: invalid character ' '; names use letters, "
			"digits, '-', '_' and '.'" },
		{ "gpu:1,,fpga:1", "gpu:1,,fpga:1: empty item; separate items "
			"with one comma" },
		{ "gpu:1,", "gpu:1,: empty item; separate items with one "
			"comma" },
		{ "gpu:1,gpu:2", "gpu:1,gpu:2: gpu listed twice; give each "
			"resource once" },
		{ "gpu:h100:1,gpu:h100:2", "gpu:h100:1,gpu:h100:2: gpu:h100 "
			"listed twice; give each resource once" },
		{ "averyveryveryverylongresourcename:1", "averyveryveryvery"
			"longresourcename:1: name too long; use at most 31 "
			"characters" },
	};

	for (size_t i = 0; i < N(good); i++) {
		struct res_list rl;
		struct hc_err err;
		char *s;
		if (res_list_parse(good[i].in, &rl, &err) < 0)
			fail_msg("%s: %s", good[i].in, err.text);
		s = res_list_format(&rl);
		assert_string_equal(s, good[i].out);
		free(s);
		res_list_free(&rl);
		assert_null(rl.items);
	}
	for (size_t i = 0; i < N(bad); i++) {
		struct res_list rl = { 0 };
		struct hc_err err;
		if (res_list_parse(bad[i].in, &rl, &err) == 0)
			fail_msg("%s: accepted", bad[i].in);
		assert_string_equal(err.text, bad[i].msg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_limit),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_datetime),
		cmocka_unit_test(test_res_list),
	};
	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
