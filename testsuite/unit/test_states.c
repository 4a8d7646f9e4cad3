/* test_states: job and node state names, parsing and printing. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "states.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	int state;
	const char *name, *shortname;
	bool final;
} jobs[] = {
	{ JOB_PENDING, "PENDING", "PD", false },
	{ JOB_CONFIGURING, "CONFIGURING", "CF", false },
	{ JOB_RUNNING, "RUNNING", "R", false },
	{ JOB_COMPLETING, "COMPLETING", "CG", false },
	{ JOB_COMPLETED, "COMPLETED", "CD", true },
	{ JOB_FAILED, "FAILED", "F", true },
	{ JOB_CANCELLED, "CANCELLED", "CA", true },
	{ JOB_TIMEOUT, "TIMEOUT", "TO", true },
	{ JOB_OUT_OF_MEMORY, "OUT_OF_MEMORY", "OOM", true },
	{ JOB_NODE_FAIL, "NODE_FAIL", "NF", true },
	{ JOB_PREEMPTED, "PREEMPTED", "PR", true },
};

static void
test_job_states(void **state)
{
	assert_int_equal(N(jobs), JOB_STATE_COUNT);
	for (size_t i = 0; i < N(jobs); i++) {
		assert_string_equal(job_state_name(jobs[i].state),
				    jobs[i].name);
		assert_string_equal(job_state_short(jobs[i].state),
				    jobs[i].shortname);
		assert_int_equal(job_state_parse(jobs[i].name), jobs[i].state);
		assert_int_equal(job_state_parse(jobs[i].shortname),
				 jobs[i].state);
		assert_int_equal(job_state_is_final(jobs[i].state),
				 jobs[i].final);
	}
	assert_int_equal(job_state_parse("running"), JOB_RUNNING);
	assert_int_equal(job_state_parse("pd"), JOB_PENDING);
	assert_int_equal(job_state_parse("RUNNIN"), -1);
	assert_int_equal(job_state_parse(""), -1);
	assert_int_equal(job_state_parse(NULL), -1);
	assert_null(job_state_name(-1));
	assert_null(job_state_name(JOB_STATE_COUNT));
	assert_null(job_state_short(JOB_STATE_COUNT));
	assert_false(job_state_is_final(JOB_STATE_COUNT));
}

static void
test_node_base(void **state)
{
	static const char *const names[] = { "UNKNOWN", "IDLE", "MIXED",
					     "ALLOCATED", "DOWN", "CLOUD" };

	assert_int_equal(N(names), NODE_BASE_COUNT);
	for (int i = 0; i < NODE_BASE_COUNT; i++) {
		assert_string_equal(node_base_name(i), names[i]);
		assert_int_equal(node_base_parse(names[i]), i);
	}
	assert_int_equal(node_base_parse("idle"), NODE_IDLE);
	assert_int_equal(node_base_parse("alloc"), NODE_ALLOCATED);
	assert_int_equal(node_base_parse("DRAIN"), -1);
	assert_int_equal(node_base_parse(NULL), -1);
	assert_null(node_base_name(NODE_BASE_COUNT));
}

static void
test_node_format(void **state)
{
	static const struct {
		int base;
		unsigned flags;
		const char *want;
	} t[] = {
		{ NODE_IDLE, 0, "IDLE" },
		{ NODE_IDLE, NODE_F_DRAIN, "IDLE+DRAIN" },
		{ NODE_DOWN, NODE_F_NOT_RESPONDING, "DOWN+NOT_RESPONDING" },
		{ NODE_CLOUD, NODE_F_POWERING_UP, "CLOUD+POWERING_UP" },
		{ NODE_IDLE, NODE_F_POWERED_DOWN, "IDLE+POWERED_DOWN" },
		{ NODE_MIXED, NODE_F_DRAIN | NODE_F_COMPLETING,
		  "MIXED+COMPLETING+DRAIN" },
		{ NODE_DOWN, NODE_F_DRAIN | NODE_F_INVALID_INVENTORY,
		  "DOWN+DRAIN+INVALID_INVENTORY" },
		{ 99, 0, "UNKNOWN" },
	};
	char buf[128], small[8];

	for (size_t i = 0; i < N(t); i++)
		assert_string_equal(node_state_format(t[i].base, t[i].flags,
						      buf, sizeof(buf)),
				    t[i].want);
	node_state_format(NODE_IDLE, NODE_F_DRAIN, small, sizeof(small));
	assert_string_equal(small, "IDLE+DR");	/* truncated, terminated */
	assert_int_equal(node_flag_parse("drain"), NODE_F_DRAIN);
	assert_int_equal(node_flag_parse("NOT_RESPONDING"),
			 NODE_F_NOT_RESPONDING);
	assert_int_equal(node_flag_parse("IDLE"), 0);
	assert_int_equal(node_flag_parse(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_states),
		cmocka_unit_test(test_node_base),
		cmocka_unit_test(test_node_format),
	};
	return cmocka_run_group_tests_name("states", tests, NULL, NULL);
}
