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

#endif
