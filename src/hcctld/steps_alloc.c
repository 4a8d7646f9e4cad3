/*
 * steps_alloc: ALLOC_RELEASE, the end of an interactive allocation (hcalloc,
 * or hcrun outside a job). The job is told to end on every node with the
 * exit status of what ran in it (the shell, the step); its first node
 * reports that status as the job's, which makes it COMPLETED or FAILED, or
 * CANCELLED when the release is a cancel (Ctrl-C, SIGHUP).
 */
#include "config.h"

#include <stdio.h>

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
