/*
 * power_job: a job's own cloud accounting. When a job ends, the cloud
 * pool nodes it held name its pool and nodes in its record, with the
 * node-hours they ran it (its run time for each cloud node) and their
 * cost at the pool's CostPerNodeHour, so that `hcctl show job`, hcacct
 * and the job history say which cloud nodes ran a job and what it cost.
 * The accounts' budgets are charged the same figures (accounts_job_end).
 * A job spread over two pools names the first and counts both.
 */
#include "config.h"

#include <stdlib.h>

#include "conf.h"
#include "ctld.h"
#include "hostlist.h"
#include "job.h"
#include "log.h"
#include "nodes.h"
#include "power.h"

void
power_job_end(struct ctld *c, struct job *j, time_t now)
{
	double hours = 0, cost = 0, run;
	struct hostlist *hl;

	if (!j->start_time || !j->nalloc)
		return;
	run = (double)((j->end_time ? j->end_time : now) - j->start_time) /
	      3600.0;
	if (run < 0)
		run = 0;
	hl = hostlist_create();
	for (uint32_t k = 0; k < j->nalloc; k++) {
		const struct node *n = j->alloc[k].node;
		const struct conf_pool *cp = n && n->cn && n->cn->pool ?
			conf_pool_find(c->conf, n->cn->pool) : NULL;
		if (!cp)
			continue;
		if (!j->cloud_pool)
			j->cloud_pool = hc_strdup(cp->name);
		hostlist_push(hl, j->alloc[k].name);
		hours += run;
		cost += run * cp->cost;
	}
	if (hl->count) {
		free(j->cloud_nodes);
		j->cloud_nodes = hostlist_ranged(hl);
		j->cloud_node_hours += hours;
		j->cloud_cost += cost;
	}
	hostlist_destroy(hl);
}
