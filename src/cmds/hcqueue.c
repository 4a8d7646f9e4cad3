/*
 * hcqueue: list jobs, squeue-style. The format is squeue's (%.18i ...), one
 * table of fields; the whole output is built in one buffer and written once
 * (10,000 jobs in a few milliseconds). The table view asks hcctld for
 * rows of only the columns its format reads ("format": "rows"), read by
 * cmd_rows' parser without building a JSON tree; --json asks for the
 * records.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "array.h"
#include "cmd.h"
#include "hostlist.h"
#include "msg.h"
#include "steps_view.h"

enum { O_JSON = CMD_LONG, O_NAME, O_START, O_PRIORITY };

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
	{"array", 'r', NULL, "one line per pending array task (they are "
			     "folded, 123_[7-99], by default)"},
	{"start", O_START, NULL, "pending jobs with their planned start "
				 "times and nodes (%S and %Y)"},
	{"json", O_JSON, NULL, "print the job records as JSON"},
	{"steps", 's', NULL, "list the running job steps instead of jobs "
			     "(with -j: those jobs' steps)"},
	{"priority", O_PRIORITY, NULL, "pending jobs' priority, factor by "
				       "factor (weighted; see hc-priority(7))"},
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
	"  %E remaining dependency        %Y planned nodes (pending)\n"
	"%S of a pending job is its planned start, if it has one.\n"
	"Priority factors, weighted (--priority):\n"
	"  %A age          %J job size    %G queue tier  %F fair-share\n"
	"  %f queue fair-share            %q QOS         %n -nice\n"
	"  %X plugins      %Z admin-set priority\n"
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
#define FMT_START "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R"
#define FMT_PRIORITY "%.18i %.8u %.9P %.10Q %.8A %.8J %.8G %.9F %.8f " \
	"%.6q %.6n %.7X %.6Z"

struct ctx {
	json_t *req;
	const char *format;
	bool noheader, json, expand, steps;
	bool priority;		/* --priority: pending jobs' factors */
	bool by_start;		/* --start: rows by planned start */
	long long now;
};

/*
 * The table view asks for rows (JOB_QUERY "format": "rows") holding only
 * the columns its format uses; each field reads its cells by column.
 */
enum col {
	C_ID, C_NAME, C_USER, C_STATE, C_QUEUE, C_GRES, C_NODELIST, C_ACCOUNT,
	C_PRIORITY, C_NICE, C_START, C_END, C_LIMIT, C_NODES_REQ, C_REASON,
	C_CPUS, C_NTASKS, C_CPT, C_SUBMIT, C_DEP, C_ARRAY, C_PLAN_START,
	C_PLAN_NODES,
	C_P_AGE, C_P_SIZE, C_P_QUEUE, C_P_FS, C_P_QFS, C_P_QOS, C_P_NICE,
	C_P_PLUGINS, C_P_ADMIN, C_COUNT
};

static const char *const col_names[C_COUNT] = {
	[C_ID] = "job_id", [C_NAME] = "name", [C_USER] = "user",
	[C_STATE] = "state", [C_QUEUE] = "queue", [C_GRES] = "gres",
	[C_NODELIST] = "nodelist", [C_ACCOUNT] = "account",
	[C_PRIORITY] = "priority", [C_NICE] = "nice",
	[C_START] = "start_time", [C_END] = "end_time",
	[C_LIMIT] = "time_limit", [C_NODES_REQ] = "nodes_req",
	[C_REASON] = "reason", [C_CPUS] = "cpus", [C_NTASKS] = "ntasks",
	[C_CPT] = "cpus_per_task", [C_SUBMIT] = "submit_time",
	[C_DEP] = "dependency", [C_ARRAY] = "array_id",
	[C_PLAN_START] = "plan_start", [C_PLAN_NODES] = "plan_nodes",
	[C_P_AGE] = "prio_age", [C_P_SIZE] = "prio_jobsize",
	[C_P_QUEUE] = "prio_queue", [C_P_FS] = "prio_fairshare",
	[C_P_QFS] = "prio_queue_fs", [C_P_QOS] = "prio_qos",
	[C_P_NICE] = "prio_nice", [C_P_PLUGINS] = "prio_plugins",
	[C_P_ADMIN] = "prio_admin",
};

/* Column sets are bitmaps: 64 columns at most. */
#define B(c) (UINT64_C(1) << (c))
_Static_assert(C_COUNT <= 64, "hcqueue: more columns than a uint64_t");

/* One row of the reply: its cells, and where each column is in them. */
struct qrow {
	const char *const *cells;
	const int *col;		/* enum col -> cell index, -1 if absent */
	const char *id;		/* shown for the id (-r), or NULL */
};

static const char *
rs(const struct qrow *r, enum col c)
{
	return r->col[c] < 0 ? "" : r->cells[r->col[c]];
}

static long long
ri(const struct qrow *r, enum col c)
{
	return r->col[c] < 0 ? 0 : (long long)strtod(r->cells[r->col[c]], NULL);
}

/* A field's text: the cell itself (borrowed from the reply, whole however
 * long: a name may take 4096 bytes) or what it wrote into b (n bytes). */
typedef const char *(*field_fn)(const struct qrow *r, long long now, char *b,
				size_t n);

#define STRFIELD(fname, c)                                                   \
	static const char *fname(const struct qrow *r, long long now,         \
				 char *b, size_t n)                           \
	{                                                                     \
		return rs(r, c);                                              \
	}
STRFIELD(f_name, C_NAME)
STRFIELD(f_user, C_USER)
STRFIELD(f_state, C_STATE)
STRFIELD(f_queue, C_QUEUE)
STRFIELD(f_gres, C_GRES)
STRFIELD(f_nodelist, C_NODELIST)
STRFIELD(f_account, C_ACCOUNT)

/* A pending job's planned nodes (its plan from the last pass). */
static const char *
f_plan_nodes(const struct qrow *r, long long now, char *b, size_t n)
{
	const char *p = rs(r, C_PLAN_NODES);

	return *p ? p : "(null)";
}

static const char *
f_dependency(const struct qrow *r, long long now, char *b, size_t n)
{
	const char *d = rs(r, C_DEP);

	return *d ? d : "(null)";
}

#define INTFIELD(fname, c)                                                   \
	static const char *fname(const struct qrow *r, long long now,         \
				 char *b, size_t n)                           \
	{                                                                     \
		snprintf(b, n, "%lld", ri(r, c));                             \
		return b;                                                     \
	}

/* An array's id as the controller folds it ("123_[7-99%5]", "123_5"). */
static const char *
f_id(const struct qrow *r, long long now, char *b, size_t n)
{
	if (r->id)
		return r->id;
	if (*rs(r, C_ARRAY))
		return rs(r, C_ARRAY);
	snprintf(b, n, "%lld", ri(r, C_ID));
	return b;
}

INTFIELD(f_priority, C_PRIORITY)
INTFIELD(f_nice, C_NICE)

/* A weighted factor: whole above 100, else two decimals. */
#define PRIOFIELD(fname, c)                                                  \
	static const char *fname(const struct qrow *r, long long now,         \
				 char *b, size_t n)                           \
	{                                                                     \
		double v = r->col[c] < 0 ? 0 : strtod(rs(r, c), NULL);        \
		snprintf(b, n, v >= 100 || v <= -100 ? "%.0f" : "%.2f", v);   \
		return b;                                                     \
	}
PRIOFIELD(f_p_age, C_P_AGE)
PRIOFIELD(f_p_size, C_P_SIZE)
PRIOFIELD(f_p_queue, C_P_QUEUE)
PRIOFIELD(f_p_fs, C_P_FS)
PRIOFIELD(f_p_qfs, C_P_QFS)
PRIOFIELD(f_p_qos, C_P_QOS)
PRIOFIELD(f_p_nice, C_P_NICE)
PRIOFIELD(f_p_plugins, C_P_PLUGINS)
PRIOFIELD(f_p_admin, C_P_ADMIN)

static const char *
f_short(const struct qrow *r, long long now, char *b, size_t n)
{
	int st = job_state_parse(rs(r, C_STATE));

	return st >= 0 ? job_state_short(st) : rs(r, C_STATE);
}

static const char *
f_time(const struct qrow *r, long long now, char *b, size_t n)
{
	long long start = ri(r, C_START), end = ri(r, C_END);

	cmd_fmt_elapsed(start ? (end ? end : now) - start : 0, b, n);
	return b;
}

static const char *
f_limit(const struct qrow *r, long long now, char *b, size_t n)
{
	cmd_fmt_limit(ri(r, C_LIMIT), b, n);
	return b;
}

static const char *
f_nodes(const struct qrow *r, long long now, char *b, size_t n)
{
	const char *nl = rs(r, C_NODELIST);
	long long count = ri(r, C_NODES_REQ);

	if (*nl) {
		struct hostlist *hl = hostlist_parse(nl, NULL);
		if (hl)
			count = (long long)hl->count;
		hostlist_destroy(hl);
	}
	snprintf(b, n, "%lld", count ? count : 1);
	return b;
}

static const char *
f_reason_or_nodes(const struct qrow *r, long long now, char *b, size_t n)
{
	const char *nl = rs(r, C_NODELIST);
	const char *why = rs(r, C_REASON);

	if (*nl && strcmp(rs(r, C_STATE), "PENDING") != 0)
		return nl;
	snprintf(b, n, "(%s)", *why ? why : "None");
	return b;
}

static const char *
f_reason(const struct qrow *r, long long now, char *b, size_t n)
{
	const char *why = rs(r, C_REASON);

	return *why ? why : "None";
}

static const char *
f_cpus(const struct qrow *r, long long now, char *b, size_t n)
{
	long long c = ri(r, C_CPUS);

	if (!c) {
		long long t = ri(r, C_NTASKS), cpt = ri(r, C_CPT);
		c = (t ? t : 1) * (cpt ? cpt : 1);
	}
	snprintf(b, n, "%lld", c);
	return b;
}

static const char *
f_start(const struct qrow *r, long long now, char *b, size_t n)
{
	long long t = ri(r, C_START);

	if (!t)		/* pending: its planned start, if it has one */
		t = ri(r, C_PLAN_START);
	if (!t)
		return "N/A";
	cmd_fmt_time(t, b, n);
	return b;
}

static const char *
f_submit(const struct qrow *r, long long now, char *b, size_t n)
{
	cmd_fmt_time(ri(r, C_SUBMIT), b, n);
	return b;
}

static const struct field {
	char letter;
	const char *header;
	field_fn fn;
	uint64_t cols;		/* B(col) of the columns it reads */
} fields[] = {
	{'i', "JOBID", f_id, B(C_ID) | B(C_ARRAY)},
	{'j', "NAME", f_name, B(C_NAME)},
	{'u', "USER", f_user, B(C_USER)},
	{'T', "STATE", f_state, B(C_STATE)},
	{'t', "ST", f_short, B(C_STATE)},
	{'M', "TIME", f_time, B(C_START) | B(C_END)},
	{'l', "TIME_LIMIT", f_limit, B(C_LIMIT)},
	{'D', "NODES", f_nodes, B(C_NODELIST) | B(C_NODES_REQ)},
	{'R', "NODELIST(REASON)", f_reason_or_nodes,
	 B(C_NODELIST) | B(C_REASON) | B(C_STATE)},
	{'P', "QUEUE", f_queue, B(C_QUEUE)},
	{'C', "CPUS", f_cpus, B(C_CPUS) | B(C_NTASKS) | B(C_CPT)},
	{'b', "GRES", f_gres, B(C_GRES)},
	{'S', "START_TIME", f_start, B(C_START) | B(C_PLAN_START)},
	{'V', "SUBMIT_TIME", f_submit, B(C_SUBMIT)},
	{'N', "NODELIST", f_nodelist, B(C_NODELIST)},
	{'r', "REASON", f_reason, B(C_REASON)},
	{'a', "ACCOUNT", f_account, B(C_ACCOUNT)},
	{'Q', "PRIORITY", f_priority, B(C_PRIORITY)},
	{'y', "NICE", f_nice, B(C_NICE)},
	{'E', "DEPENDENCY", f_dependency, B(C_DEP)},
	{'Y', "SCHEDNODES", f_plan_nodes, B(C_PLAN_NODES)},
	{'A', "AGE", f_p_age, B(C_P_AGE)},
	{'J', "JOBSIZE", f_p_size, B(C_P_SIZE)},
	{'G', "QUEUE", f_p_queue, B(C_P_QUEUE)},
	{'F', "FAIRSHARE", f_p_fs, B(C_P_FS)},
	{'f', "QUEUE_FS", f_p_qfs, B(C_P_QFS)},
	{'q', "QOS", f_p_qos, B(C_P_QOS)},
	{'n', "NICE", f_p_nice, B(C_P_NICE)},
	{'X', "PLUGINS", f_p_plugins, B(C_P_PLUGINS)},
	{'Z', "ADMIN", f_p_admin, B(C_P_ADMIN)},
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

/* Ask for the rows of exactly the columns the format reads (and cols,
 * B(col) bits, that the listing needs besides). */
static void
request_rows(json_t *req, const struct piece *p, int n, uint64_t cols)
{
	json_t *names = json_array();

	for (int k = 0; k < n; k++)
		if (p[k].f)
			cols |= p[k].f->cols;
	for (int c = 0; c < C_COUNT; c++)
		if (cols & B(c))
			json_array_append_new(names, json_string(col_names[c]));
	if (!json_array_size(names))	/* a format of text only */
		json_array_append_new(names, json_string(col_names[C_ID]));
	json_object_set_new(req, "format", json_string("rows"));
	json_object_set_new(req, "fields", names);
}

static void
print_row(struct ctx *cx, struct outbuf *o, const struct piece *p, int n,
	  const struct qrow *r)
{
	char buf[1024];

	for (int k = 0; k < n; k++) {
		if (!p[k].f) {
			out_putn(o, p[k].text, p[k].len);
			continue;
		}
		out_field(o, p[k].f->fn(r, cx->now, buf, sizeof(buf)),
			  p[k].width, p[k].right);
	}
	out_putc(o, '\n');
}

/* -r: the pending tasks of an array record, one line each. */
static void
print_tasks(struct ctx *cx, struct outbuf *o, const struct piece *p, int n,
	    const struct qrow *r)
{
	const char *id = rs(r, C_ARRAY), *lb = strchr(id, '[');
	struct array_set set;
	struct qrow t = *r;
	char *spec = hc_strdup(lb + 1), tid[48];

	spec[strcspn(spec, "]")] = '\0';
	if (array_set_parse(&set, spec, NULL) < 0) {
		print_row(cx, o, p, n, r);
		free(spec);
		return;
	}
	for (int64_t k = -1; (k = array_set_next(&set, k)) >= 0;) {
		snprintf(tid, sizeof(tid), "%.*s_%lld", (int)(lb - id - 1), id,
			 (long long)k);
		t.id = tid;
		print_row(cx, o, p, n, &t);
	}
	array_set_free(&set);
	free(spec);
}

struct start_key {
	long long a;		/* by id: the job's or its array's id */
	long long t;		/* planned start, LLONG_MAX: none; by id: task */
	size_t i;		/* the row */
};

static int
start_cmp(const void *a, const void *b)
{
	const struct start_key *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* --start: the rows by planned start, those without one last (squeue
 * --start's order); ties keep the controller's order. Caller frees. */
static size_t *
rows_by_start(const struct cmd_rows *rows, const int *col)
{
	struct start_key *k = hc_calloc(rows->nrows + 1, sizeof(*k));
	size_t *order = hc_calloc(rows->nrows + 1, sizeof(*order));

	for (size_t i = 0; i < rows->nrows; i++) {
		struct qrow r = {rows->cells + i * (size_t)rows->nfields, col,
				 NULL};

		k[i].t = ri(&r, C_PLAN_START) ? ri(&r, C_PLAN_START)
					       : LLONG_MAX;
		k[i].i = i;
	}
	qsort(k, rows->nrows, sizeof(*k), start_cmp);
	for (size_t i = 0; i < rows->nrows; i++)
		order[i] = k[i].i;
	free(k);
	return order;
}

/* A row's place in the default order: an array's rows under the array's
 * id, by task (a pending record at its first pending task, one with none
 * left last); a job alone under its own id, before any task. */
static void
id_key(const struct qrow *r, struct start_key *k)
{
	const char *a = rs(r, C_ARRAY);
	char *e;

	k->a = ri(r, C_ID);
	k->t = -1;
	if (!*a)
		return;
	k->a = strtoll(a, &e, 10);
	if (*e++ != '_')
		return;
	if (*e == '[')
		e++;
	k->t = isdigit((unsigned char)*e) ? strtoll(e, NULL, 10) : LLONG_MAX;
}

static int
id_cmp(const void *a, const void *b)
{
	const struct start_key *x = a, *y = b;

	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return start_cmp(a, b);
}

/* The default: by job id, an array's tasks together and in task order
 * (4_1..4_10, then job 5), however the controller numbered them. */
static size_t *
rows_by_id(const struct cmd_rows *rows, const int *col)
{
	struct start_key *k = hc_calloc(rows->nrows + 1, sizeof(*k));
	size_t *order = hc_calloc(rows->nrows + 1, sizeof(*order));

	for (size_t i = 0; i < rows->nrows; i++) {
		struct qrow r = {rows->cells + i * (size_t)rows->nfields, col,
				 NULL};

		id_key(&r, &k[i]);
		k[i].i = i;
	}
	qsort(k, rows->nrows, sizeof(*k), id_cmp);
	for (size_t i = 0; i < rows->nrows; i++)
		order[i] = k[i].i;
	free(k);
	return order;
}

static void
print_table(struct ctx *cx, struct hc_client *c)
{
	struct piece p[128];
	struct hc_err err = {0};
	int n = format_parse(cx->format, p, 128, &err);
	struct outbuf o = {0};
	struct cmd_rows rows;
	int col[C_COUNT];
	size_t *order = NULL;

	if (n < 0)
		cmd_die_err(&info, &err);
	request_rows(cx->req, p, n, cx->by_start ? B(C_PLAN_START) :
		     B(C_ID) | B(C_ARRAY));
	cmd_call_rows(&info, c, HC_MSG_JOB_QUERY, cx->req, &rows);
	cx->now = (long long)time(NULL);
	for (int k = 0; k < C_COUNT; k++)
		col[k] = cmd_rows_col(&rows, col_names[k]);
	if (!cx->noheader) {
		for (int k = 0; k < n; k++)
			if (p[k].f)
				out_field(&o, p[k].f->header, p[k].width,
					  p[k].right);
			else
				out_putn(&o, p[k].text, p[k].len);
		out_putc(&o, '\n');
	}
	order = cx->by_start ? rows_by_start(&rows, col) :
		rows_by_id(&rows, col);
	for (size_t k = 0; k < rows.nrows; k++) {
		size_t i = order ? order[k] : k;
		struct qrow r = {rows.cells + i * (size_t)rows.nfields, col,
				 NULL};

		if (cx->expand && strstr(rs(&r, C_ARRAY), "_[")) {
			print_tasks(cx, &o, p, n, &r);
			continue;
		}
		print_row(cx, &o, p, n, &r);
	}
	free(order);
	cmd_rows_free(&rows);
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
	case 'r': cx->expand = true; return 0;
	case O_JSON: cx->json = true; return 0;
	case 's': cx->steps = true; return 0;
	case O_PRIORITY: cx->priority = true; return 0;
	case O_START:	/* pending jobs, with their plans */
		cx->format = FMT_START;
		cx->by_start = true;
		field = "states";
		l = cmd_list_states("PD", err);
		break;
	}
	return cmd_list_add(cx->req, field, l);
}

/* --priority: the factors' format (unless -o gave one), pending jobs
 * only (unless -t chose states). */
static void
priority_setup(struct ctx *cx)
{
	if (!strcmp(cx->format, FMT_DEFAULT))
		cx->format = FMT_PRIORITY;
	if (!json_object_get(cx->req, "states"))
		json_object_set_new(cx->req, "states",
				    json_pack("[s]", "PENDING"));
}

int
main(int argc, char **argv)
{
	struct ctx cx = {.req = json_object(), .format = FMT_DEFAULT};
	struct hc_err err = {0};

	cmd_parse_options(&info, argc - 1, argv + 1, opt_fn, &cx,
			  "to list jobs by id use -j ID[,ID...]");
	if (cx.priority)
		priority_setup(&cx);
	struct piece p[128];
	if (format_parse(cx.format, p, 128, &err) < 0)
		cmd_die_err(&info, &err);	/* before asking anyone */
	struct hc_client *c = cmd_connect(&info);

	if (cx.steps) {
		json_t *ids = json_object_get(cx.req, "job_ids");
		hcqueue_steps(&info, c, ids, cx.json, cx.noheader);
	} else if (cx.json) {
		json_t *rep = cmd_call(&info, c, HC_MSG_JOB_QUERY, cx.req);
		json_t *jobs = json_object_get(rep, "jobs");
		json_t *out = json_pack("{s:O}", "jobs",
					jobs ? jobs : json_array());

		cmd_print_json(out);
		json_decref(out);
		json_decref(rep);
	} else {
		print_table(&cx, c);
	}
	hc_client_destroy(c);
	return 0;
}
