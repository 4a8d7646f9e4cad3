/*
 * states: job and node states as DESIGN.md names them, and their printing.
 * Shared by hcctld (which owns them) and the commands (which parse --state).
 */
#ifndef HC_STATES_H
#define HC_STATES_H

#include <stdbool.h>
#include <stddef.h>

enum job_state {
	JOB_PENDING,
	JOB_CONFIGURING,
	JOB_RUNNING,
	JOB_COMPLETING,
	JOB_COMPLETED,
	JOB_FAILED,
	JOB_CANCELLED,
	JOB_TIMEOUT,
	JOB_OUT_OF_MEMORY,
	JOB_NODE_FAIL,
	JOB_PREEMPTED,
	JOB_STATE_COUNT
};

/* "PENDING"...; NULL if out of range. Borrowed. */
const char *job_state_name(int state);
/* Short forms for hcqueue's compact column: PD CF R CG CD F CA TO OOM NF PR */
const char *job_state_short(int state);
/* Parse a long or short name, case-insensitive; -1 if unknown. */
int job_state_parse(const char *s);
bool job_state_is_final(int state);

enum node_base_state {
	NODE_UNKNOWN,
	NODE_IDLE,
	NODE_MIXED,
	NODE_ALLOCATED,
	NODE_DOWN,
	NODE_CLOUD,
	NODE_BASE_COUNT
};

enum node_flag {
	NODE_F_DRAIN = 1u << 0,
	NODE_F_NOT_RESPONDING = 1u << 1,
	NODE_F_POWERING_UP = 1u << 2,
	NODE_F_POWERING_DOWN = 1u << 3,
	NODE_F_POWERED_DOWN = 1u << 4,
	NODE_F_INVALID_INVENTORY = 1u << 5,
	NODE_F_COMPLETING = 1u << 6,
};

const char *node_base_name(int base);
int node_base_parse(const char *s);
/* "IDLE+DRAIN"; writes into buf (>= 128). Returns buf. */
char *node_state_format(int base, unsigned flags, char *buf, size_t len);
/* The flag bit for "DRAIN" etc., or 0. */
unsigned node_flag_parse(const char *s);

#endif
