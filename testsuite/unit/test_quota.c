/*
 * test_quota: resource lists as limits are written (libhc's res_list, with
 * mem sizes) and the tree-quota admit stage of libhcsched: limits at every
 * ancestor, the in-pass charge that keeps two jobs of one pass from both
 * taking the last of a quota, running jobs charged by the host, budgets,
 * QOS limits, and the pending reasons that name them.
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

#include "parse.h"
#include "sched.h"
#include "sched_account.h"

#define PLUGIN_DIR TOP_BUILDDIR "/plugins/sched/.libs"
#define NOW 1700000000
#define NNODES 2

/* ---- resource lists: good and bad inputs side by side ---- */

static const struct {
	const char *in;
	size_t n;		/* items; 0 with err: refused */
	const char *name, *type;	/* of the last item */
	uint64_t count;
	const char *err;
} lists[] = {
	{ "cpu:512,gpu:16", 2, "gpu", "", 16, NULL },
	{ "gpu:h100:4", 1, "gpu", "h100", 4, NULL },
	{ "mem:64G", 1, "mem", "", 65536, NULL },
	{ "mem:512M", 1, "mem", "", 512, NULL },
	{ "mem:4096", 1, "mem", "", 4096, NULL },
	{ "cpu:2,mem:1T", 2, "mem", "", 1048576, NULL },
	{ "fpga:xilinx:2", 1, "fpga", "xilinx", 2, NULL },
	{ "gpu:60000", 1, "gpu", "", 60000, NULL },
	{ "gpu:4x", 0, NULL, NULL, 0, "'4x' is not a count" },
	{ "gpu:-1", 0, NULL, NULL, 0, "is not a count" },
	{ "mem:12Q", 0, NULL, NULL, 0, "mem:12Q" },
	{ "gpu:1,,cpu:2", 0, NULL, NULL, 0, "empty item" },
	{ ",gpu:1", 0, NULL, NULL, 0, "empty item" },
	{ "gpu:1,gpu:2", 0, NULL, NULL, 0, "listed twice" },
	{ "a:b:c:d", 0, NULL, NULL, 0, "too many ':'" },
	{ "gpu:", 0, NULL, NULL, 0, "not a count" },
	{ "g pu:1", 0, NULL, NULL, 0, "invalid character" },
};

static void
test_reslist(void **state)
{
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct res_list rl = { 0 };
		struct hc_err err = { 0 };
		int rc = res_list_parse(lists[i].in, &rl, &err);

		if (!lists[i].n) {
			if (rc == 0)
				fail_msg("'%s' was accepted", lists[i].in);
			if (!strstr(err.text, lists[i].err))
				fail_msg("'%s': error '%s' lacks '%s'",
					 lists[i].in, err.text, lists[i].err);
			continue;
		}
		if (rc < 0)
			fail_msg("'%s': %s", lists[i].in, err.text);
		assert_int_equal(rl.count, lists[i].n);
		assert_string_equal(rl.items[rl.count - 1].name,
				     lists[i].name);
		assert_string_equal(rl.items[rl.count - 1].type,
				     lists[i].type);
		assert_int_equal(rl.items[rl.count - 1].count, lists[i].count);
		res_list_free(&rl);
	}
}

/* ---- the admit stage ---- */

/* Two nodes of 64 CPUs, 256 GiB and 8 H100s: room for everything the
 * tests submit, so that only quotas hold jobs back. */
struct world {
	struct sched *s;
	struct sched_node nodes[NNODES];
	uint8_t cpu_used[NNODES][64];
	struct sched_acct accts[8];
	struct sched_qos qos[2];
	struct sched_acct_view view;
	struct res_list lists[8];
	size_t nlists;
};

static const struct res_list *
limit(struct world *w, const char *s)
{
	struct res_list *rl = &w->lists[w->nlists++];
	struct hc_err err = { 0 };

	if (res_list_parse(s, rl, &err) < 0)
		fail_msg("%s: %s", s, err.text);
	return rl;
}

/* root(0) -> science(1) -> physics(2) -> alice(3, uid 1000); root ->
 * chem(4); QOS normal(0), small(1). */
static void
world_init(struct world *w)
{
	struct hc_err err = { 0 };
	struct sched_options o = { .plugin_dir = PLUGIN_DIR };
	static const char *const names[] = { "root", "science", "physics",
					     "alice", "chem" };
	static const int32_t parents[] = { -1, 0, 1, 2, 0 };

	memset(w, 0, sizeof(*w));
	if (!(w->s = sched_create(&o, &err)))
		fail_msg("sched_create: %s", err.text);
	for (uint32_t i = 0; i < NNODES; i++) {
		struct sched_node *n = &w->nodes[i];

		n->name = i ? "n2" : "n1";
		n->index = i;
		n->usable = true;
		n->cpus = 64;
		n->cpu_used = w->cpu_used[i];
		n->mem_mb = 256 * 1024;
		n->gpu_count = 8;
		for (int g = 0; g < 8; g++)
			snprintf(n->gpus[g].type, sizeof(n->gpus[g].type),
				 "h100");
		n->queue_mask = 1;
	}
	for (size_t i = 0; i < 5; i++) {
		w->accts[i].name = names[i];
		w->accts[i].parent = parents[i];
		w->accts[i].shares = 1;
		w->accts[i].default_qos = SCHED_NONE;
	}
	w->accts[3].is_user = true;
	w->accts[3].uid = 1000;
	w->qos[0].name = "normal";
	w->qos[1].name = "small";
	w->view = (struct sched_acct_view){ w->accts, 5, w->qos, 2, NULL };
	sched_set_accounts(w->s, &w->view);
}

static void
world_free(struct world *w)
{
	sched_acct_view_free(&w->view);
	sched_destroy(w->s);
	for (size_t i = 0; i < w->nlists; i++)
		res_list_free(&w->lists[i]);
}

static struct sched_job
job(uint32_t id, uint32_t assoc, uint32_t cpus, uint32_t gpus)
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
	j.time_limit = 60;
	j.assoc = assoc;
	j.qos = 0;
	return j;
}

/* One pass; returns how many started. */
static size_t
pass(struct world *w, struct sched_job *j, size_t n)
{
	struct sched_result res = { 0 };
	struct hc_err err = { 0 };
	size_t started;

	assert_int_equal(sched_pass(w->s, j, n, w->nodes, NNODES, NOW, &res,
				    &err), 0);
	started = res.count;
	sched_result_free(&res);
	return started;
}

static void
test_grp_res_ancestor(void **state)
{
	struct world w;
	struct sched_job j[3];

	world_init(&w);
	w.accts[1].grp_res = *limit(&w, "gpu:4");
	j[0] = job(1, 3, 1, 4);	/* alice, under physics under science */
	j[1] = job(2, 3, 1, 4);	/* same pass: must not also take 4 */
	j[2] = job(3, 4, 1, 4);	/* chem: science's quota is not its */
	assert_int_equal(pass(&w, j, 3), 2);
	assert_string_equal(j[0].reason, "");
	assert_string_equal(j[1].reason, "QuotaGrpRes(account=science,gpu)");
	assert_string_equal(j[2].reason, "");
	/* The in-pass charge reached every ancestor. */
	assert_int_equal(w.accts[1].res_alloc[0], 4);
	assert_int_equal(w.accts[2].jobs_running, 1);
	assert_int_equal(w.accts[0].jobs_running, 2);
	world_free(&w);
}

static void
test_running_charged(void **state)
{
	struct world w;
	struct sched_job j = job(1, 2, 16, 0);
	struct sched_use u = { .cpus = 56 };

	world_init(&w);
	w.accts[0].grp_res = *limit(&w, "cpu:64");	/* root: the site */
	/* The host charges a running job of chem: 56 CPUs. */
	sched_acct_charge(&w.view, 4, SCHED_NONE, 2000, &u, 30, +1);
	assert_int_equal(pass(&w, &j, 1), 0);
	assert_string_equal(j.reason, "QuotaGrpRes(account=root,cpu)");
	sched_acct_charge(&w.view, 4, SCHED_NONE, 2000, &u, 30, -1);
	assert_int_equal(pass(&w, &j, 1), 1);
	world_free(&w);
}

static void
test_grp_jobs_and_user(void **state)
{
	struct world w;
	struct sched_job j[3] = { job(1, 3, 1, 0), job(2, 3, 1, 0),
				  job(3, 2, 1, 0) };

	world_init(&w);
	w.accts[3].grp_jobs = 1;	/* alice's own limit */
	assert_int_equal(pass(&w, j, 3), 2);
	assert_string_equal(j[1].reason, "QuotaGrpJobs(user=alice)");
	assert_string_equal(j[2].reason, "");
	world_free(&w);
}

static void
test_res_mins(void **state)
{
	struct world w;
	struct sched_job j[2] = { job(1, 4, 1, 0), job(2, 4, 1, 0) };
	struct sched_job g = job(3, 4, 1, 1);

	world_init(&w);
	w.accts[4].grp_res_mins = *limit(&w, "cpu:100,gpu:10");
	/* 60 CPU-minutes fit in 100; the second 60 would not. */
	assert_int_equal(pass(&w, j, 2), 1);
	assert_string_equal(j[1].reason, "QuotaGrpResMins(account=chem,cpu)");
	assert_int_equal(w.accts[4].mins_ahead[0], 60);
	/* A GPU job: 1 GPU x 60 min > 10, whatever the CPUs. */
	w.accts[4].mins_ahead[0] = 0;
	assert_int_equal(pass(&w, &g, 1), 0);
	assert_string_equal(g.reason, "QuotaGrpResMins(account=chem,gpu)");
	/* No time limit: held only once the budget is spent. */
	g.gpus_per_node = 0;
	g.time_limit = 0;
	w.accts[4].mins_used[0] = 100;
	assert_int_equal(pass(&w, &g, 1), 0);
	w.accts[4].mins_used[0] = 99;
	assert_int_equal(pass(&w, &g, 1), 1);
	world_free(&w);
}

static void
test_qos(void **state)
{
	struct world w;
	struct sched_job j[4] = { job(1, 3, 1, 0), job(2, 3, 1, 0),
				  job(3, 4, 1, 0), job(4, 4, 1, 2) };

	world_init(&w);
	w.qos[1].max_jobs_per_user = 1;
	w.qos[1].grp_res = *limit(&w, "gpu:1");
	for (int i = 0; i < 4; i++)
		j[i].qos = 1;
	j[2].uid = 2000;
	j[3].uid = 3000;
	assert_int_equal(pass(&w, j, 4), 2);
	assert_string_equal(j[1].reason, "QOSMaxJobsPerUser(qos=small)");
	assert_string_equal(j[2].reason, "");
	assert_string_equal(j[3].reason, "QOSGrpRes(qos=small,gpu)");
	world_free(&w);
}

static void
test_typed_and_none(void **state)
{
	struct world w;
	struct sched_job j[2] = { job(1, 2, 1, 4), job(2, 2, 1, 4) };

	world_init(&w);
	w.accts[2].grp_res = *limit(&w, "gpu:a100:1");
	/* Jobs asking for h100s are not counted by an a100 limit. */
	snprintf(j[0].gpu_type, sizeof(j[0].gpu_type), "h100");
	snprintf(j[1].gpu_type, sizeof(j[1].gpu_type), "h100");
	assert_int_equal(pass(&w, j, 2), 2);
	/* Without a view, no quotas at all. */
	sched_set_accounts(w.s, NULL);
	w.accts[2].grp_jobs = 1;
	memset(w.cpu_used, 0, sizeof(w.cpu_used));
	for (int i = 0; i < NNODES; i++)
		for (int g = 0; g < 8; g++)
			w.nodes[i].gpus[g].used = false;
	j[0].id = 3;
	j[1].id = 4;
	assert_int_equal(pass(&w, j, 2), 2);
	world_free(&w);
}

/* An untyped GPU request counts against a typed limit before it runs:
 * its GPUs may be of that type, so one pass cannot start two 4-GPU jobs
 * under GrpRes=gpu:h100:4 (the nodes hold only H100s), whether the first
 * started in this pass or is already running. */
static void
test_untyped_vs_typed(void **state)
{
	struct world w;
	struct sched_job j[3] = { job(1, 3, 1, 4), job(2, 3, 1, 4),
				  job(3, 3, 1, 0) };
	struct sched_use u;

	world_init(&w);
	w.accts[2].grp_res = *limit(&w, "gpu:h100:4");
	assert_int_equal(pass(&w, j, 3), 2);
	assert_string_equal(j[0].reason, "");
	assert_string_equal(j[1].reason, "QuotaGrpRes(account=physics,"
			    "gpu:h100)");
	assert_string_equal(j[2].reason, "");	/* no GPUs: not bound */
	/* Next pass: job 1 runs, charged by the host with its real type. */
	sched_use_of_job(&j[0], &u);
	u.gpu_any = false;
	snprintf(u.gpu_type, sizeof(u.gpu_type), "h100");
	for (size_t i = 0; i < 8; i++)
		memset(w.accts[i].res_alloc, 0, sizeof(w.accts[i].res_alloc));
	sched_acct_charge(&w.view, 3, SCHED_NONE, 1000, &u, 0, +1);
	assert_int_equal(pass(&w, &j[1], 1), 0);
	assert_string_equal(j[1].reason, "QuotaGrpRes(account=physics,"
			    "gpu:h100)");
	world_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reslist),
		cmocka_unit_test(test_grp_res_ancestor),
		cmocka_unit_test(test_running_charged),
		cmocka_unit_test(test_grp_jobs_and_user),
		cmocka_unit_test(test_res_mins),
		cmocka_unit_test(test_qos),
		cmocka_unit_test(test_typed_and_none),
		cmocka_unit_test(test_untyped_vs_typed),
	};

	return cmocka_run_group_tests_name("quota", tests, NULL, NULL);
}
