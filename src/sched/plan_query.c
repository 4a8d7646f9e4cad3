/*
 * plan_query: what the planner asks of the profile (plan_profile.h):
 * which node classes a job could use, whether it can start now without
 * touching a plan, and its earliest start over several nodes.
 *
 * The earliest start (prof_earliest): for each node the job could use,
 * walk its changes and find the "bad" segments [a, b) where it has less
 * free than the job needs; a start t is good on that node iff
 * [t, t + secs) misses every bad segment, i.e. t <= a - secs or t >= b
 * for each. That gives each node a few good intervals (other
 * reservations' windows cut more out of them); a sweep over their ends,
 * sorted, finds the first time at which need->nnodes of them overlap.
 * Clean nodes are good from now on and only add to the count. The cost is
 * linear in the changes of the dirty nodes plus a sort of their interval
 * ends.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "plan_profile.h"

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

		/* usable as placement counts it (sched_place_begin) */
		cl->sel = n->usable && n->cpu_used &&
			  n->gpu_count <= SCHED_MAX_GPUS &&
			  (n->queue_mask & bit) && n->cpus > 0 &&
			  !sched_node_denied(rq, n) &&
			  n->cpus >= rq->cpus && n->mem_mb >= rq->mem_mb &&
			  (!rq->gpus ||
			   gpus_of_type(n, rq->gpu_type) >= rq->gpus) &&
			  sched_features_eval(rq->feat, n->features);
		if (cl->sel)
			total += cl->n;
	}
	return total;
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

	prof_need_on(q, need, &c, &m, &g);
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
	time_t until = prof_end_of(p->now, need->secs);
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

	prof_need_on(q, need, &c, &m, &g);
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

/* ---- a promised job's own nodes (conservative on several nodes) ------- */

/* Positions of the nodes idx[0..n) (sched_node.index values), each of a
 * selected class; false if one is gone or no longer fits the job. */
static bool
positions_of(const struct profile *p, const uint32_t *idx, uint32_t n,
	     uint32_t *pos)
{
	for (uint32_t k = 0; k < n; k++) {
		if (idx[k] >= p->nidx || p->byindex[idx[k]] == UINT32_MAX)
			return false;
		pos[k] = p->byindex[idx[k]];
		if (!p->cls[p->pn[pos[k]].cls].sel ||
		    !p->nodes[pos[k]].usable)
			return false;
	}
	return true;
}

size_t
prof_fit_now_on(struct profile *p, const struct prof_need *need,
		const uint32_t *idx, uint32_t n, uint8_t *allow)
{
	time_t until = prof_end_of(p->now, need->secs);
	uint32_t pos[64], *pp = n <= 64 ? pos : hc_malloc(n * sizeof(*pp));
	size_t found = 0;

	if (positions_of(p, idx, n, pp))
		for (uint32_t k = 0; k < n; k++)
			if (node_fits(p, &p->pn[pp[k]], need, until)) {
				allow[pp[k]] = 1;
				found++;
			}
	if (pp != pos)
		free(pp);
	return found;
}

time_t
prof_earliest_on(struct profile *p, const struct prof_need *need,
		 const uint32_t *idx, uint32_t n, uint32_t *chosen)
{
	if (n != need->nnodes || !positions_of(p, idx, n, chosen))
		return -1;
	p->niv = 0;
	for (uint32_t k = 0; k < n; k++) {
		size_t off = p->niv;

		node_intervals(p, &p->pn[chosen[k]], need);
		resv_clip(p, chosen[k], off, need);
	}
	/* Each node's good starts are disjoint: n at once means all n. */
	return sweep(p, 0, n);
}
