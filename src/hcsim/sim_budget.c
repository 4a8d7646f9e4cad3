/*
 * sim_budget: hcsim's cloud budgets (--accounts with --cloud), as hcctld
 * applies them (power_budget.c, power_burst.c; the rules in burst.h).
 * Each job is offered with its account and that account's ancestors, and
 * the decision gets every account's GrpCloudNodeMins/GrpCloudCost less
 * what its subtree's ended jobs were charged and less what its jobs hold
 * (sim_acct.c). Holds are rebuilt before each pass and decision from the
 * jobs (cloud_holds): a running job holds its share of each cloud node
 * (its processors / the node's) x its time limit, a job waiting on a
 * booting node its whole nodes x time limit, at the pool's price. Before
 * the pass, burst_cloud_allow marks the jobs whose worst case their
 * budgets cannot take (no_cloud: the pass places them on local
 * processors only); a job that ends is charged its share of each cloud
 * node x the time it ran. So no budget is charged past its limit, in
 * hcctld as here. The pool's Accounts= (from hc.conf) keep other
 * accounts' jobs off its nodes, to start them or once up (pool_deny).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "burst.h"
#include "log.h"
#include "sim_acct.h"
#include "sim_int.h"

static int
prio_cmp(const void *a, const void *b)
{
	const struct sched_job *x = ((const struct burst_job *)a)->job;
	const struct sched_job *y = ((const struct burst_job *)b)->job;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->submit_time != y->submit_time)
		return x->submit_time < y->submit_time ? -1 : 1;
	return x->id < y->id ? -1 : (x->id > y->id);
}

/* The pool as burst_decide wants it, with `room` nodes to start and
 * `booting` starting. */
struct burst_pool
cloud_pool(const struct sim *x, long room, uint32_t booting, const char *why)
{
	const struct sim_cloud *c = x->o->cloud;

	return (struct burst_pool){ .name = c->pool, .cpus = c->procs,
		.queue_mask = 1, .boot_s = c->boot, .burst_after = c->after,
		.cost_per_hour = c->cost, .room = room, .booting = booting,
		.room_why = why, .accounts = c->accounts };
}

/* Job k's share of the cloud nodes it holds (0: none). */
static double
cloud_shares(const struct sim *x, const struct sim_job *j)
{
	double s = 0;

	for (uint32_t n = 0; n < j->nnodes; n++)
		if (j->alloc[n].node >= x->nlocal)
			s += burst_share(j->alloc[n].ncpus,
					 x->o->cloud->procs);
	return s;
}

static bool
job_booting(const struct sim *x, const struct sim_job *j)
{
	return j->boot_node >= 0 && x->cn[j->boot_node].state == CN_BOOTING;
}

/* Every account's holds, from the running and the booting jobs. */
static void
cloud_holds(struct sim *x)
{
	struct sim_acct *a = x->o->acct;
	double price = x->o->cloud->cost, mins;

	sim_acct_cloud_unhold(a);
	for (size_t r = 0; r < x->nrunning; r++) {
		const struct sim_job *j = &x->jobs[x->runjob[r]];
		double s = cloud_shares(x, j);
		if (s <= 0)
			continue;
		mins = burst_hold_mins(s, (long)j->est);
		sim_acct_cloud_hold(a, sim_acct_assoc(a, j->w->user), mins,
				    mins / 60.0 * price);
	}
	for (size_t k = 0; k < x->npend; k++) {
		const struct sim_job *j = &x->jobs[x->pend[k].id];
		if (!job_booting(x, j))
			continue;
		mins = burst_worst_mins(&x->pend[k]);
		sim_acct_cloud_hold(a, x->pend[k].assoc, mins,
				    mins / 60.0 * price);
	}
}

/* The pending jobs in priority order (the last pass's), with their
 * accounts' chains (chains: npend entries) and whether they wait on a
 * booting node. */
struct burst_job *
cloud_jobs(struct sim *x, const char *(*chains)[SIM_ACCT_CHAIN_MAX])
{
	struct burst_job *bj = hc_calloc(x->npend + 1, sizeof(*bj));

	for (size_t k = 0; k < x->npend; k++) {
		bj[k].job = &x->pend[k];
		bj[k].booting = job_booting(x, &x->jobs[x->pend[k].id]);
		if (chains) {
			sim_acct_cloud_chain(x->o->acct, x->pend[k].assoc,
					     chains[k], SIM_ACCT_CHAIN_MAX);
			bj[k].accounts = chains[k];
		}
	}
	qsort(bj, x->npend, sizeof(*bj), prio_cmp);
	return bj;
}

/* The pool's Accounts= (hc.conf): each pending job's pool_deny, from its
 * account and ancestors (none without --accounts), as hcctld's snapshot
 * sets it, so that a job the pool would start no node for is not placed
 * on one up either. */
static void
cloud_deny(struct sim *x)
{
	const char *chain[SIM_ACCT_CHAIN_MAX];
	struct burst_pool p = cloud_pool(x, 0, 0, "");

	for (size_t k = 0; p.accounts && k < x->npend; k++) {
		chain[0] = NULL;
		if (x->o->acct)
			sim_acct_cloud_chain(x->o->acct, x->pend[k].assoc,
					     chain, SIM_ACCT_CHAIN_MAX);
		x->pend[k].pool_deny = burst_pool_deny(&p, 1, chain);
	}
}

void
cloud_allow(struct sim *x)
{
	struct sim_acct *a = x->o->acct;
	struct burst_pool p;
	struct burst_budget *b;
	struct burst_job *bj;
	const char *(*chains)[SIM_ACCT_CHAIN_MAX];
	bool *allow;
	size_t nb;

	if (!x->cn || !x->npend)
		return;
	cloud_deny(x);
	if (!a)
		return;
	cloud_holds(x);
	b = hc_calloc(sim_acct_count(a) + 1, sizeof(*b));
	if (!(nb = sim_acct_cloud_budgets(a, b))) {
		free(b);
		return;
	}
	p = cloud_pool(x, 0, 0, "");
	chains = hc_calloc(x->npend, sizeof(*chains));
	bj = cloud_jobs(x, chains);
	allow = hc_calloc(x->npend + 1, sizeof(*allow));
	burst_cloud_allow(&p, 1, bj, x->npend, b, nb, allow);
	for (size_t k = 0; k < x->npend; k++)
		x->pend[bj[k].job - x->pend].no_cloud = !allow[k];
	free(allow);
	free(bj);
	free(chains);
	free(b);
}

/* The decision under the accounts' budgets (none without --accounts);
 * the refusals a budget made are counted. */
void
cloud_budgets_decide(struct sim *x, int64_t now,
		     const struct burst_pool *p, struct burst_job *bj,
		     struct burst_decision *d)
{
	struct sim_acct *a = x->o->acct;
	size_t nb = 0, nj = x->npend;
	struct burst_budget *b = NULL;
	const char *(*chains)[SIM_ACCT_CHAIN_MAX] = NULL;

	if (a) {
		cloud_holds(x);
		b = hc_calloc(sim_acct_count(a) + 1, sizeof(*b));
		nb = sim_acct_cloud_budgets(a, b);
		chains = hc_calloc(nj, sizeof(*chains));
		for (size_t k = 0; k < nj; k++) {
			sim_acct_cloud_chain(a, bj[k].job->assoc, chains[k],
					     SIM_ACCT_CHAIN_MAX);
			bj[k].accounts = chains[k];
		}
	}
	burst_decide((time_t)now, p, 1, bj, nj, b, nb, d);
	for (size_t k = 0; k < nj; k++) {
		struct sim_job *j = &x->jobs[bj[k].job->id];
		const char *who = strchr(d->reason[k], ':');
		if (strncmp(d->reason[k], "GrpCloud", 8) || !who)
			continue;
		sim_acct_cloud_refused(a, who + 1);
		x->st->cloud_budget_refusals++;
		if (!j->budget_refused)
			x->st->cloud_budget_jobs++;
		j->budget_refused = true;
	}
	free(chains);
	free(b);
}

void
cloud_job_end(struct sim *x, uint32_t k)
{
	const struct sim_job *j = &x->jobs[k];
	double mins;

	if (!x->cn || !x->o->acct || cloud_shares(x, j) <= 0)
		return;
	mins = cloud_shares(x, j) * (double)j->run / 60.0;
	sim_acct_cloud_charge(x->o->acct, sim_acct_assoc(x->o->acct,
							 j->w->user),
			      mins, mins / 60.0 * x->o->cloud->cost);
}
