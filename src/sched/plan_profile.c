/*
 * plan_profile: resource availability over time, per node, grouped into
 * node classes (see plan_profile.h): building it from the node views and
 * the running jobs, and taking resources as jobs start or are planned.
 * The queries are in plan_query.c.
 *
 * GPUs are counted per node regardless of type: the class decides whether
 * a node has enough of the asked type, and nodes carry one GPU type in
 * practice. Placement (sched_place.c) still picks specific GPU ids.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plan_profile.h"

static bool
same_config(const struct sched_node *a, const struct sched_node *b)
{
	const char *const *fa = a->features, *const *fb = b->features;

	if (a->cpus != b->cpus || a->mem_mb != b->mem_mb ||
	    a->gpu_count != b->gpu_count || a->queue_mask != b->queue_mask ||
	    a->usable != b->usable || a->cloud != b->cloud ||
	    a->pool != b->pool)
		return false;
	for (uint32_t g = 0; g < a->gpu_count; g++)
		if (strcmp(a->gpus[g].type, b->gpus[g].type))
			return false;
	if (!fa || !fb)
		return fa == fb;
	for (; *fa && *fb; fa++, fb++)
		if (strcmp(*fa, *fb))
			return false;
	return !*fa && !*fb;
}

static uint64_t
config_hash(const struct sched_node *n)
{
	uint64_t h = 1469598103934665603ull;
	uint64_t f[] = { n->cpus, n->mem_mb, n->gpu_count, n->queue_mask,
			 n->usable, n->cloud, n->pool };

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		h = (h ^ f[k]) * 1099511628211ull;
	for (const char *const *ft = n->features; ft && *ft; ft++)
		for (const char *c = *ft; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ull;
	return h;
}

/* Give node i its class (a new one if no class has its configuration). */
static void
class_find(struct profile *p, uint32_t i, uint32_t *table, size_t tsize)
{
	uint64_t h = config_hash(&p->nodes[i]);
	size_t k = h % tsize;

	while (table[k] != UINT32_MAX &&
	       !same_config(&p->nodes[p->cls[table[k]].rep], &p->nodes[i]))
		k = (k + 1) % tsize;
	if (table[k] == UINT32_MAX) {
		table[k] = (uint32_t)p->ncls;
		p->cls[p->ncls++].rep = i;
	}
	p->pn[i].cls = table[k];
	p->cls[table[k]].n++;
}

/* Classes, then their member and dirty lists (one pool, node order: the
 * caller's order, which placement refines by weight). */
static void
classes_build(struct profile *p)
{
	size_t tsize = 2 * p->nnodes + 1, off = 0;
	uint32_t *table = hc_malloc(tsize * sizeof(*table));
	uint32_t *pool = hc_malloc((2 * p->nnodes + 1) * sizeof(*pool));

	memset(table, 0xff, tsize * sizeof(*table));
	for (size_t i = 0; i < p->nnodes; i++)
		class_find(p, (uint32_t)i, table, tsize);
	free(table);
	for (size_t c = 0; c < p->ncls; c++) {
		struct prof_class *cl = &p->cls[c];

		cl->members = pool + off;
		cl->dirty = pool + p->nnodes + off;
		cl->clean = hc_calloc(cl->n / 64 + 1, sizeof(uint64_t));
		off += cl->n;
		cl->n = 0;
	}
	p->pool = pool;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct prof_class *c = &p->cls[p->pn[i].cls];

		p->pn[i].slot = (uint32_t)c->n;
		c->members[c->n++] = (uint32_t)i;
	}
}

static void
node_init(struct profile *p, uint32_t i)
{
	const struct sched_node *n = &p->nodes[i];
	struct prof_node *q = &p->pn[i];

	q->cap_cpus = n->cpus;
	q->cap_mem = n->mem_mb;
	q->cap_gpus = n->gpu_count;
	for (uint32_t c = 0; n->cpu_used && c < n->cpus; c++)
		q->cpus += !n->cpu_used[c];
	for (uint32_t g = 0; g < n->gpu_count && g < SCHED_MAX_GPUS; g++)
		q->gpus += !n->gpus[g].used;
	q->mem = n->mem_used_mb < n->mem_mb ? (int64_t)(n->mem_mb -
							 n->mem_used_mb) : 0;
	if (n->exclusive_used)
		q->cpus = q->gpus = q->mem = 0;
}

static void
step_add(struct prof_node *q, time_t t, int32_t cpus, int64_t mem,
	 int32_t gpus)
{
	uint32_t k = q->nsteps;

	if (t >= PROF_FOREVER)
		return;
	while (k > 0 && q->steps[k - 1].t > t)
		k--;
	if (k > 0 && q->steps[k - 1].t == t) {
		q->steps[k - 1].cpus += cpus;
		q->steps[k - 1].mem += mem;
		q->steps[k - 1].gpus += gpus;
		return;
	}
	if (q->nsteps == q->stepcap) {
		q->stepcap = q->stepcap ? 2 * q->stepcap : 4;
		q->steps = hc_realloc(q->steps,
				      q->stepcap * sizeof(*q->steps));
	}
	memmove(&q->steps[k + 1], &q->steps[k],
		(q->nsteps - k) * sizeof(*q->steps));
	q->steps[k] = (struct prof_step){ t, mem, cpus, gpus };
	q->nsteps++;
}

static bool
node_clean(const struct prof_node *q)
{
	return !q->nsteps && q->cpus == q->cap_cpus &&
	       q->mem == (int64_t)q->cap_mem && q->gpus == q->cap_gpus;
}

static void
mark_dirty(struct profile *p, uint32_t i)
{
	struct prof_class *c = &p->cls[p->pn[i].cls];
	uint32_t s = p->pn[i].slot;

	if (!(c->clean[s / 64] & ((uint64_t)1 << (s % 64))))
		return;
	c->clean[s / 64] &= ~((uint64_t)1 << (s % 64));
	c->nclean--;
	c->dirty[c->ndirty++] = i;
}

static int
running_add(struct profile *p, const uint32_t *byindex, size_t nidx,
	    const struct sched_running *r, struct hc_err *err)
{
	time_t end = r->end <= 0 ? PROF_FOREVER
		     : r->end <= p->now ? p->now + 1 : r->end;

	for (uint32_t k = 0; k < r->nnodes; k++) {
		const struct sched_alloc_node *an = &r->nodes[k];

		if (an->node >= nidx || byindex[an->node] == UINT32_MAX)
			return hc_err_set(err, HC_EINVAL, "running job %u: "
					  "node index %u is not in the "
					  "pass", r->id, an->node);
		step_add(&p->pn[byindex[an->node]], end, (int32_t)an->ncpus,
			 (int64_t)an->mem_mb, (int32_t)an->ngpus);
	}
	return 0;
}

static int
prof_fill(struct profile *p, const struct sched_running *running,
	  size_t nrunning, struct hc_err *err)
{
	size_t nidx = 0;
	uint32_t *byindex;
	int rc = 0;

	for (size_t i = 0; i < p->nnodes; i++)
		if (p->nodes[i].index >= nidx)
			nidx = (size_t)p->nodes[i].index + 1;
	byindex = hc_malloc((nidx ? nidx : 1) * sizeof(*byindex));
	memset(byindex, 0xff, (nidx ? nidx : 1) * sizeof(*byindex));
	for (size_t i = 0; i < p->nnodes; i++)
		byindex[p->nodes[i].index] = (uint32_t)i;
	for (size_t k = 0; k < nrunning && rc == 0; k++)
		rc = running_add(p, byindex, nidx, &running[k], err);
	p->byindex = byindex;
	p->nidx = nidx;
	return rc;
}

struct profile *
prof_create(struct sched_node *nodes, size_t nnodes,
	    const struct sched_running *running, size_t nrunning,
	    const struct sched_resv_set *rs, time_t now, struct hc_err *err)
{
	struct profile *p = hc_calloc(1, sizeof(*p));

	p->now = now;
	p->nodes = nodes;
	p->nnodes = nnodes;
	p->pn = hc_calloc(nnodes ? nnodes : 1, sizeof(*p->pn));
	p->cls = hc_calloc(nnodes ? nnodes : 1, sizeof(*p->cls));
	p->rs = rs && rs->count ? rs : NULL;
	for (size_t i = 0; i < nnodes; i++) {
		node_init(p, (uint32_t)i);
		for (size_t r = 0; p->rs && r < rs->count; r++)
			if (sched_resv_has_node(&rs->resv[r], nodes[i].index))
				p->pn[i].in_resv = true;
	}
	classes_build(p);
	if (prof_fill(p, running, nrunning, err) < 0) {
		prof_destroy(p);
		return NULL;
	}
	for (size_t i = 0; i < nnodes; i++) {
		struct prof_class *c = &p->cls[p->pn[i].cls];
		uint32_t s = p->pn[i].slot;

		if (nodes[i].usable && p->pn[i].cpus > 0)
			p->nopen++;
		/* Reserved nodes are never clean: each is checked alone. */
		if (node_clean(&p->pn[i]) && !p->pn[i].in_resv) {
			c->clean[s / 64] |= (uint64_t)1 << (s % 64);
			c->nclean++;
		} else {
			c->dirty[c->ndirty++] = (uint32_t)i;
		}
	}
	return p;
}

void
prof_destroy(struct profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nnodes; i++)
		free(p->pn[i].steps);
	for (size_t c = 0; c < p->ncls; c++)
		free(p->cls[c].clean);
	free(p->pool);
	free(p->byindex);
	free(p->pn);
	free(p->cls);
	free(p->iv);
	free(p->ivnode);
	free(p->ivoff);
	free(p->ev);
	free(p);
}

void
prof_take(struct profile *p, uint32_t node, const struct prof_need *need,
	  time_t start)
{
	struct prof_node *q = &p->pn[node];
	int64_t c, m, g;

	prof_need_on(q, need, &c, &m, &g);
	mark_dirty(p, node);
	if (start <= p->now) {
		if (q->cpus > 0 && q->cpus <= c && p->nodes[node].usable)
			p->nopen--;
		q->cpus -= c;
		q->mem -= m;
		q->gpus -= g;
	} else {
		step_add(q, start, (int32_t)-c, -m, (int32_t)-g);
	}
	step_add(q, prof_end_of(start, need->secs), (int32_t)c, m, (int32_t)g);
}

size_t
prof_open(const struct profile *p)
{
	return p->nopen;
}

void
prof_take_alloc(struct profile *p, const struct sched_alloc *a, time_t secs)
{
	for (uint32_t k = 0; k < a->nnodes; k++) {
		const struct sched_alloc_node *an = &a->nodes[k];
		uint32_t i;
		struct prof_node *q;

		if (an->node >= p->nidx || p->byindex[an->node] == UINT32_MAX)
			continue;
		i = p->byindex[an->node];
		q = &p->pn[i];
		mark_dirty(p, i);
		if (q->cpus > 0 && q->cpus <= an->ncpus && p->nodes[i].usable)
			p->nopen--;
		q->cpus -= an->ncpus;
		q->mem -= (int64_t)an->mem_mb;
		q->gpus -= an->ngpus;
		step_add(q, prof_end_of(p->now, secs), (int32_t)an->ncpus,
			 (int64_t)an->mem_mb, (int32_t)an->ngpus);
	}
}
