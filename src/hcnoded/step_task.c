/*
 * step_task: starting a step's tasks on this node. Each task is a child
 * of the agent (fork, not vfork: it has pipes, a pty, affinity and an
 * environment of its own to set up), in its own session so that a signal
 * reaches what it starts. Order in the child is the batch script's
 * (job_child.c): join the job's cgroup and bind CPUs while root, then drop
 * to the job's user, then touch the user's files (cwd, -o/-e/-i files).
 *
 * Environment: hcrun's own (it runs inside the job, so it already has the
 * job's variables), with this node's job variables (HC_NODENAME, TMPDIR,
 * the job's GPUs...) over it, then the step's: HC_STEP_ID, HC_PROCID,
 * HC_LOCALID, HC_NODEID, HC_NTASKS, HC_STEP_NODELIST, HC_STEP_NUM_NODES,
 * HC_STEP_NUM_TASKS, and CUDA_VISIBLE_DEVICES (with its siblings) limited
 * to the step's GPUs when it asked for some.
 */
#include "config.h"

#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "job.h"
#include "log.h"
#include "msg.h"
#include "noded.h"
#include "pmi2_step.h"
#include "pmix_step.h"
#include "rsh.h"
#include "step.h"

extern char **environ;

static const char *const node_vars[] = {
	"TMPDIR", "CUDA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES",
	"ZE_AFFINITY_MASK", "GPU_DEVICE_ORDINAL", NULL
};

struct env {
	char **v;
	size_t n;
};

static void
env_set(struct env *e, const char *key, const char *val)
{
	size_t klen = strlen(key);
	char *kv = hc_asprintf("%s=%s", key, val);

	for (size_t i = 0; i < e->n; i++)
		if (!strncmp(e->v[i], key, klen) && e->v[i][klen] == '=') {
			free(e->v[i]);
			e->v[i] = kv;
			return;
		}
	e->v = hc_realloc(e->v, (e->n + 2) * sizeof(*e->v));
	e->v[e->n++] = kv;
	e->v[e->n] = NULL;
}

static void
env_setf(struct env *e, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
env_setf(struct env *e, const char *key, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	env_set(e, key, buf);
}

static void
env_put(struct env *e, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[256];

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key))
		return;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
	env_set(e, key, eq + 1);
}

static bool
node_var(const char *kv)
{
	if (!strncmp(kv, "HC_", 3))
		return true;
	for (size_t i = 0; node_vars[i]; i++) {
		size_t n = strlen(node_vars[i]);
		if (!strncmp(kv, node_vars[i], n) && kv[n] == '=')
			return true;
	}
	return false;
}

/* The step's environment shared by its tasks here. */
static struct env
env_step(struct step_node *sn, struct job *j)
{
	struct noded *nd = sn->nd;
	json_t *h = sn->hello, *v, *gpus = json_object_get(h, "gpu_ids");
	bool confined = cgroup_devices_confined(nd->cg);
	char **jenv = job_env_build(j, nd->me->name, confined);
	bool from_hello = json_array_size(json_object_get(h, "env")) > 0;
	struct env e = { hc_calloc(1, sizeof(char *)), 0 };
	size_t i;

	rsh_env_add(nd, j, &jenv);	/* hc-rsh and MPI launchers here */
	json_array_foreach(json_object_get(h, "env"), i, v)
		if (json_is_string(v))
			env_put(&e, json_string_value(v));
	for (i = 0; jenv[i]; i++)
		if (!from_hello || node_var(jenv[i]))
			env_put(&e, jenv[i]);
	job_env_free(jenv);
	env_setf(&e, "HC_STEP_ID", "%u", sn->cred.step_id);
	env_setf(&e, "HC_NTASKS", "%lld", (long long)json_integer_value(
		 json_object_get(h, "ntasks")));
	env_set(&e, "HC_STEP_NUM_TASKS", strchr(e.v[e.n - 1], '=') + 1);
	env_setf(&e, "HC_STEP_NUM_NODES", "%lld", (long long)
		 json_integer_value(json_object_get(h, "nnodes")));
	env_setf(&e, "HC_NODEID", "%lld", (long long)json_integer_value(
		 json_object_get(h, "node_index")));
	env_set(&e, "HC_STEP_NODELIST", sn->cred.nodes);
	if (json_array_size(gpus) > 0) {
		size_t ng = json_array_size(gpus);
		int *ids = hc_calloc(ng, sizeof(*ids));
		char t[4096];

		json_array_foreach(gpus, i, v)
			ids[i] = (int)json_integer_value(v);
		job_gpu_text(j, ids, ng, confined, t, sizeof(t));
		for (i = 1; node_vars[i]; i++)
			env_set(&e, node_vars[i], t);
		free(ids);
	}
	return e;
}

static void
env_free(struct env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
task_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dprintf(2, "hcnoded: ");
	vdprintf(2, fmt, ap);
	dprintf(2, "\n");
	va_end(ap);
	_exit(127);
}

/* What a task's child needs, prepared before fork. */
struct task_plan {
	struct step_node *sn;
	struct job *j;
	struct step_task *t;
	char **env;
	const char *cwd;
	cpu_set_t cpus;
	bool bind;
	int in, out, err;	/* child's ends; -1: /dev/null or a file */
	int pty_slave;		/* >= 0: on a pseudo-terminal */
	int pmi_fd;		/* >= 0: its PMI socket, to become fd 3 */
	char *file_in, *file_out, *file_err;	/* patterns expanded */
	char **argv;
};

static void
child_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigemptyset(&dfl.sa_mask);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int
open_file(const char *path, bool write)
{
	return open(path, write ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY,
		    0644);
}

static void
child_stdio(const struct task_plan *p)
{
	int in = p->in, out = p->out, err = p->err;

	if (p->pty_slave >= 0) {
		in = out = err = p->pty_slave;
		if (ioctl(p->pty_slave, TIOCSCTTY, 0) < 0)
			task_die("TIOCSCTTY: %s", strerror(errno));
	}
	if (p->file_in && (in = open_file(p->file_in, false)) < 0)
		task_die("cannot open %s: %s", p->file_in, strerror(errno));
	if (in < 0)
		in = open("/dev/null", O_RDONLY);
	if (p->file_out && (out = open_file(p->file_out, true)) < 0)
		task_die("cannot open %s: %s", p->file_out, strerror(errno));
	if (p->file_err && (err = open_file(p->file_err, true)) < 0)
		task_die("cannot open %s: %s", p->file_err, strerror(errno));
	if (err < 0)
		err = out;
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	if (p->pmi_fd >= 0 && (p->pmi_fd == 3 ? fcntl(3, F_SETFD, 0) :
			       dup2(p->pmi_fd, 3)) < 0)
		_exit(127);
	for (int fd = p->pmi_fd >= 0 ? 4 : 3; fd < 1024; fd++)
		close(fd);
}

static void __attribute__((noreturn))
child_run(const struct task_plan *p)
{
	struct noded *nd = p->sn->nd;
	const struct job *j = p->j;

	child_signals();
	setsid();
	if (cgroup_mode(nd->cg) != CGROUP_NONE &&
	    cgroup_job_attach(nd->cg, j->id, getpid()) < 0)
		task_die("job=%u cannot join its cgroup: %s", j->id,
			 strerror(errno));
	if (p->bind)
		sched_setaffinity(0, sizeof(p->cpus), &p->cpus);
	/* Security: the job's user, before any of the user's files. */
	if (geteuid() == 0 && (setgroups((size_t)j->ngroups, j->groups) < 0 ||
			       setgid(j->gid) < 0 || setuid(j->uid) < 0))
		task_die("cannot become uid=%u: %s", (unsigned)j->uid,
			 strerror(errno));
	if (j->uid != 0 && (setuid(0) == 0 || getuid() != j->uid))
		task_die("privileges not dropped");
	if (chdir(p->cwd) < 0 && chdir(j->tmpdir) < 0 && chdir("/tmp") < 0)
		task_die("chdir: %s", strerror(errno));
	child_stdio(p);
	environ = p->env;
	execvp(p->argv[0], p->argv);
	task_die("task %u: exec %s: %s", p->t->id, p->argv[0],
		 strerror(errno));
}

static char *
pattern(struct step_node *sn, struct step_task *t, const char *key)
{
	const char *pat = json_string_value(json_object_get(sn->hello, key));
	char buf[4096];
	size_t off = 0;

	if (!pat || !*pat)
		return NULL;
	for (const char *s = pat; *s && off < sizeof(buf) - 32; s++) {
		if (*s != '%' || !s[1]) {
			buf[off++] = *s;
			continue;
		}
		switch (*++s) {
		case 't': off += (size_t)sprintf(buf + off, "%u", t->id); break;
		case 'n': off += (size_t)sprintf(buf + off, "%lld", (long long)
				json_integer_value(json_object_get(sn->hello,
							"node_index"))); break;
		case 'N': off += (size_t)snprintf(buf + off, sizeof(buf) - off,
				"%s", sn->nd->me->name); break;
		case 'j': off += (size_t)sprintf(buf + off, "%u",
						 sn->cred.job_id); break;
		case 's': off += (size_t)sprintf(buf + off, "%u",
						 sn->cred.step_id); break;
		default: buf[off++] = '%'; buf[off++] = *s; break;
		}
		if (off >= sizeof(buf) - 32)
			break;
	}
	buf[off] = '\0';
	return hc_strdup(buf);
}

/* Task t's CPUs, mapped onto the real ones: its share of the step's CPUs
 * here with --cpu-bind=cores; else all the step's CPUs here, so that
 * steps running side by side in one job keep to the CPUs each was given
 * (the job's cgroup is shared by its steps: this is affinity, which a
 * task may widen again within the job's cpuset; see hcrun(1)). */
static void
plan_cpus(struct task_plan *p)
{
	json_t *h = p->sn->hello, *ids = json_object_get(h, "cpu_ids");
	const char *bind = json_string_value(json_object_get(h, "cpu_bind"));
	size_t n = json_array_size(ids), per = n / p->sn->ntasks, first = 0;

	CPU_ZERO(&p->cpus);
	if (bind && !strcmp(bind, "cores") && per > 0)
		first = p->t->local * per;
	else
		per = n;
	for (size_t i = 0; i < per; i++) {
		json_t *v = json_array_get(ids, first + i);
		int real = cgroup_real_cpu(p->sn->nd->cg,
					   (int)json_integer_value(v));
		if (real >= 0 && real < CPU_SETSIZE)
			CPU_SET(real, &p->cpus);
	}
	p->bind = CPU_COUNT(&p->cpus) > 0;	/* none mapped: bind nothing */
}

static bool
gets_stdin(struct step_node *sn, uint32_t id)
{
	json_t *l = json_object_get(sn->hello, "stdin_tasks"), *v;
	size_t i;

	if (!l)
		return id == 0;
	json_array_foreach(l, i, v)
		if (json_integer_value(v) == (json_int_t)id ||
		    json_integer_value(v) < 0)
			return true;
	return false;
}

static void on_task_exit(void *arg, pid_t pid, int status);

/* --mpi (or MpiDefault): the step's PMI server here, and what every task
 * gets to find it. 0, or -1 having logged why. */
static int
step_mpi_start(struct step_node *sn, struct job *j, struct env *e)
{
	const char *mpi = json_string_value(json_object_get(sn->hello, "mpi"));
	struct hc_err err = { 0 };

	if (!mpi)
		mpi = sn->nd->conf->mpi_default ? sn->nd->conf->mpi_default :
		      "none";
	if (!strcmp(mpi, "none"))
		return 0;
	if (!strcmp(mpi, "pmi2"))
		sn->pmi = pmi2_step_create(sn, &err);
	else if (!strcmp(mpi, "pmix"))
		sn->pmix = pmix_step_create(sn, j, &err);
	else
		hc_err_set(&err, HC_EINVAL, "--mpi=%s is not served by this "
			   "node", mpi);
	/* Open MPI 4.1 takes a PMIx direct launch only from the resource
	 * managers it knows (Slurm, Flux, IBM's jsrun: schizo); jsrun's
	 * variable is the one that says nothing else. */
	if (sn->pmix) {
		env_set(e, "JSM_JSRUN_PORT", "hc");
		return 0;
	}
	if (!sn->pmi) {
		hc_log(HC_LOG_ERR, "job=%u step=%u cannot serve --mpi=%s: %s",
		       sn->cred.job_id, sn->cred.step_id, mpi, err.text);
		return -1;
	}
	env_set(e, "PMI_FD", "3");
	env_setf(e, "PMI_SIZE", "%lld", (long long)json_integer_value(
		 json_object_get(sn->hello, "ntasks")));
	return 0;
}

static int
task_spawn(struct task_plan *p, struct hc_err *err)
{
	struct step_task *t = p->t;
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	int master = -1;
	pid_t pid;

	p->pty_slave = -1;
	p->in = p->out = p->err = -1;
	p->file_in = pattern(p->sn, t, "input");
	p->file_out = pattern(p->sn, t, "output");
	p->file_err = pattern(p->sn, t, "error");
	plan_cpus(p);
	if (t->local == 0 && json_is_true(json_object_get(p->sn->hello,
							  "pty"))) {
		struct winsize ws = { 0 };
		ws.ws_row = (unsigned short)json_integer_value(json_object_get(
			p->sn->hello, "rows")) ?: 24;
		ws.ws_col = (unsigned short)json_integer_value(json_object_get(
			p->sn->hello, "cols")) ?: 80;
		if (openpty(&master, &p->pty_slave, NULL, NULL, &ws) < 0)
			return hc_err_set(err, HC_EIO, "openpty: %s",
					  strerror(errno));
		fcntl(master, F_SETFD, FD_CLOEXEC);
		t->pty = true;
	} else {
		if ((!p->file_in && gets_stdin(p->sn, t->id) &&
		     pipe2(pin, O_CLOEXEC) < 0) ||
		    (!p->file_out && pipe2(pout, O_CLOEXEC) < 0) ||
		    (!p->file_err && pipe2(perr, O_CLOEXEC) < 0))
			return hc_err_set(err, HC_EIO, "pipe: %s",
					  strerror(errno));
		p->in = pin[0];
		p->out = pout[1];
		p->err = perr[1];
	}
	p->pmi_fd = pmi2_step_child_fd(p->sn->pmi, t->local);
	pid = fork();
	if (pid == 0)
		child_run(p);
	pmi2_step_forked(p->sn->pmi, t->local);
	if (p->pty_slave >= 0)
		close(p->pty_slave);
	if (pin[0] >= 0)
		close(pin[0]);
	if (pout[1] >= 0)
		close(pout[1]);
	if (perr[1] >= 0)
		close(perr[1]);
	if (pid < 0) {
		int e = errno;
		close(master), close(pin[1]), close(pout[0]), close(perr[0]);
		return hc_err_set(err, HC_EIO, "fork: %s", strerror(e));
	}
	t->pid = pid;
	t->in_fd = t->pty ? master : pin[1];
	step_io_task_start(t, t->pty ? dup(master) : pout[0], perr[0]);
	noded_child_watch(p->sn->nd, pid, on_task_exit, t);
	return 0;
}

static void
on_task_exit(void *arg, pid_t pid, int status)
{
	struct step_task *t = arg;

	struct rusage *ru = &t->sn->nd->last_rusage;

	(void)pid;
	t->exited = true;
	t->status = status;
	t->sn->cpu_ms += (uint64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) *
			 1000 + (uint64_t)(ru->ru_utime.tv_usec +
					   ru->ru_stime.tv_usec) / 1000;
	if ((uint64_t)ru->ru_maxrss > t->sn->max_rss_kb)
		t->sn->max_rss_kb = (uint64_t)ru->ru_maxrss;
	if (!t->sn->sc) {	/* nobody to read it: drop the output */
		step_io_close(t);
	}
	step_task_check(t);
}

int
step_tasks_spawn(struct step_node *sn, struct job *j, struct hc_err *err)
{
	struct env e = env_step(sn, j);
	json_t *argv = json_object_get(sn->hello, "argv"), *v;
	const char *cwd = json_string_value(json_object_get(sn->hello, "cwd"));
	struct task_plan p = { .sn = sn, .j = j };
	char **av = hc_calloc(json_array_size(argv) + 1, sizeof(*av));
	size_t i;

	json_array_foreach(argv, i, v)
		av[i] = (char *)json_string_value(v);
	p.argv = av;
	p.cwd = cwd && *cwd ? cwd : j->tmpdir;
	if (step_mpi_start(sn, j, &e) < 0) {
		for (uint32_t k = 0; k < sn->ntasks; k++) {
			sn->tasks[k].exited = true;
			sn->tasks[k].status = 127 << 8;
		}
		env_free(&e);
		free(av);
		return -1;
	}
	for (uint32_t k = 0; k < sn->ntasks; k++) {
		struct step_task *t = &sn->tasks[k];
		struct hc_err terr = { 0 };

		p.t = t;
		env_setf(&e, "HC_PROCID", "%u", t->id);
		env_setf(&e, "HC_LOCALID", "%u", t->local);
		if (sn->pmi)
			env_setf(&e, "PMI_RANK", "%u", t->id);
		json_array_foreach(pmix_step_env(sn->pmix, t->local), i, v)
			if (json_is_string(v))
				env_put(&e, json_string_value(v));
		p.env = e.v;
		/* A task that cannot start ends at once with 127, as a shell
		 * reports a command it cannot run; the others run. */
		if (task_spawn(&p, &terr) < 0) {
			hc_log(HC_LOG_ERR, "job=%u step=%u task=%u: %s",
			       sn->cred.job_id, sn->cred.step_id, t->id,
			       terr.text);
			t->exited = true;
			t->status = 127 << 8;
		}
		free(p.file_in), free(p.file_out), free(p.file_err);
		p.file_in = p.file_out = p.file_err = NULL;
	}
	env_free(&e);
	free(av);
	(void)err;
	return 0;
}
