/*
 * conf_keys: every hc.conf key, one row each, and what a row's type means:
 * how a value is parsed and range-checked, printed back, and freed. The
 * parser (conf.c), `hcctl show config` and doc/hc.conf.5 all follow this
 * table; test_conf checks that the man page names every row.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "billing.h"
#include "conf.h"
#include "hostlist.h"
#include "log.h"
#include "parse.h"

#define G(f) offsetof(struct hc_conf, f)
#define N(f) offsetof(struct conf_node, f)
#define Q(f) offsetof(struct conf_queue, f)
#define P(f) offsetof(struct conf_pool, f)
#define DAY 86400L
#define KEY(n, t, s, lo, hi, d, off, h, ...)                                  \
	{ .name = n, .type = t, .scope = s, .min = lo, .max = hi, .def = d,  \
	  .offset = off, .help = h, __VA_ARGS__ }

const struct conf_key conf_keys[] = {
	/* global keys */
	KEY("ClusterName", CONF_STRING, CONF_GLOBAL, 0, 0, "hc",
	  G(cluster_name), "The name of this cluster, used in accounting."),
	KEY("ControlAddr", CONF_STRING, CONF_GLOBAL, 0, 0, "127.0.0.1",
	  G(control_addr), "The address hcctld listens on and everything "
	  "dials."),
	KEY("ControlPort", CONF_INT, CONF_GLOBAL, 0, 65535, "6817",
	  G(control_port), "The TCP port of hcctld; 0 binds an ephemeral "
	  "port.", .hint = "give a TCP port, or 0 for an ephemeral one"),
	KEY("StateDir", CONF_PATH, CONF_GLOBAL, 0, 0, "/var/lib/hc",
	  G(state_dir), "Where hcctld keeps its LMDB state and keys."),
	KEY("StateMapSize", CONF_SIZE_MB, CONF_GLOBAL, 16, LONG_MAX, "64G",
	  G(state_map_size_mb), "The ceiling the state database may grow "
	  "to."),
	KEY("MungeSocket", CONF_PATH, CONF_GLOBAL, 0, 0, NULL,
	  G(munge_socket), "The munged socket; unset uses munge's default."),
	KEY("SchedulerPlugins", CONF_LIST, CONF_GLOBAL, 0, 0, "basic",
	  G(scheduler_plugins), "The scheduling plugins to load, in order."),
	KEY("SchedulerParameters", CONF_LIST, CONF_GLOBAL, 0, 0, NULL,
	  G(scheduler_params), "Plugin parameters, Plugin.Param=value, "
	  "comma-separated (e.g. pack.Weight=2); each is checked against "
	  "the plugin's declared range."),
	KEY("PluginDir", CONF_PATH, CONF_GLOBAL, 0, 0, NULL, G(plugin_dir),
	  "Where scheduling plugins are found; unset uses the installed "
	  "directory."),
	KEY("AdminUsers", CONF_LIST, CONF_GLOBAL, 0, 0, NULL, G(admin_users),
	  "Users (names or uids) who may act on every job and node; root "
	  "always may."),
	KEY("DefMemPerCPU", CONF_SIZE_MB, CONF_GLOBAL, 0, LONG_MAX, "1024",
	  G(def_mem_per_cpu_mb), "Memory per allocated CPU for jobs that ask "
	  "for none; 0 gives them the whole node's."),
	KEY("DefMemPerGPU", CONF_SIZE_MB, CONF_GLOBAL, 0, LONG_MAX, "0",
	  G(def_mem_per_gpu_mb), "Memory per allocated GPU for GPU jobs that "
	  "ask for none, when that is more than DefMemPerCPU gives them; 0 "
	  "leaves DefMemPerCPU alone."),
	KEY("MinJobAge", CONF_DURATION, CONF_GLOBAL, 0, LONG_MAX, "300",
	  G(min_job_age), "How long a finished job stays visible in hcqueue "
	  "before it moves to the history."),
	KEY("InactiveLimit", CONF_DURATION, CONF_GLOBAL, 0, LONG_MAX, "120",
	  G(inactive_limit), "How long an interactive allocation (hcalloc, "
	  "hcrun outside a job) outlives its owner's process (killed, "
	  "terminal gone) before it is cancelled; 0 never."),
	KEY("JobRetention", CONF_DURATION, CONF_GLOBAL, 0, LONG_MAX, "0",
	  G(job_retention), "How long the job history is kept; 0 keeps it "
	  "for ever."),
	KEY("AuditCheckpointEvery", CONF_INT, CONF_GLOBAL, 0, 100000000,
	  "1000", G(audit_checkpoint_every), "Sign the audit log's head "
	  "into a checkpoint every this many entries (and at shutdown); 0 "
	  "only at shutdown."),
	KEY("Prolog", CONF_PATH, CONF_GLOBAL, 0, 0, NULL, G(prolog),
	  "A program hcnoded runs as root before each job."),
	KEY("Epilog", CONF_PATH, CONF_GLOBAL, 0, 0, NULL, G(epilog),
	  "A program hcnoded runs as root after each job."),
	KEY("HealthCheckProgram", CONF_PATH, CONF_GLOBAL, 0, 0, NULL,
	  G(health_check_program), "A program whose failure drains the node "
	  "with its message."),
	KEY("HealthCheckInterval", CONF_DURATION, CONF_GLOBAL, 0, 7 * DAY, "0",
	  G(health_check_interval), "How often HealthCheckProgram runs; 0 "
	  "never."),
	KEY("NodeTimeout", CONF_DURATION, CONF_GLOBAL, 1, 7 * DAY, "300",
	  G(node_timeout), "How long a silent node stays up before it is "
	  "marked DOWN."),
	KEY("HeartbeatInterval", CONF_DURATION, CONF_GLOBAL, 1, DAY, "30",
	  G(heartbeat_interval), "How often hcnoded reports to hcctld; "
	  "below NodeTimeout, at most a third of it."),
	KEY("KillWait", CONF_DURATION, CONF_GLOBAL, 0, 3600, "30",
	  G(kill_wait), "The grace between SIGTERM and SIGKILL when a job "
	  "ends."),
	KEY("MessageTimeout", CONF_DURATION, CONF_GLOBAL, 1, 3600, "10",
	  G(message_timeout), "How long a peer may take to answer a "
	  "message."),
	KEY("SchedulerInterval", CONF_DURATION, CONF_GLOBAL, 0, 3600, "1",
	  G(sched_interval), "The period of background scheduling passes; 0 "
	  "runs one every tick."),
	KEY("BackfillDepth", CONF_INT, CONF_GLOBAL, 0, 100000000, "100",
	  G(backfill_depth), "How many waiting jobs, in priority order, get a "
	  "planned start that lower jobs may not delay: 0 is FCFS (no "
	  "backfill), 1 is EASY, a depth covering the queue is "
	  "conservative.", .hint = "give 0 (FCFS), 1 (EASY) or more"),
	KEY("BackfillInterval", CONF_DURATION, CONF_GLOBAL, 1, 3600, "30",
	  G(backfill_interval), "The period of planning passes between those "
	  "that job submissions and job ends trigger."),
	KEY("RequeueHold", CONF_BOOL, CONF_GLOBAL, 0, 0, "NO",
	  G(requeue_hold), "Whether requeued jobs are held until released."),
	KEY("AllowRootJobs", CONF_BOOL, CONF_GLOBAL, 0, 0, "NO",
	  G(allow_root_jobs), "Whether jobs may run as root."),
	KEY("KillOnInvalidDep", CONF_BOOL, CONF_GLOBAL, 0, 0, "NO",
	  G(kill_on_invalid_dep), "Whether a job whose dependency can never "
	  "be satisfied is cancelled (hcsub --kill-on-invalid-dep)."),
	KEY("DefaultAccount", CONF_STRING, CONF_GLOBAL, 0, 0, "default",
	  G(default_account), "The account charged for users who have none "
	  "(created when first needed)."),
	KEY("EnforceAccounts", CONF_BOOL, CONF_GLOBAL, 0, 0, "NO",
	  G(enforce_accounts), "Whether submissions from users without an "
	  "account (hcctl create user) are refused instead of charged to "
	  "DefaultAccount."),
	KEY("MaxJobCount", CONF_INT, CONF_GLOBAL, 1, 100000000, "1000000",
	  G(max_job_count), "The most jobs hcctld holds (pending, running "
	  "and not yet aged out).", .hint = "give the most jobs to hold"),
	KEY("MaxJobsPerUser", CONF_INT, CONF_GLOBAL, 0, 100000000, "0",
	  G(max_jobs_per_user), "The most jobs one user may have; 0 sets no "
	  "limit.", .hint = "give a count, or 0 for no limit"),
	KEY("LogFile", CONF_PATH, CONF_GLOBAL, 0, 0, NULL, G(log_file),
	  "Where hcctld logs; unset logs to standard error."),
	KEY("LogLevel", CONF_CHOICE, CONF_GLOBAL, 0, 0, "info", G(log_level),
	  "The least severe level logged.",
	    .choices = "error|warn|info|debug"),
	KEY("SpoolDir", CONF_PATH, CONF_GLOBAL, 0, 0, "/var/spool/hc/%n",
	  G(spool_dir), "hcnoded's working directory; %n is the node name."),
	KEY("TmpDir", CONF_PATH, CONF_GLOBAL, 0, 0, "/tmp", G(tmp_dir),
	  "Where each job's private TMPDIR is made."),
	KEY("CgroupRoot", CONF_PATH, CONF_GLOBAL, 0, 0, "/sys/fs/cgroup",
	  G(cgroup_root), "Where the cgroup hierarchies are mounted."),
	KEY("CgroupPrefix", CONF_STRING, CONF_GLOBAL, 0, 0, "hc",
	  G(cgroup_prefix), "The cgroup directory under which nodes put "
	  "their jobs."),
	KEY("TrustedCA", CONF_PATH, CONF_GLOBAL, 0, 0, NULL, G(trusted_ca),
	  "The cluster CA's certificate (hc-ca init's ca.crt): node agents and "
	  "hcctld accept only peers it issued."),
	KEY("CRLFile", CONF_PATH, CONF_GLOBAL, 0, 0, NULL, G(crl_file),
	  "The CA's revocation list (crl.pem); hcctld reloads it on hcctl "
	  "reconfigure; unset checks no revocation."),
	KEY("ControllerCert", CONF_PATH, CONF_GLOBAL, 0, 0, NULL,
	  G(controller_cert), "hcctld's certificate (hc-ca issue --controller)."),
	KEY("ControllerKey", CONF_PATH, CONF_GLOBAL, 0, 0, NULL,
	  G(controller_key), "hcctld's private key, readable by its owner "
	  "only."),
	KEY("NodeCert", CONF_PATH, CONF_GLOBAL, 0, 0, NULL, G(node_cert),
	  "A node agent's certificate; %n is the node name; unset uses "
	  "node.crt in its SpoolDir."),
	KEY("NodeKey", CONF_PATH, CONF_GLOBAL, 0, 0, NULL, G(node_key),
	  "A node agent's private key, readable by root only; %n is the node "
	  "name; unset uses node.key in its SpoolDir."),
	KEY("ControllerName", CONF_STRING, CONF_GLOBAL, 0, 0, "hcctld",
	  G(controller_name), "The name node agents require in hcctld's "
	  "certificate."),
	KEY("PriorityWeightAge", CONF_INT, CONF_GLOBAL, 0, 1000000000, "0",
	  G(prio_weight_age), "Priority a job gains by waiting "
	  "PriorityMaxAge (hc-priority(7))."),
	KEY("PriorityWeightJobSize", CONF_INT, CONF_GLOBAL, 0, 1000000000,
	  "0", G(prio_weight_jobsize), "Priority of the job-size factor "
	  "(large jobs first, or small with PriorityFavorSmall)."),
	KEY("PriorityWeightQueue", CONF_INT, CONF_GLOBAL, 0, 1000000000, "0",
	  G(prio_weight_queue), "Priority of the queue's PriorityTier, "
	  "relative to the highest tier."),
	KEY("PriorityWeightFairshare", CONF_INT, CONF_GLOBAL, 0, 1000000000,
	  "0", G(prio_weight_fairshare), "Priority of the user's Fair Tree "
	  "fair-share factor."),
	KEY("PriorityWeightQueueFairshare", CONF_INT, CONF_GLOBAL, 0,
	  1000000000, "0", G(prio_weight_queue_fs), "Priority of the queue's "
	  "fair-share factor (its usage against its FairShareWeight)."),
	KEY("PriorityWeightQOS", CONF_INT, CONF_GLOBAL, 0, 1000000000, "0",
	  G(prio_weight_qos), "Priority of the job's QOS Priority, relative "
	  "to the highest QOS priority."),
	KEY("PriorityMaxAge", CONF_DURATION, CONF_GLOBAL, 1, 3650 * DAY,
	  "7d", G(prio_max_age), "The wait after which the age factor "
	  "stops growing."),
	KEY("PriorityFavorSmall", CONF_BOOL, CONF_GLOBAL, 0, 0, "NO",
	  G(prio_favor_small), "Whether the job-size factor favours small "
	  "jobs instead of large ones."),
	KEY("PriorityDecayHalfLife", CONF_DURATION, CONF_GLOBAL, 0,
	  3650 * DAY, "7d", G(prio_decay_half_life), "The time in which "
	  "fair-share usage decays to half; 0 never decays it."),
	KEY("PriorityCalcPeriod", CONF_DURATION, CONF_GLOBAL, 1, DAY, "60",
	  G(prio_calc_period), "How often running jobs are charged to "
	  "fair-share usage and the usage is saved."),
	KEY("BillingWeights", CONF_STRING, CONF_GLOBAL, 0, 0, "cpu=1.0",
	  G(billing_weights), "What a second of each resource costs in "
	  "fair-share usage: cpu=1.0,mem=0.25/G,gpu=8.0 (any resource).",
	  .check = billing_check),

	KEY("MpiDefault", CONF_CHOICE, CONF_GLOBAL, 0, 0, "none",
	  G(mpi_default), "How hcrun starts MPI programs when --mpi is not "
	  "given: none, pmi2 (MPICH) or pmix (Open MPI).",
	    .choices = "none|pmi2|pmix"),
	KEY("MpiRshAgent", CONF_PATH, CONF_GLOBAL, 0, 0, NULL,
	  G(mpi_rsh_agent), "The hc-rsh program jobs get as HC_RSH_AGENT "
	  "for mpirun and mpiexec; unset uses the installed one."),
	KEY("MpiPmixHelper", CONF_PATH, CONF_GLOBAL, 0, 0, NULL,
	  G(mpi_pmix_helper), "The hc-pmix helper hcnoded starts for each "
	  "hcrun --mpi=pmix step; unset uses the installed one."),

	/* Power saving (on-premise nodes with PowerSave=YES) */
	KEY("ResumeProgram", CONF_PATH, CONF_GLOBAL, 0, 0, NULL,
	  G(resume_program), "The program that powers PowerSave nodes on, "
	  "given their names as a hostlist (hc.conf(5) POWER PROGRAMS)."),
	KEY("SuspendProgram", CONF_PATH, CONF_GLOBAL, 0, 0, NULL,
	  G(suspend_program), "The program that powers idle PowerSave nodes "
	  "off, given their names as a hostlist."),
	KEY("ResumeTimeout", CONF_DURATION, CONF_GLOBAL, 1, 7 * DAY, "600",
	  G(resume_timeout), "How long a resumed node may take to register "
	  "before it goes DOWN."),
	KEY("SuspendTime", CONF_DURATION, CONF_GLOBAL, 0, 365 * DAY, "0",
	  G(suspend_time), "How long a PowerSave node stays idle before it is "
	  "powered off; 0 never powers nodes off."),
	KEY("ResumeRate", CONF_STRING, CONF_GLOBAL, 0, 0, "8/min",
	  G(resume_rate), "The most nodes resumed per period: N/s, N/min or "
	  "N/h.", .check = conf_rate_check),
	KEY("SuspendExcNodes", CONF_HOSTLIST, CONF_GLOBAL, 0, 0, NULL,
	  G(suspend_exc_nodes), "Nodes never powered off, whatever their "
	  "PowerSave."),

	/* NodeName= lines */
	KEY("NodeName", CONF_HOSTLIST, CONF_NODE, 0, 0, NULL, N(name),
	  "Starts a node line: the node names, a hostlist like n[1-4]."),
	KEY("NodeAddr", CONF_STRING, CONF_NODE, 0, 0, NULL, N(addr),
	  "The address hcnoded listens on; unset uses the node name."),
	KEY("Port", CONF_INT, CONF_NODE, 1, 65535, "6818", N(port),
	  "The TCP port hcnoded listens on.", .hint = "give a TCP port"),
	KEY("CPUs", CONF_INT, CONF_NODE, 1, 1048576, NULL, N(cpus),
	  "Logical CPUs; unset uses what the node discovers.",
	  .hint = "give the number of logical CPUs"),
	KEY("Sockets", CONF_INT, CONF_NODE, 1, 4096, NULL, N(sockets),
	  "CPU sockets; unset uses what the node discovers.",
	  .hint = "give the number of CPU sockets"),
	KEY("CoresPerSocket", CONF_INT, CONF_NODE, 1, 65536, NULL,
	  N(cores_per_socket), "Cores in each socket; unset uses what the "
	  "node discovers.", .hint = "give the number of cores per socket"),
	KEY("ThreadsPerCore", CONF_INT, CONF_NODE, 1, 64, NULL,
	  N(threads_per_core), "Hardware threads in each core; unset uses "
	  "what the node discovers.", .hint = "give the threads per core"),
	KEY("RealMemory", CONF_SIZE_MB, CONF_NODE, 1, LONG_MAX, NULL,
	  N(real_memory_mb), "Memory jobs may use; unset uses what the node "
	  "discovers.", .hint = "give the memory, e.g. 256G"),
	KEY("Gres", CONF_RES, CONF_NODE, 0, 0, NULL, N(gres),
	  "Generic resources, e.g. gpu:h100:4."),
	KEY("Features", CONF_LIST, CONF_NODE, 0, 0, NULL, N(features),
	  "Features jobs can ask for with --constraint."),
	KEY("Weight", CONF_INT, CONF_NODE, 0, 65535, "1", N(weight),
	  "Scheduling weight; nodes of lower weight are used first."),
	KEY("Topology", CONF_PATH, CONF_NODE, 0, 0, NULL, N(topology),
	  "An hwloc XML file the node loads instead of discovering."),
	KEY("PowerSave", CONF_BOOL, CONF_NODE, 0, 0, "NO", N(power_save),
	  "Whether the node is powered off after SuspendTime idle."),

	/* QueueName= lines */
	KEY("QueueName", CONF_STRING, CONF_QUEUE, 0, 0, NULL, Q(name),
	  "Starts a queue line: the queue's name."),
	KEY("Nodes", CONF_HOSTLIST, CONF_QUEUE, 0, 0, NULL, Q(nodes),
	  "The queue's nodes, a hostlist, or ALL."),
	KEY("Default", CONF_BOOL, CONF_QUEUE, 0, 0, "NO", Q(is_default),
	  "Whether jobs that name no queue go here (one queue at most)."),
	KEY("MaxTime", CONF_TIMELIMIT, CONF_QUEUE, 0, 0, "UNLIMITED",
	  Q(max_time), "The longest time limit a job may have here."),
	KEY("DefaultTime", CONF_TIMELIMIT, CONF_QUEUE, 0, 0, NULL,
	  Q(default_time), "The time limit of jobs that give none; unset "
	  "uses MaxTime."),
	KEY("PriorityTier", CONF_INT, CONF_QUEUE, 0, 65535, "1",
	  Q(priority_tier), "The queue's priority tier: its jobs gain "
	  "PriorityWeightQueue times the tier over the highest tier."),
	KEY("MaxNodes", CONF_INT, CONF_QUEUE, -1, 1000000, "UNLIMITED",
	  Q(max_nodes), "The most nodes one job may use; UNLIMITED or -1 "
	  "for no limit."),
	KEY("OverSubscribe", CONF_CHOICE, CONF_QUEUE, 0, 0, "NO",
	  Q(over_subscribe), "EXCLUSIVE gives each job whole nodes.",
	    .choices = "EXCLUSIVE|NO"),
	KEY("State", CONF_CHOICE, CONF_QUEUE, 0, 0, "UP", Q(state),
	  "UP runs jobs; DOWN accepts but does not start them; INACTIVE "
	  "refuses them.", .choices = "UP|DOWN|INACTIVE"),
	KEY("FairShareWeight", CONF_INT, CONF_QUEUE, 1, 1000000, "1",
	  Q(fairshare_weight), "The queue's share in queue fair-share "
	  "against the other queues."),
	KEY("NodeSelect", CONF_CHOICE, CONF_QUEUE, 0, 0, NULL,
	  Q(node_select), "How jobs of the queue choose among the nodes that "
	  "fit: PACK (best fit), SPREAD (least loaded), ENERGY (busy awake "
	  "nodes first, idle ones left idle) or AFFINITY (accelerators that "
	  "suit --workload); unset: node weight, then order.",
	  .choices = "PACK|SPREAD|ENERGY|AFFINITY"),
	KEY("PowerSave", CONF_BOOL, CONF_QUEUE, 0, 0, "NO", Q(power_save),
	  "Whether the queue's nodes are powered off after SuspendTime "
	  "idle."),

	/* CloudPool= lines (node-line keys give the template) */
	KEY("CloudPool", CONF_STRING, CONF_POOL, 0, 0, NULL, P(name),
	  "Starts a cloud pool line: the pool's name."),
	KEY("Nodes", CONF_HOSTLIST, CONF_POOL, 0, 0, NULL, P(nodes),
	  "The pool's node names, a hostlist like c[001-064]."),
	KEY("ResumeProgram", CONF_PATH, CONF_POOL, 0, 0, NULL,
	  P(resume_program), "The provider program that starts nodes."),
	KEY("SuspendProgram", CONF_PATH, CONF_POOL, 0, 0, NULL,
	  P(suspend_program), "The provider program that releases nodes."),
	KEY("ListProgram", CONF_PATH, CONF_POOL, 0, 0, NULL,
	  P(list_program), "An optional provider program that prints the "
	  "nodes that exist, one \"NODE [STATE]\" a line."),
	KEY("ListInterval", CONF_DURATION, CONF_POOL, 0, DAY, "5min",
	  P(list_interval), "How often ListProgram is run to reconcile the "
	  "pool with its provider (and at start-up); 0: at start-up only."),
	KEY("ResumeFailProgram", CONF_PATH, CONF_POOL, 0, 0, NULL,
	  P(resume_fail_program), "An optional program run with the nodes "
	  "whose start failed."),
	KEY("ResumeTimeout", CONF_DURATION, CONF_POOL, 1, 7 * DAY, "600",
	  P(resume_timeout), "How long a started node may take to register "
	  "before it goes DOWN."),
	KEY("SuspendTime", CONF_DURATION, CONF_POOL, 1, 365 * DAY, "300",
	  P(suspend_time), "How long a node stays idle before it is "
	  "released."),
	KEY("ResumeRate", CONF_STRING, CONF_POOL, 0, 0, "8/min",
	  P(resume_rate), "The most nodes started per period: N/s, N/min or "
	  "N/h.", .check = conf_rate_check),
	KEY("MaxNodes", CONF_INT, CONF_POOL, -1, 1000000, "UNLIMITED",
	  P(max_nodes), "The most nodes up or starting at once; UNLIMITED: "
	  "all of the pool's."),
	KEY("CostPerNodeHour", CONF_STRING, CONF_POOL, 0, 0, "0",
	  P(cost_per_node_hour), "What one node costs per hour, in the "
	  "site's currency.", .check = conf_cost_check),
	KEY("BurstAfter", CONF_DURATION, CONF_POOL, 0, 365 * DAY, "15min",
	  P(burst_after), "How long jobs may wait for on-premise nodes "
	  "before a node of the pool is started for them; 0 starts one at "
	  "once."),
	KEY("Queues", CONF_LIST, CONF_POOL, 0, 0, NULL, P(queues),
	  "The queues whose jobs may use the pool (its nodes join them); "
	  "unset: the queues whose Nodes name them."),
	KEY("Accounts", CONF_LIST, CONF_POOL, 0, 0, NULL, P(accounts),
	  "The accounts whose jobs may use the pool's nodes (with their "
	  "sub-accounts), to start them or once up; unset: every account."),
	{ .name = NULL },
};

int
conf_rate_parse(const char *s, long *count, long *period, struct hc_err *err)
{
	static const struct { const char *unit; long secs; } units[] = {
		{ "s", 1 }, { "sec", 1 }, { "min", 60 }, { "m", 60 },
		{ "h", 3600 }, { "hour", 3600 },
	};
	const char *slash = strchr(s, '/');
	char num[32];
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n == 0 || n >= sizeof(num))
		goto bad;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_long(num, 1, 1000000, count, NULL) < 0)
		goto bad;
	*period = 60;
	if (!slash)
		return 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcasecmp(slash + 1, units[i].unit)) {
			*period = units[i].secs;
			return 0;
		}
bad:
	return hc_err_set(err, HC_EINVAL, "ResumeRate: '%s' is not a rate; "
			  "write nodes per period, like 8/min, 1/s or 100/h",
			  s);
}

int
conf_rate_check(const char *s, struct hc_err *err)
{
	long c, p;

	return conf_rate_parse(s, &c, &p, err);
}

int
conf_cost_parse(const char *s, double *out, struct hc_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= 0) || v > 1e9 ||
	    strspn(s, "0123456789.") != strlen(s))
		return hc_err_set(err, HC_EINVAL, "CostPerNodeHour: '%s' is not "
				  "a cost; write a decimal number like 3.20",
				  s);
	*out = v;
	return 0;
}

int
conf_cost_check(const char *s, struct hc_err *err)
{
	double v;

	return conf_cost_parse(s, &v, err);
}

const struct conf_key *
conf_key_find(const char *name, enum conf_scope scope)
{
	for (const struct conf_key *k = conf_keys; k->name; k++)
		if (k->scope == scope && !strcasecmp(k->name, name))
			return k;
	return NULL;
}

#define FIELD(base, k, type) ((type *)((char *)(base) + (k)->offset))

static void
strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void
conf_value_free(const struct conf_key *k, void *base)
{
	switch (k->type) {
	case CONF_STRING: case CONF_PATH: case CONF_HOSTLIST: case CONF_CHOICE:
		free(*FIELD(base, k, char *));
		*FIELD(base, k, char *) = NULL;
		break;
	case CONF_LIST:
		strv_free(*FIELD(base, k, char **));
		*FIELD(base, k, char **) = NULL;
		break;
	case CONF_RES:
		res_list_free(FIELD(base, k, struct res_list));
		break;
	default:
		break;
	}
}

/* "a,b" -> {"a","b",NULL}; empty items are errors. */
static int
list_parse(const struct conf_key *k, const char *s, char ***out,
	   struct hc_err *err)
{
	size_t n = 1, i = 0;
	char **v;
	const char *p = s;

	for (const char *q = s; *q; q++)
		n += *q == ',';
	v = hc_calloc(n + 1, sizeof(char *));
	for (;;) {
		size_t len = strcspn(p, ",");
		if (len == 0) {
			strv_free(v);
			return hc_err_set(err, HC_EINVAL, "%s: empty item in "
					  "'%s'; separate items with one "
					  "comma", k->name, s);
		}
		v[i++] = hc_asprintf("%.*s", (int)len, p);
		if (!p[len])
			break;
		p += len + 1;
	}
	*out = v;
	return 0;
}

static int
range_error(const struct conf_key *k, long long v, struct hc_err *err)
{
	char hint[128];

	if (k->max >= LONG_MAX || k->max == 0)
		snprintf(hint, sizeof(hint), "give a number >= %ld", k->min);
	else
		snprintf(hint, sizeof(hint), "give a number from %ld to %ld",
			 k->min, k->max);
	if (k->hint)
		snprintf(hint, sizeof(hint), "%s", k->hint);
	if (k->min == 1 && v < 1)
		return hc_err_set(err, HC_EINVAL, "%s must be > 0; %s",
				  k->name, hint);
	if (v < k->min)
		return hc_err_set(err, HC_EINVAL, "%s must be >= %ld; %s",
				  k->name, k->min, hint);
	return hc_err_set(err, HC_EINVAL, "%s must be <= %ld; %s", k->name,
			  k->max, hint);
}

static int
choice_parse(const struct conf_key *k, const char *s, char **out,
	     struct hc_err *err)
{
	const char *c = k->choices;

	while (*c) {
		size_t n = strcspn(c, "|");
		if (strlen(s) == n && !strncasecmp(c, s, n)) {
			*out = hc_asprintf("%.*s", (int)n, c);
			return 0;
		}
		c += n + (c[n] == '|');
	}
	return hc_err_set(err, HC_EINVAL, "%s: '%s' is not a choice; write "
			  "one of %s", k->name, s, k->choices);
}

/* The scalar types: parse into a long long, range-checked. */
static int
scalar_parse(const struct conf_key *k, const char *s, long long *v,
	     struct hc_err *err)
{
	long l = 0;
	uint64_t u = 0;
	bool b = false;
	int rc = 0;

	switch (k->type) {
	case CONF_INT:
		if (k->min < 0 && (!strcasecmp(s, "UNLIMITED") ||
				   !strcasecmp(s, "INFINITE"))) {
			*v = -1;
			return 0;
		}
		rc = parse_long(s, LONG_MIN, LONG_MAX, &l, err);
		*v = l;
		break;
	case CONF_BOOL:
		rc = parse_bool(s, &b, err);
		*v = b;
		return rc < 0 ? hc_err_prefix(err, "%s: ", k->name) : 0;
	case CONF_DURATION:
		rc = parse_duration_secs(s, &l, err);
		*v = l;
		break;
	case CONF_TIMELIMIT:
		rc = parse_time_limit(s, &l, err);
		*v = l;
		return rc < 0 ? hc_err_prefix(err, "%s: ", k->name) : 0;
	case CONF_SIZE_MB:
		rc = parse_size_mb(s, &u, err);
		*v = u > LLONG_MAX ? LLONG_MAX : (long long)u;
		break;
	default:
		return hc_err_set(err, HC_EINTERNAL, "%s: not a scalar",
				  k->name);
	}
	if (rc < 0)
		return hc_err_prefix(err, "%s: ", k->name);
	if (*v < k->min || (k->max && *v > k->max))
		return range_error(k, *v, err);
	return 0;
}

static int
path_resolve(const struct conf_key *k, const char *s, const char *dir,
	     char **out, struct hc_err *err)
{
	if (s[0] == '/' || !dir || !strcmp(s, "-"))
		*out = hc_strdup(s);
	else
		*out = hc_asprintf("%s/%s", dir, s);
	return 0;
}

int
conf_value_set(const struct conf_key *k, void *base, const char *s,
	       const char *dir, struct hc_err *err)
{
	char *str = NULL;
	char **list = NULL;
	long long v = 0;
	struct hostlist *hl;
	struct res_list rl;

	switch (k->type) {
	case CONF_STRING:
		if (k->check && k->check(s, err) < 0)
			return -1;
		str = hc_strdup(s);
		break;
	case CONF_PATH:
		path_resolve(k, s, dir, &str, err);
		break;
	case CONF_CHOICE:
		if (choice_parse(k, s, &str, err) < 0)
			return -1;
		break;
	case CONF_HOSTLIST:
		if (!strcasecmp(s, "ALL") && k->scope == CONF_QUEUE) {
			str = hc_strdup("ALL");
			break;
		}
		if (!(hl = hostlist_parse(s, err)))
			return hc_err_prefix(err, "%s: ", k->name);
		hostlist_destroy(hl);
		str = hc_strdup(s);
		break;
	case CONF_LIST:
		if (list_parse(k, s, &list, err) < 0)
			return -1;
		conf_value_free(k, base);
		*FIELD(base, k, char **) = list;
		return 0;
	case CONF_RES:
		if (res_list_parse(s, &rl, err) < 0)
			return hc_err_prefix(err, "%s: ", k->name);
		conf_value_free(k, base);
		*FIELD(base, k, struct res_list) = rl;
		return 0;
	default:
		if (scalar_parse(k, s, &v, err) < 0)
			return -1;
		if (k->type == CONF_BOOL)
			*FIELD(base, k, bool) = v != 0;
		else if (k->type == CONF_SIZE_MB)
			*FIELD(base, k, uint64_t) = (uint64_t)v;
		else
			*FIELD(base, k, long) = (long)v;
		return 0;
	}
	conf_value_free(k, base);
	*FIELD(base, k, char *) = str;
	return 0;
}

static char *
size_format(uint64_t mb)
{
	if (mb && mb % (1024 * 1024) == 0)
		return hc_asprintf("%lluT", (unsigned long long)mb >> 20);
	if (mb && mb % 1024 == 0)
		return hc_asprintf("%lluG", (unsigned long long)mb >> 10);
	return hc_asprintf("%lluM", (unsigned long long)mb);
}

static char *
list_format(char **v)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; v && v[i]; i++)
		len += strlen(v[i]) + 1;
	s = hc_calloc(1, len);
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, v[i]);
	}
	return s;
}

char *
conf_value_format(const struct conf_key *k, const void *base)
{
	const char *str;
	char buf[64];
	long l;

	switch (k->type) {
	case CONF_STRING: case CONF_PATH: case CONF_HOSTLIST: case CONF_CHOICE:
		str = *FIELD(base, k, char *const);
		return hc_strdup(str ? str : "");
	case CONF_LIST:
		return list_format(*FIELD(base, k, char **const));
	case CONF_RES:
		return res_list_format(FIELD(base, k, const struct res_list));
	case CONF_BOOL:
		return hc_strdup(*FIELD(base, k, const bool) ? "YES" : "NO");
	case CONF_SIZE_MB:
		return size_format(*FIELD(base, k, const uint64_t));
	case CONF_TIMELIMIT:
		format_time_limit(*FIELD(base, k, const long), buf,
				  sizeof(buf));
		return hc_strdup(buf);
	default:
		l = *FIELD(base, k, const long);
		if (k->type == CONF_INT && k->min < 0 && l < 0)
			return hc_strdup("UNLIMITED");
		return hc_asprintf("%ld", l);
	}
}
