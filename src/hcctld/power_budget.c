/*
 * power_budget: the accounts' cloud budgets (GrpCloudNodeMins,
 * GrpCloudCost) held ahead, as GrpResMins is (burst.h has the rules):
 *
 *  - a running job holds its share of each cloud node it has (its CPUs /
 *    the node's CPUs) x its time limit (an hour with none), at the pool's
 *    price; a job a booting node was started for holds its whole nodes x
 *    time limit at that pool's price. power_budget_holds adds these to
 *    what the accounts were charged, so that the burst decision and the
 *    pass see only what is really left. Holds are derived from the jobs
 *    and the nodes' boot_jobs, never stored: a restarted controller has
 *    them again from its first pass.
 *  - before each pass (a snapshot builder), burst_cloud_allow says which
 *    pending jobs their budgets let use cloud nodes; the others get
 *    sched_job.no_cloud, so that the pass never places them on a cloud
 *    node (idle, or started for another job): they run on-premise only.
 *  - before each pass, too, the pools' Accounts= (burst_pool_deny) give
 *    each pending job the pools whose nodes are not for it
 *    (sched_job.pool_deny) and each pool node its pool (sched_node.pool):
 *    a node up is never used by a job the pool would not have started it
 *    for.
 *  - when a job ends its hold goes, and accounts_job_end and power_job_end
 *    charge its share of each cloud node x the minutes it ran
 *    (power_job_share), so the charges of jobs sharing a node sum to the
 *    node's time while they held it; boot and idle time are the pool's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "burst.h"
#include "conf.h"
#include "ctld.h"
#include "job.h"
#include "jobs.h"
#include "jobs_int.h"
#include "log.h"
#include "nodes.h"
#include "power.h"
#include "power_int.h"
#include "sched_snap.h"
#include "states.h"

double
power_job_share(const struct job_node *a)
{
	return burst_share(a->ncpus, a->node ? a->node->cpus : 0);
}

static long
limit_s(const struct job *j)
{
	return j->time_limit > 0 ? j->time_limit * 60 : 0;
}

/* Add mins (and their cost) to every budget of j's chain. */
static void
hold_add(struct ctld *c, const struct job *j, const struct burst_budget *b,
	 size_t nb, double *mins, double *cost, double m, double price)
{
	const char *chain[POWER_CHAIN_MAX + 1];

	power_chain_fill(c, j, chain);
	for (size_t k = 0; chain[k]; k++)
		for (size_t i = 0; i < nb; i++)
			if (!strcmp(b[i].account, chain[k])) {
				mins[i] += m;
				cost[i] += m / 60.0 * price;
			}
}

/* A running job: its share of each cloud node x time limit, per pool. */
static void
hold_running(struct ctld *c, const struct job *j,
	     const struct burst_budget *b, size_t nb, double *mins,
	     double *cost)
{
	for (uint32_t k = 0; k < j->nalloc; k++) {
		const struct node *n = j->alloc[k].node;
		const struct conf_pool *cp = n && n->cn && n->cn->pool ?
			conf_pool_find(c->conf, n->cn->pool) : NULL;
		if (!cp || j->alloc[k].ended)
			continue;
		hold_add(c, j, b, nb, mins, cost,
			 burst_hold_mins(power_job_share(&j->alloc[k]),
					 limit_s(j)), cp->cost);
	}
}

/* A booting cloud node that remembers job id, or NULL (pairs: sorted,
 * power_boot_pairs: a binary search, not a walk over the nodes). */
static const struct node *
booting_for(struct nodes *ns, const struct boot_pair *pairs, size_t np,
	    uint32_t id)
{
	size_t lo = power_boot_first(pairs, np, id);

	for (; lo < np && pairs[lo].id == id; lo++) {
		const struct node *n = nodes_at(ns, pairs[lo].node);
		if (n->cn->pool)
			return n;
	}
	return NULL;
}

void
power_budget_holds(struct ctld *c, const struct burst_budget *b, size_t nb,
		   double *mins, double *cost)
{
	struct jobs *js = c->jobs;
	size_t np = 0;
	struct boot_pair *pairs = nb ? power_boot_pairs(c->nodes, &np) : NULL;

	for (size_t i = 0; nb && js && i < js->n; i++) {
		const struct job *j = js->v[i];
		const struct node *n;
		const struct conf_pool *cp;
		if ((j->state == JOB_CONFIGURING || j->state == JOB_RUNNING ||
		     j->state == JOB_COMPLETING) && j->nalloc)
			hold_running(c, j, b, nb, mins, cost);
		else if (j->state == JOB_PENDING &&
			 (n = booting_for(c->nodes, pairs, np, j->id)) &&
			 (cp = conf_pool_find(c->conf, n->cn->pool)))
			hold_add(c, j, b, nb, mins, cost, burst_hold_mins(
				 j->nodes_min ? j->nodes_min : 1,
				 limit_s(j)), cp->cost);
	}
	free(pairs);
}

/* The snapshot's jobs (their last pass's priority) as burst_cloud_allow
 * wants them; entries whose live job is gone are left out. */
static size_t
allow_jobs(struct ctld *c, struct jobs *js, struct sched_snap *s,
	   struct burst_job *bj, const char *(*chains)[POWER_CHAIN_MAX + 1])
{
	size_t nj = 0, np = 0;
	struct boot_pair *pairs = power_boot_pairs(c->nodes, &np);

	for (size_t k = 0; k < s->njobs; k++) {
		struct job *j = jobs_find(js, s->refs[k].id);
		if (!j)
			continue;
		s->jobs[k].priority = j->priority;
		power_chain_fill(c, j, chains[nj]);
		bj[nj].job = &s->jobs[k];
		bj[nj].accounts = chains[nj];
		bj[nj].booting = booting_for(c->nodes, pairs, np, j->id) !=
				 NULL;
		nj++;
	}
	free(pairs);
	qsort(bj, nj, sizeof(*bj), power_burst_prio_cmp);
	return nj;
}

/* The pools' Accounts= in the snapshot: each pool node's pool, each
 * job's pool_deny (its account and ancestors, as the burst decision
 * takes them). Only when some pool has Accounts=. */
static void
snap_pool_deny(struct sched_snap *s, struct jobs *js)
{
	struct ctld *c = js->c;
	size_t np = c->conf->pool_count;
	struct burst_pool *bp = hc_calloc(np ? np : 1, sizeof(*bp));
	const char *chain[POWER_CHAIN_MAX + 1];
	bool any = false;

	for (size_t i = 0; i < np && i < 64; i++) {
		const struct conf_pool *cp = &c->conf->pools[i];
		bp[i].accounts = (const char *const *)cp->accounts;
		any |= bp[i].accounts != NULL;
	}
	for (size_t i = 0; any && i < s->nnodes; i++) {
		const struct node *n = nodes_at(c->nodes, i);
		for (size_t p = 0; n->cn && n->cn->pool && p < np && p < 64;
		     p++)
			if (!strcmp(n->cn->pool, c->conf->pools[p].name)) {
				s->nodes[i].pool = (uint32_t)p + 1;
				s->nodes[i].pool_name =
					sched_snap_strdup(s, n->cn->pool);
				break;
			}
	}
	for (size_t k = 0; any && k < s->njobs; k++) {
		const struct job *j = jobs_find(js, s->refs[k].id);
		if (!j)
			continue;
		power_chain_fill(c, j, chain);
		s->jobs[k].pool_deny = burst_pool_deny(bp, np, chain);
	}
	free(bp);
}

void
power_snap_cloud(struct sched_snap *s, struct jobs *js)
{
	struct ctld *c = js->c;
	size_t np = c->conf->pool_count, nb = 0, nj;
	struct burst_budget *b;
	struct burst_pool *bp;
	struct burst_job *bj;
	const char *(*chains)[POWER_CHAIN_MAX + 1];
	char (*why)[SCHED_REASON_LEN];
	bool *allow;

	if (!c->power || !np || !s->njobs)
		return;
	snap_pool_deny(s, js);
	b = power_budgets_build(c, &nb);
	if (!nb) {
		free(b);
		return;
	}
	bp = hc_calloc(np, sizeof(*bp));
	why = hc_calloc(np, sizeof(*why));
	for (size_t i = 0; i < np; i++)
		power_pool_view(c->power, &c->conf->pools[i], s->now, &bp[i],
				why[i], sizeof(why[i]));
	bj = hc_calloc(s->njobs, sizeof(*bj));
	chains = hc_calloc(s->njobs, sizeof(*chains));
	allow = hc_calloc(s->njobs, sizeof(*allow));
	nj = allow_jobs(c, js, s, bj, chains);
	burst_cloud_allow(bp, np, bj, nj, b, nb, allow);
	for (size_t k = 0; k < nj; k++)
		s->jobs[bj[k].job - s->jobs].no_cloud = !allow[k];
	free(allow);
	free(chains);
	free(bj);
	free(why);
	free(bp);
	free(b);
}
