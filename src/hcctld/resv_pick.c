/*
 * resv_pick: which nodes a reservation gets, and what it may not take.
 *
 * Nodes=LIST is taken as given; every node must exist. NodeCnt=N and
 * Gpus=N choose among the usable nodes (up, not drained) that no other
 * reservation holds in an overlapping window and whose running jobs end
 * before the window starts (any node with IGNORE_JOBS):
 *  - NodeCnt=N: nodes with the fewest GPUs first (a CPU reservation
 *    leaves GPU nodes to GPU work), then idle before busy, then table
 *    order;
 *  - Gpus=N: the node with the fewest GPUs that still has N (best fit);
 *    when none has N, nodes with the most GPUs first until N are held.
 * A running job "ends" at its start plus its time limit; an unlimited
 * job never does, so it clashes with every window.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctld.h"
#include "hostlist.h"
#include "jobs_int.h"
#include "log.h"
#include "nodes.h"
#include "resv.h"

/* Append to ids the jobs on n that would still run at r->start. */
static size_t
node_clashes(struct ctld *c, const struct node *n, const struct resv *r,
	     char *ids, size_t len)
{
	size_t found = 0;

	for (uint32_t k = 0; c->jobs && k < n->njobs; k++) {
		struct job *j = jobs_find(c->jobs, n->job_ids[k]);
		size_t l = strlen(ids);

		if (!j || (j->time_limit > 0 &&
			   j->start_time + j->time_limit * 60 <= r->start))
			continue;
		found++;
		if (!strstr(ids, "...") && l + 16 < len)
			snprintf(ids + l, len - l, "%s%u", l ? "," : "",
				 (unsigned)j->id);
		else if (!strstr(ids, "..."))
			snprintf(ids + l, len - l, ",...");
	}
	return found;
}

/* The other reservation holding n in a window overlapping r's, or NULL. */
static const struct resv *
node_held(struct ctld *c, const struct node *n, const struct resv *r)
{
	for (size_t i = 0; i < resvs_count(c->resvs); i++) {
		struct resv *o = resvs_at(c->resvs, i);

		if (!strcmp(o->name, r->name) || o->end <= r->start ||
		    r->end <= o->start)
			continue;
		if (resv_has_node(c->resvs, o, n))
			return o;
	}
	return NULL;
}

static int
check_given(struct ctld *c, struct resv *r, struct hostlist *hl,
	    struct hc_err *err)
{
	char ids[256] = "";
	size_t clashes = 0;

	for (size_t k = 0; k < hl->count; k++) {
		struct node *n = nodes_find(c->nodes, hl->names[k]);
		const struct resv *o;

		if (!n)
			return hc_err_set(err, HC_ENOENT, "Nodes=: no node "
					  "'%s'; see hcinfo -N",
					  hl->names[k]);
		if ((o = node_held(c, n, r)))
			return hc_err_set(err, HC_EBUSY, "node %s is in "
					  "reservation %s in an overlapping "
					  "window; change the time or the "
					  "nodes", n->name, o->name);
		if (!(r->flags & SCHED_RESV_IGNORE_JOBS))
			clashes += node_clashes(c, n, r, ids, sizeof(ids));
	}
	if (clashes)
		return hc_err_set(err, HC_EBUSY, "running jobs %s would still "
				  "run on these nodes when the reservation "
				  "starts; wait for them, cancel them, or add "
				  "Flags=IGNORE_JOBS", ids);
	return 0;
}

struct cand {
	struct node *n;
	uint32_t gpus;
};

static int
cand_cmp_cpu(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->gpus != y->gpus)
		return x->gpus < y->gpus ? -1 : 1;
	if (!x->n->njobs != !y->n->njobs)
		return x->n->njobs ? 1 : -1;
	return x->n->index < y->n->index ? -1 : 1;
}

static int
cand_cmp_gpu(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->gpus != y->gpus)
		return x->gpus > y->gpus ? -1 : 1;
	return x->n->index < y->n->index ? -1 : 1;
}

/* The candidates for picking into cv[], their count returned; ids gets
 * the jobs that kept nodes out. */
static size_t
candidates(struct ctld *c, struct resv *r, struct cand *cv, char *ids,
	   size_t len)
{
	size_t nc = 0;

	for (size_t i = 0; i < nodes_count(c->nodes); i++) {
		struct node *n = nodes_at(c->nodes, i);

		if (!node_is_usable(n) || node_held(c, n, r))
			continue;
		if (!(r->flags & SCHED_RESV_IGNORE_JOBS) &&
		    node_clashes(c, n, r, ids, len))
			continue;
		if (r->gpus && !n->gpu_count)
			continue;
		cv[nc++] = (struct cand){ n, n->gpu_count };
	}
	return nc;
}

/* Choose from cv[0..nc) into hl; 0 or -1 when too few. */
static int
choose(struct resv *r, struct cand *cv, size_t nc, struct hostlist *hl)
{
	uint32_t got = 0;

	if (r->node_cnt) {
		qsort(cv, nc, sizeof(*cv), cand_cmp_cpu);
		for (size_t k = 0; k < nc && got < r->node_cnt; k++, got++)
			hostlist_push(hl, cv[k].n->name);
		return got < r->node_cnt ? -1 : 0;
	}
	qsort(cv, nc, sizeof(*cv), cand_cmp_gpu);
	for (size_t k = nc; k-- > 0;)	/* fewest GPUs that still fit */
		if (cv[k].gpus >= r->gpus) {
			hostlist_push(hl, cv[k].n->name);
			return 0;
		}
	for (size_t k = 0; k < nc && got < r->gpus; k++) {
		hostlist_push(hl, cv[k].n->name);
		got += cv[k].gpus;
	}
	return got < r->gpus ? -1 : 0;
}

int
resv_pick_nodes(struct ctld *c, struct resv *r, const char *nodes,
		struct hc_err *err)
{
	struct hostlist *hl;
	struct cand *cv;
	char ids[256] = "";
	int rc;

	if (nodes) {
		if (!(hl = hostlist_parse(nodes, err)))
			return hc_err_prefix(err, "Nodes=%s: ", nodes);
		hostlist_uniq(hl);
		if (hl->count == 0 || check_given(c, r, hl, err) < 0) {
			if (hl->count == 0)
				hc_err_set(err, HC_EINVAL, "Nodes= is empty");
			hostlist_destroy(hl);
			return -1;
		}
	} else {
		hl = hostlist_create();
		cv = hc_calloc(nodes_count(c->nodes) + 1, sizeof(*cv));
		rc = choose(r, cv, candidates(c, r, cv, ids, sizeof(ids)), hl);
		free(cv);
		if (rc < 0) {
			hostlist_destroy(hl);
			return hc_err_set(err, HC_EBUSY, "%s=%u: not enough "
					  "usable nodes are free of other "
					  "reservations%s%s in that window",
					  r->node_cnt ? "NodeCnt" : "Gpus",
					  r->node_cnt ? r->node_cnt : r->gpus,
					  *ids ? " and of running jobs " : "",
					  ids);
		}
		hostlist_uniq(hl);
	}
	free(r->nodes);
	r->nodes = hostlist_ranged(hl);
	hostlist_destroy(hl);
	return 0;
}
