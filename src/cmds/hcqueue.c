/*
 * hcqueue: list jobs, squeue-style. The format is squeue's (%.18i ...), one
 * table of fields; the whole output is built in one buffer and written once
 * (10,000 jobs in a few milliseconds).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"
#include "hostlist.h"
#include "msg.h"

enum { O_JSON = CMD_LONG, O_NAME };

static const struct cmd_opt opts[] = {
	{"user", 'u', "USERS", "jobs of these users (names or uids)"},
	{"jobs", 'j', "IDS", "these jobs (comma-separated ids)"},
	{"states", 't', "STATES", "jobs in these states (PD,R,... or "
				  "PENDING,...; 'all' for every state)"},
	{"queue", 'p', "QUEUES", "jobs in these queues"},
	{"name", O_NAME, "NAMES", "jobs with these names"},
	{"noheader", 'h', NULL, "do not print the header line"},
	{"format", 'o', "FORMAT", "output format, as squeue's: %.18i %j ..."},
	{"long", 'l', NULL, "the long format (full state and time limit)"},
	{"json", O_JSON, NULL, "print the job records as JSON"},
	CMD_OPT_HELP,
	CMD_OPT_VERSION,
	{0},
};

static const char fields_help[] =
	"Format fields (%[.]WIDTHx; '.' aligns right):\n"
	"  %i job id       %j name        %u user        %T state\n"
	"  %t short state  %M time used   %l time limit  %D nodes\n"
	"  %R nodes or (reason)           %P queue       %C CPUs\n"
	"  %b GPUs/gres    %S start time  %V submit time %N node list\n"
	"  %r reason       %a account     %Q priority    %y nice\n"
	"Default: \"%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R\"\n";

static const struct cmd_info info = {
	.prog = "hcqueue",
	.usage = "[OPTIONS]",
	.summary = "List the jobs hcctld knows: pending, running and recently "
		   "finished.",
	.more = fields_help,
	.opts = opts,
};

#define FMT_DEFAULT "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"
#define FMT_LONG "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R"

struct ctx {
	json_t *req;
	const char *format;
	bool noheader, json;
	long long now;
};

typedef void (*field_fn)(const json_t *j, long long now, char *b, size_t n);

static void
f_str(const json_t *j, const char *key, char *b, size_t n)
{
	snprintf(b, n, "%s", js(j, key));
}

#define STRFIELD(fname, key)                                                 \
	static void fname(const json_t *j, long long now, char *b, size_t n)  \
	{                                                                     \
		f_str(j, key, b, n);                                          \
	}
STRFIELD(f_name, "name")
STRFIELD(f_user, "user")
STRFIELD(f_state, "state")
STRFIELD(f_queue, "queue")
STRFIELD(f_gres, "gres")
STRFIELD(f_nodelist, "nodelist")
STRFIELD(f_account, "account")

#define INTFIELD(fname, key)                                                 \
	static void fname(const json_t *j, long long now, char *b, size_t n)  \
	{                                                                     \
		snprintf(b, n, "%lld", ji(j, key));                           \
	}
INTFIELD(f_id, "job_id")
INTFIELD(f_priority, "priority")
INTFIELD(f_nice, "nice")

static void
f_short(const json_t *j, long long now, char *b, size_t n)
{
	int st = job_state_parse(js(j, "state"));

	snprintf(b, n, "%s", st >= 0 ? job_state_short(st) : js(j, "state"));
}

static void
f_time(const json_t *j, long long now, char *b, size_t n)
{
	long long start = ji(j, "start_time"), end = ji(j, "end_time");

	cmd_fmt_elapsed(start ? (end ? end : now) - start : 0, b, n);
}

static void
f_limit(const json_t *j, long long now, char *b, size_t n)
{
	cmd_fmt_limit(ji(j, "time_limit"), b, n);
}

static void
f_nodes(const json_t *j, long long now, char *b, size_t n)
{
	const char *nl = js(j, "nodelist");
	long long count = ji(j, "nodes_req");

	if (*nl) {
		struct hostlist *hl = hostlist_parse(nl, NULL);
		if (hl)
			count = (long long)hl->count;
		hostlist_destroy(hl);
	}
	snprintf(b, n, "%lld", count ? count : 1);
}

static void
f_reason_or_nodes(const json_t *j, long long now, char *b, size_t n)
{
	const char *nl = js(j, "nodelist");
	const char *r = js(j, "reason");

	if (*nl && strcmp(js(j, "state"), "PENDING") != 0)
		snprintf(b, n, "%s", nl);
	else
		snprintf(b, n, "(%s)", *r ? r : "None");
}

static void
f_reason(const json_t *j, long long now, char *b, size_t n)
{
	const char *r = js(j, "reason");

	snprintf(b, n, "%s", *r ? r : "None");
}

static void
f_cpus(const json_t *j, long long now, char *b, size_t n)
{
	long long c = ji(j, "cpus");

	if (!c) {
		long long t = ji(j, "ntasks"), cpt = ji(j, "cpus_per_task");
		c = (t ? t : 1) * (cpt ? cpt : 1);
	}
	snprintf(b, n, "%lld", c);
}

static void
f_start(const json_t *j, long long now, char *b, size_t n)
{
	long long t = ji(j, "start_time");

	if (t)
		cmd_fmt_time(t, b, n);
	else
		snprintf(b, n, "N/A");
}

static void
f_submit(const json_t *j, long long now, char *b, size_t n)
{
	cmd_fmt_time(ji(j, "submit_time"), b, n);
}

static const struct field {
	char letter;
	const char *header;
	field_fn fn;
} fields[] = {
	{'i', "JOBID", f_id},	       {'j', "NAME", f_name},
	{'u', "USER", f_user},	       {'T', "STATE", f_state},
	{'t', "ST", f_short},	       {'M', "TIME", f_time},
	{'l', "TIME_LIMIT", f_limit},  {'D', "NODES", f_nodes},
	{'R', "NODELIST(REASON)", f_reason_or_nodes},
	{'P', "QUEUE", f_queue},       {'C', "CPUS", f_cpus},
	{'b', "GRES", f_gres},	       {'S', "START_TIME", f_start},
	{'V', "SUBMIT_TIME", f_submit}, {'N', "NODELIST", f_nodelist},
	{'r', "REASON", f_reason},     {'a', "ACCOUNT", f_account},
	{'Q', "PRIORITY", f_priority}, {'y', "NICE", f_nice},
};

/* One piece of a parsed format: literal text or a field. */
struct piece {
	const char *text;
	size_t len;
	const struct field *f;
	int width;
	bool right;
};

static int
format_parse(const char *fmt, struct piece *p, int max, struct hc_err *err)
{
	int n = 0;

	while (*fmt && n < max) {
		if (*fmt != '%' || fmt[1] == '%') {
			size_t len = *fmt == '%' ? 1 : strcspn(fmt, "%");
			p[n++] = (struct piece){.text = fmt, .len = len};
			fmt += *fmt == '%' ? 2 : len;
			continue;
		}
		struct piece *q = &p[n++];
		memset(q, 0, sizeof(*q));
		fmt++;
		if (*fmt == '.') {
			q->right = true;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9' && q->width < 1000)
			q->width = q->width * 10 + (*fmt++ - '0');
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (fields[i].letter == *fmt)
				q->f = &fields[i];
		if (!q->f)
			return hc_err_set(err, HC_EINVAL,
					  "unknown field '%%%c' in the format; "
					  "see hcqueue --help for the fields",
					  *fmt ? *fmt : ' ');
		fmt++;
	}
	if (*fmt)
		return hc_err_set(err, HC_EINVAL, "the format is too long");
	return n;
}

static void
print_table(struct ctx *cx, const json_t *jobs)
{
	struct piece p[128];
	struct hc_err err = {0};
	int n = format_parse(cx->format, p, 128, &err);
	struct outbuf o = {0};
	char buf[1024];
	size_t i;
	const json_t *j;

	if (n < 0)
		cmd_die_err(&info, &err);
	if (!cx->noheader) {
		for (int k = 0; k < n; k++)
			if (p[k].f)
				out_field(&o, p[k].f->header, p[k].width,
					  p[k].right);
			else
				out_putn(&o, p[k].text, p[k].len);
		out_putc(&o, '\n');
	}
	json_array_foreach(jobs, i, j) {
		for (int k = 0; k < n; k++) {
			if (!p[k].f) {
				out_putn(&o, p[k].text, p[k].len);
				continue;
			}
			p[k].f->fn(j, cx->now, buf, sizeof(buf));
			out_field(&o, buf, p[k].width, p[k].right);
		}
		out_putc(&o, '\n');
	}
	if (out_flush(&o, stdout) < 0)
		cmd_die(&info, HC_EIO, "cannot write the output");
}

static int
opt_fn(void *arg, int key, const char *val, struct hc_err *err)
{
	struct ctx *cx = arg;
	json_t *l = NULL;
	const char *field = NULL;

	switch (key) {
	case 'u': field = "users"; l = cmd_list_uids(val, err); break;
	case 'j': field = "job_ids"; l = cmd_list_ids(val, err); break;
	case 'p': field = "queues"; l = cmd_list_strings(val, err); break;
	case O_NAME: field = "names"; l = cmd_list_strings(val, err); break;
	case 't':
		if (strcasecmp(val, "all") == 0)
			return 0;
		field = "states";
		l = cmd_list_states(val, err);
		break;
	case 'h': cx->noheader = true; return 0;
	case 'o': cx->format = val; return 0;
	case 'l': cx->format = FMT_LONG; return 0;
	case O_JSON: cx->json = true; return 0;
	}
	if (!l)
		return -1;
	cmd_list_merge(cx->req, field, l);
	json_decref(l);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctx cx = {.req = json_object(), .format = FMT_DEFAULT};
	char **ops = hc_calloc((size_t)argc + 1, sizeof(*ops));
	struct hc_err err = {0};
	int n = cmd_parse(&info, argc - 1, argv + 1, opt_fn, &cx, ops, &err);

	if (n < 0)
		cmd_die_err(&info, &err);
	if (n > 0)
		cmd_die(&info, HC_EINVAL, "unexpected argument '%s'; to list "
			"jobs by id use -j ID[,ID...]", ops[0]);
	free(ops);
	struct piece p[128];
	if (format_parse(cx.format, p, 128, &err) < 0)
		cmd_die_err(&info, &err);	/* before asking anyone */
	struct hc_client *c = cmd_connect(&info);
	json_t *rep = cmd_call(&info, c, HC_MSG_JOB_QUERY, cx.req);
	json_t *jobs = json_object_get(rep, "jobs");

	cx.now = (long long)time(NULL);
	if (cx.json) {
		json_t *out = json_pack("{s:O}", "jobs",
					jobs ? jobs : json_array());
		cmd_print_json(out);
		json_decref(out);
	} else
		print_table(&cx, jobs);
	json_decref(rep);
	hc_client_destroy(c);
	return 0;
}
