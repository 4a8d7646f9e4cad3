/*
 * health: runs site programs as root -- HealthCheckProgram every
 * HealthCheckInterval (a non-zero exit reports the node unhealthy with the
 * first line of its output; the controller drains it), and Prolog/Epilog
 * around each job -- each killed after its timeout, never blocking the loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "msg.h"
#include "noded.h"

struct script_run {
	struct noded *nd;
	pid_t pid;
	int fd;			/* read end of its stdout/stderr */
	struct event *ev_timeout;
	script_done_fn done;
	void *arg;
};

struct health {
	struct noded *nd;
	struct event *ev_tick;
	bool running;
	int last_ok;		/* -1 unknown, 0 failing, 1 ok */
	char last_msg[256];	/* the failing check's first line */
};

static void
on_script_exit(void *arg, pid_t pid, int status)
{
	struct script_run *r = arg;
	char buf[512] = "";
	ssize_t n = read(r->fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	close(r->fd);
	event_free(r->ev_timeout);
	if (WIFSIGNALED(status) && !buf[0])
		snprintf(buf, sizeof(buf), "killed by signal %d",
			 WTERMSIG(status));
	r->done(r->arg, status, buf);
	free(r);
}

static void
on_script_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct script_run *r = arg;

	hc_log(HC_LOG_WARN, "script pid=%d timed out; killing it", (int)r->pid);
	kill(-r->pid, SIGKILL);
}

int
health_run_script(struct noded *nd, const char *program, char **env,
		  int timeout, script_done_fn done, void *arg)
{
	struct timeval tv = { timeout, 0 };
	struct script_run *r;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char *argv[] = { (char *)program, NULL };
		int in = open("/dev/null", O_RDONLY);
		setsid();
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		dup2(in, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execve(program, argv, env);
		dprintf(2, "cannot run %s: %s\n", program, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	r = hc_calloc(1, sizeof(*r));
	r->nd = nd;
	r->pid = pid;
	r->fd = p[0];
	r->done = done;
	r->arg = arg;
	r->ev_timeout = evtimer_new(nd->base, on_script_timeout, r);
	evtimer_add(r->ev_timeout, &tv);
	noded_child_watch(nd, pid, on_script_exit, r);
	return 0;
}

static void
health_send(struct health *h)
{
	ctl_conn_send(h->nd->ctl, HC_MSG_NODE_HEALTH, json_pack("{s:b,s:s}",
		      "ok", h->last_ok == 1, "message", h->last_msg), false);
}

/* Only changes are sent while registered; every registration sends the
 * last result again (a report may have died with a connection, and a
 * restarted agent must be able to lift the drain its predecessor caused). */
static void
on_check_done(void *arg, int status, const char *line)
{
	struct health *h = arg;
	int ok = status == 0;

	h->running = false;
	if (ok == h->last_ok)
		return;
	h->last_ok = ok;
	snprintf(h->last_msg, sizeof(h->last_msg), "%s", ok ? "" : line[0] ?
		 line : "HealthCheckProgram failed");
	hc_log(ok ? HC_LOG_INFO : HC_LOG_WARN, "health check %s%s%s",
	       ok ? "ok" : "failed", ok ? "" : ": ", h->last_msg);
	health_send(h);
}

void
health_registered(struct health *h)
{
	if (h && h->last_ok >= 0)
		health_send(h);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct health *h = arg;
	char *env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

	if (h->running)
		return;
	h->running = true;
	if (health_run_script(h->nd, h->nd->conf->health_check_program, env,
			      60, on_check_done, h) < 0)
		on_check_done(h, -1, "cannot fork HealthCheckProgram");
}

struct health *
health_create(struct noded *nd, struct hc_err *err)
{
	struct health *h = hc_calloc(1, sizeof(*h));
	const char *prog = nd->conf->health_check_program;
	long iv = nd->conf->health_check_interval;
	struct timeval tv = { iv, 0 };

	h->nd = nd;
	h->last_ok = -1;
	/* HealthCheckInterval=0: never (hc.conf(5)). */
	if (!prog || !*prog || iv <= 0)
		return h;
	h->ev_tick = event_new(nd->base, -1, EV_PERSIST, on_tick, h);
	event_add(h->ev_tick, &tv);
	event_active(h->ev_tick, EV_TIMEOUT, 0);	/* once at start */
	return h;
}

void
health_destroy(struct health *h)
{
	if (!h)
		return;
	if (h->ev_tick)
		event_free(h->ev_tick);
	free(h);
}
