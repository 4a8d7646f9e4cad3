/*
 * power_prog: the power programs' runner (see power_prog.h).
 *
 * Everything the child needs (argv, envp) is built before fork(), so the
 * child only calls async-signal-safe functions: setsid, sigaction,
 * sigprocmask, dup2, close_range, execve. The parent never waits: the
 * pipe is read by a libevent read event, the exit is seen through a SIGCHLD
 * signal event (waitpid WNOHANG over the running programs), and a timer
 * kills the program's session (kill(-pid)) at its timeout. A program ends
 * for us when it has exited; what is left in the pipe is read then (a
 * grandchild that keeps the pipe open does not hold the result back).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <event2/event.h>
#include <jansson.h>

#include "audit.h"
#include "conf.h"
#include "ctld.h"
#include "log.h"
#include "power_prog.h"

#define OUT_MAX (64 * 1024)	/* output kept per program */
#define LINE_MAX_LEN 1024

struct prog {
	struct power_progs *pp;
	struct prog *next;
	pid_t pid;
	int fd;
	struct event *rd, *timer;
	power_done_fn *fn;
	void *arg;
	char action[32], pool[64];
	char *nodes;
	char line[LINE_MAX_LEN];
	size_t linelen;
	struct power_result r;
	size_t outlen;
	int exited;
};

struct power_progs {
	struct ctld *c;
	struct event *sigchld;
	struct prog *list;
	size_t running;
};

int
power_line_parse(const char *line, struct power_node_status *out)
{
	static const struct { const char *word; enum power_status st; } w[] = {
		{ "started", POWER_DONE }, { "done", POWER_DONE },
		{ "transient", POWER_TRANSIENT },
		{ "permanent", POWER_PERMANENT },
	};
	char node[128], status[32];
	int off = 0;

	if (sscanf(line, "%127s %31s %n", node, status, &off) < 2)
		return -1;
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcasecmp(status, w[i].word)) {
			out->node = hc_strdup(node);
			out->status = w[i].st;
			out->message = line[off] ? hc_strdup(line + off) : NULL;
			return 0;
		}
	return -1;
}

enum power_status
power_result_for(const struct power_result *r, const char *node,
		 const char **msg)
{
	for (size_t i = r->nnodes; i-- > 0;)
		if (!strcmp(r->nodes[i].node, node)) {
			*msg = r->nodes[i].message ? r->nodes[i].message
						   : r->last_line;
			return r->nodes[i].status;
		}
	*msg = r->last_line;
	return r->status;
}

/* One complete output line: log it, keep it, parse it. */
static void
prog_line(struct prog *p, const char *line)
{
	struct power_node_status ns;
	size_t len = strlen(line);

	if (!len)
		return;
	hc_log(HC_LOG_INFO, "power action=%s pool=%s pid=%d out=\"%s\"",
	       p->action, p->pool, (int)p->pid, line);
	free(p->r.last_line);
	p->r.last_line = hc_strdup(line);
	if (p->outlen + len + 2 < OUT_MAX) {
		p->r.output = hc_realloc(p->r.output, p->outlen + len + 2);
		memcpy(p->r.output + p->outlen, line, len);
		p->outlen += len;
		p->r.output[p->outlen++] = '\n';
		p->r.output[p->outlen] = '\0';
	}
	if (power_line_parse(line, &ns) == 0 && p->r.nnodes < 100000) {
		p->r.nodes = hc_realloc(p->r.nodes, (p->r.nnodes + 1) *
					sizeof(*p->r.nodes));
		p->r.nodes[p->r.nnodes++] = ns;
	}
}

/* Read what the pipe holds; returns 1 at EOF (or error). */
static int
prog_read(struct prog *p)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(p->fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || p->linelen == LINE_MAX_LEN - 1) {
				p->line[p->linelen] = '\0';
				prog_line(p, p->line);
				p->linelen = 0;
				if (buf[i] == '\n')
					continue;
			}
			p->line[p->linelen++] = buf[i];
		}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return 1;
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct prog *p = arg;

	if (prog_read(p))
		event_del(p->rd);
}

static void
result_free(struct power_result *r)
{
	for (size_t i = 0; i < r->nnodes; i++) {
		free(r->nodes[i].node);
		free(r->nodes[i].message);
	}
	free(r->nodes);
	free(r->last_line);
	free(r->output);
}

static void
prog_free(struct prog *p)
{
	struct prog **pp = &p->pp->list;

	while (*pp && *pp != p)
		pp = &(*pp)->next;
	if (*pp)
		*pp = p->next;
	p->pp->running--;
	event_free(p->rd);
	event_free(p->timer);
	close(p->fd);
	free(p->nodes);
	result_free(&p->r);
	free(p);
}

static void
prog_audit(struct prog *p)
{
	char subj[128];

	snprintf(subj, sizeof(subj), "pool:%s", p->pool[0] ? p->pool : "-");
	audit_append(p->pp->c->audit, 0, "power_program", subj, json_pack(
		"{s:s,s:s,s:i,s:i,s:b,s:s}", "action", p->action, "nodes",
		p->nodes, "exit", p->r.exit_code, "signal", p->r.signal,
		"timed_out", p->r.timed_out, "output",
		p->r.output ? p->r.output : ""));
}

/* The child has exited with wstatus: finish, tell, free. */
static void
prog_end(struct prog *p, int wstatus)
{
	prog_read(p);
	if (p->linelen) {
		p->line[p->linelen] = '\0';
		prog_line(p, p->line);
	}
	p->r.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	p->r.signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	if (p->r.timed_out || p->r.exit_code == POWER_EXIT_TRANSIENT)
		p->r.status = POWER_TRANSIENT;
	else if (p->r.exit_code == 0)
		p->r.status = POWER_DONE;
	else
		p->r.status = POWER_PERMANENT;
	hc_log(p->r.status == POWER_DONE ? HC_LOG_INFO : HC_LOG_WARN,
	       "power action=%s pool=%s nodes=%s pid=%d exit=%d signal=%d%s",
	       p->action, p->pool, p->nodes, (int)p->pid, p->r.exit_code,
	       p->r.signal, p->r.timed_out ? " timed_out=1" : "");
	prog_audit(p);
	if (p->fn)
		p->fn(p->arg, &p->r);
	prog_free(p);
}

static void
on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	struct power_progs *pp = arg;
	struct prog *p = pp->list, *next;
	int ws;

	for (; p; p = next) {
		next = p->next;
		if (waitpid(p->pid, &ws, WNOHANG) == p->pid)
			prog_end(p, ws);
	}
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct prog *p = arg;

	hc_log(HC_LOG_WARN, "power action=%s pool=%s nodes=%s pid=%d: "
	       "timed out; killing its session", p->action, p->pool,
	       p->nodes, (int)p->pid);
	p->r.timed_out = 1;
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
}

struct power_progs *
power_progs_create(struct ctld *c, struct hc_err *err)
{
	struct power_progs *pp = hc_calloc(1, sizeof(*pp));

	pp->c = c;
	if (c->base) {
		pp->sigchld = evsignal_new(c->base, SIGCHLD, on_sigchld, pp);
		if (!pp->sigchld || event_add(pp->sigchld, NULL) < 0) {
			power_progs_destroy(pp);
			hc_err_set(err, HC_EIO, "power: cannot watch SIGCHLD");
			return NULL;
		}
	}
	return pp;
}

void
power_progs_destroy(struct power_progs *pp)
{
	if (!pp)
		return;
	/* What still runs is left to finish in its own session: a start
	 * under way is awaited by the next hcctld (power.h), not undone. */
	while (pp->list) {
		hc_log(HC_LOG_INFO, "power action=%s nodes=%s pid=%d left "
		       "running", pp->list->action, pp->list->nodes,
		       (int)pp->list->pid);
		prog_free(pp->list);
	}
	if (pp->sigchld)
		event_free(pp->sigchld);
	free(pp);
}

size_t
power_progs_running(const struct power_progs *pp)
{
	return pp ? pp->running : 0;
}

/* The clean environment (hc.conf(5) POWER PROGRAMS). */
static char **
prog_env(const struct ctld *c, const struct power_prog_req *rq)
{
	const struct conf_node *t = rq->tmpl;
	char **env = hc_calloc(16, sizeof(char *));
	char *gres = NULL, *feat = NULL;
	size_t n = 0;

	env[n++] = hc_strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	env[n++] = hc_asprintf("HC_ACTION=%s", rq->action);
	env[n++] = hc_asprintf("HC_POOL=%s", rq->pool ? rq->pool : "");
	env[n++] = hc_asprintf("HC_NODES=%s", rq->nodes);
	env[n++] = hc_asprintf("HC_JOBS=%s", rq->jobs ? rq->jobs : "");
	env[n++] = hc_asprintf("HC_CONF=%s", c->conf_path ? c->conf_path :
			       (c->conf->path ? c->conf->path : ""));
	if (t) {
		const struct conf_key *kg = conf_key_find("Gres", CONF_NODE);
		const struct conf_key *kf = conf_key_find("Features",
							  CONF_NODE);
		gres = conf_value_format(kg, t);
		feat = conf_value_format(kf, t);
		env[n++] = hc_asprintf("HC_CPUS=%ld", t->cpus);
		env[n++] = hc_asprintf("HC_REAL_MEMORY_MB=%llu",
				       (unsigned long long)t->real_memory_mb);
		env[n++] = hc_asprintf("HC_GRES=%s", gres);
		env[n++] = hc_asprintf("HC_FEATURES=%s", feat);
		env[n++] = hc_asprintf("HC_TOPOLOGY=%s",
				       t->topology ? t->topology : "");
		env[n++] = hc_asprintf("HC_TEMPLATE=CPUs=%ld RealMemory=%lluM"
				       "%s%s%s%s", t->cpus,
				       (unsigned long long)t->real_memory_mb,
				       *gres ? " Gres=" : "", gres,
				       *feat ? " Features=" : "", feat);
	}
	free(gres);
	free(feat);
	return env;
}

static void
strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* In the child: only async-signal-safe calls, then exec. */
static void __attribute__((noreturn))
child_exec(int wfd, int null_fd, char *const argv[], char *const envp[])
{
	struct sigaction sa;
	sigset_t none;

	setsid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(null_fd, 0) < 0 || dup2(wfd, 1) < 0 || dup2(wfd, 2) < 0)
		_exit(POWER_EXIT_PERMANENT);
	syscall(SYS_close_range, 3U, ~0U, 0U);
	execve(argv[0], argv, envp);
	{	/* its output is the reason the node is DOWN */
		static const char m[] = "hcctld cannot run the program (not "
					"found or not executable; hcctld "
					"--check-config says which)\n";
		ssize_t w = write(1, m, sizeof(m) - 1);
		(void)w;
	}
	_exit(127);
}

static struct prog *
prog_new(struct power_progs *pp, const struct power_prog_req *rq,
	 power_done_fn *fn, void *arg)
{
	struct prog *p = hc_calloc(1, sizeof(*p));

	p->pp = pp;
	p->fn = fn;
	p->arg = arg;
	p->fd = -1;
	snprintf(p->action, sizeof(p->action), "%s", rq->action);
	snprintf(p->pool, sizeof(p->pool), "%s", rq->pool ? rq->pool : "");
	p->nodes = hc_strdup(rq->nodes);
	return p;
}

int
power_prog_run(struct power_progs *pp, const struct power_prog_req *rq,
	       power_done_fn *fn, void *arg, struct hc_err *err)
{
	char *argv[3] = { (char *)rq->path, (char *)rq->nodes, NULL };
	char **envp = prog_env(pp->c, rq);
	struct timeval tv = { rq->timeout_s > 0 ? rq->timeout_s : 60, 0 };
	int fds[2], null_fd;
	struct prog *p;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		strv_free(envp);
		return hc_err_set(err, HC_EIO, "power: pipe: %s",
				  strerror(errno));
	}
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid = fork();
	if (pid == 0)
		child_exec(fds[1], null_fd, argv, envp);
	close(fds[1]);
	if (null_fd >= 0)
		close(null_fd);
	strv_free(envp);
	if (pid < 0) {
		close(fds[0]);
		return hc_err_set(err, HC_EIO, "power: fork: %s",
				  strerror(errno));
	}
	p = prog_new(pp, rq, fn, arg);
	p->pid = pid;
	p->fd = fds[0];
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	p->rd = event_new(pp->c->base, p->fd, EV_READ | EV_PERSIST, on_read,
			  p);
	p->timer = evtimer_new(pp->c->base, on_timeout, p);
	event_add(p->rd, NULL);
	evtimer_add(p->timer, &tv);
	p->next = pp->list;
	pp->list = p;
	pp->running++;
	hc_log(HC_LOG_INFO, "power action=%s pool=%s nodes=%s pid=%d "
	       "program=%s started", p->action, p->pool, p->nodes, (int)pid,
	       rq->path);
	/* SIGCHLD is watched since power_progs_create: an early exit is
	 * seen on the next loop turn, never inside this call. */
	return 0;
}

/* What is wrong with program path, or NULL. */
static const char *
prog_problem(const char *path)
{
	struct stat st;

	if (path[0] != '/')
		return "not an absolute path; give the full path";
	if (stat(path, &st) < 0)
		return errno == ENOENT ? "no such file; install it or fix the "
		       "path" : "cannot be read; check its directories";
	if (!S_ISREG(st.st_mode))
		return "not a regular file; give the program itself";
	if (access(path, X_OK) < 0)
		return "not executable; chmod 0755 it";
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return "writable by its group or others, and it runs as root; "
		       "chmod go-w it";
	return NULL;
}

static int
prog_check(const struct hc_conf *conf, const char *pool, int line,
	   const char *key, const char *path,
	   void (*fn)(void *arg, const char *line), void *arg)
{
	const char *why = path ? prog_problem(path) : NULL;
	char *msg, at[32] = "";

	if (!why)
		return 0;
	if (line > 0)
		snprintf(at, sizeof(at), ":%d", line);
	msg = hc_asprintf("%s%s: %s%s%s%s=%s: %s", conf->path ? conf->path :
			  "hc.conf", at, pool ? "CloudPool=" : "",
			  pool ? pool : "", pool ? ": " : "", key, path, why);
	fn(arg, msg);
	free(msg);
	return 1;
}

int
power_progs_check(const struct hc_conf *conf,
		  void (*fn)(void *arg, const char *line), void *arg)
{
	int bad = 0;

	bad += prog_check(conf, NULL, 0, "ResumeProgram",
			  conf->resume_program, fn, arg);
	bad += prog_check(conf, NULL, 0, "SuspendProgram",
			  conf->suspend_program, fn, arg);
	for (size_t i = 0; i < conf->pool_count; i++) {
		const struct conf_pool *p = &conf->pools[i];
		const struct { const char *key, *path; } k[] = {
			{ "ResumeProgram", p->resume_program },
			{ "SuspendProgram", p->suspend_program },
			{ "ListProgram", p->list_program },
			{ "ResumeFailProgram", p->resume_fail_program },
		};
		for (size_t j = 0; j < sizeof(k) / sizeof(k[0]); j++)
			bad += prog_check(conf, p->name, p->line, k[j].key,
					  k[j].path, fn, arg);
	}
	return bad;
}
