/*
 * priority: the multifactor job priority of libhcsched (priority.c for
 * the formula). Included by sched.h; hosts set the weights and the queues
 * once (and on reconfigure) and lend the usage ledger (fairshare.h).
 */
#ifndef HC_PRIORITY_H
#define HC_PRIORITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct sched;
struct fs_ledger;

/* hc.conf's PriorityWeight* (>= 0), PriorityMaxAge, PriorityFavorSmall. */
struct sched_prio_conf {
	double w_age, w_jobsize, w_queue, w_fairshare, w_queue_fs, w_qos;
	long max_age;		/* seconds; <= 0 taken as 7 days */
	bool favor_small;
};

/* A job's priority, factor by factor, each already weighted: total is
 * their sum (nice and plugins unweighted), or the admin's priority. */
struct sched_prio_factors {
	double age, jobsize, queue, fairshare, queue_fs, qos;
	double nice;		/* -nice */
	double plugins;		/* the priority hooks' sum */
	double admin;		/* the admin-set priority, 0 = unset */
	double total;
};

/* Weights; copied. Until called, every weight is 0 (ordering by plugins,
 * nice, submit time). */
void sched_set_priority(struct sched *s, const struct sched_prio_conf *c);

/* Queue index q's name (copied; the queue's usage key), PriorityTier and
 * FairShareWeight (>= 1). -1 if q is out of range (64 queues). */
int sched_set_queue(struct sched *s, uint32_t q, const char *name,
		    uint32_t tier, uint32_t fs_weight);

/* Fair-share usage is read from l (borrowed until replaced; NULL: no
 * usage, every factor from shares alone). */
void sched_set_usage(struct sched *s, struct fs_ledger *l);

/* The account a view node charges: its own name, or its parent's for a
 * user association; "root" without a view. Borrowed. */
struct sched_acct_view;
const char *sched_assoc_account(const struct sched_acct_view *v,
				uint32_t assoc);

#endif
