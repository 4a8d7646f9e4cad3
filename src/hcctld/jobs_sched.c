/*
 * jobs_sched: scheduling passes. The decisions live in libhcsched; this file
 * only builds its views (usable nodes, pending jobs with memory resolved),
 * calls sched_pass() and applies what it returns: node_alloc on each node,
 * CONFIGURING, persisted, and JOB_LAUNCH queued to every node of the
 * allocation; the output queue sends it only once the allocation is
 * committed (so a crash can never leave a node running a job that LMDB
 * still calls pending).
 *
 * Passes are coalesced: jobs_sched_request() arms one zero-delay event (at
 * most one pass per SCHED_MIN_GAP_MS, so a burst of submits costs a few
 * passes, not one each). A periodic tick also runs a pass every
 * SchedulerInterval (BeginTime, lost launches) and the MinJobAge sweep.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include "conf.h"
#include "ctld.h"
#include "hostlist.h"
#include "identity.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "sched.h"
#include "state.h"
#include "states.h"

#define SCHED_MIN_GAP_MS 20
#define TICK_SECS 5

static const char *const no_features[] = { NULL };

static long
ms_since(const struct timeval *t)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	return (now.tv_sec - t->tv_sec) * 1000 +
	       (now.tv_usec - t->tv_usec) / 1000;
}

void
jobs_sched_request(struct jobs *js)
{
	struct timeval tv = { 0, 0 };
	long gap;

	if (!js || js->sched_queued || !js->sched_ev)
		return;
	gap = ms_since(&js->last_pass);
	if (gap >= 0 && gap < SCHED_MIN_GAP_MS)
		tv.tv_usec = (SCHED_MIN_GAP_MS - gap) * 1000;
	js->sched_queued = true;
	event_add(js->sched_ev, &tv);
}

/* The view of one node; cpu_used points into buf (caller's). */
static void
view_node(struct sched_node *sn, struct node *n, uint32_t i, uint8_t *buf)
{
	sn->name = n->name;
	sn->index = i;
	sn->usable = node_is_usable(n);
	sn->weight = n->cn ? n->cn->weight : 0;
	sn->cpus = n->cpus;
	sn->cpu_used = buf;
	for (uint32_t c = 0; c < n->cpus; c++)
		buf[c] = n->cpu_job_count && n->cpu_job_count[c] ? 1 : 0;
	sn->mem_mb = n->mem_mb;
	sn->mem_used_mb = n->mem_alloc_mb;
	sn->gpu_count = n->gpu_count;
	for (uint32_t g = 0; g < n->gpu_count && g < SCHED_MAX_GPUS; g++) {
		memcpy(sn->gpus[g].type, n->gpus[g].type,
		       sizeof(sn->gpus[g].type));
		sn->gpus[g].used = n->gpus[g].job != 0;
	}
	sn->features = n->features ? (const char *const *)n->features :
		       no_features;
	sn->running_jobs = n->njobs;
	sn->exclusive_used = n->exclusive_used;
	sn->queue_mask = n->queue_mask;
}

/* Set j's pending reason, without rewriting it when it has not changed
 * (every held job is looked at on every pass). */
static void
reason_set(struct job *j, const char *why)
{
	if (strcmp(j->reason, why) != 0)
		snprintf(j->reason, sizeof(j->reason), "%s", why);
}

/* Whether j goes into the pass; if not, its reason is set here. */
static bool
view_job_wanted(struct jobs *js, struct job *j, time_t now)
{
	if (j->state != JOB_PENDING)
		return false;
	if (j->hold != JOB_HOLD_NONE) {
		reason_set(j, "Held");
		return false;
	}
	if (j->begin_time > now) {
		reason_set(j, "BeginTime");
		return false;
	}
	return jobs_depend_ready(js, j, now);
}

static void
view_job(struct sched_job *sj, const struct job *j)
{
	memset(sj, 0, sizeof(*sj));
	sj->id = j->id;
	sj->uid = j->uid;
	sj->submit_time = j->submit_time;
	sj->begin_time = j->begin_time;
	sj->queue = j->queue_index;
	sj->nice = j->nice;
	sj->admin_priority = j->admin_priority;
	sj->nodes_min = j->nodes_min;
	sj->nodes_max = j->nodes_max;
	sj->ntasks = j->ntasks;
	sj->cpus_per_task = j->cpus_per_task;
	sj->ntasks_per_node = j->ntasks_per_node;
	sj->mem_per_node_mb = j->mem_per_node_mb;
	sj->mem_per_cpu_mb = j->mem_per_cpu_mb;
	sj->gpus_per_node = j->gpus_per_node;
	memcpy(sj->gpu_type, j->gpu_type, sizeof(sj->gpu_type));
	sj->constraint = j->constraint;
	sj->exclusive = j->exclusive;
	sj->time_limit = j->time_limit;
}

static uint32_t *
ids_dup(const uint32_t *ids, uint32_t n)
{
	uint32_t *v = hc_calloc(n ? n : 1, sizeof(*v));

	if (n)
		memcpy(v, ids, n * sizeof(*v));
	return v;
}

/* Give j the allocation a; node_alloc on each node; CONFIGURING. */
static void
jobs_apply(struct jobs *js, struct job *j, const struct sched_alloc *a,
	   time_t now)
{
	struct hostlist *hl = hostlist_create();

	job_alloc_clear(j);
	j->alloc = hc_calloc(a->nnodes ? a->nnodes : 1, sizeof(*j->alloc));
	j->nalloc = a->nnodes;
	for (uint32_t k = 0; k < a->nnodes; k++) {
		const struct sched_alloc_node *an = &a->nodes[k];
		struct node *n = nodes_at(js->c->nodes, an->node);
		struct job_node *jn = &j->alloc[k];

		jn->name = hc_strdup(n->name);
		jn->ncpus = an->ncpus;
		jn->cpu_ids = ids_dup(an->cpu_ids, an->ncpus);
		jn->mem_mb = an->mem_mb;
		jn->ngpus = an->ngpus;
		jn->gpu_ids = ids_dup(an->gpu_ids, an->ngpus);
		if (*identity_node_id(n))
			jn->compute_id = hc_strdup(identity_node_id(n));
		hostlist_push(hl, n->name);
	}
	jobs_alloc_attach(js, j);
	hostlist_uniq(hl);
	j->nodelist = hostlist_ranged(hl);
	hostlist_destroy(hl);
	j->state = JOB_CONFIGURING;
	j->start_time = now;
	j->end_time = 0;
	j->reason[0] = '\0';
	hc_log(HC_LOG_INFO, "job=%u allocated nodes=%s", j->id, j->nodelist);
	jobs_save(js, j);
}

struct pass {
	struct sched_node *nodes;
	uint8_t *cpubuf;
	size_t nnodes;
	struct sched_job *jobs;
	struct job **jp;
	size_t njobs;
	struct sched_result res;
};

/* The pending jobs that go into the pass. The arrays are sized to them,
 * not to the table: most of a big table is held or finished, and clearing
 * room for every job on each pass was most of the pass's cost. */
static void
pass_build_jobs(struct jobs *js, struct pass *p, time_t now)
{
	size_t cap = 0;

	for (size_t i = 0; i < js->n; i++) {
		struct job *j = js->v[i];

		uint32_t k;

		if (!view_job_wanted(js, j, now))
			continue;
		/* An array record offers up to k of its tasks at once. */
		k = j->array ? jobs_array_room(js, j) : 1;
		for (uint32_t t = 0; t < k; t++) {
			if (p->njobs == cap) {
				cap = cap ? cap * 2 : 64;
				p->jobs = hc_realloc(p->jobs,
						     cap * sizeof(*p->jobs));
				p->jp = hc_realloc(p->jp, cap * sizeof(*p->jp));
			}
			view_job(&p->jobs[p->njobs], j);	/* clears it */
			if (j->array)
				p->jobs[p->njobs].id = JOBS_ARRAY_VIEW_BIT |
						       (uint32_t)p->njobs;
			p->jp[p->njobs++] = j;
		}
	}
}

static void
pass_build(struct jobs *js, struct pass *p, time_t now)
{
	size_t ncpu = 0, off = 0;

	p->nnodes = nodes_count(js->c->nodes);
	p->nodes = hc_calloc(p->nnodes ? p->nnodes : 1, sizeof(*p->nodes));
	for (size_t i = 0; i < p->nnodes; i++)
		ncpu += nodes_at(js->c->nodes, i)->cpus;
	p->cpubuf = hc_calloc(ncpu ? ncpu : 1, 1);
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *n = nodes_at(js->c->nodes, i);

		view_node(&p->nodes[i], n, (uint32_t)i, p->cpubuf + off);
		off += n->cpus;
	}
	pass_build_jobs(js, p, now);
}

static void
pass_free(struct pass *p)
{
	sched_result_free(&p->res);
	free(p->nodes);
	free(p->cpubuf);
	free(p->jobs);
	free(p->jp);
}

static void
jobs_pass(struct jobs *js)
{
	struct pass p = { 0 };
	struct hc_err err = { 0 };
	time_t now = time(NULL);

	gettimeofday(&js->last_pass, NULL);
	pass_build(js, &p, now);
	if (p.njobs == 0 || !js->c->sched) {
		pass_free(&p);
		return;
	}
	if (sched_pass(js->c->sched, p.jobs, p.njobs, p.nodes, p.nnodes, now,
		       &p.res, &err) < 0) {
		hc_log_limited("sched_pass", HC_LOG_ERR, "scheduling pass: %s",
			       err.text);
		pass_free(&p);
		return;
	}
	for (size_t i = 0; i < p.njobs; i++) {
		p.jp[i]->priority = p.jobs[i].priority;
		memcpy(p.jp[i]->reason, p.jobs[i].reason,
		       sizeof(p.jp[i]->reason));
	}
	/* Durable before any node hears of it: the launches are only queued
	 * here, and the output queue (rpc_out.c) commits the writes of the
	 * loop turn before it sends any frame, so they share that sync with
	 * the submissions around them instead of paying one of their own. */
	for (size_t i = 0; i < p.res.count; i++) {
		uint32_t id = p.res.allocs[i].job;
		struct job *j;

		if (id & JOBS_ARRAY_VIEW_BIT) {	/* an array task: split */
			j = p.jp[id & ~JOBS_ARRAY_VIEW_BIT];
			j = j->array ? jobs_array_split(js, j, now) : NULL;
		} else {
			j = jobs_find(js, id);
		}
		if (!j || j->state != JOB_PENDING)
			continue;
		jobs_apply(js, j, &p.res.allocs[i], now);
		jobs_launch(js, j);
	}
	pass_free(&p);
}

static void
jobs_sched_cb(evutil_socket_t fd, short what, void *arg)
{
	struct jobs *js = arg;

	js->sched_queued = false;
	if (js->c->shutting_down)
		return;
	jobs_pass(js);
}

static void
jobs_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct jobs *js = arg;
	struct hc_err err = { 0 };
	time_t now = time(NULL);
	long iv = js->c->conf->sched_interval;

	if (js->c->shutting_down)
		return;
	jobs_sweep(js, now);
	if (iv <= 0 || ms_since(&js->last_pass) >= iv * 1000)
		jobs_sched_request(js);
	if (state_dirty(js->c->state) && state_commit(js->c->state, &err) < 0)
		hc_log(HC_LOG_ERR, "cannot commit: %s", err.text);
}

int
jobs_sched_init(struct jobs *js, struct hc_err *err)
{
	struct ctld *c = js->c;
	struct timeval tick = { TICK_SECS, 0 };

	if (!c->sched) {
		struct sched_options o = {
			.plugin_dir = c->conf->plugin_dir,
			.plugins = (const char *const *)
				c->conf->scheduler_plugins,
		};

		c->sched = sched_create(&o, err);
		if (!c->sched)
			return hc_err_prefix(err, "SchedulerPlugins: ");
		js->own_sched = true;
		hc_log(HC_LOG_INFO, "scheduler plugins=%s",
		       sched_plugin_names(c->sched));
	}
	if (!c->base)
		return 0;
	js->sched_ev = event_new(c->base, -1, 0, jobs_sched_cb, js);
	js->tick_ev = event_new(c->base, -1, EV_PERSIST, jobs_tick_cb, js);
	if (!js->sched_ev || !js->tick_ev)
		return hc_err_set(err, HC_ENOMEM, "cannot create events");
	event_add(js->tick_ev, &tick);
	jobs_sched_request(js);
	return 0;
}

void
jobs_sched_fini(struct jobs *js)
{
	if (js->sched_ev)
		event_free(js->sched_ev);
	if (js->tick_ev)
		event_free(js->tick_ev);
	js->sched_ev = js->tick_ev = NULL;
	if (js->own_sched) {
		sched_destroy(js->c->sched);
		js->c->sched = NULL;
		js->own_sched = false;
	}
}
