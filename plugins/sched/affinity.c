/*
 * affinity: node selection policy "affinity": accelerators that suit the
 * job's --workload (training, inference or hpc). The decision is
 * libhcsched's (src/sched/select.c, through host->select_score); see
 * select_common.h. Used by the queues with NodeSelect=AFFINITY.
 */
#include <stdbool.h>

#include "select_common.h"

static const struct hc_sched_param affinity_params[] = {
	SELECT_WEIGHT_PARAM,
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int
affinity_init(const struct hc_sched_host *host,
	      const struct hc_sched_param_value *params, void **state)
{
	return select_init(host, params, state, "affinity",
			   HC_SCHED_SELECT_AFFINITY, false);
}

const struct hc_sched_plugin hc_sched_plugin = {
	.header = HC_SCHED_PLUGIN_HEADER("affinity",
					 "accelerators that suit the job's "
					 "--workload (training, inference, "
					 "hpc)"),
	.params = affinity_params,
	.init = affinity_init,
	.fini = select_fini,
	.score = select_score,
};
