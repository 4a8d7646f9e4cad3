/*
 * usage: fair-share usage in the controller. Keeps libhcsched's usage
 * ledger (fairshare.h) in LMDB (STATE_DB_USAGE), charges running jobs to
 * it every PriorityCalcPeriod, and hands each scheduling pass a copy with
 * the priority weights and queues (usage_snap), so the worker never reads
 * what the loop is changing.
 *
 * Charging: every tick charges each job that held an allocation since the
 * last tick, for [max(start, last tick), min(end, now)], at its billing
 * rate (BillingWeights over its allocation), to "U:ACCOUNT/USER" and to
 * "Q:QUEUE"; the records and the tick's time are written in the same
 * transaction. After a crash (kill -9) the next start charges from the
 * last committed tick, so a job still running is charged in full; what can
 * be lost is the last part of jobs that ended and aged out of the job
 * table (MinJobAge) within one period: at most one tick's usage.
 *
 * Records: key "U:physics/alice" (or "Q:batch"), value {"v":1, "usage":
 * billing-unit-seconds, "at": the time that value is decayed to}; key
 * "#tick" holds {"v":1,"at":T}, the last tick.
 */
#ifndef USAGE_H
#define USAGE_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "hc_err.h"

struct ctld;
struct job;
struct sched;
struct rpc_req;
struct usage;
struct usage_snap;

/* Load the ledger, start the tick (when c->base is set). */
struct usage *usage_create(struct ctld *c, struct hc_err *err);
void usage_destroy(struct usage *u);	/* NULL ok */

/* Charge every job for the time since the last tick; save. */
void usage_tick(struct usage *u, time_t now);

/* hc.conf was re-read: weights, half-life, billing, queues. */
int usage_reconfigure(struct usage *u, struct hc_err *err);

/* What one pass needs (on the loop), as a part of its snapshot
 * (sched_snap.h): a copy of the ledger, the weights and the queues,
 * installed on the worker's struct sched just before the pass. A builder
 * of sched_snap.c's table. */
struct sched_snap;
struct jobs;
void usage_snap_part(struct sched_snap *s, struct jobs *js);

/* Set the usage of every user under the named accounts to 0. */
int usage_reset(struct usage *u, const char *const *accounts, size_t n,
		struct hc_err *err);

/* `hcctl update account NAME RawUsage=0`: when set holds RawUsage, check
 * it (0 only, update of an existing account only), reset the usage of the
 * account's whole subtree and remove the key from set. 1 when it did, 0
 * when set has no RawUsage, -1 with err. The caller authorises. */
int usage_update_account(struct ctld *c, const char *verb,
			 const char *object, const char *name, json_t *set,
			 struct hc_err *err);

/* The account a job is charged to, as the scheduling pass resolves it:
 * its account, else DefaultAccount, else "root" (when no such account
 * exists). Borrowed. */
const char *usage_job_account(struct ctld *c, const struct job *j);

/* usage_rpc.c. FAIRSHARE_QUERY: the Fair Tree as the next pass sees it,
 * and the queues' fair-share. */
void usage_rpc_query(struct rpc_req *req, json_t *body);

/* A job's weighted priority factors as JSON (the job record's
 * "priority_factors": age, jobsize, queue, fairshare, queue_fairshare, qos,
 * nice, plugins, admin, total). New reference. */
struct sched_prio_factors;
json_t *jobs_prio_factors_json(const struct sched_prio_factors *f);

/* The ledger (borrowed; for usage_rpc.c). */
struct fs_ledger *usage_ledger(struct usage *u);

#endif
