/*
 * pmix_step: the PMIx side of one `hcrun --mpi=pmix` step on this node: the
 * helper hc-pmix (src/pmix) it forks, and the relay of its fences
 * (pmix_step.c).
 */
#ifndef HC_PMIX_STEP_H
#define HC_PMIX_STEP_H

#include <stdint.h>
#include <jansson.h>

#include "hc_err.h"

struct step_node;
struct job;
struct pmix_step;

/* Start the helper for sn (its tasks set up) and wait for the clients'
 * environments (at most a few seconds). NULL with err. */
struct pmix_step *pmix_step_create(struct step_node *sn, struct job *j,
				   struct hc_err *err);
void pmix_step_destroy(struct pmix_step *ps);	/* NULL ok */
/* The "K=V" strings task local must get (borrowed). */
json_t *pmix_step_env(const struct pmix_step *ps, uint32_t local);
/* STEP_PMI from hcrun: a fence is complete (body borrowed). */
void pmix_step_on_frame(struct pmix_step *ps, json_t *body);

#endif
