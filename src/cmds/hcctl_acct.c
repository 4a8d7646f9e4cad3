/*
 * hcctl_acct: the account tree, users and QOS in hcctl's grammar:
 *	hcctl create|update|delete account|user|qos NAME [Key=Value...]
 *	hcctl show account|user|qos [NAME]
 * Values are checked here as far as a command can (resource lists,
 * counts, time limits); the controller checks the rest (names that must
 * exist, the tree staying a tree) and only admins may change anything.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hcctl.h"
#include "msg.h"
#include "parse.h"

int
hcctl_check_res(const char *val, struct hc_err *err)
{
	struct res_list rl = {0};

	if (!*val)
		return 0;	/* clears the limit */
	if (res_list_parse(val, &rl, err) < 0)
		return -1;
	res_list_free(&rl);
	return 0;
}

int
hcctl_check_count(const char *val, struct hc_err *err)
{
	long n;

	if (!*val)
		return 0;
	if (parse_long(val, 0, 1000000000L, &n, err) < 0)
		return hc_err_prefix(err, "%s: give a whole number, 0 for no "
				     "limit: ", val);
	return 0;
}

int
hcctl_check_shares(const char *val, struct hc_err *err)
{
	long n;

	if (!*val)
		return 0;
	if (parse_long(val, 1, 1000000000L, &n, err) < 0)
		return hc_err_prefix(err, "Shares=%s: give a whole number >= "
				     "1: ", val);
	return 0;
}

int
hcctl_check_wall(const char *val, struct hc_err *err)
{
	long m;

	if (!*val)
		return 0;
	if (parse_time_limit(val, &m, err) < 0)
		return hc_err_prefix(err, "MaxWall=%s: ", val);
	return 0;
}

/* One record: "Account=physics" then its keys, wrapped at 78 columns. */
static void
print_record(struct outbuf *o, const char *label, const json_t *r)
{
	const char *key;
	json_t *val;
	int col = 3;

	out_printf(o, "%s=%s\n  ", label, js(r, "Name"));
	json_object_foreach((json_t *)r, key, val) {
		char item[512];
		int n;

		if (!strcmp(key, "Name"))
			continue;
		if (json_is_integer(val))
			n = snprintf(item, sizeof(item), " %s=%lld", key,
				     (long long)json_integer_value(val));
		else
			n = snprintf(item, sizeof(item), " %s=%s", key,
				     json_string_value(val) ?
				     json_string_value(val) : "");
		if (col + n > 78 && col > 3) {
			out_puts(o, "\n  ");
			col = 3;
		}
		out_puts(o, item);
		col += n;
	}
	out_puts(o, "\n\n");
}

static int
acct_show(struct hcctl *h, const char *object, const char *name)
{
	static const struct {
		const char *object, *label;
	} labels[] = { {"account", "Account"}, {"user", "User"},
		       {"qos", "QOS"} };
	const char *label = "Name";
	json_t *req = json_pack("{s:s}", "object", object);
	json_t *rep, *recs;
	struct outbuf o = {0};
	const json_t *r;
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i].object, object))
			label = labels[i].label;
	if (name)
		json_object_set_new(req, "name", json_string(name));
	rep = cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_ACCT_QUERY, req);
	recs = json_object_get(rep, "records");
	if (h->json) {
		json_t *out = json_pack("{s:O}", "records",
					recs ? recs : json_null());
		cmd_print_json(out);
		json_decref(out);
		json_decref(rep);
		return 0;
	}
	json_array_foreach(recs, i, r)
		print_record(&o, label, r);
	if (o.len)
		o.len--;	/* no blank line after the last */
	if (out_flush(&o, stdout) < 0)
		cmd_die(&hcctl_info, HC_EIO, "cannot write the output");
	json_decref(rep);
	return 0;
}

int
hcctl_acct(struct hcctl *h, const char *verb, const char *object,
	   const char *name, json_t *set)
{
	json_t *req;

	if (!strcmp(verb, "show"))
		return acct_show(h, object, name);
	if (!strcmp(verb, "update") && json_object_size(set) == 0)
		cmd_die(&hcctl_info, HC_EINVAL, "update %s: nothing to change; "
			"give Key=Value", object);
	req = json_pack("{s:s,s:s,s:s,s:O}", "verb", verb, "object", object,
			"name", name, "set", set);
	json_decref(cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_ACCT_UPDATE,
			     req));
	return 0;
}
