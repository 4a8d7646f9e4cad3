/*
 * jobs_depend: job dependencies in the controller (hcsub --dependency).
 *
 * A job keeps its remaining dependency as a parsed expression (depend.h).
 * Each scheduling pass looks at the pending jobs that have one: the items
 * that now hold are dropped (the job is saved when that changed, so the
 * remaining dependency survives a restart), a dependency that holds lets
 * the job into the pass, one that waits gives reason Dependency, one that
 * can never hold gives DependencyNeverSatisfied and, with
 * --kill-on-invalid-dep (or KillOnInvalidDep), cancels the job.
 *
 * The jobs depended on are looked up by id in the table (a binary search)
 * and, once aged out of it, in the history; so a pass costs one lookup per
 * item of a pending dependency, and nothing for jobs without one. An array
 * (its id, or a task id 123_7) is folded from its tasks still in the table,
 * a scan of the table per item; tasks already moved to the history are
 * still counted when they failed (the record's array_failed).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "conf.h"
#include "ctld.h"
#include "depend.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "state.h"
#include "states.h"

#define DEP_TEXT_MAX 4096

struct lookup_ctx {
	struct jobs *js;
	const struct job *self;
};

/* Singleton: an earlier job of the same name and user not yet ended, or
 * any such job already running. */
static bool
singleton_busy(struct jobs *js, const struct job *self)
{
	for (size_t i = 0; i < js->n; i++) {
		const struct job *o = js->v[i];

		if (o == self || o->uid != self->uid ||
		    job_state_is_final(o->state) || !o->name || !self->name ||
		    strcmp(o->name, self->name) != 0)
			continue;
		if (o->id < self->id || o->state != JOB_PENDING)
			return true;
	}
	return false;
}

/* Fold what the table holds of array id into *out: pending while a task
 * is (or tasks are still unsplit), running while one runs, then COMPLETED
 * if every task completed, else FAILED. With a task id, that task alone. */
static bool
array_lookup(struct jobs *js, uint32_t id, uint32_t task, struct dep_job *out)
{
	const struct job *rec = jobs_find(js, id);
	bool pending = false, running = false, bad = false;

	if (!rec || (!rec->array && rec->array_job_id != id))
		return false;
	if (task != DEP_NO_TASK && jobs_array_pending_has(rec, task)) {
		*out = (struct dep_job){ true, JOB_PENDING, 0 };
		return true;
	}
	for (size_t i = 0; i < js->n; i++) {
		const struct job *o = js->v[i];

		if (o->array_job_id != id && o != rec)
			continue;
		if (task != DEP_NO_TASK) {
			if (o->array || o->array_task_id != task)
				continue;
			*out = (struct dep_job){ true, o->state,
						 o->start_time };
			return true;
		}
		if (o == rec && rec->array_failed)	/* gone or not */
			bad = true;
		if (!job_state_is_final(o->state) &&
		    (o->array || o->state == JOB_PENDING))
			pending = true;
		else if (!job_state_is_final(o->state))
			running = true;
		else if (o->state != JOB_COMPLETED)
			bad = true;	/* or a record cancelled whole */
		if (o->start_time > out->start_time)
			out->start_time = o->start_time;
	}
	if (task != DEP_NO_TASK)
		return true;	/* not in the table: exists stays false */
	out->exists = true;
	out->state = pending ? JOB_PENDING : running ? JOB_RUNNING :
		     bad ? JOB_FAILED : JOB_COMPLETED;
	return true;
}

static void dep_lookup(uint32_t id, uint32_t task, struct dep_job *out,
		       void *arg);

/* aftercorr:ID, Slurm's rule (depend.h): an array's tasks not yet split
 * off wait (jobs_array_corr_split splits them a few at a time; the last
 * one stays in the record and is judged as itself); a task
 * waits for the task of ID with its own index, or, when ID has no such
 * task (or is no array), for the whole of ID, as afterok would. */
static void
corr_lookup(struct lookup_ctx *lc, uint32_t id, struct dep_job *out)
{
	const struct job *self = lc->self;
	int64_t task = self->array_job_id ? (int64_t)self->array_task_id : -1;

	if (self->array) {	/* its last pending task is judged as itself */
		task = jobs_array_pending_count(self) == 1 ?
		       array_set_first(self->array) : -1;
		if (task < 0) {
			*out = (struct dep_job){ true, JOB_PENDING, 0 };
			return;
		}
	}
	if (task >= 0 && array_lookup(lc->js, id, (uint32_t)task, out) &&
	    out->exists)
		return;
	dep_lookup(id, DEP_NO_TASK, out, lc);
}

static void
dep_lookup(uint32_t id, uint32_t task, struct dep_job *out, void *arg)
{
	struct lookup_ctx *lc = arg;
	const struct job *o;
	uint8_t key[8];
	json_t *rec;

	memset(out, 0, sizeof(*out));
	if (task == DEP_CORR_TASK) {
		corr_lookup(lc, id, out);
		return;
	}
	if (id == 0) {
		out->exists = singleton_busy(lc->js, lc->self);
		out->state = JOB_PENDING;
		return;
	}
	if (array_lookup(lc->js, id, task, out))
		return;
	o = jobs_find(lc->js, id);
	if (o) {
		out->exists = true;
		out->state = o->state;
		out->start_time = o->start_time;
		return;
	}
	state_key_u64(id, key);
	rec = state_get(lc->js->c->state, STATE_DB_HISTORY, key, sizeof(key),
			NULL);
	if (!rec)
		return;
	out->exists = true;
	out->state = (int)jint(rec, "state_num", JOB_COMPLETED);
	if (out->state == JOB_COMPLETED && task == DEP_NO_TASK &&
	    jint(rec, "array_failed", 0) > 0)	/* an array's last task */
		out->state = JOB_FAILED;
	out->start_time = (time_t)jint(rec, "start_time", 0);
	json_decref(rec);
}

static bool
job_known(struct jobs *js, uint32_t id)
{
	uint8_t key[8];
	json_t *rec;

	if (jobs_find(js, id))
		return true;
	state_key_u64(id, key);
	rec = state_get(js->c->state, STATE_DB_HISTORY, key, sizeof(key),
			NULL);
	json_decref(rec);
	return rec != NULL;
}

int
jobs_depend_set(struct jobs *js, struct job *j, const char *text,
		struct hc_err *err)
{
	struct depend d;

	if (strlen(text) > DEP_TEXT_MAX)
		return hc_err_set(err, HC_EINVAL, "--dependency is longer "
				  "than %d characters", DEP_TEXT_MAX);
	if (depend_parse(text, &d, err) < 0)
		return hc_err_prefix(err, "--dependency=%s: ", text);
	for (size_t i = 0; i < d.n; i++) {
		uint32_t id = d.items[i].job_id;

		if (d.items[i].type != DEP_SINGLETON && id == j->id && id) {
			depend_free(&d);
			return hc_err_set(err, HC_EINVAL, "--dependency=%s: a "
					  "job cannot depend on itself", text);
		}
		if (d.items[i].type == DEP_SINGLETON || job_known(js, id))
			continue;
		depend_free(&d);
		return hc_err_set(err, HC_EINVAL, "--dependency=%s: job %u "
				  "does not exist; depend on a job that was "
				  "submitted", text, id);
	}
	job_free_dep(j);
	if (d.n) {
		j->dep = hc_malloc(sizeof(*j->dep));
		*j->dep = d;
	}
	return 0;
}

int
jobs_depend_spec(struct jobs *js, struct job *j, const json_t *s,
		 struct hc_err *err)
{
	const char *text = jstr(s, "dependency");
	json_t *kill = json_object_get(s, "kill_on_invalid_dep");

	j->kill_on_invalid_dep = json_is_boolean(kill) ?
				 json_is_true(kill) :
				 js->c->conf->kill_on_invalid_dep;
	if (!text || !*text)
		return 0;
	return jobs_depend_set(js, j, text, err);
}

void
job_free_dep(struct job *j)
{
	depend_free(j->dep);
	free(j->dep);
	j->dep = NULL;
}

char *
jobs_depend_text(const struct job *j)
{
	char *buf;

	if (!j->dep || !j->dep->n)
		return NULL;
	buf = hc_malloc(DEP_TEXT_MAX + 1);
	return depend_format(j->dep, buf, DEP_TEXT_MAX + 1);
}

bool
jobs_depend_ready(struct jobs *js, struct job *j, time_t now)
{
	struct lookup_ctx lc = { js, j };
	enum dep_result r;
	bool changed = false;

	if (!j->dep)
		return true;
	r = depend_eval(j->dep, now, dep_lookup, &lc, &changed);
	if (r == DEP_SATISFIED) {
		free(j->dep);
		j->dep = NULL;
		j->reason[0] = '\0';
		jobs_save(js, j);
		return true;
	}
	if (r == DEP_WAIT) {
		if (strcmp(j->reason, "Dependency") != 0 || changed) {
			snprintf(j->reason, sizeof(j->reason), "Dependency");
			jobs_save(js, j);
		}
		return false;
	}
	if (j->kill_on_invalid_dep) {
		hc_log(HC_LOG_INFO, "job=%u dependency can never be satisfied",
		       j->id);
		jobs_finish(js, j, JOB_CANCELLED, "DependencyNeverSatisfied");
		return false;
	}
	if (strcmp(j->reason, "DependencyNeverSatisfied") != 0) {
		snprintf(j->reason, sizeof(j->reason),
			 "DependencyNeverSatisfied");
		jobs_save(js, j);
	}
	return false;
}
