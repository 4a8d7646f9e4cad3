/*
 * fairshare_view: the tree Fair Tree ranks in a pass, built from the
 * host's account view (sched_account.h) and the usage ledger, with an
 * implicit user leaf for every user charged to an account that has no
 * association for them (so fair-share between users works before any
 * account is made: everybody sits under DefaultAccount).
 */
#ifndef HC_FAIRSHARE_VIEW_H
#define HC_FAIRSHARE_VIEW_H

#include <stddef.h>
#include <time.h>

#include "fairshare.h"
#include "sched_account.h"

struct sched_job;
struct fs_view;

/* Build and rank: v may be NULL (a lone root), l may be NULL (no usage).
 * Leaves: v's user associations, users with usage in l under one of v's
 * accounts, and the users of jobs[0..njobs) (pending jobs to rank). The
 * fair-share fields of v's nodes are written back. Borrows v's names
 * until fs_view_free. */
struct fs_view *fs_view_build(struct sched_acct_view *v,
			      const struct fs_ledger *l,
			      const struct sched_job *jobs, size_t njobs,
			      time_t now);
void fs_view_free(struct fs_view *fv);	/* NULL ok */

/* The fair-share factor of a job's user under its account (v as given
 * to fs_view_build); 0 if unknown. */
double fs_view_job_factor(const struct fs_view *fv, const struct sched_job *j,
			  const struct sched_acct_view *v);

/* The ranked nodes (view nodes first, then implicit leaves). Borrowed. */
const struct fs_node *fs_view_nodes(const struct fs_view *fv, size_t *n);

/* The user name a job is charged as: its name, else its uid ("1001") in
 * buf. */
const char *fs_job_user(const struct sched_job *j, char *buf, size_t len);

#endif
