/*
 * identity_rec: each node's identity record (LMDB db "identities", key =
 * node name) and what a registration does to it.
 *
 * Record: {"v","node","compute_id","previous_ids":[str],
 *	    "links":[{"from","to","time","uid"}],"cert_fingerprint","cert_not_after",
 *	    "first_seen","last_seen","inventory" (the accepted one),
 *	    "history":[{"time","compute_id","blob","sig","binding",
 *	    "cert_fingerprint","verified"}] (last IDENTITY_HISTORY_MAX signed
 *	    inventories, oldest first; a trace re-verifies them with the
 *	    certificate's key), "pending"?:{"compute_id","since","what",
 *	    "inventory"}}
 *
 * A registration whose hardware gives the record's id refreshes it (a new
 * certificate fingerprint is a renewal, not a change). One whose id differs
 * is kept pending and the node is drained "inventory changed: <what>" until
 * `hcctl accept node NAME` adopts it: the new id, the old one moved to
 * previous_ids, and the link old -> new recorded here and in the audit log.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "conf.h"
#include "ctld.h"
#include "identity.h"
#include "log.h"
#include "nodes.h"
#include "nodes_int.h"
#include "state.h"
#include "states.h"

#define DRAIN_PREFIX "inventory changed: "

static const char *
rstr(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* The cluster id the compute id is made from (see identity.c). */
static const char *
cluster_id(const struct ctld *c)
{
	return c->cluster_id[0] ? c->cluster_id : state_cluster_id(c->state);
}

/* Cloud nodes, whose hardware is new at every boot, get the new id at
 * once, audited, not drained. */
static bool
new_hardware_expected(const struct node *n)
{
	/* A cloud pool's node is a new instance at every start. */
	return n->cn && n->cn->pool;
}

static void
rec_save(struct ctld *c, struct node *n)
{
	struct hc_err err = { 0 };

	if (state_put(c->state, STATE_DB_IDENTITIES, n->name, strlen(n->name),
		      n->ident, &err) < 0)
		hc_log(HC_LOG_ERR, "node=%s cannot save its identity: %s",
		       n->name, err.text);
}

void
identity_restore(struct ctld *c, struct node *n)
{
	json_decref(n->ident);
	n->ident = state_get(c->state, STATE_DB_IDENTITIES, n->name,
			     strlen(n->name), NULL);
	n->ident_pending = n->ident &&
			   json_object_get(n->ident, "pending") != NULL;
}

const char *
identity_node_id(const struct node *n)
{
	return n->ident ? rstr(n->ident, "compute_id") : "";
}

static void
history_add(json_t *rec, const struct identity_proof *p, const char *id,
	    time_t now)
{
	json_t *h = json_object_get(rec, "history");
	json_t *last = json_array_get(h, json_array_size(h) - 1);

	/* An unchanged inventory keeps its first signature: it verifies as
	 * well as a newer one, and the history stays about changes. */
	if (last && !strcmp(rstr(last, "blob"), p->blob_b64) &&
	    !strcmp(rstr(last, "cert_fingerprint"),
		    p->cert_fp ? p->cert_fp : ""))
		return;
	char bind[2 * 32 + 1];
	for (int i = 0; i < 32; i++)
		snprintf(bind + 2 * i, 3, "%02x", p->binding[i]);
	json_array_append_new(h, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:b}",
		"time", (json_int_t)now, "compute_id", id, "blob",
		p->blob_b64, "sig", p->sig_b64 ? p->sig_b64 : "", "binding",
		bind, "cert_fingerprint", p->cert_fp ? p->cert_fp : "",
		"verified", p->verified));
	while (json_array_size(h) > IDENTITY_HISTORY_MAX)
		json_array_remove(h, 0);
}

static json_t *
rec_new(const struct node *n, const char *id, const json_t *inv,
	time_t now)
{
	return json_pack("{s:i,s:s,s:s,s:[],s:[],s:I,s:I,s:O,s:[]}", "v",
			 STATE_RECORD_VERSION, "node", n->name, "compute_id",
			 id, "previous_ids", "links", "first_seen",
			 (json_int_t)now, "last_seen", (json_int_t)now,
			 "inventory", inv, "history");
}

static void
rec_cert(json_t *rec, const struct identity_proof *p)
{
	json_object_set_new(rec, "cert_fingerprint",
			    p->cert_fp ? json_string(p->cert_fp) : json_null());
	json_object_set_new(rec, "cert_not_after",
			    json_integer(p->cert_not_after));
}

/* Move rec to new_id (accepted by uid, or expected: uid 0). */
static void
rec_adopt(json_t *rec, const char *new_id, const json_t *inv, uid_t uid,
	  time_t now)
{
	const char *old = rstr(rec, "compute_id");

	json_array_append_new(json_object_get(rec, "previous_ids"),
			      json_string(old));
	json_array_append_new(json_object_get(rec, "links"), json_pack(
		"{s:s,s:s,s:I,s:I}", "from", old, "to", new_id, "time",
		(json_int_t)now, "uid", (json_int_t)uid));
	json_object_set_new(rec, "compute_id", json_string(new_id));
	json_object_set(rec, "inventory", (json_t *)inv);
	json_object_del(rec, "pending");
}

static void
drain_changed(struct ctld *c, struct node *n, const char *what)
{
	char reason[512];

	snprintf(reason, sizeof(reason), DRAIN_PREFIX "%s", what);
	n->ident_pending = true;
	nodes_drain(c->nodes, n, reason);
}

static void
on_changed(struct ctld *c, struct node *n, const struct identity_proof *p,
	   const char *id, time_t now)
{
	json_t *rec = n->ident;
	char what[400], subj[300];

	identity_diff(json_object_get(rec, "inventory"), p->inv, what,
		      sizeof(what));
	if (!what[0])
		snprintf(what, sizeof(what), "compute id %s -> %s",
			 rstr(rec, "compute_id"), id);
	snprintf(subj, sizeof(subj), "node:%s", n->name);
	audit_append(c->audit, 0, "inventory_changed", subj, json_pack(
		"{s:s,s:s,s:s,s:b}", "from", rstr(rec, "compute_id"), "to",
		id, "what", what, "drained", !new_hardware_expected(n)));
	if (new_hardware_expected(n)) {
		rec_adopt(rec, id, p->inv, 0, now);
		hc_log(HC_LOG_INFO, "node=%s new compute_id=%s (%s)", n->name,
		       id, what);
		return;
	}
	json_object_set_new(rec, "pending", json_pack("{s:s,s:I,s:s,s:O}",
		"compute_id", id, "since", (json_int_t)now, "what", what,
		"inventory", p->inv));
	hc_log(HC_LOG_WARN, "node=%s inventory changed: %s; compute_id=%s "
	       "pending (hcctl accept node %s)", n->name, what, id, n->name);
	drain_changed(c, n, what);
}

/* The hardware is back to the accepted id: drop what was pending, and
 * lift our drain (an admin's stays). */
static void
pending_clear(struct ctld *c, struct node *n)
{
	char before[128];

	json_object_del(n->ident, "pending");
	n->ident_pending = false;
	if ((n->flags & NODE_F_DRAIN) && !n->health_drain && n->reason &&
	    !strncmp(n->reason, DRAIN_PREFIX, strlen(DRAIN_PREFIX))) {
		node_state_format(n->base, n->flags, before, sizeof(before));
		n->flags &= ~NODE_F_DRAIN;
		node_set_reason(n, n->inv_reason, 0);
		node_state_changed(c->nodes, n, before, HC_LOG_INFO);
	}
}

void
identity_on_register(struct ctld *c, struct node *n,
		     const struct identity_proof *p)
{
	char id[IDENTITY_ID_LEN], subj[300];
	time_t now = time(NULL);
	json_t *pend;

	identity_compute_id(cluster_id(c), n->name, p->inv, id);
	snprintf(subj, sizeof(subj), "node:%s", n->name);
	if (!n->ident) {
		n->ident = rec_new(n, id, p->inv, now);
		audit_append(c->audit, 0, "identity_created", subj, json_pack(
			"{s:s,s:s?}", "compute_id", id, "cert_fingerprint",
			p->cert_fp));
		hc_log(HC_LOG_INFO, "node=%s compute_id=%s first seen",
		       n->name, id);
	} else if (!strcmp(id, rstr(n->ident, "compute_id"))) {
		json_object_set(n->ident, "inventory", (json_t *)p->inv);
		if (json_object_get(n->ident, "pending"))
			pending_clear(c, n);
	} else if ((pend = json_object_get(n->ident, "pending")) &&
		   !strcmp(id, rstr(pend, "compute_id"))) {
		drain_changed(c, n, rstr(pend, "what"));	/* still */
	} else {
		on_changed(c, n, p, id, now);
	}
	rec_cert(n->ident, p);
	json_object_set_new(n->ident, "last_seen", json_integer(now));
	history_add(n->ident, p, id, now);
	rec_save(c, n);
}

int
identity_accept(struct ctld *c, struct node *n, uid_t uid,
		struct hc_err *err)
{
	json_t *pend = n->ident ? json_object_get(n->ident, "pending") : NULL;
	char old[IDENTITY_ID_LEN], subj[300];
	const char *id;

	if (!pend)
		return hc_err_set(err, HC_EINVAL, "node %s has no changed "
				  "inventory waiting to be accepted",
				  n->name);
	json_incref(pend);
	snprintf(old, sizeof(old), "%s", rstr(n->ident, "compute_id"));
	id = rstr(pend, "compute_id");
	rec_adopt(n->ident, id, json_object_get(pend, "inventory"), uid,
		  time(NULL));
	snprintf(subj, sizeof(subj), "node:%s", n->name);
	audit_append(c->audit, uid, "inventory_accepted", subj, json_pack(
		"{s:s,s:s,s:s}", "from", old, "to", id, "what",
		rstr(pend, "what")));
	hc_log(HC_LOG_INFO, "node=%s inventory accepted by uid=%u "
	       "compute_id=%s (was %s)", n->name, (unsigned)uid, id, old);
	json_decref(pend);
	n->ident_pending = true;	/* so pending_clear lifts our drain */
	pending_clear(c, n);
	rec_save(c, n);
	return 0;
}

void
identity_node_json(const struct node *n, json_t *o)
{
	json_t *rec = n->ident, *accels = json_array(), *g;
	const json_t *inv = rec ? json_object_get(rec, "inventory") : NULL;
	char buf[256];
	size_t i;

	json_array_foreach(json_object_get(inv, "gpus"), i, g) {
		identity_accel_id(g, buf, sizeof(buf));
		json_array_append_new(accels, json_string(buf));
	}
	json_object_set_new(o, "compute_id", json_string(identity_node_id(n)));
	json_object_set_new(o, "previous_ids", rec ? json_deep_copy(
		json_object_get(rec, "previous_ids")) : json_array());
	json_object_set_new(o, "cert_not_after", json_integer(rec ?
		json_integer_value(json_object_get(rec, "cert_not_after")) :
		0));
	json_object_set_new(o, "accelerators", accels);
	json_object_set_new(o, "identity_pending", json_string(rec ? rstr(
		json_object_get(rec, "pending"), "compute_id") : ""));
}
