/*
 * sched_apply: apply a pass's result on the loop (see sched_snap.h).
 *
 * Each decision is checked against what changed while the worker planned:
 * the node table's epoch, the job's generation (its array record's, for a
 * task) and every allocated node's generation and usability. A decision
 * that fails the check is dropped (the caller asks for another pass, which
 * plans on the new state). Decisions applied here move generations too (the
 * job is saved, its nodes allocated); the snapshot's copies are moved along
 * with them, since the pass planned its later decisions knowing of its
 * earlier ones.
 *
 * An applied decision: node_alloc on each node, CONFIGURING, persisted, and
 * JOB_LAUNCH queued to every node of the allocation; the output queue sends
 * it only once the allocation is committed (so a crash can never leave a
 * node running a job that LMDB still calls pending).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ctld.h"
#include "hostlist.h"
#include "identity.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "nodes.h"
#include "sched_snap.h"
#include "states.h"

static uint32_t *
ids_dup(const uint32_t *ids, uint32_t n)
{
	uint32_t *v = hc_calloc(n ? n : 1, sizeof(*v));

	if (n)
		memcpy(v, ids, n * sizeof(*v));
	return v;
}

/* Forget j's plan: its start, its nodes by name and by index. */
static void
apply_plan_clear(struct job *j)
{
	j->plan_start = 0;
	free(j->plan_nodes);
	j->plan_nodes = NULL;
	free(j->plan_idx);
	j->plan_idx = NULL;
	j->nplan_idx = 0;
}

/* Give j the allocation a; node_alloc on each node; CONFIGURING. */
static void
apply_alloc(struct jobs *js, struct job *j, const struct sched_alloc *a,
	    time_t now)
{
	struct hostlist *hl = hostlist_create();

	job_alloc_clear(j);
	apply_plan_clear(j);
	j->alloc = hc_calloc(a->nnodes ? a->nnodes : 1, sizeof(*j->alloc));
	j->nalloc = a->nnodes;
	for (uint32_t k = 0; k < a->nnodes; k++) {
		const struct sched_alloc_node *an = &a->nodes[k];
		struct node *n = nodes_at(js->c->nodes, an->node);
		struct job_node *jn = &j->alloc[k];

		jn->name = hc_strdup(n->name);
		jn->ncpus = an->ncpus;
		jn->cpu_ids = ids_dup(an->cpu_ids, an->ncpus);
		jn->mem_mb = an->mem_mb;
		jn->ngpus = an->ngpus;
		jn->gpu_ids = ids_dup(an->gpu_ids, an->ngpus);
		if (*identity_node_id(n))
			jn->compute_id = hc_strdup(identity_node_id(n));
		hostlist_push(hl, n->name);
	}
	jobs_alloc_attach(js, j);
	hostlist_uniq(hl);
	j->nodelist = hostlist_ranged(hl);
	hostlist_destroy(hl);
	j->state = JOB_CONFIGURING;
	j->start_time = now;
	j->end_time = 0;
	j->reason[0] = '\0';
	hc_log(HC_LOG_INFO, "job=%u allocated nodes=%s", j->id, j->nodelist);
	jobs_save(js, j);
}

/* The live pending job behind entry k whose generation has not moved, or
 * NULL. */
static struct job *
apply_job_live(struct jobs *js, const struct sched_snap *s, size_t k)
{
	const struct sched_snap_ref *r = &s->refs[k];
	struct job *j = jobs_find(js, r->id);

	if (!j || j->state != JOB_PENDING || j->gen != s->refs[r->rec].gen)
		return NULL;
	return j;
}

/* Whether every node of a is as the pass saw it. */
static bool
apply_nodes_live(struct jobs *js, const struct sched_snap *s,
		 const struct sched_alloc *a)
{
	for (uint32_t k = 0; k < a->nnodes; k++) {
		uint32_t i = a->nodes[k].node;
		struct node *n;

		if (i >= s->nnodes || i >= nodes_count(js->c->nodes))
			return false;
		n = nodes_at(js->c->nodes, i);
		if (n->gen != s->node_gen[i] || !node_is_usable(n))
			return false;
	}
	return true;
}

/* After applying: the pass knew of this decision when it made the next
 * ones, so the generations it moved are the snapshot's again. */
static void
apply_refresh(struct jobs *js, struct sched_snap *s, size_t k,
	      const struct sched_alloc *a)
{
	struct job *rec = jobs_find(js, s->refs[k].id);

	if (rec)
		s->refs[s->refs[k].rec].gen = rec->gen;
	for (uint32_t i = 0; i < a->nnodes; i++)
		s->node_gen[a->nodes[i].node] =
			nodes_at(js->c->nodes, a->nodes[i].node)->gen;
}

/* Entry index of allocation a: its view id (array tasks), else a binary
 * search (entries follow the job table's id order). */
static size_t
apply_entry(const struct sched_snap *s, const struct sched_alloc *a)
{
	size_t lo = 0, hi = s->njobs;

	if (a->job & JOBS_ARRAY_VIEW_BIT)
		return a->job & ~JOBS_ARRAY_VIEW_BIT;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->refs[mid].id < a->job)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->njobs && s->jobs[lo].id == a->job ? lo : s->njobs;
}

/* Apply one allocation; false when it was dropped. */
static bool
apply_one(struct jobs *js, struct sched_snap *s, const struct sched_alloc *a,
	  size_t k)
{
	struct job *j;

	if (k >= s->njobs || !(j = apply_job_live(js, s, k)) ||
	    !apply_nodes_live(js, s, a)) {
		hc_log(HC_LOG_DEBUG, "job=%u decision dropped: changed during "
		       "the pass", k < s->njobs ? s->refs[k].id : a->job);
		return false;
	}
	if (j->array) {		/* an array task: split it off */
		j = jobs_array_split(js, j, s->now);
		if (!j)
			return true;	/* logged; not a change to replan */
	}
	apply_alloc(js, j, a, s->now);
	jobs_launch(js, j);
	apply_refresh(js, s, k, a);
	return true;
}

/* The planned nodes of entry p, ranged ("n[1-4]"). */
static char *
apply_plan_nodes(struct jobs *js, const struct sched_plan_entry *p)
{
	struct hostlist *hl = hostlist_create();
	char *txt;

	for (uint32_t k = 0; k < p->nnodes; k++)
		if (p->nodes[k] < nodes_count(js->c->nodes))
			hostlist_push(hl, nodes_at(js->c->nodes,
						   p->nodes[k])->name);
	hostlist_uniq(hl);
	txt = hostlist_ranged(hl);
	hostlist_destroy(hl);
	return txt;
}

/* Keep entry p's plan on j: its nodes ranged for hcqueue, and by index
 * for the next pass (sched_job.promised_nodes: a conservative promise
 * holds across several nodes only if the job keeps to its own). In memory
 * only, like the plan itself; valid while j->gen and the node table's
 * epoch stay as they are now (sched_snap.c checks). */
static void
apply_plan_keep(struct jobs *js, struct sched_snap *s, struct job *j,
		const struct sched_plan_entry *p)
{
	j->plan_nodes = apply_plan_nodes(js, p);
	j->nplan_idx = p->nnodes;
	j->plan_idx = hc_calloc(p->nnodes ? p->nnodes : 1,
				sizeof(*j->plan_idx));
	if (p->nnodes)
		memcpy(j->plan_idx, p->nodes, p->nnodes * sizeof(*p->nodes));
	j->plan_gen = j->gen;
	j->plan_epoch = s->epoch;
}

/* Priorities, reasons and plans of the jobs that did not change. An array
 * record shows what the pass said of its first task. */
static void
apply_reasons(struct jobs *js, struct sched_snap *s)
{
	for (size_t k = 0; k < s->njobs; k++) {
		struct job *j = apply_job_live(js, s, k);

		if (!j || (j->array && s->refs[k].rec != k))
			continue;
		j->priority = s->jobs[k].priority;
		j->prio_factors = s->jobs[k].factors;
		/* One that starts loses its reason when it is applied (a
		 * dropped one keeps the one it had). */
		if (s->jobs[k].reason[0])
			memcpy(j->reason, s->jobs[k].reason,
			       sizeof(j->reason));
		apply_plan_clear(j);
		j->plan_start = s->jobs[k].plan_start;
	}
	for (size_t i = 0; i < s->plan.nplanned; i++) {
		const struct sched_plan_entry *p = &s->plan.planned[i];
		struct sched_alloc a = { .job = p->job };
		size_t k = apply_entry(s, &a);
		struct job *j = k < s->njobs ? apply_job_live(js, s, k) : NULL;

		if (j && (!j->array || s->refs[k].rec == k) &&
		    !j->plan_nodes && j->plan_start == p->start)
			apply_plan_keep(js, s, j, p);
	}
}

size_t
sched_snap_apply(struct jobs *js, struct sched_snap *s)
{
	size_t dropped = 0;

	if (s->epoch != nodes_epoch(js->c->nodes)) {
		hc_log(HC_LOG_DEBUG, "scheduling pass dropped: nodes were "
		       "reconfigured during it");
		return s->plan.started.count ? s->plan.started.count : 1;
	}
	apply_reasons(js, s);
	/* Durable before any node hears of it: the launches are only queued
	 * here, and the output queue (rpc_out.c) commits the writes of the
	 * loop turn before it sends any frame. */
	for (size_t i = 0; i < s->plan.started.count; i++) {
		const struct sched_alloc *a = &s->plan.started.allocs[i];

		if (!apply_one(js, s, a, apply_entry(s, a)))
			dropped++;
	}
	return dropped;
}
