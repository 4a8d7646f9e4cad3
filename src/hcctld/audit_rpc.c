/*
 * audit_rpc: AUDIT_QUERY (hcctl show/export audit), AUDIT_VERIFY (hcctl
 * verify audit [--anchors FILE]) and AUDIT_TRACE (hcctl trace job ID).
 * All three are admin requests (RPC_ADMIN in rpc.c's table): the log names
 * every user's jobs. Each walks the audit db in seq order; the controller
 * computes, since it has the data; anchors come in the request.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "ctld.h"
#include "log.h"
#include "msg.h"
#include "rpc.h"
#include "state.h"

struct query {
	char subject_job[32];		/* "job:ID" or "" */
	const char *node;		/* name or NULL */
	json_int_t since;
	const char *event;
	json_t *out;
};

/* Whether entry e names node (its subject, or one of a job's nodes). */
static int
names_node(const json_t *e, const char *node)
{
	const char *subj = json_string_value(json_object_get(e, "subject"));
	json_t *nodes = json_object_get(json_object_get(e, "details"), "nodes");
	const json_t *x;
	size_t i;

	if (subj && !strncmp(subj, "node:", 5) && !strcmp(subj + 5, node))
		return 1;
	json_array_foreach(nodes, i, x) {
		const char *nm = json_string_value(json_object_get(x, "name"));
		if (nm && !strcmp(nm, node))
			return 1;
	}
	return 0;
}

static int
query_one(const void *k, size_t klen, json_t *e, void *arg)
{
	struct query *q = arg;
	const char *subj = json_string_value(json_object_get(e, "subject"));
	const char *ev = json_string_value(json_object_get(e, "event"));

	(void)k, (void)klen;
	if (q->subject_job[0] && (!subj || strcmp(subj, q->subject_job)))
		return 0;
	if (q->node && !names_node(e, q->node))
		return 0;
	if (q->event && (!ev || strcmp(ev, q->event)))
		return 0;
	if (json_integer_value(json_object_get(e, "time")) < q->since)
		return 0;
	json_array_append(q->out, e);
	return 0;
}

static int
cp_one(const void *k, size_t klen, json_t *cp, void *arg)
{
	(void)k, (void)klen;
	json_array_append(arg, cp);
	return 0;
}

void
audit_rpc_query(struct rpc_req *req, json_t *body)
{
	struct state *st = req->ctld->state;
	struct hc_err err = { 0 };
	json_t *job = json_object_get(body, "job_id");
	struct query q = { "", NULL, 0, NULL, json_array() };
	json_t *r;

	/* Security: RPC_ADMIN in the handler table: admins only. */
	if (job)
		snprintf(q.subject_job, sizeof(q.subject_job), "job:%lld",
			 (long long)json_integer_value(job));
	q.node = json_string_value(json_object_get(body, "node"));
	q.since = json_integer_value(json_object_get(body, "since"));
	q.event = json_string_value(json_object_get(body, "event"));
	if (state_walk(st, STATE_DB_AUDIT, query_one, &q, &err) < 0) {
		json_decref(q.out);
		rpc_reply_err(req, HC_EIO, "audit: %s", err.text);
		return;
	}
	r = json_pack("{s:o}", "entries", q.out);
	if (json_is_true(json_object_get(body, "checkpoints"))) {
		json_t *cps = json_array();
		state_walk(st, STATE_DB_CHECKPOINTS, cp_one, cps, NULL);
		json_object_set_new(r, "checkpoints", cps);
	}
	rpc_reply(req, r);
}

void
audit_rpc_verify(struct rpc_req *req, json_t *body)
{
	struct audit_report rep;
	struct hc_err err = { 0 };
	int rc;

	/* Security: RPC_ADMIN in the handler table: admins only. */
	rc = audit_verify(req->ctld->state, req->ctld->key,
			  json_object_get(body, "anchors"), &rep, &err);
	if (rc < 0) {
		rpc_reply_err(req, HC_EIO, "audit: %s", err.text);
		return;
	}
	hc_log(rc ? HC_LOG_ERR : HC_LOG_INFO, "audit verify by uid=%u: %s",
	       (unsigned)req->uid, rc ? rep.problem : "chain intact");
	rpc_reply(req, json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
				 "ok", rc == 0, "entries",
				 (json_int_t)rep.entries, "first",
				 (json_int_t)rep.first, "last",
				 (json_int_t)rep.last, "checkpoints",
				 (json_int_t)rep.checkpoints, "anchors",
				 (json_int_t)rep.anchors, "bad_seq",
				 (json_int_t)rep.bad_seq, "problem",
				 rep.problem));
}

/* The job record, live or in the history; NULL when unknown. */
static json_t *
job_record(struct state *st, uint32_t id)
{
	uint8_t k[8];
	json_t *j;

	state_key_u64(id, k);
	j = state_get(st, STATE_DB_JOBS, k, sizeof(k), NULL);
	return j ? j : state_get(st, STATE_DB_HISTORY, k, sizeof(k), NULL);
}

/* The nodes of the job's last start entry ([{"name","compute_id",
 * "trusted"}]) with the entries seen; new references. */
static json_t *
trace_nodes(const json_t *entries)
{
	json_t *nodes = NULL, *e;
	size_t i;

	json_array_foreach(entries, i, e) {
		const char *ev = json_string_value(json_object_get(e, "event"));
		if (ev && !strcmp(ev, "job_start"))
			nodes = json_object_get(json_object_get(e, "details"),
						"nodes");
	}
	return nodes ? json_deep_copy(nodes) : json_array();
}

void
audit_rpc_trace(struct rpc_req *req, json_t *body)
{
	struct state *st = req->ctld->state;
	json_int_t id = json_integer_value(json_object_get(body, "job_id"));
	struct query q = { "", NULL, 0, NULL, json_array() };
	json_t *job, *nodes, *r, *x;
	struct hc_err err = { 0 };
	size_t i;

	/* Security: RPC_ADMIN in the handler table: admins only. */
	snprintf(q.subject_job, sizeof(q.subject_job), "job:%lld",
		 (long long)id);
	if (state_walk(st, STATE_DB_AUDIT, query_one, &q, &err) < 0) {
		json_decref(q.out);
		rpc_reply_err(req, HC_EIO, "audit: %s", err.text);
		return;
	}
	job = id > 0 && id <= UINT32_MAX ? job_record(st, (uint32_t)id) : NULL;
	if (!job && json_array_size(q.out) == 0) {
		json_decref(q.out);
		rpc_reply_err(req, HC_ENOENT, "job %lld: no such job and no "
			      "audit entries for it", (long long)id);
		return;
	}
	nodes = trace_nodes(q.out);
	/* The job record keeps the compute ids of its nodes too (when the
	 * identity of nodes is known): prefer them where the entry has none. */
	json_array_foreach(nodes, i, x) {
		json_t *ids = json_object_get(job, "compute_ids");
		const char *nm = json_string_value(json_object_get(x, "name"));
		const char *cid = json_string_value(json_object_get(x,
								"compute_id"));
		json_t *rid = nm ? json_object_get(ids, nm) : NULL;
		if ((!cid || !*cid) && json_is_string(rid))
			json_object_set(x, "compute_id", rid);
	}
	r = json_pack("{s:I, s:s, s:s, s:o, s:o}", "job_id", id, "state",
		      job ? json_string_value(json_object_get(job, "state")) ?
		      json_string_value(json_object_get(job, "state")) : "" :
		      "", "nodelist",
		      job && json_string_value(json_object_get(job,
							       "nodelist")) ?
		      json_string_value(json_object_get(job, "nodelist")) : "",
		      "nodes", nodes, "entries", q.out);
	json_decref(job);
	rpc_reply(req, r);
}
