/*
 * rpc: the controller's listener, connections and dispatch.
 *
 * A connection's frames are read with limits checked from the header before
 * buffering (frame.h); a malformed frame closes that connection only, logged
 * with the peer. A request frame with a munge credential is decoded by the
 * auth worker thread (never on the loop); the result comes back to the loop,
 * which dispatches it through the handler table (one row per message type:
 * type, handler, who may call it). Node agents connect with mutual TLS on
 * the same port (rpc_tls.c: the first byte tells a TLS handshake from a
 * command's frame); their connections are handed to nodes.c after
 * NODE_REGISTER, whose node must be the one the verified certificate names.
 *
 * Replies are deferred until the state transaction they depend on has been
 * committed (group commit): rpc queues them and flushes after state_commit.
 */
#ifndef RPC_H
#define RPC_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <jansson.h>

struct ctld;
struct rpc;
struct rpc_conn;

/* One authenticated request being handled. Valid until replied to. */
struct rpc_req {
	struct ctld *ctld;
	struct rpc_conn *conn;	/* may disappear: rpc_reply copes */
	uint16_t type;
	uint32_t reqid;
	uid_t uid;		/* from munge, never from the body */
	gid_t gid;
	char peer[64];		/* "127.0.0.1:40112" for logs */
};

typedef void rpc_handler_fn(struct rpc_req *req, json_t *body);

struct rpc_handler {
	uint16_t type;
	rpc_handler_fn *fn;
	unsigned flags;		/* RPC_ADMIN: AdminUsers/root only */
};
#define RPC_ADMIN 1u

struct rpc *rpc_create(struct ctld *c, struct hc_err *err);	/* listens */
void rpc_destroy(struct rpc *r);
int rpc_bound_port(const struct rpc *r);

/* Answer req with body (stolen; may be NULL for {"rc":0}). The reply is
 * sent after the current state transaction commits. Frees req. */
void rpc_reply(struct rpc_req *req, json_t *body);
/* Answer with a body already encoded: text (len bytes, stolen) must be a
 * JSON object with "rc": 0 (large listings written straight as text,
 * jtext.h). Sent after the commit like rpc_reply. Frees req. */
void rpc_reply_raw(struct rpc_req *req, char *text, size_t len);
/* Answer with an error: {"rc": code, "error": text}. Frees req. */
void rpc_reply_err(struct rpc_req *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Send a frame (no credential) to a connection, e.g. to a node agent.
 * body is borrowed. Returns 0/-1 (connection gone or output limit hit). */
int rpc_conn_send(struct rpc_conn *conn, uint16_t type, uint32_t reqid,
		  const json_t *body);
void rpc_conn_close(struct rpc_conn *conn);
const char *rpc_conn_peer(const struct rpc_conn *conn);

/* Called by nodes.c: this connection now belongs to node `node`; later
 * frames on it (no credential) go to nodes_on_frame(). */
void rpc_conn_set_node(struct rpc_conn *conn, void *node);

/* A node agent's TLS session (NULL for a command's connection), e.g. for
 * tls_export_binding(); borrowed, valid while the connection is open. */
struct ssl_st;
struct ssl_st *rpc_conn_ssl(const struct rpc_conn *conn);
/* The notAfter of the node's verified certificate (0 if none). */
time_t rpc_conn_cert_not_after(const struct rpc_conn *conn);
/* Add a refusal found past the transport (a bad inventory signature) to
 * `hcctl show rejected`: name claimed, reason (a short phrase) and detail
 * are copied. Logging and auditing it stay with the caller. */
void rpc_conn_rejected(struct rpc_conn *conn, const char *name,
		       const char *reason, const char *detail);
/* Load TrustedCA and CRLFile again (hcctl reconfigure) and drop the node
 * connections whose certificates no longer pass. */
void rpc_tls_reload(struct rpc *r);

/* Handlers the accounts module provides (accounts_rpc.c). */
rpc_handler_fn accounts_rpc_update, accounts_rpc_query;
/* Handlers the jobs module provides (jobs_rpc.c). */
rpc_handler_fn jobs_rpc_submit, jobs_rpc_query, jobs_rpc_signal,
	jobs_rpc_update, jobs_rpc_history;
/* JOB_QUERY with "format": "rows" (jobs_rows.c; jobs_rpc_query calls it). */
rpc_handler_fn jobs_rpc_query_rows;
/* Handlers the nodes/admin side provides. */
rpc_handler_fn nodes_rpc_query, nodes_rpc_update, nodes_rpc_queues,
	admin_rpc_ping, admin_rpc_config, admin_rpc_reconfigure,
	admin_rpc_shutdown, admin_rpc_backup, nodes_rpc_register;
/* REJECTED_QUERY (rpc_tls.c): the refused node connections. */
rpc_handler_fn rpc_rejected_query;
/* Job steps and interactive allocations (steps_rpc.c, steps_alloc.c). */
rpc_handler_fn steps_rpc_create, steps_rpc_end, steps_rpc_query,
	steps_rpc_release, steps_rpc_alive;

#endif
