/*
 * jobs_update: JOB_UPDATE -- hold, release, requeue, and `hcctl update job
 * ID Key=Value...` through one table of settable keys (name, who may set
 * it, whether the job must be pending, the setter). Every key is checked
 * before any is applied, so an update is all or nothing.
 *
 * TimeLimit of a running job: admins may change it here, but the node agent
 * enforces the limit it was launched with; for now the change takes effect
 * for pending jobs (and at the next launch of a requeued one).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "hc_err.h"
#include "conf.h"
#include "ctld.h"
#include "audit.h"
#include "array.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "parse.h"
#include "rpc.h"
#include "sched.h"
#include "states.h"

struct upd {
	struct jobs *js;
	bool admin;
	bool apply;		/* false: check only */
};

typedef int upd_set_fn(struct upd *u, struct job *j, const char *val,
		       struct hc_err *err);

struct upd_key {
	const char *name;
	upd_set_fn *fn;
	bool admin_only;
	bool pending_only;
};

static void
set_owned(char **dst, const char *val)
{
	free(*dst);
	*dst = *val ? hc_strdup(val) : NULL;
}

static int
upd_time_limit(struct upd *u, struct job *j, const char *val,
	       struct hc_err *err)
{
	long tl;

	if (parse_time_limit(val, &tl, err) < 0 ||
	    jobs_check_time_limit(u->js, j, tl, err) < 0)
		return -1;
	/* Security: users may only lower their own job's limit. */
	if (!u->admin && (tl < 0 || (j->time_limit >= 0 &&
				     tl > j->time_limit)))
		return hc_err_set(err, HC_EPERM, "only administrators may "
				  "raise a time limit; you may lower it");
	if (!u->admin && j->state != JOB_PENDING)
		return hc_err_set(err, HC_EBUSY, "job %u is not pending; its "
				  "time limit can no longer change", j->id);
	if (u->apply)
		j->time_limit = tl;
	return 0;
}

static int
upd_nice(struct upd *u, struct job *j, const char *val, struct hc_err *err)
{
	long n;

	if (parse_long(val, -10000, 10000, &n, err) < 0)
		return -1;
	/* Security: a negative nice raises priority: admins only. */
	if (n < 0 && !u->admin)
		return hc_err_set(err, HC_EPERM, "only administrators may set "
				  "a negative Nice");
	if (u->apply)
		j->nice = (int)n;
	return 0;
}

static int
upd_priority(struct upd *u, struct job *j, const char *val,
	     struct hc_err *err)
{
	long p;

	if (parse_long(val, 0, 4294967295L, &p, err) < 0)
		return -1;
	if (u->apply)
		j->admin_priority = (uint32_t)p;
	return 0;
}

static int
upd_name(struct upd *u, struct job *j, const char *val, struct hc_err *err)
{
	if (strlen(val) > 256)
		return hc_err_set(err, HC_EINVAL, "Name is too long");
	if (u->apply)
		set_owned(&j->name, val);
	return 0;
}

static int
upd_comment(struct upd *u, struct job *j, const char *val,
	    struct hc_err *err)
{
	if (strlen(val) > 1024)
		return hc_err_set(err, HC_EINVAL, "Comment is too long");
	if (u->apply)
		set_owned(&j->comment, val);
	return 0;
}

static int
upd_account(struct upd *u, struct job *j, const char *val,
	    struct hc_err *err)
{
	if (strlen(val) > 256)
		return hc_err_set(err, HC_EINVAL, "Account is too long");
	/* The job's owner must be allowed to charge it (accounts.h). */
	if (accounts_job_account(u->js->c, u->admin ? 0 : j->uid, j->user,
				 val, err) < 0)
		return -1;
	if (u->apply)
		set_owned(&j->account, val);
	return 0;
}

static int
upd_queue(struct upd *u, struct job *j, const char *val, struct hc_err *err)
{
	const struct hc_conf *conf = u->js->c->conf;
	const struct conf_queue *q = conf_queue_find(conf, val);
	struct job t;

	if (!q)
		return hc_err_set(err, HC_ENOENT, "queue %s does not exist; "
				  "hcinfo lists the queues", val);
	t = *j;
	t.queue = q->name;
	t.queue_index = (uint32_t)(q - conf->queues);
	if (jobs_check_time_limit(u->js, &t, t.time_limit, err) < 0 ||
	    jobs_check_fit(u->js, &t, err) < 0)
		return -1;
	if (u->apply) {
		set_owned(&j->queue, q->name);
		j->queue_index = t.queue_index;
	}
	return 0;
}

static int
upd_features(struct upd *u, struct job *j, const char *val,
	     struct hc_err *err)
{
	struct job t = *j;

	t.constraint = *val ? (char *)val : NULL;
	if (jobs_check_fit(u->js, &t, err) < 0)
		return -1;
	if (u->apply)
		set_owned(&j->constraint, val);
	return 0;
}

static int
upd_requeue(struct upd *u, struct job *j, const char *val,
	    struct hc_err *err)
{
	bool b;

	if (parse_bool(val, &b, err) < 0)
		return -1;
	if (u->apply)
		j->requeue = b;
	return 0;
}

static int
upd_begin(struct upd *u, struct job *j, const char *val, struct hc_err *err)
{
	time_t t;

	if (parse_datetime(val, time(NULL), &t, err) < 0)
		return -1;
	if (u->apply) {
		j->begin_time = t;
		j->eligible_time = t > j->submit_time ? t : j->submit_time;
	}
	return 0;
}

/* Dependency=EXPR replaces the remaining dependency; "" clears it. */
static int
upd_dependency(struct upd *u, struct job *j, const char *val,
	       struct hc_err *err)
{
	struct job t = { .id = j->id };
	int rc = jobs_depend_set(u->js, u->apply ? j : &t, val, err);

	job_free_dep(&t);
	if (rc == 0 && u->apply)
		j->reason[0] = '\0';	/* the next pass tells the new one */
	return rc;
}

/* ArrayTaskThrottle=N: at most N tasks of the array run at once; 0 none. */
static int
upd_throttle(struct upd *u, struct job *j, const char *val,
	     struct hc_err *err)
{
	long n;

	if (!j->array)
		return hc_err_set(err, HC_EINVAL, "job %u is not a job array "
				  "with pending tasks", j->id);
	if (parse_long(val, 0, ARRAY_TASK_ID_MAX, &n, err) < 0)
		return -1;
	if (u->apply) {
		j->array->throttle = (uint32_t)n;
		j->reason[0] = '\0';
	}
	return 0;
}

static const struct upd_key upd_keys[] = {
	{ "TimeLimit", upd_time_limit, false, false },
	{ "Nice", upd_nice, false, false },
	{ "Priority", upd_priority, true, false },
	{ "Name", upd_name, false, false },
	{ "Comment", upd_comment, false, false },
	{ "Account", upd_account, false, true },
	{ "Queue", upd_queue, false, true },
	{ "Features", upd_features, false, true },
	{ "Requeue", upd_requeue, false, false },
	{ "BeginTime", upd_begin, false, true },
	{ "Dependency", upd_dependency, false, true },
	{ "ArrayTaskThrottle", upd_throttle, false, true },
	{ NULL, NULL, false, false },
};

static const struct upd_key *
upd_key_find(const char *name)
{
	for (const struct upd_key *k = upd_keys; k->name; k++)
		if (!strcasecmp(k->name, name))
			return k;
	return NULL;
}

static int
upd_unknown(const char *name, struct hc_err *err)
{
	char list[512] = "";
	size_t len = 0;

	for (const struct upd_key *k = upd_keys; k->name; k++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					len ? ", " : "", k->name);
	return hc_err_set(err, HC_EINVAL, "%s: not a key of a job that can "
			  "be set; settable keys: %s", name, list);
}

/* One pass over set: check (u->apply false) or apply. */
static int
upd_walk(struct upd *u, struct job *j, const json_t *set, struct hc_err *err)
{
	const char *name;
	json_t *v;
	char num[32];

	json_object_foreach((json_t *)set, name, v) {
		const struct upd_key *k = upd_key_find(name);
		const char *val = num;

		if (!k)
			return upd_unknown(name, err);
		if (json_is_string(v))
			val = json_string_value(v);
		else if (json_is_integer(v))
			snprintf(num, sizeof(num), "%lld",
				 (long long)json_integer_value(v));
		else
			return hc_err_set(err, HC_EINVAL, "%s: give a value",
					  name);
		/* Security: some keys are for administrators only. */
		if (k->admin_only && !u->admin)
			return hc_err_set(err, HC_EPERM, "only administrators "
					  "may set %s", k->name);
		if (k->pending_only && j->state != JOB_PENDING)
			return hc_err_set(err, HC_EBUSY, "job %u is %s; %s can "
					  "change only while it is pending",
					  j->id, job_state_name(j->state),
					  k->name);
		if (k->fn(u, j, val, err) < 0)
			return hc_err_prefix(err, "%s=%s: ", k->name, val);
	}
	return 0;
}

static int
upd_hold(struct jobs *js, struct job *j, bool admin, bool hold,
	 struct hc_err *err)
{
	if (j->state != JOB_PENDING)
		return hc_err_set(err, HC_EBUSY, "job %u is %s; only pending "
				  "jobs can be %s", j->id,
				  job_state_name(j->state),
				  hold ? "held" : "released");
	/* Security: an administrator's hold is released by an admin. */
	if (!hold && j->hold == JOB_HOLD_ADMIN && !admin)
		return hc_err_set(err, HC_EPERM, "job %u was held by an "
				  "administrator; ask one to release it",
				  j->id);
	j->hold = !hold ? JOB_HOLD_NONE : admin ? JOB_HOLD_ADMIN :
		  JOB_HOLD_USER;
	snprintf(j->reason, sizeof(j->reason), "%s", hold ? "Held" : "");
	return 0;
}

static int
upd_requeue_job(struct jobs *js, struct job *j, struct hc_err *err)
{
	if (j->state == JOB_PENDING)
		return hc_err_set(err, HC_EBUSY, "job %u is pending already",
				  j->id);
	if (job_state_is_final(j->state)) {
		jobs_requeue(js, j, false, "Requeued");
		return 0;
	}
	j->requeueing = true;
	jobs_kill(js, j, 0, false, "requeued");
	return 0;
}

int
jobs_update_one(struct jobs *js, struct job *j, const char *action,
		const json_t *b, bool admin, struct hc_err *err)
{
	struct upd u = { .js = js, .admin = admin };
	const json_t *set = json_object_get(b, "set");

	if (!strcmp(action, "hold") || !strcmp(action, "release"))
		return upd_hold(js, j, admin, !strcmp(action, "hold"), err);
	if (!strcmp(action, "requeue"))
		return upd_requeue_job(js, j, err);
	if (strcmp(action, "update"))
		return hc_err_set(err, HC_EINVAL, "action %s unknown; use "
				  "update, hold, release or requeue", action);
	if (!json_is_object(set) || !json_object_size(set))
		return hc_err_set(err, HC_EINVAL, "nothing to update; give "
				  "Key=Value pairs");
	if (upd_walk(&u, j, set, err) < 0)
		return -1;
	u.apply = true;
	return upd_walk(&u, j, set, err);
}

void
jobs_rpc_update(struct rpc_req *req, json_t *body)
{
	struct jobs *js = req->ctld->jobs;
	uint32_t id = (uint32_t)jint(body, "job_id", 0);
	const char *action = jstr(body, "action");
	struct job *j = jobs_find(js, id);
	bool admin = jobs_is_admin(js, req->uid);
	struct hc_err err = { 0 };

	if (!j) {
		rpc_reply_err(req, HC_ENOENT, "job %u does not exist (or "
			      "finished long ago: see hcacct)", id);
		return;
	}
	/* Security: ordinary users change only their own jobs. */
	if (!admin && j->uid != req->uid) {
		rpc_reply_err(req, HC_EPERM, "job %u belongs to %s; you may "
			      "only change your own jobs", id,
			      j->user ? j->user : "?");
		return;
	}
	/* Array tasks (hcctl hold job 123_[1-500]), or a whole array's
	 * tasks for hold, release and requeue: jobs_array_update.c. */
	if (jstr(body, "tasks") || jobs_array_update_whole(j, action)) {
		jobs_array_rpc_update(req, j, jstr(body, "tasks"),
				      action ? action : "update", body, admin);
		return;
	}
	if (jobs_update_one(js, j, action ? action : "update", body, admin,
			    &err) < 0) {
		rpc_reply_err(req, err.code, "%s", err.text);
		return;
	}
	hc_log(HC_LOG_INFO, "job=%u uid=%u %s", id, (unsigned)req->uid,
	       action ? action : "update");
	audit_job(req->ctld, req->uid, "job_update", j, action ? action : "update");
	jobs_save(js, j);
	rpc_reply(req, NULL);
	jobs_sched_request(js);
}
