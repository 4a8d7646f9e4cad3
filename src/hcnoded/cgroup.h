/*
 * cgroup: job confinement. One directory per job and controller,
 *	<CgroupRoot>/<controller>/<CgroupPrefix>/<node>/job_<id>	(v1)
 *	<CgroupRoot>/<CgroupPrefix>/<node>/job_<id>			(v2)
 * freezer/pids to find and kill every process (a double-forked daemon stays
 * in its cgroup), memory (limit, peak, OOM kills), cpuset (the allocated
 * CPUs, virtual CPUs of an emulated topology mapped onto the real ones) and
 * devices (only the allocated GPUs' minors of the NVIDIA major).
 *
 * Without root or a usable hierarchy the mode is "none": jobs are tracked by
 * their process group only, and that is logged at start-up.
 */
#ifndef HC_CGROUP_H
#define HC_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hc_err.h"

enum cgroup_mode { CGROUP_NONE, CGROUP_V1, CGROUP_V2 };

struct cgroup_limits {
	uint64_t mem_mb;	/* 0 = no limit */
	const int *cpu_ids;	/* the node's logical CPUs allocated */
	size_t ncpus;
	const int *gpu_ids;	/* allocated GPUs: the node's indices */
	size_t ngpus;
	size_t node_gpus;	/* GPUs of the node, indices 0..n-1 */
};

struct cgroup;

/* Set up the node subtree, removing empty leftovers of a previous run.
 * virt_cpus is the CPU count of the (maybe emulated) topology, node_gpus
 * its GPU count (none: no devices cgroup for jobs) and gpu_minors their
 * NVIDIA device minors by index (copied; NULL: the index). Logs the mode
 * line. Never fails: a host without cgroups gets CGROUP_NONE. */
struct cgroup *cgroup_create(const char *root, const char *prefix,
			     const char *node, unsigned virt_cpus,
			     size_t node_gpus, const unsigned *gpu_minors);
void cgroup_destroy(struct cgroup *cg);	/* NULL ok */
enum cgroup_mode cgroup_mode(const struct cgroup *cg);

int cgroup_job_create(struct cgroup *cg, uint32_t job_id,
		      const struct cgroup_limits *lim, struct hc_err *err);
/* Move pid into the job's cgroups. Async-signal-safe enough for a child
 * between fork and exec (no allocation). */
int cgroup_job_attach(const struct cgroup *cg, uint32_t job_id, pid_t pid);
/* Send sig to every process of the job; returns how many were signalled
 * (-1 when the mode is none). */
int cgroup_job_signal(const struct cgroup *cg, uint32_t job_id, int sig);
/* SIGKILL every process: freeze, kill, thaw, until empty (bounded).
 * Returns the number of processes left (0 on success). */
int cgroup_job_kill_all(const struct cgroup *cg, uint32_t job_id);
/* Whether a job's cgroup lets it open only its own GPUs (v1 devices
 * controller, v2 device program): then the GPU runtimes see only those. */
bool cgroup_devices_confined(const struct cgroup *cg);
/* Number of processes in the job (0 when empty or mode none). */
int cgroup_job_count(const struct cgroup *cg, uint32_t job_id);
/* Peak memory (KiB) and whether the OOM killer fired. */
void cgroup_job_stats(const struct cgroup *cg, uint32_t job_id,
		      uint64_t *max_rss_kb, int *oom);
/* The real CPU a (maybe emulated) node CPU runs on, for binding tasks:
 * virtual CPU v maps to the v-th real one, modulo their number. */
int cgroup_real_cpu(const struct cgroup *cg, int v);
/* rmdir the job's directories (after its processes are gone). */
int cgroup_job_remove(const struct cgroup *cg, uint32_t job_id);

#endif
