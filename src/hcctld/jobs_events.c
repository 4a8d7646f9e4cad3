/*
 * jobs_events: what node agents tell us about jobs.
 *
 * JOB_EVENT started -> RUNNING. ended -> that node's part is over: its
 * resources are released at once. The batch node's (alloc[0]) end decides
 * the final state (requeue asked > cancelled > OOM > timeout > exit status);
 * the other nodes are told to stop and the job is COMPLETING until each has
 * reported ended or gone down. Only then does it end (or go back to
 * PENDING), so a stale "ended" of an old run can never reach a new run of a
 * requeued job.
 *
 * A node that registers reports the jobs it still has: running ones are
 * re-attached, ended ones (ended while we could not hear it: the node keeps
 * each end until acknowledged) completed with their real outcome; a job we
 * believe runs there but which the node does not report is lost: NODE_FAIL,
 * or requeued with --requeue -- unless it was still CONFIGURING: then its
 * launch was lost and it goes back to PENDING. Every "ended" JOB_EVENT is
 * acknowledged with JOB_EVENT_ACK, the registration reply acknowledging
 * the ended jobs it carried.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hc_err.h"
#include "conf.h"
#include "ctld.h"
#include "jobs.h"
#include "jobs_int.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "states.h"

static bool
job_active(const struct job *j)
{
	return j->state == JOB_CONFIGURING || j->state == JOB_RUNNING ||
	       j->state == JOB_COMPLETING;
}

/* Index of n in j's allocation, or -1. */
static long
job_node_index(const struct job *j, const struct node *n)
{
	for (uint32_t k = 0; k < j->nalloc; k++)
		if (j->alloc[k].node == n ||
		    (!j->alloc[k].node && !strcmp(j->alloc[k].name, n->name)))
			return k;
	return -1;
}

/* Every node has ended: the job ends, or goes back to PENDING. */
static void
job_try_finish(struct jobs *js, struct job *j)
{
	char reason[SCHED_REASON_LEN];

	for (uint32_t k = 0; k < j->nalloc; k++)
		if (!j->alloc[k].ended) {
			if (j->state != JOB_COMPLETING) {
				j->state = JOB_COMPLETING;
				jobs_save(js, j);
			}
			return;
		}
	memcpy(reason, j->reason, sizeof(reason));
	if (j->requeueing && j->final_state == JOB_CONFIGURING)
		jobs_relaunch(js, j, reason);
	else if (j->requeueing)
		jobs_requeue(js, j, false, reason);
	else
		jobs_finish(js, j, j->final_state, reason);
}

/* The end state decided by the batch node's report. */
static void
job_decide(struct job *j, const json_t *ev)
{
	const char *why = jstr(ev, "reason");

	j->has_exit = json_object_get(ev, "exit_status") != NULL;
	j->exit_status = (int)jint(ev, "exit_status", 0);
	j->oom = jbool(ev, "oom", false);
	j->timed_out = jbool(ev, "timeout", false);
	j->end_time = (time_t)jint(ev, "end", time(NULL));
	if (j->cancelling)
		j->final_state = JOB_CANCELLED;
	else if (j->oom)
		j->final_state = JOB_OUT_OF_MEMORY;
	else if (j->timed_out)
		j->final_state = JOB_TIMEOUT;
	else if (j->has_exit && j->exit_status == 0)
		j->final_state = JOB_COMPLETED;
	else
		j->final_state = JOB_FAILED;
	/* The controller's own cancel of an allocation says why. */
	if (!why && j->cancelling && !strcmp(j->reason, "InactiveLimit"))
		why = "InactiveLimit";
	if (!why)
		why = j->final_state == JOB_OUT_OF_MEMORY ? "OutOfMemory" :
		      j->final_state == JOB_TIMEOUT ? "TimeLimit" :
		      j->final_state == JOB_FAILED ? "NonZeroExitCode" : "";
	snprintf(j->reason, sizeof(j->reason), "%s", why);
}

static void
job_node_ended(struct jobs *js, struct job *j, uint32_t k, const json_t *ev)
{
	uint64_t rss = (uint64_t)jint(ev, "max_rss_kb", 0);

	if (j->alloc[k].ended)
		return;
	if (jbool(ev, "prolog_failed", false) && j->alloc[k].node) {
		const char *why = jstr(ev, "reason");

		nodes_drain(js->c->nodes, j->alloc[k].node,
			    why ? why : "Prolog failed");
		if (k != 0 && !j->alloc[0].ended) {
			snprintf(j->reason, sizeof(j->reason), "%s",
				 why ? why : "Prolog failed");
			jobs_kill(js, j, 0, false, j->reason);
		}
	}
	if (rss > j->max_rss_kb)
		j->max_rss_kb = rss;
	if (k == 0) {
		job_decide(j, ev);
		if (!j->start_time)
			j->start_time = (time_t)jint(ev, "start", 0);
	}
	jobs_node_release(js, j, k);
	hc_log(HC_LOG_INFO, "job=%u node=%s ended status=%d", j->id,
	       j->alloc[k].name, (int)jint(ev, "exit_status", -1));
	if (k == 0)
		jobs_kill(js, j, 0, false, "batch script ended");
	if (!j->alloc[0].ended) {
		jobs_save(js, j);	/* a non-batch node ended first */
		return;
	}
	job_try_finish(js, j);
	jobs_sched_request(js);
}

/* Tell the node that the outcome of job id's "ended" is saved (the frame
 * leaves after the commit of this loop turn): it may forget the report. */
static void
job_event_ack(struct jobs *js, struct node *n, uint32_t id)
{
	json_t *ack = json_pack("{s:[I]}", "job_ids", (json_int_t)id);

	nodes_send(js->c->nodes, n, HC_MSG_JOB_EVENT_ACK, ack);
	json_decref(ack);
}

void
jobs_on_event(struct jobs *js, struct node *n, json_t *body)
{
	uint32_t id = (uint32_t)jint(body, "job_id", 0);
	const char *what = jstr(body, "event");
	struct job *j = jobs_find(js, id);
	long k;

	/* Acknowledged even when ignored (a duplicate, a job already
	 * final): the node must not keep reporting it. */
	if (what && !strcmp(what, "ended"))
		job_event_ack(js, n, id);
	if (!j || !job_active(j) || !what ||
	    (k = job_node_index(j, n)) < 0) {
		hc_log(HC_LOG_DEBUG, "job=%u node=%s event=%s ignored", id,
		       n->name, what ? what : "?");
		return;
	}
	if (!strcmp(what, "started")) {
		if (j->state == JOB_CONFIGURING) {
			j->state = JOB_RUNNING;
			hc_log(HC_LOG_INFO, "job=%u running", j->id);
			jobs_save(js, j);
		}
	} else if (!strcmp(what, "ended")) {
		job_node_ended(js, j, (uint32_t)k, body);
	}
}

/* j lost node k (down, or did not know the job): NODE_FAIL or requeue
 * once the other nodes have stopped. A job still CONFIGURING that a node
 * registers without (its JOB_LAUNCH died with a connection or with the
 * controller) never started: it goes back to PENDING, no restart counted
 * (requeueing with final_state CONFIGURING marks that). */
static void
job_node_lost(struct jobs *js, struct job *j, uint32_t k, const char *why,
	      bool unknown)
{
	bool batch_done = j->alloc[0].ended;

	jobs_node_release(js, j, k);
	if (!batch_done && unknown && j->state == JOB_CONFIGURING &&
	    !j->cancelling && !j->requeueing) {
		j->requeueing = true;
		j->final_state = JOB_CONFIGURING;
		snprintf(j->reason, sizeof(j->reason), "LaunchLost(%s)", why);
		jobs_kill(js, j, 0, false, j->reason);
	} else if (!batch_done) {
		if (!j->requeueing && !j->cancelling && j->requeue) {
			j->requeueing = true;
			if (js->c->conf->requeue_hold)
				j->hold = JOB_HOLD_USER;
		}
		j->final_state = j->cancelling ? JOB_CANCELLED : JOB_NODE_FAIL;
		snprintf(j->reason, sizeof(j->reason), "NodeFail(%s)", why);
		jobs_kill(js, j, 0, false, j->reason);
	}
	job_try_finish(js, j);
	jobs_sched_request(js);
}

void
jobs_on_node_down(struct jobs *js, struct node *n, const char *reason)
{
	for (size_t i = 0; i < js->n; i++) {
		struct job *j = js->v[i];
		long k;

		if (!job_active(j) || (k = job_node_index(j, n)) < 0 ||
		    j->alloc[k].ended)
			continue;
		hc_log(HC_LOG_WARN, "job=%u node=%s down: %s", j->id, n->name,
		       reason ? reason : "");
		job_node_lost(js, j, (uint32_t)k, n->name, false);
	}
}

static int
id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* One job the node reports; its id goes into seen. */
static void
register_one(struct jobs *js, struct node *n, json_t *rep)
{
	uint32_t id = (uint32_t)jint(rep, "job_id", 0);
	const char *st = jstr(rep, "state");
	struct job *j = jobs_find(js, id);
	long k = j && job_active(j) ? job_node_index(j, n) : -1;

	if (k < 0 || j->alloc[k].ended) {
		if (st && !strcmp(st, "running")) {
			json_t *kill = json_pack("{s:I,s:i,s:s}", "job_id",
				(json_int_t)id, "signal", 0, "reason",
				"unknown to the controller");

			hc_log(HC_LOG_WARN, "job=%u node=%s reported but not "
			       "ours: killing it", id, n->name);
			nodes_send(js->c->nodes, n, HC_MSG_JOB_KILL, kill);
			json_decref(kill);
		}
		return;
	}
	if (!j->alloc[k].held)
		jobs_alloc_attach(js, j);
	hc_log(HC_LOG_INFO, "job=%u node=%s re-attached state=%s", id,
	       n->name, st ? st : "?");
	if (st && !strcmp(st, "ended")) {
		job_node_ended(js, j, (uint32_t)k, rep);
	} else if (j->state == JOB_CONFIGURING) {
		j->state = JOB_RUNNING;
		jobs_save(js, j);
	} else if (j->state == JOB_COMPLETING || j->cancelling ||
		   j->requeueing) {
		/* Its end was decided while this node was away (the kill
		 * could not be sent): tell it again. */
		json_t *kill = json_pack("{s:I,s:i,s:s}", "job_id",
			(json_int_t)id, "signal", 0, "reason", j->reason);

		nodes_send(js->c->nodes, n, HC_MSG_JOB_KILL, kill);
		json_decref(kill);
	}
}

void
jobs_on_node_register(struct jobs *js, struct node *n, json_t *jobs)
{
	size_t nseen = json_array_size(jobs), i;
	uint32_t *seen = hc_calloc(nseen ? nseen : 1, sizeof(*seen));
	json_t *rep;

	json_array_foreach(jobs, i, rep) {
		seen[i] = (uint32_t)jint(rep, "job_id", 0);
		register_one(js, n, rep);
	}
	qsort(seen, nseen, sizeof(*seen), id_cmp);
	for (i = 0; i < js->n; i++) {
		struct job *j = js->v[i];
		long k;

		if (!job_active(j) || (k = job_node_index(j, n)) < 0 ||
		    j->alloc[k].ended ||
		    bsearch(&j->id, seen, nseen, sizeof(*seen), id_cmp))
			continue;
		hc_log(HC_LOG_WARN, "job=%u node=%s registered without it "
		       "(state=%s)", j->id, n->name, job_state_name(j->state));
		job_node_lost(js, j, (uint32_t)k, n->name, true);
	}
	free(seen);
}
