/*
 * sched_worker: the one thread that runs scheduling passes (see
 * sched_worker.h). One slot each way under one mutex: `todo` (loop ->
 * worker, with a condition variable) and `done` (worker -> loop, announced
 * by writing an eventfd). The worker touches only the snapshot it holds and
 * the struct sched, which nothing on the loop uses while a pass is in
 * flight. The pass may log (whole lines, under the stream's lock: see
 * log.c); the loop logs what the pass reports.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <event2/event.h>

#include "log.h"
#include "sched_snap.h"
#include "sched_worker.h"

struct sched_worker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sched_snap *todo, *done;
	bool stop;
	bool busy;		/* loop side: handed out, not yet back */
	bool started;
	pthread_t thread;
	int efd;
	struct event *ev;
	struct sched *sc;
	sched_worker_done_fn *done_fn;
	void *arg;
};

static void *
worker_main(void *p)
{
	struct sched_worker *w = p;
	struct sched_snap *s;
	uint64_t one = 1;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stop && !w->todo)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		s = w->todo;
		w->todo = NULL;
		pthread_mutex_unlock(&w->lock);

		sched_snap_run(s, w->sc);

		pthread_mutex_lock(&w->lock);
		w->done = s;
		if (write(w->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			hc_log(HC_LOG_ERR, "sched: eventfd write: %s",
			       strerror(errno));
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* On the loop: hand the finished pass to done_fn. */
static void
worker_on_done(evutil_socket_t fd, short what, void *p)
{
	struct sched_worker *w = p;
	struct sched_snap *s;
	uint64_t n;

	if (read(w->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		hc_log(HC_LOG_ERR, "sched: eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&w->lock);
	s = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->lock);
	if (!s)
		return;
	w->busy = false;
	w->done_fn(s, w->arg);
}

struct sched_worker *
sched_worker_create(struct event_base *base, struct sched *sc,
		    sched_worker_done_fn *done_fn, void *arg,
		    struct hc_err *err)
{
	struct sched_worker *w = hc_calloc(1, sizeof(*w));

	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->sc = sc;
	w->done_fn = done_fn;
	w->arg = arg;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		hc_err_set(err, HC_EIO, "sched: eventfd: %s", strerror(errno));
		goto fail;
	}
	w->ev = event_new(base, w->efd, EV_READ | EV_PERSIST, worker_on_done,
			  w);
	if (!w->ev || event_add(w->ev, NULL) < 0) {
		hc_err_set(err, HC_ENOMEM, "sched: cannot create its event");
		goto fail;
	}
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		hc_err_set(err, HC_ENOMEM, "sched: cannot start its worker");
		goto fail;
	}
	w->started = true;
	return w;
fail:
	sched_worker_destroy(w);
	return NULL;
}

bool
sched_worker_busy(const struct sched_worker *w)
{
	return w->busy;
}

void
sched_worker_submit(struct sched_worker *w, struct sched_snap *s)
{
	pthread_mutex_lock(&w->lock);
	w->todo = s;
	w->busy = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void
sched_worker_destroy(struct sched_worker *w)
{
	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);	/* after its pass, if any */
	}
	sched_snap_free(w->todo);
	sched_snap_free(w->done);
	if (w->ev)
		event_free(w->ev);
	if (w->efd >= 0)
		close(w->efd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
