/*
 * msg: the message catalogue (one table: type, name, body limit, schema) and
 * the schema-checked JSON decoder every receiver uses (see msg.h).
 *
 * A schema lists the fields a body may carry: name, JSON type, whether it is
 * required. Optional fields are type-checked when present, so a handler can
 * read any listed field without checking its type again. Unknown fields are
 * ignored (forward compatibility). Nesting is bounded before parsing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msg.h"

/* Deepest nesting of arrays/objects a body may have. */
#define MSG_MAX_DEPTH 32
/* Bodies of node registration (inventory + running jobs) and launch
 * (the batch script plus the job's fields). */
#define MSG_BODY_REGISTER (1024u * 1024)
#define MSG_BODY_LAUNCH (HC_MSG_BODY_SUBMIT + HC_MSG_BODY_SMALL)
/* A step's output chunk: 64 KiB of data in base64 plus its fields. */
#define MSG_BODY_STEP_IO (96u * 1024)

enum field_type { F_ANY, F_OBJ, F_ARR, F_STR, F_INT, F_NUM, F_BOOL };

struct msg_field {
	const char *name;		/* NULL ends a schema */
	enum field_type type;
	int required;
	enum field_type elem;		/* F_ARR: element type */
	const struct msg_field *sub;	/* F_OBJ, or F_ARR of F_OBJ: schema */
};

#define REQ(n, t) { .name = n, .type = t, .required = 1 }
#define OPT(n, t) { .name = n, .type = t }
#define OPT_ARR(n, e) { .name = n, .type = F_ARR, .elem = e }
#define REQ_ARR(n, e) { .name = n, .type = F_ARR, .elem = e, .required = 1 }
#define END { .name = NULL }

static const char *const type_names[] = {
	[F_ANY] = "any value", [F_OBJ] = "an object", [F_ARR] = "an array",
	[F_STR] = "a string", [F_INT] = "an integer", [F_NUM] = "a number",
	[F_BOOL] = "a boolean",
};

/* ---- schemas (msg.h's top comment is their specification) ---- */

static const struct msg_field s_empty[] = { END };

static const struct msg_field s_reply[] = {
	REQ("rc", F_INT), OPT("error", F_STR), END
};

static const struct msg_field s_signal[] = {
	OPT("num", F_INT), OPT("secs", F_INT), OPT("batch_only", F_BOOL), END
};

/* JOBSPEC fields that travel again inside LAUNCH. */
#define SPEC_COMMON \
	OPT("script", F_STR), OPT("cwd", F_STR), OPT("stdout", F_STR), \
	OPT("stderr", F_STR), OPT("stdin", F_STR), OPT_ARR("env", F_STR), \
	OPT("rlimits", F_OBJ), OPT_ARR("argv", F_STR), \
	OPT("open_mode", F_STR), \
	{ .name = "signal", .type = F_OBJ, .sub = s_signal }, \
	OPT("export", F_STR)

static const struct msg_field s_jobspec[] = {
	REQ("script", F_STR), SPEC_COMMON,
	OPT("name", F_STR), OPT("queue", F_STR), OPT("account", F_STR), OPT("qos", F_STR),
	OPT("nodes", F_INT), OPT("nodes_max", F_INT), OPT("ntasks", F_INT),
	OPT("cpus_per_task", F_INT), OPT("ntasks_per_node", F_INT),
	OPT("mem_mb", F_INT), OPT("mem_per_cpu_mb", F_INT),
	OPT("gres", F_STR), OPT("gpus_per_task", F_INT),
	OPT("constraint", F_STR), OPT("time_limit", F_INT),
	OPT("exclusive", F_BOOL), OPT("hold", F_BOOL),
	OPT("begin_time", F_INT), OPT("requeue", F_BOOL), OPT("nice", F_INT),
	OPT("comment", F_STR), OPT("dependency", F_STR),
	OPT("kill_on_invalid_dep", F_BOOL), OPT("array", F_STR),
	OPT("interactive", F_BOOL), OPT("command", F_STR), END
};

static const struct msg_field s_submit[] = {
	{ .name = "job", .type = F_OBJ, .required = 1, .sub = s_jobspec }, END
};

#define JOB_FILTER \
	OPT_ARR("job_ids", F_INT), OPT_ARR("users", F_INT), \
	OPT_ARR("states", F_STR), OPT_ARR("queues", F_STR), \
	OPT_ARR("names", F_STR)

static const struct msg_field s_job_query[] = {
	JOB_FILTER, OPT("detail", F_BOOL), OPT("format", F_STR),
	OPT_ARR("fields", F_STR), OPT("tasks", F_STR), END
};

static const struct msg_field s_job_signal[] = {
	JOB_FILTER, OPT("signal", F_INT), OPT("batch_only", F_BOOL),
	OPT_ARR("array_tasks", F_STR), END
};

static const struct msg_field s_job_update[] = {
	REQ("job_id", F_INT), REQ("action", F_STR), OPT("set", F_OBJ),
	OPT("tasks", F_STR), END
};

static const struct msg_field s_node_query[] = { OPT("nodes", F_STR), END };

static const struct msg_field s_node_update[] = {
	REQ("nodes", F_STR), REQ("set", F_OBJ), END
};

static const struct msg_field s_queue_query[] = {
	OPT_ARR("queues", F_STR), END
};

static const struct msg_field s_backup[] = { REQ("path", F_STR), END };

static const struct msg_field s_history[] = {
	OPT_ARR("job_ids", F_INT), OPT_ARR("users", F_INT),
	OPT_ARR("states", F_STR), OPT("start", F_INT), OPT("end", F_INT),
	OPT_ARR("array_tasks", F_STR), END
};

static const struct msg_field s_gpu[] = {
	OPT("index", F_INT), OPT("vendor", F_STR), OPT("model", F_STR),
	OPT("type", F_STR), OPT("pci_id", F_STR), OPT("busid", F_STR),
	OPT("memory_mb", F_INT), OPT("uuid", F_STR), OPT("serial", F_STR), END
};

static const struct msg_field s_inventory[] = {
	OPT("sockets", F_INT), OPT("cores", F_INT), OPT("threads", F_INT),
	OPT("cpus", F_INT), OPT("memory_mb", F_INT),
	OPT("cpu_vendor", F_STR), OPT("cpu_model", F_STR), OPT("arch", F_STR),
	{ .name = "gpus", .type = F_ARR, .elem = F_OBJ, .sub = s_gpu },
	OPT("topology_digest", F_STR), OPT("hcnoded_version", F_STR), END
};

/* A job event's fields, shared by JOB_EVENT and NODE_REGISTER's jobs. */
#define EVENT_FIELDS \
	OPT("exit_status", F_INT), OPT("start", F_INT), OPT("end", F_INT), \
	OPT("max_rss_kb", F_INT), OPT("oom", F_BOOL), \
	OPT("timeout", F_BOOL), OPT("reason", F_STR), \
	OPT("prolog_failed", F_BOOL)

static const struct msg_field s_reg_job[] = {
	REQ("job_id", F_INT), REQ("state", F_STR), EVENT_FIELDS, END
};

static const struct msg_field s_register[] = {
	REQ("name", F_STR), REQ("version", F_STR), REQ("boot_time", F_INT),
	{ .name = "inventory", .type = F_OBJ, .required = 1,
	  .sub = s_inventory },
	{ .name = "jobs", .type = F_ARR, .required = 1, .elem = F_OBJ,
	  .sub = s_reg_job },
	OPT("inventory_blob", F_STR), OPT("inventory_sig", F_STR),
	END
};

static const struct msg_field s_heartbeat[] = {
	REQ_ARR("jobs", F_INT), OPT("load", F_NUM), OPT("free_mem_mb", F_INT),
	END
};

static const struct msg_field s_job_event[] = {
	REQ("job_id", F_INT), REQ("event", F_STR), EVENT_FIELDS, END
};

static const struct msg_field s_health[] = {
	REQ("ok", F_BOOL), REQ("message", F_STR), END
};

static const struct msg_field s_launch[] = {
	REQ("job_id", F_INT), REQ("uid", F_INT), REQ("gid", F_INT),
	SPEC_COMMON,
	OPT("name", F_STR), OPT("user", F_STR), OPT("queue", F_STR),
	OPT("nodelist", F_STR), OPT("nnodes", F_INT), OPT("ntasks", F_INT),
	OPT("cpus_on_node", F_INT), OPT_ARR("cpu_ids", F_INT),
	OPT("mem_mb", F_INT), OPT_ARR("gpu_ids", F_INT),
	OPT("time_limit", F_INT), OPT("restart_count", F_INT),
	OPT("submit_dir", F_STR), OPT("batch", F_BOOL),
	OPT("submit_time", F_INT), OPT("interactive", F_BOOL), END
};

static const struct msg_field s_job_kill[] = {
	REQ("job_id", F_INT), OPT("signal", F_INT), OPT("batch_only", F_BOOL),
	OPT("reason", F_STR), OPT("exit_status", F_INT), END
};

static const struct msg_field s_job_event_ack[] = {
	REQ_ARR("job_ids", F_INT), END
};

static const struct msg_field s_step_hello[] = {
	REQ("cred", F_STR), OPT_ARR("argv", F_STR), OPT_ARR("env", F_STR),
	OPT("cwd", F_STR), OPT_ARR("tasks", F_INT), OPT("ntasks", F_INT),
	OPT("nnodes", F_INT), OPT("node_index", F_INT),
	OPT_ARR("cpu_ids", F_INT), OPT_ARR("gpu_ids", F_INT),
	OPT("cpu_bind", F_STR), OPT_ARR("stdin_tasks", F_INT),
	OPT("pty", F_BOOL), OPT("rows", F_INT), OPT("cols", F_INT),
	OPT("output", F_STR), OPT("error", F_STR), OPT("input", F_STR), END
};

static const struct msg_field s_step_create[] = {
	REQ("job_id", F_INT), OPT("nodes", F_INT), OPT("ntasks", F_INT),
	OPT("cpus_per_task", F_INT), OPT("gpus", F_INT),
	OPT("distribution", F_STR), OPT("command", F_STR), END
};

static const struct msg_field s_step_end[] = {
	REQ("job_id", F_INT), REQ("step_id", F_INT),
	OPT("exit_status", F_INT), OPT("failed", F_STR), END
};

static const struct msg_field s_step_query[] = {
	OPT_ARR("job_ids", F_INT), OPT("all", F_BOOL), END
};

static const struct msg_field s_alloc_release[] = {
	REQ("job_id", F_INT), OPT("exit_status", F_INT), OPT("cancel", F_BOOL),
	END
};

static const struct msg_field s_alloc_alive[] = {
	REQ("job_id", F_INT), END
};

static const struct msg_field s_step_event[] = {
	REQ("job_id", F_INT), REQ("step_id", F_INT), REQ("event", F_STR),
	OPT("ntasks", F_INT), OPT("exit_status", F_INT),
	OPT("max_rss_kb", F_INT), OPT("cpu_ms", F_INT), END
};

static const struct msg_field s_step_cred_req[] = {
	REQ("req", F_INT), REQ("job_id", F_INT), REQ("host", F_STR), END
};

static const struct msg_field s_step_cred_grant[] = {
	REQ("req", F_INT), REQ("rc", F_INT), OPT("error", F_STR),
	OPT("cred", F_STR), OPT("step_id", F_INT), OPT("addr", F_STR),
	OPT("port", F_INT), END
};

static const struct msg_field s_step_io[] = {
	REQ("t", F_INT), REQ("fd", F_INT), OPT("d", F_STR), OPT("eof", F_BOOL),
	END
};

static const struct msg_field s_step_signal[] = { REQ("signal", F_INT), END };

static const struct msg_field s_step_exit[] = {
	REQ("t", F_INT), REQ("status", F_INT), OPT("oom", F_BOOL),
	OPT("error", F_STR), END
};

static const struct msg_field s_step_pmi[] = {
	OPT("seq", F_INT), OPT("kvs", F_OBJ), OPT("blob", F_STR),
	OPT("abort", F_STR), OPT_ARR("blobs", F_STR), END
};

static const struct msg_field s_step_winch[] = {
	REQ("rows", F_INT), REQ("cols", F_INT), END
};

static const struct msg_field s_audit_query[] = {
	OPT("job_id", F_INT), OPT("node", F_STR), OPT("since", F_INT),
	OPT("event", F_STR), OPT("checkpoints", F_BOOL), END
};

static const struct msg_field s_checkpoint[] = {
	REQ("seq", F_INT), REQ("hash", F_STR), REQ("time", F_INT),
	REQ("sig", F_STR), END
};

static const struct msg_field s_audit_verify[] = {
	{ .name = "anchors", .type = F_ARR, .elem = F_OBJ,
	  .sub = s_checkpoint },
	END
};

static const struct msg_field s_audit_trace[] = { REQ("job_id", F_INT), END };

static const struct msg_field s_acct_update[] = {
	REQ("verb", F_STR), REQ("object", F_STR), REQ("name", F_STR),
	OPT("set", F_OBJ), END
};

static const struct msg_field s_acct_query[] = {
	REQ("object", F_STR), OPT("name", F_STR), END
};

static const struct msg_field s_resv_update[] = {
	REQ("action", F_STR), REQ("name", F_STR), OPT("set", F_OBJ), END
};

static const struct msg_field s_resv_query[] = {
	OPT_ARR("names", F_STR), END
};

/* ---- the catalogue: MSG(TYPE, max body, schema), in type order ---- */

#define HC_MSG_CATALOGUE \
	MSG(REPLY, HC_MSG_BODY_REPLY, s_reply) \
	MSG(PING, HC_MSG_BODY_SMALL, s_empty) \
	MSG(SUBMIT, HC_MSG_BODY_SUBMIT, s_submit) \
	MSG(JOB_QUERY, HC_MSG_BODY_SMALL, s_job_query) \
	MSG(JOB_SIGNAL, HC_MSG_BODY_SMALL, s_job_signal) \
	MSG(JOB_UPDATE, HC_MSG_BODY_SMALL, s_job_update) \
	MSG(NODE_QUERY, HC_MSG_BODY_SMALL, s_node_query) \
	MSG(NODE_UPDATE, HC_MSG_BODY_SMALL, s_node_update) \
	MSG(QUEUE_QUERY, HC_MSG_BODY_SMALL, s_queue_query) \
	MSG(CONFIG_SHOW, HC_MSG_BODY_SMALL, s_empty) \
	MSG(RECONFIGURE, HC_MSG_BODY_SMALL, s_empty) \
	MSG(SHUTDOWN, HC_MSG_BODY_SMALL, s_empty) \
	MSG(BACKUP, HC_MSG_BODY_SMALL, s_backup) \
	MSG(HISTORY_QUERY, HC_MSG_BODY_SMALL, s_history) \
	MSG(STEP_CREATE, HC_MSG_BODY_SMALL, s_step_create) \
	MSG(STEP_END, HC_MSG_BODY_SMALL, s_step_end) \
	MSG(STEP_QUERY, HC_MSG_BODY_SMALL, s_step_query) \
	MSG(ALLOC_RELEASE, HC_MSG_BODY_SMALL, s_alloc_release) \
	MSG(ALLOC_ALIVE, HC_MSG_BODY_SMALL, s_alloc_alive) \
	MSG(AUDIT_QUERY, HC_MSG_BODY_SMALL, s_audit_query) \
	MSG(AUDIT_VERIFY, HC_MSG_BODY_SUBMIT, s_audit_verify) \
	MSG(AUDIT_TRACE, HC_MSG_BODY_SMALL, s_audit_trace) \
	MSG(REJECTED_QUERY, HC_MSG_BODY_SMALL, s_empty) \
	MSG(CLOUD_QUERY, HC_MSG_BODY_SMALL, s_empty) \
	MSG(NODE_REGISTER, MSG_BODY_REGISTER, s_register) \
	MSG(NODE_HEARTBEAT, HC_MSG_BODY_SMALL, s_heartbeat) \
	MSG(JOB_EVENT, HC_MSG_BODY_SMALL, s_job_event) \
	MSG(NODE_HEALTH, HC_MSG_BODY_SMALL, s_health) \
	MSG(STEP_EVENT, HC_MSG_BODY_SMALL, s_step_event) \
	MSG(STEP_CRED_REQ, HC_MSG_BODY_SMALL, s_step_cred_req) \
	MSG(ACCT_UPDATE, HC_MSG_BODY_SMALL, s_acct_update) \
	MSG(ACCT_QUERY, HC_MSG_BODY_SMALL, s_acct_query) \
	MSG(FAIRSHARE_QUERY, HC_MSG_BODY_SMALL, s_empty) \
	MSG(JOB_LAUNCH, MSG_BODY_LAUNCH, s_launch) \
	MSG(JOB_KILL, HC_MSG_BODY_SMALL, s_job_kill) \
	MSG(JOB_EVENT_ACK, HC_MSG_BODY_SMALL, s_job_event_ack) \
	MSG(AUDIT_CHECKPOINT, HC_MSG_BODY_SMALL, s_checkpoint) \
	MSG(STEP_CRED_GRANT, HC_MSG_BODY_SMALL, s_step_cred_grant) \
	MSG(STEP_HELLO, MSG_BODY_LAUNCH, s_step_hello) \
	MSG(STEP_IO, MSG_BODY_STEP_IO, s_step_io) \
	MSG(STEP_SIGNAL, HC_MSG_BODY_SMALL, s_step_signal) \
	MSG(STEP_EXIT, HC_MSG_BODY_SMALL, s_step_exit) \
	MSG(STEP_DONE, HC_MSG_BODY_SMALL, s_empty) \
	MSG(STEP_WINCH, HC_MSG_BODY_SMALL, s_step_winch) \
	MSG(STEP_PMI, HC_MSG_BODY_SUBMIT, s_step_pmi) \
	MSG(RESV_UPDATE, HC_MSG_BODY_SMALL, s_resv_update) \
	MSG(RESV_QUERY, HC_MSG_BODY_SMALL, s_resv_query)

struct msg_def {
	uint16_t type;
	const char *name;
	size_t max_body;
	const struct msg_field *schema;
};

#define MSG(t, max, s) { HC_MSG_##t, #t, max, s },
static const struct msg_def msg_defs[] = { HC_MSG_CATALOGUE };
#undef MSG

#define MSG(t, max, s) HC_MSG_##t,
static const uint16_t msg_type_list[] = { HC_MSG_CATALOGUE };
#undef MSG

#define NDEFS (sizeof(msg_defs) / sizeof(msg_defs[0]))

static const struct msg_def *
msg_def_find(unsigned type)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (msg_defs[i].type == type)
			return &msg_defs[i];
	return NULL;
}

const char *
hc_msg_name(unsigned type)
{
	const struct msg_def *d = msg_def_find(type);

	return d ? d->name : NULL;
}

size_t
hc_msg_max_body(unsigned type)
{
	const struct msg_def *d = msg_def_find(type);

	return d ? d->max_body : 0;
}

const uint16_t *
hc_msg_types(size_t *n)
{
	if (n)
		*n = NDEFS;
	return msg_type_list;
}

/* ---- decoding ---- */

/* Deepest bracket nesting in text, outside strings; stops counting once past
 * limit. Run before parsing so a hostile body never reaches the parser's
 * recursion. */
static int
nesting_exceeds(const char *s, size_t len, int limit)
{
	int depth = 0, in_str = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > limit)
				return 1;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return 0;
}

static int
type_matches(const json_t *v, enum field_type t)
{
	switch (t) {
	case F_OBJ: return json_is_object(v);
	case F_ARR: return json_is_array(v);
	case F_STR: return json_is_string(v);
	case F_INT: return json_is_integer(v);
	case F_NUM: return json_is_number(v);
	case F_BOOL: return json_is_boolean(v);
	default: return 1;
	}
}

static int check_object(const json_t *obj, const struct msg_field *schema,
			const char *mname, const char *path,
			struct hc_err *err);

/* Check one present value v of field f; path names it for messages. */
static int
check_value(const json_t *v, const struct msg_field *f, const char *mname,
	    const char *path, struct hc_err *err)
{
	char sub[256];
	size_t i;
	json_t *e;

	if (!type_matches(v, f->type))
		return hc_err_set(err, HC_EINVAL, "%s: field '%s' must be %s",
				  mname, path, type_names[f->type]);
	if (f->type == F_OBJ && f->sub)
		return check_object(v, f->sub, mname, path, err);
	if (f->type != F_ARR)
		return 0;
	json_array_foreach(v, i, e) {
		snprintf(sub, sizeof(sub), "%.200s[%zu]", path, i);
		if (!type_matches(e, f->elem))
			return hc_err_set(err, HC_EINVAL,
					  "%s: field '%s' must be %s", mname,
					  sub, type_names[f->elem]);
		if (f->elem == F_OBJ && f->sub &&
		    check_object(e, f->sub, mname, sub, err) < 0)
			return -1;
	}
	return 0;
}

static int
check_object(const json_t *obj, const struct msg_field *schema,
	     const char *mname, const char *path, struct hc_err *err)
{
	char fpath[256];

	for (const struct msg_field *f = schema; f->name; f++) {
		const json_t *v = json_object_get(obj, f->name);

		if (path)
			snprintf(fpath, sizeof(fpath), "%.200s.%.40s", path, f->name);
		else
			snprintf(fpath, sizeof(fpath), "%.200s", f->name);
		if (!v) {
			if (f->required)
				return hc_err_set(err, HC_EINVAL,
						  "%s: field '%s' is required",
						  mname, fpath);
			continue;
		}
		if (check_value(v, f, mname, fpath, err) < 0)
			return -1;
	}
	return 0;
}

json_t *
hc_msg_decode(unsigned type, const char *body, size_t len,
	      struct hc_err *err)
{
	const struct msg_def *d = msg_def_find(type);
	json_error_t jerr;
	json_t *obj;

	if (!d) {
		hc_err_set(err, HC_EPROTO, "unknown message type %u", type);
		return NULL;
	}
	if (len > d->max_body) {
		hc_err_set(err, HC_EPROTO, "%s: body length %zu exceeds %zu",
			   d->name, len, d->max_body);
		return NULL;
	}
	if (len == 0) {
		/* An empty body is {} -- and {} still answers to the schema,
		 * so a handler never sees a required field missing. */
		obj = json_object();
		if (check_object(obj, d->schema, d->name, NULL, err) < 0) {
			json_decref(obj);
			return NULL;
		}
		return obj;
	}
	if (nesting_exceeds(body, len, MSG_MAX_DEPTH)) {
		hc_err_set(err, HC_EPROTO, "%s: body nests deeper than %d",
			   d->name, MSG_MAX_DEPTH);
		return NULL;
	}
	obj = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		hc_err_set(err, HC_EPROTO, "%s: body is not valid JSON: %s "
			   "(at byte %d)", d->name, jerr.text, jerr.position);
		return NULL;
	}
	if (!json_is_object(obj)) {
		hc_err_set(err, HC_EPROTO, "%s: body must be a JSON object",
			   d->name);
		json_decref(obj);
		return NULL;
	}
	if (check_object(obj, d->schema, d->name, NULL, err) < 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

char *
hc_msg_encode(const json_t *obj, size_t *lenp)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!s)
		hc_fatal("out of memory encoding a message body");
	if (lenp)
		*lenp = strlen(s);
	return s;
}

/* A JSON string of text; bytes that are not valid UTF-8 (a path or name
 * echoed from elsewhere) become '?' rather than losing the message. */
static json_t *
text_json(const char *text)
{
	json_t *s = json_string(text);
	char *copy;

	if (s)
		return s;
	copy = hc_strdup(text);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	s = json_string(copy);
	free(copy);
	return s;
}

json_t *
hc_msg_reply_new(int code, const char *text)
{
	json_t *r = json_object();

	if (!r)
		hc_fatal("out of memory building a reply");
	json_object_set_new(r, "rc", json_integer(code));
	if (code != 0)
		json_object_set_new(r, "error",
				    text_json(text ? text : hc_err_name(code)));
	return r;
}
