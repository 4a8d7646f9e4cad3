/*
 * jobs_array_update: JOB_UPDATE on array tasks -- `hcctl hold job 123_7`,
 * `hcctl release job 123_[1-500]`, `hcctl requeue job 123_4`, `hcctl
 * update job 123_7 Key=Value` -- and on every task of an array for hold,
 * release and requeue of its id.
 *
 * Pending tasks not yet split off stay ranges in the array record (held
 * ones in its held sets, jobs_array_held.c); tasks split off (started, or
 * split for aftercorr) are jobs of their own and take the action one by
 * one as any job would. A range may name both kinds. The reply is an error
 * only when no task changed: then it gives the first task's reason.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "audit.h"
#include "ctld.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "rpc.h"
#include "states.h"

struct tupd {
	struct jobs *js;
	const char *action;
	const json_t *body;
	bool admin;
	uint32_t uid;
	uint64_t changed;
	struct hc_err first;	/* the first refusal */
};

bool
jobs_array_update_whole(const struct job *j, const char *action)
{
	if (!j || !action || !(j->array || (j->array_job_id &&
					    j->array_job_id == j->id)))
		return false;
	return !strcmp(action, "hold") || !strcmp(action, "release") ||
	       !strcmp(action, "requeue");
}

static void
tupd_refused(struct tupd *u, const struct hc_err *err)
{
	if (!u->first.code)
		u->first = *err;
}

/* One task split off into a job of its own. */
static void
tupd_job(struct tupd *u, struct job *t)
{
	struct hc_err err = { 0 };

	if (jobs_update_one(u->js, t, u->action, u->body, u->admin, &err) < 0) {
		tupd_refused(u, &err);
		return;
	}
	u->changed++;
	hc_log(HC_LOG_INFO, "job=%u array=%u task=%u uid=%u %s", t->id,
	       t->array_job_id, t->array_task_id, (unsigned)u->uid,
	       u->action);
	audit_job(u->js->c, u->uid, "job_update", t, u->action);
	jobs_save(u->js, t);
}

/* The tasks still in record a's sets (which NULL: all of them). */
static void
tupd_record(struct tupd *u, struct job *a, const struct array_set *which)
{
	bool hold = !strcmp(u->action, "hold");
	struct hc_err err = { 0 };
	struct array_set all = { 0 };
	uint64_t n = 0;

	if (!a->array)
		return;
	if (!which && (hold || a->hold != JOB_HOLD_NONE)) {
		tupd_job(u, a);		/* the whole record */
		if (hold)
			return;
	}
	if (strcmp(u->action, "hold") && strcmp(u->action, "release")) {
		if (which) {	/* requeue or update of a pending task */
			struct array_set in;

			if (array_set_cut(a->array, which, &in, NULL) == 0 &&
			    in.count) {
				hc_err_set(&err, HC_EBUSY, "task %u_%u is "
					   "pending: it has not started",
					   a->id, in.ranges[0].start);
				tupd_refused(u, &err);
			}
			array_set_free(&in);
		}
		return;
	}
	if (!which) {
		array_set_parse(&all, "0-4000000", NULL);
		which = &all;
	}
	if (jobs_array_hold(a, which, hold, u->admin, &n, &err) < 0)
		tupd_refused(u, &err);
	else if (n) {
		u->changed += n;
		hc_log(HC_LOG_INFO, "job=%u uid=%u %s tasks=%llu", a->id,
		       (unsigned)u->uid, u->action, (unsigned long long)n);
		audit_job(u->js->c, u->uid, "job_update", a, u->action);
		jobs_save(u->js, a);
	}
	array_set_free(&all);
}

/* "7", "[1-500]" or "1-500" into set. */
static int
tasks_parse(const char *spec, struct array_set *set, struct hc_err *err)
{
	char buf[ARRAY_SPEC_MAX + 1];
	size_t len;

	if (strlen(spec) > ARRAY_SPEC_MAX)
		return hc_err_set(err, HC_EINVAL, "array tasks: more than %d "
				  "characters; name fewer, longer ranges",
				  ARRAY_SPEC_MAX);
	snprintf(buf, sizeof(buf), "%s", spec);
	len = strlen(buf);
	if (len >= 2 && buf[0] == '[' && buf[len - 1] == ']') {
		buf[len - 1] = '\0';
		memmove(buf, buf + 1, len - 1);
	}
	if (array_set_parse(set, buf, err) < 0)
		return hc_err_prefix(err, "array tasks %s: ", spec);
	if (set->throttle) {
		array_set_free(set);
		return hc_err_set(err, HC_EINVAL, "array tasks %s: a throttle "
				  "(%%N) has no meaning here; name tasks only",
				  spec);
	}
	return 0;
}

void
jobs_array_rpc_update(struct rpc_req *req, struct job *a, const char *tasks,
		      const char *action, json_t *body, bool admin)
{
	struct tupd u = { .js = req->ctld->jobs, .action = action,
			  .body = body, .admin = admin, .uid = req->uid };
	struct array_set set = { 0 };
	struct hc_err err = { 0 };
	uint32_t aid = a->id;

	if (!a->array && a->array_job_id != a->id) {
		rpc_reply_err(req, HC_EINVAL, "job %u is not a job array; "
			      "name its tasks only for arrays", a->id);
		return;
	}
	if (tasks && tasks_parse(tasks, &set, &err) < 0) {
		rpc_reply_err(req, err.code, "%s", err.text);
		return;
	}
	/* Security: the caller owns the array or is an admin (checked on
	 * the record by jobs_rpc_update); its tasks have the same owner. */
	tupd_record(&u, a, tasks ? &set : NULL);
	for (size_t i = 0; i < u.js->n; i++) {
		struct job *t = u.js->v[i];

		if (t->array_job_id != aid || t->array ||
		    (tasks && !array_set_contains(&set, t->array_task_id)) ||
		    (!tasks && strcmp(action, "requeue") &&
		     t->state != JOB_PENDING))
			continue;
		tupd_job(&u, t);
	}
	array_set_free(&set);
	/* Releasing an array none of whose tasks is held (or holding one
	 * all held) changes nothing and is no error, as for a plain job. */
	if (!u.changed && (u.first.code || tasks || !strcmp(action,
							     "requeue"))) {
		if (u.first.code)
			rpc_reply_err(req, u.first.code, "%s", u.first.text);
		else
			rpc_reply_err(req, HC_ENOENT, "job %u has no task %s%s",
				      aid, tasks ? tasks : "",
				      tasks ? " (see hcqueue -r -j ID)" :
				      "that can change");
		return;
	}
	rpc_reply(req, json_pack("{s:I}", "tasks", (json_int_t)u.changed));
	jobs_sched_request(u.js);
}
