/*
 * sched_snap_pass: what a pass needs beyond the views of pending jobs and
 * nodes -- the jobs holding nodes and when they are expected to end -- and
 * running the pass on a snapshot, in the worker.
 *
 * A running job's expected end is its start plus its time limit (the
 * queue's DefaultTime, else MaxTime, was put there at submit when -t was
 * not given); no limit: it never ends as far as the plan knows. A job that
 * is completing, or past its limit, ends "any moment". Its allocation is
 * copied with node indices of this snapshot, so the planner returns its
 * resources to those nodes at that end.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "ctld.h"
#include "jobs.h"
#include "jobs_int.h"
#include "log.h"
#include "nodes.h"
#include "sched_account.h"
#include "sched_snap.h"
#include "states.h"

/* When j's resources are expected back. */
static time_t
running_end(const struct job *j, time_t now)
{
	if (j->state == JOB_COMPLETING)
		return now;
	if (j->time_limit <= 0)
		return 0;
	return j->start_time + (time_t)j->time_limit * 60;
}

/* The nodes of j's allocation still held, in this snapshot's indices. */
static uint32_t
running_nodes(struct sched_snap *s, struct jobs *js, const struct job *j,
	      struct sched_alloc_node *out)
{
	uint32_t n = 0;

	for (uint32_t k = 0; k < j->nalloc; k++) {
		const struct job_node *jn = &j->alloc[k];
		const struct node *nd = jn->node;

		/* A node removed by reconfigure is no longer planned on. */
		if (jn->ended || !jn->held || !nd || nd->index >= s->nnodes ||
		    nodes_at(js->c->nodes, nd->index) != nd)
			continue;
		out[n].node = nd->index;
		out[n].ncpus = jn->ncpus;
		out[n].mem_mb = jn->mem_mb;
		out[n].ngpus = jn->ngpus;
		n++;
	}
	return n;
}

void
sched_snap_build_running(struct sched_snap *s, struct jobs *js)
{
	for (size_t i = 0; i < js->n; i++) {
		const struct job *j = js->v[i];
		struct sched_alloc_node *an;
		struct sched_running *r;

		if (!j->nalloc || j->state == JOB_PENDING ||
		    job_state_is_final(j->state))
			continue;
		an = sched_snap_alloc(s, j->nalloc * sizeof(*an));
		if (s->nrunning == s->rcap) {
			s->rcap = s->rcap ? s->rcap * 2 : 64;
			s->running = hc_realloc(s->running,
						s->rcap * sizeof(*s->running));
		}
		r = &s->running[s->nrunning];
		r->id = j->id;
		r->end = running_end(j, s->now);
		r->nodes = an;
		r->nnodes = running_nodes(s, js, j, an);
		if (r->nnodes)
			s->nrunning++;
	}
}

double
sched_snap_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
sched_snap_run(struct sched_snap *s, struct sched *sc)
{
	struct sched_snap_part *p;
	double t0;

	if (s->delay_ms > 0) {
		struct timespec d = { s->delay_ms / 1000,
				      (s->delay_ms % 1000) * 1000000L };

		nanosleep(&d, NULL);
	}
	for (p = s->parts; p; p = p->next)
		if (p->install)
			p->install(sc, p->data);
	t0 = sched_snap_mono();
	sched_set_accounts(sc, accounts_pass_view(s->acct));
	s->rc = sched_plan_pass(sc, &s->popt, s->jobs, s->njobs, s->nodes,
				s->nnodes, s->running, s->nrunning, s->now,
				&s->plan, &s->err);
	sched_set_accounts(sc, NULL);
	s->pass_s = sched_snap_mono() - t0;
	for (p = s->parts; p; p = p->next)
		if (p->uninstall)
			p->uninstall(sc, p->data);
}
