/*
 * resv: the controller's advance reservations (hcctl create|update|delete|
 * show reservation). Records live in LMDB (STATE_DB_RESERVATIONS, by name,
 * versioned like every record) and survive restarts; each scheduling pass
 * gets them as libhcsched views (sched_resv.h), where the rules are.
 *
 *	resv.c		the table, records, views, expiry and repetition
 *	resv_pick.c	nodes for NodeCnt=/Gpus=, clashes with running jobs
 *	resv_job.c	--reservation and --workload at submit
 *	node_select.c	the views' reservation and node selection fields
 *	resv_rpc.c	the RESV_UPDATE and RESV_QUERY requests
 */
#ifndef RESV_H
#define RESV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "hc_err.h"
#include "sched_resv.h"

struct ctld;
struct rpc_req;

#define RESV_NAME_MAX 64

struct resv {
	char *name;
	time_t start, end;	/* the window [start, end) */
	char *nodes;		/* ranged hostlist of its nodes */
	char *users;		/* Users= as given ("" = none) */
	uint32_t *uids;		/* resolved at create/update */
	size_t nuids;
	char *accounts;		/* Accounts= as given ("" = none) */
	uint32_t flags;		/* SCHED_RESV_* */
	uint32_t node_cnt;	/* NodeCnt= as asked (0: Nodes= given) */
	uint32_t gpus;		/* Gpus= as asked, 0 if not */
	/* Its nodes as a bitmap by node table index, built once per node
	 * table (epoch) for the passes and node queries: */
	uint64_t *bits;
	uint32_t nbits;
	uint64_t bits_epoch;
};

struct resvs;

/* Create the table and load the records from LMDB. */
struct resvs *resvs_create(struct ctld *c, struct hc_err *err);
void resvs_destroy(struct resvs *rs);	/* NULL ok */

struct resv *resvs_find(struct resvs *rs, const char *name);
size_t resvs_count(const struct resvs *rs);
struct resv *resvs_at(struct resvs *rs, size_t i);

/* Take ownership of r (new), save it. -1 with err when the write fails. */
int resvs_add(struct resvs *rs, struct resv *r, struct hc_err *err);
/* Save r after a change (it stays in the table). */
int resvs_save(struct resvs *rs, struct resv *r, struct hc_err *err);
/* Remove and free r; LMDB record deleted. */
int resvs_remove(struct resvs *rs, struct resv *r, struct hc_err *err);
void resv_free(struct resv *r);	/* NULL ok */

/* Roll DAILY/WEEKLY windows that have ended forward and remove (and
 * audit) expired ones, at `now`. Called by the table's own tick and
 * before each view. */
void resvs_expire(struct resvs *rs, time_t now);

/* The views of every reservation for a pass at now (node bitmaps by the
 * node table's index). Borrowed until the next call; *out may be NULL
 * when there are none. */
size_t resvs_views(struct resvs *rs, time_t now,
		   const struct sched_resv **out);

/* Security: may uid (with account, may be NULL) run jobs in reservation
 * `name`? 0, or -1 with err (HC_ENOENT: no such; HC_EPERM: not listed). */
int resvs_check_job(struct resvs *rs, const char *name, uint32_t uid,
		    const char *account, struct hc_err *err);

/* Does r hold node n? (Its bitmap, made again when the table changed.) */
struct node;
bool resv_has_node(struct resvs *rs, struct resv *r, const struct node *n);

/* "MAINT" or "RESERVED" when a reservation whose window is open holds the
 * node, else NULL (hcinfo's and hcctl show node's state flag). */
const char *resvs_node_flag(struct resvs *rs, const struct node *n,
			    time_t now);

/* Add "+MAINT" or "+RESERVED" to a NODE record's "state" while an active
 * reservation holds the node. */
void resv_node_json(struct resvs *rs, const struct node *n, json_t *rec);

/* JSON of one reservation (the RESV record of msg.h). New reference. */
json_t *resv_to_json(const struct resv *r, time_t now);

/* resv_pick.c: choose nodes for r->node_cnt or r->gpus (r->nodes set),
 * or check r->nodes; refuse (HC_EBUSY, jobs named) nodes whose running
 * jobs would run into the window unless IGNORE_JOBS; refuse nodes another
 * reservation holds in an overlapping window. */
int resv_pick_nodes(struct ctld *c, struct resv *r, const char *nodes,
		    struct hc_err *err);

/* resv_job.c: read --reservation and --workload from a JOBSPEC into j
 * (struct job), refusing a reservation the user may not use. */
struct job;
int resv_job_spec(struct ctld *c, struct job *j, const json_t *spec,
		  struct hc_err *err);

/* node_select.c: the scheduling views' policy fields (select.h). */
struct hc_conf;
struct sched_job;
struct sched_node;
/* SchedulerPlugins plus the queues' NodeSelect= policies, NULL-terminated
 * (free with node_select_plugins_free). */
char **node_select_plugins(const struct hc_conf *conf);
void node_select_plugins_free(char **v);
struct sched_snap;
/* The job's reservation, workload, queue and NodeSelect into its view
 * (strings copied into the snapshot s). */
void node_select_snap_job(struct sched_snap *s, struct ctld *c,
			  struct sched_job *sj, const struct job *j);
/* The node's power state and accelerator figures into its view. */
void node_select_view_node(struct sched_node *sn, const struct node *n);
/* sched_snap.c's builder of the reservations part: copies every
 * reservation's view into s and installs them in the pass
 * (sched_resv_use). */
struct jobs;
void node_select_snap_resv(struct sched_snap *s, struct jobs *js);

/* resv_rpc.c: the requests (RESV_UPDATE is admin-only in rpc.c). */
void resv_rpc_update(struct rpc_req *req, json_t *body);
void resv_rpc_query(struct rpc_req *req, json_t *body);

#endif
