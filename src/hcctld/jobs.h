/*
 * jobs: the controller's job table and lifecycle.
 *
 * Job records live in memory (what hcqueue and the scheduler read) and in
 * LMDB (STATE_DB_JOBS; scripts and environments apart in STATE_DB_SCRIPTS).
 * Every change is written through state_put before the reply is sent.
 * Lifecycle: PENDING -> CONFIGURING (allocated, launch sent) -> RUNNING (node
 * reported started) -> COMPLETING (script ended, other nodes cleaning) ->
 * COMPLETED | FAILED | CANCELLED | TIMEOUT | OUT_OF_MEMORY | NODE_FAIL.
 * A finished job stays visible for MinJobAge, then moves to STATE_DB_HISTORY
 * (hcacct), purged after JobRetention.
 */
#ifndef JOBS_H
#define JOBS_H

#include <stdint.h>
#include <jansson.h>

#include "hc_err.h"

struct ctld;
struct node;
struct jobs;

struct jobs *jobs_create(struct ctld *c, struct hc_err *err);	/* loads */
void jobs_destroy(struct jobs *js);

/* Ask for a scheduling pass soon (coalesced; runs on the loop). */
void jobs_sched_request(struct jobs *js);

/* Node events (called by nodes.c). */
void jobs_on_node_register(struct jobs *js, struct node *n, json_t *jobs);
void jobs_on_event(struct jobs *js, struct node *n, json_t *body);
void jobs_on_node_down(struct jobs *js, struct node *n, const char *reason);

/* Running job ids on a node (for reconfigure's refusal); malloc'ed string
 * "12,13" or NULL when none. */
char *jobs_on_node_list(struct jobs *js, const struct node *n);

#endif
