/*
 * rpc_out: replies and frames to nodes, written only after the state they
 * depend on is on disk (group commit).
 *
 * Everything a loop turn wants to send is queued; a zero-timeout event at
 * the lowest priority (it runs once nothing else is ready) calls
 * state_commit() once for every request handled in the turn, and then
 * writes the queue in order. If the commit fails, every reply that claimed
 * success becomes an HC_EIO error: an acknowledged change is a saved one.
 * A node is not sent an error instead: what it was about to be told
 * (JOB_EVENT_ACK: forget a job's end; JOB_LAUNCH; the reply to its
 * registration) may rest on the writes just lost, so its frames are dropped
 * and its connection closed; it registers again and reports its jobs again,
 * which the controller handles as if the first report never came.
 *
 * Only replies to commands are flushed at once. Node frames (launches,
 * kills, acknowledgements) and writes nobody has asked for (a node's job
 * events) are flushed within FLUSH_LAZY_US, or with the next reply, so a
 * busy cluster pays one sync for many of them; nothing is sent before the
 * writes it follows are on disk, so a crash in between loses only what no
 * one was told (the node reports it again when it reconnects).
 *
 * A commit is one sync (~1-2 ms) however many requests share it, so when
 * there are writes to commit and other requests are still with the munge
 * workers (decoding takes a round trip to munged, ~0.3 ms), the commit waits
 * for them, at most FLUSH_WAIT_US: requests that arrive together (two
 * submitters) then share one sync instead of queueing behind each other's.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "ctld.h"
#include "log.h"
#include "msg.h"
#include "rpc.h"
#include "rpc_int.h"
#include "state.h"

#define FLUSH_PRIORITY 2	/* main sets 3 priorities; default is 1 */
#define FLUSH_WAIT_US 3000	/* longest a commit waits for requests */
#define FLUSH_LAZY_US 20000	/* ... and when no client waits on it */
#define DRAIN_SLICE_US 50000	/* at exit: the loop runs in such slices */
#define DRAIN_SLICES 20		/* ... at most this many (1 s) */

/* Flush as soon as the loop is idle: a client waits on the queue. */
static void
out_schedule(struct rpc *r)
{
	if (!r->flush_ev || (r->flush_pending && !r->flush_lazy))
		return;
	r->flush_pending = true;
	r->flush_lazy = false;
	event_active(r->flush_ev, EV_TIMEOUT, 0);
}

/* Flush within FLUSH_LAZY_US: only node frames or unasked-for writes wait
 * (their durability is promised to nobody until something is sent). */
static void
out_schedule_lazy(struct rpc *r)
{
	struct timeval tv = { 0, FLUSH_LAZY_US };

	if (!r->flush_ev || r->flush_pending)
		return;
	r->flush_pending = true;
	r->flush_lazy = true;
	event_add(r->flush_ev, &tv);
}

static void
on_dirty(void *arg)
{
	out_schedule_lazy(arg);
}

/* Queue a frame whose body is text (blen bytes, stolen). */
static void
out_queue_text(struct rpc *r, struct rpc_conn *conn, uint16_t type,
	       uint32_t reqid, char *text, size_t blen, int rc)
{
	struct out_item *it = hc_calloc(1, sizeof(*it));

	it->conn = conn;
	conn->refs++;
	it->buf = hc_frame_build(type, reqid, NULL, 0, text, blen, &it->len);
	free(text);
	it->is_reply = type == HC_MSG_REPLY;
	it->rc = rc;
	it->reqid = reqid;
	*r->out_tail = it;
	r->out_tail = &it->next;
	if (it->is_reply)
		out_schedule(r);
	else
		out_schedule_lazy(r);
}

static void
out_queue(struct rpc *r, struct rpc_conn *conn, uint16_t type,
	  uint32_t reqid, const json_t *body, int rc)
{
	size_t blen = 0;
	char *text = hc_msg_encode(body, &blen);

	out_queue_text(r, conn, type, reqid, text, blen, rc);
}

static void
req_done(struct rpc_req *req)
{
	struct rpc_conn *conn = req->conn;

	conn->inflight--;
	conn_unref(conn);
	free(req);
}

void
rpc_reply(struct rpc_req *req, json_t *body)
{
	struct rpc_conn *conn = req->conn;
	json_t *rc;

	if (!body)
		body = json_object();
	rc = json_object_get(body, "rc");
	if (!rc)
		json_object_set_new(body, "rc", json_integer(0));
	out_queue(conn->r, conn, HC_MSG_REPLY, req->reqid, body,
		  (int)json_integer_value(json_object_get(body, "rc")));
	json_decref(body);
	req_done(req);
}

void
rpc_reply_raw(struct rpc_req *req, char *text, size_t len)
{
	struct rpc_conn *conn = req->conn;

	out_queue_text(conn->r, conn, HC_MSG_REPLY, req->reqid, text, len, 0);
	req_done(req);
}

void
rpc_reply_err(struct rpc_req *req, int code, const char *fmt, ...)
{
	char text[HC_ERR_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rpc_reply(req, hc_msg_reply_new(code, text));
}

int
rpc_conn_send(struct rpc_conn *conn, uint16_t type, uint32_t reqid,
	      const json_t *body)
{
	json_t *empty = NULL;

	if (!conn || !conn->bev)
		return -1;
	if (evbuffer_get_length(bufferevent_get_output(conn->bev)) >
	    RPC_MAX_OUTPUT)
		return -1;
	if (!body)
		body = empty = json_object();
	out_queue(conn->r, conn, type, reqid, body, 0);
	json_decref(empty);
	return 0;
}

static void
close_when_written(struct bufferevent *bev, void *arg)
{
	rpc_conn_close(arg);
}

static void
out_write(struct out_item *it, const char *commit_error)
{
	struct rpc_conn *conn = it->conn;
	struct evbuffer *outb;

	if (!conn->bev)
		return;
	if (it->is_reply && it->rc == 0 && commit_error) {
		json_t *b = hc_msg_reply_new(HC_EIO, commit_error);
		char *text;
		size_t blen = 0;

		text = hc_msg_encode(b, &blen);
		json_decref(b);
		free(it->buf);
		it->buf = hc_frame_build(HC_MSG_REPLY, it->reqid, NULL, 0,
					 text, blen, &it->len);
		free(text);
	}
	outb = bufferevent_get_output(conn->bev);
	if (evbuffer_get_length(outb) + it->len > RPC_MAX_OUTPUT) {
		hc_log_limited("rpc-output", HC_LOG_WARN, "peer=%s output "
			       "queue over %u MiB (peer not reading); closing",
			       conn->peer, RPC_MAX_OUTPUT >> 20);
		rpc_conn_close(conn);
		return;
	}
	bufferevent_write(conn->bev, it->buf, it->len);
	if (conn->close_after_reply && it->is_reply)
		bufferevent_setcb(conn->bev, NULL, close_when_written, NULL,
				  conn);
}

/* The commit failed: mark every frame queued for a node agent as dropped
 * and close those connections. A frame that is no reply goes to a node
 * (launch, kill, JOB_EVENT_ACK); a reply does when its connection has
 * registered. */
static void
out_drop_node_frames(struct out_item *list)
{
	for (struct out_item *it = list; it; it = it->next) {
		struct rpc_conn *conn = it->conn;

		if (it->is_reply && !conn->node)
			continue;
		it->dropped = true;
		if (!conn->bev)
			continue;
		hc_log_limited("rpc-drop-node", HC_LOG_WARN, "peer=%s node "
			       "connection closed: its frames follow writes "
			       "that were not saved; it will register and "
			       "report again", conn->peer);
		rpc_conn_close(conn);
	}
}

void
out_flush_now(struct rpc *r)
{
	struct ctld *c = r->c;
	struct hc_err err = { 0 };
	char commit_error[HC_ERR_TEXT + 64];
	struct out_item *list = r->out, *next;
	bool failed = false;

	r->flush_pending = false;
	r->flush_lazy = false;
	r->out = NULL;
	r->out_tail = &r->out;
	if (c->state_lost) {
		/* Frames queued while the controller drains after a failed
		 * commit rest on nothing durable either (writes are refused
		 * now): a node re-registering in that window must not be
		 * told that its reports were taken. */
		failed = true;
		snprintf(commit_error, sizeof(commit_error), "the controller "
			 "is stopping after a failed save; retry once it is "
			 "back");
		out_drop_node_frames(list);
	} else if (c->state && state_commit(c->state, &err) < 0) {
		r->commit_failures++;
		failed = true;
		snprintf(commit_error, sizeof(commit_error), "the controller "
			 "could not save the change: %s", err.text);
		hc_log(HC_LOG_ERR, "state commit failed: %s; replying with "
		       "errors, closing nodes with frames queued, and exiting: "
		       "a restart reloads the last durable state", err.text);
		/* Fail-stop (as PostgreSQL on a failed fsync): memory now
		 * holds changes the disk does not, and nodes would be
		 * acknowledged against them. Clients got errors; nodes keep
		 * their unacknowledged reports and give them to the next
		 * controller. */
		c->state_lost = true;
		c->shutting_down = true;
		/* Before anything is written. Closing a node's connection
		 * may queue more: to the new list, for the next commit. */
		out_drop_node_frames(list);
	}
	for (; list; list = next) {
		next = list->next;
		if (!list->dropped)
			out_write(list, failed ? commit_error : NULL);
		conn_resume(list->conn);
		conn_unref(list->conn);
		free(list->buf);
		free(list);
	}
	if (c->shutting_down && !r->destroying) {
		struct timeval tv = { 0, 200000 };	/* let replies drain */
		event_base_loopexit(c->base, &tv);
	}
}

void
out_kick(struct rpc *r)
{
	if (r->flush_waiting && r->flush_ev)
		event_active(r->flush_ev, EV_TIMEOUT, 0);
}

/* Whether to hold the commit for requests still being authenticated; if
 * so, the flush event is armed for the rest of the wait. */
static bool
flush_wait(struct rpc *r)
{
	struct timeval now, d, left = { 0, 0 };
	long waited;

	if (!r->auth_pending || r->c->shutting_down || !r->c->state ||
	    !state_dirty(r->c->state)) {
		r->flush_waiting = false;
		return false;
	}
	gettimeofday(&now, NULL);
	if (!r->flush_waiting) {
		r->flush_waiting = true;
		r->wait_since = now;
	}
	timersub(&now, &r->wait_since, &d);
	waited = d.tv_sec * 1000000 + d.tv_usec;
	if (waited < 0 || waited >= FLUSH_WAIT_US) {
		r->flush_waiting = false;
		return false;
	}
	left.tv_usec = FLUSH_WAIT_US - waited;
	r->flush_pending = true;
	r->flush_lazy = false;
	event_add(r->flush_ev, &left);
	return true;
}

static void
on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct rpc *r = arg;

	if (flush_wait(r))
		return;
	out_flush_now(r);
}

int
out_init(struct rpc *r, struct hc_err *err)
{
	r->out_tail = &r->out;
	r->flush_ev = event_new(r->c->base, -1, 0, on_flush, r);
	if (!r->flush_ev)
		return hc_err_set(err, HC_ENOMEM, "rpc: cannot make an event");
	if (event_priority_set(r->flush_ev, FLUSH_PRIORITY) < 0)
		hc_log(HC_LOG_DEBUG, "rpc: loop has no priorities; the commit "
		       "runs in turn with other events");
	if (r->c->state)
		state_on_dirty(r->c->state, on_dirty, r);
	return 0;
}

void
out_fini(struct rpc *r)
{
	struct out_item *next;

	for (struct out_item *it = r->out; it; it = next) {
		next = it->next;
		conn_unref(it->conn);
		free(it->buf);
		free(it);
	}
	r->out = NULL;
	if (r->c->state)
		state_on_dirty(r->c->state, NULL, NULL);
	if (r->flush_ev)
		event_free(r->flush_ev);
}

/* Whether conn still holds bytes it has not handed to the kernel. */
static bool
conn_output_pending(const struct rpc_conn *conn)
{
	struct bufferevent *u;

	if (!conn->bev)
		return false;
	if (evbuffer_get_length(bufferevent_get_output(conn->bev)))
		return true;
	u = bufferevent_get_underlying(conn->bev);
	return u && evbuffer_get_length(bufferevent_get_output(u));
}

/* End the stream after the last byte sent, and discard what the peer sent
 * that nobody will read: closing a socket with unread input resets it, and
 * the peer would lose what it has not read yet (the last checkpoint). */
static void
conn_shutdown(struct rpc_conn *conn)
{
	evutil_socket_t fd = bufferevent_getfd(conn->bev);
	char junk[4096];
	int n = 0;

	if (fd < 0)
		return;
	shutdown(fd, SHUT_WR);
	while (n++ < 64 && recv(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
}

void
out_drain(struct rpc *r)
{
	struct timeval slice = { 0, DRAIN_SLICE_US };
	struct rpc_conn *conn;
	bool pending = true;

	for (conn = r->conns; conn; conn = conn->next)
		if (conn->bev)
			bufferevent_disable(conn->bev, EV_READ);
	for (int i = 0; i < DRAIN_SLICES && pending; i++) {
		pending = false;
		for (conn = r->conns; conn && !pending; conn = conn->next)
			pending = conn_output_pending(conn);
		if (!pending)
			break;
		event_base_loopexit(r->c->base, &slice);
		event_base_dispatch(r->c->base);
	}
	if (pending)
		hc_log(HC_LOG_WARN, "exit: some peers did not take their last "
		       "frames within %d ms; closing anyway",
		       DRAIN_SLICES * DRAIN_SLICE_US / 1000);
	for (conn = r->conns; conn; conn = conn->next)
		if (conn->bev)
			conn_shutdown(conn);
}
