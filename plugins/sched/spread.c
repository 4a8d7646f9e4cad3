/*
 * spread: node selection policy "spread", least loaded first: the node
 * with the most free share after the job. The decision is libhcsched's
 * (src/sched/select.c, through host->select_score); see select_common.h.
 * Used by the queues with NodeSelect=SPREAD.
 */
#include <stdbool.h>

#include "select_common.h"

static const struct hc_sched_param spread_params[] = {
	SELECT_WEIGHT_PARAM,
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int
spread_init(const struct hc_sched_host *host,
	    const struct hc_sched_param_value *params, void **state)
{
	return select_init(host, params, state, "spread",
			   HC_SCHED_SELECT_SPREAD, false);
}

const struct hc_sched_plugin hc_sched_plugin = {
	.header = HC_SCHED_PLUGIN_HEADER("spread",
					 "least loaded first: the node with "
					 "the most free share after the job"),
	.params = spread_params,
	.init = spread_init,
	.fini = select_fini,
	.score = select_score,
};
