/*
 * hcsub: submit a batch script. The options come from the script's #HC and
 * #SBATCH header lines first, then from the command line, which wins. The
 * job carries the submitter's environment (per --export), resource limits,
 * working directory and script arguments.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "directives.h"
#include "hcsub.h"
#include "log.h"
#include "msg.h"

extern char **environ;

#define SCRIPT_MAX (4u * 1024 * 1024)

struct rec {
	int key;
	const char *val;
};

struct recs {
	struct sub *sub;
	struct rec *r;
	int n;
};

/* First pass over the command line: apply (so errors show at once and
 * --wrap is known) and remember, to replay after the directives. */
static int
record_fn(void *arg, int key, const char *val, struct hc_err *err)
{
	struct recs *rs = arg;

	rs->r[rs->n].key = key;
	rs->r[rs->n++].val = val;
	return hcsub_apply(rs->sub, key, val, err);
}

static char *
script_read(FILE *f, const char *name)
{
	size_t len = 0, cap = 65536;
	char *buf = hc_malloc(cap);
	size_t n;

	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len > SCRIPT_MAX)
			cmd_die(&hcsub_info, HC_EINVAL,
				"%s is larger than %u MiB; keep data out of "
				"the batch script",
				name, SCRIPT_MAX >> 20);
		if (cap - len - 1 == 0)
			buf = hc_realloc(buf, cap *= 2);
	}
	if (ferror(f))
		cmd_die(&hcsub_info, HC_EIO, "cannot read %s: %s", name,
			strerror(errno));
	buf[len] = '\0';
	if (strlen(buf) != len)
		cmd_die(&hcsub_info, HC_EINVAL,
			"%s holds NUL bytes: it is not a script", name);
	return buf;
}

static char *
script_get(struct sub *s, char **ops, int nops, const char **name)
{
	FILE *f;
	char *text;

	if (s->wrap) {
		if (nops)
			cmd_die(&hcsub_info, HC_EINVAL,
				"--wrap and a script file ('%s') exclude each "
				"other; give one",
				ops[0]);
		*name = "wrap";
		return hc_asprintf("#!/bin/sh\n%s\n", s->wrap);
	}
	if (!nops) {
		if (isatty(STDIN_FILENO))
			cmd_die(&hcsub_info, HC_EINVAL,
				"no batch script: give a script file, pipe "
				"one on standard input, or use --wrap=CMD");
		*name = "hcsub";
		text = script_read(stdin, "standard input");
	} else {
		f = fopen(ops[0], "r");
		if (!f)
			cmd_die(&hcsub_info, errno == ENOENT ? HC_ENOENT
							     : HC_EINVAL,
				"cannot open script %s: %s", ops[0],
				strerror(errno));
		text = script_read(f, ops[0]);
		fclose(f);
		const char *slash = strrchr(ops[0], '/');
		*name = slash ? slash + 1 : ops[0];
	}
	if (strncmp(text, "#!", 2) != 0)
		cmd_die(&hcsub_info, HC_EINVAL,
			"%s does not start with #!: the first line must name "
			"an interpreter, e.g. #!/bin/bash",
			nops ? ops[0] : "the script on standard input");
	return text;
}

static int
apply_directive(void *arg, int line, int argc, char **argv, struct hc_err *err)
{
	char **ops = hc_calloc((size_t)argc + 1, sizeof(*ops));
	int n = cmd_parse(&hcsub_info, argc, argv, hcsub_apply, arg, ops, err);

	if (n > 0)
		hc_err_set(err, HC_EINVAL, "unexpected word '%s': a directive "
			   "holds options only", ops[0]);
	free(ops);
	return n == 0 ? 0 : -1;
}

/* --export: ALL, NONE, or a list of VAR and VAR=value (with ALL: added). */
static json_t *
env_build(const char *export_)
{
	json_t *env = json_array();
	char *copy = hc_strdup(export_), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "ALL") == 0) {
			for (char **e = environ; *e; e++)
				json_array_append_new(env, json_string(*e));
		} else if (strcmp(t, "NONE") == 0) {
			continue;
		} else if (strchr(t, '=')) {
			json_array_append_new(env, json_string(t));
		} else if (getenv(t)) {
			char *kv = hc_asprintf("%s=%s", t, getenv(t));
			json_array_append_new(env, json_string(kv));
			free(kv);
		}
	}
	free(copy);
	return env;
}

static const struct {
	const char *name;
	int res;
} rlimits[] = {
	{"RLIMIT_CPU", RLIMIT_CPU},	  {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_DATA", RLIMIT_DATA},	  {"RLIMIT_STACK", RLIMIT_STACK},
	{"RLIMIT_CORE", RLIMIT_CORE},	  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},	  {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_AS", RLIMIT_AS},
};

/* The submitter's soft limits; -1 stands for unlimited. */
static json_t *
rlimits_build(void)
{
	json_t *o = json_object();

	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
		struct rlimit rl;

		if (getrlimit(rlimits[i].res, &rl) < 0)
			continue;
		json_object_set_new(o, rlimits[i].name,
				    json_integer(rl.rlim_cur == RLIM_INFINITY
							 ? -1
							 : (json_int_t)
								   rl.rlim_cur));
	}
	return o;
}

static void
spec_finish(struct sub *s, char *script, const char *name, char **args,
	    int nargs)
{
	json_t *spec = s->spec;
	json_t *argv = json_array();
	const char *export_ = json_string_value(json_object_get(spec,
								"export"));
	char cwd[4096];

	if (!json_object_get(spec, "name"))
		json_object_set_new(spec, "name", json_string(name));
	if (!json_object_get(spec, "cwd")) {
		if (!getcwd(cwd, sizeof(cwd)))
			cmd_die(&hcsub_info, HC_EIO,
				"cannot tell the current directory (%s); "
				"give one with -D DIR",
				strerror(errno));
		json_object_set_new(spec, "cwd", json_string(cwd));
	}
	for (int i = 0; i < nargs; i++)
		json_array_append_new(argv, json_string(args[i]));
	json_object_set_new(spec, "argv", argv);
	json_object_set_new(spec, "env", env_build(export_ ? export_ : "ALL"));
	json_object_set_new(spec, "rlimits", rlimits_build());
	json_object_set_new(spec, "script", json_string(script));
}

static void
slurm_warn(const char *script)
{
	const char *what;
	int line = directives_find_slurm(script, &what);

	if (line)
		cmd_warn(&hcsub_info,
			 "script line %d uses %s; SLURM_ variables and srun "
			 "are not provided yet: use HC_ variables (HC_JOB_ID, "
			 "HC_JOB_NODELIST, HC_NTASKS, ...)",
			 line, what);
}

int
main(int argc, char **argv)
{
	static const char *const prefixes[] = {"#HC", "#SBATCH", NULL};
	struct sub s = {.spec = json_object()};
	struct recs rs = {&s, hc_calloc((size_t)argc, sizeof(struct rec)), 0};
	char **ops = hc_calloc((size_t)argc + 1, sizeof(*ops));
	struct hc_err err = {0};
	const char *name;
	int nops;

	nops = cmd_parse(&hcsub_info, argc - 1, argv + 1, record_fn, &rs, ops,
			 &err);
	if (nops < 0)
		cmd_die_err(&hcsub_info, &err);
	char *script = script_get(&s, ops, nops, &name);
	if (directives_parse(script, prefixes, apply_directive, &s, &err) < 0)
		cmd_die_err(&hcsub_info, &err);
	for (int i = 0; i < rs.n; i++)
		if (hcsub_apply(&s, rs.r[i].key, rs.r[i].val, &err) < 0)
			cmd_die_err(&hcsub_info, &err);
	slurm_warn(script);
	spec_finish(&s, script, name, nops ? ops + 1 : NULL,
		    nops ? nops - 1 : 0);

	struct hc_client *c = cmd_connect(&hcsub_info);
	json_t *rep = cmd_call(&hcsub_info, c, HC_MSG_SUBMIT,
			       json_pack("{s:O}", "job", s.spec));
	long long id = ji(rep, "job_id");

	if (s.json)
		printf("{\"job_id\": %lld}\n", id);
	else if (s.parsable)
		printf("%lld\n", id);
	else
		printf("Submitted job %lld\n", id);
	json_decref(rep);
	hc_client_destroy(c);
	json_decref(s.spec);
	free(s.wrap);
	free(script);
	free(rs.r);
	free(ops);
	return fflush(stdout) == 0 ? 0 : 1;
}
