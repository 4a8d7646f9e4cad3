/*
 * sched_snap: build the copy of the scheduling state a pass runs on (see
 * sched_snap.h). Building is on the loop and costs one
 * walk of the node and job tables; every string is copied into chunks the
 * snapshot owns, so the worker never follows a pointer into live state.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "conf.h"
#include "ctld.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "nodes.h"
#include "power.h"
#include "resv.h"
#include "sched_snap.h"
#include "states.h"
#include "usage.h"

#define SNAP_CHUNK 65536

struct snap_chunk {
	struct snap_chunk *next;
	size_t used, cap;
	char buf[];
};

void *
sched_snap_alloc(struct sched_snap *s, size_t n)
{
	struct snap_chunk *c = s->chunks;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > SNAP_CHUNK ? n : SNAP_CHUNK;

		c = hc_malloc(sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		c->next = s->chunks;
		s->chunks = c;
	}
	c->used += n;
	return memset(c->buf + c->used - n, 0, n);
}

const char *
sched_snap_strdup(struct sched_snap *s, const char *str)
{
	size_t n;
	char *p;

	if (!str)
		return NULL;
	n = strlen(str) + 1;
	p = sched_snap_alloc(s, n);
	memcpy(p, str, n);
	return p;
}

/* A NULL-terminated copy of a features list (NULL: an empty one). */
static const char *const *
snap_features(struct sched_snap *s, char *const *f)
{
	size_t n = 0;
	const char **v;

	while (f && f[n])
		n++;
	v = sched_snap_alloc(s, (n + 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = sched_snap_strdup(s, f[i]);
	v[n] = NULL;
	return v;
}

/* The view of one node; cpu_used points into buf (the snapshot's). */
static void
snap_node(struct sched_snap *s, struct sched_node *sn, const struct node *n,
	  uint32_t i, uint8_t *buf)
{
	sn->name = sched_snap_strdup(s, n->name);
	sn->index = i;
	sn->usable = node_is_usable(n);
	sn->weight = n->cn ? n->cn->weight : 0;
	sn->cpus = n->cpus;
	sn->cpu_used = buf;
	for (uint32_t c = 0; c < n->cpus; c++)
		buf[c] = n->cpu_job_count && n->cpu_job_count[c] ? 1 : 0;
	sn->mem_mb = n->mem_mb;
	sn->mem_used_mb = n->mem_alloc_mb;
	sn->gpu_count = n->gpu_count;
	for (uint32_t g = 0; g < n->gpu_count && g < SCHED_MAX_GPUS; g++) {
		memcpy(sn->gpus[g].type, n->gpus[g].type,
		       sizeof(sn->gpus[g].type));
		sn->gpus[g].used = n->gpus[g].job != 0;
	}
	sn->features = snap_features(s, n->features);
	sn->running_jobs = n->njobs;
	sn->exclusive_used = n->exclusive_used;
	sn->queue_mask = n->queue_mask;
	node_select_view_node(sn, n);
}

static void
snap_build_nodes(struct sched_snap *s, struct nodes *ns)
{
	size_t ncpu = 0, off = 0;

	s->epoch = nodes_epoch(ns);
	s->nnodes = nodes_count(ns);
	s->nodes = hc_calloc(s->nnodes ? s->nnodes : 1, sizeof(*s->nodes));
	s->node_gen = hc_calloc(s->nnodes ? s->nnodes : 1,
				sizeof(*s->node_gen));
	for (size_t i = 0; i < s->nnodes; i++)
		ncpu += nodes_at(ns, i)->cpus;
	s->cpubuf = hc_calloc(ncpu ? ncpu : 1, 1);
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct node *n = nodes_at(ns, i);

		snap_node(s, &s->nodes[i], n, (uint32_t)i, s->cpubuf + off);
		s->node_gen[i] = n->gen;
		off += n->cpus;
	}
}

/* Set j's pending reason, without rewriting it when it has not changed
 * (every held job is looked at on every pass). */
static void
reason_set(struct job *j, const char *why)
{
	if (strcmp(j->reason, why) != 0)
		snprintf(j->reason, sizeof(j->reason), "%s", why);
}

/* Whether j goes into the pass; if not, its reason is set here. */
static bool
snap_job_wanted(struct jobs *js, struct job *j, time_t now)
{
	if (j->state != JOB_PENDING)
		return false;
	if (j->hold != JOB_HOLD_NONE) {
		reason_set(j, "Held");
		return false;
	}
	if (j->begin_time > now) {
		reason_set(j, "BeginTime");
		return false;
	}
	return jobs_depend_ready(js, j, now);
}

static void
snap_job(struct sched_snap *s, struct sched_job *sj, const struct job *j)
{
	memset(sj, 0, sizeof(*sj));
	sj->id = j->id;
	sj->uid = j->uid;
	sj->submit_time = j->submit_time;
	sj->begin_time = j->begin_time;
	sj->queue = j->queue_index;
	sj->nice = j->nice;
	sj->admin_priority = j->admin_priority;
	sj->nodes_min = j->nodes_min;
	sj->nodes_max = j->nodes_max;
	sj->ntasks = j->ntasks;
	sj->cpus_per_task = j->cpus_per_task;
	sj->ntasks_per_node = j->ntasks_per_node;
	sj->mem_per_node_mb = j->mem_per_node_mb;
	sj->mem_per_cpu_mb = j->mem_per_cpu_mb;
	sj->gpus_per_node = j->gpus_per_node;
	memcpy(sj->gpu_type, j->gpu_type, sizeof(sj->gpu_type));
	sj->constraint = sched_snap_strdup(s, j->constraint);
	sj->exclusive = j->exclusive;
	sj->time_limit = j->time_limit;
	sj->promised = j->plan_start;	/* conservative: never later */
	sj->user = sched_snap_strdup(s, j->user);
}

/* The nodes j's promise was planned on (sched_job.promised_nodes), copied
 * into the snapshot; none when the job was saved since (it changed) or the
 * node table was reconfigured (indices renumbered): the promise then holds
 * on one node only (plan.c). */
static void
snap_promise_nodes(struct sched_snap *s, struct sched_job *sj,
		   const struct job *j)
{
	uint32_t *v;

	if (!sj->promised || !j->plan_idx || j->plan_gen != j->gen ||
	    j->plan_epoch != s->epoch)
		return;
	v = sched_snap_alloc(s, j->nplan_idx * sizeof(*v));
	memcpy(v, j->plan_idx, j->nplan_idx * sizeof(*v));
	sj->promised_nodes = v;
	sj->npromised_nodes = j->nplan_idx;
}

/* One more entry for j; entry `rec` holds its record's expected gen. */
static void
snap_push_job(struct sched_snap *s, const struct job *j, size_t rec)
{
	size_t k = s->njobs;

	if (k == s->jcap) {
		s->jcap = s->jcap ? s->jcap * 2 : 64;
		s->jobs = hc_realloc(s->jobs, s->jcap * sizeof(*s->jobs));
		s->refs = hc_realloc(s->refs, s->jcap * sizeof(*s->refs));
	}
	snap_job(s, &s->jobs[k], j);	/* clears it */
	accounts_pass_job(s->acct, j, &s->jobs[k]);
	if (j->array) {	/* the pass starts tasks, apply splits them off */
		s->jobs[k].id = JOBS_ARRAY_VIEW_BIT | (uint32_t)k;
		if (k != rec)	/* the record's plan is its first task's */
			s->jobs[k].promised = 0;
	}
	snap_promise_nodes(s, &s->jobs[k], j);
	s->refs[k].id = j->id;
	s->refs[k].rec = (uint32_t)rec;
	s->refs[k].gen = j->gen;
	s->njobs++;
}

/* The pending jobs that go into the pass. The arrays are sized to them,
 * not to the table: most of a big table is held or finished. */
static void
snap_build_jobs(struct sched_snap *s, struct jobs *js, time_t now)
{
	for (size_t i = 0; i < js->n; i++) {
		struct job *j = js->v[i];
		size_t first = s->njobs;
		uint32_t k;

		if (j->array && j->dep)	/* aftercorr: judge tasks singly */
			jobs_array_corr_split(js, j, now);
		if (!snap_job_wanted(js, j, now) ||
		    jobs_array_throttled(js, j))	/* a split task */
			continue;
		/* An array record offers up to k of its tasks at once. */
		k = j->array ? jobs_array_room(js, j) : 1;
		for (uint32_t t = 0; t < k; t++) {
			snap_push_job(s, j, first);
			node_select_snap_job(s, js->c, &s->jobs[s->njobs - 1],
					     j);
		}
	}
}

void
sched_snap_add_part(struct sched_snap *s, const struct sched_snap_part *part)
{
	struct sched_snap_part *p = sched_snap_alloc(s, sizeof(*p));

	*p = *part;
	p->next = s->parts;
	s->parts = p;
}

/* What goes into a snapshot, in order (nodes first: the others index
 * them). A stage with its own part adds its builder here. */
typedef void snap_build_fn(struct sched_snap *s, struct jobs *js);

static void
snap_build_nodes_fn(struct sched_snap *s, struct jobs *js)
{
	snap_build_nodes(s, js->c->nodes);
}

static void
snap_build_jobs_fn(struct sched_snap *s, struct jobs *js)
{
	snap_build_jobs(s, js, s->now);
}

/* The account view (accounts_view.c): before the jobs, which it charges. */
static void
snap_build_acct_fn(struct sched_snap *s, struct jobs *js)
{
	s->acct = accounts_pass_begin(js->c, js, s->now);
}

static snap_build_fn *const snap_builders[] = {
	snap_build_nodes_fn,
	snap_build_acct_fn,
	snap_build_jobs_fn,
	sched_snap_build_running,
	usage_snap_part,
	node_select_snap_resv,
	power_snap_cloud,	/* after the jobs: cloud budgets */
};

struct sched_snap *
sched_snap_build(struct jobs *js, time_t now)
{
	struct sched_snap *s = hc_calloc(1, sizeof(*s));
	long depth = js->c->conf->backfill_depth;

	s->now = now;
	s->popt.depth = depth < 0 ? 0 : (uint32_t)depth;
	for (size_t i = 0; i < sizeof(snap_builders) / sizeof(*snap_builders);
	     i++)
		snap_builders[i](s, js);
	return s;
}

void
sched_snap_free(struct sched_snap *s)
{
	struct snap_chunk *c, *next;

	if (!s)
		return;
	for (struct sched_snap_part *p = s->parts; p; p = p->next)
		if (p->free)
			p->free(p->data);
	sched_plan_free(&s->plan);
	accounts_pass_end(s->acct);
	for (c = s->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(s->nodes);
	free(s->node_gen);
	free(s->cpubuf);
	free(s->jobs);
	free(s->refs);
	free(s->running);
	free(s);
}
