/*
 * plan: the planning stage of libhcsched (backfill over time).
 *
 * sched_pass() (sched.h) places jobs that fit now and knows no time.
 * sched_plan_pass() adds time: it knows when running jobs end (start +
 * time limit), gives the top `depth` pending jobs in priority order a
 * planned start and planned nodes, and starts any other job now only if
 * that delays none of those plans. The pipeline is the same as
 * sched_pass's: priority (plugins) -> order -> Held/BeginTime -> admit
 * (plugins; quotas slot in here) -> plan -> place (sched_place.c: filter
 * and score hooks, specific CPU and GPU ids). Reservations are those given
 * to the pass with sched_resv_use() (sched_resv.h); the planner treats
 * their windows as busy time for non-members.
 *
 * The depth picks the policy (hc.conf BackfillDepth, hcsim --policy):
 *   0          FCFS: no backfill, no plans; once a job of a queue cannot
 *              start, no later job of that queue starts ("Priority");
 *   1          EASY: the first waiting job gets a planned start; others
 *              start now only if they do not delay it;
 *   >= queue   conservative: every waiting job gets a planned start; jobs
 *              that already hold one (`promised`) are planned first, in
 *              the order of their promises, so compression only moves
 *              starts earlier (exactly so on one node; see plan.c).
 * Jobs past the depth that cannot start now are not planned (reason
 * "Priority"); jobs whose shape (request and at least the same time limit)
 * already failed this pass are skipped without a search.
 *
 * Ownership: every pointer passed in is borrowed for the duration of the
 * call only, except that jobs[] and nodes[] are written (job priority,
 * reason, plan_start; node views updated as sched_pass does for the jobs
 * started). What comes out in struct sched_plan is owned by it until
 * sched_plan_free().
 */
#ifndef SCHED_PLAN_H
#define SCHED_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hc_err.h"
#include "sched.h"

/* hc.conf BackfillDepth's default, and the depth meaning "the whole
 * queue" (conservative). */
#define SCHED_PLAN_DEPTH_DEFAULT 100
#define SCHED_PLAN_DEPTH_ALL UINT32_MAX

/* A job that holds resources now. Its resources (the allocation it was
 * given, already counted as used in the node views) come back at `end`. */
struct sched_running {
	uint32_t id;
	time_t end;		/* expected end: start + time limit; <= now
				 * means any moment (planned as now + 1);
				 * 0 with no limit: never (planned forever) */
	uint32_t nnodes;
	const struct sched_alloc_node *nodes;	/* borrowed for the call;
						 * .node is a sched_node.index;
						 * .ncpus, .mem_mb, .ngpus used */
};

struct sched_plan_options {
	uint32_t depth;		/* see above; SCHED_PLAN_DEPTH_ALL: all */
	/* How far ahead to plan, in seconds (0 = no bound). A job that cannot
	 * get a start within now + horizon gets no plan (reason
	 * "Resources", plan_start 0). */
	long horizon;
	/* TEST ONLY: break every policy's guarantee on purpose, so that the
	 * tests of hcsim --check (--break-guarantees) can show each check
	 * fault a bad schedule: plans hold no resources (later jobs may take
	 * what a planned job needs, delaying it) and FCFS does not stop a
	 * queue at its first waiting job. hcctld never sets it. */
	bool test_break;
};

/* One planned (not yet started) job. */
struct sched_plan_entry {
	uint32_t job;		/* sched_job.id */
	time_t start;		/* > now */
	time_t end;		/* start + time limit */
	uint32_t nnodes;
	uint32_t *nodes;	/* nnodes sched_node.index values (owned by
				 * the plan) */
};

/* What a planning pass decides. Zero it before the first use. */
struct sched_plan {
	struct sched_result started;	/* start now, in start order, with
					 * allocations as from sched_pass */
	struct sched_plan_entry *planned;	/* in planning order */
	size_t nplanned, cap;
	/* Figures for logs and benchmarks. */
	uint32_t backfilled;	/* started past the first waiting job */
	uint32_t skipped;	/* jobs skipped by an already failed shape */
};

/*
 * One planning pass at time `now` (the injected clock) over the pending
 * jobs[0..njobs) and nodes[0..nnodes) (the views as for sched_pass: their
 * used CPUs, memory and GPUs include the running jobs'), and the running
 * jobs running[0..nrunning) whose resources free at their ends. Sets every
 * job's priority, reason ("" if it starts) and plan_start (0 if it has no
 * plan). Fills out (the caller frees it with sched_plan_free). Returns 0,
 * or -1 with err on a bad argument (a running job on an unknown node).
 */
int sched_plan_pass(struct sched *s, const struct sched_plan_options *po,
		    struct sched_job *jobs, size_t njobs,
		    struct sched_node *nodes, size_t nnodes,
		    const struct sched_running *running, size_t nrunning,
		    time_t now, struct sched_plan *out, struct hc_err *err);
void sched_plan_free(struct sched_plan *p);	/* NULL ok; zeroes it */

/* A job's time limit in seconds (time_limit_sec, else time_limit
 * minutes); 0 = unlimited. */
long sched_job_limit_sec(const struct sched_job *j);

#endif
