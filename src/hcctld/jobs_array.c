/*
 * jobs_array: the array record, its pending task set, and splitting a task
 * off when it starts (see jobs_array.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "ctld.h"
#include "depend.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "state.h"
#include "states.h"

int
jobs_array_spec(struct job *j, const json_t *s, struct hc_err *err)
{
	const char *spec = jstr(s, "array");
	struct array_set *set;

	if (!spec)
		return 0;
	set = hc_calloc(1, sizeof(*set));
	if (array_set_parse(set, spec, err) < 0) {
		free(set);
		return hc_err_prefix(err, "--array=%s: ", spec);
	}
	j->array = set;
	j->array_spec = hc_strdup(spec);
	return 0;
}

void
jobs_array_free(struct job *j)
{
	if (j->array)
		array_set_free(j->array);
	if (j->array_held) {
		array_set_free(&j->array_held[0]);
		array_set_free(&j->array_held[1]);
	}
	free(j->array);
	free(j->array_held);
	free(j->array_spec);
	j->array = NULL;
	j->array_held = NULL;
	j->array_spec = NULL;
}

void
jobs_array_to_json(const struct job *j, json_t *o)
{
	char *id = jobs_array_id(j);

	if (id)
		json_object_set_new(o, "array_id", json_string(id));
	free(id);
	if (j->array) {
		char *f = array_set_format(j->array, true);

		json_object_set_new(o, "array_job_id", json_integer(j->id));
		json_object_set_new(o, "array_tasks", json_string(f ? f : ""));
		json_object_set_new(o, "array_throttle",
				    json_integer(j->array->throttle));
		free(f);
		for (int k = 0; k < 2 && j->array_held; k++) {
			if (!j->array_held[k].count)
				continue;
			f = array_set_format(&j->array_held[k], false);
			json_object_set_new(o, k ? "array_held_admin" :
					    "array_held", json_string(f));
			free(f);
		}
	} else if (j->array_job_id) {
		json_object_set_new(o, "array_job_id",
				    json_integer(j->array_job_id));
		json_object_set_new(o, "array_task_id",
				    json_integer(j->array_task_id));
		if (j->array_throttle)
			json_object_set_new(o, "array_throttle",
					    json_integer(j->array_throttle));
	}
	if (j->array_failed && (j->array || j->array_job_id == j->id))
		json_object_set_new(o, "array_failed",
				    json_integer(j->array_failed));
	if (j->array_spec)
		json_object_set_new(o, "array_spec",
				    json_string(j->array_spec));
}

void
jobs_array_from_record(struct job *j, const json_t *r)
{
	const char *tasks = jstr(r, "array_tasks");
	struct hc_err err = { 0 };

	j->array_failed = (uint32_t)jint(r, "array_failed", 0);

	if (jstr(r, "array_spec"))
		j->array_spec = hc_strdup(jstr(r, "array_spec"));
	if (tasks) {
		j->array = hc_calloc(1, sizeof(*j->array));
		if (*tasks && array_set_parse(j->array, tasks, &err) < 0)
			hc_log(HC_LOG_ERR, "job=%u stored array tasks %s "
			       "unreadable: %s", j->id, tasks, err.text);
		for (int k = 0; k < 2; k++) {
			const char *h = jstr(r, k ? "array_held_admin" :
					     "array_held");

			if (!h || !*h)
				continue;
			if (!j->array_held)
				j->array_held = hc_calloc(2,
					sizeof(*j->array_held));
			if (array_set_parse(&j->array_held[k], h, &err) < 0)
				hc_log(HC_LOG_ERR, "job=%u stored held tasks "
				       "%s unreadable: %s", j->id, h,
				       err.text);
		}
		return;
	}
	j->array_job_id = (uint32_t)jint(r, "array_job_id", 0);
	j->array_task_id = (uint32_t)jint(r, "array_task_id", 0);
	j->array_throttle = (uint32_t)jint(r, "array_throttle", 0);
}

char *
jobs_array_id(const struct job *j)
{
	char *f, *s;

	if (j->array_job_id && !j->array)
		return hc_asprintf("%u_%u", j->array_job_id, j->array_task_id);
	if (!j->array)
		return NULL;
	f = array_set_format(j->array, true);
	s = hc_asprintf("%u_[%s]", j->id, f ? f : "");
	free(f);
	return s;
}

/* Tasks of array a that have started and not ended (a itself too, once
 * it is the array's last task). */
static uint32_t
array_running(struct jobs *js, const struct job *a)
{
	uint32_t n = 0;

	for (size_t i = 0; i < js->n; i++) {
		const struct job *t = js->v[i];

		if (t->array_job_id == a->id && !t->array &&
		    t->state != JOB_PENDING && !job_state_is_final(t->state))
			n++;
	}
	return n;
}

/* The throttle of array record a, or of the array a was the record of. */
static uint32_t
throttle_of(const struct job *a)
{
	return a->array ? a->array->throttle : a->array_throttle;
}

/* Slots left under array record a's throttle in the pass being built:
 * the record's own offers and its split pending tasks (requeued, or split
 * for aftercorr) share them, so together they never start more than the
 * throttle allows. Counted once per pass. */
static uint32_t *
pass_left(struct jobs *js, struct job *a)
{
	/* A pass is known by when it was built (jobs_pass stamps it). */
	uint64_t pass = (uint64_t)js->last_pass.tv_sec * 1000000u +
			(uint64_t)js->last_pass.tv_usec;
	uint32_t run;

	if (a->array_pass != pass) {
		a->array_pass = pass;
		run = array_running(js, a);
		a->array_pass_left = run >= throttle_of(a) ? 0 :
				     throttle_of(a) - run;
	}
	return &a->array_pass_left;
}

uint32_t
jobs_array_room(struct jobs *js, struct job *a)
{
	uint64_t pending = array_set_size(a->array);
	uint32_t room = JOBS_ARRAY_PASS_MAX, *left;

	if (pending == 0) {	/* all that is left is held */
		snprintf(a->reason, sizeof(a->reason), "%s", "Held");
		return 0;
	}
	if (pending < room)
		room = (uint32_t)pending;
	if (a->array->throttle) {
		left = pass_left(js, a);
		if (*left < room)
			room = *left;
		*left -= room;
		if (room == 0)
			snprintf(a->reason, sizeof(a->reason), "%s",
				 "JobArrayTaskLimit");
	}
	return room;
}

bool
jobs_array_throttled(struct jobs *js, struct job *t)
{
	struct job *a = t->array_job_id && !t->array ?
			jobs_find(js, t->array_job_id) : NULL;

	/* a is the record, or the task it became (then t may be a). */
	uint32_t *left;

	if (!a || !(a->array || a->array_job_id == a->id) || !throttle_of(a))
		return false;
	left = pass_left(js, a);
	if (*left == 0) {
		snprintf(t->reason, sizeof(t->reason), "%s",
			 "JobArrayTaskLimit");
		return true;
	}
	(*left)--;
	return false;
}

/* "%A" and "%a" of an -o/-e pattern replaced; "%%" kept for the node. */
static char *
array_pattern(const char *pat, uint32_t aid, uint32_t tid)
{
	size_t cap, len = 0;
	char *out;

	if (!pat)
		return NULL;
	cap = strlen(pat) * 11 + 1;
	out = hc_malloc(cap);
	for (const char *p = pat; *p; p++) {
		if (p[0] == '%' && (p[1] == 'A' || p[1] == 'a')) {
			len += (size_t)snprintf(out + len, cap - len, "%u",
						p[1] == 'A' ? aid : tid);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			out[len++] = *p++;
			out[len++] = *p;
		} else {
			out[len++] = *p;
		}
	}
	out[len] = '\0';
	return out;
}

static void
env_add(json_t *env, const char *key, unsigned long long v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s=%llu", key, v);
	json_array_append_new(env, json_string(buf));
}

/* Script record of task t: a copy of the array's (from_id) with the
 * HC_ARRAY_* variables appended (the node agent lets later entries win). */
static int
array_script(struct jobs *js, uint32_t from_id, const struct job *t,
	     struct hc_err *err)
{
	struct array_set set = { 0 };
	uint8_t key[8];
	json_t *rec, *env;
	int rc;

	state_key_u64(from_id, key);
	rec = state_get(js->c->state, STATE_DB_SCRIPTS, key, sizeof(key), err);
	if (!rec)
		return -1;
	env = json_object_get(rec, "env");
	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(rec, "env", env);
	}
	if (array_set_parse(&set, t->array_spec, NULL) < 0)
		memset(&set, 0, sizeof(set));
	env_add(env, "HC_ARRAY_JOB_ID", t->array_job_id);
	env_add(env, "HC_ARRAY_TASK_ID", t->array_task_id);
	env_add(env, "HC_ARRAY_TASK_COUNT", array_set_size(&set));
	env_add(env, "HC_ARRAY_TASK_MIN", (unsigned long long)
		(set.count ? array_set_first(&set) : t->array_task_id));
	env_add(env, "HC_ARRAY_TASK_MAX", (unsigned long long)
		(set.count ? array_set_last(&set) : t->array_task_id));
	env_add(env, "HC_ARRAY_TASK_STEP", array_set_step(&set));
	array_set_free(&set);
	json_object_del(rec, "v");
	state_key_u64(t->id, key);
	rc = state_put(js->c->state, STATE_DB_SCRIPTS, key, sizeof(key), rec,
		       err);
	json_decref(rec);
	return rc;
}

/* Make t task tid of array aid: ids, output patterns, script record. */
static int
array_task_init(struct jobs *js, struct job *t, uint32_t aid, uint32_t tid,
		struct hc_err *err)
{
	char *o = array_pattern(t->out, aid, tid);
	char *e = array_pattern(t->err, aid, tid);

	free(t->out);
	free(t->err);
	t->out = o;
	t->err = e;
	t->array_job_id = aid;
	t->array_task_id = tid;
	return array_script(js, aid, t, err);
}

struct job *
jobs_array_split(struct jobs *js, struct job *a, time_t now)
{
	struct hc_err err = { 0 };
	int64_t tid = array_set_first(a->array);
	struct job *t;
	json_t *rec;

	if (tid < 0)
		return NULL;
	if (array_set_size(a->array) == 1 &&	/* the record is the last */
	    jobs_array_pending_count(a) == 1) {
		a->array_throttle = a->array->throttle;
		array_set_free(a->array);
		free(a->array);
		a->array = NULL;
		if (array_task_init(js, a, a->id, (uint32_t)tid, &err) < 0)
			goto fail;
		jobs_save(js, a);
		return a;
	}
	rec = job_to_record(a);
	json_object_del(rec, "array_tasks");
	json_object_del(rec, "array_held");
	json_object_del(rec, "array_held_admin");
	t = job_from_record(rec, &err);
	json_decref(rec);
	if (!t)
		goto fail;
	t->id = js->next_id++;
	t->submit_time = a->submit_time;
	if (jobs_save_next_id(js, &err) < 0 ||
	    array_task_init(js, t, a->id, (uint32_t)tid, &err) < 0) {
		job_free(t);
		goto fail;
	}
	array_set_remove(a->array, (uint32_t)tid);
	jobs_save(js, a);
	jobs_insert(js, t);
	jobs_save(js, t);
	hc_log(HC_LOG_DEBUG, "job=%u array=%u task=%lld split", t->id, a->id,
	       (long long)tid);
	(void)now;	/* the task keeps the array's times */
	return t;
fail:
	hc_log(HC_LOG_ERR, "job=%u array task %lld cannot be split: %s", a->id,
	       (long long)tid, err.text);
	return NULL;
}

/* Whether d has an aftercorr item. */
static bool
has_corr(const struct depend *d)
{
	for (size_t i = 0; d && i < d->n; i++)
		if (d->items[i].type == DEP_AFTERCORR)
			return true;
	return false;
}

void
jobs_array_corr_split(struct jobs *js, struct job *a, time_t now)
{
	uint32_t split = 0;

	if (!a->array || a->state != JOB_PENDING || a->hold != JOB_HOLD_NONE ||
	    !has_corr(a->dep) || !array_set_size(a->array))
		return;
	for (size_t i = 0; i < js->n; i++) {
		const struct job *t = js->v[i];

		if (t->array_job_id == a->id && !t->array &&
		    t->state == JOB_PENDING)
			split++;
	}
	/* The last pending task stays in the record, judged as itself
	 * (jobs_depend.c): the record keeps the throttle for the others. */
	while (split++ < JOBS_ARRAY_CORR_MAX && a->array &&
	       array_set_size(a->array) && jobs_array_pending_count(a) > 1 &&
	       jobs_array_split(js, a, now))
		;
}

void
jobs_array_task_end(struct jobs *js, struct job *j, int state)
{
	struct job *a = j->array_job_id && !j->array ?
			jobs_find(js, j->array_job_id) : NULL;
	bool was_bad = job_state_is_final(j->state) &&
		       j->state != JOB_COMPLETED;
	bool bad = job_state_is_final(state) && state != JOB_COMPLETED;

	if (!a || was_bad == bad)
		return;
	if (bad)
		a->array_failed++;
	else if (a->array_failed)	/* a failed task requeued */
		a->array_failed--;
	if (a != j)
		jobs_save(js, a);
}
