/*
 * sim: the trace replay's event loop (see sim.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fairshare.h"
#include "sched_account.h"
#include "sched_resv.h"
#include "sim_acct.h"
#include "log.h"
#include "plan.h"
#include "sched.h"
#include "sim.h"
#include "sim_int.h"

#define BSLD_TAU 10.0



static void
machine_build(struct sim_machine *m, const struct sim_opts *o)
{
	/* Without nodes, one node class of `procs` CPUs. A cloud pool would
	 * append its nodes here (usable = false while powered down). */
	m->nnodes = o->nodes ? o->nnodes : 1;
	m->nodes = hc_calloc(m->nnodes, sizeof(*m->nodes));
	if (!o->nodes) {
		m->nodes[0] = (struct sched_node){
			.name = "swf", .index = 0, .usable = true,
			.cpus = (uint32_t)o->procs,
			.cpu_used = hc_calloc((size_t)o->procs, 1),
			.queue_mask = 1,
		};
		return;
	}
	for (size_t i = 0; i < m->nnodes; i++) {
		struct sched_node *n = &m->nodes[i];

		*n = (struct sched_node){
			.name = o->nodes[i].name, .index = (uint32_t)i,
			.usable = true, .cpus = o->nodes[i].cpus,
			.cpu_used = hc_calloc(o->nodes[i].cpus ?
					      o->nodes[i].cpus : 1, 1),
			.mem_mb = o->nodes[i].mem_mb,
			.gpu_count = o->nodes[i].gpu_count,
			.queue_mask = 1,
		};
		memcpy(n->gpus, o->nodes[i].gpus, sizeof(n->gpus));
	}
}

/* The nodes a job of p processors asks (see sim.h), and whether the
 * machine has that many nodes of enough CPUs. */
static bool
machine_shape(const struct sim_machine *m, int64_t p, uint32_t *nnodes)
{
	uint32_t cmax = 0, per, fit = 0;

	for (size_t i = 0; i < m->nnodes; i++)
		if (m->nodes[i].cpus > cmax)
			cmax = m->nodes[i].cpus;
	if (m->nnodes == 1 || !cmax) {
		*nnodes = 1;
		return true;
	}
	*nnodes = (uint32_t)((p + cmax - 1) / cmax);
	per = (uint32_t)((p + *nnodes - 1) / *nnodes);
	for (size_t i = 0; i < m->nnodes; i++)
		fit += m->nodes[i].cpus >= per;
	return fit >= *nnodes;
}

static void
machine_free(struct sim_machine *m)
{
	for (size_t i = 0; i < m->nnodes; i++)
		free(m->nodes[i].cpu_used);
	free(m->nodes);
}

/* ---- the heap of running jobs by end ---------------------------------- */

static bool
heap_less(struct sim *x, size_t a, size_t b)
{
	const struct sim_job *p = &x->jobs[x->heap[a]];
	const struct sim_job *q = &x->jobs[x->heap[b]];

	return p->end != q->end ? p->end < q->end : x->heap[a] < x->heap[b];
}

static void
heap_swap(struct sim *x, size_t a, size_t b)
{
	uint32_t t = x->heap[a];

	x->heap[a] = x->heap[b];
	x->heap[b] = t;
}

static void
heap_push(struct sim *x, uint32_t j)
{
	size_t k = x->nheap++;

	x->heap[k] = j;
	while (k && heap_less(x, k, (k - 1) / 2)) {
		heap_swap(x, k, (k - 1) / 2);
		k = (k - 1) / 2;
	}
}

static uint32_t
heap_pop(struct sim *x)
{
	uint32_t top = x->heap[0];
	size_t k = 0;

	x->heap[0] = x->heap[--x->nheap];
	for (;;) {
		size_t l = 2 * k + 1, r = l + 1, m = k;

		if (l < x->nheap && heap_less(x, l, m))
			m = l;
		if (r < x->nheap && heap_less(x, r, m))
			m = r;
		if (m == k)
			break;
		heap_swap(x, k, m);
		k = m;
	}
	return top;
}

/* ---- jobs ---------------------------------------------------------------- */

static int
job_submit_cmp(const void *a, const void *b)
{
	const struct sim_job *x = a, *y = b;

	if (x->w->submit != y->w->submit)
		return x->w->submit < y->w->submit ? -1 : 1;
	return x->w < y->w ? -1 : x->w > y->w;
}

/* Keep the jobs that fit, in submit order; estimate = requested time,
 * else the run time; runs capped at the estimate. */
static void
jobs_load(struct sim *x, const struct swf_trace *t)
{
	x->jobs = hc_calloc(t->count ? t->count : 1, sizeof(*x->jobs));
	for (size_t i = 0; i < t->count; i++) {
		const struct swf_job *w = &t->jobs[i];
		struct sim_job *j = &x->jobs[x->njobs];

		long wall;

		if (w->procs <= 0 || w->procs > x->o->procs || w->run < 0 ||
		    !machine_shape(&x->m, w->procs, &j->req_nodes)) {
			x->st->dropped++;
			continue;
		}
		j->w = w;
		j->est = w->req_time > 0 ? w->req_time : w->run;
		if (j->est < 1)
			j->est = 1;	/* a limit of 0 would mean none */
		/* A QOS's MaxWall refuses it at submit (sim_acct.c). */
		wall = sim_acct_max_wall(x->o->acct,
					 sim_acct_assoc(x->o->acct, w->user));
		if (wall > 0 && j->est > wall * 60) {
			x->st->dropped++;
			continue;
		}
		j->run = w->run < j->est ? w->run : j->est;
		j->boot_node = -1;
		x->njobs++;
	}
	qsort(x->jobs, x->njobs, sizeof(*x->jobs), job_submit_cmp);
}

static void
job_view(const struct sim *x, uint32_t k, struct sched_job *v)
{
	const struct sim_job *j = &x->jobs[k];

	*v = (struct sched_job){
		.id = k, .uid = j->w->user > 0 ? (uint32_t)j->w->user : 0,
		.submit_time = j->w->submit, .queue = 0,
		.nodes_min = j->req_nodes, .ntasks = (uint32_t)j->w->procs,
		.cpus_per_task = 1, .time_limit_sec = j->est,
		.assoc = sim_acct_assoc(x->o->acct, j->w->user),
		.qos = sim_acct_qos(x->o->acct,
				    sim_acct_assoc(x->o->acct, j->w->user)),
	};
}

/* Charge job k's fair-share usage up to `until` (hc-priority(7)): to
 * its user (the trace's uid) under the account it is charged to. */
static void
job_charge(struct sim *x, uint32_t k, int64_t until)
{
	struct sim_job *j = &x->jobs[k];
	const struct sched_acct_view *v = sim_acct_view(x->o->acct);
	uint32_t assoc = sim_acct_assoc(x->o->acct, j->w->user);
	char key[FS_KEY_MAX], uid[24];

	if (!x->o->usage || until <= j->charged)
		return;
	snprintf(uid, sizeof(uid), "%lld",
		 (long long)(j->w->user > 0 ? j->w->user : 0));
	fs_key_user(sched_assoc_account(v, assoc),
		    v && assoc < v->naccts && v->accts[assoc].is_user
			    ? v->accts[assoc].name : uid, key, sizeof(key));
	fs_ledger_charge(x->o->usage, key,
			 x->o->usage_rate * (double)j->w->procs,
			 (time_t)j->charged, (time_t)until);
	j->charged = until;
}

static void
job_end(struct sim *x, uint32_t k)
{
	struct sim_job *j = &x->jobs[k];
	size_t last = --x->nrunning;

	cloud_job_end(x, k);
	for (uint32_t n = 0; n < j->nnodes; n++) {
		struct sched_alloc_node *an = &j->alloc[n];
		struct sched_node *nd = &x->m.nodes[an->node];

		for (uint32_t c = 0; c < an->ncpus; c++)
			nd->cpu_used[an->cpu_ids[c]] = 0;
		x->free_cpus += an->ncpus;
		nd->mem_used_mb -= an->mem_mb;
		nd->running_jobs--;
		free(an->cpu_ids);
	}
	free(j->alloc);
	j->alloc = NULL;
	job_charge(x, k, j->end);
	sim_acct_end(x->o->acct, sim_acct_assoc(x->o->acct, j->w->user),
		     j->w->user > 0 ? (uint32_t)j->w->user : 0,
		     (long)j->w->procs, (long)((j->est + 59) / 60), j->run);
	/* swap-remove from running[] */
	x->running[j->runpos] = x->running[last];
	x->runjob[j->runpos] = x->runjob[last];
	x->jobs[x->runjob[j->runpos]].runpos = j->runpos;
}

static void
check_fail(struct sim *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
check_fail(struct sim *x, const char *fmt, ...)
{
	va_list ap;

	if (x->st->violations++ < 20) {
		va_start(ap, fmt);
		fprintf(stderr, "hcsim: check: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
}

/* Take the allocation (the result keeps no CPU ids: they move here). */
static void
job_start(struct sim *x, struct sched_alloc *a, int64_t now)
{
	struct sim_job *j = &x->jobs[a->job];

	j->start = now;
	j->charged = now;
	if (a->nnodes && a->nodes[0].node >= x->nlocal)
		x->st->cloud_jobs++;
	j->end = now + j->run;
	j->nnodes = a->nnodes;
	j->alloc = a->nodes;
	for (uint32_t n = 0; n < a->nnodes; n++)
		x->free_cpus -= a->nodes[n].ncpus;
	a->nodes = NULL;
	a->nnodes = 0;
	j->runpos = x->nrunning;
	x->runjob[x->nrunning] = a->job;
	x->running[x->nrunning++] = (struct sched_running){
		.id = a->job, .end = now + j->est, .nnodes = j->nnodes,
		.nodes = j->alloc,
	};
	heap_push(x, a->job);
}

/* Does job a come before job b in the pass's order (priority, then submit
 * time, then id)? */
static bool
order_before(const struct sched_job *a, const struct sched_job *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	if (a->submit_time != b->submit_time)
		return a->submit_time < b->submit_time;
	return a->id < b->id;
}

/* FCFS: every job the pass started comes before every job still waiting
 * (one queue), in the pass's order; jobs held by a quota excepted. */
static void
check_fcfs(struct sim *x)
{
	const struct sched_job *last = NULL, *first = NULL;

	for (size_t i = 0; i < x->npend; i++) {
		const struct sched_job *v = &x->pend[i];
		bool started = x->jobs[v->id].alloc != NULL;

		/* A job a tree quota holds (--accounts) may not start at
		 * all: it is out of the queue's order, not overtaken. */
		if (!started && (!strncmp(v->reason, "Quota", 5) ||
				 !strncmp(v->reason, "QOS", 3)))
			continue;
		if (started && (!last || order_before(last, v)))
			last = v;
		if (!started && (!first || order_before(v, first)))
			first = v;
	}
	if (last && first && order_before(first, last))
		check_fail(x, "job %lld started before job %lld, which is "
			   "ahead of it (FCFS)",
			   (long long)x->jobs[last->id].w->id,
			   (long long)x->jobs[first->id].w->id);
}

/* After a pass, for EASY: a job that is overtaken (a job ahead of it in
 * this pass's order started) may rightly see its reservation move later;
 * a higher-priority arrival, by fair-share say, takes what it needed.
 * Mark every job (started or not) behind the first job that started. */
static void
check_mark_overtaken(struct sim *x)
{
	const struct sched_job *first = NULL;

	for (size_t i = 0; i < x->npend; i++) {
		const struct sched_job *v = &x->pend[i];

		if (x->jobs[v->id].alloc && (!first || order_before(v, first)))
			first = v;
	}
	for (size_t i = 0; first && i < x->npend; i++)
		if (order_before(first, &x->pend[i]))
			x->jobs[x->pend[i].id].overtaken = true;
}

/* A job started now: never later than promised. Conservative: than its
 * first plan. EASY: than its last reservation, unless a job ahead of it
 * started since (only a backfilled job may not delay it). */
static void
check_start(struct sim *x, const struct sim_job *j, int64_t now)
{
	bool easy = x->o->depth == 1;
	time_t promised = easy ? j->last_plan : j->first_plan;

	if (!promised || now <= promised || (easy && j->overtaken))
		return;
	check_fail(x, "job %lld started at %lld, after its planned start "
		   "%lld%s", (long long)j->w->id, (long long)now,
		   (long long)promised,
		   easy ? " (EASY: delayed by a backfilled job)" : "");
}

/* After a pass: plans never move later (EASY: unless overtaken, as
 * above); remember promises. */
static void
plans_note(struct sim *x, struct sched_job *v)
{
	struct sim_job *j = &x->jobs[v->id];
	bool easy = x->o->depth == 1;

	if (!v->plan_start && !v->promised)
		return;
	v->promised = v->plan_start;
	/* Conservative keeps a promise on its nodes (plan.c): hand them
	 * back, as hcctld does. */
	v->promised_nodes = v->plan_start ? j->pnodes : NULL;
	v->npromised_nodes = v->plan_start ? j->npnodes : 0;
	if (!v->plan_start)
		return;
	if (x->o->check && j->last_plan && v->plan_start > j->last_plan &&
	    !(easy && j->overtaken))
		check_fail(x, "job %lld planned at %lld, later than its "
			   "earlier plan %lld%s", (long long)j->w->id,
			   (long long)v->plan_start, (long long)j->last_plan,
			   easy ? " (EASY: a backfilled job delayed its "
				  "reservation)" : "");
	if (!j->first_plan)
		j->first_plan = v->plan_start;
	j->last_plan = v->plan_start;
	j->overtaken = false;
}

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One planning pass at `now`; start what it says; keep the rest. */
static int
pass_run(struct sim *x, int64_t now, struct hc_err *err)
{
	struct sched_plan_options po = { .depth = x->o->depth,
					 .test_break = x->o->test_break };
	struct sched_plan plan = { 0 };
	size_t keep = 0;
	double t0 = mono_now(), dt;
	int rc;

	rc = sched_plan_pass(x->o->sched, &po, x->pend, x->npend, x->m.nodes,
			     x->m.nnodes, x->running, x->nrunning,
			     (time_t)now, &plan, err);
	dt = mono_now() - t0;
	x->st->passes++;
	x->st->pass_avg_s += dt;
	if (dt > x->st->pass_max_s)
		x->st->pass_max_s = dt;
	if (rc < 0)
		return -1;
	for (size_t k = 0; k < plan.started.count; k++)
		job_start(x, &plan.started.allocs[k], now);
	if (x->o->check && x->o->depth == 0 && plan.started.count)
		check_fcfs(x);
	if (x->o->check && x->o->depth == 1 && plan.started.count)
		check_mark_overtaken(x);
	for (size_t k = 0; k < plan.nplanned; k++) {
		struct sim_job *j = &x->jobs[plan.planned[k].job];

		j->npnodes = plan.planned[k].nnodes;
		j->pnodes = hc_realloc(j->pnodes, (j->npnodes ? j->npnodes
							      : 1) *
				       sizeof(*j->pnodes));
		memcpy(j->pnodes, plan.planned[k].nodes,
		       j->npnodes * sizeof(*j->pnodes));
	}
	for (size_t k = 0; x->o->check && k < plan.started.count; k++)
		check_start(x, &x->jobs[plan.started.allocs[k].job], now);
	for (size_t i = 0; i < x->npend; i++) {
		if (plan.started.count && x->jobs[x->pend[i].id].alloc)
			continue;
		plans_note(x, &x->pend[i]);
		if (keep != i)
			x->pend[keep] = x->pend[i];
		keep++;
	}
	x->npend = keep;
	sched_plan_free(&plan);
	return 0;
}

static int
wait_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
stats_finish(struct sim *x)
{
	struct sim_stats *st = x->st;
	double *waits = hc_malloc((x->njobs ? x->njobs : 1) * sizeof(*waits));
	double work = 0, sw = 0, sb = 0;
	int64_t first = x->njobs ? x->jobs[0].w->submit : 0, last = first;

	for (size_t i = 0; i < x->njobs; i++) {
		const struct sim_job *j = &x->jobs[i];
		double wait = (double)(j->start - j->w->submit);
		double run = (double)j->run;
		double b = (wait + run) / (run > BSLD_TAU ? run : BSLD_TAU);

		if (x->o->schedule)
			fprintf(x->o->schedule, "job %lld submit %lld start "
				"%lld end %lld procs %lld\n",
				(long long)j->w->id, (long long)j->w->submit,
				(long long)j->start, (long long)j->end,
				(long long)j->w->procs);
		waits[i] = wait;
		sw += wait;
		sb += b > 1 ? b : 1;
		work += run * (double)j->w->procs;
		if (j->end > last)
			last = j->end;
	}
	st->jobs = x->njobs;
	st->makespan = (double)(last - first);
	if (st->makespan > 0)
		st->utilization = work / ((double)x->o->procs * st->makespan);
	if (x->njobs) {
		qsort(waits, x->njobs, sizeof(*waits), wait_cmp);
		st->avg_wait = sw / (double)x->njobs;
		st->avg_bsld = sb / (double)x->njobs;
		/* median: the mean of the middle two; p95: nearest rank */
		st->median_wait = (waits[(x->njobs - 1) / 2] +
				   waits[x->njobs / 2]) / 2;
		st->p95_wait = waits[(size_t)(0.95 * (double)x->njobs +
					      0.999999) - 1];
	}
	if (st->passes)
		st->pass_avg_s /= (double)st->passes;
	free(waits);
}

/* The first reservation start or end after `after`, or INT64_MAX. */
static int64_t
resv_next(const struct sim_opts *o, int64_t after)
{
	int64_t t = INT64_MAX;

	for (size_t i = 0; i < o->nresv; i++) {
		if (o->resv[i].start > after && o->resv[i].start < t)
			t = o->resv[i].start;
		if (o->resv[i].end > after && o->resv[i].end < t)
			t = o->resv[i].end;
	}
	return t;
}

int
sim_run(const struct swf_trace *t, const struct sim_opts *o,
	struct sim_stats *st, struct hc_err *err)
{
	struct sim x = { .o = o, .st = st };
	size_t next = 0, done = 0;
	int64_t last = INT64_MIN;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	machine_build(&x.m, o);
	sched_set_accounts(o->sched, sim_acct_view(o->acct));
	sched_resv_use(o->sched, o->resv, o->nresv);
	jobs_load(&x, t);
	cloud_build(&x);
	for (size_t i = 0; i < x.m.nnodes; i++)
		x.free_cpus += x.m.nodes[i].cpus;
	x.pend = hc_malloc((x.njobs + 1) * sizeof(*x.pend));
	x.running = hc_malloc((x.njobs + 1) * sizeof(*x.running));
	x.runjob = hc_malloc((x.njobs + 1) * sizeof(*x.runjob));
	x.heap = hc_malloc((x.njobs + 1) * sizeof(*x.heap));
	while (done < x.njobs) {
		int64_t now = INT64_MAX;

		if (next < x.njobs)
			now = x.jobs[next].w->submit;
		if (x.nheap && x.jobs[x.heap[0]].end < now)
			now = x.jobs[x.heap[0]].end;
		if (x.npend && resv_next(o, last) < now)
			now = resv_next(o, last);	/* window edge */
		if (cloud_next(&x) < now)
			now = cloud_next(&x);	/* a boot ends, an idle one */
		last = now;
		while (x.nheap && x.jobs[x.heap[0]].end <= now) {
			job_end(&x, heap_pop(&x));
			done++;
		}
		while (next < x.njobs && x.jobs[next].w->submit <= now)
			job_view(&x, (uint32_t)next++, &x.pend[x.npend++]);
		for (size_t r = 0; x.npend && r < x.nrunning; r++)
			job_charge(&x, x.runjob[r], now);
		cloud_events(&x, now);
		/* FCFS and EASY carry nothing from pass to pass, so a pass
		 * with every CPU held (SWF jobs all ask for one) can start
		 * nothing and is skipped; conservative's would make
		 * promises. (A cloud pool's CPUs count as free: its nodes
		 * may be started or be up.) */
		if (x.npend && (o->depth > 1 || x.free_cpus > 0))
			cloud_allow(&x);
		if (x.npend && (o->depth > 1 || x.free_cpus > 0) &&
		    (rc = pass_run(&x, now, err)) < 0)
			break;
		cloud_decide(&x, now);
		if (x.npend && !x.nheap && next == x.njobs &&
		    resv_next(o, now) == INT64_MAX &&
		    cloud_next(&x) == INT64_MAX) {
			rc = hc_err_set(err, HC_EINTERNAL, "%zu jobs can "
					"never start on an idle machine",
					x.npend);
			break;
		}
	}
	if (rc == 0) {
		stats_finish(&x);
		cloud_finish(&x, last);
	}
	for (size_t i = 0; i < x.njobs; i++)
		free(x.jobs[i].pnodes);
	for (size_t i = 0; i < x.njobs; i++)
		if (x.jobs[i].alloc) {
			for (uint32_t n = 0; n < x.jobs[i].nnodes; n++)
				free(x.jobs[i].alloc[n].cpu_ids);
			free(x.jobs[i].alloc);
		}
	free(x.pend);
	free(x.running);
	free(x.runjob);
	free(x.heap);
	free(x.jobs);
	machine_free(&x.m);
	free(x.cn);
	free(x.starts);
	sched_set_accounts(o->sched, NULL);
	sched_resv_use(o->sched, NULL, 0);
	return rc;
}
