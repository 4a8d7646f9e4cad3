/*
 * test_audit: the audit hash chain and its checkpoints, on a real LMDB in a
 * temp dir. A chain of entries verifies; each kind of break is named at the
 * right entry (edited field, deleted entry, reordered entries); a chain
 * rewritten with every hash recomputed and its checkpoints re-signed
 * verifies on its own but not against anchors taken before; a truncated
 * tail is caught by an anchor beyond the head; a checkpoint does not
 * verify with another key.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "audit.h"
#include "log.h"
#include "state.h"
#include "stepcred.h"

struct fx {
	char dir[64];
	struct state *st;
	struct audit *a;
	struct stepcred_key *key;
};

static int
setup(void **ctx)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *kp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_audit.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->st = state_open(f->dir, 0, NULL);
	assert_non_null(f->st);
	kp = hc_asprintf("%s/step.key", f->dir);
	f->key = stepcred_key_load_or_create(kp, NULL);
	free(kp);
	assert_non_null(f->key);
	f->a = audit_open(f->st, NULL);
	assert_non_null(f->a);
	audit_set_signer(f->a, f->key, 4, NULL, NULL);
	for (int i = 1; i <= 10; i++) {
		char subj[16];
		snprintf(subj, sizeof(subj), "job:%d", i);
		assert_int_equal(audit_append(f->a, 1000, "job_submit", subj,
					      json_pack("{s:i}", "n", i)), 0);
	}
	assert_int_equal(state_commit(f->st, NULL), 0);
	*ctx = f;
	return 0;
}

static int
teardown(void **ctx)
{
	struct fx *f = *ctx;
	char *cmd = hc_asprintf("rm -rf %s", f->dir);

	audit_destroy(f->a);
	state_close(f->st);
	stepcred_key_destroy(f->key);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f);
	return 0;
}

static json_t *
get(struct fx *f, uint64_t seq)
{
	uint8_t k[8];

	state_key_u64(seq, k);
	return state_get(f->st, STATE_DB_AUDIT, k, sizeof(k), NULL);
}

static void
put(struct fx *f, uint64_t seq, json_t *e)
{
	uint8_t k[8];

	state_key_u64(seq, k);
	assert_int_equal(state_put(f->st, STATE_DB_AUDIT, k, sizeof(k), e,
				   NULL), 0);
	json_decref(e);
}

static int
verify(struct fx *f, const json_t *anchors, struct audit_report *rep)
{
	return audit_verify(f->st, f->key, anchors, rep, NULL);
}

/* The stored checkpoints, as anchors kept elsewhere would hold them. */
static int
cp_collect(const void *k, size_t kl, json_t *cp, void *arg)
{
	json_array_append(arg, cp);
	return 0;
}

static json_t *
anchors_now(struct fx *f)
{
	json_t *a = json_array();

	state_walk(f->st, STATE_DB_CHECKPOINTS, cp_collect, a, NULL);
	return a;
}

static void
test_chain_good(void **ctx)
{
	struct fx *f = *ctx;
	struct audit_report rep;
	json_t *e1 = get(f, 1), *e2 = get(f, 2), *a = anchors_now(f);

	assert_string_equal(json_string_value(json_object_get(e1, "prev")),
			    AUDIT_ZERO_HASH);
	assert_string_equal(json_string_value(json_object_get(e2, "prev")),
			    json_string_value(json_object_get(e1, "hash")));
	assert_int_equal(audit_head_seq(f->a), 10);
	assert_int_equal(json_array_size(a), 2);	/* at 4 and 8 */
	assert_int_equal(verify(f, a, &rep), 0);
	assert_int_equal(rep.entries, 10);
	assert_int_equal(rep.checkpoints, 2);
	assert_int_equal(rep.anchors, 2);
	assert_string_equal(rep.problem, "");
	json_decref(e1);
	json_decref(e2);
	json_decref(a);
}

static void
test_edited(void **ctx)
{
	struct fx *f = *ctx;
	struct audit_report rep;
	json_t *e = get(f, 6);

	json_object_set_new(json_object_get(e, "details"), "n",
			    json_integer(99));
	put(f, 6, e);
	assert_int_equal(verify(f, NULL, &rep), 1);
	assert_int_equal(rep.bad_seq, 6);
	assert_non_null(strstr(rep.problem, "hash mismatch"));
}

static void
test_deleted(void **ctx)
{
	struct fx *f = *ctx;
	struct audit_report rep;
	uint8_t k[8];

	state_key_u64(3, k);
	assert_int_equal(state_del(f->st, STATE_DB_AUDIT, k, 8, NULL), 0);
	assert_int_equal(verify(f, NULL, &rep), 1);
	assert_int_equal(rep.bad_seq, 3);
	assert_non_null(strstr(rep.problem, "gap"));
}

static void
test_reordered(void **ctx)
{
	struct fx *f = *ctx;
	struct audit_report rep;
	json_t *e5 = get(f, 5), *e7 = get(f, 7);

	put(f, 5, e7);
	put(f, 7, e5);
	assert_int_equal(verify(f, NULL, &rep), 1);
	assert_int_equal(rep.bad_seq, 5);
	assert_non_null(strstr(rep.problem, "moved"));
}

/* Rewrite entry `from` (details changed) and every later one, hashes
 * recomputed, and re-sign the stored checkpoints: what root can do. */
static void
rewrite(struct fx *f, uint64_t from, uint64_t to)
{
	char hash[65], prev[65];
	json_t *e = get(f, from - 1);

	snprintf(prev, sizeof(prev), "%s",
		 json_string_value(json_object_get(e, "hash")));
	json_decref(e);
	for (uint64_t s = from; s <= to; s++) {
		e = get(f, s);
		if (s == from)
			json_object_set_new(json_object_get(e, "details"),
					    "n", json_integer(-1));
		json_object_set_new(e, "prev", json_string(prev));
		assert_int_equal(audit_entry_hash(e, hash), 0);
		json_object_set_new(e, "hash", json_string(hash));
		memcpy(prev, hash, sizeof(prev));
		put(f, s, e);
	}
	for (uint64_t s = 4; s <= to; s += 4) {
		uint8_t k[8];
		json_t *x = get(f, s), *cp;
		cp = audit_checkpoint_sign(f->key, s, json_string_value(
			json_object_get(x, "hash")), 1, NULL);
		state_key_u64(s, k);
		assert_int_equal(state_put(f->st, STATE_DB_CHECKPOINTS, k, 8,
					   cp, NULL), 0);
		json_decref(cp);
		json_decref(x);
	}
}

static void
test_rewritten_caught_by_anchors(void **ctx)
{
	struct fx *f = *ctx;
	struct audit_report rep;
	json_t *anchors = anchors_now(f);

	rewrite(f, 2, 10);
	assert_int_equal(verify(f, NULL, &rep), 0);	/* consistent alone */
	assert_int_equal(verify(f, anchors, &rep), 1);
	assert_int_equal(rep.bad_seq, 4);
	assert_non_null(strstr(rep.problem, "rewritten"));
	json_decref(anchors);
}

static void
test_truncated_caught_by_anchors(void **ctx)
{
	struct fx *f = *ctx;
	struct audit_report rep;
	json_t *anchors = anchors_now(f);
	uint8_t k[8];

	for (uint64_t s = 7; s <= 10; s++) {
		state_key_u64(s, k);
		state_del(f->st, STATE_DB_AUDIT, k, 8, NULL);
	}
	state_key_u64(8, k);
	state_del(f->st, STATE_DB_CHECKPOINTS, k, 8, NULL);
	json_array_remove(anchors, 0);		/* keep the one at 8 */
	assert_int_equal(verify(f, NULL, &rep), 0);
	assert_int_equal(verify(f, anchors, &rep), 1);
	assert_non_null(strstr(rep.problem, "beyond the head"));
	json_decref(anchors);
}

static void
test_checkpoint_wrong_key(void **ctx)
{
	struct fx *f = *ctx;
	struct stepcred_key *other;
	char *kp = hc_asprintf("%s/other.key", f->dir);
	const json_t *cp;
	json_t *bad;
	struct audit_report rep;

	other = stepcred_key_load_or_create(kp, NULL);
	free(kp);
	assert_int_equal(audit_append(f->a, 0, "shutdown", "controller",
				      NULL), 0);
	cp = audit_checkpoint(f->a, NULL);
	assert_non_null(cp);
	assert_int_equal(json_integer_value(json_object_get(cp, "seq")), 11);
	assert_int_equal(audit_checkpoint_verify(cp, f->key, NULL), 0);
	assert_int_equal(audit_checkpoint_verify(cp, other, NULL), -1);
	bad = json_deep_copy(cp);
	json_object_set_new(bad, "seq", json_integer(12));
	assert_int_equal(audit_checkpoint_verify(bad, f->key, NULL), -1);
	json_decref(bad);
	assert_null(audit_checkpoint(f->a, NULL));	/* nothing new */
	/* A checkpoint stored by another key fails the chain's verify. */
	assert_int_equal(audit_verify(f->st, other, NULL, &rep, NULL), 1);
	assert_non_null(strstr(rep.problem, "signature"));
	stepcred_key_destroy(other);
}

static void
test_reopen_keeps_head(void **ctx)
{
	struct fx *f = *ctx;
	struct audit_report rep;

	audit_destroy(f->a);
	f->a = audit_open(f->st, NULL);
	assert_int_equal(audit_head_seq(f->a), 10);
	assert_non_null(audit_last_checkpoint(f->a));
	assert_int_equal(audit_append(f->a, 0, "reconfigure", "controller",
				      NULL), 0);
	assert_int_equal(verify(f, NULL, &rep), 0);
	assert_int_equal(rep.last, 11);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_good, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reordered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_rewritten_caught_by_anchors, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_truncated_caught_by_anchors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_wrong_key,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_head, setup,
						teardown),
	};

	hc_log_open("test_audit", "/dev/null", HC_LOG_ERR);
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
