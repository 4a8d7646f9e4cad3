/*
 * power: starting and stopping nodes (see power.h for the states).
 *
 * Ordering is what makes this restart-safe: a resume first marks its nodes
 * POWERING_UP with their deadline and commits that to LMDB, and only then
 * forks the ResumeProgram. A crash between the two leaves nodes awaited
 * until their deadline (then DOWN, replanned), never a program run twice.
 *
 * Per pool (struct pool): the resume times of the last period (ResumeRate),
 * the back-off (delay doubling from 10 s to 1 h after each transient failure
 * or timeout; while it lasts nothing starts, after it one probe node at a
 * time until a node registers) and the breaker (opened by a permanent
 * failure, closed when an admin resumes a node of the pool).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <event2/event.h>

#include "audit.h"
#include "conf.h"
#include "ctld.h"
#include "hostlist.h"
#include "jobs.h"
#include "log.h"
#include "nodes.h"
#include "nodes_int.h"
#include "power.h"
#include "power_int.h"
#include "power_prog.h"
#include "rpc.h"
#include "state.h"
#include "states.h"

#define BACKOFF_FIRST 10
#define BACKOFF_MAX 3600
#define SUSPEND_TIMEOUT 60
#define RATE_KEEP 4096

struct power {
	struct ctld *c;
	struct power_progs *progs;
	struct pool *pools;	/* [0] on-premise, then conf->pools order */
	size_t npools;
	struct event *timer;
	struct power_keep keep;	/* the keep-idle index (power_burst.c) */
};

/* A program run's context: which nodes, for what. */
struct run {
	struct power *pw;
	bool resume;
	char pool[64];
	char **names;
	size_t n;
};

/* Real time in milliseconds (ResumeTimeout's deadline). */
static int64_t
power_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
node_pool(const struct node *n)
{
	return n->cn && n->cn->pool ? n->cn->pool : "";
}

static struct pool *
pool_get(struct power *pw, const char *name)
{
	for (size_t i = 0; i < pw->npools; i++)
		if (!strcmp(pw->pools[i].name, name))
			return &pw->pools[i];
	pw->pools = hc_realloc(pw->pools, (pw->npools + 1) *
			       sizeof(*pw->pools));
	memset(&pw->pools[pw->npools], 0, sizeof(*pw->pools));
	snprintf(pw->pools[pw->npools].name, sizeof(pw->pools[0].name), "%s",
		 name);
	pool_load(pw->c->state, &pw->pools[pw->npools], time(NULL));
	return &pw->pools[pw->npools++];
}

/* The programs and limits for a pool ("" = on-premise). */
struct pool_conf {
	const char *resume, *suspend, *resume_fail;
	long timeout, suspend_time, rate_count, rate_period, max_nodes;
	double cost;
	const struct conf_node *tmpl;
};

static void
pool_conf(const struct hc_conf *conf, const char *name, struct pool_conf *pc)
{
	const struct conf_pool *cp = *name ? conf_pool_find(conf, name) : NULL;

	memset(pc, 0, sizeof(*pc));
	if (!cp) {
		pc->resume = conf->resume_program;
		pc->suspend = conf->suspend_program;
		pc->timeout = conf->resume_timeout;
		pc->suspend_time = conf->suspend_time;
		pc->rate_count = conf->rate_count;
		pc->rate_period = conf->rate_period;
		pc->max_nodes = -1;
		return;
	}
	pc->resume = cp->resume_program;
	pc->suspend = cp->suspend_program;
	pc->resume_fail = cp->resume_fail_program;
	pc->timeout = cp->resume_timeout;
	pc->suspend_time = cp->suspend_time;
	pc->rate_count = cp->rate_count;
	pc->rate_period = cp->rate_period;
	pc->max_nodes = cp->max_nodes;
	pc->cost = cp->cost;
	pc->tmpl = &cp->tmpl;
}

/* Nodes of the pool up or starting. */
static long
pool_active(struct power *pw, const char *name)
{
	struct nodes *ns = pw->c->nodes;
	long k = 0;

	for (size_t i = 0; i < nodes_count(ns); i++) {
		struct node *n = nodes_at(ns, i);
		if (!strcmp(node_pool(n), name) && n->base != NODE_CLOUD &&
		    n->base != NODE_DOWN && !(n->flags & NODE_F_POWERED_DOWN))
			k++;
	}
	return k;
}

static bool resumable(const struct node *n);

/* Nodes of cloud pool `name` that could start now; *releasing: those whose
 * SuspendProgram still runs (they may start again once it ends). */
static long
pool_startable(struct power *pw, const char *name, long *releasing)
{
	struct nodes *ns = pw->c->nodes;
	long k = 0;

	*releasing = 0;
	for (size_t i = 0; i < nodes_count(ns); i++) {
		struct node *n = nodes_at(ns, i);
		if (strcmp(node_pool(n), name))
			continue;
		k += resumable(n);
		*releasing += (n->flags & NODE_F_POWERING_DOWN) != 0;
	}
	return k;
}

long
power_pool_room(struct power *pw, const char *name, time_t now, char *why,
		size_t len)
{
	struct pool *p = pool_get(pw, name);
	struct pool_conf pc;
	long room, recent = 0;

	pool_conf(pw->c->conf, name, &pc);
	if (p->breaker) {
		snprintf(why, len, "CloudPoolStopped:%s", name);
		return 0;
	}
	if (now < p->backoff_until) {
		snprintf(why, len, "CloudBackoff:%s", name);
		return 0;
	}
	for (size_t i = 0; i < p->nstarts; i++)
		recent += now - p->starts[i] < pc.rate_period;
	room = pc.rate_count - recent;
	if (room <= 0) {
		snprintf(why, len, "ResumeRate:%s", name);
		return 0;
	}
	/* A cloud pool starts only its unstarted nodes: none left (all up,
	 * booting, down or being released) is a limit too, not NodeBooting
	 * for a node that will never start; a released node's job is
	 * planned again the moment its SuspendProgram ends. */
	if (*name) {
		long releasing, k = pool_startable(pw, name, &releasing);
		if (k < room)
			room = k;
		if (room <= 0) {
			snprintf(why, len, "%s:%s", releasing ?
				 "CloudNodeReleasing" : "CloudPoolFull",
				 name);
			return 0;
		}
	}
	if (pc.max_nodes >= 0 && pc.max_nodes - pool_active(pw, name) < room)
		room = pc.max_nodes - pool_active(pw, name);
	if (room <= 0) {
		snprintf(why, len, "CloudMaxNodes:%s", name);
		return 0;
	}
	if (p->probing && room > 1)
		room = pool_active(pw, name) ? 0 : 1;
	if (room <= 0)
		snprintf(why, len, "CloudBackoff:%s", name);
	return room;
}

static void
pool_started(struct pool *p, time_t now, size_t k)
{
	size_t keep = 0;

	/* drop starts older than an hour (the longest period) */
	for (size_t i = 0; i < p->nstarts; i++)
		if (now - p->starts[i] < 3600)
			p->starts[keep++] = p->starts[i];
	p->nstarts = keep;
	for (size_t i = 0; i < k && p->nstarts < RATE_KEEP; i++) {
		p->starts = hc_realloc(p->starts, (p->nstarts + 1) *
				       sizeof(*p->starts));
		p->starts[p->nstarts++] = now;
	}
}

static void
pool_backoff(struct power *pw, struct pool *p, time_t now, const char *why)
{
	char subj[128];

	p->backoff_s = p->backoff_s ? p->backoff_s * 2 : BACKOFF_FIRST;
	if (p->backoff_s > BACKOFF_MAX)
		p->backoff_s = BACKOFF_MAX;
	p->backoff_until = now + p->backoff_s;
	p->probing = true;
	hc_log(HC_LOG_WARN, "pool=%s backs off for %lds: %s", p->name,
	       p->backoff_s, why);
	pool_save(pw->c->state, p);
	snprintf(subj, sizeof(subj), "pool:%s", p->name);
	audit_append(pw->c->audit, 0, "power_backoff", subj, json_pack(
		"{s:I,s:s}", "seconds", (json_int_t)p->backoff_s, "why", why));
}

static void
pool_trip(struct power *pw, struct pool *p, const char *why)
{
	char subj[128];

	if (p->breaker)
		return;
	p->breaker = true;
	snprintf(p->breaker_why, sizeof(p->breaker_why), "%s", why);
	pool_save(pw->c->state, p);
	hc_log(HC_LOG_ERR, "pool=%s stopped: %s; fix the provider, then "
	       "hcctl update node NODE State=RESUME on a node of the pool",
	       p->name, why);
	snprintf(subj, sizeof(subj), "pool:%s", p->name);
	audit_append(pw->c->audit, 0, "power_breaker", subj, json_pack(
		"{s:s}", "why", why));
}

static void
run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->names[i]);
	free(r->names);
	free(r);
}

static void
boot_jobs_clear(struct node *n)
{
	free(n->boot_jobs);
	n->boot_jobs = NULL;
	n->nboot_jobs = 0;
}

static void
node_set_power_state(struct power *pw, struct node *n, int base,
		     unsigned set, unsigned clear, const char *reason,
		     uid_t uid)
{
	char before[128];

	node_state_format(n->base, n->flags, before, sizeof(before));
	n->base = base;
	n->flags = (n->flags & ~clear) | set;
	n->state_since = time(NULL);
	node_set_reason(n, reason, uid);
	node_state_changed(pw->c->nodes, n, before, HC_LOG_INFO);
	nodes_save(pw->c->nodes, n);
}

/* The node's time up ends now: count it against its pool. */
static void
node_charge(struct power *pw, struct node *n, time_t now)
{
	struct pool *p;

	if (!n->up_since)
		return;
	p = pool_get(pw, node_pool(n));
	pool_period(p, now);
	p->node_secs += (double)(now - n->up_since);
	n->up_since = 0;
	pool_save(pw->c->state, p);
}

/* A start failed for n: back to the pool, or DOWN. */
static void
resume_failed(struct power *pw, struct node *n, enum power_status st,
	      const char *msg)
{
	struct pool *p = pool_get(pw, node_pool(n));
	char reason[512];
	bool cloud = n->cn && n->cn->pool;

	node_charge(pw, n, time(NULL));
	boot_jobs_clear(n);
	if (st == POWER_TRANSIENT) {
		snprintf(reason, sizeof(reason), "ResumeProgram: transient "
			 "failure: %s", msg && *msg ? msg : "(no message)");
		node_set_power_state(pw, n, cloud ? NODE_CLOUD : n->base, 0,
				     NODE_F_POWERING_UP, reason, 0);
		pool_backoff(pw, p, time(NULL), reason);
		return;
	}
	snprintf(reason, sizeof(reason), "ResumeProgram failed: %s",
		 msg && *msg ? msg : "(no message)");
	n->power_down = true;
	node_set_power_state(pw, n, NODE_DOWN, 0, NODE_F_POWERING_UP, reason,
			     0);
	pool_trip(pw, p, reason);
}

static void resume_fail_hook(struct power *pw, const char *pool,
			     struct hostlist *failed);

static void
on_resume_done(void *arg, const struct power_result *res)
{
	struct run *r = arg;
	struct power *pw = r->pw;
	struct hostlist *failed = hostlist_create();
	const char *msg;

	for (size_t i = 0; i < r->n; i++) {
		struct node *n = nodes_find(pw->c->nodes, r->names[i]);
		enum power_status st;
		if (!n)
			continue;
		n->power_busy = false;
		st = power_result_for(res, n->name, &msg);
		/* It may have registered before its program ended. */
		if (!(n->flags & NODE_F_POWERING_UP) || st == POWER_DONE)
			continue;
		resume_failed(pw, n, st, msg);
		hostlist_push(failed, n->name);
	}
	if (failed->count) {
		resume_fail_hook(pw, r->pool, failed);
		if (pw->c->jobs)
			jobs_sched_request(pw->c->jobs);
	}
	hostlist_destroy(failed);
	run_free(r);
}

static void
on_nothing(void *arg, const struct power_result *res)
{
	(void)arg;
	(void)res;
}

static void
resume_fail_hook(struct power *pw, const char *pool, struct hostlist *failed)
{
	struct pool_conf pc;
	char *hl;

	pool_conf(pw->c->conf, pool, &pc);
	if (!pc.resume_fail)
		return;
	hl = hostlist_ranged(failed);
	struct power_prog_req rq = { .path = pc.resume_fail,
		.action = "resume_fail", .pool = pool, .nodes = hl,
		.tmpl = pc.tmpl, .timeout_s = SUSPEND_TIMEOUT };
	power_prog_run(pw->progs, &rq, on_nothing, NULL, NULL);
	free(hl);
}

/* The hook for one node whose start failed. */
static void
resume_fail_node(struct power *pw, const struct node *n)
{
	struct hostlist *one = hostlist_create();

	hostlist_push(one, n->name);
	resume_fail_hook(pw, node_pool(n), one);
	hostlist_destroy(one);
}

static bool
resumable(const struct node *n)
{
	if (n->power_busy || (n->flags & (NODE_F_POWERING_UP |
					  NODE_F_POWERING_DOWN)))
		return false;
	if (n->cn && n->cn->pool)
		return n->base == NODE_CLOUD;
	return (n->flags & NODE_F_POWERED_DOWN) != 0;
}

static struct run *
run_new(struct power *pw, const char *pool, bool resume)
{
	struct run *r = hc_calloc(1, sizeof(*r));

	r->pw = pw;
	r->resume = resume;
	snprintf(r->pool, sizeof(r->pool), "%s", pool);
	return r;
}

static void
run_add(struct run *r, struct node *n)
{
	r->names = hc_realloc(r->names, (r->n + 1) * sizeof(char *));
	r->names[r->n++] = hc_strdup(n->name);
}

/* Mark, commit, fork: the resume of the nodes of one pool. */
static int
resume_pool(struct power *pw, const char *pool, struct node **v, size_t n,
	    const char *jobs, uid_t uid, struct hc_err *err)
{
	struct pool_conf pc;
	struct hostlist *hl = hostlist_create();
	struct run *r = run_new(pw, pool, true);
	time_t now = time(NULL);
	char reason[256], *names;
	int rc;

	pool_conf(pw->c->conf, pool, &pc);
	snprintf(reason, sizeof(reason), "Resuming%s%s", jobs && *jobs ?
		 " for job " : "", jobs && *jobs ? jobs : "");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(node_pool(v[i]), pool) || !resumable(v[i]))
			continue;
		v[i]->power_deadline = now + pc.timeout;
		v[i]->power_deadline_ms = power_now_ms() + pc.timeout * 1000;
		v[i]->up_since = now;
		v[i]->power_down = false;
		v[i]->power_busy = true;
		node_set_power_state(pw, v[i], v[i]->base, NODE_F_POWERING_UP,
				     0, reason, uid);
		hostlist_push(hl, v[i]->name);
		run_add(r, v[i]);
	}
	if (!r->n) {
		hostlist_destroy(hl);
		run_free(r);
		return 0;
	}
	pool_started(pool_get(pw, pool), now, r->n);
	pool_save(pw->c->state, pool_get(pw, pool));	/* ResumeRate */
	/* Committed before the fork: after a crash it is awaited, never
	 * started twice, and the start counts against ResumeRate. */
	if (state_commit(pw->c->state, err) < 0) {
		hostlist_destroy(hl);
		run_free(r);
		return -1;
	}
	names = hostlist_ranged(hl);
	hostlist_destroy(hl);
	struct power_prog_req rq = { .path = pc.resume, .action = "resume",
		.pool = pool, .nodes = names, .tmpl = pc.tmpl, .jobs = jobs,
		.timeout_s = pc.timeout };
	rc = power_prog_run(pw->progs, &rq, on_resume_done, r, err);
	free(names);
	if (rc < 0) {
		struct power_result fake = { .status = POWER_TRANSIENT,
			.last_line = err ? err->text : NULL };
		on_resume_done(r, &fake);
	}
	return rc;
}

int
power_resume(struct power *pw, struct node **v, size_t n, const char *jobs,
	     uid_t uid, struct hc_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *pool = node_pool(v[i]);
		struct pool *p = pool_get(pw, pool);
		bool first = true;
		for (size_t j = 0; j < i; j++)
			first &= strcmp(node_pool(v[j]), pool) != 0;
		if (!first)
			continue;
		if (p->breaker)
			return hc_err_set(err, HC_EBUSY, "pool %s is stopped "
					  "(%s); resume one of its nodes with "
					  "State=RESUME once the provider is "
					  "fixed", *pool ? pool : "(on-premise)",
					  p->breaker_why);
		if (resume_pool(pw, pool, v, n, jobs, uid, err) < 0)
			return -1;
	}
	return 0;
}

static void
on_suspend_done(void *arg, const struct power_result *res)
{
	struct run *r = arg;
	struct power *pw = r->pw;
	time_t now = time(NULL);
	const char *msg;
	bool back = false;

	for (size_t i = 0; i < r->n; i++) {
		struct node *n = nodes_find(pw->c->nodes, r->names[i]);
		bool cloud;
		if (!n || !(n->flags & NODE_F_POWERING_DOWN))
			continue;
		n->power_busy = false;
		cloud = n->cn && n->cn->pool;
		if (power_result_for(res, n->name, &msg) == POWER_PERMANENT) {
			char reason[512];
			snprintf(reason, sizeof(reason), "SuspendProgram "
				 "failed: %s", msg && *msg ? msg : "(none)");
			node_set_power_state(pw, n, NODE_DOWN, 0,
					     NODE_F_POWERING_DOWN, reason, 0);
			continue;
		}
		node_charge(pw, n, now);
		if (n->conn) {
			struct rpc_conn *conn = n->conn;
			n->conn = NULL;
			rpc_conn_set_node(conn, NULL);
			rpc_conn_close(conn);
		}
		n->registered = false;
		node_set_power_state(pw, n, cloud ? NODE_CLOUD : NODE_IDLE,
				     cloud ? 0 : NODE_F_POWERED_DOWN,
				     NODE_F_POWERING_DOWN |
				     NODE_F_NOT_RESPONDING, NULL, 0);
		back = true;
	}
	/* Back in the pool: a job that came while it was being released
	 * may start it again now, not at the next periodic pass. */
	if (back && pw->c->jobs)
		jobs_sched_request(pw->c->jobs);
	run_free(r);
}

static int
suspend_pool(struct power *pw, const char *pool, struct node **v, size_t n,
	     const char *why, uid_t uid, struct hc_err *err)
{
	struct pool_conf pc;
	struct hostlist *hl = hostlist_create();
	struct run *r = run_new(pw, pool, false);
	char *names;
	int rc;

	pool_conf(pw->c->conf, pool, &pc);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(node_pool(v[i]), pool) || v[i]->njobs ||
		    v[i]->power_busy || !v[i]->registered ||
		    (v[i]->flags & (NODE_F_POWERING_UP | NODE_F_POWERED_DOWN)))
			continue;
		v[i]->power_busy = true;
		node_set_power_state(pw, v[i], v[i]->base,
				     NODE_F_POWERING_DOWN, 0, why, uid);
		hostlist_push(hl, v[i]->name);
		run_add(r, v[i]);
	}
	if (!r->n || !pc.suspend) {
		hostlist_destroy(hl);
		run_free(r);
		return 0;
	}
	names = hostlist_ranged(hl);
	hostlist_destroy(hl);
	struct power_prog_req rq = { .path = pc.suspend, .action = "suspend",
		.pool = pool, .nodes = names, .tmpl = pc.tmpl,
		.timeout_s = SUSPEND_TIMEOUT };
	rc = power_prog_run(pw->progs, &rq, on_suspend_done, r, err);
	free(names);
	if (rc < 0) {
		struct power_result fake = { .status = POWER_PERMANENT,
			.last_line = err ? err->text : NULL };
		on_suspend_done(r, &fake);
	}
	return rc;
}

int
power_suspend(struct power *pw, struct node **v, size_t n, uid_t uid,
	      struct hc_err *err)
{
	for (size_t i = 0; i < n; i++) {
		bool first = true;
		for (size_t j = 0; j < i; j++)
			first &= strcmp(node_pool(v[j]),
					node_pool(v[i])) != 0;
		if (first && suspend_pool(pw, node_pool(v[i]), v, n,
					  "Suspending (admin)", uid, err) < 0)
			return -1;
	}
	return 0;
}

struct power_keep *
power_keep_of(struct power *pw)
{
	return &pw->keep;
}

struct power_progs *
power_progs_of(struct power *pw)
{
	return pw->progs;
}

struct pool *
power_pool_get(struct power *pw, const char *name)
{
	return pool_get(pw, name);
}

void
power_node_gone(struct power *pw, struct node *n, const char *why)
{
	time_t now = time(NULL);

	if (n->flags & NODE_F_POWERING_UP)
		resume_fail_node(pw, n);
	node_charge(pw, n, now);
	boot_jobs_clear(n);
	n->power_busy = false;
	n->power_deadline = 0;
	n->power_down = false;
	node_set_power_state(pw, n, NODE_CLOUD, 0, NODE_F_POWERING_UP |
			     NODE_F_POWERING_DOWN | NODE_F_NOT_RESPONDING,
			     why, 0);
	pool_backoff(pw, pool_get(pw, node_pool(n)), now, why);
	if (pw->c->jobs)
		jobs_sched_request(pw->c->jobs);
}

/* Whether starting node n's ResumeTimeout is over: to the millisecond
 * when its start was seen (the seconds alone made it end up to 1 s
 * early), else (awaited across a restart) to the second. */
static bool
deadline_passed(const struct node *n, time_t now, int64_t now_ms)
{
	if (!(n->flags & NODE_F_POWERING_UP) || !n->power_deadline)
		return false;
	if (n->power_deadline_ms)
		return now_ms >= n->power_deadline_ms;
	return now >= n->power_deadline;
}

/* Each tick: deadlines of starting nodes, idle nodes to stop. */
static void
power_tick(struct power *pw, time_t now)
{
	struct nodes *ns = pw->c->nodes;
	bool replan = false;
	int64_t now_ms = power_now_ms();

	for (size_t i = 0; i < nodes_count(ns); i++) {
		struct node *n = nodes_at(ns, i);
		struct pool_conf pc;
		char reason[256];
		if (deadline_passed(n, now, now_ms)) {
			pool_conf(pw->c->conf, node_pool(n), &pc);
			snprintf(reason, sizeof(reason), "ResumeTimeout: not "
				 "registered within %lds", pc.timeout);
			node_charge(pw, n, now);
			boot_jobs_clear(n);
			n->power_down = true;
			n->power_busy = false;
			node_set_power_state(pw, n, NODE_DOWN, 0,
					     NODE_F_POWERING_UP, reason, 0);
			pool_backoff(pw, pool_get(pw, node_pool(n)), now,
				     reason);
			resume_fail_node(pw, n);
			replan = true;
			continue;
		}
		if (!n->registered || !n->conn || n->njobs || n->power_busy ||
		    (n->flags & (NODE_F_DRAIN | NODE_F_POWERING_DOWN)) ||
		    n->base != NODE_IDLE) {
			n->idle_since = 0;
			continue;
		}
		if (!(n->cn && n->cn->pool) &&
		    !conf_node_power_save(pw->c->conf, n->cn))
			continue;
		if (!n->idle_since) {
			n->idle_since = now;
			continue;
		}
		pool_conf(pw->c->conf, node_pool(n), &pc);
		if (pc.suspend_time <= 0 || now - n->idle_since <
		    pc.suspend_time || power_node_planned(pw, n, now +
							     pc.suspend_time))
			continue;
		snprintf(reason, sizeof(reason), "Suspending: idle for %lds",
			 (long)(now - n->idle_since));
		suspend_pool(pw, node_pool(n), &n, 1, reason, 0, NULL);
	}
	if (replan && pw->c->jobs)
		jobs_sched_request(pw->c->jobs);
	power_list_tick(pw, now);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	power_tick(arg, time(NULL));
}

int
power_on_register(struct power *pw, struct node *n, struct hc_err *err)
{
	bool cloud = n->cn && n->cn->pool;
	struct pool *p;
	time_t now = time(NULL);
	char subj[128];

	/* Security: a cloud node is accepted only when hcctld itself
	 * started it (POWERING_UP), or it was up before (a reconnect); its
	 * certificate was already checked against the cluster CA. */
	if (cloud && n->base == NODE_CLOUD &&
	    !(n->flags & NODE_F_POWERING_UP))
		return hc_err_set(err, HC_EPERM, "node %s is a node of cloud "
				  "pool %s that hcctld did not start; it "
				  "starts them through the pool's "
				  "ResumeProgram", n->name, n->cn->pool);
	if (!(n->flags & (NODE_F_POWERING_UP | NODE_F_POWERED_DOWN)) &&
	    !n->power_down)
		return 0;
	p = pool_get(pw, node_pool(n));
	p->backoff_s = 0;
	p->backoff_until = 0;
	p->probing = false;
	if (n->base == NODE_CLOUD || n->power_down)
		n->base = NODE_UNKNOWN;		/* IDLE once registered */
	if (!n->up_since)
		n->up_since = now;
	hc_log(HC_LOG_INFO, "node=%s pool=%s up after %lds", n->name,
	       node_pool(n), (long)(now - n->state_since));
	if (n->flags & NODE_F_POWERING_UP)
		p->boot_avg = p->boot_avg > 0 ?
			      0.7 * p->boot_avg + 0.3 * (double)(now -
							  n->state_since) :
			      (double)(now - n->state_since);
	pool_save(pw->c->state, p);
	boot_jobs_clear(n);
	snprintf(subj, sizeof(subj), "node:%s", n->name);
	audit_append(pw->c->audit, 0, "power_node_up", subj, json_pack(
		"{s:s,s:I}", "pool", node_pool(n), "boot_s",
		(json_int_t)(now - n->state_since)));
	n->flags &= ~(NODE_F_POWERING_UP | NODE_F_POWERED_DOWN);
	n->power_down = false;
	n->power_deadline = 0;
	n->state_since = now;
	n->idle_since = 0;
	if (n->reason && !strncmp(n->reason, "Resum", 5))
		node_set_reason(n, NULL, 0);
	return 0;
}

bool
power_expects_disconnect(const struct node *n)
{
	return (n->flags & (NODE_F_POWERING_DOWN | NODE_F_POWERED_DOWN)) ||
	       n->base == NODE_CLOUD;
}

void
power_node_reset(struct power *pw, struct node *n)
{
	struct pool *p = pool_get(pw, node_pool(n));

	if (n->cn && n->cn->pool && !n->conn) {
		n->base = NODE_CLOUD;
		n->flags &= ~(NODE_F_POWERING_UP | NODE_F_NOT_RESPONDING);
		n->state_since = time(NULL);
	}
	n->power_down = false;
	if (p->breaker)
		hc_log(HC_LOG_INFO, "pool=%s started again by an admin",
		       p->name);
	p->breaker = false;
	p->breaker_why[0] = '\0';
	p->backoff_s = 0;
	p->backoff_until = 0;
	p->probing = false;
	pool_save(pw->c->state, p);
}

void
power_node_json(const struct node *n, json_t *o)
{
	json_object_set_new(o, "pool", json_string(node_pool(n)));
	json_object_set_new(o, "state_since", json_integer(n->state_since));
	json_object_set_new(o, "power_deadline",
			    json_integer(n->power_deadline));
}

struct ctld *
power_ctld(struct power *pw)
{
	return pw->c;
}

long
power_pool_boot_s(struct power *pw, const char *pool)
{
	double b = pool_get(pw, pool)->boot_avg;

	return b > 0 ? (long)(b + 0.5) : POWER_BOOT_GUESS;
}

void
power_node_save(const struct node *n, json_t *rec)
{
	json_t *jobs = json_array();

	for (uint32_t i = 0; i < n->nboot_jobs; i++)
		json_array_append_new(jobs, json_integer(n->boot_jobs[i]));
	json_object_set_new(rec, "power", json_pack(
		"{s:I,s:I,s:I,s:b,s:b,s:b,s:b}",
		"state_since", (json_int_t)n->state_since,
		"deadline", (json_int_t)n->power_deadline,
		"up_since", (json_int_t)n->up_since,
		"powering_up", (n->flags & NODE_F_POWERING_UP) != 0,
		"powered_down", (n->flags & NODE_F_POWERED_DOWN) != 0,
		"power_down", n->power_down,
		"cloud_up", n->base != NODE_CLOUD));
	json_object_set_new(json_object_get(rec, "power"), "boot_jobs", jobs);
}

void
power_node_restore(struct node *n, const json_t *rec)
{
	const json_t *p = json_object_get(rec, "power");

	const json_t *jobs, *v;
	size_t i;

	if (!p)
		return;
	jobs = json_object_get(p, "boot_jobs");
	boot_jobs_clear(n);
	json_array_foreach(jobs, i, v)
		power_node_boot_job(n, (uint32_t)json_integer_value(v));
	if (json_integer_value(json_object_get(p, "state_since")))
		n->state_since = json_integer_value(json_object_get(p,
							"state_since"));
	n->power_deadline = json_integer_value(json_object_get(p, "deadline"));
	n->power_deadline_ms = 0;
	n->up_since = json_integer_value(json_object_get(p, "up_since"));
	n->power_down = json_is_true(json_object_get(p, "power_down"));
	if (json_is_true(json_object_get(p, "powering_up")))
		n->flags |= NODE_F_POWERING_UP;	/* awaited, not run again */
	if (json_is_true(json_object_get(p, "powered_down")))
		n->flags |= NODE_F_POWERED_DOWN;
	if (n->power_down)
		n->base = NODE_DOWN;
	else if (n->cn && n->cn->pool &&
		 json_is_true(json_object_get(p, "cloud_up")) &&
		 !(n->flags & NODE_F_POWERING_UP))
		n->base = NODE_UNKNOWN;	/* was up: it reconnects */
}

void
power_node_boot_job(struct node *n, uint32_t job)
{
	for (uint32_t i = 0; i < n->nboot_jobs; i++)
		if (n->boot_jobs[i] == job)
			return;
	n->boot_jobs = hc_realloc(n->boot_jobs, (n->nboot_jobs + 1) *
				  sizeof(*n->boot_jobs));
	n->boot_jobs[n->nboot_jobs++] = job;
}

static int
id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The jobs waiting for the pool's starting nodes (its pending resumes):
 * their ids, sorted, each once. */
static json_t *
pool_waiting_jobs(struct power *pw, const char *pool)
{
	json_t *a = json_array();
	uint32_t *ids = NULL;
	size_t n = 0;

	for (size_t k = 0; k < nodes_count(pw->c->nodes); k++) {
		struct node *nd = nodes_at(pw->c->nodes, k);
		if (!(nd->flags & NODE_F_POWERING_UP) ||
		    strcmp(node_pool(nd), pool) || !nd->nboot_jobs)
			continue;
		ids = hc_realloc(ids, (n + nd->nboot_jobs) * sizeof(*ids));
		memcpy(ids + n, nd->boot_jobs, nd->nboot_jobs * sizeof(*ids));
		n += nd->nboot_jobs;
	}
	if (n)
		qsort(ids, n, sizeof(*ids), id_cmp);
	for (size_t i = 0; i < n; i++)
		if (!i || ids[i] != ids[i - 1])
			json_array_append_new(a, json_integer(ids[i]));
	free(ids);
	return a;
}

json_t *
power_pools_json(struct power *pw, time_t now)
{
	const struct hc_conf *conf = pw->c->conf;
	json_t *a = json_array();

	for (size_t i = 0; i < conf->pool_count; i++) {
		const struct conf_pool *cp = &conf->pools[i];
		struct pool *p = pool_get(pw, cp->name);
		long counts[5] = { 0 };	/* cloud, booting, up, down, stopping */
		double secs;
		char why[128] = "";
		long room = power_pool_room(pw, cp->name, now, why,
					    sizeof(why));
		pool_period(p, now);
		secs = p->node_secs;
		for (size_t k = 0; k < nodes_count(pw->c->nodes); k++) {
			struct node *n = nodes_at(pw->c->nodes, k);
			if (strcmp(node_pool(n), cp->name))
				continue;
			if (n->up_since)
				secs += (double)(now - n->up_since);
			if (n->flags & NODE_F_POWERING_UP)
				counts[1]++;
			else if (n->flags & NODE_F_POWERING_DOWN)
				counts[4]++;
			else if (n->base == NODE_CLOUD)
				counts[0]++;
			else if (n->base == NODE_DOWN)
				counts[3]++;
			else
				counts[2]++;
		}
		json_array_append_new(a, json_pack(
			"{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:I,"
			"s:b,s:s,s:I,s:I,s:s}",
			"name", cp->name, "nodes", cp->nodes,
			"cloud", (json_int_t)counts[0],
			"powering_up", (json_int_t)counts[1],
			"up", (json_int_t)counts[2],
			"down", (json_int_t)counts[3],
			"powering_down", (json_int_t)counts[4],
			"max_nodes", (json_int_t)cp->max_nodes,
			"cost_per_node_hour", cp->cost,
			"node_hours", secs / 3600.0,
			"cost", secs / 3600.0 * cp->cost,
			"burst_after", (json_int_t)cp->burst_after,
			"stopped", p->breaker, "stopped_why", p->breaker_why,
			"backoff_until", (json_int_t)p->backoff_until,
			"can_start", (json_int_t)room, "limit", why));
		json_object_set_new(json_array_get(a, json_array_size(a) - 1),
				    "period", json_string(p->period));
		json_object_set_new(json_array_get(a, json_array_size(a) - 1),
				    "jobs_waiting",
				    pool_waiting_jobs(pw, cp->name));
	}
	return a;
}

struct power *
power_create(struct ctld *c, struct hc_err *err)
{
	struct power *pw = hc_calloc(1, sizeof(*pw));
	/* Four times a second: a deadline or SuspendTime is met within
	 * 0.25 s (the loop over the nodes is cheap). */
	struct timeval tv = { 0, 250000 };

	pw->c = c;
	if (!(pw->progs = power_progs_create(c, err))) {
		free(pw);
		return NULL;
	}
	if (c->base) {
		pw->timer = event_new(c->base, -1, EV_PERSIST, on_timer, pw);
		if (!pw->timer || event_add(pw->timer, &tv) < 0) {
			power_destroy(pw);
			hc_err_set(err, HC_EIO, "power: cannot start its "
				   "timer");
			return NULL;
		}
	}
	/* Nodes awaited from before a restart: say so. */
	for (size_t i = 0; i < nodes_count(c->nodes); i++) {
		struct node *n = nodes_at(c->nodes, i);
		if (n->flags & NODE_F_POWERING_UP)
			hc_log(HC_LOG_INFO, "node=%s POWERING_UP since before "
			       "the restart: awaited until %lld, not started "
			       "again", n->name, (long long)n->power_deadline);
	}
	return pw;
}

void
power_destroy(struct power *pw)
{
	if (!pw)
		return;
	if (pw->timer)
		event_free(pw->timer);
	power_progs_destroy(pw->progs);
	for (size_t i = 0; i < pw->npools; i++)
		free(pw->pools[i].starts);
	free(pw->pools);
	free(pw->keep.start);
	free(pw);
}
