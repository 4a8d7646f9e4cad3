/*
 * basic: the default scheduling policy. It only orders: a job's priority
 * grows with the time it has waited (saturating at AgeMax, so old jobs do
 * not outweigh everything forever). The core's multifactor priority
 * (src/sched/priority.c) adds the rest, nice included. Everything else
 * (admission, node choice) is left to the host's defaults.
 *
 *	priority = AgeWeight * min(now - submit, AgeMax) / AgeMax
 */
#include <stdlib.h>

#include "hc/sched_plugin.h"

struct basic {
	const struct hc_sched_host *host;
	double age_weight;
	double age_max;		/* seconds */
};

static const struct hc_sched_param basic_params[] = {
	{ "AgeWeight", HC_SCHED_PARAM_DOUBLE, 0, 1e9, "1000",
	  "priority a job gains by waiting AgeMax seconds" },
	{ "AgeMax", HC_SCHED_PARAM_INT, 1, 365 * 86400.0, "604800",
	  "seconds of waiting after which the age term stops growing" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int
basic_init(const struct hc_sched_host *host,
	   const struct hc_sched_param_value *params, void **state)
{
	struct basic *b = calloc(1, sizeof(*b));

	if (!b)
		return -1;
	b->host = host;
	b->age_weight = params[0].d;
	b->age_max = (double)params[1].i;
	*state = b;
	return 0;
}

static void
basic_fini(void *state)
{
	free(state);
}

static int
basic_priority(void *state, const struct hc_job_view *job, double *factor,
	       char *why, size_t whylen)
{
	struct basic *b = state;
	double age = (double)(b->host->now(b->host) - job->submit_time);

	if (age < 0)
		age = 0;
	if (age > b->age_max)
		age = b->age_max;
	*factor = b->age_weight * age / b->age_max;
	return 0;
}

const struct hc_sched_plugin hc_sched_plugin = {
	.header = HC_SCHED_PLUGIN_HEADER("basic",
					 "priority from age and nice"),
	.params = basic_params,
	.init = basic_init,
	.fini = basic_fini,
	.priority = basic_priority,
};
