/*
 * test_conf_pool: CloudPool= lines and power-saving keys of hc.conf. Good
 * pools and the nodes they declare; bad lines and their exact messages
 * (every one names the pool) side by side.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define NODES "NodeName=n[1-2] NodeAddr=127.0.0.1 Port=7001\n" \
	      "QueueName=batch Nodes=n[1-2] Default=YES\n"
#define POOL "CloudPool=burst Nodes=c[1-4] CPUs=32 RealMemory=64G " \
	     "ResumeProgram=/r SuspendProgram=/s Queues=batch"

static const struct {
	const char *text;
	const char *errors;
} bad[] = {
	{ NODES "CloudPool=burst CPUs=8 RealMemory=8G Queues=batch\n",
	  "hc.conf:3: CloudPool=burst: Nodes missing; list the pool's node "
	  "names, e.g. Nodes=c[001-064]\n"
	  "hc.conf:3: CloudPool=burst: ResumeProgram missing; give the "
	  "provider program that starts nodes\n"
	  "hc.conf:3: CloudPool=burst: SuspendProgram missing; give the "
	  "provider program that releases nodes" },
	{ NODES "CloudPool=burst Nodes=c[1-2] ResumeProgram=/r "
	  "SuspendProgram=/s Queues=batch\n",
	  "hc.conf:3: CloudPool=burst: CPUs missing; give the template's "
	  "CPUs: the plan counts a node before it exists\n"
	  "hc.conf:3: CloudPool=burst: RealMemory missing; give the "
	  "template's memory, e.g. RealMemory=64G" },
	{ NODES POOL " ResumeRate=fast\n",
	  "hc.conf:3: CloudPool=burst: ResumeRate: 'fast' is not a rate; "
	  "write nodes per period, like 8/min, 1/s or 100/h" },
	{ NODES POOL " ResumeRate=8/week\n",
	  "hc.conf:3: CloudPool=burst: ResumeRate: '8/week' is not a rate; "
	  "write nodes per period, like 8/min, 1/s or 100/h" },
	{ NODES POOL " CostPerNodeHour=-1\n",
	  "hc.conf:3: CloudPool=burst: CostPerNodeHour: '-1' is not a cost; "
	  "write a decimal number like 3.20" },
	{ NODES POOL " MaxNodes=9\n",
	  "hc.conf:3: CloudPool=burst: MaxNodes=9 but Nodes names 4; lower "
	  "MaxNodes or name more nodes" },
	{ NODES POOL " BurstAfter=soon\n",
	  "hc.conf:3: CloudPool=burst: BurstAfter: soon: not a duration; "
	  "write seconds (300) or a number with s, min, h or d (30s, 5min, "
	  "2h, 1d)" },
	{ NODES POOL " Burstafter=1h BurstAftr=1h\n",
	  "hc.conf:3: CloudPool=burst: BurstAftr: unknown key; did you mean "
	  "BurstAfter?" },
	{ NODES POOL " NodeName=x\n",
	  "hc.conf:3: CloudPool=burst: NodeName: must start its line; put "
	  "NodeName=... first on a line" },
	{ NODES POOL " StateDir=/x\n",
	  "hc.conf:3: CloudPool=burst: StateDir: not valid here; write it "
	  "on a line of its own" },
	{ NODES POOL " CPUs=4\n",
	  "hc.conf:3: CloudPool=burst: CPUs: given twice on this line; keep "
	  "one" },
	{ NODES "CloudPool=burst Nodes=n[2-3] CPUs=1 RealMemory=1G "
	  "ResumeProgram=/r SuspendProgram=/s Queues=batch\n",
	  "hc.conf:3: CloudPool=burst: n2 is already declared on line 1; "
	  "declare each node once" },
	{ NODES POOL "\n" POOL "\n",
	  "hc.conf:4: CloudPool=burst: already declared on line 3; declare "
	  "each pool once" },
	{ NODES POOL ",gpu\n",
	  "hc.conf:3: CloudPool=burst: Queues: gpu is not a queue; declare "
	  "it with QueueName= or fix the list" },
	{ "NodeName=n1\nCloudPool=burst Nodes=c1 CPUs=1 RealMemory=1G "
	  "ResumeProgram=/r SuspendProgram=/s\n"
	  "QueueName=batch Nodes=n1\n",
	  "hc.conf:2: CloudPool=burst: its nodes are in no queue; name the "
	  "queues with Queues= or list the nodes in a queue's Nodes" },
	{ NODES "CloudPool=burst Nodes=c[1-2 CPUs=8 RealMemory=8G "
	  "ResumeProgram=/r SuspendProgram=/s Queues=batch\n",
	  "hc.conf:3: CloudPool=burst: Nodes: c[1-2: missing ']'; write "
	  "ranges like n[1-4]" },
	{ NODES POOL " Sockets=2 CoresPerSocket=8 ThreadsPerCore=1\n",
	  "hc.conf:3: CloudPool=burst: CPUs=32 but Sockets*CoresPerSocket*"
	  "ThreadsPerCore is 16; make them agree, or give only CPUs" },
	{ NODES POOL " Port=65535\n",
	  "hc.conf:3: CloudPool=burst: Port=65535 leaves no port for the "
	  "last of 4 nodes; give a port below 65532" },
	{ NODES "CloudPool=b@d\n",
	  "hc.conf:3: CloudPool: 'b@d' is not a valid name; use letters, "
	  "digits, '-', '_' and '.'" },
	{ "NodeName=n1 PowerSave=YES\nQueueName=a Nodes=n1\n",
	  "hc.conf:1: PowerSave=YES on n1, but ResumeProgram or "
	  "SuspendProgram is not set; set both on a line of their own" },
	{ "ResumeProgram=/r SuspendProgram=/s\nNodeName=n1\n"
	  "QueueName=a Nodes=n1 PowerSave=YES\n",
	  "hc.conf:3: PowerSave=YES on a, but SuspendTime is 0; set how "
	  "long a node stays idle before it is powered off" },
	{ "ResumeRate=lots\n",
	  "hc.conf:1: ResumeRate: 'lots' is not a rate; write nodes per "
	  "period, like 8/min, 1/s or 100/h" },
	{ "NodeName=n1 BurstAfter=1h\n",
	  "hc.conf:1: NodeName=n1: BurstAfter: not valid here; write it on "
	  "a CloudPool line" },
};

static void
test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		struct hc_err err = { 0 };
		char *errors = NULL;
		struct hc_conf *c = conf_load_string(bad[i].text, "hc.conf",
						     &errors, &err);
		if (c)
			fail_msg("accepted: %s", bad[i].text);
		assert_non_null(errors);
		if (strcmp(errors, bad[i].errors))
			fail_msg("for: %s\ngot:  %s\nwant: %s", bad[i].text,
				 errors, bad[i].errors);
		free(errors);
	}
}

static void
test_good(void **state)
{
	static const char text[] =
		NODES
		"CloudPool=burst Nodes=c[001-004] CPUs=32 RealMemory=64G "
		"Gres=gpu:h100:1 Features=cloud Weight=100 Port=7101 "
		"ResumeProgram=/r SuspendProgram=/s ResumeTimeout=2min "
		"SuspendTime=30 ResumeRate=2/s MaxNodes=3 "
		"CostPerNodeHour=3.20 BurstAfter=1h Queues=batch "
		"Accounts=physics,chem ListProgram=/l\n"
		"CloudPool=cheap Nodes=d1 CPUs=4 RealMemory=4G "
		"ResumeProgram=/r SuspendProgram=/s Queues=batch\n"
		"ResumeProgram=/pr SuspendProgram=/ps SuspendTime=10min\n"
		"SuspendExcNodes=n2\n"
		"QueueName=eco Nodes=n[1-2] PowerSave=YES\n";
	struct hc_err err = { 0 };
	char *errors = NULL;
	struct hc_conf *c = conf_load_string(text, "hc.conf", &errors, &err);
	const struct conf_pool *p;
	const struct conf_node *n;

	(void)state;
	if (!c)
		fail_msg("%s", errors);
	assert_int_equal(c->pool_count, 2);
	assert_int_equal(c->node_count, 2 + 4 + 1);
	p = conf_pool_find(c, "burst");
	assert_non_null(p);
	assert_int_equal(p->node_count, 4);
	assert_int_equal(p->resume_timeout, 120);
	assert_int_equal(p->suspend_time, 30);
	assert_int_equal(p->rate_count, 2);
	assert_int_equal(p->rate_period, 1);
	assert_int_equal(p->max_nodes, 3);
	assert_true(p->cost > 3.19 && p->cost < 3.21);
	assert_int_equal(p->burst_after, 3600);
	assert_string_equal(p->accounts[1], "chem");
	assert_string_equal(p->list_program, "/l");
	assert_null(p->resume_fail_program);
	n = conf_node_find(c, "c003");
	assert_non_null(n);
	assert_string_equal(n->pool, "burst");
	assert_int_equal(n->cpus, 32);
	assert_int_equal(n->real_memory_mb, 64 * 1024);
	assert_int_equal(n->port, 7103);
	assert_int_equal(n->weight, 100);
	assert_string_equal(n->features[0], "cloud");
	assert_int_equal(n->gres.count, 1);
	p = conf_pool_find(c, "cheap");
	assert_int_equal(p->max_nodes, 1);	/* UNLIMITED: the pool's */
	assert_int_equal(p->burst_after, 900);	/* defaults */
	assert_int_equal(p->rate_count, 8);
	assert_int_equal(p->rate_period, 60);
	assert_int_equal(p->suspend_time, 300);
	assert_int_equal(conf_node_find(c, "d1")->port, 6818);
	/* Queues= adds the pool's nodes to the queue */
	assert_non_null(strstr(conf_queue_find(c, "batch")->nodes, "c"));
	/* power saving: n1 by its queue, n2 excluded, cloud nodes never */
	assert_true(conf_node_power_save(c, conf_node_find(c, "n1")));
	assert_false(conf_node_power_save(c, conf_node_find(c, "n2")));
	assert_false(conf_node_power_save(c, conf_node_find(c, "c001")));
	assert_int_equal(c->suspend_time, 600);
	conf_destroy(c);
}

static void
test_rate(void **state)
{
	long n, per;

	(void)state;
	assert_int_equal(conf_rate_parse("8/min", &n, &per, NULL), 0);
	assert_true(n == 8 && per == 60);
	assert_int_equal(conf_rate_parse("100/h", &n, &per, NULL), 0);
	assert_true(n == 100 && per == 3600);
	assert_int_equal(conf_rate_parse("5", &n, &per, NULL), 0);
	assert_true(n == 5 && per == 60);
	assert_int_equal(conf_rate_parse("0/min", &n, &per, NULL), -1);
	assert_int_equal(conf_rate_parse("/min", &n, &per, NULL), -1);
}

/* 64 pools at most (the bits of sched_job.pool_deny): the 65th is
 * refused with its line. */
static void
test_pool_limit(void **state)
{
	size_t cap = 65 * 128 + sizeof(NODES), len;
	char *text = malloc(cap), *errors = NULL;
	struct hc_err err = { 0 };
	struct hc_conf *c;

	(void)state;
	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "%s", NODES);
	for (int i = 1; i <= 64; i++)
		len += (size_t)snprintf(text + len, cap - len, "CloudPool=p%d "
					"Nodes=c%d CPUs=4 RealMemory=1G "
					"ResumeProgram=/r SuspendProgram=/s "
					"Queues=batch\n", i, i);
	c = conf_load_string(text, "hc.conf", &errors, &err);
	assert_non_null(c);
	assert_int_equal(c->pool_count, 64);
	conf_destroy(c);
	free(errors);
	errors = NULL;
	snprintf(text + len, cap - len, "CloudPool=p65 Nodes=c65 CPUs=4 "
		 "RealMemory=1G ResumeProgram=/r SuspendProgram=/s "
		 "Queues=batch\n");
	assert_null(conf_load_string(text, "hc.conf", &errors, &err));
	assert_non_null(errors);
	assert_string_equal(errors, "hc.conf:67: CloudPool=p65: at most 64 "
			    "cloud pools; merge pools of the same template");
	free(errors);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_pool_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
