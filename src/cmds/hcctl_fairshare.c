/*
 * hcctl show fairshare: the Fair Tree as hcctld ranks it now (usage_rpc.c
 * in hcctld), one line per account and user, indented by depth, then the
 * queues' fair-share. RawUsage is decayed billing-unit-seconds of the
 * subtree, NormUsage its part of its parent's, EffectvUsage its part of
 * the cluster's, LevelFS shares over usage among siblings ("inf" with no
 * usage), FairShare the factor (users: their rank over the users).
 * See hc-priority(7).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hcctl.h"
#include "msg.h"

static double
jf(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static void
print_row(struct outbuf *o, const json_t *e)
{
	char name[64], lfs[32];
	int d = (int)ji(e, "depth");

	snprintf(name, sizeof(name), "%*s%s", d > 10 ? 10 : d, "",
		 js(e, "name"));
	if (jf(e, "level_fs") < 0)
		snprintf(lfs, sizeof(lfs), "inf");
	else
		snprintf(lfs, sizeof(lfs), "%.4f", jf(e, "level_fs"));
	out_printf(o, "%-24s %6lld %14.0f %9.4f %12.4f %9s %9.4f\n", name,
		   ji(e, "shares"), jf(e, "raw_usage"), jf(e, "norm_usage"),
		   jf(e, "effective_usage"), d ? lfs : "", jf(e, "factor"));
}

/* The rows under account PARENT (NULL: the roots), each followed by its
 * own subtree: hcctld lists accounts in the order they were made, which
 * would put a user under the wrong account on screen. done[] marks what
 * was printed; depth bounds the walk should the tree hold a cycle. */
static void
print_subtree(struct outbuf *o, const json_t *tree, const char *parent,
	      bool *done, int depth)
{
	const json_t *e;
	size_t i;

	if (depth > 64)
		return;
	json_array_foreach(tree, i, e) {
		const char *p = json_string_value(json_object_get(e,
								  "parent"));

		if (done[i] || (parent ? !p || strcmp(p, parent) : p != NULL))
			continue;
		done[i] = true;
		print_row(o, e);
		if (!json_is_true(json_object_get(e, "user")))
			print_subtree(o, tree, js(e, "name"), done, depth + 1);
	}
}

/* The account NAME's row, or NULL. */
static const json_t *
find_account(const json_t *tree, const char *name)
{
	const json_t *e;
	size_t i;

	json_array_foreach(tree, i, e)
		if (!json_is_true(json_object_get(e, "user")) &&
		    strcmp(js(e, "name"), name) == 0)
			return e;
	return NULL;
}

/* The whole tree, or with ACCOUNT only that account and its subtree. */
static void
print_tree(struct outbuf *o, const json_t *tree, const char *account)
{
	size_t n = json_array_size(tree);
	bool *done = hc_calloc(n + 1, sizeof(*done));
	const json_t *top = account ? find_account(tree, account) : NULL;

	if (account && !top)
		cmd_die(&hcctl_info, HC_ENOENT, "no account %s in the "
			"fair-share tree; hcctl show account lists them",
			account);
	out_printf(o, "%-24s %6s %14s %9s %12s %9s %9s\n", "Account/User",
		   "Shares", "RawUsage", "NormUsage", "EffectvUsage",
		   "LevelFS", "FairShare");
	if (top)
		print_row(o, top);
	print_subtree(o, tree, account, done, 0);
	for (size_t i = 0; !account && i < n; i++)	/* orphans */
		if (!done[i])
			print_row(o, json_array_get(tree, i));
	free(done);
}

int
hcctl_show_fairshare(struct hcctl *h, const char *name)
{
	json_t *rep = cmd_call(&hcctl_info, hcctl_client(h),
			       HC_MSG_FAIRSHARE_QUERY, NULL);
	struct outbuf o = {0};
	const json_t *e;
	size_t i;

	if (h->json) {
		json_object_del(rep, "rc");
		cmd_print_json(rep);
		json_decref(rep);
		return 0;
	}
	print_tree(&o, json_object_get(rep, "tree"), name);
	if (!name)
		out_printf(&o, "\n%-24s %6s %14s %9s\n", "Queue", "Weight",
			   "RawUsage", "QueueFS");
	json_array_foreach(json_object_get(rep, "queues"), i, e)
		if (!name)
			out_printf(&o, "%-24s %6lld %14.0f %9.4f\n",
				   js(e, "name"), ji(e, "weight"),
				   jf(e, "raw_usage"), jf(e, "factor"));
	if (out_flush(&o, stdout) < 0)
		cmd_die(&hcctl_info, HC_EIO, "cannot write the output");
	json_decref(rep);
	return 0;
}
