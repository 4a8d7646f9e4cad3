/*
 * accounts_rpc: ACCT_UPDATE (hcctl create|update|delete account|user|qos)
 * and ACCT_QUERY (hcctl show account|user|qos).
 *
 * A change is made on a copy of the object, checked whole (the tree stays
 * a tree, names it refers to exist), then stored and swapped in, so a
 * refused request changes nothing. Deleting refuses what would leave
 * something dangling (children, members, jobs, accounts using a QOS) and
 * says what to do first.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "accounts_int.h"
#include "audit.h"
#include "ctld.h"
#include "jobs.h"
#include "jobs_int.h"
#include "log.h"
#include "rpc.h"
#include "states.h"
#include "usage.h"

static bool
job_active(const struct job *j)
{
	return !job_state_is_final(j->state);
}

/* Ids of active jobs whose field (account or qos) is name: "12,13"
 * (malloc'ed, at most a few), or NULL. */
static char *
jobs_using(struct ctld *c, const char *name, bool qos)
{
	char *out = NULL;
	size_t n = 0;

	for (size_t i = 0; c->jobs && i < c->jobs->n && n < 5; i++) {
		const struct job *j = c->jobs->v[i];
		const char *f = qos ? j->qos : j->account;
		char *t;

		if (!job_active(j) || !f || strcmp(f, name))
			continue;
		t = hc_asprintf("%s%s%u", out ? out : "", out ? "," : "",
				j->id);
		free(out);
		out = t;
		n++;
	}
	return out;
}

static int
check_names_exist(struct accounts *a, enum acct_kind kind, const char *key,
		  const char *csv, struct hc_err *err)
{
	char *copy = hc_strdup(csv ? csv : ""), *save = NULL;
	int rc = 0;

	for (char *w = strtok_r(copy, ",", &save); w && !rc;
	     w = strtok_r(NULL, ",", &save))
		if (!accounts_find(a, kind, w))
			rc = hc_err_set(err, HC_ENOENT, "%s=%s: no %s %s; "
					"create it first (hcctl create %s %s)",
					key, csv, accounts_kind_name(kind), w,
					accounts_kind_name(kind), w);
	free(copy);
	return rc;
}

static int
check_account(struct accounts *a, struct acct_obj *o, struct hc_err *err)
{
	const char *p = o->parent ? o->parent : ACCT_ROOT;

	if (!strcmp(o->name, ACCT_ROOT)) {
		if (o->parent)
			return hc_err_set(err, HC_EINVAL, "root is the top of "
					  "the tree: it has no Parent");
	} else {
		/* Walk up from the new parent: meeting o is a cycle. */
		for (struct acct_obj *x = accounts_find(a, ACCT_ACCOUNT, p);
		     ; x = accounts_parent(a, x)) {
			if (!x)
				return hc_err_set(err, HC_ENOENT, "Parent=%s: "
						  "no such account; create it "
						  "first or give an existing "
						  "one", p);
			if (!strcmp(x->name, o->name))
				return hc_err_set(err, HC_EINVAL, "Parent=%s: "
						  "%s would be its own "
						  "ancestor; pick a parent "
						  "outside its subtree", p,
						  o->name);
			if (!strcmp(x->name, ACCT_ROOT))
				break;
		}
	}
	if (o->default_qos &&
	    check_names_exist(a, ACCT_QOS, "DefaultQOS", o->default_qos, err))
		return -1;
	if (o->qos && check_names_exist(a, ACCT_QOS, "QOS", o->qos, err))
		return -1;
	if (o->default_qos && o->qos && !accounts_in_list(o->qos,
							  o->default_qos))
		return hc_err_set(err, HC_EINVAL, "DefaultQOS=%s is not in "
				  "QOS=%s; add it there", o->default_qos,
				  o->qos);
	return 0;
}

static int
check_user(struct accounts *a, struct acct_obj *o, struct hc_err *err)
{
	if (!o->accounts)
		return hc_err_set(err, HC_EINVAL, "user %s: give its accounts "
				  "with Account=NAME[,NAME...]", o->name);
	if (check_names_exist(a, ACCT_ACCOUNT, "Account", o->accounts, err))
		return -1;
	if (o->default_account && !accounts_in_list(o->accounts,
						    o->default_account))
		return hc_err_set(err, HC_EINVAL, "DefaultAccount=%s is not "
				  "one of Account=%s; add it there",
				  o->default_account, o->accounts);
	return accounts_uid_resolve(o, err);
}

static int
obj_check(struct accounts *a, struct acct_obj *o, struct hc_err *err)
{
	if (o->kind == ACCT_ACCOUNT)
		return check_account(a, o, err);
	if (o->kind == ACCT_USER)
		return check_user(a, o, err);
	return 0;
}

/* UsedResMins=0: forget the resource-minutes charged to the account and
 * its subtree (a budget's new period). */
static int
used_reset(struct accounts *a, struct acct_obj *o, const char *val,
	   struct hc_err *err)
{
	size_t n;
	struct acct_obj **v = accounts_list(a, ACCT_ACCOUNT, &n);

	if (strcmp(val, "0"))
		return hc_err_set(err, HC_EINVAL, "UsedResMins=%s: only 0 "
				  "(reset) may be set", val);
	for (size_t i = 0; i < n; i++)
		for (struct acct_obj *x = v[i]; x; x = accounts_parent(a, x))
			if (x == o) {
				json_object_clear(v[i]->used);
				if (v[i] != o &&
				    accounts_save(a, v[i], err) < 0)
					return -1;
				break;
			}
	return 0;
}

static int
apply_keys(struct accounts *a, struct acct_obj *o, json_t *set,
	   struct hc_err *err)
{
	const char *key;
	json_t *val;

	json_object_foreach(set, key, val) {
		const char *s = json_string_value(val);

		if (!s)
			return hc_err_set(err, HC_EINVAL, "%s: give a string "
					  "value", key);
		if (o->kind == ACCT_ACCOUNT &&
		    !strcasecmp(key, "UsedResMins")) {
			if (used_reset(a, o, s, err) < 0)
				return -1;
			continue;
		}
		if (accounts_set_key(a, o, key, s, err) < 0)
			return -1;
	}
	return 0;
}

static int
do_create(struct accounts *a, enum acct_kind kind, const char *name,
	  json_t *set, struct hc_err *err)
{
	struct acct_obj *o;

	if (accounts_name_check("name", name, err) < 0)
		return -1;
	if (accounts_find(a, kind, name))
		return hc_err_set(err, HC_EEXIST, "%s %s exists; change it "
				  "with hcctl update %s %s Key=Value",
				  accounts_kind_name(kind), name,
				  accounts_kind_name(kind), name);
	o = accounts_obj_new(kind, name);
	if (apply_keys(a, o, set, err) < 0 || obj_check(a, o, err) < 0) {
		accounts_obj_free(o);
		return -1;
	}
	return accounts_add(a, o, err);
}

static int
do_update(struct accounts *a, struct acct_obj *o, json_t *set,
	  struct hc_err *err)
{
	json_t *rec = accounts_obj_record(o);
	struct acct_obj *copy = accounts_obj_from_record(a, o->kind, rec, err);

	json_decref(rec);
	if (!copy)
		return -1;
	if (json_object_size(set) == 0) {
		accounts_obj_free(copy);
		return hc_err_set(err, HC_EINVAL, "nothing to change; give "
				  "Key=Value");
	}
	if (apply_keys(a, copy, set, err) < 0 || obj_check(a, copy, err) < 0) {
		accounts_obj_free(copy);
		return -1;
	}
	return accounts_replace(a, o, copy, err);
}

/* What keeps o from being deleted, as an error; 0 if nothing. */
static int
delete_check(struct accounts *a, struct acct_obj *o, struct hc_err *err)
{
	size_t n;
	struct acct_obj **v;
	char *ids = NULL;

	if ((o->kind == ACCT_ACCOUNT && !strcmp(o->name, ACCT_ROOT)) ||
	    (o->kind == ACCT_QOS && !strcmp(o->name, ACCT_QOS_NORMAL)))
		return hc_err_set(err, HC_EINVAL, "%s %s always exists; it "
				  "cannot be deleted",
				  accounts_kind_name(o->kind), o->name);
	if (o->kind != ACCT_USER &&
	    (ids = jobs_using(a->c, o->name, o->kind == ACCT_QOS))) {
		hc_err_set(err, HC_EBUSY, "%s %s has pending or running jobs "
			   "(%s...); wait for them to end or cancel them "
			   "(hccancel) first", accounts_kind_name(o->kind),
			   o->name, ids);
		free(ids);
		return -1;
	}
	v = accounts_list(a, ACCT_ACCOUNT, &n);
	for (size_t i = 0; o->kind != ACCT_USER && i < n; i++) {
		if (o->kind == ACCT_ACCOUNT && v[i]->parent &&
		    !strcmp(v[i]->parent, o->name))
			return hc_err_set(err, HC_EBUSY, "account %s has child "
					  "account %s; delete it or move it "
					  "(hcctl update account %s Parent=..."
					  ") first", o->name, v[i]->name,
					  v[i]->name);
		if (o->kind == ACCT_QOS &&
		    ((v[i]->default_qos && !strcmp(v[i]->default_qos,
						   o->name)) ||
		     accounts_in_list(v[i]->qos, o->name)))
			return hc_err_set(err, HC_EBUSY, "account %s uses qos "
					  "%s (DefaultQOS= or QOS=); change "
					  "it first", v[i]->name, o->name);
	}
	v = accounts_list(a, ACCT_USER, &n);
	for (size_t i = 0; o->kind == ACCT_ACCOUNT && i < n; i++)
		if (accounts_in_list(v[i]->accounts, o->name))
			return hc_err_set(err, HC_EBUSY, "user %s belongs to "
					  "account %s; change its Account= "
					  "(hcctl update user %s Account=...) "
					  "or delete the user first",
					  v[i]->name, o->name, v[i]->name);
	return 0;
}

/* The change a request asks for; -1 with err when refused. */
static int
update_apply(struct accounts *a, const char *verb, const char *object,
	     const char *name, json_t *set, struct hc_err *err)
{
	int kind = accounts_kind_parse(object);
	struct acct_obj *o;

	if (kind < 0)
		return hc_err_set(err, HC_EINVAL, "unknown object; give "
				  "account, user or qos");
	o = accounts_find(a, (enum acct_kind)kind, name);
	if (!strcmp(verb, "create"))
		return do_create(a, (enum acct_kind)kind, name, set, err);
	if (!o)
		return hc_err_set(err, HC_ENOENT, "no such %s; hcctl show %s "
				  "lists them", object, object);
	if (!strcmp(verb, "update"))
		return do_update(a, o, set, err);
	if (!strcmp(verb, "delete"))
		return delete_check(a, o, err) < 0 ? -1
						   : accounts_remove(a, o, err);
	return hc_err_set(err, HC_EINVAL, "unknown verb '%s'; give create, "
			  "update or delete", verb);
}

void
accounts_rpc_update(struct rpc_req *req, json_t *body)
{
	const char *verb = json_string_value(json_object_get(body, "verb"));
	const char *object = json_string_value(json_object_get(body,
							      "object"));
	const char *name = json_string_value(json_object_get(body, "name"));
	struct hc_err err = { 0 };
	json_t *set = json_object_get(body, "set");
	char *note;
	int reset;

	/* Security: RPC_ADMIN in the handler table: only AdminUsers and root
	 * change accounts, users and QOS (and reset usage: RawUsage=0);
	 * anyone may show them. */
	if ((reset = usage_update_account(req->ctld, verb, object, name, set,
					  &err)) < 0 ||
	    ((!reset || json_object_size(set)) &&
	     update_apply(req->ctld->accounts, verb, object, name, set,
			  &err) < 0)) {
		rpc_reply_err(req, err.code ? err.code : HC_EINVAL, "%s %s: %s",
			      object, name, err.text);
		return;
	}
	note = hc_asprintf("%s %s %s", verb, object, name);
	audit_admin(req->ctld, req->uid, "accounts", note);
	hc_log(HC_LOG_INFO, "%s by uid=%u", note, (unsigned)req->uid);
	free(note);
	jobs_sched_request(req->ctld->jobs);
	rpc_reply(req, NULL);	/* frees req */
}

void
accounts_rpc_query(struct rpc_req *req, json_t *body)
{
	struct accounts *a = req->ctld->accounts;
	const char *object = json_string_value(json_object_get(body,
							      "object"));
	const char *name = json_string_value(json_object_get(body, "name"));
	int kind = accounts_kind_parse(object);
	json_t *recs;
	struct acct_obj **v;
	size_t n;

	if (kind < 0) {
		rpc_reply_err(req, HC_EINVAL, "unknown object '%s'; give "
			      "account, user or qos", object);
		return;
	}
	recs = json_array();
	v = accounts_list(a, (enum acct_kind)kind, &n);
	for (size_t i = 0; i < n; i++)
		if (!name || !strcmp(name, v[i]->name))
			json_array_append_new(recs,
					      accounts_show_json(a, v[i]));
	if (name && json_array_size(recs) == 0) {
		json_decref(recs);
		rpc_reply_err(req, HC_ENOENT, "no %s %s; hcctl show %s lists "
			      "them", object, name, object);
		return;
	}
	rpc_reply(req, json_pack("{s:o}", "records", recs));
}
