/*
 * power_burst: hcctld's side of the cloud-burst decision. After each
 * scheduling pass is applied (jobs_sched.c), the pass's jobs (their planned
 * starts and reasons) and the pools (templates, who may use them, the
 * room power.c allows, the boot time seen so far) go to burst_decide()
 * (libhcsched: the decision itself, shared with hcsim); the nodes it asks
 * for are resumed here, each remembering the jobs it is for, so that those
 * jobs wait with reason NodeBooting and no second node starts for them.
 *
 * Budgets: an account's GrpCloudNodeMins/GrpCloudCost less what its
 * subtree used (the "cloud_node_mins"/"cloud_cost" that accounts_job_end
 * charges) and less what its running and booting jobs hold ahead
 * (power_budget.c); each job is offered with its account and that
 * account's ancestors, whose budgets all bind it.
 *
 * Array tasks: every task the snapshot offers (up to JOBS_ARRAY_PASS_MAX
 * per record, see sched_snap.c) is offered, so that the decision sees as
 * many of an array's tasks as the pools could take. A task's entry carries
 * a view id (JOBS_ARRAY_VIEW_BIT | entry); its record's id is what the
 * booting nodes remember, the reason lands on and the account comes from.
 * A record's first tasks count as booting as far as the booting nodes that
 * remember it can hold them (power_tasks_booting, power_boot.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "burst.h"
#include "conf.h"
#include "ctld.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "nodes.h"
#include "power.h"
#include "power_int.h"
#include "rpc.h"
#include "sched_snap.h"
#include "states.h"

/* The pool's template and limits as burst_decide wants them. */
void
power_pool_view(struct power *pw, const struct conf_pool *cp, time_t now,
	  struct burst_pool *bp, char *why, size_t len)
{
	struct nodes *ns = power_ctld(pw)->nodes;
	const struct conf_node *t = &cp->tmpl;

	memset(bp, 0, sizeof(*bp));
	bp->name = cp->name;
	bp->cpus = (uint32_t)t->cpus;
	bp->mem_mb = t->real_memory_mb;
	for (size_t i = 0; i < t->gres.count; i++)
		if (!strcmp(t->gres.items[i].name, "gpu")) {
			bp->gpus += (uint32_t)t->gres.items[i].count;
			bp->gpu_type = t->gres.items[i].type;
		}
	bp->features = (const char *const *)t->features;
	for (size_t i = 0; i < nodes_count(ns); i++) {
		struct node *n = nodes_at(ns, i);
		if (!n->cn->pool || strcmp(n->cn->pool, cp->name))
			continue;
		bp->queue_mask |= n->queue_mask;
		bp->booting += (n->flags & NODE_F_POWERING_UP) != 0;
	}
	bp->accounts = (const char *const *)cp->accounts;
	bp->boot_s = power_pool_boot_s(pw, cp->name);
	bp->burst_after = cp->burst_after;
	bp->cost_per_hour = cp->cost;
	why[0] = '\0';
	bp->room = power_pool_room(pw, cp->name, now, why, len);
	bp->room_why = why;
}

#define CHAIN_MAX POWER_CHAIN_MAX

static double
used_of(const struct acct_obj *o, const char *key)
{
	return o->used ? json_number_value(json_object_get(o->used, key)) : 0;
}

/* What account a's subtree used of the cloud: node-minutes and cost. */
static void
subtree_used(struct ctld *c, struct acct_obj **v, size_t na,
	     const struct acct_obj *a, double *mins, double *cost)
{
	*mins = *cost = 0;
	for (size_t k = 0; k < na; k++) {
		const struct acct_obj *x = v[k];
		for (int d = 0; x && d < CHAIN_MAX; d++) {
			if (x == a) {
				*mins += used_of(v[k], "cloud_node_mins");
				*cost += used_of(v[k], "cloud_cost");
				break;
			}
			x = accounts_parent(c->accounts, x);
		}
	}
}

/* Every account with a cloud budget, and what its subtree left of it
 * once charged and held (power_budget_holds). */
struct burst_budget *
power_budgets_build(struct ctld *c, size_t *nb)
{
	size_t na = 0, n = 0;
	struct acct_obj **v = c->accounts ?
		accounts_list(c->accounts, ACCT_ACCOUNT, &na) : NULL;
	struct burst_budget *b = hc_calloc(na + 1, sizeof(*b));
	double *mins = hc_calloc(na + 1, sizeof(double));
	double *cost = hc_calloc(na + 1, sizeof(double));

	for (size_t i = 0; i < na; i++) {
		const struct acct_obj *a = v[i];
		if (!a->grp_cloud_node_mins && !a->grp_cloud_cost)
			continue;
		subtree_used(c, v, na, a, &mins[n], &cost[n]);
		b[n++].account = a->name;
	}
	power_budget_holds(c, b, n, mins, cost);
	for (size_t i = 0; i < n; i++) {
		const struct acct_obj *a = accounts_find(c->accounts,
			ACCT_ACCOUNT, b[i].account);
		b[i].node_mins_left = burst_budget_left(
			(double)a->grp_cloud_node_mins, mins[i]);
		b[i].cost_left = burst_budget_left((double)a->grp_cloud_cost,
						   cost[i]);
	}
	free(mins);
	free(cost);
	*nb = n;
	return b;
}

/* chain[0..]: the job's account, then its ancestors; NULL-terminated. */
void
power_chain_fill(struct ctld *c, const struct job *j, const char **chain)
{
	const struct acct_obj *a = c->accounts ? accounts_find(c->accounts,
		ACCT_ACCOUNT, j->account ? j->account :
		c->conf->default_account) : NULL;
	int d = 0;

	for (; a && d < CHAIN_MAX; d++) {
		chain[d] = a->name;
		a = accounts_parent(c->accounts, a);
	}
	chain[d] = NULL;
}

/* The live job (an array's record) a snapshot entry stands for. */
static uint32_t
live_id(const struct sched_snap *s, const struct sched_job *sj)
{
	uint32_t k = sj->id & ~JOBS_ARRAY_VIEW_BIT;

	if (!(sj->id & JOBS_ARRAY_VIEW_BIT))
		return sj->id;
	return k < s->njobs ? s->refs[k].id : 0;
}

/* qsort order of burst_job entries: priority, highest first, then id. */
int
power_burst_prio_cmp(const void *a, const void *b)
{
	const struct burst_job *x = a, *y = b;

	if (x->job->priority != y->job->priority)
		return x->job->priority > y->job->priority ? -1 : 1;
	return x->job->id < y->job->id ? -1 : (x->job->id > y->job->id);
}

/* Resume `want` nodes of pool for the jobs d gave it. */
static void
pool_resume(struct power *pw, const struct sched_snap *s, const char *pool,
	    uint32_t want, const struct burst_job *bj, size_t nj,
	    const struct burst_decision *d, int pi)
{
	struct nodes *ns = power_ctld(pw)->nodes;
	struct node **v = hc_calloc(want ? want : 1, sizeof(*v));
	char ids[512] = "";
	struct hc_err err = { 0 };
	struct boot_pair *pr = hc_calloc(d->nplace + 1, sizeof(*pr));
	size_t nv = 0, len = 0, npr = 0;

	for (size_t i = 0; i < nodes_count(ns) && nv < want; i++) {
		struct node *n = nodes_at(ns, i);
		if (n->cn->pool && !strcmp(n->cn->pool, pool) &&
		    n->base == NODE_CLOUD && !n->power_busy &&
		    !(n->flags & (NODE_F_POWERING_UP | NODE_F_POWERING_DOWN)))
			v[nv++] = n;
	}
	/* Each new node remembers the jobs the decision packed on it
	 * (spread over the nodes found, were fewer free than it counted). */
	for (size_t k = 0; k < nj; k++) {
		uint32_t id = live_id(s, bj[k].job);
		if (d->job_pool[k] != pi || !id || !d->place_count[k])
			continue;	/* none: it waits for a booting node */
		for (uint32_t c = 0; nv && c < d->place_count[k]; c++)
			pr[npr++] = (struct boot_pair){ id, (uint32_t)(
				d->place[d->place_first[k] + c] % nv) };
		if (len + 16 < sizeof(ids) &&
		    (k == 0 || live_id(s, bj[k - 1].job) != id))
			len += (size_t)snprintf(ids + len, sizeof(ids) - len,
						"%s%u", len ? "," : "", id);
	}
	power_boot_assign(v, pr, npr);
	if (nv && power_resume(pw, v, nv, ids, 0, &err) < 0)
		hc_log_limited("power_burst", HC_LOG_WARN, "pool=%s cannot "
			       "start nodes: %s", pool, err.text);
	if (nv)
		hc_log(HC_LOG_INFO, "pool=%s burst nodes=%zu for jobs=%s",
		       pool, nv, ids);
	free(pr);
	free(v);
}

/* The jobs d packed on pool's booting nodes: those nodes remember them
 * (as new ones do), so that they are listed as waiting there and count
 * as booting from the next pass. Booting index b is the pool's b-th
 * POWERING_UP node, in the order power_pool_view counted them. */
static void
pool_boot_note(struct power *pw, const struct sched_snap *s, const char *pool,
	       const struct burst_job *bj, size_t nj,
	       const struct burst_decision *d, int pi)
{
	struct nodes *ns = power_ctld(pw)->nodes;
	struct node **v = NULL;
	size_t nv = 0;

	for (size_t i = 0; i < nodes_count(ns); i++) {
		struct node *n = nodes_at(ns, i);
		if (!n->cn->pool || strcmp(n->cn->pool, pool) ||
		    !(n->flags & NODE_F_POWERING_UP))
			continue;
		v = hc_realloc(v, (nv + 1) * sizeof(*v));
		v[nv++] = n;
	}
	for (size_t k = 0; k < nj && nv; k++) {
		uint32_t id = live_id(s, bj[k].job);
		if (d->job_pool[k] != pi || !id)
			continue;
		for (uint32_t c = 0; c < d->boot_count[k]; c++) {
			uint32_t b = d->boot_place[d->boot_first[k] + c];
			if (b < nv)
				power_node_boot_job(v[b], id);
		}
	}
	free(v);
}

/* Whether on-premise node n, powered down, could run job j. */
static bool
onprem_fits(const struct node *n, const struct sched_job *j)
{
	uint32_t tasks = j->ntasks ? j->ntasks : 1;
	uint32_t nodes = j->nodes_min ? j->nodes_min : 1;
	uint32_t cpus = (tasks + nodes - 1) / nodes *
			(j->cpus_per_task ? j->cpus_per_task : 1);

	return j->queue < 64 && (n->queue_mask & (1ull << j->queue)) &&
	       (!n->cpus || cpus <= n->cpus) &&
	       j->gpus_per_node <= n->gpu_count &&
	       (!j->constraint || !*j->constraint ||
		sched_features_match(j->constraint,
				     (const char *const *)n->features,
				     NULL) == 1);
}

/*
 * PowerSave nodes: a job that waits (it would not start now) and that a
 * powered-down node of its queue could run powers one such node on, as
 * Slurm does; jobs already waiting for a booting node start none. At most
 * ResumeRate's room.
 */
static void
power_save_resume(struct power *pw, const struct sched_snap *s,
		  const struct burst_job *bj, size_t nj, time_t now)
{
	struct nodes *ns = power_ctld(pw)->nodes;
	char why[128], ids[32];
	long room = power_pool_room(pw, "", now, why, sizeof(why));
	struct hc_err err = { 0 };

	for (size_t k = 0; k < nj && room > 0; k++) {
		const struct sched_job *j = bj[k].job;
		if (bj[k].booting || j->held || !j->reason[0] ||
		    (strcmp(j->reason, "Resources") &&
		     strcmp(j->reason, "Priority") &&
		     strcmp(j->reason, "ReqNodeNotAvail")))
			continue;
		for (size_t i = 0; i < nodes_count(ns); i++) {
			struct node *n = nodes_at(ns, i);
			if (!(n->flags & NODE_F_POWERED_DOWN) || n->power_busy ||
			    (n->flags & NODE_F_POWERING_UP) ||
			    !onprem_fits(n, j))
				continue;
			snprintf(ids, sizeof(ids), "%u", live_id(s, j));
			power_node_boot_job(n, live_id(s, j));
			if (power_resume(pw, &n, 1, ids, 0, &err) < 0)
				hc_log_limited("power_save", HC_LOG_WARN,
					       "node=%s cannot power on: %s",
					       n->name, err.text);
			room--;
			break;
		}
	}
}

/* `hcctl show cloud`'s accounts: each that used the cloud, holds some of
 * it or has a cloud budget, with its subtree's node-hours and cost
 * against its budgets, and what its running and booting jobs hold ahead
 * (power_budget.c). */
static json_t *
accounts_cloud_json(struct ctld *c)
{
	size_t na = 0;
	struct acct_obj **v = c->accounts ?
		accounts_list(c->accounts, ACCT_ACCOUNT, &na) : NULL;
	json_t *a = json_array();
	struct burst_budget *b = hc_calloc(na + 1, sizeof(*b));
	double *hm = hc_calloc(na + 1, sizeof(double));
	double *hc = hc_calloc(na + 1, sizeof(double));

	for (size_t i = 0; i < na; i++)
		b[i].account = v[i]->name;
	power_budget_holds(c, b, na, hm, hc);	/* what each holds ahead */
	for (size_t i = 0; i < na; i++) {
		double mins, cost;
		subtree_used(c, v, na, v[i], &mins, &cost);
		if (mins <= 0 && hm[i] <= 0 && !v[i]->grp_cloud_node_mins &&
		    !v[i]->grp_cloud_cost)
			continue;
		json_array_append_new(a, json_pack("{s:s,s:f,s:f,s:I,s:I,"
			"s:f,s:f}", "name", v[i]->name, "node_hours",
			mins / 60.0, "cost", cost, "grp_cloud_node_mins",
			(json_int_t)v[i]->grp_cloud_node_mins,
			"grp_cloud_cost", (json_int_t)v[i]->grp_cloud_cost,
			"held_node_hours", hm[i] / 60.0, "held_cost", hc[i]));
	}
	free(hm);
	free(hc);
	free(b);
	return a;
}

void
power_rpc_query(struct rpc_req *req, json_t *body)
{
	struct ctld *c = req->ctld;
	time_t now = time(NULL);

	(void)body;
	rpc_reply(req, json_pack("{s:o,s:o,s:I}", "pools", c->power ?
				 power_pools_json(c->power, now) : json_array(),
				 "accounts", accounts_cloud_json(c),
				 "now", (json_int_t)now));
}

void
power_burst(struct power *pw, struct jobs *js, const struct sched_snap *s)
{
	const struct hc_conf *conf = power_ctld(pw)->conf;
	size_t np = conf->pool_count, nj = 0;
	struct burst_pool *bp;
	struct burst_job *bj;
	char (*why)[SCHED_REASON_LEN];
	const char *(*chains)[POWER_CHAIN_MAX + 1];
	struct burst_budget *budgets;
	struct burst_decision d;
	size_t nb = 0, npairs = 0;
	uint32_t booting = 0, last = 0;
	struct boot_pair *pairs;

	power_keep_build(pw, s);
	if (!s->njobs)
		return;
	bp = hc_calloc(np ? np : 1, sizeof(*bp));
	why = hc_calloc(np ? np : 1, sizeof(*why));
	bj = hc_calloc(s->njobs, sizeof(*bj));
	chains = hc_calloc(s->njobs, sizeof(*chains));
	budgets = power_budgets_build(power_ctld(pw), &nb);
	pairs = power_boot_pairs(power_ctld(pw)->nodes, &npairs);
	for (size_t i = 0; i < np; i++) {
		power_pool_view(pw, &conf->pools[i], s->now, &bp[i], why[i],
			  sizeof(why[i]));
		bp[i].idle_nodes = power_idle_nodes(power_ctld(pw)->nodes,
						    conf->pools[i].name,
						    &bp[i].nidle);
	}
	for (size_t k = 0; k < s->njobs; k++) {
		uint32_t id = s->refs[k].id;
		struct job *j = jobs_find(js, id);
		if (!j)
			continue;
		if (s->refs[k].rec == k)	/* a record's first entry */
			booting = power_tasks_booting(power_ctld(pw)->nodes,
						      pairs, npairs, id,
						      &s->jobs[k]);
		bj[nj].job = &s->jobs[k];
		power_chain_fill(power_ctld(pw), j, chains[nj]);
		bj[nj].accounts = chains[nj];
		bj[nj].booting = booting > 0;
		booting -= booting > 0;
		nj++;
	}
	qsort(bj, nj, sizeof(*bj), power_burst_prio_cmp);
	burst_decide(s->now, bp, np, bj, nj, budgets, nb, &d);
	power_keep_decision(pw, &d, s->now);
	power_save_resume(pw, s, bj, nj, s->now);
	/* An array record's reason is its first task's. */
	for (size_t k = 0; k < nj; k++) {
		uint32_t id = live_id(s, bj[k].job);
		struct job *j;
		if (!d.reason[k][0] || id == last ||
		    !(j = jobs_find(js, id)) || j->state != JOB_PENDING)
			continue;
		memcpy(j->reason, d.reason[k], sizeof(j->reason));
		last = id;
	}
	for (size_t i = 0; i < np; i++) {
		pool_boot_note(pw, s, conf->pools[i].name, bj, nj, &d,
			       (int)i);
		if (d.pool_nodes[i])
			pool_resume(pw, s, conf->pools[i].name,
				    d.pool_nodes[i], bj, nj, &d, (int)i);
	}
	burst_decision_free(&d);
	for (size_t i = 0; i < np; i++)
		free((uint32_t *)bp[i].idle_nodes);
	free(pairs);
	free(budgets);
	free(chains);
	free(bj);
	free(why);
	free(bp);
}
