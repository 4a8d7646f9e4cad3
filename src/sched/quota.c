/*
 * quota: tree quotas, the admit stage that runs before placement.
 *
 * A job may start only if it fits within the limits of its association
 * and of every ancestor up to the root, and within its QOS's limits:
 *   GrpJobs       running jobs of the subtree + 1 <= limit
 *   GrpRes        allocated now + what the job asks <= limit, per item
 *   GrpResMins    used + running jobs' time left + the job's ask x its
 *                 time limit <= limit, per item (a job with no time limit
 *                 adds nothing ahead: it is refused once used + ahead
 *                 reach the budget)
 *   QOS GrpRes, GrpJobs, MaxJobsPerUser (running jobs of one user)
 * The first limit that does not hold, walking from the job's node up,
 * becomes the pending reason: "QuotaGrpRes(account=physics,gpu)",
 * "QuotaGrpJobs(account=physics)", "QuotaGrpResMins(account=physics,gpu)",
 * "QOSGrpRes(qos=long,gpu)", "QOSGrpJobs(qos=long)",
 * "QOSMaxJobsPerUser(qos=long)" ("user=NAME" for a user association).
 * An item only binds jobs that use its resource: a CPU-only job is never
 * held by a GPU budget. A GPU request with no type (--gres=gpu:2) may be
 * placed on GPUs of any type, so a typed limit (GrpRes=gpu:h100:4) counts
 * it at admission and, for the rest of the pass, once it starts (the
 * host charges running jobs by the type they got): counting it only once
 * running would let one pass start one job past the limit. The price: an
 * untyped job waits on a full typed limit even where GPUs of another type
 * are free (ask for the type to avoid that).
 *
 * When a job is placed, its allocation is charged at once to the whole
 * path and to its QOS (sched_acct_charge), so later jobs of the same pass
 * see it: two jobs of one pass cannot both take the last of a quota.
 * Quota waits do not block the job's queue (they are not "Resources").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "quota.h"
#include "sched.h"
#include "sched_account.h"
#include "sched_internal.h"

/* Running jobs per (QOS, uid): open addressing, grown at half full. */
struct qu_slot {
	uint32_t qos, uid, running;
	bool used;
};

struct sched_qos_users {
	struct qu_slot *slots;
	size_t cap, n;
};

static size_t
qu_hash(uint32_t qos, uint32_t uid, size_t cap)
{
	uint64_t h = ((uint64_t)qos << 32 | uid) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 17) & (cap - 1);
}

static struct qu_slot *
qu_find(struct sched_qos_users *q, uint32_t qos, uint32_t uid, bool add)
{
	size_t i;

	if (!q->cap) {
		if (!add)
			return NULL;
		q->cap = 64;
		q->slots = hc_calloc(q->cap, sizeof(*q->slots));
	}
	if (add && 2 * (q->n + 1) > q->cap) {
		struct sched_qos_users big = { 0 };

		big.cap = 2 * q->cap;
		big.slots = hc_calloc(big.cap, sizeof(*big.slots));
		for (size_t k = 0; k < q->cap; k++)
			if (q->slots[k].used)
				*qu_find(&big, q->slots[k].qos,
					 q->slots[k].uid, true) = q->slots[k];
		free(q->slots);
		*q = big;
	}
	for (i = qu_hash(qos, uid, q->cap); q->slots[i].used;
	     i = (i + 1) & (q->cap - 1))
		if (q->slots[i].qos == qos && q->slots[i].uid == uid)
			return &q->slots[i];
	if (!add)
		return NULL;
	q->n++;
	q->slots[i] = (struct qu_slot){ qos, uid, 0, true };
	return &q->slots[i];
}

uint32_t
quota_qos_user_running(const struct sched_acct_view *view, uint32_t qos,
		       uint32_t uid)
{
	const struct qu_slot *slot;

	if (!view->qos_users)
		return 0;
	slot = qu_find(view->qos_users, qos, uid, false);
	return slot ? slot->running : 0;
}

void
sched_set_accounts(struct sched *s, struct sched_acct_view *view)
{
	s->acct = view;
}

void
sched_acct_view_free(struct sched_acct_view *view)
{
	if (!view || !view->qos_users)
		return;
	free(view->qos_users->slots);
	free(view->qos_users);
	view->qos_users = NULL;
}

void
sched_use_of_job(const struct sched_job *j, struct sched_use *u)
{
	uint64_t nodes = j->nodes_min ? j->nodes_min : 1;

	memset(u, 0, sizeof(*u));
	u->cpus = (uint64_t)(j->ntasks ? j->ntasks : 1) *
		  (j->cpus_per_task ? j->cpus_per_task : 1);
	u->mem_mb = j->mem_per_cpu_mb ? j->mem_per_cpu_mb * u->cpus
				      : j->mem_per_node_mb * nodes;
	u->gpus = (uint64_t)j->gpus_per_node * nodes;
	snprintf(u->gpu_type, sizeof(u->gpu_type), "%s", j->gpu_type);
	u->gpu_any = u->gpus && !*u->gpu_type;
}

uint64_t
sched_use_amount(const struct sched_use *u, const struct res_item *it)
{
	if (!strcmp(it->name, "cpu"))
		return u->cpus;
	if (!strcmp(it->name, "mem"))
		return u->mem_mb;
	if (!strcmp(it->name, "gpu"))
		return !*it->type || u->gpu_any ||
				       !strcmp(it->type, u->gpu_type)
			       ? u->gpus : 0;
	for (size_t i = 0; u->other && i < u->other->count; i++) {
		const struct res_item *o = &u->other->items[i];

		if (!strcmp(o->name, it->name) &&
		    (!*it->type || !strcmp(o->type, it->type)))
			return o->count;
	}
	return 0;
}

static void
add_signed(uint64_t *v, uint64_t d, int sign)
{
	if (sign > 0)
		*v += d;
	else
		*v = *v > d ? *v - d : 0;
}

static void
charge_node(struct sched_acct *a, const struct sched_use *u, long mins_left,
	    int sign)
{
	for (size_t i = 0; i < a->grp_res.count && i < SCHED_ACCT_MAX_RES; i++)
		add_signed(&a->res_alloc[i],
			   sched_use_amount(u, &a->grp_res.items[i]), sign);
	for (size_t i = 0;
	     mins_left > 0 && i < a->grp_res_mins.count &&
	     i < SCHED_ACCT_MAX_RES; i++)
		add_signed(&a->mins_ahead[i],
			   sched_use_amount(u, &a->grp_res_mins.items[i]) *
				   (uint64_t)mins_left, sign);
	if (sign > 0)
		a->jobs_running++;
	else if (a->jobs_running)
		a->jobs_running--;
}

void
sched_acct_charge(struct sched_acct_view *view, uint32_t assoc, uint32_t qos,
		  uint32_t uid, const struct sched_use *u, long mins_left,
		  int sign)
{
	if (!view)
		return;
	for (int64_t a = assoc; a >= 0 && (size_t)a < view->naccts;
	     a = view->accts[a].parent) {
		charge_node(&view->accts[a], u, mins_left, sign);
		if (view->accts[a].parent >= a)
			break;	/* not parent-before-child: stop, no loop */
	}
	if (qos < view->nqos) {
		struct sched_qos *q = &view->qos[qos];
		struct qu_slot *slot;

		for (size_t i = 0;
		     i < q->grp_res.count && i < SCHED_ACCT_MAX_RES; i++)
			add_signed(&q->res_alloc[i],
				   sched_use_amount(u, &q->grp_res.items[i]),
				   sign);
		if (sign > 0)
			q->jobs_running++;
		else if (q->jobs_running)
			q->jobs_running--;
		if (!view->qos_users)
			view->qos_users = hc_calloc(1,
						    sizeof(*view->qos_users));
		slot = qu_find(view->qos_users, qos, uid, sign > 0);
		if (slot && sign > 0)
			slot->running++;
		else if (slot && slot->running)
			slot->running--;
	}
}

void
sched_acct_charge_mins(struct sched_acct_view *view, uint32_t assoc,
		       const struct sched_use *u, double minutes)
{
	if (!view || minutes <= 0)
		return;
	for (int64_t a = assoc; a >= 0 && (size_t)a < view->naccts;
	     a = view->accts[a].parent) {
		struct sched_acct *n = &view->accts[a];

		for (size_t i = 0;
		     i < n->grp_res_mins.count && i < SCHED_ACCT_MAX_RES; i++)
			n->mins_used[i] += (uint64_t)(
				(double)sched_use_amount(
					u, &n->grp_res_mins.items[i]) *
				minutes + 0.5);
		if (n->parent >= a)
			break;
	}
}
