/*
 * rsh: the unix socket where hc-rsh asks this agent to start a command on
 * a node of the caller's job (SpoolDir/rsh.sock, mode 0666: every user
 * may connect; what decides is who the kernel says the caller is).
 *
 * A session: accept; Security: the caller is the job whose cgroup holds
 * the connecting pid (rsh_peer.c) and whose owner is SO_PEERCRED's uid; then
 * one request {"host","command"} carrying the caller's stdin/stdout/stderr
 * (SCM_RIGHTS); HOST must be a node of that job. This node's own name is
 * started here (rsh_spawn.c); the session then passes {"signal":N} on to
 * the command's process group, answers {"status":S} when it exits and
 * terminates it if hc-rsh goes away. Each accepted request is logged
 * (`rsh job=J uid=U host=H`), which is how tests count launches.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hostlist.h"
#include "job.h"
#include "log.h"
#include "noded.h"
#include "rsh.h"
#include "step.h"

#define RSH_MSG_MAX (512u * 1024)
#define RSH_SESS_MAX 1024
#define RSH_REQUEST_SECS 10

struct rsh_sess {
	struct rsh_sess *next;
	struct rsh *r;
	int fd;			/* -1 once hc-rsh is gone */
	struct event *ev, *ev_timer;
	pid_t peer;
	uid_t uid;
	uint32_t job_id;
	pid_t child;		/* > 0 once started here */
	char host[128];
};

struct rsh {
	struct noded *nd;
	char *path;
	int fd;
	struct event *ev;
	struct rsh_sess *list;
	int nsess;
};

const char *
rsh_socket_path(const struct noded *nd)
{
	return nd->rsh ? nd->rsh->path : "";
}

static void
sess_send(struct rsh_sess *s, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);

	if (s->fd >= 0 && text)
		(void)!send(s->fd, text, strlen(text), MSG_NOSIGNAL |
			    MSG_DONTWAIT);
	free(text);
	json_decref(o);
}

/* Read what hc-rsh sent and nobody took (closing any descriptors in
 * it): a unix socket closed over unread data resets its peer, which
 * would then lose the answer queued for it. */
static void
sess_drain(int fd)
{
	union {
		char b[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} u;
	char buf[512];

	for (int i = 0; i < 64; i++) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = u.b,
				    .msg_controllen = sizeof(u.b) };
		if (recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c;
		     c = CMSG_NXTHDR(&m, c)) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) /
				      sizeof(int));
			int got[8];
			if (c->cmsg_level != SOL_SOCKET ||
			    c->cmsg_type != SCM_RIGHTS || k > 8)
				continue;
			memcpy(got, CMSG_DATA(c), (size_t)k * sizeof(int));
			for (int j = 0; j < k; j++)
				close(got[j]);
		}
	}
}

static void
sess_free(struct rsh_sess *s)
{
	for (struct rsh_sess **pp = &s->r->list; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	s->r->nsess--;
	noded_child_forget(s->r->nd, s);
	if (s->ev)
		event_free(s->ev);
	if (s->ev_timer)
		event_free(s->ev_timer);
	if (s->fd >= 0) {
		sess_drain(s->fd);
		close(s->fd);
	}
	free(s);
}

/* Refuse: tell hc-rsh why (it prints it and exits 255) and log it. */
static void
sess_refuse(struct rsh_sess *s, const char *why)
{
	hc_log_limited("rsh_refused", HC_LOG_WARN, "rsh refused pid=%d "
		       "uid=%u job=%u host=%s: %s", (int)s->peer,
		       (unsigned)s->uid, s->job_id, s->host, why);
	sess_send(s, json_pack("{s:s}", "error", why));
	sess_free(s);
}

static void
on_child_exit(void *arg, pid_t pid, int status)
{
	struct rsh_sess *s = arg;

	(void)pid;
	hc_log(HC_LOG_DEBUG, "rsh job=%u host=%s ended status=%d", s->job_id,
	       s->host, status);
	sess_send(s, json_pack("{s:i}", "status", status));
	sess_free(s);
}

static bool
host_in_job(const struct job *j, const char *host)
{
	const char *nl = json_string_value(json_object_get(j->spec,
							   "nodelist"));
	struct hostlist *hl = hostlist_parse(nl ? nl : "", NULL);
	bool in = false;

	for (size_t i = 0; hl && i < hl->count && !in; i++)
		in = strcmp(hl->names[i], host) == 0;
	hostlist_destroy(hl);
	return in;
}

/* Read the request and the three fds; 0, or -1 having refused. */
static int
sess_request(struct rsh_sess *s, char *buf, int fds[3])
{
	union {
		char b[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = RSH_MSG_MAX - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	ssize_t n = recvmsg(s->fd, &m, MSG_CMSG_CLOEXEC);
	int nfd = 0;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); n > 0 && c;
	     c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		int got[8];
		memcpy(got, CMSG_DATA(c), (size_t)k * sizeof(int));
		for (int i = 0; i < k; i++) {
			if (nfd < 3)
				fds[nfd++] = got[i];
			else
				close(got[i]);
		}
	}
	if (n <= 0 || nfd != 3 || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		for (int i = 0; i < nfd; i++)
			close(fds[i]);
		sess_refuse(s, n <= 0 ? "no request" : "a request comes with "
			    "stdin, stdout and stderr, in one message");
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* Another node's task has its helper (step_remote.c), or could not start.
 * The session read nothing meanwhile (its events were off), so it is
 * still there unless the agent is going away. */
static void
on_remote(void *arg, pid_t pid, const char *why)
{
	struct rsh_sess *s = arg, *t;
	struct noded *nd = s->r->nd;

	for (t = nd->rsh ? nd->rsh->list : NULL; t && t != s; t = t->next)
		;
	if (!t) {
		if (pid > 0) {
			kill(-pid, SIGKILL);
			noded_child_watch(nd, pid, NULL, NULL);
		}
		return;
	}
	if (pid < 0) {
		sess_refuse(s, why);
		return;
	}
	s->child = pid;
	hc_log(HC_LOG_INFO, "rsh job=%u uid=%u host=%s pid=%d child=%d "
	       "remote", s->job_id, (unsigned)s->uid, s->host, (int)s->peer,
	       (int)pid);
	noded_child_watch(nd, pid, on_child_exit, s);
	event_add(s->ev, NULL);
	sess_send(s, json_pack("{s:b}", "started", 1));
}

/* The request: HOST a node of the job, then started. */
static void
sess_start(struct rsh_sess *s)
{
	char *buf = hc_malloc(RSH_MSG_MAX);
	int fds[3], rc = sess_request(s, buf, fds);
	struct noded *nd = s->r->nd;
	struct hc_err err = { 0 };
	struct job *j;
	const char *host, *cmd;
	json_t *o;

	if (rc) {
		free(buf);
		return;
	}
	o = json_loads(buf, 0, NULL);
	free(buf);
	host = json_string_value(json_object_get(o, "host"));
	cmd = json_string_value(json_object_get(o, "command"));
	snprintf(s->host, sizeof(s->host), "%s", host ? host : "?");
	j = jobs_get_running(nd->jobs, s->job_id);
	if (!host || !cmd || !*cmd)
		sess_refuse(s, "a request needs a host and a command");
	else if (!j)
		sess_refuse(s, "the job is not running here any more");
	else if (!host_in_job(j, host))
		sess_refuse(s, "not a node of this job: hc-rsh starts "
			    "commands on the job's nodes only");
	else if (strcmp(host, nd->me->name) != 0) {
		/* Another node: through the controller's credential and that
		 * node's agent; nothing is read until it has started. */
		event_del(s->ev);
		event_del(s->ev_timer);
		step_remote_start(nd, j, host, cmd, fds, on_remote, s);
	} else if ((s->child = rsh_spawn_local(nd, j, cmd, fds, &err)) < 0)
		sess_refuse(s, err.text);
	else {
		hc_log(HC_LOG_INFO, "rsh job=%u uid=%u host=%s pid=%d "
		       "child=%d", s->job_id, (unsigned)s->uid, s->host,
		       (int)s->peer, (int)s->child);
		noded_child_watch(nd, s->child, on_child_exit, s);
		event_del(s->ev_timer);
		sess_send(s, json_pack("{s:b}", "started", 1));
	}
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	json_decref(o);
}

/* After the start: signals to pass on, or hc-rsh gone. */
static void
sess_running(struct rsh_sess *s)
{
	char buf[256];
	ssize_t n = recv(s->fd, buf, sizeof(buf) - 1, 0);
	json_t *o;
	json_int_t sig;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {		/* hc-rsh is gone: so is its command */
		if (s->child > 0)
			kill(-s->child, SIGTERM);
		event_del(s->ev);
		close(s->fd);
		s->fd = -1;
		return;
	}
	buf[n] = '\0';
	o = json_loads(buf, 0, NULL);
	sig = json_integer_value(json_object_get(o, "signal"));
	json_decref(o);
	if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP ||
	    sig == SIGQUIT || sig == SIGUSR1 || sig == SIGUSR2)
		kill(-s->child, (int)sig);
}

static void
on_sess(evutil_socket_t fd, short what, void *arg)
{
	struct rsh_sess *s = arg;

	(void)fd;
	if (what & EV_TIMEOUT)
		sess_refuse(s, "no request in time");
	else if (s->child > 0)
		sess_running(s);
	else
		sess_start(s);
}

static void
on_request_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sess_refuse(arg, "no request in time");
}

uint32_t
rsh_peer_job(const struct noded *nd, pid_t pid, struct hc_err *err)
{
	char path[64], text[8192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		hc_err_set(err, HC_EPERM, "%s: %s", path, strerror(errno));
		return 0;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0) {
		hc_err_set(err, HC_EPERM, "%s: unreadable", path);
		return 0;
	}
	text[n] = '\0';
	return rsh_peer_parse(text, cgroup_mode(nd->cg),
			      nd->conf->cgroup_prefix, nd->me->name, err);
}

/* Security: the checks every caller passes before it may ask anything. */
static int
sess_check(struct rsh_sess *s, struct hc_err *err)
{
	struct noded *nd = s->r->nd;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct job *j;

	if (getsockopt(s->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return hc_err_set(err, HC_EPERM, "no peer credentials");
	s->peer = cred.pid;
	s->uid = cred.uid;
	if (!(s->job_id = rsh_peer_job(nd, cred.pid, err)))
		return -1;
	j = jobs_get_running(nd->jobs, s->job_id);
	if (!j)
		return hc_err_set(err, HC_EPERM, "job %u does not run on "
				  "this node", s->job_id);
	if (j->uid != cred.uid)
		return hc_err_set(err, HC_EPERM, "job %u is not yours",
				  s->job_id);
	return 0;
}

static void
on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct rsh *r = arg;
	struct timeval tv = { RSH_REQUEST_SECS, 0 };
	struct hc_err err = { 0 };
	struct rsh_sess *s;
	int fd;

	(void)what;
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (r->nsess >= RSH_SESS_MAX) {
		hc_log_limited("rsh_full", HC_LOG_WARN, "rsh: %d sessions, "
			       "refusing more", r->nsess);
		close(fd);
		return;
	}
	s = hc_calloc(1, sizeof(*s));
	s->r = r;
	s->fd = fd;
	s->next = r->list;
	r->list = s;
	r->nsess++;
	snprintf(s->host, sizeof(s->host), "-");
	if (sess_check(s, &err) < 0) {
		sess_refuse(s, err.text);
		return;
	}
	s->ev = event_new(r->nd->base, fd, EV_READ | EV_PERSIST, on_sess, s);
	s->ev_timer = evtimer_new(r->nd->base, on_request_timer, s);
	event_add(s->ev, NULL);
	event_add(s->ev_timer, &tv);
}

struct rsh *
rsh_create(struct noded *nd, struct hc_err *err)
{
	struct rsh *r = hc_calloc(1, sizeof(*r));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	r->nd = nd;
	r->path = hc_asprintf("%s/rsh.sock", nd->spool);
	r->fd = -1;
	if (strlen(r->path) >= sizeof(sa.sun_path)) {
		hc_err_set(err, HC_EINVAL, "%s: path too long for a unix "
			   "socket; choose a shorter SpoolDir", r->path);
		goto fail;
	}
	strcpy(sa.sun_path, r->path);
	unlink(r->path);
	r->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(r->path, 0666) < 0 || listen(r->fd, 128) < 0) {
		hc_err_set(err, HC_EIO, "%s: %s", r->path, strerror(errno));
		goto fail;
	}
	r->ev = event_new(nd->base, r->fd, EV_READ | EV_PERSIST, on_accept, r);
	event_add(r->ev, NULL);
	return r;
fail:
	rsh_destroy(r);
	return NULL;
}

void
rsh_destroy(struct rsh *r)
{
	if (!r)
		return;
	while (r->list)
		sess_free(r->list);
	if (r->ev)
		event_free(r->ev);
	if (r->fd >= 0) {
		close(r->fd);
		unlink(r->path);
	}
	free(r->path);
	free(r);
}
