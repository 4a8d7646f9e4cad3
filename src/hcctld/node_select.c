/*
 * node_select: what the scheduling views carry for the node selection
 * policies (select.h) and reservations: each job's queue, its queue's
 * NodeSelect=, workload and reservation; each node's power state and its
 * accelerators' capability figures. Also the plugin list: SchedulerPlugins
 * plus the policies the queues name.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "ctld.h"
#include "jobs_int.h"
#include "log.h"
#include "nodes.h"
#include "resv.h"
#include "sched.h"
#include "sched_snap.h"
#include "select.h"
#include "states.h"

/* The plugin names NodeSelect's choices map to (conf stores upper case). */
static const char *const policies[] = { "pack", "spread", "energy",
					"affinity", NULL };

static const char *
policy_of(const char *choice)
{
	for (size_t i = 0; choice && policies[i]; i++)
		if (!strcasecmp(choice, policies[i]))
			return policies[i];
	return NULL;
}

char **
node_select_plugins(const struct hc_conf *conf)
{
	size_t n = 0, cap = 8;
	char **v;

	for (char **p = conf->scheduler_plugins; p && *p; p++)
		cap++;
	v = hc_calloc(cap + conf->queue_count + 1, sizeof(*v));
	for (char **p = conf->scheduler_plugins; p && *p; p++)
		v[n++] = hc_strdup(*p);
	if (!n)
		v[n++] = hc_strdup("basic");
	for (size_t q = 0; q < conf->queue_count; q++) {
		const char *pol = policy_of(conf->queues[q].node_select);
		bool have = false;

		for (size_t k = 0; pol && k < n; k++)
			have = have || !strcmp(v[k], pol);
		if (pol && !have)
			v[n++] = hc_strdup(pol);
	}
	return v;
}

void
node_select_plugins_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void
node_select_snap_job(struct sched_snap *s, struct ctld *c,
		     struct sched_job *sj, const struct job *j)
{
	const struct hc_conf *conf = c->conf;

	sj->reservation = sched_snap_strdup(s, j->reservation);
	sj->workload = j->workload;
	sj->queue_name = sched_snap_strdup(s, j->queue);
	/* policies[] are constants: no copy needed. */
	if (j->queue_index < conf->queue_count)
		sj->node_select =
			policy_of(conf->queues[j->queue_index].node_select);
}

void
node_select_view_node(struct sched_node *sn, const struct node *n)
{
	sn->power_flags = 0;
	sn->cloud = n->cn && n->cn->pool;
	if (n->flags & NODE_F_POWERED_DOWN)
		sn->power_flags |= HC_SCHED_NODE_POWERED_DOWN;
	if (n->flags & NODE_F_POWERING_UP)
		sn->power_flags |= HC_SCHED_NODE_POWERING_UP;
	for (uint32_t g = 0; g < n->gpu_count && g < SCHED_MAX_GPUS; g++)
		sched_accel_caps(n->gpus[g].type, n->gpus[g].memory_mb,
				 &sn->gpus[g].caps);
}

struct resv_part {
	struct sched_resv *resv;
	size_t n;
};

static void
resv_install(struct sched *sc, void *data)
{
	struct resv_part *p = data;

	sched_resv_use(sc, p->resv, p->n);
}

static void
resv_uninstall(struct sched *sc, void *data)
{
	sched_resv_use(sc, NULL, 0);
}

/* The reservations of this pass, deep-copied into the snapshot. */
void
node_select_snap_resv(struct sched_snap *s, struct jobs *js)
{
	const struct sched_resv *rv;
	size_t n = resvs_views(js->c->resvs, s->now, &rv);
	struct resv_part *p = sched_snap_alloc(s, sizeof(*p));
	struct sched_snap_part part = { .data = p, .install = resv_install,
					.uninstall = resv_uninstall };

	p->resv = n ? sched_snap_alloc(s, n * sizeof(*p->resv)) : NULL;
	p->n = n;
	sched_snap_add_part(s, &part);
	for (size_t i = 0; i < n; i++) {
		struct sched_resv *d = &p->resv[i];
		size_t words = rv[i].nbits / 64 + 1;
		uint64_t *bits = sched_snap_alloc(s, words * sizeof(*bits));
		uint32_t *uids = sched_snap_alloc(s, (rv[i].nuids + 1) *
						      sizeof(*uids));

		*d = rv[i];
		d->name = sched_snap_strdup(s, rv[i].name);
		memcpy(bits, rv[i].nodes, words * sizeof(*bits));
		d->nodes = bits;
		if (rv[i].nuids)
			memcpy(uids, rv[i].uids, rv[i].nuids * sizeof(*uids));
		d->uids = uids;
		d->accounts = NULL;
		d->naccounts = 0;
	}
}
