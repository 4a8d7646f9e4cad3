/*
 * test_sched: the scheduling core (libhcsched) through its public API and
 * the real plugin path (plugins dlopen'ed from the build tree).
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

#include "hc/sched_plugin.h"
#include "sched.h"

#define PLUGIN_DIR TOP_BUILDDIR "/plugins/sched/.libs"
#define NOW 1700000000

/* A little cluster: nodes with their CPU maps. */
struct cluster {
	struct sched_node *nodes;
	uint8_t **cpu_used;
	size_t n;
};

static void
cluster_add(struct cluster *c, const char *name, uint32_t cpus,
	    uint64_t mem, uint32_t ngpus, const char *gtype,
	    const char *const *features)
{
	struct sched_node *n;

	c->nodes = realloc(c->nodes, (c->n + 1) * sizeof(*c->nodes));
	c->cpu_used = realloc(c->cpu_used, (c->n + 1) * sizeof(uint8_t *));
	n = &c->nodes[c->n];
	memset(n, 0, sizeof(*n));
	c->cpu_used[c->n] = calloc(cpus ? cpus : 1, 1);
	n->name = name;
	n->index = (uint32_t)c->n;
	n->usable = true;
	n->cpus = cpus;
	n->cpu_used = c->cpu_used[c->n];
	n->mem_mb = mem;
	n->gpu_count = ngpus;
	for (uint32_t g = 0; g < ngpus; g++)
		snprintf(n->gpus[g].type, sizeof(n->gpus[g].type), "%s",
			 gtype);
	n->features = features;
	n->queue_mask = 1;
	c->n++;
}

static void
cluster_free(struct cluster *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->cpu_used[i]);
	free(c->cpu_used);
	free(c->nodes);
	memset(c, 0, sizeof(*c));
}

static struct sched_job
job(uint32_t id, uint32_t ntasks)
{
	struct sched_job j;

	memset(&j, 0, sizeof(j));
	j.id = id;
	j.uid = 1000;
	j.submit_time = NOW - 100 + id;
	j.nodes_min = 1;
	j.ntasks = ntasks;
	j.cpus_per_task = 1;
	j.mem_per_node_mb = 100;
	j.time_limit = 60;
	return j;
}

static struct sched *
sched_with(const char *const *plugins, const char *const *params,
	   struct hc_err *err)
{
	struct sched_options o = { .plugin_dir = PLUGIN_DIR,
				   .plugins = plugins, .params = params };

	return sched_create(&o, err);
}

static struct sched *
sched_basic(void)
{
	struct hc_err err = { 0 };
	struct sched *s = sched_with(NULL, NULL, &err);

	if (!s)
		fail_msg("sched_create: %s", err.text);
	return s;
}

/* Run one pass; returns the number of allocations. */
static size_t
pass(struct sched *s, struct sched_job *jobs, size_t nj, struct cluster *c,
     struct sched_result *res)
{
	struct hc_err err = { 0 };

	assert_int_equal(sched_pass(s, jobs, nj, c->nodes, c->n, NOW, res,
				    &err), 0);
	return res->count;
}

static const struct sched_alloc *
alloc_of(const struct sched_result *res, uint32_t id)
{
	for (size_t i = 0; i < res->count; i++)
		if (res->allocs[i].job == id)
			return &res->allocs[i];
	return NULL;
}

static void
test_order(void **state)
{
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[4] = { job(1, 1), job(2, 1), job(3, 1), job(4, 1) };

	cluster_add(&c, "n1", 64, 64000, 0, "", NULL);
	j[1].nice = 100;		/* last despite submitting early */
	j[2].submit_time = NOW - 7 * 86400;	/* oldest: age term */
	j[3].admin_priority = 1000000;	/* admin priority wins */
	assert_int_equal(pass(s, j, 4, &c, &res), 4);
	assert_int_equal(res.allocs[0].job, 4);
	assert_int_equal(res.allocs[1].job, 3);
	assert_int_equal(res.allocs[2].job, 1);
	assert_int_equal(res.allocs[3].job, 2);
	assert_true(j[3].priority == 1000000);
	assert_true(j[2].priority > j[0].priority);
	assert_true(j[1].priority < 0);
	assert_string_equal(j[0].reason, "");
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

static void
test_first_fit_cpus_mem(void **state)
{
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[4] = { job(1, 2), job(2, 2), job(3, 1), job(4, 2) };
	const struct sched_alloc *a;

	cluster_add(&c, "n1", 4, 8000, 0, "", NULL);
	cluster_add(&c, "n2", 4, 8000, 0, "", NULL);
	cluster_add(&c, "n0", 4, 8000, 0, "", NULL);
	c.nodes[2].weight = -1;		/* preferred despite its index */
	c.cpu_used[2][0] = 1;		/* one CPU already taken */
	j[0].mem_per_node_mb = 3000;
	j[1].mem_per_node_mb = 3000;
	j[3].mem_per_cpu_mb = 2000;	/* overrides: 2 x 2000 */
	assert_int_equal(pass(s, j, 4, &c, &res), 4);
	a = alloc_of(&res, 1);
	assert_int_equal(a->nodes[0].node, 2);	/* n0: weight first */
	assert_int_equal(a->nodes[0].ncpus, 2);
	assert_int_equal(a->nodes[0].cpu_ids[0], 1);
	assert_int_equal(a->nodes[0].cpu_ids[1], 2);
	assert_int_equal(a->nodes[0].mem_mb, 3000);
	a = alloc_of(&res, 2);	/* one CPU left on n0: next is n1 */
	assert_int_equal(a->nodes[0].node, 0);
	assert_int_equal(a->nodes[0].cpu_ids[0], 0);
	a = alloc_of(&res, 3);	/* 1 CPU, 100 MB: n0's last CPU */
	assert_int_equal(a->nodes[0].node, 2);
	assert_int_equal(a->nodes[0].cpu_ids[0], 3);
	a = alloc_of(&res, 4);	/* n0 full; n1: 2 CPUs, 5000 MB left */
	assert_int_equal(a->nodes[0].node, 0);
	assert_int_equal(a->nodes[0].mem_mb, 4000);
	assert_int_equal(c.nodes[0].mem_used_mb, 7000);
	assert_int_equal(c.nodes[0].running_jobs, 2);
	assert_int_equal(c.cpu_used[0][3], 1);
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

/* A job its cloud budget cannot take (no_cloud) is never placed on a
 * cloud node, idle or not: it waits for the on-premise one (Resources),
 * while the same shape without the flag takes a cloud node and a small
 * one takes the on-premise CPUs left; a no_cloud job only cloud nodes
 * could run is BadConstraints. */
static void
test_no_cloud(void **state)
{
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[3] = { job(1, 4), job(2, 4), job(3, 2) };

	(void)state;
	cluster_add(&c, "n1", 4, 8000, 0, "", NULL);
	cluster_add(&c, "c1", 4, 8000, 0, "", NULL);
	cluster_add(&c, "c2", 4, 8000, 0, "", NULL);
	c.nodes[1].cloud = c.nodes[2].cloud = true;
	memset(c.cpu_used[0], 1, 2);	/* n1: 2 CPUs left */
	j[0].no_cloud = true;
	j[0].nice = 100;		/* last: it waits, blocking none */
	j[2].no_cloud = true;
	assert_int_equal(pass(s, j, 3, &c, &res), 2);
	assert_null(alloc_of(&res, 1));
	assert_string_equal(j[0].reason, "Resources");
	assert_int_equal(alloc_of(&res, 2)->nodes[0].node, 1);
	assert_int_equal(alloc_of(&res, 3)->nodes[0].node, 0);
	sched_result_free(&res);
	memset(&res, 0, sizeof(res));
	/* Nothing on-premise could ever take it: not a cloud node either. */
	j[0] = job(4, 4);
	j[0].no_cloud = true;
	j[0].mem_per_node_mb = 9000;
	c.nodes[2].mem_mb = 9000;
	assert_int_equal(pass(s, j, 1, &c, &res), 0);
	assert_string_equal(j[0].reason, "BadConstraints");
	j[0].no_cloud = false;
	assert_int_equal(pass(s, j, 1, &c, &res), 1);
	assert_int_equal(res.allocs[0].nodes[0].node, 2);
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

/* Pools' Accounts= (pool_deny): c1 is pool 1 ("phys"), c2 pool 2
 * ("bio"), both idle, and only they have 9000 MB. A job denied phys takes
 * c2, one denied bio takes c1, one denied both waits naming the first
 * pool that could have run it (not Resources: waiting does not cure it),
 * and a small one denied both takes the on-premise node. Once c2 is
 * busy, a job denied phys waits for it (Resources); with the pools' nodes
 * not started, a job denied both still names phys, unless an on-premise
 * node that is down could take it (ReqNodeNotAvail). */
static void
test_pool_deny(void **state)
{
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[4] = { job(1, 4), job(2, 4), job(3, 4),
				  job(4, 2) };

	(void)state;
	cluster_add(&c, "n1", 4, 8000, 0, "", NULL);
	cluster_add(&c, "c1", 4, 9000, 0, "", NULL);
	cluster_add(&c, "c2", 4, 9000, 0, "", NULL);
	c.nodes[1].cloud = c.nodes[2].cloud = true;
	c.nodes[1].pool = 1;
	c.nodes[1].pool_name = "phys";
	c.nodes[2].pool = 2;
	c.nodes[2].pool_name = "bio";
	for (size_t k = 0; k < 3; k++)
		j[k].mem_per_node_mb = 9000;
	j[0].pool_deny = 1;
	j[1].pool_deny = 3;
	j[2].pool_deny = 2;
	j[3].pool_deny = 3;
	assert_int_equal(pass(s, j, 4, &c, &res), 3);
	assert_int_equal(alloc_of(&res, 1)->nodes[0].node, 2);
	assert_null(alloc_of(&res, 2));
	assert_string_equal(j[1].reason, "CloudPoolAccounts:phys");
	assert_int_equal(alloc_of(&res, 3)->nodes[0].node, 1);
	assert_int_equal(alloc_of(&res, 4)->nodes[0].node, 0);
	sched_result_free(&res);
	memset(&res, 0, sizeof(res));
	j[0] = job(5, 4);
	j[0].mem_per_node_mb = 9000;
	j[0].pool_deny = 1;
	assert_int_equal(pass(s, j, 1, &c, &res), 0);
	assert_string_equal(j[0].reason, "Resources");
	/* The pools' nodes not started: still the pool, not Resources. */
	c.nodes[1].usable = c.nodes[2].usable = false;
	j[0].pool_deny = 3;
	assert_int_equal(pass(s, j, 1, &c, &res), 0);
	assert_string_equal(j[0].reason, "CloudPoolAccounts:phys");
	/* ... and an on-premise node down that could take it: that. */
	c.nodes[0].mem_mb = 9000;
	c.nodes[0].usable = false;
	assert_int_equal(pass(s, j, 1, &c, &res), 0);
	assert_string_equal(j[0].reason, "ReqNodeNotAvail");
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

static void
test_gpus_typed(void **state)
{
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[8];
	const struct sched_alloc *a;
	bool seen[4] = { false };

	cluster_add(&c, "n1", 64, 64000, 0, "", NULL);
	cluster_add(&c, "n3", 64, 64000, 4, "a100", NULL);
	cluster_add(&c, "n4", 64, 64000, 8, "h100", NULL);
	c.nodes[2].gpus[0].used = true;	/* held by a running job */
	for (int i = 0; i < 8; i++) {
		j[i] = job(i + 1, 1);
		j[i].gpus_per_node = 1;
	}
	snprintf(j[0].gpu_type, sizeof(j[0].gpu_type), "h100");
	j[0].gpus_per_node = 2;
	snprintf(j[7].gpu_type, sizeof(j[7].gpu_type), "h100");
	j[7].gpus_per_node = 8;	/* fits n4 only when idle */
	assert_int_equal(pass(s, j, 8, &c, &res), 7);
	a = alloc_of(&res, 1);
	assert_int_equal(a->nodes[0].node, 2);
	assert_int_equal(a->nodes[0].ngpus, 2);
	assert_int_equal(a->nodes[0].gpu_ids[0], 1);	/* 0 was in use */
	assert_int_equal(a->nodes[0].gpu_ids[1], 2);
	/* jobs 2..5: any type, first fit: n3's four GPUs, never shared */
	for (uint32_t id = 2; id <= 5; id++) {
		a = alloc_of(&res, id);
		assert_non_null(a);
		assert_int_equal(a->nodes[0].node, 1);
		assert_int_equal(a->nodes[0].ngpus, 1);
		assert_false(seen[a->nodes[0].gpu_ids[0]]);
		seen[a->nodes[0].gpu_ids[0]] = true;
	}
	a = alloc_of(&res, 6);	/* n3 full: n4 */
	assert_int_equal(a->nodes[0].node, 2);
	assert_int_equal(a->nodes[0].gpu_ids[0], 3);
	assert_int_equal(alloc_of(&res, 7)->nodes[0].gpu_ids[0], 4);
	assert_null(alloc_of(&res, 8));	/* all 8 h100 only when idle */
	assert_string_equal(j[7].reason, "Resources");
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

static void
test_gpu_type_never(void **state)
{
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[2] = { job(1, 1), job(2, 1) };

	cluster_add(&c, "n3", 64, 64000, 4, "a100", NULL);
	snprintf(j[0].gpu_type, sizeof(j[0].gpu_type), "mi300");
	j[0].gpus_per_node = 1;
	assert_int_equal(pass(s, j, 2, &c, &res), 1);
	assert_string_equal(j[0].reason, "BadConstraints");
	assert_non_null(alloc_of(&res, 2));	/* not blocked by it */
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

struct feat_case {
	const char *expr;
	int want;	/* 1, 0, or -1 (syntax error) */
};

static void
test_features_match(void **state)
{
	static const char *const f[] = { "gpu", "ib", "fast", NULL };
	static const struct feat_case cases[] = {
		{ "gpu", 1 }, { "arm", 0 }, { "gpu&ib", 1 },
		{ "gpu&arm", 0 }, { "arm|ib", 1 }, { "arm|x86", 0 },
		{ "arm&x86|fast", 1 },	/* & binds tighter */
		{ "fast|arm&x86", 1 }, { "gpu&(arm|fast)", 1 },
		{ "(gpu|arm)&x86", 0 }, { " gpu & ib ", 1 },
		{ "((gpu))", 1 },
		{ "gpu&", -1 }, { "&gpu", -1 }, { "gpu||ib", -1 },
		{ "(gpu", -1 }, { "gpu)", -1 }, { "gpu ib", -1 },
		{ "gpu!", -1 }, { "()", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hc_err err = { 0 };
		int r = sched_features_match(cases[i].expr, f, &err);

		if (r != cases[i].want)
			fail_msg("'%s': got %d, want %d (%s)", cases[i].expr,
				 r, cases[i].want, err.text);
		if (r < 0 && !strstr(err.text, cases[i].expr))
			fail_msg("'%s': error does not quote it: %s",
				 cases[i].expr, err.text);
	}
	assert_int_equal(sched_features_match(NULL, f, NULL), 1);
}

static void
test_features_place(void **state)
{
	static const char *const f1[] = { "ib", NULL };
	static const char *const f2[] = { "ib", "fast", NULL };
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[4] = { job(1, 1), job(2, 1), job(3, 1), job(4, 1) };

	cluster_add(&c, "n1", 8, 8000, 0, "", f1);
	cluster_add(&c, "n2", 8, 8000, 0, "", f2);
	j[0].constraint = "ib&fast";
	j[1].constraint = "arm|ib";
	j[2].constraint = "arm";
	j[3].constraint = "ib&";
	assert_int_equal(pass(s, j, 4, &c, &res), 2);
	assert_int_equal(alloc_of(&res, 1)->nodes[0].node, 1);
	assert_int_equal(alloc_of(&res, 2)->nodes[0].node, 0);
	assert_string_equal(j[2].reason, "BadConstraints");
	assert_string_equal(j[3].reason, "BadConstraints");
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

static void
test_exclusive(void **state)
{
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[3] = { job(1, 1), job(2, 2), job(3, 1) };
	const struct sched_alloc *a;

	cluster_add(&c, "n1", 8, 8000, 2, "a100", NULL);
	cluster_add(&c, "n2", 8, 8000, 0, "", NULL);
	cluster_add(&c, "n3", 8, 8000, 0, "", NULL);
	c.cpu_used[0][5] = 1;		/* n1 runs something */
	c.nodes[0].running_jobs = 1;
	c.nodes[0].mem_used_mb = 100;
	j[0].exclusive = true;		/* cannot share n1: n2 */
	assert_int_equal(pass(s, j, 3, &c, &res), 3);
	a = alloc_of(&res, 1);
	assert_int_equal(a->nodes[0].node, 1);
	assert_int_equal(a->nodes[0].ncpus, 8);
	assert_int_equal(a->nodes[0].mem_mb, 8000);
	assert_true(c.nodes[1].exclusive_used);
	/* the others go to n1 (shared) then n1 again, never n2 */
	assert_int_equal(alloc_of(&res, 2)->nodes[0].node, 0);
	assert_int_equal(alloc_of(&res, 3)->nodes[0].node, 0);
	sched_result_free(&res);

	/* an exclusive job on a cluster with no empty node: Resources */
	{
		struct sched_job k[2] = { job(4, 1), job(5, 1) };
		k[0].exclusive = true;
		k[1].queue = 1;		/* another queue: not blocked */
		c.nodes[2].queue_mask = 3;
		c.nodes[2].running_jobs = 1;
		c.cpu_used[2][0] = 1;
		assert_int_equal(pass(s, k, 2, &c, &res), 1);
		assert_string_equal(k[0].reason, "Resources");
		assert_int_equal(res.allocs[0].job, 5);
		assert_int_equal(res.allocs[0].nodes[0].node, 2);
	}
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

static void
test_held_begin(void **state)
{
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[3] = { job(1, 1), job(2, 1), job(3, 1) };

	cluster_add(&c, "n1", 8, 8000, 0, "", NULL);
	j[0].held = true;
	j[1].begin_time = NOW + 60;
	j[2].begin_time = NOW;
	assert_int_equal(pass(s, j, 3, &c, &res), 1);
	assert_string_equal(j[0].reason, "Held");
	assert_string_equal(j[1].reason, "BeginTime");
	assert_int_equal(res.allocs[0].job, 3);
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

static void
test_priority_blocks(void **state)
{
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[4] = { job(1, 4), job(2, 1), job(3, 1),
				  job(4, 99) };

	cluster_add(&c, "n1", 4, 8000, 0, "", NULL);
	cluster_add(&c, "n2", 4, 8000, 0, "", NULL);
	c.nodes[1].queue_mask = 2;	/* queue 1 only */
	c.cpu_used[0][0] = 1;		/* n1 cannot take 4 CPUs now */
	j[2].queue = 1;
	j[3].submit_time = NOW - 1000;	/* first, but never fits */
	assert_int_equal(pass(s, j, 4, &c, &res), 1);
	assert_string_equal(j[3].reason, "BadConstraints");
	assert_string_equal(j[0].reason, "Resources");
	assert_string_equal(j[1].reason, "Priority");	/* would fit */
	assert_string_equal(j[2].reason, "");	/* other queue */
	assert_int_equal(res.allocs[0].job, 3);
	assert_int_equal(c.cpu_used[0][1], 0);
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

static void
test_multi_node(void **state)
{
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[3] = { job(1, 4), job(2, 6), job(3, 1) };
	const struct sched_alloc *a;

	for (int i = 0; i < 4; i++)
		cluster_add(&c, (const char *[]){ "n1", "n2", "n3", "n4" }[i],
			    8, 8000, 0, "", NULL);
	j[0].nodes_min = 2;		/* 4 tasks over 2 nodes: 2 each */
	j[1].nodes_min = 2;
	j[1].ntasks_per_node = 3;	/* 3 x 2 CPUs per node */
	j[1].cpus_per_task = 2;
	j[2].nodes_min = 5;		/* more nodes than the queue has */
	assert_int_equal(pass(s, j, 3, &c, &res), 2);
	a = alloc_of(&res, 1);
	assert_int_equal(a->nnodes, 2);
	assert_int_equal(a->nodes[0].node, 0);
	assert_int_equal(a->nodes[1].node, 1);
	assert_int_equal(a->nodes[0].ncpus, 2);
	a = alloc_of(&res, 2);	/* n1, n2 have 6 left: they fit */
	assert_int_equal(a->nodes[0].node, 0);
	assert_int_equal(a->nodes[1].node, 1);
	assert_int_equal(a->nodes[1].ncpus, 6);
	assert_int_equal(a->nodes[1].cpu_ids[0], 2);
	assert_string_equal(j[2].reason, "BadConstraints");
	sched_result_free(&res);

	/* down nodes that would fit: ReqNodeNotAvail, not Resources */
	for (int i = 0; i < 4; i++)
		c.nodes[i].usable = i < 3;
	j[2] = job(3, 4);
	j[2].nodes_min = 4;
	assert_int_equal(pass(s, &j[2], 1, &c, &res), 0);
	assert_string_equal(j[2].reason, "ReqNodeNotAvail");
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

static void
test_max_jobs_per_pass(void **state)
{
	struct hc_err err = { 0 };
	struct sched_options o = { .plugin_dir = PLUGIN_DIR,
				   .max_jobs_per_pass = 2 };
	struct sched *s = sched_create(&o, &err);
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[3] = { job(1, 1), job(2, 1), job(3, 1) };

	assert_non_null(s);
	cluster_add(&c, "n1", 8, 8000, 0, "", NULL);
	assert_int_equal(pass(s, j, 3, &c, &res), 2);
	assert_string_equal(j[2].reason, "Priority");
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

static void
expect_create_error(const char *const *plugins, const char *const *params,
		    const char *want)
{
	struct hc_err err = { 0 };
	struct sched *s = sched_with(plugins, params, &err);

	if (s) {
		sched_destroy(s);
		fail_msg("sched_create succeeded, want '%s'", want);
	}
	if (!strstr(err.text, want))
		fail_msg("error '%s' lacks '%s'", err.text, want);
}

static void
test_plugin_errors(void **state)
{
	expect_create_error((const char *[]){ "fairshar", NULL }, NULL,
			    "SchedulerPlugins: no plugin 'fairshar' in "
			    PLUGIN_DIR "; available: affinity, basic, "
			    "energy, pack, spread, testabi, testfilter");
	expect_create_error((const char *[]){ "testabi", NULL }, NULL,
			    "testabi: built for scheduling ABI 1.0, this hc "
			    "speaks 0.2");
	expect_create_error((const char *[]){ "../basic", NULL }, NULL,
			    "no plugin '../basic'");
	expect_create_error((const char *[]){ "basic", "basic", NULL }, NULL,
			    "'basic' is listed twice");
	expect_create_error(NULL, (const char *[]){ "basic.Nope=1", NULL },
			    "basic: no parameter 'Nope'");
	expect_create_error(NULL, (const char *[]){ "basic.AgeWeight=-1",
						    NULL },
			    "basic.AgeWeight=-1: out of range");
	expect_create_error(NULL, (const char *[]){ "basic.AgeMax=x", NULL },
			    "basic.AgeMax=x: not a valid integer");
	expect_create_error(NULL, (const char *[]){ "fairshare.X=1", NULL },
			    "'fairshare.X=1' names no loaded plugin");
	expect_create_error((const char *[]){ "basic", "testfilter", NULL },
			    (const char *[]){ "testfilter.Limit=500", NULL },
			    "testfilter.Limit=500: out of range [0, 100]");
	expect_create_error((const char *[]){ "testfilter", NULL },
			    (const char *[]){ "testfilter.Reverse=maybe",
					      NULL },
			    "not a valid boolean");
}

static void
test_plugin_filter_score(void **state)
{
	static const char *const plugins[] = { "basic", "testfilter", NULL };
	static const char *const params[] = {
		"testfilter.Exclude=n1,n2", "basic.AgeWeight=10", NULL };
	static const char *const params_rev[] = {
		"testfilter.Reverse=yes", NULL };
	struct hc_err err = { 0 };
	struct sched *s = sched_with(plugins, params, &err);
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job j[2] = { job(1, 1), job(2, 1) };

	if (!s)
		fail_msg("%s", err.text);
	assert_string_equal(sched_plugin_names(s), "basic,testfilter");
	cluster_add(&c, "n1", 8, 8000, 0, "", NULL);
	cluster_add(&c, "n2", 8, 8000, 0, "", NULL);
	cluster_add(&c, "n3", 8, 8000, 0, "", NULL);
	c.nodes[2].queue_mask = 2;
	j[1].queue = 1;
	assert_int_equal(pass(s, j, 2, &c, &res), 1);
	assert_string_equal(j[0].reason, "TestFilterExcluded");
	assert_int_equal(res.allocs[0].nodes[0].node, 2);
	sched_result_free(&res);
	sched_destroy(s);

	/* score: Reverse prefers the highest index */
	s = sched_with(plugins, params_rev, &err);
	assert_non_null(s);
	j[0] = job(1, 1);
	c.nodes[2].queue_mask = 1;
	assert_int_equal(pass(s, j, 1, &c, &res), 1);
	assert_int_equal(res.allocs[0].nodes[0].node, 2);
	sched_result_free(&res);
	cluster_free(&c);
	sched_destroy(s);
}

/* 50,000 pending jobs over 2,000 nodes: the pass must stay well under a
 * second (this asserts a generous bound; the figure is printed). */
static void
test_scale(void **state)
{
	enum { NNODES = 2000, NJOBS = 50000 };
	struct sched *s = sched_basic();
	struct cluster c = { 0 };
	struct sched_result res = { 0 };
	struct sched_job *j = calloc(NJOBS, sizeof(*j));
	struct timespec t0, t1;
	double secs;

	for (int i = 0; i < NNODES; i++)
		cluster_add(&c, "n", 64, 256000, i % 10 == 0 ? 8 : 0, "h100",
			    NULL);
	for (int i = 0; i < NJOBS; i++) {
		j[i] = job(i + 1, 1 + i % 8);
		j[i].gpus_per_node = i % 50 == 0 ? 1 : 0;
		if (i % 97 == 0)
			j[i].gpus_per_node = 16;	/* never fits */
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pass(s, j, NJOBS, &c, &res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("# pass: %d jobs x %d nodes: %zu started in %.3f s\n",
		      NJOBS, NNODES, res.count, secs);
	assert_true(res.count > 20000);
	assert_true(secs < 3.0);
	sched_result_free(&res);

	/* Again on the now full cluster, jobs spread over 8 queues and a
	 * few hundred shapes that can never fit. */
	for (int i = 0; i < NNODES; i++)
		c.nodes[i].queue_mask = 0xff;
	for (int i = 0; i < NJOBS; i++) {
		j[i].queue = (uint32_t)(i % 8);
		if (i % 7 == 0)
			j[i].ntasks = 65 + i % 300;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pass(s, j, NJOBS, &c, &res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("# pass on a full cluster, 8 queues: %zu started in "
		      "%.3f s\n", res.count, secs);
	assert_true(secs < 3.0);
	sched_result_free(&res);
	cluster_free(&c);
	free(j);
	sched_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_cloud),
		cmocka_unit_test(test_pool_deny),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_first_fit_cpus_mem),
		cmocka_unit_test(test_gpus_typed),
		cmocka_unit_test(test_gpu_type_never),
		cmocka_unit_test(test_features_match),
		cmocka_unit_test(test_features_place),
		cmocka_unit_test(test_exclusive),
		cmocka_unit_test(test_held_begin),
		cmocka_unit_test(test_priority_blocks),
		cmocka_unit_test(test_multi_node),
		cmocka_unit_test(test_max_jobs_per_pass),
		cmocka_unit_test(test_plugin_errors),
		cmocka_unit_test(test_plugin_filter_score),
		cmocka_unit_test(test_scale),
	};

	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
