/*
 * select_common: what the four node selection plugins (pack, spread,
 * energy, affinity) share. Each is a thin shell: it declares its
 * parameters and, for the jobs of the queues whose NodeSelect= names it,
 * returns Weight times the host's score for its policy
 * (host->select_score, libhcsched's select.c), so the controller and the
 * simulator choose alike. Included by exactly one .c per plugin.
 */
#ifndef SELECT_COMMON_H
#define SELECT_COMMON_H

#include <stddef.h>
#include <stdlib.h>
#include <strings.h>

#include "hc/sched_plugin.h"

struct select_plugin {
	const struct hc_sched_host *host;
	const char *name;
	int policy;		/* HC_SCHED_SELECT_* */
	double weight;
	double param;		/* the policy's knob (energy's) */
};

/* params[0] is Weight; params[1], when declared, the policy's knob. */
static int
select_init(const struct hc_sched_host *host,
	    const struct hc_sched_param_value *params, void **state,
	    const char *name, int policy, bool has_param)
{
	struct select_plugin *s;

	if (host->size < offsetof(struct hc_sched_host, select_score) +
			 sizeof(host->select_score) || !host->select_score) {
		host->log(host, HC_SCHED_LOG_ERR, "the host has no node "
			  "selection policies (ABI 0.2 or later needed)");
		return -1;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return -1;
	s->host = host;
	s->name = name;
	s->policy = policy;
	s->weight = params[0].d;
	s->param = has_param ? params[1].d : 0;
	*state = s;
	return 0;
}

static void
select_fini(void *state)
{
	free(state);
}

/* Only the jobs of queues that chose this policy are scored. */
static int
select_score(void *state, const struct hc_job_view *job,
	     const struct hc_node_view *node, double *score)
{
	struct select_plugin *s = state;

	*score = 0;
	if (!job->node_select || strcasecmp(job->node_select, s->name))
		return 0;
	*score = s->weight * s->host->select_score(s->host, s->policy, job,
						   node, s->param);
	return 0;
}

#define SELECT_WEIGHT_PARAM                                                 \
	{ "Weight", HC_SCHED_PARAM_DOUBLE, 0, 1e6, "1",                     \
	  "how much this policy's score counts against other score hooks" }

#endif
