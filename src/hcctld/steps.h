/*
 * steps: job steps inside an allocation (hcrun), and the step credentials
 * that let a command, or a node agent for hc-rsh, open a stream to the
 * node agents of its job.
 *
 * A step asks for some of its job's nodes, tasks and CPUs (and GPUs per
 * node). The controller lays the tasks out over the job's nodes (block or
 * cyclic), gives the step CPUs and GPUs of the job's allocation that no
 * other running step of the job holds, signs a credential naming the job,
 * the step id, the step's nodes, the job's user and an expiry, and records
 * the step. A step that does not fit beside the job's other steps now is
 * answered HC_EBUSY (hcrun waits and asks again); one that the job could
 * never hold is refused with what is missing. Step records (STATE_DB_STEPS,
 * key: job id and step id, 12 bytes big-endian) survive restarts and are
 * kept while their job is in the job table.
 */
#ifndef STEPS_H
#define STEPS_H

#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "hc_err.h"

struct ctld;
struct node;
struct steps;

struct steps *steps_create(struct ctld *c, struct hc_err *err);	/* loads */
void steps_destroy(struct steps *ss);	/* NULL ok */

/* Job job_id ended (or went back to PENDING) in state: its running steps
 * end with it (CANCELLED) and free what they held. */
void steps_on_job_end(struct ctld *c, uint32_t job_id, int state);

/* Frames from a node agent (node_conn.c); body borrowed. */
void steps_on_event(struct ctld *c, struct node *n, json_t *body);
void steps_on_cred_req(struct ctld *c, struct node *n, json_t *body);

/* Cancel the interactive allocations whose owner (hcalloc, hcrun) has
 * sent no ALLOC_ALIVE for InactiveLimit seconds (steps_alloc.c). */
void steps_alloc_sweep(struct ctld *c, time_t now);

#endif
