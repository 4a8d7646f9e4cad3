/*
 * rpc_tls: node agents' mutual TLS on the controller's one port.
 *
 * A new connection is not given a bufferevent at once: its first byte is
 * peeked (recv MSG_PEEK, so it stays in the socket). 0x16 opens a TLS
 * handshake: the connection gets an OpenSSL bufferevent in accepting state
 * and is a node agent's; anything else is a command's munge-authenticated
 * frames, as before.
 *
 * When the handshake ends, the node's certificate is verified (tls.h:
 * TrustedCA, CRLFile, expiry, clientAuth) and its name must be a node that
 * hc.conf declares; then its NODE_REGISTER, which carries no munge
 * credential, must name that same node. Every refusal is logged with its
 * reason, counted and kept for `hcctl show rejected` (rejected.c) and the
 * audit trail. A NODE_REGISTER over plain TCP is refused.
 *
 * Live connections are checked again after the CRL is reloaded (hcctl
 * reconfigure) and every TLS_RECHECK_S seconds (certificates that expire);
 * a connection that fails is closed. A CRL whose nextUpdate is less than
 * CRL_WARN_S away is warned about at load and daily.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <event2/event.h>

#include "audit.h"
#include "conf.h"
#include "ctld.h"
#include "log.h"
#include "msg.h"
#include "rejected.h"
#include "rpc.h"
#include "rpc_int.h"
#include "tls.h"

#define TLS_RECHECK_S 60
#define CRL_WARN_S (7 * 86400L)
#define CRL_WARN_EVERY_S 86400L

struct sniff {
	struct rpc *r;
	evutil_socket_t fd;
	struct event *ev;
	struct sniff *next, **pprev;
	char peer[64];
};

/* Refuse a node: one log line, the rejected list, the audit trail. */
static void
reject(struct rpc *r, const char *peer, const char *name, const char *reason,
       const char *detail)
{
	char subject[160];

	/* Rate-limited per reason (a static string): a refused agent
	 * retries, with backoff, for ever. */
	hc_log_limited(reason, HC_LOG_WARN, "peer=%s node=%s refused: "
		       "reason=\"%s\" %s", peer, name && *name ? name : "?",
		       reason, detail);
	rejected_add(r->rejected, time(NULL), peer, name, reason, detail);
	snprintf(subject, sizeof(subject), "node:%s", name && *name ? name :
		 "?");
	audit_append(r->c->audit, 0, "node_refused", subject,
		     json_pack("{s:s,s:s,s:s}", "peer", peer, "reason", reason,
			       "detail", detail));
}

static void
crl_warn(struct rpc *r)
{
	const struct hc_conf *conf = r->c->conf;
	struct hc_err err = { 0 };
	time_t now = time(NULL), nu;
	char when[32];
	struct tm tm;

	if (!conf->crl_file || !*conf->crl_file)
		return;
	r->crl_warned = now;
	if ((nu = tls_crl_next_update(conf->crl_file, &err)) == (time_t)-1) {
		hc_log(HC_LOG_WARN, "CRLFile: %s", err.text);
		return;
	}
	if (nu == 0 || nu - now >= CRL_WARN_S)
		return;
	gmtime_r(&nu, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	hc_log(HC_LOG_WARN, "CRLFile %s %s its nextUpdate %s: then every node "
	       "is refused; re-sign it (hc-ca crl), copy it here and run "
	       "hcctl reconfigure", conf->crl_file, nu <= now ? "passed" :
	       "reaches", when);
}

/* Check one verified connection again; close it if it fails. */
static void
recheck_one(struct rpc_conn *conn)
{
	struct tls_peer p;
	SSL *ssl = bufferevent_openssl_get_ssl(conn->bev);

	if (tls_peer_verify(ssl, NULL, &p) == 0 &&
	    conf_node_find(conn->r->c->conf, p.name))
		return;
	if (p.reason == TLS_OK)
		snprintf(p.text, sizeof(p.text), "node %s is no longer "
			 "declared in hc.conf", p.name);
	reject(conn->r, conn->peer, p.name, p.reason == TLS_OK ?
	       "not declared" : tls_reason_name(p.reason), p.text);
	hc_log(HC_LOG_WARN, "node=%s peer=%s connection closed: %s",
	       p.name, conn->peer, p.text);
	rpc_conn_close(conn);
}

static void
recheck_all(struct rpc *r)
{
	struct rpc_conn *conn = r->conns, *next;

	for (; conn; conn = next) {
		next = conn->next;
		if (conn->bev && conn->tls && conn->tls_ok)
			recheck_one(conn);
	}
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct rpc *r = arg;

	recheck_all(r);
	if (time(NULL) - r->crl_warned >= CRL_WARN_EVERY_S)
		crl_warn(r);
}

int
rpc_tls_init(struct rpc *r, struct hc_err *err)
{
	const struct hc_conf *conf = r->c->conf;
	struct timeval tv = { TLS_RECHECK_S, 0 };

	r->rejected = rejected_create();
	if (!conf->trusted_ca || !conf->controller_cert ||
	    !conf->controller_key) {
		hc_log(HC_LOG_WARN, "TrustedCA, ControllerCert or ControllerKey "
		       "is not set: no node agent can connect (they speak "
		       "mutual TLS only); see hc-ca(8) and hc.conf(5)");
		return 0;
	}
	r->tls = tls_ctx_create(TLS_ROLE_CONTROLLER, conf->trusted_ca,
				conf->crl_file, conf->controller_cert,
				conf->controller_key, err);
	if (!r->tls)
		return hc_err_prefix(err, "node TLS: ");
	crl_warn(r);
	r->tls_tick = event_new(r->c->base, -1, EV_PERSIST, on_tick, r);
	event_add(r->tls_tick, &tv);
	return 0;
}

void
rpc_tls_fini(struct rpc *r)
{
	while (r->sniffs) {
		struct sniff *s = r->sniffs;
		r->sniffs = s->next;
		event_free(s->ev);
		evutil_closesocket(s->fd);
		free(s);
	}
	if (r->tls_tick)
		event_free(r->tls_tick);
	SSL_CTX_free(r->tls);
	rejected_destroy(r->rejected);
}

void
rpc_tls_reload(struct rpc *r)
{
	const struct hc_conf *conf = r->c->conf;
	struct hc_err err = { 0 };

	if (!r->tls)
		return;
	if (tls_ctx_reload(r->tls, conf->trusted_ca, conf->crl_file,
			   &err) < 0) {
		hc_log(HC_LOG_ERR, "reconfigure: cannot reload TrustedCA/"
		       "CRLFile, keeping the old ones: %s", err.text);
		return;
	}
	hc_log(HC_LOG_INFO, "reloaded TrustedCA=%s CRLFile=%s",
	       conf->trusted_ca, conf->crl_file ? conf->crl_file : "");
	crl_warn(r);
	recheck_all(r);
}

static void
sniff_free(struct sniff *s)
{
	*s->pprev = s->next;
	if (s->next)
		s->next->pprev = s->pprev;
	s->r->nsniffs--;
	event_free(s->ev);
	free(s);
}

static void
on_sniff(evutil_socket_t fd, short what, void *arg)
{
	struct sniff *s = arg;
	struct rpc *r = s->r;
	struct bufferevent *bev;
	unsigned char b;
	ssize_t n = (what & EV_READ) ? recv(fd, &b, 1, MSG_PEEK) : 0;
	char peer[64];

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;		/* persistent: wait on */
	if (what & EV_TIMEOUT)
		hc_log_limited("rpc-timeout", HC_LOG_WARN, "peer=%s sent "
			       "nothing within MessageTimeout (%lds); closing",
			       s->peer, r->c->conf->message_timeout);
	memcpy(peer, s->peer, sizeof(peer));
	sniff_free(s);
	if (n <= 0) {
		evutil_closesocket(fd);
		return;
	}
	if (b == 0x16) {
		SSL *ssl = SSL_new(r->tls);
		bev = ssl ? bufferevent_openssl_socket_new(r->c->base, fd, ssl,
				BUFFEREVENT_SSL_ACCEPTING,
				BEV_OPT_CLOSE_ON_FREE) : NULL;
		if (bev)
			bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
		else
			SSL_free(ssl);
	} else {
		bev = bufferevent_socket_new(r->c->base, fd,
					     BEV_OPT_CLOSE_ON_FREE);
	}
	if (!bev) {
		evutil_closesocket(fd);
		return;
	}
	conn_open(r, bev, peer, b == 0x16);
}

void
rpc_tls_accept(struct rpc *r, evutil_socket_t fd, const char *peer)
{
	struct bufferevent *bev;
	struct sniff *s;
	struct timeval tv = { r->c->conf->message_timeout, 0 };

	if (!r->tls) {
		if (!(bev = bufferevent_socket_new(r->c->base, fd,
						   BEV_OPT_CLOSE_ON_FREE)))
			evutil_closesocket(fd);
		else
			conn_open(r, bev, peer, false);
		return;
	}
	s = hc_calloc(1, sizeof(*s));
	s->r = r;
	s->fd = fd;
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	s->ev = event_new(r->c->base, fd, EV_READ | EV_PERSIST, on_sniff, s);
	s->next = r->sniffs;
	if (r->sniffs)
		r->sniffs->pprev = &s->next;
	s->pprev = &r->sniffs;
	r->sniffs = s;
	r->nsniffs++;
	event_add(s->ev, &tv);
}

int
rpc_tls_verify(struct rpc_conn *conn)
{
	SSL *ssl = bufferevent_openssl_get_ssl(conn->bev);
	struct tls_peer p;

	/* Security: the peer proved it holds the key of its certificate
	 * (the handshake); here the certificate itself is judged: TrustedCA,
	 * CRL, expiry, clientAuth, and a name hc.conf declares. */
	if (tls_peer_verify(ssl, NULL, &p) < 0) {
		reject(conn->r, conn->peer, p.name, tls_reason_name(p.reason),
		       p.text);
		rpc_conn_close(conn);
		return -1;
	}
	if (!conf_node_find(conn->r->c->conf, p.name)) {
		snprintf(p.text, sizeof(p.text), "certificate names '%s', "
			 "which hc.conf does not declare (NodeName)", p.name);
		reject(conn->r, conn->peer, p.name, "not declared", p.text);
		rpc_conn_close(conn);
		return -1;
	}
	snprintf(conn->cert_name, sizeof(conn->cert_name), "%s", p.name);
	conn->cert_not_after = p.not_after;
	conn->tls_ok = true;
	hc_log(HC_LOG_DEBUG, "peer=%s node=%s TLS verified", conn->peer,
	       p.name);
	return 0;
}

void
rpc_tls_failed(struct rpc_conn *conn)
{
	char detail[256];
	unsigned long e = bufferevent_get_openssl_error(conn->bev);

	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	else
		snprintf(detail, sizeof(detail), "the peer closed the "
			 "connection during the handshake");
	reject(conn->r, conn->peer, NULL, "handshake failed", detail);
}

int
rpc_tls_register_check(struct rpc_conn *conn, const json_t *body,
		       struct rpc_req *req)
{
	const char *name = json_string_value(json_object_get(body, "name"));
	char detail[HC_ERR_TEXT];

	/* Security: a node is who its verified certificate says, nothing
	 * else: munge credentials no longer let anyone speak for a node. */
	if (!conn->tls) {
		reject(conn->r, conn->peer, name, "plain TCP", "NODE_REGISTER "
		       "over plain TCP (munge); node agents must connect "
		       "with TLS");
		rpc_reply_err(req, HC_EAUTH, "node agents must connect with "
			      "TLS; see TrustedCA in hc.conf(5)");
		return -1;
	}
	if (!name || strcmp(name, conn->cert_name)) {
		snprintf(detail, sizeof(detail), "registers as '%s' with the "
			 "certificate of '%s'", name ? name : "",
			 conn->cert_name);
		reject(conn->r, conn->peer, name, "name mismatch", detail);
		rpc_reply_err(req, HC_EAUTH, "%s; a node registers with its "
			      "own certificate only", detail);
		conn->close_after_reply = true;
		return -1;
	}
	return 0;
}

SSL *
rpc_conn_ssl(const struct rpc_conn *conn)
{
	return conn && conn->bev && conn->tls ?
	       bufferevent_openssl_get_ssl(conn->bev) : NULL;
}

time_t
rpc_conn_cert_not_after(const struct rpc_conn *conn)
{
	return conn && conn->tls_ok ? conn->cert_not_after : 0;
}

void
rpc_conn_rejected(struct rpc_conn *conn, const char *name, const char *reason,
		  const char *detail)
{
	rejected_add(conn->r->rejected, time(NULL), conn->peer, name, reason,
		     detail);
}

/* REJECTED_QUERY: the refused node connections. */
void
rpc_rejected_query(struct rpc_req *req, json_t *body)
{
	struct rpc *r = req->ctld->rpc;

	rpc_reply(req, rejected_json(r->rejected));
}
