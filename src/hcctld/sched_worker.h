/*
 * sched_worker: one thread that runs scheduling passes on snapshots, so the
 * loop keeps answering while a pass plans (DESIGN.md: long work runs on an
 * immutable snapshot in one worker, its result applied on the loop).
 *
 * At most one pass is in flight: the loop hands a snapshot over with
 * sched_worker_submit() only when sched_worker_busy() is false, and gets it
 * back, pass run, through done_fn on the loop. The struct sched belongs to
 * the worker while a pass is in flight: nothing on the loop may use it then.
 */
#ifndef SCHED_WORKER_H
#define SCHED_WORKER_H

#include <stdbool.h>

#include "hc_err.h"

struct event_base;
struct sched;
struct sched_snap;
struct sched_worker;

/* Called on the loop with the finished snapshot (the callee owns it). */
typedef void sched_worker_done_fn(struct sched_snap *s, void *arg);

/* Start the worker; sc is borrowed and must outlive it. */
struct sched_worker *sched_worker_create(struct event_base *base,
					 struct sched *sc,
					 sched_worker_done_fn *done_fn,
					 void *arg, struct hc_err *err);
/* Wait for the pass in flight, if any (its result is dropped), stop the
 * thread, free. NULL ok. */
void sched_worker_destroy(struct sched_worker *w);

/* Whether a pass is in flight (loop side). */
bool sched_worker_busy(const struct sched_worker *w);
/* Hand s (owned by the worker from now on) to the worker; !busy only. */
void sched_worker_submit(struct sched_worker *w, struct sched_snap *s);

#endif
