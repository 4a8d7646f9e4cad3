/*
 * resv_rpc: `hcctl create|update|delete|show reservation`.
 *
 * RESV_UPDATE {"action", "name", "set"} is admin-only (rpc.c's table).
 * The keys are read through one table; times are read on the controller's
 * clock (StartTime=now+1hour means an hour from when hcctld reads it).
 * create and update build the whole new reservation aside, check it
 * (window, nodes, clashes with running jobs and other reservations),
 * and only then replace the old one, so a refused update changes nothing.
 */
#include "config.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "ctld.h"
#include "log.h"
#include "parse.h"
#include "resv.h"
#include "rpc.h"

/* What the keys of one request say, before they become a reservation. */
struct resv_set {
	const char *nodes;		/* Nodes= */
	bool times;			/* a time key was given */
	bool has_end, has_dur;
	long dur;			/* seconds */
};

typedef int resv_key_fn(struct resv *r, struct resv_set *rs,
			const char *val, time_t now, struct hc_err *err);

static int
key_start(struct resv *r, struct resv_set *rs, const char *val, time_t now,
	  struct hc_err *err)
{
	long span = r->end - r->start;

	if (parse_datetime(val, now, &r->start, err) < 0)
		return hc_err_prefix(err, "StartTime=%s: ", val);
	if (r->start < now - 60)
		return hc_err_set(err, HC_EINVAL, "StartTime=%s is in the "
				  "past; give now, now+1hour or a later "
				  "time", val);
	if (!rs->has_end && !rs->has_dur && span > 0)
		r->end = r->start + span;	/* update keeps the length */
	rs->times = true;
	return 0;
}

static int
key_end(struct resv *r, struct resv_set *rs, const char *val, time_t now,
	struct hc_err *err)
{
	if (parse_datetime(val, now, &r->end, err) < 0)
		return hc_err_prefix(err, "EndTime=%s: ", val);
	rs->has_end = rs->times = true;
	return 0;
}

static int
key_duration(struct resv *r, struct resv_set *rs, const char *val,
	     time_t now, struct hc_err *err)
{
	long m;

	/* Slurm's minutes ("120", "2:00:00", "1-0"), or "2h", "30min". */
	if (parse_time_limit(val, &m, NULL) == 0 && m > 0)
		rs->dur = m * 60;
	else if (parse_duration_secs(val, &rs->dur, err) < 0 || rs->dur <= 0)
		return hc_err_set(err, HC_EINVAL, "Duration=%s: give minutes "
				  "(120), H:MM:SS, D-HH or 2h, 30min", val);
	rs->has_dur = rs->times = true;
	return 0;
}

static int
key_nodes(struct resv *r, struct resv_set *rs, const char *val, time_t now,
	  struct hc_err *err)
{
	rs->nodes = val;
	r->node_cnt = r->gpus = 0;
	return 0;
}

static int
key_count(struct resv *r, struct resv_set *rs, const char *val,
	  uint32_t *out, const char *what, struct hc_err *err)
{
	long n;

	if (parse_long(val, 1, 65536, &n, err) < 0)
		return hc_err_prefix(err, "%s=%s: ", what, val);
	r->node_cnt = r->gpus = 0;
	*out = (uint32_t)n;
	rs->nodes = NULL;
	return 0;
}

static int
key_node_cnt(struct resv *r, struct resv_set *rs, const char *val,
	     time_t now, struct hc_err *err)
{
	return key_count(r, rs, val, &r->node_cnt, "NodeCnt", err);
}

static int
key_gpus(struct resv *r, struct resv_set *rs, const char *val, time_t now,
	 struct hc_err *err)
{
	return key_count(r, rs, val, &r->gpus, "Gpus", err);
}

static int
key_users(struct resv *r, struct resv_set *rs, const char *val, time_t now,
	  struct hc_err *err)
{
	char *copy = hc_strdup(val), *save = NULL;

	free(r->uids);
	r->uids = hc_calloc(strlen(val) / 2 + 2, sizeof(*r->uids));
	r->nuids = 0;
	for (char *u = strtok_r(copy, ",", &save); u;
	     u = strtok_r(NULL, ",", &save)) {
		struct passwd *pw = getpwnam(u);
		long id;

		if (pw)
			r->uids[r->nuids++] = (uint32_t)pw->pw_uid;
		else if (parse_long(u, 0, 0x7fffffff, &id, NULL) == 0)
			r->uids[r->nuids++] = (uint32_t)id;
		else {
			hc_err_set(err, HC_EINVAL, "Users=: no user '%s'", u);
			free(copy);
			return -1;
		}
	}
	free(copy);
	free(r->users);
	r->users = hc_strdup(val);
	return 0;
}

static int
key_accounts(struct resv *r, struct resv_set *rs, const char *val,
	     time_t now, struct hc_err *err)
{
	free(r->accounts);
	r->accounts = hc_strdup(val);
	return 0;
}

static int
key_flags(struct resv *r, struct resv_set *rs, const char *val, time_t now,
	  struct hc_err *err)
{
	static const struct { const char *name; uint32_t bit; } names[] = {
		{ "MAINT", SCHED_RESV_MAINT },
		{ "IGNORE_JOBS", SCHED_RESV_IGNORE_JOBS },
		{ "DAILY", SCHED_RESV_DAILY }, { "WEEKLY", SCHED_RESV_WEEKLY },
	};
	char *copy = hc_strdup(val), *save = NULL;
	uint32_t f = 0;

	for (char *w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcasecmp(w, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			hc_err_set(err, HC_EINVAL, "Flags=: unknown flag '%s'; "
				   "give MAINT, IGNORE_JOBS, DAILY, WEEKLY",
				   w);
			free(copy);
			return -1;
		}
		f |= names[i].bit;
	}
	free(copy);
	if ((f & SCHED_RESV_DAILY) && (f & SCHED_RESV_WEEKLY))
		return hc_err_set(err, HC_EINVAL, "Flags=: DAILY and WEEKLY "
				  "exclude each other");
	r->flags = f;
	return 0;
}

static const struct {
	const char *key;
	resv_key_fn *fn;
} resv_keys[] = {
	{ "StartTime", key_start }, { "EndTime", key_end },
	{ "Duration", key_duration }, { "Nodes", key_nodes },
	{ "NodeCnt", key_node_cnt }, { "Gpus", key_gpus },
	{ "Users", key_users }, { "Accounts", key_accounts },
	{ "Flags", key_flags },
};

static struct resv *
resv_copy(const struct resv *o)
{
	struct resv *r = hc_calloc(1, sizeof(*r));

	*r = *o;
	r->name = hc_strdup(o->name);
	r->nodes = hc_strdup(o->nodes ? o->nodes : "");
	r->users = hc_strdup(o->users ? o->users : "");
	r->accounts = hc_strdup(o->accounts ? o->accounts : "");
	r->uids = hc_calloc(o->nuids + 1, sizeof(*r->uids));
	if (o->nuids)
		memcpy(r->uids, o->uids, o->nuids * sizeof(*r->uids));
	r->bits = NULL;
	r->nbits = 0;
	return r;
}

/* Apply set's keys to r (StartTime before the rest, so that EndTime and
 * Duration count from the new start), then check the whole. */
static int
resv_apply(struct ctld *c, struct resv *r, json_t *set, bool create,
	   time_t now, struct hc_err *err)
{
	struct resv_set rs = { 0 };
	bool nodes_key = false;

	for (int pass = 0; pass < 2; pass++) {
		const char *k;
		json_t *v;

		json_object_foreach(set, k, v) {
			size_t i, nk = sizeof(resv_keys) / sizeof(resv_keys[0]);

			for (i = 0; i < nk; i++)
				if (!strcasecmp(k, resv_keys[i].key))
					break;
			if (i == nk)
				return hc_err_set(err, HC_EINVAL, "unknown key "
						  "'%s'", k);
			if (!json_is_string(v))
				return hc_err_set(err, HC_EINVAL, "%s: give "
						  "a string", k);
			if ((pass == 0) != (i == 0))
				continue;
			if (i >= 3 && i <= 5)
				nodes_key = true;
			if (resv_keys[i].fn(r, &rs, json_string_value(v), now,
					    err) < 0)
				return -1;
		}
	}
	if (rs.has_dur)
		r->end = r->start + rs.dur;
	if (create && (!rs.times || !r->start))
		return hc_err_set(err, HC_EINVAL, "give StartTime= and "
				  "EndTime= or Duration=");
	if (r->end <= r->start)
		return hc_err_set(err, HC_EINVAL, "the reservation ends before "
				  "it starts; give a later EndTime= or a "
				  "Duration=");
	if ((r->flags & SCHED_RESV_DAILY) && r->end - r->start > 86400)
		return hc_err_set(err, HC_EINVAL, "Flags=DAILY: the window is "
				  "longer than a day");
	if ((r->flags & SCHED_RESV_WEEKLY) && r->end - r->start > 7 * 86400)
		return hc_err_set(err, HC_EINVAL, "Flags=WEEKLY: the window is "
				  "longer than a week");
	if (create && !nodes_key)
		return hc_err_set(err, HC_EINVAL, "give Nodes=, NodeCnt= or "
				  "Gpus=");
	if (!r->nuids && !*r->accounts)
		return hc_err_set(err, HC_EINVAL, "give Users= and/or "
				  "Accounts=: who may use the reservation");
	/* Nodes chosen again only when asked; otherwise the same ones are
	 * checked against the new window. */
	if (nodes_key || rs.times)
		return resv_pick_nodes(c, r, nodes_key && !r->node_cnt &&
				       !r->gpus ? rs.nodes : nodes_key
				       ? NULL : r->nodes, err);
	return 0;
}

static bool
name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= RESV_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-.", *p))
			return false;
	return true;
}

static void
update_create(struct rpc_req *req, const char *name, json_t *set)
{
	struct ctld *c = req->ctld;
	struct resv *r;
	struct hc_err err = { 0 };
	time_t now = time(NULL);

	if (resvs_find(c->resvs, name)) {
		rpc_reply_err(req, HC_EEXIST, "reservation %s exists; update "
			      "or delete it", name);
		return;
	}
	r = hc_calloc(1, sizeof(*r));
	r->name = hc_strdup(name);
	r->users = hc_strdup("");
	r->accounts = hc_strdup("");
	r->nodes = hc_strdup("");
	if (resv_apply(c, r, set, true, now, &err) < 0 ||
	    resvs_add(c->resvs, r, &err) < 0) {
		resv_free(r);
		rpc_reply_err(req, err.code, "create reservation %s: %s", name,
			      err.text);
		return;
	}
	hc_log(HC_LOG_INFO, "reservation=%s created nodes=%s start=%lld "
	       "end=%lld uid=%u", name, r->nodes, (long long)r->start,
	       (long long)r->end, (unsigned)req->uid);
	audit_admin(c, req->uid, "reservation_create", name);
	rpc_reply(req, json_pack("{s:s, s:s}", "name", name, "nodes",
				 r->nodes));
}

static void
update_change(struct rpc_req *req, struct resv *old, json_t *set)
{
	struct ctld *c = req->ctld;
	struct resv *r = resv_copy(old);
	struct hc_err err = { 0 };
	char *name = hc_strdup(old->name);

	if (json_object_size(set) == 0)
		hc_err_set(&err, HC_EINVAL, "nothing to change; give "
			   "Key=Value");
	if (err.code || resv_apply(c, r, set, false, time(NULL), &err) < 0 ||
	    resvs_remove(c->resvs, old, &err) < 0 ||
	    resvs_add(c->resvs, r, &err) < 0) {
		resv_free(r);
		rpc_reply_err(req, err.code, "update reservation %s: %s",
			      name, err.text);
		free(name);
		return;
	}
	audit_admin(c, req->uid, "reservation_update", name);
	rpc_reply(req, json_pack("{s:s, s:s}", "name", name, "nodes",
				 r->nodes));
	free(name);
}

void
resv_rpc_update(struct rpc_req *req, json_t *body)
{
	struct ctld *c = req->ctld;
	const char *action = json_string_value(json_object_get(body,
							       "action"));
	const char *name = json_string_value(json_object_get(body, "name"));
	json_t *set = json_object_get(body, "set");
	struct resv *r = resvs_find(c->resvs, name);
	struct hc_err err = { 0 };

	/* Security: RPC_ADMIN in the handler table: admins only. */
	if (!name_ok(name)) {
		rpc_reply_err(req, HC_EINVAL, "reservation name '%s': use "
			      "1-63 letters, digits, '_', '-' or '.'",
			      name ? name : "");
		return;
	}
	if (action && !strcmp(action, "create")) {
		update_create(req, name, set);
		return;
	}
	if (!r) {
		rpc_reply_err(req, HC_ENOENT, "no reservation '%s'; see hcctl "
			      "show reservation", name);
		return;
	}
	if (action && !strcmp(action, "update")) {
		update_change(req, r, set);
	} else if (action && !strcmp(action, "delete")) {
		if (resvs_remove(c->resvs, r, &err) < 0) {
			rpc_reply_err(req, err.code, "%s", err.text);
			return;
		}
		audit_admin(c, req->uid, "reservation_delete", name);
		rpc_reply(req, NULL);
	} else {
		rpc_reply_err(req, HC_EINVAL, "action: give create, update or "
			      "delete");
	}
}

void
resv_rpc_query(struct rpc_req *req, json_t *body)
{
	struct ctld *c = req->ctld;
	json_t *names = json_object_get(body, "names");
	json_t *a = json_array();
	time_t now = time(NULL);

	resvs_expire(c->resvs, now);
	for (size_t i = 0; i < resvs_count(c->resvs); i++) {
		struct resv *r = resvs_at(c->resvs, i);
		bool want = json_array_size(names) == 0;
		size_t k;
		json_t *n;

		json_array_foreach(names, k, n)
			if (json_is_string(n) &&
			    !strcmp(json_string_value(n), r->name))
				want = true;
		if (want)
			json_array_append_new(a, resv_to_json(r, now));
	}
	rpc_reply(req, json_pack("{s:o}", "reservations", a));
}
