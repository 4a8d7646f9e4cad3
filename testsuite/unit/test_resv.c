/*
 * test_resv: advance reservations in libhcsched: the view checks
 * (sched_resv.h) and what a scheduling pass does with them (non-members
 * kept off reserved nodes when their time limit would overlap, members
 * only on their reservation's nodes while its window is open).
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sched.h"
#include "sched_resv.h"

#define PLUGIN_DIR TOP_BUILDDIR "/plugins/sched/.libs"
#define NOW 1700000000
#define NNODES 4

static const uint32_t alice[] = { 1001 };
static const uint32_t physics[] = { 7 };

/* A reservation of nodes 2 and 3 (bits), one hour from now, for 2 h. */
static uint64_t bits_23 = (1u << 2) | (1u << 3);

static struct sched_resv
resv_make(const char *name, time_t start, time_t end, const uint64_t *bits)
{
	return (struct sched_resv){
		.name = name, .start = start, .end = end, .nodes = bits,
		.nbits = 64, .uids = alice, .nuids = 1, .accounts = physics,
		.naccounts = 1,
	};
}

static void
test_view_basics(void **state)
{
	struct sched_resv r = resv_make("R", NOW + 3600, NOW + 3 * 3600,
					&bits_23);

	(void)state;
	assert_false(sched_resv_has_node(&r, 0));
	assert_true(sched_resv_has_node(&r, 2));
	assert_true(sched_resv_has_node(&r, 3));
	assert_false(sched_resv_has_node(&r, 64));	/* past nbits */
	/* Touching is not overlapping. */
	assert_false(sched_resv_overlaps(&r, NOW, NOW + 3600));
	assert_true(sched_resv_overlaps(&r, NOW, NOW + 3601));
	assert_true(sched_resv_overlaps(&r, NOW + 4000, NOW + 5000));
	assert_false(sched_resv_overlaps(&r, NOW + 3 * 3600, NOW + 99999));
	assert_true(sched_resv_member(&r, 1001, SCHED_RESV_NO_ACCOUNT));
	assert_false(sched_resv_member(&r, 1002, SCHED_RESV_NO_ACCOUNT));
	assert_true(sched_resv_member(&r, 1002, 7));
	assert_false(sched_resv_member(&r, 1002, 8));
	assert_int_equal(sched_resv_job_end(NOW, 3600), NOW + 3600);
	assert_true(sched_resv_job_end(NOW, -1) == (time_t)LLONG_MAX);
	assert_true(sched_resv_job_end(NOW, 0) == (time_t)LLONG_MAX);
}

/* Table of node checks: who, which node, which run, expected answer. */
static void
test_node_ok_table(void **state)
{
	struct sched_resv rv[] = {
		resv_make("R", NOW + 3600, NOW + 3 * 3600, &bits_23),
	};
	struct sched_resv_set set = { rv, 1 };
	const struct {
		bool member;
		uint32_t node;
		long tl;		/* minutes */
		time_t start;
		bool ok;
		const char *why;
	} t[] = {
		{ false, 0, 600, NOW, true, "" },	/* not reserved */
		{ false, 2, 30, NOW, true, "" },	/* ends before */
		{ false, 2, 60, NOW, true, "" },	/* ends at start */
		{ false, 2, 61, NOW, false, "ReqNodeNotAvail,Reserved(R)" },
		{ false, 3, -1, NOW, false, "ReqNodeNotAvail,Reserved(R)" },
		{ false, 3, 60, NOW + 3 * 3600, true, "" },	/* after */
		{ true, 2, 60, NOW, false, "Reservation" },	/* early */
		{ true, 2, 600, NOW + 3600, true, "" },	/* inside */
		{ true, 0, 60, NOW + 3600, false, "ReqNodeNotAvail" },
		{ true, 2, 60, NOW + 3 * 3600, false, "Reservation" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char why[96] = "";
		bool ok = sched_resv_node_ok(
			&set, t[i].member ? &rv[0] : NULL, t[i].node,
			t[i].start,
			sched_resv_job_end(t[i].start, t[i].tl * 60),
			why, sizeof(why));

		if (ok != t[i].ok || strcmp(why, t[i].why))
			fail_msg("row %zu: got %d '%s'", i, ok, why);
	}
	assert_ptr_equal(sched_resv_find(&set, "R"), &rv[0]);
	assert_null(sched_resv_find(&set, "S"));
}

static void
test_free_at(void **state)
{
	static uint64_t bits_2 = 1u << 2;
	struct sched_resv rv[] = {
		resv_make("A", NOW + 100, NOW + 200, &bits_2),
		resv_make("B", NOW + 250, NOW + 400, &bits_2),
	};
	struct sched_resv_set set = { rv, 2 };

	(void)state;
	assert_int_equal(sched_resv_node_free_at(&set, NULL, 1, NOW, 9999),
			 NOW);
	assert_int_equal(sched_resv_node_free_at(&set, NULL, 2, NOW, 100),
			 NOW);
	/* 101 s does not fit before A, 60 s not between A and B. */
	assert_int_equal(sched_resv_node_free_at(&set, NULL, 2, NOW, 101),
			 NOW + 400);
	assert_int_equal(sched_resv_node_free_at(&set, NULL, 2, NOW, 40),
			 NOW);
	assert_int_equal(sched_resv_node_free_at(&set, NULL, 2, NOW + 150,
						 50), NOW + 200);
	assert_int_equal(sched_resv_node_free_at(&set, NULL, 2, NOW + 150,
						 60), NOW + 400);
	/* A member of A only sees B. */
	assert_int_equal(sched_resv_node_free_at(&set, &rv[0], 2, NOW, 200),
			 NOW);
	assert_true(sched_resv_node_free_at(&set, NULL, 2, NOW, -1) ==
		    NOW + 400);
}

static void
test_plan_reason(void **state)
{
	struct sched_resv rv[] = {
		resv_make("R", NOW + 3600, NOW + 7200, &bits_23),
	};
	struct sched_resv_set set = { rv, 1 };
	struct sched_node nodes[4] = {
		{ .index = 0 }, { .index = 1 }, { .index = 2 }, { .index = 3 },
	};
	const uint32_t on_2[] = { 2 }, on_0[] = { 0 };
	struct sched_job j = { .id = 1 };

	(void)state;
	snprintf(j.reason, sizeof(j.reason), "Resources");
	sched_resv_plan_reason(&set, &j, nodes, on_0, 1, NOW, NOW + 7200);
	assert_string_equal(j.reason, "Resources");	/* not R's node */
	sched_resv_plan_reason(&set, &j, nodes, on_2, 1, NOW, NOW + 7000);
	assert_string_equal(j.reason, "Resources");	/* not R's end */
	sched_resv_plan_reason(&set, &j, nodes, on_2, 1, NOW, NOW + 7200);
	assert_string_equal(j.reason, "ReqNodeNotAvail,Reserved(R)");
	j.reservation = "R";
	sched_resv_plan_reason(&set, &j, nodes, on_2, 1, NOW, NOW + 3600);
	assert_string_equal(j.reason, "Reservation");
}

/* ---- through a pass ---------------------------------------------------- */

struct cluster {
	struct sched_node nodes[NNODES];
	uint8_t cpu_used[NNODES][8];
};

static void
cluster_init(struct cluster *c)
{
	static const char *const names[] = { "n1", "n2", "n3", "n4" };
	static const char *const nofeat[] = { NULL };

	memset(c, 0, sizeof(*c));
	for (uint32_t i = 0; i < NNODES; i++) {
		struct sched_node *n = &c->nodes[i];

		n->name = names[i];
		n->index = i;
		n->usable = true;
		n->cpus = 8;
		n->cpu_used = c->cpu_used[i];
		n->mem_mb = 8000;
		n->features = nofeat;
		n->queue_mask = 1;
	}
}

static struct sched_job
job(uint32_t id, uint32_t nodes, long tl, const char *resv)
{
	struct sched_job j;

	memset(&j, 0, sizeof(j));
	j.id = id;
	j.uid = 1001;
	j.submit_time = NOW - 100 + id;
	j.nodes_min = nodes;
	j.ntasks = nodes * 8;	/* whole nodes */
	j.cpus_per_task = 1;
	j.mem_per_node_mb = 100;
	j.time_limit = tl;
	j.reservation = resv;
	return j;
}

static struct sched *
sched_basic(void)
{
	struct sched_options o = { .plugin_dir = PLUGIN_DIR };
	struct hc_err err = { 0 };
	struct sched *s = sched_create(&o, &err);

	if (!s)
		fail_msg("sched_create: %s", err.text);
	return s;
}

static uint32_t
node_of(const struct sched_result *res, uint32_t id)
{
	for (size_t i = 0; i < res->count; i++)
		if (res->allocs[i].job == id)
			return res->allocs[i].nodes[0].node;
	return UINT32_MAX;
}

static void
test_pass_keeps_others_off(void **state)
{
	struct sched *s = sched_basic();
	struct sched_resv rv[] = {
		resv_make("R", NOW + 3600, NOW + 3 * 3600, &bits_23),
	};
	struct cluster c;
	struct sched_result res = { 0 };
	/* Only n1 and n2 are free of R for 2 h: the three-node job cannot
	 * start before R ends; it waits with R's name and, strict priority
	 * without planning, holds the queue (the 30-minute job waits on
	 * Priority; the planner backfills it: test_plan_reason). */
	struct sched_job jobs[] = {
		job(1, 1, 120, NULL), job(2, 1, 120, NULL),
		job(3, 3, 120, NULL), job(4, 1, 30, NULL),
		job(5, 1, 60, "R"),
	};
	struct hc_err err = { 0 };

	(void)state;
	cluster_init(&c);
	sched_resv_use(s, rv, 1);
	assert_int_equal(sched_pass(s, jobs, 5, c.nodes, NNODES, NOW, &res,
				    &err), 0);
	assert_int_equal(res.count, 2);
	assert_true(node_of(&res, 1) < 2);
	assert_true(node_of(&res, 2) < 2);
	assert_string_equal(jobs[2].reason, "ReqNodeNotAvail,Reserved(R)");
	assert_string_equal(jobs[3].reason, "Priority");
	assert_string_equal(jobs[4].reason, "Priority");
	sched_result_free(&res);
	sched_destroy(s);
}

static void
test_pass_members_inside(void **state)
{
	struct sched *s = sched_basic();
	struct sched_resv rv[] = {
		resv_make("R", NOW - 60, NOW + 3600, &bits_23),
	};
	struct cluster c;
	struct sched_result res = { 0 };
	struct sched_job jobs[] = {
		job(1, 1, 600, "R"), job(2, 1, 600, "R"),
		job(3, 1, 600, "R"), job(4, 2, 10, NULL),
		job(5, 1, 10, "gone"),
	};
	struct hc_err err = { 0 };

	(void)state;
	jobs[3].submit_time = NOW - 1000;	/* first in line */
	cluster_init(&c);
	sched_resv_use(s, rv, 1);
	assert_int_equal(sched_pass(s, jobs, 5, c.nodes, NNODES, NOW, &res,
				    &err), 0);
	/* Members get n3 and n4 only; the third waits on Resources. */
	assert_int_equal(node_of(&res, 1), 2);
	assert_int_equal(node_of(&res, 2), 3);
	assert_string_equal(jobs[2].reason, "Resources");
	/* The non-member two-node job runs on n1, n2. */
	assert_int_equal(node_of(&res, 4), 0);
	assert_string_equal(jobs[4].reason, "ReservationDeleted");
	sched_result_free(&res);

	/* Without reservations the same pass may use every node. */
	sched_resv_use(s, NULL, 0);
	cluster_init(&c);
	jobs[0].reservation = NULL;
	assert_int_equal(sched_pass(s, jobs, 1, c.nodes, NNODES, NOW, &res,
				    &err), 0);
	assert_int_equal(node_of(&res, 1), 0);
	sched_result_free(&res);
	sched_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_basics),
		cmocka_unit_test(test_node_ok_table),
		cmocka_unit_test(test_free_at),
		cmocka_unit_test(test_plan_reason),
		cmocka_unit_test(test_pass_keeps_others_off),
		cmocka_unit_test(test_pass_members_inside),
	};

	return cmocka_run_group_tests_name("resv", tests, NULL, NULL);
}
