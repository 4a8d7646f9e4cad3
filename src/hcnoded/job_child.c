/*
 * job_child: the batch script's process between vfork and exec. Order
 * matters: join the job's cgroup and set limits while still root, then
 * setgroups/setgid/setuid, and only then touch the user's files (cwd,
 * output files) so that they are opened with the user's rights.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "job.h"
#include "log.h"
#include "noded.h"

static const struct {
	const char *name;
	int res;
} rlimit_names[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
	{ NULL, 0 },
};

static const char *
spec_str(const struct job *j, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(j->spec, key));
	return s && *s ? s : def;
}

char *
job_expand_pattern(const char *pattern, const struct job *j, const char *node)
{
	size_t cap = strlen(pattern) + 256, off = 0;
	char *out = hc_malloc(cap);

	for (const char *p = pattern; *p; p++) {
		char tmp[256];
		const char *add = tmp;
		if (*p != '%' || !p[1]) {
			tmp[0] = *p, tmp[1] = '\0';
		} else {
			switch (*++p) {
			case 'j': snprintf(tmp, sizeof(tmp), "%u", j->id); break;
			case 'x': add = spec_str(j, "name", "hc"); break;
			case 'u': add = j->user; break;
			case 'N': add = node; break;
			case '%': add = "%"; break;
			default: snprintf(tmp, sizeof(tmp), "%%%c", *p); break;
			}
		}
		size_t n = strlen(add);
		if (off + n + 1 > cap)
			out = hc_realloc(out, cap = (off + n + 1) * 2);
		memcpy(out + off, add, n);
		off += n;
	}
	out[off] = '\0';
	return out;
}

/* Set KEY=VAL, replacing an earlier KEY. */
static void
env_set(char ***envp, size_t *n, const char *key, const char *val)
{
	size_t klen = strlen(key);
	char *kv = hc_asprintf("%s=%s", key, val);

	for (size_t i = 0; i < *n; i++)
		if (strncmp((*envp)[i], key, klen) == 0 &&
		    (*envp)[i][klen] == '=') {
			free((*envp)[i]);
			(*envp)[i] = kv;
			return;
		}
	*envp = hc_realloc(*envp, (*n + 2) * sizeof(**envp));
	(*envp)[(*n)++] = kv;
	(*envp)[*n] = NULL;
}

static void
env_set_int(char ***envp, size_t *n, const char *key, json_int_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	env_set(envp, n, key, buf);
}

void
job_gpu_text(const struct job *j, const int *ids, size_t n, bool confined,
	     char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t g = 0; g < n && off < len; g++) {
		int v = ids[g];

		if (confined) {		/* its rank among the job's GPUs */
			v = 0;
			for (size_t k = 0; k < j->ngpus; k++)
				v += j->gpu_ids[k] < ids[g];
		}
		off += (size_t)snprintf(buf + off, len - off, "%s%d",
					g ? "," : "", v);
	}
}

char **
job_env_build(const struct job *j, const char *node, bool confined)
{
	char **env = hc_calloc(1, sizeof(*env));
	size_t n = 0, i;
	json_t *v, *s = j->spec;
	char buf[4096];

	json_array_foreach(json_object_get(s, "env"), i, v) {
		const char *kv = json_string_value(v), *eq;
		if (kv && (eq = strchr(kv, '=')) && eq != kv) {
			snprintf(buf, sizeof(buf), "%.*s", (int)(eq - kv), kv);
			env_set(&env, &n, buf, eq + 1);
		}
	}
	env_set_int(&env, &n, "HC_JOB_ID", j->id);
	env_set(&env, &n, "HC_JOB_NAME", spec_str(j, "name", "hc"));
	env_set(&env, &n, "HC_JOB_USER", j->user);
	env_set(&env, &n, "HC_JOB_NODELIST", spec_str(j, "nodelist", node));
	env_set(&env, &n, "HC_NODEFILE", j->nodefile);
	env_set_int(&env, &n, "HC_NNODES",
		    json_integer_value(json_object_get(s, "nnodes")) ?: 1);
	env_set_int(&env, &n, "HC_NTASKS",
		    json_integer_value(json_object_get(s, "ntasks")) ?: 1);
	env_set_int(&env, &n, "HC_CPUS_ON_NODE",
		    json_integer_value(json_object_get(s, "cpus_on_node")) ?:
		    (json_int_t)j->ncpus);
	env_set(&env, &n, "HC_QUEUE", spec_str(j, "queue", ""));
	env_set(&env, &n, "HC_SUBMIT_DIR", spec_str(j, "submit_dir",
		spec_str(j, "cwd", "/")));
	env_set_int(&env, &n, "HC_RESTART_COUNT",
		    json_integer_value(json_object_get(s, "restart_count")));
	env_set(&env, &n, "HC_NODENAME", node);
	env_set(&env, &n, "TMPDIR", j->tmpdir);
	if (j->ngpus) {
		job_gpu_text(j, j->gpu_ids, j->ngpus, false, buf,
			     sizeof(buf));
		env_set(&env, &n, "HC_JOB_GPUS", buf);
		job_gpu_text(j, j->gpu_ids, j->ngpus, confined, buf,
			     sizeof(buf));
		env_set(&env, &n, "CUDA_VISIBLE_DEVICES", buf);
		env_set(&env, &n, "ROCR_VISIBLE_DEVICES", buf);
		env_set(&env, &n, "ZE_AFFINITY_MASK", buf);
		env_set(&env, &n, "GPU_DEVICE_ORDINAL", buf);
	}
	return env;
}

void
job_env_set(char ***envp, const char *key, const char *val)
{
	size_t n = 0;

	while ((*envp)[n])
		n++;
	env_set(envp, &n, key, val);
}

void
job_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
child_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dprintf(2, "hcnoded: ");
	vdprintf(2, fmt, ap);
	dprintf(2, "\n");
	va_end(ap);
	_exit(code);
}

static void
child_rlimits(const struct job *j)
{
	json_t *lims = json_object_get(j->spec, "rlimits");

	for (size_t i = 0; rlimit_names[i].name; i++) {
		json_t *v = json_object_get(lims, rlimit_names[i].name);
		struct rlimit rl;
		if (!json_is_integer(v) ||
		    getrlimit(rlimit_names[i].res, &rl) < 0)
			continue;
		json_int_t x = json_integer_value(v);
		rl.rlim_cur = x < 0 ? RLIM_INFINITY : (rlim_t)x;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
			rl.rlim_max = rl.rlim_cur;
		setrlimit(rlimit_names[i].res, &rl);
	}
}

/* What the child needs, made before it exists: after vfork() it shares
 * our memory, so it must not allocate (the paths, argv and group list are
 * ready) and must not return. */
struct child_plan {
	const char *cwd;
	char *out, *err;	/* expanded; err NULL = out */
	int flags;		/* for both */
	const char **argv;
	char **env;		/* borrowed */
};

static void
plan_make(struct child_plan *p, const struct job *j, const char *node,
	  char **env)
{
	const char *pat_e = spec_str(j, "stderr", NULL);
	json_t *args = json_object_get(j->spec, "argv"), *v;
	size_t na = json_array_size(args), i, k = 0;

	p->cwd = spec_str(j, "cwd", "/tmp");
	p->flags = O_WRONLY | O_CREAT | O_CLOEXEC |
		   (strcmp(spec_str(j, "open_mode", "truncate"), "append") ?
		    O_TRUNC : O_APPEND);
	p->out = job_expand_pattern(spec_str(j, "stdout", "hc-%j.out"), j,
				    node);
	p->err = pat_e ? job_expand_pattern(pat_e, j, node) : NULL;
	if (p->err && strcmp(p->err, p->out) == 0) {
		free(p->err);
		p->err = NULL;
	}
	p->argv = hc_calloc(na + 3, sizeof(*p->argv));
	if (strncmp(spec_str(j, "script", ""), "#!", 2) != 0)
		p->argv[k++] = "/bin/sh";
	p->argv[k++] = j->script;
	json_array_foreach(args, i, v)
		if (json_is_string(v))
			p->argv[k++] = json_string_value(v);
	p->env = env;
}

static void
plan_free(struct child_plan *p)
{
	free(p->out);
	free(p->err);
	free(p->argv);
}

static void
child_output(const struct job *j, const struct child_plan *p)
{
	int fo = open(p->out, p->flags, 0644), fe = fo, in;

	if (fo < 0)
		child_die(1, "job=%u cannot open stdout %s: %s", j->id, p->out,
			  strerror(errno));
	if (p->err && (fe = open(p->err, p->flags, 0644)) < 0)
		child_die(1, "job=%u cannot open stderr %s: %s", j->id, p->err,
			  strerror(errno));
	in = open("/dev/null", O_RDONLY);
	if (in < 0 || dup2(in, 0) < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
		child_die(1, "job=%u dup2: %s", j->id, strerror(errno));
}

/* Every handler back to the default (our own table: vfork() does not
 * share it), then the signals the parent blocked for us unblocked. */
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

static void __attribute__((noreturn))
child_run(struct noded *nd, struct job *j, const struct child_plan *p)
{
	bool cwd_ok;
	int cwd_errno;

	child_signals();
	setsid();
	if (cgroup_mode(nd->cg) != CGROUP_NONE &&
	    cgroup_job_attach(nd->cg, j->id, getpid()) < 0)
		child_die(1, "job=%u cannot join its cgroup: %s", j->id,
			  strerror(errno));
	child_rlimits(j);
	umask(022);
	/* Security: drop to the job's user before touching its files; the
	 * groups were resolved by the parent (job_setup). */
	if (geteuid() == 0 && (setgroups(j->ngroups, j->groups) < 0 ||
			       setgid(j->gid) < 0 || setuid(j->uid) < 0))
		child_die(1, "job=%u cannot become uid=%u: %s", j->id,
			  (unsigned)j->uid, strerror(errno));
	if (j->uid != 0 && (setuid(0) == 0 || getuid() != j->uid))
		child_die(1, "job=%u privileges not dropped", j->id);
	cwd_ok = chdir(p->cwd) == 0;
	cwd_errno = errno;
	if (!cwd_ok && chdir("/tmp") < 0)
		child_die(1, "job=%u chdir /tmp: %s", j->id, strerror(errno));
	child_output(j, p);
	if (!cwd_ok)
		dprintf(2, "hcnoded: job=%u could not chdir to %s (%s); "
			"running in /tmp\n", j->id, p->cwd,
			strerror(cwd_errno));
	execve(p->argv[0], (char *const *)p->argv, p->env);
	child_die(127, "job=%u exec %s: %s", j->id, p->argv[0],
		  strerror(errno));
}

/* Alone in its frame, so that nothing the compiler keeps in registers
 * across vfork() can be clobbered by the child. */
static pid_t __attribute__((noinline))
spawn_vfork(struct noded *nd, struct job *j, const struct child_plan *p)
{
	pid_t pid = vfork();

	if (pid == 0)
		child_run(nd, j, p);
	return pid;
}

/* vfork() rather than fork(): no copy of our page tables to make and tear
 * down at exec, no copy-on-write faults after it; we wait (a few syscalls)
 * until the child has exec'd or died. Our signals stay blocked meanwhile
 * so that no handler of ours runs in the child. */
pid_t
job_child_spawn(struct noded *nd, struct job *j, char **env)
{
	struct child_plan p;
	sigset_t all, old;
	pid_t pid;

	plan_make(&p, j, nd->me->name, env);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = spawn_vfork(nd, j, &p);
	sigprocmask(SIG_SETMASK, &old, NULL);
	plan_free(&p);
	return pid;
}
