/*
 * power_boot: what hcctld keeps per scheduling pass so that looking a job
 * or a node up costs no walk over every job or every node:
 *   - the booting nodes that remember each job ((job id, node) pairs,
 *     sorted once per pass; a job's booting tasks are a binary search and
 *     its own nodes), and the jobs a node about to start remembers (those
 *     the decision packed on it, copied at once, not merged one by one);
 *   - the keep-idle index (burst_plan_keep() of libhcsched): the earliest
 *     start the last pass planned on each node, so that the check of an
 *     idle node past SuspendTime (power_tick, four times a second) is one
 *     look-up, whatever the number of pending jobs; the idle nodes the
 *     burst decision holds for multi-node jobs waiting for their other
 *     nodes are added to it (power_keep_decision).
 * bench/burst measures the decision and the keep check at scale.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "burst.h"
#include "conf.h"
#include "ctld.h"
#include "jobs.h"
#include "log.h"
#include "nodes.h"
#include "power.h"
#include "power_int.h"
#include "sched_snap.h"
#include "states.h"

/* The booting nodes that remember each job: (job id, node index) pairs
 * sorted, built once per pass, so that a job's booting tasks cost a binary
 * search and its own nodes rather than a walk over every node's list. */
static int
pair_cmp(const void *a, const void *b)
{
	const struct boot_pair *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->node < y->node ? -1 : (x->node > y->node);
}

size_t
power_boot_first(const struct boot_pair *pairs, size_t np, uint32_t id)
{
	size_t lo = 0, hi = np;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pairs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct boot_pair *
power_boot_pairs(struct nodes *ns, size_t *np)
{
	struct boot_pair *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < nodes_count(ns); i++) {
		struct node *nd = nodes_at(ns, i);
		if (!(nd->flags & NODE_F_POWERING_UP))
			continue;
		for (uint32_t k = 0; k < nd->nboot_jobs; k++) {
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				v = hc_realloc(v, cap * sizeof(*v));
			}
			v[n++] = (struct boot_pair){ nd->boot_jobs[k],
						     (uint32_t)i };
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), pair_cmp);
	*np = n;
	return v;
}

/* How many tasks shaped as sj the booting nodes that remember job id
 * hold (pairs: power_boot_pairs()): a node takes as many one-node tasks as its
 * CPUs and GPUs allow (at least one); a multi-node task takes nodes_min of
 * them. */
uint32_t
power_tasks_booting(struct nodes *ns, const struct boot_pair *pairs, size_t np,
	      uint32_t id, const struct sched_job *sj)
{
	uint32_t tasks = sj->ntasks ? sj->ntasks : 1;
	uint32_t per = sj->nodes_min ? sj->nodes_min : 1;
	uint32_t cpus = (tasks + per - 1) / per *
			(sj->cpus_per_task ? sj->cpus_per_task : 1);
	uint32_t held = 0, nodes = 0;
	size_t lo = power_boot_first(pairs, np, id);

	for (; lo < np && pairs[lo].id == id; lo++) {
		struct node *n = nodes_at(ns, pairs[lo].node);
		uint32_t fit = 1;
		if (cpus && n->cpus / cpus > fit)
			fit = n->cpus / cpus;
		if (sj->gpus_per_node && n->gpu_count / sj->gpus_per_node < fit)
			fit = n->gpu_count / sj->gpus_per_node;
		held += fit ? fit : 1;
		nodes++;
	}
	if (per > 1)	/* one of its nodes registered: still booting */
		return nodes && nodes < per ? 1 : nodes / per;
	return held;
}

/* Node n (about to start) remembers jobs u[0..nu) (unique): copied at
 * once into an empty list (a node leaves the pool with none), merged one
 * by one otherwise. Each job given to every node of the pool one by one
 * cost nodes x jobs^2. */
void
power_boot_jobs_add(struct node *n, const uint32_t *u, size_t nu)
{
	if (n->nboot_jobs || !nu) {
		for (size_t k = 0; k < nu; k++)
			power_node_boot_job(n, u[k]);
		return;
	}
	n->boot_jobs = hc_realloc(n->boot_jobs, nu * sizeof(*n->boot_jobs));
	memcpy(n->boot_jobs, u, nu * sizeof(*u));
	n->nboot_jobs = (uint32_t)nu;
}

static int
pair_node_cmp(const void *a, const void *b)
{
	const struct boot_pair *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return x->id < y->id ? -1 : (x->id > y->id);
}

void
power_boot_assign(struct node **v, struct boot_pair *pr, size_t n)
{
	uint32_t *u = hc_calloc(n ? n : 1, sizeof(*u));
	size_t i = 0;

	qsort(pr, n, sizeof(*pr), pair_node_cmp);
	while (i < n) {
		uint32_t node = pr[i].node;
		size_t nu = 0;
		for (; i < n && pr[i].node == node; i++)
			if (!nu || u[nu - 1] != pr[i].id)
				u[nu++] = pr[i].id;
		power_boot_jobs_add(v[node], u, nu);
	}
	free(u);
}

/* The keep-idle index of pass s: built once per pass (O(planned nodes)),
 * so that the check of each idle node is a look-up; a scan of the pending
 * jobs for every idle node past SuspendTime cost jobs x nodes every 0.25 s
 * tick (bench/burst). */
void
power_keep_build(struct power *pw, const struct sched_snap *s)
{
	struct power_keep *k = power_keep_of(pw);

	if (k->n < s->nnodes) {
		free(k->start);
		k->start = hc_calloc(s->nnodes ? s->nnodes : 1,
				     sizeof(*k->start));
	}
	k->n = s->nnodes;
	k->epoch = s->epoch;
	burst_plan_keep(&s->plan, k->n, k->start);
}

void
power_keep_decision(struct power *pw, const struct burst_decision *d,
		    time_t now)
{
	struct power_keep *k = power_keep_of(pw);

	if (k->start)
		burst_decision_keep(d, now, k->n, k->start);
}

/* The nodes power_tick would count idle (and stop after SuspendTime). */
uint32_t *
power_idle_nodes(struct nodes *ns, const char *pool, uint32_t *np)
{
	uint32_t *v = NULL, n = 0;

	for (size_t i = 0; i < nodes_count(ns); i++) {
		struct node *nd = nodes_at(ns, i);
		if (!nd->cn->pool || strcmp(nd->cn->pool, pool) ||
		    !nd->registered || !nd->conn || nd->njobs ||
		    nd->power_busy || nd->base != NODE_IDLE ||
		    (nd->flags & (NODE_F_DRAIN | NODE_F_POWERING_DOWN |
				  NODE_F_POWERING_UP)))
			continue;
		v = hc_realloc(v, (n + 1) * sizeof(*v));
		v[n++] = nd->index;
	}
	*np = n;
	return v;
}

void
power_plan_none(struct power *pw)
{
	power_keep_of(pw)->n = 0;
}

bool
power_node_planned(struct power *pw, const struct node *n, time_t until)
{
	const struct power_keep *k = power_keep_of(pw);
	time_t t;

	if (!k->start || n->index >= k->n ||
	    k->epoch != nodes_epoch(power_ctld(pw)->nodes))
		return false;
	t = k->start[n->index];
	return t && t <= until;
}
