/*
 * sched: the scheduling pass (see sched.h for the pipeline).
 *
 * Order: every pending job gets a priority (the sum of the plugins'
 * priority factors, or the admin's priority when one is set: it wins),
 * then jobs run in priority order, ties by submit time, then id. Each job
 * in turn: Held -> BeginTime -> plugin admit hooks -> queue blocked? ->
 * placement (sched_place.c).
 *
 * Strict priority within a queue: once a job of a queue waits on
 * Resources, the lower-priority jobs of that queue wait with reason
 * "Priority" and are not started, so a big job cannot be starved by a
 * stream of small ones. Backfill (a later stage) relaxes exactly this:
 * it will start lower jobs that end before the blocked job's planned
 * start. Jobs that can never fit (reason other than Resources) do not
 * block their queue.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "quota.h"
#include "sched.h"
#include "sched_internal.h"

#ifndef PLUGINDIR
#define PLUGINDIR "/usr/local/lib/hc"
#endif

static const char *const default_plugins[] = { "basic", NULL };

/* Every "Plugin.Param=value" must name a loaded plugin. */
static int
params_check_plugins(const struct sched *s, const char *const *params,
		     struct hc_err *err)
{
	for (size_t i = 0; params && params[i]; i++) {
		const char *dot = strchr(params[i], '.');
		bool found = false;

		for (size_t k = 0; dot && k < s->nplugins; k++)
			if (strlen(s->plugins[k].name) ==
				    (size_t)(dot - params[i]) &&
			    !strncmp(s->plugins[k].name, params[i],
				     dot - params[i]))
				found = true;
		if (!found)
			return hc_err_set(err, HC_EINVAL,
					  "SchedulerParameters: '%s' names no "
					  "loaded plugin; write "
					  "Plugin.Param=value with Plugin "
					  "one of: %s", params[i], s->names);
	}
	return 0;
}

struct sched *
sched_create(const struct sched_options *opt, struct hc_err *err)
{
	const char *const *names = opt->plugins ? opt->plugins
						: default_plugins;
	const char *dir = opt->plugin_dir;
	struct sched *s = hc_calloc(1, sizeof(*s));
	size_t n = 0, len = 1;

	if (!dir)
		dir = getenv("HC_SCHED_PLUGIN_DIR");
	if (!dir || !*dir)
		dir = PLUGINDIR;
	while (names[n])
		len += strlen(names[n++]) + 1;
	s->plugins = hc_calloc(n ? n : 1, sizeof(*s->plugins));
	s->names = hc_calloc(len, 1);
	s->max_jobs_per_pass = opt->max_jobs_per_pass;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < i; k++)
			if (!strcmp(names[k], names[i])) {
				hc_err_set(err, HC_EINVAL,
					   "SchedulerPlugins: '%s' is listed "
					   "twice", names[i]);
				goto fail;
			}
		if (sched_plugin_load(&s->plugins[i], dir, names[i],
				      opt->params, &s->now, err) < 0) {
			s->nplugins = i + 1;
			goto fail;
		}
		s->nplugins = i + 1;
		if (s->plugins[i].ops.filter)
			s->has_filter = true;
		if (s->plugins[i].ops.score)
			s->has_score = true;
		if (i)
			strcat(s->names, ",");
		strcat(s->names, names[i]);
	}
	if (params_check_plugins(s, opt->params, err) < 0)
		goto fail;
	return s;
fail:
	sched_destroy(s);
	return NULL;
}

void
sched_destroy(struct sched *s)
{
	if (!s)
		return;
	for (size_t i = s->nplugins; i-- > 0;)
		sched_plugin_unload(&s->plugins[i]);
	free(s->plugins);
	free(s->names);
	sched_prio_free(s->prio);
	free(s);
}

const char *
sched_plugin_names(const struct sched *s)
{
	return s->names;
}

/* Derive what the job asks of each node. */
static void
req_make(const struct sched_job *j, struct sched_req *rq)
{
	uint64_t ntasks = j->ntasks ? j->ntasks : 1;
	uint64_t cpt = j->cpus_per_task ? j->cpus_per_task : 1;
	uint64_t cpus;

	memset(rq, 0, sizeof(*rq));
	rq->nnodes = j->nodes_min ? j->nodes_min : 1;
	if (j->ntasks_per_node)
		cpus = (uint64_t)j->ntasks_per_node * cpt;
	else
		cpus = (ntasks + rq->nnodes - 1) / rq->nnodes * cpt;
	rq->cpus = cpus > UINT32_MAX ? UINT32_MAX : (uint32_t)cpus;
	rq->mem_mb = j->mem_per_cpu_mb ? j->mem_per_cpu_mb * rq->cpus
				       : j->mem_per_node_mb;
	rq->gpus = j->gpus_per_node;
	rq->gpu_type = j->gpu_type;
	rq->exclusive = j->exclusive;
	rq->no_cloud = j->no_cloud;
	rq->pool_deny = j->pool_deny;
	rq->time_limit = j->time_limit_sec > 0 ? j->time_limit_sec
		       : j->time_limit > 0 ? j->time_limit * 60 : 0;
}

static void
view_make(const struct sched_job *j, const struct sched_req *rq,
	  struct hc_job_view *v)
{
	memset(v, 0, sizeof(*v));
	v->id = j->id;
	v->uid = j->uid;
	v->submit_time = j->submit_time;
	v->begin_time = j->begin_time;
	v->queue = j->queue;
	v->nice = j->nice;
	v->admin_priority = j->admin_priority;
	v->nodes_min = rq->nnodes;
	v->nodes_max = j->nodes_max ? j->nodes_max : rq->nnodes;
	v->ntasks = j->ntasks ? j->ntasks : 1;
	v->cpus_per_task = j->cpus_per_task ? j->cpus_per_task : 1;
	v->ntasks_per_node = j->ntasks_per_node;
	v->mem_per_node_mb = j->mem_per_node_mb;
	v->mem_per_cpu_mb = j->mem_per_cpu_mb;
	v->gpus_per_node = j->gpus_per_node;
	/* not snprintf: this runs for every job of every pass */
	memcpy(v->gpu_type, j->gpu_type,
	       sizeof(v->gpu_type) < sizeof(j->gpu_type)
		       ? sizeof(v->gpu_type) : sizeof(j->gpu_type));
	v->gpu_type[sizeof(v->gpu_type) - 1] = '\0';
	v->constraint = j->constraint;
	v->exclusive = j->exclusive;
	v->time_limit = j->time_limit;
	v->cpus_per_node = rq->cpus;
	v->mem_on_node_mb = rq->mem_mb;
	v->workload = j->workload;
	v->queue_name = j->queue_name;
	v->node_select = j->node_select;
}

/* The multifactor priority (priority.c) plus the plugins' hooks; the
 * admin's priority, when set, wins. Factors land in j->factors. */
static double
job_priority(struct sched *s, struct sched_job *j, const struct hc_job_view *v)
{
	double sum = 0;
	char why[SCHED_REASON_LEN];

	for (size_t i = 0; i < s->nplugins; i++) {
		struct sched_plugin *p = &s->plugins[i];
		double f = 0;

		if (!p->ops.priority)
			continue;
		why[0] = '\0';
		if (p->ops.priority(p->state, v, &f, why, sizeof(why)) < 0) {
			hc_log_limited("sched-priority", HC_LOG_WARN,
				       "sched plugin=%s job=%u priority "
				       "failed: %s", p->name, v->id, why);
			continue;
		}
		sum += f;
	}
	sched_prio_job(s, j, sum);
	return j->factors.total;
}

/* The first plugin that says no writes the reason. */
static bool
job_admit(struct sched *s, const struct hc_job_view *v, char *reason,
	  size_t len)
{
	for (size_t i = 0; i < s->nplugins; i++) {
		struct sched_plugin *p = &s->plugins[i];
		char why[SCHED_REASON_LEN] = "";

		if (!p->ops.admit)
			continue;
		if (p->ops.admit(p->state, v, why, sizeof(why)) !=
		    HC_SCHED_YES) {
			snprintf(reason, len, "%s", why[0] ? why : p->name);
			return false;
		}
	}
	return true;
}

struct job_key {
	double priority;
	time_t submit;
	uint32_t id;
	uint32_t idx;
};

static int
job_key_cmp(const void *a, const void *b)
{
	const struct job_key *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->submit != y->submit)
		return x->submit < y->submit ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

/* Held -> BeginTime -> admit -> blocked queue -> place. */
static void
pass_job(struct sched *s, struct sched_place_ctx *pc, struct sched_job *j,
	 bool *blocked, uint32_t *tried, time_t now, struct sched_result *res)
{
	struct sched_req rq;
	struct hc_job_view v;
	struct hc_err ferr;
	bool qb = j->queue < SCHED_MAX_QUEUES && blocked[j->queue];

	if (!sched_stage_admit(s, j, &rq, &v, now))
		return;
	if (qb || (s->max_jobs_per_pass && *tried >= s->max_jobs_per_pass)) {
		snprintf(j->reason, sizeof(j->reason), "Priority");
		return;
	}
	(*tried)++;
	if (j->constraint && !(rq.feat = sched_features_compile(j->constraint,
								&ferr))) {
		snprintf(j->reason, sizeof(j->reason), "BadConstraints");
		return;
	}
	switch (sched_place_job(pc, j->queue, &v, &rq, res, j->reason,
				sizeof(j->reason))) {
	case SCHED_PLACED:
		j->reason[0] = '\0';
		sched_stage_started(s, j, &res->allocs[res->count - 1]);
		break;
	case SCHED_BUSY:
		if (!j->reason[0])	/* else a reservation's, kept */
			snprintf(j->reason, sizeof(j->reason), "Resources");
		if (j->queue < SCHED_MAX_QUEUES)
			blocked[j->queue] = true;
		break;
	}
	sched_features_free(rq.feat);
}

int
sched_pass(struct sched *s, struct sched_job *jobs, size_t njobs,
	   struct sched_node *nodes, size_t nnodes, time_t now,
	   struct sched_result *res, struct hc_err *err)
{
	struct job_key *keys = hc_calloc(njobs ? njobs : 1, sizeof(*keys));
	bool blocked[SCHED_MAX_QUEUES] = { false };
	struct sched_place_ctx *pc;
	uint32_t tried = 0;

	s->now = now;
	sched_prio_begin(s, jobs, njobs, nodes, nnodes, now);
	for (size_t i = 0; i < njobs; i++) {
		struct sched_req rq;
		struct hc_job_view v;

		req_make(&jobs[i], &rq);
		view_make(&jobs[i], &rq, &v);
		jobs[i].priority = job_priority(s, &jobs[i], &v);
		keys[i] = (struct job_key){ jobs[i].priority,
					    jobs[i].submit_time, jobs[i].id,
					    (uint32_t)i };
	}
	qsort(keys, njobs, sizeof(*keys), job_key_cmp);
	pc = sched_place_begin(s, nodes, nnodes);
	for (size_t i = 0; i < njobs; i++)
		pass_job(s, pc, &jobs[keys[i].idx], blocked, &tried, now, res);
	sched_place_end(pc);
	sched_prio_end(s);
	free(keys);
	(void)err;
	return 0;
}

void
sched_result_free(struct sched_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->count; i++) {
		for (uint32_t k = 0; k < res->allocs[i].nnodes; k++)
			free(res->allocs[i].nodes[k].cpu_ids);
		free(res->allocs[i].nodes);
	}
	free(res->allocs);
	memset(res, 0, sizeof(*res));
}

/* ---- the stages, shared by sched_pass and the planning pass (plan.c) -- */

bool
sched_stage_admit(struct sched *s, struct sched_job *j, struct sched_req *rq,
		  struct hc_job_view *v, time_t now)
{
	j->reason[0] = '\0';
	if (j->held) {
		snprintf(j->reason, sizeof(j->reason), "Held");
		return false;
	}
	if (j->begin_time > now) {
		snprintf(j->reason, sizeof(j->reason), "BeginTime");
		return false;
	}
	req_make(j, rq);
	view_make(j, rq, v);
	if (!sched_req_resv(s, j, rq, j->reason, sizeof(j->reason)))
		return false;
	if (!job_admit(s, v, j->reason, sizeof(j->reason)))
		return false;
	return quota_admit(s->acct, j, j->reason, sizeof(j->reason));
}

void
sched_stage_started(struct sched *s, const struct sched_job *j,
		    const struct sched_alloc *a)
{
	quota_started(s->acct, j, a);
}

uint32_t *
sched_stage_order(struct sched *s, struct sched_job *jobs, size_t njobs,
		  const struct sched_node *nodes, size_t nnodes, time_t now)
{
	struct job_key *keys = hc_calloc(njobs ? njobs : 1, sizeof(*keys));
	uint32_t *order = hc_malloc((njobs ? njobs : 1) * sizeof(*order));

	s->now = now;
	sched_prio_begin(s, jobs, njobs, nodes, nnodes, now);
	for (size_t i = 0; i < njobs; i++) {
		struct sched_req rq;
		struct hc_job_view v;

		req_make(&jobs[i], &rq);
		view_make(&jobs[i], &rq, &v);
		jobs[i].priority = job_priority(s, &jobs[i], &v);
		keys[i] = (struct job_key){ jobs[i].priority,
					    jobs[i].submit_time, jobs[i].id,
					    (uint32_t)i };
	}
	sched_prio_end(s);
	/* Hosts usually pass jobs already in order (by id, priority by
	 * age): check before sorting. */
	for (size_t i = 1; i < njobs; i++)
		if (job_key_cmp(&keys[i - 1], &keys[i]) > 0) {
			qsort(keys, njobs, sizeof(*keys), job_key_cmp);
			break;
		}
	for (size_t i = 0; i < njobs; i++)
		order[i] = keys[i].idx;
	free(keys);
	return order;
}
