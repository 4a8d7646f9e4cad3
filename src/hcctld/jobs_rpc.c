/*
 * jobs_rpc: JOB_QUERY, HISTORY_QUERY and JOB_SIGNAL (cancel and signals).
 *
 * Queries read the in-memory table only (and the history for hcacct). With
 * "detail": false the short JOB record is sent, which is all hcqueue's
 * listings need (also what "detail" absent gives); "detail": true gives the
 * full record (`hcctl show job`); "format": "rows" gives the compact
 * columnar listing of jobs_rows.c (hcqueue's table view).
 *
 * Security: an ordinary user may signal or cancel only their own jobs; a job
 * named by id that belongs to someone else gets rc HC_EPERM in the results,
 * and filters (-u/-t/-p/-n) given by an ordinary user without -u match only
 * their own jobs. AdminUsers (and root) may touch every job.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hc_err.h"
#include "conf.h"
#include "ctld.h"
#include "audit.h"
#include "array.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "rpc.h"
#include "state.h"
#include "states.h"

static bool
match_str(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && s && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

static bool
match_user(const json_t *a, uint32_t uid, const char *user)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		if (json_is_integer(v) && json_integer_value(v) == uid)
			return true;
		if (json_is_string(v) && user &&
		    !strcmp(json_string_value(v), user))
			return true;
	}
	return false;
}

static bool
match_state(const json_t *a, int state)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) &&
		    job_state_parse(json_string_value(v)) == state)
			return true;
	return false;
}

/* Filters other than job_ids (the caller looks ids up directly). */
bool
jobs_filter_match(const struct job *j, const json_t *q)
{
	const json_t *a;

	if ((a = json_object_get(q, "users")) && json_array_size(a) &&
	    !match_user(a, j->uid, j->user))
		return false;
	if ((a = json_object_get(q, "states")) && json_array_size(a) &&
	    !match_state(a, j->state))
		return false;
	if ((a = json_object_get(q, "queues")) && json_array_size(a) &&
	    !match_str(a, j->queue))
		return false;
	if ((a = json_object_get(q, "names")) && json_array_size(a) &&
	    !match_str(a, j->name))
		return false;
	return true;
}

/* Whether array record (or last task) j has a task in only. */
static bool
record_has(const struct job *j, const struct array_set *only)
{
	struct array_set in;
	bool any;

	if (!j->array)
		return array_set_contains(only, j->array_task_id);
	for (int k = -1; k < 2; k++) {
		const struct array_set *s = k < 0 ? j->array :
			j->array_held ? &j->array_held[k] : NULL;

		if (!s || array_set_cut(s, only, &in, NULL) < 0)
			continue;
		any = in.count > 0;
		array_set_free(&in);
		if (any)
			return true;
	}
	return false;
}

/* A job named by id: an array's id brings its tasks split off (hcctl show
 * job 123 shows them all, as scontrol does), only those in only when given
 * (hcctl show job 123_7). */
static void
query_add(json_t *out, struct jobs *js, const struct job *j,
	  const struct array_set *only, bool detail, time_t now)
{
	bool arr = j->array || (j->array_job_id && j->array_job_id == j->id);

	if (!arr) {
		if (!only)
			json_array_append_new(out, job_to_json(j, detail, now));
		return;
	}
	if (!only || record_has(j, only))
		json_array_append_new(out, job_to_json(j, detail, now));
	for (size_t i = 0; i < js->n; i++) {
		const struct job *t = js->v[i];

		if (t->array_job_id == j->id && t != j && !t->array &&
		    (!only || array_set_contains(only, t->array_task_id)))
			json_array_append_new(out, job_to_json(t, detail, now));
	}
}

void
jobs_rpc_query(struct rpc_req *req, json_t *body)
{
	struct jobs *js = req->ctld->jobs;
	bool detail = jbool(body, "detail", false);
	const json_t *ids = json_object_get(body, "job_ids");
	json_t *out = json_array();
	time_t now = time(NULL);
	size_t i;
	json_t *v;

	if (jstr(body, "format") && !strcmp(jstr(body, "format"), "rows")) {
		json_decref(out);
		jobs_rpc_query_rows(req, body);
		return;
	}
	if (json_array_size(ids)) {
		struct array_set only = { 0 };
		const char *tasks = jstr(body, "tasks");
		struct hc_err err = { 0 };

		if (tasks && array_set_parse(&only, tasks, &err) < 0) {
			json_decref(out);
			rpc_reply_err(req, HC_EINVAL, "tasks %s: %s", tasks,
				      err.text);
			return;
		}
		json_array_foreach(ids, i, v) {
			struct job *j = jobs_find(js,
				(uint32_t)json_integer_value(v));

			if (j && jobs_filter_match(j, body))
				query_add(out, js, j, tasks ? &only : NULL,
					  detail, now);
		}
		array_set_free(&only);
	} else {
		for (i = 0; i < js->n; i++)
			if (jobs_filter_match(js->v[i], body))
				json_array_append_new(out,
					job_to_json(js->v[i], detail, now));
	}
	rpc_reply(req, json_pack("{s:o}", "jobs", out));
}

/* --- history (hcacct) --- */

struct hist_ctx {
	const json_t *q;
	struct jobs *js;
	json_t *out;
	time_t start, end;
};

/* Whether history record rec is one of the jobs named: an id in ids is a
 * job id or an array's id (its tasks), "ID_RANGES" in tasks some tasks of
 * array ID. */
static bool
hist_id_match(const json_t *ids, const json_t *tasks, const json_t *rec)
{
	uint32_t id = (uint32_t)jint(rec, "job_id", 0);
	uint32_t arr = (uint32_t)jint(rec, "array_job_id", 0);
	const json_t *task = json_object_get(rec, "array_task_id");
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v)
		if (json_is_integer(v) && (json_integer_value(v) == id ||
		    (arr && json_integer_value(v) == arr)))
			return true;
	json_array_foreach(tasks, i, v) {
		const char *s = json_string_value(v), *us;
		struct array_set set = { 0 };
		bool in;

		if (!s || !(us = strchr(s, '_')) || !task || !arr ||
		    strtoul(s, NULL, 10) != arr ||
		    array_set_parse(&set, us + 1, NULL) < 0)
			continue;
		in = array_set_contains(&set,
					(uint32_t)json_integer_value(task));
		array_set_free(&set);
		if (in)
			return true;
	}
	return false;
}

static bool
hist_match(const struct hist_ctx *h, const json_t *rec)
{
	const json_t *a;
	time_t st = (time_t)jint(rec, "start_time", 0);
	time_t et = (time_t)jint(rec, "end_time", 0);
	time_t sub = (time_t)jint(rec, "submit_time", 0);

	a = json_object_get(h->q, "array_tasks");
	if ((json_array_size(json_object_get(h->q, "job_ids")) ||
	     json_array_size(a)) &&
	    !hist_id_match(json_object_get(h->q, "job_ids"), a, rec))
		return false;
	if ((a = json_object_get(h->q, "users")) && json_array_size(a) &&
	    !match_user(a, (uint32_t)jint(rec, "uid", -1), jstr(rec, "user")))
		return false;
	if ((a = json_object_get(h->q, "states")) && json_array_size(a) &&
	    !match_state(a, job_state_parse(jstr(rec, "state") ?
					    jstr(rec, "state") : "")))
		return false;
	/* -A: a record without an account was charged the default one */
	if ((a = json_object_get(h->q, "accounts")) && json_array_size(a) &&
	    !match_str(a, jstr(rec, "account") && *jstr(rec, "account") ?
		       jstr(rec, "account") : h->js->c->conf->default_account))
		return false;
	/* In the window: began (or was submitted) before its end, and had
	 * not finished before its start. */
	if (h->end && (st ? st : sub) > h->end)
		return false;
	if (h->start && et && et < h->start)
		return false;
	return true;
}

static int
hist_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct hist_ctx *h = arg;

	if (hist_match(h, rec)) {
		json_t *c = json_deep_copy(rec);

		json_object_del(c, "v");
		json_array_append_new(h->out, c);
	}
	return 0;
}

void
jobs_rpc_history(struct rpc_req *req, json_t *body)
{
	struct jobs *js = req->ctld->jobs;
	struct hist_ctx h = { .q = body, .js = js, .out = json_array(),
			      .start = (time_t)jint(body, "start", 0),
			      .end = (time_t)jint(body, "end", 0) };
	struct hc_err err = { 0 };
	time_t now = time(NULL);

	if (state_walk(js->c->state, STATE_DB_HISTORY, hist_one, &h,
		       &err) < 0) {
		json_decref(h.out);
		rpc_reply_err(req, HC_EIO, "cannot read the job history: %s",
			      err.text);
		return;
	}
	for (size_t i = 0; i < js->n; i++) {
		json_t *rec = job_to_json(js->v[i], true, now);

		if (hist_match(&h, rec))
			json_array_append(h.out, rec);
		json_decref(rec);
	}
	rpc_reply(req, json_pack("{s:o}", "jobs", h.out));
}

/* --- signal / cancel --- */

static json_t *
sig_result(uint32_t id, int rc, const char *text)
{
	json_t *r = json_pack("{s:I,s:i}", "job_id", (json_int_t)id, "rc", rc);

	if (rc && text)
		json_object_set_new(r, "error", json_string(text));
	return r;
}

/* Signal or cancel one job the caller may touch. */
static json_t *
sig_one(struct jobs *js, struct job *j, int sig, bool batch_only,
	uid_t uid)
{
	char msg[256];

	if (job_state_is_final(j->state)) {
		snprintf(msg, sizeof(msg), "job %u has already finished (%s)",
			 j->id, job_state_name(j->state));
		return sig_result(j->id, HC_EBUSY, msg);
	}
	if (sig == 0 && j->state == JOB_PENDING) {
		jobs_finish(js, j, JOB_CANCELLED, "");
	} else if (sig == 0) {
		j->cancelling = true;
		jobs_kill(js, j, 0, false, "cancelled");
		jobs_save(js, j);
	} else if (j->state == JOB_PENDING) {
		snprintf(msg, sizeof(msg), "job %u is pending; only a cancel "
			 "(no -s) applies to it", j->id);
		return sig_result(j->id, HC_EBUSY, msg);
	} else {
		jobs_kill(js, j, sig, batch_only, NULL);
	}
	hc_log(HC_LOG_INFO, "job=%u uid=%u signal=%d%s", j->id, (unsigned)uid,
	       sig, sig ? "" : " (cancel)");
	audit_job(js->c, uid, sig ? "job_signal" : "job_cancel", j, NULL);
	return sig_result(j->id, 0, NULL);
}

static json_t *
sig_checked(struct jobs *js, struct job *j, int sig, bool batch_only,
	    uid_t uid, bool admin)
{
	char msg[256];

	/* Security: ordinary users touch only their own jobs. */
	if (!admin && j->uid != uid) {
		snprintf(msg, sizeof(msg), "job %u belongs to %s; you may only "
			 "%s your own jobs", j->id, j->user ? j->user : "?",
			 sig ? "signal" : "cancel");
		return sig_result(j->id, HC_EPERM, msg);
	}
	return sig_one(js, j, sig, batch_only, uid);
}

/* The started tasks of array aid (those in only; all when NULL). */
static void
sig_array(struct jobs *js, uint32_t aid, const struct array_set *only,
	  int sig, bool batch_only, const struct rpc_req *req, bool admin,
	  json_t *res)
{
	for (size_t i = 0; i < js->n; i++) {
		struct job *t = js->v[i];

		if (t->array_job_id != aid || (t->id == aid && !only) ||
		    t->array ||
		    job_state_is_final(t->state) ||
		    (only && !array_set_contains(only, t->array_task_id)))
			continue;
		json_array_append_new(res, sig_checked(js, t, sig, batch_only,
			req->uid, admin));
	}
}

/* "123_7" or "123_[1-500]": the pending ones leave the array record (which
 * ends CANCELLED when none are left), the started ones are signalled. */
static void
sig_tasks(struct jobs *js, const char *spec, int sig, bool batch_only,
	  const struct rpc_req *req, bool admin, json_t *res)
{
	struct hc_err err = { 0 };
	struct array_set set = { 0 };
	char *end, buf[ARRAY_SPEC_MAX + 1];
	unsigned long aid;
	struct job *a;

	if (!spec) {	/* not a string: a malformed request */
		json_array_append_new(res, sig_result(0, HC_EINVAL, "write "
			"array tasks as ID_TASK or ID_[RANGES] strings"));
		return;
	}
	aid = strtoul(spec, &end, 10);
	a = aid ? jobs_find(js, (uint32_t)aid) : NULL;
	snprintf(buf, sizeof(buf), "%s", *end == '_' ? end + 1 : "");
	if (buf[0] == '[' && buf[strlen(buf) - 1] == ']') {
		buf[strlen(buf) - 1] = '\0';
		memmove(buf, buf + 1, strlen(buf));
	}
	if (strlen(spec) > ARRAY_SPEC_MAX)	/* buf would cut it short */
		hc_err_set(&err, HC_EINVAL, "array tasks: more than %d "
			   "characters; name fewer, longer ranges",
			   ARRAY_SPEC_MAX);
	if (*end != '_' || err.code ||
	    array_set_parse(&set, buf, &err) < 0) {
		json_array_append_new(res, sig_result((uint32_t)aid, HC_EINVAL,
			*end == '_' ? err.text : "write array tasks as "
			"ID_TASK or ID_[RANGES]"));
		return;
	}
	/* Security: the same rule as a whole job: owners and admins only. */
	if (a && a->array && !admin && a->uid != req->uid) {
		json_array_append_new(res, sig_checked(js, a, sig, batch_only,
			req->uid, admin));
	} else if (a && a->array && sig == 0) {
		uint64_t n = 0;

		if (jobs_array_drop(a, &set, &n, &err) < 0) {
			json_array_append_new(res, sig_result(a->id, err.code,
							      err.text));
		} else {
			/* They end CANCELLED: afterok on the array fails. */
			a->array_failed += (uint32_t)n;
			if (jobs_array_pending_count(a) == 0)
				jobs_finish(js, a, JOB_CANCELLED, "");
			else
				jobs_save(js, a);
			hc_log(HC_LOG_INFO, "job=%u uid=%u tasks=%s cancelled",
			       a->id, (unsigned)req->uid, buf);
			json_array_append_new(res, sig_result(a->id, 0, NULL));
		}
	}
	sig_array(js, (uint32_t)aid, &set, sig, batch_only, req, admin, res);
	array_set_free(&set);
}

void
jobs_rpc_signal(struct rpc_req *req, json_t *body)
{
	struct jobs *js = req->ctld->jobs;
	const json_t *ids = json_object_get(body, "job_ids");
	int sig = (int)jint(body, "signal", 0);
	bool batch_only = jbool(body, "batch_only", false);
	bool admin = jobs_is_admin(js, req->uid);
	bool own_only = !admin && !json_array_size(json_object_get(body,
								   "users"));
	json_t *res = json_array(), *v;
	size_t i;

	if (sig < 0 || sig > 64) {
		json_decref(res);
		rpc_reply_err(req, HC_EINVAL, "signal %d is out of range", sig);
		return;
	}
	if (json_array_size(ids) ||
	    json_array_size(json_object_get(body, "array_tasks"))) {
		json_array_foreach(ids, i, v) {
			uint32_t id = (uint32_t)json_integer_value(v);
			struct job *j = jobs_find(js, id);
			char msg[160];

			if (!j) {
				snprintf(msg, sizeof(msg), "job %u does not "
					 "exist (or finished long ago: see "
					 "hcacct)", id);
				json_array_append_new(res, sig_result(id,
					HC_ENOENT, msg));
			} else if (jobs_filter_match(j, body)) {
				json_array_append_new(res, sig_checked(js, j,
					sig, batch_only, req->uid, admin));
				sig_array(js, id, NULL, sig, batch_only, req,
					  admin, res);
			}
		}
		json_array_foreach(json_object_get(body, "array_tasks"), i, v)
			sig_tasks(js, json_string_value(v), sig, batch_only,
				  req, admin, res);
	} else if (!json_array_size(json_object_get(body, "users")) &&
		   !json_array_size(json_object_get(body, "states")) &&
		   !json_array_size(json_object_get(body, "queues")) &&
		   !json_array_size(json_object_get(body, "names"))) {
		json_decref(res);
		rpc_reply_err(req, HC_EINVAL, "no jobs named; give job ids or "
			      "a filter (-u, -t, -p, -n)");
		return;
	} else {
		for (i = 0; i < js->n; i++) {
			struct job *j = js->v[i];

			if (job_state_is_final(j->state) ||
			    (own_only && j->uid != req->uid) ||
			    !jobs_filter_match(j, body))
				continue;
			json_array_append_new(res, sig_checked(js, j, sig,
				batch_only, req->uid, admin));
		}
	}
	rpc_reply(req, json_pack("{s:o}", "results", res));
}
