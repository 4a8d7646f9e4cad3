/*
 * hcsub_opts: hcsub's option table and what each option does to the
 * JOBSPEC. Flags follow sbatch's spelling; directives in the script and
 * the command line go through the same table, the command line last so
 * that it wins.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "depend.h"
#include "array.h"
#include "hcsub.h"
#include "log.h"
#include "parse.h"

enum {
	O_NTASKS_PER_NODE = CMD_LONG, O_MEM, O_MEM_PER_CPU, O_GRES,
	O_GPUS_PER_TASK, O_PARTITION, O_EXPORT, O_OPEN_MODE,
	O_SIGNAL, O_BEGIN, O_REQUEUE, O_NO_REQUEUE, O_EXCLUSIVE, O_PARSABLE,
	O_NICE, O_COMMENT, O_JSON, O_WRAP, O_KILL_INVALID_DEP, O_QOS,
	O_RESERVATION, O_WORKLOAD,
};

static const struct cmd_opt hcsub_opts[] = {
	{"nodes", 'N', "N[-MAX]", "number of nodes (a minimum, or a range)"},
	{"ntasks", 'n', "N", "number of tasks"},
	{"cpus-per-task", 'c', "N", "CPUs for each task"},
	{"ntasks-per-node", O_NTASKS_PER_NODE, "N", "tasks on each node"},
	{"mem", O_MEM, "SIZE", "memory per node (e.g. 4G; MiB if no unit)"},
	{"mem-per-cpu", O_MEM_PER_CPU, "SIZE", "memory per allocated CPU"},
	{"gres", O_GRES, "LIST", "generic resources per node, e.g. gpu:2 "
				 "or gpu:h100:4"},
	{"gpus-per-task", O_GPUS_PER_TASK, "N", "GPUs for each task"},
	{"constraint", 'C', "EXPR", "node features required (a&b, a|b)"},
	{"time", 't', "LIMIT", "time limit: M, H:M:S, D-H:M:S or UNLIMITED"},
	{"queue", 'p', "NAME", "queue to submit to"},
	{"partition", O_PARTITION, "NAME", "the same as --queue (Slurm's "
					   "spelling)"},
	{"job-name", 'J', "NAME", "name of the job (default: the script's)"},
	{"output", 'o', "FILE", "standard output file (%j job id, %x name, "
				"%u user, %N node, %A array, %a task)"},
	{"error", 'e', "FILE", "standard error file (default: with output)"},
	{"input", 'i', "FILE", "standard input file (default: /dev/null)"},
	{"chdir", 'D', "DIR", "working directory of the job (default: "
			      "the current one)"},
	{"export", O_EXPORT, "ALL|NONE|VARS", "environment to pass: ALL, "
		"NONE, or VAR[,VAR=value...] (with ALL, in addition)"},
	{"open-mode", O_OPEN_MODE, "append|truncate", "how output files are "
						      "opened"},
	{"signal", O_SIGNAL, "[B:]SIG[@SECS]", "send SIG (to the batch shell "
		"only with B:) SECS seconds (default 60) before the time "
		"limit"},
	{"hold", 'H', NULL, "submit the job held (hcctl release job ID)"},
	{"begin", O_BEGIN, "TIME", "start no earlier than TIME (now+60, "
				   "HH:MM, YYYY-MM-DDTHH:MM)"},
	{"requeue", O_REQUEUE, NULL, "requeue the job if its node fails"},
	{"no-requeue", O_NO_REQUEUE, NULL, "never requeue the job"},
	{"exclusive", O_EXCLUSIVE, NULL, "do not share nodes with other jobs"},
	{"account", 'A', "NAME", "account to charge"},
	{"qos", O_QOS, "NAME", "quality of service (hcctl show qos)"},
	{"nice", O_NICE, "N", "lower the job's priority by N (-10000..10000)"},
	{"comment", O_COMMENT, "TEXT", "free text kept with the job"},
	{"dependency", 'd', "EXPR", "start after other jobs: afterok:ID[:ID], "
		"after, afternotok, afterany, aftercorr, singleton; joined "
		"with , (all) or ? (any)"},
	{"kill-on-invalid-dep", O_KILL_INVALID_DEP, "yes|no", "cancel the "
		"job if its dependency can never be satisfied"},
	{"array", 'a', "SPEC", "a job array: task ids 0-99, 1,3,5-11:2, "
		"with %N to run at most N at once"},
	{"reservation", O_RESERVATION, "NAME", "run inside the advance "
		"reservation NAME (hcctl show reservation)"},
	{"workload", O_WORKLOAD, "training|inference|hpc", "what the job "
		"is, for queues that choose GPUs by affinity "
		"(NodeSelect=AFFINITY)"},
	{"wrap", O_WRAP, "CMD", "submit CMD wrapped in a /bin/sh script"},
	{"parsable", O_PARSABLE, NULL, "print the job id only"},
	{"json", O_JSON, NULL, "print {\"job_id\": N}"},
	CMD_OPT_HELP,
	CMD_OPT_VERSION,
	{0},
};

const struct cmd_info hcsub_info = {
	.prog = "hcsub",
	.usage = "[OPTIONS] [SCRIPT [ARGS...]]",
	.summary = "Submit a batch script to hc. The script is SCRIPT, or "
		   "standard input, or --wrap.\n#HC and #SBATCH lines at the "
		   "top of the script take the same options;\nthe command "
		   "line overrides them.",
	.opts = hcsub_opts,
	.stop_at_operand = true,
};

enum kind { K_STR, K_INT, K_SIZE, K_TIME, K_TRUE, K_FALSE, K_FN };

typedef int (*apply_fn)(struct sub *s, const char *val, struct hc_err *err);

struct apply {
	int key;
	enum kind kind;
	const char *field;	/* JOBSPEC field */
	long min, max;		/* K_INT */
	apply_fn fn;		/* K_FN */
};

static int
apply_nodes(struct sub *s, const char *val, struct hc_err *err)
{
	char buf[64];
	char *dash;
	long lo, hi;

	snprintf(buf, sizeof(buf), "%s", val);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_long(buf, 1, 100000, &lo, err) < 0)
		return -1;
	hi = lo;
	if (dash && parse_long(dash, lo, 100000, &hi, err) < 0)
		return hc_err_prefix(err, "maximum of '%s': ", val);
	json_object_set_new(s->spec, "nodes", json_integer(lo));
	json_object_set_new(s->spec, "nodes_max", json_integer(hi));
	return 0;
}

static int
apply_gres(struct sub *s, const char *val, struct hc_err *err)
{
	struct res_list rl = {0};

	if (res_list_parse(val, &rl, err) < 0)
		return -1;
	res_list_free(&rl);
	json_object_set_new(s->spec, "gres", json_string(val));
	return 0;
}

static int
apply_export(struct sub *s, const char *val, struct hc_err *err)
{
	if (!*val)
		return hc_err_set(err, HC_EINVAL, "empty; give ALL, NONE or "
				  "a list of variables");
	json_object_set_new(s->spec, "export", json_string(val));
	return 0;
}

static int
apply_open_mode(struct sub *s, const char *val, struct hc_err *err)
{
	if (strcmp(val, "append") && strcmp(val, "truncate"))
		return hc_err_set(err, HC_EINVAL, "'%s' is neither 'append' "
				  "nor 'truncate'", val);
	json_object_set_new(s->spec, "open_mode", json_string(val));
	return 0;
}

static int
apply_signal(struct sub *s, const char *val, struct hc_err *err)
{
	char buf[64];
	char *sig = buf, *at;
	bool batch = false;
	long secs = 60;
	int num;

	snprintf(buf, sizeof(buf), "%s", val);
	if (strncmp(sig, "B:", 2) == 0) {
		batch = true;
		sig += 2;
	}
	at = strchr(sig, '@');
	if (at) {
		*at++ = '\0';
		if (parse_long(at, 0, 65535, &secs, err) < 0)
			return hc_err_prefix(err, "seconds in '%s': ", val);
	}
	if (parse_signal(sig, &num, err) < 0)
		return hc_err_prefix(err, "'%s': ", val);
	json_object_set_new(s->spec, "signal",
			    json_pack("{s:i,s:i,s:b}", "num", num, "secs",
				      (int)secs, "batch_only", batch));
	return 0;
}

static int
apply_begin(struct sub *s, const char *val, struct hc_err *err)
{
	time_t t;

	if (parse_datetime(val, time(NULL), &t, err) < 0)
		return hc_err_prefix(err, "'%s': ", val);
	json_object_set_new(s->spec, "begin_time", json_integer(t));
	return 0;
}

/* Checked here so that a typo is told at once, before anything is sent. */
static int
apply_dependency(struct sub *s, const char *val, struct hc_err *err)
{
	struct depend d;

	if (depend_parse(val, &d, err) < 0)
		return -1;
	depend_free(&d);
	json_object_set_new(s->spec, "dependency", json_string(val));
	return 0;
}

/* Checked here too, so that a bad range is told before anything is sent. */
static int
apply_array(struct sub *s, const char *val, struct hc_err *err)
{
	struct array_set set;

	if (array_set_parse(&set, val, err) < 0)
		return -1;
	array_set_free(&set);
	json_object_set_new(s->spec, "array", json_string(val));
	return 0;
}

static int
apply_kill_invalid_dep(struct sub *s, const char *val, struct hc_err *err)
{
	bool yes;

	if (parse_bool(val, &yes, err) < 0)
		return -1;
	json_object_set_new(s->spec, "kill_on_invalid_dep", json_boolean(yes));
	return 0;
}

static int
apply_chdir(struct sub *s, const char *val, struct hc_err *err)
{
	char cwd[4096];

	if (val[0] == '/' || !getcwd(cwd, sizeof(cwd))) {
		json_object_set_new(s->spec, "cwd", json_string(val));
		return 0;
	}
	char *abs = hc_asprintf("%s/%s", cwd, val);
	json_object_set_new(s->spec, "cwd", json_string(abs));
	free(abs);
	return 0;
}

static int
apply_wrap(struct sub *s, const char *val, struct hc_err *err)
{
	free(s->wrap);
	s->wrap = hc_strdup(val);
	return 0;
}

static int
apply_parsable(struct sub *s, const char *val, struct hc_err *err)
{
	s->parsable = true;
	return 0;
}

static int
apply_json(struct sub *s, const char *val, struct hc_err *err)
{
	s->json = true;
	return 0;
}

static int
apply_workload(struct sub *s, const char *val, struct hc_err *err)
{
	static const char *const ok[] = { "training", "inference", "hpc",
					  NULL };

	for (const char *const *w = ok; *w; w++)
		if (!strcasecmp(val, *w)) {
			json_object_set_new(s->spec, "workload",
					    json_string(*w));
			return 0;
		}
	return hc_err_set(err, HC_EINVAL, "'%s': give training, inference "
			  "or hpc", val);
}

static const struct apply applies[] = {
	{'N', K_FN, NULL, 0, 0, apply_nodes},
	{'n', K_INT, "ntasks", 1, 10000000, NULL},
	{'c', K_INT, "cpus_per_task", 1, 100000, NULL},
	{O_NTASKS_PER_NODE, K_INT, "ntasks_per_node", 1, 100000, NULL},
	{O_MEM, K_SIZE, "mem_mb", 0, 0, NULL},
	{O_MEM_PER_CPU, K_SIZE, "mem_per_cpu_mb", 0, 0, NULL},
	{O_GRES, K_FN, NULL, 0, 0, apply_gres},
	{O_GPUS_PER_TASK, K_INT, "gpus_per_task", 1, 1024, NULL},
	{'C', K_STR, "constraint", 0, 0, NULL},
	{'t', K_TIME, "time_limit", 0, 0, NULL},
	{'p', K_STR, "queue", 0, 0, NULL},
	{O_PARTITION, K_STR, "queue", 0, 0, NULL},
	{'J', K_STR, "name", 0, 0, NULL},
	{'o', K_STR, "stdout", 0, 0, NULL},
	{'e', K_STR, "stderr", 0, 0, NULL},
	{'i', K_STR, "stdin", 0, 0, NULL},
	{'D', K_FN, NULL, 0, 0, apply_chdir},
	{O_EXPORT, K_FN, NULL, 0, 0, apply_export},
	{O_OPEN_MODE, K_FN, NULL, 0, 0, apply_open_mode},
	{O_SIGNAL, K_FN, NULL, 0, 0, apply_signal},
	{'H', K_TRUE, "hold", 0, 0, NULL},
	{O_BEGIN, K_FN, NULL, 0, 0, apply_begin},
	{O_REQUEUE, K_TRUE, "requeue", 0, 0, NULL},
	{O_NO_REQUEUE, K_FALSE, "requeue", 0, 0, NULL},
	{O_EXCLUSIVE, K_TRUE, "exclusive", 0, 0, NULL},
	{'A', K_STR, "account", 0, 0, NULL},
	{O_QOS, K_STR, "qos", 0, 0, NULL},
	{O_NICE, K_INT, "nice", -10000, 10000, NULL},
	{O_COMMENT, K_STR, "comment", 0, 0, NULL},
	{'d', K_FN, NULL, 0, 0, apply_dependency},
	{O_KILL_INVALID_DEP, K_FN, NULL, 0, 0, apply_kill_invalid_dep},
	{'a', K_FN, NULL, 0, 0, apply_array},
	{O_WRAP, K_FN, NULL, 0, 0, apply_wrap},
	{O_RESERVATION, K_STR, "reservation", 0, 0, NULL},
	{O_WORKLOAD, K_FN, NULL, 0, 0, apply_workload},
	{O_PARSABLE, K_FN, NULL, 0, 0, apply_parsable},
	{O_JSON, K_FN, NULL, 0, 0, apply_json},
};

static int
apply_kind(struct sub *s, const struct apply *a, const char *val,
	   struct hc_err *err)
{
	long n;
	uint64_t mb;

	switch (a->kind) {
	case K_STR:
		if (!*val)
			return hc_err_set(err, HC_EINVAL, "empty value");
		json_object_set_new(s->spec, a->field, json_string(val));
		return 0;
	case K_INT:
		if (parse_long(val, a->min, a->max, &n, err) < 0)
			return -1;
		json_object_set_new(s->spec, a->field, json_integer(n));
		return 0;
	case K_SIZE:
		if (parse_size_mb(val, &mb, err) < 0)
			return -1;
		/* --mem and --mem-per-cpu exclude each other: the last wins */
		json_object_del(s->spec, "mem_mb");
		json_object_del(s->spec, "mem_per_cpu_mb");
		json_object_set_new(s->spec, a->field,
				    json_integer((json_int_t)mb));
		return 0;
	case K_TIME:
		if (parse_time_limit(val, &n, err) < 0)
			return -1;
		json_object_set_new(s->spec, a->field, json_integer(n));
		return 0;
	case K_TRUE:
	case K_FALSE:
		json_object_set_new(s->spec, a->field,
				    json_boolean(a->kind == K_TRUE));
		return 0;
	case K_FN:
		return a->fn(s, val, err);
	}
	return hc_err_set(err, HC_EINTERNAL, "option kind %d", a->kind);
}

int
hcsub_apply(void *arg, int key, const char *val, struct hc_err *err)
{
	for (size_t i = 0; i < sizeof(applies) / sizeof(applies[0]); i++)
		if (applies[i].key == key)
			return apply_kind(arg, &applies[i], val, err);
	return hc_err_set(err, HC_EINTERNAL, "option %d has no action", key);
}
