/*
 * rsh_args: the command line of hc-rsh, which MPI launchers call the way
 * they call ssh: `AGENT [ssh-style flags] HOST WORD...`. The words are an
 * already-quoted shell command line (Open MPI puts `PATH=...; export PATH;`
 * preambles and `-mca ess \"env\"` in them), so, like ssh, they are joined
 * with single spaces and run with `sh -c` on HOST.
 *
 * Flags that make sense for a command run inside the job (-n, -l as
 * oneself, -p, -o, -x, -q, -v...) are accepted and mostly ignored; those
 * that ask for what hc-rsh does not do (port forwarding, X11, background,
 * control masters, a login shell) are refused with a message naming them.
 */
#ifndef HC_RSH_ARGS_H
#define HC_RSH_ARGS_H

#include <stdbool.h>

#include "hc_err.h"

struct rsh_args {
	const char *host;	/* borrowed from argv ("user@" stripped) */
	const char *user;	/* -l or user@ (borrowed), NULL when none */
	char user_buf[256];	/* the user of user@host */
	char *command;		/* the words joined by spaces (owned) */
	bool null_stdin;	/* -n: stdin from /dev/null */
	int verbose;		/* -v, repeated */
};

/* Parse argv[1..argc-1] into a (zeroed by the call). 0, or -1 with err
 * saying what is wrong (HC_EINVAL). argv must outlive a. */
int rsh_args_parse(struct rsh_args *a, int argc, char *const *argv,
		   struct hc_err *err);
void rsh_args_free(struct rsh_args *a);

#endif
