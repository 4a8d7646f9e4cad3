/*
 * hcsim: replay a workload trace (Standard Workload Format) through the
 * scheduling core and its plugins on a virtual clock, and print what the
 * policy did: jobs, makespan, utilisation, waits, bounded slowdown and the
 * time each scheduling pass took. The decisions are libhcsched's, the same
 * code hcctld runs (sched_plan_pass); only the clock and the machine are
 * the simulator's (sim.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "billing.h"
#include "conf.h"
#include "fairshare.h"
#include "parse.h"
#include "plan.h"
#include "sched.h"
#include "sim.h"
#include "sim_acct.h"
#include "sched_resv.h"
#include "swf.h"

#define CHECK_FAILED 6	/* exit status: --check found a broken guarantee */

enum {
	O_PROCS = CMD_LONG, O_POLICY, O_DEPTH, O_JSON, O_CHECK, O_CONF,
	O_PLUGIN_DIR, O_SCHEDULE, O_ACCOUNTS, O_RESERVATION, O_BREAK, O_CLOUD,
};

static const struct cmd_opt opts[] = {
	{"procs", O_PROCS, "N", "the machine's processors, one node "
	 "(default: the nodes of --conf's NodeName lines, else the trace's "
	 "MaxProcs, else its MaxNodes)"},
	{"policy", O_POLICY, "POLICY", "fcfs, easy or conservative (default: "
	 "BackfillDepth of --conf, else of $HC_CONF or the installed "
	 "hc.conf, else 100)"},
	{"depth", O_DEPTH, "N", "plan the first N waiting jobs (BackfillDepth: "
	 "0 FCFS, 1 EASY)"},
	{"schedule", O_SCHEDULE, NULL, "first print each job's submit, start "
	 "and end times, in submit order"},
	{"json", O_JSON, NULL, "print the figures as one JSON object"},
	{"accounts", O_ACCOUNTS, "FILE", "replay under the account tree, "
	 "quotas and QOS in FILE (hcctl's grammar: qos NAME Priority= "
	 "MaxWall= GrpRes= GrpJobs= MaxJobsPerUser=; account NAME Parent= "
	 "GrpRes= GrpResMins= GrpJobs= DefaultQOS= GrpCloudNodeMins= "
	 "GrpCloudCost=; user UID Account=); with --cloud, the cloud "
	 "budgets bound the burst decision as in hcctld"},
	{"reservation", O_RESERVATION, "START:END", "hold the whole machine "
	 "from START to END (trace seconds), as a maintenance reservation: "
	 "no job whose requested time would run into it starts before it "
	 "ends"},
	{"cloud", O_CLOUD, "SPEC", "add a cloud pool the burst decision "
	 "starts nodes of, as hcctld does: 'pool=NAME nodes=N procs=P "
	 "boot=SECS cost=PER_NODE_HOUR after=BURSTAFTER [suspend=SECS] "
	 "[rate=N/min] [max=NODES]' (after: default 0; suspend: 300; "
	 "rate, max: ResumeRate, MaxNodes, none); what it leaves out comes "
	 "from --conf's CloudPool line; prints cloud_node_hours, "
	 "cloud_cost, the refusals of --accounts' cloud budgets and each "
	 "account's cloud use"},
	{"check", O_CHECK, NULL, "verify the policy's guarantee while "
	 "replaying; exit 6 if it breaks"},
	{"break-guarantees", O_BREAK, NULL, "for testing --check only: "
	 "make the planner break the policy's guarantee on purpose (plans "
	 "hold nothing, FCFS lets jobs overtake)"},
	{"conf", O_CONF, "FILE", "read BackfillDepth, SchedulerPlugins, "
	 "PluginDir and the PriorityWeight keys from this hc.conf, and "
	 "(without --procs) simulate its NodeName lines' nodes"},
	{"plugin-dir", O_PLUGIN_DIR, "DIR", "where the scheduling plugins "
	 "are (default: PluginDir, $HC_SCHED_PLUGIN_DIR, the installed "
	 "ones)"},
	CMD_OPT_HELP,
	CMD_OPT_VERSION,
	{0},
};

static const struct cmd_info info = {
	.prog = "hcsim",
	.usage = "[OPTIONS] TRACE",
	.summary = "Replay an SWF workload trace through the scheduler on "
		   "virtual time and print how the policy did.",
	.more = "TRACE is a Standard Workload Format file, or - for standard "
		"input.\nExit status: 0; 1 on bad input; 3 when the trace "
		"does not exist; 6 when --check found a broken guarantee.",
	.opts = opts,
};

struct ctx {
	long procs;
	long depth;		/* -1: not given */
	bool json, check, schedule, test_break;
	const char *conf, *plugin_dir;
	const char *accounts;
	long resv_start, resv_end;	/* --reservation; end 0: none */
	struct sim_cloud cloud;		/* --cloud; nodes 0: none */
	char cloud_pool[64];
	unsigned cloud_given;	/* CLOUD_GIVEN_*: the keys --cloud set */
};

/* The --cloud keys an hc.conf CloudPool line fills when --cloud does not
 * give them. */
enum {
	CLOUD_GIVEN_POOL = 1, CLOUD_GIVEN_AFTER = 2, CLOUD_GIVEN_RATE = 4,
	CLOUD_GIVEN_MAX = 8, CLOUD_GIVEN_COST = 16, CLOUD_GIVEN_SUSPEND = 32,
};

static const struct {
	const char *name;
	uint32_t depth;
} policies[] = {
	{ "fcfs", 0 },
	{ "easy", 1 },
	{ "conservative", SCHED_PLAN_DEPTH_ALL },
};

static int
policy_depth(const char *name, long *depth, struct hc_err *err)
{
	for (size_t k = 0; k < sizeof(policies) / sizeof(policies[0]); k++)
		if (!strcmp(name, policies[k].name)) {
			*depth = policies[k].depth;
			return 0;
		}
	return hc_err_set(err, HC_EINVAL, "--policy: '%s' is not a policy; "
			  "give fcfs, easy or conservative", name);
}

static unsigned
cloud_key_bit(const char *key)
{
	static const struct { const char *key; unsigned bit; } keys[] = {
		{ "pool", CLOUD_GIVEN_POOL }, { "after", CLOUD_GIVEN_AFTER },
		{ "rate", CLOUD_GIVEN_RATE }, { "max", CLOUD_GIVEN_MAX },
		{ "cost", CLOUD_GIVEN_COST },
		{ "suspend", CLOUD_GIVEN_SUSPEND },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i].key))
			return keys[i].bit;
	return 0;
}

/* hc.conf's CloudPool line (the one --cloud's pool= names, else the first)
 * gives what --cloud left out: its name, BurstAfter, ResumeRate, MaxNodes,
 * CostPerNodeHour and SuspendTime; and its Accounts=. */
static void
cloud_from_conf(struct ctx *cx, const struct hc_conf *conf)
{
	struct sim_cloud *c = &cx->cloud;
	const struct conf_pool *cp = NULL;
	unsigned g = cx->cloud_given;

	if (!conf || !conf->pool_count || !c->nodes)
		return;
	if (g & CLOUD_GIVEN_POOL)
		cp = conf_pool_find(conf, c->pool);
	else
		cp = &conf->pools[0];
	if (!cp)
		return;
	if (!(g & CLOUD_GIVEN_POOL)) {
		snprintf(cx->cloud_pool, sizeof(cx->cloud_pool), "%s",
			 cp->name);
		c->pool = cx->cloud_pool;
	}
	c->accounts = (const char *const *)cp->accounts;
	if (!(g & CLOUD_GIVEN_AFTER))
		c->after = cp->burst_after;
	if (!(g & CLOUD_GIVEN_RATE) && cp->rate_count > 0) {
		c->rate_count = cp->rate_count;
		c->rate_period = cp->rate_period;
	}
	if (!(g & CLOUD_GIVEN_MAX) && cp->max_nodes > 0)
		c->max_nodes = cp->max_nodes;
	if (!(g & CLOUD_GIVEN_COST))
		c->cost = cp->cost;
	if (!(g & CLOUD_GIVEN_SUSPEND) && cp->suspend_time > 0)
		c->suspend = cp->suspend_time;
}

/* --cloud 'pool=burst nodes=8 procs=32 boot=120 cost=3.20 after=1h'. */
static int
cloud_opt(struct ctx *cx, const char *val, struct hc_err *err)
{
	struct sim_cloud *c = &cx->cloud;
	char buf[512], *save = NULL, *kv;
	long v;

	*c = (struct sim_cloud){ .pool = "cloud", .suspend = 300,
				 .boot = 120 };
	snprintf(buf, sizeof(buf), "%s", val);
	for (kv = strtok_r(buf, " \t", &save); kv;
	     kv = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(kv, '=');
		int rc = 0;
		if (!eq)
			goto bad;
		*eq++ = '\0';
		cx->cloud_given |= cloud_key_bit(kv);
		if (!strcmp(kv, "pool")) {
			snprintf(cx->cloud_pool, sizeof(cx->cloud_pool), "%s",
				 eq);
			c->pool = cx->cloud_pool;
		} else if (!strcmp(kv, "nodes") || !strcmp(kv, "procs")) {
			rc = parse_long(eq, 1, 1 << 20, &v, err);
			*(!strcmp(kv, "nodes") ? &c->nodes : &c->procs) =
				(uint32_t)v;
		} else if (!strcmp(kv, "boot") || !strcmp(kv, "after") ||
			   !strcmp(kv, "suspend")) {
			rc = parse_duration_secs(eq, &v, err);
			*(!strcmp(kv, "boot") ? &c->boot :
			  !strcmp(kv, "after") ? &c->after : &c->suspend) = v;
		} else if (!strcmp(kv, "cost")) {
			rc = conf_cost_parse(eq, &c->cost, err);
		} else if (!strcmp(kv, "rate")) {
			rc = conf_rate_parse(eq, &c->rate_count,
					     &c->rate_period, err);
		} else if (!strcmp(kv, "max")) {
			rc = parse_long(eq, 1, 1 << 20, &v, err);
			c->max_nodes = v;
		} else {
			goto bad;
		}
		if (rc < 0)
			return hc_err_prefix(err, "--cloud: %s: ", kv);
	}
	if (c->nodes && c->procs)
		return 0;
bad:
	return hc_err_set(err, HC_EINVAL, "--cloud: '%s': give 'pool=NAME "
			  "nodes=N procs=P boot=SECS cost=C after=DURATION "
			  "[rate=N/min] [max=N]'",
			  val);
}

/* --reservation START:END, trace seconds. */
static int
resv_opt(struct ctx *cx, const char *val, struct hc_err *err)
{
	char *colon = strchr(val, ':'), *start;
	int rc;

	if (!colon)
		return hc_err_set(err, HC_EINVAL, "--reservation: give "
				  "START:END in trace seconds, e.g. 100:200");
	start = hc_strdup(val);
	start[colon - val] = '\0';
	rc = parse_long(start, 0, 1L << 40, &cx->resv_start, err) < 0 ||
	     parse_long(colon + 1, 1, 1L << 40, &cx->resv_end, err) < 0;
	free(start);
	if (rc)
		return hc_err_prefix(err, "--reservation: ");
	if (cx->resv_end <= cx->resv_start)
		return hc_err_set(err, HC_EINVAL, "--reservation %s: END must "
				  "come after START", val);
	return 0;
}

static int
opt_fn(void *arg, int key, const char *val, struct hc_err *err)
{
	struct ctx *cx = arg;

	switch (key) {
	case O_PROCS:
		return parse_long(val, 1, 1L << 30, &cx->procs, err) < 0
			       ? hc_err_prefix(err, "--procs: ") : 0;
	case O_POLICY:
		return policy_depth(val, &cx->depth, err);
	case O_DEPTH:
		return parse_long(val, 0, UINT32_MAX, &cx->depth, err) < 0
			       ? hc_err_prefix(err, "--depth: ") : 0;
	case O_JSON: cx->json = true; break;
	case O_CHECK: cx->check = true; break;
	case O_BREAK: cx->test_break = true; break;
	case O_SCHEDULE: cx->schedule = true; break;
	case O_CONF: cx->conf = val; break;
	case O_PLUGIN_DIR: cx->plugin_dir = val; break;
	case O_ACCOUNTS: cx->accounts = val; break;
	case O_RESERVATION: return resv_opt(cx, val, err);
	case O_CLOUD: return cloud_opt(cx, val, err);
	}
	return 0;
}

static void
trace_load(const char *path, struct swf_trace *t)
{
	struct hc_err err = { 0 };
	bool in = !strcmp(path, "-");
	FILE *f = in ? stdin : fopen(path, "r");

	if (!f)
		cmd_die(&info, errno == ENOENT ? HC_ENOENT : HC_EINVAL,
			"%s: %s; give an SWF trace file", path,
			strerror(errno));
	if (swf_read(f, in ? "stdin" : path, t, &err) < 0)
		cmd_die_err(&info, &err);
	if (!in)
		fclose(f);
}

static struct sched *
sched_load(struct ctx *cx, struct hc_conf *conf)
{
	struct hc_err err = { 0 };
	struct sched_options so = {
		.plugin_dir = cx->plugin_dir,
	};
	struct sched *s;

	if (conf) {
		if (!so.plugin_dir)
			so.plugin_dir = conf->plugin_dir;
		so.plugins = (const char *const *)conf->scheduler_plugins;
	}
	s = sched_create(&so, &err);
	if (!s)
		cmd_die_err(&info, &err);
	if (conf) {
		/* Order jobs as hcctld would under this hc.conf. */
		struct sched_prio_conf pc = {
			.w_age = (double)conf->prio_weight_age,
			.w_jobsize = (double)conf->prio_weight_jobsize,
			.w_queue = (double)conf->prio_weight_queue,
			.w_fairshare = (double)conf->prio_weight_fairshare,
			.w_queue_fs = (double)conf->prio_weight_queue_fs,
			.w_qos = (double)conf->prio_weight_qos,
			.max_age = conf->prio_max_age,
			.favor_small = conf->prio_favor_small,
		};

		sched_set_priority(s, &pc);
	}
	return s;
}

/* Each account that used the cloud or has a cloud budget: its subtree's
 * node-hours and cost against its budgets (hcctl show cloud's), and the
 * burst decisions its budgets refused. */
static void
print_cloud_accounts(const struct ctx *cx, const struct sim_acct *a)
{
	struct sim_acct_cloud u;
	const char *name;
	bool first = true;

	if (cx->json)
		printf(", \"cloud_accounts\": [");
	for (size_t i = 0; i < sim_acct_count(a); i++) {
		if (!(name = sim_acct_cloud_use(a, i, &u)) ||
		    (u.node_mins <= 0 && !u.grp_node_mins && !u.grp_cost))
			continue;
		if (cx->json) {
			json_t *js = json_string(name);
			char *q = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;

			printf("%s{\"name\": %s, \"node_hours\": %.4f, "
			       "\"cost\": %.2f, \"grp_cloud_node_mins\": %ld, "
			       "\"grp_cloud_cost\": %ld, \"refused\": %zu}",
			       first ? "" : ", ", q ? q : "null",
			       u.node_mins / 60.0, u.cost, u.grp_node_mins,
			       u.grp_cost, u.refused);
			free(q);
			json_decref(js);
		} else
			printf("cloud_account %s node_hours %.4f cost %.2f "
			       "grp_cloud_node_mins %ld grp_cloud_cost %ld "
			       "refused %zu\n", name, u.node_mins / 60.0,
			       u.cost, u.grp_node_mins, u.grp_cost,
			       u.refused);
		first = false;
	}
	if (cx->json)
		printf("]");
}

static void
print_cloud(const struct ctx *cx, const struct sim_stats *st,
	    const struct sim_acct *a)
{
	if (!cx->cloud.nodes)
		return;
	if (cx->json)
		printf(", \"cloud_node_hours\": %.4f, \"cloud_cost\": %.2f, "
		       "\"cloud_starts\": %zu, \"cloud_jobs\": %zu, "
		       "\"cloud_budget_refusals\": %zu, "
		       "\"cloud_budget_jobs\": %zu",
		       st->cloud_node_hours, st->cloud_cost, st->cloud_starts,
		       st->cloud_jobs, st->cloud_budget_refusals,
		       st->cloud_budget_jobs);
	else
		printf("cloud_node_hours %.4f\ncloud_cost %.2f\n"
		       "cloud_starts %zu\ncloud_jobs %zu\n"
		       "cloud_budget_refusals %zu\ncloud_budget_jobs %zu\n",
		       st->cloud_node_hours, st->cloud_cost, st->cloud_starts,
		       st->cloud_jobs, st->cloud_budget_refusals,
		       st->cloud_budget_jobs);
	if (a)
		print_cloud_accounts(cx, a);
}

static void
print_stats(const struct ctx *cx, const struct sim_stats *st,
	    const struct sim_acct *a)
{
	if (cx->json)
		printf("{\"jobs\": %zu, \"makespan\": %.0f, \"utilization\": "
		       "%.4f, \"avg_wait\": %.1f, \"median_wait\": %.1f, "
		       "\"p95_wait\": %.1f, \"avg_bsld\": %.2f, "
		       "\"pass_avg_s\": %.6f, \"pass_max_s\": %.6f",
		       st->jobs, st->makespan, st->utilization, st->avg_wait,
		       st->median_wait, st->p95_wait, st->avg_bsld,
		       st->pass_avg_s, st->pass_max_s);
	if (cx->json) {
		print_cloud(cx, st, a);
		printf("}\n");
	} else
		printf("jobs %zu\nmakespan %.0f\nutilization %.4f\n"
		       "avg_wait %.1f\nmedian_wait %.1f\np95_wait %.1f\n"
		       "avg_bsld %.2f\npass_avg_s %.6f\npass_max_s %.6f\n"
		       "dropped %zu\npasses %zu\n", st->jobs, st->makespan,
		       st->utilization, st->avg_wait, st->median_wait,
		       st->p95_wait, st->avg_bsld, st->pass_avg_s,
		       st->pass_max_s, st->dropped, st->passes);
	if (!cx->json)
		print_cloud(cx, st, a);
	if (cx->json && st->dropped)
		cmd_warn(&info, "dropped %zu jobs that cannot run on %ld "
			 "processors", st->dropped, cx->procs);
}

/* The machine of --conf's NodeName lines (sim.h): their CPUs, memory and
 * GPUs; the processors, their sum. NULL when the file names no nodes. */
static struct sched_node *
machine_of_conf(const char *path, const struct hc_conf *conf, long *procs,
		size_t *nnodes)
{
	struct sched_node *nodes;
	size_t used = 0;

	if (!conf || !conf->node_count)
		return NULL;
	nodes = calloc(conf->node_count, sizeof(*nodes));
	if (!nodes)
		cmd_die(&info, HC_ENOMEM, "out of memory");
	*procs = 0;
	for (size_t i = 0; i < conf->node_count; i++) {
		const struct conf_node *c = &conf->nodes[i];
		struct sched_node *n = &nodes[used];

		if (c->pool)	/* a cloud pool's: --cloud's to replay */
			continue;
		used++;
		if (c->cpus <= 0)
			cmd_die(&info, HC_EINVAL, "%s:%d: NodeName=%s: "
				"hcsim needs its CPUs=; give them, or --procs",
				path, c->line, c->name);
		n->name = c->name;
		n->cpus = (uint32_t)c->cpus;
		n->mem_mb = c->real_memory_mb;
		for (size_t g = 0; g < c->gres.count; g++) {
			const struct res_item *it = &c->gres.items[g];

			for (uint64_t k = 0; !strcmp(it->name, "gpu") &&
			     k < it->count && n->gpu_count < SCHED_MAX_GPUS;
			     k++)
				snprintf(n->gpus[n->gpu_count++].type,
					 sizeof(n->gpus[0].type), "%s",
					 it->type);
		}
		*procs += c->cpus;
	}
	*nnodes = used;
	return nodes;
}

/* Fair-share usage as hcctld keeps it: decaying by PriorityDecayHalfLife,
 * a processor-second costing BillingWeights' cpu (hc-priority(7)). */
static void
usage_load(struct sim_opts *so, const struct hc_conf *conf)
{
	struct billing b;
	struct hc_err err = { 0 };

	if (!conf || conf->prio_weight_fairshare <= 0)
		return;
	if (billing_parse(conf->billing_weights, &b, &err) < 0)
		cmd_die_err(&info, &err);
	so->usage = fs_ledger_create((double)conf->prio_decay_half_life);
	so->usage_rate = billing_weight(&b, "cpu", NULL);
	sched_set_usage(so->sched, so->usage);
}

int
main(int argc, char **argv)
{
	struct ctx cx = { .depth = -1 };
	char **operands = calloc((size_t)argc + 1, sizeof(*operands));
	struct swf_trace t = { 0 };
	struct hc_conf *conf = NULL;
	struct sim_stats st;
	struct sim_opts so;
	struct sim_acct *acct = NULL;
	struct sched_resv resv;
	struct sched_node *nodes = NULL;
	size_t nnodes = 0;
	uint64_t *all = NULL;
	struct hc_err err = { 0 };
	bool explicit_conf;
	int n;

	if (!operands)
		cmd_die(&info, HC_ENOMEM, "out of memory");
	n = cmd_parse(&info, argc - 1, argv + 1, opt_fn, &cx, operands, &err);
	if (n < 0)
		cmd_die_err(&info, &err);
	if (n != 1)
		cmd_die(&info, HC_EINVAL, "give one trace file (see hcsim "
			"--help)");
	/* No policy given: the site's hc.conf says, when there is one. Only
	 * an explicit --conf gives the machine. */
	explicit_conf = cx.conf != NULL;
	if (!cx.conf && cx.depth < 0 && access(conf_default_path(), R_OK) == 0)
		cx.conf = conf_default_path();
	if (cx.conf) {
		char *errors = NULL;

		conf = conf_load(cx.conf, &errors, &err);
		if (!conf && errors && *errors) {
			fputs(errors, stderr);
			cmd_die(&info, HC_EINVAL, "%s: refused; fix the "
				"errors above", cx.conf);
		}
		if (!conf)
			cmd_die_err(&info, &err);
		free(errors);
		if (cx.depth < 0)
			cx.depth = conf->backfill_depth;
	}
	if (cx.depth < 0)
		cx.depth = SCHED_PLAN_DEPTH_DEFAULT;
	trace_load(operands[0], &t);
	if (!cx.procs && explicit_conf)
		nodes = machine_of_conf(cx.conf, conf, &cx.procs, &nnodes);
	if (!cx.procs)
		cx.procs = t.max_procs ? t.max_procs : t.max_nodes;
	if (!cx.procs)
		cmd_die(&info, HC_EINVAL, "%s names neither MaxProcs nor "
			"MaxNodes; give --procs N", operands[0]);
	if (cx.accounts && !(acct = sim_acct_read(cx.accounts, &err)))
		cmd_die_err(&info, &err);
	so = (struct sim_opts){ .procs = cx.procs, .acct = acct,
				.nodes = nodes,
				.nnodes = nodes ? nnodes : 0,
				.depth = (uint32_t)cx.depth,
				.check = cx.check,
				.test_break = cx.test_break,
				.schedule = cx.schedule ? stdout : NULL,
				.sched = sched_load(&cx, conf) };
	usage_load(&so, conf);
	if (cx.resv_end) {	/* every node: bit i is node i */
		size_t nb = nodes ? nnodes : 1;

		all = calloc((nb + 63) / 64, sizeof(*all));
		if (!all)
			cmd_die(&info, HC_ENOMEM, "out of memory");
		for (size_t i = 0; i < nb; i++)
			all[i / 64] |= (uint64_t)1 << (i % 64);
		resv = (struct sched_resv){ .name = "maint",
					    .start = cx.resv_start,
					    .end = cx.resv_end, .nodes = all,
					    .nbits = (uint32_t)nb,
					    .flags = SCHED_RESV_MAINT };
		so.resv = &resv;
		so.nresv = 1;
	}
	cloud_from_conf(&cx, conf);
	if (cx.cloud.nodes)
		so.cloud = &cx.cloud;
	if (sim_run(&t, &so, &st, &err) < 0)
		cmd_die_err(&info, &err);
	print_stats(&cx, &st, acct);
	sched_destroy(so.sched);
	fs_ledger_destroy(so.usage);
	sim_acct_free(acct);
	free(nodes);
	free(all);
	conf_destroy(conf);
	swf_free(&t);
	free(operands);
	return st.violations ? CHECK_FAILED : 0;
}
