/*
 * sched_resv: the reservation checks of placement and planning (see
 * sched_resv.h for the rules). Pure functions over the views; the set a
 * pass uses is borrowed from the caller through sched_resv_use().
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sched.h"
#include "sched_internal.h"
#include "sched_resv.h"

void
sched_resv_use(struct sched *s, const struct sched_resv *rv, size_t n)
{
	s->resv.resv = n ? rv : NULL;
	s->resv.count = n ? n : 0;
}

bool
sched_resv_has_node(const struct sched_resv *r, uint32_t node)
{
	if (!r->nodes || node >= r->nbits)
		return false;
	return (r->nodes[node / 64] >> (node % 64)) & 1;
}

bool
sched_resv_overlaps(const struct sched_resv *r, time_t from, time_t to)
{
	return from < r->end && r->start < to;
}

bool
sched_resv_member(const struct sched_resv *r, uint32_t uid, uint32_t account)
{
	for (size_t i = 0; i < r->nuids; i++)
		if (r->uids[i] == uid)
			return true;
	for (size_t i = 0; account != SCHED_RESV_NO_ACCOUNT &&
			   i < r->naccounts; i++)
		if (r->accounts[i] == account)
			return true;
	return false;
}

time_t
sched_resv_job_end(time_t start, long secs)
{
	/* Unlimited (or absurdly long) jobs run "forever": past any window
	 * that has not ended yet. */
	if (secs <= 0 || (long long)secs > (LLONG_MAX - start) / 2)
		return (time_t)LLONG_MAX;
	return start + (time_t)secs;
}

const struct sched_resv *
sched_resv_find(const struct sched_resv_set *set, const char *name)
{
	for (size_t i = 0; name && set && i < set->count; i++)
		if (set->resv[i].name && !strcmp(set->resv[i].name, name))
			return &set->resv[i];
	return NULL;
}

bool
sched_resv_node_ok(const struct sched_resv_set *set,
		   const struct sched_resv *own, uint32_t node, time_t start,
		   time_t end, char *why, size_t len)
{
	if (own) {
		if (start < own->start || start >= own->end) {
			if (why)
				snprintf(why, len, "Reservation");
			return false;
		}
		if (!sched_resv_has_node(own, node)) {
			if (why)
				snprintf(why, len, "ReqNodeNotAvail");
			return false;
		}
	}
	for (size_t i = 0; set && i < set->count; i++) {
		const struct sched_resv *r = &set->resv[i];

		if (r == own || !sched_resv_has_node(r, node) ||
		    !sched_resv_overlaps(r, start, end))
			continue;
		if (why)
			snprintf(why, len,
				 "ReqNodeNotAvail,Reserved(%s)",
				 r->name ? r->name : "?");
		return false;
	}
	return true;
}

time_t
sched_resv_node_free_at(const struct sched_resv_set *set,
			const struct sched_resv *own, uint32_t node,
			time_t from, long secs)
{
	time_t t = from;
	bool moved = true;

	/* Each move pushes t to the end of a window that overlapped; a
	 * window ends at most once, so this stops within count rounds. */
	while (moved) {
		moved = false;
		for (size_t i = 0; set && i < set->count; i++) {
			const struct sched_resv *r = &set->resv[i];
			time_t e = secs < 0 ? (time_t)LLONG_MAX : t + secs;

			if (r == own || !sched_resv_has_node(r, node) ||
			    !sched_resv_overlaps(r, t, e))
				continue;
			if (r->end == (time_t)LLONG_MAX)
				return (time_t)LLONG_MAX;
			t = r->end;
			moved = true;
		}
	}
	return t;
}

bool
sched_req_resv(const struct sched *s, const struct sched_job *j,
	       struct sched_req *rq, char *reason, size_t len)
{
	rq->resv = NULL;
	if (!s->resv.count)
		rq->time_limit = 0;
	if (!j->reservation || !*j->reservation)
		return true;
	rq->resv = sched_resv_find(&s->resv, j->reservation);
	if (rq->resv)
		return true;
	snprintf(reason, len, "ReservationDeleted");
	return false;
}

void
sched_resv_plan_reason(const struct sched_resv_set *set, struct sched_job *j,
		       const struct sched_node *nodes, const uint32_t *chosen,
		       size_t n, time_t now, time_t t)
{
	const struct sched_resv *own;

	if (!set || !set->count || t <= now)
		return;
	own = sched_resv_find(set, j->reservation);
	if (own && t == own->start) {
		snprintf(j->reason, sizeof(j->reason), "Reservation");
		return;
	}
	for (size_t i = 0; i < set->count; i++) {
		const struct sched_resv *r = &set->resv[i];

		if (r == own || r->end != t)
			continue;
		for (size_t k = 0; k < n; k++)
			if (sched_resv_has_node(r, nodes[chosen[k]].index)) {
				snprintf(j->reason, sizeof(j->reason),
					 "ReqNodeNotAvail,Reserved(%s)",
					 r->name ? r->name : "?");
				return;
			}
	}
}
