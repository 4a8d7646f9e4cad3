/*
 * rpc_int: what rpc.c and rpc_out.c share and nothing else sees.
 */
#ifndef RPC_INT_H
#define RPC_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>

#include <event2/util.h>
#include <openssl/ssl.h>

#include "frame.h"
#include <jansson.h>

#include "hc_err.h"

/* Per-connection and global limits. */
#define RPC_MAX_CONNS 8192
#define RPC_MAX_CONNS_PER_UID 256
#define RPC_MAX_INFLIGHT 64		/* requests per connection */
#define RPC_MAX_OUTPUT (512u << 20)	/* queued output per connection */

struct auth;
struct rejected;
struct sniff;
struct event;
struct evconnlistener;
struct bufferevent;

struct rpc_conn {
	struct rpc *r;
	struct bufferevent *bev;	/* NULL once closed */
	uint64_t id;
	int refs;
	char peer[64];
	struct rpc_conn *next, **pprev;
	struct event *deadline;		/* MessageTimeout (rpc.c) */
	struct hc_frame_hdr hdr;	/* of the frame being read */
	bool have_hdr;
	bool read_paused;
	bool close_after_reply;
	bool uid_counted;
	uid_t uid;
	unsigned inflight;
	void *node;			/* struct node * once registered */
	bool tls;			/* a node agent's TLS connection */
	bool tls_ok;			/* its certificate was verified */
	char cert_name[256];		/* the name in that certificate */
	time_t cert_not_after;
};

struct out_item {
	struct out_item *next;
	struct rpc_conn *conn;		/* holds a reference */
	uint8_t *buf;
	size_t len;
	bool is_reply;
	bool dropped;			/* not to be written (failed commit) */
	int rc;				/* the reply's rc */
	uint32_t reqid;
};

struct rpc {
	struct ctld *c;
	struct evconnlistener *lis;
	int port;
	uint64_t next_id;
	struct rpc_conn *conns;
	size_t nconns;
	struct auth *auth;
	struct { uid_t uid; size_t count; } *uids;
	size_t nuids;
	bool destroying;
	unsigned auth_pending;		/* requests with the auth workers */
	/* rpc_out.c */
	struct event *flush_ev;
	bool flush_pending;
	bool flush_lazy;		/* armed for FLUSH_LAZY_US, not now */
	bool flush_waiting;		/* commit held for auth_pending */
	struct timeval wait_since;
	struct out_item *out, **out_tail;
	uint64_t commit_failures;
	/* rpc_tls.c */
	SSL_CTX *tls;			/* NULL: no node can connect */
	struct rejected *rejected;
	struct event *tls_tick;
	time_t crl_warned;
	struct sniff *sniffs;		/* connections not yet sniffed */
	size_t nsniffs;
};

void conn_unref(struct rpc_conn *conn);
void conn_resume(struct rpc_conn *conn);

/* A connection on bev (owned from now on), plain or a node's TLS. */
struct rpc_conn *conn_open(struct rpc *r, struct bufferevent *bev,
			   const char *peer, bool tls);

/* rpc_tls.c: node agents' mutual TLS (see there). */
int rpc_tls_init(struct rpc *r, struct hc_err *err);
void rpc_tls_fini(struct rpc *r);
/* A new socket: sniff its first byte, then conn_open() it. */
void rpc_tls_accept(struct rpc *r, evutil_socket_t fd, const char *peer);
/* The handshake ended: verify the node; 0, or -1 (refused and closed). */
int rpc_tls_verify(struct rpc_conn *conn);
/* The handshake failed: record it. */
void rpc_tls_failed(struct rpc_conn *conn);
/* NODE_REGISTER: 0 when conn may register as body's node, else -1 (req
 * answered, refusal recorded). */
struct rpc_req;
int rpc_tls_register_check(struct rpc_conn *conn, const json_t *body,
			   struct rpc_req *req);

int out_init(struct rpc *r, struct hc_err *err);
void out_fini(struct rpc *r);
/* Commit, then write everything queued (also run from the flush event). */
void out_flush_now(struct rpc *r);
/* At exit, after out_flush_now(): stop reading, run the loop until every
 * connection's output is written (at most 1 s), end each stream. */
void out_drain(struct rpc *r);
/* A request came back from the auth workers: a commit held for it may go
 * now. */
void out_kick(struct rpc *r);

#endif
