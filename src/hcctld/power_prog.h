/*
 * power_prog: runs the sites' power programs (ResumeProgram,
 * SuspendProgram, ListProgram, ResumeFailProgram) off the loop.
 *
 * A program is forked into a session of its own, with no signal blocked or
 * ignored, stdin from /dev/null, stdout and stderr into one pipe, every
 * other descriptor closed and a clean environment (PATH, HC_ACTION,
 * HC_POOL, HC_NODES, HC_TEMPLATE, HC_CPUS, HC_REAL_MEMORY_MB, HC_GRES,
 * HC_FEATURES, HC_TOPOLOGY, HC_JOBS, HC_CONF); its one argument is the
 * nodes' hostlist. The loop reads its output as it comes (each line to the
 * log), reaps it on SIGCHLD, and kills its whole session at the timeout.
 * The exit status is typed (hc.conf(5) POWER PROGRAMS): 0 done, 75
 * transient, anything else (78 documented) permanent; a timeout is
 * transient. Lines "NODE STATUS [message]" decide for the nodes they name.
 */
#ifndef POWER_PROG_H
#define POWER_PROG_H

#include <stddef.h>
#include <sys/types.h>

struct ctld;
struct hc_conf;
struct conf_node;
struct hc_err;
struct power_progs;

#define POWER_EXIT_TRANSIENT 75		/* EX_TEMPFAIL */
#define POWER_EXIT_PERMANENT 78		/* EX_CONFIG */

enum power_status { POWER_DONE, POWER_TRANSIENT, POWER_PERMANENT };

struct power_node_status {
	char *node;
	enum power_status status;
	char *message;			/* may be NULL */
};

struct power_result {
	enum power_status status;	/* from the exit status */
	int exit_code;			/* -1 when killed */
	int signal;			/* the killing signal, or 0 */
	int timed_out;
	char *last_line;		/* the last output line, or NULL */
	struct power_node_status *nodes;	/* per-node lines */
	size_t nnodes;
	char *output;			/* every line (capped), '\n'-joined */
};

/* Told once, on the loop, when the program has ended (r borrowed). */
typedef void power_done_fn(void *arg, const struct power_result *r);

struct power_prog_req {
	const char *path;		/* the program */
	const char *action;		/* "resume", "suspend", ... */
	const char *pool;		/* "" for on-premise nodes */
	const char *nodes;		/* hostlist: the argument */
	const struct conf_node *tmpl;	/* the template, or NULL */
	const char *jobs;		/* comma-separated ids, or NULL */
	long timeout_s;
};

struct power_progs *power_progs_create(struct ctld *c, struct hc_err *err);
/* Leaves what still runs to finish on its own; no callbacks. */
void power_progs_destroy(struct power_progs *pp);

/* Start rq's program. fn(arg, result) is called later, on the loop, unless
 * the table is destroyed first. Returns 0, or -1 (fork failed: nothing
 * runs, no call). */
int power_prog_run(struct power_progs *pp, const struct power_prog_req *rq,
		   power_done_fn *fn, void *arg, struct hc_err *err);
/*
 * Whether every power program hc.conf names can be run by hcctld: an
 * absolute path to an executable regular file that neither its group nor
 * others may write (it runs as root). Each problem is told to fn(arg,
 * line) as "FILE[:LINE]: [CloudPool=NAME: ]KEY=PATH: what; what to do";
 * returns how many.
 */
int power_progs_check(const struct hc_conf *conf,
		      void (*fn)(void *arg, const char *line), void *arg);
/* Programs running now. */
size_t power_progs_running(const struct power_progs *pp);

/* For a node: its line's status, else r->status; msg gets the line's
 * message or the last line (borrowed; may be NULL). */
enum power_status power_result_for(const struct power_result *r,
				   const char *node, const char **msg);

/* Parse one output line "NODE STATUS [message]" (tests). Returns 0 and
 * fills out (owned strings), or -1 when the line is not one. */
int power_line_parse(const char *line, struct power_node_status *out);

#endif
