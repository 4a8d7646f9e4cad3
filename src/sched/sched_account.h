/*
 * sched_account: the account tree and the QOS table as libhcsched sees
 * them. The host (hcctld from its LMDB records, hcsim from a trace's
 * accounts, unit tests by hand) builds one struct sched_acct_view per
 * pass, hands it to sched_set_accounts(), and the pass uses it for tree
 * quotas (quota.c, an admit stage before placement) and fair-share.
 *
 * The tree is an array in parent-before-child order: accts[0] is the root
 * ("root", parent -1); every other node has 0 <= parent < its own index.
 * Organisation -> department -> project accounts are inner nodes; a user
 * association (a user under an account, is_user) is a leaf. A job names
 * the node it is charged to in sched_job.assoc: its user association when
 * one exists, else the account itself (a zeroed job is charged to root).
 *
 * Resource lists are libhc's struct res_list ("name[:type]:count", parse.h;
 * mem counts are MiB). A limit with a type ("gpu:h100:4") counts only that
 * type; one without ("gpu:4") counts every type.
 *
 * Who fills what:
 *   host:      names, tree shape, shares, limits, qos table, and the state
 *              fields (allocated now, running jobs, resource-minutes used),
 *              the state usually through sched_acct_charge() per running
 *              job so the host and libhcsched count resources the same way.
 *   quota.c:   updates the state fields in-pass as jobs start, so two jobs
 *              of one pass cannot both overrun a limit.
 *   fairshare: the fair-share fields (usage, factor); the host may preload
 *              raw usage from its usage database.
 *
 * Ownership: every pointer in the view (names, res_list items) is borrowed
 * from the host and must stay valid and unchanged until the pass that uses
 * the view returns. The view's arrays belong to the host too, except the
 * per-(QOS, user) counters behind qos_users, which libhcsched allocates and
 * sched_acct_view_free() releases (the rest is left alone).
 */
#ifndef HC_SCHED_ACCOUNT_H
#define HC_SCHED_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "parse.h"

#define SCHED_NONE UINT32_MAX	/* "no QOS", "no default QOS" */
#define SCHED_ACCT_MAX_RES 16	/* items per limit list (longer lists are
				 * refused when the host stores them) */

/* What a job holds or asks for, in totals over all its nodes. */
struct sched_use {
	uint64_t cpus;
	uint64_t mem_mb;
	uint64_t gpus;
	char gpu_type[RES_NAME_MAX];	/* "" = any/unknown */
	const struct res_list *other;	/* other consumables, totals;
					 * borrowed, NULL = none */
	bool gpu_any;		/* an untyped request not yet placed: its
				 * GPUs may be of any type, so they count
				 * against typed limits too */
};

struct sched_acct {
	const char *name;	/* account name, or the user's name when
				 * is_user; borrowed */
	int32_t parent;		/* index into accts; -1 for accts[0] only */
	bool is_user;		/* a user association (a leaf) */
	uint32_t uid;		/* when is_user */
	uint32_t shares;	/* >= 1, for Fair Tree */
	uint32_t default_qos;	/* QOS index, inherited down the tree
				 * (resolved by the host); SCHED_NONE */

	/* Limits: an empty list or 0 means none. */
	struct res_list grp_res;	/* allocated at once, subtree */
	struct res_list grp_res_mins;	/* resource-minutes budget, subtree */
	uint32_t grp_jobs;		/* running jobs, subtree */
	uint32_t grp_submit;		/* pending + running jobs, subtree
					 * (checked by the host at submit) */
	long max_wall;			/* minutes per job; 0 = none
					 * (checked at submit) */

	/* State of the subtree (host fills, quota.c updates in-pass).
	 * res_alloc[i] goes with grp_res.items[i]; mins_used[i] and
	 * mins_ahead[i] with grp_res_mins.items[i]. */
	uint64_t res_alloc[SCHED_ACCT_MAX_RES];	/* allocated now */
	uint64_t mins_used[SCHED_ACCT_MAX_RES];	/* resource-minutes used
						 * since the last reset:
						 * ended jobs + elapsed part
						 * of running ones */
	uint64_t mins_ahead[SCHED_ACCT_MAX_RES];	/* resource-minutes
							 * running jobs may
							 * still use (time
							 * limit left) */
	uint32_t jobs_running;
	uint32_t jobs_pending;

	/* Fair-share (the fair-share code fills these). */
	double usage_raw;	/* decayed usage, billing units x seconds,
				 * this node's subtree */
	double usage_norm;	/* usage_raw / parent's usage_raw, [0,1] */
	double shares_norm;	/* shares / siblings' shares, (0,1] */
	double level_fs;	/* Fair Tree's shares_norm / usage_norm */
	double fs_factor;	/* [0,1], users: the job's factor */
	uint32_t fs_rank;	/* rank in the depth-first walk */
};

struct sched_qos {
	const char *name;	/* borrowed */
	uint32_t priority;	/* raw Priority=; the fair-share/priority
				 * code normalises by the largest */
	long max_wall;		/* minutes per job; 0 = none (at submit) */
	struct res_list grp_res;	/* all jobs of the QOS at once */
	uint32_t grp_jobs;		/* running jobs of the QOS; 0 = none */
	uint32_t max_jobs_per_user;	/* running jobs per user; 0 = none */

	/* State (host fills via sched_acct_charge, quota.c updates). */
	uint64_t res_alloc[SCHED_ACCT_MAX_RES];	/* with grp_res.items */
	uint32_t jobs_running;
};

struct sched_qos_users;		/* per-(QOS, uid) running counts, quota.c */

struct sched_acct_view {
	struct sched_acct *accts;	/* naccts >= 1: accts[0] is root */
	size_t naccts;
	struct sched_qos *qos;
	size_t nqos;
	struct sched_qos_users *qos_users;	/* libhcsched's; start NULL */
};

struct sched;
struct sched_job;

/* Use view in the following passes (NULL: no accounts, no quotas). The
 * view is borrowed: it must outlive every sched_pass() that uses it, and
 * its state fields are updated by them. */
void sched_set_accounts(struct sched *s, struct sched_acct_view *view);

/* Release what libhcsched allocated inside view (qos_users); the view's
 * own arrays stay the host's. NULL ok. */
void sched_acct_view_free(struct sched_acct_view *view);

/* What a pending job asks for, as quota.c counts it. */
void sched_use_of_job(const struct sched_job *j, struct sched_use *u);

/* Add (sign +1) or remove (-1) one running job's use at its association
 * and every ancestor, and at its QOS (qos may be SCHED_NONE): allocated
 * resources, running jobs, and use x mins_left into mins_ahead. Indices
 * out of range are ignored. Hosts call it once per running job after
 * zeroing the state; quota.c calls it as a job starts in a pass. */
void sched_acct_charge(struct sched_acct_view *view, uint32_t assoc,
		       uint32_t qos, uint32_t uid, const struct sched_use *u,
		       long mins_left, int sign);

/* Add resource-minutes used (ended jobs, elapsed parts) at an association
 * and its ancestors: u x minutes into mins_used. */
void sched_acct_charge_mins(struct sched_acct_view *view, uint32_t assoc,
			    const struct sched_use *u, double minutes);

/* How much of limit item it a use counts for: cpus for "cpu", mem_mb for
 * "mem", gpus for "gpu" (if the types agree, or u->gpu_any), else the
 * matching entry of u->other. */
uint64_t sched_use_amount(const struct sched_use *u,
			  const struct res_item *it);

#endif
