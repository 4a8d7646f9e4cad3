/*
 * burst: the cloud-burst decision (see burst.h for the rules).
 *
 * The packing: each pool keeps the new nodes opened so far in this
 * decision (their free CPUs, memory and GPUs at now + boot). A candidate
 * first tries the pools in order of cost: within a pool, a multi-node job
 * takes free room on open nodes first (one node of the job per open node),
 * then opens new ones, while the pool's room and the job's budgets allow.
 * Opening nodes only for jobs that fit nothing open keeps the count the
 * fewest for the order the candidates come in.
 *
 * Scale: "the first open nodes with room for this job" is found through a
 * max-tree over the pool's open nodes (each inner entry holds the most
 * free CPUs, memory and GPUs below it). A search goes left to right and
 * skips every subtree whose maxima cannot hold the job, so it returns the
 * same nodes as a scan in order, in O(log n) steps when the free room
 * lies in few places; a job that fits no open node is rejected at the
 * root. Without it, every candidate after the pools filled up scanned all
 * open nodes: jobs x nodes per decision (bench/burst: 0.17 s for 40,000
 * jobs and 8,000 nodes).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "burst.h"
#include "log.h"
#include "plan.h"

struct open_node {
	uint32_t cpus;
	uint64_t mem_mb;
	uint32_t gpus;
};

struct pool_state {
	const struct burst_pool *p;
	struct open_node *open;
	size_t nopen;
	long room;
	struct open_node *tree;	/* 2 * cap entries; leaves at cap + i */
	size_t cap;		/* a power of two >= nopen */
	uint32_t *took;		/* the open nodes the last placement took */
	size_t ntook;
	size_t nboot;		/* open[0 .. nboot) are booting nodes */
	size_t nidle;		/* open[nboot .. + nidle): idle nodes */
	bool *idle_used;	/* nidle entries: held by a job */
};

#define NONE ((size_t)-1)
#define IDLE_ONLY (-2)	/* pool_place: idle nodes alone would hold it */

static bool
holds(const struct open_node *o, uint32_t cpus, uint64_t mem, uint32_t gpus)
{
	return o->cpus >= cpus && o->mem_mb >= mem && o->gpus >= gpus;
}

/* Open node i changed: its leaf and the maxima above it. */
static void
tree_set(struct pool_state *ps, size_t i)
{
	size_t x = ps->cap + i;

	ps->tree[x] = ps->open[i];
	for (x /= 2; x >= 1; x /= 2) {
		const struct open_node *l = &ps->tree[2 * x];
		const struct open_node *r = &ps->tree[2 * x + 1];
		ps->tree[x] = (struct open_node){
			l->cpus > r->cpus ? l->cpus : r->cpus,
			l->mem_mb > r->mem_mb ? l->mem_mb : r->mem_mb,
			l->gpus > r->gpus ? l->gpus : r->gpus };
	}
}

/* Room for one more open node (the tree rebuilt at each doubling). */
static void
tree_grow(struct pool_state *ps)
{
	if (ps->nopen < ps->cap)
		return;
	ps->cap = ps->cap ? 2 * ps->cap : 16;
	free(ps->tree);
	ps->tree = hc_calloc(2 * ps->cap, sizeof(*ps->tree));
	for (size_t i = 0; i < ps->nopen; i++)
		tree_set(ps, i);
}

/* The first open node at index >= from that holds the request, or NONE:
 * subtree x covers leaves [lo, hi). */
static size_t
tree_find(const struct pool_state *ps, size_t x, size_t lo, size_t hi,
	  size_t from, uint32_t cpus, uint64_t mem, uint32_t gpus)
{
	size_t mid, r;

	if (hi <= from || lo >= ps->nopen ||
	    !holds(&ps->tree[x], cpus, mem, gpus))
		return NONE;
	if (x >= ps->cap)
		return lo;
	mid = lo + (hi - lo) / 2;
	r = tree_find(ps, 2 * x, lo, mid, from, cpus, mem, gpus);
	return r != NONE ? r : tree_find(ps, 2 * x + 1, mid, hi, from, cpus,
					 mem, gpus);
}

static bool
pool_allows(const struct burst_pool *p, const struct burst_job *bj)
{
	const struct sched_job *j = bj->job;

	if (j->queue >= 64 || !(p->queue_mask & (1ull << j->queue)))
		return false;
	return burst_pool_account_ok(p, bj->accounts);
}

/* Per node of the job: CPUs, memory, GPUs. */
static void
job_per_node(const struct sched_job *j, uint32_t nodes, uint32_t *cpus,
	     uint64_t *mem, uint32_t *gpus)
{
	uint32_t tasks = j->ntasks ? j->ntasks : 1;
	uint32_t tpn = j->ntasks_per_node ? j->ntasks_per_node :
		       (tasks + nodes - 1) / nodes;

	*cpus = tpn * (j->cpus_per_task ? j->cpus_per_task : 1);
	*mem = j->mem_per_cpu_mb ? j->mem_per_cpu_mb * *cpus :
	       j->mem_per_node_mb;
	*gpus = j->gpus_per_node;
}

bool
burst_fits(const struct burst_pool *p, const struct sched_job *j,
	   uint32_t *nodes)
{
	uint32_t n = j->nodes_min ? j->nodes_min : 1;
	uint32_t max = j->nodes_max > n ? j->nodes_max : n;
	uint32_t cpus, gpus;
	uint64_t mem;

	if (j->constraint && *j->constraint &&
	    sched_features_match(j->constraint, p->features, NULL) != 1)
		return false;
	if (j->gpus_per_node && (j->gpus_per_node > p->gpus ||
	    (j->gpu_type[0] && p->gpu_type &&
	     strcasecmp(j->gpu_type, p->gpu_type))))
		return false;
	for (; n <= max; n++) {
		job_per_node(j, n, &cpus, &mem, &gpus);
		if (cpus <= p->cpus && mem <= p->mem_mb) {
			*nodes = n;
			return true;
		}
	}
	return false;
}

/* No node that exists can ever run it (they are down, or none fits). */
static bool
never_on_premise(const struct sched_job *j)
{
	return !j->plan_start && (!strcmp(j->reason, "ReqNodeNotAvail") ||
				  !strcmp(j->reason, "BadConstraints") ||
				  !strncmp(j->reason, "CloudPoolAccounts:",
					   18));
}

static bool
waits_for_resources(const struct sched_job *j)
{
	/* Nodes that are not up (cloud ones among them) make the
	 * placement say ReqNodeNotAvail or BadConstraints: the template
	 * decides whether the pool can help. */
	return j->plan_start || !strcmp(j->reason, "Resources") ||
	       !strcmp(j->reason, "Priority") ||
	       !strcmp(j->reason, "ReqNodeNotAvail") ||
	       !strcmp(j->reason, "BadConstraints") ||
	       !strncmp(j->reason, "CloudPoolAccounts:", 18);
}

double
burst_budget_left(double limit, double used)
{
	if (limit <= 0)
		return -1;
	return used < limit ? limit - used : 0;
}

double
burst_share(uint32_t job_cpus, uint32_t node_cpus)
{
	if (!node_cpus || job_cpus >= node_cpus)
		return 1;
	return (double)job_cpus / (double)node_cpus;
}

double
burst_hold_mins(double shares, long limit_s)
{
	return shares * (double)(limit_s > 0 ? limit_s : 3600) / 60.0;
}

double
burst_worst_mins(const struct sched_job *j)
{
	return burst_hold_mins(j->nodes_min ? j->nodes_min : 1,
			       sched_job_limit_sec(j));
}

/* The job's budgets: the smallest node-minutes and cost left over its
 * accounts; which one binds is named in why. */
static bool
budget_ok(const struct burst_job *bj, double *left_mins, double *left_cost,
	  const struct burst_budget *b, size_t nb, double mins, double cost,
	  char *why, size_t len)
{
	for (size_t k = 0; bj->accounts && bj->accounts[k]; k++)
		for (size_t i = 0; i < nb; i++) {
			if (strcmp(b[i].account, bj->accounts[k]))
				continue;
			if (b[i].node_mins_left >= 0 &&
			    left_mins[i] < mins) {
				snprintf(why, len, "GrpCloudNodeMins:%s",
					 b[i].account);
				return false;
			}
			if (b[i].cost_left >= 0 && left_cost[i] < cost) {
				snprintf(why, len, "GrpCloudCost:%s",
					 b[i].account);
				return false;
			}
		}
	return true;
}

static void
budget_charge(const struct burst_job *bj, double *left_mins,
	      double *left_cost, const struct burst_budget *b, size_t nb,
	      double mins, double cost)
{
	for (size_t k = 0; bj->accounts && bj->accounts[k]; k++)
		for (size_t i = 0; i < nb; i++)
			if (!strcmp(b[i].account, bj->accounts[k])) {
				left_mins[i] -= mins;
				left_cost[i] -= cost;
			}
}

/*
 * Place job on pool ps: returns the new nodes it opens (>= 0), -1 when
 * the pool's room does not allow it, IDLE_ONLY when the pool's idle nodes
 * alone would hold it (the plan holds it back: not the cloud's to take).
 * Idle nodes are taken by multi-node jobs only. The open nodes are
 * changed only on success, and only when `commit`.
 */
static long
pool_place(struct pool_state *ps, const struct sched_job *j, uint32_t nodes,
	   bool commit)
{
	uint32_t cpus, gpus, left = nodes, idle = 0;
	uint64_t mem;
	long opened;
	size_t ilo = ps->nboot, ihi = ps->nboot + ps->nidle;

	job_per_node(j, nodes, &cpus, &mem, &gpus);
	if (commit) {
		ps->took = hc_realloc(ps->took, nodes * sizeof(*ps->took));
		ps->ntook = 0;
	}
	if (j->exclusive) {	/* an untouched node: all its CPUs free */
		cpus = ps->p->cpus;
		mem = ps->p->mem_mb;
	}
	if (!cpus)
		cpus = 1;	/* a leaf past the open nodes holds nothing */
	for (size_t i = 0; left && ps->nopen; i++) {
		i = tree_find(ps, 1, 0, ps->cap, i, cpus, mem, gpus);
		if (i == NONE)
			break;
		if (i >= ilo && i < ihi) {
			if (nodes < 2) {	/* skip the idle nodes */
				i = ihi - 1;
				continue;
			}
			idle++;
		}
		if (commit) {
			if (i >= ilo && i < ihi)
				ps->idle_used[i - ilo] = true;
			ps->open[i].cpus -= cpus;
			ps->open[i].mem_mb -= mem;
			ps->open[i].gpus -= gpus;
			tree_set(ps, i);
			ps->took[ps->ntook++] = (uint32_t)i;
		}
		left--;
	}
	opened = left;
	if (idle && idle == nodes)
		return IDLE_ONLY;
	if (opened > ps->room)
		return -1;
	if (!commit)
		return opened;
	for (uint32_t k = 0; k < left; k++) {
		ps->open = hc_realloc(ps->open, (ps->nopen + 1) *
				      sizeof(*ps->open));
		ps->open[ps->nopen] = (struct open_node){
			ps->p->cpus - cpus, ps->p->mem_mb - mem,
			ps->p->gpus - gpus };
		tree_grow(ps);
		ps->took[ps->ntook++] = (uint32_t)ps->nopen;
		tree_set(ps, ps->nopen++);
	}
	ps->room -= opened;
	return opened;
}

static int
cost_cmp(const void *a, const void *b)
{
	const struct pool_state *x = a, *y = b;

	if (x->p->cost_per_hour != y->p->cost_per_hour)
		return x->p->cost_per_hour < y->p->cost_per_hour ? -1 : 1;
	return x->p < y->p ? -1 : (x->p > y->p);
}

/* Try the pools for one candidate; returns the pool index or -1 with
 * why set to the first limit met. */
static int
job_decide(time_t now, struct pool_state *ps, size_t npools,
	   const struct burst_pool *pools, const struct burst_job *bj,
	   const struct burst_budget *b, size_t nb, double *lm, double *lc,
	   char *why, size_t len)
{
	const struct sched_job *j = bj->job;
	long limit = sched_job_limit_sec(j);
	bool candidate = false;

	for (size_t i = 0; i < npools; i++) {
		const struct burst_pool *p = ps[i].p;
		uint32_t nodes;
		long opened;
		time_t cloud = now + p->boot_s;
		double mins, cost;
		if (!pool_allows(p, bj) || !burst_fits(p, j, &nodes))
			continue;
		if (j->plan_start && (j->plan_start <= now + p->burst_after ||
				      j->plan_start <= cloud))
			continue;
		/* Past the planning depth a wait is not known: only
		 * BurstAfter=0 (start for any wait) takes such a job. */
		if (!j->plan_start && p->burst_after > 0 &&
		    !never_on_premise(j))
			continue;
		if ((opened = pool_place(&ps[i], j, nodes, false)) ==
		    IDLE_ONLY)
			continue;
		candidate = true;
		if (opened < 0) {
			if (!why[0])
				snprintf(why, len, "%s", p->room_why &&
					 *p->room_why ? p->room_why :
					 "CloudNodesLimit");
			continue;
		}
		/* its worst case: nodes x time limit (an hour if none) */
		mins = burst_hold_mins(nodes, limit);
		cost = mins / 60.0 * p->cost_per_hour;
		if (!budget_ok(bj, lm, lc, b, nb, mins, cost, why, len))
			continue;
		pool_place(&ps[i], j, nodes, true);
		budget_charge(bj, lm, lc, b, nb, mins, cost);
		return (int)(p - pools);
	}
	if (!candidate)
		why[0] = '\0';
	return -1;
}

/* Pool ps's `n` untouched nodes as open nodes. */
static void
open_whole(struct pool_state *ps, uint32_t n)
{
	for (uint32_t b = 0; b < n; b++) {
		ps->open = hc_realloc(ps->open, (ps->nopen + 1) *
				      sizeof(*ps->open));
		ps->open[ps->nopen] = (struct open_node){ ps->p->cpus,
			ps->p->mem_mb, ps->p->gpus };
		tree_grow(ps);
		tree_set(ps, ps->nopen++);
	}
}

/* The pool's booting nodes, then its idle ones, as open nodes, then the
 * jobs waiting for booting nodes packed there (in the first pool whose
 * booting and idle nodes hold one whole), so that what they leave takes
 * candidates first. */
static void
boot_open(struct pool_state *ps, size_t npools, const struct burst_job *jobs,
	  size_t njobs)
{
	for (size_t i = 0; i < npools; i++) {
		open_whole(&ps[i], ps[i].p->booting);
		ps[i].nboot = ps[i].nopen;
		open_whole(&ps[i], ps[i].p->nidle);
		ps[i].nidle = ps[i].p->nidle;
		ps[i].idle_used = hc_calloc(ps[i].nidle + 1, sizeof(bool));
	}
	for (size_t k = 0; k < njobs; k++) {
		uint32_t nodes;
		if (!jobs[k].booting)
			continue;
		for (size_t i = 0; i < npools; i++)
			if (ps[i].nboot && pool_allows(ps[i].p, &jobs[k]) &&
			    burst_fits(ps[i].p, jobs[k].job, &nodes) &&
			    pool_place(&ps[i], jobs[k].job, nodes,
				       false) == 0) {
				pool_place(&ps[i], jobs[k].job, nodes, true);
				break;
			}
	}
}

/* Job k was packed on pool p: where (the new nodes its pool state took,
 * and apart the booting nodes it took; an idle one is left out). */
static void
place_note(struct burst_decision *out, size_t k, const struct pool_state *ps,
	   size_t npools, const struct burst_pool *p, size_t *cap)
{
	size_t i = 0;

	while (i < npools && ps[i].p != p)
		i++;
	if (i == npools)
		return;
	if (out->nplace + ps[i].ntook > *cap ||
	    out->nboot_place + ps[i].ntook > *cap) {
		*cap = 2 * (*cap + ps[i].ntook);
		out->place = hc_realloc(out->place, *cap *
					sizeof(*out->place));
		out->boot_place = hc_realloc(out->boot_place, *cap *
					     sizeof(*out->boot_place));
	}
	out->boot_first[k] = (uint32_t)out->nboot_place;
	for (size_t t = 0; t < ps[i].ntook; t++)
		if (ps[i].took[t] < ps[i].nboot)
			out->boot_place[out->nboot_place++] = ps[i].took[t];
	out->boot_count[k] = (uint32_t)out->nboot_place - out->boot_first[k];
	out->place_first[k] = (uint32_t)out->nplace;
	for (size_t t = 0; t < ps[i].ntook; t++)
		if (ps[i].took[t] >= ps[i].nboot + ps[i].nidle)
			out->place[out->nplace++] = ps[i].took[t] -
				(uint32_t)(ps[i].nboot + ps[i].nidle);
	out->place_count[k] = (uint32_t)out->nplace - out->place_first[k];
}

/* The idle nodes of pool ps that jobs took: out->keep. */
static void
keep_note(struct burst_decision *out, const struct pool_state *ps)
{
	for (size_t k = 0; k < ps->nidle; k++) {
		if (!ps->idle_used[k])
			continue;
		out->keep = hc_realloc(out->keep, (out->nkeep + 1) *
				       sizeof(*out->keep));
		out->keep[out->nkeep++] = ps->p->idle_nodes[k];
	}
}

int
burst_decide(time_t now, const struct burst_pool *pools, size_t npools,
	     const struct burst_job *jobs, size_t njobs,
	     const struct burst_budget *budgets, size_t nbudgets,
	     struct burst_decision *out)
{
	struct pool_state *ps = hc_calloc(npools ? npools : 1, sizeof(*ps));
	size_t cap = 0;
	double *lm = hc_calloc(nbudgets + 1, sizeof(double));
	double *lc = hc_calloc(nbudgets + 1, sizeof(double));

	memset(out, 0, sizeof(*out));
	out->job_pool = hc_calloc(njobs + 1, sizeof(int));
	out->reason = hc_calloc(njobs + 1, sizeof(*out->reason));
	out->pool_nodes = hc_calloc(npools + 1, sizeof(uint32_t));
	out->place_first = hc_calloc(njobs + 1, sizeof(uint32_t));
	out->place_count = hc_calloc(njobs + 1, sizeof(uint32_t));
	out->boot_first = hc_calloc(njobs + 1, sizeof(uint32_t));
	out->boot_count = hc_calloc(njobs + 1, sizeof(uint32_t));
	for (size_t i = 0; i < nbudgets; i++) {
		lm[i] = budgets[i].node_mins_left;
		lc[i] = budgets[i].cost_left;
	}
	for (size_t i = 0; i < npools; i++) {
		ps[i].p = &pools[i];
		ps[i].room = pools[i].room > 0 ? pools[i].room : 0;
	}
	qsort(ps, npools, sizeof(*ps), cost_cmp);
	boot_open(ps, npools, jobs, njobs);
	for (size_t k = 0; k < njobs; k++) {
		const struct sched_job *j = jobs[k].job;
		out->job_pool[k] = -1;
		if (jobs[k].booting) {
			snprintf(out->reason[k], SCHED_REASON_LEN,
				 "NodeBooting");
			continue;
		}
		if (j->held || !waits_for_resources(j))
			continue;
		out->job_pool[k] = job_decide(now, ps, npools, pools,
					      &jobs[k], budgets, nbudgets, lm,
					      lc, out->reason[k],
					      SCHED_REASON_LEN);
		if (out->job_pool[k] >= 0) {
			snprintf(out->reason[k], SCHED_REASON_LEN,
				 "NodeBooting");
			place_note(out, k, ps, npools,
				   &pools[out->job_pool[k]], &cap);
		}
	}
	for (size_t i = 0; i < npools; i++) {
		size_t pi = (size_t)(ps[i].p - pools);
		out->pool_nodes[pi] = (uint32_t)(ps[i].nopen - ps[i].nboot -
						 ps[i].nidle);
		out->total += out->pool_nodes[pi];
		keep_note(out, &ps[i]);
		free(ps[i].idle_used);
		free(ps[i].open);
		free(ps[i].tree);
		free(ps[i].took);
	}
	free(ps);
	free(lm);
	free(lc);
	return 0;
}

void
burst_cloud_allow(const struct burst_pool *pools, size_t npools,
		  const struct burst_job *jobs, size_t njobs,
		  const struct burst_budget *b, size_t nb, bool *allow)
{
	double *lm = hc_calloc(nb + 1, sizeof(double));
	double *lc = hc_calloc(nb + 1, sizeof(double));
	char why[SCHED_REASON_LEN];

	for (size_t i = 0; i < nb; i++) {
		lm[i] = b[i].node_mins_left;
		lc[i] = b[i].cost_left;
	}
	for (size_t k = 0; k < njobs; k++) {
		const struct sched_job *j = jobs[k].job;
		double price = -1, mins;
		uint32_t nodes;

		allow[k] = true;
		if (jobs[k].booting || !nb)
			continue;
		for (size_t i = 0; i < npools; i++)
			if (pool_allows(&pools[i], &jobs[k]) &&
			    burst_fits(&pools[i], j, &nodes) &&
			    pools[i].cost_per_hour > price)
				price = pools[i].cost_per_hour;
		if (price < 0)
			continue;	/* no pool takes it */
		mins = burst_worst_mins(j);
		if (!budget_ok(&jobs[k], lm, lc, b, nb, mins,
			       mins / 60.0 * price, why, sizeof(why))) {
			allow[k] = false;
			continue;
		}
		budget_charge(&jobs[k], lm, lc, b, nb, mins,
			      mins / 60.0 * price);
	}
	free(lm);
	free(lc);
}

void
burst_decision_free(struct burst_decision *d)
{
	if (!d)
		return;
	free(d->job_pool);
	free(d->reason);
	free(d->pool_nodes);
	free(d->place_first);
	free(d->place_count);
	free(d->place);
	free(d->keep);
	free(d->boot_first);
	free(d->boot_count);
	free(d->boot_place);
	memset(d, 0, sizeof(*d));
}

void
burst_plan_keep(const struct sched_plan *plan, size_t nnodes, time_t *keep)
{
	memset(keep, 0, nnodes * sizeof(*keep));
	for (size_t i = 0; plan && i < plan->nplanned; i++) {
		const struct sched_plan_entry *e = &plan->planned[i];
		for (uint32_t k = 0; k < e->nnodes; k++) {
			uint32_t x = e->nodes[k];
			if (x < nnodes && (!keep[x] || e->start < keep[x]))
				keep[x] = e->start;
		}
	}
}

void
burst_decision_keep(const struct burst_decision *d, time_t now,
		    size_t nnodes, time_t *keep)
{
	for (size_t i = 0; d && i < d->nkeep; i++)
		if (d->keep[i] < nnodes && (!keep[d->keep[i]] ||
					    now < keep[d->keep[i]]))
			keep[d->keep[i]] = now;
}
