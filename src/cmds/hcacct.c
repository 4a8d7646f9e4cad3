/*
 * hcacct: the job history, sacct-style: finished jobs with their state, exit
 * code, elapsed time, peak memory and nodes. Fields are one table; -o picks
 * and orders them, -P separates them with '|' for scripts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "msg.h"
#include "parse.h"

enum { O_JSON = CMD_LONG };

static const struct cmd_opt opts[] = {
	{"jobs", 'j', "IDS", "only these jobs (ID, ID_TASK, ID_[RANGES]; "
	 "an array's ID: its tasks)"},
	{"user", 'u', "USERS", "jobs of these users (default: yours)"},
	{"allusers", 'a', NULL, "jobs of every user (admins; root's default)"},
	{"account", 'A', "ACCOUNTS", "only jobs charged to these accounts"},
	{"starttime", 'S', "TIME", "jobs that ended at or after TIME "
				   "(YYYY-MM-DD[THH:MM[:SS]], now-3600...)"},
	{"endtime", 'E', "TIME", "jobs that ended at or before TIME"},
	{"state", 's', "STATES", "only jobs that ended in these states"},
	{"format", 'o', "FIELDS", "fields to print, comma-separated "
				  "(field%WIDTH sets a width)"},
	{"parsable", 'P', NULL, "separate fields with '|', no padding"},
	{"noheader", 'n', NULL, "do not print the header lines"},
	{"json", O_JSON, NULL, "print the job records as JSON"},
	CMD_OPT_HELP,
	CMD_OPT_VERSION,
	{0},
};

static const char fields_help[] =
	"Fields: jobid jobidraw jobname user uid account queue state "
	"exitcode\n  elapsed submit start end timelimit maxrss nodelist nnodes ncpus "
	"gres reason\n  restarts workdir comment computeids cloudpool "
	"cloudnodes\n  cloudnodehours cloudcost clouduse\n"
	"Default: jobid,jobname,user,queue,state,exitcode,elapsed,maxrss,"
	"nodelist\n";

static const struct cmd_info info = {
	.prog = "hcacct",
	.usage = "[OPTIONS]",
	.summary = "Show the history of finished jobs.",
	.more = fields_help,
	.opts = opts,
};

typedef void (*acct_fn)(const json_t *j, const char *key, char *b,
			size_t n);

static void
a_str(const json_t *j, const char *key, char *b, size_t n)
{
	snprintf(b, n, "%s", js(j, key));
}

static void
a_int(const json_t *j, const char *key, char *b, size_t n)
{
	snprintf(b, n, "%lld", ji(j, key));
}

/* Cloud node-hours and cost: 3 and 2 decimals, "" off the cloud. */
static void
a_real3(const json_t *j, const char *key, char *b, size_t n)
{
	const json_t *v = json_object_get(j, key);

	if (v)
		snprintf(b, n, "%.3f", json_number_value(v));
	else
		snprintf(b, n, "%s", "");
}

static void
a_real2(const json_t *j, const char *key, char *b, size_t n)
{
	const json_t *v = json_object_get(j, key);

	if (v)
		snprintf(b, n, "%.2f", json_number_value(v));
	else
		snprintf(b, n, "%s", "");
}

/* A cloud job's use per pool: "a:0.010:1.00,b:0.005:2.00" (pool,
 * node-hours, cost), "" off the cloud. */
static void
a_clouduse(const json_t *j, const char *key, char *b, size_t n)
{
	const json_t *u;
	size_t i, at = 0;
	int k;

	b[0] = '\0';
	json_array_foreach(json_object_get(j, key), i, u) {
		k = snprintf(b + at, n - at, "%s%s:%.3f:%.2f", i ? "," : "",
			     js(u, "pool"), json_number_value(
				json_object_get(u, "node_hours")),
			     json_number_value(json_object_get(u, "cost")));
		if (k < 0 || (size_t)k >= n - at)
			break;
		at += (size_t)k;
	}
}

/* An array task as ARRAY_TASK (32_6), as hcqueue shows it; a job as its
 * id, and so an array's own record once no task is left in its ranges
 * (hcctld names it "32_[%4]" then). */
static void
a_jobid(const json_t *j, const char *key, char *b, size_t n)
{
	const char *a = js(j, "array_id");

	if (*a && !strstr(a, "_[%") && !strstr(a, "_[]"))
		snprintf(b, n, "%s", a);
	else
		snprintf(b, n, "%lld", ji(j, key));
}

static void
a_time(const json_t *j, const char *key, char *b, size_t n)
{
	cmd_fmt_time(ji(j, key), b, n);
}

static void
a_limit(const json_t *j, const char *key, char *b, size_t n)
{
	cmd_fmt_limit(ji(j, key), b, n);
}

static void
a_elapsed(const json_t *j, const char *key, char *b, size_t n)
{
	long long s = ji(j, "start_time"), e = ji(j, "end_time");
	long long d;

	if (!s) {
		snprintf(b, n, "00:00:00");
		return;
	}
	d = (e ? e : (long long)time(NULL)) - s;
	if (d < 0)
		d = 0;
	if (d >= 86400)
		snprintf(b, n, "%lld-%02lld:%02lld:%02lld", d / 86400,
			 d / 3600 % 24, d / 60 % 60, d % 60);
	else
		snprintf(b, n, "%02lld:%02lld:%02lld", d / 3600, d / 60 % 60,
			 d % 60);
}

static void
a_rss(const json_t *j, const char *key, char *b, size_t n)
{
	long long kb = ji(j, key);

	if (kb)
		snprintf(b, n, "%lldK", kb);
	else
		b[0] = '\0';
}

static const struct field {
	const char *name;
	const char *header;
	int width;
	const char *key;	/* JOB field */
	acct_fn fn;
} fields[] = {
	{"jobid", "JobID", 12, "job_id", a_jobid},
	{"jobidraw", "JobIDRaw", 12, "job_id", a_int},
	{"jobname", "JobName", 10, "name", a_str},
	{"user", "User", 9, "user", a_str},
	{"uid", "UID", 6, "uid", a_int},
	{"account", "Account", 10, "account", a_str},
	{"queue", "Queue", 10, "queue", a_str},
	{"state", "State", 13, "state", a_str},
	{"exitcode", "ExitCode", 8, "exit_code", a_str},
	{"elapsed", "Elapsed", 10, NULL, a_elapsed},
	{"submit", "Submit", 19, "submit_time", a_time},
	{"start", "Start", 19, "start_time", a_time},
	{"end", "End", 19, "end_time", a_time},
	{"timelimit", "Timelimit", 10, "time_limit", a_limit},
	{"maxrss", "MaxRSS", 10, "max_rss_kb", a_rss},
	{"nodelist", "NodeList", 15, "nodelist", a_str},
	{"nnodes", "NNodes", 8, "nodes_req", a_int},
	{"ncpus", "NCPUS", 10, "cpus", a_int},
	{"gres", "Gres", 12, "gres", a_str},
	{"reason", "Reason", 12, "reason", a_str},
	{"restarts", "Restarts", 8, "restart_count", a_int},
	{"workdir", "WorkDir", 20, "cwd", a_str},
	{"comment", "Comment", 15, "comment", a_str},
	{"computeids", "ComputeIds", 36, "compute_ids", a_str},
	{"cloudpool", "CloudPool", 10, "cloud_pool", a_str},
	{"cloudnodes", "CloudNodes", 15, "cloud_nodes", a_str},
	{"cloudnodehours", "CloudNodeH", 10, "cloud_node_hours", a_real3},
	{"cloudcost", "CloudCost", 10, "cloud_cost", a_real2},
	{"clouduse", "CloudUse", 24, "cloud_use", a_clouduse},
};

#define FIELDS_DEFAULT                                                       \
	"jobid,jobname,user,queue,state,exitcode,elapsed,maxrss,nodelist"
#define MAX_COLS 64

struct col {
	const struct field *f;
	int width;
};

struct ctx {
	json_t *req;
	const char *format;
	bool all, user_given, parsable, noheader, json;
};

static int
cols_parse(const char *format, struct col *cols, struct hc_err *err)
{
	char *copy = hc_strdup(format), *save = NULL;
	int n = 0;

	for (char *t = strtok_r(copy, ",", &save); t && n < MAX_COLS;
	     t = strtok_r(NULL, ",", &save)) {
		char *pct = strchr(t, '%');
		long w = 0;

		if (pct) {
			*pct++ = '\0';
			if (parse_long(pct, 1, 1000, &w, err) < 0) {
				free(copy);
				return hc_err_prefix(err, "width of %s: ", t);
			}
		}
		cols[n].f = NULL;
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcasecmp(fields[i].name, t) == 0)
				cols[n].f = &fields[i];
		if (!cols[n].f) {
			hc_err_set(err, HC_EINVAL, "unknown field '%s'; see "
				   "hcacct --help for the fields", t);
			free(copy);
			return -1;
		}
		cols[n].width = w ? (int)w : cols[n].f->width;
		n++;
	}
	free(copy);
	return n;
}

static void
print_row(struct ctx *cx, struct outbuf *o, const struct col *cols, int n,
	  const char *const *cells)
{
	for (int i = 0; i < n; i++) {
		if (cx->parsable) {
			if (i)
				out_putc(o, '|');
			out_puts(o, cells[i]);
			continue;
		}
		if (i)
			out_putc(o, ' ');
		/* Like sacct: a value too long for its column ends in '+'. */
		if ((int)strlen(cells[i]) > cols[i].width) {
			out_putn(o, cells[i], (size_t)cols[i].width - 1);
			out_putc(o, '+');
		} else if (i == n - 1) {
			out_puts(o, cells[i]);	/* no trailing blanks */
		} else {
			out_field(o, cells[i], cols[i].width, false);
		}
	}
	out_putc(o, '\n');
}

static void
print_table(struct ctx *cx, const json_t *jobs)
{
	struct col cols[MAX_COLS];
	struct hc_err err = {0};
	int n = cols_parse(cx->format, cols, &err);
	struct outbuf o = {0};
	const char *cells[MAX_COLS];
	char bufs[MAX_COLS][512];
	size_t i;
	const json_t *j;

	if (n < 0)
		cmd_die_err(&info, &err);
	if (!cx->noheader) {
		for (int k = 0; k < n; k++)
			cells[k] = cols[k].f->header;
		print_row(cx, &o, cols, n, cells);
		if (!cx->parsable) {
			for (int k = 0; k < n; k++) {
				memset(bufs[k], '-', (size_t)cols[k].width);
				bufs[k][cols[k].width] = '\0';
				cells[k] = bufs[k];
			}
			print_row(cx, &o, cols, n, cells);
		}
	}
	json_array_foreach(jobs, i, j) {
		for (int k = 0; k < n; k++) {
			cols[k].f->fn(j, cols[k].f->key, bufs[k],
				      sizeof(bufs[k]));
			cells[k] = bufs[k];
		}
		print_row(cx, &o, cols, n, cells);
	}
	if (out_flush(&o, stdout) < 0)
		cmd_die(&info, HC_EIO, "cannot write the output");
}

static int
opt_time(struct ctx *cx, const char *field, const char *val,
	 struct hc_err *err)
{
	time_t t;

	if (parse_datetime(val, time(NULL), &t, err) < 0)
		return hc_err_prefix(err, "'%s': ", val);
	json_object_set_new(cx->req, field, json_integer(t));
	return 0;
}

/* -j: job ids to job_ids, array tasks (32_6, 32_[1-3]) to array_tasks. */
static int
opt_jobs(struct ctx *cx, const char *val, struct hc_err *err)
{
	json_t *l = cmd_list_job_refs(val, err), *v;
	json_t *ids = json_array(), *tasks = json_array();
	size_t i;

	if (!l) {
		json_decref(ids);
		json_decref(tasks);
		return -1;
	}
	json_array_foreach(l, i, v)
		json_array_append(json_is_string(v) ? tasks : ids, v);
	json_decref(l);
	cmd_list_add(cx->req, "job_ids", ids);
	return cmd_list_add(cx->req, "array_tasks", tasks);
}

/* -A: account names (letters, digits, '-', '_', '.'), as accounts are
 * named; an account that does not exist matches nothing, as in sacct. */
static json_t *
list_accounts(const char *val, struct hc_err *err)
{
	json_t *l = cmd_list_strings(val, err), *v;
	size_t i;

	json_array_foreach(l, i, v) {
		const char *a = json_string_value(v);
		if (strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			   "WXYZ0123456789-_.") != strlen(a)) {
			hc_err_set(err, HC_EINVAL, "'%s' is not an account "
				   "name (letters, digits, '-', '_', '.'); "
				   "give ACCOUNT[,ACCOUNT...]", a);
			json_decref(l);
			return NULL;
		}
	}
	return l;
}

static int
opt_fn(void *arg, int key, const char *val, struct hc_err *err)
{
	struct ctx *cx = arg;
	json_t *l = NULL;
	const char *field = NULL;

	switch (key) {
	case 'j': return opt_jobs(cx, val, err);
	case 'u':
		field = "users";
		l = cmd_list_uids(val, err);
		cx->user_given = true;
		break;
	case 's': field = "states"; l = cmd_list_states(val, err); break;
	case 'A': field = "accounts"; l = list_accounts(val, err); break;
	case 'a': cx->all = true; return 0;
	case 'S': return opt_time(cx, "start", val, err);
	case 'E': return opt_time(cx, "end", val, err);
	case 'o': cx->format = val; return 0;
	case 'P': cx->parsable = true; return 0;
	case 'n': cx->noheader = true; return 0;
	case O_JSON: cx->json = true; return 0;
	}
	return cmd_list_add(cx->req, field, l);
}

int
main(int argc, char **argv)
{
	struct ctx cx = {.req = json_object(), .format = FIELDS_DEFAULT};
	struct hc_err err = {0};
	struct col cols[MAX_COLS];

	cmd_parse_options(&info, argc - 1, argv + 1, opt_fn, &cx,
			  "to show jobs by id use -j ID[,ID...]");
	if (cols_parse(cx.format, cols, &err) < 0)
		cmd_die_err(&info, &err);
	if (cx.all)
		json_object_del(cx.req, "users");
	else if (!cx.user_given && getuid() != 0)
		json_object_set_new(cx.req, "users",
				    json_pack("[i]", (int)getuid()));

	struct hc_client *c = cmd_connect(&info);
	json_t *rep = cmd_call(&info, c, HC_MSG_HISTORY_QUERY, cx.req);
	json_t *jobs = json_object_get(rep, "jobs");

	if (cx.json) {
		json_t *out = json_pack("{s:O?}", "jobs", jobs);
		cmd_print_json(out);
		json_decref(out);
	} else {
		print_table(&cx, jobs);
	}
	json_decref(rep);
	hc_client_destroy(c);
	return 0;
}
