/*
 * steps_rpc: STEP_CREATE (the layout of a step's tasks over its job's
 * nodes, and its credential), STEP_END, STEP_QUERY; and from node agents
 * STEP_EVENT (a node's part of a step ended) and STEP_CRED_REQ (a
 * credential towards another node of the job, for hc-rsh).
 *
 * Layout: N nodes (default: all the job's nodes, or fewer when fewer tasks
 * are asked), n tasks (default: the job's task count, at least N), n/N
 * tasks per node with the remainder on the first nodes. Block gives node i
 * consecutive task ids, cyclic deals them out one per node in turn. Each
 * node of the step must have tasks x cpus-per-task CPUs (and the asked
 * GPUs) of the job's allocation that no running step of the job holds;
 * nodes are taken in allocation order, greedily, the node needing most
 * first. If that fails, the same layout against an idle job says whether
 * waiting can help (HC_EBUSY) or not (HC_EINVAL).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ctld.h"
#include "hostlist.h"
#include "jobs.h"
#include "jobs_int.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "conf.h"
#include "rpc.h"
#include "state.h"
#include "states.h"
#include "stepcred.h"
#include "steps.h"
#include "steps_int.h"

#define STEP_CRED_SECS 300
#define STEP_MAX_TASKS 100000
#define STEP_MAX_NODES 4096

struct layout {
	uint32_t n, nn, cpt, gpn;	/* tasks, nodes, CPUs/task, GPUs/node */
	bool cyclic;
	uint32_t picks[STEP_MAX_NODES];
};

/* Whether a running step of job j other than skip holds cpu (gpu) id x on
 * node k. */
static bool
held(const struct steps *ss, uint32_t job_id, uint32_t k, uint32_t x,
     bool gpu)
{
	for (const struct step *st = ss->list; st; st = st->next) {
		if (st->job_id != job_id || st->state != STEP_RUNNING)
			continue;
		for (uint32_t i = 0; i < st->nnodes; i++) {
			const struct step_node *sn = &st->nodes[i];
			const uint32_t *v = gpu ? sn->gpu_ids : sn->cpu_ids;
			uint32_t nv = gpu ? sn->ngpus : sn->ncpus;
			if (sn->k != k)
				continue;
			for (uint32_t q = 0; q < nv; q++)
				if (v[q] == x)
					return true;
		}
	}
	return false;
}

static uint32_t
free_count(const struct steps *ss, const struct job *j, uint32_t k, bool gpu,
	   bool idle)
{
	const struct job_node *a = &j->alloc[k];
	const uint32_t *v = gpu ? a->gpu_ids : a->cpu_ids;
	uint32_t nv = gpu ? a->ngpus : a->ncpus, f = 0;

	for (uint32_t q = 0; q < nv; q++)
		if (idle || !held(ss, j->id, k, v[q], gpu))
			f++;
	return f;
}

static uint32_t
tasks_on(const struct layout *l, uint32_t i)
{
	return l->n / l->nn + (i < l->n % l->nn);
}

/* Greedy pick of l->nn nodes; idle: as if no other step ran. */
static int
place(const struct steps *ss, const struct job *j, struct layout *l,
      bool idle)
{
	bool used[STEP_MAX_NODES] = { false };

	for (uint32_t i = 0; i < l->nn; i++) {
		uint32_t need = tasks_on(l, i) * l->cpt, k;

		for (k = 0; k < j->nalloc; k++) {
			if (used[k] || j->alloc[k].ended)
				continue;
			if (free_count(ss, j, k, false, idle) >= need &&
			    free_count(ss, j, k, true, idle) >= l->gpn)
				break;
		}
		if (k == j->nalloc)
			return -1;
		used[k] = true;
		l->picks[i] = k;
	}
	return 0;
}

static uint32_t *
take_free(const struct steps *ss, const struct job *j, uint32_t k, bool gpu,
	  uint32_t want)
{
	const struct job_node *a = &j->alloc[k];
	const uint32_t *v = gpu ? a->gpu_ids : a->cpu_ids;
	uint32_t nv = gpu ? a->ngpus : a->ncpus, got = 0;
	uint32_t *out = hc_calloc(want + 1, sizeof(*out));

	for (uint32_t q = 0; q < nv && got < want; q++)
		if (!held(ss, j->id, k, v[q], gpu))
			out[got++] = v[q];
	return out;
}

static int
layout_sizes(const struct job *j, const json_t *req, struct layout *l,
	     struct hc_err *err)
{
	long long nreq = jint(req, "nodes", 0), treq = jint(req, "ntasks", 0);
	long long cpt = jint(req, "cpus_per_task", 1), g = jint(req, "gpus", 0);
	const char *d = jstr(req, "distribution");
	uint32_t live = 0;

	for (uint32_t k = 0; k < j->nalloc; k++)
		live += !j->alloc[k].ended;
	if (j->nalloc > STEP_MAX_NODES)
		return hc_err_set(err, HC_EINVAL, "job %u has more than %d "
				  "nodes: steps are not supported there",
				  j->id, STEP_MAX_NODES);
	if (nreq < 0 || treq < 0 || treq > STEP_MAX_TASKS || cpt < 1 ||
	    cpt > SCHED_MAX_CPUS || g < 0 || g > SCHED_MAX_GPUS)
		return hc_err_set(err, HC_EINVAL, "nodes, tasks, CPUs per task "
				  "or GPUs out of range");
	if (d && strcmp(d, "block") && strcmp(d, "cyclic"))
		return hc_err_set(err, HC_EINVAL, "--distribution=%s: use "
				  "block or cyclic", d);
	if (nreq > live)
		return hc_err_set(err, HC_EINVAL, "-N %lld: job %u has %u "
				  "node%s (%s)", nreq, j->id, live,
				  live == 1 ? "" : "s", j->nodelist);
	l->nn = (uint32_t)(nreq ? nreq : treq && treq < live ? treq : live);
	l->n = (uint32_t)(treq ? treq : nreq ? (long long)l->nn :
			  j->ntasks > l->nn ? j->ntasks : l->nn);
	if (l->n < l->nn)
		return hc_err_set(err, HC_EINVAL, "-n %u is fewer than the "
				  "%u nodes asked for with -N", l->n, l->nn);
	if (l->nn == 0 || l->nn > STEP_MAX_NODES)
		return hc_err_set(err, HC_EINVAL, "job %u has no node for a "
				  "step", j->id);
	l->cpt = (uint32_t)cpt;
	l->gpn = (uint32_t)g;
	l->cyclic = d && !strcmp(d, "cyclic");
	return 0;
}

/* What the job lacks for l even when idle: the biggest node's CPUs and
 * GPUs against the first node's need. */
static int
layout_never(const struct job *j, const struct layout *l, struct hc_err *err)
{
	uint32_t need = tasks_on(l, 0) * l->cpt, best = 0, bestg = 0;

	for (uint32_t k = 0; k < j->nalloc; k++) {
		if (j->alloc[k].ncpus > best)
			best = j->alloc[k].ncpus;
		if (j->alloc[k].ngpus > bestg)
			bestg = j->alloc[k].ngpus;
	}
	if (l->gpn > bestg)
		return hc_err_set(err, HC_EINVAL, "the step asks for %u GPUs "
				  "per node; job %u has at most %u on a node",
				  l->gpn, j->id, bestg);
	return hc_err_set(err, HC_EINVAL, "the step needs %u CPUs on a node "
			  "(%u tasks x %u CPUs per task) on %u nodes; job %u "
			  "has %u CPUs on its largest node (%s); ask for "
			  "fewer tasks per node or more nodes (-N)", need,
			  tasks_on(l, 0), l->cpt, l->nn, j->id, best,
			  j->nodelist);
}

int
steps_layout(struct steps *ss, const struct job *j, const json_t *req,
	     struct step *st, struct hc_err *err)
{
	struct layout l = { 0 };
	uint32_t base = 0;

	if (layout_sizes(j, req, &l, err) < 0)
		return -1;
	if (place(ss, j, &l, false) < 0) {
		if (place(ss, j, &l, true) < 0)
			return layout_never(j, &l, err);
		return hc_err_set(err, HC_EBUSY, "the CPUs or GPUs this step "
				  "needs are held by other steps of job %u",
				  j->id);
	}
	st->ntasks = l.n;
	st->nnodes = l.nn;
	st->nodes = hc_calloc(l.nn, sizeof(*st->nodes));
	for (uint32_t i = 0; i < l.nn; i++) {
		struct step_node *sn = &st->nodes[i];
		uint32_t cnt = tasks_on(&l, i);

		sn->k = l.picks[i];
		sn->ntasks = cnt;
		sn->tasks = hc_calloc(cnt + 1, sizeof(*sn->tasks));
		for (uint32_t t = 0; t < cnt; t++)
			sn->tasks[t] = l.cyclic ? i + t * l.nn : base + t;
		base += cnt;
		sn->ncpus = cnt * l.cpt;
		sn->cpu_ids = take_free(ss, j, sn->k, false, sn->ncpus);
		sn->ngpus = l.gpn;
		sn->gpu_ids = take_free(ss, j, sn->k, true, sn->ngpus);
	}
	return 0;
}

static json_t *
ids_json(const uint32_t *v, uint32_t n)
{
	json_t *a = json_array();

	for (uint32_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static void
node_addr(const struct job *j, uint32_t k, const char **addr, long *port)
{
	const struct node *n = j->alloc[k].node;

	*addr = n && n->cn && n->cn->addr && *n->cn->addr ? n->cn->addr :
		j->alloc[k].name;
	*port = n && n->cn && n->cn->port > 0 ? n->cn->port : 6818;
}

/* The step's node list and credential; 0 or -1 with err. */
static char *
step_sign(struct steps *ss, const struct job *j, struct step *st,
	  time_t expires, struct hc_err *err)
{
	struct hostlist *hl = hostlist_create();
	struct stepcred sc = { 0 };

	for (uint32_t i = 0; i < st->nnodes; i++)
		hostlist_push(hl, j->alloc[st->nodes[i].k].name);
	st->nodelist = hostlist_ranged(hl);
	hostlist_destroy(hl);
	if (strlen(st->nodelist) >= sizeof(sc.nodes)) {
		hc_err_set(err, HC_EINVAL, "the step's node list is too long "
			   "for a credential; use fewer nodes");
		return NULL;
	}
	sc.job_id = j->id;
	sc.step_id = st->step_id;
	sc.uid = j->uid;
	sc.gid = j->gid;
	snprintf(sc.nodes, sizeof(sc.nodes), "%s", st->nodelist);
	sc.expires = expires;
	/* Security: the agents start no more tasks than the step's
	 * busiest node was given, so a user cannot start extra ones. */
	for (uint32_t i = 0; i < st->nnodes; i++)
		if (st->nodes[i].ntasks > sc.tasks_max)
			sc.tasks_max = st->nodes[i].ntasks;
	return stepcred_sign(ss->c->key, &sc, err);
}

static json_t *
create_reply(const struct job *j, const struct step *st, const char *cred,
	     time_t expires)
{
	json_t *nodes = json_array();

	for (uint32_t i = 0; i < st->nnodes; i++) {
		const struct step_node *sn = &st->nodes[i];
		const char *addr;
		long port;

		node_addr(j, sn->k, &addr, &port);
		json_array_append_new(nodes, json_pack("{s:s,s:s,s:I,s:o,s:o,"
			"s:o}", "name", j->alloc[sn->k].name, "addr", addr,
			"port", (json_int_t)port, "tasks",
			ids_json(sn->tasks, sn->ntasks), "cpu_ids",
			ids_json(sn->cpu_ids, sn->ncpus), "gpu_ids",
			ids_json(sn->gpu_ids, sn->ngpus)));
	}
	return json_pack("{s:I,s:I,s:s,s:I,s:o}", "step_id",
			 (json_int_t)st->step_id, "ntasks",
			 (json_int_t)st->ntasks, "cred", cred, "expires",
			 (json_int_t)expires, "nodes", nodes);
}

/* The job a step request names, if the caller may use it; else answers
 * req and returns NULL. */
static struct job *
step_job(struct rpc_req *req, uint32_t id)
{
	struct jobs *js = req->ctld->jobs;
	struct job *j = jobs_find(js, id);

	if (!j) {
		rpc_reply_err(req, HC_ENOENT, "job %u does not exist", id);
		return NULL;
	}
	/* Security: a step runs as the job's user, in its allocation: only
	 * that user (munge's uid, never the body's) or an admin asks. */
	if (req->uid != j->uid && !jobs_is_admin(js, req->uid)) {
		rpc_reply_err(req, HC_EPERM, "job %u belongs to another user",
			      id);
		return NULL;
	}
	return j;
}

void
steps_rpc_create(struct rpc_req *req, json_t *body)
{
	struct steps *ss = req->ctld->steps;
	uint32_t id = (uint32_t)jint(body, "job_id", 0);
	struct hc_err err = { 0 };
	time_t now = time(NULL), exp = now + STEP_CRED_SECS;
	struct step *st;
	struct job *j;
	char *cred;

	steps_prune(ss);
	if (!(j = step_job(req, id)))
		return;
	if (j->state == JOB_PENDING || j->state == JOB_CONFIGURING) {
		rpc_reply_err(req, HC_EBUSY, "job %u is %s, not running yet",
			      id, job_state_name(j->state));
		return;
	}
	if (j->state != JOB_RUNNING) {
		rpc_reply_err(req, HC_EINVAL, "job %u is %s: no new steps", id,
			      job_state_name(j->state));
		return;
	}
	st = hc_calloc(1, sizeof(*st));
	if (steps_layout(ss, j, body, st, &err) < 0) {
		step_free(st);
		rpc_reply_err(req, err.code, "%s", err.text);
		return;
	}
	st->job_id = j->id;
	st->uid = j->uid;
	st->step_id = steps_next_id(ss, j->id);
	st->start = now;
	st->command = hc_asprintf("%.200s", jstr(body, "command") ?
				  jstr(body, "command") : "");
	if (!(cred = step_sign(ss, j, st, exp, &err))) {
		step_free(st);
		rpc_reply_err(req, err.code, "%s", err.text);
		return;
	}
	steps_add(ss, st);
	steps_save(ss, st);
	hc_log(HC_LOG_INFO, "job=%u step=%u uid=%u tasks=%u nodes=%s",
	       j->id, st->step_id, (unsigned)req->uid, st->ntasks,
	       st->nodelist);
	rpc_reply(req, create_reply(j, st, cred, exp));
	free(cred);
}

/* Exit statuses ranked as a shell reports them: code, or 128 + signal. */
static int
status_rank(int s)
{
	return WIFSIGNALED(s) ? 128 + WTERMSIG(s) : WEXITSTATUS(s);
}

void
steps_rpc_end(struct rpc_req *req, json_t *body)
{
	struct steps *ss = req->ctld->steps;
	struct step *st = steps_find(ss, (uint32_t)jint(body, "job_id", 0),
				     (uint32_t)jint(body, "step_id", 0));
	const char *failed = jstr(body, "failed");
	int s = (int)jint(body, "exit_status", 0);

	if (!st) {
		rpc_reply_err(req, HC_ENOENT, "no such step");
		return;
	}
	/* Security: only the step's user or an admin ends it. */
	if (req->uid != st->uid && !jobs_is_admin(req->ctld->jobs, req->uid)) {
		rpc_reply_err(req, HC_EPERM, "the step belongs to another "
			      "user");
		return;
	}
	if (status_rank(s) >= status_rank(st->exit_status))
		st->exit_status = s;
	if (failed)
		snprintf(st->failed, sizeof(st->failed), "%s", failed);
	if (st->state == STEP_RUNNING)
		steps_end(ss, st, st->exit_status == 0 && !failed ?
			  STEP_COMPLETED : STEP_FAILED);
	else
		steps_save(ss, st);
	rpc_reply(req, NULL);
}

void
steps_rpc_query(struct rpc_req *req, json_t *body)
{
	struct steps *ss = req->ctld->steps;
	json_t *ids = json_object_get(body, "job_ids"), *out = json_array();
	bool all = jbool(body, "all", false);

	steps_prune(ss);
	for (struct step *st = ss->list; st; st = st->next) {
		bool want = json_array_size(ids) == 0;
		size_t i;
		json_t *v;

		json_array_foreach(ids, i, v)
			if ((uint32_t)json_integer_value(v) == st->job_id)
				want = true;
		if (want && (all || st->state == STEP_RUNNING))
			json_array_insert_new(out, 0, step_to_json(st));
	}
	rpc_reply(req, json_pack("{s:o}", "steps", out));
}

static long
alloc_index(const struct job *j, const char *name)
{
	for (uint32_t k = 0; k < j->nalloc; k++)
		if (!strcmp(j->alloc[k].name, name))
			return k;
	return -1;
}

void
steps_on_event(struct ctld *c, struct node *n, json_t *body)
{
	struct steps *ss = c->steps;
	struct step *st = ss ? steps_find(ss, (uint32_t)jint(body, "job_id",
			0), (uint32_t)jint(body, "step_id", 0)) : NULL;
	struct job *j = st ? jobs_find(c->jobs, st->job_id) : NULL;
	long k = j ? alloc_index(j, n->name) : -1;
	int s = (int)jint(body, "exit_status", 0);
	bool all = true;

	if (k < 0)
		return;
	for (uint32_t i = 0; i < st->nnodes; i++) {
		if (st->nodes[i].k == (uint32_t)k)
			st->nodes[i].ended = true;
		all &= st->nodes[i].ended;
	}
	if ((uint64_t)jint(body, "max_rss_kb", 0) > st->max_rss_kb)
		st->max_rss_kb = (uint64_t)jint(body, "max_rss_kb", 0);
	st->cpu_ms += (uint64_t)jint(body, "cpu_ms", 0);
	if (status_rank(s) > status_rank(st->exit_status))
		st->exit_status = s;
	if (all && st->state == STEP_RUNNING)
		steps_end(ss, st, st->exit_status ? STEP_FAILED :
			  STEP_COMPLETED);
	else
		steps_save(ss, st);
}

static void
grant_send(struct ctld *c, struct node *n, json_int_t reqn, int rc,
	   const char *error, json_t *more)
{
	json_t *b = json_pack("{s:I,s:i}", "req", reqn, "rc", rc);

	if (error)
		json_object_set_new(b, "error", json_string(error));
	if (more)
		json_object_update(b, more);
	json_decref(more);
	nodes_send(c->nodes, n, HC_MSG_STEP_CRED_GRANT, b);
	json_decref(b);
}

/* A one-task step towards host, holding nothing: hc-rsh's launches. */
void
steps_on_cred_req(struct ctld *c, struct node *n, json_t *body)
{
	json_int_t reqn = json_integer_value(json_object_get(body, "req"));
	uint32_t id = (uint32_t)jint(body, "job_id", 0);
	const char *host = jstr(body, "host");
	struct job *j = c->jobs ? jobs_find(c->jobs, id) : NULL;
	struct hc_err err = { 0 };
	time_t exp = time(NULL) + STEP_CRED_SECS;
	long kn, kh;
	struct step *st;
	char *cred, msg[256];
	const char *addr;
	long port;

	kn = j ? alloc_index(j, n->name) : -1;
	kh = j && host ? alloc_index(j, host) : -1;
	/* Security: the asking node must run the job (its agent checked
	 * that the caller is in the job's cgroup) and the target must be in
	 * the job's allocation: a job reaches its own nodes, nothing else. */
	if (!j || j->state != JOB_RUNNING || kn < 0 || j->alloc[kn].ended) {
		snprintf(msg, sizeof(msg), "job %u does not run on %s", id,
			 n->name);
		grant_send(c, n, reqn, HC_EPERM, msg, NULL);
		return;
	}
	if (kh < 0 || j->alloc[kh].ended) {
		snprintf(msg, sizeof(msg), "%s is not a node of job %u (%s)",
			 host ? host : "?", id, j->nodelist);
		grant_send(c, n, reqn, HC_EPERM, msg, NULL);
		return;
	}
	st = hc_calloc(1, sizeof(*st));
	st->job_id = id;
	st->uid = j->uid;
	st->rsh = true;
	st->ntasks = 1;
	st->start = time(NULL);
	st->command = hc_strdup("hc-rsh");
	st->nnodes = 1;
	st->nodes = hc_calloc(1, sizeof(*st->nodes));
	st->nodes[0].k = (uint32_t)kh;
	st->nodes[0].ntasks = 1;
	st->nodes[0].tasks = hc_calloc(1, sizeof(uint32_t));
	st->step_id = steps_next_id(c->steps, id);
	if (!(cred = step_sign(c->steps, j, st, exp, &err))) {
		grant_send(c, n, reqn, err.code, err.text, NULL);
		step_free(st);
		return;
	}
	steps_add(c->steps, st);
	steps_save(c->steps, st);
	node_addr(j, (uint32_t)kh, &addr, &port);
	hc_log(HC_LOG_INFO, "job=%u step=%u remote launch from %s to %s", id,
	       st->step_id, n->name, host);
	grant_send(c, n, reqn, 0, NULL, json_pack("{s:s,s:I,s:s,s:I}", "cred",
		   cred, "step_id", (json_int_t)st->step_id, "addr", addr,
		   "port", (json_int_t)port));
	free(cred);
}
