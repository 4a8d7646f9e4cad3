/*
 * hcctl show rejected: the node connections hcctld refused (rejected.c in
 * hcctld), oldest first, then a count per reason.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "hcctl.h"
#include "msg.h"

int
hcctl_show_rejected(struct hcctl *h, const char *name)
{
	json_t *rep = cmd_call(&hcctl_info, hcctl_client(h),
			       HC_MSG_REJECTED_QUERY, NULL);
	json_t *list = json_object_get(rep, "rejected");
	json_t *counts = json_object_get(rep, "counts");
	struct outbuf o = {0};
	const char *reason;
	json_t *e, *n;
	size_t i;

	(void)name;
	if (h->json) {
		json_object_del(rep, "rc");
		cmd_print_json(rep);
		json_decref(rep);
		return 0;
	}
	out_printf(&o, "%-19s %-21s %-12s %-16s %s\n", "TIME", "PEER", "NAME",
		   "REASON", "DETAIL");
	json_array_foreach(list, i, e) {
		time_t t = (time_t)ji(e, "time");
		char when[32];
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		out_printf(&o, "%-19s %-21s %-12s %-16s %s\n", when,
			   js(e, "peer"), *js(e, "name") ? js(e, "name") : "?",
			   js(e, "reason"), js(e, "detail"));
	}
	if (json_object_size(counts)) {
		out_printf(&o, "\n%lld refused:", ji(rep, "total"));
		json_object_foreach(counts, reason, n)
			out_printf(&o, " %s=%lld", reason,
				   (long long)json_integer_value(n));
		out_putc(&o, '\n');
	}
	if (out_flush(&o, stdout) < 0)
		cmd_die(&hcctl_info, HC_EIO, "cannot write the output");
	json_decref(rep);
	return 0;
}
