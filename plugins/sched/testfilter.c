/*
 * testfilter: a plugin for the unit tests (never installed). Its filter
 * refuses the nodes named in its Exclude parameter ("n1,n3"), saying why,
 * and its score prefers higher-indexed nodes when Reverse=yes: enough to
 * prove hooks, reasons and parameter validation through the real dlopen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc/sched_plugin.h"

struct testfilter {
	char exclude[256];
	int reverse;
};

static const struct hc_sched_param testfilter_params[] = {
	{ "Exclude", HC_SCHED_PARAM_STRING, 0, 255, "",
	  "comma-separated node names this plugin refuses" },
	{ "Reverse", HC_SCHED_PARAM_BOOL, 0, 0, "no",
	  "prefer nodes with a higher index" },
	{ "Limit", HC_SCHED_PARAM_INT, 0, 100, "10",
	  "unused; declared to test range checks" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int
tf_init(const struct hc_sched_host *host,
	const struct hc_sched_param_value *params, void **state)
{
	struct testfilter *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->exclude, sizeof(t->exclude), ",%s,", params[0].s);
	t->reverse = params[1].b;
	host->log(host, HC_SCHED_LOG_DEBUG, "exclude=%s", params[0].s);
	*state = t;
	return 0;
}

static void
tf_fini(void *state)
{
	free(state);
}

static int
tf_filter(void *state, const struct hc_job_view *job,
	  const struct hc_node_view *node, char *why, size_t whylen)
{
	struct testfilter *t = state;
	char key[80];

	snprintf(key, sizeof(key), ",%s,", node->name);
	if (!strstr(t->exclude, key))
		return HC_SCHED_YES;
	snprintf(why, whylen, "TestFilterExcluded");
	return HC_SCHED_NO;
}

static int
tf_score(void *state, const struct hc_job_view *job,
	 const struct hc_node_view *node, double *score)
{
	struct testfilter *t = state;

	*score = t->reverse ? (double)node->index : 0;
	return 0;
}

const struct hc_sched_plugin hc_sched_plugin = {
	.header = HC_SCHED_PLUGIN_HEADER("testfilter",
					 "refuses named nodes (tests only)"),
	.params = testfilter_params,
	.init = tf_init,
	.fini = tf_fini,
	.filter = tf_filter,
	.score = tf_score,
};
