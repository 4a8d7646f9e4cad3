/*
 * steps_alloc: ALLOC_RELEASE, the end of an interactive allocation (hcalloc,
 * or hcrun outside a job). The job is told to end on every node with the
 * exit status of what ran in it (the shell, the step); its first node
 * reports that status as the job's, which makes it COMPLETED or FAILED, or
 * CANCELLED when the release is a cancel (Ctrl-C, SIGHUP).
 *
 * ALLOC_ALIVE: while it holds an allocation, hcalloc (or hcrun) sends one
 * every few seconds (alloc.c's keeper). An owner killed with -9, or gone
 * with its terminal, sends no more: steps_alloc_sweep cancels an
 * allocation not heard of for InactiveLimit seconds (reason
 * InactiveLimit), as Slurm does for salloc. The time is kept in memory
 * only: after a controller restart every allocation gets the whole limit
 * again from the first sweep.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "conf.h"
#include "ctld.h"
#include "jobs.h"
#include "jobs_int.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "rpc.h"
#include "states.h"
#include "steps.h"
#include "steps_int.h"

static void
release_send(struct jobs *js, struct job *j, int status)
{
	json_t *b = json_pack("{s:I,s:i,s:s,s:i}", "job_id", (json_int_t)j->id,
			      "signal", 0, "reason", "allocation released",
			      "exit_status", status);

	for (uint32_t k = 0; k < j->nalloc; k++)
		if (!j->alloc[k].ended && j->alloc[k].node &&
		    nodes_send(js->c->nodes, j->alloc[k].node,
			       HC_MSG_JOB_KILL, b) < 0)
			hc_log(HC_LOG_WARN, "job=%u node=%s release not sent",
			       j->id, j->alloc[k].name);
	json_decref(b);
}

void
steps_rpc_release(struct rpc_req *req, json_t *body)
{
	struct jobs *js = req->ctld->jobs;
	uint32_t id = (uint32_t)jint(body, "job_id", 0);
	struct job *j = jobs_find(js, id);
	bool cancel = jbool(body, "cancel", false);

	if (!j) {
		rpc_reply_err(req, HC_ENOENT, "job %u does not exist", id);
		return;
	}
	/* Security: only the allocation's user or an admin releases it. */
	if (req->uid != j->uid && !jobs_is_admin(js, req->uid)) {
		rpc_reply_err(req, HC_EPERM, "job %u belongs to another user",
			      id);
		return;
	}
	if (!j->interactive) {
		rpc_reply_err(req, HC_EINVAL, "job %u is a batch job, not an "
			      "allocation; hccancel ends it", id);
		return;
	}
	if (job_state_is_final(j->state) || j->state == JOB_COMPLETING) {
		rpc_reply(req, NULL);
		return;
	}
	hc_log(HC_LOG_INFO, "job=%u uid=%u allocation released%s", id,
	       (unsigned)req->uid, cancel ? " (cancelled)" : "");
	if (j->state == JOB_PENDING) {
		jobs_finish(js, j, JOB_CANCELLED, "");
	} else {
		if (cancel)
			j->cancelling = true;
		release_send(js, j, (int)jint(body, "exit_status", 0));
		jobs_save(js, j);
	}
	rpc_reply(req, NULL);
}

void
steps_rpc_alive(struct rpc_req *req, json_t *body)
{
	struct jobs *js = req->ctld->jobs;
	uint32_t id = (uint32_t)jint(body, "job_id", 0);
	struct job *j = jobs_find(js, id);

	if (!j || !j->interactive) {
		rpc_reply_err(req, HC_ENOENT, "job %u is not an interactive "
			      "allocation", id);
		return;
	}
	/* Security: only the allocation's user or an admin keeps it. */
	if (req->uid != j->uid && !jobs_is_admin(js, req->uid)) {
		rpc_reply_err(req, HC_EPERM, "job %u belongs to another user",
			      id);
		return;
	}
	j->alive_at = time(NULL);
	rpc_reply(req, json_pack("{s:I}", "inactive_limit", (json_int_t)
				 req->ctld->conf->inactive_limit));
}

void
steps_alloc_sweep(struct ctld *c, time_t now)
{
	struct jobs *js = c->jobs;
	long limit = c->conf->inactive_limit;

	for (size_t i = 0; limit > 0 && i < js->n; i++) {
		struct job *j = js->v[i];

		if (!j->interactive || j->cancelling ||
		    (j->state != JOB_RUNNING && j->state != JOB_CONFIGURING))
			continue;
		if (j->alive_at == 0 || j->alive_at > now)
			j->alive_at = now;	/* first seen, or clock back */
		if (now - j->alive_at < limit)
			continue;
		hc_log(HC_LOG_INFO, "job=%u uid=%u allocation cancelled: no "
		       "word from its owner for %lds (InactiveLimit)", j->id,
		       (unsigned)j->uid, (long)(now - j->alive_at));
		snprintf(j->reason, sizeof(j->reason), "InactiveLimit");
		j->cancelling = true;
		release_send(js, j, 0);
		jobs_save(js, j);
	}
}
