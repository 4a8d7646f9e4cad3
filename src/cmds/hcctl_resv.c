/*
 * hcctl create|update|delete|show reservation: the requests (RESV_UPDATE,
 * RESV_QUERY) and the Key=Value view of a reservation, printed the way
 * `scontrol show reservation` prints it. The keys are checked by hcctld,
 * which reads times on its own clock.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "hcctl.h"
#include "msg.h"

static void
show_one(struct outbuf *o, const json_t *r)
{
	char start[32], end[32], dur[32];

	cmd_fmt_time(ji(r, "start_time"), start, sizeof(start));
	cmd_fmt_time(ji(r, "end_time"), end, sizeof(end));
	cmd_fmt_limit(ji(r, "duration"), dur, sizeof(dur));
	out_printf(o, "ReservationName=%s StartTime=%s EndTime=%s "
		   "Duration=%s\n", js(r, "name"), start, end, dur);
	out_printf(o, "   Nodes=%s NodeCnt=%lld Gpus=%lld State=%s\n",
		   js(r, "nodes"), ji(r, "node_cnt"), ji(r, "gpus"),
		   js(r, "state"));
	out_printf(o, "   Users=%s Accounts=%s Flags=%s\n\n",
		   *js(r, "users") ? js(r, "users") : "(null)",
		   *js(r, "accounts") ? js(r, "accounts") : "(null)",
		   *js(r, "flags") ? js(r, "flags") : "(null)");
}

static int
resv_show(struct hcctl *h, const char *name)
{
	json_t *req = json_object();
	json_t *rep, *list;
	struct outbuf o = {0};
	const json_t *r;
	size_t i;

	if (name)
		json_object_set_new(req, "names", json_pack("[s]", name));
	rep = cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_RESV_QUERY, req);
	list = json_object_get(rep, "reservations");
	if (name && json_array_size(list) == 0) {
		json_decref(rep);
		cmd_die(&hcctl_info, HC_ENOENT, "no reservation '%s'", name);
	}
	if (h->json) {
		json_t *out = json_pack("{s:O}", "reservations", list);

		cmd_print_json(out);
		json_decref(out);
		json_decref(rep);
		return 0;
	}
	if (json_array_size(list) == 0)
		out_printf(&o, "No reservations in the system\n\n");
	json_array_foreach(list, i, r)
		show_one(&o, r);
	if (o.len)
		o.len--;	/* no blank line after the last */
	if (out_flush(&o, stdout) < 0)
		cmd_die(&hcctl_info, HC_EIO, "cannot write the output");
	json_decref(rep);
	return 0;
}

int
hcctl_resv(struct hcctl *h, const char *verb, const char *name,
	   json_t *set)
{
	json_t *req, *rep;

	if (!strcmp(verb, "show"))
		return resv_show(h, name);
	if (!strcmp(verb, "update") && json_object_size(set) == 0)
		cmd_die(&hcctl_info, HC_EINVAL, "update reservation: nothing "
			"to change; give Key=Value, e.g. Duration=2:00:00");
	req = json_pack("{s:s, s:s}", "action", verb, "name", name);
	if (json_object_size(set))
		json_object_set(req, "set", set);
	rep = cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_RESV_UPDATE, req);
	if (!strcmp(verb, "create"))
		printf("Reservation created: %s (nodes %s)\n", name,
		       js(rep, "nodes"));
	else if (!strcmp(verb, "update"))
		printf("Reservation updated: %s (nodes %s)\n", name,
		       js(rep, "nodes"));
	json_decref(rep);
	return 0;
}
