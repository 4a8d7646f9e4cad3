/*
 * hccancel: cancel jobs, or send them a signal. Jobs are named by id or
 * selected by user, state, queue and name; each job's result is reported,
 * and the exit status is that of the first failure.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "msg.h"
#include "parse.h"

static const struct cmd_opt opts[] = {
	{"user", 'u', "USERS", "jobs of these users (names or uids)"},
	{"state", 't', "STATES", "only jobs in these states (e.g. PENDING)"},
	{"queue", 'p', "QUEUES", "only jobs in these queues"},
	{"name", 'n', "NAMES", "only jobs with these names"},
	{"signal", 's', "SIGNAL", "send SIGNAL (name or number) instead of "
				  "cancelling"},
	{"batch", 'b', NULL, "signal the batch shell only, not its children"},
	{"verbose", 'v', NULL, "say what was done to each job"},
	CMD_OPT_HELP,
	CMD_OPT_VERSION,
	{0},
};

static const struct cmd_info info = {
	.prog = "hccancel",
	.usage = "[OPTIONS] [JOBID...]",
	.summary = "Cancel jobs, or signal them with -s. Ordinary users may "
		   "touch only their own jobs.",
	.opts = opts,
};

struct ctx {
	json_t *req;
	int signal;
	bool verbose, filtered;
};

static int
opt_fn(void *arg, int key, const char *val, struct hc_err *err)
{
	struct ctx *cx = arg;
	json_t *l;
	const char *field;

	switch (key) {
	case 's':
		if (parse_signal(val, &cx->signal, err) < 0)
			return -1;
		json_object_set_new(cx->req, "signal",
				    json_integer(cx->signal));
		return 0;
	case 'b':
		json_object_set_new(cx->req, "batch_only", json_true());
		return 0;
	case 'v':
		cx->verbose = true;
		return 0;
	case 'u': field = "users"; l = cmd_list_uids(val, err); break;
	case 't': field = "states"; l = cmd_list_states(val, err); break;
	case 'p': field = "queues"; l = cmd_list_strings(val, err); break;
	default: field = "names"; l = cmd_list_strings(val, err); break;
	}
	if (cmd_list_add(cx->req, field, l) < 0)
		return -1;
	cx->filtered = true;
	return 0;
}

/* Print each failure; return the exit status of the first (0 if none). */
static int
report(struct ctx *cx, const json_t *results)
{
	size_t i;
	const json_t *r;
	int status = 0;

	json_array_foreach(results, i, r) {
		long long id = ji(r, "job_id");
		int rc = (int)ji(r, "rc");

		if (rc == HC_ENOENT) {
			fprintf(stderr, "hccancel: no such job %lld (a job "
				"that ended long ago is in hcacct -j %lld)\n",
				id, id);
		} else if (rc && strncmp(js(r, "error"), "job ", 4) == 0) {
			fprintf(stderr, "hccancel: %s\n", js(r, "error"));
		} else if (rc) {
			fprintf(stderr, "hccancel: job %lld: %s\n", id,
				*js(r, "error") ? js(r, "error")
						: hc_err_name(rc));
		}
		if (rc) {
			if (!status)
				status = hc_err_exit_status(rc);
		} else if (cx->verbose) {
			if (cx->signal)
				printf("job %lld: sent signal %s\n", id,
				       signal_name(cx->signal));
			else
				printf("job %lld: cancelled\n", id);
		}
	}
	return status;
}

int
main(int argc, char **argv)
{
	struct ctx cx = {.req = json_object()};
	char **ops = hc_calloc((size_t)argc + 1, sizeof(*ops));
	struct hc_err err = {0};
	int n = cmd_parse(&info, argc - 1, argv + 1, opt_fn, &cx, ops, &err);

	if (n < 0)
		cmd_die_err(&info, &err);
	for (int i = 0; i < n; i++) {
		if (strchr(ops[i], '_')) {	/* array tasks: 123_[1-5] */
			json_t *t = json_pack("[s]", ops[i]);

			cmd_list_merge(cx.req, "array_tasks", t);
			json_decref(t);
		} else if (cmd_list_add(cx.req, "job_ids",
				      cmd_list_ids(ops[i], &err)) < 0) {
			cmd_die_err(&info, &err);
		}
	}
	free(ops);
	if (n == 0 && !cx.filtered)
		cmd_die(&info, HC_EINVAL, "no job given; name job ids or "
			"select jobs with -u, -t, -p or -n");

	struct hc_client *c = cmd_connect(&info);
	json_t *rep = cmd_call(&info, c, HC_MSG_JOB_SIGNAL, cx.req);
	int status = report(&cx, json_object_get(rep, "results"));

	json_decref(rep);
	hc_client_destroy(c);
	fflush(stdout);
	return status;
}
