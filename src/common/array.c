/*
 * array: job array task sets as sorted ranges (see array.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

#define HINT "write task ids such as 0-99 or 1,3,5-11:2"

static bool
range_has(const struct array_range *r, uint32_t id)
{
	return id >= r->start && id <= r->end && (id - r->start) % r->step == 0;
}

/* Room for one more range. Returns 0 or -1 (ENOMEM). */
static int
set_grow(struct array_set *set)
{
	struct array_range *n;
	size_t cap;

	if (set->count < set->cap)
		return 0;
	cap = set->cap ? set->cap * 2 : 4;
	n = realloc(set->ranges, cap * sizeof(*n));
	if (!n) {
		errno = ENOMEM;
		return -1;
	}
	set->ranges = n;
	set->cap = cap;
	return 0;
}

/* One number from *p: digits only, at most ARRAY_TASK_ID_MAX. item is the
 * whole range, for the message. */
static int
parse_num(const char **p, uint32_t *out, const char *item, struct hc_err *err)
{
	const char *s = *p;
	size_t n = strspn(s, "0123456789");
	unsigned long long v = 0;

	if (n == 0) {
		if (*s == '\0' || *s == '-' || *s == ':' || *s == '%')
			return hc_err_set(err, HC_EINVAL, "%s: missing "
					  "number; " HINT, item);
		return hc_err_set(err, HC_EINVAL, "%s: '%c' is not a number; "
				  HINT, item, *s);
	}
	for (size_t i = 0; i < n && i < 12; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (n > 11 || v > ARRAY_TASK_ID_MAX)
		return hc_err_set(err, HC_EINVAL, "%s: task id %.*s is above "
				  "the maximum %u", item,
				  (int)(n > 40 ? 40 : n), s, ARRAY_TASK_ID_MAX);
	*out = (uint32_t)v;
	*p = s + n;
	return 0;
}

/* One item of the comma list: "A", "A-B" or "A-B:S". */
static int
parse_item(const char *item, struct array_range *r, struct hc_err *err)
{
	const char *p = item;

	if (*item == '\0')
		return hc_err_set(err, HC_EINVAL, "empty task id; separate "
				  "ranges with one comma");
	if (parse_num(&p, &r->start, item, err) < 0)
		return -1;
	r->end = r->start;
	r->step = 1;
	if (*p == ':')
		return hc_err_set(err, HC_EINVAL, "%s: a step needs a range; "
				  "write %u-N%s", item, r->start, p);
	if (*p == '-') {
		p++;
		if (parse_num(&p, &r->end, item, err) < 0)
			return -1;
		if (r->end < r->start)
			return hc_err_set(err, HC_EINVAL, "%s: range is "
					  "reversed; write %u-%u", item,
					  r->end, r->start);
	}
	if (*p == ':') {
		p++;
		if (parse_num(&p, &r->step, item, err) < 0)
			return -1;
		if (r->step == 0)
			return hc_err_set(err, HC_EINVAL, "%s: step must be "
					  "at least 1", item);
	}
	if (*p != '\0')
		return hc_err_set(err, HC_EINVAL, "%s: unexpected '%c'; "
				  HINT, item, *p);
	r->end -= (r->end - r->start) % r->step;
	if (r->start == r->end)
		r->step = 1;
	return 0;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct array_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort, refuse overlaps, join touching step-1 ranges ("1,2,3" -> 1-3). */
static int
set_normalise(struct array_set *set, struct hc_err *err)
{
	size_t w = 0;

	qsort(set->ranges, set->count, sizeof(*set->ranges), range_cmp);
	for (size_t i = 1; i < set->count; i++) {
		struct array_range *c = &set->ranges[w];
		const struct array_range *n = &set->ranges[i];

		if (n->start <= c->end)
			return hc_err_set(err, HC_EINVAL, "task %u is listed "
					  "twice (ranges overlap); list each "
					  "task once", n->start);
		if (c->step == 1 && n->step == 1 && n->start == c->end + 1) {
			c->end = n->end;
			continue;
		}
		set->ranges[++w] = *n;
	}
	if (set->count)
		set->count = w + 1;
	return 0;
}

/* The "%N" throttle suffix. */
static int
parse_throttle(struct array_set *set, const char *t, struct hc_err *err)
{
	const char *p = t + 1;
	uint32_t n;

	if (parse_num(&p, &n, t, err) < 0)
		return -1;
	if (*p != '\0')
		return hc_err_set(err, HC_EINVAL, "%s: unexpected '%c' in "
				  "throttle; write %%N, e.g. %%10", t, *p);
	if (n == 0)
		return hc_err_set(err, HC_EINVAL, "%s: throttle must be at "
				  "least 1", t);
	set->throttle = n;
	return 0;
}

static int
parse_list(struct array_set *set, char *buf, struct hc_err *err)
{
	char *pct = strchr(buf, '%'), *item = buf, *comma;

	if (pct) {
		if (parse_throttle(set, pct, err) < 0)
			return -1;
		*pct = '\0';
	}
	if (*buf == '\0')
		return hc_err_set(err, HC_EINVAL, "empty array; " HINT);
	for (;;) {
		comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (set->count >= ARRAY_RANGES_MAX)
			return hc_err_set(err, HC_EINVAL, "more than %d ranges;"
					  " write fewer, longer ranges",
					  ARRAY_RANGES_MAX);
		if (set_grow(set) < 0)
			return hc_err_set(err, HC_ENOMEM, "out of memory");
		if (parse_item(item, &set->ranges[set->count], err) < 0)
			return -1;
		set->count++;
		if (!comma)
			break;
		item = comma + 1;
	}
	return set_normalise(set, err);
}

int
array_set_parse(struct array_set *set, const char *spec, struct hc_err *err)
{
	char *buf;
	int rc;

	memset(set, 0, sizeof(*set));
	if (!spec || strlen(spec) > ARRAY_SPEC_MAX)
		return hc_err_set(err, HC_EINVAL, "array specification %s; "
				  HINT, spec ? "too long" : "missing");
	buf = strdup(spec);
	if (!buf)
		return hc_err_set(err, HC_ENOMEM, "out of memory");
	rc = parse_list(set, buf, err);
	free(buf);
	if (rc < 0)
		array_set_free(set);
	return rc;
}

void
array_set_free(struct array_set *set)
{
	free(set->ranges);
	memset(set, 0, sizeof(*set));
}

int
array_set_copy(struct array_set *dst, const struct array_set *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->throttle = src->throttle;
	if (!src->count)
		return 0;
	dst->ranges = malloc(src->count * sizeof(*dst->ranges));
	if (!dst->ranges) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(dst->ranges, src->ranges, src->count * sizeof(*dst->ranges));
	dst->count = dst->cap = src->count;
	return 0;
}

uint64_t
array_set_size(const struct array_set *set)
{
	uint64_t n = 0;

	for (size_t i = 0; i < set->count; i++) {
		const struct array_range *r = &set->ranges[i];
		n += (r->end - r->start) / r->step + 1;
	}
	return n;
}

/* Index of the last range whose start <= id, or -1. */
static long
set_find(const struct array_set *set, uint32_t id)
{
	long lo = 0, hi = (long)set->count - 1, found = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		if (set->ranges[mid].start <= id) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

bool
array_set_contains(const struct array_set *set, uint32_t id)
{
	long i = set_find(set, id);

	return i >= 0 && range_has(&set->ranges[i], id);
}

static void
set_drop(struct array_set *set, size_t i)
{
	memmove(&set->ranges[i], &set->ranges[i + 1],
		(set->count - i - 1) * sizeof(*set->ranges));
	set->count--;
}

int
array_set_remove(struct array_set *set, uint32_t id)
{
	long i = set_find(set, id);
	struct array_range *r, tail;

	if (i < 0 || !range_has(&set->ranges[i], id)) {
		errno = ENOENT;
		return -1;
	}
	r = &set->ranges[i];
	if (r->start == r->end) {
		set_drop(set, (size_t)i);
		return 0;
	}
	if (id == r->start || id == r->end) {
		if (id == r->start)
			r->start += r->step;
		else
			r->end -= r->step;
		if (r->start == r->end)
			r->step = 1;
		return 0;
	}
	tail = (struct array_range){ id + r->step, r->end, r->step };
	if (set_grow(set) < 0)
		return -1;
	r = &set->ranges[i];
	r->end = id - r->step;
	if (r->start == r->end)
		r->step = 1;
	if (tail.start == tail.end)
		tail.step = 1;
	memmove(&set->ranges[i + 2], &set->ranges[i + 1],
		(set->count - (size_t)i - 1) * sizeof(*set->ranges));
	set->ranges[i + 1] = tail;
	set->count++;
	return 0;
}

int64_t
array_set_first(const struct array_set *set)
{
	return set->count ? (int64_t)set->ranges[0].start : -1;
}

int64_t
array_set_next(const struct array_set *set, int64_t after)
{
	uint32_t id;
	long i;

	if (after < 0)
		return array_set_first(set);
	if (after >= ARRAY_TASK_ID_MAX)
		return -1;
	id = (uint32_t)after + 1;
	i = set_find(set, id);
	if (i >= 0) {
		const struct array_range *r = &set->ranges[i];
		if (id <= r->end) {
			uint32_t k = (id - r->start + r->step - 1) / r->step;
			return r->start + (int64_t)k * r->step;
		}
	}
	if ((size_t)(i + 1) < set->count)
		return set->ranges[i + 1].start;
	return -1;
}

int64_t
array_set_last(const struct array_set *set)
{
	return set->count ? (int64_t)set->ranges[set->count - 1].end : -1;
}

uint32_t
array_set_step(const struct array_set *set)
{
	return set->count == 1 ? set->ranges[0].step : 1;
}

char *
array_set_format(const struct array_set *set, bool with_throttle)
{
	size_t cap = set->count * 34 + 16, len = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < set->count; i++) {
		const struct array_range *r = &set->ranges[i];
		const char *sep = i ? "," : "";

		if (r->start == r->end)
			len += (size_t)snprintf(s + len, cap - len, "%s%u", sep,
						r->start);
		else if (r->step == 1)
			len += (size_t)snprintf(s + len, cap - len, "%s%u-%u",
						sep, r->start, r->end);
		else
			len += (size_t)snprintf(s + len, cap - len,
						"%s%u-%u:%u", sep, r->start,
						r->end, r->step);
	}
	if (with_throttle && set->throttle)
		snprintf(s + len, cap - len, "%%%u", set->throttle);
	return s;
}
