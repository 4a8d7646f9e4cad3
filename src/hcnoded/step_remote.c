/*
 * step_remote: start a command as one task of a job on another node of
 * the job, with stdio forwarded and its exit status returned: what hc-rsh
 * needs for every host but this one (rsh.c).
 *
 *	step_remote_start(nd, job, host, command, fds, started, arg)
 *	  -> STEP_CRED_REQ to hcctld (step_cred.c)
 *	  <- STEP_CRED_GRANT: a credential for host, a step of one task
 *	  -> fork a helper: the job's user, in the job's cgroup, its own
 *	     session, stdio = the caller's fds; it opens the stream to host's
 *	     agent (stepc.c, as hcrun does) and exits with the remote task's
 *	     status (128+N for signal N, 255 when it could not start there)
 *	  started(arg, helper pid) -- or (arg, -1, why)
 *
 * The caller watches the helper's pid (noded_child_watch) for the status
 * and passes signals to its process group: the helper forwards them to
 * the remote task as STEP_SIGNAL. The remote side runs `sh -c COMMAND`
 * with the job's environment of that node (as ssh would run it there).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "hostlist.h"
#include "job.h"
#include "log.h"
#include "noded.h"
#include "step.h"
#include "stepc.h"

struct remote {
	struct noded *nd;
	uint32_t job_id;
	char *host, *command;
	int fds[3];
	step_remote_fn *started;
	void *arg;
};

static void
remote_free(struct remote *r)
{
	for (int i = 0; i < 3; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	free(r->host);
	free(r->command);
	free(r);
}

/* HC_NODEID there: host's place in the job's node list, as a step's. */
static int
node_index(const struct job *j, const char *host)
{
	const char *nl = json_string_value(json_object_get(j->spec,
							   "nodelist"));
	struct hostlist *hl = nl ? hostlist_parse(nl, NULL) : NULL;
	long k = hl ? hostlist_find(hl, host) : -1;

	hostlist_destroy(hl);
	return k < 0 ? 0 : (int)k;
}

static void __attribute__((noreturn))
helper(struct remote *r, struct job *j, const char *cred, uint32_t step_id,
       const char *addr, int port)
{
	struct stepc_opts o = { .stdin_task = 0, .prog = "hc-rsh",
				.quiet = 1, .job_id = r->job_id,
				.step_id = step_id };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct hc_err err = { 0 };
	sigset_t none;
	struct stepc *s;
	json_t *hello;
	int rc;

	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (cgroup_mode(r->nd->cg) != CGROUP_NONE)
		cgroup_job_attach(r->nd->cg, j->id, getpid());
	/* Security: the helper holds only the job's user's rights. */
	if (geteuid() == 0 && (setgroups((size_t)j->ngroups, j->groups) < 0 ||
			       setgid(j->gid) < 0 || setuid(j->uid) < 0))
		_exit(255);
	if (dup2(r->fds[0], 0) < 0 || dup2(r->fds[1], 1) < 0 ||
	    dup2(r->fds[2], 2) < 0)
		_exit(255);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	hello = json_pack("{s:s,s:[s,s,s],s:[i],s:i,s:i,s:i}", "cred", cred,
			  "argv", "/bin/sh", "-c", r->command, "tasks", 0,
			  "ntasks", 1, "nnodes", 1, "node_index",
			  node_index(j, r->host));
	s = stepc_create(&o, 1);
	stepc_add_node(s, r->host, addr, port, hello);
	if (stepc_start(s, &err) < 0) {
		dprintf(2, "hc-rsh: %s\n", err.text);
		_exit(255);
	}
	rc = stepc_run(s, NULL);
	_exit(rc);
}

static void
on_cred(void *arg, int rc, const char *error, const char *cred,
	uint32_t step_id, const char *addr, int port)
{
	struct remote *r = arg;
	struct job *j = jobs_get_running(r->nd->jobs, r->job_id);
	char why[300];
	pid_t pid;

	if (rc || !cred || !addr || !j) {
		snprintf(why, sizeof(why), "%s: no credential: %s", r->host,
			 error ? error : !j ? "the job ended" : "?");
		r->started(r->arg, -1, why);
		remote_free(r);
		return;
	}
	pid = fork();
	if (pid == 0)
		helper(r, j, cred, step_id, addr, port);
	if (pid < 0) {
		snprintf(why, sizeof(why), "fork: %s", strerror(errno));
		r->started(r->arg, -1, why);
	} else {
		hc_log(HC_LOG_INFO, "job=%u step=%u remote task on %s "
		       "helper=%d", r->job_id, step_id, r->host, (int)pid);
		r->started(r->arg, pid, NULL);
	}
	remote_free(r);
}

void
step_remote_start(struct noded *nd, struct job *j, const char *host,
		  const char *command, const int fds[3],
		  step_remote_fn *started, void *arg)
{
	struct remote *r = hc_calloc(1, sizeof(*r));

	r->nd = nd;
	r->job_id = j->id;
	r->host = hc_strdup(host);
	r->command = hc_strdup(command);
	r->started = started;
	r->arg = arg;
	for (int i = 0; i < 3; i++)
		r->fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
	step_cred_request(nd, j->id, host, on_cred, r);
}
