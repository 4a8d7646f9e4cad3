/*
 * audit: the append-only, hash-chained audit log and its checkpoints.
 *
 * The chain. Entry n (seq n, from 1) carries prev = entry n-1's hash (64
 * zeros for entry 1) and hash = SHA-256 of its own canonical JSON (compact,
 * keys sorted) without "hash". Changing any field of an entry changes its
 * hash, so the edit shows as a hash mismatch; recomputing that hash shows
 * as a prev mismatch at entry n+1; deleting an entry leaves a gap in the
 * seq keys; moving one breaks seq or prev. To hide an edit one must rewrite
 * every later entry -- which root on the controller can do offline, since
 * there is no secret in a hash chain. Hence the checkpoints.
 *
 * Checkpoints. Every AuditCheckpointEvery entries and at shutdown the
 * controller signs (seq, hash, time) of the head with its Ed25519 step key,
 * stores the checkpoint (db "checkpoints"), writes it to syslog and sends it
 * to every connected node agent (AUDIT_CHECKPOINT; and to each node at
 * registration), which keeps the last one it saw. The signature proves a
 * checkpoint came from the controller; it does not stop root on the
 * controller, who holds the key, from re-signing a rewritten chain. What
 * does: copies kept OFF the controller -- syslog on a log host, the node
 * agents' checkpoint.json, an `hcctl export audit` file. `hcctl verify audit
 * --anchors FILE` checks that the chain still has, at each anchor's seq, the
 * anchor's hash (a rewritten chain does not) and that no anchor lies beyond
 * the head (a truncated tail).
 *
 * Cost: one put per entry, in the state transaction of the change it
 * records (it commits, or is lost, with that change). The head (seq, hash)
 * is kept in memory; if a failed commit dropped the head entry, the next
 * append notices (one lookup) and reloads the head from the store.
 *
 * Pruning is allowed only behind a checkpoint; it is not implemented yet:
 * the log only grows.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "audit.h"
#include "log.h"
#include "state.h"
#include "stepcred.h"

struct audit {
	struct state *st;
	uint64_t seq;			/* head: last entry's seq, 0 = none */
	char hash[65];			/* and its hash */
	const struct stepcred_key *key;
	unsigned every;
	uint64_t cp_seq;		/* seq of the last checkpoint */
	json_t *last_cp;		/* owned */
	audit_checkpoint_fn *fn;
	void *arg;
};

/* Read the head and the last checkpoint from the store. */
static int
head_load(struct audit *a, struct hc_err *err)
{
	struct hc_err e = { 0 };
	json_t *rec = state_last(a->st, STATE_DB_AUDIT, NULL, NULL, &e);
	const char *h;

	a->seq = 0;
	snprintf(a->hash, sizeof(a->hash), "%s", AUDIT_ZERO_HASH);
	if (!rec && e.code != HC_ENOENT)
		return hc_err_set(err, e.code, "audit: %s", e.text);
	if (rec) {
		h = json_string_value(json_object_get(rec, "hash"));
		a->seq = (uint64_t)json_integer_value(json_object_get(rec,
								      "seq"));
		if (!h || strlen(h) != 64 || a->seq == 0) {
			json_decref(rec);
			return hc_err_set(err, HC_EIO, "audit: the last entry "
					  "is corrupt; run hcctl verify "
					  "audit");
		}
		snprintf(a->hash, sizeof(a->hash), "%s", h);
		json_decref(rec);
	}
	json_decref(a->last_cp);
	a->last_cp = state_last(a->st, STATE_DB_CHECKPOINTS, NULL, NULL,
				NULL);
	a->cp_seq = a->last_cp ? (uint64_t)json_integer_value(
		json_object_get(a->last_cp, "seq")) : 0;
	return 0;
}

struct audit *
audit_open(struct state *st, struct hc_err *err)
{
	struct audit *a = hc_calloc(1, sizeof(*a));

	a->st = st;
	a->every = AUDIT_CHECKPOINT_EVERY_DEFAULT;
	if (head_load(a, err) < 0) {
		audit_destroy(a);
		return NULL;
	}
	openlog("hcctld", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	hc_log(HC_LOG_INFO, "audit: head seq=%" PRIu64 " checkpoint=%" PRIu64,
	       a->seq, a->cp_seq);
	return a;
}

void
audit_destroy(struct audit *a)
{
	if (!a)
		return;
	json_decref(a->last_cp);
	free(a);
}

void
audit_set_signer(struct audit *a, const struct stepcred_key *key,
		 unsigned every, audit_checkpoint_fn *fn, void *arg)
{
	a->key = key;
	a->every = every;
	a->fn = fn;
	a->arg = arg;
}

uint64_t
audit_head_seq(const struct audit *a)
{
	return a ? a->seq : 0;
}

const json_t *
audit_last_checkpoint(const struct audit *a)
{
	return a ? a->last_cp : NULL;
}

/* A failed commit drops the entries written in its transaction: when the
 * head is no longer in the store, reload it. */
static void
head_check(struct audit *a)
{
	uint8_t k[8];
	void *raw;

	if (a->seq == 0)
		return;
	state_key_u64(a->seq, k);
	raw = state_get_raw(a->st, STATE_DB_AUDIT, k, sizeof(k), NULL, NULL);
	if (raw) {
		free(raw);
		return;
	}
	hc_log(HC_LOG_WARN, "audit: entry seq=%" PRIu64 " was lost with a "
	       "failed commit; reloading the head", a->seq);
	if (head_load(a, NULL) < 0)
		hc_log(HC_LOG_ERR, "audit: cannot reload the head");
}

int
audit_append(struct audit *a, uid_t actor_uid, const char *event,
	     const char *subject, json_t *details)
{
	struct hc_err err = { 0 };
	char hash[65];
	uint8_t k[8];
	json_t *e;
	int rc;

	if (!a) {
		json_decref(details);
		return 0;
	}
	if (!json_is_object(details)) {
		json_decref(details);
		details = json_object();
	}
	head_check(a);
	e = json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:s, s:i}",
		      "seq", (json_int_t)(a->seq + 1),
		      "time", (json_int_t)time(NULL),
		      "actor_uid", (json_int_t)actor_uid,
		      "event", event, "subject", subject ? subject : "",
		      "details", details, "prev", a->hash,
		      "v", STATE_RECORD_VERSION);
	if (!e || audit_entry_hash(e, hash) < 0) {
		json_decref(e);
		hc_log(HC_LOG_ERR, "audit: cannot encode event=%s subject=%s",
		       event, subject ? subject : "");
		return -1;
	}
	json_object_set_new(e, "hash", json_string(hash));
	state_key_u64(a->seq + 1, k);
	rc = state_put(a->st, STATE_DB_AUDIT, k, sizeof(k), e, &err);
	json_decref(e);
	if (rc < 0) {
		hc_log(HC_LOG_ERR, "audit: event=%s subject=%s not recorded: "
		       "%s", event, subject ? subject : "", err.text);
		return -1;
	}
	a->seq++;
	memcpy(a->hash, hash, sizeof(a->hash));
	if (a->every && a->key && a->seq % a->every == 0 &&
	    !audit_checkpoint(a, &err) && err.code)
		hc_log(HC_LOG_ERR, "audit: checkpoint: %s", err.text);
	return 0;
}

const json_t *
audit_checkpoint(struct audit *a, struct hc_err *err)
{
	uint8_t k[8];
	json_t *cp;
	char *text;

	if (!a || a->seq == 0 || a->seq == a->cp_seq)
		return NULL;
	if (!a->key) {
		hc_err_set(err, HC_EINTERNAL, "audit: no signing key");
		return NULL;
	}
	cp = audit_checkpoint_sign(a->key, a->seq, a->hash,
				   (int64_t)time(NULL), err);
	if (!cp)
		return NULL;
	state_key_u64(a->seq, k);
	if (state_put(a->st, STATE_DB_CHECKPOINTS, k, sizeof(k), cp,
		      err) < 0) {
		json_decref(cp);
		return NULL;
	}
	json_decref(a->last_cp);
	a->last_cp = cp;
	a->cp_seq = a->seq;
	text = json_dumps(cp, JSON_COMPACT | JSON_SORT_KEYS);
	/* Off the controller: a log host keeps what syslog was told. */
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "audit checkpoint %s",
	       text ? text : "");
	hc_log(HC_LOG_INFO, "audit: checkpoint seq=%" PRIu64 " hash=%s",
	       a->seq, a->hash);
	free(text);
	if (a->fn)
		a->fn(a->arg, cp);
	return cp;
}
