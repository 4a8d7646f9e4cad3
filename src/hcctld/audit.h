/*
 * audit: the controller's append-only, hash-chained audit log (LMDB db
 * "audit", key = seq as 8-byte big endian) and its signed checkpoints (db
 * "checkpoints", same keys). audit.c's top comment explains the chain and
 * the checkpoints.
 *
 * Entry: {"seq","time","actor_uid","event","subject","details":{},"prev",
 *	   "hash","v"}; hash = SHA-256 hex of the canonical JSON
 *	   (JSON_COMPACT | JSON_SORT_KEYS) of the entry without "hash".
 * Checkpoint: {"seq","hash","time","sig"}; sig = base64 Ed25519 signature
 *	   by the controller's step key over the canonical JSON of
 *	   {"seq","hash","time"}.
 *
 * Events (names are stable; `hcctl show audit` filters on them):
 *	node_register node_refused node_state node_health inventory_changed
 *	inventory_accepted job_submit job_start job_end job_cancel
 *	job_requeue job_update reconfigure shutdown backup
 * Subjects: "job:ID", "node:NAME", "controller".
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "hc_err.h"

#define AUDIT_ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_CHECKPOINT_EVERY_DEFAULT 1000

struct audit;
struct state;
struct stepcred_key;

/* Called with each new checkpoint (borrowed for the call), e.g. to send it
 * to every connected node agent. */
typedef void audit_checkpoint_fn(void *arg, const json_t *checkpoint);

/* Open the log kept in st (borrowed; outlives the audit): reads the head
 * (last entry's seq and hash) and the last checkpoint. */
struct audit *audit_open(struct state *st, struct hc_err *err);
void audit_destroy(struct audit *a);	/* NULL ok; writes nothing */

/* Sign checkpoints with key (borrowed) every `every` entries (0: never but
 * at audit_checkpoint()); fn(arg, cp) is told of each one. */
void audit_set_signer(struct audit *a, const struct stepcred_key *key,
		      unsigned every, audit_checkpoint_fn *fn, void *arg);

/* Append one entry in the current state transaction, so that it commits
 * with the change it records. a may be NULL (no-op). subject is borrowed
 * ("job:12", "node:n1"), details is stolen (may be NULL: {}). Returns 0, or
 * -1 (logged; the change it records is not undone). */
int audit_append(struct audit *a, uid_t actor_uid, const char *event,
		 const char *subject, json_t *details);

/* Sign the head into a checkpoint now (shutdown; every N entries), store
 * it, log it to syslog and pass it to the checkpoint callback. Returns the
 * checkpoint (borrowed, valid until the next one) or NULL when the log is
 * empty or nothing was appended since the last one. */
const json_t *audit_checkpoint(struct audit *a, struct hc_err *err);
/* The last checkpoint (borrowed) or NULL. */
const json_t *audit_last_checkpoint(const struct audit *a);
uint64_t audit_head_seq(const struct audit *a);

/* ---- audit_events.c: one-line calls for the rest of the controller ---- */
struct ctld;
struct job;
struct node;
/* A job event: details name its state, owner and nodes (with compute ids
 * and whether each was trusted then); note may be NULL. */
void audit_job(struct ctld *c, uid_t uid, const char *event,
	       const struct job *j, const char *note);
/* A node event: details name its state, reason, compute id, trust. */
void audit_node(struct ctld *c, uid_t uid, const char *event,
		const struct node *n, const char *note);
/* A controller event (reconfigure, shutdown, backup). */
void audit_admin(struct ctld *c, uid_t uid, const char *event,
		 const char *note);
/* n registered: record it and send it the last checkpoint. */
void audit_on_register(struct ctld *c, struct node *n);
/* audit_checkpoint_fn that sends cp to every connected node agent; arg is
 * the struct ctld. */
void audit_broadcast(void *arg, const json_t *cp);

/* ---- audit_rpc.c: the requests of hcctl show/export/verify/trace ---- */
struct rpc_req;
void audit_rpc_query(struct rpc_req *req, json_t *body);
void audit_rpc_verify(struct rpc_req *req, json_t *body);
void audit_rpc_trace(struct rpc_req *req, json_t *body);

/* ---- checking (audit_verify.c; used by hcctld, the tests, the tools) ---- */

/* SHA-256 hex of the canonical JSON of entry without "hash". 0/-1. */
int audit_entry_hash(const json_t *entry, char out[65]);
/* A checkpoint object for (seq, hash, time) signed with key: new ref. */
json_t *audit_checkpoint_sign(const struct stepcred_key *key, uint64_t seq,
			      const char *hash, int64_t time,
			      struct hc_err *err);
/* Check cp's signature with key. 0, or -1 with err (HC_EAUTH). */
int audit_checkpoint_verify(const json_t *cp, const struct stepcred_key *key,
			    struct hc_err *err);

struct audit_report {
	uint64_t entries;	/* entries read */
	uint64_t first, last;	/* seq of the first and last entry */
	uint64_t checkpoints;	/* stored checkpoints checked */
	uint64_t anchors;	/* anchors checked */
	uint64_t bad_seq;	/* first broken entry (0: none) */
	char problem[512];	/* what is wrong, "" when all is well */
};

/* Recompute the whole chain in st (hash, prev, gaps), check the stored
 * checkpoints against it (and their signatures with key, when not NULL),
 * then each anchor (array of checkpoint objects, may be NULL): its
 * (seq, hash) must match the chain's entry at seq, and seq must not be
 * beyond the head. Returns 0 when everything holds, 1 when something is
 * broken (rep says what and where), -1 on error reading the store. */
int audit_verify(struct state *st, const struct stepcred_key *key,
		 const json_t *anchors, struct audit_report *rep,
		 struct hc_err *err);

#endif
