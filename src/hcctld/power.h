/*
 * power: the life of nodes that hcctld starts and stops itself -- cloud
 * pools' nodes (CloudPool=, base state CLOUD until started) and on-premise
 * nodes with PowerSave=YES (IDLE+POWERED_DOWN while off).
 *
 *   CLOUD / +POWERED_DOWN --resume--> +POWERING_UP (deadline committed,
 *	then ResumeProgram forked) --registers--> IDLE ... --idle for
 *	SuspendTime--> +POWERING_DOWN (SuspendProgram) --> CLOUD /
 *	IDLE+POWERED_DOWN
 *   POWERING_UP --program: transient--> back to the pool, the pool backs
 *	off (growing delay; then one probe node)
 *   POWERING_UP --program: permanent--> DOWN with the reason; the pool's
 *	breaker opens (no more starts until an admin resumes a node of it)
 *   POWERING_UP --ResumeTimeout--> DOWN with the reason; back-off
 *
 * Jobs are never placed on a node that is not up, so a failed start has
 * nothing to requeue: the next pass (asked for at once) plans them again.
 * After a restart a POWERING_UP node is awaited until its saved deadline;
 * its program is never run again.
 */
#ifndef POWER_H
#define POWER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <sys/types.h>
#include <jansson.h>

struct ctld;
struct node;
struct hc_err;
struct power;

struct power *power_create(struct ctld *c, struct hc_err *err);
void power_destroy(struct power *pw);	/* NULL ok */

/*
 * Start nodes v[0..n) (each a CLOUD node of a pool, or a POWERED_DOWN
 * PowerSave node) for jobs (comma-separated ids, or NULL), by uid (0: the
 * scheduler). Nodes in another state are skipped. Refused (-1) when a
 * pool's breaker is open or it backs off, or the state cannot be committed.
 */
int power_resume(struct power *pw, struct node **v, size_t n,
		 const char *jobs, uid_t uid, struct hc_err *err);
/* Stop up nodes v[0..n) that run no job (hcctl update node State=POWER_DOWN). */
int power_suspend(struct power *pw, struct node **v, size_t n, uid_t uid,
		  struct hc_err *err);

/* A node registers: -1 with err (HC_EPERM) when it is a cloud node that
 * hcctld did not start; else it leaves POWERING_UP/POWERED_DOWN. */
int power_on_register(struct power *pw, struct node *n, struct hc_err *err);
/* Its connection closed: whether that was expected (it is being stopped). */
bool power_expects_disconnect(const struct node *n);
/* An admin resumed a node DOWN by a failed start: back to the pool, and
 * its pool's breaker closed. */
void power_node_reset(struct power *pw, struct node *n);

/* How many more nodes of pool may start now (ResumeRate, MaxNodes, the
 * breaker, back-off); why says what limits it when that is 0. */
long power_pool_room(struct power *pw, const char *pool, time_t now,
		     char *why, size_t len);

/* The expected boot time of pool's nodes: the average seen, else
 * POWER_BOOT_GUESS. */
#define POWER_BOOT_GUESS 60
long power_pool_boot_s(struct power *pw, const char *pool);
/* Note that node n (POWERING_UP) is started for job. */
void power_node_boot_job(struct node *n, uint32_t job);

/* After a scheduling pass (on the loop): the burst decision (burst.h) on
 * its result; resumes the nodes it picks and sets the reasons
 * (NodeBooting, or the limit met) of the jobs it concerns. */
struct jobs;
struct sched_snap;
void power_burst(struct power *pw, struct jobs *js,
		 const struct sched_snap *s);

/* A pass found no pending job: no idle node is kept for a plan. */
void power_plan_none(struct power *pw);

/* The controller it belongs to (borrowed). */
struct ctld *power_ctld(struct power *pw);

/* Node fields for NODE records (hcinfo, hcctl show node). */
void power_node_json(const struct node *n, json_t *o);
/* Persisted fields: into a NODES record, and back. */
void power_node_save(const struct node *n, json_t *rec);
void power_node_restore(struct node *n, const json_t *rec);

/* `hcctl show cloud`: pools, nodes by state, spend. New reference. */
json_t *power_pools_json(struct power *pw, time_t now);
/* CLOUD_QUERY (msg.h): anyone may read it. */
struct rpc_req;
void power_rpc_query(struct rpc_req *req, json_t *body);

/* A run of a job ends (it finishes or is requeued, before its nodes are
 * released): its cloud pools, nodes, node-hours and cost are added to its
 * record (power_job.c). */
struct job;
void power_job_end(struct ctld *c, struct job *j, time_t now);
/* Its use per pool as a JSON array ("cloud_use"; new reference), read back
 * from a job record (after its cloud_* summary), and freed. */
json_t *power_job_use_json(const struct job *j);
void power_job_use_load(struct job *j, const json_t *rec);
void power_job_use_free(struct job *j);

/* A job's share of the node of one of its allocation's entries (its CPUs
 * there / the node's): what it is charged of that node's time
 * (power_budget.c). */
struct job_node;
double power_job_share(const struct job_node *a);
/* A scheduling snapshot's builder: pending jobs their cloud budgets cannot
 * take (worst case, after what running and booting jobs hold) get
 * no_cloud, so the pass places them on-premise only. */
struct sched_snap;
struct jobs;
void power_snap_cloud(struct sched_snap *s, struct jobs *js);

#endif
