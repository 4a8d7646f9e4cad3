/*
 * sched_place: first-fit placement of one job on the nodes of its queue.
 *
 * Per pass, nodes are ordered once by preference (weight, then index) and
 * each queue gets the list of its usable nodes in that order. Resources
 * are only taken during a pass, never freed, so:
 *  - a node that is full (no free CPU, or held by an exclusive job) stays
 *    full: each queue keeps a cursor past its leading full nodes, and a
 *    queue whose nodes are all full answers in O(1);
 *  - a job shape that can never fit (more than any node has, a feature no
 *    node offers) cannot fit later in the pass either: such shapes are
 *    remembered (a small hash) so 50,000 identical bad jobs cost one scan.
 * The fast path only looks at nodes that fit now; when it fails, one slow
 * scan over the whole queue tells "Resources" (it would fit once running
 * jobs end) from a reason that waiting will not cure.
 *
 * A job whose cloud budget cannot take it (no_cloud) sees no cloud node,
 * and a job sees no node of a pool whose Accounts= leave its account out
 * (pool_deny): when only such nodes could take it, its reason names the
 * pool (CloudPoolAccounts:POOL).
 * Candidate nodes pass (in this order) the resource checks, the job's
 * features expression and the plugins' filter hooks; with score hooks, all
 * candidates are scored and the best taken, else the first ones found.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "sched.h"
#include "sched_internal.h"

#define MEMO_SLOTS 256

struct place_node {
	uint32_t cpus_free;
	uint64_t mem_free;
	bool usable;
};

struct place_queue {
	uint32_t *list;		/* usable nodes of the queue, preferred first */
	size_t n;
	size_t first_open;	/* list[0..first_open) are full */
	bool built;
};

/* A job shape known not to fit anywhere this pass, and why. */
struct place_memo {
	bool used;
	uint32_t queue, nnodes, cpus, gpus;
	uint64_t mem_mb;
	bool exclusive, no_cloud;
	uint64_t pool_deny;
	const struct sched_resv *resv;
	long time_limit;	/* part of the shape when reservations exist */
	char gpu_type[HC_SCHED_NAME_LEN];
	char *constraint;	/* owned, NULL = none */
	char reason[SCHED_REASON_LEN];
};

struct sched_place_ctx {
	struct sched *s;
	struct sched_node *nodes;
	size_t nnodes;
	struct place_node *pn;
	uint32_t *order;	/* all nodes, preferred first */
	struct place_queue q[SCHED_MAX_QUEUES];
	uint32_t *cand;		/* scratch, nnodes entries */
	struct hc_gpu_view gv[SCHED_MAX_GPUS];
	struct hc_accel_view av[SCHED_MAX_GPUS];
	struct place_memo memo[MEMO_SLOTS];
	const uint8_t *allow;	/* NULL = all nodes (sched_place_allow) */
};

struct node_key {
	long weight;
	uint32_t index;
	uint32_t i;
	double score;		/* used when scoring candidates */
};

static int
node_key_cmp(const void *a, const void *b)
{
	const struct node_key *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight < y->weight ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void
sort_nodes(struct sched_place_ctx *pc, uint32_t *idx, size_t n,
	   const double *score)
{
	struct node_key *k = hc_malloc((n ? n : 1) * sizeof(*k));

	for (size_t j = 0; j < n; j++) {
		const struct sched_node *nd = &pc->nodes[idx[j]];
		k[j] = (struct node_key){ nd->weight, nd->index, idx[j],
					  score ? score[j] : 0 };
	}
	qsort(k, n, sizeof(*k), node_key_cmp);
	for (size_t j = 0; j < n; j++)
		idx[j] = k[j].i;
	free(k);
}

struct sched_place_ctx *
sched_place_begin(struct sched *s, struct sched_node *nodes, size_t nnodes)
{
	struct sched_place_ctx *pc = hc_calloc(1, sizeof(*pc));

	pc->s = s;
	pc->nodes = nodes;
	pc->nnodes = nnodes;
	pc->pn = hc_calloc(nnodes ? nnodes : 1, sizeof(*pc->pn));
	pc->order = hc_malloc((nnodes ? nnodes : 1) * sizeof(*pc->order));
	pc->cand = hc_malloc((nnodes ? nnodes : 1) * sizeof(*pc->cand));
	for (size_t i = 0; i < nnodes; i++) {
		struct sched_node *n = &nodes[i];
		struct place_node *p = &pc->pn[i];

		pc->order[i] = (uint32_t)i;
		p->usable = n->usable && (n->cpus == 0 || n->cpu_used) &&
			    n->gpu_count <= SCHED_MAX_GPUS;
		for (uint32_t c = 0; p->usable && c < n->cpus; c++)
			p->cpus_free += !n->cpu_used[c];
		p->mem_free = n->mem_used_mb < n->mem_mb
				      ? n->mem_mb - n->mem_used_mb : 0;
	}
	sort_nodes(pc, pc->order, nnodes, NULL);
	return pc;
}

void
sched_place_end(struct sched_place_ctx *pc)
{
	if (!pc)
		return;
	for (size_t q = 0; q < SCHED_MAX_QUEUES; q++)
		free(pc->q[q].list);
	for (size_t m = 0; m < MEMO_SLOTS; m++)
		free(pc->memo[m].constraint);
	free(pc->pn);
	free(pc->order);
	free(pc->cand);
	free(pc);
}

void
sched_place_allow(struct sched_place_ctx *pc, const uint8_t *allow)
{
	pc->allow = allow;
}

static struct place_queue *
queue_get(struct sched_place_ctx *pc, uint32_t queue)
{
	struct place_queue *q = &pc->q[queue];
	uint64_t bit = (uint64_t)1 << queue;

	if (q->built)
		return q;
	q->list = hc_malloc((pc->nnodes ? pc->nnodes : 1) * sizeof(*q->list));
	for (size_t k = 0; k < pc->nnodes; k++) {
		uint32_t i = pc->order[k];
		if (pc->pn[i].usable && (pc->nodes[i].queue_mask & bit))
			q->list[q->n++] = i;
	}
	q->built = true;
	return q;
}

static bool
node_full(const struct sched_place_ctx *pc, uint32_t i)
{
	const struct sched_node *n = &pc->nodes[i];

	return n->exclusive_used || pc->pn[i].cpus_free == 0 ||
	       (n->mem_mb && pc->pn[i].mem_free == 0);
}

static bool
gpu_type_ok(const struct sched_gpu *g, const char *type)
{
	return !type || !*type || !strcasecmp(g->type, type);
}

static uint32_t
gpus_count(const struct sched_node *n, const char *type, bool free_only)
{
	uint32_t c = 0;

	for (uint32_t g = 0; g < n->gpu_count; g++)
		if ((!free_only || !n->gpus[g].used) &&
		    gpu_type_ok(&n->gpus[g], type))
			c++;
	return c;
}

/* Would the job fit on the node if nothing ran there? */
static bool
fits_idle(const struct sched_node *n, const struct sched_req *rq)
{
	return n->cpus >= rq->cpus && n->cpus > 0 && n->mem_mb >= rq->mem_mb &&
	       (!rq->gpus || gpus_count(n, rq->gpu_type, false) >= rq->gpus) &&
	       sched_features_eval(rq->feat, n->features);
}

/* Does the job fit on the node now (resources only)? */
static bool
fits_now(const struct sched_place_ctx *pc, uint32_t i,
	 const struct sched_req *rq)
{
	const struct sched_node *n = &pc->nodes[i];
	const struct place_node *p = &pc->pn[i];

	if (n->exclusive_used || p->cpus_free < rq->cpus ||
	    p->mem_free < rq->mem_mb)
		return false;
	if (rq->exclusive &&
	    (n->running_jobs || p->cpus_free != n->cpus || n->mem_used_mb ||
	     gpus_count(n, NULL, false) != gpus_count(n, NULL, true)))
		return false;
	return !rq->gpus || gpus_count(n, rq->gpu_type, true) >= rq->gpus;
}

static const struct hc_node_view *
node_view(struct sched_place_ctx *pc, uint32_t i, struct hc_node_view *v)
{
	const struct sched_node *n = &pc->nodes[i];

	for (uint32_t g = 0; g < n->gpu_count; g++) {
		memcpy(pc->gv[g].type, n->gpus[g].type, sizeof(pc->gv[g].type));
		pc->gv[g].type[sizeof(pc->gv[g].type) - 1] = '\0';
		pc->gv[g].used = n->gpus[g].used;
		pc->av[g] = n->gpus[g].caps;
	}
	*v = (struct hc_node_view){
		.name = n->name, .index = n->index, .weight = n->weight,
		.cpus = n->cpus, .cpus_free = pc->pn[i].cpus_free,
		.mem_mb = n->mem_mb, .mem_free_mb = pc->pn[i].mem_free,
		.gpu_count = n->gpu_count,
		.gpus_free = gpus_count(n, NULL, true), .gpus = pc->gv,
		.features = n->features, .running_jobs = n->running_jobs,
		.exclusive_used = n->exclusive_used,
		.queue_mask = n->queue_mask,
		.flags = n->power_flags, .accels = pc->av,
	};
	return v;
}

/* The reservation checks (sched_resv.h) for the job on node i, starting
 * now. */
static bool
resv_ok(const struct sched_place_ctx *pc, uint32_t i,
	const struct sched_req *rq, char *why, size_t len)
{
	const struct sched *s = pc->s;

	if (!s->resv.count && !rq->resv)
		return true;
	return sched_resv_node_ok(&s->resv, rq->resv, pc->nodes[i].index,
				  s->now,
				  sched_resv_job_end(s->now, rq->time_limit),
				  why, len);
}

/* Ask every filter hook; the first no writes why. */
static bool
filter_ok(struct sched_place_ctx *pc, uint32_t i,
	  const struct hc_job_view *jv, char *why, size_t len)
{
	struct sched *s = pc->s;
	struct hc_node_view v;

	if (!s->has_filter)
		return true;
	node_view(pc, i, &v);
	for (size_t k = 0; k < s->nplugins; k++) {
		struct sched_plugin *p = &s->plugins[k];
		char w[SCHED_REASON_LEN] = "";

		if (!p->ops.filter)
			continue;
		if (p->ops.filter(p->state, jv, &v, w, sizeof(w)) !=
		    HC_SCHED_YES) {
			if (why)
				snprintf(why, len, "%s", w[0] ? w : p->name);
			return false;
		}
	}
	return true;
}

static double
node_score(struct sched_place_ctx *pc, uint32_t i,
	   const struct hc_job_view *jv)
{
	struct sched *s = pc->s;
	struct hc_node_view v;
	double sum = 0;

	node_view(pc, i, &v);
	for (size_t k = 0; k < s->nplugins; k++) {
		struct sched_plugin *p = &s->plugins[k];
		double x = 0;

		if (p->ops.score && p->ops.score(p->state, jv, &v, &x) == 0)
			sum += x;
	}
	return sum;
}

/* Take the resources of node i for the job: specific CPU and GPU ids, the
 * memory; update the caller's node view and ours. */
static void
node_take(struct sched_place_ctx *pc, uint32_t i, const struct sched_req *rq,
	  struct sched_alloc_node *an)
{
	struct sched_node *n = &pc->nodes[i];
	struct place_node *p = &pc->pn[i];
	uint32_t want = rq->exclusive ? n->cpus : rq->cpus;

	memset(an, 0, sizeof(*an));
	an->node = n->index;
	an->cpu_ids = hc_malloc((want ? want : 1) * sizeof(*an->cpu_ids));
	for (uint32_t c = 0; c < n->cpus && an->ncpus < want; c++)
		if (!n->cpu_used[c]) {
			n->cpu_used[c] = 1;
			an->cpu_ids[an->ncpus++] = c;
		}
	for (uint32_t g = 0; g < n->gpu_count && an->ngpus < rq->gpus; g++)
		if (!n->gpus[g].used &&
		    gpu_type_ok(&n->gpus[g], rq->gpu_type)) {
			n->gpus[g].used = true;
			an->gpu_ids[an->ngpus++] = g;
		}
	an->mem_mb = rq->exclusive ? p->mem_free : rq->mem_mb;
	p->cpus_free -= an->ncpus;
	p->mem_free -= an->mem_mb;
	n->mem_used_mb += an->mem_mb;
	n->running_jobs++;
	if (rq->exclusive)
		n->exclusive_used = true;
}

static void
result_append(struct sched_place_ctx *pc, const struct hc_job_view *jv,
	      const struct sched_req *rq, const uint32_t *chosen,
	      struct sched_result *res)
{
	struct sched_alloc *a;

	if (res->count == res->cap) {
		res->cap = res->cap ? 2 * res->cap : 64;
		res->allocs = hc_realloc(res->allocs,
					 res->cap * sizeof(*res->allocs));
	}
	a = &res->allocs[res->count++];
	a->job = jv->id;
	a->nnodes = rq->nnodes;
	a->nodes = hc_calloc(rq->nnodes, sizeof(*a->nodes));
	for (uint32_t k = 0; k < rq->nnodes; k++)
		node_take(pc, chosen[k], rq, &a->nodes[k]);
}

static uint64_t
memo_hash(uint32_t queue, const struct hc_job_view *jv,
	  const struct sched_req *rq)
{
	uint64_t h = 1469598103934665603ull;
	uint64_t f[] = { queue, rq->nnodes, rq->cpus, rq->gpus, rq->mem_mb,
			 rq->exclusive, (uint64_t)(uintptr_t)rq->resv,
			 (uint64_t)rq->time_limit, rq->no_cloud,
			 rq->pool_deny };
	const char *strs[] = { rq->gpu_type, jv->constraint };

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		h = (h ^ f[k]) * 1099511628211ull;
	for (size_t k = 0; k < 2; k++)
		for (const char *c = strs[k]; c && *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ull;
	return h;
}

static bool
memo_same(const struct place_memo *m, uint32_t queue,
	  const struct hc_job_view *jv, const struct sched_req *rq)
{
	const char *c = jv->constraint;

	return m->used && m->queue == queue && m->nnodes == rq->nnodes &&
	       m->cpus == rq->cpus && m->gpus == rq->gpus &&
	       m->mem_mb == rq->mem_mb && m->exclusive == rq->exclusive &&
	       m->no_cloud == rq->no_cloud &&
	       m->pool_deny == rq->pool_deny &&
	       m->resv == rq->resv && m->time_limit == rq->time_limit &&
	       !strcmp(m->gpu_type, rq->gpu_type ? rq->gpu_type : "") &&
	       (!m->constraint == !c) &&
	       (!c || !strcmp(m->constraint, c));
}

/* Filter hooks see the job, so their answers cannot be remembered by
 * shape: no memo when a plugin filters. */
static struct place_memo *
memo_slot(struct sched_place_ctx *pc, uint32_t queue,
	  const struct hc_job_view *jv, const struct sched_req *rq)
{
	if (pc->s->has_filter)
		return NULL;
	return &pc->memo[memo_hash(queue, jv, rq) % MEMO_SLOTS];
}

static void
memo_store(struct place_memo *m, uint32_t queue, const struct hc_job_view *jv,
	   const struct sched_req *rq, const char *reason)
{
	if (!m)
		return;
	free(m->constraint);
	*m = (struct place_memo){
		.used = true, .queue = queue, .nnodes = rq->nnodes,
		.cpus = rq->cpus, .gpus = rq->gpus, .mem_mb = rq->mem_mb,
		.exclusive = rq->exclusive, .no_cloud = rq->no_cloud,
		.pool_deny = rq->pool_deny, .resv = rq->resv,
		.time_limit = rq->time_limit,
		.constraint = jv->constraint ? hc_strdup(jv->constraint)
					     : NULL,
	};
	snprintf(m->gpu_type, sizeof(m->gpu_type), "%s",
		 rq->gpu_type ? rq->gpu_type : "");
	snprintf(m->reason, sizeof(m->reason), "%s", reason);
}

/*
 * The slow path, after the fast one found too few nodes: would the job fit
 * once running jobs end (SCHED_BUSY, "Resources"), or once a reservation's
 * window ends or opens (SCHED_BUSY with its reason)? If not, say why:
 * a plugin's filter refused the nodes (its reason), the nodes that could
 * take it are down or drained ("ReqNodeNotAvail"), only with the nodes of
 * cloud pools its account may not use (up or not) would enough take it
 * ("CloudPoolAccounts:POOL", the first such pool), or no node of the
 * queue has what it asks ("BadConstraints").
 */
static int
classify(struct sched_place_ctx *pc, uint32_t queue,
	 const struct hc_job_view *jv, const struct sched_req *rq,
	 char *reason, size_t len)
{
	uint64_t bit = (uint64_t)1 << queue;
	uint32_t usable = 0, any = 0, filtered = 0, reserved = 0, denied = 0;
	char why[SCHED_REASON_LEN] = "", rwhy[SCHED_REASON_LEN] = "";
	const char *pool = NULL;

	for (size_t i = 0; i < pc->nnodes; i++) {
		const struct sched_node *n = &pc->nodes[i];

		if (!(n->queue_mask & bit) || !fits_idle(n, rq) ||
		    (rq->no_cloud && n->cloud) ||
		    (rq->resv && !sched_resv_has_node(rq->resv, n->index)))
			continue;	/* (members use their nodes only) */
		if (sched_node_denied(rq, n)) {
			if (!denied++)	/* up or not: never for it */
				pool = n->pool_name;
			continue;
		}
		any++;
		if (!pc->pn[i].usable)
			continue;
		if (!resv_ok(pc, (uint32_t)i, rq, reserved ? NULL : rwhy,
			     sizeof(rwhy))) {
			reserved++;
			continue;
		}
		if (!filter_ok(pc, (uint32_t)i, jv, filtered ? NULL : why,
			       sizeof(why))) {
			filtered++;
			continue;
		}
		usable++;
	}
	reason[0] = '\0';
	if (usable >= rq->nnodes)
		return SCHED_BUSY;
	/* A window ends (or opens, for members): waiting cures it. */
	if (reserved && usable + reserved >= rq->nnodes) {
		snprintf(reason, len, "%s", rwhy);
		return SCHED_BUSY;
	}
	if (filtered && usable + filtered >= rq->nnodes)
		snprintf(reason, len, "%s", why);
	else if (any >= rq->nnodes)
		snprintf(reason, len, "ReqNodeNotAvail");
	else if (denied && any + denied >= rq->nnodes)
		snprintf(reason, len, "CloudPoolAccounts:%s",
			 pool ? pool : "?");
	else
		snprintf(reason, len, "BadConstraints");
	return SCHED_NEVER;
}

/* Collect nodes that can take the job now into pc->cand; stop at nnodes
 * unless scoring wants them all. Returns how many were found. */
static size_t
candidates(struct sched_place_ctx *pc, struct place_queue *q,
	   const struct hc_job_view *jv, const struct sched_req *rq)
{
	size_t nc = 0;

	while (q->first_open < q->n && node_full(pc, q->list[q->first_open]))
		q->first_open++;
	for (size_t k = q->first_open; k < q->n; k++) {
		uint32_t i = q->list[k];

		if ((pc->allow && !pc->allow[i]) || node_full(pc, i) ||
		    sched_node_denied(rq, &pc->nodes[i]) ||
		    !fits_now(pc, i, rq) ||
		    !sched_features_eval(rq->feat, pc->nodes[i].features) ||
		    !resv_ok(pc, i, rq, NULL, 0) ||
		    !filter_ok(pc, i, jv, NULL, 0))
			continue;
		pc->cand[nc++] = i;
		if (!pc->s->has_score && nc == rq->nnodes)
			break;
	}
	return nc;
}

int
sched_place_job(struct sched_place_ctx *pc, uint32_t queue,
		const struct hc_job_view *jv, const struct sched_req *rq,
		struct sched_result *res, char *reason, size_t len)
{
	struct place_memo *m;
	struct place_queue *q;
	size_t nc;
	int r;

	if (queue >= SCHED_MAX_QUEUES) {
		snprintf(reason, len, "ReqNodeNotAvail");
		return SCHED_NEVER;
	}
	m = memo_slot(pc, queue, jv, rq);
	if (m && memo_same(m, queue, jv, rq)) {
		snprintf(reason, len, "%s", m->reason);
		return SCHED_NEVER;
	}
	q = queue_get(pc, queue);
	nc = candidates(pc, q, jv, rq);
	if (nc >= rq->nnodes && rq->nnodes > 0) {
		if (pc->s->has_score && nc > 1) {
			double *sc = hc_malloc(nc * sizeof(*sc));
			for (size_t k = 0; k < nc; k++)
				sc[k] = node_score(pc, pc->cand[k], jv);
			sort_nodes(pc, pc->cand, nc, sc);
			free(sc);
		}
		result_append(pc, jv, rq, pc->cand, res);
		return SCHED_PLACED;
	}
	r = classify(pc, queue, jv, rq, reason, len);
	if (r == SCHED_NEVER)
		memo_store(m, queue, jv, rq, reason);
	return r;
}
