/*
 * sched_snap: the copy of the scheduling state one pass runs on.
 *
 * The loop builds a snapshot (sched_snap_build), the worker runs the pass
 * on it (sched_snap_run), the loop applies the result (sched_snap_apply).
 * A snapshot holds scheduling fields only, copied: no pointer into a live
 * job or node record, no conf string, nothing the loop may free or change
 * while the worker reads it. Between build and apply only the worker
 * touches it; the loop frees it after apply.
 *
 * Generations: every job record carries j->gen (bumped by jobs_save, so by
 * every change that is persisted), every node n->gen (allocation, release,
 * state and shape changes), and the node table an epoch (reconfigure). The
 * snapshot records them; apply drops each decision whose job or node moved
 * since (and every decision when the epoch moved), and asks for a new pass
 * instead: nothing is ever applied that was planned on state that changed.
 *
 * To carry more into a pass (reservations, account usage, ...), add a
 * section to struct sched_snap with its own builder called from
 * sched_snap_build, copying what it needs (sched_snap_strdup for strings).
 */
#ifndef SCHED_SNAP_H
#define SCHED_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hc_err.h"
#include "sched.h"

struct jobs;
struct sched;
struct snap_chunk;
struct acct_pass;

/* What apply needs to find the live record a pass entry came from. */
struct sched_snap_ref {
	uint32_t id;		/* the live job (an array's record) */
	uint32_t rec;		/* entry holding the expected gen: itself,
				 * or an array record's first entry */
	uint64_t gen;		/* j->gen at build (in entry `rec`) */
};

struct sched_snap {
	time_t now;
	uint64_t epoch;		/* nodes_epoch() at build */

	/* Nodes: views, their generations, the CPU maps the views use. */
	struct sched_node *nodes;
	uint64_t *node_gen;
	size_t nnodes;
	uint8_t *cpubuf;

	/* Pending jobs offered to the pass (one entry per array task). */
	struct sched_job *jobs;
	struct sched_snap_ref *refs;
	size_t njobs, jcap;

	/* Reservations: their part of the snapshot goes here. */

	/* Accounts, users, QOS and what their subtrees hold: the tree-quota
	 * view (accounts_view.c), owned; NULL without accounts. */
	struct acct_pass *acct;

	/* Copied strings (node names, features, constraints). */
	struct snap_chunk *chunks;

	/* Filled by the worker. */
	long delay_ms;		/* debug: sleep this long before the pass */
	int rc;
	struct hc_err err;
	double pass_s;		/* wall time of sched_pass */
	struct sched_result res;
};

/* Build a snapshot of the pending jobs and nodes of js at `now` (on the
 * loop). Sets the reasons of jobs kept out of the pass (Held, BeginTime,
 * dependencies). Owned by the caller: sched_snap_free. */
struct sched_snap *sched_snap_build(struct jobs *js, time_t now);
void sched_snap_free(struct sched_snap *s);	/* NULL ok */

/* Run the pass on s (in the worker; touches nothing but s and sc). */
void sched_snap_run(struct sched_snap *s, struct sched *sc);

/* Apply s's result on the loop: priorities and reasons of the jobs that did
 * not change, then each allocation whose job and nodes did not change.
 * Returns the number of decisions dropped (the caller asks for a pass). */
size_t sched_snap_apply(struct jobs *js, struct sched_snap *s);

/* Copy str into s (NULL stays NULL); lives as long as s. */
const char *sched_snap_strdup(struct sched_snap *s, const char *str);

#endif
