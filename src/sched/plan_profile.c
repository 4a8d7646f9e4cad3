/*
 * plan_profile: resource availability over time, per node, grouped into
 * node classes (see plan_profile.h).
 *
 * The earliest start of a job over several nodes (prof_earliest):
 * for each node the job could use, walk its changes and find the "bad"
 * segments [a, b) where it has less free than the job needs; a start t is
 * good on that node iff [t, t + secs) misses every bad segment, i.e.
 * t <= a - secs or t >= b for each. That gives each node a few good
 * intervals; a sweep over their ends, sorted, finds the first time at which
 * need->nnodes of them overlap. Clean nodes are good from now on and only
 * add to the count. The cost is linear in the changes of the dirty nodes
 * plus a sort of their interval ends.
 *
 * GPUs are counted per node regardless of type: the class decides whether
 * a node has enough of the asked type, and nodes carry one GPU type in
 * practice. Placement (sched_place.c) still picks specific GPU ids.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "plan_profile.h"

struct prof_step {
	time_t t;
	int64_t mem;
	int32_t cpus, gpus;
};

struct prof_node {
	uint32_t cap_cpus, cap_gpus;
	uint64_t cap_mem;
	int64_t cpus, gpus, mem;	/* free now */
	struct prof_step *steps;	/* sorted by t, all t > now */
	uint32_t nsteps, stepcap;
	uint32_t cls, slot;		/* class, place in its members */
	bool in_resv;			/* some reservation holds it */
};

struct prof_class {
	uint32_t rep;			/* a node of the class */
	uint32_t *members;		/* node positions, preferred first */
	size_t n;
	uint64_t *clean;		/* bit k: members[k] is clean */
	size_t nclean;
	uint32_t *dirty;		/* node positions, not clean */
	size_t ndirty;
	bool sel;			/* prof_select chose it */
};

struct prof_iv {
	time_t s, e;			/* good starts [s, e) */
};

struct prof_ev {
	time_t t;
	int d;
};

struct profile {
	time_t now;
	struct sched_node *nodes;
	size_t nnodes;
	struct prof_node *pn;
	struct prof_class *cls;
	size_t ncls;
	struct prof_iv *iv;		/* scratch for prof_earliest */
	size_t niv, ivcap;
	uint32_t *ivnode, *ivoff;	/* per dirty node: its intervals */
	struct prof_ev *ev;
	size_t evcap;
	uint32_t *pool;			/* the classes' member/dirty lists */
	size_t nopen;			/* usable nodes with a CPU free now */
	const struct sched_resv_set *rs;	/* borrowed; NULL: none */
	const struct sched_resv *own;	/* the current job's, or NULL */
	uint32_t *byindex;		/* sched_node.index -> position */
	size_t nidx;
};

static bool
same_config(const struct sched_node *a, const struct sched_node *b)
{
	const char *const *fa = a->features, *const *fb = b->features;

	if (a->cpus != b->cpus || a->mem_mb != b->mem_mb ||
	    a->gpu_count != b->gpu_count || a->queue_mask != b->queue_mask ||
	    a->usable != b->usable)
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
			 n->usable };

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

/* ---- queries ----------------------------------------------------------- */

static uint32_t
gpus_of_type(const struct sched_node *n, const char *type)
{
	uint32_t c = 0;

	for (uint32_t g = 0; g < n->gpu_count && g < SCHED_MAX_GPUS; g++)
		if (!type || !*type || !strcasecmp(n->gpus[g].type, type))
			c++;
	return c;
}

size_t
prof_select(struct profile *p, uint32_t queue, const struct sched_req *rq)
{
	uint64_t bit = queue < 64 ? (uint64_t)1 << queue : 0;
	size_t total = 0;

	for (size_t c = 0; c < p->ncls; c++) {
		struct prof_class *cl = &p->cls[c];
		const struct sched_node *n = &p->nodes[cl->rep];

		cl->sel = n->usable && (n->queue_mask & bit) && n->cpus > 0 &&
			  n->cpus >= rq->cpus && n->mem_mb >= rq->mem_mb &&
			  (!rq->gpus ||
			   gpus_of_type(n, rq->gpu_type) >= rq->gpus) &&
			  sched_features_eval(rq->feat, n->features);
		if (cl->sel)
			total += cl->n;
	}
	return total;
}

/* What the job takes of node q. */
static void
need_on(const struct prof_node *q, const struct prof_need *need,
	int64_t *cpus, int64_t *mem, int64_t *gpus)
{
	*cpus = need->exclusive ? q->cap_cpus : need->cpus;
	*mem = need->exclusive ? (int64_t)q->cap_mem : (int64_t)need->mem_mb;
	*gpus = need->exclusive ? q->cap_gpus : need->gpus;
}

static time_t
end_of(time_t start, time_t secs)
{
	return secs >= PROF_FOREVER - start ? PROF_FOREVER : start + secs;
}

void
prof_job_resv(struct profile *p, const struct sched_resv *own)
{
	p->own = own;
}

/* Do the reservations let the job use node i over [start, end)? */
static bool
resv_ok(const struct profile *p, uint32_t i, time_t start, time_t end)
{
	if (!p->own && !p->pn[i].in_resv)
		return true;
	return sched_resv_node_ok(p->rs, p->own, p->nodes[i].index, start,
				  end >= PROF_FOREVER ? (time_t)LLONG_MAX : end,
				  NULL, 0);
}

/* Can node q hold need over [now, until)? */
static bool
node_fits(const struct profile *p, const struct prof_node *q,
	  const struct prof_need *need, time_t until)
{
	int64_t c, m, g, fc = q->cpus, fm = q->mem, fg = q->gpus;

	need_on(q, need, &c, &m, &g);
	if (fc < c || fm < m || fg < g)
		return false;
	if (!resv_ok(p, (uint32_t)(q - p->pn), p->now, until))
		return false;
	for (uint32_t k = 0; k < q->nsteps && q->steps[k].t < until; k++) {
		fc += q->steps[k].cpus;
		fm += q->steps[k].mem;
		fg += q->steps[k].gpus;
		if (fc < c || fm < m || fg < g)
			return false;
	}
	return true;
}

size_t
prof_fit_now(struct profile *p, const struct prof_need *need,
	     uint8_t *allow, size_t enough)
{
	time_t until = end_of(p->now, need->secs);
	size_t found = 0;

	for (size_t c = 0; c < p->ncls; c++) {
		struct prof_class *cl = &p->cls[c];

		if (!cl->sel)
			continue;
		for (size_t k = 0; k < cl->ndirty; k++) {
			uint32_t i = cl->dirty[k];

			if (node_fits(p, &p->pn[i], need, until)) {
				allow[i] = 1;
				if (++found == enough)
					return found;
			}
		}
		for (size_t w = 0; cl->nclean && !p->own && w <= cl->n / 64;
		     w++)
			for (uint64_t b = cl->clean[w]; b; b &= b - 1) {
				allow[cl->members[w * 64 +
						  __builtin_ctzll(b)]] = 1;
				if (++found == enough)
					return found;
			}
	}
	return found;
}

void
prof_allow_clear(struct profile *p, uint8_t *allow)
{
	memset(allow, 0, p->nnodes ? p->nnodes : 1);
}

void
prof_take(struct profile *p, uint32_t node, const struct prof_need *need,
	  time_t start)
{
	struct prof_node *q = &p->pn[node];
	int64_t c, m, g;

	need_on(q, need, &c, &m, &g);
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
	step_add(q, end_of(start, need->secs), (int32_t)c, m, (int32_t)g);
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
		step_add(q, end_of(p->now, secs), (int32_t)an->ncpus,
			 (int64_t)an->mem_mb, (int32_t)an->ngpus);
	}
}

static void
iv_push(struct profile *p, time_t s, time_t e)
{
	if (p->niv == p->ivcap) {
		p->ivcap = p->ivcap ? 2 * p->ivcap : 256;
		p->iv = hc_realloc(p->iv, p->ivcap * sizeof(*p->iv));
	}
	p->iv[p->niv++] = (struct prof_iv){ s, e };
}

/* Append node q's good start intervals (see the top of the file). */
static void
node_intervals(struct profile *p, const struct prof_node *q,
	       const struct prof_need *need)
{
	int64_t c, m, g, fc = q->cpus, fm = q->mem, fg = q->gpus;
	time_t cur = p->now, a = p->now;

	need_on(q, need, &c, &m, &g);
	for (uint32_t k = 0; k <= q->nsteps; k++) {
		time_t b = k < q->nsteps ? q->steps[k].t : PROF_FOREVER;

		if (fc < c || fm < m || fg < g) {
			/* bad [a, b): good starts end at a - secs */
			if (need->secs < PROF_FOREVER && a - need->secs >= cur)
				iv_push(p, cur, a - need->secs + 1);
			cur = b;
		}
		if (k < q->nsteps) {
			fc += q->steps[k].cpus;
			fm += q->steps[k].mem;
			fg += q->steps[k].gpus;
		}
		a = b;
	}
	if (cur < PROF_FOREVER)
		iv_push(p, cur, PROF_FOREVER);
}

/* Remove from the good starts [lo, hi) (pushed from index off) those
 * at which a run of need->secs would overlap [a, b). */
static void
clip_window(struct profile *p, size_t off, time_t a, time_t b,
	    const struct prof_need *need)
{
	time_t from = need->secs >= PROF_FOREVER ? -PROF_FOREVER
						 : a - need->secs + 1;
	size_t n = p->niv;

	for (size_t k = off; k < n; k++) {
		struct prof_iv v = p->iv[k];

		if (v.e <= from || v.s >= b)
			continue;
		p->iv[k].e = from > v.s ? from : v.s;	/* the part before */
		if (v.e > b)
			iv_push(p, b, v.e);		/* the part after */
	}
}

/* Apply the reservations to node i's good starts (from index off): its
 * own reservation's window and nodes bound a member; other windows on
 * the node are busy time. Empty intervals are left in place (harmless
 * to the sweep: they start and end at once). */
static void
resv_clip(struct profile *p, uint32_t i, size_t off,
	  const struct prof_need *need)
{
	uint32_t idx = p->nodes[i].index;

	if (!p->own && !p->pn[i].in_resv)
		return;
	if (p->own) {
		bool mine = sched_resv_has_node(p->own, idx);

		for (size_t k = off; k < p->niv; k++) {
			if (p->iv[k].s < p->own->start)
				p->iv[k].s = p->own->start;
			if (p->iv[k].e > p->own->end)
				p->iv[k].e = p->own->end;
			if (!mine || p->iv[k].e < p->iv[k].s)
				p->iv[k].e = p->iv[k].s;
		}
	}
	for (size_t r = 0; p->rs && r < p->rs->count; r++) {
		const struct sched_resv *rv = &p->rs->resv[r];

		if (rv != p->own && sched_resv_has_node(rv, idx))
			clip_window(p, off, rv->start, rv->end, need);
	}
}

static int
ev_cmp(const void *x, const void *y)
{
	const struct prof_ev *a = x, *b = y;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->d - b->d;	/* ends (-1) before starts (+1) */
}

/* The first time the good intervals of the dirty nodes plus `base` clean
 * nodes reach n; -1 if never. */
static time_t
sweep(struct profile *p, size_t base, uint32_t n)
{
	size_t nev = 0;
	long count = (long)base;

	if (p->evcap < 2 * p->niv + 1) {
		p->evcap = 2 * p->niv + 1;
		p->ev = hc_realloc(p->ev, p->evcap * sizeof(*p->ev));
	}
	for (size_t k = 0; k < p->niv; k++) {
		p->ev[nev++] = (struct prof_ev){ p->iv[k].s, 1 };
		if (p->iv[k].e < PROF_FOREVER)
			p->ev[nev++] = (struct prof_ev){ p->iv[k].e, -1 };
	}
	if (count >= n)
		return p->now;
	qsort(p->ev, nev, sizeof(*p->ev), ev_cmp);
	for (size_t k = 0; k < nev;) {
		time_t t = p->ev[k].t;

		while (k < nev && p->ev[k].t == t)
			count += p->ev[k++].d;
		if (count >= n)
			return t;
	}
	return -1;
}

time_t
prof_earliest(struct profile *p, const struct prof_need *need,
	      uint32_t *chosen)
{
	size_t base = 0, nd = 0, got = 0;
	time_t t;

	p->niv = 0;
	for (size_t c = 0; c < p->ncls; c++)
		if (p->cls[c].sel)
			nd += p->cls[c].ndirty;
	p->ivnode = hc_realloc(p->ivnode, (nd + 1) * sizeof(*p->ivnode));
	p->ivoff = hc_realloc(p->ivoff, (nd + 2) * sizeof(*p->ivoff));
	nd = 0;
	for (size_t c = 0; c < p->ncls; c++) {
		struct prof_class *cl = &p->cls[c];

		if (!cl->sel)
			continue;
		base += p->own ? 0 : cl->nclean;
		for (size_t k = 0; k < cl->ndirty; k++) {
			p->ivnode[nd] = cl->dirty[k];
			p->ivoff[nd++] = (uint32_t)p->niv;
			node_intervals(p, &p->pn[cl->dirty[k]], need);
			resv_clip(p, cl->dirty[k], p->ivoff[nd - 1], need);
		}
	}
	p->ivoff[nd] = (uint32_t)p->niv;
	t = sweep(p, base, need->nnodes);
	if (t < 0)
		return -1;
	/* Dirty nodes good at t first (they are in use anyway), then clean
	 * ones. */
	for (size_t k = 0; k < nd && got < need->nnodes; k++)
		for (uint32_t v = p->ivoff[k]; v < p->ivoff[k + 1]; v++)
			if (p->iv[v].s <= t && t < p->iv[v].e) {
				chosen[got++] = p->ivnode[k];
				break;
			}
	for (size_t c = 0; c < p->ncls && got < need->nnodes; c++) {
		struct prof_class *cl = &p->cls[c];

		if (!cl->sel)
			continue;
		for (size_t w = 0; cl->nclean && !p->own && w <= cl->n / 64;
		     w++)
			for (uint64_t b = cl->clean[w];
			     b && got < need->nnodes; b &= b - 1)
				chosen[got++] = cl->members[w * 64 +
							    __builtin_ctzll(b)];
	}
	return got == need->nnodes ? t : -1;
}
