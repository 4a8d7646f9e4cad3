/*
 * jobs_array_held: the pending tasks of an array record that are held or
 * cancelled by range (hcctl hold job 123_[1-500], hccancel 123_7), and the
 * rows hcqueue shows for them (see jobs_array.h).
 *
 * The record keeps three disjoint sets: pending (the scheduler takes the
 * lowest task from it), held by the owner, held by an admin. Holding moves
 * tasks from the first to a held set, releasing moves them back; both are
 * array_set_cut + array_set_union, range by range (array_ops.c). A stored
 * set must parse back after a restart, so an operation that would leave a
 * set of more than ARRAY_RANGES_MAX ranges is refused before anything
 * changes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"

bool
jobs_array_pending_has(const struct job *a, uint32_t task)
{
	if (!a->array)
		return false;
	return array_set_contains(a->array, task) ||
	       (a->array_held &&
		(array_set_contains(&a->array_held[0], task) ||
		 array_set_contains(&a->array_held[1], task)));
}

uint64_t
jobs_array_pending_count(const struct job *a)
{
	uint64_t n;

	if (!a->array)
		return 0;
	n = array_set_size(a->array);
	if (a->array_held)
		n += array_set_size(&a->array_held[0]) +
		     array_set_size(&a->array_held[1]);
	return n;
}

static int
too_split(struct hc_err *err)
{
	return hc_err_set(err, HC_EINVAL, "that would split the array's "
			  "pending tasks into more than %d ranges; name "
			  "fewer, longer ranges", ARRAY_RANGES_MAX);
}

/* Move the tasks of *from named by which into *to. All or nothing. */
static int
set_move(struct array_set *from, struct array_set *to,
	 const struct array_set *which, uint64_t *n, struct hc_err *err)
{
	struct array_set in, out, u;

	if (array_set_cut(from, which, &in, &out) < 0)
		return hc_err_set(err, HC_ENOMEM, "out of memory");
	if (!in.count) {
		array_set_free(&in);
		array_set_free(&out);
		return 0;
	}
	if (array_set_union(&u, to, &in) < 0) {
		array_set_free(&in);
		array_set_free(&out);
		return hc_err_set(err, HC_ENOMEM, "out of memory");
	}
	*n += array_set_size(&in);
	array_set_free(&in);
	if (out.count > ARRAY_RANGES_MAX || u.count > ARRAY_RANGES_MAX) {
		array_set_free(&out);
		array_set_free(&u);
		return too_split(err);
	}
	array_set_free(from);
	array_set_free(to);
	*from = out;
	*to = u;
	return 0;
}

static void
held_ensure(struct job *a)
{
	if (!a->array_held)
		a->array_held = hc_calloc(2, sizeof(*a->array_held));
}

int
jobs_array_hold(struct job *a, const struct array_set *which, bool hold,
		bool admin, uint64_t *n, struct hc_err *err)
{
	struct array_set probe;

	*n = 0;
	held_ensure(a);
	if (hold)
		return set_move(a->array, &a->array_held[admin ? 1 : 0], which,
				n, err);
	/* Security: an administrator's hold is released by an admin. */
	if (!admin && a->hold == JOB_HOLD_ADMIN)
		return hc_err_set(err, HC_EPERM, "job %u was held by an "
				  "administrator; ask one to release it",
				  a->id);
	if (!admin && array_set_cut(&a->array_held[1], which, &probe,
				    NULL) == 0) {
		bool any = probe.count > 0;

		array_set_free(&probe);
		if (any)
			return hc_err_set(err, HC_EPERM, "tasks of job %u were "
					  "held by an administrator; ask one "
					  "to release them", a->id);
	}
	if (a->hold != JOB_HOLD_NONE) {
		/* The whole record was held: hold its tasks one by one
		 * instead, so that some of them can be let go. */
		uint64_t m = 0;
		struct array_set all = { 0 };

		if (array_set_parse(&all, "0-4000000", err) < 0 ||
		    set_move(a->array, &a->array_held[a->hold ==
			     JOB_HOLD_ADMIN], &all, &m, err) < 0) {
			array_set_free(&all);
			return -1;
		}
		array_set_free(&all);
		a->hold = JOB_HOLD_NONE;
		a->reason[0] = '\0';
	}
	if (set_move(&a->array_held[0], a->array, which, n, err) < 0)
		return -1;
	return admin ? set_move(&a->array_held[1], a->array, which, n, err) :
	       0;
}

int
jobs_array_drop(struct job *a, const struct array_set *which, uint64_t *n,
		struct hc_err *err)
{
	struct array_set gone = { 0 };
	uint64_t m = 0;

	*n = 0;
	held_ensure(a);
	for (int k = 0; k < 2; k++)
		if (set_move(&a->array_held[k], &gone, which, n, err) < 0)
			goto fail;
	if (set_move(a->array, &gone, which, &m, err) < 0)
		goto fail;
	*n += m;
	array_set_free(&gone);
	return 0;
fail:
	array_set_free(&gone);
	return -1;
}

int
jobs_array_rows(const struct job *a, struct job *v)
{
	int n = 0;

	if (!a->array)
		return 0;
	if (a->array->count || !jobs_array_pending_count(a))
		v[n++] = *a;
	for (int k = 0; k < 2 && a->array_held; k++) {
		if (!a->array_held[k].count)
			continue;
		v[n] = *a;
		v[n].array = &a->array_held[k];
		snprintf(v[n].reason, sizeof(v[n].reason), "%s", "Held");
		n++;
	}
	return n;
}
