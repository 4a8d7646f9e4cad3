/*
 * hcctl: one grammar for every object, `hcctl VERB OBJECT [NAME]
 * [Key=Value...]` (DESIGN.md), driven by one table of actions: which verb
 * takes which object, whether a name is needed, which keys are allowed and
 * how each key's value is checked before it is sent.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "array.h"
#include "depend.h"
#include "hcctl.h"
#include "hostlist.h"
#include "msg.h"
#include "parse.h"

enum { O_JSON = CMD_LONG, O_ANCHORS };

static const struct cmd_opt opts[] = {
	{"json", O_JSON, NULL, "print the records of show as JSON"},
	{"anchors", O_ANCHORS, "FILE", "verify audit against the checkpoints "
	 "in FILE (export's JSON lines or a node's checkpoint.json)"},
	CMD_OPT_HELP,
	CMD_OPT_VERSION,
	{0},
};

static const char grammar_help[] =
	"Commands:\n"
	"  show job [ID]            show node [NAMES]      show queue [NAME]\n"
	"  show config              show rejected          show fairshare [ACCOUNT]\n"
	"  show cloud\n"
	"  update node NAMES State=DRAIN|RESUME|DOWN|POWER_UP|POWER_DOWN "
	"[Reason=\"why\"]\n"
	"  update job ID [TimeLimit=LIMIT] [Nice=N] [JobName=NAME] "
	"[Comment=TEXT]\n"
	"                  [Dependency=EXPR (\"\" clears it)] [Account=NAME]\n"
	"  hold job ID              release job ID         requeue job ID\n"
	"                  (ID may name array tasks: 123_7, 123_[1-500])\n"
	"  reconfigure              shutdown               backup FILE\n"
	"  show audit [Job=ID] [Node=NAME] [Since=TIME] [Event=NAME]\n"
	"  trace job ID             verify audit [--anchors FILE]\n"
	"  export audit [FILE]\n"
	"  create|update|delete|show account NAME [Parent=NAME] [Shares=N]\n"
	"                  [GrpRes=LIST] [GrpResMins=LIST] [GrpJobs=N] "
	"[GrpSubmit=N]\n"
	"                  [MaxWall=LIMIT] [DefaultQOS=NAME] [QOS=NAMES] "
	"[Description=TEXT]\n"
	"                  [GrpCloudNodeMins=N] [GrpCloudCost=N] (cloud "
	"pools)\n"
	"                  (update only: UsedResMins=0 resets the budgets' "
	"use,\n"
	"                  RawUsage=0 the fair-share usage of its subtree)\n"
	"  create|update|delete|show user NAME Account=NAMES "
	"[DefaultAccount=NAME]\n"
	"                  [Shares=N] [GrpRes=LIST] [GrpJobs=N] [GrpSubmit=N] "
	"[MaxWall=LIMIT]\n"
	"  create|update|delete|show qos NAME [Priority=N] [MaxWall=LIMIT] "
	"[GrpRes=LIST]\n"
	"                  [GrpJobs=N] [MaxJobsPerUser=N] "
	"[Description=TEXT]\n"
	"  create reservation NAME StartTime=TIME (EndTime=TIME|Duration=D)\n"
	"                  (Nodes=LIST|NodeCnt=N|Gpus=N) [Users=U,..] "
	"[Accounts=A,..]\n"
	"                  [Flags=MAINT,IGNORE_JOBS,DAILY,WEEKLY]\n"
	"  update reservation NAME Key=Value...   delete reservation NAME\n"
	"  show reservation [NAME]\n";

const struct cmd_info hcctl_info = {
	.prog = "hcctl",
	.usage = "[OPTIONS] VERB [OBJECT] [NAME] [Key=Value...]",
	.summary = "Show and change the cluster's jobs, nodes and queues; "
		   "administer hcctld.",
	.more = grammar_help,
	.opts = opts,
};

/* A Key=Value key: its canonical spelling and how its value is checked. */
typedef int (*check_fn)(const char *val, struct hc_err *err);

struct key {
	const char *name;
	check_fn check;
};

static int
check_state(const char *val, struct hc_err *err)
{
	static const char *const ok[] = {"DRAIN", "RESUME", "DOWN",
					 "POWER_UP", "POWER_DOWN", NULL};

	for (const char *const *s = ok; *s; s++)
		if (strcasecmp(val, *s) == 0)
			return 0;
	return hc_err_set(err, HC_EINVAL, "State=%s: give DRAIN, RESUME, "
			  "DOWN, POWER_UP or POWER_DOWN", val);
}

static int
check_limit(const char *val, struct hc_err *err)
{
	long m;

	if (parse_time_limit(val, &m, err) < 0)
		return hc_err_prefix(err, "TimeLimit=%s: ", val);
	return 0;
}

static int
check_nice(const char *val, struct hc_err *err)
{
	long n;

	if (parse_long(val, -10000, 10000, &n, err) < 0)
		return hc_err_prefix(err, "Nice=%s: ", val);
	return 0;
}

static int
check_text(const char *val, struct hc_err *err)
{
	return 0;
}

static int
check_dependency(const char *val, struct hc_err *err)
{
	struct depend d;

	if (depend_parse(val, &d, err) < 0)
		return hc_err_prefix(err, "Dependency=%s: ", val);
	depend_free(&d);
	return 0;
}

static int
check_throttle(const char *val, struct hc_err *err)
{
	long n;

	if (parse_long(val, 0, 4000000, &n, err) < 0)
		return hc_err_prefix(err, "ArrayTaskThrottle=%s: ", val);
	return 0;
}

static const struct key node_keys[] = {
	{"State", check_state}, {"Reason", check_text}, {0}};
static const struct key audit_keys[] = {
	{"Job", check_text}, {"Node", check_text}, {"Since", check_text},
	{"Event", check_text}, {0}};
static const struct key job_keys[] = {
	{"TimeLimit", check_limit}, {"Nice", check_nice},
	{"JobName", check_text}, {"Comment", check_text},
	{"Dependency", check_dependency},
	{"ArrayTaskThrottle", check_throttle}, {"Account", check_text}, {0}};
/* Reservation keys are read on the controller (times on its clock). */
static const struct key resv_keys[] = {
	{"StartTime", check_text}, {"EndTime", check_text},
	{"Duration", check_text}, {"Nodes", check_text},
	{"NodeCnt", check_text}, {"Gpus", check_text},
	{"Users", check_text}, {"Accounts", check_text},
	{"Flags", check_text}, {0}};

static const struct key account_keys[] = {
	{"Parent", check_text}, {"Shares", hcctl_check_shares},
	{"GrpRes", hcctl_check_res}, {"GrpResMins", hcctl_check_res},
	{"GrpJobs", hcctl_check_count}, {"GrpSubmit", hcctl_check_count},
	{"MaxWall", hcctl_check_wall}, {"DefaultQOS", check_text},
	{"QOS", check_text}, {"Description", check_text},
	{"UsedResMins", check_text}, {"RawUsage", check_text},
	{"GrpCloudNodeMins", hcctl_check_count},
	{"GrpCloudCost", hcctl_check_count}, {0}};
static const struct key user_keys[] = {
	{"Account", check_text}, {"DefaultAccount", check_text},
	{"Shares", hcctl_check_shares}, {"GrpRes", hcctl_check_res},
	{"GrpJobs", hcctl_check_count}, {"GrpSubmit", hcctl_check_count},
	{"MaxWall", hcctl_check_wall}, {"Description", check_text}, {0}};
static const struct key qos_keys[] = {
	{"Priority", hcctl_check_count}, {"MaxWall", hcctl_check_wall},
	{"GrpRes", hcctl_check_res}, {"GrpJobs", hcctl_check_count},
	{"MaxJobsPerUser", hcctl_check_count},
	{"Description", check_text}, {0}};

enum need { NAME_NONE, NAME_OPTIONAL, NAME_REQUIRED };

struct action;
typedef int (*action_fn)(struct hcctl *h, const struct action *a,
			 const char *name, json_t *set);

struct action {
	const char *verb;
	const char *object;	/* NULL: the verb takes no object */
	enum need need;
	const char *name_what;	/* "ID", "NAMES", "FILE" */
	const struct key *keys;	/* NULL: no Key=Value */
	action_fn fn;
};

static int act_show(struct hcctl *, const struct action *, const char *,
		    json_t *);
static int act_update_node(struct hcctl *, const struct action *,
			   const char *, json_t *);
static int act_job(struct hcctl *, const struct action *, const char *,
		   json_t *);
static int act_simple(struct hcctl *, const struct action *, const char *,
		      json_t *);
static int act_backup(struct hcctl *, const struct action *, const char *,
		      json_t *);
static int act_accept(struct hcctl *, const struct action *, const char *,
		      json_t *);
static int act_audit(struct hcctl *, const struct action *, const char *,
		     json_t *);
static int act_acct(struct hcctl *, const struct action *, const char *,
		    json_t *);
static int act_resv(struct hcctl *, const struct action *, const char *,
		    json_t *);

static const struct action actions[] = {
	{"show", "job", NAME_OPTIONAL, "ID", NULL, act_show},
	{"show", "node", NAME_OPTIONAL, "NAMES", NULL, act_show},
	{"show", "queue", NAME_OPTIONAL, "NAME", NULL, act_show},
	{"show", "config", NAME_NONE, NULL, NULL, act_show},
	{"show", "rejected", NAME_NONE, NULL, NULL, act_show},
	{"show", "fairshare", NAME_OPTIONAL, "ACCOUNT", NULL, act_show},
	{"show", "cloud", NAME_NONE, NULL, NULL, act_show},
	{"update", "node", NAME_REQUIRED, "NAMES", node_keys, act_update_node},
	{"update", "job", NAME_REQUIRED, "ID", job_keys, act_job},
	{"hold", "job", NAME_REQUIRED, "ID", NULL, act_job},
	{"release", "job", NAME_REQUIRED, "ID", NULL, act_job},
	{"requeue", "job", NAME_REQUIRED, "ID", NULL, act_job},
	{"reconfigure", NULL, NAME_NONE, NULL, NULL, act_simple},
	{"shutdown", NULL, NAME_NONE, NULL, NULL, act_simple},
	{"backup", NULL, NAME_REQUIRED, "FILE", NULL, act_backup},
	{"accept", "node", NAME_REQUIRED, "NAMES", NULL, act_accept},
	{"show", "audit", NAME_NONE, NULL, audit_keys, act_audit},
	{"trace", "job", NAME_REQUIRED, "ID", NULL, act_audit},
	{"verify", "audit", NAME_NONE, NULL, NULL, act_audit},
	{"export", "audit", NAME_OPTIONAL, "FILE", NULL, act_audit},
	{"create", "account", NAME_REQUIRED, "NAME", account_keys, act_acct},
	{"update", "account", NAME_REQUIRED, "NAME", account_keys, act_acct},
	{"delete", "account", NAME_REQUIRED, "NAME", NULL, act_acct},
	{"show", "account", NAME_OPTIONAL, "NAME", NULL, act_acct},
	{"create", "user", NAME_REQUIRED, "NAME", user_keys, act_acct},
	{"update", "user", NAME_REQUIRED, "NAME", user_keys, act_acct},
	{"delete", "user", NAME_REQUIRED, "NAME", NULL, act_acct},
	{"show", "user", NAME_OPTIONAL, "NAME", NULL, act_acct},
	{"create", "qos", NAME_REQUIRED, "NAME", qos_keys, act_acct},
	{"update", "qos", NAME_REQUIRED, "NAME", qos_keys, act_acct},
	{"delete", "qos", NAME_REQUIRED, "NAME", NULL, act_acct},
	{"show", "qos", NAME_OPTIONAL, "NAME", NULL, act_acct},
	{"create", "reservation", NAME_REQUIRED, "NAME", resv_keys, act_resv},
	{"update", "reservation", NAME_REQUIRED, "NAME", resv_keys, act_resv},
	{"delete", "reservation", NAME_REQUIRED, "NAME", NULL, act_resv},
	{"show", "reservation", NAME_OPTIONAL, "NAME", NULL, act_resv},
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

static int
act_show(struct hcctl *h, const struct action *a, const char *name,
	 json_t *set)
{
	static const struct {
		const char *object;
		int (*fn)(struct hcctl *, const char *);
	} shows[] = {
		{"job", hcctl_show_job},
		{"node", hcctl_show_node},
		{"queue", hcctl_show_queue},
		{"config", hcctl_show_config},
		{"rejected", hcctl_show_rejected},
		{"fairshare", hcctl_show_fairshare},
		{"cloud", hcctl_show_cloud},
	};

	for (size_t i = 0; i < sizeof(shows) / sizeof(shows[0]); i++)
		if (strcmp(shows[i].object, a->object) == 0)
			return shows[i].fn(h, name);
	return 5;
}

static int
act_update_node(struct hcctl *h, const struct action *a, const char *name,
		json_t *set)
{
	struct hc_err err = {0};
	struct hostlist *hl = hostlist_parse(name, &err);
	const char *st = json_string_value(json_object_get(set, "State"));

	if (!hl)
		cmd_die(&hcctl_info, HC_EINVAL, "node names '%s': %s", name,
			err.text);
	hostlist_destroy(hl);
	if (!st)
		cmd_die(&hcctl_info, HC_EINVAL, "update node: give "
			"State=DRAIN|RESUME|DOWN|POWER_UP|POWER_DOWN");
	/* Slurm's rule, kept: taking a node away needs a reason. */
	if (strcasecmp(st, "RESUME") != 0 && strncasecmp(st, "POWER_", 6) &&
	    !json_object_get(set, "Reason"))
		cmd_die(&hcctl_info, HC_EINVAL, "State=%s needs a reason: add "
			"Reason=\"why\"", st);
	json_t *rep = cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_NODE_UPDATE,
			       json_pack("{s:s,s:O}", "nodes", name, "set",
					 set));
	json_decref(rep);
	return 0;
}

const char *
hcctl_job_name(const char *name, long *id)
{
	const char *us = strchr(name, '_');
	struct hc_err err = {0};
	struct array_set set;
	char buf[ARRAY_SPEC_MAX + 1];
	size_t len;

	snprintf(buf, sizeof(buf), "%.*s", us ? (int)(us - name) : 32, name);
	if (parse_long(buf, 1, 0x7fffffffL, id, &err) < 0)
		cmd_die(&hcctl_info, HC_EINVAL, "'%s' is not a job id (a "
			"positive number; ID_TASK or ID_[RANGES] for array "
			"tasks)", name);
	if (!us)
		return NULL;
	if (strlen(us + 1) > ARRAY_SPEC_MAX)
		cmd_die(&hcctl_info, HC_EINVAL, "%.32s...: more than %d "
			"characters of tasks; name fewer, longer ranges",
			name, ARRAY_SPEC_MAX);
	snprintf(buf, sizeof(buf), "%s", us + 1);
	len = strlen(buf);
	if (len >= 2 && buf[0] == '[' && buf[len - 1] == ']') {
		buf[len - 1] = '\0';
		memmove(buf, buf + 1, len - 1);
	}
	if (array_set_parse(&set, buf, &err) < 0)
		cmd_die(&hcctl_info, HC_EINVAL, "%s: %s (write ID_TASK or "
			"ID_[RANGES], e.g. 123_7 or 123_[1-500])", name,
			err.text);
	array_set_free(&set);
	return us + 1;
}

static int
act_job(struct hcctl *h, const struct action *a, const char *name,
	json_t *set)
{
	long id;
	json_t *req;

	const char *tasks = hcctl_job_name(name, &id);

	req = json_pack("{s:i,s:s}", "job_id", (int)id, "action", a->verb);
	if (tasks)
		json_object_set_new(req, "tasks", json_string(tasks));
	if (a->keys) {
		if (json_object_size(set) == 0)
			cmd_die(&hcctl_info, HC_EINVAL, "update job: nothing "
				"to change; give Key=Value, e.g. "
				"TimeLimit=1:00:00");
		json_object_set(req, "set", set);
	}
	json_decref(cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_JOB_UPDATE, req));
	return 0;
}

static int
act_simple(struct hcctl *h, const struct action *a, const char *name,
	   json_t *set)
{
	unsigned type = strcmp(a->verb, "shutdown") == 0 ? HC_MSG_SHUTDOWN
							 : HC_MSG_RECONFIGURE;

	json_decref(cmd_call(&hcctl_info, hcctl_client(h), type, NULL));
	return 0;
}

/* hcctld writes the copy, so the path must not depend on our cwd. */
static int
act_backup(struct hcctl *h, const struct action *a, const char *name,
	   json_t *set)
{
	char cwd[PATH_MAX];
	char *path;

	if (name[0] == '/') {
		path = hc_strdup(name);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			cmd_die(&hcctl_info, HC_EIO, "cannot tell the current "
				"directory; give FILE as an absolute path");
		path = hc_asprintf("%s/%s", cwd, name);
	}
	json_t *rep = cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_BACKUP,
			       json_pack("{s:s}", "path", path));
	printf("backup written to %s (%lld bytes)\n",
	       *js(rep, "path") ? js(rep, "path") : path, ji(rep, "bytes"));
	json_decref(rep);
	free(path);
	return 0;
}

static int
act_audit(struct hcctl *h, const struct action *a, const char *name,
	  json_t *set)
{
	return hcctl_audit(h, a->verb, name, set);
}

static int
act_acct(struct hcctl *h, const struct action *a, const char *name,
	 json_t *set)
{
	return hcctl_acct(h, a->verb, a->object, name, set);
}

static int
act_resv(struct hcctl *h, const struct action *a, const char *name,
	 json_t *set)
{
	return hcctl_resv(h, a->verb, name, set);
}

/* accept node NAMES: adopt each node's changed inventory (and its new
 * compute id); NODE_UPDATE with Accept=yes. */
static int
act_accept(struct hcctl *h, const struct action *a, const char *name,
	   json_t *set)
{
	struct hc_err err = {0};
	struct hostlist *hl = hostlist_parse(name, &err);

	if (!hl)
		cmd_die(&hcctl_info, HC_EINVAL, "node names '%s': %s", name,
			err.text);
	hostlist_destroy(hl);
	json_decref(cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_NODE_UPDATE,
			     json_pack("{s:s,s:{s:s}}", "nodes", name, "set",
				       "Accept", "yes")));
	return 0;
}

/* "a, b, c" of the distinct verbs, or the objects of verb. */
static void
list_words(const char *verb, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NACTIONS; i++) {
		const char *w = verb ? actions[i].object : actions[i].verb;
		if ((verb && strcmp(actions[i].verb, verb) != 0) || !w)
			continue;
		char word[64];
		snprintf(word, sizeof(word), "%s%s", n ? ", " : "", w);
		if (!strstr(buf, w) && n + strlen(word) < len) {
			strcpy(buf + n, word);
			n += strlen(word);
		}
	}
}

static const struct action *
action_find(char **ops, int n, int *used)
{
	char list[256];
	const struct action *any = NULL;

	list_words(NULL, list, sizeof(list));
	if (n == 0)
		cmd_die(&hcctl_info, HC_EINVAL, "no command given; commands: "
			"%s (see hcctl --help)", list);
	for (size_t i = 0; i < NACTIONS; i++)
		if (strcmp(actions[i].verb, ops[0]) == 0)
			any = &actions[i];
	if (!any)
		cmd_die(&hcctl_info, HC_EINVAL, "unknown command '%s'; "
			"commands: %s", ops[0], list);
	if (!any->object) {
		*used = 1;
		return any;
	}
	list_words(ops[0], list, sizeof(list));
	if (n < 2)
		cmd_die(&hcctl_info, HC_EINVAL, "%s what? give one of: %s",
			ops[0], list);
	for (size_t i = 0; i < NACTIONS; i++)
		if (strcmp(actions[i].verb, ops[0]) == 0 &&
		    strcmp(actions[i].object, ops[1]) == 0) {
			*used = 2;
			return &actions[i];
		}
	cmd_die(&hcctl_info, HC_EINVAL, "cannot %s '%s'; objects: %s", ops[0],
		ops[1], list);
}

/* Key=Value words into set (canonical key spelling), checked. */
static void
keys_parse(const struct action *a, char **ops, int n, json_t *set)
{
	for (int i = 0; i < n; i++) {
		char *eq = strchr(ops[i], '=');
		const struct key *k = NULL;
		char valid[256] = "";
		struct hc_err err = {0};

		for (const struct key *p = a->keys; p && p->name; p++) {
			size_t l = strlen(valid);
			snprintf(valid + l, sizeof(valid) - l, "%s%s",
				 l ? ", " : "", p->name);
			if (eq && strlen(p->name) == (size_t)(eq - ops[i]) &&
			    strncasecmp(p->name, ops[i], (size_t)(eq - ops[i]))
				    == 0)
				k = p;
		}
		if (!a->keys)
			cmd_die(&hcctl_info, HC_EINVAL, "unexpected argument "
				"'%s': %s %s takes no Key=Value", ops[i],
				a->verb, a->object ? a->object : "");
		if (!eq)
			cmd_die(&hcctl_info, HC_EINVAL, "'%s' is not "
				"Key=Value; keys: %s", ops[i], valid);
		if (!k)
			cmd_die(&hcctl_info, HC_EINVAL, "%s %s: unknown key "
				"'%.*s'; valid keys: %s", a->verb, a->object,
				(int)(eq - ops[i]), ops[i], valid);
		if (k->check(eq + 1, &err) < 0)
			cmd_die_err(&hcctl_info, &err);
		char *v = hc_strdup(eq + 1);
		if (k->check == check_state)
			for (char *c = v; *c; c++)
				*c = (char)toupper((unsigned char)*c);
		json_object_set_new(set, k->name, json_string(v));
		free(v);
	}
}

struct hc_client *
hcctl_client(struct hcctl *h)
{
	if (!h->c)
		h->c = cmd_connect(&hcctl_info);
	return h->c;
}

static int
opt_fn(void *arg, int key, const char *val, struct hc_err *err)
{
	struct hcctl *h = arg;

	if (key == O_JSON)
		h->json = true;
	else if (key == O_ANCHORS)
		h->anchors = val;
	return 0;
}

int
main(int argc, char **argv)
{
	struct hcctl h = {0};
	char **ops = hc_calloc((size_t)argc + 1, sizeof(*ops));
	struct hc_err err = {0};
	int n = cmd_parse(&hcctl_info, argc - 1, argv + 1, opt_fn, &h, ops,
			  &err);
	int used = 0;
	const char *name = NULL;

	if (n < 0)
		cmd_die_err(&hcctl_info, &err);
	const struct action *a = action_find(ops, n, &used);
	if (a->need != NAME_NONE && used < n &&
	    (a->need == NAME_REQUIRED || !strchr(ops[used], '=')))
		name = ops[used++];
	if (a->need == NAME_REQUIRED && !name)
		cmd_die(&hcctl_info, HC_EINVAL, "%s%s%s needs %s", a->verb,
			a->object ? " " : "", a->object ? a->object : "",
			a->name_what);
	json_t *set = json_object();
	keys_parse(a, ops + used, n - used, set);

	int status = a->fn(&h, a, name, set);
	json_decref(set);
	hc_client_destroy(h.c);
	free(ops);
	return status;
}
