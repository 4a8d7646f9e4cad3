/*
 * jobs_json: a job as JSON, both ways.
 *
 * job_to_json() makes the JOB record of msg.h that the commands read (hcqueue,
 * `hcctl show job`, hcacct); detail=false gives the short form hcqueue's
 * default listing needs, so that 10,000 pending jobs list quickly.
 * job_to_record()/job_from_record() are the versioned LMDB record
 * (STATE_DB_JOBS, "v" = STATE_RECORD_VERSION): everything the controller
 * needs to carry a job across a restart, allocation included.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "depend.h"
#include "hc_err.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "parse.h"
#include "power.h"
#include "select.h"
#include "state.h"
#include "states.h"
#include "usage.h"

const char *
jstr(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

long long
jint(const json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return def;
}

bool
jbool(const json_t *o, const char *key, bool def)
{
	json_t *v = json_object_get(o, key);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

static char *
jdup(const json_t *o, const char *key)
{
	const char *s = jstr(o, key);

	return s ? hc_strdup(s) : NULL;
}

/* Set key to a string, or null when s is NULL. */
static void
jset_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, s ? json_string(s) : json_null());
}

static void
jset_int(json_t *o, const char *key, long long v)
{
	json_object_set_new(o, key, json_integer(v));
}

void
job_exit_code(const struct job *j, char *buf, size_t len)
{
	int code = 0, sig = 0;

	if (j->has_exit) {
		if (WIFEXITED(j->exit_status))
			code = WEXITSTATUS(j->exit_status);
		else if (WIFSIGNALED(j->exit_status))
			sig = WTERMSIG(j->exit_status);
	}
	snprintf(buf, len, "%d:%d", code, sig);
}

static uint32_t
job_cpus(const struct job *j)
{
	uint32_t n = 0;

	for (uint32_t k = 0; k < j->nalloc; k++)
		n += j->alloc[k].ncpus;
	if (n == 0)
		n = j->ntasks * j->cpus_per_task;
	return n;
}

static json_t *
job_gpus_json(const struct job *j)
{
	json_t *g = json_object();

	for (uint32_t k = 0; k < j->nalloc; k++) {
		json_t *a;

		if (!j->alloc[k].ngpus)
			continue;
		a = json_array();
		for (uint32_t i = 0; i < j->alloc[k].ngpus; i++)
			json_array_append_new(a,
				json_integer(j->alloc[k].gpu_ids[i]));
		json_object_set_new(g, j->alloc[k].name, a);
	}
	return g;
}

/* "id1,id2": the compute ids of the allocation's nodes, in its order
 * ("-" for a node that had none); malloc'ed, "" when not allocated. */
static char *
job_compute_ids(const struct job *j)
{
	size_t len = 1;
	char *s;

	for (uint32_t k = 0; k < j->nalloc; k++)
		len += (j->alloc[k].compute_id ?
			strlen(j->alloc[k].compute_id) : 1) + 1;
	s = hc_calloc(1, len);
	for (uint32_t k = 0; k < j->nalloc; k++) {
		if (k)
			strcat(s, ",");
		strcat(s, j->alloc[k].compute_id ? j->alloc[k].compute_id :
		       "-");
	}
	return s;
}

/* The short form: what hcqueue's default listing and filters need. */
static json_t *
job_to_json_short(const struct job *j, time_t now)
{
	json_t *o = json_object();

	jset_int(o, "job_id", j->id);
	jset_str(o, "name", j->name);
	jset_str(o, "user", j->user);
	jset_int(o, "uid", j->uid);
	jset_str(o, "queue", j->queue);
	jset_str(o, "state", job_state_name(j->state));
	jset_str(o, "reason", j->reason);
	jset_int(o, "submit_time", j->submit_time);
	jset_int(o, "start_time", j->start_time);
	jset_int(o, "end_time", j->end_time);
	jset_int(o, "time_limit", j->time_limit);
	jset_int(o, "nodes_req", j->nalloc ? j->nalloc : j->nodes_min);
	jset_int(o, "cpus", job_cpus(j));
	jset_str(o, "nodelist", j->nodelist ? j->nodelist : "");
	json_object_set_new(o, "priority", json_real(j->priority));
	jset_str(o, "account", j->account);
	jset_str(o, "qos", j->qos ? j->qos : "normal");
	jset_int(o, "ntasks", j->ntasks);
	jset_int(o, "cpus_per_task", j->cpus_per_task);
	jset_str(o, "gres", j->gres);
	jset_int(o, "nice", j->nice);
	json_object_set_new(o, "priority_factors",
			    jobs_prio_factors_json(&j->prio_factors));
	jobs_array_to_json(j, o);
	if (j->dep) {	/* the remaining dependency: hcqueue %E */
		char *dep = jobs_depend_text(j);

		jset_str(o, "dependency", dep);
		free(dep);
	}
	/* The last pass's plan of a pending job (0 and "": none). */
	jset_int(o, "plan_start", j->state == JOB_PENDING ? j->plan_start : 0);
	jset_str(o, "plan_nodes", j->state == JOB_PENDING && j->plan_nodes ?
		 j->plan_nodes : "");
	return o;
}

json_t *
job_to_json(const struct job *j, bool detail, time_t now)
{
	json_t *o = job_to_json_short(j, now);
	char ec[32];
	long run = 0;

	if (!detail)
		return o;
	job_exit_code(j, ec, sizeof(ec));
	if (j->start_time)
		run = (long)((j->end_time ? j->end_time : now) - j->start_time);
	jset_int(o, "gid", j->gid);
	jset_str(o, "group", j->group);
	if (!j->dep)
		json_object_set_new(o, "dependency", json_null());
	json_object_set_new(o, "kill_on_invalid_dep",
			    json_boolean(j->kill_on_invalid_dep));
	if (j->interactive)
		json_object_set_new(o, "interactive", json_true());
	jset_int(o, "eligible_time", j->eligible_time);
	jset_int(o, "begin_time", j->begin_time);
	jset_int(o, "run_time", run);
	jset_int(o, "nodes_max", j->nodes_max);
	jset_int(o, "nnodes", j->nalloc);
	jset_int(o, "ntasks_per_node", j->ntasks_per_node);
	jset_int(o, "mem_mb", j->mem_per_node_mb);
	jset_int(o, "mem_per_cpu_mb", j->mem_per_cpu_mb);
	jset_int(o, "gpus_per_task", j->gpus_per_task);
	jset_str(o, "constraint", j->constraint);
	jset_str(o, "features", j->constraint);
	jset_str(o, "reservation", j->reservation);
	jset_int(o, "workload_num", j->workload);
	jset_str(o, "workload", sched_workload_name(j->workload));
	jset_str(o, "exit_code", ec);
	jset_int(o, "exit_status", j->has_exit ? j->exit_status : 0);
	jset_int(o, "admin_priority", j->admin_priority);
	jset_str(o, "cwd", j->cwd);
	jset_str(o, "stdout", j->out);
	jset_str(o, "stderr", j->err ? j->err : j->out);
	jset_str(o, "stdin", j->in ? j->in : "/dev/null");
	jset_int(o, "restart_count", j->restart_count);
	json_object_set_new(o, "requeue", json_boolean(j->requeue));
	json_object_set_new(o, "exclusive", json_boolean(j->exclusive));
	json_object_set_new(o, "held", json_boolean(j->hold != JOB_HOLD_NONE));
	jset_str(o, "hold", j->hold == JOB_HOLD_ADMIN ? "admin" :
		 j->hold == JOB_HOLD_USER ? "user" : "none");
	jset_str(o, "open_mode", j->open_mode == JOB_OPEN_APPEND ? "append" :
		 j->open_mode == JOB_OPEN_TRUNCATE ? "truncate" : NULL);
	if (j->sig_num)
		json_object_set_new(o, "signal", json_pack("{s:i,s:i,s:b}",
			"num", j->sig_num, "secs", j->sig_secs,
			"batch_only", j->sig_batch_only));
	jset_int(o, "max_rss_kb", j->max_rss_kb);
	json_object_set_new(o, "oom", json_boolean(j->oom));
	json_object_set_new(o, "timed_out", json_boolean(j->timed_out));
	json_object_set_new(o, "gpus", job_gpus_json(j));
	jset_str(o, "batch_host", j->nalloc ? j->alloc[0].name : NULL);
	char *ids = job_compute_ids(j);
	jset_str(o, "compute_ids", ids);
	free(ids);
	jset_str(o, "command", j->command);
	jset_str(o, "comment", j->comment);
	if (j->cloud_pool) {	/* power_job.c */
		jset_str(o, "cloud_pool", j->cloud_pool);
		jset_str(o, "cloud_nodes", j->cloud_nodes);
		json_object_set_new(o, "cloud_node_hours",
				    json_real(j->cloud_node_hours));
		json_object_set_new(o, "cloud_cost", json_real(j->cloud_cost));
		json_object_set_new(o, "cloud_use", power_job_use_json(j));
	}
	return o;
}

/* --- the LMDB record --- */

static json_t *
alloc_to_record(const struct job *j)
{
	json_t *a = json_array();

	for (uint32_t k = 0; k < j->nalloc; k++) {
		const struct job_node *n = &j->alloc[k];
		json_t *cpus = json_array(), *gpus = json_array();

		for (uint32_t i = 0; i < n->ncpus; i++)
			json_array_append_new(cpus, json_integer(n->cpu_ids[i]));
		for (uint32_t i = 0; i < n->ngpus; i++)
			json_array_append_new(gpus, json_integer(n->gpu_ids[i]));
		json_array_append_new(a, json_pack("{s:s,s:o,s:I,s:o,s:b,s:s*}",
			"node", n->name, "cpu_ids", cpus, "mem_mb",
			(json_int_t)n->mem_mb, "gpu_ids", gpus, "ended",
			n->ended, "compute_id", n->compute_id));
	}
	return a;
}

json_t *
job_to_record(const struct job *j)
{
	json_t *o = job_to_json(j, true, 0);

	jset_int(o, "v", STATE_RECORD_VERSION);
	jset_int(o, "queue_index", j->queue_index);
	jset_int(o, "state_num", j->state);
	jset_int(o, "final_state", j->final_state);
	jset_int(o, "hold_num", j->hold);
	jset_int(o, "open_mode_num", j->open_mode);
	json_object_set_new(o, "cancelling", json_boolean(j->cancelling));
	json_object_set_new(o, "requeueing", json_boolean(j->requeueing));
	json_object_set_new(o, "has_exit", json_boolean(j->has_exit));
	jset_int(o, "nodes_min", j->nodes_min);
	jset_int(o, "gpus_per_node", j->gpus_per_node);
	jset_str(o, "gpu_type", j->gpu_type);
	jset_int(o, "sig_num", j->sig_num);
	jset_int(o, "sig_secs", j->sig_secs);
	json_object_set_new(o, "sig_batch_only",
			    json_boolean(j->sig_batch_only));
	json_object_set_new(o, "alloc", alloc_to_record(j));
	jset_str(o, "stderr", j->err);	/* as asked, not as shown */
	jset_str(o, "stdin", j->in);
	json_object_del(o, "run_time");
	json_object_del(o, "gpus");
	json_object_del(o, "signal");
	return o;
}

static uint32_t *
ids_from_json(const json_t *a, uint32_t *n)
{
	size_t cnt = json_array_size(a);
	uint32_t *ids = hc_calloc(cnt ? cnt : 1, sizeof(*ids));
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		ids[i] = (uint32_t)json_integer_value(v);
	*n = (uint32_t)cnt;
	return ids;
}

static void
alloc_from_record(struct job *j, const json_t *a)
{
	size_t i;
	json_t *n;

	j->nalloc = (uint32_t)json_array_size(a);
	if (!j->nalloc)
		return;
	j->alloc = hc_calloc(j->nalloc, sizeof(*j->alloc));
	json_array_foreach(a, i, n) {
		struct job_node *jn = &j->alloc[i];

		jn->name = hc_strdup(jstr(n, "node") ? jstr(n, "node") : "?");
		jn->cpu_ids = ids_from_json(json_object_get(n, "cpu_ids"),
					    &jn->ncpus);
		jn->gpu_ids = ids_from_json(json_object_get(n, "gpu_ids"),
					    &jn->ngpus);
		jn->mem_mb = (uint64_t)jint(n, "mem_mb", 0);
		jn->ended = jbool(n, "ended", false);
		jn->compute_id = jstr(n, "compute_id") ?
				 hc_strdup(jstr(n, "compute_id")) : NULL;
	}
}

static void
job_from_record_more(struct job *j, const json_t *r)
{
	j->max_rss_kb = (uint64_t)jint(r, "max_rss_kb", 0);
	j->oom = jbool(r, "oom", false);
	j->timed_out = jbool(r, "timed_out", false);
	j->has_exit = jbool(r, "has_exit", false);
	j->exit_status = (int)jint(r, "exit_status", 0);
	j->cancelling = jbool(r, "cancelling", false);
	j->requeueing = jbool(r, "requeueing", false);
	j->final_state = (uint8_t)jint(r, "final_state", 0);
	j->hold = (uint8_t)jint(r, "hold_num", 0);
	j->open_mode = (uint8_t)jint(r, "open_mode_num", 0);
	j->sig_num = (int)jint(r, "sig_num", 0);
	j->sig_secs = (int)jint(r, "sig_secs", 0);
	j->sig_batch_only = jbool(r, "sig_batch_only", false);
	j->requeue = jbool(r, "requeue", false);
	j->exclusive = jbool(r, "exclusive", false);
	j->restart_count = (uint32_t)jint(r, "restart_count", 0);
	j->nice = (int)jint(r, "nice", 0);
	j->admin_priority = (uint32_t)jint(r, "admin_priority", 0);
	j->priority = (double)jint(r, "priority", 0);
	snprintf(j->reason, sizeof(j->reason), "%s",
		 jstr(r, "reason") ? jstr(r, "reason") : "");
	snprintf(j->gpu_type, sizeof(j->gpu_type), "%s",
		 jstr(r, "gpu_type") ? jstr(r, "gpu_type") : "");
	alloc_from_record(j, json_object_get(r, "alloc"));
	jobs_array_from_record(j, r);
	j->kill_on_invalid_dep = jbool(r, "kill_on_invalid_dep", false);
	j->interactive = jbool(r, "interactive", false);
	if (jstr(r, "dependency") && *jstr(r, "dependency")) {
		j->dep = hc_malloc(sizeof(*j->dep));
		if (depend_parse(jstr(r, "dependency"), j->dep, NULL) < 0) {
			hc_log(HC_LOG_ERR, "job=%u stored dependency %s "
			       "unreadable; dropped", j->id,
			       jstr(r, "dependency"));
			free(j->dep);
			j->dep = NULL;
		}
	}
	j->cloud_pool = jdup(r, "cloud_pool");
	j->cloud_nodes = jdup(r, "cloud_nodes");
	j->cloud_node_hours = json_number_value(json_object_get(r,
						"cloud_node_hours"));
	j->cloud_cost = json_number_value(json_object_get(r, "cloud_cost"));
	power_job_use_load(j, r);
	j->nodelist = jdup(r, "nodelist");
	if (j->nodelist && !*j->nodelist) {
		free(j->nodelist);
		j->nodelist = NULL;
	}
}

struct job *
job_from_record(json_t *r, struct hc_err *err)
{
	struct job *j;
	long long v = jint(r, "v", 0), st = jint(r, "state_num", -1);

	if (v < 1 || v > STATE_RECORD_VERSION) {
		hc_err_set(err, HC_EPROTO, "job record version %lld unknown",
			   v);
		return NULL;
	}
	if (jint(r, "job_id", 0) <= 0 || st < 0 || st >= JOB_STATE_COUNT) {
		hc_err_set(err, HC_EPROTO, "job record without id or state");
		return NULL;
	}
	j = hc_calloc(1, sizeof(*j));
	j->id = (uint32_t)jint(r, "job_id", 0);
	j->state = (uint8_t)st;
	j->name = jdup(r, "name");
	j->uid = (uint32_t)jint(r, "uid", 0);
	j->gid = (uint32_t)jint(r, "gid", 0);
	j->user = jdup(r, "user");
	j->group = jdup(r, "group");
	j->queue = jdup(r, "queue");
	j->queue_index = (uint32_t)jint(r, "queue_index", 0);
	j->account = jdup(r, "account");
	j->qos = jdup(r, "qos");
	j->submit_time = (time_t)jint(r, "submit_time", 0);
	j->eligible_time = (time_t)jint(r, "eligible_time", 0);
	j->start_time = (time_t)jint(r, "start_time", 0);
	j->end_time = (time_t)jint(r, "end_time", 0);
	j->begin_time = (time_t)jint(r, "begin_time", 0);
	j->time_limit = (long)jint(r, "time_limit", -1);
	j->nodes_min = (uint32_t)jint(r, "nodes_min", 1);
	j->nodes_max = (uint32_t)jint(r, "nodes_max", 0);
	j->ntasks = (uint32_t)jint(r, "ntasks", 1);
	j->cpus_per_task = (uint32_t)jint(r, "cpus_per_task", 1);
	j->ntasks_per_node = (uint32_t)jint(r, "ntasks_per_node", 0);
	j->mem_per_node_mb = (uint64_t)jint(r, "mem_mb", 0);
	j->mem_per_cpu_mb = (uint64_t)jint(r, "mem_per_cpu_mb", 0);
	j->gres = jdup(r, "gres");
	j->gpus_per_node = (uint32_t)jint(r, "gpus_per_node", 0);
	j->gpus_per_task = (uint32_t)jint(r, "gpus_per_task", 0);
	j->constraint = jdup(r, "constraint");
	j->reservation = jdup(r, "reservation");
	j->workload = (uint8_t)jint(r, "workload_num", 0);
	j->comment = jdup(r, "comment");
	j->cwd = jdup(r, "cwd");
	j->out = jdup(r, "stdout");
	j->err = jdup(r, "stderr");
	j->in = jdup(r, "stdin");
	j->command = jdup(r, "command");
	job_from_record_more(j, r);
	return j;
}
