/*
 * test_step_check: the node agent's admission of step credentials, good and
 * bad side by side: a good credential is admitted once; forged (another
 * key), tampered, expired, for another node, for a job not running here,
 * for another user of the job, replayed, missing, and before the node has
 * the controller's key are each refused with their reason.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "step_check.h"
#include "stepcred.h"

struct fx {
	char dir[64];
	struct stepcred_key *key, *pub, *other;
	uint32_t running_job;
	uid_t job_uid;
	uint32_t used_job, used_step;
};

static struct stepcred_key *
key_in(struct fx *f, const char *name)
{
	char path[128];
	struct hc_err err = { 0 };

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	return stepcred_key_load_or_create(path, &err);
}

static int
setup(void **state)
{
	static struct fx f;
	char *b64;

	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "/tmp/hc-test-step-check.XXXXXX");
	if (!mkdtemp(f.dir))
		return -1;
	f.key = key_in(&f, "ctld.key");
	f.other = key_in(&f, "forger.key");
	if (!f.key || !f.other)
		return -1;
	b64 = stepcred_key_public_b64(f.key);
	f.pub = stepcred_key_from_public_b64(b64, NULL);
	free(b64);
	f.running_job = 7;
	f.job_uid = 1001;
	*state = &f;
	return f.pub ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	stepcred_key_destroy(f->key);
	stepcred_key_destroy(f->pub);
	stepcred_key_destroy(f->other);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	return system(cmd) == 0 ? 0 : -1;
}

static bool
job_fn(void *arg, uint32_t job_id, uid_t *uid)
{
	struct fx *f = arg;

	*uid = f->job_uid;
	return job_id == f->running_job;
}

static bool
used_fn(void *arg, uint32_t job_id, uint32_t step_id)
{
	struct fx *f = arg;

	return job_id == f->used_job && step_id == f->used_step;
}

static char *
sign(const struct stepcred_key *k, uint32_t job, uint32_t step, uid_t uid,
     const char *nodes, time_t expires)
{
	struct stepcred sc = { .job_id = job, .step_id = step, .uid = uid,
			       .gid = 100, .expires = expires };

	snprintf(sc.nodes, sizeof(sc.nodes), "%s", nodes);
	return stepcred_sign(k, &sc, NULL);
}

/* The reason step_check gives for cred on node n1 at time 1000, or "" when
 * it admits it. */
static const char *
why(struct fx *f, const struct stepcred_key *k, const char *cred)
{
	static struct hc_err err;
	struct stepcred out;

	memset(&err, 0, sizeof(err));
	if (step_check(k, cred, "n1", 1000, job_fn, used_fn, f, &out,
		       &err) == 0)
		return "";
	assert_int_equal(err.code, HC_EAUTH);
	return err.text;
}

static void
test_admit_and_refuse(void **state)
{
	struct fx *f = *state;
	char *good = sign(f->key, 7, 2, 1001, "n[1-2]", 2000);
	char *cases[] = {
		sign(f->other, 7, 2, 1001, "n[1-2]", 2000),	/* forged */
		sign(f->key, 7, 2, 1001, "n[1-2]", 999),	/* expired */
		sign(f->key, 7, 2, 1001, "n[2-3]", 2000),	/* other node */
		sign(f->key, 8, 2, 1001, "n[1-2]", 2000),	/* other job */
		sign(f->key, 7, 2, 1002, "n[1-2]", 2000),	/* other user */
	};
	const char *want[] = {
		"bad signature", "expired", "not issued for node n1",
		"job 8 is not running on n1", "credential for uid 1002",
	};
	char *tampered = strdup(good);

	assert_string_equal(why(f, f->pub, good), "");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_non_null(cases[i]);
		const char *w = why(f, f->pub, cases[i]);
		if (!strstr(w, want[i]))
			fail_msg("case %zu: '%s' lacks '%s'", i, w, want[i]);
		free(cases[i]);
	}
	tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
	assert_string_not_equal(why(f, f->pub, tampered), "");
	assert_non_null(strstr(why(f, f->pub, NULL), "missing"));
	assert_non_null(strstr(why(f, f->pub, ""), "missing"));
	assert_non_null(strstr(why(f, NULL, good), "no step key"));
	f->used_job = 7;
	f->used_step = 2;
	assert_non_null(strstr(why(f, f->pub, good), "already used on n1"));
	f->used_job = 0;
	free(tampered);
	free(good);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admit_and_refuse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
