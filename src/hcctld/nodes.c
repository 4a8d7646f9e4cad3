/*
 * nodes: the node table (see nodes.h).
 *
 * hc.conf gives each node its static shape (address, CPUs, memory, GPUs,
 * features, queues); LMDB keeps what admins and health checks changed
 * (DRAIN, an admin's DOWN, the reason) so it survives restarts. The base
 * state starts UNKNOWN and becomes IDLE/MIXED/ALLOCATED once the node has
 * registered (node_conn.c), from the allocations the jobs module makes
 * through node_alloc()/node_release().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <event2/event.h>

#include "conf.h"
#include "ctld.h"
#include "hostlist.h"
#include "audit.h"
#include "jobs.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "nodes_int.h"
#include "power.h"
#include "identity.h"
#include "rpc.h"
#include "state.h"
#include "states.h"

size_t
nodes_count(const struct nodes *ns)
{
	return ns->n;
}

struct node *
nodes_at(struct nodes *ns, size_t i)
{
	return i < ns->n ? ns->v[i] : NULL;
}

uint64_t
nodes_epoch(const struct nodes *ns)
{
	return ns->epoch;
}

struct node *
nodes_find(struct nodes *ns, const char *name)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i]->name, name))
			return ns->v[i];
	return NULL;
}

void
node_cpus_resize(struct node *n, uint32_t cpus)
{
	n->gen++;
	if (cpus <= n->cpu_cap)
		return;
	n->cpu_job_count = hc_realloc(n->cpu_job_count, cpus);
	memset(n->cpu_job_count + n->cpu_cap, 0, cpus - n->cpu_cap);
	n->cpu_cap = cpus;
}

static uint64_t
queue_mask(const struct hc_conf *conf, const char *name)
{
	uint64_t mask = 0;

	for (size_t q = 0; q < conf->queue_count && q < 64; q++) {
		struct hostlist *hl = hostlist_parse(conf->queues[q].nodes,
						     NULL);
		if (hl && hostlist_find(hl, name) >= 0)
			mask |= 1ull << q;
		hostlist_destroy(hl);
	}
	return mask;
}

void
node_apply_conf(struct node *n, const struct hc_conf *conf,
		const struct conf_node *cn)
{
	uint32_t g = 0;

	n->gen++;
	n->cn = cn;
	n->queue_mask = queue_mask(conf, cn->name);
	n->features = cn->features;
	if (cn->cpus > 0)
		n->cpus = (uint32_t)cn->cpus;
	node_cpus_resize(n, n->cpus ? n->cpus : SCHED_MAX_CPUS);
	if (cn->real_memory_mb)
		n->mem_mb = cn->real_memory_mb;
	n->sockets = (int)cn->sockets;
	n->cores_per_socket = (int)cn->cores_per_socket;
	n->threads_per_core = (int)cn->threads_per_core;
	for (size_t i = 0; i < cn->gres.count; i++) {
		const struct res_item *it = &cn->gres.items[i];
		if (strcmp(it->name, "gpu"))
			continue;
		for (uint64_t k = 0; k < it->count && g < SCHED_MAX_GPUS; k++)
			snprintf(n->gpus[g++].type, sizeof(n->gpus[0].type),
				 "%s", it->type);
	}
	n->gpu_count = g;
}

struct node *
node_new(const struct hc_conf *conf, const struct conf_node *cn,
	 uint32_t index)
{
	struct node *n = hc_calloc(1, sizeof(*n));

	n->name = hc_strdup(cn->name);
	n->index = index;
	/* A cloud pool's node does not exist until it is started. It is
	 * in CLOUD as far as this controller knows since its entry was
	 * made (hcctld's start, or the reconfigure that added it), unless
	 * its saved power record says since when (power_node_load). */
	n->base = cn->pool ? NODE_CLOUD : NODE_UNKNOWN;
	if (cn->pool)
		n->state_since = time(NULL);
	node_apply_conf(n, conf, cn);
	return n;
}

void
node_free(struct node *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->reason);
	free(n->inv_reason);
	free(n->version);
	free(n->cpu_job_count);
	free(n->job_ids);
	free(n->boot_jobs);
	json_decref(n->inventory);
	json_decref(n->ident);
	free(n);
}

void
node_set_reason(struct node *n, const char *reason, uid_t uid)
{
	free(n->reason);
	n->reason = reason && *reason ? hc_strdup(reason) : NULL;
	n->reason_time = n->reason ? time(NULL) : 0;
	n->reason_uid = uid;
}

bool
node_is_usable(const struct node *n)
{
	const unsigned bad = NODE_F_DRAIN | NODE_F_NOT_RESPONDING |
			     NODE_F_INVALID_INVENTORY | NODE_F_POWERED_DOWN |
			     NODE_F_POWERING_DOWN | NODE_F_POWERING_UP;

	/* Security: hardware that changed under the same certificate runs
	 * nothing until an admin accepts it, even if its drain is lifted. */
	return n->conn && n->registered && n->base != NODE_UNKNOWN &&
	       n->base != NODE_DOWN && !(n->flags & bad) && n->cpus > 0 &&
	       !n->ident_pending;
}

void
node_update_base(struct node *n)
{
	int before = n->base;

	n->gen++;
	if (n->base == NODE_DOWN || n->base == NODE_UNKNOWN)
		return;
	if (n->njobs == 0)
		n->base = NODE_IDLE;
	else if (n->exclusive_used || n->cpus_alloc >= n->cpus)
		n->base = NODE_ALLOCATED;
	else
		n->base = NODE_MIXED;
	if (before != n->base)
		hc_log(HC_LOG_DEBUG, "node=%s state=%s jobs=%u", n->name,
		       node_base_name(n->base), n->njobs);
}

void
node_alloc(struct node *n, uint32_t job, const uint32_t *cpu_ids,
	   uint32_t ncpus, uint64_t mem_mb, const uint32_t *gpu_ids,
	   uint32_t ngpus, bool exclusive)
{
	n->gen++;
	for (uint32_t i = 0; i < ncpus; i++) {
		uint32_t c = cpu_ids[i];
		if (c >= n->cpu_cap)
			continue;
		if (n->cpu_job_count[c] == 0)
			n->cpus_alloc++;
		if (n->cpu_job_count[c] < UINT8_MAX)
			n->cpu_job_count[c]++;
	}
	n->mem_alloc_mb += mem_mb;
	for (uint32_t i = 0; i < ngpus; i++)
		if (gpu_ids[i] < n->gpu_count)
			n->gpus[gpu_ids[i]].job = job;
	if (n->njobs == n->job_cap) {
		n->job_cap = n->job_cap ? n->job_cap * 2 : 8;
		n->job_ids = hc_realloc(n->job_ids,
					n->job_cap * sizeof(*n->job_ids));
	}
	n->job_ids[n->njobs++] = job;
	if (exclusive)
		n->exclusive_used = true;
}

void
node_release(struct node *n, uint32_t job, const uint32_t *cpu_ids,
	     uint32_t ncpus, uint64_t mem_mb, bool exclusive)
{
	n->gen++;
	for (uint32_t i = 0; i < ncpus; i++) {
		uint32_t c = cpu_ids[i];
		if (c >= n->cpu_cap || n->cpu_job_count[c] == 0)
			continue;
		if (--n->cpu_job_count[c] == 0)
			n->cpus_alloc--;
	}
	n->mem_alloc_mb -= mem_mb < n->mem_alloc_mb ? mem_mb : n->mem_alloc_mb;
	for (uint32_t g = 0; g < n->gpu_count; g++)
		if (n->gpus[g].job == job)
			n->gpus[g].job = 0;
	for (uint32_t i = 0; i < n->njobs; i++) {
		if (n->job_ids[i] != job)
			continue;
		n->job_ids[i] = n->job_ids[--n->njobs];
		break;
	}
	if (exclusive)
		n->exclusive_used = false;
	if (!n->njobs)
		n->idle_since = time(NULL);	/* SuspendTime counts from here */
}

int
nodes_send(struct nodes *ns, struct node *n, uint16_t type,
	   const json_t *body)
{
	if (!n->conn)
		return -1;
	return rpc_conn_send(n->conn, type, 0, body);
}

int
nodes_save(struct nodes *ns, struct node *n)
{
	struct hc_err err = { 0 };
	/* Only an admin's or a health check's reason outlives a restart;
	 * "Not responding" and inventory reasons are found again. */
	bool keep = (n->flags & NODE_F_DRAIN) || n->admin_down ||
		    n->power_down || n->base == NODE_CLOUD ||
		    (n->flags & (NODE_F_POWERING_UP | NODE_F_POWERED_DOWN));
	json_t *rec = json_pack("{s:s, s:b, s:b, s:b, s:s?, s:I, s:I}",
				"name", n->name,
				"drain", (n->flags & NODE_F_DRAIN) != 0,
				"admin_down", n->admin_down,
				"health_drain", n->health_drain,
				"reason", keep ? n->reason : NULL,
				"reason_time", (json_int_t)n->reason_time,
				"reason_uid", (json_int_t)n->reason_uid);
	int rc;

	n->gen++;
	if (n->inventory)
		json_object_set(rec, "inventory", n->inventory);
	power_node_save(n, rec);
	rc = state_put(ns->c->state, STATE_DB_NODES, n->name, strlen(n->name),
		       rec, &err);
	json_decref(rec);
	if (rc < 0)
		hc_log(HC_LOG_ERR, "node=%s cannot save its state: %s",
		       n->name, err.text);
	return rc;
}

/* What an earlier run saved: DRAIN, an admin's DOWN, the reason. */
static void
node_restore(struct nodes *ns, struct node *n)
{
	json_t *rec = state_get(ns->c->state, STATE_DB_NODES, n->name,
				strlen(n->name), NULL);
	const char *reason;

	if (!rec)
		return;
	if (json_is_true(json_object_get(rec, "drain")))
		n->flags |= NODE_F_DRAIN;
	n->admin_down = json_is_true(json_object_get(rec, "admin_down"));
	n->health_drain = json_is_true(json_object_get(rec, "health_drain"));
	if (n->admin_down)
		n->base = NODE_DOWN;
	power_node_restore(n, rec);
	reason = json_string_value(json_object_get(rec, "reason"));
	if (reason) {
		n->reason = hc_strdup(reason);
		n->reason_time = json_integer_value(
			json_object_get(rec, "reason_time"));
		n->reason_uid = json_integer_value(
			json_object_get(rec, "reason_uid"));
	}
	json_decref(rec);
}

void
node_state_changed(struct nodes *ns, struct node *n, const char *before,
		   int level)
{
	char now[128];

	node_state_format(n->base, n->flags, now, sizeof(now));
	if (before && !strcmp(before, now))
		return;
	n->gen++;
	hc_log(level, "node=%s state=%s reason=\"%s\"", n->name, now,
	       n->reason ? n->reason : "");
	nodes_save(ns, n);
	audit_node(ns->c, n->reason_uid, "node_state", n, before);
}

void
nodes_drain(struct nodes *ns, struct node *n, const char *reason)
{
	char before[128];

	if ((n->flags & NODE_F_DRAIN) && !n->health_drain)
		return;
	node_state_format(n->base, n->flags, before, sizeof(before));
	n->flags |= NODE_F_DRAIN;
	n->health_drain = false;
	node_set_reason(n, reason, 0);
	node_state_changed(ns, n, before, HC_LOG_WARN);
	nodes_save(ns, n);
}

struct nodes *
nodes_create(struct ctld *c, struct hc_err *err)
{
	struct nodes *ns = hc_calloc(1, sizeof(*ns));
	const struct hc_conf *conf = c->conf;

	ns->c = c;
	ns->started = time(NULL);
	ns->v = hc_calloc(conf->node_count ? conf->node_count : 1,
			  sizeof(*ns->v));
	for (size_t i = 0; i < conf->node_count; i++) {
		ns->v[i] = node_new(conf, &conf->nodes[i], (uint32_t)i);
		node_restore(ns, ns->v[i]);
		identity_restore(c, ns->v[i]);
	}
	ns->n = conf->node_count;
	if (c->base && nodes_timer_start(ns, err) < 0) {
		nodes_destroy(ns);
		return NULL;
	}
	hc_log(HC_LOG_INFO, "nodes=%zu loaded", ns->n);
	return ns;
}

void
nodes_destroy(struct nodes *ns)
{
	if (!ns)
		return;
	if (ns->timer)
		event_free(ns->timer);
	for (size_t i = 0; i < ns->n; i++)
		node_free(ns->v[i]);
	for (size_t i = 0; i < ns->ngone; i++)
		node_free(ns->gone[i]);
	free(ns->v);
	free(ns->gone);
	free(ns);
}

/* Removed nodes must have no jobs: the ids are named in the refusal. */
static int
reconf_check(struct nodes *ns, const struct hc_conf *conf,
	     struct hc_err *err)
{
	for (size_t i = 0; i < ns->n; i++) {
		struct node *n = ns->v[i];
		char *ids;

		if (conf_node_find(conf, n->name))
			continue;
		ids = ns->c->jobs ? jobs_on_node_list(ns->c->jobs, n) : NULL;
		if (ids || n->njobs) {
			hc_err_set(err, HC_EBUSY, "cannot remove node %s: jobs "
				   "%s still run there; wait for them or "
				   "cancel them, then reconfigure", n->name,
				   ids ? ids : "(allocated)");
			free(ids);
			return -1;
		}
	}
	return 0;
}

int
nodes_reconfigure(struct nodes *ns, const struct hc_conf *conf,
		  struct hc_err *err)
{
	struct node **v;

	if (reconf_check(ns, conf, err) < 0)
		return -1;
	v = hc_calloc(conf->node_count ? conf->node_count : 1, sizeof(*v));
	for (size_t i = 0; i < conf->node_count; i++) {
		const struct conf_node *cn = &conf->nodes[i];
		struct node *n = nodes_find(ns, cn->name);

		if (n) {
			node_apply_conf(n, conf, cn);
			n->index = (uint32_t)i;
		} else {
			n = node_new(conf, cn, (uint32_t)i);
			node_restore(ns, n);
			hc_log(HC_LOG_INFO, "node=%s added", n->name);
		}
		v[i] = n;
	}
	for (size_t i = 0; i < ns->n; i++) {
		struct node *n = ns->v[i];
		if (conf_node_find(conf, n->name))
			continue;
		if (n->conn) {
			struct rpc_conn *conn = n->conn;
			rpc_conn_set_node(conn, NULL);
			n->conn = NULL;
			rpc_conn_close(conn);
		}
		hc_log(HC_LOG_INFO, "node=%s removed", n->name);
		ns->gone = hc_realloc(ns->gone, (ns->ngone + 1) *
				      sizeof(*ns->gone));
		ns->gone[ns->ngone++] = n;
	}
	free(ns->v);
	ns->v = v;
	ns->n = conf->node_count;
	ns->epoch++;
	return 0;
}
