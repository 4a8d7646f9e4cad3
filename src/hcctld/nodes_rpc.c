/*
 * nodes_rpc: NODE_QUERY, NODE_UPDATE (hcctl update node N State=..) and
 * QUEUE_QUERY, and the NODE record (msg.h) they return.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "ctld.h"
#include "hostlist.h"
#include "identity.h"
#include "jobs.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "resv.h"
#include "nodes_int.h"
#include "power.h"
#include "rpc.h"
#include "states.h"

/* "gpu:h100:4" from the GPUs whose job matches (used = allocated only). */
static char *
gres_string(const struct node *n, bool used)
{
	struct res_list rl = { 0 };
	struct res_item items[SCHED_MAX_GPUS];
	char *s;

	rl.items = items;
	for (uint32_t g = 0; g < n->gpu_count; g++) {
		size_t i;
		if (used && !n->gpus[g].job)
			continue;
		for (i = 0; i < rl.count; i++)
			if (!strcmp(items[i].type, n->gpus[g].type))
				break;
		if (i == rl.count) {
			memset(&items[i], 0, sizeof(items[i]));
			snprintf(items[i].name, sizeof(items[i].name), "gpu");
			snprintf(items[i].type, sizeof(items[i].type), "%s",
				 n->gpus[g].type);
			rl.count++;
		}
		items[i].count++;
	}
	s = res_list_format(&rl);
	return s;
}

static json_t *
node_gpus_json(const struct node *n)
{
	json_t *a = json_array();

	for (uint32_t g = 0; g < n->gpu_count; g++) {
		const struct node_gpu *p = &n->gpus[g];
		json_array_append_new(a, json_pack(
			"{s:i, s:s, s:s, s:s, s:s, s:s, s:I}", "index", (int)g,
			"type", p->type, "model", p->model, "vendor",
			p->vendor, "pci_id", p->pci_id, "busid", p->busid,
			"memory_mb", (json_int_t)p->memory_mb));
	}
	return a;
}

static json_t *
strv_json(char *const *v)
{
	json_t *a = json_array();

	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static const char *
inv_str(const json_t *inv, const char *key)
{
	const char *v = json_string_value(json_object_get(inv, key));

	return v ? v : "";
}

json_t *
node_to_json(const struct node *n)
{
	char state[128];
	char *gres = gres_string(n, false), *gres_alloc = gres_string(n, true);
	json_t *o, *queues = json_array(), *jobs = json_array();
	const json_t *inv = n->inventory;

	node_state_format(n->base, n->flags, state, sizeof(state));
	for (uint32_t i = 0; i < n->njobs; i++)
		json_array_append_new(jobs, json_integer(n->job_ids[i]));
	o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I,"
		      " s:s, s:s, s:I, s:I, s:i, s:i, s:i, s:s, s:o, s:o}",
		      "name", n->name,
		      "addr", n->cn->addr ? n->cn->addr : n->name,
		      "port", (json_int_t)n->cn->port,
		      "state", state,
		      "reason", n->reason ? n->reason : "",
		      "reason_time", (json_int_t)n->reason_time,
		      "cpus", (json_int_t)n->cpus,
		      "cpus_alloc", (json_int_t)n->cpus_alloc,
		      "real_memory_mb", (json_int_t)n->mem_mb,
		      "mem_alloc_mb", (json_int_t)n->mem_alloc_mb,
		      "gres", gres, "gres_alloc", gres_alloc,
		      "boot_time", (json_int_t)n->boot_time,
		      "last_heartbeat", (json_int_t)n->last_heartbeat,
		      "sockets", n->sockets,
		      "cores_per_socket", n->cores_per_socket,
		      "threads_per_core", n->threads_per_core,
		      "version", n->version ? n->version : "",
		      "gpus", node_gpus_json(n),
		      "features", strv_json(n->features));
	free(gres);
	free(gres_alloc);
	json_object_set_new(o, "jobs", jobs);
	json_object_set_new(o, "queues", queues);
	json_object_set_new(o, "cpu_model", json_string(
		inv_str(inv, "cpu_model")));
	json_object_set_new(o, "arch", json_string(inv_str(inv, "arch")));
	identity_node_json(n, o);
	power_node_json(n, o);
	return o;
}

static void
node_queues_fill(const struct hc_conf *conf, const struct node *n, json_t *o)
{
	json_t *a = json_object_get(o, "queues");

	for (size_t q = 0; q < conf->queue_count && q < 64; q++)
		if (n->queue_mask & (1ull << q))
			json_array_append_new(a,
				json_string(conf->queues[q].name));
}

/* Resolve a hostlist to nodes; every name must exist. Returns a malloc'ed
 * array (count in *np) or NULL after replying. */
static struct node **
nodes_resolve(struct rpc_req *req, const char *expr, size_t *np)
{
	struct nodes *ns = req->ctld->nodes;
	struct hc_err err = { 0 };
	struct hostlist *hl = hostlist_parse(expr, &err);
	struct node **v;

	if (!hl) {
		rpc_reply_err(req, HC_EINVAL, "%s", err.text);
		return NULL;
	}
	hostlist_uniq(hl);
	v = hc_calloc(hl->count ? hl->count : 1, sizeof(*v));
	for (size_t i = 0; i < hl->count; i++) {
		v[i] = nodes_find(ns, hl->names[i]);
		if (!v[i]) {
			rpc_reply_err(req, HC_ENOENT, "no node %s in hc.conf; "
				      "hcinfo -N lists the nodes",
				      hl->names[i]);
			free(v);
			hostlist_destroy(hl);
			return NULL;
		}
	}
	*np = hl->count;
	hostlist_destroy(hl);
	return v;
}

void
nodes_rpc_query(struct rpc_req *req, json_t *body)
{
	struct nodes *ns = req->ctld->nodes;
	const char *expr = json_string_value(json_object_get(body, "nodes"));
	json_t *a = json_array();
	struct node **v = NULL;
	size_t n = ns->n;

	if (expr && *expr && !(v = nodes_resolve(req, expr, &n))) {
		json_decref(a);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct node *nd = v ? v[i] : ns->v[i];
		json_t *o = node_to_json(nd);
		node_queues_fill(req->ctld->conf, nd, o);
		resv_node_json(req->ctld->resvs, nd, o);
		json_array_append_new(a, o);
	}
	free(v);
	rpc_reply(req, json_pack("{s:o}", "nodes", a));
}

/* NODE_UPDATE's State= values: one row each. */
struct state_move {
	const char *name;
	bool needs_reason;
	void (*apply)(struct nodes *ns, struct node *n, const char *reason,
		      uid_t uid);
};

static void
move_drain(struct nodes *ns, struct node *n, const char *reason, uid_t uid)
{
	n->flags |= NODE_F_DRAIN;
	n->health_drain = false;
	node_set_reason(n, reason, uid);
}

static void
move_down(struct nodes *ns, struct node *n, const char *reason, uid_t uid)
{
	n->base = NODE_DOWN;
	n->admin_down = true;
	node_set_reason(n, reason, uid);
	if (ns->c->jobs)
		jobs_on_node_down(ns->c->jobs, n, reason);
}

static void
move_resume(struct nodes *ns, struct node *n, const char *reason, uid_t uid)
{
	n->flags &= ~NODE_F_DRAIN;
	n->health_drain = false;
	n->admin_down = false;
	if (n->base == NODE_DOWN) {
		/* a connected node comes back at once; one that is not
		 * waits for its agent (and NodeTimeout still applies) */
		n->base = n->conn && n->registered ? NODE_IDLE : NODE_UNKNOWN;
		if (!n->conn)
			n->last_heartbeat = time(NULL);
	}
	if (n->power_down && ns->c->power)
		power_node_reset(ns->c->power, n);	/* back to its pool */
	node_update_base(n);
	node_set_reason(n, n->inv_reason, uid);
}

static const struct state_move moves[] = {
	{ "DRAIN", true, move_drain },
	{ "DOWN", true, move_down },
	{ "RESUME", false, move_resume },
	{ "IDLE", false, move_resume },
	{ "POWER_UP", false, NULL },	/* power.h, for the whole set */
	{ "POWER_DOWN", false, NULL },
	{ NULL, false, NULL }
};

static const struct state_move *
move_find(const char *name)
{
	for (const struct state_move *m = moves; m->name; m++)
		if (!strcasecmp(m->name, name))
			return m;
	return NULL;
}

/* Check the set's keys and values; reply and return -1 if wrong. */
static int
update_check(struct rpc_req *req, json_t *set, const struct state_move **mp,
	     const char **reasonp)
{
	const char *key, *state = NULL;
	json_t *val;

	json_object_foreach(set, key, val) {
		if (!json_is_string(val)) {
			rpc_reply_err(req, HC_EINVAL, "%s: give a string", key);
			return -1;
		}
		if (!strcasecmp(key, "State")) {
			state = json_string_value(val);
		} else if (!strcasecmp(key, "Reason")) {
			*reasonp = json_string_value(val);
		} else {
			rpc_reply_err(req, HC_EINVAL, "update node: unknown key "
				      "%s; valid keys: State, Reason", key);
			return -1;
		}
	}
	if (!state && !*reasonp) {
		rpc_reply_err(req, HC_EINVAL, "update node: nothing to change; "
			      "give State=DRAIN|RESUME|DOWN|IDLE|POWER_UP|"
			      "POWER_DOWN and/or Reason=\"...\"");
		return -1;
	}
	if (state && !(*mp = move_find(state))) {
		rpc_reply_err(req, HC_EINVAL, "update node: State=%s is not "
			      "valid; valid states: DRAIN, RESUME, DOWN, IDLE, "
			      "POWER_UP, POWER_DOWN",
			      state);
		return -1;
	}
	if (*mp && (*mp)->needs_reason && (!*reasonp || !**reasonp)) {
		rpc_reply_err(req, HC_EINVAL, "update node: State=%s needs a "
			      "Reason=\"...\" saying why", (*mp)->name);
		return -1;
	}
	return 0;
}

/* Accept=yes (hcctl accept node NAME): adopt each node's changed
 * inventory and its new compute id (identity.h). */
static void
update_accept(struct rpc_req *req, const char *expr, json_t *set)
{
	struct hc_err err = { 0 };
	struct node **v;
	size_t n = 0;

	if (json_object_size(set) != 1 ||
	    strcasecmp(json_string_value(json_object_get(set, "Accept")) ?
		       json_string_value(json_object_get(set, "Accept")) :
		       "", "yes")) {
		rpc_reply_err(req, HC_EINVAL, "accept node: give Accept=yes "
			      "alone");
		return;
	}
	if (!(v = nodes_resolve(req, expr ? expr : "", &n)))
		return;
	for (size_t i = 0; i < n; i++)
		if (!v[i]->ident_pending) {
			rpc_reply_err(req, HC_EINVAL, "node %s has no changed "
				      "inventory to accept", v[i]->name);
			free(v);
			return;
		}
	for (size_t i = 0; i < n; i++)
		if (identity_accept(req->ctld, v[i], req->uid, &err) < 0)
			hc_log(HC_LOG_ERR, "node=%s accept: %s", v[i]->name,
			       err.text);
	free(v);
	if (req->ctld->jobs)
		jobs_sched_request(req->ctld->jobs);
	rpc_reply(req, NULL);
}

/* State=POWER_UP|POWER_DOWN: start or stop the set through its programs
 * (power.h); nodes in another state are left as they are. */
static void
update_power(struct rpc_req *req, const struct state_move *m,
	     struct node **v, size_t n)
{
	struct hc_err err = { 0 };
	int rc;

	if (!req->ctld->power) {
		rpc_reply_err(req, HC_EINVAL, "power saving is off");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!(v[i]->cn && v[i]->cn->pool) &&
		    !conf_node_power_save(req->ctld->conf, v[i]->cn)) {
			rpc_reply_err(req, HC_EINVAL, "node %s is neither a "
				      "cloud pool's node nor PowerSave=YES; "
				      "see hc.conf(5)", v[i]->name);
			return;
		}
	if (!strcmp(m->name, "POWER_UP"))
		rc = power_resume(req->ctld->power, v, n, NULL, req->uid, &err);
	else
		rc = power_suspend(req->ctld->power, v, n, req->uid, &err);
	if (rc < 0) {
		rpc_reply_err(req, err.code ? err.code : HC_EINVAL, "%s",
			      err.text);
		return;
	}
	rpc_reply(req, NULL);
}

void
nodes_rpc_update(struct rpc_req *req, json_t *body)
{
	struct nodes *ns = req->ctld->nodes;
	const char *expr = json_string_value(json_object_get(body, "nodes"));
	json_t *set = json_object_get(body, "set");
	const struct state_move *m = NULL;
	const char *reason = NULL;
	struct node **v;
	size_t n = 0;
	char before[128];

	/* Security: RPC_ADMIN in the handler table: admins only. */
	if (json_object_get(set, "Accept")) {
		update_accept(req, expr, set);
		return;
	}
	if (!json_is_object(set)) {
		rpc_reply_err(req, HC_EINVAL, "update node: give State=... "
			      "and/or Reason=...");
		return;
	}
	if (update_check(req, set, &m, &reason) < 0 ||
	    !(v = nodes_resolve(req, expr ? expr : "", &n)))
		return;
	if (m && !m->apply) {
		update_power(req, m, v, n);
		free(v);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		node_state_format(v[i]->base, v[i]->flags, before,
				  sizeof(before));
		if (m)
			m->apply(ns, v[i], reason, req->uid);
		else
			node_set_reason(v[i], reason, req->uid);
		hc_log(HC_LOG_INFO, "node=%s update by uid=%u state=%s "
		       "reason=\"%s\"", v[i]->name, (unsigned)req->uid,
		       m ? m->name : "-", reason ? reason : "");
		node_state_changed(ns, v[i], before, HC_LOG_INFO);
		nodes_save(ns, v[i]);
	}
	free(v);
	if (req->ctld->jobs)
		jobs_sched_request(req->ctld->jobs);
	rpc_reply(req, NULL);
}

static json_t *
queue_json(struct nodes *ns, const struct conf_queue *q, size_t qi)
{
	json_t *states = json_object();
	uint64_t cpus = 0, cpus_alloc = 0, total = 0;
	struct res_list rl = { 0 };
	struct res_item items[16];
	char st[128], *gres;
	json_t *o;

	rl.items = items;
	for (size_t i = 0; i < ns->n; i++) {
		const struct node *n = ns->v[i];
		json_t *c;
		if (qi >= 64 || !(n->queue_mask & (1ull << qi)))
			continue;
		total++;
		cpus += n->cpus;
		cpus_alloc += n->cpus_alloc;
		node_state_format(n->base, n->flags, st, sizeof(st));
		c = json_object_get(states, st);
		json_object_set_new(states, st, json_integer(
			(c ? json_integer_value(c) : 0) + 1));
		for (uint32_t g = 0; g < n->gpu_count; g++) {
			size_t k;
			for (k = 0; k < rl.count; k++)
				if (!strcmp(items[k].type, n->gpus[g].type))
					break;
			if (k == rl.count) {
				if (rl.count == 16)
					continue;
				memset(&items[k], 0, sizeof(items[k]));
				snprintf(items[k].name, RES_NAME_MAX, "gpu");
				snprintf(items[k].type, RES_NAME_MAX, "%s",
					 n->gpus[g].type);
				rl.count++;
			}
			items[k].count++;
		}
	}
	gres = res_list_format(&rl);
	o = json_pack("{s:s, s:b, s:s, s:s, s:I, s:I, s:I, s:o, s:I, s:I,"
		      " s:s}", "name", q->name, "default", q->is_default,
		      "state", q->state ? q->state : "UP",
		      "nodes", q->nodes ? q->nodes : "",
		      "max_time", (json_int_t)q->max_time,
		      "default_time", (json_int_t)q->default_time,
		      "total_nodes", (json_int_t)total, "node_states", states,
		      "cpus", (json_int_t)cpus,
		      "cpus_alloc", (json_int_t)cpus_alloc, "gres", gres);
	free(gres);
	return o;
}

void
nodes_rpc_queues(struct rpc_req *req, json_t *body)
{
	const struct hc_conf *conf = req->ctld->conf;
	json_t *want = json_object_get(body, "queues"), *a = json_array();
	size_t i;
	json_t *w;

	json_array_foreach(want, i, w) {
		const char *name = json_string_value(w);
		if (!name || !conf_queue_find(conf, name)) {
			json_decref(a);
			rpc_reply_err(req, HC_ENOENT, "no queue %s in hc.conf; "
				      "hcinfo lists the queues",
				      name ? name : "(not a string)");
			return;
		}
	}
	for (size_t q = 0; q < conf->queue_count; q++) {
		bool wanted = json_array_size(want) == 0;
		json_array_foreach(want, i, w)
			if (!strcmp(json_string_value(w), conf->queues[q].name))
				wanted = true;
		if (wanted)
			json_array_append_new(a, queue_json(req->ctld->nodes,
						&conf->queues[q], q));
	}
	rpc_reply(req, json_pack("{s:o}", "queues", a));
}
