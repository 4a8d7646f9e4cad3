/*
 * quota: the tree-quota admit stage of the pass (quota.c, quota_admit.c).
 * Internal to libhcsched; hosts use sched_account.h.
 */
#ifndef HC_QUOTA_H
#define HC_QUOTA_H

#include <stdbool.h>
#include <stddef.h>

#include "sched_account.h"

struct sched;
struct sched_job;
struct sched_alloc;

/* Whether j fits within every limit of view (its association's path and
 * its QOS) now; if not, writes the pending reason into reason[len]. A NULL
 * view admits everything. */
bool quota_admit(const struct sched_acct_view *view,
		 const struct sched_job *j, char *reason, size_t len);

/* j was placed with allocation al: charge it to the view so that the rest
 * of the pass sees it. NULL view: nothing. */
void quota_started(struct sched_acct_view *view, const struct sched_job *j,
		   const struct sched_alloc *al);

/* Running jobs of uid under QOS index qos, as charged so far. */
uint32_t quota_qos_user_running(const struct sched_acct_view *view,
				uint32_t qos, uint32_t uid);

#endif
