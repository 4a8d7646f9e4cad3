/*
 * test_fairshare: decaying usage on an injected clock, the usage ledger,
 * Fair Tree ranking on hand-built trees (the heavy user in one project
 * against the light user in another), queue fair-share, and the parsing
 * of BillingWeights (alone and as hc.conf reads it).
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "billing.h"
#include "conf.h"
#include "fairshare.h"
#include "fairshare_view.h"
#include "sched.h"

#define T0 1700000000
#define HOUR 3600.0

static void
test_decay_exact(void **state)
{
	struct fs_usage u = { 1000, T0 };

	assert_true(fabs(fs_decay(HOUR, HOUR) - 0.5) < 1e-12);
	assert_true(fabs(fs_decay(3 * HOUR, HOUR) - 0.125) < 1e-12);
	assert_true(fs_decay(HOUR, 0) == 1);	/* no half-life: no decay */
	assert_true(fs_decay(-5, HOUR) == 1);	/* the past never grows */
	/* Lazy: reading does not change the record; decaying does. */
	assert_true(fabs(fs_usage_at(&u, T0 + 7200, HOUR) - 250) < 1e-9);
	assert_true(u.value == 1000 && u.at == T0);
	fs_usage_decay(&u, T0 + 3600, HOUR);
	assert_true(fabs(u.value - 500) < 1e-9 && u.at == T0 + 3600);
	fs_usage_decay(&u, T0, HOUR);		/* never back in time */
	assert_true(fabs(u.value - 500) < 1e-9 && u.at == T0 + 3600);
}

/* Charging a job tick by tick gives the integral, whatever the ticks. */
static void
test_charge_ticks(void **state)
{
	struct fs_usage one = { 0, T0 }, many = { 0, T0 }, flat = { 0, T0 };
	double want = 10 * HOUR / M_LN2 * (1 - 0.5);	/* over one h */

	fs_usage_charge(&one, 10, T0, T0 + 3600, HOUR);
	for (int t = 0; t < 3600; t += 7)
		fs_usage_charge(&many, 10, T0 + t,
				T0 + (t + 7 > 3600 ? 3600 : t + 7), HOUR);
	assert_true(fabs(one.value - want) < 1e-6);
	assert_true(fabs(many.value - want) < 1e-6);
	assert_int_equal(one.at, T0 + 3600);
	fs_usage_charge(&flat, 10, T0, T0 + 60, 0);	/* no decay */
	assert_true(fabs(flat.value - 600) < 1e-9);
	fs_usage_charge(&flat, 10, T0 + 60, T0 + 60, 0);	/* empty */
	assert_true(fabs(flat.value - 600) < 1e-9);
	/* An interval that ended before the record's time is decayed in. */
	fs_usage_charge(&one, 10, T0 - 3600, T0, HOUR);
	assert_true(fabs(one.value - want * 1.5) < 1e-6);
}

static void
test_ledger(void **state)
{
	struct fs_ledger *l = fs_ledger_create(HOUR);
	char key[FS_KEY_MAX];
	struct fs_ledger_entry *e;

	fs_key_user("physics", "alice", key, sizeof(key));
	assert_string_equal(key, "U:physics/alice");
	fs_key_queue("batch", key, sizeof(key));
	assert_string_equal(key, "Q:batch");
	assert_true(fs_ledger_usage(l, "U:x/y", T0) == 0);
	for (int i = 0; i < 300; i++) {		/* grows its index */
		snprintf(key, sizeof(key), "U:a/u%d", i);
		fs_ledger_set(l, key, i, T0);
	}
	assert_int_equal(fs_ledger_count(l), 300);
	assert_true(fabs(fs_ledger_usage(l, "U:a/u200", T0 + 3600) - 100) <
		    1e-9);
	fs_ledger_clean(l);
	fs_ledger_charge(l, "U:a/u7", 1, T0, T0 + 10);
	e = fs_ledger_get(l, "U:a/u7", false, T0);
	assert_non_null(e);
	assert_true(e->dirty);
	assert_false(fs_ledger_get(l, "U:a/u8", false, T0)->dirty);
	assert_null(fs_ledger_get(l, "U:nope", false, T0));
	fs_ledger_destroy(l);
}

/* root -> A (shares 1) -> heavy, idleA; root -> B (shares 1) -> light. */
static void
test_fair_tree_projects(void **state)
{
	struct fs_node n[] = {
		{ .name = "root", .parent = -1 },
		{ .name = "A", .parent = 0, .shares = 1 },
		{ .name = "B", .parent = 0, .shares = 1 },
		{ .name = "heavy", .parent = 1, .shares = 1, .is_user = true,
		  .usage = 1000 },
		{ .name = "idleA", .parent = 1, .shares = 1, .is_user = true },
		{ .name = "light", .parent = 2, .shares = 1, .is_user = true,
		  .usage = 10 },
	};

	fairshare_tree(n, 6);
	assert_true(fabs(n[0].usage - 1010) < 1e-9);	/* subtree sums */
	assert_true(fabs(n[1].usage - 1000) < 1e-9);
	assert_true(fabs(n[1].shares_norm - 0.5) < 1e-12);
	assert_true(fabs(n[2].usage_norm - 10.0 / 1010) < 1e-12);
	assert_true(n[2].level_fs > n[1].level_fs);	/* B under-served */
	/* B's user ranks first, then A's idle user, then the heavy one. */
	assert_int_equal(n[5].rank, 3);
	assert_int_equal(n[4].rank, 2);
	assert_int_equal(n[3].rank, 1);
	assert_true(fabs(n[5].factor - 1.0) < 1e-12);
	assert_true(fabs(n[4].factor - 2.0 / 3) < 1e-12);
	assert_true(fabs(n[3].factor - 1.0 / 3) < 1e-12);
	assert_true(isinf(n[4].level_fs));		/* no usage */
	assert_true(fabs(n[3].usage_eff - 1000.0 / 1010) < 1e-12);
	for (int i = 0; i < 6; i++)
		assert_true(n[i].factor >= 0 && n[i].factor <= 1);
}

/* Shares weigh: with 9:1 shares, 5x the usage still ranks first. */
static void
test_fair_tree_shares_ties(void **state)
{
	struct fs_node n[] = {
		{ .name = "root", .parent = -1 },
		{ .name = "big", .parent = 0, .shares = 9, .usage = 500 },
		{ .name = "small", .parent = 0, .shares = 1, .usage = 100 },
	};
	struct fs_node t[] = {
		{ .name = "root", .parent = -1 },
		{ .name = "u1", .parent = 0, .is_user = true, .usage = 5 },
		{ .name = "u2", .parent = 0, .is_user = true, .usage = 5 },
		{ .name = "u3", .parent = 0, .is_user = true, .usage = 50 },
	};
	struct fs_node alone[] = { { .name = "root", .parent = -1 } };

	fairshare_tree(n, 3);
	assert_true(n[1].factor > n[2].factor);
	fairshare_tree(t, 4);			/* equal usage: one rank */
	assert_int_equal(t[1].rank, 3);
	assert_int_equal(t[2].rank, 3);
	assert_int_equal(t[3].rank, 1);
	fairshare_tree(alone, 1);
	assert_true(alone[0].factor == 1);
}

static void
test_queue_factors(void **state)
{
	double use[3] = { 0, 0, 0 }, w[3] = { 1, 1, 2 }, f[3];

	fairshare_queues(use, w, 3, f);
	for (int i = 0; i < 3; i++)
		assert_true(f[i] == 1);		/* all idle */
	use[0] = 1000;				/* queue 0 floods */
	fairshare_queues(use, w, 3, f);
	assert_true(fabs(f[0] - exp2(-4)) < 1e-12);
	assert_true(f[1] == 1 && f[2] == 1);
	use[0] = 250, use[1] = 250, use[2] = 500;	/* each its share */
	fairshare_queues(use, w, 3, f);
	for (int i = 0; i < 3; i++)
		assert_true(fabs(f[i] - 0.5) < 1e-12);
}

/* No accounts yet: users are implicit leaves under root; a user with only
 * usage in the ledger still counts (and pushes the others up). */
static void
test_view_implicit(void **state)
{
	struct fs_ledger *l = fs_ledger_create(HOUR);
	struct sched_job j[2];
	struct fs_view *fv;
	size_t nn;
	const struct fs_node *nodes;

	memset(j, 0, sizeof(j));
	j[0].user = "hcuser1";
	j[1].user = "hcuser2";
	fs_ledger_charge(l, "U:root/hcuser1", 16, T0 - 600, T0);
	fs_ledger_charge(l, "U:root/other", 1, T0 - 600, T0);
	fv = fs_view_build(NULL, l, j, 2, T0);
	nodes = fs_view_nodes(fv, &nn);
	assert_int_equal(nn, 4);		/* root + 3 users */
	assert_true(fs_view_job_factor(fv, &j[1], NULL) == 1);
	assert_true(fs_view_job_factor(fv, &j[0], NULL) <
		    fs_view_job_factor(fv, &j[1], NULL));
	assert_true(nodes[0].usage > 16 * 500);
	fs_view_free(fv);
	fs_ledger_destroy(l);
}

static void
test_billing(void **state)
{
	struct billing b;
	struct hc_err err = { 0 };
	struct res_list other = { 0 };
	static const char *const bad[][2] = {
		{ "cpu=abc", "must be a number" },
		{ "cpu", "no NAME=WEIGHT" },
		{ "cpu=1,,gpu=2", "empty item" },
		{ "gpu=1/G", "only mem takes a unit" },
		{ "mem=1/X", "unknown unit" },
		{ "cpu=-1", "must be a number >= 0" },
		{ "cpu=1,cpu=2", "given twice" },
		{ "=3", "no NAME=WEIGHT" },
	};

	assert_int_equal(billing_parse("cpu=1.0,mem=0.25/G,gpu=8.0,"
				       "gpu:h100=12,lic=2", &b, &err), 0);
	assert_true(fabs(billing_rate(&b, 4, 8192, 0, "", NULL) - 6) < 1e-9);
	assert_true(fabs(billing_rate(&b, 0, 0, 2, "a100", NULL) - 16) <
		    1e-9);
	assert_true(fabs(billing_rate(&b, 0, 0, 2, "h100", NULL) - 24) <
		    1e-9);
	assert_int_equal(res_list_parse("lic:3", &other, &err), 0);
	assert_true(fabs(billing_rate(&b, 1, 0, 0, NULL, &other) - 7) < 1e-9);
	res_list_free(&other);
	assert_int_equal(billing_parse("mem=0.5G", &b, &err), 0);
	assert_true(fabs(billing_rate(&b, 3, 2048, 0, "", NULL) - 1) < 1e-9);
	assert_int_equal(billing_parse(NULL, &b, &err), 0);	/* default */
	assert_true(fabs(billing_rate(&b, 3, 2048, 1, "", NULL) - 3) < 1e-9);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(billing_parse(bad[i][0], &b, &err), -1);
		if (!strstr(err.text, bad[i][1]) ||
		    !strstr(err.text, "BillingWeights"))
			fail_msg("%s: got '%s', want '%s'", bad[i][0],
				 err.text, bad[i][1]);
	}
}

/* hc.conf refuses a bad BillingWeights or weight, naming the line. */
static void
test_conf_keys(void **state)
{
	struct hc_err err = { 0 };
	char *errors = NULL;
	struct hc_conf *c;

	c = conf_load_string("PriorityWeightFairshare=10000\n"
			     "PriorityDecayHalfLife=1h\n"
			     "BillingWeights=cpu=1,gpu=8\n"
			     "NodeName=n1 CPUs=4\n"
			     "QueueName=q Nodes=ALL FairShareWeight=3\n",
			     "good.conf", NULL, &err);
	assert_non_null(c);
	assert_int_equal(c->prio_weight_fairshare, 10000);
	assert_int_equal(c->prio_decay_half_life, 3600);
	assert_int_equal(c->queues[0].fairshare_weight, 3);
	conf_destroy(c);
	c = conf_load_string("BillingWeights=cpu=x\n", "bad.conf", &errors,
			     &err);
	assert_null(c);
	assert_non_null(strstr(errors, "bad.conf:1"));
	assert_non_null(strstr(errors, "the weight must be a number"));
	free(errors);
	errors = NULL;
	c = conf_load_string("PriorityWeightAge=-3\n", "bad.conf", &errors,
			     &err);
	assert_null(c);
	assert_non_null(strstr(errors, "PriorityWeightAge"));
	free(errors);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decay_exact),
		cmocka_unit_test(test_charge_ticks),
		cmocka_unit_test(test_ledger),
		cmocka_unit_test(test_fair_tree_projects),
		cmocka_unit_test(test_fair_tree_shares_ties),
		cmocka_unit_test(test_queue_factors),
		cmocka_unit_test(test_view_implicit),
		cmocka_unit_test(test_billing),
		cmocka_unit_test(test_conf_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
