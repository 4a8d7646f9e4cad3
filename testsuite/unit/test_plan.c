/*
 * test_plan: the planning pass (sched_plan_pass) and its profile: planned
 * starts over several nodes, CPUs, memory and GPUs, EASY backfill that
 * never delays the plan, FCFS with no overtaking, conservative promises,
 * shapes skipped once they failed, and bad input.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "plan.h"
#include "plan_profile.h"
#include "sched.h"
#include "sched_resv.h"

#define PLUGIN_DIR TOP_BUILDDIR "/plugins/sched/.libs"
#define NOW 1700000000

struct cluster {
	struct sched_node nodes[8];
	uint8_t cpu_used[8][64];
	size_t n;
	struct sched_running run[8];
	struct sched_alloc_node an[8];
	size_t nrun;
};

static void
node_add(struct cluster *c, uint32_t cpus, uint64_t mem, uint32_t gpus)
{
	struct sched_node *n = &c->nodes[c->n];

	memset(n, 0, sizeof(*n));
	n->name = "n";
	n->index = (uint32_t)c->n;
	n->usable = true;
	n->cpus = cpus;
	n->cpu_used = c->cpu_used[c->n];
	n->mem_mb = mem;
	n->gpu_count = gpus;
	for (uint32_t g = 0; g < gpus; g++)
		snprintf(n->gpus[g].type, sizeof(n->gpus[g].type), "h100");
	n->queue_mask = 1;
	c->n++;
}

/* A running job on node i holding cpus CPUs, mem and gpus until end. */
static void
run_add(struct cluster *c, uint32_t i, uint32_t cpus, uint64_t mem,
	uint32_t gpus, time_t end)
{
	struct sched_node *n = &c->nodes[i];
	struct sched_alloc_node *an = &c->an[c->nrun];
	uint32_t used = 0;

	memset(an, 0, sizeof(*an));
	an->node = i;
	an->ncpus = cpus;
	an->mem_mb = mem;
	an->ngpus = gpus;
	for (uint32_t k = 0; k < n->cpus && used < cpus; k++)
		if (!n->cpu_used[k])
			n->cpu_used[k] = 1, used++;
	for (uint32_t g = 0; g < gpus; g++)
		n->gpus[g].used = true;
	n->mem_used_mb += mem;
	n->running_jobs++;
	c->run[c->nrun] = (struct sched_running){ .id = 900 + (uint32_t)c->nrun,
						  .end = end, .nnodes = 1,
						  .nodes = an };
	c->nrun++;
}

static struct sched_job
job(uint32_t id, uint32_t nodes, uint32_t cpus, long secs)
{
	struct sched_job j;

	memset(&j, 0, sizeof(j));
	j.id = id;
	j.uid = 1000;
	j.submit_time = NOW - 1000 + id;
	j.nodes_min = nodes;
	j.ntasks = nodes * cpus;
	j.cpus_per_task = 1;
	j.time_limit_sec = secs;
	return j;
}

static struct sched *
sched_new(void)
{
	struct sched_options o = { .plugin_dir = PLUGIN_DIR };
	struct hc_err err = { 0 };
	struct sched *s = sched_create(&o, &err);

	assert_non_null(s);
	return s;
}

static int
pass(struct sched *s, uint32_t depth, struct sched_job *jobs, size_t n,
     struct cluster *c, struct sched_plan *p)
{
	struct sched_plan_options po = { .depth = depth };
	struct hc_err err = { 0 };

	memset(p, 0, sizeof(*p));
	return sched_plan_pass(s, &po, jobs, n, c->nodes, c->n, c->run,
			       c->nrun, NOW, p, &err);
}

static bool
started(const struct sched_plan *p, uint32_t id)
{
	for (size_t k = 0; k < p->started.count; k++)
		if (p->started.allocs[k].job == id)
			return true;
	return false;
}

/* 4 nodes x 8 CPUs; n0 busy until +100, n1 until +200. A (3 whole nodes)
 * is planned at +100 on n0, n2, n3; B (4 CPUs, 60 s) ends before and
 * backfills; C (4 CPUs, 200 s) would hold a CPU A needs at +100: waits. */
static void
test_easy_multi_node(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[3] = { job(1, 3, 8, 50), job(2, 1, 4, 60),
				     job(3, 1, 4, 200) };
	struct sched_plan p;

	(void)state;
	for (int i = 0; i < 4; i++)
		node_add(&c, 8, 0, 0);
	run_add(&c, 0, 8, 0, 0, NOW + 100);
	run_add(&c, 1, 8, 0, 0, NOW + 200);
	assert_int_equal(pass(s, 1, jobs, 3, &c, &p), 0);
	assert_int_equal(p.nplanned, 1);
	assert_int_equal(p.planned[0].job, 1);
	assert_int_equal(p.planned[0].start, NOW + 100);
	assert_int_equal(jobs[0].plan_start, NOW + 100);
	assert_string_equal(jobs[0].reason, "Resources");
	for (uint32_t k = 0; k < 3; k++)
		assert_int_not_equal(p.planned[0].nodes[k], 1);
	assert_true(started(&p, 2));
	assert_string_equal(jobs[1].reason, "");
	assert_false(started(&p, 3));
	assert_string_equal(jobs[2].reason, "Priority");
	assert_int_equal(p.backfilled, 1);
	sched_plan_free(&p);
	sched_destroy(s);
}

/* A job whose account a pool's Accounts= leave out (pool_deny) is
 * planned off that pool's nodes: n0 (on-premise) is busy until +100, n1
 * (pool 1, "phys") until +50, n2 (pool 2, "bio", 16 CPUs) has 8 free
 * until +10. A, denied both pools, is planned at +100 on n0; B, the
 * same shape allowed phys (denied bio), at +50 on n1; C (16 CPUs),
 * denied bio, the only pool that could run it, waits naming it, and is
 * planned there once allowed; once n1 is free, A still does not start
 * there. */
static void
test_pool_deny_plan(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[3] = { job(1, 1, 8, 60), job(2, 1, 8, 60),
				     job(3, 1, 16, 60) };
	struct sched_plan p;

	(void)state;
	node_add(&c, 8, 0, 0);
	node_add(&c, 8, 0, 0);
	node_add(&c, 16, 0, 0);
	c.nodes[1].cloud = c.nodes[2].cloud = true;
	c.nodes[1].pool = 1;
	c.nodes[1].pool_name = "phys";
	c.nodes[2].pool = 2;
	c.nodes[2].pool_name = "bio";
	run_add(&c, 0, 8, 0, 0, NOW + 100);
	run_add(&c, 1, 8, 0, 0, NOW + 50);
	run_add(&c, 2, 8, 0, 0, NOW + 10);	/* 8 of 16 CPUs free */
	jobs[0].pool_deny = 3;
	jobs[1].pool_deny = 2;
	jobs[2].pool_deny = 2;
	assert_int_equal(pass(s, 8, jobs, 3, &c, &p), 0);
	assert_int_equal(jobs[0].plan_start, NOW + 100);
	assert_int_equal(jobs[1].plan_start, NOW + 50);
	for (size_t k = 0; k < p.nplanned; k++)
		assert_int_equal(p.planned[k].nodes[0],
				 p.planned[k].job == 1 ? 0 : 1);
	assert_int_equal(jobs[2].plan_start, 0);
	assert_string_equal(jobs[2].reason, "CloudPoolAccounts:bio");
	jobs[2].pool_deny = 1;		/* allowed bio: planned there */
	sched_plan_free(&p);
	assert_int_equal(pass(s, 8, jobs + 2, 1, &c, &p), 0);
	assert_int_equal(jobs[2].plan_start, NOW + 10);
	sched_plan_free(&p);
	memset(c.cpu_used[1], 0, sizeof(c.cpu_used[1]));
	c.nodes[1].running_jobs = 0;
	c.run[1] = c.run[2];
	c.nrun = 2;
	jobs[0].promised = 0;
	assert_int_equal(pass(s, 8, jobs, 1, &c, &p), 0);
	assert_false(started(&p, 1));
	assert_int_equal(jobs[0].plan_start, NOW + 100);
	sched_plan_free(&p);
	sched_destroy(s);
}

/* A no_cloud job is planned on-premise only: n0 (on-premise) is busy
 * until +100, n1 (a cloud node) until +50. A, whose budget cannot take
 * the cloud, is planned at +100 on n0; B, the same shape, at +50 on n1;
 * once n1 is free, A still does not start there. */
static void
test_no_cloud_plan(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[2] = { job(1, 1, 8, 60), job(2, 1, 8, 60) };
	struct sched_plan p;

	(void)state;
	node_add(&c, 8, 0, 0);
	node_add(&c, 8, 0, 0);
	c.nodes[1].cloud = true;
	run_add(&c, 0, 8, 0, 0, NOW + 100);
	run_add(&c, 1, 8, 0, 0, NOW + 50);
	jobs[0].no_cloud = true;
	assert_int_equal(pass(s, 8, jobs, 2, &c, &p), 0);
	assert_int_equal(jobs[0].plan_start, NOW + 100);
	assert_int_equal(jobs[1].plan_start, NOW + 50);
	for (size_t k = 0; k < p.nplanned; k++)
		assert_int_equal(p.planned[k].nodes[0],
				 p.planned[k].job == 1 ? 0 : 1);
	sched_plan_free(&p);
	memset(c.cpu_used[1], 0, sizeof(c.cpu_used[1]));
	c.nodes[1].running_jobs = 0;
	c.nrun = 1;
	jobs[0].promised = 0;
	assert_int_equal(pass(s, 8, jobs, 1, &c, &p), 0);
	assert_false(started(&p, 1));
	assert_int_equal(jobs[0].plan_start, NOW + 100);
	sched_plan_free(&p);
	sched_destroy(s);
}

/* Conservative plans C too: after A, on the node A leaves free, or at
 * +150 at the latest (A ends then). */
static void
test_conservative_plans_all(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[3] = { job(1, 3, 8, 50), job(2, 1, 4, 60),
				     job(3, 1, 8, 200) };
	struct sched_plan p;

	(void)state;
	for (int i = 0; i < 4; i++)
		node_add(&c, 8, 0, 0);
	run_add(&c, 0, 8, 0, 0, NOW + 100);
	run_add(&c, 1, 8, 0, 0, NOW + 200);
	assert_int_equal(pass(s, SCHED_PLAN_DEPTH_ALL, jobs, 3, &c, &p), 0);
	assert_int_equal(jobs[0].plan_start, NOW + 100);
	assert_true(started(&p, 2));
	/* C needs a whole node for 200 s: none is free from now on (A holds
	 * three from +100, n1 is busy until +200); A ends at +150. */
	assert_int_equal(jobs[2].plan_start, NOW + 150);
	assert_int_equal(p.nplanned, 2);
	sched_plan_free(&p);
	sched_destroy(s);
}

/* GPUs and memory are planned per node: 3 of 4 GPUs busy until +100. */
static void
test_gpus_memory(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[3] = { job(1, 1, 1, 100), job(2, 1, 1, 50),
				     job(3, 1, 1, 50) };
	struct sched_plan p;

	(void)state;
	node_add(&c, 16, 1000, 4);
	run_add(&c, 0, 4, 800, 3, NOW + 100);
	jobs[0].gpus_per_node = 2;
	jobs[1].gpus_per_node = 1;
	jobs[2].mem_per_node_mb = 500;	/* only 200 free until +100 */
	assert_int_equal(pass(s, 2, jobs, 3, &c, &p), 0);
	assert_int_equal(jobs[0].plan_start, NOW + 100);
	assert_true(started(&p, 2));	/* its 50 s end before +100 */
	assert_false(started(&p, 3));
	assert_int_equal(jobs[2].plan_start, NOW + 100);
	sched_plan_free(&p);
	sched_destroy(s);
}

/* FCFS: nothing overtakes the first waiting job, even what would fit. */
static void
test_fcfs_no_overtaking(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[2] = { job(1, 1, 8, 50), job(2, 1, 2, 10) };
	struct sched_plan p;

	(void)state;
	node_add(&c, 8, 0, 0);
	run_add(&c, 0, 4, 0, 0, NOW + 100);
	assert_int_equal(pass(s, 0, jobs, 2, &c, &p), 0);
	assert_int_equal(p.started.count, 0);
	assert_int_equal(p.nplanned, 0);
	assert_string_equal(jobs[0].reason, "Resources");
	assert_string_equal(jobs[1].reason, "Priority");
	sched_plan_free(&p);
	/* EASY lets the short one in: it ends long before +100. */
	assert_int_equal(pass(s, 1, jobs, 2, &c, &p), 0);
	assert_true(started(&p, 2));
	sched_plan_free(&p);
	sched_destroy(s);
}

/* A promised job is planned first (compression) and never later. */
static void
test_promise_kept(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[2] = { job(1, 1, 8, 100), job(2, 1, 8, 100) };
	struct sched_plan p;

	(void)state;
	node_add(&c, 8, 0, 0);
	run_add(&c, 0, 8, 0, 0, NOW + 50);
	/* job 2 holds a promise of +50 from an earlier pass; job 1 has the
	 * higher priority now but no promise: it goes after. */
	jobs[1].promised = NOW + 50;
	assert_int_equal(pass(s, 5, jobs, 2, &c, &p), 0);
	assert_int_equal(jobs[1].plan_start, NOW + 50);
	assert_int_equal(jobs[0].plan_start, NOW + 150);
	sched_plan_free(&p);
	sched_destroy(s);
}

/* A promise with its nodes keeps to them (plan.c: so that conservative
 * keeps every promise on several nodes): n0 is free, n1 busy until +50;
 * job 2, promised +50 on n1, is planned there, not started on n0, and
 * job 1 (no promise) starts on n0. Without the nodes, job 2 starts now. */
static void
test_promise_nodes(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[2] = { job(1, 1, 8, 100), job(2, 1, 8, 100) };
	static const uint32_t n1 = 1;
	struct sched_plan p;

	(void)state;
	node_add(&c, 8, 0, 0);
	node_add(&c, 8, 0, 0);
	run_add(&c, 1, 8, 0, 0, NOW + 50);
	jobs[1].promised = NOW + 50;
	jobs[1].promised_nodes = &n1;
	jobs[1].npromised_nodes = 1;
	assert_int_equal(pass(s, SCHED_PLAN_DEPTH_ALL, jobs, 2, &c, &p), 0);
	assert_int_equal(jobs[1].plan_start, NOW + 50);
	assert_int_equal(p.nplanned, 1);
	assert_int_equal(p.planned[0].nodes[0], 1);
	assert_true(started(&p, 1));
	assert_int_equal(p.started.allocs[0].nodes[0].node, 0);
	sched_plan_free(&p);
	/* The same pass without the nodes: job 2 takes n0 now. */
	memset(c.cpu_used[0], 0, sizeof(c.cpu_used[0]));
	c.nodes[0].running_jobs = 0;
	jobs[1].promised_nodes = NULL;
	jobs[1].npromised_nodes = 0;
	assert_int_equal(pass(s, SCHED_PLAN_DEPTH_ALL, jobs, 2, &c, &p), 0);
	assert_true(started(&p, 2));
	sched_plan_free(&p);
	sched_destroy(s);
}

/* 200 jobs of one shape that cannot start: one search, the rest skipped
 * (a shorter limit is tried again). Then a full machine: nothing below
 * the plans is searched at all. */
static void
test_shape_skipped(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[201];
	struct sched_plan p;

	(void)state;
	node_add(&c, 8, 0, 0);
	run_add(&c, 0, 4, 0, 0, NOW + 100);
	for (uint32_t i = 0; i < 200; i++)
		jobs[i] = job(i + 1, 1, 8, 500);
	jobs[200] = job(300, 1, 8, 50);
	assert_int_equal(pass(s, 1, jobs, 201, &c, &p), 0);
	assert_int_equal(p.nplanned, 1);
	assert_int_equal(p.skipped, 199);
	assert_string_equal(jobs[200].reason, "Priority");
	sched_plan_free(&p);
	run_add(&c, 0, 4, 0, 0, NOW + 100);
	assert_int_equal(pass(s, 1, jobs, 201, &c, &p), 0);
	assert_int_equal(p.skipped, 200);
	sched_plan_free(&p);
	sched_destroy(s);
}

/* A running job with no limit never gives its node back: no plan. */
static void
test_unlimited_and_bad_input(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[1] = { job(1, 1, 8, 50) };
	struct sched_plan p;
	struct sched_plan_options po = { .depth = 1 };
	struct sched_alloc_node an = { .node = 7, .ncpus = 1 };
	struct sched_running bad = { .id = 5, .end = NOW + 10, .nnodes = 1,
				     .nodes = &an };
	struct hc_err err = { 0 };

	(void)state;
	node_add(&c, 8, 0, 0);
	run_add(&c, 0, 8, 0, 0, 0);
	assert_int_equal(pass(s, 1, jobs, 1, &c, &p), 0);
	assert_int_equal(jobs[0].plan_start, 0);
	assert_string_equal(jobs[0].reason, "Resources");
	sched_plan_free(&p);
	memset(&p, 0, sizeof(p));
	assert_int_equal(sched_plan_pass(s, &po, jobs, 1, c.nodes, c.n, &bad,
					 1, NOW, &p, &err), -1);
	assert_non_null(strstr(err.text, "node index 7"));
	sched_plan_free(&p);
	sched_destroy(s);
}

/* The profile alone: one node of 8 CPUs, busy until +100, a plan holding
 * it over [+200, +300). A 100 s job fits the hole exactly; 101 s does
 * not and goes after the plan; a job of 9 CPUs never fits. */
static void
test_profile_holes(void **state)
{
	struct cluster c = { 0 };
	struct sched_req rq = { .nnodes = 1, .cpus = 8, .gpu_type = "" };
	struct prof_need need = { .nnodes = 1, .cpus = 8, .secs = 100 };
	struct hc_err err = { 0 };
	uint8_t allow[1] = { 0 };
	uint32_t chosen[1];
	struct profile *p;

	(void)state;
	node_add(&c, 8, 0, 0);
	run_add(&c, 0, 8, 0, 0, NOW + 100);
	p = prof_create(c.nodes, c.n, c.run, c.nrun, NULL, NOW, &err);
	assert_non_null(p);
	assert_int_equal(prof_select(p, 0, &rq), 1);
	prof_take(p, 0, &need, NOW + 200);
	assert_int_equal(prof_fit_now(p, &need, allow, 1), 0);
	assert_int_equal(prof_earliest(p, &need, chosen), NOW + 100);
	assert_int_equal(chosen[0], 0);
	need.secs = 101;
	assert_int_equal(prof_earliest(p, &need, chosen), NOW + 300);
	need.cpus = 4;
	need.secs = 1000;
	assert_int_equal(prof_earliest(p, &need, chosen), NOW + 300);
	rq.cpus = 9;
	assert_int_equal(prof_select(p, 0, &rq), 0);
	assert_int_equal(prof_earliest(p, &need, chosen), -1);
	assert_int_equal(prof_open(p), 0);
	prof_destroy(p);
}

/* A reservation on n1 for [+100, +200): busy time for everyone else,
 * the only place (from its start) for its members. */
static void
test_reservation(void **state)
{
	struct cluster c = { 0 };
	struct sched *s = sched_new();
	struct sched_job jobs[3] = { job(1, 2, 8, 150), job(2, 1, 4, 50),
				     job(3, 1, 8, 50) };
	static const uint64_t bits = 1u << 1;
	static const uint32_t uids[] = { 1000 };
	struct sched_resv rv = { .name = "R", .start = NOW + 100,
				 .end = NOW + 200, .nodes = &bits, .nbits = 2,
				 .uids = uids, .nuids = 1 };
	struct sched_plan p;

	(void)state;
	node_add(&c, 8, 0, 0);
	node_add(&c, 8, 0, 0);
	sched_resv_use(s, &rv, 1);
	jobs[1].reservation = "R";
	assert_int_equal(pass(s, 5, jobs, 3, &c, &p), 0);
	/* both nodes for 150 s would cross the window: after it */
	assert_int_equal(jobs[0].plan_start, NOW + 200);
	/* the member waits for the window, on its node */
	assert_int_equal(jobs[1].plan_start, NOW + 100);
	for (size_t k = 0; k < p.nplanned; k++)
		if (p.planned[k].job == 2)
			assert_int_equal(p.planned[k].nodes[0], 1);
	/* 50 s end before both */
	assert_true(started(&p, 3));
	sched_plan_free(&p);
	sched_resv_use(s, NULL, 0);
	sched_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_cloud_plan),
		cmocka_unit_test(test_pool_deny_plan),
		cmocka_unit_test(test_profile_holes),
		cmocka_unit_test(test_easy_multi_node),
		cmocka_unit_test(test_conservative_plans_all),
		cmocka_unit_test(test_gpus_memory),
		cmocka_unit_test(test_fcfs_no_overtaking),
		cmocka_unit_test(test_promise_kept),
		cmocka_unit_test(test_promise_nodes),
		cmocka_unit_test(test_shape_skipped),
		cmocka_unit_test(test_unlimited_and_bad_input),
		cmocka_unit_test(test_reservation),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
