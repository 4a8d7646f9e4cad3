/*
 * step: job steps on this node. A stream (stream.c) that has presented a
 * valid step credential in STEP_HELLO becomes a step: its tasks are started
 * here as the job's user inside the job's cgroup (step_task.c), their
 * stdout/stderr travel back on the stream as STEP_IO frames and stdin comes
 * in the same way (step_io.c), STEP_SIGNAL reaches every task, and each
 * task's end is reported with STEP_EXIT; when all have ended and their
 * output is sent, STEP_DONE, a STEP_EVENT to the controller, and the
 * stream closes. A stream that closes first kills the step's tasks.
 *
 * Remote launch for hc-rsh (step_cred.c): step_cred_request() asks the
 * controller, over the node's connection, for a credential towards another
 * node of a job that runs here.
 */
#ifndef HC_STEP_H
#define HC_STEP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "hc_err.h"
#include "stepcred.h"

struct noded;
struct job;
struct sconn;
struct bufferevent;
struct pmi2_step;
struct pmix_step;

struct step_task {
	struct step_node *sn;
	uint32_t id, local;	/* global and node-local task ids */
	pid_t pid;
	int status;
	bool exited, reported;
	int in_fd;		/* write end of its stdin (pipe or pty
				   master), -1 if none; owned by in */
	struct bufferevent *in;	/* stdin being written */
	bool in_eof;		/* close stdin once written */
	struct bufferevent *out, *err;	/* NULL once at EOF */
	bool pty;		/* out is the pty master (stdin too) */
};

/* One step's part on this node. */
struct step_node {
	struct step_node *next;
	struct noded *nd;
	struct sconn *sc;	/* its stream; NULL once that closed */
	struct stepcred cred;
	json_t *hello;		/* the STEP_HELLO body (owned) */
	struct step_task *tasks;
	uint32_t ntasks;
	uint32_t left;		/* tasks not yet reported */
	int worst;		/* highest wait status so far */
	uint64_t cpu_ms, max_rss_kb;	/* the tasks' usage (wait4) */
	bool done;
	bool paused;		/* task output paused: the stream is full */
	struct pmi2_step *pmi;	/* --mpi=pmi2: its PMI server (pmi2_step.h) */
	struct pmix_step *pmix;	/* --mpi=pmix: its helper (pmix_step.h) */
};

/* The node's steps: running ones, credentials already used, and
 * credential requests waiting for the controller. Made on first use,
 * freed by step_reg_destroy() at exit. */
struct step_seen;
struct cred_wait;
struct step_reg {
	struct step_node *list;
	struct step_seen *seen;
	struct cred_wait *waits;
	uint32_t next_req;
};
struct step_reg *step_reg_get(struct noded *nd);
void step_reg_destroy(struct noded *nd);

/* stream.c: frames on a step's stream (body borrowed). -1 when the stream
 * is gone or over its output limit. */
int stream_send(struct sconn *sc, uint16_t type, const json_t *body);
/* Bytes queued for the peer. */
size_t stream_pending(const struct sconn *sc);
/* Close once everything queued is written. */
void stream_close_after_flush(struct sconn *sc);

/* step.c: start the step hello describes (cred verified by stream.c) for
 * stream sc. NULL with err when it cannot start. */
struct step_node *step_start(struct noded *nd, struct sconn *sc,
			     const struct stepcred *cred, json_t *hello,
			     struct hc_err *err);
/* A frame from hcrun on a step's stream (STEP_IO, STEP_SIGNAL,
 * STEP_WINCH); body borrowed. */
void step_on_frame(struct step_node *sn, uint16_t type, json_t *body);
/* The hello has been answered: report what already ended (tasks that
 * could not start). */
void step_started(struct step_node *sn);
/* The stream closed: kill what runs, free when reaped. */
void step_detach(struct step_node *sn);
/* The stream drained: take the tasks' output up again. */
void step_resume(struct step_node *sn);
/* Whether a credential for (job, step) was used here already (replay). */
bool step_seen(struct noded *nd, uint32_t job_id, uint32_t step_id);

/* step_task.c: fork and exec every task of sn; 0 or -1 with err. */
int step_tasks_spawn(struct step_node *sn, struct job *j,
		     struct hc_err *err);
/* step_io.c */
void step_io_task_start(struct step_task *t, int out_fd, int err_fd);
void step_io_stdin(struct step_node *sn, json_t *body);
void step_io_close(struct step_task *t);
/* A task has exited or its output ended: report it when both are true;
 * the step is done when every task is: then 1 (and the step may be
 * freed already), else 0. */
int step_task_check(struct step_task *t);

/* step_cred.c: ask hcctld for a credential towards host for job_id (which
 * must run here). fn is called once, on the loop, with rc 0 and the
 * credential, the step id and host's address, or rc != 0 and error. */
typedef void step_cred_fn(void *arg, int rc, const char *error,
			  const char *cred, uint32_t step_id,
			  const char *addr, int port);
void step_cred_request(struct noded *nd, uint32_t job_id, const char *host,
		       step_cred_fn *fn, void *arg);
/* Drop the requests still waiting, without calling them (at exit). */
void step_cred_forget(struct noded *nd);
/* STEP_CRED_GRANT from the controller (body borrowed). */
void step_cred_on_grant(struct noded *nd, json_t *body);

/* step_remote.c: start `sh -c command` as one task of job j on host,
 * another node of the job, its stdin/stdout/stderr the given fds
 * (borrowed: duplicated here). started(arg, pid, NULL) is called once on
 * the loop with the pid of the helper that carries the task's stream --
 * its exit status is the remote task's (128+N: signal N; 255: could not
 * start), signals to its process group reach the remote task -- or
 * started(arg, -1, why). */
typedef void step_remote_fn(void *arg, pid_t pid, const char *why);
void step_remote_start(struct noded *nd, struct job *j, const char *host,
		       const char *command, const int fds[3],
		       step_remote_fn *started, void *arg);

#endif
