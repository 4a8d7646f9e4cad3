/*
 * ctl_conn: the node's one connection to hcctld, dialled by the node.
 *
 * States: IDLE (waiting for the backoff timer) -> CONNECTING -> REGISTERING
 * (NODE_REGISTER sent, waiting for its reply) -> REGISTERED (heartbeats,
 * events, JOB_LAUNCH/JOB_KILL/JOB_EVENT_ACK in). Any error drops the
 * connection and retries after 0.1 s, doubling to 5 s; jobs keep running
 * meanwhile, and every end event not yet acknowledged travels again in
 * the next NODE_REGISTER (job_report.c).
 *
 * The connection is mutual TLS (tls.h): the node presents its certificate
 * (NodeCert/NodeKey, by default node.crt/node.key in its SpoolDir; a key
 * that is missing or that group or others can read is refused at start,
 * and the same key signs the inventory: nd->node_key) and, once the
 * handshake is over, verifies the controller's against TrustedCA, CRLFile,
 * expiry and ControllerName before it sends a byte: a rogue controller is
 * logged and retried with backoff, and learns nothing. No frame carries a
 * credential: the controller knows the node by its certificate.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "discover.h"
#include "frame.h"
#include "log.h"
#include "msg.h"
#include "noded.h"
#include "step.h"
#include "stepcred.h"
#include "tls.h"

#define CTL_OUT_MAX (64u * 1024 * 1024)
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

enum ctl_state { CTL_IDLE, CTL_CONNECTING, CTL_REGISTERING, CTL_REGISTERED };

struct ctl_conn {
	struct noded *nd;
	enum ctl_state state;
	struct bufferevent *bev;
	struct event *ev_retry, *ev_beat;
	long backoff_ms;
	uint32_t reqid, register_reqid;
	long heartbeat_interval;
	json_t *queue;		/* [[type, body]] to send once registered */
	SSL_CTX *tls;
};

static void ctl_drop(struct ctl_conn *c, const char *why);

static int
ctl_write(struct ctl_conn *c, uint16_t type, json_t *body)
{
	size_t blen = 0, flen = 0;
	char *text = hc_msg_encode(body, &blen);
	uint32_t reqid = ++c->reqid;
	uint8_t *frame;

	frame = hc_frame_build(type, reqid, NULL, 0, text, blen, &flen);
	bufferevent_write(c->bev, frame, flen);
	free(frame);
	free(text);
	if (type == HC_MSG_NODE_REGISTER)
		c->register_reqid = reqid;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) > CTL_OUT_MAX) {
		ctl_drop(c, "output queue over its limit");
		return -1;
	}
	return 0;
}

void
ctl_conn_send(struct ctl_conn *c, uint16_t type, json_t *body, bool queue)
{
	if (c && c->state == CTL_REGISTERED)
		ctl_write(c, type, body);
	else if (c && queue)
		json_array_append_new(c->queue, json_pack("[i,O]", type, body));
	json_decref(body);
}

bool
ctl_conn_registered(const struct ctl_conn *c)
{
	return c && c->state == CTL_REGISTERED;
}

static void
on_beat(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *c = arg;

	ctl_conn_send(c, HC_MSG_NODE_HEARTBEAT, json_pack("{s:o}", "jobs",
				      jobs_ids_json(c->nd->jobs)), false);
}

static void
ctl_registered(struct ctl_conn *c, json_t *reply)
{
	struct noded *nd = c->nd;
	struct hc_err err = { 0 };
	json_int_t hb = json_integer_value(json_object_get(reply,
						"heartbeat_interval"));
	const char *pk = json_string_value(json_object_get(reply,
							   "step_pubkey"));
	struct timeval tv;
	size_t i;
	json_t *m;

	if (pk && *pk) {
		struct stepcred_key *k = stepcred_key_from_public_b64(pk, &err);
		if (k) {
			stepcred_key_destroy(nd->step_key);
			nd->step_key = k;
		} else {
			hc_log(HC_LOG_ERR, "controller's step key: %s",
			       err.text);
		}
	}
	c->heartbeat_interval = hb > 0 ? (long)hb : 30;
	c->state = CTL_REGISTERED;
	c->backoff_ms = BACKOFF_MIN_MS;
	jobs_register_done(nd->jobs);
	json_array_foreach(c->queue, i, m)
		ctl_write(c, (uint16_t)json_integer_value(json_array_get(m, 0)),
			  json_array_get(m, 1));
	json_array_clear(c->queue);
	health_registered(nd->health);
	tv.tv_sec = c->heartbeat_interval;
	tv.tv_usec = 0;
	event_add(c->ev_beat, &tv);
	hc_log(HC_LOG_INFO, "registered with controller %s:%ld heartbeat=%lds",
	       nd->control_addr, nd->control_port, c->heartbeat_interval);
	if (!nd->registered_once && nd->opts.ready_file) {
		FILE *f = fopen(nd->opts.ready_file, "w");
		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
	}
	nd->registered_once = true;
}

/* One complete frame from the controller. */
static void
ctl_frame(struct ctl_conn *c, const struct hc_frame_view *v)
{
	struct hc_err err = { 0 };
	unsigned type = v->hdr.type;
	json_t *body;

	if (!(body = hc_msg_decode(type, v->body, v->hdr.body_len, &err))) {
		hc_log_limited("ctl_bad", HC_LOG_WARN, "controller sent a bad "
			       "%s: %s", hc_msg_name(type), err.text);
		return;
	}
	if (c->state == CTL_REGISTERING && type == HC_MSG_REPLY &&
	    v->hdr.reqid == c->register_reqid) {
		json_int_t rc = json_integer_value(json_object_get(body, "rc"));
		if (rc == 0)
			ctl_registered(c, body);
		else
			hc_log(HC_LOG_ERR, "registration refused: %s",
			       json_string_value(json_object_get(body,
								 "error")));
		json_decref(body);
		if (rc != 0)
			ctl_drop(c, "registration refused");
		return;
	}
	if (c->state == CTL_REGISTERED && type == HC_MSG_JOB_LAUNCH)
		jobs_launch(c->nd->jobs, body);
	else if (c->state == CTL_REGISTERED && type == HC_MSG_JOB_KILL)
		jobs_kill(c->nd->jobs, body);
	else if (c->state == CTL_REGISTERED && type == HC_MSG_JOB_EVENT_ACK)
		jobs_event_ack(c->nd->jobs, body);
	else if (c->state == CTL_REGISTERED && type == HC_MSG_AUDIT_CHECKPOINT)
		checkpoint_on_frame(c->nd, body);
	else if (c->state == CTL_REGISTERED && type == HC_MSG_STEP_CRED_GRANT)
		step_cred_on_grant(c->nd, body);
	else if (type != HC_MSG_REPLY)
		hc_log_limited("ctl_unexpected", HC_LOG_WARN, "controller sent "
			       "unexpected %s", hc_msg_name(type));
	json_decref(body);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hdrbuf[HC_FRAME_HDR_LEN];
	struct hc_frame_hdr hdr;
	struct hc_frame_view v;
	struct hc_err err = { 0 };

	while (c->bev && evbuffer_get_length(in) >= HC_FRAME_HDR_LEN) {
		evbuffer_copyout(in, hdrbuf, sizeof(hdrbuf));
		/* Limits come from the header, before buffering the rest. */
		if (hc_frame_hdr_decode(hdrbuf, &hdr, &err) < 0) {
			hc_log(HC_LOG_ERR, "controller frame: %s", err.text);
			ctl_drop(c, "bad frame");
			return;
		}
		size_t total = HC_FRAME_HDR_LEN + (size_t)hdr.cred_len +
			       hdr.body_len;
		if (evbuffer_get_length(in) < total)
			return;
		const void *buf = evbuffer_pullup(in, (ssize_t)total);
		if (hc_frame_parse(buf, total, &v, &err) <= 0) {
			ctl_drop(c, "bad frame");
			return;
		}
		ctl_frame(c, &v);
		if (c->bev)
			evbuffer_drain(in, total);
	}
}

/* The session's binding that the inventory signature mixes in
 * (tls_export_binding: the same 32 bytes on the controller's end). */
static void
ctl_binding(struct ctl_conn *c, uint8_t out[32])
{
	SSL *ssl = c->bev ? bufferevent_openssl_get_ssl(c->bev) : NULL;

	if (!ssl || tls_export_binding(ssl, out) < 0)
		memset(out, 0, 32);
}

static void
ctl_register(struct ctl_conn *c)
{
	struct noded *nd = c->nd;
	struct hc_err err = { 0 };
	uint8_t binding[32];
	EVP_PKEY *key = inventory_key(nd, &err);
	json_t *body = json_pack("{s:s,s:s,s:I,s:o}", "name", nd->me->name,
				 "version", PACKAGE_VERSION, "boot_time",
				 (json_int_t)nd->boot_time, "jobs",
				 jobs_register_json(nd->jobs));

	ctl_binding(c, binding);
	if (!key || inventory_sign_into(nd->disc, key, binding, body,
					&err) < 0) {
		hc_log_limited("ctl_inv", HC_LOG_ERR, "cannot sign the "
			       "inventory: %s", err.text);
		json_decref(body);
		ctl_drop(c, "cannot sign the inventory");
		return;
	}
	c->state = CTL_REGISTERING;
	if (ctl_write(c, HC_MSG_NODE_REGISTER, body) < 0 && c->bev)
		ctl_drop(c, "cannot send NODE_REGISTER");
	json_decref(body);
}

/* Security: nothing is sent to a controller before its certificate passes:
 * TrustedCA, CRLFile, expiry, serverAuth, and the name ControllerName. */
static int
ctl_verify(struct ctl_conn *c)
{
	const char *want = c->nd->conf->controller_name ?
			   c->nd->conf->controller_name : "hcctld";
	struct tls_peer p;

	if (tls_peer_verify(bufferevent_openssl_get_ssl(c->bev), want,
			    &p) == 0)
		return 0;
	hc_log_limited("ctl_refuse", HC_LOG_ERR, "controller %s:%ld refused: "
		       "reason=\"%s\" %s", c->nd->control_addr,
		       c->nd->control_port, tls_reason_name(p.reason), p.text);
	ctl_drop(c, "the controller's certificate was refused");
	return -1;
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn *c = arg;
	unsigned long e;
	char why[256];

	if (what & BEV_EVENT_CONNECTED) {	/* the TLS handshake ended */
		if (ctl_verify(c) == 0)
			ctl_register(c);
		return;
	}
	if ((e = bufferevent_get_openssl_error(bev))) {
		snprintf(why, sizeof(why), "TLS: ");
		ERR_error_string_n(e, why + 5, sizeof(why) - 5);
	} else {
		snprintf(why, sizeof(why), "%s", what & BEV_EVENT_EOF ?
			 "controller closed the connection" :
			 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	}
	ctl_drop(c, why);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *c = arg;
	struct noded *nd = c->nd;

	SSL *ssl = SSL_new(c->tls);

	c->state = CTL_CONNECTING;
	c->bev = ssl ? bufferevent_openssl_socket_new(nd->base, -1, ssl,
			BUFFEREVENT_SSL_CONNECTING,
			BEV_OPT_CLOSE_ON_FREE) : NULL;
	if (!c->bev) {
		SSL_free(ssl);
		ctl_drop(c, "cannot make a TLS connection");
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect_hostname(c->bev, NULL, AF_UNSPEC,
						nd->control_addr,
						(int)nd->control_port) < 0)
		ctl_drop(c, "cannot connect");
}

static void
ctl_drop(struct ctl_conn *c, const char *why)
{
	struct timeval tv = { c->backoff_ms / 1000,
			      (c->backoff_ms % 1000) * 1000 };

	if (c->state != CTL_CONNECTING || c->backoff_ms >= BACKOFF_MAX_MS)
		hc_log_limited("ctl_drop", HC_LOG_WARN, "controller %s:%ld: "
			       "%s; retrying in %ld ms", c->nd->control_addr,
			       c->nd->control_port, why, c->backoff_ms);
	if (c->bev)
		bufferevent_free(c->bev);
	c->bev = NULL;
	c->state = CTL_IDLE;
	event_del(c->ev_beat);
	evtimer_add(c->ev_retry, &tv);
	c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
			c->backoff_ms * 2;
}

/* A missing key or certificate: say how to make one. */
static void
ctl_hint_issue(struct noded *nd, struct hc_err *err)
{
	char was[HC_ERR_TEXT];

	snprintf(was, sizeof(was), "%s", err->text);
	hc_err_set(err, HC_ENOENT, "%s; issue them with 'hc-ca issue %s "
		   "--out DIR' and point NodeCert/NodeKey there (default "
		   "%s/node.crt and node.key)", was, nd->me->name, nd->spool);
}

/* NodeCert/NodeKey with %n as the node's name, else file in the spool. */
static char *
ctl_path(struct noded *nd, const char *conf_value, const char *file)
{
	const char *p;

	if (!conf_value || !*conf_value)
		return hc_asprintf("%s/%s", nd->spool, file);
	if (!(p = strstr(conf_value, "%n")))
		return hc_strdup(conf_value);
	return hc_asprintf("%.*s%s%s", (int)(p - conf_value), conf_value,
			   nd->me->name, p + 2);
}

struct ctl_conn *
ctl_conn_create(struct noded *nd, struct hc_err *err)
{
	char *cert = ctl_path(nd, nd->conf->node_cert, "node.crt");
	char *key = ctl_path(nd, nd->conf->node_key, "node.key");
	SSL_CTX *tls = tls_ctx_create(TLS_ROLE_NODE, nd->conf->trusted_ca,
				      nd->conf->crl_file, cert, key, err);
	struct ctl_conn *c;

	if (!tls) {
		if (err && err->code == HC_ENOENT)
			ctl_hint_issue(nd, err);
		free(cert);
		free(key);
		return hc_err_prefix(err, "node %s refuses to start: ",
				     nd->me->name), NULL;
	}
	free(cert);
	free(key);
	/* The inventory is signed with the key TLS presents, the one the
	 * controller finds in the certificate: never another. */
	nd->node_key = SSL_CTX_get0_privatekey(tls);
	if (!nd->node_key || EVP_PKEY_up_ref(nd->node_key) != 1) {
		nd->node_key = NULL;
		SSL_CTX_free(tls);
		return hc_err_set(err, HC_EINTERNAL, "node %s: no private "
				  "key in the TLS context", nd->me->name),
		       NULL;
	}
	c = hc_calloc(1, sizeof(*c));
	c->tls = tls;
	c->nd = nd;
	c->backoff_ms = BACKOFF_MIN_MS;
	c->queue = json_array();
	c->ev_retry = evtimer_new(nd->base, on_retry, c);
	c->ev_beat = event_new(nd->base, -1, EV_PERSIST, on_beat, c);
	event_active(c->ev_retry, EV_TIMEOUT, 0);
	return c;
}

void
ctl_conn_destroy(struct ctl_conn *c)
{
	if (!c)
		return;
	if (c->bev)
		bufferevent_free(c->bev);
	event_free(c->ev_retry);
	event_free(c->ev_beat);
	json_decref(c->queue);
	SSL_CTX_free(c->tls);
	free(c);
}
