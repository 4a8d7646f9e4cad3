/*
 * states: names of job and node states (see states.h). One table per kind;
 * the names are what hcqueue, hcinfo and hcctl print and what --state and
 * State= accept.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "states.h"

static const struct {
	const char *name;
	const char *shortname;
	bool final;
} job_states[JOB_STATE_COUNT] = {
	[JOB_PENDING] = { "PENDING", "PD", false },
	[JOB_CONFIGURING] = { "CONFIGURING", "CF", false },
	[JOB_RUNNING] = { "RUNNING", "R", false },
	[JOB_COMPLETING] = { "COMPLETING", "CG", false },
	[JOB_COMPLETED] = { "COMPLETED", "CD", true },
	[JOB_FAILED] = { "FAILED", "F", true },
	[JOB_CANCELLED] = { "CANCELLED", "CA", true },
	[JOB_TIMEOUT] = { "TIMEOUT", "TO", true },
	[JOB_OUT_OF_MEMORY] = { "OUT_OF_MEMORY", "OOM", true },
	[JOB_NODE_FAIL] = { "NODE_FAIL", "NF", true },
	[JOB_PREEMPTED] = { "PREEMPTED", "PR", true },
};

const char *
job_state_name(int state)
{
	if (state < 0 || state >= JOB_STATE_COUNT)
		return NULL;
	return job_states[state].name;
}

const char *
job_state_short(int state)
{
	if (state < 0 || state >= JOB_STATE_COUNT)
		return NULL;
	return job_states[state].shortname;
}

int
job_state_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < JOB_STATE_COUNT; i++)
		if (!strcasecmp(s, job_states[i].name) ||
		    !strcasecmp(s, job_states[i].shortname))
			return i;
	return -1;
}

bool
job_state_is_final(int state)
{
	return state >= 0 && state < JOB_STATE_COUNT &&
	       job_states[state].final;
}

static const char *const node_bases[NODE_BASE_COUNT] = {
	[NODE_UNKNOWN] = "UNKNOWN",
	[NODE_IDLE] = "IDLE",
	[NODE_MIXED] = "MIXED",
	[NODE_ALLOCATED] = "ALLOCATED",
	[NODE_DOWN] = "DOWN",
	[NODE_CLOUD] = "CLOUD",
};

/* In the order they print after the base state. */
static const struct {
	unsigned flag;
	const char *name;
} node_flags[] = {
	{ NODE_F_COMPLETING, "COMPLETING" },
	{ NODE_F_DRAIN, "DRAIN" },
	{ NODE_F_NOT_RESPONDING, "NOT_RESPONDING" },
	{ NODE_F_POWERING_UP, "POWERING_UP" },
	{ NODE_F_POWERING_DOWN, "POWERING_DOWN" },
	{ NODE_F_POWERED_DOWN, "POWERED_DOWN" },
	{ NODE_F_INVALID_INVENTORY, "INVALID_INVENTORY" },
	{ 0, NULL }
};

const char *
node_base_name(int base)
{
	if (base < 0 || base >= NODE_BASE_COUNT)
		return NULL;
	return node_bases[base];
}

int
node_base_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < NODE_BASE_COUNT; i++)
		if (!strcasecmp(s, node_bases[i]))
			return i;
	if (!strcasecmp(s, "ALLOC"))	/* Slurm's short form */
		return NODE_ALLOCATED;
	return -1;
}

char *
node_state_format(int base, unsigned flags, char *buf, size_t len)
{
	const char *b = node_base_name(base);
	size_t n;

	snprintf(buf, len, "%s", b ? b : "UNKNOWN");
	for (int i = 0; node_flags[i].name; i++) {
		if (!(flags & node_flags[i].flag))
			continue;
		n = strlen(buf);
		snprintf(buf + n, len - n, "+%s", node_flags[i].name);
	}
	return buf;
}

unsigned
node_flag_parse(const char *s)
{
	if (!s)
		return 0;
	for (int i = 0; node_flags[i].name; i++)
		if (!strcasecmp(s, node_flags[i].name))
			return node_flags[i].flag;
	return 0;
}
