/*
 * sim_int: what the simulator's files share (sim.c replays, sim_cloud.c
 * adds a cloud pool, sim_budget.c the accounts' cloud budgets).
 */
#ifndef HCSIM_SIM_INT_H
#define HCSIM_SIM_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "burst.h"
#include "sched.h"
#include "sim.h"
#include "sim_acct.h"
#include "plan.h"

struct sim_job {
	const struct swf_job *w;
	int64_t est, run;	/* time limit; run capped at it */
	int64_t start, end;
	int64_t charged;	/* fair-share usage charged up to here */
	time_t first_plan, last_plan;	/* --check */
	bool overtaken;		/* --check: a job ahead of it in a pass's
				 * order started since its last plan */
	uint32_t nnodes;
	struct sched_alloc_node *alloc;	/* owned, while running */
	uint32_t *pnodes;	/* its last plan's nodes (owned), npnodes */
	uint32_t npnodes;
	uint32_t req_nodes;	/* nodes it asks (1 on one node) */
	size_t runpos;		/* its place in running[] */
	int32_t boot_node;	/* --cloud: the node started for it, -1 */
	bool budget_refused;	/* --cloud: a budget refused it a node */
};

/* --cloud: a pool node's state (sim_cloud_*). */
enum { CN_CLOUD, CN_BOOTING, CN_UP };
struct cloud_node {
	int state;
	int64_t until;		/* BOOTING: usable from */
	int64_t resumed;	/* started at (cost counts from here) */
	int64_t idle_since;	/* UP without jobs since, 0 = busy */
	char name[16];
};

/* The machine: nodes with their CPU bitmaps. */
struct sim_machine {
	struct sched_node *nodes;
	size_t nnodes;
};

struct sim {
	const struct sim_opts *o;
	struct sim_machine m;
	struct sim_job *jobs;
	size_t njobs;
	struct sched_job *pend;	/* pending views, compacted each pass */
	size_t npend;
	struct sched_running *running;
	uint32_t *runjob;	/* running[k] is jobs[runjob[k]] */
	size_t nrunning;
	uint32_t *heap;		/* running jobs by end, a min-heap */
	size_t nheap;
	int64_t free_cpus;	/* CPUs no running job holds */
	struct sim_stats *st;
	size_t nlocal;		/* m.nodes[nlocal..]: the cloud pool */
	struct cloud_node *cn;	/* --cloud: m.nnodes - nlocal entries */
	double cloud_secs;	/* node-seconds, started to released */
	int64_t *starts;	/* --cloud: node start times, for ResumeRate */
	size_t nstarts;
	int64_t rate_until;	/* pending jobs wait on ResumeRate till then;
				 * 0: they do not */
};

/* sim_cloud.c: the pool of --cloud (no-ops without it). */
void cloud_build(struct sim *x);
/* The next instant a boot ends or an idle node is released. */
int64_t cloud_next(const struct sim *x);
/* At now, before the pass: boots that end, idle nodes released. */
void cloud_events(struct sim *x, int64_t now);
/* sim_budget.c: the cloud budgets (no-ops without --accounts). Before
 * the pass: which pending jobs their cloud budgets let use cloud nodes
 * (sched_job.no_cloud for the others). */
void cloud_allow(struct sim *x);
/* The pool as burst_decide wants it, with `room` nodes to start (why:
 * what limits the room) and `booting` starting. */
struct burst_pool cloud_pool(const struct sim *x, long room,
			     uint32_t booting, const char *why);
/* The pending jobs in priority order (the last pass's), whether they
 * wait on a booting node and, with chains (npend entries), their
 * accounts; owned by the caller. */
struct burst_job *cloud_jobs(struct sim *x,
			     const char *(*chains)[SIM_ACCT_CHAIN_MAX]);
/* burst_decide under the accounts' budgets, counting the refusals a
 * budget made. */
void cloud_budgets_decide(struct sim *x, int64_t now,
			  const struct burst_pool *p, struct burst_job *bj,
			  struct burst_decision *d);
/* After the pass: the burst decision; nodes started. */
void cloud_decide(struct sim *x, int64_t now);
/* Job k ends (its allocation still held): charge its account's cloud
 * budgets its share of each cloud node x the minutes it ran, as hcctld
 * does. */
void cloud_job_end(struct sim *x, uint32_t k);
/* At the end: charge what is still up; the figures. */
void cloud_finish(struct sim *x, int64_t last);

#endif
