/*
 * node_conn: node agents' connections. NODE_REGISTER binds a connection to
 * a node (the name of its verified TLS certificate, rpc_tls.c), checks
 * the inventory against hc.conf, and lets the jobs module re-attach the jobs
 * the node reports. Later frames on the connection are heartbeats, job
 * events and health reports. A periodic timer takes a node that has been
 * silent for NodeTimeout DOWN ("Not responding") and fails its jobs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <event2/event.h>
#include <openssl/x509.h>

#include "conf.h"
#include "audit.h"
#include "ctld.h"
#include "identity.h"
#include "invsig.h"
#include "audit.h"
#include "jobs.h"
#include "steps.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "nodes_int.h"
#include "power.h"
#include "rpc.h"
#include "stepcred.h"
#include "tls.h"
#include "states.h"

#define NODE_TIMEOUT_DEFAULT 300
#define HEARTBEAT_DEFAULT 30

static long
node_timeout(const struct nodes *ns)
{
	long t = ns->c->conf->node_timeout;

	return t > 0 ? t : NODE_TIMEOUT_DEFAULT;
}

static json_int_t
jint_or(const json_t *o, const char *key, json_int_t def)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

/* Fill GPU details from the inventory and say what falls short of hc.conf
 * (into why; empty when the inventory covers it). */
static void
inventory_check(struct node *n, const json_t *inv, char *why, size_t len)
{
	json_int_t cpus = jint_or(inv, "cpus", 0);
	json_int_t mem = jint_or(inv, "memory_mb", 0);
	json_t *gpus = json_object_get(inv, "gpus");
	uint32_t matched = 0;
	bool used[SCHED_MAX_GPUS] = { false };

	why[0] = '\0';
	if (n->cn->cpus > 0 && cpus < n->cn->cpus)
		snprintf(why, len, "inventory has %lld CPUs, hc.conf says %ld",
			 (long long)cpus, n->cn->cpus);
	else if (n->cn->real_memory_mb && (uint64_t)mem < n->cn->real_memory_mb)
		snprintf(why, len, "inventory has %lld MB of memory, hc.conf "
			 "says RealMemory=%llu", (long long)mem,
			 (unsigned long long)n->cn->real_memory_mb);
	if (n->cn->cpus <= 0 && cpus > 0 && cpus <= SCHED_MAX_CPUS) {
		n->cpus = (uint32_t)cpus;
		node_cpus_resize(n, n->cpus);
	}
	if (!n->cn->real_memory_mb && mem > 0)
		n->mem_mb = (uint64_t)mem;
	for (uint32_t g = 0; g < n->gpu_count; g++) {
		size_t i;
		json_t *ig;

		json_array_foreach(gpus, i, ig) {
			const char *t = json_string_value(
				json_object_get(ig, "type"));
			if (i >= SCHED_MAX_GPUS || used[i] ||
			    (n->gpus[g].type[0] && (!t ||
			     strcasecmp(t, n->gpus[g].type))))
				continue;
			used[i] = true;
			matched++;
#define CP(f) snprintf(n->gpus[g].f, sizeof(n->gpus[g].f), "%s", \
		       json_string_value(json_object_get(ig, #f)) ? \
		       json_string_value(json_object_get(ig, #f)) : "")
			CP(model); CP(vendor); CP(pci_id); CP(busid);
#undef CP
			n->gpus[g].memory_mb = jint_or(ig, "memory_mb", 0);
			break;
		}
	}
	if (!why[0] && matched < n->gpu_count)
		snprintf(why, len, "inventory has %u of the %u GPUs hc.conf "
			 "declares (Gres)", matched, n->gpu_count);
	if (!n->sockets)
		n->sockets = (int)jint_or(inv, "sockets", 0);
	/* hc.conf may leave the shape to discovery: the inventory counts
	 * cores over the whole node and hardware threads per core. */
	json_int_t cores = jint_or(inv, "cores", 0);
	if (!n->cores_per_socket && n->sockets > 0)
		n->cores_per_socket = (int)(cores / n->sockets);
	if (!n->threads_per_core)
		n->threads_per_core = (int)jint_or(inv, "threads", 0);
}

/* The TLS session's binding (what the node signed with its inventory) and
 * the peer's verified certificate (rpc_tls.c checked it when the handshake
 * ended): 32 zero bytes and NULL on a connection without TLS. */
static void
register_binding(struct rpc_req *req, uint8_t out[INVSIG_BINDING_LEN])
{
	SSL *ssl = rpc_conn_ssl(req->conn);

	if (!ssl || tls_export_binding(ssl, out) < 0)
		memset(out, 0, INVSIG_BINDING_LEN);
}

static X509 *
register_peer_cert(struct rpc_req *req)
{
	SSL *ssl = rpc_conn_ssl(req->conn);

	return ssl ? SSL_get0_peer_certificate(ssl) : NULL;
}

static void
cert_facts(X509 *cert, char fp[65], long long *not_after)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	struct tm tm;

	fp[0] = '\0';
	if (X509_digest(cert, EVP_sha256(), md, &len))
		for (unsigned i = 0; i < len && i < 32; i++)
			snprintf(fp + 2 * i, 3, "%02x", md[i]);
	*not_after = ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) ?
		     (long long)timegm(&tm) : 0;
}

/* A registration's signed inventory, checked. */
struct signed_inv {
	json_t *inv;			/* parsed (owned) */
	uint8_t binding[INVSIG_BINDING_LEN];
	char fp[65];
	long long not_after;
	bool verified;
};

static int
signed_inv_check(struct rpc_req *req, json_t *body, struct signed_inv *si,
		 struct hc_err *err)
{
	const char *b64 = json_string_value(json_object_get(body,
							    "inventory_blob"));
	const char *s64 = json_string_value(json_object_get(body,
							    "inventory_sig"));
	uint8_t *blob = NULL, *sig = NULL;
	size_t blen = 0, slen = 0;
	X509 *cert = register_peer_cert(req);
	int rc = -1;

	if (!b64 || !s64) {
		return hc_err_set(err, HC_EINVAL, "registration carries no "
				  "signed inventory (inventory_blob, "
				  "inventory_sig); upgrade hcnoded");
	}
	if (!(blob = invsig_b64_decode(b64, &blen)) ||
	    !(sig = invsig_b64_decode(s64, &slen))) {
		hc_err_set(err, HC_EINVAL, "inventory_blob or inventory_sig "
			   "is not base64");
		goto out;
	}
	register_binding(req, si->binding);
	/* Security: the inventory counts only if the key of the node's
	 * verified certificate signed it on this very session. */
	if (cert) {
		if (invsig_verify(X509_get0_pubkey(cert), si->binding, blob,
				  blen, sig, slen, err) < 0)
			goto out;
		si->verified = true;
		cert_facts(cert, si->fp, &si->not_after);
	}
	if (!(si->inv = identity_inventory_parse(blob, blen, err)))
		goto out;
	rc = 0;
out:
	free(blob);
	free(sig);
	return rc;
}

static void
register_refuse(struct rpc_req *req, const char *name, struct hc_err *err)
{
	struct ctld *c = req->ctld;
	char subj[300];

	hc_log(HC_LOG_WARN, "peer=%s node=%s registration refused: %s",
	       req->peer, name, err->text);
	snprintf(subj, sizeof(subj), "node:%s", name);
	audit_append(c->audit, 0, "node_refused", subj, json_pack(
		"{s:s,s:s}", "peer", req->peer, "reason", err->text));
	rpc_conn_rejected(req->conn, name, err->code == HC_EAUTH ?
			  "bad signature" : "bad inventory", err->text);
	rpc_reply_err(req, err->code == HC_EAUTH ? HC_EAUTH : HC_EINVAL,
		      "node %s: %s", name, err->text);
}

static void
register_identity(struct ctld *c, struct node *n, json_t *body,
		  const struct signed_inv *si)
{
	struct identity_proof p = {
		.inv = si->inv,
		.blob_b64 = json_string_value(json_object_get(body,
							      "inventory_blob")),
		.sig_b64 = json_string_value(json_object_get(body,
							     "inventory_sig")),
		.binding = si->binding,
		.cert_fp = si->fp[0] ? si->fp : NULL,
		.cert_not_after = si->not_after,
		.verified = si->verified,
	};

	identity_on_register(c, n, &p);
}

static void
register_apply(struct nodes *ns, struct node *n, json_t *body, json_t *inv)
{
	const char *ver = json_string_value(json_object_get(body, "version"));
	char why[256];

	json_decref(n->inventory);
	n->inventory = json_is_object(inv) ? json_incref(inv) : NULL;
	free(n->version);
	n->version = ver ? hc_strdup(ver) : NULL;
	n->boot_time = jint_or(body, "boot_time", 0);
	n->last_heartbeat = time(NULL);
	inventory_check(n, n->inventory, why, sizeof(why));
	free(n->inv_reason);
	n->inv_reason = why[0] ? hc_strdup(why) : NULL;
	if (why[0])
		n->flags |= NODE_F_INVALID_INVENTORY;
	else
		n->flags &= ~NODE_F_INVALID_INVENTORY;
	/* An admin's or a health check's reason stays; ours is replaced. */
	if (!(n->flags & NODE_F_DRAIN) && !n->admin_down)
		node_set_reason(n, n->inv_reason, 0);
	n->flags &= ~NODE_F_NOT_RESPONDING;
	n->registered = true;
	if (!n->admin_down && (n->base == NODE_DOWN || n->base == NODE_UNKNOWN))
		n->base = NODE_IDLE;
	node_update_base(n);
}

/* NODE_REGISTER: the first frame of a node agent's connection. */
void
nodes_rpc_register(struct rpc_req *req, json_t *body)
{
	struct ctld *c = req->ctld;
	struct nodes *ns = c->nodes;
	const char *name = json_string_value(json_object_get(body, "name"));
	struct node *n;
	char before[128], *pub;
	json_t *rep;
	struct signed_inv si = { 0 };
	struct hc_err err = { 0 };

	/* Security: nodes authenticate by certificate, not munge. A
	 * NODE_REGISTER gets here only over a TLS connection whose
	 * certificate rpc_tls_verify() accepted and whose name
	 * rpc_tls_register_check() matched with the body's; such requests
	 * carry uid 0 (rpc.c). Anything else is a broken invariant: refuse. */
	if (req->uid != 0) {
		hc_log(HC_LOG_WARN, "peer=%s uid=%u node registration refused: "
		       "not a verified TLS node connection", req->peer,
		       (unsigned)req->uid);
		rpc_reply_err(req, HC_EPERM, "node agents must connect with "
			      "TLS; see TrustedCA in hc.conf(5)");
		return;
	}
	if (!name || !(n = nodes_find(ns, name))) {
		hc_log(HC_LOG_WARN, "peer=%s node=%s registration refused: not "
		       "in hc.conf", req->peer, name ? name : "?");
		rpc_reply_err(req, HC_ENOENT, "node %s is not declared in "
			      "hc.conf; add a NodeName line and run hcctl "
			      "reconfigure", name ? name : "(none)");
		return;
	}
	if (signed_inv_check(req, body, &si, &err) < 0 ||
	    (c->power && power_on_register(c->power, n, &err) < 0)) {
		register_refuse(req, n->name, &err);
		json_decref(si.inv);
		return;
	}
	if (n->conn && n->conn != req->conn) {
		struct rpc_conn *old = n->conn;
		hc_log(HC_LOG_INFO, "node=%s peer=%s replaces connection from "
		       "%s", n->name, req->peer, rpc_conn_peer(old));
		rpc_conn_set_node(old, NULL);
		rpc_conn_close(old);
	}
	node_state_format(n->base, n->flags, before, sizeof(before));
	n->conn = req->conn;
	rpc_conn_set_node(req->conn, n);
	register_apply(ns, n, body, si.inv);
	register_identity(c, n, body, &si);
	json_decref(si.inv);
	hc_log(HC_LOG_INFO, "node=%s peer=%s registered version=%s cpus=%u "
	       "gpus=%u", n->name, req->peer, n->version ? n->version : "?",
	       n->cpus, n->gpu_count);

	pub = stepcred_key_public_b64(c->key);
	rep = json_pack("{s:I, s:I, s:s}", "heartbeat_interval",
			(json_int_t)(c->conf->heartbeat_interval > 0 ?
				     c->conf->heartbeat_interval :
				     HEARTBEAT_DEFAULT),
			"node_timeout", (json_int_t)node_timeout(ns),
			"step_pubkey", pub ? pub : "");
	free(pub);
	rpc_reply(req, rep);
	audit_on_register(c, n);
	if (c->jobs)
		jobs_on_node_register(c->jobs, n, json_object_get(body, "jobs"));
	node_state_changed(ns, n, before, HC_LOG_INFO);
	nodes_save(ns, n);
	if (c->jobs)
		jobs_sched_request(c->jobs);
}

static void
on_health(struct nodes *ns, struct node *n, json_t *body)
{
	bool ok = json_is_true(json_object_get(body, "ok"));
	const char *msg = json_string_value(json_object_get(body, "message"));
	char before[128], reason[256];

	node_state_format(n->base, n->flags, before, sizeof(before));
	if (!ok && !(n->flags & NODE_F_DRAIN)) {
		snprintf(reason, sizeof(reason), "health check: %s",
			 msg && *msg ? msg : "failed");
		n->flags |= NODE_F_DRAIN;
		n->health_drain = true;
		node_set_reason(n, reason, 0);
	} else if (ok && n->health_drain) {
		/* only a drain the health check set is lifted by it */
		n->flags &= ~NODE_F_DRAIN;
		n->health_drain = false;
		node_set_reason(n, n->inv_reason, 0);
		if (ns->c->jobs)
			jobs_sched_request(ns->c->jobs);
	}
	node_state_changed(ns, n, before, HC_LOG_INFO);
}

void
nodes_on_frame(struct nodes *ns, struct node *n, uint16_t type, json_t *body)
{
	char before[128];

	n->last_heartbeat = time(NULL);
	if (n->flags & NODE_F_NOT_RESPONDING) {
		node_state_format(n->base, n->flags, before, sizeof(before));
		n->flags &= ~NODE_F_NOT_RESPONDING;
		node_state_changed(ns, n, before, HC_LOG_INFO);
	}
	switch (type) {
	case HC_MSG_NODE_HEARTBEAT:
		break;
	case HC_MSG_JOB_EVENT:
		if (ns->c->jobs)
			jobs_on_event(ns->c->jobs, n, body);
		break;
	case HC_MSG_NODE_HEALTH:
		on_health(ns, n, body);
		break;
	case HC_MSG_STEP_EVENT:
		steps_on_event(ns->c, n, body);
		break;
	case HC_MSG_STEP_CRED_REQ:
		steps_on_cred_req(ns->c, n, body);
		break;
	default:
		break;
	}
}

void
nodes_on_disconnect(struct nodes *ns, struct node *n)
{
	char before[128];

	node_state_format(n->base, n->flags, before, sizeof(before));
	n->conn = NULL;
	if (power_expects_disconnect(n)) {
		hc_log(HC_LOG_INFO, "node=%s disconnected (stopped)", n->name);
		return;
	}
	n->flags |= NODE_F_NOT_RESPONDING;
	hc_log(HC_LOG_INFO, "node=%s disconnected; DOWN in %lds unless it "
	       "comes back", n->name, node_timeout(ns));
	node_state_changed(ns, n, before, HC_LOG_INFO);
}

/* A node silent for NodeTimeout goes DOWN and its jobs fail. */
static void
node_timeout_check(struct nodes *ns, struct node *n, time_t now)
{
	time_t ref = n->last_heartbeat ? n->last_heartbeat : ns->started;
	char before[128];

	/* Nodes not started, or powered off, are silent by design; one
	 * starting has its own deadline (ResumeTimeout, power.c). */
	if (n->base == NODE_DOWN || n->base == NODE_CLOUD ||
	    (n->flags & (NODE_F_POWERED_DOWN | NODE_F_POWERING_UP |
			 NODE_F_POWERING_DOWN)) ||
	    now - ref < node_timeout(ns))
		return;
	node_state_format(n->base, n->flags, before, sizeof(before));
	n->base = NODE_DOWN;
	n->flags |= NODE_F_NOT_RESPONDING;
	if (!(n->flags & NODE_F_DRAIN) && !n->admin_down)
		node_set_reason(n, "Not responding", 0);
	if (n->conn) {
		struct rpc_conn *conn = n->conn;
		rpc_conn_set_node(conn, NULL);
		n->conn = NULL;
		rpc_conn_close(conn);
	}
	node_state_changed(ns, n, before, HC_LOG_WARN);
	if (ns->c->jobs)
		jobs_on_node_down(ns->c->jobs, n, "Not responding");
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct nodes *ns = arg;
	time_t now = time(NULL);

	for (size_t i = 0; i < ns->n; i++)
		node_timeout_check(ns, ns->v[i], now);
}

int
nodes_timer_start(struct nodes *ns, struct hc_err *err)
{
	struct timeval tv = { 1, 0 };

	ns->timer = event_new(ns->c->base, -1, EV_PERSIST, on_timer, ns);
	if (!ns->timer || event_add(ns->timer, &tv) < 0)
		return hc_err_set(err, HC_EIO, "nodes: cannot start the "
				  "NodeTimeout timer");
	return 0;
}
