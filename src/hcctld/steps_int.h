/*
 * steps_int: what steps.c, steps_rpc.c and steps_alloc.c share.
 */
#ifndef STEPS_INT_H
#define STEPS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "hc_err.h"

struct ctld;
struct job;

enum step_state { STEP_RUNNING, STEP_COMPLETED, STEP_FAILED, STEP_CANCELLED };

/* The step's part of one node of its job. */
struct step_node {
	uint32_t k;		/* index in the job's allocation */
	uint32_t ntasks;
	uint32_t *tasks;	/* global task ids here (owned) */
	uint32_t ncpus, ngpus;
	uint32_t *cpu_ids, *gpu_ids;	/* owned */
	bool ended;		/* its agent reported the end */
};

struct step {
	struct step *next;
	uint32_t job_id, step_id, uid;
	char *command, *nodelist;	/* owned */
	uint32_t ntasks;
	uint8_t state;		/* enum step_state */
	bool rsh;		/* a remote launch (hc-rsh): holds nothing */
	time_t start, end;
	int exit_status;	/* highest wait status of its tasks */
	char failed[128];	/* hcrun's word on what failed, or "" */
	uint64_t max_rss_kb, cpu_ms;
	struct step_node *nodes;
	uint32_t nnodes;
};

struct steps {
	struct ctld *c;
	struct step *list;	/* steps of jobs in the job table */
};

/* steps.c */
struct step *steps_find(struct steps *ss, uint32_t job_id, uint32_t step_id);
/* A new step id of job_id (persisted counter, this transaction). */
uint32_t steps_next_id(struct steps *ss, uint32_t job_id);
void steps_add(struct steps *ss, struct step *st);
int steps_save(struct steps *ss, const struct step *st);
void step_free(struct step *st);
/* End st now in state (persisted); its resources are free from now. */
void steps_end(struct steps *ss, struct step *st, int state);
json_t *step_to_json(const struct step *st);
const char *step_state_name(int state);
/* Drop steps of jobs no longer in the job table (memory and LMDB). */
void steps_prune(struct steps *ss);

/* steps_rpc.c: the layout. Fills st->nodes for job j from the request;
 * 0, or -1 with err: HC_EBUSY (other steps hold what it needs now) or
 * HC_EINVAL (the job never has it). */
int steps_layout(struct steps *ss, const struct job *j, const json_t *req,
		 struct step *st, struct hc_err *err);

#endif
