/*
 * array_ops: operations between two task sets, for holding, releasing and
 * cancelling part of an array's pending tasks (array.h).
 *
 * Both sets are sorted lists of ranges whose spans do not overlap. Cutting
 * one set by another works range by range: where the cutting range has
 * step 1 (what people write: 123_[1-500]), the members of a range inside it
 * form one range again, so holding 1-500 of a 1,000,000-task array costs a
 * few ranges and no loop over tasks. Only a stepped cut (1-99:2) walks the
 * members it covers, and only those. A union merges the two lists; where
 * spans interleave (0-10:2 with 5), the members of that group are merged
 * one by one. Results are built through emit(), which joins a range to the
 * previous one when they continue each other, so holding then releasing a
 * range gives back the set as it was. Task ids are bounded (array.h), so
 * the worst case, two sets of stepped ranges interleaved over the whole
 * id space, is a walk of 4,000,001 ids.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

/* Append start-end:step (start above everything in s), joined to the last
 * range when it continues it. 0, or -1 (ENOMEM). */
static int
emit(struct array_set *s, uint32_t start, uint32_t end, uint32_t step)
{
	struct array_range *l, *n;

	if (start == end)
		step = 1;
	if (s->count >= 2 && start == end) {
		struct array_range *p = &s->ranges[s->count - 2];

		l = &s->ranges[s->count - 1];
		if (p->start == p->end && l->start == l->end &&
		    l->start - p->start == start - l->start) {
			p->step = l->start - p->start;	/* 1,3 then 5 */
			p->end = start;
			s->count--;
			return 0;
		}
	}
	if (s->count) {
		l = &s->ranges[s->count - 1];
		if (l->start == l->end && start == l->end + step) {
			l->end = end;	/* 4 then 5-9: 4-9; 0 then 2-8:2 */
			l->step = step;
			return 0;
		}
		if (l->start != l->end && start == l->end + l->step &&
		    (start == end || step == l->step)) {
			l->end = end;	/* 0-8:2 then 10 or 10-20:2 */
			return 0;
		}
	}
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;

		n = realloc(s->ranges, cap * sizeof(*n));
		if (!n) {
			errno = ENOMEM;
			return -1;
		}
		s->ranges = n;
		s->cap = cap;
	}
	s->ranges[s->count++] = (struct array_range){ start, end, step };
	return 0;
}

/* The members of r from lo to hi (inclusive) as first..last; false when
 * there are none. */
static bool
members(const struct array_range *r, uint32_t lo, uint32_t hi,
	uint32_t *first, uint32_t *last)
{
	uint64_t f, l;

	if (lo < r->start)
		lo = r->start;
	if (hi > r->end)
		hi = r->end;
	if (lo > hi)
		return false;
	f = r->start + ((uint64_t)lo - r->start + r->step - 1) / r->step *
		       r->step;
	l = r->start + ((uint64_t)hi - r->start) / r->step * r->step;
	if (f > l)
		return false;
	*first = (uint32_t)f;
	*last = (uint32_t)l;
	return true;
}

static int
emit_to(struct array_set *s, uint32_t a, uint32_t b, uint32_t step)
{
	return s ? emit(s, a, b, step) : 0;
}

/* r cut by the ranges of b from index *bi on: into in / out. */
static int
cut_range(const struct array_range *r, const struct array_set *b,
	  size_t *bi, struct array_set *in, struct array_set *out)
{
	uint64_t c = r->start;	/* next member of r not yet emitted */
	uint32_t f, l;

	while (*bi < b->count && b->ranges[*bi].end < r->start)
		(*bi)++;
	for (size_t k = *bi; k < b->count && b->ranges[k].start <= r->end;
	     k++) {
		const struct array_range *w = &b->ranges[k];

		if (c > r->end || !members(r, (uint32_t)(c > w->start ? c :
							 w->start),
					   w->end, &f, &l))
			continue;
		if (f > c && emit_to(out, (uint32_t)c, f - r->step,
				     r->step) < 0)
			return -1;
		if (w->step == 1) {
			if (emit_to(in, f, l, r->step) < 0)
				return -1;
			c = (uint64_t)l + r->step;
			continue;
		}
		for (uint64_t x = f; x <= l; x += r->step) {
			bool hit = (x - w->start) % w->step == 0;

			if (emit_to(hit ? in : out, (uint32_t)x, (uint32_t)x,
				    1) < 0)
				return -1;
		}
		c = (uint64_t)l + r->step;
	}
	if (c <= r->end && emit_to(out, (uint32_t)c, r->end, r->step) < 0)
		return -1;
	return 0;
}

int
array_set_cut(const struct array_set *a, const struct array_set *b,
	      struct array_set *in, struct array_set *out)
{
	size_t bi = 0;

	if (in)
		memset(in, 0, sizeof(*in));
	if (out)
		memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < a->count; i++)
		if (cut_range(&a->ranges[i], b, &bi, in, out) < 0)
			goto fail;
	if (out)
		out->throttle = a->throttle;
	return 0;
fail:
	if (in)
		array_set_free(in);
	if (out)
		array_set_free(out);
	return -1;
}

/* The members of the interleaved group g[0..n) merged one by one, through
 * a bitmap of the group's span (at most ARRAY_TASK_ID_MAX + 1 bits): time
 * in the span, never a sort. */
static int
emit_group(struct array_set *dst, const struct array_range *g, size_t n)
{
	uint32_t lo = g[0].start, hi = g[0].end;
	uint8_t *bits;
	int rc = 0;

	for (size_t i = 1; i < n; i++) {
		if (g[i].start < lo)
			lo = g[i].start;
		if (g[i].end > hi)
			hi = g[i].end;
	}
	bits = calloc((size_t)(hi - lo) / 8 + 1, 1);
	if (!bits) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		for (uint64_t x = g[i].start; x <= g[i].end; x += g[i].step)
			bits[(x - lo) / 8] |= (uint8_t)(1u << ((x - lo) % 8));
	for (uint64_t x = lo; x <= hi && rc == 0; x++)
		if (bits[(x - lo) / 8] & (1u << ((x - lo) % 8)))
			rc = emit(dst, (uint32_t)x, (uint32_t)x, 1);
	free(bits);
	return rc;
}

static int
range_cmp(const void *x, const void *y)
{
	const struct array_range *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

int
array_set_union(struct array_set *dst, const struct array_set *a,
		const struct array_set *b)
{
	size_t n = a->count + b->count, i = 0;
	struct array_range *all = malloc((n ? n : 1) * sizeof(*all));

	memset(dst, 0, sizeof(*dst));
	if (!all) {
		errno = ENOMEM;
		return -1;
	}
	if (a->count)	/* an empty set's ranges may be NULL */
		memcpy(all, a->ranges, a->count * sizeof(*all));
	if (b->count)
		memcpy(all + a->count, b->ranges, b->count * sizeof(*all));
	qsort(all, n, sizeof(*all), range_cmp);
	dst->throttle = a->throttle;
	while (i < n) {
		size_t j = i + 1;
		uint32_t end = all[i].end;
		int rc;

		while (j < n && all[j].start <= end) {
			if (all[j].end > end)
				end = all[j].end;
			j++;
		}
		rc = j == i + 1 ? emit(dst, all[i].start, all[i].end,
				       all[i].step) :
		     emit_group(dst, all + i, j - i);
		if (rc < 0) {
			free(all);
			array_set_free(dst);
			return -1;
		}
		i = j;
	}
	free(all);
	return 0;
}
