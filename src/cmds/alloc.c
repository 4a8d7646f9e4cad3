/*
 * alloc: interactive allocations for hcalloc and hcrun (see alloc.h).
 * The wait polls JOB_QUERY, quickly at first (a free cluster grants in
 * milliseconds), then every half second.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "hostlist.h"
#include "log.h"
#include "msg.h"
#include "parse.h"

extern char **environ;

static volatile sig_atomic_t alloc_sig;

static void
on_sig(int sig)
{
	alloc_sig = sig;
}

static int
set_int(json_t *spec, const char *f, const char *val, long min, long max,
	struct hc_err *err)
{
	long v;

	if (parse_long(val, min, max, &v, err) < 0)
		return -1;
	json_object_set_new(spec, f, json_integer(v));
	return 0;
}

static int
set_size(json_t *spec, const char *f, const char *val, struct hc_err *err)
{
	uint64_t mb;

	if (parse_size_mb(val, &mb, err) < 0)
		return -1;
	json_object_set_new(spec, f, json_integer((json_int_t)mb));
	return 0;
}

int
alloc_apply(json_t *spec, int key, const char *val, struct hc_err *err)
{
	struct res_list rl = { 0 };
	long tl;

	switch (key) {
	case 'N': return set_int(spec, "nodes", val, 1, 100000, err);
	case 'n': return set_int(spec, "ntasks", val, 1, 1000000, err);
	case 'c': return set_int(spec, "cpus_per_task", val, 1, 4096, err);
	case ALLOC_O_NTASKS_PER_NODE:
		return set_int(spec, "ntasks_per_node", val, 1, 4096, err);
	case ALLOC_O_MEM: return set_size(spec, "mem_mb", val, err);
	case ALLOC_O_MEM_PER_CPU:
		return set_size(spec, "mem_per_cpu_mb", val, err);
	case ALLOC_O_GRES:
		if (res_list_parse(val, &rl, err) < 0)
			return -1;
		res_list_free(&rl);
		json_object_set_new(spec, "gres", json_string(val));
		return 0;
	case 't':
		if (parse_time_limit(val, &tl, err) < 0)
			return -1;
		json_object_set_new(spec, "time_limit", json_integer(tl));
		return 0;
	case 'p': case ALLOC_O_PARTITION:
		json_object_set_new(spec, "queue", json_string(val));
		return 0;
	case 'J': json_object_set_new(spec, "name", json_string(val)); return 0;
	case 'A':
		json_object_set_new(spec, "account", json_string(val));
		return 0;
	case 'C':
		json_object_set_new(spec, "constraint", json_string(val));
		return 0;
	case ALLOC_O_EXCLUSIVE:
		json_object_set_new(spec, "exclusive", json_true());
		return 0;
	default:
		return 1;
	}
}

static json_t *
job_get(struct alloc *a)
{
	json_t *rep = cmd_call(a->ci, a->c, HC_MSG_JOB_QUERY,
			       json_pack("{s:[I],s:b}", "job_ids",
					 (json_int_t)a->job_id, "detail", 1));
	json_t *j = json_incref(json_array_get(json_object_get(rep, "jobs"),
					       0));

	json_decref(rep);
	return j;
}

static void
spec_fill(json_t *spec, const char *command)
{
	json_t *env = json_array();
	char cwd[4096];

	for (char **e = environ; *e; e++)
		json_array_append_new(env, json_string(*e));
	json_object_set_new(spec, "env", env);
	json_object_set_new(spec, "script", json_string(""));
	json_object_set_new(spec, "interactive", json_true());
	json_object_set_new(spec, "command", json_string(command));
	if (!json_object_get(spec, "name"))
		json_object_set_new(spec, "name", json_string("interactive"));
	if (getcwd(cwd, sizeof(cwd)))
		json_object_set_new(spec, "cwd", json_string(cwd));
}

static void
wait_sleep(int *ms)
{
	struct timespec ts = { 0, (long)*ms * 1000000L };

	nanosleep(&ts, NULL);
	if (*ms < 500)
		*ms *= 2;
}

static long
keeper_call(const struct alloc *a, struct hc_client **c)
{
	struct hc_err err = { 0 };
	json_t *req = json_pack("{s:I}", "job_id", (json_int_t)a->job_id);
	json_t *rep;
	long limit;

	if (!*c)
		*c = cmd_connect_try(a->ci, &err);
	rep = *c ? hc_client_call(*c, HC_MSG_ALLOC_ALIVE, req, &err) : NULL;
	json_decref(req);
	if (!rep) {		/* the controller away: a new connection */
		hc_client_destroy(*c);
		*c = NULL;
		return -1;
	}
	limit = (long)json_integer_value(json_object_get(rep,
							 "inactive_limit"));
	json_decref(rep);
	return limit;
}

static void __attribute__((noreturn))
keeper_run(const struct alloc *a, pid_t parent)
{
	struct hc_client *c = NULL;
	int fd = open("/dev/null", O_RDWR);
	long every = 1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	if (fd >= 0)
		for (int i = 0; i < 3; i++)
			dup2(fd, i);
	for (int i = 3; i < 1024; i++)
		close(i);
	for (;;) {
		long limit = keeper_call(a, &c);

		if (limit >= 0)
			every = limit > 0 ? limit / 3 : 30;
		if (every < 1)
			every = 1;
		if (every > 30)
			every = 30;
		sleep((unsigned)every);
	}
}

static void
keeper_start(struct alloc *a)
{
	pid_t parent = getpid();

	a->keeper = fork();
	if (a->keeper == 0)
		keeper_run(a, parent);
	if (a->keeper < 0) {
		fprintf(stderr, "%s: warning: fork: %s; job %u may be "
			"cancelled after InactiveLimit\n", a->ci->prog,
			strerror(errno), a->job_id);
		a->keeper = 0;
	}
}

static void
keeper_stop(struct alloc *a)
{
	if (a->keeper <= 0)
		return;
	kill(a->keeper, SIGKILL);
	while (waitpid(a->keeper, NULL, 0) < 0 && errno == EINTR)
		;
	a->keeper = 0;
}

void
alloc_get(struct alloc *a, json_t *spec, const char *command)
{
	struct sigaction sa = { .sa_handler = on_sig }, old[3];
	const int sigs[3] = { SIGINT, SIGHUP, SIGTERM };
	bool said = false;
	int ms = 10;
	json_t *rep;

	spec_fill(spec, command);
	rep = cmd_call(a->ci, a->c, HC_MSG_SUBMIT, json_pack("{s:o}", "job",
							     spec));
	a->job_id = (uint32_t)ji(rep, "job_id");
	json_decref(rep);
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	for (;;) {
		json_t *j = job_get(a);
		const char *st = js(j, "state");

		if (!strcmp(st, "RUNNING")) {
			a->job = j;
			break;
		}
		if (strcmp(st, "PENDING") && strcmp(st, "CONFIGURING")) {
			cmd_die(a->ci, HC_EBUSY, "job %u ended before it "
				"was granted: %s %s", a->job_id, st,
				js(j, "reason"));
		}
		if (!said && !strcmp(st, "PENDING") && ms >= 80) {
			fprintf(stderr, "%s: job %u queued and waiting for "
				"resources\n", a->ci->prog, a->job_id);
			said = true;
		}
		json_decref(j);
		if (alloc_sig) {
			alloc_release(a, 0, true);
			cmd_die(a->ci, HC_EBUSY, "job %u cancelled while "
				"waiting (signal %d)", a->job_id,
				(int)alloc_sig);
		}
		wait_sleep(&ms);
	}
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (said || a->verbose)
		fprintf(stderr, "%s: job %u granted: %s\n", a->ci->prog,
			a->job_id, js(a->job, "nodelist"));
	keeper_start(a);
}

void
alloc_release(struct alloc *a, int status, bool cancel)
{
	struct hc_err err = { 0 };
	json_t *req = json_pack("{s:I,s:i,s:b}", "job_id",
				(json_int_t)a->job_id, "exit_status", status,
				"cancel", cancel);
	json_t *rep;

	keeper_stop(a);
	rep = cmd_call_again(a->ci, &a->c, HC_MSG_ALLOC_RELEASE, req, &err);
	if (!rep)
		fprintf(stderr, "%s: warning: job %u not released: %s; "
			"hccancel %u ends it\n", a->ci->prog, a->job_id,
			err.text, a->job_id);
	json_decref(req);
	json_decref(rep);
}

void
alloc_setenv(const struct alloc *a)
{
	char buf[64];
	const char *nl = js(a->job, "nodelist");
	struct hostlist *hl = hostlist_parse(nl, NULL);

	snprintf(buf, sizeof(buf), "%u", a->job_id);
	setenv("HC_JOB_ID", buf, 1);
	setenv("HC_JOB_NODELIST", nl, 1);
	setenv("HC_JOB_NAME", js(a->job, "name"), 1);
	snprintf(buf, sizeof(buf), "%zu", hl ? hl->count : 1);
	setenv("HC_NNODES", buf, 1);
	snprintf(buf, sizeof(buf), "%lld", ji(a->job, "ntasks"));
	setenv("HC_NTASKS", buf, 1);
	hostlist_destroy(hl);
}
