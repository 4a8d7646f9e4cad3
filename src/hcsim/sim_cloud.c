/*
 * sim_cloud: hcsim --cloud, a cloud pool in the replay. Its nodes are
 * appended to the machine, unusable while not started; after every pass
 * the burst decision of libhcsched (burst.h: the code hcctld runs) says
 * how many to start; a started node becomes usable `boot` seconds later (an
 * event), and one idle for `suspend` seconds is released (an event). Cost
 * counts from start to release, as CostPerNodeHour does in hcctld.
 *
 * Limits, as hcctld's power_pool_room: `rate` (ResumeRate, N per period)
 * counts the starts of the last period, `max` (MaxNodes) the nodes booting
 * or up; the room left goes to the decision. Jobs the rate held back are
 * decided again when the oldest start of the period leaves it (an event).
 *
 * Budgets (--accounts): each job is offered with its account and that
 * account's ancestors, and the decision gets every account's
 * GrpCloudNodeMins/GrpCloudCost less what its subtree's ended jobs used
 * and hold (sim_acct.c), as hcctld's power_burst.c gives them. Holds are
 * rebuilt before each pass from the jobs (cloud_holds): a running job
 * holds its share of each cloud node (its CPUs / the node's) x its time
 * limit, a job waiting on a booting node its whole nodes x time limit,
 * at the pool's price. Before the pass, burst_cloud_allow marks the jobs
 * whose worst case their budgets cannot take (no_cloud: the pass places
 * them on local nodes only); a job that ends is charged its share of each
 * cloud node x the minutes it ran. So no budget is charged past its
 * limit, in hcctld as here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "burst.h"
#include "log.h"
#include "sim_acct.h"
#include "sim_int.h"

void
cloud_build(struct sim *x)
{
	const struct sim_cloud *c = x->o->cloud;
	size_t n0 = x->m.nnodes;

	x->nlocal = n0;
	if (!c || !c->nodes)
		return;
	x->m.nodes = hc_realloc(x->m.nodes, (n0 + c->nodes) *
				sizeof(*x->m.nodes));
	x->cn = hc_calloc(c->nodes, sizeof(*x->cn));
	for (uint32_t i = 0; i < c->nodes; i++) {
		snprintf(x->cn[i].name, sizeof(x->cn[i].name), "c%u", i + 1);
		x->m.nodes[n0 + i] = (struct sched_node){
			.name = x->cn[i].name, .index = (uint32_t)(n0 + i),
			.usable = false, .cpus = c->procs,
			.cpu_used = hc_calloc(c->procs, 1), .queue_mask = 1,
			.cloud = true,
		};
	}
	x->m.nnodes = n0 + c->nodes;
}

int64_t
cloud_next(const struct sim *x)
{
	const struct sim_cloud *c = x->o->cloud;
	int64_t t = x->rate_until ? x->rate_until : INT64_MAX;

	for (size_t i = 0; x->cn && i < c->nodes; i++) {
		const struct cloud_node *n = &x->cn[i];
		if (n->state == CN_BOOTING && n->until < t)
			t = n->until;
		if (n->state == CN_UP && n->idle_since &&
		    n->idle_since + c->suspend < t)
			t = n->idle_since + c->suspend;
	}
	return t;
}

void
cloud_events(struct sim *x, int64_t now)
{
	const struct sim_cloud *c = x->o->cloud;

	for (size_t i = 0; x->cn && i < c->nodes; i++) {
		struct cloud_node *n = &x->cn[i];
		struct sched_node *sn = &x->m.nodes[x->nlocal + i];
		if (n->state == CN_BOOTING && n->until <= now) {
			n->state = CN_UP;
			n->idle_since = now;
			sn->usable = true;
		} else if (n->state == CN_UP && n->idle_since &&
			   !sn->running_jobs &&
			   n->idle_since + c->suspend <= now) {
			x->cloud_secs += (double)(now - n->resumed);
			n->state = CN_CLOUD;
			sn->usable = false;
		}
	}
}

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

/* Start `want` nodes for the jobs d gave the pool. */
static void
cloud_start(struct sim *x, int64_t now, uint32_t want,
	    const struct burst_job *bj, size_t nj,
	    const struct burst_decision *d)
{
	const struct sim_cloud *c = x->o->cloud;
	int32_t first = -1;

	for (size_t i = 0; i < c->nodes && want; i++) {
		struct cloud_node *n = &x->cn[i];
		if (n->state != CN_CLOUD)
			continue;
		n->state = CN_BOOTING;
		n->until = now + c->boot;
		n->resumed = now;
		n->idle_since = 0;
		if (first < 0)
			first = (int32_t)i;
		x->starts = hc_realloc(x->starts, (x->nstarts + 1) *
				       sizeof(*x->starts));
		x->starts[x->nstarts++] = now;
		x->st->cloud_starts++;
		want--;
	}
	for (size_t k = 0; k < nj && first >= 0; k++)
		if (d->job_pool[k] == 0)
			x->jobs[bj[k].job->id].boot_node = first;
}

/* What the pool's limits leave of `room` unstarted nodes: MaxNodes less
 * the nodes booting or up, ResumeRate less the starts of its period (then
 * x->rate_until: when the oldest of those leaves it). */
static long
cloud_room(struct sim *x, int64_t now, long room, long active,
	   const char **why)
{
	const struct sim_cloud *c = x->o->cloud;
	long recent = 0;
	int64_t oldest = INT64_MAX;

	*why = "CloudMaxNodes";
	x->rate_until = 0;
	if (c->max_nodes && c->max_nodes - active < room)
		room = c->max_nodes - active;
	if (!c->rate_count || room <= 0)
		return room > 0 ? room : 0;
	for (size_t i = 0; i < x->nstarts; i++)
		if (now - x->starts[i] < c->rate_period) {
			recent++;
			if (x->starts[i] < oldest)
				oldest = x->starts[i];
		}
	if (c->rate_count - recent < room) {
		room = c->rate_count - recent;
		*why = "ResumeRate";
	}
	if (room <= 0) {
		x->rate_until = oldest + c->rate_period;
		return 0;
	}
	return room;
}

/* The pool as burst_decide wants it, with `room` nodes to start and
 * `booting` starting. */
static struct burst_pool
cloud_pool(const struct sim *x, long room, uint32_t booting, const char *why)
{
	const struct sim_cloud *c = x->o->cloud;

	return (struct burst_pool){ .name = c->pool, .cpus = c->procs,
		.queue_mask = 1, .boot_s = c->boot, .burst_after = c->after,
		.cost_per_hour = c->cost, .room = room, .booting = booting,
		.room_why = why };
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
static struct burst_job *
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

	if (!x->cn || !a || !x->npend)
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
static void
budgets_decide(struct sim *x, int64_t now, const struct burst_pool *p,
	       struct burst_job *bj, struct burst_decision *d)
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
cloud_decide(struct sim *x, int64_t now)
{
	const struct sim_cloud *c = x->o->cloud;
	struct burst_pool p;
	struct burst_job *bj;
	struct burst_decision d;
	long room = 0, active = 0;
	uint32_t booting = 0;
	const char *why;

	if (!x->cn)
		return;
	for (size_t i = 0; i < c->nodes; i++) {
		struct cloud_node *n = &x->cn[i];
		bool busy = x->m.nodes[x->nlocal + i].running_jobs > 0;
		room += n->state == CN_CLOUD;
		booting += n->state == CN_BOOTING;
		active += n->state != CN_CLOUD;
		if (n->state == CN_UP)
			n->idle_since = busy ? 0 : (n->idle_since ?
						    n->idle_since : now);
	}
	x->rate_until = 0;
	if (!x->npend)
		return;
	room = cloud_room(x, now, room, active, &why);
	p = cloud_pool(x, room, booting, why);
	bj = cloud_jobs(x, NULL);
	budgets_decide(x, now, &p, bj, &d);
	if (d.pool_nodes[0])
		cloud_start(x, now, d.pool_nodes[0], bj, x->npend, &d);
	burst_decision_free(&d);
	free(bj);
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

void
cloud_finish(struct sim *x, int64_t last)
{
	const struct sim_cloud *c = x->o->cloud;

	if (!x->cn)
		return;
	for (size_t i = 0; i < c->nodes; i++) {
		const struct cloud_node *n = &x->cn[i];
		int64_t end = n->state == CN_BOOTING ? n->until :
			      n->idle_since ? n->idle_since + c->suspend : last;
		if (n->state != CN_CLOUD)
			x->cloud_secs += (double)(end - n->resumed);
	}
	x->st->cloud_node_hours = x->cloud_secs / 3600.0;
	x->st->cloud_cost = x->st->cloud_node_hours * c->cost;
}
