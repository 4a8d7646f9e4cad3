/*
 * audit_verify: recompute the audit chain and check it against the stored
 * checkpoints and against anchors kept elsewhere (see audit.c's top comment
 * for why anchors off the controller are what catches a rewritten chain).
 *
 * The first broken thing is reported, in chain order: an entry whose key
 * and "seq" differ (moved), a gap in seq (deleted), a hash that is not the
 * entry's own (edited), a prev that is not the previous entry's hash
 * (edited with the hash recomputed, or reordered). Then stored checkpoints
 * (signature, and the chain's hash at their seq), then anchors.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "audit.h"
#include "log.h"
#include "state.h"
#include "stepcred.h"

int
audit_entry_hash(const json_t *entry, char out[65])
{
	json_t *copy = json_copy((json_t *)entry);
	unsigned char md[32];
	unsigned int mdlen = 0;
	char *text;
	int ok;

	if (!copy)
		return -1;
	json_object_del(copy, "hash");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (!text)
		return -1;
	ok = EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
	free(text);
	if (ok != 1 || mdlen != sizeof(md))
		return -1;
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* The signed bytes of a checkpoint: canonical {"hash","seq","time"}. */
static char *
cp_statement(uint64_t seq, const char *hash, int64_t time)
{
	json_t *o = json_pack("{s:I, s:s, s:I}", "seq", (json_int_t)seq,
			      "hash", hash, "time", (json_int_t)time);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(o);
	return s;
}

json_t *
audit_checkpoint_sign(const struct stepcred_key *key, uint64_t seq,
		      const char *hash, int64_t time, struct hc_err *err)
{
	char *text = cp_statement(seq, hash, time), *sig;
	json_t *cp;

	if (!text) {
		hc_err_set(err, HC_EINTERNAL, "audit: cannot encode a "
			   "checkpoint");
		return NULL;
	}
	sig = stepcred_sign_bytes(key, text, strlen(text), err);
	free(text);
	if (!sig)
		return NULL;
	cp = json_pack("{s:I, s:s, s:I, s:s}", "seq", (json_int_t)seq,
		       "hash", hash, "time", (json_int_t)time, "sig", sig);
	free(sig);
	return cp;
}

int
audit_checkpoint_verify(const json_t *cp, const struct stepcred_key *key,
			struct hc_err *err)
{
	json_int_t seq = 0, time = 0;
	const char *hash = NULL, *sig = NULL;
	char *text;
	int rc;

	if (!cp || json_unpack((json_t *)cp, "{s:I, s:s, s:I, s:s}", "seq",
			       &seq, "hash", &hash, "time", &time, "sig",
			       &sig) != 0 || seq <= 0 || strlen(hash) != 64)
		return hc_err_set(err, HC_EAUTH, "checkpoint: malformed "
				  "(want seq, hash, time, sig)");
	text = cp_statement((uint64_t)seq, hash, (int64_t)time);
	if (!text)
		return hc_err_set(err, HC_EAUTH, "checkpoint: malformed");
	rc = stepcred_verify_bytes(key, text, strlen(text), sig, err);
	free(text);
	if (rc < 0)
		return hc_err_set(err, HC_EAUTH, "checkpoint seq=%lld: bad "
				  "signature (not the controller's key)",
				  (long long)seq);
	return 0;
}

struct walk {
	struct audit_report *rep;
	uint64_t expect;		/* next seq expected */
	char prev[65];			/* previous entry's hash */
};

static int
broken(struct audit_report *rep, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
broken(struct audit_report *rep, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	rep->bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(rep->problem, sizeof(rep->problem), fmt, ap);
	va_end(ap);
	return 1;
}

static uint64_t
key_u64(const void *key, size_t klen)
{
	const uint8_t *p = key;
	uint64_t v = 0;

	for (size_t i = 0; i < klen && i < 8; i++)
		v = (v << 8) | p[i];
	return klen == 8 ? v : 0;
}

static int
chain_step(const void *key, size_t klen, json_t *e, void *arg)
{
	struct walk *w = arg;
	uint64_t kseq = key_u64(key, klen);
	uint64_t seq = (uint64_t)json_integer_value(json_object_get(e, "seq"));
	const char *hash = json_string_value(json_object_get(e, "hash"));
	const char *prev = json_string_value(json_object_get(e, "prev"));
	char h[65];

	w->rep->entries++;
	if (kseq == 0 || seq != kseq)
		return broken(w->rep, kseq, "entry under key %" PRIu64 " says "
			      "seq %" PRIu64 ": entries were moved", kseq, seq);
	if (seq != w->expect)
		return broken(w->rep, w->expect, "gap: entry %" PRIu64 " is "
			      "missing (the next one is %" PRIu64 "): entries "
			      "were deleted", w->expect, seq);
	if (!hash || audit_entry_hash(e, h) < 0 || strcmp(h, hash))
		return broken(w->rep, seq, "hash mismatch: entry %" PRIu64
			      " is not what was recorded (edited)", seq);
	if (!prev || strcmp(prev, w->prev))
		return broken(w->rep, seq, "prev mismatch: entry %" PRIu64
			      " does not follow entry %" PRIu64 " (edited "
			      "with its hash recomputed, or reordered)", seq,
			      seq - 1);
	if (w->rep->first == 0)
		w->rep->first = seq;
	w->rep->last = seq;
	w->expect = seq + 1;
	snprintf(w->prev, sizeof(w->prev), "%s", hash);
	return 0;
}

/* The chain's hash at seq, or NULL (*present 0) if there is no entry. */
static char *
chain_hash_at(struct state *st, uint64_t seq)
{
	uint8_t k[8];
	json_t *e;
	char *h;

	state_key_u64(seq, k);
	e = state_get(st, STATE_DB_AUDIT, k, sizeof(k), NULL);
	h = e ? hc_strdup(json_string_value(json_object_get(e, "hash")) ?
			  json_string_value(json_object_get(e, "hash")) : "")
	      : NULL;
	json_decref(e);
	return h;
}

/* One checkpoint or anchor against the chain (whose head is rep->last). */
static int
anchor_check(struct state *st, const json_t *cp, const char *what,
	     struct audit_report *rep)
{
	json_int_t seq = json_integer_value(json_object_get(cp, "seq"));
	const char *hash = json_string_value(json_object_get(cp, "hash"));
	char *have;
	int rc = 0;

	if (seq <= 0 || !hash)
		return broken(rep, 0, "%s: malformed (want seq and hash)",
			      what);
	if ((uint64_t)seq > rep->last)
		return broken(rep, rep->last + 1, "%s at seq %lld is beyond "
			      "the head (seq %" PRIu64 "): the tail of the "
			      "log was truncated", what, (long long)seq,
			      rep->last);
	have = chain_hash_at(st, (uint64_t)seq);
	if (!have)
		rc = broken(rep, (uint64_t)seq, "%s at seq %lld: no such "
			    "entry (pruned or deleted)", what, (long long)seq);
	else if (strcmp(have, hash))
		rc = broken(rep, (uint64_t)seq, "%s at seq %lld: hash %.16s... "
			    "but the chain has %.16s...: the chain was "
			    "rewritten", what, (long long)seq, hash, have);
	free(have);
	return rc;
}

struct cp_walk {
	struct state *st;
	const struct stepcred_key *key;
	struct audit_report *rep;
};

static int
cp_step(const void *k, size_t klen, json_t *cp, void *arg)
{
	struct cp_walk *w = arg;
	struct hc_err err = { 0 };

	w->rep->checkpoints++;
	if (w->key && audit_checkpoint_verify(cp, w->key, &err) < 0)
		return broken(w->rep, key_u64(k, klen), "stored checkpoint: "
			      "%s", err.text);
	return anchor_check(w->st, cp, "stored checkpoint", w->rep);
}

int
audit_verify(struct state *st, const struct stepcred_key *key,
	     const json_t *anchors, struct audit_report *rep,
	     struct hc_err *err)
{
	struct walk w = { rep, 1, AUDIT_ZERO_HASH };
	struct cp_walk cw = { st, key, rep };
	const json_t *a;
	size_t i;

	memset(rep, 0, sizeof(*rep));
	if (state_walk(st, STATE_DB_AUDIT, chain_step, &w, err) < 0)
		return -1;
	if (rep->bad_seq || rep->problem[0])
		return 1;
	if (state_walk(st, STATE_DB_CHECKPOINTS, cp_step, &cw, err) < 0)
		return -1;
	if (rep->problem[0])
		return 1;
	json_array_foreach(anchors, i, a) {
		rep->anchors++;
		if (anchor_check(st, a, "anchor", rep))
			return 1;
	}
	return 0;
}
