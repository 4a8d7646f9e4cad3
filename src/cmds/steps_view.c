/*
 * steps_view: hcqueue -s (see steps_view.h).
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <time.h>

#include "hostlist.h"
#include "msg.h"
#include "steps_view.h"

void
hcqueue_steps(const struct cmd_info *ci, struct hc_client *c, json_t *ids,
	      bool json, bool noheader)
{
	json_t *req = json_object(), *rep, *st;
	struct outbuf o = { 0 };
	struct table t;
	size_t i;

	if (ids)
		json_object_set(req, "job_ids", ids);
	rep = cmd_call(ci, c, HC_MSG_STEP_QUERY, req);
	if (json) {
		json_t *out = json_pack("{s:O}", "steps",
					json_object_get(rep, "steps"));
		cmd_print_json(out);
		json_decref(out);
		json_decref(rep);
		return;
	}
	table_init(&t, 6, 1u << 3 | 1u << 4);
	if (!noheader) {
		const char *h[] = { "STEPID", "NAME", "USER", "TIME", "NODES",
				    "NODELIST" };
		table_add(&t, h);
	}
	json_array_foreach(json_object_get(rep, "steps"), i, st) {
		char id[48], tm[32], nn[16], user[32];
		struct passwd *pw = getpwuid((uid_t)ji(st, "uid"));
		const char *nl = js(st, "nodelist");
		struct hostlist *hl = hostlist_parse(nl, NULL);
		size_t n = hl ? hl->count : 0;

		hostlist_destroy(hl);
		snprintf(id, sizeof(id), "%lld.%lld", ji(st, "job_id"),
			 ji(st, "step_id"));
		cmd_fmt_elapsed((long long)time(NULL) - ji(st, "start_time"),
				tm, sizeof(tm));
		snprintf(nn, sizeof(nn), "%zu", n);
		if (pw)
			snprintf(user, sizeof(user), "%s", pw->pw_name);
		else
			snprintf(user, sizeof(user), "%lld", ji(st, "uid"));
		const char *row[] = { id, js(st, "command"), user, tm, nn, nl };
		table_add(&t, row);
	}
	table_print(&t, &o);
	out_flush(&o, stdout);
	json_decref(rep);
}
