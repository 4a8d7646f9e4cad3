/*
 * cgroup: job confinement under cgroup v1 (hybrid hosts: the path built and
 * tested first) or v2 (a full cgroup2 hierarchy). See cgroup.h.
 *
 * v1 device rules: a job's devices cgroup starts from its parent's list
 * (everything allowed); with that default, an allow rule only removes an
 * identical deny, so the job's unallocated GPU minors are denied one by one
 * rather than denying the major and allowing some minors back.
 *
 * v2 device rules: cgroup v2 has no devices controller; an eBPF program
 * attached to the job's cgroup refuses the GPU minors the job was not
 * given (cgroup_bpf.c). Where none can be loaded and attached (a kernel
 * without cgroup BPF, an ancestor's program attached without
 * BPF_F_ALLOW_MULTI), the agent says so at start-up and jobs run without
 * device isolation.
 *
 * v1 cpusets and scheduling domains: a cpuset is born with
 * sched_load_balance=1, and the kernel rebuilds the scheduling domains of
 * the whole machine whenever such a cpuset gets its CPUs and again when it
 * is removed -- a walk over every cpuset of the host under the cpuset
 * lock, twice per job. When the top cpuset balances (its
 * sched_load_balance is 1, the default), every CPU is already in one
 * balanced domain and a job cpuset's own flag changes nothing (the
 * kernel's cgroup-v1/cpusets.rst, "sched_load_balance"), so a job's cpuset
 * is switched to 0 while it is still empty: no rebuild then, nor at the
 * job's cpus write or at its rmdir. The job is confined to its CPUs and
 * balanced across them exactly as before.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_bpf.h"
#include "cgroup_io.h"
#include "log.h"

#define NVIDIA_MAJOR 195
#define CGROUP2_MAGIC 0x63677270

static const char *const v1_ctrls[] = { "freezer", "pids", "memory",
	"cpuset", "devices" };
#define NCTRL (sizeof(v1_ctrls) / sizeof(v1_ctrls[0]))

struct cgroup {
	enum cgroup_mode mode;
	char root[PATH_MAX / 4];
	char prefix[128];
	char node[128];
	int have[NCTRL];	/* v1 controllers mounted */
	int *real_cpus;
	size_t nreal;
	unsigned virt;
	char mems[64];
	bool cpuset_nobalance;	/* v1: job cpusets get sched_load_balance=0
				   (see the top of this file) */
	unsigned *gpu_minors;	/* the node's GPUs' device minors, or NULL */
	bool dev_bpf;		/* v2: device programs load here */
	char dev_why[HC_ERR_TEXT];	/* v2: why not, when the node has GPUs */
};

/* <root>[/<ctrl>]/<prefix>/<node>[/job_<id>] into buf. */
static void
cg_path(const struct cgroup *cg, const char *ctrl, uint32_t job_id,
	char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s%s/%s/%s", cg->root, ctrl ? "/" : "",
			 ctrl ? ctrl : "", cg->prefix, cg->node);
	if (job_id && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "/job_%u", job_id);
}

static int
cg_write_at(const struct cgroup *cg, const char *ctrl, uint32_t job_id,
	    const char *file, const char *val)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];

	cg_path(cg, ctrl, job_id, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return cgio_write(path, val);
}

static void
cg_real_cpus(struct cgroup *cg)
{
	char path[PATH_MAX], buf[1024] = "";
	cpu_set_t set;

	if (cg->mode == CGROUP_V1)
		snprintf(path, sizeof(path), "%s/cpuset/cpuset.cpus", cg->root);
	else
		snprintf(path, sizeof(path), "%s/cpuset.cpus.effective",
			 cg->root);
	if (cg->mode != CGROUP_NONE && cgio_read(path, buf, sizeof(buf)) > 0 &&
	    cgio_list_parse(buf, &cg->real_cpus, &cg->nreal) == 0 &&
	    cg->nreal)
		goto mems;
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	cg->real_cpus = hc_calloc(CPU_SETSIZE, sizeof(int));
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			cg->real_cpus[cg->nreal++] = i;
mems:
	if (cg->mode == CGROUP_V1)
		snprintf(path, sizeof(path), "%s/cpuset/cpuset.mems", cg->root);
	else
		snprintf(path, sizeof(path), "%s/cpuset.mems.effective",
			 cg->root);
	if (cgio_read(path, cg->mems, sizeof(cg->mems)) <= 0)
		snprintf(cg->mems, sizeof(cg->mems), "0");
}

static enum cgroup_mode
cg_detect(struct cgroup *cg)
{
	char path[PATH_MAX], buf[256] = "";
	struct statfs sfs;
	int any = 0;

	if (geteuid() != 0 || statfs(cg->root, &sfs) < 0)
		return CGROUP_NONE;
	if ((unsigned long)sfs.f_type == CGROUP2_MAGIC) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", cg->root);
		return cgio_read(path, buf, sizeof(buf)) > 0 &&
		       strstr(buf, "memory") ? CGROUP_V2 : CGROUP_NONE;
	}
	for (size_t i = 0; i < NCTRL; i++) {
		snprintf(path, sizeof(path), "%s/%s/cgroup.procs", cg->root,
			 v1_ctrls[i]);
		cg->have[i] = access(path, W_OK) == 0;
		any |= cg->have[i];
	}
	return any && (cg->have[0] || cg->have[1]) ? CGROUP_V1 : CGROUP_NONE;
}

/* mkdir -p the node subtree; cpuset parents get cpus/mems first. */
static int
cg_make_subtree(struct cgroup *cg, const char *ctrl)
{
	static const char *const cpuset_files[] = { "cpuset.cpus",
		"cpuset.mems" };
	const char *sl = ctrl ? "/" : "", *c = ctrl ? ctrl : "";
	char lvl[3][PATH_MAX], buf[256];

	snprintf(lvl[0], sizeof(lvl[0]), "%s%s%s", cg->root, sl, c);
	snprintf(lvl[1], sizeof(lvl[1]), "%s%s%s/%s", cg->root, sl, c,
		 cg->prefix);
	snprintf(lvl[2], sizeof(lvl[2]), "%s%s%s/%s/%s", cg->root, sl, c,
		 cg->prefix, cg->node);
	for (int l = 1; l < 3; l++) {
		if (!ctrl)
			cgio_write_in(lvl[l - 1], "cgroup.subtree_control",
				      "+memory +cpuset +pids");
		if (mkdir(lvl[l], 0755) < 0 && errno != EEXIST)
			return -1;
		for (int i = 0; ctrl && strcmp(ctrl, "cpuset") == 0 && i < 2;
		     i++) {
			char src[PATH_MAX + 32];
			if (snprintf(src, sizeof(src), "%s/%s", lvl[l - 1],
				     cpuset_files[i]) < (int)sizeof(src) &&
			    cgio_read(src, buf, sizeof(buf)) > 0)
				cgio_write_in(lvl[l], cpuset_files[i], buf);
		}
	}
	if (!ctrl)
		cgio_write_in(lvl[2], "cgroup.subtree_control",
			      "+memory +cpuset +pids");
	return 0;
}

static void cg_reap_leftovers(struct cgroup *cg);

/* Remove job_* directories left by a previous run (emptied by
 * cg_reap_leftovers() first). */
static void
cg_sweep(struct cgroup *cg, const char *ctrl)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	cg_path(cg, ctrl, 0, dir, sizeof(dir));
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		char sub[PATH_MAX + 300];
		if (strncmp(de->d_name, "job_", 4) != 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (cgio_count_procs(sub) == 0 && rmdir(sub) == 0)
			hc_log(HC_LOG_INFO, "cgroup=%s removed (leftover)", sub);
		else
			hc_log(HC_LOG_WARN, "cgroup=%s left from a previous "
			       "run still has processes; kept", sub);
	}
	closedir(d);
}

static void
cg_log_mode(const struct cgroup *cg)
{
	char ctrls[128] = "";
	bool mapped = cg->virt > cg->nreal;

	for (size_t i = 0; cg->mode == CGROUP_V1 && i < NCTRL; i++)
		if (cg->have[i])
			snprintf(ctrls + strlen(ctrls),
				 sizeof(ctrls) - strlen(ctrls), "%s%s",
				 ctrls[0] ? "," : "", v1_ctrls[i]);
	if (cg->mode == CGROUP_V2)
		snprintf(ctrls, sizeof(ctrls), "memory,cpuset,pids%s",
			 cg->dev_bpf ? ",devices(bpf)" : "");
	hc_log(cg->dev_why[0] ? HC_LOG_WARN : HC_LOG_INFO,
	       "mode cgroup=%s controllers=%s cpus=%u real_cpus=%zu "
	       "cpu_map=%s%s%s%s%s",
	       cg->mode == CGROUP_V1 ? "v1" : cg->mode == CGROUP_V2 ? "v2" :
	       "none", ctrls[0] ? ctrls : "-", cg->virt, cg->nreal,
	       mapped ? "modulo" : "identity",
	       cg->mode == CGROUP_NONE ? " (no confinement: jobs are "
	       "tracked by process group; run as root on a cgroup host)" : "",
	       cg->dev_why[0] ? " (no device isolation: every job may open "
	       "every GPU; " : "", cg->dev_why, cg->dev_why[0] ? ")" : "");
}

struct cgroup *
cgroup_create(const char *root, const char *prefix, const char *node,
	      unsigned virt_cpus, size_t node_gpus,
	      const unsigned *gpu_minors)
{
	struct cgroup *cg = hc_calloc(1, sizeof(*cg));

	snprintf(cg->root, sizeof(cg->root), "%s",
		 root && *root ? root : "/sys/fs/cgroup");
	snprintf(cg->prefix, sizeof(cg->prefix), "%s",
		 prefix && *prefix ? prefix : "hc");
	snprintf(cg->node, sizeof(cg->node), "%s", node);
	cg->virt = virt_cpus;
	if (gpu_minors && node_gpus) {
		cg->gpu_minors = hc_calloc(node_gpus, sizeof(*gpu_minors));
		memcpy(cg->gpu_minors, gpu_minors,
		       node_gpus * sizeof(*gpu_minors));
	}
	cg->mode = cg_detect(cg);
	for (size_t i = 0; cg->mode == CGROUP_V1 && i < NCTRL; i++) {
		if (cg->have[i] && cg_make_subtree(cg, v1_ctrls[i]) < 0) {
			hc_log(HC_LOG_WARN, "cgroup %s: cannot create %s/%s: "
			       "%s", v1_ctrls[i], cg->prefix, cg->node,
			       strerror(errno));
			cg->have[i] = 0;
		}
	}
	if (cg->mode == CGROUP_V2 && cg_make_subtree(cg, NULL) < 0)
		cg->mode = CGROUP_NONE;
	cg_reap_leftovers(cg);
	if (cg->mode == CGROUP_V2)
		cg_sweep(cg, NULL);
	for (size_t i = 0; cg->mode == CGROUP_V1 && i < NCTRL; i++)
		if (cg->have[i])
			cg_sweep(cg, v1_ctrls[i]);
	/* A node without accelerators has nothing to hide: a job's devices
	 * list would be its parent's (everything allowed), so its jobs
	 * skip that controller (a mkdir, two writes and an rmdir fewer per
	 * job). Leftovers there were swept above. */
	if (cg->mode == CGROUP_V1 && node_gpus == 0)
		cg->have[4] = 0;	/* devices */
	if (cg->mode == CGROUP_V2 && node_gpus > 0) {
		struct hc_err err = { 0 };
		char dir[PATH_MAX];

		cg_path(cg, NULL, 0, dir, sizeof(dir));
		cg->dev_bpf = cgbpf_probe(dir, &err) == 0;
		if (!cg->dev_bpf)
			snprintf(cg->dev_why, sizeof(cg->dev_why), "%s",
				 err.text);
	}
	cg_real_cpus(cg);
	if (cg->mode == CGROUP_V1 && cg->have[3]) {
		char path[PATH_MAX + 64], buf[16] = "";

		snprintf(path, sizeof(path),
			 "%s/cpuset/cpuset.sched_load_balance", cg->root);
		cg->cpuset_nobalance = cgio_read(path, buf, sizeof(buf)) > 0 &&
				       buf[0] == '1';
	}
	cg_log_mode(cg);
	return cg;
}

void
cgroup_destroy(struct cgroup *cg)
{
	if (!cg)
		return;
	free(cg->real_cpus);
	free(cg->gpu_minors);
	free(cg);
}

enum cgroup_mode
cgroup_mode(const struct cgroup *cg)
{
	return cg->mode;
}

bool
cgroup_devices_confined(const struct cgroup *cg)
{
	return cg && ((cg->mode == CGROUP_V1 && cg->have[4]) ||
		      (cg->mode == CGROUP_V2 && cg->dev_bpf));
}

/* cpuset.cpus text for the allocated virtual CPUs: i -> real[i % nreal]. */
static void
cg_cpus_text(const struct cgroup *cg, const struct cgroup_limits *lim,
	     char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < lim->ncpus && cg->nreal && off < len; i++) {
		int c = lim->cpu_ids[i] < 0 ? 0 : lim->cpu_ids[i];
		off += (size_t)snprintf(buf + off, len - off, "%s%d",
					off ? "," : "",
					cg->real_cpus[(size_t)c % cg->nreal]);
	}
}

/* The device minor of the node's GPU m. */
static unsigned
cg_gpu_minor(const struct cgroup *cg, size_t m)
{
	return cg->gpu_minors ? cg->gpu_minors[m] : (unsigned)m;
}

/* Whether the node's GPU m is one of the job's. */
static bool
cg_gpu_mine(const struct cgroup_limits *lim, size_t m)
{
	for (size_t k = 0; k < lim->ngpus; k++)
		if ((size_t)lim->gpu_ids[k] == m)
			return true;
	return false;
}

static int
cg_job_limits(const struct cgroup *cg, uint32_t id,
	      const struct cgroup_limits *lim)
{
	char val[4096], cpus[4096];
	bool v1 = cg->mode == CGROUP_V1;

	cg_cpus_text(cg, lim, cpus, sizeof(cpus));
	if (cpus[0] && (!v1 || cg->have[3])) {
		if (v1 && cg->cpuset_nobalance)	/* before its cpus */
			cg_write_at(cg, "cpuset", id,
				    "cpuset.sched_load_balance", "0");
		cg_write_at(cg, v1 ? "cpuset" : NULL, id, "cpuset.mems",
			    cg->mems);
		if (cg_write_at(cg, v1 ? "cpuset" : NULL, id, "cpuset.cpus",
				cpus) < 0)
			return -1;
	}
	if (lim->mem_mb && (!v1 || cg->have[2])) {
		snprintf(val, sizeof(val), "%llu",
			 (unsigned long long)lim->mem_mb << 20);
		if (cg_write_at(cg, v1 ? "memory" : NULL, id,
				v1 ? "memory.limit_in_bytes" : "memory.max",
				val) < 0)
			return -1;
		if (v1)	/* memsw only where swap accounting exists */
			cg_write_at(cg, "memory", id,
				    "memory.memsw.limit_in_bytes", val);
		else
			cg_write_at(cg, NULL, id, "memory.swap.max", "0");
	}
	if (!v1 || !cg->have[4])
		return 0;
	cg_write_at(cg, "devices", id, "devices.allow", "a *:* rwm");
	for (size_t m = 0; m < lim->node_gpus; m++) {
		if (cg_gpu_mine(lim, m))
			continue;
		snprintf(val, sizeof(val), "c %d:%u rwm", NVIDIA_MAJOR,
			 cg_gpu_minor(cg, m));
		if (cg_write_at(cg, "devices", id, "devices.deny", val) < 0)
			return -1;
	}
	return 0;
}

/* v2: refuse the node's GPU minors that are not the job's. A job given
 * every GPU gets no program. */
static int
cg_job_devices_v2(const struct cgroup *cg, uint32_t id,
		  const struct cgroup_limits *lim, struct hc_err *err)
{
	char dir[PATH_MAX];
	uint32_t *deny;
	size_t n = 0;
	int rc = 0;

	if (lim->node_gpus == 0)
		return 0;
	deny = hc_calloc(lim->node_gpus, sizeof(*deny));
	for (size_t m = 0; m < lim->node_gpus; m++)
		if (!cg_gpu_mine(lim, m))
			deny[n++] = cg_gpu_minor(cg, m);
	cg_path(cg, NULL, id, dir, sizeof(dir));
	if (n && cgbpf_deny_minors(dir, NVIDIA_MAJOR, deny, n, err) < 0)
		rc = hc_err_prefix(err, "job_%u: ", id);
	free(deny);
	return rc;
}

int
cgroup_job_create(struct cgroup *cg, uint32_t job_id,
		  const struct cgroup_limits *lim, struct hc_err *err)
{
	char path[PATH_MAX];

	if (cg->mode == CGROUP_NONE)
		return 0;
	for (size_t i = 0; i < NCTRL; i++) {
		const char *ctrl = cg->mode == CGROUP_V1 ? v1_ctrls[i] : NULL;
		if (cg->mode == CGROUP_V1 && !cg->have[i])
			continue;
		cg_path(cg, ctrl, job_id, path, sizeof(path));
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return hc_err_set(err, HC_EIO, "cgroup %s: %s", path,
					  strerror(errno));
		if (!ctrl)
			break;
	}
	if (cg_job_limits(cg, job_id, lim) < 0)
		return hc_err_set(err, HC_EIO, "cgroup job_%u: cannot set "
				  "limits: %s", job_id, strerror(errno));
	if (cg->mode == CGROUP_V2 && cg->dev_bpf)
		return cg_job_devices_v2(cg, job_id, lim, err);
	return 0;
}

int
cgroup_job_attach(const struct cgroup *cg, uint32_t job_id, pid_t pid)
{
	char val[32];
	int rc = 0;

	snprintf(val, sizeof(val), "%d", (int)pid);
	if (cg->mode == CGROUP_V2)
		return cg_write_at(cg, NULL, job_id, "cgroup.procs", val);
	for (size_t i = 0; cg->mode == CGROUP_V1 && i < NCTRL; i++)
		if (cg->have[i] && cg_write_at(cg, v1_ctrls[i], job_id,
					       "cgroup.procs", val) < 0)
			rc = -1;
	return rc;
}

/* The directory whose cgroup.procs lists the job's processes. */
static int
cg_procs_dir(const struct cgroup *cg, uint32_t job_id, char *buf, size_t len)
{
	if (cg->mode == CGROUP_NONE)
		return -1;
	for (size_t i = 0; cg->mode == CGROUP_V1 && i < NCTRL; i++)
		if (cg->have[i]) {
			cg_path(cg, v1_ctrls[i], job_id, buf, len);
			return 0;
		}
	cg_path(cg, NULL, job_id, buf, len);
	return 0;
}

int
cgroup_job_signal(const struct cgroup *cg, uint32_t job_id, int sig)
{
	char dir[PATH_MAX];

	if (cg_procs_dir(cg, job_id, dir, sizeof(dir)) < 0)
		return -1;
	return cgio_signal_procs(dir, sig);
}

int
cgroup_job_count(const struct cgroup *cg, uint32_t job_id)
{
	char dir[PATH_MAX];

	if (cg_procs_dir(cg, job_id, dir, sizeof(dir)) < 0)
		return 0;
	return cgio_count_procs(dir);
}

int
cgroup_job_kill_all(const struct cgroup *cg, uint32_t job_id)
{
	char dir[PATH_MAX];
	int left = 0;

	if (cg_procs_dir(cg, job_id, dir, sizeof(dir)) < 0)
		return 0;
	/* Nothing left (the usual end of a job): no freezing. An empty
	 * cgroup cannot gain a process but by a write from root, and
	 * freezing is dear: the kernel's first frozen cgroup patches code on
	 * every CPU, and the last thawed one patches it back. */
	if (cgio_count_procs(dir) <= 0)
		return 0;
	for (int round = 0; round < 20; round++) {
		if (cg->mode == CGROUP_V2) {
			cg_write_at(cg, NULL, job_id, "cgroup.kill", "1");
		} else if (cg->have[0]) {
			/* Frozen processes cannot fork while we walk the
			 * list; SIGKILL is delivered once thawed. */
			cg_write_at(cg, "freezer", job_id, "freezer.state",
				    "FROZEN");
			cgio_signal_procs(dir, SIGKILL);
			cg_write_at(cg, "freezer", job_id, "freezer.state",
				    "THAWED");
		} else {
			cgio_signal_procs(dir, SIGKILL);
		}
		if ((left = cgio_count_procs(dir)) <= 0)
			return 0;
		usleep(5000);
	}
	return left;
}

/* Jobs of an earlier run of the agent are not ours any more: the
 * controller ends them when we register without them, and frees their
 * resources. Whatever still runs in their cgroups would go on using what it
 * believes free, so it is frozen and killed, loudly. */
static void
cg_reap_leftovers(struct cgroup *cg)
{
	char dir[PATH_MAX];
	struct dirent *de;
	unsigned id;
	DIR *d;

	if (cg_procs_dir(cg, 0, dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		char sub[PATH_MAX + 300];
		int n = 0, procs, left;

		if (sscanf(de->d_name, "job_%u%n", &id, &n) != 1 ||
		    de->d_name[n] != '\0')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if ((procs = cgio_count_procs(sub)) <= 0)
			continue;
		hc_log(HC_LOG_WARN, "job=%u left running by an earlier run of "
		       "the agent (%d processes in %s): killing them, the "
		       "controller no longer counts them", id, procs, sub);
		if ((left = cgroup_job_kill_all(cg, id)) > 0)
			hc_log(HC_LOG_ERR, "job=%u %d leftover processes "
			       "survive SIGKILL", id, left);
	}
	closedir(d);
}

void
cgroup_job_stats(const struct cgroup *cg, uint32_t job_id,
		 uint64_t *max_rss_kb, int *oom)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], buf[4096];
	const char *p;
	bool v1 = cg->mode == CGROUP_V1;

	*max_rss_kb = 0;
	*oom = 0;
	if (cg->mode == CGROUP_NONE || (v1 && !cg->have[2]))
		return;
	cg_path(cg, v1 ? "memory" : NULL, job_id, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir,
		 v1 ? "memory.max_usage_in_bytes" : "memory.peak");
	if (cgio_read(path, buf, sizeof(buf)) > 0)
		*max_rss_kb = strtoull(buf, NULL, 10) / 1024;
	snprintf(path, sizeof(path), "%s/%s", dir,
		 v1 ? "memory.oom_control" : "memory.events");
	if (cgio_read(path, buf, sizeof(buf)) > 0 &&
	    (p = strstr(buf, "oom_kill ")))
		*oom = strtol(p + 9, NULL, 10) > 0;
}

int
cgroup_job_remove(const struct cgroup *cg, uint32_t job_id)
{
	char path[PATH_MAX];
	int rc = 0;

	if (cg->mode == CGROUP_V2) {
		cg_path(cg, NULL, job_id, path, sizeof(path));
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	}
	for (size_t i = 0; cg->mode == CGROUP_V1 && i < NCTRL; i++) {
		if (!cg->have[i])
			continue;
		cg_path(cg, v1_ctrls[i], job_id, path, sizeof(path));
		if (rmdir(path) < 0 && errno != ENOENT) {
			hc_log(HC_LOG_WARN, "job=%u cgroup=%s rmdir: %s",
			       job_id, path, strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

int
cgroup_real_cpu(const struct cgroup *cg, int v)
{
	if (!cg || !cg->nreal || v < 0)
		return v;
	return cg->real_cpus[(size_t)v % cg->nreal];
}
