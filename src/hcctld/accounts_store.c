/*
 * accounts_store: the in-memory table of accounts, users and QOS and its
 * LMDB records (STATE_DB_ACCOUNTS, keys "account/NAME", "user/NAME",
 * "qos/NAME"; JSON of the object's keys plus "v" and, for accounts,
 * "Used": the resource-minutes charged to it).
 *
 * Tables are small (hundreds of objects): arrays searched linearly; the
 * scheduling view (accounts_view.c) builds its own index per pass.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "accounts_int.h"
#include "conf.h"
#include "ctld.h"
#include "log.h"
#include "state.h"

static char *
db_key(const struct acct_obj *o)
{
	return hc_asprintf("%s/%s", accounts_kind_name(o->kind), o->name);
}

json_t *
accounts_obj_record(const struct acct_obj *o)
{
	json_t *r = accounts_obj_json(o);

	json_object_set_new(r, "v", json_integer(STATE_RECORD_VERSION));
	if (o->used)
		json_object_set(r, "Used", o->used);
	return r;
}

struct acct_obj *
accounts_obj_from_record(struct accounts *a, enum acct_kind kind,
			 json_t *rec, struct hc_err *err)
{
	const char *name = json_string_value(json_object_get(rec, "Name"));
	struct acct_obj *o;
	const char *key;
	json_t *val;

	if (!name)
		return hc_err_set(err, HC_EPROTO, "record without Name"),
		       NULL;
	o = accounts_obj_new(kind, name);
	json_object_foreach(rec, key, val) {
		if (!strcmp(key, "Name") || !strcmp(key, "v") ||
		    !strcmp(key, "Used") || !json_is_string(val))
			continue;
		if (accounts_set_key(a, o, key, json_string_value(val),
				     err) < 0) {
			hc_err_prefix(err, "%s %s: ", accounts_kind_name(kind),
				      name);
			accounts_obj_free(o);
			return NULL;
		}
	}
	if (kind == ACCT_ACCOUNT && json_is_object(json_object_get(rec,
								   "Used")))
		json_object_update(o->used, json_object_get(rec, "Used"));
	if (kind == ACCT_USER && accounts_uid_resolve(o, err) < 0)
		hc_log(HC_LOG_WARN, "%s (its jobs are charged to their "
		       "accounts only)", err->text);
	return o;
}

struct acct_obj *
accounts_find(struct accounts *a, enum acct_kind kind, const char *name)
{
	for (size_t i = 0; name && i < a->n[kind]; i++)
		if (!strcmp(a->v[kind][i]->name, name))
			return a->v[kind][i];
	return NULL;
}

struct acct_obj **
accounts_list(struct accounts *a, enum acct_kind kind, size_t *n)
{
	*n = a->n[kind];
	return a->v[kind];
}

struct acct_obj *
accounts_parent(struct accounts *a, const struct acct_obj *acct)
{
	if (!strcmp(acct->name, ACCT_ROOT))
		return NULL;
	return accounts_find(a, ACCT_ACCOUNT,
			     acct->parent ? acct->parent : ACCT_ROOT);
}

int
accounts_save(struct accounts *a, const struct acct_obj *o,
	      struct hc_err *err)
{
	char *k = db_key(o);
	json_t *r = accounts_obj_record(o);
	int rc = state_put(a->c->state, STATE_DB_ACCOUNTS, k, strlen(k), r,
			   err);

	json_decref(r);
	free(k);
	return rc;
}

static void
table_append(struct accounts *a, struct acct_obj *o)
{
	a->v[o->kind] = hc_realloc(a->v[o->kind], (a->n[o->kind] + 1) *
				   sizeof(*a->v[o->kind]));
	a->v[o->kind][a->n[o->kind]++] = o;
}

int
accounts_add(struct accounts *a, struct acct_obj *o, struct hc_err *err)
{
	if (accounts_save(a, o, err) < 0) {
		accounts_obj_free(o);
		return -1;
	}
	table_append(a, o);
	return 0;
}

int
accounts_remove(struct accounts *a, struct acct_obj *o, struct hc_err *err)
{
	char *k = db_key(o);
	size_t n = a->n[o->kind];
	int rc = state_del(a->c->state, STATE_DB_ACCOUNTS, k, strlen(k), err);

	free(k);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (a->v[o->kind][i] == o) {
			memmove(&a->v[o->kind][i], &a->v[o->kind][i + 1],
				(n - i - 1) * sizeof(o));
			a->n[o->kind]--;
			break;
		}
	accounts_obj_free(o);
	return 0;
}

int
accounts_replace(struct accounts *a, struct acct_obj *old,
		 struct acct_obj *nw, struct hc_err *err)
{
	if (accounts_save(a, nw, err) < 0) {
		accounts_obj_free(nw);
		return -1;
	}
	for (size_t i = 0; i < a->n[old->kind]; i++)
		if (a->v[old->kind][i] == old)
			a->v[old->kind][i] = nw;
	accounts_obj_free(old);
	return 0;
}

/* Whether account x is anc or below it. */
static bool
in_subtree(struct accounts *a, struct acct_obj *x, const struct acct_obj *anc)
{
	for (; x; x = accounts_parent(a, x))
		if (x == anc)
			return true;
	return false;
}

json_t *
accounts_show_json(struct accounts *a, const struct acct_obj *o)
{
	json_t *r = accounts_obj_json(o), *sum;
	struct acct_obj **v;
	const char *key;
	json_t *val;
	char *text, *t;
	size_t n;

	if (o->kind == ACCT_USER)
		json_object_set_new(r, "Uid", json_integer(o->uid));
	if (o->kind != ACCT_ACCOUNT)
		return r;
	/* A top-level account hangs under root, as show fairshare has it;
	 * the record keeps no Parent (an empty value means root). */
	if (strcmp(o->name, ACCT_ROOT) && (!o->parent || !*o->parent))
		json_object_set_new(r, "Parent", json_string(ACCT_ROOT));
	sum = json_object();
	v = accounts_list(a, ACCT_ACCOUNT, &n);
	for (size_t i = 0; i < n; i++) {
		if (!in_subtree(a, v[i], o))
			continue;
		json_object_foreach(v[i]->used, key, val) {
			double d = json_number_value(json_object_get(sum, key));

			json_object_set_new(sum, key, json_real(
				d + json_number_value(val)));
		}
	}
	text = hc_strdup("");
	json_object_foreach(sum, key, val) {
		t = hc_asprintf("%s%s%s:%.0f", text, *text ? "," : "", key,
				json_number_value(val));
		free(text);
		text = t;
	}
	json_object_set_new(r, "UsedResMins", json_string(text));
	free(text);
	json_decref(sum);
	return r;
}

static int
load_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct accounts *a = arg;
	const char *slash = memchr(key, '/', klen);
	char kind[16];
	struct hc_err err = { 0 };
	struct acct_obj *o;
	int k;

	if (!slash || (size_t)(slash - (const char *)key) >= sizeof(kind))
		return 0;
	memcpy(kind, key, (size_t)(slash - (const char *)key));
	kind[slash - (const char *)key] = '\0';
	if ((k = accounts_kind_parse(kind)) < 0)
		return 0;
	if (!(o = accounts_obj_from_record(a, (enum acct_kind)k, rec, &err))) {
		hc_log(HC_LOG_ERR, "skipping unreadable %s record: %s", kind,
		       err.text);
		return 0;
	}
	table_append(a, o);
	return 0;
}

/* root and normal always exist; they are stored when first made. */
static int
ensure(struct accounts *a, enum acct_kind kind, const char *name,
       struct hc_err *err)
{
	if (accounts_find(a, kind, name))
		return 0;
	return accounts_add(a, accounts_obj_new(kind, name), err);
}

struct accounts *
accounts_create(struct ctld *c, struct hc_err *err)
{
	struct accounts *a = hc_calloc(1, sizeof(*a));

	a->c = c;
	if (state_walk(c->state, STATE_DB_ACCOUNTS, load_one, a, err) < 0 ||
	    ensure(a, ACCT_ACCOUNT, ACCT_ROOT, err) < 0 ||
	    ensure(a, ACCT_QOS, ACCT_QOS_NORMAL, err) < 0) {
		accounts_destroy(a);
		return NULL;
	}
	hc_log(HC_LOG_DEBUG, "accounts loaded accounts=%zu users=%zu qos=%zu",
	       a->n[ACCT_ACCOUNT], a->n[ACCT_USER], a->n[ACCT_QOS]);
	return a;
}

void
accounts_destroy(struct accounts *a)
{
	if (!a)
		return;
	for (int k = 0; k < ACCT_NKINDS; k++) {
		for (size_t i = 0; i < a->n[k]; i++)
			accounts_obj_free(a->v[k][i]);
		free(a->v[k]);
	}
	free(a);
}
