/*
 * auth: the munge decode workers. munge_decode() blocks on munged, so it
 * never runs on the loop: the loop submits a job, a worker thread decodes
 * the credential against the frame's digest, and the finished job comes
 * back to the loop through an eventfd, where done_fn is called with it.
 *
 * A job's `conn` and `arg` are the loop's business: the workers read only
 * type, reqid, cred and body and write only the result fields.
 */
#ifndef CTLD_AUTH_H
#define CTLD_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hc_err.h"

struct event_base;
struct rpc_conn;

struct auth_job {
	struct auth_job *next;
	struct rpc_conn *conn;	/* loop side only */
	uint16_t type;
	uint32_t reqid;
	char *cred;		/* owned */
	size_t cred_len;
	char *body;		/* owned */
	size_t body_len;
	/* results */
	int rc;			/* 0 or -1 (err) */
	uid_t uid;
	gid_t gid;
	struct hc_err err;
};

typedef void auth_done_fn(struct auth_job *job, void *arg);

struct auth;

/* Start nthreads workers decoding with munged at socket (NULL = default;
 * copied). done_fn(job, arg) runs on the loop for every finished job and
 * owns it from then on (auth_job_free). */
struct auth *auth_create(struct event_base *base, const char *socket,
			 int nthreads, auth_done_fn *done_fn, void *arg,
			 struct hc_err *err);
/* Stops the workers; jobs not yet done are freed without done_fn. */
void auth_destroy(struct auth *a);

/* Queue job (owned by the worker side until it comes back). */
void auth_submit(struct auth *a, struct auth_job *job);
void auth_job_free(struct auth_job *job);

#endif
