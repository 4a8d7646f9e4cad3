/*
 * client: blocking request/reply over TCP (see client.h). One request in
 * flight per connection; every wait is bounded by the connection's timeout
 * through poll(2), so a silent peer cannot hang a command.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "frame.h"
#include "hmunge.h"
#include "log.h"
#include "msg.h"

struct hc_client {
	int fd;
	char *munge_socket;	/* owned; NULL for munge's default */
	int timeout_ms;
	uint32_t next_reqid;
	char peer[300];		/* "addr:port" for messages */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until deadline; 1 ready, 0 timed out, -1 error. */
static int
wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* One address: non-blocking connect bounded by deadline. Returns the fd
 * (still non-blocking) or -1 with errno. */
static int
connect_one(const struct addrinfo *ai, long long deadline)
{
	int fd, one = 1, soerr = 0, w;
	socklen_t sl = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		w = wait_fd(fd, POLLOUT, deadline);
		if (w <= 0) {
			if (w == 0)
				errno = ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			goto fail;
		if (soerr) {
			errno = soerr;
			goto fail;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	w = errno;
	close(fd);
	errno = w;
	return -1;
}

struct hc_client *
hc_client_connect(const char *addr, int port, const char *munge_socket,
		  int timeout_s, struct hc_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	struct hc_client *c;
	long long deadline;
	char sport[16];
	int rc, fd = -1, e = 0;

	if (!addr || !*addr)
		addr = "127.0.0.1";
	if (timeout_s <= 0)
		timeout_s = 30;
	if (port <= 0 || port > 65535) {
		hc_err_set(err, HC_ECONN, "cannot reach hcctld at %s:%d: "
			   "invalid port; check ControlPort in hc.conf",
			   addr, port);
		return NULL;
	}
	snprintf(sport, sizeof(sport), "%d", port);
	rc = getaddrinfo(addr, sport, &hints, &res);
	if (rc != 0) {
		hc_err_set(err, HC_ECONN, "cannot reach hcctld at %s:%d: %s; "
			   "check ControlAddr in hc.conf", addr, port,
			   gai_strerror(rc));
		return NULL;
	}
	deadline = now_ms() + (long long)timeout_s * 1000;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = connect_one(ai, deadline);
		if (fd < 0)
			e = errno;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		hc_err_set(err, e == ETIMEDOUT ? HC_ETIMEDOUT : HC_ECONN,
			   "cannot reach hcctld at %s:%d: %s; is it running?",
			   addr, port, strerror(e));
		return NULL;
	}
	c = hc_calloc(1, sizeof(*c));
	c->fd = fd;
	c->munge_socket = munge_socket ? hc_strdup(munge_socket) : NULL;
	c->timeout_ms = timeout_s * 1000;
	c->next_reqid = (uint32_t)getpid() * 2654435761u ^ (uint32_t)time(NULL);
	snprintf(c->peer, sizeof(c->peer), "%s:%d", addr, port);
	return c;
}

void
hc_client_destroy(struct hc_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->munge_socket);
	free(c);
}

/* I/O failure: name the peer and say which way it failed. */
static int
io_fail(struct hc_client *c, int timed_out, const char *what,
	struct hc_err *err)
{
	if (timed_out)
		return hc_err_set(err, HC_ETIMEDOUT, "%s: no answer within "
				  "%d s while %s", c->peer,
				  c->timeout_ms / 1000, what);
	if (errno == 0)
		return hc_err_set(err, HC_ECONN, "%s: the peer closed the "
				  "connection while %s (see its log)",
				  c->peer, what);
	return hc_err_set(err, HC_ECONN, "%s: %s while %s", c->peer,
			  strerror(errno), what);
}

static int
send_all(struct hc_client *c, const uint8_t *p, size_t len,
	 long long deadline, struct hc_err *err)
{
	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int w = wait_fd(c->fd, POLLOUT, deadline);

			if (w <= 0)
				return io_fail(c, w == 0, "sending", err);
			continue;
		}
		return io_fail(c, 0, "sending", err);
	}
	return 0;
}

static int
recv_all(struct hc_client *c, void *buf, size_t len, long long deadline,
	 struct hc_err *err)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = recv(c->fd, p, len, 0);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0) {
			errno = 0;
			return io_fail(c, 0, "waiting for the reply", err);
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = wait_fd(c->fd, POLLIN, deadline);

			if (w <= 0)
				return io_fail(c, w == 0,
					       "waiting for the reply", err);
			continue;
		}
		return io_fail(c, 0, "waiting for the reply", err);
	}
	return 0;
}

/* Read one reply frame for reqid; returns its body text (malloc'ed,
 * NUL-terminated, *lenp bytes) or NULL. The header is checked (type,
 * limits) before the body is allocated. */
static char *
read_reply_text(struct hc_client *c, uint32_t reqid, long long deadline,
		size_t *lenp, struct hc_err *err)
{
	uint8_t raw[HC_FRAME_HDR_LEN];
	struct hc_frame_hdr hdr;
	size_t n;
	char *buf;

	if (recv_all(c, raw, sizeof(raw), deadline, err) < 0)
		return NULL;
	if (hc_frame_hdr_decode(raw, &hdr, err) < 0) {
		hc_err_prefix(err, "%s: bad reply: ", c->peer);
		return NULL;
	}
	if (hdr.type != HC_MSG_REPLY || hdr.reqid != reqid) {
		hc_err_set(err, HC_EPROTO, "%s: expected the reply to request "
			   "%u, got %s for %u", c->peer, reqid,
			   hc_msg_name(hdr.type), hdr.reqid);
		return NULL;
	}
	n = (size_t)hdr.cred_len + hdr.body_len;
	buf = hc_malloc(n + 1);
	if (recv_all(c, buf, n, deadline, err) < 0) {
		free(buf);
		return NULL;
	}
	if (hdr.cred_len)
		memmove(buf, buf + hdr.cred_len, hdr.body_len);
	buf[hdr.body_len] = '\0';
	*lenp = hdr.body_len;
	return buf;
}

/* A reply with rc != 0 becomes err; the peer's code is kept when it is one
 * we know. */
static json_t *
reply_check(json_t *rep, struct hc_err *err)
{
	json_int_t rc = json_integer_value(json_object_get(rep, "rc"));
	const char *text = json_string_value(json_object_get(rep, "error"));

	if (rc == 0)
		return rep;
	if (rc < 0 || rc > HC_EINTERNAL)
		rc = HC_EINTERNAL;
	hc_err_set(err, (int)rc, "%s", text ? text : hc_err_name((int)rc));
	json_decref(rep);
	return NULL;
}

/* Send req and return the reply's body text (see read_reply_text). */
static char *
call_text(struct hc_client *c, unsigned type, const json_t *req, int auth,
	  size_t *lenp, struct hc_err *err)
{
	long long deadline = now_ms() + c->timeout_ms;
	uint32_t reqid = c->next_reqid++;
	uint8_t digest[HC_FRAME_DIGEST_LEN], *frame;
	char *body, *cred = NULL, *rep;
	size_t blen, flen;
	int rc;

	if (c->fd < 0) {
		hc_err_set(err, HC_ECONN, "%s: connection already failed",
			   c->peer);
		return NULL;
	}
	body = req ? hc_msg_encode(req, &blen) : hc_strdup("{}");
	if (!req)
		blen = 2;
	if (blen > hc_msg_max_body(type)) {
		hc_err_set(err, HC_EINVAL, "%s request of %zu bytes exceeds "
			   "the limit of %zu", hc_msg_name(type)
			   ? hc_msg_name(type) : "unknown", blen,
			   hc_msg_max_body(type));
		free(body);
		return NULL;
	}
	if (auth) {
		hc_frame_digest((uint16_t)type, reqid, body, blen, digest);
		cred = hmunge_encode(c->munge_socket, digest, sizeof(digest),
				     err);
		if (!cred) {
			free(body);
			return NULL;
		}
	}
	frame = hc_frame_build((uint16_t)type, reqid, cred,
			       cred ? strlen(cred) : 0, body, blen, &flen);
	free(cred);
	free(body);
	rc = send_all(c, frame, flen, deadline, err);
	free(frame);
	rep = rc < 0 ? NULL : read_reply_text(c, reqid, deadline, lenp, err);
	if (!rep) {
		/* The stream is out of step now; never reuse it. */
		close(c->fd);
		c->fd = -1;
	}
	return rep;
}

static json_t *
call(struct hc_client *c, unsigned type, const json_t *req, int auth,
     struct hc_err *err)
{
	size_t len = 0;
	char *text = call_text(c, type, req, auth, &len, err);
	json_t *rep;

	if (!text)
		return NULL;
	rep = hc_msg_decode(HC_MSG_REPLY, text, len, err);
	free(text);
	if (!rep) {
		hc_err_prefix(err, "%s: bad reply: ", c->peer);
		close(c->fd);
		c->fd = -1;
		return NULL;
	}
	return reply_check(rep, err);
}

json_t *
hc_client_call(struct hc_client *c, unsigned type, const json_t *req,
	       struct hc_err *err)
{
	return call(c, type, req, 1, err);
}

json_t *
hc_client_call_noauth(struct hc_client *c, unsigned type, const json_t *req,
		      struct hc_err *err)
{
	return call(c, type, req, 0, err);
}

char *
hc_client_call_text(struct hc_client *c, unsigned type, const json_t *req,
		    size_t *lenp, struct hc_err *err)
{
	size_t len = 0;
	char *text = call_text(c, type, req, 1, &len, err);

	if (text && lenp)
		*lenp = len;
	return text;
}
