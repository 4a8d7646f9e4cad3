/*
 * stepc: the client side of a step's streams: hcrun, and the node agent's
 * helper that runs one task on another node for hc-rsh (step_remote.c).
 * One TCP stream per node of the step: STEP_HELLO with the credential,
 * then the tasks' output comes back as STEP_IO frames and is written to
 * our stdout/stderr (labelled "N: " with label, or into files), our stdin
 * goes to the tasks that read it, signals we receive are sent as
 * STEP_SIGNAL, and each task's end arrives as STEP_EXIT; a node's
 * STEP_DONE ends its stream. A stream that breaks
 * before STEP_DONE is a lost node: its unreported tasks count as failed.
 *
 * Blocking and single-threaded: one poll() loop over the streams, stdin
 * and a self-pipe for signals.
 */
#ifndef HC_STEPC_H
#define HC_STEPC_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "hc_err.h"

struct stepc;

struct stepc_opts {
	bool label;		/* "N: " before each line */
	bool pty;		/* task 0 on a pseudo-terminal; raw mode here */
	int stdin_task;		/* task that gets stdin; -1 all; -2 none */
	const char *in_file;	/* -i FILE: stdin from this file */
	const char *out_pat, *err_pat;	/* -o/-e: files (%t %n %N %j %s) */
	uint32_t job_id, step_id;
	const char *prog;	/* for messages: "hcrun" */
	int quiet;		/* no "task N failed" lines */
};

/* A step of ntasks tasks; hcrun adds its nodes, then runs it. */
struct stepc *stepc_create(const struct stepc_opts *o, uint32_t ntasks);
void stepc_destroy(struct stepc *s);	/* NULL ok */
/* Node name at addr:port with its STEP_HELLO body (stolen) holding the
 * credential and the node's part (tasks...). */
void stepc_add_node(struct stepc *s, const char *name, const char *addr,
		    int port, json_t *hello);
/* Connect to every node and present the hellos; 0, or -1 with err naming
 * the node that refused (and why) or could not be reached. */
int stepc_start(struct stepc *s, struct hc_err *err);
/* Run until every node is done or lost. Returns the highest task exit
 * status as a shell gives it (code, 128 + signal), 255 for a lost task;
 * *failed (if not NULL) gets a malloc'ed summary of what failed, or NULL. */
int stepc_run(struct stepc *s, char **failed);

#endif
