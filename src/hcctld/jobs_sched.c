/*
 * jobs_sched: when scheduling passes run. The decisions live in libhcsched;
 * a pass runs in the worker (sched_worker.c) on a snapshot (sched_snap.c)
 * and its result is applied on the loop (sched_apply.c), each decision
 * checked against the generations of what it touches.
 *
 * Passes are coalesced: jobs_sched_request() arms one zero-delay event (at
 * most one pass per SCHED_MIN_GAP_MS, so a burst of submits costs a few
 * passes, not one each), and at most one pass is in flight: a request made
 * meanwhile marks the state dirty, and the pass's end asks for the next
 * one. A periodic tick also runs a pass every SchedulerInterval or
 * BackfillInterval, the shorter (BeginTime, lost launches, plans), and the
 * MinJobAge sweep.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include "conf.h"
#include "ctld.h"
#include "jobs.h"
#include "jobs_int.h"
#include "log.h"
#include "power.h"
#include "resv.h"
#include "sched.h"
#include "sched_snap.h"
#include "sched_worker.h"
#include "state.h"
#include "steps.h"

#define SCHED_MIN_GAP_MS 20
#define TICK_SECS 5

static long
ms_since(const struct timeval *t)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	return (now.tv_sec - t->tv_sec) * 1000 +
	       (now.tv_usec - t->tv_usec) / 1000;
}

void
jobs_sched_request(struct jobs *js)
{
	struct timeval tv = { 0, 0 };
	long gap;

	if (!js || !js->sched_ev)
		return;
	if (js->worker && sched_worker_busy(js->worker)) {
		js->sched_dirty = true;	/* after the pass in flight */
		return;
	}
	if (js->sched_queued)
		return;
	gap = ms_since(&js->last_pass);
	if (gap >= 0 && gap < SCHED_MIN_GAP_MS)
		tv.tv_usec = (SCHED_MIN_GAP_MS - gap) * 1000;
	js->sched_queued = true;
	event_add(js->sched_ev, &tv);
}

static void
jobs_pass_done(struct sched_snap *s, void *arg)
{
	struct jobs *js = arg;
	size_t dropped = 0;
	double t0 = sched_snap_mono();

	if (js->c->shutting_down) {
		sched_snap_free(s);
		return;
	}
	if (s->rc < 0)
		hc_log_limited("sched_pass", HC_LOG_ERR, "scheduling pass: %s",
			       s->err.text);
	else
		dropped = sched_snap_apply(js, s);
	if (s->rc >= 0 && js->c->power)
		power_burst(js->c->power, js, s);	/* cloud pools */
	js->passes++;
	js->pass_last_s = s->pass_s;
	if (s->pass_s > js->pass_max_s)
		js->pass_max_s = s->pass_s;
	/* The loop's share is build_secs and apply_secs; secs ran aside. */
	hc_log(HC_LOG_DEBUG, "scheduling pass jobs=%zu nodes=%zu running=%zu "
	       "started=%zu dropped=%zu planned=%zu secs=%.6f build_secs=%.6f "
	       "apply_secs=%.6f", s->njobs, s->nnodes, s->nrunning,
	       s->plan.started.count - dropped, dropped, s->plan.nplanned,
	       s->pass_s, s->build_s, sched_snap_mono() - t0);
	sched_snap_free(s);
	/* Asked for while it ran, or planned on state that moved: again. */
	if (js->sched_dirty || dropped)
		jobs_sched_request(js);
}

/* Snapshot now and hand it to the worker (or run it here, without one). */
static void
jobs_pass(struct jobs *js)
{
	struct sched_snap *s;
	double t0 = sched_snap_mono();

	gettimeofday(&js->last_pass, NULL);
	js->sched_dirty = false;
	s = sched_snap_build(js, time(NULL));
	s->build_s = sched_snap_mono() - t0;
	if (s->njobs == 0 || !js->c->sched) {
		if (js->c->power)
			power_plan_none(js->c->power);	/* nothing planned */
		sched_snap_free(s);
		return;
	}
	s->delay_ms = js->sched_delay_ms;
	if (js->worker) {
		sched_worker_submit(js->worker, s);
		return;
	}
	sched_snap_run(s, js->c->sched);
	jobs_pass_done(s, js);
}

static void
jobs_sched_cb(evutil_socket_t fd, short what, void *arg)
{
	struct jobs *js = arg;

	js->sched_queued = false;
	if (js->c->shutting_down)
		return;
	if (js->worker && sched_worker_busy(js->worker)) {
		js->sched_dirty = true;
		return;
	}
	jobs_pass(js);
}

static void
jobs_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct jobs *js = arg;
	struct hc_err err = { 0 };
	time_t now = time(NULL);
	long iv = js->c->conf->sched_interval;
	long biv = js->c->conf->backfill_interval;

	if (js->c->shutting_down)
		return;
	/* Plans age as running jobs near their ends: BackfillInterval. */
	if (biv > 0 && iv > 0 && biv < iv)
		iv = biv;
	jobs_sweep(js, now);
	steps_alloc_sweep(js->c, now);	/* owners gone: InactiveLimit */
	if (iv <= 0 || ms_since(&js->last_pass) >= iv * 1000)
		jobs_sched_request(js);
	if (state_dirty(js->c->state) && state_commit(js->c->state, &err) < 0)
		hc_log(HC_LOG_ERR, "cannot commit: %s", err.text);
}

/* HC_SCHED_PASS_DELAY_MS: a debugging knob (hcctld(8)) that makes every
 * pass sleep that long in the worker before it plans, so tests can watch
 * the controller answer while a pass is in flight. */
static long
debug_delay_ms(void)
{
	const char *v = getenv("HC_SCHED_PASS_DELAY_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;

	if (ms > 0)
		hc_log(HC_LOG_WARN, "HC_SCHED_PASS_DELAY_MS=%ld: every "
		       "scheduling pass waits that long (debugging only)", ms);
	return ms > 0 && ms <= 60000 ? ms : 0;
}

int
jobs_sched_init(struct jobs *js, struct hc_err *err)
{
	struct ctld *c = js->c;
	struct timeval tick = { TICK_SECS, 0 };

	if (!c->sched) {
		char **plugins = node_select_plugins(c->conf);
		struct sched_options o = {
			.plugin_dir = c->conf->plugin_dir,
			.plugins = (const char *const *)plugins,
			.params = (const char *const *)
				c->conf->scheduler_params,
		};

		c->sched = sched_create(&o, err);
		node_select_plugins_free(plugins);
		if (!c->sched)
			return hc_err_prefix(err, "SchedulerPlugins: ");
		js->own_sched = true;
		hc_log(HC_LOG_INFO, "scheduler plugins=%s",
		       sched_plugin_names(c->sched));
	}
	if (!c->base)
		return 0;
	js->sched_delay_ms = debug_delay_ms();
	js->worker = sched_worker_create(c->base, c->sched, jobs_pass_done, js,
					 err);
	if (!js->worker)
		return -1;
	js->sched_ev = event_new(c->base, -1, 0, jobs_sched_cb, js);
	js->tick_ev = event_new(c->base, -1, EV_PERSIST, jobs_tick_cb, js);
	if (!js->sched_ev || !js->tick_ev)
		return hc_err_set(err, HC_ENOMEM, "cannot create events");
	event_add(js->tick_ev, &tick);
	jobs_sched_request(js);
	return 0;
}

void
jobs_sched_fini(struct jobs *js)
{
	sched_worker_destroy(js->worker);	/* before c->sched goes */
	js->worker = NULL;
	if (js->sched_ev)
		event_free(js->sched_ev);
	if (js->tick_ev)
		event_free(js->tick_ev);
	js->sched_ev = js->tick_ev = NULL;
	if (js->own_sched) {
		sched_destroy(js->c->sched);
		js->c->sched = NULL;
		js->own_sched = false;
	}
}
