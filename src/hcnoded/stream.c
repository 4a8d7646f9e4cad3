/*
 * stream: the listener on the node's Port, where commands open streams to
 * a job (job steps, hc-rsh's remote tasks, --pty). A stream starts with
 * STEP_HELLO carrying a step credential signed by hcctld; once that is
 * verified the stream belongs to the step it starts (step.c) and carries
 * only STEP_IO, STEP_SIGNAL and STEP_WINCH from the peer. Anything
 * malformed closes that connection with a log line. The output limit is
 * per stream; task output pauses well below it (step_io.c).
 *
 * A stream that ends normally (its step done, a hello refused) is closed
 * gracefully: once its output is written the agent shuts down its sending
 * side and reads (and drops) what the peer still sends until the peer
 * closes, or STREAM_LINGER_SECS pass. Closing a socket with unread input
 * makes the kernel send a reset, and a reset can overtake the last frames
 * in flight: hcrun, whose stdin's end crossed the step's end, would lose
 * STEP_DONE and report its tasks lost.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "frame.h"
#include "log.h"
#include "msg.h"
#include "noded.h"
#include "job.h"
#include "step.h"
#include "step_check.h"
#include "stepcred.h"

#define STREAM_OUT_MAX (16u << 20)
#define STREAM_OUT_LOW (1u << 20)
#define STREAM_HELLO_SECS 10	/* a stream says who it is within this */
#define STREAM_CONN_MAX 256
#define STREAM_LINGER_SECS 5	/* a closing stream waits for the peer's end */

struct stream {
	struct noded *nd;
	struct evconnlistener *lis;
	int nconn;
};

struct sconn {
	struct stream *s;
	struct bufferevent *bev;
	char peer[64];
	struct step_node *step;	/* after a good STEP_HELLO */
	bool closing;		/* close once the output is written */
	bool lingering;		/* written and shut down: waiting for the
				   peer's end (see the top of this file) */
};

static void
sconn_close(struct sconn *sc, const char *why)
{
	if (why)
		hc_log_limited("stream_close", HC_LOG_WARN, "stream peer=%s "
			       "closed: %s", sc->peer, why);
	if (sc->step)
		step_detach(sc->step);
	bufferevent_free(sc->bev);
	sc->s->nconn--;
	free(sc);
}

int
stream_send(struct sconn *sc, uint16_t type, const json_t *body)
{
	size_t blen = 0, flen = 0;
	char *text = hc_msg_encode(body, &blen);
	uint8_t *f = hc_frame_build(type, 0, NULL, 0, text, blen, &flen);

	bufferevent_write(sc->bev, f, flen);
	free(f);
	free(text);
	return stream_pending(sc) > STREAM_OUT_MAX ? -1 : 0;
}

size_t
stream_pending(const struct sconn *sc)
{
	return evbuffer_get_length(bufferevent_get_output(sc->bev));
}

/* Everything is written: stop sending, and wait for the peer to close
 * (reading and dropping what it sends) rather than reset the connection. */
static void
sconn_linger(struct sconn *sc)
{
	const struct timeval tv = { STREAM_LINGER_SECS, 0 };
	struct step_node *sn = sc->step;

	if (sc->lingering)
		return;
	sc->lingering = true;
	sc->step = NULL;
	if (sn)
		step_detach(sn);
	if (shutdown(bufferevent_getfd(sc->bev), SHUT_WR) < 0) {
		sconn_close(sc, NULL);	/* the peer is gone already */
		return;
	}
	evbuffer_drain(bufferevent_get_input(sc->bev),
		       evbuffer_get_length(bufferevent_get_input(sc->bev)));
	bufferevent_set_timeouts(sc->bev, &tv, NULL);
	bufferevent_enable(sc->bev, EV_READ);
}

void
stream_close_after_flush(struct sconn *sc)
{
	sc->closing = true;
	if (stream_pending(sc) == 0)
		sconn_linger(sc);
}

static void
on_swrite(struct bufferevent *bev, void *arg)
{
	struct sconn *sc = arg;

	(void)bev;
	if (sc->closing && stream_pending(sc) == 0) {
		sconn_linger(sc);
		return;
	}
	if (sc->step && stream_pending(sc) <= STREAM_OUT_LOW)
		step_resume(sc->step);
}

static int
sconn_reply(struct sconn *sc, uint32_t reqid, json_t *body)
{
	size_t blen = 0, flen = 0;
	char *text = hc_msg_encode(body, &blen);
	uint8_t *f = hc_frame_build(HC_MSG_REPLY, reqid, NULL, 0, text, blen,
				    &flen);

	bufferevent_write(sc->bev, f, flen);
	free(f);
	free(text);
	json_decref(body);
	return evbuffer_get_length(bufferevent_get_output(sc->bev)) >
	       STREAM_OUT_MAX ? -1 : 0;
}

static bool
job_here(void *arg, uint32_t job_id, uid_t *uid)
{
	struct noded *nd = arg;
	struct job *j = jobs_get_running(nd->jobs, job_id);

	if (j)
		*uid = j->uid;
	return j != NULL;
}

static bool
used_here(void *arg, uint32_t job_id, uint32_t step_id)
{
	return step_seen(arg, job_id, step_id);
}

/* A stream is admitted by step_check() (see there), then its step starts
 * (step.c). */
static json_t *
step_hello(struct sconn *sc, json_t *req)
{
	struct noded *nd = sc->s->nd;
	struct hc_err err = { 0 };
	struct stepcred cr;

	if (step_check(nd->step_key, json_string_value(json_object_get(req,
			"cred")), nd->me->name, time(NULL), job_here,
		       used_here, nd, &cr, &err) < 0)
		return hc_msg_reply_new(HC_EAUTH, err.text);
	if (!(sc->step = step_start(nd, sc, &cr, req, &err)))
		return hc_msg_reply_new(err.code, err.text);
	json_t *r = hc_msg_reply_new(0, NULL);
	json_object_set_new(r, "job_id", json_integer(cr.job_id));
	json_object_set_new(r, "step_id", json_integer(cr.step_id));
	return r;
}

static bool
type_ok(const struct sconn *sc, unsigned type)
{
	if (!sc->step)
		return type == HC_MSG_STEP_HELLO;
	return type == HC_MSG_STEP_IO || type == HC_MSG_STEP_SIGNAL ||
	       type == HC_MSG_STEP_WINCH || type == HC_MSG_STEP_PMI;
}

/* One frame: the hello (answered), or a step's frame. 0, or -1 when the
 * connection was closed. */
static int
sconn_frame(struct sconn *sc, const struct hc_frame_view *v)
{
	struct hc_err err = { 0 };
	unsigned type = v->hdr.type;
	json_t *req = hc_msg_decode(type, v->body, v->hdr.body_len, &err);

	if (sc->step) {
		if (!req) {
			sconn_close(sc, err.text);
			return -1;
		}
		step_on_frame(sc->step, (uint16_t)type, req);
		json_decref(req);
		return 0;
	}
	json_t *rep = req ? step_hello(sc, req) :
		      hc_msg_reply_new(HC_EPROTO, err.text);
	const char *e = json_string_value(json_object_get(rep, "error"));
	if (e)
		hc_log_limited("step_hello", HC_LOG_WARN, "stream peer=%s "
			       "refused: %s", sc->peer, e);
	json_decref(req);
	if (sconn_reply(sc, v->hdr.reqid, rep) < 0) {
		sconn_close(sc, "output over its limit");
		return -1;
	}
	if (!sc->step) {	/* refused: one hello per stream */
		stream_close_after_flush(sc);
		return -1;
	}
	bufferevent_set_timeouts(sc->bev, NULL, NULL);
	step_started(sc->step);
	return 0;
}

static void
on_sread(struct bufferevent *bev, void *arg)
{
	struct sconn *sc = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hb[HC_FRAME_HDR_LEN];
	struct hc_frame_hdr hdr;
	struct hc_frame_view v;
	struct hc_err err = { 0 };

	if (sc->lingering) {		/* only waiting for the peer's end */
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	while (!sc->closing && evbuffer_get_length(in) >= HC_FRAME_HDR_LEN) {
		evbuffer_copyout(in, hb, sizeof(hb));
		if (hc_frame_hdr_decode(hb, &hdr, &err) < 0)
			return sconn_close(sc, err.text);
		if (!type_ok(sc, hdr.type))
			return sconn_close(sc, sc->step ? "not a step frame" :
					   "only STEP_HELLO is served");
		size_t total = HC_FRAME_HDR_LEN + (size_t)hdr.cred_len +
			       hdr.body_len;
		if (evbuffer_get_length(in) < total)
			return;
		if (hc_frame_parse(evbuffer_pullup(in, (ssize_t)total), total,
				   &v, &err) <= 0)
			return sconn_close(sc, err.text);
		if (sconn_frame(sc, &v) < 0)
			return;
		evbuffer_drain(in, total);
	}
}

static void
on_sevent(struct bufferevent *bev, short what, void *arg)
{
	struct sconn *sc = arg;

	(void)bev;
	sconn_close(sc, (what & BEV_EVENT_TIMEOUT) && !sc->lingering ?
		    "no STEP_HELLO in time" : NULL);
}

static void
on_accept(struct evconnlistener *lis, evutil_socket_t fd,
	  struct sockaddr *sa, int salen, void *arg)
{
	struct stream *s = arg;
	struct sconn *sc;
	const struct timeval hello_tv = { STREAM_HELLO_SECS, 0 };

	if (s->nconn >= STREAM_CONN_MAX) {
		hc_log_limited("stream_max", HC_LOG_WARN, "stream: too many "
			       "connections; refusing one");
		evutil_closesocket(fd);
		return;
	}
	sc = hc_calloc(1, sizeof(*sc));
	sc->s = s;
	s->nconn++;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr,
			  sc->peer, sizeof(sc->peer));
	else
		snprintf(sc->peer, sizeof(sc->peer), "?");
	sc->bev = bufferevent_socket_new(s->nd->base, fd,
					 BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(sc->bev, on_sread, on_swrite, on_sevent, sc);
	bufferevent_set_timeouts(sc->bev, &hello_tv, NULL);
	bufferevent_enable(sc->bev, EV_READ | EV_WRITE);
}

struct stream *
stream_create(struct noded *nd, struct hc_err *err)
{
	struct stream *s = hc_calloc(1, sizeof(*s));
	const char *addr = nd->me->addr && *nd->me->addr ? nd->me->addr :
			   "0.0.0.0";
	struct sockaddr_in sin = { .sin_family = AF_INET };

	s->nd = nd;
	sin.sin_port = htons((uint16_t)(nd->me->port > 0 ? nd->me->port :
					6818));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
	s->lis = evconnlistener_new_bind(nd->base, on_accept, s,
					 LEV_OPT_CLOSE_ON_FREE |
					 LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
					 128, (struct sockaddr *)&sin,
					 sizeof(sin));
	if (!s->lis) {
		hc_err_set(err, HC_EIO, "cannot listen on %s:%ld: %s; check "
			   "Port= of NodeName=%s", addr, nd->me->port,
			   strerror(errno), nd->me->name);
		free(s);
		return NULL;
	}
	hc_log(HC_LOG_INFO, "listening on %s:%ld", addr, nd->me->port);
	return s;
}

void
stream_destroy(struct stream *s)
{
	if (!s)
		return;
	step_reg_destroy(s->nd);
	evconnlistener_free(s->lis);
	free(s);
}
