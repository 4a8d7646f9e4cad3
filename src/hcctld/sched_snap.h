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
 * To carry more into a pass (reservations, account usage, ...), write a
 * builder that copies what the stage needs into the snapshot
 * (sched_snap_alloc, sched_snap_strdup) and adds a struct sched_snap_part
 * whose install hook hands it to the struct sched (sched_resv_use,
 * sched_set_accounts), and add the builder to sched_snap.c's table.
 */
#ifndef SCHED_SNAP_H
#define SCHED_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hc_err.h"
#include "plan.h"
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

/* A stage's own part of a snapshot (reservations, account usage, ...):
 * built on the loop by a builder of sched_snap.c's table, handed to the
 * struct sched by the worker just before the pass (install) and taken back
 * just after it (uninstall: so that sc never points into a freed
 * snapshot), freed with the snapshot. Every hook may be NULL. */
struct sched_snap_part {
	struct sched_snap_part *next;
	void *data;
	void (*install)(struct sched *sc, void *data);
	void (*uninstall)(struct sched *sc, void *data);
	void (*free)(void *data);
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

	/* Jobs holding nodes, with their expected ends (planning). */
	struct sched_running *running;
	size_t nrunning, rcap;

	/* Planning: BackfillDepth (0: FCFS; then no planning at all). */
	struct sched_plan_options popt;

	/* Stages' parts (reservations, accounts...): see above. */
	struct sched_snap_part *parts;

	/* Accounts, users, QOS and what their subtrees hold: the tree-quota
	 * view (accounts_view.c), owned; NULL without accounts. */
	struct acct_pass *acct;

	/* Copied strings (node names, features, constraints). */
	struct snap_chunk *chunks;

	/* Filled by the worker. */
	long delay_ms;		/* debug: sleep this long before the pass */
	int rc;
	struct hc_err err;
	double build_s;		/* on the loop: building the snapshot */
	double pass_s;		/* in the worker: the pass */
	struct sched_plan plan;	/* plan.started: the jobs to start now */
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
/* n bytes (zeroed, 8-aligned) that live as long as s. */
void *sched_snap_alloc(struct sched_snap *s, size_t n);
/* Add a stage's part (copied; see struct sched_snap_part). */
void sched_snap_add_part(struct sched_snap *s,
			 const struct sched_snap_part *part);

/* sched_snap_pass.c: the builder of the running jobs (sched_snap.c's
 * table). */
void sched_snap_build_running(struct sched_snap *s, struct jobs *js);
/* A monotonic clock in seconds, for the pass's figures. */
double sched_snap_mono(void);

#endif
