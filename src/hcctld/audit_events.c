/*
 * audit_events: what the rest of the controller calls to record an event
 * (one line at each place where something happens), and the checkpoints'
 * way to the node agents. Details are built here so the callers stay one
 * line: a job's entry names its nodes (and their compute ids when known),
 * a node's its state, reason and compute id.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "identity.h"
#include "ctld.h"
#include "job.h"
#include "jobs.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "states.h"

/* The node's compute id, "" until its identity is known. Borrowed. */
static const char *
node_compute_id(const struct node *n)
{
	const char *id = identity_node_id(n);

	return id ? id : "";
}

/* Whether n is trusted now: registered, not flagged, and not waiting for
 * an admin to accept changed hardware. */
static int
node_trusted(const struct node *n)
{
	return n && n->registered && !n->ident_pending &&
	       !(n->flags & NODE_F_INVALID_INVENTORY);
}

void
audit_job(struct ctld *c, uid_t uid, const char *event,
	  const struct job *j, const char *note)
{
	json_t *d = json_pack("{s:s, s:I}", "state",
			      job_state_name(j->state), "owner_uid",
			      (json_int_t)j->uid);
	json_t *nodes = json_array();
	char subject[32];

	for (uint32_t k = 0; k < j->nalloc; k++) {
		const struct node *n = j->alloc[k].node;
		json_array_append_new(nodes, json_pack("{s:s, s:s, s:b}",
			"name", j->alloc[k].name,
			"compute_id", n ? node_compute_id(n) : "",
			"trusted", node_trusted(n)));
	}
	json_object_set_new(d, "nodes", nodes);
	if (note && *note)
		json_object_set_new(d, "note", json_string(note));
	snprintf(subject, sizeof(subject), "job:%u", j->id);
	audit_append(c->audit, uid, event, subject, d);
}

void
audit_node(struct ctld *c, uid_t uid, const char *event,
	   const struct node *n, const char *note)
{
	char state[128];
	json_t *d = json_pack("{s:s, s:s, s:s, s:b}", "state",
			      node_state_format(n->base, n->flags, state,
						sizeof(state)),
			      "reason", n->reason ? n->reason : "",
			      "compute_id", node_compute_id(n),
			      "trusted", node_trusted(n));
	char *subject = hc_asprintf("node:%s", n->name);

	if (note && *note)
		json_object_set_new(d, "note", json_string(note));
	audit_append(c->audit, uid, event, subject, d);
	free(subject);
}

void
audit_admin(struct ctld *c, uid_t uid, const char *event, const char *note)
{
	audit_append(c->audit, uid, event, "controller",
		     json_pack("{s:s}", "note", note ? note : ""));
}

void
audit_on_register(struct ctld *c, struct node *n)
{
	const json_t *cp;

	/* Appending may make (and free the previous) checkpoint: take the
	 * last one after it. */
	audit_node(c, 0, "node_register", n, n->version);
	cp = audit_last_checkpoint(c->audit);
	if (cp)
		nodes_send(c->nodes, n, HC_MSG_AUDIT_CHECKPOINT, cp);
}

/* audit_checkpoint_fn: send a new checkpoint to every connected agent. */
void
audit_broadcast(void *arg, const json_t *cp)
{
	struct ctld *c = arg;

	if (!c->nodes)
		return;
	for (size_t i = 0; i < nodes_count(c->nodes); i++) {
		struct node *n = nodes_at(c->nodes, i);
		if (n->conn && n->registered)
			nodes_send(c->nodes, n, HC_MSG_AUDIT_CHECKPOINT, cp);
	}
}
