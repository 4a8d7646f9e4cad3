/*
 * hcalloc: get an interactive allocation and run a shell ($SHELL) or the
 * given command here, with HC_JOB_ID and the allocation's variables set so
 * that hcrun inside it runs steps on the allocated nodes. When the shell
 * or command ends, the allocation is released (COMPLETED, or FAILED with
 * the command's exit status); Ctrl-C that reaches hcalloc, a hang-up
 * (the terminal closed) or SIGTERM cancel it (CANCELLED). Like salloc.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "log.h"
#include "msg.h"

static const struct cmd_opt hcalloc_opts[] = {
	{"nodes", 'N', "N", "number of nodes"},
	{"ntasks", 'n', "N", "number of tasks"},
	{"cpus-per-task", 'c', "N", "CPUs for each task"},
	ALLOC_OPTS,
	CMD_OPT_HELP,
	CMD_OPT_VERSION,
	{0},
};

static const struct cmd_info hcalloc_info = {
	.prog = "hcalloc",
	.usage = "[OPTIONS] [COMMAND [ARGS...]]",
	.summary = "Get an allocation and run COMMAND (default: $SHELL) in it "
		   "here, with HC_JOB_ID set\nso that hcrun inside runs steps "
		   "on the allocated nodes. The allocation ends\nwhen the "
		   "command or shell exits, or on Ctrl-C or hang-up.",
	.more = "Exit status: the command's; when no allocation was had, 1 "
		"usage or request error, 2 permission or authentication, 3 "
		"not found, 4 cannot reach hcctld, 5 server error.",
	.opts = hcalloc_opts,
	.stop_at_operand = true,
};

static volatile sig_atomic_t got_sig;

static void
on_sig(int sig)
{
	got_sig = sig;
}

static int
opt_fn(void *arg, int key, const char *val, struct hc_err *err)
{
	int rc = alloc_apply(arg, key, val, err);

	return rc <= 0 ? rc : hc_err_set(err, HC_EINVAL, "option not handled");
}

static pid_t
start(char **ops, int nops)
{
	const char *sh = getenv("SHELL");
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (nops > 0) {
		execvp(ops[0], ops);
		fprintf(stderr, "hcalloc: cannot run %s: %s\n", ops[0],
			strerror(errno));
	} else {
		if (!sh || !*sh)
			sh = "/bin/sh";
		execl(sh, sh, (char *)NULL);
		fprintf(stderr, "hcalloc: cannot run %s: %s\n", sh,
			strerror(errno));
	}
	_exit(127);
}

int
main(int argc, char **argv)
{
	json_t *spec = json_object();
	char **ops = hc_calloc((size_t)argc + 1, sizeof(*ops));
	struct hc_err err = { 0 };
	struct alloc a = { .ci = &hcalloc_info, .verbose = true };
	struct sigaction sa = { .sa_handler = on_sig };
	int nops, status = 0;
	bool cancel = false;
	pid_t pid;
	char cmd[256];

	nops = cmd_parse(&hcalloc_info, argc - 1, argv + 1, opt_fn, spec, ops,
			 &err);
	if (nops < 0)
		cmd_die_err(&hcalloc_info, &err);
	snprintf(cmd, sizeof(cmd), "hcalloc%s%s", nops ? " " : "",
		 nops ? ops[0] : "");
	a.c = cmd_connect(&hcalloc_info);
	alloc_get(&a, spec, cmd);
	alloc_setenv(&a);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGQUIT, SIG_IGN);
	pid = start(ops, nops);
	if (pid < 0)
		cmd_die(&hcalloc_info, HC_EIO, "fork: %s", strerror(errno));
	for (;;) {
		pid_t w = waitpid(pid, &status, 0);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
		if (got_sig && !cancel) {
			cancel = true;
			if (got_sig != SIGINT)
				kill(pid, got_sig == SIGHUP ? SIGHUP : SIGTERM);
		}
	}
	if (got_sig)
		cancel = true;
	fprintf(stderr, "hcalloc: releasing job %u%s\n", a.job_id,
		cancel ? " (cancelled)" : "");
	alloc_release(&a, status, cancel);
	json_decref(a.job);
	hc_client_destroy(a.c);
	free(ops);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
