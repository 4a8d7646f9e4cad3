/*
 * job: one job on this node, shared by launch.c (life cycle, timers,
 * events) and job_child.c (what runs between fork and exec).
 */
#ifndef HC_JOB_H
#define HC_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "hc_err.h"

struct noded;

enum job_phase { JOB_PH_PROLOG, JOB_PH_RUNNING, JOB_PH_ENDING };

struct job {
	struct job *next;
	struct jobs *js;
	uint32_t id;
	uid_t uid;
	gid_t gid;
	char *user;		/* owned */
	gid_t *groups;		/* the user's groups (owned), from job_setup */
	int ngroups;
	json_t *spec;		/* the LAUNCH body (owned reference) */
	bool batch;
	enum job_phase phase;
	pid_t pid;		/* the batch script (its own session) */
	time_t start, end;
	bool timeout, terminating;
	bool prolog_failed;	/* reported in the ended event */
	bool interactive;	/* an allocation (hcalloc): no script */
	bool first;		/* the job's first node (reports started) */
	int release_status;	/* an allocation's end: JOB_KILL's
				   exit_status, reported as the job's */
	char *script;		/* spool/job_<id>.script (batch only) */
	char *nodefile;		/* spool/job_<id>.nodefile */
	char *tmpdir;		/* private TMPDIR */
	int *cpu_ids, *gpu_ids;
	size_t ncpus, ngpus;
	struct event *ev_limit, *ev_warn, *ev_kill;
};

/* job_setup.c: check the launch request, fill j from it, make the spool
 * files, script and node file, TMPDIR and cgroup. 0 or -1 with err. */
int job_setup(struct noded *nd, struct job *j, struct hc_err *err);

/* job_child.c. Build the job's environment (NULL-terminated, malloc'ed
 * strings; free with job_env_free). confined: the job's cgroup hides the
 * node's other GPUs (cgroup_devices_confined()), see job_gpu_text(). */
char **job_env_build(const struct job *j, const char *node, bool confined);
/* The device list for CUDA_VISIBLE_DEVICES and its siblings, of n GPUs
 * (node indices, a subset of the job's) into buf: the node indices, or,
 * where the job's cgroup hides the node's other GPUs, the ordinals the
 * job's processes see (the GPU runtimes number the devices they can open
 * from 0: the i-th of the job's GPUs in node order is device i). */
void job_gpu_text(const struct job *j, const int *ids, size_t n,
		  bool confined, char *buf, size_t len);
void job_env_free(char **env);
/* Set KEY=VAL in a job_env_build() environment, replacing an earlier KEY. */
void job_env_set(char ***envp, const char *key, const char *val);
/* Expand %j %x %u %N %% in pattern; malloc'ed. */
char *job_expand_pattern(const char *pattern, const struct job *j,
			 const char *node);
/* Start the batch script: a child that joins the job's cgroup, drops
 * privileges, sets up its files and execs the script. The pid, or -1 with
 * errno. env is borrowed. */
pid_t job_child_spawn(struct noded *nd, struct job *j, char **env);

#endif
