/*
 * jobs_launch: the JOB_LAUNCH message (msg.h LAUNCH) for each node of a
 * job's allocation. The script and environment are read back from
 * STATE_DB_SCRIPTS here and nowhere else, so they never sit in memory.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hc_err.h"
#include "ctld.h"
#include "audit.h"
#include "jobs.h"
#include "jobs_int.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "state.h"
#include "states.h"

static json_t *
ids_json(const uint32_t *ids, uint32_t n)
{
	json_t *a = json_array();

	for (uint32_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

static void
set_str(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, json_string(s));
}

/* Task slots per node in allocation order, for the node file MPI reads
 * (HC_NODEFILE): --ntasks-per-node when given, else the tasks spread in
 * blocks (the first nodes one more), at least one per node. */
static json_t *
node_tasks_json(const struct job *j)
{
	json_t *a = json_array();
	uint32_t n = j->nalloc ? j->nalloc : 1;

	for (uint32_t k = 0; k < j->nalloc; k++) {
		uint32_t t = j->ntasks_per_node ? j->ntasks_per_node :
			     j->ntasks / n + (k < j->ntasks % n);
		json_array_append_new(a, json_pack("{s:s,s:i}", "node",
			j->alloc[k].name, "tasks", t ? t : 1));
	}
	return a;
}

/* What every node of j gets; the script record's fields included. */
static json_t *
launch_common(struct jobs *js, struct job *j, struct hc_err *err)
{
	uint8_t key[8];
	json_t *o;

	state_key_u64(j->id, key);
	o = state_get(js->c->state, STATE_DB_SCRIPTS, key, sizeof(key), err);
	if (!o)
		return NULL;
	json_object_del(o, "v");
	json_object_set_new(o, "job_id", json_integer(j->id));
	set_str(o, "name", j->name);
	json_object_set_new(o, "uid", json_integer(j->uid));
	json_object_set_new(o, "gid", json_integer(j->gid));
	set_str(o, "user", j->user);
	set_str(o, "queue", j->queue);
	set_str(o, "nodelist", j->nodelist);
	json_object_set_new(o, "nnodes", json_integer(j->nalloc));
	json_object_set_new(o, "ntasks", json_integer(j->ntasks));
	json_object_set_new(o, "node_tasks", node_tasks_json(j));
	set_str(o, "cwd", j->cwd);
	set_str(o, "submit_dir", j->cwd);
	set_str(o, "stdout", j->out);
	set_str(o, "stderr", j->err);
	set_str(o, "stdin", j->in);
	if (j->open_mode != JOB_OPEN_DEFAULT)
		set_str(o, "open_mode", j->open_mode == JOB_OPEN_APPEND ?
			"append" : "truncate");
	if (j->sig_num)
		json_object_set_new(o, "signal", json_pack("{s:i,s:i,s:b}",
			"num", j->sig_num, "secs", j->sig_secs,
			"batch_only", j->sig_batch_only));
	json_object_set_new(o, "time_limit",
			    json_integer(j->time_limit > 0 ? j->time_limit : 0));
	json_object_set_new(o, "restart_count",
			    json_integer(j->restart_count));
	json_object_set_new(o, "submit_time", json_integer(j->submit_time));
	if (j->interactive)
		json_object_set_new(o, "interactive", json_true());
	return o;
}

void
jobs_launch(struct jobs *js, struct job *j)
{
	struct hc_err err = { 0 };
	json_t *o = launch_common(js, j, &err);

	if (!o) {
		hc_log(HC_LOG_ERR, "job=%u cannot read its script: %s", j->id,
		       err.text);
		jobs_kill(js, j, 0, false, "launch failed");
		jobs_finish(js, j, JOB_FAILED, "LaunchFailed");
		return;
	}
	audit_job(js->c, 0, "job_start", j, NULL);
	for (uint32_t k = 0; k < j->nalloc; k++) {
		struct job_node *a = &j->alloc[k];

		json_object_set_new(o, "batch", json_boolean(k == 0));
		json_object_set_new(o, "cpus_on_node", json_integer(a->ncpus));
		json_object_set_new(o, "cpu_ids", ids_json(a->cpu_ids,
							   a->ncpus));
		json_object_set_new(o, "gpu_ids", ids_json(a->gpu_ids,
							   a->ngpus));
		json_object_set_new(o, "mem_mb", json_integer(a->mem_mb));
		if (!a->node || nodes_send(js->c->nodes, a->node,
					   HC_MSG_JOB_LAUNCH, o) < 0)
			hc_log(HC_LOG_WARN, "job=%u node=%s launch not sent",
			       j->id, a->name);
		else
			hc_log(HC_LOG_DEBUG, "job=%u node=%s launch sent",
			       j->id, a->name);
	}
	json_decref(o);
}
