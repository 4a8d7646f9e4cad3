/*
 * jobs: the job table, loading it back from LMDB, and the lifecycle moves
 * shared by the RPC handlers, the node events and the scheduling passes
 * (finish, requeue, kill, release). The MinJobAge sweep moves finished jobs
 * into STATE_DB_HISTORY and purges history older than JobRetention.
 *
 * Invariant: a job holds resources in the node table exactly for the nodes
 * of its allocation whose `held` flag is set; every path that ends a job or
 * a node's part of it goes through jobs_node_release().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "conf.h"
#include "depend.h"
#include "ctld.h"
#include "hc_err.h"
#include "audit.h"
#include "jobs.h"
#include "steps.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "power.h"
#include "state.h"
#include "states.h"

#define META_NEXT_ID "next_job_id"
#define PURGE_EVERY 600		/* seconds between history purges */

static int
job_cmp_id(const void *key, const void *elem)
{
	uint32_t id = *(const uint32_t *)key;
	const struct job *j = *(struct job *const *)elem;

	return id < j->id ? -1 : id > j->id;
}

struct job *
jobs_find(struct jobs *js, uint32_t id)
{
	struct job **p;

	if (js->n == 0)		/* js->v is NULL until the first insert */
		return NULL;
	p = bsearch(&id, js->v, js->n, sizeof(*js->v), job_cmp_id);
	return p ? *p : NULL;
}

/* Ids grow, so this is an append except when loading out of order. */
void
jobs_insert(struct jobs *js, struct job *j)
{
	size_t i = js->n;

	if (js->n == js->cap) {
		js->cap = js->cap ? js->cap * 2 : 1024;
		js->v = hc_realloc(js->v, js->cap * sizeof(*js->v));
	}
	while (i > 0 && js->v[i - 1]->id > j->id)
		i--;
	if (i < js->n)
		memmove(js->v + i + 1, js->v + i,
			(js->n - i) * sizeof(*js->v));
	js->v[i] = j;
	js->n++;
}

void
job_alloc_clear(struct job *j)
{
	for (uint32_t k = 0; k < j->nalloc; k++) {
		free(j->alloc[k].name);
		free(j->alloc[k].cpu_ids);
		free(j->alloc[k].gpu_ids);
		free(j->alloc[k].compute_id);
	}
	free(j->alloc);
	j->alloc = NULL;
	j->nalloc = 0;
	free(j->nodelist);
	j->nodelist = NULL;
}

void
job_free(struct job *j)
{
	if (!j)
		return;
	job_alloc_clear(j);
	free(j->name);
	free(j->user);
	free(j->group);
	free(j->queue);
	free(j->account);
	free(j->qos);
	free(j->gres);
	free(j->constraint);
	free(j->reservation);
	free(j->comment);
	free(j->cloud_pool);
	free(j->cloud_nodes);
	power_job_use_free(j);
	free(j->cwd);
	free(j->out);
	free(j->err);
	free(j->in);
	free(j->command);
	free(j->plan_nodes);
	free(j->plan_idx);
	jobs_array_free(j);
	depend_free(j->dep);
	free(j->dep);
	free(j);
}

bool
jobs_is_admin(struct jobs *js, uint32_t uid)
{
	return conf_is_admin(js->c->conf, uid);
}

int
jobs_save(struct jobs *js, struct job *j)
{
	struct hc_err err = { 0 };
	uint8_t key[8];
	json_t *rec = job_to_record(j);
	int rc;

	j->gen++;
	state_key_u64(j->id, key);
	rc = state_put(js->c->state, STATE_DB_JOBS, key, sizeof(key), rec,
		       &err);
	json_decref(rec);
	if (rc < 0)
		hc_log(HC_LOG_ERR, "job=%u cannot save: %s", j->id, err.text);
	return rc;
}

void
jobs_alloc_attach(struct jobs *js, struct job *j)
{
	for (uint32_t k = 0; k < j->nalloc; k++) {
		struct job_node *a = &j->alloc[k];

		if (a->ended || a->held)
			continue;
		a->node = nodes_find(js->c->nodes, a->name);
		if (!a->node) {
			hc_log(HC_LOG_WARN, "job=%u node=%s not in hc.conf",
			       j->id, a->name);
			continue;
		}
		node_alloc(a->node, j->id, a->cpu_ids, a->ncpus, a->mem_mb,
			   a->gpu_ids, a->ngpus, j->exclusive);
		node_update_base(a->node);
		a->held = true;
	}
}

void
jobs_node_release(struct jobs *js, struct job *j, uint32_t k)
{
	struct job_node *a = &j->alloc[k];

	if (a->held && a->node) {
		node_release(a->node, j->id, a->cpu_ids, a->ncpus, a->mem_mb,
			     j->exclusive);
		node_update_base(a->node);
	}
	a->held = false;
	a->ended = true;
}

void
jobs_kill(struct jobs *js, struct job *j, int sig, bool batch_only,
	  const char *reason)
{
	json_t *body = json_pack("{s:I, s:i, s:b}", "job_id",
				 (json_int_t)j->id, "signal", sig,
				 "batch_only", batch_only);

	if (reason)
		json_object_set_new(body, "reason", json_string(reason));
	for (uint32_t k = 0; k < j->nalloc; k++) {
		struct job_node *a = &j->alloc[k];

		if (a->ended || !a->node || (batch_only && k > 0))
			continue;
		if (nodes_send(js->c->nodes, a->node, HC_MSG_JOB_KILL,
			       body) < 0)
			hc_log(HC_LOG_WARN, "job=%u node=%s kill not sent",
			       j->id, a->name);
	}
	json_decref(body);
}

void
jobs_finish(struct jobs *js, struct job *j, int state, const char *reason)
{
	accounts_job_end(js->c, j, time(NULL));	/* before the release */
	power_job_end(js->c, j, time(NULL));
	for (uint32_t k = 0; k < j->nalloc; k++)
		jobs_node_release(js, j, k);
	jobs_array_task_end(js, j, state);
	j->state = (uint8_t)state;
	j->cancelling = j->requeueing = false;
	if (!j->end_time)
		j->end_time = time(NULL);
	snprintf(j->reason, sizeof(j->reason), "%s", reason ? reason : "");
	hc_log(HC_LOG_INFO, "job=%u state=%s%s%s", j->id,
	       job_state_name(state), reason && *reason ? " reason=" : "",
	       reason ? reason : "");
	audit_job(js->c, 0, "job_end", j, reason);
	steps_on_job_end(js->c, j->id, state);
	jobs_save(js, j);
	jobs_sched_request(js);
}

/* Back to PENDING; a requeue counts a restart, a relaunch (the job never
 * started) does not. */
static void
job_to_pending(struct jobs *js, struct job *j, bool hold, bool count,
	       const char *reason)
{
	accounts_job_end(js->c, j, time(NULL));	/* before the release */
	power_job_end(js->c, j, time(NULL));	/* the record: every run */
	for (uint32_t k = 0; k < j->nalloc; k++)
		jobs_node_release(js, j, k);
	audit_job(js->c, 0, count ? "job_requeue" : "job_pending", j, reason);
	steps_on_job_end(js->c, j->id, JOB_CANCELLED);
	job_alloc_clear(j);
	jobs_array_task_end(js, j, JOB_PENDING);
	j->state = JOB_PENDING;
	if (count)
		j->restart_count++;
	j->start_time = j->end_time = 0;
	j->eligible_time = time(NULL);
	j->has_exit = j->oom = j->timed_out = false;
	j->cancelling = j->requeueing = false;
	j->final_state = 0;
	j->exit_status = 0;
	j->max_rss_kb = 0;
	if (hold)
		j->hold = JOB_HOLD_USER;
	snprintf(j->reason, sizeof(j->reason), "%s",
		 hold ? "Held" : reason ? reason : "");
	hc_log(HC_LOG_INFO, "job=%u %s restart_count=%u%s%s", j->id,
	       count ? "requeued" : "back to PENDING (never started)",
	       j->restart_count, reason ? " reason=" : "",
	       reason ? reason : "");
	jobs_save(js, j);
	jobs_sched_request(js);
}

void
jobs_requeue(struct jobs *js, struct job *j, bool hold, const char *reason)
{
	job_to_pending(js, j, hold, true, reason);
}

void
jobs_relaunch(struct jobs *js, struct job *j, const char *reason)
{
	job_to_pending(js, j, false, false, reason);
}

/* Loading: one record per job, in id order. */
static int
jobs_load_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct jobs *js = arg;
	struct hc_err err = { 0 };
	struct job *j = job_from_record(rec, &err);

	if (!j) {
		hc_log(HC_LOG_ERR, "skipping unreadable job record: %s",
		       err.text);
		return 0;
	}
	jobs_insert(js, j);
	if (j->id >= js->next_id)
		js->next_id = j->id + 1;
	if (j->state == JOB_CONFIGURING || j->state == JOB_RUNNING ||
	    j->state == JOB_COMPLETING)
		jobs_alloc_attach(js, j);
	return 0;
}

static int
jobs_load(struct jobs *js, struct hc_err *err)
{
	json_t *meta;

	meta = state_get(js->c->state, STATE_DB_META, META_NEXT_ID,
			 strlen(META_NEXT_ID), err);
	if (meta) {
		js->next_id = (uint32_t)jint(meta, "next_job_id", 1);
		json_decref(meta);
	} else if (err->code != HC_ENOENT) {
		return -1;
	}
	hc_err_clear(err);
	if (js->next_id == 0)
		js->next_id = 1;
	if (state_walk(js->c->state, STATE_DB_JOBS, jobs_load_one, js,
		       err) < 0)
		return -1;
	hc_log(HC_LOG_INFO, "loaded %zu jobs next_job_id=%u", js->n,
	       js->next_id);
	return 0;
}

/* Persist the id counter (same transaction as the job that used it). */
int
jobs_save_next_id(struct jobs *js, struct hc_err *err)
{
	json_t *rec = json_pack("{s:I}", "next_job_id",
				(json_int_t)js->next_id);
	int rc = state_put(js->c->state, STATE_DB_META, META_NEXT_ID,
			   strlen(META_NEXT_ID), rec, err);

	json_decref(rec);
	return rc;
}

struct jobs *
jobs_create(struct ctld *c, struct hc_err *err)
{
	struct jobs *js = hc_calloc(1, sizeof(*js));

	js->c = c;
	js->next_id = 1;
	c->jobs = js;
	if (jobs_load(js, err) < 0 || jobs_sched_init(js, err) < 0) {
		jobs_destroy(js);
		c->jobs = NULL;
		return NULL;
	}
	return js;
}

void
jobs_destroy(struct jobs *js)
{
	if (!js)
		return;
	jobs_sched_fini(js);
	for (size_t i = 0; i < js->n; i++)
		job_free(js->v[i]);
	free(js->v);
	free(js);
}

char *
jobs_on_node_list(struct jobs *js, const struct node *n)
{
	char *out = NULL;
	size_t len = 0;

	for (size_t i = 0; i < js->n; i++) {
		struct job *j = js->v[i];

		if (job_state_is_final(j->state) || j->state == JOB_PENDING)
			continue;
		for (uint32_t k = 0; k < j->nalloc; k++) {
			if (j->alloc[k].ended || j->alloc[k].node != n)
				continue;
			out = hc_realloc(out, len + 16);
			len += (size_t)snprintf(out + len, 16, "%s%u",
						len ? "," : "", j->id);
			break;
		}
	}
	return out;
}

/* Move one finished job into the history and out of the table. */
static void
jobs_retire(struct jobs *js, struct job *j, time_t now)
{
	struct hc_err err = { 0 };
	uint8_t key[8];
	json_t *rec = job_to_json(j, true, now);

	state_key_u64(j->id, key);
	if (state_put(js->c->state, STATE_DB_HISTORY, key, sizeof(key), rec,
		      &err) < 0 ||
	    state_del(js->c->state, STATE_DB_JOBS, key, sizeof(key),
		      &err) < 0 ||
	    state_del(js->c->state, STATE_DB_SCRIPTS, key, sizeof(key),
		      &err) < 0)
		hc_log(HC_LOG_ERR, "job=%u cannot move to history: %s", j->id,
		       err.text);
	json_decref(rec);
}

struct purge_ctx {
	time_t cutoff;
	uint64_t *ids;
	size_t n, cap;
};

static int
jobs_purge_pick(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct purge_ctx *p = arg;
	time_t end = (time_t)jint(rec, "end_time", 0);

	if (klen != 8 || end == 0 || end >= p->cutoff)
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->ids = hc_realloc(p->ids, p->cap * sizeof(*p->ids));
	}
	p->ids[p->n++] = (uint64_t)jint(rec, "job_id", 0);
	return 0;
}

static void
jobs_purge(struct jobs *js, time_t now)
{
	struct purge_ctx p = { .cutoff = now - js->c->conf->job_retention };
	struct hc_err err = { 0 };
	uint8_t key[8];

	if (state_walk(js->c->state, STATE_DB_HISTORY, jobs_purge_pick, &p,
		       &err) < 0)
		hc_log(HC_LOG_ERR, "history purge: %s", err.text);
	for (size_t i = 0; i < p.n; i++) {
		state_key_u64(p.ids[i], key);
		state_del(js->c->state, STATE_DB_HISTORY, key, sizeof(key),
			  &err);
	}
	if (p.n)
		hc_log(HC_LOG_INFO, "purged %zu jobs from the history", p.n);
	free(p.ids);
}

void
jobs_sweep(struct jobs *js, time_t now)
{
	long age = js->c->conf->min_job_age;
	size_t w = 0;

	for (size_t i = 0; i < js->n; i++) {
		struct job *j = js->v[i];

		if (job_state_is_final(j->state) && j->end_time + age <= now) {
			jobs_retire(js, j, now);
			job_free(j);
			continue;
		}
		js->v[w++] = j;
	}
	js->n = w;
	/* Walk the history at most every PURGE_EVERY seconds, sooner when
	 * the retention itself is short, so nothing outlives it by much. */
	long every = js->c->conf->job_retention / 10;
	if (every > PURGE_EVERY)
		every = PURGE_EVERY;
	if (js->c->conf->job_retention > 0 &&
	    (js->last_sweep == 0 || now - js->last_sweep >= every)) {
		jobs_purge(js, now);
		js->last_sweep = now;
	}
}
