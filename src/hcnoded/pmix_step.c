/*
 * pmix_step: `hcrun --mpi=pmix` on this node. The OpenPMIx server library
 * serves one namespace set per process, so each step gets its own server:
 * hc-pmix, forked here as the job's user inside the job's cgroup (it dies
 * with the job at the latest), with PMIX_SERVER_TMPDIR in the job's TMPDIR.
 * The agent describes the step to it (namespace hc.JOB.STEP, the nodes in
 * step order with the ranks of each: hcrun sends them as mpi_nodes and
 * mpi_tasks) and waits, a few seconds at most, for the environment of each
 * local rank (PMIx_server_setup_fork). Afterwards the helper's fences go
 * to hcrun as STEP_PMI {"seq","blob"} and come back with every node's
 * blob; a PMIx_Abort goes to hcrun as STEP_PMI abort. Protocol: hc-pmix.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "cgroup.h"
#include "job.h"
#include "log.h"
#include "msg.h"
#include "noded.h"
#include "pmix_step.h"
#include "rsh.h"
#include "step.h"

#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/libexec/hc"
#endif
#define PMIX_START_MS 15000

struct pmix_step {
	struct step_node *sn;
	pid_t pid;
	struct bufferevent *bev;
	json_t *env;		/* [[K=V...] per local task] */
};

static void __attribute__((noreturn))
helper_child(struct noded *nd, struct job *j, int fd, const char *prog)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	setsid();
	if (cgroup_mode(nd->cg) != CGROUP_NONE)
		cgroup_job_attach(nd->cg, j->id, getpid());
	/* Security: the job's user; the helper is the user's own server. */
	if (geteuid() == 0 && (setgroups((size_t)j->ngroups, j->groups) < 0 ||
			       setgid(j->gid) < 0 || setuid(j->uid) < 0))
		_exit(126);
	if (j->uid != 0 && (setuid(0) == 0 || getuid() != j->uid))
		_exit(126);
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
		_exit(126);
	if (rsh_shared_host(nd))	/* as rsh_env.c says for the clients */
		setenv("PMIX_MCA_gds", "hash", 1);
	for (int k = 3; k < 1024; k++)
		close(k);
	execl(prog, "hc-pmix", (char *)NULL);
	dprintf(2, "hcnoded: exec %s: %s\n", prog, strerror(errno));
	_exit(127);
}

static void
on_line(struct bufferevent *bev, void *arg)
{
	struct pmix_step *ps = arg;
	char *line;

	while ((line = evbuffer_readln(bufferevent_get_input(bev), NULL,
				       EVBUFFER_EOL_LF))) {
		json_t *m = json_loads(line, 0, NULL);
		free(line);
		if (m && ps->sn->sc)
			stream_send(ps->sn->sc, HC_MSG_STEP_PMI, m);
		json_decref(m);
	}
}

static void
on_helper_event(struct bufferevent *bev, short what, void *arg)
{
	struct pmix_step *ps = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		bufferevent_free(ps->bev);
		ps->bev = NULL;
	}
}

static json_t *
describe(const struct step_node *sn, const struct job *j, const char *dir)
{
	json_t *h = sn->hello;

	return json_pack("{s:s,s:s,s:s,s:O,s:O,s:O,s:O,s:I,s:I}", "nspace",
		"hc", "hostname", sn->nd->me->name, "tmpdir", dir, "size",
		json_object_get(h, "ntasks"),
		"node_index", json_object_get(h, "node_index"), "nodes",
		json_object_get(h, "mpi_nodes"), "node_tasks",
		json_object_get(h, "mpi_tasks"), "uid", (json_int_t)j->uid,
		"gid", (json_int_t)j->gid);
}

/* One line from fd within ms; malloc'ed, or NULL. */
static char *
read_line(int fd, int ms)
{
	size_t cap = 4096, len = 0;
	char *buf = hc_malloc(cap);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, ms) > 0) {
		ssize_t n;
		if (len + 1 >= cap)
			buf = hc_realloc(buf, cap *= 2);
		n = read(fd, buf + len, 1);
		if (n <= 0)
			break;
		if (buf[len] == '\n') {
			buf[len] = '\0';
			return buf;
		}
		len++;
	}
	free(buf);
	return NULL;
}

struct pmix_step *
pmix_step_create(struct step_node *sn, struct job *j, struct hc_err *err)
{
	struct noded *nd = sn->nd;
	const char *prog = nd->conf->mpi_pmix_helper &&
			   *nd->conf->mpi_pmix_helper ?
			   nd->conf->mpi_pmix_helper : PKGLIBEXECDIR "/hc-pmix";
	struct pmix_step *ps;
	char *dir, *text, *line;
	json_t *d, *m;
	sigset_t all, old;
	int sv[2];

	if (!json_is_array(json_object_get(sn->hello, "mpi_tasks"))) {
		hc_err_set(err, HC_EINVAL, "no step layout (mpi_tasks) from "
			   "hcrun");
		return NULL;
	}
	dir = hc_asprintf("%s/pmix.%u", j->tmpdir, sn->cred.step_id);
	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    chown(dir, j->uid, j->gid) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		hc_err_set(err, HC_EIO, "%s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	ps = hc_calloc(1, sizeof(*ps));
	ps->sn = sn;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((ps->pid = fork()) == 0)
		helper_child(nd, j, sv[1], prog);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	noded_child_watch(nd, ps->pid, NULL, NULL);
	d = describe(sn, j, dir);
	json_object_set_new(d, "nspace", json_sprintf("hc.%u.%u",
			    sn->cred.job_id, sn->cred.step_id));
	text = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	free(dir);
	if (!text || write(sv[0], text, strlen(text)) < 0 ||
	    write(sv[0], "\n", 1) < 0 ||
	    !(line = read_line(sv[0], PMIX_START_MS))) {
		free(text);
		close(sv[0]);
		free(ps);
		hc_err_set(err, HC_EIO, "the PMIx helper %s did not start "
			   "(see this node's log)", prog);
		return NULL;
	}
	free(text);
	m = json_loads(line, 0, NULL);
	free(line);
	ps->env = json_incref(json_object_get(m, "env"));
	json_decref(m);
	ps->bev = bufferevent_socket_new(nd->base, sv[0],
					 BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(ps->bev, on_line, NULL, on_helper_event, ps);
	bufferevent_enable(ps->bev, EV_READ);
	return ps;
}

json_t *
pmix_step_env(const struct pmix_step *ps, uint32_t local)
{
	return ps ? json_array_get(ps->env, local) : NULL;
}

void
pmix_step_on_frame(struct pmix_step *ps, json_t *body)
{
	char *text;

	if (!ps || !ps->bev || !json_object_get(body, "blobs"))
		return;
	text = json_dumps(body, JSON_COMPACT);
	bufferevent_write(ps->bev, text, strlen(text));
	bufferevent_write(ps->bev, "\n", 1);
	free(text);
}

void
pmix_step_destroy(struct pmix_step *ps)
{
	if (!ps)
		return;
	if (ps->bev)
		bufferevent_free(ps->bev);	/* EOF: the helper ends */
	json_decref(ps->env);
	free(ps);
}
