/*
 * hcctl_steps: the steps of the jobs `hcctl show job` prints, asked for
 * with one STEP_QUERY for all of them and printed under each job:
 *	Step=12.0 State=COMPLETED Tasks=8 Nodes=n[1-2] ExitCode=0:0
 *	   Start=... End=... MaxRSS=1234K CPUTime=0s
 *	   Command=hostname
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hcctl.h"
#include "msg.h"

void
hcctl_steps_attach(struct hcctl *h, json_t *jobs)
{
	json_t *ids = json_array(), *j, *st, *rep;
	struct hc_err err = { 0 };
	size_t i, k;

	json_array_foreach(jobs, i, j)
		json_array_append_new(ids, json_integer(ji(j, "job_id")));
	if (json_array_size(ids) == 0) {
		json_decref(ids);
		return;
	}
	json_t *req = json_pack("{s:o,s:b}", "job_ids", ids, "all", 1);
	rep = hc_client_call(hcctl_client(h), HC_MSG_STEP_QUERY, req, &err);
	json_decref(req);
	if (!rep)
		return;		/* an older controller: no steps shown */
	json_array_foreach(jobs, i, j) {
		json_t *mine = json_array();
		json_array_foreach(json_object_get(rep, "steps"), k, st)
			if (ji(st, "job_id") == ji(j, "job_id"))
				json_array_append(mine, st);
		json_object_set_new(j, "steps", mine);
	}
	json_decref(rep);
}

void
hcctl_steps_print(struct outbuf *o, const json_t *job)
{
	size_t i;
	json_t *st;

	json_array_foreach(json_object_get(job, "steps"), i, st) {
		char start[32], end[32];

		cmd_fmt_time(ji(st, "start_time"), start, sizeof(start));
		cmd_fmt_time(ji(st, "end_time"), end, sizeof(end));
		out_printf(o, "   Step=%lld.%lld State=%s Tasks=%lld Nodes=%s "
			   "ExitCode=%s\n", ji(st, "job_id"),
			   ji(st, "step_id"), js(st, "state"),
			   ji(st, "ntasks"), js(st, "nodelist"),
			   js(st, "exit_code"));
		out_printf(o, "      Start=%s End=%s MaxRSS=%lldK CPUTime=%llds"
			   "\n", start, end, ji(st, "max_rss_kb"),
			   ji(st, "cpu_secs"));
		out_printf(o, "      Command=%s%s%s\n", js(st, "command"),
			   *js(st, "failed") ? " Failed=" : "",
			   js(st, "failed"));
	}
}
