/*
 * test_burst: the cloud-burst decision (src/sched/burst.c) on hand-built
 * plans: no node while the plan keeps waits under BurstAfter, the fewest
 * nodes otherwise, BurstAfter=0 as Slurm, ResumeRate/MaxNodes room and
 * account budgets with reasons naming them (a parent's binding its
 * subtree, one spent past its limit staying reached), the cheapest pool
 * first, queues/accounts/templates that do not fit, booting nodes not
 * doubled and what they leave taking new jobs first (and which booting
 * node each was packed on); idle started
 * nodes counted toward multi-node jobs (only the missing nodes started,
 * the idle ones kept, jobs idle nodes alone could hold not labelled);
 * first-fit packing past the open-node index's growth and where
 * each job was packed, and the keep-idle index (burst_plan_keep);
 * budgets held ahead by running jobs (their share of a node x time
 * limit), and which pending jobs their budgets let use cloud nodes at all
 * (burst_cloud_allow).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "burst.h"
#include "plan.h"

#define NOW 1000000
#define HOUR 3600

static const char *const feats[] = { "cloud", NULL };
static const char *const acct_phys[] = { "physics", "root", NULL };
static const char *const acct_chem[] = { "chem", "root", NULL };

static struct burst_pool
pool(const char *name, double cost)
{
	return (struct burst_pool){ .name = name, .cpus = 32,
		.mem_mb = 65536, .features = feats, .queue_mask = 1,
		.boot_s = 120, .burst_after = 15 * 60, .cost_per_hour = cost,
		.room = 64, .room_why = "" };
}

/* A one-node job of `cpus` CPUs, one hour, planned at `start` (0: none). */
static struct sched_job
job(uint32_t id, uint32_t cpus, time_t start)
{
	struct sched_job j = { .id = id, .nodes_min = 1, .ntasks = 1,
		.cpus_per_task = cpus, .mem_per_node_mb = 1024,
		.time_limit = 60, .plan_start = start };

	snprintf(j.reason, sizeof(j.reason), "%s", start ? "Resources" :
		 "ReqNodeNotAvail");
	return j;
}

static struct burst_decision
decide(const struct burst_pool *p, size_t np, struct sched_job *j, size_t nj,
       const struct burst_budget *b, size_t nb)
{
	struct burst_job bj[16];
	struct burst_decision d;

	for (size_t i = 0; i < nj; i++)
		bj[i] = (struct burst_job){ .job = &j[i],
			.accounts = i % 2 ? acct_chem : acct_phys };
	assert_int_equal(burst_decide(NOW, p, np, bj, nj, b, nb, &d), 0);
	return d;
}

static void
test_under_threshold(void **state)
{
	struct burst_pool p = pool("burst", 3.2);
	struct sched_job j[] = { job(1, 8, NOW + 60), job(2, 8, NOW + 600) };
	struct burst_decision d = decide(&p, 1, j, 2, NULL, 0);

	(void)state;
	assert_int_equal(d.total, 0);
	assert_int_equal(d.job_pool[0], -1);
	assert_string_equal(d.reason[1], "");
	burst_decision_free(&d);
}

static void
test_minimal_count(void **state)
{
	struct burst_pool p = pool("burst", 3.2);
	/* four 16-CPU jobs waiting 2 h: two 32-CPU nodes hold them; a job
	 * that starts in 5 min and one that starts now get none */
	struct sched_job j[] = { job(1, 16, NOW + 2 * HOUR),
		job(2, 16, NOW + 2 * HOUR), job(3, 16, 0),
		job(4, 16, NOW + 2 * HOUR), job(5, 8, NOW + 300),
		job(6, 16, NOW + 2 * HOUR) };
	struct burst_decision d;

	(void)state;
	j[4].reason[0] = '\0';		/* 5 min: below BurstAfter */
	d = decide(&p, 1, j, 6, NULL, 0);
	assert_int_equal(d.total, 3);	/* 1+2, 3 (no plan) + 4, 6 */
	assert_int_equal(d.pool_nodes[0], 3);
	assert_int_equal(d.job_pool[4], -1);
	assert_string_equal(d.reason[0], "NodeBooting");
	burst_decision_free(&d);
	j[2].reason[0] = '\0';		/* it starts now on-premise */
	d = decide(&p, 1, j, 6, NULL, 0);
	assert_int_equal(d.total, 2);
	assert_int_equal(d.job_pool[2], -1);
	burst_decision_free(&d);
}

static void
test_burst_after_zero(void **state)
{
	struct burst_pool p = pool("burst", 3.2);
	struct sched_job j[] = { job(1, 8, NOW + 600), job(2, 8, NOW + 60) };
	struct burst_decision d;

	(void)state;
	p.burst_after = 0;
	d = decide(&p, 1, j, 2, NULL, 0);
	/* the first waits longer than the boot: a node; the second would
	 * start on-premise before a node boots: none */
	assert_int_equal(d.total, 1);
	assert_int_equal(d.job_pool[0], 0);
	assert_int_equal(d.job_pool[1], -1);
	burst_decision_free(&d);
}

/* A job past the planning depth (no plan, reason Priority): its wait is
 * not known, so only BurstAfter=0 starts a node for it. */
static void
test_unplanned(void **state)
{
	struct burst_pool p = pool("burst", 3.2);
	struct sched_job j[] = { job(1, 8, 0) };
	struct burst_decision d;

	(void)state;
	snprintf(j[0].reason, sizeof(j[0].reason), "Priority");
	d = decide(&p, 1, j, 1, NULL, 0);
	assert_int_equal(d.total, 0);
	burst_decision_free(&d);
	p.burst_after = 0;
	d = decide(&p, 1, j, 1, NULL, 0);
	assert_int_equal(d.total, 1);
	burst_decision_free(&d);
}

static void
test_rate_limit(void **state)
{
	struct burst_pool p = pool("burst", 3.2);
	struct sched_job j[] = { job(1, 32, 0), job(2, 32, 0),
		job(3, 32, 0) };
	struct burst_decision d;

	(void)state;
	p.room = 2;
	p.room_why = "ResumeRate:burst";
	d = decide(&p, 1, j, 3, NULL, 0);
	assert_int_equal(d.total, 2);
	assert_int_equal(d.job_pool[2], -1);
	assert_string_equal(d.reason[2], "ResumeRate:burst");
	burst_decision_free(&d);
}

static void
test_budget(void **state)
{
	struct burst_pool p = pool("burst", 3.0);
	struct sched_job j[] = { job(1, 32, 0), job(2, 32, 0),
		job(3, 32, 0), job(4, 32, 0) };
	/* physics (jobs 1, 3): 90 node-minutes; chem (2, 4): 4.0 of cost */
	const struct burst_budget b[] = {
		{ "physics", 90, -1 }, { "chem", -1, 4.0 } };
	struct burst_decision d = decide(&p, 1, j, 4, b, 2);

	(void)state;
	assert_int_equal(d.job_pool[0], 0);
	assert_int_equal(d.job_pool[1], 0);
	assert_int_equal(d.job_pool[2], -1);
	assert_string_equal(d.reason[2], "GrpCloudNodeMins:physics");
	assert_int_equal(d.job_pool[3], -1);
	assert_string_equal(d.reason[3], "GrpCloudCost:chem");
	assert_int_equal(d.total, 2);
	burst_decision_free(&d);
}

/* A parent's budget binds its whole subtree: charged by one child's job,
 * it refuses the other child's within the same decision (the tree's
 * budgets, as hcctld and hcsim give them: the job's account, then its
 * ancestors). A job with no time limit is charged an hour. */
static void
test_budget_ancestor(void **state)
{
	struct burst_pool p = pool("burst", 3.0);
	struct sched_job j[] = { job(1, 32, 0), job(2, 32, 0),
		job(3, 32, 0) };
	const struct burst_budget b[] = {
		{ "root", 100, -1 }, { "chem", -1, 1000 } };
	struct burst_decision d;

	(void)state;
	j[2].time_limit = 0;
	d = decide(&p, 1, j, 3, b, 2);
	assert_int_equal(d.job_pool[0], 0);	/* physics: root 100 -> 40 */
	assert_int_equal(d.job_pool[1], -1);	/* chem: its own is ample */
	assert_string_equal(d.reason[1], "GrpCloudNodeMins:root");
	assert_int_equal(d.job_pool[2], -1);	/* no limit: 60 > 40 */
	assert_string_equal(d.reason[2], "GrpCloudNodeMins:root");
	assert_int_equal(d.total, 1);
	burst_decision_free(&d);
}

/* A budget spent past its limit (jobs running when it was reached) is
 * reached, not none: it leaves 0, and the account's next job is refused;
 * a limit of 0 is none. */
static void
test_budget_overspent(void **state)
{
	struct burst_pool p = pool("burst", 3.0);
	struct sched_job j[] = { job(1, 32, 0), job(2, 32, 0) };
	struct burst_budget b[] = {
		{ "physics", burst_budget_left(60, 75), -1 },
		{ "chem", -1, burst_budget_left(0, 9) } };
	struct burst_decision d;

	(void)state;
	assert_true(burst_budget_left(60, 15) == 45);
	assert_true(b[0].node_mins_left == 0);
	assert_true(b[1].cost_left < 0);
	d = decide(&p, 1, j, 2, b, 2);
	assert_int_equal(d.job_pool[0], -1);
	assert_string_equal(d.reason[0], "GrpCloudNodeMins:physics");
	assert_int_equal(d.job_pool[1], 0);	/* chem: no budget */
	burst_decision_free(&d);
}

static void
test_cheapest_and_fit(void **state)
{
	struct burst_pool p[] = { pool("dear", 9.0), pool("cheap", 1.0),
		pool("gpu", 0.5) };
	struct sched_job j[] = { job(1, 16, 0), job(2, 16, 0), job(3, 64, 0),
		job(4, 8, 0) };
	struct burst_decision d;

	(void)state;
	p[2].gpus = 4;
	p[2].features = NULL;		/* "cloud" asked below: not here */
	j[1].constraint = "cloud";
	j[3].queue = 1;			/* a queue no pool serves */
	d = decide(p, 3, j, 4, NULL, 0);
	assert_int_equal(d.job_pool[0], 2);	/* the cheapest that fits */
	assert_int_equal(d.job_pool[1], 1);	/* constraint: not gpu */
	assert_int_equal(d.job_pool[2], -1);	/* 64 CPUs fit no template */
	assert_string_equal(d.reason[2], "");
	assert_int_equal(d.job_pool[3], -1);
	assert_int_equal(d.pool_nodes[0], 0);
	burst_decision_free(&d);
}

static void
test_booting_and_accounts(void **state)
{
	struct burst_pool p = pool("burst", 3.2);
	static const char *const only_chem[] = { "chem", NULL };
	struct sched_job j[] = { job(1, 8, 0), job(2, 8, 0) };
	struct burst_job bj[2] = {
		{ .job = &j[0], .accounts = acct_phys, .booting = true },
		{ .job = &j[1], .accounts = acct_phys } };
	struct burst_decision d;

	(void)state;
	p.accounts = only_chem;
	assert_int_equal(burst_decide(NOW, &p, 1, bj, 2, NULL, 0, &d), 0);
	assert_string_equal(d.reason[0], "NodeBooting");
	assert_int_equal(d.job_pool[1], -1);	/* physics may not use it */
	assert_int_equal(d.total, 0);
	burst_decision_free(&d);
}

/* A node booting for a 24-CPU job takes an 8-CPU job that arrives
 * meanwhile: no node starts for it; a second one no longer fits there
 * and opens a new node (place: new node 0). */
static void
test_booting_fill(void **state)
{
	struct burst_pool p = pool("burst", 3.2);
	struct sched_job j[] = { job(1, 24, 0), job(2, 8, 0), job(3, 8, 0) };
	struct burst_job bj[3];
	struct burst_decision d;

	(void)state;
	for (size_t i = 0; i < 3; i++)
		bj[i] = (struct burst_job){ .job = &j[i],
			.accounts = acct_phys, .booting = i == 0 };
	p.booting = 1;
	assert_int_equal(burst_decide(NOW, &p, 1, bj, 2, NULL, 0, &d), 0);
	assert_int_equal(d.total, 0);
	assert_int_equal(d.job_pool[1], 0);
	assert_string_equal(d.reason[1], "NodeBooting");
	assert_int_equal(d.place_count[1], 0);
	assert_int_equal(d.boot_count[1], 1);	/* the booting node 0 */
	assert_int_equal(d.boot_place[d.boot_first[1]], 0);
	burst_decision_free(&d);
	assert_int_equal(burst_decide(NOW, &p, 1, bj, 3, NULL, 0, &d), 0);
	assert_int_equal(d.total, 1);
	assert_int_equal(d.place_count[2], 1);
	assert_int_equal(d.place[d.place_first[2]], 0);
	assert_int_equal(d.boot_count[2], 0);
	burst_decision_free(&d);
	p.booting = 0;		/* as before: j2 opens a node */
	assert_int_equal(burst_decide(NOW, &p, 1, bj, 2, NULL, 0, &d), 0);
	assert_int_equal(d.total, 1);
	burst_decision_free(&d);
}

/* A 2-node job with one of the pool's nodes idle and room for one more
 * (MaxNodes=2): it takes the idle node and starts one, and the idle node
 * is kept; with more room, still one; a 3-node job finds no room for its two missing nodes; a job
 * the idle nodes alone could hold is the plan's (no node, no label); a
 * single-node job does not take an idle node; a 2-node job booting on
 * one node keeps the idle one it waits for. */
static void
test_idle_multinode(void **state)
{
	static const uint32_t idle[] = { 7, 9 };
	struct burst_pool p = pool("burst", 3.2);
	struct sched_job j[] = { job(1, 8, 0) };
	struct burst_job bj = { .job = &j[0], .accounts = acct_phys };
	struct burst_decision d;
	time_t keep[10] = { 0 };

	(void)state;
	p.room = 1;
	p.idle_nodes = idle;
	p.nidle = 1;
	j[0].nodes_min = 2;
	j[0].ntasks = 2;
	d = decide(&p, 1, j, 1, NULL, 0);
	assert_int_equal(d.total, 1);
	assert_int_equal(d.job_pool[0], 0);
	assert_string_equal(d.reason[0], "NodeBooting");
	assert_int_equal(d.place_count[0], 1);
	assert_int_equal(d.place[d.place_first[0]], 0);
	assert_int_equal(d.nkeep, 1);
	assert_int_equal(d.keep[0], 7);
	burst_decision_keep(&d, NOW, 10, keep);
	assert_int_equal(keep[7], NOW);
	assert_int_equal(keep[9], 0);
	burst_decision_free(&d);
	p.room = 64;		/* room for more: still only the missing one */
	d = decide(&p, 1, j, 1, NULL, 0);
	assert_int_equal(d.total, 1);
	assert_int_equal(d.nkeep, 1);
	burst_decision_free(&d);
	p.room = 1;

	j[0].nodes_min = j[0].ntasks = 3;	/* two missing, room for one */
	d = decide(&p, 1, j, 1, NULL, 0);
	assert_int_equal(d.total, 0);
	assert_string_equal(d.reason[0], "CloudNodesLimit");
	assert_int_equal(d.nkeep, 0);
	burst_decision_free(&d);

	j[0].nodes_min = j[0].ntasks = 2;	/* two idle nodes hold it */
	p.nidle = 2;
	d = decide(&p, 1, j, 1, NULL, 0);
	assert_int_equal(d.total, 0);
	assert_int_equal(d.job_pool[0], -1);
	assert_string_equal(d.reason[0], "");
	assert_int_equal(d.nkeep, 0);
	burst_decision_free(&d);

	j[0].nodes_min = j[0].ntasks = 1;	/* one node: as before */
	d = decide(&p, 1, j, 1, NULL, 0);
	assert_int_equal(d.total, 1);
	assert_int_equal(d.nkeep, 0);
	burst_decision_free(&d);

	j[0].nodes_min = j[0].ntasks = 2;	/* booting on one node */
	p.nidle = 1;
	p.booting = 1;
	bj.booting = true;
	assert_int_equal(burst_decide(NOW, &p, 1, &bj, 1, NULL, 0, &d), 0);
	assert_int_equal(d.total, 0);
	assert_string_equal(d.reason[0], "NodeBooting");
	assert_int_equal(d.nkeep, 1);
	assert_int_equal(d.keep[0], 7);
	burst_decision_free(&d);
}

/* 40 jobs of 24 CPUs open 40 nodes (the open-node index grows twice);
 * 40 of 8 fill their holes, the first in order; one more of 8 opens a
 * node, and one of 16 then fits the room left on it. */
static void
test_first_fit_many(void **state)
{
	struct burst_pool p = pool("burst", 1);
	struct sched_job j[82];
	struct burst_job bj[82];
	struct burst_decision d;

	(void)state;
	for (uint32_t i = 0; i < 82; i++) {
		j[i] = job(i + 1, i < 40 ? 24 : i < 81 ? 8 : 16, 0);
		bj[i] = (struct burst_job){ .job = &j[i],
					    .accounts = acct_phys };
	}
	assert_int_equal(burst_decide(NOW, &p, 1, bj, 40, NULL, 0, &d), 0);
	assert_int_equal(d.total, 40);
	burst_decision_free(&d);
	assert_int_equal(burst_decide(NOW, &p, 1, bj, 80, NULL, 0, &d), 0);
	assert_int_equal(d.total, 40);
	burst_decision_free(&d);
	assert_int_equal(burst_decide(NOW, &p, 1, bj, 82, NULL, 0, &d), 0);
	assert_int_equal(d.total, 41);
	assert_int_equal(d.job_pool[81], 0);
	/* where: 24-CPU job i on new node i, the first 8-CPU job in the
	 * first hole, the last two on the 41st node */
	assert_int_equal(d.place_count[39], 1);
	assert_int_equal(d.place[d.place_first[39]], 39);
	assert_int_equal(d.place[d.place_first[40]], 0);
	assert_int_equal(d.place[d.place_first[79]], 39);
	assert_int_equal(d.place[d.place_first[80]], 40);
	assert_int_equal(d.place[d.place_first[81]], 40);
	assert_int_equal(d.nplace, 82);
	burst_decision_free(&d);
	p.room = 40;	/* no room for the 41st: the last two wait */
	assert_int_equal(burst_decide(NOW, &p, 1, bj, 82, NULL, 0, &d), 0);
	assert_int_equal(d.total, 40);
	assert_int_equal(d.job_pool[80], -1);
	assert_int_equal(d.job_pool[81], -1);
	burst_decision_free(&d);
}

/* The earliest planned start per node; nodes past nnodes ignored. */
static void
test_plan_keep(void **state)
{
	uint32_t a[] = { 0, 2 }, b[] = { 2, 9 }, c[] = { 1 };
	struct sched_plan_entry e[] = {
		{ .job = 1, .start = NOW + 600, .nnodes = 2, .nodes = a },
		{ .job = 2, .start = NOW + 60, .nnodes = 2, .nodes = b },
		{ .job = 3, .start = NOW + 900, .nnodes = 1, .nodes = c },
	};
	struct sched_plan plan = { .planned = e, .nplanned = 3 };
	time_t keep[4] = { 1, 1, 1, 1 };

	(void)state;
	burst_plan_keep(&plan, 4, keep);
	assert_int_equal(keep[0], NOW + 600);
	assert_int_equal(keep[1], NOW + 900);
	assert_int_equal(keep[2], NOW + 60);
	assert_int_equal(keep[3], 0);
	burst_plan_keep(NULL, 4, keep);
	assert_int_equal(keep[2], 0);
}

/* A job's share of a node, and what it holds: share x time limit. */
static void
test_share_hold(void **state)
{
	struct sched_job j = job(1, 8, 0);

	(void)state;
	assert_true(burst_share(8, 32) == 0.25);
	assert_true(burst_share(32, 32) == 1);
	assert_true(burst_share(40, 32) == 1);
	assert_true(burst_share(4, 0) == 1);
	assert_true(burst_hold_mins(0.5, 3600) == 30);
	assert_true(burst_hold_mins(2, 0) == 120);	/* none: an hour */
	j.nodes_min = 2;
	assert_true(burst_worst_mins(&j) == 120);
	j.time_limit_sec = 90;
	assert_true(burst_worst_mins(&j) == 3);
}

/* A running job holds the budget ahead: physics has 100 node-minutes, a
 * job of one node for an hour runs (60 held), so a second such job does
 * not fit the 40 left and gets no node, its reason naming the budget;
 * once the first ended having used 30 (held no more) it fits. */
static void
test_budget_held(void **state)
{
	struct burst_pool p = pool("burst", 3.0);
	struct sched_job j[] = { job(2, 32, 0) };
	struct burst_budget b[] = { { "physics", 0, -1 } };
	struct burst_decision d;

	(void)state;
	b[0].node_mins_left = burst_budget_left(100, 0 +
						burst_hold_mins(1, HOUR));
	d = decide(&p, 1, j, 1, b, 1);
	assert_int_equal(d.job_pool[0], -1);
	assert_string_equal(d.reason[0], "GrpCloudNodeMins:physics");
	burst_decision_free(&d);
	b[0].node_mins_left = burst_budget_left(100, 30);
	d = decide(&p, 1, j, 1, b, 1);
	assert_int_equal(d.job_pool[0], 0);
	burst_decision_free(&d);
}

/* Which pending jobs may be placed on cloud nodes: in order, each
 * allowed job takes its worst case (nodes x limit, at the dearest pool it
 * may use) from what is left, so two that each fit but not together are
 * not both allowed; a job on a booting node (held already), one of an
 * account with no budget, and one no pool takes are allowed and take
 * nothing. */
static void
test_cloud_allow(void **state)
{
	struct burst_pool p[] = { pool("cheap", 1.0), pool("dear", 4.0) };
	struct sched_job j[] = { job(1, 8, 0), job(2, 8, 0), job(3, 8, 0),
		job(4, 8, 0), job(5, 8, 0), job(6, 8, 0), job(7, 16, 0) };
	/* physics: 100 node-minutes; chem: 5.0 of cost (dear: 4/hour) */
	const struct burst_budget b[] = {
		{ "physics", 100, -1 }, { "chem", -1, 5.0 } };
	static const char *const acct_bio[] = { "bio", "root", NULL };
	struct burst_job bj[] = {
		{ .job = &j[0], .accounts = acct_phys, .booting = true },
		{ .job = &j[1], .accounts = acct_phys },
		{ .job = &j[2], .accounts = acct_phys },
		{ .job = &j[3], .accounts = acct_chem },
		{ .job = &j[4], .accounts = acct_chem },
		{ .job = &j[5], .accounts = acct_bio },
		{ .job = &j[6], .accounts = acct_chem } };
	bool allow[7];

	(void)state;
	p[1].cpus = 8;			/* dear: too small for job 7 */
	j[5].queue = 1;			/* no pool serves its queue */
	burst_cloud_allow(p, 2, bj, 7, b, 2, allow);
	assert_true(allow[0]);		/* booting: held already */
	assert_true(allow[1]);		/* physics 100 -> 40 */
	assert_false(allow[2]);		/* 60 > 40 */
	assert_true(allow[3]);		/* chem: 4.0 at dear, 5 -> 1 */
	assert_false(allow[4]);		/* 4.0 > 1 */
	assert_true(allow[5]);		/* no pool: nothing to take */
	assert_true(allow[6]);		/* cheap only: 1.0 of the 1 left */
	burst_cloud_allow(p, 2, bj, 7, NULL, 0, allow);
	for (size_t k = 0; k < 7; k++)
		assert_true(allow[k]);
}

/* Accounts=: burst_pool_deny names the pools that leave a job's account
 * and its ancestors out (sched_job.pool_deny), a sub-account being taken
 * by a pool that names its parent; and a job kept off a pool's nodes up
 * (reason CloudPoolAccounts:POOL, no plan) may start a node of a pool that
 * takes it. */
static void
test_pool_deny(void **state)
{
	static const char *const only_phys[] = { "physics", NULL };
	static const char *const only_chem[] = { "chem", NULL };
	static const char *const hep[] = { "hep", "physics", "root", NULL };
	struct burst_pool p[3] = { pool("phys", 1), pool("open", 2),
				   pool("chem", 3) };
	struct sched_job j[] = { job(1, 8, 0) };
	struct burst_decision d;

	(void)state;
	p[0].accounts = only_phys;
	p[2].accounts = only_chem;
	assert_int_equal(burst_pool_deny(p, 3, acct_phys), 4);
	assert_int_equal(burst_pool_deny(p, 3, hep), 4);
	assert_int_equal(burst_pool_deny(p, 3, acct_chem), 1);
	assert_int_equal(burst_pool_deny(p, 3, NULL), 5);
	snprintf(j[0].reason, sizeof(j[0].reason), "CloudPoolAccounts:chem");
	d = decide(&p[2], 1, j, 1, NULL, 0);	/* chem only: not physics */
	assert_int_equal(d.total, 0);
	burst_decision_free(&d);
	d = decide(p, 1, j, 1, NULL, 0);
	assert_int_equal(d.total, 1);
	assert_int_equal(d.job_pool[0], 0);
	burst_decision_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_under_threshold),
		cmocka_unit_test(test_minimal_count),
		cmocka_unit_test(test_burst_after_zero),
		cmocka_unit_test(test_unplanned),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_budget_ancestor),
		cmocka_unit_test(test_budget_overspent),
		cmocka_unit_test(test_cheapest_and_fit),
		cmocka_unit_test(test_booting_and_accounts),
		cmocka_unit_test(test_booting_fill),
		cmocka_unit_test(test_idle_multinode),
		cmocka_unit_test(test_first_fit_many),
		cmocka_unit_test(test_plan_keep),
		cmocka_unit_test(test_share_hold),
		cmocka_unit_test(test_budget_held),
		cmocka_unit_test(test_cloud_allow),
		cmocka_unit_test(test_pool_deny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
