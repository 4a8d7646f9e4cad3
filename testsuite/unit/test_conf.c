/*
 * test_conf: the hc.conf parser. Good files and what they give, bad lines
 * and their exact messages side by side, and the key table against the
 * hc.conf(5) man page so the two cannot drift.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define NODES "NodeName=n[1-4] NodeAddr=127.0.0.1 Port=7001\n"

/* Each bad text and every error it must give, in order. */
static const struct {
	const char *text;
	const char *errors;
} bad[] = {
	{ "ControlPrt=6817\n",
	  "hc.conf:1: ControlPrt: unknown key; did you mean ControlPort?" },
	{ "statedirr=/x\n",
	  "hc.conf:1: statedirr: unknown key; did you mean StateDir?" },
	{ "Frobnicate=1\n",
	  "hc.conf:1: Frobnicate: unknown key; see hc.conf(5) for the keys" },
	{ "# comment\n\nControlPort=70000\n",
	  "hc.conf:3: ControlPort must be <= 65535; give a TCP port, or 0 for "
	  "an ephemeral one" },
	{ "ControlPort=-1\n",
	  "hc.conf:1: ControlPort must be >= 0; give a TCP port, or 0 for an "
	  "ephemeral one" },
	{ "ControlPort=http\n",
	  "hc.conf:1: ControlPort: http: not a whole number; write digits "
	  "only, like 42" },
	{ "ControlPort=1\nControlPort=2\n",
	  "hc.conf:2: ControlPort: set twice (first on line 1); keep one" },
	{ "StateDir=\n",
	  "hc.conf:1: StateDir: missing value; write StateDir=VALUE" },
	{ "StateDir\n",
	  "hc.conf:1: StateDir: missing value; write StateDir=VALUE" },
	{ "Prolog=\"/bin/pro log\n",
	  "hc.conf:1: Prolog: unterminated quote; end the value with a "
	  "closing \"" },
	{ "Prolog=\"/bin/x\"y\n",
	  "hc.conf:1: Prolog: text after the closing quote; put a space "
	  "after it or quote the whole value" },
	{ "MinJobAge=5x\n",
	  "hc.conf:1: MinJobAge: 5x: unknown unit 'x'; write seconds (300) "
	  "or a number with s, min, h or d (30s, 5min, 2h, 1d)" },
	{ "NodeTimeout=30\n",
	  "hc.conf:1: HeartbeatInterval=30 is not below NodeTimeout=30: "
	  "every node would go DOWN between two heartbeats; make "
	  "HeartbeatInterval at most a third of NodeTimeout" },
	{ "NodeTimeout=0\n",
	  "hc.conf:1: NodeTimeout must be > 0; give a number from 1 to "
	  "604800" },
	{ "StateMapSize=1M\n",
	  "hc.conf:1: StateMapSize must be >= 16; give a number >= 16" },
	{ "RequeueHold=maybe\n",
	  "hc.conf:1: RequeueHold: maybe: not a yes/no value; write YES or NO "
	  "(also true/false, on/off, 1/0)" },
	{ "LogLevel=loud\n",
	  "hc.conf:1: LogLevel: 'loud' is not a choice; write one of "
	  "error|warn|info|debug" },
	{ "SchedulerPlugins=basic,,fair\n",
	  "hc.conf:1: SchedulerPlugins: empty item in 'basic,,fair'; separate "
	  "items with one comma" },
	{ "Port=7000\n",
	  "hc.conf:1: Port: not valid here; write it on a NodeName line" },
	{ "ControlPort=1 NodeName=n1\n",
	  "hc.conf:1: NodeName: must start its line; put NodeName=... first "
	  "on a line" },
	{ "NodeName=n[1-4] CPUs=0\n",
	  "hc.conf:1: NodeName=n[1-4]: CPUs must be > 0; give the number of "
	  "logical CPUs" },
	{ "NodeName=n[3-1]\n",
	  "hc.conf:1: NodeName: n[3-1]: range is reversed; write n[1-3]" },
	{ "NodeName=\n",
	  "hc.conf:1: NodeName: missing value; write NodeName=VALUE" },
	{ "NodeName=n1 Gres=gpu:h100:x\n",
	  "hc.conf:1: NodeName=n1: Gres: gpu:h100:x: 'x' is not a count; "
	  "write name[:type]:count, e.g. gpu:h100:4 or gpu:2,fpga:1" },
	{ "NodeName=n1 CPUs=4 CPUs=8\n",
	  "hc.conf:1: NodeName=n1: CPUs: given twice on this line; keep one" },
	{ "NodeName=n1 Cpus=4 Prt=1\n",
	  "hc.conf:1: NodeName=n1: Prt: unknown key; did you mean Port?" },
	{ "NodeName=n1 MaxTime=10\n",
	  "hc.conf:1: NodeName=n1: MaxTime: not valid here; write it on a "
	  "QueueName line" },
	{ "NodeName=n1 StateDir=/x\n",
	  "hc.conf:1: NodeName=n1: StateDir: not valid here; write it on a "
	  "line of its own" },
	{ "NodeName=n1 CPUs=8 Sockets=2 CoresPerSocket=2 ThreadsPerCore=1\n",
	  "hc.conf:1: NodeName=n1: CPUs=8 but Sockets*CoresPerSocket*"
	  "ThreadsPerCore is 4; make them agree, or give only CPUs" },
	{ "NodeName=n[1-4]\nNodeName=n[3-5]\n",
	  "hc.conf:2: NodeName=n[3-5]: n3 is already declared on line 1; "
	  "declare each node once" },
	{ "NodeName=n1 NodeName=n2\n",
	  "hc.conf:1: NodeName=n1: NodeName: given twice on this line; keep "
	  "one" },
	{ "NodeName=n1 CPUs\n",
	  "hc.conf:1: NodeName=n1: CPUs: missing value; write CPUs=VALUE" },
	{ "NodeName=n1 Port=0\n",
	  "hc.conf:1: NodeName=n1: Port must be > 0; give a TCP port" },
	{ NODES "QueueName=batch Nodes=n[1-6]\n",
	  "hc.conf:2: QueueName=batch: Nodes: n[5-6] are not declared; "
	  "declare them with NodeName= or fix the list" },
	{ NODES "QueueName=batch Nodes=n9\n",
	  "hc.conf:2: QueueName=batch: Nodes: n9 is not declared; declare it "
	  "with NodeName= or fix the list" },
	{ NODES "QueueName=batch Nodes=n[2-1]\n",
	  "hc.conf:2: QueueName=batch: Nodes: n[2-1]: range is reversed; "
	  "write n[1-2]" },
	{ NODES "QueueName=a Nodes=ALL Default=YES\n"
	  "QueueName=b Nodes=ALL Default=YES\n",
	  "hc.conf:3: QueueName=b: Default=YES, but queue a (line 2) is "
	  "already the default; keep one Default=YES" },
	{ NODES "QueueName=a Nodes=ALL\nQueueName=a Nodes=ALL\n",
	  "hc.conf:3: QueueName=a: already declared on line 2; declare each "
	  "queue once" },
	{ NODES "QueueName=a\n",
	  "hc.conf:2: QueueName=a: Nodes missing; list the queue's nodes, "
	  "e.g. Nodes=n[1-4] or Nodes=ALL" },
	{ NODES "QueueName=a Nodes=ALL MaxTime=1:00:00 DefaultTime=2:00:00\n",
	  "hc.conf:2: QueueName=a: DefaultTime (02:00:00) is longer than "
	  "MaxTime (01:00:00); lower DefaultTime or raise MaxTime" },
	{ NODES "QueueName=a Nodes=ALL MaxTime=forever\n",
	  "hc.conf:2: QueueName=a: MaxTime: forever: bad time limit; write "
	  "MINUTES, M:S, H:M:S, D-H, D-H:M or D-H:M:S (e.g. 90, 1:30:00, "
	  "2-00:00:00) or UNLIMITED" },
	{ NODES "QueueName=a Nodes=ALL OverSubscribe=YES\n",
	  "hc.conf:2: QueueName=a: OverSubscribe: 'YES' is not a choice; "
	  "write one of EXCLUSIVE|NO" },
	{ NODES "QueueName=a Nodes=ALL State=OPEN\n",
	  "hc.conf:2: QueueName=a: State: 'OPEN' is not a choice; write one "
	  "of UP|DOWN|INACTIVE" },
	{ NODES "QueueName=a Nodes=ALL MaxNodes=-2\n",
	  "hc.conf:2: QueueName=a: MaxNodes must be >= -1; give a number "
	  "from -1 to 1000000" },
	{ "QueueName=b@d Nodes=ALL\n",
	  "hc.conf:1: QueueName: 'b@d' is not a valid name; use letters, "
	  "digits, '-', '_' and '.'" },
	{ "QueueName=a Nodes=ALL\n",
	  "hc.conf:1: QueueName=a: Nodes=ALL, but no node is declared; add "
	  "NodeName= lines" },
	/* every error of a file is reported, in order */
	{ "ControlPrt=1\nKillWait=2h\nNodeName=x[1-2] CPUs=-1\n",
	  "hc.conf:1: ControlPrt: unknown key; did you mean ControlPort?\n"
	  "hc.conf:2: KillWait must be <= 3600; give a number from 0 to 3600\n"
	  "hc.conf:3: NodeName=x[1-2]: CPUs must be > 0; give the number of "
	  "logical CPUs" },
	/* a continued line is reported at its first line */
	{ "ClusterName=a\nNodeName=n1 \\\n  CPUs=0\n",
	  "hc.conf:2: NodeName=n1: CPUs must be > 0; give the number of "
	  "logical CPUs" },
};

static void
test_bad(void **state)
{
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
		assert_int_equal(err.code, HC_EINVAL);
		assert_memory_equal(err.text, errors,
				    strcspn(errors, "\n"));
		free(errors);
	}
}

static const char good_text[] =
	"# a small cluster\n"
	"ClusterName=test   # trailing comment\n"
	"ControlAddr=10.0.0.1 ControlPort=0\n"
	"StateDir=state\n"
	"Prolog=\"/usr/lib/hc/pro log\"\n"
	"SchedulerPlugins=basic,fairshare\n"
	"AdminUsers=alice,1234\n"
	"MinJobAge=5min JobRetention=30d\n"
	"DefMemPerCPU=2G\n"
	"StateMapSize=1T\n"
	"RequeueHold=yes\n"
	"LogLevel=DEBUG\n"
	"MaxJobsPerUser=50\n"
	"NodeName=n[1-2] NodeAddr=127.0.0.1 Port=7001 CPUs=8 \\\n"
	"    RealMemory=16G Features=x86,avx512\n"
	"NodeName=g[01-02] Port=7003 Gres=gpu:h100:4 Topology=topo/h100.xml "
	"Weight=10\n"
	"QueueName=batch Nodes=n[1-2],g[01-02] Default=YES MaxTime=1-00:00:00 "
	"DefaultTime=60\n"
	"QueueName=gpu Nodes=g[01-02] OverSubscribe=EXCLUSIVE State=DOWN "
	"PriorityTier=5 MaxNodes=2\n"
	"QueueName=all Nodes=ALL\n";

static void
test_good(void **state)
{
	struct hc_err err = { 0 };
	char *errors = NULL;
	struct hc_conf *c = conf_load_string(good_text, "/etc/hc/hc.conf",
					     &errors, &err);
	const struct conf_node *n;
	const struct conf_queue *q;

	if (!c)
		fail_msg("%s", errors);
	assert_null(errors);
	assert_string_equal(c->path, "/etc/hc/hc.conf");
	assert_string_equal(c->cluster_name, "test");
	assert_string_equal(c->control_addr, "10.0.0.1");
	assert_int_equal(c->control_port, 0);
	assert_string_equal(c->state_dir, "/etc/hc/state");
	assert_string_equal(c->prolog, "/usr/lib/hc/pro log");
	assert_string_equal(c->scheduler_plugins[0], "basic");
	assert_string_equal(c->scheduler_plugins[1], "fairshare");
	assert_null(c->scheduler_plugins[2]);
	assert_int_equal(c->min_job_age, 300);
	assert_int_equal(c->job_retention, 30 * 86400);
	assert_int_equal(c->def_mem_per_cpu_mb, 2048);
	assert_int_equal(c->state_map_size_mb, 1024 * 1024);
	assert_true(c->requeue_hold);
	assert_string_equal(c->log_level, "debug");
	assert_int_equal(c->max_jobs_per_user, 50);

	assert_int_equal(c->node_count, 4);
	n = conf_node_find(c, "n2");
	assert_non_null(n);
	assert_string_equal(n->addr, "127.0.0.1");
	assert_int_equal(n->port, 7001);
	assert_int_equal(n->cpus, 8);
	assert_int_equal(n->real_memory_mb, 16384);
	assert_string_equal(n->features[1], "avx512");
	assert_int_equal(n->weight, 1);
	assert_int_equal(n->line, 14);
	n = conf_node_find(c, "g02");
	assert_non_null(n);
	assert_string_equal(n->addr, "g02");
	assert_int_equal(n->cpus, 0);
	assert_int_equal(n->gres.count, 1);
	assert_string_equal(n->gres.items[0].type, "h100");
	assert_int_equal(n->gres.items[0].count, 4);
	assert_string_equal(n->topology, "/etc/hc/topo/h100.xml");
	assert_int_equal(n->weight, 10);
	assert_null(conf_node_find(c, "n3"));

	assert_int_equal(c->queue_count, 3);
	q = conf_queue_default(c);
	assert_string_equal(q->name, "batch");
	assert_int_equal(q->max_time, 1440);
	assert_int_equal(q->default_time, 60);
	assert_int_equal(q->max_nodes, -1);
	assert_false(q->exclusive);
	assert_string_equal(q->state, "UP");
	q = conf_queue_find(c, "gpu");
	assert_true(q->exclusive);
	assert_string_equal(q->state, "DOWN");
	assert_int_equal(q->priority_tier, 5);
	assert_int_equal(q->max_nodes, 2);
	assert_int_equal(q->default_time, -1);
	q = conf_queue_find(c, "all");
	assert_string_equal(q->nodes, "g[01-02],n[1-2]");
	assert_null(conf_queue_find(c, "nope"));

	assert_true(conf_is_admin(c, 0));
	assert_true(conf_is_admin(c, 1234));
	assert_false(conf_is_admin(c, 1235));
	conf_destroy(c);
	conf_destroy(NULL);
}

/* The empty file is valid and gives every documented default. */
static void
test_defaults(void **state)
{
	static const struct {
		const char *key, *value;
	} want[] = {
		{ "ClusterName", "hc" }, { "ControlAddr", "127.0.0.1" },
		{ "ControlPort", "6817" }, { "StateDir", "/var/lib/hc" },
		{ "StateMapSize", "64G" }, { "MungeSocket", "" },
		{ "SchedulerPlugins", "basic" }, { "AdminUsers", "" },
		{ "DefMemPerCPU", "1G" }, { "MinJobAge", "300" },
		{ "JobRetention", "0" }, { "NodeTimeout", "300" },
		{ "HeartbeatInterval", "30" }, { "KillWait", "30" },
		{ "MessageTimeout", "10" }, { "SchedulerInterval", "1" },
		{ "RequeueHold", "NO" }, { "AllowRootJobs", "NO" },
		{ "MaxJobCount", "1000000" }, { "LogLevel", "info" },
		{ "SpoolDir", "/var/spool/hc/%n" }, { "TmpDir", "/tmp" },
		{ "CgroupRoot", "/sys/fs/cgroup" }, { "CgroupPrefix", "hc" },
		{ "MaxJobsPerUser", "0" },
	};
	struct hc_conf *c = conf_load_string("", "hc.conf", NULL, NULL);

	assert_non_null(c);
	for (size_t i = 0; i < N(want); i++) {
		const struct conf_key *k = conf_key_find(want[i].key,
							 CONF_GLOBAL);
		char *v;
		assert_non_null(k);
		v = conf_value_string(c, k);
		if (strcmp(v, want[i].value))
			fail_msg("%s: got '%s' want '%s'", want[i].key, v,
				 want[i].value);
		free(v);
	}
	assert_null(conf_queue_default(c));
	assert_false(conf_is_admin(c, 1000));
	conf_destroy(c);
}

/* Every global value printed by conf_value_string reads back the same. */
static void
test_value_roundtrip(void **state)
{
	struct hc_conf *c = conf_load_string(good_text, "/etc/hc/hc.conf",
					     NULL, NULL);
	char *text = calloc(1, 65536);

	assert_non_null(c);
	for (const struct conf_key *k = conf_keys; k->name; k++) {
		char *v;
		if (k->scope != CONF_GLOBAL)
			continue;
		v = conf_value_string(c, k);
		if (*v)
			snprintf(text + strlen(text), 65536 - strlen(text),
				 "%s=\"%s\"\n", k->name, v);
		free(v);
	}
	struct hc_conf *d = conf_load_string(text, "/etc/hc/hc.conf", NULL,
					     NULL);
	assert_non_null(d);
	for (const struct conf_key *k = conf_keys; k->name; k++) {
		char *a, *b;
		if (k->scope != CONF_GLOBAL)
			continue;
		a = conf_value_string(c, k);
		b = conf_value_string(d, k);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	free(text);
	conf_destroy(c);
	conf_destroy(d);
}

/* The table itself: names unique per scope, help present, defaults parse. */
static void
test_table(void **state)
{
	for (const struct conf_key *k = conf_keys; k->name; k++) {
		assert_non_null(k->help);
		assert_true(strlen(k->help) > 10);
		assert_ptr_equal(conf_key_find(k->name, k->scope), k);
		if (k->type == CONF_CHOICE)
			assert_non_null(k->choices);
	}
	assert_null(conf_key_find("Nope", CONF_GLOBAL));
	assert_non_null(conf_key_find("controlport", CONF_GLOBAL));
}

/* The EXAMPLE section of the man page is a valid file. */
static void
example_parses(const char *man)
{
	const char *start = strstr(man, ".SH EXAMPLE\n.nf\n"), *end;
	char *text, *errors = NULL, *o;
	struct hc_conf *c;

	assert_non_null(start);
	start += strlen(".SH EXAMPLE\n.nf\n");
	end = strstr(start, ".fi\n");
	assert_non_null(end);
	text = calloc(1, (size_t)(end - start) + 1);
	for (o = text; start < end; start++) {	/* roff escapes \- and \e */
		if (*start == '\\' && (start[1] == '-' || start[1] == 'e')) {
			*o++ = start[1] == '-' ? '-' : '\\';
			start++;
			continue;
		}
		*o++ = *start;
	}
	c = conf_load_string(text, "/etc/hc/hc.conf", &errors, NULL);
	if (!c)
		fail_msg("the man page example: %s", errors);
	assert_int_equal(c->node_count, 68);
	assert_int_equal(c->queue_count, 3);
	conf_destroy(c);
	free(text);
}

/* Every key of the table is documented in hc.conf(5). */
static void
test_man_page(void **state)
{
	FILE *f = fopen(TOP_SRCDIR "/doc/hc.conf.5", "r");
	char *man = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	n = fread(man, 1, (1 << 20) - 1, f);
	fclose(f);
	man[n] = '\0';
	for (const struct conf_key *k = conf_keys; k->name; k++) {
		char want[128];
		snprintf(want, sizeof(want), ".B %s\n", k->name);
		if (!strstr(man, want))
			fail_msg("%s is not documented in doc/hc.conf.5 "
				 "(want a '.B %s' line)", k->name, k->name);
	}
	example_parses(man);
	free(man);
}

/* conf_load: relative paths resolve against the file's directory; a
 * missing file says so. */
static void
test_load_file(void **state)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[256], *errors = NULL;
	struct hc_err err;
	struct hc_conf *c;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hc.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("StateDir=state\nLogFile=/var/log/hcctld.log\n"
	      "NodeName=n1 Topology=../t.xml\n", f);
	fclose(f);
	c = conf_load(path, &errors, &err);
	if (!c)
		fail_msg("%s", errors);
	assert_string_equal(c->path, path);
	{
		char want[300];
		snprintf(want, sizeof(want), "%s/state", dir);
		assert_string_equal(c->state_dir, want);
		snprintf(want, sizeof(want), "%s/../t.xml", dir);
		assert_string_equal(c->nodes[0].topology, want);
	}
	assert_string_equal(c->log_file, "/var/log/hcctld.log");
	conf_destroy(c);

	setenv("HC_CONF", path, 1);
	assert_string_equal(conf_default_path(), path);
	unsetenv("HC_CONF");
	assert_string_equal(conf_default_path() +
			    strlen(conf_default_path()) - 11, "/hc/hc.conf");

	unlink(path);
	rmdir(dir);
	assert_null(conf_load(path, &errors, &err));
	assert_int_equal(err.code, HC_EIO);
	{
		char want[512];
		snprintf(want, sizeof(want), "%s: cannot read: No such file "
			 "or directory; check the path, or set HC_CONF or "
			 "pass -f FILE", path);
		assert_string_equal(err.text, want);
		assert_string_equal(errors, want);
	}
	free(errors);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_value_roundtrip),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_man_page),
		cmocka_unit_test(test_load_file),
	};
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
