/*
 * alloc: interactive allocations, shared by hcalloc and hcrun (outside a
 * job). The options that shape the allocation (hcsub's spelling), the
 * request (a SUBMIT of an "interactive" job: no script), the wait for it
 * to run, and its release at the end (ALLOC_RELEASE).
 */
#ifndef HC_ALLOC_H
#define HC_ALLOC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "cmd.h"

enum {
	ALLOC_O_GRES = CMD_LONG + 100, ALLOC_O_MEM, ALLOC_O_MEM_PER_CPU,
	ALLOC_O_EXCLUSIVE, ALLOC_O_PARTITION, ALLOC_O_NTASKS_PER_NODE,
};

/* Rows of the option table that shape an allocation (all but -N -n -c,
 * which hcrun and hcalloc word differently). */
#define ALLOC_OPTS \
	{"gres", ALLOC_O_GRES, "LIST", "generic resources per node, e.g. " \
	 "gpu:2 or gpu:h100:4"}, \
	{"mem", ALLOC_O_MEM, "SIZE", "memory per node (e.g. 4G)"}, \
	{"mem-per-cpu", ALLOC_O_MEM_PER_CPU, "SIZE", "memory per CPU"}, \
	{"ntasks-per-node", ALLOC_O_NTASKS_PER_NODE, "N", "tasks on each " \
	 "node"}, \
	{"constraint", 'C', "EXPR", "node features required"}, \
	{"time", 't', "LIMIT", "time limit: M, H:M:S, D-H:M:S"}, \
	{"queue", 'p', "NAME", "queue to allocate from"}, \
	{"partition", ALLOC_O_PARTITION, "NAME", "the same as --queue"}, \
	{"job-name", 'J', "NAME", "name of the allocation"}, \
	{"account", 'A', "NAME", "account to charge"}, \
	{"exclusive", ALLOC_O_EXCLUSIVE, NULL, "do not share nodes"}

/* Apply an allocation option to the JOBSPEC spec: 0 applied, 1 not an
 * allocation option, -1 with err. -N -n -c are included. */
int alloc_apply(json_t *spec, int key, const char *val, struct hc_err *err);

struct alloc {
	const struct cmd_info *ci;
	struct hc_client *c;
	uint32_t job_id;
	bool verbose;		/* print "granted" even without a wait */
	json_t *job;		/* its JOB record once running (owned) */
	pid_t keeper;		/* the ALLOC_ALIVE sender (alloc.c); 0 none */
};

/* Submit spec (stolen; name/cwd/env filled in here) and wait until the
 * job runs, saying so when it has to wait; then start the keeper, a child
 * that tells hcctld every few seconds that we are still here (it dies
 * with us, and alloc_release stops it). SIGINT/SIGHUP/SIGTERM meanwhile
 * cancel it and exit. Exits with a message on failure. */
void alloc_get(struct alloc *a, json_t *spec, const char *command);
/* Release: the exit status of what ran (wait status), or cancel. */
void alloc_release(struct alloc *a, int status, bool cancel);
/* HC_JOB_ID, HC_JOB_NODELIST, HC_NNODES, HC_NTASKS... into our own
 * environment, for hcrun calls inside. */
void alloc_setenv(const struct alloc *a);

#endif
