/*
 * steps_view: `hcqueue -s`, the running job steps (squeue -s's view):
 *	STEPID     NAME     USER    TIME  NODES NODELIST
 */
#ifndef HC_STEPS_VIEW_H
#define HC_STEPS_VIEW_H

#include <stdbool.h>
#include <jansson.h>

#include "cmd.h"

/* Ask for the running steps (of the jobs in ids, borrowed, if not NULL)
 * and print them as a table, or as {"steps": [STEP]} with json. */
void hcqueue_steps(const struct cmd_info *ci, struct hc_client *c,
		   json_t *ids, bool json, bool noheader);

#endif
