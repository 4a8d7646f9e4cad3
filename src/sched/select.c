/*
 * select: the node selection policies' scores (see select.h for what
 * each prefers), the accelerator capability table, and workload names.
 *
 * The scores use the node as the job would leave it. For a node the
 * "free share after" is the mean, over the resources the node has (CPUs,
 * memory, GPUs), of (free - asked) / total: pack takes 1 minus it (best
 * fit), spread takes it as is. Energy ranks by state first (busy awake >
 * idle awake > waking > powered down) and packs within a state, so work
 * goes where power is already spent. Affinity scores the node's free
 * accelerators (of the asked type) against the job's workload on figures
 * normalised to the largest parts of the table, and adds a tenth of the
 * pack score so that equal fits still fill nodes one by one.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "select.h"

/* Dense figures of common parts (vendor data sheets, rounded). */
static const struct accel_row {
	const char *type;
	uint64_t memory_mb;
	double fp64, fp32, bf16, int8;
} accel_table[] = {
	{ "h200", 141 * 1024, 34, 67, 989, 1979 },
	{ "h100", 80 * 1024, 34, 67, 989, 1979 },
	{ "gh200", 96 * 1024, 34, 67, 989, 1979 },
	{ "a100", 80 * 1024, 9.7, 19.5, 312, 624 },
	{ "a40", 48 * 1024, 0.6, 37.4, 150, 299 },
	{ "a10", 24 * 1024, 1.0, 31.2, 125, 250 },
	{ "l40s", 48 * 1024, 1.4, 91.6, 362, 733 },
	{ "l40", 48 * 1024, 1.4, 90.5, 181, 362 },
	{ "l4", 24 * 1024, 0.5, 30.3, 121, 242 },
	{ "t4", 16 * 1024, 0.25, 8.1, 65, 130 },
	{ "v100", 32 * 1024, 7.8, 15.7, 125, 62 },
	{ "mi300x", 192 * 1024, 81.7, 163.4, 1307, 2615 },
	{ "mi250x", 128 * 1024, 47.9, 47.9, 383, 383 },
	{ "mi250", 128 * 1024, 45.3, 45.3, 362, 362 },
	{ "mi210", 64 * 1024, 22.6, 22.6, 181, 181 },
};

/* The largest figures of the table, for normalising. */
#define MAX_MEM_MB (192.0 * 1024)
#define MAX_BF16 1307.0
#define MAX_FP64 81.7

static const char *const workload_names[] = {
	[SCHED_WORKLOAD_NONE] = "",
	[SCHED_WORKLOAD_TRAINING] = "training",
	[SCHED_WORKLOAD_INFERENCE] = "inference",
	[SCHED_WORKLOAD_HPC] = "hpc",
};
#define NWORKLOADS (sizeof(workload_names) / sizeof(workload_names[0]))

const char *
sched_workload_name(int w)
{
	return w >= 0 && (size_t)w < NWORKLOADS ? workload_names[w] : "";
}

int
sched_workload_parse(const char *s, int *out, struct hc_err *err)
{
	if (!s || !*s || !strcasecmp(s, "none")) {
		*out = SCHED_WORKLOAD_NONE;
		return 0;
	}
	for (size_t i = 1; i < NWORKLOADS; i++)
		if (!strcasecmp(s, workload_names[i])) {
			*out = (int)i;
			return 0;
		}
	return hc_err_set(err, HC_EINVAL, "unknown workload '%s'; give "
			  "training, inference or hpc", s);
}

int
sched_accel_caps(const char *type, uint64_t memory_mb,
		 struct hc_accel_view *out)
{
	memset(out, 0, sizeof(*out));
	out->memory_mb = memory_mb;
	for (size_t i = 0; type && i < sizeof(accel_table) /
					sizeof(accel_table[0]); i++) {
		const struct accel_row *r = &accel_table[i];

		if (strncasecmp(type, r->type, strlen(r->type)))
			continue;
		/* "l40s" must not be taken for "l4": longer rows first. */
		if (!strcasecmp(r->type, "l4") && !strncasecmp(type, "l40", 3))
			continue;
		out->fp64_tflops = r->fp64;
		out->fp32_tflops = r->fp32;
		out->bf16_tflops = r->bf16;
		out->int8_tops = r->int8;
		if (!memory_mb)
			out->memory_mb = r->memory_mb;
		return 0;
	}
	return -1;
}

static double
clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Mean over the node's resources of (free - asked) / total. */
static double
free_after(const struct hc_job_view *j, const struct hc_node_view *n)
{
	double sum = 0;
	int k = 0;

	if (n->cpus) {
		sum += ((double)n->cpus_free - j->cpus_per_node) / n->cpus;
		k++;
	}
	if (n->mem_mb) {
		sum += ((double)n->mem_free_mb - (double)j->mem_on_node_mb) /
		       (double)n->mem_mb;
		k++;
	}
	if (n->gpu_count) {
		sum += ((double)n->gpus_free - j->gpus_per_node) /
		       n->gpu_count;
		k++;
	}
	return k ? clamp01(sum / k) : 0;
}

double
sched_select_pack(const struct hc_job_view *job,
		  const struct hc_node_view *node)
{
	return 1.0 - free_after(job, node);
}

double
sched_select_spread(const struct hc_job_view *job,
		    const struct hc_node_view *node)
{
	return free_after(job, node);
}

double
sched_select_energy(const struct hc_job_view *job,
		    const struct hc_node_view *node, double awake_bonus)
{
	double pack = sched_select_pack(job, node);

	/* Bands: busy [0.6, 1], idle awake [0.2, 0.2 + 0.4 * bonus],
	 * waking [0.1, 0.15], powered down [0, 0.05]. */
	if (node->flags & HC_SCHED_NODE_POWERED_DOWN)
		return 0.05 * pack;
	if (node->flags & HC_SCHED_NODE_POWERING_UP)
		return 0.1 + 0.05 * pack;
	if (node->running_jobs)
		return 0.6 + 0.4 * pack;
	return 0.2 + 0.4 * clamp01(awake_bonus) * pack;
}

/* How well one accelerator suits the workload, in [0, 1]. */
static double
accel_fit(int workload, const struct hc_accel_view *a)
{
	double mem = clamp01((double)a->memory_mb / MAX_MEM_MB);
	double bf16 = clamp01(a->bf16_tflops / MAX_BF16);

	switch (workload) {
	case SCHED_WORKLOAD_TRAINING:
		return 0.5 * mem + 0.5 * bf16;
	case SCHED_WORKLOAD_INFERENCE:
		/* The smallest part that serves it, INT8-strong for its
		 * size: leaves the big parts to training. */
		return 0.6 * (1 - mem) + 0.4 * (1 - bf16);
	case SCHED_WORKLOAD_HPC:
		return clamp01(a->fp64_tflops / MAX_FP64);
	default:
		return 0.5;
	}
}

double
sched_select_affinity(const struct hc_job_view *job,
		      const struct hc_node_view *node)
{
	double sum = 0, fit;
	uint32_t k = 0;

	if (!job->gpus_per_node)	/* keep accelerators for GPU work */
		fit = node->gpu_count ? 0 : 1;
	else if (!node->accels)
		fit = 0.5;
	else {
		for (uint32_t g = 0; g < node->gpu_count; g++) {
			const struct hc_accel_view *a = &node->accels[g];

			if (node->gpus[g].used ||
			    (job->gpu_type[0] &&
			     strcasecmp(node->gpus[g].type, job->gpu_type)))
				continue;
			if (!a->bf16_tflops && !a->fp64_tflops) {
				sum += 0.5;	/* unknown part */
			} else {
				sum += accel_fit((int)job->workload, a);
			}
			k++;
		}
		fit = k ? sum / k : 0;
	}
	return 0.9 * fit + 0.1 * sched_select_pack(job, node);
}

double
sched_select_score(const struct hc_sched_host *host, int policy,
		   const struct hc_job_view *job,
		   const struct hc_node_view *node, double param)
{
	(void)host;
	switch (policy) {
	case HC_SCHED_SELECT_PACK:
		return sched_select_pack(job, node);
	case HC_SCHED_SELECT_SPREAD:
		return sched_select_spread(job, node);
	case HC_SCHED_SELECT_ENERGY:
		return sched_select_energy(job, node, param);
	case HC_SCHED_SELECT_AFFINITY:
		return sched_select_affinity(job, node);
	default:
		return 0;
	}
}
