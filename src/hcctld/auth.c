/*
 * auth: munge decode workers (see auth.h).
 *
 * Two queues under one mutex: `todo` (loop -> workers, with a condition
 * variable) and `done` (workers -> loop, announced by writing the eventfd;
 * the loop drains the whole list on each wake-up). The workers touch only
 * the jobs they hold, so nothing of the controller is shared with them.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <event2/event.h>

#include "auth.h"
#include "frame.h"
#include "hmunge.h"
#include "log.h"

#define AUTH_MAX_THREADS 8

struct auth {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct auth_job *todo, **todo_tail;
	struct auth_job *done, **done_tail;
	bool stop;
	pthread_t threads[AUTH_MAX_THREADS];
	int nthreads;
	int efd;
	struct event *ev;
	char *socket;
	auth_done_fn *done_fn;
	void *arg;
};

void
auth_job_free(struct auth_job *job)
{
	if (!job)
		return;
	free(job->cred);
	free(job->body);
	free(job);
}

static void
auth_decode(const char *socket, struct auth_job *job)
{
	uint8_t digest[HC_FRAME_DIGEST_LEN];

	hc_frame_digest(job->type, job->reqid, job->body, job->body_len,
			digest);
	job->rc = hmunge_decode(socket, job->cred, job->cred_len, digest,
				sizeof(digest), &job->uid, &job->gid,
				&job->err);
}

static void *
auth_worker(void *p)
{
	struct auth *a = p;
	struct auth_job *job;
	uint64_t one = 1;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (!a->stop && !a->todo)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->stop)
			break;
		job = a->todo;
		a->todo = job->next;
		if (!a->todo)
			a->todo_tail = &a->todo;
		pthread_mutex_unlock(&a->lock);

		auth_decode(a->socket, job);

		pthread_mutex_lock(&a->lock);
		job->next = NULL;
		*a->done_tail = job;
		a->done_tail = &job->next;
		if (write(a->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			hc_log(HC_LOG_ERR, "auth: eventfd write: %s",
			       strerror(errno));
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* On the loop: hand every finished job to done_fn. */
static void
auth_on_done(evutil_socket_t fd, short what, void *p)
{
	struct auth *a = p;
	struct auth_job *list, *next;
	uint64_t n;

	if (read(a->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		hc_log(HC_LOG_ERR, "auth: eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&a->lock);
	list = a->done;
	a->done = NULL;
	a->done_tail = &a->done;
	pthread_mutex_unlock(&a->lock);
	for (; list; list = next) {
		next = list->next;
		list->next = NULL;
		a->done_fn(list, a->arg);
	}
}

void
auth_submit(struct auth *a, struct auth_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&a->lock);
	*a->todo_tail = job;
	a->todo_tail = &job->next;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

struct auth *
auth_create(struct event_base *base, const char *socket, int nthreads,
	    auth_done_fn *done_fn, void *arg, struct hc_err *err)
{
	struct auth *a = hc_calloc(1, sizeof(*a));

	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	a->todo_tail = &a->todo;
	a->done_tail = &a->done;
	a->socket = socket ? hc_strdup(socket) : NULL;
	a->done_fn = done_fn;
	a->arg = arg;
	a->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->efd < 0) {
		hc_err_set(err, HC_EIO, "auth: eventfd: %s", strerror(errno));
		goto fail;
	}
	a->ev = event_new(base, a->efd, EV_READ | EV_PERSIST, auth_on_done, a);
	if (!a->ev || event_add(a->ev, NULL) < 0) {
		hc_err_set(err, HC_EIO, "auth: cannot watch the eventfd");
		goto fail;
	}
	if (nthreads < 1 || nthreads > AUTH_MAX_THREADS)
		nthreads = 2;
	for (; a->nthreads < nthreads; a->nthreads++) {
		int rc = pthread_create(&a->threads[a->nthreads], NULL,
					auth_worker, a);
		if (rc) {
			hc_err_set(err, HC_EIO, "auth: pthread_create: %s",
				   strerror(rc));
			goto fail;
		}
	}
	return a;
fail:
	auth_destroy(a);
	return NULL;
}

static void
jobs_free(struct auth_job *list)
{
	struct auth_job *next;

	for (; list; list = next) {
		next = list->next;
		auth_job_free(list);
	}
}

void
auth_destroy(struct auth *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	for (int i = 0; i < a->nthreads; i++)
		pthread_join(a->threads[i], NULL);
	jobs_free(a->todo);
	jobs_free(a->done);
	if (a->ev)
		event_free(a->ev);
	if (a->efd >= 0)
		close(a->efd);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
	free(a->socket);
	free(a);
}
