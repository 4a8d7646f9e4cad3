/*
 * pmi2_step: the simple-PMI server of one `hcrun --mpi=pmi2` step on this
 * node (pmi2_step.c).
 */
#ifndef HC_PMI2_STEP_H
#define HC_PMI2_STEP_H

#include <stdint.h>
#include <jansson.h>

#include "hc_err.h"

struct step_node;
struct pmi2_step;

/* A server for sn's tasks (sn->tasks set up); NULL with err. */
struct pmi2_step *pmi2_step_create(struct step_node *sn, struct hc_err *err);
void pmi2_step_destroy(struct pmi2_step *ps);	/* NULL ok */
/* The task's end of its PMI socket, to become its fd 3 (-1: none). */
int pmi2_step_child_fd(const struct pmi2_step *ps, uint32_t local);
/* The task was forked: our copy of its end is closed. */
void pmi2_step_forked(struct pmi2_step *ps, uint32_t local);
/* STEP_PMI from hcrun: a fence is complete (body borrowed). */
void pmi2_step_on_frame(struct pmi2_step *ps, json_t *body);

#endif
