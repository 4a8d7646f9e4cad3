/*
 * test_select: the node selection policies (select.h) on hand-built node
 * views, each policy's ranking, and the policy plugins through a real
 * pass (dlopen'ed from the build tree): the same jobs land differently
 * under pack and spread, and affinity gives a training job the big GPUs
 * and an inference job the small ones.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sched.h"
#include "select.h"

#define PLUGIN_DIR TOP_BUILDDIR "/plugins/sched/.libs"
#define NOW 1700000000

static struct hc_gpu_view gv[8];
static struct hc_accel_view av[4][8];

/* A node view: cpus total/free, GPUs of one type (used ones first). */
static struct hc_node_view
nv(uint32_t idx, uint32_t cpus, uint32_t cfree, uint32_t ngpu,
   uint32_t gused, const char *gtype)
{
	for (uint32_t g = 0; g < ngpu; g++) {
		snprintf(gv[g].type, sizeof(gv[g].type), "%s", gtype);
		gv[g].used = g < gused;
		sched_accel_caps(gtype, 0, &av[idx][g]);
	}
	return (struct hc_node_view){
		.index = idx, .cpus = cpus, .cpus_free = cfree,
		.mem_mb = 1000, .mem_free_mb = 1000 * cfree / cpus,
		.gpu_count = ngpu, .gpus_free = ngpu - gused, .gpus = gv,
		.accels = av[idx], .running_jobs = cfree < cpus,
	};
}

static struct hc_job_view
jv(uint32_t cpus, uint32_t gpus, uint32_t workload)
{
	return (struct hc_job_view){
		.cpus_per_node = cpus, .mem_on_node_mb = 10,
		.gpus_per_node = gpus, .workload = workload,
	};
}

static void
test_pack_spread(void **state)
{
	struct hc_job_view j = jv(4, 0, 0);
	struct hc_node_view busy = nv(0, 16, 6, 0, 0, "");
	struct hc_node_view empty = nv(1, 16, 16, 0, 0, "");

	(void)state;
	/* pack: the fuller node leaves less free: it wins. */
	assert_true(sched_select_pack(&j, &busy) >
		    sched_select_pack(&j, &empty));
	/* spread: the emptier node wins. */
	assert_true(sched_select_spread(&j, &empty) >
		    sched_select_spread(&j, &busy));
	/* A node it fills exactly is pack's best possible (1). */
	busy = nv(0, 16, 4, 0, 0, "");
	busy.mem_free_mb = 10;
	assert_true(sched_select_pack(&j, &busy) > 0.99);
	/* Both stay in [0, 1]. */
	assert_true(sched_select_spread(&j, &busy) >= 0);
}

static void
test_energy(void **state)
{
	struct hc_job_view j = jv(2, 0, 0);
	struct hc_node_view busy = nv(0, 16, 8, 0, 0, "");
	struct hc_node_view idle = nv(1, 16, 16, 0, 0, "");
	struct hc_node_view asleep = nv(2, 16, 16, 0, 0, "");
	struct hc_node_view waking = nv(3, 16, 16, 0, 0, "");

	(void)state;
	asleep.flags = HC_SCHED_NODE_POWERED_DOWN;
	waking.flags = HC_SCHED_NODE_POWERING_UP;
	assert_true(sched_select_energy(&j, &busy, 0.5) >
		    sched_select_energy(&j, &idle, 0.5));
	assert_true(sched_select_energy(&j, &idle, 0.5) >
		    sched_select_energy(&j, &waking, 0.5));
	assert_true(sched_select_energy(&j, &waking, 0.5) >
		    sched_select_energy(&j, &asleep, 0.5));
	/* Even a nearly full busy node beats an idle one. */
	busy = nv(0, 16, 2, 0, 0, "");
	assert_true(sched_select_energy(&j, &busy, 1) >
		    sched_select_energy(&j, &idle, 1));
}

static void
test_affinity(void **state)
{
	struct hc_node_view h100 = nv(0, 32, 32, 4, 0, "h100");
	struct hc_node_view l4;
	struct hc_node_view a100;
	struct hc_node_view cpu = nv(3, 16, 16, 0, 0, "");
	struct hc_job_view train = jv(4, 1, SCHED_WORKLOAD_TRAINING);
	struct hc_job_view infer = jv(4, 1, SCHED_WORKLOAD_INFERENCE);
	struct hc_job_view hpc = jv(4, 1, SCHED_WORKLOAD_HPC);
	struct hc_job_view plain = jv(4, 0, SCHED_WORKLOAD_NONE);
	double t_h, t_l, i_h, i_l, h_h, h_a;

	(void)state;
	/* nv() reuses one GPU array: score each view before the next. */
	t_h = sched_select_affinity(&train, &h100);
	i_h = sched_select_affinity(&infer, &h100);
	h_h = sched_select_affinity(&hpc, &h100);
	l4 = nv(1, 32, 32, 4, 0, "l4");
	t_l = sched_select_affinity(&train, &l4);
	i_l = sched_select_affinity(&infer, &l4);
	a100 = nv(2, 32, 32, 4, 0, "a100");
	h_a = sched_select_affinity(&hpc, &a100);
	assert_true(t_h > t_l);		/* training: the big GPUs */
	assert_true(i_l > i_h);		/* inference: the small ones */
	assert_true(h_h > h_a);		/* hpc: FP64 (H100 over A100) */
	/* A CPU job keeps off accelerator nodes. */
	assert_true(sched_select_affinity(&plain, &cpu) >
		    sched_select_affinity(&plain, &h100));
}

static void
test_caps_and_names(void **state)
{
	struct hc_accel_view a;
	int w = -1;
	struct hc_err err = { 0 };

	(void)state;
	assert_int_equal(sched_accel_caps("H100", 0, &a), 0);
	assert_true(a.bf16_tflops > 900 && a.memory_mb == 80 * 1024);
	assert_int_equal(sched_accel_caps("l40s", 0, &a), 0);
	assert_true(a.memory_mb == 48 * 1024);	/* not taken for an l4 */
	assert_int_equal(sched_accel_caps("l4", 24000, &a), 0);
	assert_true(a.memory_mb == 24000);	/* inventory wins */
	assert_int_equal(sched_accel_caps("warp9", 100, &a), -1);
	assert_true(a.bf16_tflops == 0 && a.memory_mb == 100);
	assert_int_equal(sched_workload_parse("Training", &w, &err), 0);
	assert_int_equal(w, SCHED_WORKLOAD_TRAINING);
	assert_string_equal(sched_workload_name(w), "training");
	assert_int_equal(sched_workload_parse("", &w, &err), 0);
	assert_int_equal(w, SCHED_WORKLOAD_NONE);
	assert_int_equal(sched_workload_parse("gaming", &w, &err), -1);
	assert_non_null(strstr(err.text, "training, inference or hpc"));
}

/* ---- through a pass with the plugins ---------------------------------- */

struct cluster {
	struct sched_node nodes[3];
	uint8_t cpu_used[3][32];
};

/* n1: 8 CPUs, n2: 16 CPUs, n3: 16 CPUs + 4 GPUs of gtype. */
static void
cluster_init(struct cluster *c, const char *g3type, const char *g2type)
{
	static const char *const names[] = { "n1", "n2", "n3" };
	static const char *const nofeat[] = { NULL };
	const uint32_t cpus[] = { 8, 16, 16 };

	memset(c, 0, sizeof(*c));
	for (uint32_t i = 0; i < 3; i++) {
		struct sched_node *n = &c->nodes[i];

		n->name = names[i];
		n->index = i;
		n->usable = true;
		n->cpus = cpus[i];
		n->cpu_used = c->cpu_used[i];
		n->mem_mb = 16000;
		n->features = nofeat;
		n->queue_mask = 1;
	}
	for (uint32_t k = 1; k < 3; k++) {
		const char *t = k == 2 ? g3type : g2type;

		if (!t)
			continue;
		c->nodes[k].gpu_count = 4;
		for (uint32_t g = 0; g < 4; g++) {
			snprintf(c->nodes[k].gpus[g].type,
				 sizeof(c->nodes[k].gpus[g].type), "%s", t);
			sched_accel_caps(t, 0, &c->nodes[k].gpus[g].caps);
		}
	}
}

static struct sched *
sched_with(const char *policy)
{
	const char *const plugins[] = { "basic", policy, NULL };
	struct sched_options o = { .plugin_dir = PLUGIN_DIR,
				   .plugins = plugins };
	struct hc_err err = { 0 };
	struct sched *s = sched_create(&o, &err);

	if (!s)
		fail_msg("sched_create: %s", err.text);
	return s;
}

static struct sched_job
job(uint32_t id, uint32_t cpus, uint32_t gpus, const char *policy)
{
	struct sched_job j;

	memset(&j, 0, sizeof(j));
	j.id = id;
	j.uid = 1000;
	j.submit_time = NOW - 100 + id;
	j.nodes_min = 1;
	j.ntasks = cpus;
	j.cpus_per_task = 1;
	j.mem_per_node_mb = 100;
	j.gpus_per_node = gpus;
	j.node_select = policy;
	return j;
}

static uint32_t
node_of(const struct sched_result *res, uint32_t id)
{
	for (size_t i = 0; i < res->count; i++)
		if (res->allocs[i].job == id)
			return res->allocs[i].nodes[0].node;
	return UINT32_MAX;
}

/* Two 4-CPU jobs on n1 (8) and n2 (16): pack fills n1, spread uses both,
 * emptiest first. */
static void
test_pass_pack_vs_spread(void **state)
{
	const char *const pol[] = { "pack", "spread" };
	uint32_t got[2][2];

	(void)state;
	for (int p = 0; p < 2; p++) {
		struct sched *s = sched_with(pol[p]);
		struct cluster c;
		struct sched_result res = { 0 };
		struct sched_job jobs[] = { job(1, 4, 0, pol[p]),
					    job(2, 4, 0, pol[p]) };
		struct hc_err err = { 0 };

		cluster_init(&c, NULL, NULL);
		c.nodes[2].queue_mask = 0;	/* n1, n2 only */
		assert_int_equal(sched_pass(s, jobs, 2, c.nodes, 3, NOW, &res,
					    &err), 0);
		got[p][0] = node_of(&res, 1);
		got[p][1] = node_of(&res, 2);
		sched_result_free(&res);
		sched_destroy(s);
	}
	assert_int_equal(got[0][0], 0);	/* pack: n1, then n1 again */
	assert_int_equal(got[0][1], 0);
	assert_int_equal(got[1][0], 1);	/* spread: n2 (16 free) first */
	assert_int_equal(got[1][1], 0);	/* then n1, now the emptier */
}

static void
test_pass_affinity(void **state)
{
	struct sched *s = sched_with("affinity");
	struct cluster c;
	struct sched_result res = { 0 };
	struct sched_job jobs[] = {
		job(1, 2, 1, "affinity"), job(2, 2, 1, "affinity"),
		job(3, 2, 0, "affinity"), job(4, 2, 1, NULL),
	};
	struct hc_err err = { 0 };

	(void)state;
	jobs[0].workload = SCHED_WORKLOAD_TRAINING;
	jobs[1].workload = SCHED_WORKLOAD_INFERENCE;
	cluster_init(&c, "h100", "l4");
	assert_int_equal(sched_pass(s, jobs, 4, c.nodes, 3, NOW, &res, &err),
			 0);
	assert_int_equal(node_of(&res, 1), 2);	/* training: the H100s */
	assert_int_equal(node_of(&res, 2), 1);	/* inference: the L4s */
	assert_int_equal(node_of(&res, 3), 0);	/* CPU job: no GPUs */
	/* A queue without NodeSelect=AFFINITY: plain first fit (n2). */
	assert_int_equal(node_of(&res, 4), 1);
	sched_result_free(&res);
	sched_destroy(s);
}

/* Declared parameters: checked by the host against their ranges. */
static void
test_params(void **state)
{
	const char *const plugins[] = { "energy", "pack", NULL };
	const char *const good[] = { "energy.IdleAwakeScore=0.9",
				     "pack.Weight=3", NULL };
	const char *const bad[] = { "energy.IdleAwakeScore=2", NULL };
	struct sched_options o = { .plugin_dir = PLUGIN_DIR,
				   .plugins = plugins, .params = good };
	struct hc_err err = { 0 };
	struct sched *s = sched_create(&o, &err);

	(void)state;
	if (!s)
		fail_msg("sched_create: %s", err.text);
	sched_destroy(s);
	o.params = bad;
	assert_null(sched_create(&o, &err));
	assert_non_null(strstr(err.text, "IdleAwakeScore"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack_spread),
		cmocka_unit_test(test_energy),
		cmocka_unit_test(test_affinity),
		cmocka_unit_test(test_caps_and_names),
		cmocka_unit_test(test_pass_pack_vs_spread),
		cmocka_unit_test(test_pass_affinity),
		cmocka_unit_test(test_params),
	};

	return cmocka_run_group_tests_name("select", tests, NULL, NULL);
}
