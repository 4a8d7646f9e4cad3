/*
 * usage: fair-share usage in the controller (see usage.h): the ledger's
 * records in LMDB, the charging tick, and the per-pass snapshot.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include "accounts.h"
#include "billing.h"
#include "conf.h"
#include "ctld.h"
#include "fairshare.h"
#include "job.h"
#include "jobs_int.h"
#include "log.h"
#include "sched.h"
#include "sched_snap.h"
#include "state.h"
#include "states.h"
#include "usage.h"

#define TICK_KEY "#tick"

struct usage {
	struct ctld *c;	/* borrowed */
	struct fs_ledger *ledger;
	struct billing billing;
	time_t last;		/* the last tick (0: none yet) */
	struct event *ev;
};

struct usage_snap {
	struct fs_ledger *ledger;
	struct sched_prio_conf prio;
	size_t nq;
	struct {
		char name[64];
		uint32_t tier, weight;
	} q[64];
};

static int
load_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct usage *u = arg;
	char k[FS_KEY_MAX];

	if (klen >= sizeof(k))
		return 0;
	memcpy(k, key, klen);
	k[klen] = '\0';
	if (!strcmp(k, TICK_KEY)) {
		u->last = (time_t)json_integer_value(json_object_get(rec,
								     "at"));
		return 0;
	}
	fs_ledger_set(u->ledger, k,
		      json_number_value(json_object_get(rec, "usage")),
		      (time_t)json_integer_value(json_object_get(rec, "at")));
	return 0;
}

static int
usage_conf(struct usage *u, const struct hc_conf *conf, struct hc_err *err)
{
	if (billing_parse(conf->billing_weights, &u->billing, err) < 0)
		return -1;
	fs_ledger_set_half_life(u->ledger,
				(double)conf->prio_decay_half_life);
	return 0;
}

static void
usage_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct usage *u = arg;

	if (!u->c->shutting_down)
		usage_tick(u, time(NULL));
}

struct usage *
usage_create(struct ctld *c, struct hc_err *err)
{
	struct usage *u = hc_calloc(1, sizeof(*u));
	struct timeval tv = { c->conf->prio_calc_period, 0 };

	u->c = c;
	u->ledger = fs_ledger_create((double)c->conf->prio_decay_half_life);
	if (usage_conf(u, c->conf, err) < 0 ||
	    state_walk(c->state, STATE_DB_USAGE, load_one, u, err) < 0) {
		usage_destroy(u);
		return NULL;
	}
	fs_ledger_clean(u->ledger);
	hc_log(HC_LOG_DEBUG, "usage records=%zu last_tick=%lld",
	       fs_ledger_count(u->ledger), (long long)u->last);
	if (c->base) {
		u->ev = event_new(c->base, -1, EV_PERSIST, usage_tick_cb, u);
		if (!u->ev || event_add(u->ev, &tv) < 0) {
			hc_err_set(err, HC_ENOMEM, "cannot create the usage "
				   "tick");
			usage_destroy(u);
			return NULL;
		}
	}
	return u;
}

void
usage_destroy(struct usage *u)
{
	if (!u)
		return;
	if (u->ev)
		event_free(u->ev);
	fs_ledger_destroy(u->ledger);
	free(u);
}

struct fs_ledger *
usage_ledger(struct usage *u)
{
	return u->ledger;
}

int
usage_reconfigure(struct usage *u, struct hc_err *err)
{
	struct timeval tv = { u->c->conf->prio_calc_period, 0 };

	if (usage_conf(u, u->c->conf, err) < 0)
		return -1;
	if (u->ev)
		event_add(u->ev, &tv);
	return 0;
}

/* What j costs per second (its allocation, BillingWeights). */
static double
job_rate(const struct usage *u, const struct job *j)
{
	uint64_t cpus = 0, mem = 0, gpus = 0;

	for (uint32_t k = 0; k < j->nalloc; k++) {
		cpus += j->alloc[k].ncpus;
		mem += j->alloc[k].mem_mb;
		gpus += j->alloc[k].ngpus;
	}
	return billing_rate(&u->billing, cpus, mem, gpus, j->gpu_type, NULL);
}

static void
charge_job(struct usage *u, const struct job *j, time_t now)
{
	time_t t0 = j->start_time, t1 = j->end_time ? j->end_time : now;
	char key[FS_KEY_MAX];
	double rate;

	if (j->state == JOB_PENDING || !j->start_time || !j->nalloc)
		return;
	if (u->last > t0)
		t0 = u->last;
	if (t1 > now)
		t1 = now;
	if (t1 <= t0 || (rate = job_rate(u, j)) <= 0)
		return;
	fs_key_user(usage_job_account(u->c, j), j->user, key, sizeof(key));
	fs_ledger_charge(u->ledger, key, rate, t0, t1);
	fs_key_queue(j->queue, key, sizeof(key));
	fs_ledger_charge(u->ledger, key, rate, t0, t1);
}

/* Write the dirty records and the tick's time (current transaction). */
static void
usage_save(struct usage *u, time_t now)
{
	struct hc_err err = { 0 };

	for (size_t i = 0; i < fs_ledger_count(u->ledger); i++) {
		struct fs_ledger_entry *e = fs_ledger_at(u->ledger, i);
		json_t *rec;

		if (!e->dirty)
			continue;
		rec = json_pack("{s:f, s:I}", "usage", e->u.value, "at",
				(json_int_t)e->u.at);
		if (state_put(u->c->state, STATE_DB_USAGE, e->key,
			      strlen(e->key), rec, &err) < 0)
			hc_log_limited("usage-save", HC_LOG_ERR, "usage key=%s "
				       "cannot save: %s", e->key, err.text);
		json_decref(rec);
	}
	fs_ledger_clean(u->ledger);
	if (now) {
		json_t *rec = json_pack("{s:I}", "at", (json_int_t)now);

		if (state_put(u->c->state, STATE_DB_USAGE, TICK_KEY,
			      strlen(TICK_KEY), rec, &err) < 0)
			hc_log_limited("usage-save", HC_LOG_ERR, "usage tick "
				       "cannot save: %s", err.text);
		json_decref(rec);
	}
}

void
usage_tick(struct usage *u, time_t now)
{
	struct jobs *js = u->c->jobs;

	if (!js || now <= u->last)
		return;
	if (u->last)	/* the first tick only marks the start */
		for (size_t i = 0; i < js->n; i++)
			charge_job(u, js->v[i], now);
	u->last = now;
	usage_save(u, now);	/* committed with the loop turn */
}

static struct usage_snap *
usage_snap_build(struct usage *u)
{
	const struct hc_conf *conf = u->c->conf;
	struct usage_snap *s = hc_calloc(1, sizeof(*s));

	s->ledger = fs_ledger_copy(u->ledger);
	s->prio = (struct sched_prio_conf){
		.w_age = (double)conf->prio_weight_age,
		.w_jobsize = (double)conf->prio_weight_jobsize,
		.w_queue = (double)conf->prio_weight_queue,
		.w_fairshare = (double)conf->prio_weight_fairshare,
		.w_queue_fs = (double)conf->prio_weight_queue_fs,
		.w_qos = (double)conf->prio_weight_qos,
		.max_age = conf->prio_max_age,
		.favor_small = conf->prio_favor_small,
	};
	for (size_t q = 0; q < conf->queue_count && q < 64; q++) {
		snprintf(s->q[q].name, sizeof(s->q[q].name), "%s",
			 conf->queues[q].name);
		s->q[q].tier = (uint32_t)conf->queues[q].priority_tier;
		s->q[q].weight = (uint32_t)conf->queues[q].fairshare_weight;
		s->nq = q + 1;
	}
	return s;
}

static void
usage_snap_install(struct sched *sc, void *data)
{
	struct usage_snap *s = data;

	sched_set_priority(sc, &s->prio);
	for (size_t q = 0; q < s->nq; q++)
		sched_set_queue(sc, (uint32_t)q, s->q[q].name, s->q[q].tier,
				s->q[q].weight);
	sched_set_usage(sc, s->ledger);
}

/* The pass is over: sc forgets the ledger before the snapshot goes. */
static void
usage_snap_uninstall(struct sched *sc, void *data)
{
	sched_set_usage(sc, NULL);
}

static void
usage_snap_free(void *data)
{
	struct usage_snap *s = data;

	if (!s)
		return;
	fs_ledger_destroy(s->ledger);
	free(s);
}

void
usage_snap_part(struct sched_snap *s, struct jobs *js)
{
	struct sched_snap_part part = {
		.install = usage_snap_install,
		.uninstall = usage_snap_uninstall,
		.free = usage_snap_free,
	};

	if (!js->c->usage)
		return;
	part.data = usage_snap_build(js->c->usage);
	sched_snap_add_part(s, &part);
}

int
usage_reset(struct usage *u, const char *const *accounts, size_t n,
	    struct hc_err *err)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < fs_ledger_count(u->ledger); i++) {
		struct fs_ledger_entry *e = fs_ledger_at(u->ledger, i);

		for (size_t a = 0; a < n; a++) {
			size_t len = strlen(accounts[a]);

			if (!strncmp(e->key, "U:", 2) &&
			    !strncmp(e->key + 2, accounts[a], len) &&
			    e->key[2 + len] == '/')
				fs_ledger_set(u->ledger, e->key, 0, now);
		}
	}
	usage_save(u, 0);
	hc_log(HC_LOG_INFO, "usage reset accounts=%zu", n);
	return 0;
}

const char *
usage_job_account(struct ctld *c, const struct job *j)
{
	const char *a = j->account ? j->account : c->conf->default_account;

	if (!a || !*a || !c->accounts ||
	    !accounts_find(c->accounts, ACCT_ACCOUNT, a))
		return "root";
	return a;
}

/* Whether account o is name or lies below it. */
static bool
in_subtree(struct accounts *a, struct acct_obj *o, const char *name)
{
	for (int depth = 0; o && depth < 64; depth++) {
		if (!strcmp(o->name, name))
			return true;
		o = accounts_parent(a, o);
	}
	return false;
}

int
usage_update_account(struct ctld *c, const char *verb, const char *object,
		     const char *name, json_t *set, struct hc_err *err)
{
	const char *v = json_string_value(json_object_get(set, "RawUsage"));
	struct acct_obj **all;
	const char **names;
	size_t n, k = 0;
	int rc;

	if (!json_object_get(set, "RawUsage"))
		return 0;
	if (strcmp(object, "account") != 0 || strcmp(verb, "update") != 0)
		return hc_err_set(err, HC_EINVAL, "RawUsage: only `hcctl "
				  "update account NAME RawUsage=0` takes it");
	if (!v || strcmp(v, "0") != 0)
		return hc_err_set(err, HC_EINVAL, "RawUsage=%s: usage can only "
				  "be reset; write RawUsage=0", v ? v : "?");
	if (!c->accounts || !accounts_find(c->accounts, ACCT_ACCOUNT, name))
		return hc_err_set(err, HC_ENOENT, "no such account; hcctl "
				  "show account lists them");
	all = accounts_list(c->accounts, ACCT_ACCOUNT, &n);
	names = hc_calloc(n ? n : 1, sizeof(*names));
	for (size_t i = 0; i < n; i++)
		if (in_subtree(c->accounts, all[i], name))
			names[k++] = all[i]->name;
	rc = usage_reset(c->usage, names, k, err);
	free(names);
	json_object_del(set, "RawUsage");
	return rc < 0 ? -1 : 1;
}
