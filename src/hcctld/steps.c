/*
 * steps: the step table and its records (see steps.h). Steps live in one
 * list, newest first: a job has few, and everything that walks them is
 * for one job or for the running ones. The per-job step id counter is a
 * record of its own under the key (job id, 0xffffffff).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ctld.h"
#include "jobs.h"
#include "jobs_int.h"
#include "log.h"
#include "state.h"
#include "states.h"
#include "steps.h"
#include "steps_int.h"

#define STEP_COUNTER 0xffffffffu

static const char *const state_names[] = {
	[STEP_RUNNING] = "RUNNING", [STEP_COMPLETED] = "COMPLETED",
	[STEP_FAILED] = "FAILED", [STEP_CANCELLED] = "CANCELLED",
};

const char *
step_state_name(int state)
{
	return state >= 0 && state <= STEP_CANCELLED ? state_names[state] :
	       "UNKNOWN";
}

static int
state_parse(const char *s)
{
	for (int i = 0; s && i <= STEP_CANCELLED; i++)
		if (!strcmp(s, state_names[i]))
			return i;
	return STEP_CANCELLED;
}

static void
step_key(uint32_t job_id, uint32_t step_id, uint8_t out[12])
{
	state_key_u64(job_id, out);
	for (int i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(step_id >> (24 - 8 * i));
}

void
step_free(struct step *st)
{
	if (!st)
		return;
	for (uint32_t i = 0; i < st->nnodes; i++) {
		free(st->nodes[i].tasks);
		free(st->nodes[i].cpu_ids);
		free(st->nodes[i].gpu_ids);
	}
	free(st->nodes);
	free(st->command);
	free(st->nodelist);
	free(st);
}

struct step *
steps_find(struct steps *ss, uint32_t job_id, uint32_t step_id)
{
	for (struct step *st = ss->list; st; st = st->next)
		if (st->job_id == job_id && st->step_id == step_id)
			return st;
	return NULL;
}

void
steps_add(struct steps *ss, struct step *st)
{
	st->next = ss->list;
	ss->list = st;
}

uint32_t
steps_next_id(struct steps *ss, uint32_t job_id)
{
	struct hc_err err = { 0 };
	uint8_t key[12];
	json_t *rec;
	uint32_t id = 0;

	step_key(job_id, STEP_COUNTER, key);
	rec = state_get(ss->c->state, STATE_DB_STEPS, key, sizeof(key), &err);
	if (rec)
		id = (uint32_t)jint(rec, "next", 0);
	json_decref(rec);
	rec = json_pack("{s:I}", "next", (json_int_t)id + 1);
	if (state_put(ss->c->state, STATE_DB_STEPS, key, sizeof(key), rec,
		      &err) < 0)
		hc_log(HC_LOG_ERR, "job=%u step counter not saved: %s",
		       job_id, err.text);
	json_decref(rec);
	return id;
}

static json_t *
u32_array(const uint32_t *v, uint32_t n)
{
	json_t *a = json_array();

	for (uint32_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

json_t *
step_to_json(const struct step *st)
{
	char ec[32];
	int s = st->exit_status;

	if (WIFSIGNALED(s))
		snprintf(ec, sizeof(ec), "0:%d", WTERMSIG(s));
	else
		snprintf(ec, sizeof(ec), "%d:0", WEXITSTATUS(s));
	json_t *o = json_pack("{s:I,s:I,s:I,s:s,s:I,s:s,s:s,s:I,s:I,s:s,"
			      "s:I,s:I,s:i,s:b}",
		"job_id", (json_int_t)st->job_id, "step_id",
		(json_int_t)st->step_id, "uid", (json_int_t)st->uid,
		"command", st->command ? st->command : "", "ntasks",
		(json_int_t)st->ntasks, "nodelist",
		st->nodelist ? st->nodelist : "", "state",
		step_state_name(st->state), "start_time",
		(json_int_t)st->start, "end_time", (json_int_t)st->end,
		"exit_code", ec, "max_rss_kb", (json_int_t)st->max_rss_kb,
		"cpu_secs", (json_int_t)(st->cpu_ms / 1000), "exit_status",
		st->exit_status, "rsh", st->rsh);
	if (st->failed[0])
		json_object_set_new(o, "failed", json_string(st->failed));
	return o;
}

/* The record: the JSON form plus what a restart needs to know of the
 * resources a running step holds. */
static json_t *
step_to_record(const struct step *st)
{
	json_t *o = step_to_json(st), *nodes = json_array();

	for (uint32_t i = 0; i < st->nnodes; i++) {
		const struct step_node *sn = &st->nodes[i];
		json_array_append_new(nodes, json_pack("{s:I,s:o,s:o,s:o,s:b}",
			"k", (json_int_t)sn->k, "tasks",
			u32_array(sn->tasks, sn->ntasks), "cpu_ids",
			u32_array(sn->cpu_ids, sn->ncpus), "gpu_ids",
			u32_array(sn->gpu_ids, sn->ngpus), "ended",
			sn->ended));
	}
	json_object_set_new(o, "nodes", nodes);
	json_object_set_new(o, "v", json_integer(STATE_RECORD_VERSION));
	return o;
}

static uint32_t *
u32_from(const json_t *a, uint32_t *n)
{
	size_t i;
	json_t *v;
	uint32_t *out = hc_calloc(json_array_size(a) + 1, sizeof(*out));

	*n = 0;
	json_array_foreach(a, i, v)
		if (json_is_integer(v) && json_integer_value(v) >= 0)
			out[(*n)++] = (uint32_t)json_integer_value(v);
	return out;
}

static struct step *
step_from_record(const json_t *r)
{
	struct step *st = hc_calloc(1, sizeof(*st));
	json_t *nodes = json_object_get(r, "nodes"), *v;
	size_t i;

	st->job_id = (uint32_t)jint(r, "job_id", 0);
	st->step_id = (uint32_t)jint(r, "step_id", 0);
	st->uid = (uint32_t)jint(r, "uid", 0);
	st->command = hc_strdup(jstr(r, "command") ? jstr(r, "command") : "");
	st->nodelist = hc_strdup(jstr(r, "nodelist") ? jstr(r, "nodelist") :
				 "");
	st->ntasks = (uint32_t)jint(r, "ntasks", 0);
	st->state = (uint8_t)state_parse(jstr(r, "state"));
	st->rsh = jbool(r, "rsh", false);
	st->start = (time_t)jint(r, "start_time", 0);
	st->end = (time_t)jint(r, "end_time", 0);
	st->exit_status = (int)jint(r, "exit_status", 0);
	snprintf(st->failed, sizeof(st->failed), "%s",
		 jstr(r, "failed") ? jstr(r, "failed") : "");
	st->max_rss_kb = (uint64_t)jint(r, "max_rss_kb", 0);
	st->cpu_ms = (uint64_t)jint(r, "cpu_secs", 0) * 1000;
	st->nodes = hc_calloc(json_array_size(nodes) + 1, sizeof(*st->nodes));
	json_array_foreach(nodes, i, v) {
		struct step_node *sn = &st->nodes[st->nnodes++];
		sn->k = (uint32_t)jint(v, "k", 0);
		sn->tasks = u32_from(json_object_get(v, "tasks"), &sn->ntasks);
		sn->cpu_ids = u32_from(json_object_get(v, "cpu_ids"),
				       &sn->ncpus);
		sn->gpu_ids = u32_from(json_object_get(v, "gpu_ids"),
				       &sn->ngpus);
		sn->ended = jbool(v, "ended", false);
	}
	return st;
}

int
steps_save(struct steps *ss, const struct step *st)
{
	struct hc_err err = { 0 };
	uint8_t key[12];
	json_t *rec = step_to_record(st);
	int rc;

	step_key(st->job_id, st->step_id, key);
	rc = state_put(ss->c->state, STATE_DB_STEPS, key, sizeof(key), rec,
		       &err);
	if (rc < 0)
		hc_log(HC_LOG_ERR, "job=%u step=%u not saved: %s", st->job_id,
		       st->step_id, err.text);
	json_decref(rec);
	return rc;
}

void
steps_end(struct steps *ss, struct step *st, int state)
{
	const struct job *j = jobs_find(ss->c->jobs, st->job_id);

	if (st->state != STEP_RUNNING)
		return;
	/* Tasks killed because their job is being cancelled: the step was
	 * cancelled with it, whatever the signal did to the tasks. */
	if (state == STEP_FAILED && j && (j->cancelling ||
					  j->state == JOB_CANCELLED))
		state = STEP_CANCELLED;
	st->state = (uint8_t)state;
	st->end = time(NULL);
	hc_log(HC_LOG_INFO, "job=%u step=%u state=%s exit_status=%d",
	       st->job_id, st->step_id, step_state_name(state),
	       st->exit_status);
	steps_save(ss, st);
}

void
steps_on_job_end(struct ctld *c, uint32_t job_id, int state)
{
	struct steps *ss = c->steps;

	if (!ss)
		return;
	for (struct step *st = ss->list; st; st = st->next)
		if (st->job_id == job_id && st->state == STEP_RUNNING)
			steps_end(ss, st, state == JOB_COMPLETED && st->rsh ?
				  STEP_COMPLETED : STEP_CANCELLED);
}

/* Steps of jobs that left the job table (MinJobAge) go with them. */
void
steps_prune(struct steps *ss)
{
	struct hc_err err = { 0 };
	uint8_t key[12];

	for (struct step **pp = &ss->list; *pp;) {
		struct step *st = *pp;

		if (jobs_find(ss->c->jobs, st->job_id)) {
			pp = &st->next;
			continue;
		}
		step_key(st->job_id, st->step_id, key);
		state_del(ss->c->state, STATE_DB_STEPS, key, sizeof(key), &err);
		step_key(st->job_id, STEP_COUNTER, key);
		state_del(ss->c->state, STATE_DB_STEPS, key, sizeof(key), &err);
		*pp = st->next;
		step_free(st);
	}
}

/* Loading: the records of jobs no longer in the table (they went to the
 * history while we were away) are deleted after the walk. */
struct load {
	struct steps *ss;
	uint8_t (*stale)[12];
	size_t nstale;
};

static int
load_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct load *l = arg;
	struct step *st;
	uint64_t job = 0;

	if (klen != 12)
		return 0;
	for (int i = 0; i < 8; i++)
		job = job << 8 | ((const uint8_t *)key)[i];
	if (!jobs_find(l->ss->c->jobs, (uint32_t)job)) {
		l->stale = hc_realloc(l->stale, (l->nstale + 1) *
				      sizeof(*l->stale));
		memcpy(l->stale[l->nstale++], key, 12);
		return 0;
	}
	if (!json_object_get(rec, "step_id"))
		return 0;	/* the job's step id counter */
	st = step_from_record(rec);
	steps_add(l->ss, st);
	return 0;
}

struct steps *
steps_create(struct ctld *c, struct hc_err *err)
{
	struct steps *ss = hc_calloc(1, sizeof(*ss));
	struct load l = { ss, NULL, 0 };

	ss->c = c;
	if (state_walk(c->state, STATE_DB_STEPS, load_one, &l, err) < 0) {
		free(l.stale);
		steps_destroy(ss);
		return NULL;
	}
	for (size_t i = 0; i < l.nstale; i++)
		state_del(c->state, STATE_DB_STEPS, l.stale[i], 12, NULL);
	free(l.stale);
	/* A step whose job no longer runs ended while we were away. */
	for (struct step *st = ss->list; st; st = st->next) {
		struct job *j = jobs_find(c->jobs, st->job_id);
		if (st->state == STEP_RUNNING && j &&
		    j->state != JOB_RUNNING && j->state != JOB_COMPLETING)
			steps_end(ss, st, STEP_CANCELLED);
	}
	return ss;
}

void
steps_destroy(struct steps *ss)
{
	if (!ss)
		return;
	while (ss->list) {
		struct step *st = ss->list;
		ss->list = st->next;
		step_free(st);
	}
	free(ss);
}
