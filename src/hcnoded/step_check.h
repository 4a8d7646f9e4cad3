/*
 * step_check: whether the agent admits a stream's step credential. Pure
 * (the job table and the replay record are asked through callbacks), so
 * that the unit tests drive every refusal: no step key yet, no
 * credential, a bad signature (forged, tampered, another key), expired,
 * issued for another node, its job not running here, its user not the
 * job's, already used here.
 */
#ifndef HC_STEP_CHECK_H
#define HC_STEP_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "hc_err.h"
#include "stepcred.h"

/* Whether job_id runs here; if so *uid gets its user. */
typedef bool step_job_fn(void *arg, uint32_t job_id, uid_t *uid);
/* Whether (job_id, step_id) has been served here already. */
typedef bool step_used_fn(void *arg, uint32_t job_id, uint32_t step_id);

/* 0 and *out filled when cred (base64, may be NULL) admits a stream to
 * node at now; else -1 with err (HC_EAUTH) saying why. key may be NULL
 * (the node has not registered yet). */
int step_check(const struct stepcred_key *key, const char *cred,
	       const char *node, time_t now, step_job_fn *job,
	       step_used_fn *used, void *arg, struct stepcred *out,
	       struct hc_err *err);

#endif
