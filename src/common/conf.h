/*
 * conf: hc.conf, the cluster's static shape.
 *
 * Slurm-style lines of Key=Value pairs; '#' starts a comment; values with
 * spaces are double-quoted; a line that starts with NodeName= or QueueName=
 * declares a node (range) or a queue and the rest of its pairs belong to it.
 * Every key is one row of a declarative table (name, type, range, default,
 * scope, one help sentence): the parser, `hcctl show config`, `hcctld
 * --check-config` and the hc.conf(5) man page are all checked against it.
 *
 * Errors are collected, not stopped at: each is "FILE:LINE: Key: problem;
 * hint", and a file with any error is refused whole.
 */
#ifndef HC_CONF_H
#define HC_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hc_err.h"
#include "parse.h"

enum conf_type {
	CONF_STRING,	/* free text */
	CONF_PATH,	/* a path (absolute, or relative to the conf's dir) */
	CONF_INT,	/* long in [min, max] */
	CONF_BOOL,
	CONF_DURATION,	/* seconds, parse_duration_secs() */
	CONF_TIMELIMIT,	/* minutes, parse_time_limit(); -1 unlimited */
	CONF_SIZE_MB,	/* parse_size_mb() */
	CONF_LIST,	/* comma-separated strings */
	CONF_HOSTLIST,	/* hostlist expression */
	CONF_RES,	/* resource list "gpu:h100:4" */
	CONF_CHOICE,	/* one of `choices` ("UP|DOWN"), stored upper-case */
};

enum conf_scope { CONF_GLOBAL, CONF_NODE, CONF_QUEUE, CONF_POOL };

struct conf_key {
	const char *name;	/* CamelCase, as written in hc.conf */
	enum conf_type type;
	enum conf_scope scope;
	long min, max;		/* for CONF_INT / durations / sizes */
	const char *def;	/* default as it would be written, or NULL */
	size_t offset;		/* into struct hc_conf / conf_node / conf_queue */
	const char *help;	/* one sentence, shown by --help-config and man */
	const char *choices;	/* CONF_CHOICE: "A|B|C" */
	const char *hint;	/* what to give, for range errors, or NULL */
	/* CONF_STRING: validates the value (libhc's), or NULL. */
	int (*check)(const char *value, struct hc_err *err);
};

/* The table, terminated by a row with name == NULL. */
extern const struct conf_key conf_keys[];

struct conf_node {		/* one NodeName= line expands to many of these */
	char *name;
	char *addr;		/* NodeAddr (default: the node name) */
	long port;		/* Port (default 6818) */
	long cpus;		/* CPUs (0 = as discovered) */
	long sockets, cores_per_socket, threads_per_core;
	uint64_t real_memory_mb;	/* RealMemory (0 = as discovered) */
	struct res_list gres;	/* Gres=gpu:h100:4 */
	char **features;	/* Features=a,b (NULL-terminated, owned) */
	long weight;		/* Weight (lower is used first) */
	char *topology;		/* Topology=FILE: hwloc XML hcnoded loads */
	bool power_save;	/* PowerSave=YES (on-premise power saving) */
	char *pool;		/* the CloudPool it belongs to, or NULL */
	int line;		/* where it was declared */
};

struct conf_queue {
	char *name;
	char *nodes;		/* hostlist expression (Nodes=ALL expanded) */
	bool is_default;	/* Default=YES */
	long max_time;		/* minutes, -1 unlimited */
	long default_time;	/* minutes, -1 = use max_time */
	long priority_tier;	/* PriorityTier */
	long max_nodes;		/* MaxNodes, -1 unlimited */
	bool exclusive;		/* OverSubscribe=EXCLUSIVE -> true */
	char *over_subscribe;	/* OverSubscribe as written: "EXCLUSIVE"|"NO" */
	char *state;		/* "UP" | "DOWN" | "INACTIVE" */
	long fairshare_weight;	/* FairShareWeight (queue fair-share) */
	char *node_select;	/* NodeSelect: "PACK"... or NULL (select.h) */
	bool power_save;	/* PowerSave=YES: its nodes may be powered off */
	int line;
};

/*
 * A CloudPool= line: nodes that do not exist until ResumeProgram starts
 * them. Its node-line keys (CPUs, RealMemory, Gres, Features, Weight,
 * Topology, NodeAddr, Port) form the template every node of the pool is
 * declared with (conf->nodes holds them, each with pool set); Port, when
 * given, is the first node's and each next node gets the next port.
 */
struct conf_pool {
	char *name;
	char *nodes;		/* Nodes: hostlist */
	char *resume_program, *suspend_program;
	char *list_program, *resume_fail_program;	/* optional */
	long resume_timeout;	/* ResumeTimeout, seconds */
	long suspend_time;	/* SuspendTime, seconds idle */
	char *resume_rate;	/* ResumeRate as written ("8/min") */
	long rate_count;	/* ... parsed: rate_count nodes */
	long rate_period;	/*     per rate_period seconds */
	long max_nodes;		/* MaxNodes; -1: every node of the pool */
	char *cost_per_node_hour;	/* CostPerNodeHour as written */
	double cost;		/* ... parsed */
	long burst_after;	/* BurstAfter, seconds */
	long list_interval;	/* ListInterval, seconds; 0: at start-up only */
	char **queues;		/* Queues (NULL: the queues naming its nodes) */
	char **accounts;	/* Accounts (NULL: every account) */
	size_t node_count;	/* nodes it declared */
	struct conf_node tmpl;	/* the template (name NULL) */
	int line;
};
struct hc_conf {
	char *path;		/* the file read */
	char *cluster_name;	/* ClusterName */
	char *control_addr;	/* ControlAddr */
	long control_port;	/* ControlPort */
	char *state_dir;	/* StateDir */
	uint64_t state_map_size_mb;	/* StateMapSize (ceiling) */
	char *munge_socket;	/* MungeSocket */
	char **scheduler_plugins;	/* SchedulerPlugins (NULL-terminated) */
	char **scheduler_params;	/* SchedulerParameters: Plugin.Key=V */
	char *plugin_dir;	/* PluginDir */
	char **admin_users;	/* AdminUsers (names or uids) */
	uint64_t def_mem_per_cpu_mb;	/* DefMemPerCPU */
	uint64_t def_mem_per_gpu_mb;	/* DefMemPerGPU (0: unset) */
	long min_job_age;	/* MinJobAge, seconds */
	long job_retention;	/* JobRetention, seconds (0 = forever) */
	long inactive_limit;	/* InactiveLimit, seconds (0 = never) */
	long audit_checkpoint_every;	/* AuditCheckpointEvery, entries */
	char *prolog;		/* Prolog */
	char *epilog;		/* Epilog */
	char *health_check_program;	/* HealthCheckProgram */
	long health_check_interval;	/* HealthCheckInterval, seconds */
	long node_timeout;	/* NodeTimeout, seconds */
	long heartbeat_interval;	/* HeartbeatInterval, seconds */
	long kill_wait;		/* KillWait, seconds */
	long message_timeout;	/* MessageTimeout, seconds */
	long sched_interval;	/* SchedulerInterval, seconds */
	long backfill_depth;	/* BackfillDepth: 0 FCFS, 1 EASY, ... */
	long backfill_interval;	/* BackfillInterval, seconds */
	bool requeue_hold;	/* RequeueHold */
	bool allow_root_jobs;	/* AllowRootJobs */
	bool kill_on_invalid_dep;	/* KillOnInvalidDep */
	long max_job_count;	/* MaxJobCount */
	char *default_account;	/* DefaultAccount */
	bool enforce_accounts;	/* EnforceAccounts */
	char *log_file;		/* LogFile (hcctld) */
	char *log_level;	/* LogLevel */
	char *spool_dir;	/* SpoolDir (hcnoded; %n = node name) */
	char *tmp_dir;		/* TmpDir: where private job TMPDIRs are made */
	char *cgroup_root;	/* CgroupRoot (default /sys/fs/cgroup) */
	char *cgroup_prefix;	/* CgroupPrefix (default "hc") */
	long max_jobs_per_user;	/* MaxJobsPerUser (0 = no limit) */
	char *trusted_ca;	/* TrustedCA: the CA certificate (ca.crt) */
	char *crl_file;		/* CRLFile (optional) */
	char *controller_cert;	/* ControllerCert (hcctld) */
	char *controller_key;	/* ControllerKey (hcctld, mode 0600) */
	char *node_cert;	/* NodeCert (hcnoded; unset: SpoolDir/node.crt) */
	char *node_key;		/* NodeKey (hcnoded; unset: SpoolDir/node.key) */
	char *controller_name;	/* ControllerName: in hcctld's certificate */
	/* Multifactor priority and fair-share (doc/hc-priority.7). */
	long prio_weight_age;		/* PriorityWeightAge */
	long prio_weight_jobsize;	/* PriorityWeightJobSize */
	long prio_weight_queue;		/* PriorityWeightQueue (tier) */
	long prio_weight_fairshare;	/* PriorityWeightFairshare */
	long prio_weight_queue_fs;	/* PriorityWeightQueueFairshare */
	long prio_weight_qos;		/* PriorityWeightQOS */
	long prio_max_age;		/* PriorityMaxAge, seconds */
	bool prio_favor_small;		/* PriorityFavorSmall */
	long prio_decay_half_life;	/* PriorityDecayHalfLife, s (0 none) */
	long prio_calc_period;		/* PriorityCalcPeriod, seconds */
	char *billing_weights;		/* BillingWeights (billing.h) */
	char *mpi_default;	/* MpiDefault: "none" | "pmi2" | "pmix" */
	char *mpi_rsh_agent;	/* MpiRshAgent (hcnoded; NULL = installed) */
	char *mpi_pmix_helper;	/* MpiPmixHelper (hcnoded; NULL = installed) */
	/* Power saving of on-premise nodes (PowerSave=YES nodes/queues). */
	char *resume_program;	/* ResumeProgram */
	char *suspend_program;	/* SuspendProgram */
	long resume_timeout;	/* ResumeTimeout, seconds */
	long suspend_time;	/* SuspendTime, seconds; 0 = never */
	char *resume_rate;	/* ResumeRate as written */
	long rate_count, rate_period;	/* ... parsed */
	char *suspend_exc_nodes;	/* SuspendExcNodes: hostlist */

	struct conf_node *nodes;	/* expanded, in declaration order */
	size_t node_count;
	struct conf_queue *queues;
	size_t queue_count;
	struct conf_pool *pools;
	size_t pool_count;
};

/*
 * Read and validate path. Returns a new conf, or NULL with err holding the
 * first error; every error (one per line, "FILE:LINE: Key: problem; hint")
 * is also appended to *errors (malloc'ed, caller frees; may be NULL) so that
 * --check-config can print them all. Unknown keys are errors that suggest
 * the closest known key.
 */
struct hc_conf *conf_load(const char *path, char **errors, struct hc_err *err);
/* Same, from a string (tests); name is used in messages. */
struct hc_conf *conf_load_string(const char *text, const char *name,
				 char **errors, struct hc_err *err);
void conf_destroy(struct hc_conf *conf);	/* NULL ok */

/* The path commands and daemons read: $HC_CONF, else SYSCONFDIR/hc/hc.conf.
 * Borrowed. */
const char *conf_default_path(void);

const struct conf_node *conf_node_find(const struct hc_conf *conf,
				       const char *name);
const struct conf_queue *conf_queue_find(const struct hc_conf *conf,
					 const char *name);
const struct conf_pool *conf_pool_find(const struct hc_conf *conf,
				       const char *name);
/* Whether node may be suspended for power saving: PowerSave=YES on it or a
 * queue of it, a power-save program configured, not in SuspendExcNodes. */
bool conf_node_power_save(const struct hc_conf *conf,
			  const struct conf_node *node);
/* "8/min" -> 8 nodes per 60 s ("N/s", "N/min", "N/h"; a bare N is per
 * minute). */
int conf_rate_parse(const char *s, long *count, long *period,
		    struct hc_err *err);
int conf_rate_check(const char *s, struct hc_err *err);
/* "3.20" -> 3.2 (a cost: a non-negative decimal). */
int conf_cost_parse(const char *s, double *out, struct hc_err *err);
int conf_cost_check(const char *s, struct hc_err *err);

/* The queue marked Default=YES, else the only queue, else NULL. */
const struct conf_queue *conf_queue_default(const struct hc_conf *conf);

/* The row for name (case-insensitive) in scope, or NULL. Borrowed. */
const struct conf_key *conf_key_find(const char *name, enum conf_scope scope);

/* The value of a global key as hc.conf would write it (for `hcctl show
 * config`). Returns a malloc'ed string; "(null)" never: unset is "". */
char *conf_value_string(const struct hc_conf *conf, const struct conf_key *k);

/*
 * One value by its row, on base (struct hc_conf, conf_node or conf_queue as
 * k->scope says). conf_value_set parses s (relative CONF_PATHs are joined to
 * dir when dir is non-NULL), range-checks it, and replaces the field, freeing
 * the old value; on error the field is kept and err says "Key: problem;
 * hint". conf_value_format returns the field as hc.conf would write it
 * (malloc'ed). conf_value_free frees the field's heap value and clears it.
 */
int conf_value_set(const struct conf_key *k, void *base, const char *s,
		   const char *dir, struct hc_err *err);
char *conf_value_format(const struct conf_key *k, const void *base);
void conf_value_free(const struct conf_key *k, void *base);

/* Whether uid is an admin (root always is). */
bool conf_is_admin(const struct hc_conf *conf, unsigned uid);

#endif
