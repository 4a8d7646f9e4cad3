/*
 * test_directives: the #HC / #SBATCH header parser of hcsub. Good and bad
 * inputs side by side: quoting, the end of the header, both prefixes, and
 * errors reported with their script line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "directives.h"

static const char *const prefixes[] = {"#HC", "#SBATCH", NULL};

/* Collects "line:word|word|..." for each directive line into a buffer. */
struct collect {
	char out[1024];
};

static int
collect_fn(void *arg, int line, int argc, char **argv, struct hc_err *err)
{
	struct collect *c = arg;
	size_t n = strlen(c->out);

	n += snprintf(c->out + n, sizeof(c->out) - n, "%s%d:", n ? " " : "",
		      line);
	for (int i = 0; i < argc; i++)
		n += snprintf(c->out + n, sizeof(c->out) - n, "%s%s",
			      i ? "|" : "", argv[i]);
	assert_null(argv[argc]);
	return 0;
}

/* Rejects any word that is "--bogus", as hcsub's option table would. */
static int
strict_fn(void *arg, int line, int argc, char **argv, struct hc_err *err)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--bogus") == 0)
			return hc_err_set(err, HC_EINVAL,
					  "unknown option '--bogus'");
	return collect_fn(arg, line, argc, argv, err);
}

struct good_case {
	const char *script;
	int count;
	const char *expect;
};

static const struct good_case good[] = {
	{"#!/bin/sh\n#HC -N 2\n#SBATCH --time=10\necho hi\n", 2,
	 "2:-N|2 3:--time=10"},
	/* blank lines and comments do not end the header */
	{"#!/bin/sh\n\n# a comment\n#HC -J x\n\n#SBATCH -n 4\ntrue\n", 2,
	 "4:-J|x 6:-n|4"},
	/* the first command ends it */
	{"#!/bin/sh\necho hi\n#HC -N 2\n", 0, ""},
	{"#!/bin/sh\n#HC -N 1\n  date\n#SBATCH -N 3\n", 1, "2:-N|1"},
	/* quoting */
	{"#!/bin/sh\n#HC -J \"my job\" --comment='a \"b\" c'\n", 1,
	 "2:-J|my job|--comment=a \"b\" c"},
	{"#!/bin/sh\n#HC --comment=a\\ b \"x\\\"y\"\n", 1,
	 "2:--comment=a b|x\"y"},
	/* trailing comment, CRLF, tabs */
	{"#!/bin/sh\r\n#SBATCH\t-N 2   # two nodes\r\n", 1, "2:-N|2"},
	{"#!/bin/sh\n#HC --comment=a#b\n", 1, "2:--comment=a#b"},
	/* near misses are plain comments */
	{"#!/bin/sh\n#HCX -N 2\n#SBATCHY -N 2\n# HC -N 2\n##HC -N 3\n", 0, ""},
	/* an empty directive is nothing */
	{"#!/bin/sh\n#HC\n#HC   \n", 2, ""},
	/* no final newline */
	{"#HC -p gpu", 1, "1:-p|gpu"},
	{"", 0, ""},
};

static void
test_good(void **state)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct collect c = {{0}};
		struct hc_err err = {0};
		int n = directives_parse(good[i].script, prefixes, collect_fn,
					 &c, &err);

		if (n != good[i].count || strcmp(c.out, good[i].expect) != 0)
			fail_msg("case %zu: got %d '%s' (%s), want %d '%s'",
				 i, n, c.out, err.text, good[i].count,
				 good[i].expect);
	}
}

struct bad_case {
	const char *script;
	const char *message;
};

static const struct bad_case bad[] = {
	{"#!/bin/sh\n#HC -J \"open\n", "script line 2: unterminated double"},
	{"#!/bin/sh\n\n#SBATCH -J 'x\n", "script line 3: unterminated single"},
	{"#!/bin/sh\n#HC -N 2\n#HC --bogus\n",
	 "script line 3: unknown option '--bogus'"},
	{"#!/bin/sh\n#SBATCH -N 2 --bogus\n",
	 "script line 2: unknown option '--bogus'"},
};

static void
test_bad(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct collect c = {{0}};
		struct hc_err err = {0};
		int n = directives_parse(bad[i].script, prefixes, strict_fn,
					 &c, &err);

		assert_int_equal(n, -1);
		assert_int_equal(err.code, HC_EINVAL);
		if (strstr(err.text, bad[i].message) != err.text)
			fail_msg("case %zu: got '%s', want '%s'", i, err.text,
				 bad[i].message);
	}
}

/* A bad directive after the header is never looked at. */
static void
test_bad_after_header(void **state)
{
	struct collect c = {{0}};
	struct hc_err err = {0};

	assert_int_equal(directives_parse("#!/bin/sh\nls\n#HC --bogus\n",
					  prefixes, strict_fn, &c, &err),
			 0);
}

/* Only the prefixes asked for are read. */
static void
test_one_prefix(void **state)
{
	static const char *const hc_only[] = {"#HC", NULL};
	struct collect c = {{0}};
	struct hc_err err = {0};

	assert_int_equal(directives_parse("#HC -N 1\n#SBATCH -N 2\n", hc_only,
					  collect_fn, &c, &err),
			 1);
	assert_string_equal(c.out, "1:-N|1");
}

struct slurm_case {
	const char *script;
	int line;
	const char *what;
};

static const struct slurm_case slurm[] = {
	{"#!/bin/sh\necho $HC_JOB_ID\n", 0, NULL},
	{"#!/bin/sh\n#SBATCH -N 2\necho hi\nsrun ./a.out\n", 4, "srun"},
	{"#!/bin/sh\nmpirun -n 2 x; srun -n 1 y\n", 2, "srun"},
	{"#!/bin/sh\necho $SLURM_JOB_ID\n", 2, "SLURM_ variables"},
	{"#!/bin/sh\necho ${SLURM_NTASKS}\n", 2, "SLURM_ variables"},
	/* comments, longer words and other names do not count */
	{"#!/bin/sh\n# srun later\n#SBATCH --comment=SLURM_X\n", 0, NULL},
	{"#!/bin/sh\n./srun_helper; echo MY_SLURM_X; sruns\n", 0, NULL},
};

static void
test_find_slurm(void **state)
{
	for (size_t i = 0; i < sizeof(slurm) / sizeof(slurm[0]); i++) {
		const char *what = "x";
		int line = directives_find_slurm(slurm[i].script, &what);

		if (line != slurm[i].line)
			fail_msg("case %zu: line %d, want %d", i, line,
				 slurm[i].line);
		if (slurm[i].what)
			assert_string_equal(what, slurm[i].what);
		else
			assert_null(what);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bad_after_header),
		cmocka_unit_test(test_one_prefix),
		cmocka_unit_test(test_find_slurm),
	};

	return cmocka_run_group_tests_name("directives", tests, NULL, NULL);
}
