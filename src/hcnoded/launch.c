/*
 * launch: the jobs this node runs, from JOB_LAUNCH to the ended event.
 *
 *	launch -> spool files, TMPDIR, cgroup -> Prolog -> fork (batch node)
 *	       -> started ... script exits -> kill what is left -> ended
 *	       -> Epilog -> cgroup, TMPDIR and spool files removed
 *
 * Terminating a job (time limit, JOB_KILL without a signal): SIGTERM to
 * every process of the job, then after KillWait SIGKILL of the whole tree
 * through the cgroup. Events go to the controller, or wait for the next
 * registration when it is away; jobs keep running meanwhile.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "discover.h"
#include "hostlist.h"
#include "job.h"
#include "log.h"
#include "msg.h"
#include "noded.h"
#include "rsh.h"

struct jobs {
	struct noded *nd;
	struct job *list;
	struct job_reports *reports;	/* ended, not yet acknowledged */
};

static void job_finish(struct job *j);
static void jobs_clean_leftovers(struct jobs *js);

struct jobs *
jobs_create(struct noded *nd, struct hc_err *err)
{
	struct jobs *js = hc_calloc(1, sizeof(*js));

	js->nd = nd;
	js->reports = job_reports_create(nd);
	jobs_clean_leftovers(js);
	return js;
}

static void
job_free(struct job *j)
{
	if (j->ev_limit)
		event_free(j->ev_limit);
	if (j->ev_warn)
		event_free(j->ev_warn);
	if (j->ev_kill)
		event_free(j->ev_kill);
	json_decref(j->spec);
	free(j->user);
	free(j->groups);
	free(j->script);
	free(j->nodefile);
	free(j->tmpdir);
	free(j->cpu_ids);
	free(j->gpu_ids);
	free(j);
}

/* Jobs keep running when the agent exits (SIGTERM): only memory is freed. */
void
jobs_destroy(struct jobs *js)
{
	if (!js)
		return;
	while (js->list) {
		struct job *j = js->list;
		js->list = j->next;
		noded_child_forget(js->nd, j);
		job_free(j);
	}
	job_reports_destroy(js->reports);
	free(js);
}

static struct job *
job_find(const struct jobs *js, uint32_t id)
{
	for (struct job *j = js->list; j; j = j->next)
		if (j->id == id)
			return j;
	return NULL;
}

struct job *
jobs_get_running(const struct jobs *js, uint32_t job_id)
{
	struct job *j = job_find(js, job_id);
	return j && j->phase == JOB_PH_RUNNING ? j : NULL;
}

/* A job's last step task here ended: a terminating job with nothing
 * left in it need not wait for KillWait. */
void
jobs_step_gone(struct jobs *js, uint32_t job_id)
{
	struct job *j = job_find(js, job_id);

	if (j && j->terminating && !j->batch && j->phase == JOB_PH_RUNNING &&
	    cgroup_job_count(js->nd->cg, j->id) == 0)
		job_finish(j);
}

bool
jobs_running(const struct jobs *js, uint32_t job_id)
{
	const struct job *j = job_find(js, job_id);
	return j && j->phase == JOB_PH_RUNNING;
}

json_t *
jobs_ids_json(const struct jobs *js)
{
	json_t *a = json_array();
	for (struct job *j = js->list; j; j = j->next)
		json_array_append_new(a, json_integer(j->id));
	return a;
}

json_t *
jobs_register_json(struct jobs *js)
{
	json_t *a = json_array();

	/* A job past its end (epilog running) is reported by its ended
	 * event while that is unacknowledged, and not at all after. */
	for (struct job *j = js->list; j; j = j->next)
		if (j->phase != JOB_PH_ENDING)
			json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:I}",
				"job_id", (json_int_t)j->id, "state",
				"running", "event", "started", "start",
				(json_int_t)j->start));
	job_reports_register_json(js->reports, a);
	return a;
}

void
jobs_register_done(struct jobs *js)
{
	job_reports_register_done(js->reports);
}

void
jobs_event_ack(struct jobs *js, json_t *ack)
{
	job_reports_ack(js->reports, json_object_get(ack, "job_ids"));
}

/* An ended event is kept until acknowledged (job_report.c), and sent now
 * when the controller is there; other events only go to a controller that
 * is there (a registration reports what runs). Steals ev. */
void
jobs_event_send(struct noded *nd, json_t *ev)
{
	const char *what = json_string_value(json_object_get(ev, "event"));
	json_int_t id = json_integer_value(json_object_get(ev, "job_id"));

	if (what && strcmp(what, "ended") == 0)
		job_reports_add(nd->jobs->reports, (uint32_t)id, ev);
	if (ctl_conn_registered(nd->ctl))
		ctl_conn_send(nd->ctl, HC_MSG_JOB_EVENT, ev, false);
	else
		json_decref(ev);
}

static void
job_send_ended(struct job *j, int status, const char *reason)
{
	uint64_t rss = 0;
	int oom = 0;
	json_t *ev;

	cgroup_job_stats(j->js->nd->cg, j->id, &rss, &oom);
	j->end = time(NULL);
	ev = json_pack("{s:I,s:s,s:i,s:I,s:I,s:I,s:b,s:b}", "job_id",
		       (json_int_t)j->id, "event", "ended", "exit_status",
		       status, "start", (json_int_t)(j->start ?: j->end),
		       "end", (json_int_t)j->end, "max_rss_kb",
		       (json_int_t)rss, "oom", oom, "timeout", j->timeout);
	if (reason)
		json_object_set_new(ev, "reason", json_string(reason));
	if (j->prolog_failed)
		json_object_set_new(ev, "prolog_failed", json_true());
	hc_log(HC_LOG_INFO, "job=%u ended status=%d rss_kb=%llu oom=%d "
	       "timeout=%d%s%s", j->id, status, (unsigned long long)rss, oom,
	       j->timeout, reason ? " reason=" : "", reason ? reason : "");
	jobs_event_send(j->js->nd, ev);
}

/* Who a signal reaches: every process of the job (its cgroup, else its
 * process group), the batch script's process group, or the shell alone
 * (--signal=B:). */
enum sig_scope { SIG_JOB, SIG_PGRP, SIG_SHELL };

static void
job_signal(struct job *j, int sig, enum sig_scope scope)
{
	struct noded *nd = j->js->nd;

	if (scope == SIG_JOB && cgroup_job_signal(nd->cg, j->id, sig) >= 0)
		return;
	if (j->pid > 0)
		kill(scope == SIG_SHELL ? j->pid : -j->pid, sig);
}

static void
job_kill_tree(struct job *j)
{
	int left = cgroup_job_kill_all(j->js->nd->cg, j->id);

	if (j->pid > 0)
		kill(-j->pid, SIGKILL);
	if (left > 0)
		hc_log(HC_LOG_WARN, "job=%u %d processes survive SIGKILL",
		       j->id, left);
}

static void
on_killwait(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	hc_log(HC_LOG_INFO, "job=%u KillWait over: SIGKILL to the tree", j->id);
	job_kill_tree(j);
	if (!j->batch || j->phase != JOB_PH_RUNNING)
		job_finish(j);
}

static void
job_terminate(struct job *j)
{
	struct noded *nd = j->js->nd;
	struct timeval tv = { nd->conf->kill_wait > 0 ? nd->conf->kill_wait :
			      30, 0 };

	if (j->terminating)
		return;
	j->terminating = true;
	job_signal(j, SIGCONT, SIG_JOB);
	job_signal(j, SIGTERM, SIG_JOB);
	if (!j->ev_kill)
		j->ev_kill = evtimer_new(nd->base, on_killwait, j);
	evtimer_add(j->ev_kill, &tv);
}

static void
on_limit(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	hc_log(HC_LOG_INFO, "job=%u time limit reached", j->id);
	j->timeout = true;
	job_terminate(j);
}

static void
on_warn(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	json_t *sg = json_object_get(j->spec, "signal");
	int sig = (int)json_integer_value(json_object_get(sg, "num"));

	hc_log(HC_LOG_INFO, "job=%u warning signal %d before its limit",
	       j->id, sig);
	job_signal(j, sig, json_is_true(json_object_get(sg, "batch_only")) ?
		   SIG_SHELL : SIG_JOB);
}

static void
job_timers(struct job *j)
{
	struct noded *nd = j->js->nd;
	json_int_t lim = json_integer_value(json_object_get(j->spec,
							    "time_limit"));
	json_t *sg = json_object_get(j->spec, "signal");
	json_int_t secs = json_integer_value(json_object_get(sg, "secs"));
	struct timeval tv = { 0, 0 };

	if (lim <= 0)
		return;
	tv.tv_sec = (time_t)lim * 60;
	j->ev_limit = evtimer_new(nd->base, on_limit, j);
	evtimer_add(j->ev_limit, &tv);
	if (json_integer_value(json_object_get(sg, "num")) > 0 && secs > 0) {
		tv.tv_sec = secs < lim * 60 ? (time_t)(lim * 60 - secs) : 0;
		j->ev_warn = evtimer_new(nd->base, on_warn, j);
		evtimer_add(j->ev_warn, &tv);
	}
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* An empty directory (a job's TMPDIR, mostly) needs no walk. */
static void
rm_tree(const char *path)
{
	if (!path || !*path || rmdir(path) == 0 || errno == ENOENT)
		return;
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Whether name is <prefix><id>, or <prefix><id>.<suffix> for one of the
 * suffixes given (NULL-terminated, may be NULL). */
static bool
leftover_name(const char *name, const char *prefix,
	      const char *const *suffixes)
{
	size_t plen = strlen(prefix), digits;

	if (strncmp(name, prefix, plen) != 0)
		return false;
	name += plen;
	if (!(digits = strspn(name, "0123456789")))
		return false;
	if (!name[digits])
		return true;
	for (; suffixes && *suffixes; suffixes++)
		if (name[digits] == '.' && !strcmp(name + digits + 1,
						    *suffixes))
			return true;
	return false;
}

/* What jobs of an earlier run of the agent left in dir: names
 * <prefix><id> (TMPDIRs; job directories of older versions in the
 * spool) and <prefix><id>.<suffix> (spool files). Their processes were
 * killed with their cgroups at start-up (cgroup.c); the controller learns
 * they are gone when we register without them. */
static void
clean_dir(const char *dir, const char *prefix, const char *const *suffixes)
{
	struct dirent *de;
	DIR *d;

	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		char *path;

		if (!leftover_name(de->d_name, prefix, suffixes))
			continue;
		path = hc_asprintf("%s/%s", dir, de->d_name);
		hc_log(HC_LOG_WARN, "%s left by a job of an earlier run of "
		       "the agent: removed", path);
		rm_tree(path);
		free(path);
	}
	closedir(d);
}

static void
jobs_clean_leftovers(struct jobs *js)
{
	static const char *const spool_files[] = { "script", "nodefile",
						   NULL };
	struct noded *nd = js->nd;
	const char *tmp = nd->conf->tmp_dir && *nd->conf->tmp_dir ?
			  nd->conf->tmp_dir : "/tmp";
	char *prefix = hc_asprintf("hc.%s.", nd->me->name);

	clean_dir(nd->spool, "job_", spool_files);
	clean_dir(tmp, prefix, NULL);
	free(prefix);
}

static void
on_epilog(void *arg, int status, const char *line)
{
	struct job *j = arg;

	if (status != 0)
		hc_log(HC_LOG_WARN, "job=%u epilog failed status=%d: %s",
		       j->id, status, line);
	rm_tree(j->tmpdir);
	if (j->script)		/* what job_setup put there */
		unlink(j->script);
	if (j->nodefile)
		unlink(j->nodefile);
	if (cgroup_job_remove(j->js->nd->cg, j->id) < 0)
		hc_log(HC_LOG_WARN, "job=%u cgroup not removed", j->id);
	for (struct job **pp = &j->js->list; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	job_free(j);
}

/* The end of the job on this node: epilog, then clean up. */
static void
job_finish(struct job *j)
{
	struct noded *nd = j->js->nd;
	char *env[4];

	if (j->phase == JOB_PH_ENDING)
		return;
	j->phase = JOB_PH_ENDING;
	if (j->ev_kill)
		evtimer_del(j->ev_kill);
	if (j->ev_limit)
		evtimer_del(j->ev_limit);
	if (j->ev_warn)
		evtimer_del(j->ev_warn);
	if (!j->batch)
		job_send_ended(j, j->release_status, j->timeout ? "time limit" :
			       NULL);
	if (!nd->conf->epilog || !*nd->conf->epilog) {
		on_epilog(j, 0, "");
		return;
	}
	env[0] = hc_asprintf("HC_JOB_ID=%u", j->id);
	env[1] = hc_asprintf("HC_JOB_USER=%s", j->user);
	env[2] = hc_asprintf("HC_JOB_UID=%u", (unsigned)j->uid);
	env[3] = NULL;
	if (health_run_script(nd, nd->conf->epilog, env, 60, on_epilog, j) < 0)
		on_epilog(j, -1, "fork failed");
	for (int i = 0; i < 3; i++)
		free(env[i]);
}

static void
on_script_exit(void *arg, pid_t pid, int status)
{
	struct job *j = arg;

	j->pid = 0;
	/* What the script left behind dies with it. */
	job_kill_tree(j);
	job_send_ended(j, status, j->timeout ? "time limit" : NULL);
	job_finish(j);
}

static void
on_prolog(void *arg, int status, const char *line)
{
	struct job *j = arg;
	struct noded *nd = j->js->nd;
	char **env;
	pid_t pid;

	if (status != 0) {
		char why[300];
		/* The controller fails the job and drains the node with this
		 * reason (Slurm's behaviour: a node whose prolog fails is
		 * suspect until an admin has looked at it). */
		if (line && *line)
			snprintf(why, sizeof(why), "Prolog failed: %s", line);
		else
			snprintf(why, sizeof(why), "Prolog failed: exit "
				 "status %d", WIFEXITED(status) ?
				 WEXITSTATUS(status) : status);
		hc_log(HC_LOG_ERR, "job=%u %s", j->id, why);
		j->prolog_failed = true;
		job_send_ended(j, 1 << 8, why);
		job_finish(j);
		return;
	}
	j->phase = JOB_PH_RUNNING;
	j->start = time(NULL);
	job_timers(j);
	if (!j->batch && j->interactive && j->first)
		jobs_event_send(nd, json_pack("{s:I,s:s,s:I}", "job_id",
				(json_int_t)j->id, "event", "started",
				"start", (json_int_t)j->start));
	if (!j->batch)
		return;
	env = job_env_build(j, nd->me->name, cgroup_devices_confined(nd->cg));
	rsh_env_add(nd, j, &env);
	pid = job_child_spawn(nd, j, env);
	job_env_free(env);
	if (pid < 0) {
		job_send_ended(j, 1 << 8, "fork failed");
		job_finish(j);
		return;
	}
	j->pid = pid;
	setpgid(pid, pid);
	noded_child_watch(nd, pid, on_script_exit, j);
	hc_log(HC_LOG_INFO, "job=%u started pid=%d uid=%u", j->id, (int)pid,
	       (unsigned)j->uid);
	jobs_event_send(nd, json_pack("{s:I,s:s,s:I}", "job_id",
				      (json_int_t)j->id, "event", "started",
				      "start", (json_int_t)j->start));
}

void
jobs_launch(struct jobs *js, json_t *spec)
{
	struct noded *nd = js->nd;
	struct hc_err err = { 0 };
	json_int_t id = json_integer_value(json_object_get(spec, "job_id"));
	struct job *j;
	char *env[4];

	if (id <= 0 || id > UINT32_MAX) {
		hc_log(HC_LOG_WARN, "JOB_LAUNCH without a valid job_id ignored");
		return;
	}
	if (job_find(js, (uint32_t)id)) {
		hc_log(HC_LOG_WARN, "job=%lld launched twice; ignored",
		       (long long)id);
		return;
	}
	job_reports_forget(js->reports, (uint32_t)id, "launched again");
	j = hc_calloc(1, sizeof(*j));
	j->js = js;
	j->id = (uint32_t)id;
	j->spec = json_incref(spec);
	j->next = js->list;
	js->list = j;
	if (job_setup(nd, j, &err) < 0) {
		hc_log(HC_LOG_ERR, "job=%u setup failed: %s", j->id, err.text);
		job_send_ended(j, 1 << 8, err.text);
		job_finish(j);
		return;
	}
	if (!nd->conf->prolog || !*nd->conf->prolog) {
		on_prolog(j, 0, "");
		return;
	}
	env[0] = hc_asprintf("HC_JOB_ID=%u", j->id);
	env[1] = hc_asprintf("HC_JOB_USER=%s", j->user);
	env[2] = hc_asprintf("HC_JOB_UID=%u", (unsigned)j->uid);
	env[3] = NULL;
	if (health_run_script(nd, nd->conf->prolog, env, 60, on_prolog, j) < 0)
		on_prolog(j, -1, "fork failed");
	for (int i = 0; i < 3; i++)
		free(env[i]);
}

void
jobs_kill(struct jobs *js, json_t *req)
{
	json_int_t id = json_integer_value(json_object_get(req, "job_id"));
	int sig = (int)json_integer_value(json_object_get(req, "signal"));
	struct job *j = id > 0 ? job_find(js, (uint32_t)id) : NULL;

	if (!j) {
		hc_log(HC_LOG_INFO, "job=%lld kill: not here", (long long)id);
		return;
	}
	if (j->phase != JOB_PH_RUNNING)
		return;
	if (sig < 0 || sig >= NSIG) {
		hc_log(HC_LOG_WARN, "job=%u kill: bad signal %d", j->id, sig);
		return;
	}
	if (sig > 0) {
		job_signal(j, sig, json_is_true(json_object_get(req,
				"batch_only")) ? SIG_PGRP : SIG_JOB);
		return;
	}
	hc_log(HC_LOG_INFO, "job=%u terminate", j->id);
	j->release_status = (int)json_integer_value(json_object_get(req,
							"exit_status"));
	if (!j->batch && cgroup_job_count(js->nd->cg, j->id) == 0) {
		job_finish(j);
		return;
	}
	job_terminate(j);
}
