/*
 * pack: node selection policy "pack", best fit: the node the job leaves
 * with the least free resources. The decision is libhcsched's
 * (src/sched/select.c, through host->select_score); see select_common.h.
 * Used by the queues with NodeSelect=PACK.
 */
#include <stdbool.h>

#include "select_common.h"

static const struct hc_sched_param pack_params[] = {
	SELECT_WEIGHT_PARAM,
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int
pack_init(const struct hc_sched_host *host,
	  const struct hc_sched_param_value *params, void **state)
{
	return select_init(host, params, state, "pack",
			   HC_SCHED_SELECT_PACK, false);
}

const struct hc_sched_plugin hc_sched_plugin = {
	.header = HC_SCHED_PLUGIN_HEADER("pack",
					 "best fit: the node the job leaves "
					 "with the least free resources"),
	.params = pack_params,
	.init = pack_init,
	.fini = select_fini,
	.score = select_score,
};
