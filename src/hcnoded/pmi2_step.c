/*
 * pmi2_step: `hcrun --mpi=pmi2` on this node: a simple-PMI server
 * (src/common/pmi2.c) for the step's tasks here. Each task gets one end of
 * a socketpair as fd 3 with PMI_FD=3, PMI_RANK (its task id) and PMI_SIZE;
 * the agent keeps the other end on its loop. A fence's puts go to hcrun on
 * the step's stream (STEP_PMI), which answers with every node's once all
 * have sent theirs; a one-node step completes its fences here. A rank
 * whose PMI connection ends before it finalized died in the middle of the
 * job: hcrun is told (STEP_PMI abort) and ends the step, saying which.
 * Each client's wire version is logged (`pmi version=1 rank=R`).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "log.h"
#include "msg.h"
#include "noded.h"
#include "pmi2.h"
#include "pmi2_step.h"
#include "step.h"

struct pmi2_client {
	struct pmi2_step *ps;
	int local;
	int child_fd;		/* the task's end until it is forked */
	struct bufferevent *bev;
	bool logged;
};

struct pmi2_step {
	struct step_node *sn;
	struct pmi2_srv *srv;
	struct pmi2_client *c;
	uint32_t n;
	bool multi;		/* several nodes: fences go through hcrun */
	bool aborted;
};

static void
on_send(void *arg, int client, const char *data, size_t len)
{
	struct pmi2_step *ps = arg;

	if (ps->c[client].bev)
		bufferevent_write(ps->c[client].bev, data, len);
}

static void
on_fence(void *arg, unsigned seq, json_t *puts)
{
	struct pmi2_step *ps = arg;
	json_t *b;

	if (!ps->multi) {
		pmi2_fence_done(ps->srv, seq, puts);
		json_decref(puts);
		return;
	}
	b = json_pack("{s:I,s:o}", "seq", (json_int_t)seq, "kvs", puts);
	if (!ps->sn->sc || stream_send(ps->sn->sc, HC_MSG_STEP_PMI, b) < 0)
		hc_log(HC_LOG_WARN, "job=%u step=%u PMI fence %u: the step's "
		       "stream is gone", ps->sn->cred.job_id,
		       ps->sn->cred.step_id, seq);
	json_decref(b);
}

static void
step_abort(struct pmi2_step *ps, const char *why)
{
	json_t *b;

	if (ps->aborted)
		return;
	ps->aborted = true;
	hc_log(HC_LOG_INFO, "job=%u step=%u %s", ps->sn->cred.job_id,
	       ps->sn->cred.step_id, why);
	b = json_pack("{s:s}", "abort", why);
	if (ps->sn->sc)
		stream_send(ps->sn->sc, HC_MSG_STEP_PMI, b);
	json_decref(b);
}

static void
on_abort(void *arg, int client, int code, const char *msg)
{
	struct pmi2_step *ps = arg;
	char why[256];

	snprintf(why, sizeof(why), "task %u aborted the MPI job (code %d): %s",
		 ps->sn->tasks[client].id, code, msg);
	step_abort(ps, why);
}

static void
client_close(struct pmi2_client *c)
{
	if (c->bev)
		bufferevent_free(c->bev);
	c->bev = NULL;
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct pmi2_client *c = arg;
	struct pmi2_step *ps = c->ps;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct hc_err err = { 0 };
	char buf[4096];
	size_t n;

	while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0) {
		if (pmi2_input(ps->srv, c->local, buf, n, &err) < 0) {
			hc_log(HC_LOG_WARN, "job=%u step=%u task=%u PMI: %s",
			       ps->sn->cred.job_id, ps->sn->cred.step_id,
			       ps->sn->tasks[c->local].id, err.text);
			client_close(c);
			return;
		}
		if (!c->logged && pmi2_version(ps->srv, c->local)) {
			c->logged = true;
			hc_log(HC_LOG_INFO, "job=%u step=%u pmi version=%d "
			       "rank=%u", ps->sn->cred.job_id,
			       ps->sn->cred.step_id,
			       pmi2_version(ps->srv, c->local),
			       ps->sn->tasks[c->local].id);
		}
	}
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct pmi2_client *c = arg;
	struct pmi2_step *ps = c->ps;
	char why[160];

	(void)bev;
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	client_close(c);
	if (pmi2_version(ps->srv, c->local) &&
	    !pmi2_finalized(ps->srv, c->local)) {
		snprintf(why, sizeof(why), "task %u ended before "
			 "MPI_Finalize", ps->sn->tasks[c->local].id);
		step_abort(ps, why);
	}
}

struct pmi2_step *
pmi2_step_create(struct step_node *sn, struct hc_err *err)
{
	const char *map = json_string_value(json_object_get(sn->hello,
							    "pmi_mapping"));
	struct pmi2_ops ops = { on_send, on_fence, on_abort };
	struct pmi2_step *ps = hc_calloc(1, sizeof(*ps));
	int *ranks = hc_calloc(sn->ntasks + 1, sizeof(int));
	char jobid[64];
	struct pmi2_info info = { .jobid = jobid, .mapping = map ? map : "",
				  .ranks = ranks, .nclients =
				  (int)sn->ntasks };

	snprintf(jobid, sizeof(jobid), "hc_%u_%u", sn->cred.job_id,
		 sn->cred.step_id);
	info.size = (int)json_integer_value(json_object_get(sn->hello,
							    "ntasks"));
	for (uint32_t i = 0; i < sn->ntasks; i++)
		ranks[i] = (int)sn->tasks[i].id;
	ps->sn = sn;
	ps->n = sn->ntasks;
	ps->multi = json_integer_value(json_object_get(sn->hello,
						       "nnodes")) > 1;
	ps->srv = pmi2_create(&info, &ops, ps, err);
	free(ranks);
	if (!ps->srv) {
		free(ps);
		return NULL;
	}
	ps->c = hc_calloc(sn->ntasks + 1, sizeof(*ps->c));
	for (uint32_t i = 0; i < sn->ntasks; i++) {
		int sv[2];
		struct pmi2_client *c = &ps->c[i];

		c->ps = ps;
		c->local = (int)i;
		c->child_fd = -1;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
			       sv) < 0) {
			hc_err_set(err, HC_EIO, "socketpair: %s",
				   strerror(errno));
			pmi2_step_destroy(ps);
			return NULL;
		}
		c->child_fd = sv[1];
		c->bev = bufferevent_socket_new(sn->nd->base, sv[0],
						BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
		bufferevent_enable(c->bev, EV_READ);
	}
	return ps;
}

int
pmi2_step_child_fd(const struct pmi2_step *ps, uint32_t local)
{
	return ps && local < ps->n ? ps->c[local].child_fd : -1;
}

void
pmi2_step_forked(struct pmi2_step *ps, uint32_t local)
{
	if (!ps || local >= ps->n || ps->c[local].child_fd < 0)
		return;
	close(ps->c[local].child_fd);
	ps->c[local].child_fd = -1;
}

void
pmi2_step_on_frame(struct pmi2_step *ps, json_t *body)
{
	json_t *kvs = json_object_get(body, "kvs");

	if (!ps || !json_is_object(kvs))
		return;
	pmi2_fence_done(ps->srv, (unsigned)json_integer_value(
			json_object_get(body, "seq")), kvs);
}

void
pmi2_step_destroy(struct pmi2_step *ps)
{
	if (!ps)
		return;
	for (uint32_t i = 0; ps->c && i < ps->n; i++) {
		client_close(&ps->c[i]);
		if (ps->c[i].child_fd >= 0)
			close(ps->c[i].child_fd);
	}
	free(ps->c);
	pmi2_destroy(ps->srv);
	free(ps);
}
