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
 * Its idle nodes go to the decision as hcctld's do (multi-node jobs take
 * them before new nodes start), and those it holds are kept.
 *
 * Budgets (--accounts) and the pool's Accounts=: sim_budget.c.
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
			.cloud = true, .pool = 1, .pool_name = c->pool,
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

void
cloud_decide(struct sim *x, int64_t now)
{
	const struct sim_cloud *c = x->o->cloud;
	struct burst_pool p;
	struct burst_job *bj;
	struct burst_decision d;
	long room = 0, active = 0;
	uint32_t booting = 0, nidle = 0;
	uint32_t *idle;
	const char *why;

	if (!x->cn)
		return;
	idle = hc_calloc(c->nodes + 1, sizeof(*idle));
	for (size_t i = 0; i < c->nodes; i++) {
		struct cloud_node *n = &x->cn[i];
		bool busy = x->m.nodes[x->nlocal + i].running_jobs > 0;
		room += n->state == CN_CLOUD;
		booting += n->state == CN_BOOTING;
		active += n->state != CN_CLOUD;
		if (n->state == CN_UP)
			n->idle_since = busy ? 0 : (n->idle_since ?
						    n->idle_since : now);
		if (n->state == CN_UP && !busy)
			idle[nidle++] = (uint32_t)(x->nlocal + i);
	}
	x->rate_until = 0;
	if (!x->npend) {
		free(idle);
		return;
	}
	room = cloud_room(x, now, room, active, &why);
	p = cloud_pool(x, room, booting, why);
	p.idle_nodes = idle;
	p.nidle = nidle;
	bj = cloud_jobs(x, NULL);
	cloud_budgets_decide(x, now, &p, bj, &d);
	if (d.pool_nodes[0])
		cloud_start(x, now, d.pool_nodes[0], bj, x->npend, &d);
	/* idle nodes held for multi-node jobs: kept, as hcctld does */
	for (size_t k = 0; k < d.nkeep; k++)
		x->cn[d.keep[k] - x->nlocal].idle_since = now;
	burst_decision_free(&d);
	free(idle);
	free(bj);
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
