/*
 * test_priority: the multifactor priority through sched_pass: each
 * factor normalised and weighted, nice and the admin's priority, user
 * fair-share (implicit users and an account tree) and queue fair-share
 * deciding who starts on a full node.
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

#include "fairshare.h"
#include "sched.h"
#include "sched_account.h"

#define PLUGIN_DIR TOP_BUILDDIR "/plugins/sched/.libs"
#define NOW 1700000000

struct world {
	struct sched *s;
	struct sched_node node;
	uint8_t cpu_used[64];
	struct fs_ledger *l;
	struct sched_result res;
};

static void
world_init(struct world *w, uint32_t cpus, const struct sched_prio_conf *c)
{
	static const char *const plugins[] = { "basic", NULL };
	static const char *const params[] = { "basic.AgeWeight=0", NULL };
	struct sched_options o = { .plugin_dir = PLUGIN_DIR,
				   .plugins = plugins, .params = params };
	struct hc_err err = { 0 };

	memset(w, 0, sizeof(*w));
	w->s = sched_create(&o, &err);
	if (!w->s)
		fail_msg("sched_create: %s", err.text);
	w->node.name = "n1";
	w->node.usable = true;
	w->node.cpus = cpus;
	w->node.cpu_used = w->cpu_used;
	w->node.mem_mb = 100000;
	w->node.queue_mask = 3;
	w->l = fs_ledger_create(3600);
	sched_set_priority(w->s, c);
	sched_set_usage(w->s, w->l);
	sched_set_queue(w->s, 0, "batch", 1, 1);
	sched_set_queue(w->s, 1, "high", 2, 1);
}

static void
world_fini(struct world *w)
{
	sched_result_free(&w->res);
	fs_ledger_destroy(w->l);
	sched_destroy(w->s);
}

static struct sched_job
job(uint32_t id, const char *user, uint32_t ntasks, time_t submit)
{
	struct sched_job j;

	memset(&j, 0, sizeof(j));
	j.id = id;
	j.uid = 1000 + id;
	j.user = user;
	j.submit_time = submit;
	j.nodes_min = 1;
	j.ntasks = ntasks;
	j.cpus_per_task = 1;
	j.mem_per_node_mb = 10;
	j.qos = SCHED_NONE;
	return j;
}

static void
pass(struct world *w, struct sched_job *j, size_t n)
{
	struct hc_err err = { 0 };

	sched_result_free(&w->res);
	memset(w->cpu_used, 0, sizeof(w->cpu_used));
	assert_int_equal(sched_pass(w->s, j, n, &w->node, 1, NOW, &w->res,
				    &err), 0);
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-6)

static void
test_factors(void **state)
{
	struct sched_prio_conf c = { .w_age = 1000, .w_jobsize = 100,
				     .w_queue = 10, .max_age = 1000 };
	struct world w;
	struct sched_job j[3];

	world_init(&w, 64, &c);
	j[0] = job(1, "a", 16, NOW - 500);
	j[0].queue = 1;
	j[0].nice = 5;
	j[1] = job(2, "b", 64, NOW - 5000);	/* age saturates */
	j[2] = job(3, "c", 1, NOW);
	j[2].admin_priority = 7;
	pass(&w, j, 3);
	NEAR(j[0].factors.age, 500);
	NEAR(j[0].factors.jobsize, 25);
	NEAR(j[0].factors.queue, 10);
	NEAR(j[0].factors.nice, -5);
	NEAR(j[0].factors.total, 530);
	NEAR(j[0].priority, 530);
	NEAR(j[1].factors.age, 1000);
	NEAR(j[1].factors.jobsize, 100);
	NEAR(j[1].factors.queue, 5);
	NEAR(j[2].factors.total, 7);		/* the admin's wins */
	NEAR(j[2].factors.admin, 7);
	world_fini(&w);
	c.favor_small = true;
	world_init(&w, 64, &c);
	j[0] = job(1, "a", 16, NOW);
	j[1] = job(2, "b", 1, NOW);
	pass(&w, j, 2);
	NEAR(j[0].factors.jobsize, 75);
	assert_true(j[1].factors.jobsize > j[0].factors.jobsize);
	world_fini(&w);
}

/* The heavy user submitted first, the node fits one job: the light user's
 * job starts. */
static void
test_fairshare_users(void **state)
{
	struct sched_prio_conf c = { .w_fairshare = 10000 };
	struct world w;
	struct sched_job j[2];

	world_init(&w, 4, &c);
	fs_ledger_charge(w.l, "U:root/hcuser1", 4, NOW - 600, NOW);
	j[0] = job(1, "hcuser1", 4, NOW - 60);
	j[1] = job(2, "hcuser2", 4, NOW - 30);
	pass(&w, j, 2);
	NEAR(j[1].factors.fairshare, 10000);
	NEAR(j[0].factors.fairshare, 5000);
	assert_int_equal(w.res.count, 1);
	assert_int_equal(w.res.allocs[0].job, 2);
	assert_string_not_equal(j[0].reason, "");
	/* Without the weight, submit order rules. */
	c.w_fairshare = 0;
	sched_set_priority(w.s, &c);
	pass(&w, j, 2);
	assert_int_equal(w.res.allocs[0].job, 1);
	world_fini(&w);
}

/* Accounts A (heavy user) and B (light user): B's user goes first even
 * though A also has an idle user with no usage at all. */
static void
test_fairshare_accounts(void **state)
{
	struct sched_acct a[6];
	struct sched_qos q[2];
	struct sched_acct_view v = { a, 6, q, 2, NULL };
	struct sched_prio_conf c = { .w_fairshare = 100, .w_qos = 50 };
	struct world w;
	struct sched_job j[3];

	memset(a, 0, sizeof(a));
	memset(q, 0, sizeof(q));
	a[0] = (struct sched_acct){ .name = "root", .parent = -1 };
	a[1] = (struct sched_acct){ .name = "A", .parent = 0, .shares = 1 };
	a[2] = (struct sched_acct){ .name = "B", .parent = 0, .shares = 1 };
	a[3] = (struct sched_acct){ .name = "heavy", .parent = 1,
				    .is_user = true, .shares = 1 };
	a[4] = (struct sched_acct){ .name = "idle", .parent = 1,
				    .is_user = true, .shares = 1 };
	a[5] = (struct sched_acct){ .name = "light", .parent = 2,
				    .is_user = true, .shares = 1 };
	q[0] = (struct sched_qos){ .name = "normal", .priority = 10 };
	q[1] = (struct sched_qos){ .name = "high", .priority = 100 };
	world_init(&w, 4, &c);
	sched_set_accounts(w.s, &v);
	fs_ledger_charge(w.l, "U:A/heavy", 100, NOW - 600, NOW);
	fs_ledger_charge(w.l, "U:B/light", 1, NOW - 600, NOW);
	j[0] = job(1, "heavy", 4, NOW - 90);
	j[0].assoc = 3;
	j[1] = job(2, "idle", 4, NOW - 60);
	j[1].assoc = 4;
	j[2] = job(3, "light", 4, NOW - 30);
	j[2].assoc = 5;
	j[2].qos = 0;
	pass(&w, j, 3);
	NEAR(j[2].factors.fairshare, 100);
	NEAR(j[1].factors.fairshare, 100 * 2.0 / 3);
	NEAR(j[0].factors.fairshare, 100 / 3.0);
	NEAR(j[2].factors.qos, 5);		/* 10 of the highest 100 */
	assert_int_equal(w.res.allocs[0].job, 3);
	assert_true(a[2].fs_factor == 0 || a[2].level_fs > a[1].level_fs);
	NEAR(a[5].fs_factor, 1);		/* written back to the view */
	sched_acct_view_free(&v);
	world_fini(&w);
}

/* A flooding queue's jobs go after a quiet queue's on shared nodes. */
static void
test_queue_fairshare(void **state)
{
	struct sched_prio_conf c = { .w_queue_fs = 1000 };
	struct world w;
	struct sched_job j[2];

	world_init(&w, 4, &c);
	fs_ledger_charge(w.l, "Q:batch", 64, NOW - 3600, NOW);
	j[0] = job(1, "u", 4, NOW - 60);	/* batch, the flood */
	j[1] = job(2, "u", 4, NOW - 30);
	j[1].queue = 1;
	pass(&w, j, 2);
	NEAR(j[1].factors.queue_fs, 1000);
	NEAR(j[0].factors.queue_fs, 250);	/* 2^-(1/0.5) */
	assert_int_equal(w.res.allocs[0].job, 2);
	world_fini(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_factors),
		cmocka_unit_test(test_fairshare_users),
		cmocka_unit_test(test_fairshare_accounts),
		cmocka_unit_test(test_queue_fairshare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
