/*
 * hcctl_show: `hcctl show job|node|queue|config`, printed as Key=Value
 * lines the way `scontrol show` prints them, so Slurm users find every
 * field where they expect it; --json prints the records instead.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcctl.h"
#include "msg.h"

/* "(null)" for an empty string, as scontrol prints. */
static const char *
nz(const char *s)
{
	return *s ? s : "(null)";
}

static char *
join_array(const json_t *a)
{
	struct outbuf o = {0};
	size_t i;
	const json_t *v;

	json_array_foreach(a, i, v) {
		if (i)
			out_putc(&o, ',');
		if (json_is_integer(v))
			out_printf(&o, "%lld", (long long)json_integer_value(v));
		else if (json_is_string(v))
			out_puts(&o, json_string_value(v));
	}
	out_putc(&o, '\0');
	return o.buf;
}

/* GPUs={"n3":[0,1]} -> "n3:0,1 n4:2". */
static char *
job_gpus(const json_t *j)
{
	struct outbuf o = {0};
	const char *node;
	json_t *ids;

	json_object_foreach(json_object_get(j, "gpus"), node, ids) {
		char *l = join_array(ids);
		out_printf(&o, "%s%s:%s", o.len ? " " : "", node, l);
		free(l);
	}
	out_putc(&o, '\0');
	return o.buf;
}

/* An array's record: ArrayJobId and ArrayTaskId (its pending tasks, as
 * scontrol prints them) on the first line; a task: its ids. */
static void
show_job_array(struct outbuf *o, const json_t *j)
{
	char *pend;

	if (!ji(j, "array_job_id"))
		return;
	out_printf(o, "ArrayJobId=%lld ", ji(j, "array_job_id"));
	if (!json_object_get(j, "array_tasks")) {
		out_printf(o, "ArrayTaskId=%lld ", ji(j, "array_task_id"));
		return;
	}
	pend = hc_strdup(js(j, "array_tasks"));
	pend[strcspn(pend, "%")] = '\0';
	out_printf(o, "ArrayTaskId=%s ", *pend ? pend : "(null)");
	free(pend);
}

/* An array's record: its throttle and its held tasks (owner's, then
 * administrators'). */
static void
show_job_array_more(struct outbuf *o, const json_t *j)
{
	const char *held = js(j, "array_held");
	const char *aheld = js(j, "array_held_admin");

	if (!json_object_get(j, "array_tasks"))
		return;
	out_printf(o, "   ArrayTaskThrottle=%lld HeldTasks=%s%s%s\n",
		   ji(j, "array_throttle"),
		   *held ? held : *aheld ? "" : "(null)",
		   *held && *aheld ? "," : "", aheld);
}

/* A job that ran on more than one cloud pool: its use of each, one line
 * per pool (the CloudPool= line above gives the totals). */
static void
show_cloud_use(struct outbuf *o, const json_t *use)
{
	const json_t *u;
	size_t i;

	if (json_array_size(use) < 2)
		return;
	json_array_foreach(use, i, u)
		out_printf(o, "   CloudUse=%s Nodes=%s NodeHours=%.3f "
			   "Cost=%.2f\n", js(u, "pool"), nz(js(u, "nodes")),
			   json_number_value(json_object_get(u,
					     "node_hours")),
			   json_number_value(json_object_get(u, "cost")));
}

static void
show_job(struct outbuf *o, const json_t *j)
{
	char run[32], limit[32], sub[32], elig[32], start[32], end[32];
	long long s = ji(j, "start_time"), e = ji(j, "end_time");
	char *gpus = job_gpus(j);

	cmd_fmt_elapsed(s ? (e ? e : (long long)time(NULL)) - s : 0, run,
			sizeof(run));
	cmd_fmt_limit(ji(j, "time_limit"), limit, sizeof(limit));
	cmd_fmt_time(ji(j, "submit_time"), sub, sizeof(sub));
	cmd_fmt_time(ji(j, "eligible_time"), elig, sizeof(elig));
	/* A pending job's StartTime is its planned start (if planned). */
	cmd_fmt_time(s ? s : ji(j, "plan_start"), start, sizeof(start));
	cmd_fmt_time(e, end, sizeof(end));
	out_printf(o, "JobId=%lld ", ji(j, "job_id"));
	show_job_array(o, j);
	out_printf(o, "JobName=%s\n", nz(js(j, "name")));
	show_job_array_more(o, j);
	out_printf(o, "   UserId=%s(%lld) GroupId=%s(%lld)\n",
		   nz(js(j, "user")), ji(j, "uid"), nz(js(j, "group")),
		   ji(j, "gid"));
	out_printf(o, "   Priority=%lld Nice=%lld Account=%s QOS=%s\n",
		   ji(j, "priority"), ji(j, "nice"), nz(js(j, "account")),
		   nz(js(j, "qos")));
	out_printf(o, "   JobState=%s Reason=%s Dependency=%s\n",
		   js(j, "state"), *js(j, "reason") ? js(j, "reason") : "None",
		   *js(j, "dependency") ? js(j, "dependency") : "(null)");
	out_printf(o, "   Requeue=%d Restarts=%lld ExitCode=%s\n",
		   jb(j, "requeue"), ji(j, "restart_count"),
		   *js(j, "exit_code") ? js(j, "exit_code") : "0:0");
	out_printf(o, "   RunTime=%s TimeLimit=%s\n", run, limit);
	out_printf(o, "   SubmitTime=%s EligibleTime=%s\n", sub, elig);
	out_printf(o, "   StartTime=%s EndTime=%s\n", start, end);
	out_printf(o, "   Queue=%s\n", nz(js(j, "queue")));
	out_printf(o, "   NodeList=%s", nz(js(j, "nodelist")));
	if (*js(j, "plan_nodes"))	/* a pending job's planned nodes */
		out_printf(o, " SchedNodeList=%s", js(j, "plan_nodes"));
	out_putc(o, '\n');
	out_printf(o, "   ComputeIds=%s\n", nz(js(j, "compute_ids")));
	out_printf(o, "   NumNodes=%lld NumCPUs=%lld NumTasks=%lld "
		      "CPUs/Task=%lld\n",
		   ji(j, "nodes_req"), ji(j, "cpus"), ji(j, "ntasks"),
		   ji(j, "cpus_per_task"));
	out_printf(o, "   MinMemoryNode=%lldM Gres=%s GPUs=%s\n",
		   ji(j, "mem_mb"), nz(js(j, "gres")), nz(gpus));
	out_printf(o, "   Features=%s Exclusive=%s\n",
		   nz(js(j, "constraint")), jb(j, "exclusive") ? "YES" : "NO");
	out_printf(o, "   Reservation=%s Workload=%s\n",
		   nz(js(j, "reservation")), nz(js(j, "workload")));
	out_printf(o, "   MaxRSS=%lldK\n", ji(j, "max_rss_kb"));
	if (*js(j, "cloud_pool"))	/* ran on cloud nodes (power_job.c) */
		out_printf(o, "   CloudPool=%s CloudNodes=%s "
			   "CloudNodeHours=%.3f CloudCost=%.2f\n",
			   js(j, "cloud_pool"),
			   nz(js(j, "cloud_nodes")),
			   json_number_value(json_object_get(j,
					     "cloud_node_hours")),
			   json_number_value(json_object_get(j, "cloud_cost")));
	show_cloud_use(o, json_object_get(j, "cloud_use"));
	out_printf(o, "   Command=%s\n", nz(js(j, "command")));
	out_printf(o, "   WorkDir=%s\n", nz(js(j, "cwd")));
	out_printf(o, "   StdErr=%s\n", nz(js(j, "stderr")));
	out_printf(o, "   StdIn=%s\n", *js(j, "stdin") ? js(j, "stdin")
						     : "/dev/null");
	out_printf(o, "   StdOut=%s\n", nz(js(j, "stdout")));
	out_printf(o, "   Comment=%s\n", nz(js(j, "comment")));
	hcctl_steps_print(o, j);
	out_putc(o, '\n');
	free(gpus);
}

/* ComputeId, PreviousIds, CertExpiry, Accelerators (UUIDs or bus ids),
 * and an inventory change waiting for `hcctl accept node`. */
static void
show_node_identity(struct outbuf *o, const json_t *n)
{
	char *prev = join_array(json_object_get(n, "previous_ids"));
	char *acc = join_array(json_object_get(n, "accelerators"));
	char exp[32];

	if (ji(n, "cert_not_after") > 0)
		cmd_fmt_time(ji(n, "cert_not_after"), exp, sizeof(exp));
	else
		snprintf(exp, sizeof(exp), "(none)");
	out_printf(o, "   ComputeId=%s PreviousIds=%s CertExpiry=%s\n",
		   nz(js(n, "compute_id")), nz(prev), exp);
	out_printf(o, "   Accelerators=%s\n", nz(acc));
	if (*js(n, "identity_pending"))
		out_printf(o, "   PendingComputeId=%s (hcctl accept node %s)\n",
			   js(n, "identity_pending"), js(n, "name"));
	free(prev);
	free(acc);
}

/* Cloud pools and power saving (hc-cloud(7)): the pool, since when the
 * node is in its power state (and for how long), a start's deadline. */
static void
show_node_power(struct outbuf *o, const json_t *n)
{
	long long since = ji(n, "state_since"), dl = ji(n, "power_deadline");
	char s[32], d[32];

	if (!*js(n, "pool") && !since)
		return;
	cmd_fmt_time(since, s, sizeof(s));
	out_printf(o, "   CloudPool=%s StateSince=%s", nz(js(n, "pool")), s);
	if (since)	/* unknown: never started or stopped by hcctld */
		out_printf(o, " (%llds)", (long long)time(NULL) - since);
	if (dl) {
		cmd_fmt_time(dl, d, sizeof(d));
		out_printf(o, " ResumeDeadline=%s", d);
	}
	out_putc(o, '\n');
}

static void
show_node(struct outbuf *o, const json_t *n)
{
	char boot[32], hb[32], rt[32];
	char *feat = join_array(json_object_get(n, "features"));
	char *queues = join_array(json_object_get(n, "queues"));
	char *jobs = join_array(json_object_get(n, "jobs"));
	size_t i;
	const json_t *g;

	cmd_fmt_time(ji(n, "boot_time"), boot, sizeof(boot));
	cmd_fmt_time(ji(n, "last_heartbeat"), hb, sizeof(hb));
	cmd_fmt_time(ji(n, "reason_time"), rt, sizeof(rt));
	out_printf(o, "NodeName=%s Arch=%s CPUModel=%s\n", js(n, "name"),
		   nz(js(n, "arch")), nz(js(n, "cpu_model")));
	out_printf(o, "   CPUAlloc=%lld CPUTot=%lld Sockets=%lld "
		      "CoresPerSocket=%lld ThreadsPerCore=%lld\n",
		   ji(n, "cpus_alloc"), ji(n, "cpus"), ji(n, "sockets"),
		   ji(n, "cores_per_socket"), ji(n, "threads_per_core"));
	out_printf(o, "   AvailableFeatures=%s\n", nz(feat));
	out_printf(o, "   Gres=%s GresUsed=%s\n", nz(js(n, "gres")),
		   nz(js(n, "gres_alloc")));
	json_array_foreach(json_object_get(n, "gpus"), i, g)
		out_printf(o, "   GPU=%lld Type=%s Model=%s Vendor=%s "
			      "PciId=%s BusId=%s Memory=%lldM\n",
			   ji(g, "index"), nz(js(g, "type")),
			   nz(js(g, "model")), nz(js(g, "vendor")),
			   nz(js(g, "pci_id")), nz(js(g, "busid")),
			   ji(g, "memory_mb"));
	out_printf(o, "   NodeAddr=%s Port=%lld Version=%s\n",
		   nz(js(n, "addr")), ji(n, "port"), nz(js(n, "version")));
	out_printf(o, "   RealMemory=%lld AllocMem=%lld\n",
		   ji(n, "real_memory_mb"), ji(n, "mem_alloc_mb"));
	show_node_identity(o, n);
	out_printf(o, "   State=%s Queues=%s\n", js(n, "state"), nz(queues));
	out_printf(o, "   BootTime=%s LastHeartbeat=%s\n", boot, hb);
	show_node_power(o, n);
	out_printf(o, "   Jobs=%s\n", nz(jobs));
	if (*js(n, "reason"))
		out_printf(o, "   Reason=%s [%s]\n", js(n, "reason"), rt);
	out_putc(o, '\n');
	free(feat);
	free(queues);
	free(jobs);
}

static void
show_queue(struct outbuf *o, const json_t *q)
{
	char max[32], def[32];
	struct outbuf st = {0};
	const char *k;
	json_t *v;

	cmd_fmt_limit(ji(q, "max_time"), max, sizeof(max));
	cmd_fmt_limit(ji(q, "default_time"), def, sizeof(def));
	json_object_foreach(json_object_get(q, "node_states"), k, v)
		out_printf(&st, "%s%s:%lld", st.len ? "," : "", k,
			   (long long)json_integer_value(v));
	out_putc(&st, '\0');
	out_printf(o, "QueueName=%s Default=%s State=%s\n", js(q, "name"),
		   jb(q, "default") ? "YES" : "NO", nz(js(q, "state")));
	out_printf(o, "   Nodes=%s TotalNodes=%lld\n", nz(js(q, "nodes")),
		   ji(q, "total_nodes"));
	out_printf(o, "   MaxTime=%s DefaultTime=%s\n", max, def);
	out_printf(o, "   CPUs=%lld CPUsAlloc=%lld Gres=%s\n", ji(q, "cpus"),
		   ji(q, "cpus_alloc"), nz(js(q, "gres")));
	out_printf(o, "   NodeStates=%s\n\n", nz(st.buf));
	free(st.buf);
}

typedef void (*show_fn)(struct outbuf *o, const json_t *rec);

/* Send the query, then print the records under key (or JSON). */
static int
show_records(struct hcctl *h, unsigned type, json_t *req, const char *key,
	     const char *what, const char *name, show_fn fn)
{
	json_t *rep = cmd_call(&hcctl_info, hcctl_client(h), type, req);
	json_t *recs = json_object_get(rep, key);
	struct outbuf o = {0};
	size_t i;
	const json_t *r;

	if (name && json_array_size(recs) == 0) {
		json_decref(rep);
		cmd_die(&hcctl_info, HC_ENOENT, "no such %s '%s'%s", what, name,
			strcmp(what, "job") == 0
				? "; a job that ended more than MinJobAge "
				  "ago is in the history: hcacct -j ID"
				: "");
	}
	if (type == HC_MSG_JOB_QUERY)
		hcctl_steps_attach(h, recs);
	if (h->json) {
		json_t *out = json_pack("{s:O}", key, recs ? recs : json_null());
		cmd_print_json(out);
		json_decref(out);
	} else {
		json_array_foreach(recs, i, r)
			fn(&o, r);
		if (o.len)
			o.len--;	/* no blank line after the last */
		if (out_flush(&o, stdout) < 0)
			cmd_die(&hcctl_info, HC_EIO, "cannot write the output");
	}
	json_decref(rep);
	return 0;
}

int
hcctl_show_job(struct hcctl *h, const char *name)
{
	json_t *req = json_pack("{s:b}", "detail", 1);
	struct hc_err err = {0};

	if (name && strchr(name, '_')) {	/* array tasks: 123_7 */
		long id;
		const char *tasks = hcctl_job_name(name, &id);
		char *t = hc_strdup(tasks), *e = t + strlen(t);

		if (*t == '[' && e > t + 1 && e[-1] == ']') {
			e[-1] = '\0';
			memmove(t, t + 1, strlen(t));
		}
		json_object_set_new(req, "job_ids", json_pack("[i]", (int)id));
		json_object_set_new(req, "tasks", json_string(t));
		free(t);
	} else if (name) {
		json_t *ids = cmd_list_ids(name, &err);
		if (!ids)
			cmd_die_err(&hcctl_info, &err);
		json_object_set_new(req, "job_ids", ids);
	}
	return show_records(h, HC_MSG_JOB_QUERY, req, "jobs", "job", name,
			    show_job);
}

int
hcctl_show_node(struct hcctl *h, const char *name)
{
	json_t *req = json_object();

	if (name)
		json_object_set_new(req, "nodes", json_string(name));
	return show_records(h, HC_MSG_NODE_QUERY, req, "nodes", "node", name,
			    show_node);
}

int
hcctl_show_queue(struct hcctl *h, const char *name)
{
	json_t *req = json_object();

	if (name)
		json_object_set_new(req, "queues", json_pack("[s]", name));
	return show_records(h, HC_MSG_QUEUE_QUERY, req, "queues", "queue",
			    name, show_queue);
}

int
hcctl_show_config(struct hcctl *h, const char *name)
{
	json_t *rep = cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_CONFIG_SHOW, NULL);
	json_t *cfg = json_object_get(rep, "config");
	struct outbuf o = {0};
	size_t i;
	const json_t *kv;
	int w = 0;

	if (h->json) {
		json_t *out = json_pack("{s:O?}", "config", cfg);
		cmd_print_json(out);
		json_decref(out);
		json_decref(rep);
		return 0;
	}
	json_array_foreach(cfg, i, kv)
		if ((int)strlen(js(kv, "key")) > w)
			w = (int)strlen(js(kv, "key"));
	json_array_foreach(cfg, i, kv)
		out_printf(&o, "%-*s = %s\n", w, js(kv, "key"),
			   nz(js(kv, "value")));
	if (out_flush(&o, stdout) < 0)
		cmd_die(&hcctl_info, HC_EIO, "cannot write the output");
	json_decref(rep);
	return 0;
}
