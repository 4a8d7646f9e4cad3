/*
 * hcrun: run a job step. Inside an allocation (HC_JOB_ID set: a batch
 * script, hcalloc's shell) the step uses that job's nodes; outside one,
 * hcrun first asks for an interactive allocation with the same flags
 * (alloc.c), runs the step in it and releases it at the end.
 *
 * The step: STEP_CREATE to hcctld gives the layout (which tasks on which
 * node, with which CPUs and GPUs) and a credential; hcrun then opens one
 * stream per node to its agent (stepc.c), which starts the tasks. A step
 * that does not fit beside the job's other running steps waits, saying
 * so, as srun does; one the job can never hold is refused. hcrun exits
 * with the highest exit status of the tasks (128 + N for signal N, 255
 * for a task lost with its node) and says which task failed and why.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "log.h"
#include "msg.h"
#include "parse.h"
#include "pmi2.h"
#include "stepc.h"

extern char **environ;

/* A signal while the step waits for resources (the only global besides
 * the log sink: a signal flag). */
static volatile sig_atomic_t wait_sig;

static void
on_wait_sig(int sig)
{
	wait_sig = sig;
}

enum {
	O_DIST = CMD_LONG, O_CPU_BIND, O_PTY, O_JOBID, O_MPI,
};

static const struct cmd_opt hcrun_opts[] = {
	{"nodes", 'N', "N", "number of nodes for the step"},
	{"ntasks", 'n', "N", "number of tasks"},
	{"cpus-per-task", 'c', "N", "CPUs for each task"},
	{"label", 'l', NULL, "prefix each output line with its task id "
			     "(\"3: \")"},
	{"distribution", 'm', "block|cyclic", "how tasks are laid out over "
		"the nodes: consecutive ids per node (block, the default) or "
		"one per node in turn"},
	{"cpu-bind", O_CPU_BIND, "cores|none", "bind each task to its own "
		"CPUs of the step (cores) or to all the step's CPUs (none, "
		"the default)"},
	{"output", 'o', "FILE", "write the tasks' stdout to FILE (%t task, "
		"%n node index, %N node, %j job, %s step)"},
	{"error", 'e', "FILE", "write the tasks' stderr to FILE"},
	{"input", 'i', "all|none|N|FILE", "where stdin goes: task 0 by "
		"default, every task, none, task N, or FILE to every task"},
	{"pty", O_PTY, NULL, "run task 0 on a pseudo-terminal (one task on "
		"the first node), e.g. hcrun --pty bash"},
	{"jobid", O_JOBID, "ID", "run the step in allocation ID (default: "
		"$HC_JOB_ID; none: ask for one)"},
	{"mpi", O_MPI, "none|pmi2|pmix", "start MPI ranks directly: pmi2 "
		"serves MPICH (PMI-1/PMI-2), pmix Open MPI; default: "
		"MpiDefault of hc.conf"},
	ALLOC_OPTS,
	CMD_OPT_HELP,
	CMD_OPT_VERSION,
	{0},
};

static const struct cmd_info hcrun_info = {
	.prog = "hcrun",
	.usage = "[OPTIONS] PROGRAM [ARGS...]",
	.summary = "Run a parallel job step: PROGRAM as -n tasks over -N "
		   "nodes of an allocation.\nInside a job (HC_JOB_ID set) "
		   "it uses that job's allocation; outside one it\nasks for "
		   "an allocation with the same flags, runs, and releases "
		   "it.",
	.more = "Exit status: the highest of the tasks' (128+N for a task "
		"killed by signal N,\n255 for a task lost with its node); "
		"1-5 as every hc command for errors\nbefore the step runs. "
		"Ctrl-C sends SIGINT to the tasks; twice within a second\n"
		"kills them.",
	.opts = hcrun_opts,
	.stop_at_operand = true,
};

struct run {
	json_t *alloc_spec;	/* for an allocation of our own */
	json_t *step;		/* STEP_CREATE body */
	struct stepc_opts so;
	const char *cpu_bind;
	const char *input;
	const char *mpi;	/* --mpi, NULL: the nodes' MpiDefault */
	long jobid;
	bool pty;
	int fail;		/* exit status when no step ran */
};

static int
gpus_of(const char *gres, long *n, struct hc_err *err)
{
	struct res_list rl = { 0 };

	*n = 0;
	if (res_list_parse(gres, &rl, err) < 0)
		return -1;
	for (size_t i = 0; i < rl.count; i++)
		if (!strcmp(rl.items[i].name, "gpu"))
			*n = (long)rl.items[i].count;
	res_list_free(&rl);
	return 0;
}

static int
opt_fn(void *arg, int key, const char *val, struct hc_err *err)
{
	struct run *r = arg;
	long v, g;
	int rc = alloc_apply(r->alloc_spec, key, val, err);

	if (rc < 0)
		return -1;
	switch (key) {
	case 'N': case 'n': case 'c':
		if (parse_long(val, 1, 1000000, &v, err) < 0)
			return -1;
		json_object_set_new(r->step, key == 'N' ? "nodes" : key == 'n' ?
				    "ntasks" : "cpus_per_task",
				    json_integer(v));
		return 0;
	case ALLOC_O_GRES:
		if (gpus_of(val, &g, err) < 0)
			return -1;
		json_object_set_new(r->step, "gpus", json_integer(g));
		return 0;
	case 'l': r->so.label = true; return 0;
	case 'm':
		if (strcmp(val, "block") && strcmp(val, "cyclic"))
			return hc_err_set(err, HC_EINVAL, "--distribution=%s: "
					  "use block or cyclic", val);
		json_object_set_new(r->step, "distribution", json_string(val));
		return 0;
	case O_CPU_BIND:
		if (strcmp(val, "cores") && strcmp(val, "none"))
			return hc_err_set(err, HC_EINVAL, "--cpu-bind=%s: use "
					  "cores or none", val);
		r->cpu_bind = val;
		return 0;
	case 'o': r->so.out_pat = val; return 0;
	case 'e': r->so.err_pat = val; return 0;
	case 'i': r->input = val; return 0;
	case O_PTY: r->pty = true; return 0;
	case O_JOBID:
		return parse_long(val, 1, 0xffffffffL, &r->jobid, err);
	case O_MPI:
		if (strcmp(val, "none") && strcmp(val, "pmi2") &&
		    strcmp(val, "pmix"))
			return hc_err_set(err, HC_EINVAL, "--mpi=%s: use none, "
					  "pmi2 (MPICH) or pmix (Open MPI)",
					  val);
#ifndef HAVE_PMIX
		if (!strcmp(val, "pmix"))
			return hc_err_set(err, HC_EINVAL, "--mpi=pmix: this hc "
					  "was built without PMIx support; "
					  "install libpmix-dev (Debian) and "
					  "rebuild, or use --mpi=pmi2 with "
					  "MPICH programs");
#endif
		r->mpi = val;
		return 0;
	default:
		return rc == 0 ? 0 : hc_err_set(err, HC_EINVAL, "option not "
						"handled");
	}
}

static char *
command_text(char **argv, int argc)
{
	size_t off = 0;
	char buf[256] = "";

	for (int i = 0; i < argc && off < sizeof(buf) - 1; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
					i ? " " : "", argv[i]);
	return hc_strdup(buf);
}

/* STEP_CREATE, waiting while the job's other steps hold what it needs.
 * NULL when SIGINT, SIGHUP or SIGTERM came meanwhile, or when refused
 * (*fail: the exit status). */
static json_t *
step_create(struct hc_client *c, json_t *req, int *fail)
{
	struct sigaction sa = { .sa_handler = on_wait_sig }, old[3];
	const int sigs[3] = { SIGINT, SIGHUP, SIGTERM };
	bool said = false;
	int ms = 50, waited = 0;

	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	for (;;) {
		struct hc_err err = { 0 };
		json_t *rep = hc_client_call(c, HC_MSG_STEP_CREATE, req, &err);
		struct timespec ts;

		if (rep || wait_sig || err.code != HC_EBUSY) {
			for (int i = 0; i < 3; i++)
				sigaction(sigs[i], &old[i], NULL);
		}
		if (rep)
			return rep;
		if (wait_sig) {
			*fail = 128 + wait_sig;
			return NULL;
		}
		if (err.code != HC_EBUSY) {
			fprintf(stderr, "hcrun: %s\n", err.text);
			*fail = hc_err_exit_status(err.code);
			return NULL;
		}
		/* A batch script's first step often finds its job still
		 * CONFIGURING for a moment: say so only once it lasts. */
		if (!said && waited >= 1000)
			fprintf(stderr, "hcrun: step waits for resources: "
				"%s\n", err.text);
		said = said || waited >= 1000;
		waited += ms;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)ms * 1000000L;
		nanosleep(&ts, NULL);
		if (ms < 500)
			ms *= 2;
	}
}

static void
stdin_plan(struct run *r, json_t *hello_extra)
{
	long n;
	struct hc_err err = { 0 };

	r->so.stdin_task = 0;
	if (!r->input || r->pty) {
		json_object_set_new(hello_extra, "stdin_tasks", json_pack("[i]",
				    0));
	} else if (!strcmp(r->input, "all")) {
		r->so.stdin_task = -1;
		json_object_set_new(hello_extra, "stdin_tasks", json_pack("[i]",
				    -1));
	} else if (!strcmp(r->input, "none")) {
		r->so.stdin_task = -2;
		json_object_set_new(hello_extra, "stdin_tasks", json_array());
	} else if (parse_long(r->input, 0, 1000000, &n, &err) == 0) {
		r->so.stdin_task = (int)n;
		json_object_set_new(hello_extra, "stdin_tasks", json_pack("[i]",
				    (int)n));
	} else {
		r->so.stdin_task = -1;
		r->so.in_file = r->input;
		json_object_set_new(hello_extra, "stdin_tasks", json_pack("[i]",
				    -1));
	}
}

/* PMI_process_mapping of the step (which node each task runs on), for
 * --mpi (or the nodes' MpiDefault). */
static void
hello_mapping(json_t *h, json_t *rep)
{
	json_int_t ntasks = json_integer_value(json_object_get(rep, "ntasks"));
	json_t *n, *t;
	size_t i, k;
	int *node_of;
	char *map;

	if (ntasks < 1 || ntasks > 10000000)
		return;
	node_of = hc_calloc((size_t)ntasks, sizeof(int));
	json_array_foreach(json_object_get(rep, "nodes"), i, n)
		json_array_foreach(json_object_get(n, "tasks"), k, t)
			if (json_integer_value(t) >= 0 &&
			    json_integer_value(t) < ntasks)
				node_of[json_integer_value(t)] = (int)i;
	map = pmi2_mapping(node_of, (int)ntasks);
	json_object_set_new(h, "pmi_mapping", json_string(map));
	free(map);
	free(node_of);
}

/* The step's nodes and the tasks of each, which a PMIx server describes
 * to its clients (--mpi=pmix, or the nodes' MpiDefault). */
static void
hello_layout(json_t *h, json_t *rep)
{
	json_t *names = json_array(), *tasks = json_array(), *n;
	size_t i;

	json_array_foreach(json_object_get(rep, "nodes"), i, n) {
		json_array_append(names, json_object_get(n, "name"));
		json_array_append(tasks, json_object_get(n, "tasks"));
	}
	json_object_set_new(h, "mpi_nodes", names);
	json_object_set_new(h, "mpi_tasks", tasks);
}

static json_t *
hello_common(struct run *r, char **argv, int argc, json_t *rep)
{
	json_t *h = json_object(), *av = json_array(), *env = json_array();
	char cwd[4096];
	struct winsize ws;

	for (int i = 0; i < argc; i++)
		json_array_append_new(av, json_string(argv[i]));
	for (char **e = environ; *e; e++)
		json_array_append_new(env, json_string(*e));
	json_object_set_new(h, "cred", json_incref(json_object_get(rep,
								   "cred")));
	json_object_set_new(h, "argv", av);
	json_object_set_new(h, "env", env);
	if (getcwd(cwd, sizeof(cwd)))
		json_object_set_new(h, "cwd", json_string(cwd));
	json_object_set(h, "ntasks", json_object_get(rep, "ntasks"));
	json_object_set_new(h, "nnodes", json_integer((json_int_t)
			    json_array_size(json_object_get(rep, "nodes"))));
	if (r->cpu_bind)
		json_object_set_new(h, "cpu_bind", json_string(r->cpu_bind));
	if (r->pty) {
		json_object_set_new(h, "pty", json_true());
		if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
			json_object_set_new(h, "rows", json_integer(ws.ws_row));
			json_object_set_new(h, "cols", json_integer(ws.ws_col));
		}
	}
	stdin_plan(r, h);
	if (r->mpi)
		json_object_set_new(h, "mpi", json_string(r->mpi));
	hello_mapping(h, rep);
	if (!r->mpi || !strcmp(r->mpi, "pmix"))
		hello_layout(h, rep);
	return h;
}

/* The wait status STEP_END records for a shell exit status. */
static int
wait_status(int rank)
{
	if (rank > 128 && rank < 128 + 65)
		return rank - 128;
	return (rank & 0xff) << 8;
}

static int
run_step(struct run *r, struct hc_client **cp, uint32_t job_id, char **argv,
	 int argc)
{
	struct hc_err err = { 0 };
	json_t *rep, *n, *common;
	struct stepc *s;
	char *failed = NULL;
	size_t i;
	int rc;

	json_object_set_new(r->step, "job_id", json_integer(job_id));
	json_object_set_new(r->step, "command", json_string(
			    json_string_value(json_object_get(r->alloc_spec,
							      "command"))));
	if (!(rep = step_create(*cp, r->step, &r->fail)))
		return -1;
	r->so.job_id = job_id;
	r->so.step_id = (uint32_t)ji(rep, "step_id");
	r->so.prog = "hcrun";
	r->so.pty = r->pty;
	common = hello_common(r, argv, argc, rep);
	s = stepc_create(&r->so, (uint32_t)ji(rep, "ntasks"));
	json_array_foreach(json_object_get(rep, "nodes"), i, n) {
		json_t *h = json_deep_copy(common);
		json_object_set_new(h, "node_index",
				    json_integer((json_int_t)i));
		json_object_set(h, "tasks", json_object_get(n, "tasks"));
		json_object_set(h, "cpu_ids", json_object_get(n, "cpu_ids"));
		json_object_set(h, "gpu_ids", json_object_get(n, "gpu_ids"));
		stepc_add_node(s, js(n, "name"), js(n, "addr"),
			       (int)ji(n, "port"), h);
	}
	json_decref(common);
	if (stepc_start(s, &err) < 0) {
		fprintf(stderr, "hcrun: error: step %u.%u: %s\n", job_id,
			r->so.step_id, err.text);
		failed = hc_strdup(err.text);
		rc = 255;
	} else {
		rc = stepc_run(s, &failed);
	}
	stepc_destroy(s);
	json_t *end = json_pack("{s:I,s:I,s:i}", "job_id", (json_int_t)job_id,
				"step_id", (json_int_t)r->so.step_id,
				"exit_status", wait_status(rc));
	if (failed)
		json_object_set_new(end, "failed", json_string(failed));
	json_decref(cmd_call_again(&hcrun_info, cp, HC_MSG_STEP_END, end,
				   &err));
	json_decref(end);
	json_decref(rep);
	free(failed);
	return rc;
}

int
main(int argc, char **argv)
{
	struct run r = { .alloc_spec = json_object(), .step = json_object() };
	char **ops = hc_calloc((size_t)argc + 1, sizeof(*ops));
	struct hc_err err = { 0 };
	struct alloc a = { .ci = &hcrun_info };
	const char *env_id = getenv("HC_JOB_ID");
	long job_id = 0;
	int nops, rc;
	char *cmdline;

	nops = cmd_parse(&hcrun_info, argc - 1, argv + 1, opt_fn, &r, ops,
			 &err);
	if (nops < 0)
		cmd_die_err(&hcrun_info, &err);
	if (nops == 0)
		cmd_die(&hcrun_info, HC_EINVAL, "no program to run; e.g. "
			"hcrun -n 4 hostname (see hcrun --help)");
	if (r.pty) {
		json_object_set_new(r.step, "nodes", json_integer(1));
		json_object_set_new(r.step, "ntasks", json_integer(1));
	}
	cmdline = command_text(ops, nops);
	json_object_set_new(r.alloc_spec, "command", json_string(cmdline));
	if (r.jobid)
		job_id = r.jobid;
	else if (env_id && *env_id &&
		 parse_long(env_id, 1, 0xffffffffL, &job_id, &err) < 0)
		cmd_die(&hcrun_info, HC_EINVAL, "HC_JOB_ID=%s: %s", env_id,
			err.text);
	a.c = cmd_connect(&hcrun_info);
	if (!job_id) {
		alloc_get(&a, json_deep_copy(r.alloc_spec), cmdline);
		alloc_setenv(&a);
		job_id = a.job_id;
	}
	rc = run_step(&r, &a.c, (uint32_t)job_id, ops, nops);
	if (a.job_id)	/* no step (refused, interrupted): a cancel */
		alloc_release(&a, wait_status(rc < 0 ? 1 : rc), rc < 0);
	if (rc < 0)
		rc = r.fail;
	json_decref(a.job);
	hc_client_destroy(a.c);
	json_decref(r.alloc_spec);
	json_decref(r.step);
	free(cmdline);
	free(ops);
	return rc;
}
