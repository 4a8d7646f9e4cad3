/*
 * hc_lmdb_edit: tamper with a stopped controller's audit log, as someone
 * with root on the controller could, for t0320-audit.t.
 *
 *	hc_lmdb_edit STATEDIR SEQ            change entry SEQ's details only
 *	hc_lmdb_edit STATEDIR SEQ --rewrite  and recompute every later hash
 *	                                     and re-sign every checkpoint
 *	                                     with STATEDIR/step.key
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "log.h"
#include "state.h"
#include "stepcred.h"

static json_t *
get(struct state *st, enum state_db db, uint64_t seq)
{
	uint8_t k[8];

	state_key_u64(seq, k);
	return state_get(st, db, k, sizeof(k), NULL);
}

static void
put(struct state *st, enum state_db db, uint64_t seq, json_t *rec)
{
	uint8_t k[8];
	struct hc_err err = { 0 };

	state_key_u64(seq, k);
	if (state_put(st, db, k, sizeof(k), rec, &err) < 0)
		hc_fatal("put %llu: %s", (unsigned long long)seq, err.text);
}

/* Recompute hashes from seq on; re-sign the checkpoints. */
static void
rewrite(struct state *st, const char *dir, uint64_t seq, json_t *e)
{
	char *kp = hc_asprintf("%s/step.key", dir);
	struct stepcred_key *key = stepcred_key_load_or_create(kp, NULL);
	char hash[65];
	json_t *x, *cp;

	if (!key)
		hc_fatal("%s: cannot load the key", kp);
	for (;;) {
		audit_entry_hash(e, hash);
		json_object_set_new(e, "hash", json_string(hash));
		put(st, STATE_DB_AUDIT, seq, e);
		json_decref(e);
		if (!(e = get(st, STATE_DB_AUDIT, ++seq)))
			break;
		json_object_set_new(e, "prev", json_string(hash));
	}
	for (uint64_t s = 1; s < seq; s++) {
		if (!(cp = get(st, STATE_DB_CHECKPOINTS, s)))
			continue;
		x = get(st, STATE_DB_AUDIT, s);
		json_decref(cp);
		cp = audit_checkpoint_sign(key, s, json_string_value(
			json_object_get(x, "hash")), 1, NULL);
		put(st, STATE_DB_CHECKPOINTS, s, cp);
		json_decref(cp);
		json_decref(x);
	}
	stepcred_key_destroy(key);
	free(kp);
}

int
main(int argc, char **argv)
{
	struct hc_err err = { 0 };
	struct state *st;
	json_t *e;
	uint64_t seq;

	if (argc < 3) {
		fprintf(stderr, "usage: hc_lmdb_edit STATEDIR SEQ "
			"[--rewrite]\n");
		return 1;
	}
	seq = strtoull(argv[2], NULL, 10);
	if (!(st = state_open(argv[1], 0, &err)))
		hc_fatal("%s", err.text);
	if (!(e = get(st, STATE_DB_AUDIT, seq)))
		hc_fatal("no audit entry %llu", (unsigned long long)seq);
	json_object_set_new(json_object_get(e, "details"), "edited",
			    json_string("offline"));
	if (argc > 3 && !strcmp(argv[3], "--rewrite")) {
		rewrite(st, argv[1], seq, e);
	} else {
		put(st, STATE_DB_AUDIT, seq, e);
		json_decref(e);
	}
	if (state_commit(st, &err) < 0)
		hc_fatal("commit: %s", err.text);
	state_close(st);
	return 0;
}
