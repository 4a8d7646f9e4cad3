/*
 * power_job: a job's own cloud accounting. Each time a run of a job ends
 * (it finishes, or it is requeued), the cloud pool nodes it held are
 * added to its record, per pool: the pool's nodes that ran it (every run's,
 * merged), the node-hours (its run time x its share of each cloud node:
 * its CPUs there / the node's, power_job_share) and their cost at the
 * pool's CostPerNodeHour, summed over its runs. The accounts'
 * budgets are charged the same figures at the same moments
 * (accounts_job_end), so a job's record says what its account paid for it.
 *
 * The record keeps both the per-pool list ("cloud_use": [{pool, nodes,
 * node_hours, cost}], in the order the pools were first used) and its
 * summary ("cloud_pool": "a,b", "cloud_nodes": every node, the totals),
 * which is what `hcctl show job`, hcacct and the history print. A record
 * written before the list existed has only the summary, of one pool: it
 * loads as a list of that one pool.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "conf.h"
#include "ctld.h"
#include "hostlist.h"
#include "job.h"
#include "log.h"
#include "nodes.h"
#include "power.h"
#include "states.h"

static struct job_cloud *
use_get(struct job *j, const char *pool)
{
	for (uint32_t i = 0; i < j->ncloud_use; i++)
		if (!strcmp(j->cloud_use[i].pool, pool))
			return &j->cloud_use[i];
	j->cloud_use = hc_realloc(j->cloud_use, (j->ncloud_use + 1) *
				  sizeof(*j->cloud_use));
	memset(&j->cloud_use[j->ncloud_use], 0, sizeof(*j->cloud_use));
	j->cloud_use[j->ncloud_use].pool = hc_strdup(pool);
	return &j->cloud_use[j->ncloud_use++];
}

/* Names of expr (a ranged list) pushed onto hl; a bad one is skipped. */
static void
push_ranged(struct hostlist *hl, const char *expr)
{
	struct hostlist *old = expr && *expr ? hostlist_parse(expr, NULL) :
			       NULL;

	for (size_t i = 0; old && i < old->count; i++)
		hostlist_push(hl, old->names[i]);
	hostlist_destroy(old);
}

/* The summary fields from the per-pool list. */
static void
summary_update(struct job *j)
{
	struct hostlist *all = hostlist_create();
	size_t len = 1;

	for (uint32_t i = 0; i < j->ncloud_use; i++)
		len += strlen(j->cloud_use[i].pool) + 1;
	free(j->cloud_pool);
	j->cloud_pool = hc_calloc(1, len);
	j->cloud_node_hours = j->cloud_cost = 0;
	for (uint32_t i = 0; i < j->ncloud_use; i++) {
		const struct job_cloud *u = &j->cloud_use[i];
		if (i)
			strcat(j->cloud_pool, ",");
		strcat(j->cloud_pool, u->pool);
		push_ranged(all, u->nodes);
		j->cloud_node_hours += u->node_hours;
		j->cloud_cost += u->cost;
	}
	hostlist_uniq(all);
	free(j->cloud_nodes);
	j->cloud_nodes = hostlist_ranged(all);
	hostlist_destroy(all);
}

/* Node k of j ran it for run hours on pool cp. */
static void
use_add(struct job *j, const struct conf_pool *cp, const char *node,
	double run)
{
	struct job_cloud *u = use_get(j, cp->name);
	struct hostlist *hl = hostlist_create();

	push_ranged(hl, u->nodes);
	hostlist_push(hl, node);
	hostlist_uniq(hl);
	free(u->nodes);
	u->nodes = hostlist_ranged(hl);
	hostlist_destroy(hl);
	u->node_hours += run;
	u->cost += run * cp->cost;
}

void
power_job_end(struct ctld *c, struct job *j, time_t now)
{
	bool cloud = false;
	double run;

	/* Charged when, and as, accounts_job_end charges the account. */
	if (!j->start_time || !j->nalloc || (j->state != JOB_CONFIGURING &&
	    j->state != JOB_RUNNING && j->state != JOB_COMPLETING))
		return;
	run = (double)((j->end_time ? j->end_time : now) - j->start_time) /
	      3600.0;
	if (run < 0)
		run = 0;
	for (uint32_t k = 0; k < j->nalloc; k++) {
		const struct node *n = j->alloc[k].node;
		const struct conf_pool *cp = n && n->cn && n->cn->pool ?
			conf_pool_find(c->conf, n->cn->pool) : NULL;
		if (!cp)
			continue;
		use_add(j, cp, j->alloc[k].name,
			run * power_job_share(&j->alloc[k]));
		cloud = true;
	}
	if (cloud)
		summary_update(j);
}

json_t *
power_job_use_json(const struct job *j)
{
	json_t *a = json_array();

	for (uint32_t i = 0; i < j->ncloud_use; i++) {
		const struct job_cloud *u = &j->cloud_use[i];
		json_array_append_new(a, json_pack("{s:s,s:s,s:f,s:f}",
			"pool", u->pool, "nodes", u->nodes ? u->nodes : "",
			"node_hours", u->node_hours, "cost", u->cost));
	}
	return a;
}

void
power_job_use_load(struct job *j, const json_t *rec)
{
	const json_t *a = json_object_get(rec, "cloud_use");
	const json_t *e;
	const char *pool, *nodes;
	size_t i;

	power_job_use_free(j);
	if (!json_is_array(a) || !json_array_size(a)) {
		if (!j->cloud_pool || !*j->cloud_pool)
			return;		/* never on the cloud */
		j->cloud_use = hc_calloc(1, sizeof(*j->cloud_use));
		j->cloud_use[0].pool = hc_strdup(j->cloud_pool);
		j->cloud_use[0].nodes = hc_strdup(j->cloud_nodes ?
						  j->cloud_nodes : "");
		j->cloud_use[0].node_hours = j->cloud_node_hours;
		j->cloud_use[0].cost = j->cloud_cost;
		j->ncloud_use = 1;
		return;
	}
	json_array_foreach(a, i, e) {
		pool = json_string_value(json_object_get(e, "pool"));
		nodes = json_string_value(json_object_get(e, "nodes"));
		if (!pool || !*pool)
			continue;
		struct job_cloud *u = use_get(j, pool);
		free(u->nodes);
		u->nodes = hc_strdup(nodes ? nodes : "");
		u->node_hours = json_number_value(json_object_get(e,
							"node_hours"));
		u->cost = json_number_value(json_object_get(e, "cost"));
	}
	if (j->ncloud_use)
		summary_update(j);
}

void
power_job_use_free(struct job *j)
{
	for (uint32_t i = 0; i < j->ncloud_use; i++) {
		free(j->cloud_use[i].pool);
		free(j->cloud_use[i].nodes);
	}
	free(j->cloud_use);
	j->cloud_use = NULL;
	j->ncloud_use = 0;
}
