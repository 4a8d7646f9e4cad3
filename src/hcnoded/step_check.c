/*
 * step_check: the agent's admission of a step credential (step_check.h).
 */
#include "config.h"

#include "step_check.h"

/* Security: every stream the agent serves starts tasks as a job's user;
 * it is admitted only with a credential that the controller's key signed
 * (never munge, never the peer's word), that has not expired, that names
 * this node, whose job runs here as the credential's user, and that has
 * not been used here before (a captured credential cannot be replayed). */
int
step_check(const struct stepcred_key *key, const char *cred,
	   const char *node, time_t now, step_job_fn *job,
	   step_used_fn *used, void *arg, struct stepcred *out,
	   struct hc_err *err)
{
	uid_t uid = 0;

	if (!key)
		return hc_err_set(err, HC_EAUTH, "node has no step key yet "
				  "(not registered with the controller)");
	if (!cred || !*cred)
		return hc_err_set(err, HC_EAUTH, "missing step credential");
	if (stepcred_verify(key, cred, node, now, out, err) < 0)
		return -1;
	if (!job(arg, out->job_id, &uid))
		return hc_err_set(err, HC_EAUTH, "job %u is not running on %s",
				  out->job_id, node);
	if (uid != out->uid)
		return hc_err_set(err, HC_EAUTH, "credential for uid %u, job "
				  "%u runs as uid %u", (unsigned)out->uid,
				  out->job_id, (unsigned)uid);
	if (used(arg, out->job_id, out->step_id))
		return hc_err_set(err, HC_EAUTH, "credential of step %u.%u "
				  "already used on %s", out->job_id,
				  out->step_id, node);
	return 0;
}
