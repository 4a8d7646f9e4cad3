/*
 * libhcsched: the scheduling core. Links only libhc: no sockets, no LMDB,
 * the clock injected (`now` in every call), so the same code runs in hcctld
 * on real time and in the trace simulator on virtual time.
 *
 * The caller builds views of the nodes and pending jobs (struct sched_node,
 * struct sched_job), calls sched_pass(), and applies the allocations it
 * returns. The pass: priority (plugin hooks) -> order (priority desc, then
 * submit time, then id) -> for each job: admit (plugin hooks, then tree
 * quotas when the host set an account view: sched_account.h) -> place
 * first-fit over the nodes of its queue (filter hooks say why a node cannot
 * be used; score hooks order candidate nodes, default: weight then index) ->
 * reserve the resources in the views, so later jobs see them used.
 * Jobs that cannot start get a pending reason: "Held", "BeginTime", a
 * plugin's admit or filter reason ("QueueLimit", ...), "Resources" (fits
 * once running jobs end), "Priority" (a higher-priority job of the same
 * queue waits on Resources, or the pass's job bound was reached),
 * "ReqNodeNotAvail" (only down/drained nodes could take it),
 * "CloudPoolAccounts:POOL" (only nodes of a cloud pool whose Accounts=
 * leave its account out could take it: sched_job.pool_deny),
 * "BadConstraints" (no node of its queue ever could; hcctld refuses such
 * jobs at submit, this covers nodes removed since).
 *
 * Plugins: see src/include/hc/sched_plugin.h (the installed ABI).
 */
#ifndef HC_SCHED_H
#define HC_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hc/sched_plugin.h"
#include "hc_err.h"
#include "priority.h"

#define SCHED_MAX_GPUS 64	/* per node */
#define SCHED_MAX_CPUS 4096	/* per node */
#define SCHED_REASON_LEN 96

struct sched_gpu {
	char type[32];		/* "h100" */
	bool used;		/* allocated to a job (in/out of sched_pass) */
	struct hc_accel_view caps;	/* capability figures (select.h);
					 * zero = unknown */
};

struct sched_node {
	const char *name;	/* borrowed from the caller */
	uint32_t index;		/* caller's index, echoed in allocations */
	bool usable;		/* up, registered, not drained/down (and
				 * cpu_used non-NULL, gpu_count in range) */
	long weight;
	uint32_t cpus;		/* total logical CPUs */
	uint8_t *cpu_used;	/* cpus entries, 1 = allocated (caller owns) */
	uint64_t mem_mb;	/* RealMemory */
	uint64_t mem_used_mb;
	uint32_t gpu_count;
	struct sched_gpu gpus[SCHED_MAX_GPUS];
	const char *const *features;	/* NULL-terminated, borrowed */
	uint32_t running_jobs;	/* jobs with an allocation here */
	bool exclusive_used;	/* an exclusive job holds it */
	uint64_t queue_mask;	/* bit q set: node in queue q */
	uint32_t power_flags;	/* HC_SCHED_NODE_POWERED_DOWN, ... */
	bool cloud;		/* a cloud pool's node: jobs with no_cloud
				 * are never placed on it */
	uint32_t pool;		/* 1 + its cloud pool's index (1..64), 0 =
				 * none: jobs with bit pool - 1 of pool_deny
				 * are never placed on it */
	const char *pool_name;	/* that pool's name (borrowed, NULL ok), for
				 * the reason CloudPoolAccounts:POOL */
};

struct sched_job {
	uint32_t id;
	uint32_t uid;
	time_t submit_time;
	time_t begin_time;	/* 0 = now */
	uint32_t queue;		/* queue index (bit in sched_node.queue_mask) */
	bool held;
	int nice;
	uint32_t admin_priority;	/* 0 = unset; set, it is the priority
					 * (the plugins' factors are ignored) */
	uint32_t nodes_min, nodes_max;	/* nodes_max 0 = nodes_min */
	uint32_t ntasks;	/* total tasks (>= 1) */
	uint32_t cpus_per_task;	/* >= 1 */
	uint32_t ntasks_per_node;	/* 0 = unset */
	uint64_t mem_per_node_mb;	/* resolved by the caller */
	uint64_t mem_per_cpu_mb;	/* if set, overrides mem_per_node_mb */
	uint32_t gpus_per_node;	/* from --gres=gpu[:type]:N */
	char gpu_type[32];	/* "" = any */
	const char *constraint;	/* features expression: "a&b", "a|b", NULL;
				 * validate at submit (sched_features_match) */
	bool exclusive;		/* needs empty nodes; gets all CPUs, memory */
	long time_limit;	/* minutes; <= 0 unlimited */
	long time_limit_sec;	/* seconds; > 0 overrides time_limit (the
				 * simulator's traces count seconds) */
	time_t promised;	/* in, planning: the start an earlier pass
				 * planned (its plan_start), 0 = none; a
				 * conservative plan is never later */
	const uint32_t *promised_nodes;	/* in, planning: that plan's nodes
					 * (sched_plan_entry.nodes), borrowed
					 * for the pass; NULL = not kept (the
					 * promise then holds on one node
					 * only) */
	uint32_t npromised_nodes;
	uint32_t assoc;		/* account view node charged (sched_account.h:
				 * index into accts; 0 = root) */
	uint32_t qos;		/* index into the view's qos; SCHED_NONE */
	const char *reservation;	/* --reservation name, NULL = none
					 * (see sched_resv.h) */
	const char *user;	/* user name (borrowed), fair-share's key;
				 * NULL: the uid */
	uint32_t workload;	/* HC_SCHED_WORKLOAD_* (select.h) */
	bool no_cloud;		/* its account's cloud budget cannot take
				 * it (burst_cloud_allow): cloud nodes are
				 * not for it */
	uint64_t pool_deny;	/* bit p: pool p's Accounts= leave its
				 * account out (burst_pool_deny): the
				 * nodes with pool p + 1 are not for it */
	const char *queue_name;	/* borrowed, NULL ok */
	const char *node_select;	/* the queue's NodeSelect=, NULL ok */
	/* out: */
	double priority;
	struct sched_prio_factors factors;	/* priority.h */
	char reason[SCHED_REASON_LEN];	/* "" when the job starts */
	time_t plan_start;	/* planning: planned start, 0 = none */
};

struct sched_alloc_node {
	uint32_t node;		/* sched_node.index */
	uint32_t ncpus;
	uint32_t *cpu_ids;	/* ncpus node-local CPU ids, ascending (owned
				 * by the result) */
	uint64_t mem_mb;
	uint32_t ngpus;
	uint32_t gpu_ids[SCHED_MAX_GPUS];	/* node-local GPU indices */
};

struct sched_alloc {
	uint32_t job;		/* sched_job.id */
	uint32_t nnodes;
	struct sched_alloc_node *nodes;	/* owned by the result */
};

struct sched_result {
	struct sched_alloc *allocs;	/* in start order */
	size_t count;
	size_t cap;
};

struct sched_options {
	const char *plugin_dir;		/* where the NAME.so files live */
	const char *const *plugins;	/* NULL-terminated; NULL = "basic" */
	uint32_t max_jobs_per_pass;	/* 0 = no bound */
	/* SchedulerParameters: "Plugin.Param=value", NULL-terminated, or
	 * NULL. Validated against each plugin's declared table. */
	const char *const *params;
};

struct sched;

/* Load the plugins (dlopen RTLD_NOW|RTLD_LOCAL, ABI checked). An unknown
 * name is an error listing the ones available in plugin_dir. plugin_dir
 * NULL: $HC_SCHED_PLUGIN_DIR if set (tests run from the build tree), else
 * the installed $(pkglibdir). opt and what it points to are only read
 * during the call. */
struct sched *sched_create(const struct sched_options *opt,
			   struct hc_err *err);
void sched_destroy(struct sched *s);	/* NULL ok */

/* Names of loaded plugins, for logs. Borrowed. */
const char *sched_plugin_names(const struct sched *s);

/* One scheduling pass at time `now` over jobs[0..njobs) (pending jobs only)
 * and nodes[0..nnodes). Sets every job's priority and, for jobs that do not
 * start, reason. Appends allocations to res (caller inits to {0} and frees
 * with sched_result_free). Node views are updated as jobs are placed. */
int sched_pass(struct sched *s, struct sched_job *jobs, size_t njobs,
	       struct sched_node *nodes, size_t nnodes, time_t now,
	       struct sched_result *res, struct hc_err *err);
void sched_result_free(struct sched_result *res);

/* Evaluate a features expression ("a&b", "a|b", "a", with & binding tighter
 * than |) against a node's features. Returns 1/0, -1 with err on syntax. */
int sched_features_match(const char *expr, const char *const *features,
			 struct hc_err *err);

#endif
