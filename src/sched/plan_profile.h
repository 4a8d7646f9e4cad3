/*
 * plan_profile: the resources of every node over time, for the planner
 * (plan.c). Internal to libhcsched.
 *
 * Each node has its free CPUs, memory and GPUs now and a sorted list of
 * changes after now: running jobs give their allocation back at their
 * expected end, planned jobs take theirs for [start, end). Nodes of
 * identical configuration (capacity, GPU type, features, queues, state,
 * cloud or not, cloud pool) form a class: whether a job could ever use a
 * node is decided once per class, not per node, and the class keeps a
 * bitmap of its "clean" nodes (all free now, no change ahead), which
 * every query counts in bulk; only the other ("dirty") nodes are looked
 * at one by one.
 */
#ifndef PLAN_PROFILE_H
#define PLAN_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hc_err.h"
#include "plan.h"
#include "sched_internal.h"

#define PROF_FOREVER ((time_t)1 << 60)	/* no end */

/* What a job needs of each of its nodes, and for how long. */
struct prof_need {
	uint32_t nnodes;
	uint32_t cpus, gpus;
	uint64_t mem_mb;
	bool exclusive;		/* the whole node (cpus/mem/gpus ignored) */
	time_t secs;		/* PROF_FOREVER: unlimited */
};

struct profile;

/* Build the profile at `now` from the node views and the running jobs.
 * nodes is borrowed until prof_destroy. NULL with err when a running job
 * names an unknown node. */
struct profile *prof_create(struct sched_node *nodes, size_t nnodes,
			    const struct sched_running *running,
			    size_t nrunning, const struct sched_resv_set *rs,
			    time_t now, struct hc_err *err);

/* The reservations (rs of prof_create, borrowed for the profile's life)
 * are busy time on their nodes for every job but their members; a member
 * (own: the job's reservation, or NULL) may only use own's nodes, starting
 * inside own's window. Set own before each job's queries. */
void prof_job_resv(struct profile *p, const struct sched_resv *own);
void prof_destroy(struct profile *p);	/* NULL ok */

/* Mark the classes a job may use (queue, usable, capacity, GPU type,
 * features: rq->feat; no cloud node for rq->no_cloud, no node of a pool
 * rq->pool_deny names). Returns how many usable nodes they hold. */
size_t prof_select(struct profile *p, uint32_t queue,
		   const struct sched_req *rq);

/* How many nodes of the selected classes can hold `need` over
 * [now, now + secs) without taking what a planned job holds; each such
 * node's allow[] entry (by position in nodes[]) is set to 1, stopping once
 * `enough` were found (0: find all). The caller clears allow with
 * prof_allow_clear. */
size_t prof_fit_now(struct profile *p, const struct prof_need *need,
		    uint8_t *allow, size_t enough);
void prof_allow_clear(struct profile *p, uint8_t *allow);

/* The earliest start >= now at which need->nnodes nodes of the selected
 * classes can each hold `need` for need->secs; the chosen nodes'
 * positions in nodes[] go to chosen (need->nnodes entries). Returns the
 * start, or -1 if no start exists (fewer nodes than asked). */
time_t prof_earliest(struct profile *p, const struct prof_need *need,
		     uint32_t *chosen);

/* The same two queries on given nodes only: idx[0..n) are sched_node.index
 * values (a promised job's planned nodes). prof_fit_now_on sets allow[]
 * for those that can hold `need` now and returns how many; 0 if any of
 * them is gone or of a class prof_select did not choose.
 * prof_earliest_on returns the earliest start at which all n (n must be
 * need->nnodes) hold it, their positions in chosen; -1 if none or as
 * before. */
size_t prof_fit_now_on(struct profile *p, const struct prof_need *need,
		       const uint32_t *idx, uint32_t n, uint8_t *allow);
time_t prof_earliest_on(struct profile *p, const struct prof_need *need,
			const uint32_t *idx, uint32_t n, uint32_t *chosen);

/* Take `need` on node position `node` for [start, start + need->secs). */
void prof_take(struct profile *p, uint32_t node, const struct prof_need *need,
	       time_t start);

/* How many usable nodes have a CPU free now (0: nothing can start). */
size_t prof_open(const struct profile *p);

/* Account for an allocation made now (from sched_place) lasting secs. */
void prof_take_alloc(struct profile *p, const struct sched_alloc *a,
		     time_t secs);

/* ---- internals, shared by plan_profile.c and plan_query.c -------------- */
/* (plan.c uses only the functions above.) */

struct prof_step {
	time_t t;
	int64_t mem;
	int32_t cpus, gpus;
};

struct prof_node {
	uint32_t cap_cpus, cap_gpus;
	uint64_t cap_mem;
	int64_t cpus, gpus, mem;	/* free now */
	struct prof_step *steps;	/* sorted by t, all t > now */
	uint32_t nsteps, stepcap;
	uint32_t cls, slot;		/* class, place in its members */
	bool in_resv;			/* some reservation holds it */
};

struct prof_class {
	uint32_t rep;			/* a node of the class */
	uint32_t *members;		/* node positions, preferred first */
	size_t n;
	uint64_t *clean;		/* bit k: members[k] is clean */
	size_t nclean;
	uint32_t *dirty;		/* node positions, not clean */
	size_t ndirty;
	bool sel;			/* prof_select chose it */
};

struct prof_iv {
	time_t s, e;			/* good starts [s, e) */
};

struct prof_ev {
	time_t t;
	int d;
};

struct profile {
	time_t now;
	struct sched_node *nodes;
	size_t nnodes;
	struct prof_node *pn;
	struct prof_class *cls;
	size_t ncls;
	struct prof_iv *iv;		/* scratch for prof_earliest */
	size_t niv, ivcap;
	uint32_t *ivnode, *ivoff;	/* per dirty node: its intervals */
	struct prof_ev *ev;
	size_t evcap;
	uint32_t *pool;			/* the classes' member/dirty lists */
	size_t nopen;			/* usable nodes with a CPU free now */
	const struct sched_resv_set *rs;	/* borrowed; NULL: none */
	const struct sched_resv *own;	/* the current job's, or NULL */
	uint32_t *byindex;		/* sched_node.index -> position */
	size_t nidx;
};

/* What the job takes of node q. */
static inline void
prof_need_on(const struct prof_node *q, const struct prof_need *need,
	     int64_t *cpus, int64_t *mem, int64_t *gpus)
{
	*cpus = need->exclusive ? q->cap_cpus : need->cpus;
	*mem = need->exclusive ? (int64_t)q->cap_mem : (int64_t)need->mem_mb;
	*gpus = need->exclusive ? q->cap_gpus : need->gpus;
}

static inline time_t
prof_end_of(time_t start, time_t secs)
{
	return secs >= PROF_FOREVER - start ? PROF_FOREVER : start + secs;
}

#endif
