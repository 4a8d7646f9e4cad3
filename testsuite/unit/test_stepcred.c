/*
 * test_stepcred: Ed25519 step credentials. A good credential verifies on a
 * node it names; beside it, a tampered byte, another key, an expired one, a
 * node not named, garbage, and key files that others could read are refused.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "stepcred.h"

struct fixture {
	char dir[64];
	char path[128];
	struct stepcred_key *key;
	struct stepcred_key *pub;
};

static int
setup(void **state)
{
	static struct fixture fx;
	struct hc_err err = { 0 };
	char *b64;

	memset(&fx, 0, sizeof(fx));
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/hc-test-stepcred.XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	snprintf(fx.path, sizeof(fx.path), "%s/step.key", fx.dir);
	fx.key = stepcred_key_load_or_create(fx.path, &err);
	if (!fx.key) {
		print_error("%s\n", err.text);
		return -1;
	}
	b64 = stepcred_key_public_b64(fx.key);
	fx.pub = stepcred_key_from_public_b64(b64, &err);
	free(b64);
	*state = &fx;
	return fx.pub ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[256];

	stepcred_key_destroy(fx->key);
	stepcred_key_destroy(fx->pub);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct stepcred
sample(void)
{
	struct stepcred sc = {
		.job_id = 42, .step_id = 3, .uid = 1001, .gid = 1002,
		.expires = 1000000,
	};
	snprintf(sc.nodes, sizeof(sc.nodes), "n[1-4],gpu7");
	return sc;
}

static void
test_key_file(void **state)
{
	struct fixture *fx = *state;
	struct stepcred_key *again;
	struct hc_err err = { 0 };
	struct stat st;
	char *a, *b;

	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Loading again gives the same key. */
	again = stepcred_key_load_or_create(fx->path, &err);
	assert_non_null(again);
	a = stepcred_key_public_b64(fx->key);
	b = stepcred_key_public_b64(again);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 44);
	free(a);
	free(b);
	stepcred_key_destroy(again);

	/* Readable by group or others: refused, saying what to do. */
	for (mode_t m = 0640; m; m = m == 0640 ? 0604 : 0) {
		assert_int_equal(chmod(fx->path, m), 0);
		assert_null(stepcred_key_load_or_create(fx->path, &err));
		assert_int_equal(err.code, HC_EPERM);
		assert_non_null(strstr(err.text, "chmod 600"));
	}
	assert_int_equal(chmod(fx->path, 0600), 0);
}

static void
test_key_garbage(void **state)
{
	struct fixture *fx = *state;
	struct hc_err err = { 0 };
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bad.key", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("not a key\n", f);
	fclose(f);
	chmod(path, 0600);
	assert_null(stepcred_key_load_or_create(path, &err));
	assert_non_null(strstr(err.text, "not an Ed25519"));

	assert_null(stepcred_key_from_public_b64("", &err));
	assert_null(stepcred_key_from_public_b64("AAAA", &err));
	assert_null(stepcred_key_from_public_b64("!!!!", &err));
	assert_null(stepcred_key_from_public_b64(NULL, &err));
}

static void
test_sign_verify(void **state)
{
	struct fixture *fx = *state;
	struct stepcred sc = sample(), out;
	struct hc_err err = { 0 };
	char *c = stepcred_sign(fx->key, &sc, &err), *c2;

	assert_non_null(c);
	if (stepcred_verify(fx->pub, c, "n3", 999999, &out, &err) != 0)
		fail_msg("%s", err.text);
	assert_int_equal(out.job_id, 42);
	assert_int_equal(out.step_id, 3);
	assert_int_equal(out.uid, 1001);
	assert_int_equal(out.gid, 1002);
	assert_int_equal(out.expires, 1000000);
	assert_string_equal(out.nodes, "n[1-4],gpu7");
	assert_int_equal(out.tasks_max, 0);	/* none given: no bound */
	assert_int_equal(stepcred_verify(fx->key, c, "gpu7", 0, NULL, &err),
			 0);
	/* The task bound travels signed. */
	sc.tasks_max = 3;
	c2 = stepcred_sign(fx->key, &sc, &err);
	assert_int_equal(stepcred_verify(fx->pub, c2, "n1", 0, &out, &err), 0);
	assert_int_equal(out.tasks_max, 3);
	free(c2);
	sc.tasks_max = 0;
	/* A fresh nonce each time. */
	c2 = stepcred_sign(fx->key, &sc, &err);
	assert_string_not_equal(c, c2);
	free(c2);
	/* The public key alone cannot sign. */
	assert_null(stepcred_sign(fx->pub, &sc, &err));
	free(c);
}

/* Refusals side by side: what is done to a good credential, and the words
 * the error must carry. */
static void
test_refusals(void **state)
{
	struct fixture *fx = *state;
	struct stepcred sc = sample();
	struct hc_err err = { 0 };
	char *c = stepcred_sign(fx->key, &sc, &err);
	char path[160];
	struct stepcred_key *other;
	size_t n = strlen(c);

	/* expired, and expiring exactly now */
	assert_int_equal(stepcred_verify(fx->pub, c, "n1", 1000001, NULL,
					 &err), -1);
	assert_int_equal(err.code, HC_EAUTH);
	assert_non_null(strstr(err.text, "expired"));
	assert_int_equal(stepcred_verify(fx->pub, c, "n1", 1000000, NULL,
					 &err), -1);
	/* wrong node, no node */
	assert_int_equal(stepcred_verify(fx->pub, c, "n5", 0, NULL, &err), -1);
	assert_non_null(strstr(err.text, "not issued for node n5"));
	assert_int_equal(stepcred_verify(fx->pub, c, NULL, 0, NULL, &err), -1);
	/* another controller's key */
	snprintf(path, sizeof(path), "%s/other.key", fx->dir);
	other = stepcred_key_load_or_create(path, &err);
	assert_non_null(other);
	assert_int_equal(stepcred_verify(other, c, "n1", 0, NULL, &err), -1);
	assert_non_null(strstr(err.text, "bad signature"));
	stepcred_key_destroy(other);
	/* every byte of the encoded form tampered with */
	for (size_t i = 0; i < n; i++) {
		char *t = strdup(c);

		t[i] = t[i] == 'A' ? 'B' : 'A';
		if (stepcred_verify(fx->pub, t, "n1", 0, NULL, &err) == 0)
			fail_msg("tampered byte %zu accepted", i);
		free(t);
	}
	/* truncated at every length, and garbage */
	for (size_t i = 0; i < n; i++) {
		char *t = strndup(c, i);

		assert_int_equal(stepcred_verify(fx->pub, t, "n1", 0, NULL,
						 &err), -1);
		free(t);
	}
	assert_int_equal(stepcred_verify(fx->pub, "", "n1", 0, NULL, &err),
			 -1);
	assert_int_equal(stepcred_verify(fx->pub, NULL, "n1", 0, NULL, &err),
			 -1);
	assert_int_equal(stepcred_verify(fx->pub, "****", "n1", 0, NULL,
					 &err), -1);
	assert_non_null(strstr(err.text, "malformed"));
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_key_garbage),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests_name("stepcred", tests, setup,
					   teardown);
}
