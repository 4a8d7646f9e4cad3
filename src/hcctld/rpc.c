/*
 * rpc: the controller's listener, connections, framing and dispatch.
 *
 * A connection reads a 24-byte header, validates it (hc_frame_hdr_decode:
 * magic, version, type, flags, size limits) and checks that the type is one
 * this kind of connection may send, all before buffering the rest. Then it
 * waits for the whole frame (read low watermark), and:
 *  - on a node's connection (bound by NODE_REGISTER): the body goes to
 *    nodes_on_frame(); such frames carry no credential;
 *  - on a node agent's TLS connection not yet bound: only NODE_REGISTER,
 *    without credential, for the node its verified certificate names
 *    (rpc_tls.c);
 *  - otherwise the frame must carry a munge credential: it goes to the auth
 *    workers (auth.c) and comes back to dispatch() on the loop. A
 *    NODE_REGISTER there is refused: node agents speak TLS only.
 *
 * Connections are reference counted: an auth job, a request being handled
 * and a queued reply each hold one, so a connection closed meanwhile is
 * only marked closed (bev NULL) and late results are dropped.
 *
 * Deadlines: a connection must complete a request (a command's) or its
 * NODE_REGISTER (a node agent's, handshake included) within MessageTimeout,
 * and a command's connection must not stay idle longer between requests;
 * else it is closed. A registered node is judged by its heartbeats
 * (NodeTimeout) instead.
 *
 * Output: replies and frames to nodes are queued (rpc_out.c) and written
 * after the state transaction has been committed (group commit).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "audit.h"
#include "usage.h"
#include "auth.h"
#include "conf.h"
#include "ctld.h"
#include "frame.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "power.h"
#include "rpc.h"
#include "resv.h"
#include "rpc_int.h"
#include "state.h"

/* The handler table: one row per request type a command may send. */
static const struct rpc_handler handlers[] = {
	{ HC_MSG_PING, admin_rpc_ping, 0 },
	{ HC_MSG_SUBMIT, jobs_rpc_submit, 0 },
	{ HC_MSG_JOB_QUERY, jobs_rpc_query, 0 },
	{ HC_MSG_JOB_SIGNAL, jobs_rpc_signal, 0 },
	{ HC_MSG_JOB_UPDATE, jobs_rpc_update, 0 },
	{ HC_MSG_HISTORY_QUERY, jobs_rpc_history, 0 },
	{ HC_MSG_NODE_QUERY, nodes_rpc_query, 0 },
	{ HC_MSG_NODE_UPDATE, nodes_rpc_update, RPC_ADMIN },
	{ HC_MSG_QUEUE_QUERY, nodes_rpc_queues, 0 },
	{ HC_MSG_CONFIG_SHOW, admin_rpc_config, 0 },
	{ HC_MSG_RECONFIGURE, admin_rpc_reconfigure, RPC_ADMIN },
	{ HC_MSG_SHUTDOWN, admin_rpc_shutdown, RPC_ADMIN },
	{ HC_MSG_BACKUP, admin_rpc_backup, RPC_ADMIN },
	{ HC_MSG_AUDIT_QUERY, audit_rpc_query, RPC_ADMIN },
	{ HC_MSG_AUDIT_VERIFY, audit_rpc_verify, RPC_ADMIN },
	{ HC_MSG_AUDIT_TRACE, audit_rpc_trace, RPC_ADMIN },
	{ HC_MSG_NODE_REGISTER, nodes_rpc_register, 0 },
	{ HC_MSG_REJECTED_QUERY, rpc_rejected_query, RPC_ADMIN },
	{ HC_MSG_CLOUD_QUERY, power_rpc_query, 0 },
	{ HC_MSG_STEP_CREATE, steps_rpc_create, 0 },
	{ HC_MSG_STEP_END, steps_rpc_end, 0 },
	{ HC_MSG_STEP_QUERY, steps_rpc_query, 0 },
	{ HC_MSG_ALLOC_RELEASE, steps_rpc_release, 0 },
	{ HC_MSG_ALLOC_ALIVE, steps_rpc_alive, 0 },
	/* Security: accounts change only by admins; anyone may show them. */
	{ HC_MSG_ACCT_UPDATE, accounts_rpc_update, RPC_ADMIN },
	{ HC_MSG_ACCT_QUERY, accounts_rpc_query, 0 },
	{ HC_MSG_FAIRSHARE_QUERY, usage_rpc_query, 0 },
	{ HC_MSG_RESV_UPDATE, resv_rpc_update, RPC_ADMIN },
	{ HC_MSG_RESV_QUERY, resv_rpc_query, 0 },
	{ 0, NULL, 0 }
};

/* Frames a node agent may send on its bound connection. */
static const uint16_t node_types[] = {
	HC_MSG_NODE_HEARTBEAT, HC_MSG_JOB_EVENT, HC_MSG_NODE_HEALTH,
	HC_MSG_STEP_EVENT, HC_MSG_STEP_CRED_REQ, 0
};

static const struct rpc_handler *
handler_find(uint16_t type)
{
	for (const struct rpc_handler *h = handlers; h->fn; h++)
		if (h->type == type)
			return h;
	return NULL;
}

static bool
node_type_ok(uint16_t type)
{
	for (const uint16_t *t = node_types; *t; t++)
		if (*t == type)
			return true;
	return false;
}

/* --- connections --- */

void
conn_unref(struct rpc_conn *conn)
{
	if (--conn->refs > 0)
		return;
	free(conn);
}

static size_t *
uid_slot(struct rpc *r, uid_t uid, bool add)
{
	for (size_t i = 0; i < r->nuids; i++)
		if (r->uids[i].uid == uid)
			return &r->uids[i].count;
	if (!add)
		return NULL;
	r->uids = hc_realloc(r->uids, (r->nuids + 1) * sizeof(*r->uids));
	r->uids[r->nuids].uid = uid;
	r->uids[r->nuids].count = 0;
	return &r->uids[r->nuids++].count;
}

void
rpc_conn_close(struct rpc_conn *conn)
{
	struct rpc *r;

	if (!conn || !conn->bev)
		return;
	r = conn->r;
	if (conn->deadline)
		event_free(conn->deadline);
	conn->deadline = NULL;
	bufferevent_free(conn->bev);
	conn->bev = NULL;
	if (conn->uid_counted) {
		size_t *n = uid_slot(r, conn->uid, false);
		if (n && *n)
			(*n)--;
	}
	*conn->pprev = conn->next;
	if (conn->next)
		conn->next->pprev = conn->pprev;
	r->nconns--;
	if (conn->node && !r->destroying)
		nodes_on_disconnect(r->c->nodes, conn->node);
	conn->node = NULL;
	conn_unref(conn);
}

static void
conn_drop(struct rpc_conn *conn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Close conn because of what its peer did, with one log line. */
static void
conn_drop(struct rpc_conn *conn, const char *fmt, ...)
{
	char why[HC_ERR_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	hc_log_limited("rpc-drop", HC_LOG_WARN, "peer=%s %s; closing",
		       conn->peer, why);
	rpc_conn_close(conn);
}

const char *
rpc_conn_peer(const struct rpc_conn *conn)
{
	return conn->peer;
}

void
rpc_conn_set_node(struct rpc_conn *conn, void *node)
{
	conn->node = node;
	if (node && conn->deadline)
		event_del(conn->deadline);	/* heartbeats from now on */
}

/* (Re)arm conn's deadline: MessageTimeout from now. */
static void
conn_deadline_arm(struct rpc_conn *conn)
{
	struct timeval tv = { conn->r->c->conf->message_timeout, 0 };

	if (conn->deadline)
		event_add(conn->deadline, &tv);
}

static void
conn_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_conn *conn = arg;

	if (!conn->bev || conn->node)
		return;
	if (!conn->tls && (conn->inflight || evbuffer_get_length(
				   bufferevent_get_output(conn->bev)))) {
		conn_deadline_arm(conn);	/* busy, not idle */
		return;
	}
	hc_log_limited("rpc-timeout", HC_LOG_WARN, "peer=%s %s within "
		       "MessageTimeout (%lds); closing", conn->peer,
		       !conn->tls ? "sent no complete request" :
		       conn->tls_ok ? "did not register" :
		       "did not finish its TLS handshake",
		       conn->r->c->conf->message_timeout);
	rpc_conn_close(conn);
}

/* --- requests --- */

static struct rpc_req *
req_new(struct rpc_conn *conn, uint16_t type, uint32_t reqid, uid_t uid,
	gid_t gid)
{
	struct rpc_req *req = hc_calloc(1, sizeof(*req));

	req->ctld = conn->r->c;
	req->conn = conn;
	req->type = type;
	req->reqid = reqid;
	req->uid = uid;
	req->gid = gid;
	snprintf(req->peer, sizeof(req->peer), "%s", conn->peer);
	conn->refs++;
	conn->inflight++;
	return req;
}

/* Security: uid/gid come from the munge credential only. */
static void
dispatch(struct rpc_conn *conn, struct auth_job *job)
{
	struct rpc *r = conn->r;
	const struct rpc_handler *h = handler_find(job->type);
	struct rpc_req *req = req_new(conn, job->type, job->reqid, job->uid,
				      job->gid);
	struct hc_err err = { 0 };
	json_t *body;

	if (!conn->uid_counted && !conn->tls) {
		size_t *n = uid_slot(r, job->uid, true);
		if (*n >= RPC_MAX_CONNS_PER_UID) {
			rpc_reply_err(req, HC_EBUSY, "too many connections "
				      "for uid %u (limit %d); close some",
				      (unsigned)job->uid,
				      RPC_MAX_CONNS_PER_UID);
			conn->close_after_reply = true;
			return;
		}
		(*n)++;
		conn->uid_counted = true;
		conn->uid = job->uid;
	}
	body = hc_msg_decode(job->type, job->body, job->body_len, &err);
	if (!body) {
		rpc_reply_err(req, HC_EINVAL, "%s", err.text);
		return;
	}
	if (job->type == HC_MSG_NODE_REGISTER &&
	    rpc_tls_register_check(conn, body, req) < 0) {
		json_decref(body);
		return;
	}
	/* Security: admin-only requests need AdminUsers (or root). */
	if ((h->flags & RPC_ADMIN) && !conf_is_admin(r->c->conf, job->uid)) {
		hc_log(HC_LOG_WARN, "peer=%s uid=%u request=%s refused: not an "
		       "admin", conn->peer, (unsigned)job->uid,
		       hc_msg_name(job->type));
		rpc_reply_err(req, HC_EPERM, "%s is for administrators only "
			      "(AdminUsers in hc.conf); uid %u is not one",
			      hc_msg_name(job->type), (unsigned)job->uid);
		json_decref(body);
		return;
	}
	hc_log(HC_LOG_DEBUG, "peer=%s uid=%u request=%s reqid=%u", conn->peer,
	       (unsigned)job->uid, hc_msg_name(job->type), job->reqid);
	h->fn(req, body);
	json_decref(body);
}

/* Back on the loop from the auth workers. */
static void
auth_done(struct auth_job *job, void *arg)
{
	struct rpc_conn *conn = job->conn;
	struct rpc *r = conn->r;

	conn->inflight--;
	r->auth_pending--;
	if (!conn->bev) {
		/* closed meanwhile: drop the late result */
	} else if (job->rc < 0) {
		struct rpc_req *req = req_new(conn, job->type, job->reqid,
					      (uid_t)-1, (gid_t)-1);
		hc_log_limited("rpc-auth", HC_LOG_WARN, "peer=%s request=%s "
			       "authentication failed: %s", conn->peer,
			       hc_msg_name(job->type), job->err.text);
		rpc_reply_err(req, HC_EAUTH, "authentication failed: %s",
			      job->err.text);
	} else {
		dispatch(conn, job);
	}
	conn_unref(conn);
	auth_job_free(job);
	out_kick(r);
}

/* A whole frame is buffered: take it. */
static void
conn_frame(struct rpc_conn *conn, struct evbuffer *in)
{
	struct hc_frame_hdr *h = &conn->hdr;
	struct auth_job *job = hc_calloc(1, sizeof(*job));
	struct hc_err err = { 0 };

	job->type = h->type;
	job->reqid = h->reqid;
	job->cred_len = h->cred_len;
	job->cred = hc_malloc(h->cred_len + 1);
	evbuffer_remove(in, job->cred, h->cred_len);
	job->cred[h->cred_len] = '\0';
	job->body_len = h->body_len;
	job->body = hc_malloc(h->body_len + 1);
	evbuffer_remove(in, job->body, h->body_len);
	job->body[h->body_len] = '\0';
	conn->have_hdr = false;
	if (!conn->tls)
		conn_deadline_arm(conn);	/* the next one, or idle */

	if (conn->node) {
		json_t *body = hc_msg_decode(job->type, job->body,
					     job->body_len, &err);
		if (!body)
			hc_log_limited("rpc-node-body", HC_LOG_WARN,
				       "peer=%s %s: bad body: %s", conn->peer,
				       hc_msg_name(job->type), err.text);
		else
			nodes_on_frame(conn->r->c->nodes, conn->node,
				       job->type, body);
		json_decref(body);
		auth_job_free(job);
		return;
	}
	if (conn->tls) {
		/* Security: who this is was settled by its certificate
		 * (rpc_tls_verify) and conn_header let only NODE_REGISTER
		 * through; uid 0 stands for "a verified node agent". */
		job->uid = 0;
		job->gid = 0;
		dispatch(conn, job);
		auth_job_free(job);
		return;
	}
	if (job->cred_len == 0) {
		struct rpc_req *req = req_new(conn, job->type, job->reqid,
					      (uid_t)-1, (gid_t)-1);
		rpc_reply_err(req, HC_EAUTH, "%s: the request carries no "
			      "munge credential", hc_msg_name(job->type));
		auth_job_free(job);
		return;
	}
	job->conn = conn;
	conn->refs++;
	conn->inflight++;
	conn->r->auth_pending++;
	auth_submit(conn->r->auth, job);
}

/* Validate a header before anything else of the frame is buffered. */
static int
conn_header(struct rpc_conn *conn, struct evbuffer *in)
{
	uint8_t raw[HC_FRAME_HDR_LEN];
	struct hc_err err = { 0 };
	struct hc_frame_hdr *h = &conn->hdr;

	evbuffer_remove(in, raw, sizeof(raw));
	if (hc_frame_hdr_decode(raw, h, &err) < 0) {
		conn_drop(conn, "bad frame: %s", err.text);
		return -1;
	}
	if (conn->node ? (!node_type_ok(h->type) || h->cred_len)
		       : conn->tls ? (h->type != HC_MSG_NODE_REGISTER ||
				      h->cred_len)
		       : !handler_find(h->type)) {
		conn_drop(conn, "bad frame: type %s (%u) not accepted on %s "
			  "connection", hc_msg_name(h->type) ?
			  hc_msg_name(h->type) : "?", h->type,
			  conn->node ? "a node's" : "a command");
		return -1;
	}
	conn->have_hdr = true;
	return 0;
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct rpc_conn *conn = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	if (conn->tls && !conn->tls_ok)
		return;		/* not verified yet: read nothing */
	conn->refs++;		/* handlers may close it under us */
	while (conn->bev) {
		size_t have = evbuffer_get_length(in), need;

		if (conn->inflight >= RPC_MAX_INFLIGHT) {
			bufferevent_disable(bev, EV_READ);
			conn->read_paused = true;
			break;
		}
		if (!conn->have_hdr) {
			if (have < HC_FRAME_HDR_LEN) {
				bufferevent_setwatermark(bev, EV_READ,
							 HC_FRAME_HDR_LEN, 0);
				break;
			}
			if (conn_header(conn, in) < 0)
				break;
			have -= HC_FRAME_HDR_LEN;
		}
		need = (size_t)conn->hdr.cred_len + conn->hdr.body_len;
		if (have < need) {
			bufferevent_setwatermark(bev, EV_READ, need, 0);
			break;
		}
		conn_frame(conn, in);
	}
	if (conn->bev && !conn->have_hdr &&
	    evbuffer_get_length(in) < HC_FRAME_HDR_LEN)
		bufferevent_setwatermark(bev, EV_READ, HC_FRAME_HDR_LEN, 0);
	conn_unref(conn);
}

/* Replies went out: take reading back up if it was paused. */
void
conn_resume(struct rpc_conn *conn)
{
	if (!conn->bev || !conn->read_paused ||
	    conn->inflight >= RPC_MAX_INFLIGHT)
		return;
	conn->read_paused = false;
	bufferevent_enable(conn->bev, EV_READ);
	conn_read(conn->bev, conn);
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct rpc_conn *conn = arg;

	if (what & BEV_EVENT_CONNECTED) {	/* a TLS handshake ended */
		if (rpc_tls_verify(conn) == 0 &&
		    evbuffer_get_length(bufferevent_get_input(bev)))
			conn_read(bev, conn);
		return;
	}
	if (conn->tls && !conn->tls_ok)
		rpc_tls_failed(conn);
	else if (what & BEV_EVENT_ERROR)
		hc_log(HC_LOG_DEBUG, "peer=%s connection error: %s",
		       conn->peer, evutil_socket_error_to_string(
			       EVUTIL_SOCKET_ERROR()));
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		rpc_conn_close(conn);
}

static void
peer_format(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
	}
	snprintf(buf, len, "%s:%d", host, port);
}

struct rpc_conn *
conn_open(struct rpc *r, struct bufferevent *bev, const char *peer, bool tls)
{
	struct rpc_conn *conn = hc_calloc(1, sizeof(*conn));

	conn->r = r;
	conn->refs = 1;		/* the open connection's own */
	conn->id = ++r->next_id;
	conn->tls = tls;
	snprintf(conn->peer, sizeof(conn->peer), "%s", peer);
	conn->bev = bev;
	conn->next = r->conns;
	if (r->conns)
		r->conns->pprev = &conn->next;
	conn->pprev = &r->conns;
	r->conns = conn;
	r->nconns++;
	conn->deadline = evtimer_new(r->c->base, conn_deadline, conn);
	conn_deadline_arm(conn);
	bufferevent_setcb(conn->bev, conn_read, NULL, conn_event, conn);
	bufferevent_setwatermark(conn->bev, EV_READ, HC_FRAME_HDR_LEN, 0);
	bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
	return conn;
}

static void
on_accept(struct evconnlistener *lis, evutil_socket_t fd,
	  struct sockaddr *sa, int salen, void *arg)
{
	struct rpc *r = arg;
	char peer[64];
	int one = 1;

	if (r->nconns + r->nsniffs >= RPC_MAX_CONNS) {
		hc_log_limited("rpc-maxconn", HC_LOG_WARN, "too many "
			       "connections (%d); refusing one", RPC_MAX_CONNS);
		evutil_closesocket(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	peer_format(sa, peer, sizeof(peer));
	rpc_tls_accept(r, fd, peer);
}

static void
on_listen_error(struct evconnlistener *lis, void *arg)
{
	hc_log_limited("rpc-accept", HC_LOG_ERR, "accept: %s",
		       evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

static int
rpc_listen(struct rpc *r, struct hc_err *err)
{
	const struct hc_conf *conf = r->c->conf;
	const char *addr = conf->control_addr && *conf->control_addr ?
			   conf->control_addr : "127.0.0.1";
	struct addrinfo hints = { .ai_flags = AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char port[16];
	int rc;

	snprintf(port, sizeof(port), "%ld", conf->control_port);
	if ((rc = getaddrinfo(addr, port, &hints, &ai)))
		return hc_err_set(err, HC_EINVAL, "ControlAddr=%s: %s", addr,
				  gai_strerror(rc));
	r->lis = evconnlistener_new_bind(r->c->base, on_accept, r,
					 LEV_OPT_REUSEABLE |
					 LEV_OPT_CLOSE_ON_FREE |
					 LEV_OPT_CLOSE_ON_EXEC, 1024,
					 ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (!r->lis)
		return hc_err_set(err, HC_EIO, "cannot listen on %s:%s: %s; is "
				  "another hcctld running? (ControlAddr, "
				  "ControlPort)", addr, port, strerror(errno));
	evconnlistener_set_error_cb(r->lis, on_listen_error);
	getsockname(evconnlistener_get_fd(r->lis), (struct sockaddr *)&ss,
		    &sl);
	r->port = ntohs(ss.ss_family == AF_INET6 ?
			((struct sockaddr_in6 *)&ss)->sin6_port :
			((struct sockaddr_in *)&ss)->sin_port);
	hc_log(HC_LOG_INFO, "listening addr=%s port=%d", addr, r->port);
	return 0;
}

int
rpc_bound_port(const struct rpc *r)
{
	return r->port;
}

struct rpc *
rpc_create(struct ctld *c, struct hc_err *err)
{
	struct rpc *r = hc_calloc(1, sizeof(*r));

	r->c = c;
	if (out_init(r, err) < 0 || rpc_tls_init(r, err) < 0)
		goto fail;
	r->auth = auth_create(c->base, c->conf->munge_socket, 2, auth_done, r,
			      err);
	if (!r->auth || rpc_listen(r, err) < 0)
		goto fail;
	return r;
fail:
	rpc_destroy(r);
	return NULL;
}

void
rpc_destroy(struct rpc *r)
{
	if (!r)
		return;
	r->destroying = true;
	if (r->lis)
		evconnlistener_free(r->lis);
	auth_destroy(r->auth);	/* joined: no job comes back any more */
	out_flush_now(r);	/* last replies (shutdown) */
	out_drain(r);		/* ... and frames, written before close */
	while (r->conns)
		rpc_conn_close(r->conns);
	out_fini(r);
	rpc_tls_fini(r);
	free(r->uids);
	free(r);
}
