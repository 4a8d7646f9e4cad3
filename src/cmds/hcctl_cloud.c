/*
 * hcctl show cloud: the cloud pools (power.c in hcctld): nodes by state,
 * what may start now and what limits it, use and cost this billing period
 * (the calendar month, UTC), and whether a pool is stopped or backs off;
 * then the accounts that used the cloud or have a cloud budget (their
 * subtree's node-hours and cost against GrpCloudNodeMins and
 * GrpCloudCost, and what their running and booting jobs hold ahead).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "hcctl.h"
#include "msg.h"

static double
jd(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* A budget of 0 is none: "-". */
static void
budget_fmt(long long v, char *b, size_t n)
{
	if (v)
		snprintf(b, n, "%lld", v);
	else
		snprintf(b, n, "-");
}

static void
show_cloud_accounts(struct outbuf *o, const json_t *accts)
{
	const json_t *a;
	size_t i;

	if (!json_array_size(accts))
		return;
	out_printf(o, "\n%-12s %8s %9s %16s %12s %8s %9s\n", "ACCOUNT",
		   "NODE_HRS", "COST", "GrpCloudNodeMins", "GrpCloudCost",
		   "HELD_HRS", "HELD_COST");
	json_array_foreach(accts, i, a) {
		char mins[32], cost[32];
		budget_fmt(ji(a, "grp_cloud_node_mins"), mins, sizeof(mins));
		budget_fmt(ji(a, "grp_cloud_cost"), cost, sizeof(cost));
		out_printf(o, "%-12s %8.2f %9.2f %16s %12s %8.2f %9.2f\n",
			   js(a, "name"), jd(a, "node_hours"), jd(a, "cost"),
			   mins, cost, jd(a, "held_node_hours"),
			   jd(a, "held_cost"));
	}
}

int
hcctl_show_cloud(struct hcctl *h, const char *name)
{
	json_t *rep = cmd_call(&hcctl_info, hcctl_client(h),
			       HC_MSG_CLOUD_QUERY, NULL);
	json_t *pools = json_object_get(rep, "pools"), *p;
	long long now = ji(rep, "now");
	struct outbuf o = {0};
	size_t i;

	(void)name;
	if (h->json) {
		json_object_del(rep, "rc");
		cmd_print_json(rep);
		json_decref(rep);
		return 0;
	}
	out_printf(&o, "%-12s %-14s %5s %7s %4s %5s %8s %7s %6s %9s %9s "
		   "%s\n", "POOL", "NODES", "CLOUD", "BOOTING", "UP", "DOWN",
		   "STOPPING", "WAITING", "START", "NODE_HRS", "COST", "STATE");
	json_array_foreach(pools, i, p) {
		char state[160];
		long long back = ji(p, "backoff_until");
		if (json_is_true(json_object_get(p, "stopped")))
			snprintf(state, sizeof(state), "stopped: %s",
				 js(p, "stopped_why"));
		else if (back > now)
			snprintf(state, sizeof(state), "backing off %llds",
				 back - now);
		else if (!ji(p, "can_start"))
			snprintf(state, sizeof(state), "limited: %s",
				 js(p, "limit"));
		else
			snprintf(state, sizeof(state), "ok");
		out_printf(&o, "%-12s %-14s %5lld %7lld %4lld %5lld %8lld "
			   "%7zu %6lld %9.2f %9.2f %s\n", js(p, "name"),
			   js(p, "nodes"), ji(p, "cloud"), ji(p, "powering_up"),
			   ji(p, "up"), ji(p, "down"), ji(p, "powering_down"),
			   json_array_size(json_object_get(p, "jobs_waiting")),
			   ji(p, "can_start"), jd(p, "node_hours"),
			   jd(p, "cost"), state);
	}
	show_cloud_accounts(&o, json_object_get(rep, "accounts"));
	if (out_flush(&o, stdout) < 0)
		cmd_die(&hcctl_info, HC_EIO, "cannot write the output");
	json_decref(rep);
	return 0;
}
