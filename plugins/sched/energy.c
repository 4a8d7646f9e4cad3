/*
 * energy: node selection policy "energy" (work goes to nodes that are
 * already busy and awake; idle nodes stay idle so they can be powered
 * down; powered-down nodes come last). The decision is libhcsched's
 * (src/sched/select.c, through host->select_score); see select_common.h.
 * Used by the queues with NodeSelect=ENERGY.
 */
#include <stdbool.h>

#include "select_common.h"

static const struct hc_sched_param energy_params[] = {
	SELECT_WEIGHT_PARAM,
	{ "IdleAwakeScore", HC_SCHED_PARAM_DOUBLE, 0, 1, "0.5",
	  "how much an idle awake node is preferred to a powered-down one "
	  "(0: no more; 1: fully)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int
energy_init(const struct hc_sched_host *host,
	    const struct hc_sched_param_value *params, void **state)
{
	return select_init(host, params, state, "energy",
			   HC_SCHED_SELECT_ENERGY, true);
}

const struct hc_sched_plugin hc_sched_plugin = {
	.header = HC_SCHED_PLUGIN_HEADER("energy", "busy awake nodes first, "
					 "idle ones left idle"),
	.params = energy_params,
	.init = energy_init,
	.fini = select_fini,
	.score = select_score,
};
