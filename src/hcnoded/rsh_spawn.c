/*
 * rsh_spawn: an hc-rsh command started on this node: a child that joins
 * the job's cgroup (so that it, and whatever it daemonises - Open MPI's
 * orted does - belongs to the job and dies at its end), drops to the
 * job's user, takes the caller's stdin/stdout/stderr and runs
 * `/bin/sh -c COMMAND` in the job's environment, in its own session.
 * Everything it needs is made before fork().
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
#include "job.h"
#include "log.h"
#include "noded.h"
#include "rsh.h"

static void __attribute__((noreturn))
child_fail(const char *what, int e)
{
	dprintf(2, "hc-rsh: %s: %s\n", what, strerror(e));
	_exit(255);
}

static void __attribute__((noreturn))
rsh_child(struct noded *nd, struct job *j, const int fds[3],
	  char *const argv[], char **env, const char *cwd)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigemptyset(&dfl.sa_mask);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (cgroup_mode(nd->cg) != CGROUP_NONE &&
	    cgroup_job_attach(nd->cg, j->id, getpid()) < 0)
		child_fail("cannot join the job's cgroup", errno);
	/* Security: the job's user, before anything of the user's. */
	if (geteuid() == 0 && (setgroups(j->ngroups, j->groups) < 0 ||
			       setgid(j->gid) < 0 || setuid(j->uid) < 0))
		child_fail("cannot become the job's user", errno);
	if (j->uid != 0 && (setuid(0) == 0 || getuid() != j->uid))
		child_fail("privileges not dropped", EPERM);
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			child_fail("dup2", errno);
	if (chdir(cwd) < 0 && chdir(j->tmpdir) < 0)
		child_fail("chdir", errno);
	execve("/bin/sh", argv, env);
	child_fail("exec /bin/sh", errno);
}

pid_t
rsh_spawn_local(struct noded *nd, struct job *j, const char *command,
		const int fds[3], struct hc_err *err)
{
	const char *cwd = json_string_value(json_object_get(j->spec, "cwd"));
	char *argv[] = { "sh", "-c", (char *)command, NULL };
	char **env = job_env_build(j, nd->me->name,
				   cgroup_devices_confined(nd->cg));
	sigset_t all, old;
	pid_t pid;

	rsh_env_add(nd, j, &env);
	/* Blocked across fork() so that no handler of ours runs in the
	 * child before it has reset them. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		rsh_child(nd, j, fds, argv, env, cwd && *cwd ? cwd : "/");
	sigprocmask(SIG_SETMASK, &old, NULL);
	job_env_free(env);
	if (pid < 0)
		hc_err_set(err, HC_EIO, "fork: %s", strerror(errno));
	else
		setpgid(pid, pid);
	return pid;
}
