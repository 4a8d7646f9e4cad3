/*
 * sim: replay a workload trace through libhcsched on a virtual clock.
 *
 * The machine: by default the trace's processors as one node of N CPUs
 * (one node class), so a job of p processors asks 1 node x p CPUs. That
 * keeps the planner's profile to one node whose changes are the running
 * and planned jobs (exactly the processor-count model the SWF traces are
 * measured in) and placement to one CPU bitmap. Given nodes (hcsim --conf
 * with NodeName lines), the machine is those nodes (CPUs, memory, GPUs),
 * and a job of p processors asks ceil(p / C) nodes of ceil(p / nodes)
 * CPUs each, C the most CPUs of a node (as -n p would be spread); its
 * memory and GPUs ask nothing (SWF has no such fields).
 *
 * Events: job arrivals (submit time) and job ends (start + run time, the
 * run capped at the estimate); after the events of one instant, one
 * planning pass (sched_plan_pass) decides what starts, exactly as in
 * hcctld. The time of each pass (wall clock) is measured.
 */
#ifndef HCSIM_SIM_H
#define HCSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hc_err.h"
#include "swf.h"

struct sched;
struct sched_node;
struct sched_resv;
struct sim_acct;
struct fs_ledger;

/* --cloud: a pool of `nodes` nodes of `procs` CPUs that the burst
 * decision (burst.h, as hcctld makes it) starts after each pass; a node
 * is usable `boot` seconds after it is started and released after
 * `suspend` seconds idle; it costs `cost` per hour from start to release.
 * With --accounts, the accounts' cloud budgets bound the decision and
 * are charged as jobs end (sim_acct.h). */
struct sim_cloud {
	const char *pool;
	uint32_t nodes, procs;
	long boot, after, suspend;
	double cost;
	long rate_count, rate_period;	/* ResumeRate; 0: unlimited */
	long max_nodes;			/* MaxNodes up at once; 0: all */
	const char *const *accounts;	/* the pool's Accounts= (hc.conf),
					 * borrowed; NULL: every account */
};

struct sim_opts {
	long procs;		/* the machine's processors (> 0): with nodes,
				 * the sum of their CPUs */
	/* The machine's nodes (name, index = position, cpus, mem_mb,
	 * gpu_count and GPU types read; the rest is sim.c's), borrowed;
	 * NULL: one node of procs CPUs. */
	const struct sched_node *nodes;
	size_t nnodes;
	uint32_t depth;		/* BackfillDepth: 0 FCFS, 1 EASY, ... */
	bool check;		/* verify the policy's guarantee */
	bool test_break;	/* TEST ONLY: the planner breaks the
				 * guarantees (plan.h), to test --check */
	struct sched *sched;	/* borrowed: plugins loaded by the caller */
	FILE *schedule;		/* non-NULL: print each job's start there */
	struct sim_acct *acct;	/* borrowed: --accounts tree quotas, or
				 * NULL (sim_acct.h) */
	/* Fair-share (hc-priority(7)): running jobs are charged to usage
	 * before every pass and at their end, rate x processors each
	 * second, as hcctld charges them every PriorityCalcPeriod. NULL:
	 * none. Borrowed; the caller hands it to sched_set_usage. */
	struct fs_ledger *usage;
	double usage_rate;	/* billing units per processor-second */
	/* Advance reservations (trace seconds; nodes by position),
	 * borrowed; their starts and ends are events. NULL: none. */
	const struct sched_resv *resv;
	size_t nresv;
	const struct sim_cloud *cloud;	/* borrowed; NULL: no pool */
};

struct sim_stats {
	size_t jobs;		/* replayed */
	size_t dropped;		/* unfit: no processors, too many, no run */
	double makespan;	/* last end - first submit, seconds */
	double utilization;	/* sum run x procs / (procs x makespan) */
	double avg_wait, median_wait, p95_wait;
	double avg_bsld;	/* bounded slowdown, tau = 10 s */
	double pass_avg_s, pass_max_s;
	size_t passes;
	size_t violations;	/* --check: broken guarantees */
	/* --cloud */
	double cloud_node_hours, cloud_cost;
	size_t cloud_starts;	/* nodes started */
	size_t cloud_jobs;	/* jobs that ran on a cloud node */
	size_t cloud_budget_refusals;	/* burst decisions (a job in a
					 * pass) refused by an account's
					 * GrpCloudNodeMins/GrpCloudCost */
	size_t cloud_budget_jobs;	/* jobs refused so at least once */
};

/* Replay t. Returns 0, or -1 with err (a planning pass failed). With
 * o->check, each broken guarantee is printed to stderr and counted. */
int sim_run(const struct swf_trace *t, const struct sim_opts *o,
	    struct sim_stats *st, struct hc_err *err);

#endif
