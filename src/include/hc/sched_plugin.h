/*
 * hc/sched_plugin.h: the ABI between libhcsched and scheduling policy
 * plugins (installed header).
 *
 * A plugin is a shared object (NAME.so in the scheduler's plugin directory)
 * that exports exactly one symbol, a const struct named `hc_sched_plugin`,
 * written with designated initialisers:
 *
 *	const struct hc_sched_plugin hc_sched_plugin = {
 *		.header = HC_SCHED_PLUGIN_HEADER("basic", "age and nice"),
 *		.params = basic_params,
 *		.init = basic_init,
 *		.priority = basic_priority,
 *	};
 *
 * The host loads it with dlopen(RTLD_NOW|RTLD_LOCAL) and checks the header:
 * the magic, the ABI major (equal to the host's) and minor (not newer than
 * the host's), and the struct size (hooks past header.size are taken as not
 * provided, so a plugin built against an older minor keeps working).
 *
 * Plugins see plain view structs and the host function table, never the
 * controller's internals, so the same .so runs in hcctld (real time) and in
 * the trace simulator (virtual time). Every hook that can say no also says
 * why: that text becomes the job's pending reason, shown by hcqueue.
 *
 * The ABI version is ours, not the release's. It stays 0.x (free to change)
 * until the scheduling policies have landed on it; then 1.0 and
 * compatibility.
 */
#ifndef HC_SCHED_PLUGIN_H
#define HC_SCHED_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HC_SCHED_PLUGIN_MAGIC 0x68637370u	/* "hcsp" */
#define HC_SCHED_ABI_MAJOR 0
#define HC_SCHED_ABI_MINOR 2	/* as configure.ac; 2: workload, queue_name,
				 * node_select in the job view; flags, accels
				 * in the node view; host->select_score */

#define HC_SCHED_MAX_GPUS 64		/* per node, as the host's views */
#define HC_SCHED_NAME_LEN 32		/* gpu type strings */

/* Return values of the hooks that can say no. */
#define HC_SCHED_YES 0		/* admit / node may host the job */
#define HC_SCHED_NO 1		/* not now / not this node: why is set */
#define HC_SCHED_ERROR (-1)	/* the hook failed: why is set */

/* Log levels of host->log (the same order as the host's log). */
enum hc_sched_log_level {
	HC_SCHED_LOG_ERR,
	HC_SCHED_LOG_WARN,
	HC_SCHED_LOG_INFO,
	HC_SCHED_LOG_DEBUG,
};

/* ---- views: plain data copied from the host's records ---------------- */

/* What a job says it is (hcsub --workload), for accelerator affinity. */
#define HC_SCHED_WORKLOAD_NONE 0
#define HC_SCHED_WORKLOAD_TRAINING 1
#define HC_SCHED_WORKLOAD_INFERENCE 2
#define HC_SCHED_WORKLOAD_HPC 3

/* hc_node_view.flags: the node's power state. */
#define HC_SCHED_NODE_POWERED_DOWN 0x1u	/* asleep: waking it costs */
#define HC_SCHED_NODE_POWERING_UP 0x2u	/* waking */

struct hc_job_view {
	uint32_t id;
	uint32_t uid;
	time_t submit_time;
	time_t begin_time;		/* 0 = as soon as possible */
	uint32_t queue;			/* queue index */
	int nice;
	uint32_t admin_priority;	/* 0 = unset */
	uint32_t nodes_min, nodes_max;
	uint32_t ntasks;
	uint32_t cpus_per_task;
	uint32_t ntasks_per_node;	/* 0 = unset */
	uint64_t mem_per_node_mb;
	uint64_t mem_per_cpu_mb;	/* 0 = unset; overrides mem_per_node */
	uint32_t gpus_per_node;
	char gpu_type[HC_SCHED_NAME_LEN];	/* "" = any */
	const char *constraint;		/* features expression or NULL */
	bool exclusive;
	long time_limit;		/* minutes */
	/* Derived by the host: what one node must give this job. */
	uint32_t cpus_per_node;
	uint64_t mem_on_node_mb;
	/* 0.2: */
	uint32_t workload;		/* HC_SCHED_WORKLOAD_* */
	const char *queue_name;		/* NULL if unknown */
	const char *node_select;	/* the queue's NodeSelect= ("pack",
					 * "affinity,pack"), NULL = none */
};

/* An accelerator's capability figures (0 = unknown), one per GPU of the
 * node, in the order of hc_node_view.gpus. */
struct hc_accel_view {
	uint64_t memory_mb;
	double fp64_tflops, fp32_tflops, bf16_tflops, int8_tops;
};

struct hc_gpu_view {
	char type[HC_SCHED_NAME_LEN];	/* "h100" */
	bool used;
};

struct hc_node_view {
	const char *name;
	uint32_t index;
	long weight;			/* lower is preferred */
	uint32_t cpus, cpus_free;
	uint64_t mem_mb, mem_free_mb;
	uint32_t gpu_count, gpus_free;
	const struct hc_gpu_view *gpus;	/* gpu_count entries */
	const char *const *features;	/* NULL-terminated */
	uint32_t running_jobs;
	bool exclusive_used;
	uint64_t queue_mask;
	/* 0.2: */
	uint32_t flags;			/* HC_SCHED_NODE_* */
	const struct hc_accel_view *accels;	/* gpu_count entries, or
						 * NULL when unknown */
};

/* ---- declared parameters, validated by the host ----------------------- */

enum hc_sched_param_type {
	HC_SCHED_PARAM_INT,	/* long long, within [min, max] */
	HC_SCHED_PARAM_DOUBLE,	/* double, within [min, max] */
	HC_SCHED_PARAM_BOOL,	/* yes/no, true/false, 1/0 */
	HC_SCHED_PARAM_STRING,	/* text of at most max bytes (0 = any) */
};

/* One row of a plugin's parameter table; the table ends with a row whose
 * name is NULL. def is the default, written as a user would write it. */
struct hc_sched_param {
	const char *name;		/* CamelCase: "AgeWeight" */
	int type;			/* enum hc_sched_param_type */
	double min, max;
	const char *def;
	const char *help;		/* one sentence */
};

/* The validated value of each declared parameter, passed to init in the
 * order of the table (params[i] belongs to table row i). Strings are
 * borrowed for the plugin's lifetime (until fini returns). */
struct hc_sched_param_value {
	const char *name;
	int type;
	long long i;
	double d;
	bool b;
	const char *s;
};

/* ---- the host ---------------------------------------------------------- */

struct hc_sched_host {
	uint32_t size;			/* sizeof(struct hc_sched_host) */
	void *ctx;			/* the host's; pass back unchanged */
	/* One event per line, key=value identifiers; the host prefixes the
	 * plugin's name. */
	void (*log)(const struct hc_sched_host *host, int level,
		    const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	/* The scheduling clock: real time in hcctld, virtual time in the
	 * simulator. Never call time() in a plugin. */
	time_t (*now)(const struct hc_sched_host *host);
	/* 0.2: the node selection policies of libhcsched, so that policy
	 * plugins stay thin and every host (controller, simulator) makes the
	 * same choice. policy: HC_SCHED_SELECT_*; param: the policy's knob
	 * (energy: what an idle awake node is worth, in [0, 1]; others
	 * ignore it). Returns a score in [0, 1], higher preferred. Check
	 * host->size before calling (offsetof past this member). */
	double (*select_score)(const struct hc_sched_host *host, int policy,
			       const struct hc_job_view *job,
			       const struct hc_node_view *node, double param);
};

/* Policies of host->select_score. */
#define HC_SCHED_SELECT_PACK 1		/* best fit */
#define HC_SCHED_SELECT_SPREAD 2	/* least loaded first */
#define HC_SCHED_SELECT_ENERGY 3	/* busy awake nodes first */
#define HC_SCHED_SELECT_AFFINITY 4	/* accelerators that suit the job */

/* ---- the plugin -------------------------------------------------------- */

struct hc_sched_plugin_header {
	uint32_t magic;			/* HC_SCHED_PLUGIN_MAGIC */
	uint16_t abi_major, abi_minor;	/* HC_SCHED_ABI_MAJOR/MINOR */
	uint32_t size;			/* sizeof(struct hc_sched_plugin) */
	const char *name;		/* equal to the file name, less .so */
	const char *description;	/* one line */
};

#define HC_SCHED_PLUGIN_HEADER(name_, desc_)                                \
	{                                                                   \
		.magic = HC_SCHED_PLUGIN_MAGIC,                             \
		.abi_major = HC_SCHED_ABI_MAJOR,                            \
		.abi_minor = HC_SCHED_ABI_MINOR,                            \
		.size = sizeof(struct hc_sched_plugin), .name = (name_),    \
		.description = (desc_),                                     \
	}

struct hc_sched_plugin {
	struct hc_sched_plugin_header header;
	/* Declared parameters (NULL-name terminated), or NULL for none. */
	const struct hc_sched_param *params;

	/* Set up. host is valid until fini; params as described above.
	 * *state is passed to every later hook. 0, or -1 to refuse to load
	 * (after logging why through host->log). */
	int (*init)(const struct hc_sched_host *host,
		    const struct hc_sched_param_value *params, void **state);
	void (*fini)(void *state);

	/* Add this plugin's contribution to the job's priority (higher runs
	 * first) in *factor_out. 0, or HC_SCHED_ERROR with why (the factor
	 * then counts as 0). */
	int (*priority)(void *state, const struct hc_job_view *job,
			double *factor_out, char *why, size_t whylen);

	/* May the job start now? HC_SCHED_YES, or HC_SCHED_NO with the
	 * pending reason in why ("QueueLimit", "AssocGrpCpuLimit", ...). */
	int (*admit)(void *state, const struct hc_job_view *job, char *why,
		     size_t whylen);

	/* May this node host the job? HC_SCHED_YES, or HC_SCHED_NO with why
	 * (shown when no node could be found). Called only for nodes that
	 * have the resources and features the job asks for. */
	int (*filter)(void *state, const struct hc_job_view *job,
		      const struct hc_node_view *node, char *why,
		      size_t whylen);

	/* How much this plugin prefers the node for the job (higher first;
	 * the host sums the scores of all plugins, ties go to lower weight,
	 * then to the lower index). 0, or HC_SCHED_ERROR (score 0). */
	int (*score)(void *state, const struct hc_job_view *job,
		     const struct hc_node_view *node, double *score);
};

#endif
