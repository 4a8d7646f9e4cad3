/*
 * burst_driver: the cloud-burst decision and the keep-idle check at scale,
 * through libhcsched, for bench/burst.
 *
 * From a fixed seed: JOBS pending jobs (1 to 4 nodes, 1 to 64 CPUs a node,
 * GPUs for a fifth) from 100 accounts in a 3-level tree with cloud budgets,
 * most of them waiting long enough on-premise to be burst candidates;
 * POOLS cloud pools of POOL_NODES nodes each (64 CPUs; every other pool
 * with 8 GPUs), each with room for all its nodes; and a plan (struct
 * sched_plan) that puts JOBS/2 of the jobs on ONPREM + cloud nodes at
 * varied starts. Then, timed:
 *   burst_decide_s       one burst decision over every job and pool
 *   keep_scan_s          the keep-idle check as hcctld made it until now:
 *                        for each idle node, a scan of the pending jobs'
 *                        planned nodes (what every 0.25 s tick cost while
 *                        IDLE_NODES idle nodes were past SuspendTime)
 *   keep_index_s         burst_plan_keep(): the earliest planned start
 *                        per node, built once per plan
 *   keep_check_s         the same IDLE_NODES checks against that index
 *   decision_hash        a digest of which pool each job got (the same
 *                        from one version to the next unless the decision
 *                        changed)
 * Sizes from the command line:
 *   burst_driver [JOBS [CLOUD_NODES [IDLE [SUSPEND [SPAN]]]]]
 * (SuspendTime, default 300 s; the planned starts spread over SPAN
 * seconds from now, default a day: the shorter, the more jobs start
 * within SuspendTime and the longer the scan).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "burst.h"
#include "plan.h"
#include "sched.h"

#define NOW 1700000000
#define POOLS 4
#define ONPREM 2000
#define ACCOUNTS 100

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const cloud_feat[] = { "cloud", NULL };
static char acct_name[ACCOUNTS + 6][16];
static const char *chains[ACCOUNTS][4];

/* root a0, five parents a1..a5, ACCOUNTS leaves; budgets on the parents
 * and on every tenth leaf. */
static struct burst_budget *
accounts_build(size_t *nb)
{
	struct burst_budget *b = calloc(ACCOUNTS + 6, sizeof(*b));
	size_t n = 0;

	for (int i = 0; i < ACCOUNTS + 6; i++)
		snprintf(acct_name[i], sizeof(acct_name[i]), "a%d", i);
	for (int i = 0; i < ACCOUNTS; i++) {
		chains[i][0] = acct_name[6 + i];
		chains[i][1] = acct_name[1 + i % 5];
		chains[i][2] = acct_name[0];
		chains[i][3] = NULL;
		if (i % 10 == 0)
			b[n++] = (struct burst_budget){ acct_name[6 + i],
							 1e9, -1 };
	}
	for (int i = 1; i <= 5; i++)
		b[n++] = (struct burst_budget){ acct_name[i], -1, 1e12 };
	*nb = n;
	return b;
}

static void
pools_build(struct burst_pool *p, uint32_t per_pool)
{
	static const char *const names[POOLS] = { "p0", "p1", "p2", "p3" };

	for (int i = 0; i < POOLS; i++)
		p[i] = (struct burst_pool){ .name = names[i], .cpus = 64,
			.mem_mb = 256000, .gpus = i % 2 ? 8 : 0,
			.gpu_type = i % 2 ? "h100" : "",
			.features = cloud_feat, .queue_mask = 1,
			.boot_s = 120, .burst_after = 600,
			.cost_per_hour = 1.0 + i, .room = per_pool };
}

static void
jobs_build(struct sched_job *v, struct burst_job *bj, size_t n)
{
	static const uint32_t cpn[] = { 1, 4, 8, 16, 32, 64 };

	for (size_t i = 0; i < n; i++) {
		struct sched_job *j = &v[i];
		uint32_t r = rnd(100);

		j->id = (uint32_t)i + 1;
		j->priority = 1000000 - (uint32_t)i;
		j->nodes_min = 1 + rnd(4);
		j->cpus_per_task = 1;
		j->ntasks = j->nodes_min * cpn[rnd(6)];
		j->mem_per_cpu_mb = 2000;
		j->time_limit_sec = 600 + rnd(4 * 3600);
		if (r < 20)
			j->gpus_per_node = 1u << rnd(3);
		if (r < 70) {		/* waits hours on-premise */
			j->plan_start = NOW + 3600 + rnd(86400);
			strcpy(j->reason, "Resources");
		} else if (r < 85) {	/* past the planning depth */
			strcpy(j->reason, "Priority");
		} else {		/* only the cloud can run it */
			j->constraint = "cloud";
			strcpy(j->reason, "BadConstraints");
		}
		bj[i] = (struct burst_job){ .job = j,
					    .accounts = chains[rnd(ACCOUNTS)] };
	}
}

/* Half the jobs planned, on 1-4 nodes of ONPREM + cloud ones. */
static void
plan_build(struct sched_plan *p, const struct sched_job *v, size_t n,
	   size_t nnodes, uint32_t span)
{
	p->planned = calloc(n, sizeof(*p->planned));
	for (size_t i = 0; i < n; i += 2) {
		struct sched_plan_entry *e = &p->planned[p->nplanned++];
		e->job = v[i].id;
		e->start = NOW + 60 + rnd(span);
		e->end = e->start + 3600;
		e->nnodes = v[i].nodes_min;
		e->nodes = calloc(e->nnodes, sizeof(*e->nodes));
		for (uint32_t k = 0; k < e->nnodes; k++)
			e->nodes[k] = rnd((uint32_t)nnodes);
	}
}

/* hcctld's check until now (power_node_planned): every pending job's
 * planned nodes scanned for the one idle node. */
static bool
keep_scan(const struct sched_plan *p, uint32_t node, time_t until)
{
	for (size_t i = 0; i < p->nplanned; i++) {
		const struct sched_plan_entry *e = &p->planned[i];
		if (e->start > until)
			continue;
		for (uint32_t k = 0; k < e->nnodes; k++)
			if (e->nodes[k] == node)
				return true;
	}
	return false;
}

int
main(int argc, char **argv)
{
	size_t njobs = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	uint32_t cloud = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) :
			 2000;
	size_t idle = argc > 3 ? strtoul(argv[3], NULL, 10) : 1000;
	long suspend = argc > 4 ? strtol(argv[4], NULL, 10) : 300;
	uint32_t span = argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 10) :
			86400;
	size_t nnodes = ONPREM + cloud, nb, kept_a = 0, kept_b = 0;
	struct sched_job *jobs = calloc(njobs, sizeof(*jobs));
	struct burst_job *bj = calloc(njobs, sizeof(*bj));
	struct burst_pool pools[POOLS];
	struct burst_budget *budgets = accounts_build(&nb);
	struct burst_decision d;
	struct sched_plan plan = { 0 };
	time_t *keep = calloc(nnodes, sizeof(*keep));
	time_t until = NOW + suspend;
	double t0, t1, t2, t3, t4;
	uint64_t hash = 0xcbf29ce484222325ull;

	pools_build(pools, cloud / POOLS);
	jobs_build(jobs, bj, njobs);
	plan_build(&plan, jobs, njobs, nnodes, span ? span : 1);
	if (idle > nnodes)
		idle = nnodes;
	t0 = mono();
	burst_decide(NOW, pools, POOLS, bj, njobs, budgets, nb, &d);
	t1 = mono();
	for (size_t i = 0; i < idle; i++)
		kept_a += keep_scan(&plan, (uint32_t)(nnodes - 1 - i), until);
	t2 = mono();
	burst_plan_keep(&plan, nnodes, keep);
	t3 = mono();
	for (size_t i = 0; i < idle; i++) {
		time_t k = keep[nnodes - 1 - i];
		kept_b += k && k <= until;
	}
	t4 = mono();
	for (size_t i = 0; i < njobs; i++)	/* FNV-1a of the decision */
		hash = (hash ^ (uint64_t)(d.job_pool[i] + 1)) *
		       0x100000001b3ull;
	if (kept_a != kept_b) {
		fprintf(stderr, "burst_driver: the index keeps %zu nodes, the "
			"scan %zu\n", kept_b, kept_a);
		return 1;
	}
	printf("jobs %zu\ncloud_nodes %u\nidle_nodes_checked %zu\n"
	       "suspend_time_s %ld\nplan_span_s %u\n"
	       "burst_decide_s %.6f\nnodes_to_start %u\nkeep_scan_s %.6f\n"
	       "keep_index_s %.6f\nkeep_check_s %.6f\nnodes_kept %zu\n"
	       "decision_hash %016llx\n", njobs, cloud, idle, suspend, span,
	       t1 - t0,
	       d.total, t2 - t1, t3 - t2, t4 - t3, kept_b,
	       (unsigned long long)hash);
	burst_decision_free(&d);
	sched_plan_free(&plan);
	free(keep);
	free(budgets);
	free(bj);
	free(jobs);
	return 0;
}
