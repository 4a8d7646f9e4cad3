/*
 * sim_acct: hcsim's account tree (--accounts FILE): the view libhcsched's
 * quota stage reads, built from a file in hcctl's grammar (sim_acct.c).
 */
#ifndef HCSIM_SIM_ACCT_H
#define HCSIM_SIM_ACCT_H

#include <stdint.h>

#include "hc_err.h"

struct sim_acct;
struct sched_acct_view;
struct burst_budget;

/* An account's cloud budgets (0: none), what its subtree's ended jobs
 * were charged for cloud nodes (node-minutes and cost), what its running
 * and booting jobs hold ahead (recomputed before each decision), and how
 * many burst decisions (a job in a pass) its budgets refused. */
struct sim_acct_cloud {
	long grp_node_mins, grp_cost;	/* GrpCloudNodeMins, GrpCloudCost */
	double node_mins, cost;
	double held_mins, held_cost;
	size_t refused;
};

/* Read the file; NULL with err ("FILE:LINE: problem") if it is bad. */
struct sim_acct *sim_acct_read(const char *path, struct hc_err *err);
void sim_acct_free(struct sim_acct *a);	/* NULL ok */

/* The view to hand to sched_set_accounts (NULL for a NULL a); it lives
 * and keeps its running charges as long as a. */
struct sched_acct_view *sim_acct_view(struct sim_acct *a);

/* The view node a trace user's jobs are charged to (0: root). */
uint32_t sim_acct_assoc(const struct sim_acct *a, int64_t uid);

/* The QOS a trace user's jobs run under (the nearest DefaultQOS from
 * assoc up), SCHED_NONE for none or a NULL a; and its MaxWall in
 * minutes, 0 for none. */
uint32_t sim_acct_qos(const struct sim_acct *a, uint32_t assoc);
long sim_acct_max_wall(const struct sim_acct *a, uint32_t assoc);

/* A job of procs processors charged to assoc ended after run_secs: take
 * it off the tree and its QOS (the pass charged it, limit_mins ahead,
 * when it started) and charge the minutes it ran to the GrpResMins
 * budgets. NULL a: nothing. */
void sim_acct_end(struct sim_acct *a, uint32_t assoc, uint32_t uid,
		  long procs, long limit_mins, int64_t run_secs);

/* --cloud budgets, as hcctld applies them (sim_acct.c's top comment). */

/* chain[]: the account of a job charged to assoc, then its ancestors up
 * to root, NULL-terminated within max entries (borrowed names, as long
 * as a); returns how many. NULL a: none. hcctld names up to 32. */
#define SIM_ACCT_CHAIN_MAX 33
size_t sim_acct_cloud_chain(const struct sim_acct *a, uint32_t assoc,
			    const char **chain, size_t max);
/* out[] (sim_acct_count(a) entries): every account with a cloud budget
 * and what its subtree left of it, once charged and held; returns how
 * many. */
size_t sim_acct_cloud_budgets(const struct sim_acct *a,
			      struct burst_budget *out);
size_t sim_acct_count(const struct sim_acct *a);	/* tree nodes */
/* A job charged to assoc ran `mins` node-minutes on cloud nodes costing
 * `cost`: charge its account and every ancestor. NULL a: nothing. */
void sim_acct_cloud_charge(struct sim_acct *a, uint32_t assoc, double mins,
			   double cost);
/* A running or booting job charged to assoc holds `mins` node-minutes
 * costing `cost` ahead: add them to its account and every ancestor.
 * sim_acct_cloud_unhold: every hold gone (before they are rebuilt). */
void sim_acct_cloud_hold(struct sim_acct *a, uint32_t assoc, double mins,
			 double cost);
void sim_acct_cloud_unhold(struct sim_acct *a);
/* A burst decision was refused by account name's budget. */
void sim_acct_cloud_refused(struct sim_acct *a, const char *name);
/* Tree node i's cloud budgets and use: its name (borrowed), or NULL when
 * it is a user association or past the end. */
const char *sim_acct_cloud_use(const struct sim_acct *a, size_t i,
			       struct sim_acct_cloud *use);

#endif
