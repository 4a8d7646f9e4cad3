/*
 * priority: the multifactor priority, libhcsched's default ordering.
 *
 *	priority = PriorityWeightAge            * age
 *	         + PriorityWeightJobSize        * size
 *	         + PriorityWeightQueue          * tier
 *	         + PriorityWeightFairshare      * fair-share
 *	         + PriorityWeightQueueFairshare * queue fair-share
 *	         + PriorityWeightQOS            * qos
 *	         - nice + the plugins' priority hooks
 *
 * or the admin-set priority when there is one (it wins outright). Every
 * factor is in [0,1]:
 *   age         min(now - eligible, PriorityMaxAge) / PriorityMaxAge, where
 *               eligible is the later of submit and begin time;
 *   size        the job's CPUs / the cluster's CPUs (1 - that with
 *               PriorityFavorSmall);
 *   tier        the queue's PriorityTier / the highest tier;
 *   fair-share  the Fair Tree factor of the job's user under its account
 *               (fairshare.c, fairshare_view.c);
 *   queue f-s   2^-(U/S) of the job's queue (fairshare_queues());
 *   qos         the QOS's Priority / the highest QOS Priority.
 *
 * Why in the core and not a plugin: fair-share needs the account tree and
 * the usage ledger, which the plugin ABI does not show, and hcqueue
 * --priority needs every factor of every job, where a priority hook returns
 * one number. Being libhcsched's, the same ordering runs in hcctld and in
 * hcsim. Plugins still add their hooks' priority on top (shown as
 * "plugins"), so a site's policy can refine the order without replacing it.
 *
 * Per pass: sched_prio_begin ranks the fair-share tree once (O(accounts
 * log accounts) plus a sorted key per pending user), then each job's
 * factors are O(log users).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fairshare_view.h"
#include "log.h"
#include "priority.h"
#include "sched.h"
#include "sched_internal.h"

#define PRIO_DEFAULT_MAX_AGE (7 * 86400L)

struct sched_prio {
	struct sched_prio_conf conf;
	struct {
		char *name;
		uint32_t tier, weight;
	} q[SCHED_MAX_QUEUES];
	uint32_t nq;
	struct fs_ledger *ledger;	/* borrowed */
	/* per pass: */
	struct fs_view *fv;
	double qfs[SCHED_MAX_QUEUES];
	double max_tier, max_qos;
	double cluster_cpus;
	time_t now;
};

static struct sched_prio *
prio_get(struct sched *s)
{
	if (!s->prio)
		s->prio = hc_calloc(1, sizeof(*s->prio));
	return s->prio;
}

void
sched_prio_free(struct sched_prio *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i < SCHED_MAX_QUEUES; i++)
		free(p->q[i].name);
	fs_view_free(p->fv);
	free(p);
}

void
sched_set_priority(struct sched *s, const struct sched_prio_conf *c)
{
	prio_get(s)->conf = *c;
}

int
sched_set_queue(struct sched *s, uint32_t q, const char *name,
		uint32_t tier, uint32_t fs_weight)
{
	struct sched_prio *p;

	if (q >= SCHED_MAX_QUEUES)
		return -1;
	p = prio_get(s);
	free(p->q[q].name);
	p->q[q].name = hc_strdup(name ? name : "");
	p->q[q].tier = tier;
	p->q[q].weight = fs_weight ? fs_weight : 1;
	if (q + 1 > p->nq)
		p->nq = q + 1;
	return 0;
}

void
sched_set_usage(struct sched *s, struct fs_ledger *l)
{
	prio_get(s)->ledger = l;
}

const char *
sched_assoc_account(const struct sched_acct_view *v, uint32_t assoc)
{
	const struct sched_acct *a;

	if (!v || !v->naccts || assoc >= v->naccts)
		return "root";
	a = &v->accts[assoc];
	if (a->is_user && a->parent >= 0 && (size_t)a->parent < v->naccts)
		a = &v->accts[a->parent];
	return assoc == 0 || !a->name ? "root" : a->name;
}

/* Queue fair-share factors from the ledger's queue usage. */
static void
prio_queues(struct sched_prio *p)
{
	double usage[SCHED_MAX_QUEUES], weight[SCHED_MAX_QUEUES];
	char key[FS_KEY_MAX];

	p->max_tier = 0;
	for (uint32_t i = 0; i < p->nq; i++) {
		fs_key_queue(p->q[i].name, key, sizeof(key));
		usage[i] = p->ledger ? fs_ledger_usage(p->ledger, key, p->now)
				     : 0;
		weight[i] = p->q[i].name ? p->q[i].weight : 0;
		if (p->q[i].tier > p->max_tier)
			p->max_tier = p->q[i].tier;
	}
	fairshare_queues(usage, weight, p->nq, p->qfs);
}

void
sched_prio_begin(struct sched *s, const struct sched_job *jobs, size_t njobs,
		 const struct sched_node *nodes, size_t nnodes, time_t now)
{
	struct sched_prio *p = prio_get(s);
	const struct sched_acct_view *v = s->acct;

	p->now = now;
	p->cluster_cpus = 0;
	for (size_t i = 0; i < nnodes; i++)
		p->cluster_cpus += nodes[i].cpus;
	p->max_qos = 0;
	for (size_t i = 0; v && i < v->nqos; i++)
		if (v->qos[i].priority > p->max_qos)
			p->max_qos = v->qos[i].priority;
	prio_queues(p);
	fs_view_free(p->fv);
	p->fv = NULL;
	if (p->conf.w_fairshare > 0)
		p->fv = fs_view_build(s->acct, p->ledger, jobs, njobs, now);
}

void
sched_prio_end(struct sched *s)
{
	if (s->prio) {
		fs_view_free(s->prio->fv);
		s->prio->fv = NULL;
	}
}

static double
clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

void
sched_prio_job(struct sched *s, struct sched_job *j, double plugins)
{
	struct sched_prio *p = prio_get(s);
	const struct sched_prio_conf *c = &p->conf;
	struct sched_prio_factors *f = &j->factors;
	const struct sched_acct_view *v = s->acct;
	time_t eligible = j->begin_time > j->submit_time ? j->begin_time
							  : j->submit_time;
	double max_age = c->max_age > 0 ? c->max_age : PRIO_DEFAULT_MAX_AGE;
	double cpus = (double)(j->ntasks ? j->ntasks : 1) *
		      (j->cpus_per_task ? j->cpus_per_task : 1);
	double size = p->cluster_cpus > 0 ? clamp01(cpus / p->cluster_cpus)
					  : 0;

	memset(f, 0, sizeof(*f));
	f->age = c->w_age * clamp01((double)(p->now - eligible) / max_age);
	f->jobsize = c->w_jobsize * (c->favor_small ? 1 - size : size);
	if (j->queue < p->nq) {
		if (p->max_tier > 0)
			f->queue = c->w_queue * p->q[j->queue].tier /
				   p->max_tier;
		f->queue_fs = c->w_queue_fs * p->qfs[j->queue];
	}
	if (p->fv)
		f->fairshare = c->w_fairshare *
			       fs_view_job_factor(p->fv, j, v);
	if (v && j->qos < v->nqos && p->max_qos > 0)
		f->qos = c->w_qos * v->qos[j->qos].priority / p->max_qos;
	f->nice = j->nice ? -(double)j->nice : 0;	/* never -0 */
	f->plugins = plugins;
	f->admin = j->admin_priority;
	f->total = f->admin ? f->admin
			    : f->age + f->jobsize + f->queue + f->fairshare +
				      f->queue_fs + f->qos + f->nice +
				      f->plugins;
}
