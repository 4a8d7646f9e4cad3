/*
 * jobs_submit: SUBMIT. Validates a JOBSPEC against hc.conf (queue, MaxTime,
 * resources that some node of the queue could ever provide: a request no
 * node can satisfy is refused now, rather than pending forever), takes the
 * identity from the munge credential, assigns the id from the persisted
 * counter and writes the record, the script and the counter in the current
 * write transaction. rpc sends the reply only after that transaction
 * commits (group commit), so an acknowledged id is always durable.
 *
 * Per-submit work is bounded by the number of nodes of the queue, never by
 * the number of jobs: >= 500 submits/s.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "hc_err.h"
#include "conf.h"
#include "ctld.h"
#include "audit.h"
#include "jobs.h"
#include "jobs_array.h"
#include "jobs_int.h"
#include "log.h"
#include "nodes.h"
#include "parse.h"
#include "resv.h"
#include "rpc.h"
#include "sched.h"
#include "state.h"
#include "states.h"
#include "usercache.h"

#define JOB_MAX_TASKS 1000000
#define JOB_MAX_STR 4096

/* The submitter's user and group names (the number when NSS has none),
 * from the controller's cache: a burst of submissions reads passwd and
 * group once (usercache.c). */
static char *
user_name(struct jobs *js, uint32_t uid, uint32_t gid, time_t now)
{
	const struct user_info *u = usercache_get(js->c->users, uid, gid,
						  false, now, NULL);

	return u ? hc_strdup(u->name) : hc_asprintf("%u", uid);
}

static char *
group_name(struct jobs *js, uint32_t gid, time_t now)
{
	const char *g = usercache_group_name(js->c->users, gid, now, NULL);

	return g ? hc_strdup(g) : hc_asprintf("%u", gid);
}

/* A string field, bounded; NULL when absent. */
static int
spec_str(const json_t *s, const char *key, char **out, struct hc_err *err)
{
	const char *v = jstr(s, key);

	*out = NULL;
	if (!v)
		return 0;
	if (strlen(v) > JOB_MAX_STR)
		return hc_err_set(err, HC_EINVAL, "%s is longer than %d "
				  "characters", key, JOB_MAX_STR);
	*out = hc_strdup(v);
	return 0;
}

static int
spec_uint(const json_t *s, const char *key, long long min, long long max,
	  uint32_t def, uint32_t *out, struct hc_err *err)
{
	long long v = jint(s, key, def);

	if (v < min || v > max)
		return hc_err_set(err, HC_EINVAL, "%s=%lld is out of range "
				  "[%lld, %lld]", key, v, min, max);
	*out = (uint32_t)v;
	return 0;
}

/* The command shown by `hcctl show job`: --wrap text or the script's first
 * line that is not a comment. */
static char *
spec_command(const json_t *s, const char *script)
{
	const char *p = script, *e;

	if (jstr(s, "command"))
		return hc_strdup(jstr(s, "command"));
	while (p && *p) {
		size_t len;

		e = strchr(p, '\n');
		len = e ? (size_t)(e - p) : strlen(p);
		if (*p != '#' && len > 0)
			return hc_asprintf("%.*s", (int)(len > 256 ? 256 :
							len), p);
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

static int
spec_queue(struct jobs *js, struct job *j, const json_t *s,
	   struct hc_err *err)
{
	const struct hc_conf *conf = js->c->conf;
	const char *qn = jstr(s, "queue");
	const struct conf_queue *q;

	q = qn && *qn ? conf_queue_find(conf, qn) : conf_queue_default(conf);
	if (!q && qn && *qn)
		return hc_err_set(err, HC_ENOENT, "queue %s does not exist; "
				  "hcinfo lists the queues", qn);
	if (!q)
		return hc_err_set(err, HC_EINVAL, "no queue given and no "
				  "default queue; name one with -p");
	if (q->state && !strcasecmp(q->state, "INACTIVE"))
		return hc_err_set(err, HC_EINVAL, "queue %s is INACTIVE and "
				  "takes no jobs", q->name);
	j->queue = hc_strdup(q->name);
	j->queue_index = (uint32_t)(q - conf->queues);
	return 0;
}

int
jobs_check_time_limit(struct jobs *js, const struct job *j, long tl,
		      struct hc_err *err)
{
	const struct conf_queue *q = &js->c->conf->queues[j->queue_index];
	char a[32], b[32];

	if (q->max_time < 0 || (tl >= 0 && tl <= q->max_time))
		return 0;
	format_time_limit(tl, a, sizeof(a));
	format_time_limit(q->max_time, b, sizeof(b));
	return hc_err_set(err, HC_EINVAL, "time limit %s exceeds queue %s's "
			  "MaxTime %s; ask for less with -t", a, q->name, b);
}

static int
spec_time(struct jobs *js, struct job *j, const json_t *s, struct hc_err *err)
{
	const struct conf_queue *q = &js->c->conf->queues[j->queue_index];
	long long tl = jint(s, "time_limit", 0);

	if (tl < -1 || tl > 100L * 365 * 24 * 60)
		return hc_err_set(err, HC_EINVAL, "time_limit=%lld is out of "
				  "range", tl);
	if (tl == 0)
		tl = q->default_time >= 0 ? q->default_time : q->max_time;
	j->time_limit = (long)tl;
	return jobs_check_time_limit(js, j, (long)tl, err);
}

static int
spec_gres(struct job *j, const json_t *s, struct hc_err *err)
{
	struct res_list rl = { 0 };
	const char *g = jstr(s, "gres");

	if (!g || !*g)
		return 0;
	if (res_list_parse(g, &rl, err) < 0)
		return hc_err_prefix(err, "--gres=%s: ", g);
	for (size_t i = 0; i < rl.count; i++) {
		if (strcmp(rl.items[i].name, "gpu")) {
			hc_err_set(err, HC_EINVAL, "--gres=%s: unknown "
				   "resource %s; hc knows gpu[:type]:N", g,
				   rl.items[i].name);
			res_list_free(&rl);
			return -1;
		}
		j->gpus_per_node = (uint32_t)rl.items[i].count;
		snprintf(j->gpu_type, sizeof(j->gpu_type), "%s",
			 rl.items[i].type);
	}
	res_list_free(&rl);
	j->gres = hc_strdup(g);
	return 0;
}

/* Tasks, CPUs, memory, GPUs, features. */
static int
spec_resources(struct jobs *js, struct job *j, const json_t *s,
	       struct hc_err *err)
{
	uint32_t tpn;

	if (spec_uint(s, "nodes", 1, 65536, 1, &j->nodes_min, err) < 0 ||
	    spec_uint(s, "nodes_max", 0, 65536, 0, &j->nodes_max, err) < 0 ||
	    spec_uint(s, "ntasks_per_node", 0, SCHED_MAX_CPUS, 0,
		      &j->ntasks_per_node, err) < 0 ||
	    spec_uint(s, "cpus_per_task", 1, SCHED_MAX_CPUS, 1,
		      &j->cpus_per_task, err) < 0 ||
	    spec_uint(s, "ntasks", 1, JOB_MAX_TASKS, j->ntasks_per_node ?
		      j->ntasks_per_node * j->nodes_min : j->nodes_min,
		      &j->ntasks, err) < 0 ||
	    spec_uint(s, "gpus_per_task", 0, SCHED_MAX_GPUS, 0,
		      &j->gpus_per_task, err) < 0)
		return -1;
	if (j->nodes_max && j->nodes_max < j->nodes_min)
		return hc_err_set(err, HC_EINVAL, "-N %u-%u: the maximum is "
				  "below the minimum", j->nodes_min,
				  j->nodes_max);
	j->mem_per_node_mb = (uint64_t)jint(s, "mem_mb", 0);
	j->mem_per_cpu_mb = (uint64_t)jint(s, "mem_per_cpu_mb", 0);
	if (j->mem_per_node_mb && j->mem_per_cpu_mb)
		return hc_err_set(err, HC_EINVAL, "--mem and --mem-per-cpu "
				  "exclude each other; give one");
	if (spec_gres(j, s, err) < 0)
		return -1;
	tpn = j->ntasks_per_node ? j->ntasks_per_node :
	      (j->ntasks + j->nodes_min - 1) / j->nodes_min;
	if (j->gpus_per_task && !j->gpus_per_node)
		j->gpus_per_node = j->gpus_per_task * tpn;
	if (!j->mem_per_node_mb && !j->mem_per_cpu_mb) {
		const struct hc_conf *cf = js->c->conf;
		uint64_t gpu_mb = cf->def_mem_per_gpu_mb * j->gpus_per_node;

		j->mem_per_node_mb = cf->def_mem_per_cpu_mb * tpn *
				     j->cpus_per_task;
		/* A GPU job's runtime needs more than a CPU's share (CUDA's
		 * start-up alone maps hundreds of MB): DefMemPerGPU. */
		if (j->mem_per_node_mb && gpu_mb > j->mem_per_node_mb)
			j->mem_per_node_mb = gpu_mb;
	}
	if (spec_str(s, "constraint", &j->constraint, err) < 0)
		return -1;
	if (j->constraint && !*j->constraint) {
		free(j->constraint);
		j->constraint = NULL;
	}
	return jobs_check_fit(js, j, err);
}

static int
spec_misc(struct jobs *js, struct job *j, const json_t *s, uint32_t uid,
	  struct hc_err *err)
{
	const char *om = jstr(s, "open_mode");
	const json_t *sig = json_object_get(s, "signal");
	long long nice = jint(s, "nice", 0);

	if (om && !strcmp(om, "append"))
		j->open_mode = JOB_OPEN_APPEND;
	else if (om && !strcmp(om, "truncate"))
		j->open_mode = JOB_OPEN_TRUNCATE;
	else if (om && *om)
		return hc_err_set(err, HC_EINVAL, "--open-mode=%s: use append "
				  "or truncate", om);
	if (json_is_object(sig)) {
		j->sig_num = (int)jint(sig, "num", 0);
		j->sig_secs = (int)jint(sig, "secs", 60);
		j->sig_batch_only = jbool(sig, "batch_only", false);
		if (j->sig_num < 0 || j->sig_num > 64 || j->sig_secs < 0 ||
		    j->sig_secs > 65535)
			return hc_err_set(err, HC_EINVAL, "--signal: signal "
					  "or time out of range");
	}
	if (nice < -10000 || nice > 10000)
		return hc_err_set(err, HC_EINVAL, "--nice=%lld is out of range "
				  "[-10000, 10000]", nice);
	/* Security: only admins may raise their priority with a negative
	 * nice value. */
	if (nice < 0 && !jobs_is_admin(js, uid))
		return hc_err_set(err, HC_EPERM, "--nice=%lld: only "
				  "administrators may give a negative nice",
				  nice);
	j->nice = (int)nice;
	j->exclusive = jbool(s, "exclusive", false);
	j->requeue = jbool(s, "requeue", false);
	j->hold = jbool(s, "hold", false) ? JOB_HOLD_USER : JOB_HOLD_NONE;
	j->begin_time = (time_t)jint(s, "begin_time", 0);
	if (spec_str(s, "name", &j->name, err) < 0 ||
	    spec_str(s, "account", &j->account, err) < 0 ||
	    spec_str(s, "comment", &j->comment, err) < 0 ||
	    spec_str(s, "cwd", &j->cwd, err) < 0 ||
	    spec_str(s, "stdout", &j->out, err) < 0 ||
	    spec_str(s, "stderr", &j->err, err) < 0 ||
	    spec_str(s, "stdin", &j->in, err) < 0)
		return -1;
	if (!j->name)
		j->name = hc_strdup("hc-job");
	if (!j->cwd)
		j->cwd = hc_strdup("/tmp");
	if (!j->out)
		j->out = hc_strdup("hc-%j.out");
	return 0;
}

/* The account and QOS the job is charged to, and their submit-time
 * limits (accounts_submit.c); a job that asked for no time limit may get
 * the smallest MaxWall that applies. */
static int
spec_account(struct jobs *js, struct job *j, const json_t *s,
	     struct hc_err *err)
{
	char *acct = NULL, *qos = NULL;

	if (accounts_submit(js->c, j->uid, j->user, j->account,
			    jstr(s, "qos"), &j->time_limit,
			    jint(s, "time_limit", 0) != 0, &acct, &qos,
			    err) < 0)
		return -1;
	free(j->account);
	j->account = acct;
	j->qos = qos;
	return 0;
}

/* A new job from spec, or NULL with err. Identity from the credential. */
static struct job *
job_from_spec(struct jobs *js, const struct rpc_req *req, const json_t *s,
	      struct hc_err *err)
{
	struct job *j = hc_calloc(1, sizeof(*j));
	const char *script = jstr(s, "script");
	time_t now = time(NULL);

	j->uid = req->uid;
	j->gid = req->gid;
	j->interactive = jbool(s, "interactive", false);
	if (j->interactive && jstr(s, "array")) {
		hc_err_set(err, HC_EINVAL, "an interactive allocation cannot "
			   "be a job array");
		goto fail;
	}
	if (!j->interactive && (!script || !*script)) {
		hc_err_set(err, HC_EINVAL, "the job has no script; give a "
			   "script file or --wrap");
		goto fail;
	}
	/* Security: identity is the munge credential's, never the body's;
	 * root runs jobs only where the site allows it. */
	if (j->uid == 0 && !js->c->conf->allow_root_jobs) {
		hc_err_set(err, HC_EPERM, "root may not run jobs here "
			   "(AllowRootJobs=no); submit as an ordinary user");
		goto fail;
	}
	if (spec_queue(js, j, s, err) < 0 || spec_time(js, j, s, err) < 0 ||
	    spec_misc(js, j, s, req->uid, err) < 0 ||
	    spec_resources(js, j, s, err) < 0 ||
	    jobs_depend_spec(js, j, s, err) < 0 ||
	    jobs_array_spec(j, s, err) < 0)
		goto fail;
	j->user = user_name(js, j->uid, j->gid, now);
	j->group = group_name(js, j->gid, now);
	if (spec_account(js, j, s, err) < 0 ||
	    resv_job_spec(js->c, j, s, err) < 0)	/* needs the account */
		goto fail;
	j->command = spec_command(s, script);
	j->state = JOB_PENDING;
	j->submit_time = now;
	j->eligible_time = j->begin_time > now ? j->begin_time : now;
	/* What hcqueue says before the next pass: a held or later job waits
	 * for that whatever the pass finds. */
	snprintf(j->reason, sizeof(j->reason), "%s",
		 j->hold != JOB_HOLD_NONE ? "Held" :
		 j->begin_time > now ? "BeginTime" : "");
	return j;
fail:
	job_free(j);
	return NULL;
}

/* Script, environment and the other launch-only fields, kept apart. */
static int
jobs_save_script(struct jobs *js, uint32_t id, const json_t *s,
		 struct hc_err *err)
{
	static const char *const keys[] = { "script", "env", "argv",
					    "rlimits", "export", NULL };
	json_t *rec = json_object();
	uint8_t key[8];
	int rc;

	for (size_t i = 0; keys[i]; i++) {
		json_t *v = json_object_get(s, keys[i]);

		if (v)
			json_object_set(rec, keys[i], v);
	}
	state_key_u64(id, key);
	rc = state_put(js->c->state, STATE_DB_SCRIPTS, key, sizeof(key), rec,
		       err);
	json_decref(rec);
	return rc;
}

void
jobs_rpc_submit(struct rpc_req *req, json_t *body)
{
	struct jobs *js = req->ctld->jobs;
	const json_t *s = json_object_get(body, "job");
	struct hc_err err = { 0 };
	long max = js->c->conf->max_job_count;
	struct job *j;

	if (!json_is_object(s)) {
		rpc_reply_err(req, HC_EINVAL, "SUBMIT without a job");
		return;
	}
	if (max > 0 && js->n >= (size_t)max) {
		rpc_reply_err(req, HC_EBUSY, "MaxJobCount (%ld) reached; try "
			      "again when jobs have finished", max);
		return;
	}
	j = job_from_spec(js, req, s, &err);
	if (!j) {
		rpc_reply_err(req, err.code, "%s", err.text);
		return;
	}
	j->id = js->next_id++;
	if (jobs_save_next_id(js, &err) < 0 ||
	    jobs_save_script(js, j->id, s, &err) < 0 || jobs_save(js, j) < 0) {
		hc_log(HC_LOG_ERR, "job=%u cannot be stored: %s", j->id,
		       err.text);
		job_free(j);
		rpc_reply_err(req, HC_EIO, "the job could not be stored; the "
			      "controller's log says why");
		return;
	}
	jobs_insert(js, j);
	audit_job(js->c, req->uid, "job_submit", j, j->queue);
	hc_log(HC_LOG_DEBUG, "job=%u uid=%u submitted queue=%s", j->id, j->uid,
	       j->queue);
	rpc_reply(req, json_pack("{s:I}", "job_id", (json_int_t)j->id));
	jobs_sched_request(js);
}
