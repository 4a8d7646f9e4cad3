/*
 * depend: parse, print and evaluate job dependency expressions.
 *
 * The expression is kept as a flat list of items (type, job, task, minutes)
 * and one flag for how they are joined. Evaluation removes the items that
 * hold, so what is left is the "remaining dependency" hcqueue %E shows, and
 * a dependency that is satisfied becomes the empty list (as in Slurm).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "depend.h"
#include "log.h"
#include "states.h"

static const char *const type_names[DEP_TYPE_COUNT] = {
	[DEP_AFTER] = "after",
	[DEP_AFTEROK] = "afterok",
	[DEP_AFTERNOTOK] = "afternotok",
	[DEP_AFTERANY] = "afterany",
	[DEP_AFTERCORR] = "aftercorr",
	[DEP_SINGLETON] = "singleton",
};

#define TYPES "after, afterok, afternotok, afterany, aftercorr or singleton"

const char *
depend_type_name(int type)
{
	if (type < 0 || type >= DEP_TYPE_COUNT)
		return NULL;
	return type_names[type];
}

static int
type_parse(const char *s, size_t len)
{
	for (int i = 0; i < DEP_TYPE_COUNT; i++)
		if (strlen(type_names[i]) == len &&
		    strncasecmp(s, type_names[i], len) == 0)
			return i;
	return -1;
}

static int
num_parse(const char *s, size_t len, uint32_t *out)
{
	unsigned long long v = 0;

	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v >= UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* One id "123", "123_7" or (after only) "123+5". */
static int
id_parse(int type, const char *s, size_t len, struct dep_item *it,
	 struct hc_err *err)
{
	const char *plus = memchr(s, '+', len);
	const char *us = memchr(s, '_', plus ? (size_t)(plus - s) : len);
	size_t idlen = us ? (size_t)(us - s) : plus ? (size_t)(plus - s) : len;

	it->type = (uint8_t)type;
	it->task_id = DEP_NO_TASK;
	it->minutes = 0;
	if (plus && type != DEP_AFTER)
		return hc_err_set(err, HC_EINVAL, "%.*s: +MINUTES is only "
				  "allowed with after (after:ID+MIN)",
				  (int)len, s);
	if (num_parse(s, idlen, &it->job_id) < 0 || it->job_id == 0)
		goto bad;
	if (us) {
		size_t tl = (plus ? (size_t)(plus - us) : len - (size_t)(us - s))
			    - 1;
		if (num_parse(us + 1, tl, &it->task_id) < 0 ||
		    it->task_id > ARRAY_TASK_ID_MAX)
			goto bad;
	}
	if (plus && num_parse(plus + 1, len - (size_t)(plus - s) - 1,
			      &it->minutes) < 0)
		return hc_err_set(err, HC_EINVAL, "%.*s: bad minutes after "
				  "'+'; write after:ID+MIN (after:12+5)",
				  (int)len, s);
	return 0;
bad:
	return hc_err_set(err, HC_EINVAL, "%.*s: not a job id; write a job "
			  "id (123) or an array task id (123_7)", (int)len, s);
}

static int
item_add(struct depend *d, struct hc_err *err)
{
	if (d->n >= DEP_MAX_ITEMS)
		return hc_err_set(err, HC_EINVAL, "too many dependencies; "
				  "use at most %d job ids", DEP_MAX_ITEMS);
	d->items = hc_realloc(d->items, (d->n + 1) * sizeof(*d->items));
	memset(&d->items[d->n], 0, sizeof(*d->items));
	d->n++;
	return 0;
}

/* One element between separators: "TYPE:ID[:ID...]" or "singleton". */
static int
elem_parse(struct depend *d, const char *s, size_t len, struct hc_err *err)
{
	const char *colon = memchr(s, ':', len);
	size_t tlen = colon ? (size_t)(colon - s) : len;
	int type;

	if (len == 0)
		return hc_err_set(err, HC_EINVAL, "empty dependency between "
				  "separators; write TYPE:ID[,TYPE:ID...]");
	type = type_parse(s, tlen);
	if (type < 0)
		return hc_err_set(err, HC_EINVAL, "%.*s: unknown dependency "
				  "type; use " TYPES, (int)tlen, s);
	if (type == DEP_SINGLETON) {
		if (colon)
			return hc_err_set(err, HC_EINVAL, "singleton takes "
					  "no job id");
		if (item_add(d, err) < 0)
			return -1;
		d->items[d->n - 1].type = DEP_SINGLETON;
		d->items[d->n - 1].task_id = DEP_NO_TASK;
		return 0;
	}
	if (!colon || colon + 1 == s + len)
		return hc_err_set(err, HC_EINVAL, "%s needs a job id: "
				  "%s:ID[:ID...]", type_names[type],
				  type_names[type]);
	const char *p = colon + 1, *end = s + len;
	while (p <= end) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		size_t il = c ? (size_t)(c - p) : (size_t)(end - p);
		if (il == 0)
			return hc_err_set(err, HC_EINVAL, "%s needs a job "
					  "id: %s:ID[:ID...]",
					  type_names[type], type_names[type]);
		if (item_add(d, err) < 0 ||
		    id_parse(type, p, il, &d->items[d->n - 1], err) < 0)
			return -1;
		p += il + 1;
	}
	return 0;
}

int
depend_parse(const char *s, struct depend *d, struct hc_err *err)
{
	bool comma = strchr(s, ',') != NULL, query = strchr(s, '?') != NULL;
	char sep = query ? '?' : ',';

	memset(d, 0, sizeof(*d));
	if (comma && query)
		return hc_err_set(err, HC_EINVAL, "%s: do not mix ',' (all "
				  "must hold) and '?' (any one is enough)", s);
	d->any = query;
	if (*s == '\0')
		return 0;
	for (const char *p = s;;) {
		const char *e = strchr(p, sep);
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (elem_parse(d, p, len, err) < 0) {
			depend_free(d);
			return -1;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

void
depend_free(struct depend *d)
{
	if (!d)
		return;
	free(d->items);
	d->items = NULL;
	d->n = 0;
	d->any = false;
}

char *
depend_format(const struct depend *d, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < d->n && off < len; i++) {
		const struct dep_item *it = &d->items[i];
		bool same = i > 0 && !d->any &&
			    d->items[i - 1].type == it->type &&
			    it->type != DEP_SINGLETON;
		int n;

		if (same)
			n = snprintf(buf + off, len - off, ":%u", it->job_id);
		else if (it->type == DEP_SINGLETON)
			n = snprintf(buf + off, len - off, "%s%s",
				     i ? (d->any ? "?" : ",") : "",
				     type_names[it->type]);
		else
			n = snprintf(buf + off, len - off, "%s%s:%u",
				     i ? (d->any ? "?" : ",") : "",
				     type_names[it->type], it->job_id);
		if (n < 0)
			break;
		off += (size_t)n;
		if (off < len && it->task_id != DEP_NO_TASK)
			off += (size_t)snprintf(buf + off, len - off, "_%u",
						it->task_id);
		if (off < len && it->minutes)
			off += (size_t)snprintf(buf + off, len - off, "+%u",
						it->minutes);
	}
	return buf;
}

/* One item against the state of the job it names. */
static enum dep_result
item_eval(const struct dep_item *it, const struct dep_job *j, time_t now)
{
	bool final = j->exists && job_state_is_final(j->state);

	if (it->type == DEP_SINGLETON)
		return j->exists && !final ? DEP_WAIT : DEP_SATISFIED;
	if (!j->exists)	/* purged long ago: Slurm drops it, except ok/notok */
		return it->type == DEP_AFTER || it->type == DEP_AFTERANY ?
		       DEP_SATISFIED : DEP_NEVER;
	switch (it->type) {
	case DEP_AFTER:
		if (final)
			return DEP_SATISFIED;
		if (j->state == JOB_PENDING || j->start_time == 0)
			return DEP_WAIT;
		return now >= j->start_time + (time_t)it->minutes * 60 ?
		       DEP_SATISFIED : DEP_WAIT;
	case DEP_AFTERANY:
		return final ? DEP_SATISFIED : DEP_WAIT;
	case DEP_AFTERNOTOK:
		if (!final)
			return DEP_WAIT;
		return j->state == JOB_COMPLETED ? DEP_NEVER : DEP_SATISFIED;
	default:	/* afterok; aftercorr on the task the lookup chose */
		if (!final)
			return DEP_WAIT;
		return j->state == JOB_COMPLETED ? DEP_SATISFIED : DEP_NEVER;
	}
}

enum dep_result
depend_eval(struct depend *d, time_t now, depend_lookup_fn lookup, void *arg,
	    bool *changed)
{
	size_t keep = 0, never = 0;

	*changed = false;
	for (size_t i = 0; i < d->n; i++) {
		const struct dep_item *it = &d->items[i];
		struct dep_job j = { 0 };
		enum dep_result r;
		uint32_t task = it->type == DEP_AFTERCORR &&
				it->task_id == DEP_NO_TASK ? DEP_CORR_TASK :
				it->task_id;

		lookup(it->type == DEP_SINGLETON ? 0 : it->job_id, task, &j,
		       arg);
		r = item_eval(it, &j, now);
		if (r == DEP_SATISFIED && d->any) {
			depend_free(d);
			*changed = true;
			return DEP_SATISFIED;
		}
		if (r == DEP_NEVER)
			never++;
		if (r == DEP_SATISFIED) {
			*changed = true;
			continue;
		}
		d->items[keep++] = d->items[i];
	}
	d->n = keep;
	if (keep == 0) {
		depend_free(d);
		return DEP_SATISFIED;
	}
	if (d->any ? never == keep : never > 0)
		return DEP_NEVER;
	return DEP_WAIT;
}
