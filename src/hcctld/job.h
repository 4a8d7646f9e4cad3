/*
 * job: one job as the controller keeps it in memory.
 *
 * Compact on purpose: 12,000 of these must fit with everything else in well
 * under 100 MB. The batch script and the environment are NOT kept here; they
 * live in STATE_DB_SCRIPTS and are read back only to build JOB_LAUNCH.
 * Strings are malloc'ed and owned by the job (NULL when unset).
 */
#ifndef JOB_H
#define JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sched.h"

struct node;
struct depend;
struct array_set;

/* One node of a job's allocation. */
struct job_node {
	char *name;		/* owned; kept even if the node leaves hc.conf */
	struct node *node;	/* resolved on load/alloc; NULL if unknown */
	uint32_t ncpus;
	uint32_t *cpu_ids;	/* owned, ncpus entries */
	uint64_t mem_mb;
	uint32_t ngpus;
	uint32_t *gpu_ids;	/* owned, ngpus entries */
	bool ended;		/* this node's part is over (released) */
	bool held;		/* resources are held in the node table */
	char *compute_id;	/* owned: the node's compute id at launch
				   (identity.h), NULL if none */
};

/* A job's use of one cloud pool, over all its runs (power_job.c). */
struct job_cloud {
	char *pool;		/* owned */
	char *nodes;		/* owned: its nodes that ran it, ranged */
	double node_hours, cost;
};

enum job_open_mode { JOB_OPEN_DEFAULT, JOB_OPEN_APPEND, JOB_OPEN_TRUNCATE };
enum job_hold { JOB_HOLD_NONE, JOB_HOLD_USER, JOB_HOLD_ADMIN };

struct job {
	uint32_t id;
	char *name;
	uint32_t uid, gid;
	char *user, *group;
	char *queue;
	uint32_t queue_index;	/* into conf->queues: bit in node queue_mask */
	char *account;
	char *qos;		/* the QOS it runs under (accounts.h) */
	uint8_t state;		/* enum job_state */
	uint8_t hold;		/* enum job_hold */
	uint8_t open_mode;	/* enum job_open_mode */
	uint8_t final_state;	/* COMPLETING: the state it ends in */
	bool exclusive, requeue;
	bool cancelling;	/* a cancel was sent: ends CANCELLED */
	bool requeueing;	/* a requeue was asked: PENDING when it ends */
	bool oom, timed_out, has_exit;
	bool interactive;	/* hcalloc/hcrun: no script, held until
				   ALLOC_RELEASE (steps_alloc.c) */
	time_t alive_at;	/* interactive: its owner's last ALLOC_ALIVE
				   (memory only; 0: not yet seen) */
	char reason[SCHED_REASON_LEN];

	time_t submit_time, eligible_time, start_time, end_time, begin_time;
	long time_limit;	/* minutes; -1 unlimited */
	uint32_t nodes_min, nodes_max, ntasks, cpus_per_task, ntasks_per_node;
	uint64_t mem_per_node_mb;	/* resolved (DefMemPerCPU x CPUs) */
	uint64_t mem_per_cpu_mb;
	char *gres;		/* "gpu:h100:2" as asked, or NULL */
	uint32_t gpus_per_node;
	char gpu_type[32];
	uint32_t gpus_per_task;
	char *constraint;
	int sig_num, sig_secs;	/* --signal=[B:]SIG@secs */
	bool sig_batch_only;
	int nice;
	uint32_t admin_priority;
	double priority;	/* from the last pass */
	struct sched_prio_factors prio_factors;	/* idem, by factor */
	uint32_t restart_count;

	char *comment, *cwd, *out, *err, *in;
	char *command;		/* script's first line or --wrap text */

	struct job_node *alloc;	/* nalloc entries; alloc[0] runs the script */
	uint32_t nalloc;
	char *nodelist;		/* hostlist_ranged of the allocation */
	/* Cloud pool nodes that ran it, added at the end of each run
	 * (power_job.c): the pools ("a,b"), nodes and totals over all its
	 * runs, and the same per pool. */
	char *cloud_pool, *cloud_nodes;
	double cloud_node_hours, cloud_cost;
	struct job_cloud *cloud_use;	/* owned, ncloud_use entries */
	uint32_t ncloud_use;
	int exit_status;	/* wait(2) status, valid if has_exit */
	uint64_t max_rss_kb;
	struct depend *dep;	/* owned: the remaining dependency, NULL
				   when none (jobs_depend.c) */
	bool kill_on_invalid_dep;
	struct array_set *array;	/* owned: an array record's pending
					   tasks (jobs_array.h); else NULL */
	struct array_set *array_held;	/* owned: an array record's held
					   pending tasks, [0] by their owner,
					   [1] by an admin; NULL if none */
	char *array_spec;	/* owned: --array as asked; NULL if none */
	uint32_t array_throttle;	/* the record's throttle, kept when it
					   becomes its array's last task */
	uint32_t array_failed;	/* the record's count of its tasks that
				   ended other than COMPLETED */
	uint64_t array_pass;	/* the pass array_pass_left counts for */
	uint32_t array_pass_left;	/* throttle slots left (jobs_array.c) */
	uint32_t array_job_id;	/* a task's array; 0: not an array task */
	uint32_t array_task_id;
	uint64_t gen;		/* bumped by every jobs_save: a scheduling
				   decision planned on another is dropped */
	/* The last pass's plan for a pending job (memory only): */
	time_t plan_start;	/* planned start, 0 = none */
	char *plan_nodes;	/* owned: its planned nodes, ranged, or NULL */
	uint32_t *plan_idx;	/* owned: the same nodes as node table indices
				   (nodes_at), nplan_idx of them, or NULL;
				   the next pass's promised_nodes while
				   plan_gen and plan_epoch still hold */
	uint32_t nplan_idx;
	uint64_t plan_gen;	/* j->gen when plan_idx was kept: a job saved
				   since (changed, started, ended) has none */
	uint64_t plan_epoch;	/* nodes_epoch() then: a reconfigured node
				   table renumbers nodes */
	char *reservation;	/* owned: --reservation, NULL if none */
	uint8_t workload;	/* HC_SCHED_WORKLOAD_* (--workload) */
};

#endif
