/*
 * test_jtext: hcctld's JSON text writer (src/hcctld/jtext.c), which writes
 * JOB_QUERY rows straight into a growing buffer: every string it writes
 * reads back through jansson as what was given (bytes that are not UTF-8
 * as '?'), at every fill of the buffer around its growth points, with
 * strings of the worst expansion (control characters, quotes).
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "jtext.h"

/* The string t holds from offset off, read back by jansson. */
static char *
read_back(const struct jtext *t, size_t off)
{
	json_error_t jerr;
	json_t *v;
	char *s;

	assert_non_null(t->buf);
	assert_int_equal(strlen(t->buf), t->len);
	v = json_loads(t->buf + off, JSON_DECODE_ANY, &jerr);
	if (!v)
		fail_msg("not JSON: %s: %.80s", jerr.text, t->buf + off);
	assert_true(json_is_string(v));
	s = strdup(json_string_value(v));
	json_decref(v);
	return s;
}

static void
check_str(const char *in, const char *want)
{
	struct jtext t = { 0 };
	char *got;

	jtext_str(&t, in);
	got = read_back(&t, 0);
	assert_string_equal(got, want);
	free(got);
	jtext_free(&t);
}

static void
test_str_escapes(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "" },
		{ "plain job", "plain job" },
		{ "q\"b\\s/", "q\"b\\s/" },
		{ "\t\n\r\b\f\x01\x1f\x7f", "\t\n\r\b\f\x01\x1f\x7f" },
		{ "h\xc3\xa9llo \xe2\x98\x83 \xf0\x9d\x84\x9e",
		  "h\xc3\xa9llo \xe2\x98\x83 \xf0\x9d\x84\x9e" },
		{ "\x80", "?" },			/* lone continuation */
		{ "\xc0\x80", "??" },			/* overlong NUL */
		{ "\xe0\x80\xaf", "???" },		/* overlong '/' */
		{ "\xed\xa0\x80", "???" },		/* surrogate */
		{ "\xf4\x90\x80\x80", "????" },		/* past U+10FFFF */
		{ "\xff\xfe", "??" },
		{ "end\xe2\x82", "end??" },		/* cut at the end */
		{ "\xc3", "?" },
		{ "\xf0\x9f\x98", "???" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_str(cases[i].in, cases[i].want);
}

static void
test_str_null(void **state)
{
	struct jtext t = { 0 };

	jtext_str(&t, NULL);
	assert_string_equal(t.buf, "null");
	jtext_free(&t);
}

/* Strings of the worst expansion, written at every fill of the buffer
 * around its first growth points. */
static void
test_str_growth(void **state)
{
	static const char fills[] = { '\x01', '"', 'a', '\xe9' };
	static const size_t at[] = { 4096, 8192 };
	char *s = malloc(20000), *want = malloc(20000);

	for (size_t f = 0; f < sizeof(fills); f++)
	for (size_t a = 0; a < sizeof(at) / sizeof(at[0]); a++)
	for (size_t pre = at[a] - 40; pre <= at[a] + 2; pre++)
	for (size_t n = 0; n <= 12; n++) {
		struct jtext t = { 0 };
		char *got;

		memset(s, fills[f], n);
		s[n] = '\0';
		memset(want, fills[f] == '\xe9' ? '?' : fills[f], n);
		want[n] = '\0';
		for (size_t k = 0; k < pre; k++)
			jtext_putc(&t, ' ');
		jtext_str(&t, s);
		assert_int_equal(strlen(t.buf), t.len);
		assert_true(t.len < t.cap);
		got = read_back(&t, pre);
		assert_string_equal(got, want);
		free(got);
		jtext_free(&t);
	}
	/* One long string of control characters (6 bytes each). */
	memset(s, '\x02', 19999);
	s[19999] = '\0';
	check_str(s, s);
	free(s);
	free(want);
}

/* Many rows of long escaped strings, as a big listing writes them. */
static void
test_rows_many(void **state)
{
	struct jtext t = { 0 };
	char name[4097];
	json_error_t jerr;
	json_t *v;
	size_t len;
	char *text;

	memset(name, '\x01', 4096);
	name[4096] = '\0';
	jtext_puts(&t, "[");
	for (int i = 0; i < 300; i++) {
		jtext_putn(&t, i ? ",[" : "[", i ? 2 : 1);
		jtext_int(&t, i);
		jtext_putc(&t, ',');
		jtext_str(&t, name + i);
		jtext_putc(&t, ']');
	}
	jtext_puts(&t, "]");
	text = jtext_steal(&t, &len);
	assert_null(t.buf);
	v = json_loadb(text, len, 0, &jerr);
	assert_non_null(v);
	assert_int_equal(json_array_size(v), 300);
	assert_int_equal(strlen(json_string_value(json_array_get(
		json_array_get(v, 299), 1))), 4096 - 299);
	json_decref(v);
	free(text);
}

static void
test_numbers(void **state)
{
	static const struct {
		double v;
		const char *want;
	} reals[] = {
		{ 1.5, "1.5" }, { 2, "2.0" }, { -0.25, "-0.25" },
		{ 1e300, "1.0000000000000001e+300" },
		{ NAN, "null" }, { INFINITY, "null" }, { -INFINITY, "null" },
	};
	struct jtext t = { 0 };
	char *s;

	jtext_int(&t, LLONG_MIN);
	jtext_putc(&t, ' ');
	jtext_int(&t, LLONG_MAX);
	jtext_putc(&t, ' ');
	jtext_int(&t, 0);
	jtext_putc(&t, ' ');
	jtext_int(&t, -7);
	assert_string_equal(t.buf, "-9223372036854775808 9223372036854775807 "
			    "0 -7");
	jtext_free(&t);
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		jtext_real(&t, reals[i].v);
		assert_string_equal(t.buf, reals[i].want);
		jtext_free(&t);
	}
	s = jtext_steal(&t, NULL);	/* nothing written: "" */
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str_escapes),
		cmocka_unit_test(test_str_null),
		cmocka_unit_test(test_str_growth),
		cmocka_unit_test(test_rows_many),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
