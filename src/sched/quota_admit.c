/*
 * quota_admit: the checks of the admit stage (the rules are at the top of
 * quota.c): one function per kind of limit, applied at each node of the
 * job's path to the root and then at its QOS. The first that fails names
 * itself in the pending reason.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "quota.h"
#include "sched.h"
#include "sched_account.h"

/* The job's time limit in whole minutes, 0 when unlimited. */
static long
job_minutes(const struct sched_job *j)
{
	if (j->time_limit_sec > 0)
		return (j->time_limit_sec + 59) / 60;
	return j->time_limit > 0 ? j->time_limit : 0;
}

static const char *
who(const struct sched_acct *a)
{
	return a->is_user ? "user" : "account";
}

static bool
fits_grp_res(const struct sched_acct *a, const struct sched_use *u,
	     char *reason, size_t len)
{
	for (size_t i = 0; i < a->grp_res.count && i < SCHED_ACCT_MAX_RES;
	     i++) {
		const struct res_item *it = &a->grp_res.items[i];
		uint64_t need = sched_use_amount(u, it);

		if (need && a->res_alloc[i] + need > it->count) {
			snprintf(reason, len, "QuotaGrpRes(%s=%s,%s%s%s)",
				 who(a), a->name, it->name,
				 *it->type ? ":" : "", it->type);
			return false;
		}
	}
	return true;
}

static bool
fits_grp_res_mins(const struct sched_acct *a, const struct sched_use *u,
		  long time_limit, char *reason, size_t len)
{
	for (size_t i = 0;
	     i < a->grp_res_mins.count && i < SCHED_ACCT_MAX_RES; i++) {
		const struct res_item *it = &a->grp_res_mins.items[i];
		uint64_t need = sched_use_amount(u, it);
		uint64_t have = a->mins_used[i] + a->mins_ahead[i];

		if (!need)
			continue;
		if (time_limit > 0 ? have + need * (uint64_t)time_limit >
					     it->count
				   : have >= it->count) {
			snprintf(reason, len,
				 "QuotaGrpResMins(%s=%s,%s%s%s)", who(a),
				 a->name, it->name, *it->type ? ":" : "",
				 it->type);
			return false;
		}
	}
	return true;
}

static bool
fits_account(const struct sched_acct *a, const struct sched_use *u,
	     long time_limit, char *reason, size_t len)
{
	if (a->grp_jobs && a->jobs_running + 1 > a->grp_jobs) {
		snprintf(reason, len, "QuotaGrpJobs(%s=%s)", who(a), a->name);
		return false;
	}
	return fits_grp_res(a, u, reason, len) &&
	       fits_grp_res_mins(a, u, time_limit, reason, len);
}

static bool
fits_qos(const struct sched_acct_view *view, const struct sched_job *j,
	 const struct sched_use *u, char *reason, size_t len)
{
	const struct sched_qos *q;

	if (j->qos >= view->nqos)
		return true;
	q = &view->qos[j->qos];
	if (q->grp_jobs && q->jobs_running + 1 > q->grp_jobs) {
		snprintf(reason, len, "QOSGrpJobs(qos=%s)", q->name);
		return false;
	}
	if (q->max_jobs_per_user &&
	    quota_qos_user_running(view, j->qos, j->uid) + 1 >
		    q->max_jobs_per_user) {
		snprintf(reason, len, "QOSMaxJobsPerUser(qos=%s)", q->name);
		return false;
	}
	for (size_t i = 0; i < q->grp_res.count && i < SCHED_ACCT_MAX_RES;
	     i++) {
		const struct res_item *it = &q->grp_res.items[i];
		uint64_t need = sched_use_amount(u, it);

		if (need && q->res_alloc[i] + need > it->count) {
			snprintf(reason, len, "QOSGrpRes(qos=%s,%s%s%s)",
				 q->name, it->name, *it->type ? ":" : "",
				 it->type);
			return false;
		}
	}
	return true;
}

bool
quota_admit(const struct sched_acct_view *view, const struct sched_job *j,
	    char *reason, size_t len)
{
	struct sched_use u;

	if (!view || !view->naccts)
		return true;
	sched_use_of_job(j, &u);
	for (int64_t a = j->assoc; a >= 0 && (size_t)a < view->naccts;
	     a = view->accts[a].parent) {
		if (!fits_account(&view->accts[a], &u, job_minutes(j), reason,
				  len))
			return false;
		if (view->accts[a].parent >= a)
			break;
	}
	return fits_qos(view, j, &u, reason, len);
}

void
quota_started(struct sched_acct_view *view, const struct sched_job *j,
	      const struct sched_alloc *al)
{
	struct sched_use u;

	if (!view)
		return;
	sched_use_of_job(j, &u);
	if (al) {
		u.cpus = u.mem_mb = u.gpus = 0;
		for (uint32_t i = 0; i < al->nnodes; i++) {
			u.cpus += al->nodes[i].ncpus;
			u.mem_mb += al->nodes[i].mem_mb;
			u.gpus += al->nodes[i].ngpus;
		}
	}
	sched_acct_charge(view, j->assoc, j->qos, j->uid, &u,
			  job_minutes(j), +1);
}
