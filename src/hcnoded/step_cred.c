/*
 * step_cred: credentials towards other nodes of a job, for hc-rsh. The
 * agent asks the controller over its own connection (STEP_CRED_REQ, with a
 * request number of its own) and the answer comes back as STEP_CRED_GRANT
 * with that number. A request the controller has not answered within
 * CRED_WAIT_SECS (or that cannot be sent: the controller is away) fails
 * with an error, so a launcher waiting on it never hangs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "msg.h"
#include "noded.h"
#include "step.h"

#define CRED_WAIT_SECS 30

struct cred_wait {
	struct cred_wait *next;
	struct noded *nd;
	uint32_t req;
	step_cred_fn *fn;
	void *arg;
	struct event *timer;
};

static void
wait_unlink(struct noded *nd, struct cred_wait *w)
{
	struct step_reg *r = step_reg_get(nd);

	for (struct cred_wait **pp = &r->waits; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	event_free(w->timer);
	free(w);
}

static void
on_wait_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct cred_wait *w = arg;
	step_cred_fn *fn = w->fn;
	void *fa = w->arg;

	(void)fd, (void)what;
	wait_unlink(w->nd, w);
	fn(fa, HC_ETIMEDOUT, "the controller did not answer the credential "
	   "request", NULL, 0, NULL, 0);
}

void
step_cred_request(struct noded *nd, uint32_t job_id, const char *host,
		  step_cred_fn *fn, void *arg)
{
	struct step_reg *r = step_reg_get(nd);
	struct cred_wait *w;
	struct timeval tv = { CRED_WAIT_SECS, 0 };

	if (!ctl_conn_registered(nd->ctl)) {
		fn(arg, HC_ECONN, "the controller is not reachable now", NULL,
		   0, NULL, 0);
		return;
	}
	w = hc_calloc(1, sizeof(*w));
	w->nd = nd;
	w->req = ++r->next_req;
	w->fn = fn;
	w->arg = arg;
	w->timer = evtimer_new(nd->base, on_wait_timeout, w);
	evtimer_add(w->timer, &tv);
	w->next = r->waits;
	r->waits = w;
	ctl_conn_send(nd->ctl, HC_MSG_STEP_CRED_REQ, json_pack("{s:I,s:I,s:s}",
		      "req", (json_int_t)w->req, "job_id",
		      (json_int_t)job_id, "host", host), false);
}

void
step_cred_on_grant(struct noded *nd, json_t *body)
{
	struct step_reg *r = step_reg_get(nd);
	json_int_t req = json_integer_value(json_object_get(body, "req"));
	struct cred_wait *w;

	for (w = r->waits; w; w = w->next)
		if ((json_int_t)w->req == req)
			break;
	if (!w) {
		hc_log(HC_LOG_DEBUG, "credential grant %lld: nobody waits",
		       (long long)req);
		return;
	}
	step_cred_fn *fn = w->fn;
	void *arg = w->arg;

	wait_unlink(nd, w);
	fn(arg, (int)json_integer_value(json_object_get(body, "rc")),
	   json_string_value(json_object_get(body, "error")),
	   json_string_value(json_object_get(body, "cred")),
	   (uint32_t)json_integer_value(json_object_get(body, "step_id")),
	   json_string_value(json_object_get(body, "addr")),
	   (int)json_integer_value(json_object_get(body, "port")));
}

void
step_cred_forget(struct noded *nd)
{
	struct step_reg *r = nd->stepreg;

	while (r && r->waits) {
		struct cred_wait *w = r->waits;
		r->waits = w->next;
		event_free(w->timer);
		free(w);
	}
}
