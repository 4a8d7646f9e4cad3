/*
 * sched_driver: one full scheduling pass at scale, for bench/sched.
 *
 * From a fixed seed: 10,000 nodes (8,000 CPU nodes of two kinds, 2,000
 * GPU nodes of two kinds) about 80 % busy with running jobs whose
 * remaining time varies from a minute to a day; 50,000 pending jobs of
 * varied sizes (1 to 64 nodes, a few CPUs to whole nodes, GPUs for a
 * fifth) from 500 users in a 4-level account tree (root, 5
 * organisations, 25 departments, 100 projects, 5 users each) with
 * shares, fair-share priority and project CPU quotas. Then one pass:
 * ordering (multifactor + fair-share) + quotas + backfill planning at
 * depth 100 + placement, timed. Prints name value lines.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "plan.h"
#include "sched.h"
#include "sched_account.h"

#define NODES 10000
#define JOBS 50000
#define USERS 500
#define NOW 1700000000

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

struct bench {
	struct sched_node *nodes;
	struct sched_running *run;
	size_t nrun;
	struct sched_alloc_node *an;	/* one per running job and node */
	size_t nan;
	struct sched_job *jobs;
	struct sched_acct accts[1 + 5 + 25 + 100 + USERS];
	char names[1 + 5 + 25 + 100 + USERS][16];
	struct sched_acct_view view;
	struct res_item quota[100];
};

static const char *const cpu_feat[] = { "cpu", NULL };
static const char *const gpu_feat[] = { "gpu", NULL };

static void
nodes_build(struct bench *b)
{
	b->nodes = calloc(NODES, sizeof(*b->nodes));
	for (uint32_t i = 0; i < NODES; i++) {
		struct sched_node *n = &b->nodes[i];
		bool gpu = i >= 8000;

		n->name = "node";
		n->index = i;
		n->usable = true;
		n->cpus = gpu ? 64 : (i % 2 ? 128 : 48);
		n->cpu_used = calloc(n->cpus, 1);
		n->mem_mb = gpu ? 512000 : (uint64_t)n->cpus * 4000;
		n->gpu_count = gpu ? (i % 2 ? 8 : 4) : 0;
		for (uint32_t g = 0; g < n->gpu_count; g++)
			strcpy(n->gpus[g].type, i % 2 ? "h100" : "a100");
		n->features = gpu ? gpu_feat : cpu_feat;
		n->queue_mask = 1;
	}
}

static void
take(struct bench *b, uint32_t i, uint32_t cpus, uint32_t gpus, time_t end,
     uint32_t id)
{
	struct sched_node *n = &b->nodes[i];
	struct sched_alloc_node *an = &b->an[b->nan++];
	uint32_t got = 0;

	an->node = i;
	for (uint32_t c = 0; c < n->cpus && got < cpus; c++)
		if (!n->cpu_used[c])
			n->cpu_used[c] = 1, got++;
	an->ncpus = got;
	for (uint32_t g = 0; g < n->gpu_count && an->ngpus < gpus; g++)
		if (!n->gpus[g].used)
			n->gpus[g].used = true, an->gpu_ids[an->ngpus++] = g;
	an->mem_mb = (uint64_t)got * 3000;
	n->mem_used_mb += an->mem_mb;
	n->running_jobs++;
	b->run[b->nrun++] = (struct sched_running){ .id = id, .end = end,
						    .nnodes = 1, .nodes = an };
}

/* 70 % of nodes whole-node busy, 20 % half busy, 10 % idle: ~80 %. */
static void
running_build(struct bench *b)
{
	b->run = calloc(2 * NODES, sizeof(*b->run));
	b->an = calloc(2 * NODES, sizeof(*b->an));
	for (uint32_t i = 0; i < NODES; i++) {
		uint32_t r = rnd(100);
		struct sched_node *n = &b->nodes[i];
		time_t end = NOW + 60 + rnd(86400);

		if (r < 70)
			take(b, i, n->cpus, n->gpu_count, end, 1000000 + i);
		else if (r < 90)
			take(b, i, n->cpus / 2, n->gpu_count / 2, end,
			     1000000 + i);
	}
}

/* root, 5 organisations, 25 departments, 100 projects, 500 users. */
static void
accounts_build(struct bench *b)
{
	size_t n = 0;

	for (int level = 0; level < 5; level++) {
		static const size_t count[] = { 1, 5, 25, 100, USERS };
		static const size_t first[] = { 0, 1, 6, 31, 131 };

		for (size_t k = 0; k < count[level]; k++, n++) {
			struct sched_acct *a = &b->accts[n];

			snprintf(b->names[n], sizeof(b->names[n]), "a%zu", n);
			a->name = b->names[n];
			a->parent = level ? (int32_t)(first[level - 1] +
						      k * count[level - 1] /
							      count[level])
					  : -1;
			a->shares = 1 + rnd(10);
			a->default_qos = SCHED_NONE;
			a->is_user = level == 4;
			a->uid = a->is_user ? 10000 + (uint32_t)k : 0;
			if (level == 3) {
				strcpy(b->quota[k].name, "cpu");
				b->quota[k].count = 12000;
				a->grp_res.items = &b->quota[k];
				a->grp_res.count = 1;
			}
		}
	}
	b->view = (struct sched_acct_view){ .accts = b->accts, .naccts = n };
	/* Each running job belongs to some user. */
	for (size_t r = 0; r < b->nrun; r++) {
		struct sched_use u = { .cpus = b->run[r].nodes[0].ncpus,
				       .mem_mb = b->run[r].nodes[0].mem_mb,
				       .gpus = b->run[r].nodes[0].ngpus };
		uint32_t user = rnd(USERS);

		sched_acct_charge(&b->view, 131 + user, SCHED_NONE,
				  10000 + user, &u,
				  (long)(b->run[r].end - NOW) / 60, 1);
	}
}

static const long limits[] = { 600, 1800, 3600, 4 * 3600, 12 * 3600,
			       24 * 3600, 48 * 3600 };

static void
jobs_build(struct bench *b)
{
	b->jobs = calloc(JOBS, sizeof(*b->jobs));
	for (uint32_t i = 0; i < JOBS; i++) {
		struct sched_job *j = &b->jobs[i];
		uint32_t user = rnd(USERS), r = rnd(100);
		static const uint32_t nn[] = { 1, 1, 1, 1, 1, 1, 2, 2, 4, 8,
					       16, 64 };
		static const uint32_t cpn[] = { 1, 4, 8, 16, 32, 48 };

		j->id = i + 1;
		j->uid = 10000 + user;
		j->assoc = 131 + user;
		j->qos = SCHED_NONE;
		j->submit_time = NOW - 3 * 86400 + rnd(3 * 86400);
		j->nodes_min = nn[rnd(12)];
		j->cpus_per_task = 1;
		j->ntasks = j->nodes_min * cpn[rnd(6)];
		j->mem_per_cpu_mb = 2000;
		j->time_limit_sec = limits[rnd(7)];
		if (r < 20) {
			j->gpus_per_node = 1u << rnd(3);
			j->constraint = "gpu";
		}
	}
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* How many jobs wait for each kind of reason ("reason_Priority 41000"). */
static void
reasons_print(const struct sched_job *jobs, size_t n)
{
	char seen[16][SCHED_REASON_LEN];
	size_t count[16] = { 0 }, ns = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k = 0, len = strcspn(jobs[i].reason, "(");

		if (!jobs[i].reason[0])
			continue;
		while (k < ns && (strlen(seen[k]) != len ||
				  strncmp(seen[k], jobs[i].reason, len)))
			k++;
		if (k == ns && ns < 16) {
			memcpy(seen[ns], jobs[i].reason, len);
			seen[ns++][len] = '\0';
		}
		if (k < ns)
			count[k]++;
	}
	for (size_t k = 0; k < ns; k++)
		printf("reason_%s %zu\n", seen[k], count[k]);
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	struct sched_options so = { .plugin_dir = argc > 1 ? argv[1] : NULL };
	struct sched_prio_conf pc = { .w_age = 1000, .w_fairshare = 10000,
				      .w_jobsize = 100,
				      .max_age = 7 * 86400 };
	struct sched_plan_options po = { .depth = SCHED_PLAN_DEPTH_DEFAULT };
	struct sched_plan plan = { 0 };
	struct hc_err err = { 0 };
	struct rusage ru;
	struct sched *s;
	double t0, t1;

	s = sched_create(&so, &err);
	if (!s) {
		fprintf(stderr, "sched_driver: %s\n", err.text);
		return 1;
	}
	nodes_build(&b);
	running_build(&b);
	accounts_build(&b);
	jobs_build(&b);
	sched_set_priority(s, &pc);
	sched_set_accounts(s, &b.view);
	t0 = mono();
	if (sched_plan_pass(s, &po, b.jobs, JOBS, b.nodes, NODES, b.run,
			    b.nrun, NOW, &plan, &err) < 0) {
		fprintf(stderr, "sched_driver: %s\n", err.text);
		return 1;
	}
	t1 = mono();
	getrusage(RUSAGE_SELF, &ru);
	printf("pass_s %.3f\njobs_started %zu\njobs_planned %zu\n"
	       "peak_rss_mb %.1f\nnodes %d\npending %d\nrunning %zu\n"
	       "backfilled %u\nskipped_by_shape %u\n", t1 - t0,
	       plan.started.count, plan.nplanned,
	       (double)ru.ru_maxrss / 1024.0, NODES, JOBS, b.nrun,
	       plan.backfilled, plan.skipped);
	reasons_print(b.jobs, JOBS);
	sched_plan_free(&plan);
	sched_set_accounts(s, NULL);
	sched_acct_view_free(&b.view);
	sched_destroy(s);
	return 0;
}
