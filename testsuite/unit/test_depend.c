/* test_depend: dependency expressions, good and bad inputs side by side,
 * and their evaluation against the states Slurm gives each type. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "depend.h"
#include "states.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* input, canonical print when ok (msg NULL), or the error message */
struct row {
	const char *in;
	const char *out;
	const char *msg;
};

#define TYPES "use after, afterok, afternotok, afterany, aftercorr or " \
	"singleton"
#define BADID ": not a job id; write a job id (123) or an array task id " \
	"(123_7)"

static const struct row rows[] = {
	{ "afterok:12", "afterok:12", NULL },
	{ "afterok:12:13", "afterok:12:13", NULL },
	{ "after:5+10", "after:5+10", NULL },
	{ "after:5+10:6", "after:5+10:6", NULL },
	{ "afternotok:7,afterany:8", "afternotok:7,afterany:8", NULL },
	{ "afterok:1?afterok:2", "afterok:1?afterok:2", NULL },
	{ "aftercorr:123", "aftercorr:123", NULL },
	{ "afterok:123_7", "afterok:123_7", NULL },
	{ "singleton", "singleton", NULL },
	{ "SINGLETON,afterany:4", "singleton,afterany:4", NULL },
	{ "", "", NULL },
	{ "afterok:", NULL, "afterok needs a job id: afterok:ID[:ID...]" },
	{ "afterok", NULL, "afterok needs a job id: afterok:ID[:ID...]" },
	{ "afterany:1:", NULL,
	  "afterany needs a job id: afterany:ID[:ID...]" },
	{ "afterfoo:1", NULL, "afterfoo: unknown dependency type; " TYPES },
	{ "afterok:1,afterok:2?afterok:3", NULL, "afterok:1,afterok:2?"
	  "afterok:3: do not mix ',' (all must hold) and '?' (any one is "
	  "enough)" },
	{ "afterok:abc", NULL, "abc" BADID },
	{ "afterok:0", NULL, "0" BADID },
	{ "afterok:99999999999", NULL, "99999999999" BADID },
	{ "afterok:12_", NULL, "12_" BADID },
	{ "afterok:12_4000001", NULL, "12_4000001" BADID },
	{ "aftercorr:", NULL,
	  "aftercorr needs a job id: aftercorr:ID[:ID...]" },
	{ "aftercorr:x", NULL, "x" BADID },
	{ "afterok:12+5", NULL, "12+5: +MINUTES is only allowed with after "
	  "(after:ID+MIN)" },
	{ "after:12+x", NULL, "12+x: bad minutes after '+'; write "
	  "after:ID+MIN (after:12+5)" },
	{ "afterok:1,,afterok:2", NULL, "empty dependency between "
	  "separators; write TYPE:ID[,TYPE:ID...]" },
	{ "singleton:3", NULL, "singleton takes no job id" },
};

static void
test_parse_rows(void **st)
{
	(void)st;
	for (size_t i = 0; i < N(rows); i++) {
		struct depend d;
		struct hc_err err = { 0 };
		char buf[256];
		int rc = depend_parse(rows[i].in, &d, &err);

		if (rows[i].msg) {
			if (rc != -1 || strcmp(err.text, rows[i].msg) != 0)
				fail_msg("%s: got rc %d '%s', want '%s'",
					 rows[i].in, rc, err.text,
					 rows[i].msg);
			assert_int_equal(err.code, HC_EINVAL);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: %s", rows[i].in, err.text);
		depend_format(&d, buf, sizeof(buf));
		if (strcmp(buf, rows[i].out) != 0)
			fail_msg("%s: printed '%s', want '%s'", rows[i].in,
				 buf, rows[i].out);
		depend_free(&d);
	}
}

static void
test_parse_fields(void **st)
{
	struct depend d;

	(void)st;
	assert_int_equal(depend_parse("after:5+10,afterok:123_7", &d, NULL),
			 0);
	assert_int_equal(d.n, 2);
	assert_false(d.any);
	assert_int_equal(d.items[0].type, DEP_AFTER);
	assert_int_equal(d.items[0].job_id, 5);
	assert_int_equal(d.items[0].minutes, 10);
	assert_int_equal(d.items[0].task_id, DEP_NO_TASK);
	assert_int_equal(d.items[1].job_id, 123);
	assert_int_equal(d.items[1].task_id, 7);
	depend_free(&d);
	depend_free(NULL);
}

/* A tiny world: job id -> state, start time. Job 0 answers singleton. */
struct world {
	struct dep_job jobs[8];
};

static void
lookup(uint32_t id, uint32_t task, struct dep_job *out, void *arg)
{
	struct world *w = arg;

	(void)task;
	*out = id < N(w->jobs) ? w->jobs[id] : (struct dep_job){ 0 };
}

/* expression, state of job 1, expected result, remaining print */
struct erow {
	const char *in;
	int state;
	enum dep_result want;
	const char *left;
};

static const struct erow erows[] = {
	{ "afterok:1", JOB_PENDING, DEP_WAIT, "afterok:1" },
	{ "afterok:1", JOB_RUNNING, DEP_WAIT, "afterok:1" },
	{ "afterok:1", JOB_COMPLETED, DEP_SATISFIED, "" },
	{ "afterok:1", JOB_FAILED, DEP_NEVER, "afterok:1" },
	{ "afterok:1", JOB_CANCELLED, DEP_NEVER, "afterok:1" },
	{ "afternotok:1", JOB_COMPLETED, DEP_NEVER, "afternotok:1" },
	{ "afternotok:1", JOB_FAILED, DEP_SATISFIED, "" },
	{ "afternotok:1", JOB_TIMEOUT, DEP_SATISFIED, "" },
	{ "afternotok:1", JOB_RUNNING, DEP_WAIT, "afternotok:1" },
	{ "afterany:1", JOB_FAILED, DEP_SATISFIED, "" },
	{ "afterany:1", JOB_COMPLETED, DEP_SATISFIED, "" },
	{ "afterany:1", JOB_RUNNING, DEP_WAIT, "afterany:1" },
	{ "after:1", JOB_PENDING, DEP_WAIT, "after:1" },
	{ "after:1", JOB_RUNNING, DEP_SATISFIED, "" },
	{ "after:1+10", JOB_RUNNING, DEP_WAIT, "after:1+10" },
	{ "after:1+1", JOB_RUNNING, DEP_SATISFIED, "" },
	{ "afterok:1,afterany:2", JOB_COMPLETED, DEP_WAIT, "afterany:2" },
	{ "afterok:1,afterany:2", JOB_FAILED, DEP_NEVER,
	  "afterok:1,afterany:2" },
	{ "afterok:1?afterany:2", JOB_FAILED, DEP_WAIT,
	  "afterok:1?afterany:2" },
	{ "afterok:1?afterany:2", JOB_COMPLETED, DEP_SATISFIED, "" },
	{ "afterok:1?afterok:3", JOB_FAILED, DEP_NEVER,
	  "afterok:1?afterok:3" },
	{ "afterok:7", JOB_PENDING, DEP_NEVER, "afterok:7" },
	{ "afterany:7", JOB_PENDING, DEP_SATISFIED, "" },
	{ "singleton", JOB_PENDING, DEP_WAIT, "singleton" },
};

static void
test_eval(void **st)
{
	(void)st;
	for (size_t i = 0; i < N(erows); i++) {
		struct world w = { 0 };
		struct depend d;
		bool changed;
		char buf[128];
		enum dep_result r;

		w.jobs[0] = (struct dep_job){ true, JOB_RUNNING, 100 };
		w.jobs[1] = (struct dep_job){ true, erows[i].state,
			erows[i].state == JOB_PENDING ? 0 : 1000 };
		w.jobs[2] = (struct dep_job){ true, JOB_RUNNING, 1000 };
		w.jobs[3] = (struct dep_job){ true, JOB_CANCELLED, 0 };
		assert_int_equal(depend_parse(erows[i].in, &d, NULL), 0);
		r = depend_eval(&d, 1000 + 300, lookup, &w, &changed);
		depend_format(&d, buf, sizeof(buf));
		if (r != erows[i].want || strcmp(buf, erows[i].left) != 0)
			fail_msg("%s with job 1 %s: got %d '%s', want %d '%s'",
				 erows[i].in, job_state_name(erows[i].state),
				 r, buf, erows[i].want, erows[i].left);
		depend_free(&d);
	}
}

/* aftercorr asks the lookup for "my own task of job 1" (DEP_CORR_TASK);
 * the lookup answers for that task, which may differ from the whole job. */
struct corr_world {
	int task_state, job_state;
	uint32_t asked;
};

static void
corr_lookup(uint32_t id, uint32_t task, struct dep_job *out, void *arg)
{
	struct corr_world *w = arg;

	w->asked = task;
	*out = (struct dep_job){ true, task == DEP_CORR_TASK ? w->task_state :
				 w->job_state, 10 };
}

static void
test_eval_corr(void **st)
{
	static const struct {
		const char *in;
		int task_state, job_state;
		enum dep_result want;
		uint32_t asked;
	} c[] = {
		{ "aftercorr:1", JOB_COMPLETED, JOB_RUNNING, DEP_SATISFIED,
		  DEP_CORR_TASK },
		{ "aftercorr:1", JOB_RUNNING, JOB_COMPLETED, DEP_WAIT,
		  DEP_CORR_TASK },
		{ "aftercorr:1", JOB_FAILED, JOB_RUNNING, DEP_NEVER,
		  DEP_CORR_TASK },
		{ "aftercorr:1", JOB_CANCELLED, JOB_RUNNING, DEP_NEVER,
		  DEP_CORR_TASK },
		{ "aftercorr:1_3", JOB_FAILED, JOB_COMPLETED, DEP_SATISFIED,
		  3 },
	};

	(void)st;
	for (size_t i = 0; i < N(c); i++) {
		struct corr_world w = { c[i].task_state, c[i].job_state, 0 };
		struct depend d;
		bool changed;

		assert_int_equal(depend_parse(c[i].in, &d, NULL), 0);
		if (depend_eval(&d, 100, corr_lookup, &w, &changed) !=
		    c[i].want || w.asked != c[i].asked)
			fail_msg("%s (task %s, job %s): wrong result or task",
				 c[i].in, job_state_name(c[i].task_state),
				 job_state_name(c[i].job_state));
		depend_free(&d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rows),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_eval_corr),
	};
	return cmocka_run_group_tests_name("depend", tests, NULL, NULL);
}
