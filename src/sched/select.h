/*
 * select: node selection policies, the scoring functions behind the pack,
 * spread, energy and affinity plugins (plugins/sched/). They live here, in
 * libhcsched, so that the controller and the simulator make the same
 * choices; a plugin only declares its parameters and calls one of them
 * from its score hook. Scores are "higher is better"; the host sums the
 * scores of the loaded plugins and breaks ties by weight, then index.
 *
 *  pack	best fit: the node the job leaves with the least free
 *		resources (CPUs, memory, GPUs as fractions of the node),
 *		so that big holes stay whole for big jobs.
 *  spread	least loaded first: the node with the most free share after
 *		the job, so jobs do not crowd one another.
 *  energy	keep idle nodes idle: a node already running jobs first
 *		(packed like `pack` among them), then idle awake nodes,
 *		then powered-down nodes last (waking one costs energy and
 *		time).
 *  affinity	a job tagged --workload=training|inference|hpc prefers the
 *		nodes whose accelerators fit it: training wants memory and
 *		BF16 TFLOPS, inference wants small or INT8-strong GPUs (the
 *		cheapest that fits), hpc wants FP64 TFLOPS; untagged jobs
 *		and CPU-only jobs prefer nodes without accelerators, so GPUs
 *		stay free for the work that needs them.
 *
 * Each function maps to [0, 1] (pack, spread, energy) or [0, 1] per the
 * figures below (affinity), so a site can weight them (the plugins'
 * Weight parameter) and combine them.
 */
#ifndef SCHED_SELECT_H
#define SCHED_SELECT_H

#include "hc/sched_plugin.h"
#include "hc_err.h"

/* What a job says it is (hcsub --workload). */
enum sched_workload {
	SCHED_WORKLOAD_NONE = HC_SCHED_WORKLOAD_NONE,
	SCHED_WORKLOAD_TRAINING = HC_SCHED_WORKLOAD_TRAINING,
	SCHED_WORKLOAD_INFERENCE = HC_SCHED_WORKLOAD_INFERENCE,
	SCHED_WORKLOAD_HPC = HC_SCHED_WORKLOAD_HPC,
};

/* "training", "inference", "hpc"; "" for none; borrowed. */
const char *sched_workload_name(int w);
/* Parse a workload name (case-insensitive). 0, or -1 with err naming the
 * valid ones. "" and "none" are SCHED_WORKLOAD_NONE. */
int sched_workload_parse(const char *s, int *out, struct hc_err *err);

/* The capability figures of an accelerator of this type ("h100", matched
 * case-insensitively on the type's start) from a table of known parts;
 * memory_mb > 0 (the node's inventory) overrides the table's memory.
 * Returns 0, or -1 (figures zero but memory) for an unknown type. */
int sched_accel_caps(const char *type, uint64_t memory_mb,
		     struct hc_accel_view *out);

/* host->select_score of the plugin ABI: one of the policies below by
 * HC_SCHED_SELECT_*; 0 for an unknown policy. */
double sched_select_score(const struct hc_sched_host *host, int policy,
			  const struct hc_job_view *job,
			  const struct hc_node_view *node, double param);

/* The policies. Each returns a score in [0, 1], higher preferred. */
double sched_select_pack(const struct hc_job_view *job,
			 const struct hc_node_view *node);
double sched_select_spread(const struct hc_job_view *job,
			   const struct hc_node_view *node);
/* awake_bonus: how much an idle awake node is worth over a powered-down
 * one, in [0, 1] (the energy plugin's IdleAwakeScore). */
double sched_select_energy(const struct hc_job_view *job,
			   const struct hc_node_view *node,
			   double awake_bonus);
double sched_select_affinity(const struct hc_job_view *job,
			     const struct hc_node_view *node);

#endif
