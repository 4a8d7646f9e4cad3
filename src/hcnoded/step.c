/*
 * step: the steps this node runs (see step.h): starting one from its
 * hello, the frames hcrun sends on its stream, its end, and the record of
 * credentials already used.
 *
 * Security: a credential opens one stream per node. It is valid for
 * minutes (hcrun connects at once, but nodes may be slow), so the agent
 * remembers each (job, step) it has served until the credential expires
 * and refuses a second hello with it: a captured credential cannot start
 * the tasks again.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/bufferevent.h>

#include "cgroup.h"
#include "job.h"
#include "log.h"
#include "msg.h"
#include "noded.h"
#include "pmi2_step.h"
#include "pmix_step.h"
#include "step.h"

struct step_seen {
	struct step_seen *next;
	uint32_t job_id, step_id;
	time_t expires;
};

struct step_reg *
step_reg_get(struct noded *nd)
{
	if (!nd->stepreg)
		nd->stepreg = hc_calloc(1, sizeof(*nd->stepreg));
	return nd->stepreg;
}

static void
step_free(struct step_node *sn)
{
	for (uint32_t i = 0; i < sn->ntasks; i++)
		step_io_close(&sn->tasks[i]);
	pmi2_step_destroy(sn->pmi);
	pmix_step_destroy(sn->pmix);
	free(sn->tasks);
	json_decref(sn->hello);
	free(sn);
}

void
step_reg_destroy(struct noded *nd)
{
	struct step_reg *r = nd->stepreg;

	if (!r)
		return;
	while (r->list) {
		struct step_node *sn = r->list;
		r->list = sn->next;
		noded_child_forget(nd, sn);
		for (uint32_t i = 0; i < sn->ntasks; i++)
			noded_child_forget(nd, &sn->tasks[i]);
		step_free(sn);
	}
	while (r->seen) {
		struct step_seen *s = r->seen;
		r->seen = s->next;
		free(s);
	}
	step_cred_forget(nd);
	free(r);
	nd->stepreg = NULL;
}

bool
step_seen(struct noded *nd, uint32_t job_id, uint32_t step_id)
{
	struct step_reg *r = step_reg_get(nd);
	time_t now = time(NULL);

	for (struct step_seen **pp = &r->seen; *pp;) {
		struct step_seen *s = *pp;
		if (s->expires < now) {
			*pp = s->next;
			free(s);
			continue;
		}
		if (s->job_id == job_id && s->step_id == step_id)
			return true;
		pp = &s->next;
	}
	return false;
}

static void
seen_add(struct noded *nd, const struct stepcred *c)
{
	struct step_reg *r = step_reg_get(nd);
	struct step_seen *s = hc_calloc(1, sizeof(*s));

	s->job_id = c->job_id;
	s->step_id = c->step_id;
	s->expires = c->expires;
	s->next = r->seen;
	r->seen = s;
}

static void
step_unlink(struct step_node *sn)
{
	struct step_reg *r = step_reg_get(sn->nd);

	for (struct step_node **pp = &r->list; *pp; pp = &(*pp)->next)
		if (*pp == sn) {
			*pp = sn->next;
			break;
		}
}

struct step_node *
step_start(struct noded *nd, struct sconn *sc, const struct stepcred *cred,
	   json_t *hello, struct hc_err *err)
{
	struct job *j = jobs_get_running(nd->jobs, cred->job_id);
	json_t *tasks = json_object_get(hello, "tasks"), *v;
	struct step_node *sn;
	size_t i;

	if (!j)		/* step_check() admitted it on this loop turn */
		return hc_err_set(err, HC_EINTERNAL, "job %u vanished",
				  cred->job_id), NULL;
	if (json_array_size(json_object_get(hello, "argv")) == 0)
		return hc_err_set(err, HC_EINVAL, "no command to run"), NULL;
	if (json_array_size(tasks) == 0 || json_array_size(tasks) > 4096)
		return hc_err_set(err, HC_EINVAL, "1 to 4096 tasks per node"),
		       NULL;
	/* Security: no more tasks here than the controller gave the step
	 * on its busiest node (the credential says how many). */
	if (cred->tasks_max && json_array_size(tasks) > cred->tasks_max)
		return hc_err_set(err, HC_EAUTH, "step %u.%u may start at "
				  "most %u tasks on a node, not %zu",
				  cred->job_id, cred->step_id,
				  cred->tasks_max, json_array_size(tasks)),
		       NULL;
	sn = hc_calloc(1, sizeof(*sn));
	sn->nd = nd;
	sn->sc = sc;
	sn->cred = *cred;
	sn->hello = json_incref(hello);
	sn->ntasks = (uint32_t)json_array_size(tasks);
	sn->tasks = hc_calloc(sn->ntasks, sizeof(*sn->tasks));
	json_array_foreach(tasks, i, v) {
		struct step_task *t = &sn->tasks[i];
		t->sn = sn;
		t->id = (uint32_t)json_integer_value(v);
		t->local = (uint32_t)i;
		t->in_fd = -1;
	}
	sn->left = sn->ntasks;
	seen_add(nd, cred);
	sn->next = step_reg_get(nd)->list;
	step_reg_get(nd)->list = sn;
	step_tasks_spawn(sn, j, err);
	hc_log(HC_LOG_INFO, "job=%u step=%u started tasks=%u", cred->job_id,
	       cred->step_id, sn->ntasks);
	return sn;
}

void
step_started(struct step_node *sn)
{
	for (uint32_t i = 0; i < sn->ntasks; i++)
		if (step_task_check(&sn->tasks[i]))
			return;
}

static void
step_signal(struct step_node *sn, int sig)
{
	for (uint32_t i = 0; i < sn->ntasks; i++)
		if (sn->tasks[i].pid > 0 && !sn->tasks[i].exited)
			kill(-sn->tasks[i].pid, sig);
}

void
step_on_frame(struct step_node *sn, uint16_t type, json_t *body)
{
	int sig;

	switch (type) {
	case HC_MSG_STEP_IO:
		step_io_stdin(sn, body);
		break;
	case HC_MSG_STEP_PMI:
		pmi2_step_on_frame(sn->pmi, body);
		pmix_step_on_frame(sn->pmix, body);
		break;
	case HC_MSG_STEP_SIGNAL:
		sig = (int)json_integer_value(json_object_get(body, "signal"));
		if (sig > 0 && sig < NSIG)
			step_signal(sn, sig);
		break;
	case HC_MSG_STEP_WINCH:
		for (uint32_t i = 0; i < sn->ntasks; i++) {
			struct step_task *t = &sn->tasks[i];
			struct winsize ws = { 0 };
			if (!t->pty || t->in_fd < 0)
				continue;
			ws.ws_row = (unsigned short)json_integer_value(
				json_object_get(body, "rows"));
			ws.ws_col = (unsigned short)json_integer_value(
				json_object_get(body, "cols"));
			ioctl(t->in_fd, TIOCSWINSZ, &ws);
		}
		break;
	default:
		break;
	}
}

void
step_detach(struct step_node *sn)
{
	sn->sc = NULL;
	if (sn->done) {
		step_unlink(sn);
		step_free(sn);
		return;
	}
	hc_log(HC_LOG_INFO, "job=%u step=%u stream closed: killing its tasks",
	       sn->cred.job_id, sn->cred.step_id);
	step_signal(sn, SIGCONT);
	step_signal(sn, SIGKILL);
}

void
step_resume(struct step_node *sn)
{
	if (!sn->paused)
		return;
	sn->paused = false;
	for (uint32_t i = 0; i < sn->ntasks; i++) {
		if (sn->tasks[i].out)
			bufferevent_enable(sn->tasks[i].out, EV_READ);
		if (sn->tasks[i].err)
			bufferevent_enable(sn->tasks[i].err, EV_READ);
	}
}

/* Every task reported: tell hcrun and the controller, then go. */
static void
step_done(struct step_node *sn)
{
	struct noded *nd = sn->nd;
	json_t *ev = json_pack("{s:I,s:I,s:s,s:I,s:i,s:I,s:I}", "job_id",
			       (json_int_t)sn->cred.job_id, "step_id",
			       (json_int_t)sn->cred.step_id, "event",
			       "ended", "ntasks", (json_int_t)sn->ntasks,
			       "exit_status", sn->worst, "max_rss_kb",
			       (json_int_t)sn->max_rss_kb, "cpu_ms",
			       (json_int_t)sn->cpu_ms);

	sn->done = true;
	hc_log(HC_LOG_INFO, "job=%u step=%u ended status=%d", sn->cred.job_id,
	       sn->cred.step_id, sn->worst);
	/* Kept until the controller is back (as job ends are): a step that
	 * ends while it restarts must not stay RUNNING in its records. */
	ctl_conn_send(nd->ctl, HC_MSG_STEP_EVENT, ev, true);
	jobs_step_gone(nd->jobs, sn->cred.job_id);
	if (sn->sc) {
		json_t *b = json_object();
		stream_send(sn->sc, HC_MSG_STEP_DONE, b);
		json_decref(b);
		stream_close_after_flush(sn->sc);
		return;		/* freed by step_detach() when it closes */
	}
	step_unlink(sn);
	step_free(sn);
}

static int
status_rank(int s)
{
	return WIFSIGNALED(s) ? 128 + WTERMSIG(s) : WEXITSTATUS(s);
}

int
step_task_check(struct step_task *t)
{
	struct step_node *sn = t->sn;
	json_t *b;

	if (t->reported || !t->exited || t->out || t->err)
		return 0;
	t->reported = true;
	if (status_rank(t->status) > status_rank(sn->worst))
		sn->worst = t->status;
	if (sn->sc) {
		b = json_pack("{s:I,s:i}", "t", (json_int_t)t->id, "status",
			      t->status);
		if (WIFSIGNALED(t->status) && WTERMSIG(t->status) == SIGKILL) {
			uint64_t rss;
			int oom = 0;
			cgroup_job_stats(sn->nd->cg, sn->cred.job_id, &rss,
					 &oom);
			if (oom)
				json_object_set_new(b, "oom", json_true());
		}
		stream_send(sn->sc, HC_MSG_STEP_EXIT, b);
		json_decref(b);
	}
	if (--sn->left > 0)
		return 0;
	step_done(sn);
	return 1;
}
