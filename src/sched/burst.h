/*
 * burst: the cloud-burst decision of libhcsched, made from a planning
 * pass's result (plan.h), so that hcctld and hcsim make the same one.
 *
 * A pool's unstarted nodes are resources available at now + boot. After a
 * pass over the nodes that exist (on-premise, and cloud nodes up or
 * booting), a pending job is a candidate for a pool when
 *   - it waits for resources only (a plan, or reason Resources, Priority,
 *     ReqNodeNotAvail or BadConstraints: nodes not up make those; or
 *     CloudPoolAccounts:POOL: only another pool's nodes up could run it),
 *   - its planned start is later than now + BurstAfter, or it has none
 *     because no node that exists can run it (with BurstAfter=0: none
 *     for any reason; a job past BackfillDepth has no known wait),
 *   - it would start earlier on the pool (now + boot < planned start),
 *   - the pool's template can run it, and its queue and account may use
 *     the pool.
 * Candidates are taken in priority order and packed first-fit onto the
 * pool's new nodes (nodes opened for earlier candidates first), pools
 * tried cheapest first (CostPerNodeHour, then order), so the count is the
 * fewest nodes that bring those starts under the threshold for this order.
 * A job that needs a node more than the pool's room (ResumeRate, MaxNodes,
 * breaker, back-off) or its accounts' budgets (GrpCloudNodeMins,
 * GrpCloudCost: charged nodes x time limit) allow gets no node and a
 * reason naming the limit. BurstAfter=0 starts nodes for every job that
 * cannot start now (Slurm's behaviour). Jobs planned on a booting node
 * (`booting`) are never candidates: no second node starts for them. The
 * pool's nodes booting now (burst_pool.booting) are opened first, and
 * the booting jobs packed on them: what those leave takes candidates
 * before a new node is opened, so a job that arrives while a node boots
 * waits for that node when it fits there.
 *
 * A pool's started nodes that are up and idle (burst_pool.idle_nodes) are
 * opened after its booting ones, for multi-node jobs only: such a job
 * takes them and a new node is started only for each node it still
 * lacks (MaxNodes=2, one node idle: a 2-node job starts one node, not
 * two, and does not wait for the idle one to be stopped). A job that
 * idle nodes alone could hold is left to the plan (it holds it back for
 * a reason: a reservation, a higher job), as is every single-node job:
 * an idle node that could run it would have. The idle nodes so held are
 * kept from suspension (burst_decision_keep).
 *
 * Budgets hold ahead, as GrpResMins does: what the host gives as left is
 * the budget less what ended jobs were charged and less what running and
 * booting cloud jobs hold (burst_hold_mins: their share of each cloud
 * node x time limit, at the pool's price; a job waiting on a booting node
 * holds its whole nodes). A job is offered new nodes only when its own
 * worst case (burst_worst_mins: nodes x time limit, at the pool's price)
 * fits what is left, and before a pass burst_cloud_allow says which
 * pending jobs may be placed on cloud nodes at all (the others get
 * sched_job.no_cloud: they run on-premise only), taking each allowed
 * job's worst case from what is left so that jobs started in one pass
 * cannot together pass the budget. When a job ends its hold goes and its
 * account is charged what it used: its share of each cloud node (its
 * CPUs / the node's CPUs) x the minutes it ran, so that the charges of
 * jobs sharing a node sum to the node's time while they held it; idle and
 * boot time are the pool's.
 */
#ifndef SCHED_BURST_H
#define SCHED_BURST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sched.h"

struct burst_pool {
	const char *name;
	/* the template */
	uint32_t cpus;
	uint64_t mem_mb;
	uint32_t gpus;
	const char *gpu_type;		/* "" or NULL: untyped */
	const char *const *features;	/* NULL-terminated, or NULL */
	/* who may use it */
	uint64_t queue_mask;		/* bit q: jobs of queue q */
	const char *const *accounts;	/* NULL: every account */
	/* policy */
	long boot_s;			/* expected boot time */
	long burst_after;		/* BurstAfter, seconds */
	double cost_per_hour;
	long room;			/* nodes that may start now */
	uint32_t booting;		/* its nodes starting now */
	const char *room_why;		/* why room is 0 (a reason) */
	/* its started nodes up and idle (no job, not draining, not being
	 * stopped): the host's node indexes, as burst_plan_keep's */
	const uint32_t *idle_nodes;
	uint32_t nidle;
};

/* A budget on cloud use; < 0: none (burst_budget_left gives them). */
struct burst_budget {
	const char *account;
	double node_mins_left;		/* GrpCloudNodeMins left */
	double cost_left;		/* GrpCloudCost left */
};

/* What a budget of `limit` (<= 0: none) leaves once `used` is charged:
 * -1 for none, else limit - used but never below 0, so that a budget
 * spent past its limit (by jobs already running when it was reached)
 * stays reached rather than reading as none. */
double burst_budget_left(double limit, double used);

/* A job's share of a node: its CPUs there / the node's CPUs (0..1). */
double burst_share(uint32_t job_cpus, uint32_t node_cpus);

/* Node-minutes a job may use at most on `shares` nodes' worth (the sum of
 * its shares, or its whole node count): x its time limit, an hour when
 * it has none. */
double burst_hold_mins(double shares, long limit_s);

/* A pending job's worst case on cloud nodes: its nodes x time limit. */
double burst_worst_mins(const struct sched_job *j);

struct burst_job {
	const struct sched_job *job;	/* after the pass: plan_start, reason */
	const char *const *accounts;	/* its account, then its parents;
					 * NULL-terminated */
	bool booting;			/* planned on a booting cloud node */
};

/* Out: per job, the pool it gets a new node of (-1: none) and, when it
 * gets none but was a candidate, the reason; per pool, nodes to start. */
struct burst_decision {
	int *job_pool;			/* njobs entries */
	char (*reason)[SCHED_REASON_LEN];	/* njobs entries; "" none */
	uint32_t *pool_nodes;		/* npools entries */
	uint32_t total;			/* nodes to start, all pools */
	/* Where a job given a pool was packed: place[place_first[k] ..
	 * + place_count[k]) are the indexes (0 .. pool_nodes - 1, in the
	 * order opened) of that pool's new nodes it takes, one per node of
	 * the job; so that each new node knows the jobs it is started for. */
	uint32_t *place_first;		/* njobs entries */
	uint32_t *place_count;		/* njobs entries */
	uint32_t *place;		/* nplace entries */
	size_t nplace;
	/* The booting nodes such a job was packed on (it starts no node
	 * for them): boot_place[boot_first[k] .. + boot_count[k]) are
	 * indexes 0 .. burst_pool.booting - 1 of its pool's booting nodes,
	 * so that they remember it as the new ones do. */
	uint32_t *boot_first;		/* njobs entries */
	uint32_t *boot_count;		/* njobs entries */
	uint32_t *boot_place;		/* nboot_place entries */
	size_t nboot_place;
	/* The pools' idle nodes (burst_pool.idle_nodes) that multi-node
	 * jobs wait to use with the nodes started or booting for them: to
	 * be kept from suspension (burst_decision_keep). */
	uint32_t *keep;			/* nkeep entries */
	size_t nkeep;
};

/*
 * Decide at `now`. jobs[] in priority order (highest first); budgets may
 * be NULL. Fills out (burst_decision_free). Budgets are charged as the
 * decision goes (the caller's copies are not changed).
 */
int burst_decide(time_t now, const struct burst_pool *pools, size_t npools,
		 const struct burst_job *jobs, size_t njobs,
		 const struct burst_budget *budgets, size_t nbudgets,
		 struct burst_decision *out);
void burst_decision_free(struct burst_decision *d);	/* NULL ok */

/*
 * The keep-idle index: keep[i] (nnodes entries, zeroed here) becomes the
 * earliest planned start of a job that the plan puts on node index i, 0
 * when none. Built once per plan in O(planned nodes), so that the check
 * "is idle node i needed by the plan before SuspendTime ends" (keep[i] &&
 * keep[i] <= now + SuspendTime) costs O(1) per node, whatever the number
 * of pending jobs. Node indexes past nnodes are ignored.
 */
struct sched_plan;
void burst_plan_keep(const struct sched_plan *plan, size_t nnodes,
		     time_t *keep);

/* Add to that index the idle nodes decision d holds for multi-node jobs
 * waiting for their other nodes (d->keep): needed from `now`. */
void burst_decision_keep(const struct burst_decision *d, time_t now,
			 size_t nnodes, time_t *keep);

/*
 * Before a pass: which pending jobs (in priority order, as for
 * burst_decide) may be placed on cloud nodes. allow[k] false: its worst
 * case (at the dearest pool it may use) does not fit what one of its
 * budgets has left, once the jobs allowed before it took theirs. Jobs on
 * a booting node (their hold is counted already) and jobs no pool takes
 * are allowed and take nothing.
 */
void burst_cloud_allow(const struct burst_pool *pools, size_t npools,
		       const struct burst_job *jobs, size_t njobs,
		       const struct burst_budget *budgets, size_t nbudgets,
		       bool *allow);

/* Whether pool p's template can run job j at all (shape, GPUs,
 * constraint), and how many nodes it takes there. */
bool burst_fits(const struct burst_pool *p, const struct sched_job *j,
		uint32_t *nodes);

/* burst_acl.c: whether pool p's Accounts= take a job whose account and
 * its ancestors are accounts[] (NULL-terminated, NULL ok: none): one of
 * them named, or no Accounts= at all. */
bool burst_pool_account_ok(const struct burst_pool *p,
			   const char *const *accounts);

/* The pools (the first 64: sched_node.pool) whose Accounts= leave such a
 * job out, as sched_job.pool_deny: bit i for pools[i]. */
uint64_t burst_pool_deny(const struct burst_pool *pools, size_t npools,
			 const char *const *accounts);

#endif
