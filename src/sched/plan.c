/*
 * plan: the planning pass, backfill over time (see plan.h for the API and
 * the policies).
 *
 * The algorithm, once per pass, on a profile of every node's resources
 * over time (plan_profile.c) built from the node views and the running
 * jobs' expected ends:
 *
 *   for each pending job in scheduling order:
 *     Held, BeginTime, the admit hooks (quotas) as in sched_pass;
 *     FCFS (depth 0): place now if it fits, else block its queue;
 *     otherwise, if the job can hold its request on enough nodes from now
 *     to now + its time limit without touching what a planned job holds,
 *     place it now on those nodes (sched_place: filter and score hooks,
 *     CPU and GPU ids) and mark its resources busy until its end;
 *     else, while fewer than `depth` jobs are planned, find its earliest
 *     start (prof_earliest) and mark its nodes busy over [start, end):
 *     later jobs may use them only around that window;
 *     else it waits ("Priority").
 *
 * Every job below the first waiting one that starts is a backfill: it ran
 * the same check against every plan made so far, so it delays none. A
 * failed "start now" is remembered by shape (request, queue, features,
 * reservation) with the shortest time limit that failed: resources only
 * shrink during a pass, so a later job of the same shape and no shorter
 * limit fails too and is skipped without a search. When no node has a free
 * CPU at all, jobs below the plans are not searched.
 *
 * Conservative compression: with depth > 1, jobs that an earlier pass gave
 * a plan (`promised`) are planned first, in the order of their promised
 * starts. Each such job's old window is still free when its turn comes
 * (what ended early only freed resources, and jobs planned before it only
 * moved earlier), so its new start is never later; new jobs follow in
 * priority order. The argument counts resources per node, so it needs
 * each promised job to keep to its own nodes: on several nodes a job
 * planned earlier could otherwise move to a node a later promised job had.
 * So the host hands each promise's nodes back (sched_job.promised_nodes)
 * and a promised job starts now only on them, and is planned on them
 * (its old window there is free: every job planned before it kept to its
 * own nodes and only moved earlier, which frees time after its start).
 * Only if those nodes are gone or unfit (down, drained) is it planned
 * anywhere, and then the promise may break. Without the nodes (a host
 * that keeps none) the promise is exact on one node only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plan.h"
#include "plan_profile.h"
#include "sched_internal.h"

#define SHAPE_SLOTS_MAX 4096	/* a cache: a lost entry costs a search */

/* A job shape that failed to start now, and the shortest limit that did. */
struct shape {
	bool used;
	uint32_t queue, nnodes, cpus, gpus;
	uint64_t mem_mb;
	bool exclusive, no_cloud;
	uint64_t pool_deny;
	char gpu_type[HC_SCHED_NAME_LEN];
	const char *constraint;	/* borrowed from the job (pass lifetime) */
	const struct sched_resv *resv;	/* the job's reservation, or NULL */
	time_t secs;
};

struct plan_ctx {
	struct sched *s;
	uint32_t depth;
	long horizon;
	bool test_break;	/* plan.h: test only */
	uint32_t promise_ok;	/* id + 1 of the job promise_nodes last
				 * found keeping to its nodes */
	time_t now;
	struct profile *prof;
	struct sched_node *nodes;
	size_t nnodes;
	struct sched_place_ctx *pc;
	uint8_t *allow;
	uint32_t *chosen;
	bool blocked[SCHED_MAX_QUEUES];
	uint32_t planned;
	bool waiting;		/* a job ahead in order waits */
	struct sched_plan *out;
	struct shape *shapes;	/* nshapes, a power of two */
	size_t nshapes;
};

long
sched_job_limit_sec(const struct sched_job *j)
{
	if (j->time_limit_sec > 0)
		return j->time_limit_sec;
	return j->time_limit > 0 ? j->time_limit * 60 : 0;
}

/* Set a fixed reason (not snprintf: it runs for most jobs of a pass). */
static void
reason_set(struct sched_job *j, const char *r)
{
	size_t n = strlen(r);

	if (n >= sizeof(j->reason))
		n = sizeof(j->reason) - 1;
	memcpy(j->reason, r, n);
	j->reason[n] = '\0';
}

static bool
str_same(const char *a, const char *b)
{
	return (!a || !*a) ? (!b || !*b) : (b && !strcmp(a, b));
}

static struct shape *
shape_slot(struct plan_ctx *x, uint32_t queue, const struct sched_req *rq,
	   const char *constraint)
{
	uint64_t h = 1469598103934665603ull;
	uint64_t f[] = { queue, rq->nnodes, rq->cpus, rq->gpus, rq->mem_mb,
			 rq->exclusive, (uint64_t)(uintptr_t)rq->resv,
			 rq->no_cloud, rq->pool_deny };
	const char *strs[] = { rq->gpu_type, constraint };

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		h = (h ^ f[k]) * 1099511628211ull;
	for (size_t k = 0; k < 2; k++)
		for (const char *c = strs[k]; c && *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ull;
	return &x->shapes[h & (x->nshapes - 1)];
}

static bool
shape_is(const struct shape *m, uint32_t queue, const struct sched_req *rq,
	 const char *constraint)
{
	return m->used && m->queue == queue && m->nnodes == rq->nnodes &&
	       m->cpus == rq->cpus && m->gpus == rq->gpus &&
	       m->mem_mb == rq->mem_mb && m->exclusive == rq->exclusive &&
	       m->no_cloud == rq->no_cloud &&
	       m->pool_deny == rq->pool_deny &&
	       m->resv == rq->resv && str_same(m->gpu_type, rq->gpu_type) &&
	       str_same(m->constraint, constraint);
}

/* Did this shape already fail with a limit no longer than secs? */
static bool
shape_failed(struct plan_ctx *x, uint32_t queue, const struct sched_req *rq,
	     const char *constraint, time_t secs)
{
	struct shape *m = shape_slot(x, queue, rq, constraint);

	return shape_is(m, queue, rq, constraint) && m->secs <= secs;
}

static void
shape_fail(struct plan_ctx *x, uint32_t queue, const struct sched_req *rq,
	   const char *constraint, time_t secs)
{
	struct shape *m = shape_slot(x, queue, rq, constraint);

	if (shape_is(m, queue, rq, constraint)) {
		if (secs < m->secs)
			m->secs = secs;
		return;
	}
	*m = (struct shape){ .used = true, .queue = queue,
			     .nnodes = rq->nnodes, .cpus = rq->cpus,
			     .gpus = rq->gpus, .mem_mb = rq->mem_mb,
			     .exclusive = rq->exclusive,
			     .no_cloud = rq->no_cloud,
			     .pool_deny = rq->pool_deny, .resv = rq->resv,
			     .constraint = constraint, .secs = secs };
	snprintf(m->gpu_type, sizeof(m->gpu_type), "%s",
		 rq->gpu_type ? rq->gpu_type : "");
}

static void
plan_append(struct plan_ctx *x, const struct sched_job *j, time_t start,
	    const struct prof_need *need)
{
	struct sched_plan *o = x->out;
	struct sched_plan_entry *e;

	if (o->nplanned == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 64;
		o->planned = hc_realloc(o->planned,
					o->cap * sizeof(*o->planned));
	}
	e = &o->planned[o->nplanned++];
	e->job = j->id;
	e->start = start;
	e->end = need->secs >= PROF_FOREVER ? 0 : start + need->secs;
	e->nnodes = need->nnodes;
	e->nodes = hc_malloc(need->nnodes * sizeof(*e->nodes));
	for (uint32_t k = 0; k < need->nnodes; k++)
		e->nodes[k] = x->nodes[x->chosen[k]].index;
}

/* Placement's state, made on first use (many passes place nothing). */
static struct sched_place_ctx *
place_ctx(struct plan_ctx *x)
{
	if (!x->pc)
		x->pc = sched_place_begin(x->s, x->nodes, x->nnodes);
	return x->pc;
}

/* Does the job keep to the nodes of its promise (conservative, nodes
 * given, all still there and fit for it)? */
static bool
promise_nodes(struct plan_ctx *x, const struct sched_job *j,
	      const struct prof_need *need)
{
	if (x->depth <= 1 || !j->promised || !j->promised_nodes ||
	    j->npromised_nodes != need->nnodes)
		return false;
	if (x->promise_ok == j->id + 1)
		return true;
	if (prof_earliest_on(x->prof, need, j->promised_nodes,
			     j->npromised_nodes, x->chosen) < 0)
		return false;
	x->promise_ok = j->id + 1;
	return true;
}

/* Start the job now if it fits without delaying a plan. SCHED_PLACED,
 * SCHED_BUSY, or SCHED_NEVER with the reason set by placement. */
static int
try_start(struct plan_ctx *x, struct sched_job *j, const struct sched_req *rq,
	  const struct hc_job_view *v, const struct prof_need *need)
{
	struct sched_result *res = &x->out->started;
	bool all = x->s->has_filter || x->s->has_score;
	size_t n;
	int r;

	if (promise_nodes(x, j, need))
		n = prof_fit_now_on(x->prof, need, j->promised_nodes,
				    j->npromised_nodes, x->allow);
	else
		n = prof_fit_now(x->prof, need, x->allow,
				 all ? 0 : need->nnodes);
	if (n < need->nnodes) {
		prof_allow_clear(x->prof, x->allow);
		return SCHED_BUSY;
	}
	sched_place_allow(place_ctx(x), x->allow);
	r = sched_place_job(place_ctx(x), j->queue, v, rq, res, j->reason,
			    sizeof(j->reason));
	sched_place_allow(place_ctx(x), NULL);
	prof_allow_clear(x->prof, x->allow);
	if (r == SCHED_PLACED) {
		prof_take_alloc(x->prof, &res->allocs[res->count - 1],
				need->secs);
		sched_stage_started(x->s, j, &res->allocs[res->count - 1]);
	}
	return r;
}

/* Give the job its earliest start and hold its nodes over it. */
static void
plan_one(struct plan_ctx *x, struct sched_job *j, const struct prof_need *need)
{
	time_t t = -1;

	if (promise_nodes(x, j, need))
		t = prof_earliest_on(x->prof, need, j->promised_nodes,
				     j->npromised_nodes, x->chosen);
	if (t < 0)
		t = prof_earliest(x->prof, need, x->chosen);

	reason_set(j, "Resources");
	if (t < 0 || (x->horizon > 0 && t > x->now + x->horizon))
		return;
	for (uint32_t k = 0; k < need->nnodes && !x->test_break; k++)
		prof_take(x->prof, x->chosen[k], need, t);
	j->plan_start = t;
	sched_resv_plan_reason(&x->s->resv, j, x->nodes, x->chosen,
			       need->nnodes, x->now, t);
	plan_append(x, j, t, need);
	x->planned++;
}

static void
need_make(const struct sched_job *j, const struct sched_req *rq,
	  struct prof_need *need)
{
	long secs = sched_job_limit_sec(j);

	*need = (struct prof_need){
		.nnodes = rq->nnodes, .cpus = rq->cpus, .gpus = rq->gpus,
		.mem_mb = rq->mem_mb, .exclusive = rq->exclusive,
		.secs = secs > 0 ? secs : PROF_FOREVER,
	};
}

/* FCFS: place if it fits now, else its queue waits behind it. */
static void
fcfs_job(struct plan_ctx *x, struct sched_job *j, const struct sched_req *rq,
	 const struct hc_job_view *v, const struct prof_need *need)
{
	bool *blocked = j->queue < SCHED_MAX_QUEUES ? &x->blocked[j->queue]
						    : NULL;
	struct sched_result *res = &x->out->started;
	int r;

	if (blocked && *blocked) {
		reason_set(j, "Priority");
		return;
	}
	r = sched_place_job(place_ctx(x), j->queue, v, rq, res, j->reason,
			    sizeof(j->reason));
	if (r == SCHED_PLACED) {
		j->reason[0] = '\0';
		prof_take_alloc(x->prof, &res->allocs[res->count - 1],
				need->secs);
		sched_stage_started(x->s, j, &res->allocs[res->count - 1]);
	} else if (r == SCHED_BUSY) {
		if (!j->reason[0])	/* else a reservation's, kept */
			reason_set(j, "Resources");
		if (blocked && !x->test_break)
			*blocked = true;
	}
}

/* Backfill modes: start now, or plan (within depth), or wait. */
static void
backfill_job(struct plan_ctx *x, struct sched_job *j,
	     const struct sched_req *rq, const struct hc_job_view *v,
	     const struct prof_need *need)
{
	bool top = x->planned < x->depth;
	int r = SCHED_BUSY;

	if (!top && !prof_open(x->prof)) {
		/* Every node is full now: nothing below the plans can start. */
		x->out->skipped++;
		reason_set(j, "Priority");
		return;
	}
	if (prof_select(x->prof, j->queue, rq) < rq->nnodes) {
		/* Never fits: placement's reason tells why. */
		struct sched_result *res = &x->out->started;

		if (sched_place_job(place_ctx(x), j->queue, v, rq, res,
				    j->reason, sizeof(j->reason)) ==
		    SCHED_PLACED) {
			/* (cannot happen: the same capacity rules) */
			j->reason[0] = '\0';
			prof_take_alloc(x->prof, &res->allocs[res->count - 1],
					need->secs);
			sched_stage_started(x->s, j,
					    &res->allocs[res->count - 1]);
		}
		return;
	}
	if (!shape_failed(x, j->queue, rq, j->constraint, need->secs)) {
		r = try_start(x, j, rq, v, need);
		if (r == SCHED_PLACED) {
			j->reason[0] = '\0';
			x->out->backfilled += x->waiting;
			return;
		}
		if (r == SCHED_NEVER)
			return;
		/* (a try on a promise's nodes only says nothing of the
		 * shape) */
		if (!promise_nodes(x, j, need))
			shape_fail(x, j->queue, rq, j->constraint,
				   need->secs);
	} else if (!top) {
		x->out->skipped++;
	}
	x->waiting = true;
	if (top)
		plan_one(x, j, need);
	else
		reason_set(j, "Priority");
}

static void
pass_job(struct plan_ctx *x, struct sched_job *j)
{
	struct sched_req rq;
	struct hc_job_view v;
	struct prof_need need;
	struct hc_err ferr;

	j->plan_start = 0;
	if (!sched_stage_admit(x->s, j, &rq, &v, x->now))
		return;
	if (j->constraint && !(rq.feat = sched_features_compile(j->constraint,
								&ferr))) {
		snprintf(j->reason, sizeof(j->reason), "BadConstraints");
		return;
	}
	need_make(j, &rq, &need);
	prof_job_resv(x->prof, rq.resv);
	if (x->depth == 0)
		fcfs_job(x, j, &rq, &v, &need);
	else
		backfill_job(x, j, &rq, &v, &need);
	sched_features_free(rq.feat);
}

struct promise_key {
	time_t promised;
	uint32_t rank;
	uint32_t idx;
};

static int
promise_cmp(const void *a, const void *b)
{
	const struct promise_key *x = a, *y = b;

	if (x->promised != y->promised)
		return x->promised < y->promised ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Conservative compression: promised jobs first, by promised start, then
 * the others in scheduling order. */
static void
order_promised(struct sched_job *jobs, uint32_t *order, size_t njobs)
{
	struct promise_key *k = hc_malloc((njobs ? njobs : 1) * sizeof(*k));
	size_t np = 0, rest = 0;
	uint32_t *tail = hc_malloc((njobs ? njobs : 1) * sizeof(*tail));

	for (size_t i = 0; i < njobs; i++) {
		if (jobs[order[i]].promised > 0)
			k[np++] = (struct promise_key){ jobs[order[i]].promised,
							(uint32_t)i,
							order[i] };
		else
			tail[rest++] = order[i];
	}
	qsort(k, np, sizeof(*k), promise_cmp);
	for (size_t i = 0; i < np; i++)
		order[i] = k[i].idx;
	memcpy(order + np, tail, rest * sizeof(*tail));
	free(k);
	free(tail);
}

int
sched_plan_pass(struct sched *s, const struct sched_plan_options *po,
		struct sched_job *jobs, size_t njobs,
		struct sched_node *nodes, size_t nnodes,
		const struct sched_running *running, size_t nrunning,
		time_t now, struct sched_plan *out, struct hc_err *err)
{
	struct plan_ctx *x;
	uint32_t *order;

	if (!po)
		return hc_err_set(err, HC_EINVAL, "planning pass: no options");
	x = hc_calloc(1, sizeof(*x));
	x->prof = prof_create(nodes, nnodes, running, nrunning, &s->resv, now,
			      err);
	if (!x->prof) {
		free(x);
		return -1;
	}
	x->s = s;
	x->depth = po->depth;
	x->horizon = po->horizon;
	x->test_break = po->test_break;
	x->now = now;
	x->nodes = nodes;
	x->nnodes = nnodes;
	x->out = out;
	x->allow = hc_calloc(nnodes ? nnodes : 1, 1);
	x->chosen = hc_malloc((nnodes ? nnodes : 1) * sizeof(*x->chosen));
	for (x->nshapes = 64; x->nshapes < 2 * njobs &&
			      x->nshapes < SHAPE_SLOTS_MAX;)
		x->nshapes *= 2;
	x->shapes = hc_calloc(x->nshapes, sizeof(*x->shapes));
	order = sched_stage_order(s, jobs, njobs, nodes, nnodes, now);
	if (x->depth > 1)
		order_promised(jobs, order, njobs);
	for (size_t i = 0; i < njobs; i++)
		pass_job(x, &jobs[order[i]]);
	sched_place_end(x->pc);
	prof_destroy(x->prof);
	free(order);
	free(x->allow);
	free(x->chosen);
	free(x->shapes);
	free(x);
	return 0;
}

void
sched_plan_free(struct sched_plan *p)
{
	if (!p)
		return;
	sched_result_free(&p->started);
	for (size_t i = 0; i < p->nplanned; i++)
		free(p->planned[i].nodes);
	free(p->planned);
	memset(p, 0, sizeof(*p));
}
