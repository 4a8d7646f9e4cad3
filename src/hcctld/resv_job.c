/*
 * resv_job: what a submitted job asks of reservations and node selection:
 * --reservation=NAME (checked here: the reservation exists and lists the
 * user or the job's account) and --workload=training|inference|hpc (the
 * accelerator affinity policy's tag, select.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ctld.h"
#include "jobs_int.h"
#include "log.h"
#include "resv.h"
#include "select.h"

int
resv_job_spec(struct ctld *c, struct job *j, const json_t *s,
	      struct hc_err *err)
{
	const char *r = jstr(s, "reservation");
	const char *w = jstr(s, "workload");
	int wl = SCHED_WORKLOAD_NONE;

	if (w && sched_workload_parse(w, &wl, err) < 0)
		return hc_err_prefix(err, "--workload=%s: ", w);
	j->workload = (uint8_t)wl;
	if (!r || !*r)
		return 0;
	if (strlen(r) >= RESV_NAME_MAX)
		return hc_err_set(err, HC_EINVAL, "--reservation: the name is "
				  "too long");
	/* Security: only the users and accounts the reservation lists. */
	if (resvs_check_job(c->resvs, r, j->uid, j->account, err) < 0)
		return -1;
	free(j->reservation);
	j->reservation = hc_strdup(r);
	return 0;
}
