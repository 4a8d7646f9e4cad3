/*
 * fuzz_parse: the small parsers of parse.h, which read flags, hc.conf
 * values and request fields. The first byte picks the parser, the rest is
 * its text. Properties: what formats back (time limits, signals, resource
 * lists) parses again to the same value.
 */
#include "config.h"

#include <stdbool.h>
#include <time.h>

#include "fuzz.h"
#include "parse.h"

#define FUZZ_NOW ((time_t)1767225600)	/* 2026-01-01T00:00:00Z */

static void
time_limit(const char *s)
{
	long m, m2;
	char buf[64];

	if (parse_time_limit(s, &m, NULL) < 0)
		return;
	fuzz_assert(m >= -1);
	format_time_limit(m, buf, sizeof(buf));
	if (parse_time_limit(buf, &m2, NULL) < 0)
		fprintf(stderr, "%s -> %ld -> %s: refused\n", s, m, buf);
	fuzz_assert(parse_time_limit(buf, &m2, NULL) == 0 && m2 == m);
	format_duration(m * 60, buf, sizeof(buf));
}

static void
size_bool_long(const char *s)
{
	uint64_t mb;
	long v, secs;
	bool b;

	parse_size_mb(s, &mb, NULL);
	parse_bool(s, &b, NULL);
	if (parse_long(s, -5, 5, &v, NULL) == 0)
		fuzz_assert(v >= -5 && v <= 5);
	if (parse_duration_secs(s, &secs, NULL) == 0)
		fuzz_assert(secs >= 0);
}

static void
sig(const char *s)
{
	const char *name;
	int n, n2;

	if (parse_signal(s, &n, NULL) < 0)
		return;
	name = signal_name(n);
	if (name)
		fuzz_assert(parse_signal(name, &n2, NULL) == 0 && n2 == n);
}

static void
datetime(const char *s)
{
	time_t t;
	char buf[64];

	if (parse_datetime(s, FUZZ_NOW, &t, NULL) == 0)
		format_datetime(t, buf, sizeof(buf));
}

static void
res(const char *s)
{
	struct res_list rl = { 0 }, rl2 = { 0 };
	struct hc_err err = { 0 };
	char *f, *f2;

	if (res_list_parse(s, &rl, &err) < 0) {
		fuzz_assert(err.text[0] && rl.items == NULL);
		return;
	}
	f = res_list_format(&rl);
	if (res_list_parse(f, &rl2, &err) < 0)
		fprintf(stderr, "%s -> %s: %s\n", s, f, err.text);
	fuzz_assert(rl2.count == rl.count);
	f2 = res_list_format(&rl2);
	fuzz_assert(strcmp(f, f2) == 0);
	free(f2);
	free(f);
	res_list_free(&rl2);
	res_list_free(&rl);
}

typedef void (*parser_fn)(const char *s);

static const parser_fn parsers[] = {
	time_limit, size_bool_long, sig, datetime, res,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = fuzz_cstr(data + 1, size - 1);
	parsers[data[0] % (sizeof(parsers) / sizeof(*parsers))](s);
	free(s);
	return 0;
}
