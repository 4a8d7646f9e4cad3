/*
 * test_msg: the message catalogue and the schema-checked decoder. For every
 * type a good body passes; beside it, bodies with a required field missing
 * or a field of the wrong JSON type fail with a message naming the field.
 * Deep nesting, non-objects, duplicate keys and bad JSON are refused.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msg.h"

/* One body per type that must decode. */
static const struct {
	unsigned type;
	const char *body;
} good[] = {
	{ HC_MSG_REPLY, "{\"rc\":0}" },
	{ HC_MSG_PING, "{}" },
	{ HC_MSG_SUBMIT, "{\"job\":{\"script\":\"#!/bin/sh\\necho hi\\n\","
	  "\"env\":[\"A=1\"],\"nodes\":2,\"exclusive\":true,"
	  "\"signal\":{\"num\":10,\"secs\":60},\"future_field\":[1]}}" },
	{ HC_MSG_JOB_QUERY, "{\"job_ids\":[1,2],\"states\":[\"PENDING\"],"
	  "\"detail\":true}" },
	{ HC_MSG_JOB_SIGNAL, "{\"users\":[1000],\"signal\":9}" },
	{ HC_MSG_JOB_UPDATE, "{\"job_id\":4,\"action\":\"update\","
	  "\"set\":{\"TimeLimit\":\"10\"}}" },
	{ HC_MSG_NODE_QUERY, "{\"nodes\":\"n[1-4]\"}" },
	{ HC_MSG_NODE_UPDATE, "{\"nodes\":\"n1\",\"set\":{\"State\":\"DRAIN\","
	  "\"Reason\":\"fan\"}}" },
	{ HC_MSG_QUEUE_QUERY, "{\"queues\":[\"batch\"]}" },
	{ HC_MSG_CONFIG_SHOW, "" },
	{ HC_MSG_RECONFIGURE, "{}" },
	{ HC_MSG_SHUTDOWN, "{}" },
	{ HC_MSG_BACKUP, "{\"path\":\"/tmp/b\"}" },
	{ HC_MSG_HISTORY_QUERY, "{\"start\":0,\"end\":100}" },
	{ HC_MSG_NODE_REGISTER, "{\"name\":\"n1\",\"version\":\"0.1\","
	  "\"boot_time\":1,\"inventory\":{\"cpus\":8,\"gpus\":[{\"index\":0,"
	  "\"model\":\"H100\"}]},\"jobs\":[{\"job_id\":3,"
	  "\"state\":\"ended\",\"exit_status\":0}]}" },
	{ HC_MSG_NODE_HEARTBEAT, "{\"jobs\":[],\"load\":0.5}" },
	{ HC_MSG_JOB_EVENT, "{\"job_id\":1,\"event\":\"started\",\"start\":5}" },
	{ HC_MSG_NODE_HEALTH, "{\"ok\":true,\"message\":\"\"}" },
	{ HC_MSG_JOB_LAUNCH, "{\"job_id\":1,\"uid\":1000,\"gid\":1000,"
	  "\"script\":\"x\",\"cpu_ids\":[0,1],\"batch\":true}" },
	{ HC_MSG_JOB_KILL, "{\"job_id\":1}" },
	{ HC_MSG_JOB_EVENT_ACK, "{\"job_ids\":[1,2]}" },
	{ HC_MSG_STEP_HELLO, "{\"cred\":\"AAAA\"}" },
	{ HC_MSG_STEP_CREATE, "{\"job_id\":3,\"nodes\":2,\"ntasks\":8,"
	  "\"distribution\":\"cyclic\"}" },
	{ HC_MSG_STEP_END, "{\"job_id\":3,\"step_id\":0,\"exit_status\":256}" },
	{ HC_MSG_STEP_QUERY, "{\"job_ids\":[3],\"all\":true}" },
	{ HC_MSG_ALLOC_RELEASE, "{\"job_id\":3,\"cancel\":true}" },
	{ HC_MSG_ALLOC_ALIVE, "{\"job_id\":3}" },
	{ HC_MSG_STEP_EVENT, "{\"job_id\":3,\"step_id\":1,\"event\":\"ended\"}" },
	{ HC_MSG_STEP_CRED_REQ, "{\"req\":1,\"job_id\":3,\"host\":\"n2\"}" },
	{ HC_MSG_STEP_CRED_GRANT, "{\"req\":1,\"rc\":0,\"cred\":\"AAAA\"}" },
	{ HC_MSG_STEP_IO, "{\"t\":0,\"fd\":1,\"d\":\"aGk=\"}" },
	{ HC_MSG_STEP_SIGNAL, "{\"signal\":2}" },
	{ HC_MSG_STEP_EXIT, "{\"t\":0,\"status\":0}" },
	{ HC_MSG_STEP_DONE, "{}" },
	{ HC_MSG_STEP_WINCH, "{\"rows\":24,\"cols\":80}" },
	{ HC_MSG_STEP_PMI, "{\"seq\":0,\"kvs\":{\"k\":\"v\"},\"blobs\":[\"x\"]}" },
	{ HC_MSG_RESV_UPDATE, "{\"action\":\"create\",\"name\":\"r\","
	  "\"set\":{\"Nodes\":\"n1\"}}" },
	{ HC_MSG_RESV_QUERY, "{\"names\":[\"r\"]}" },
	{ HC_MSG_AUDIT_QUERY, "{\"job_id\":3,\"since\":0}" },
	{ HC_MSG_AUDIT_VERIFY, "{\"anchors\":[{\"seq\":1,\"hash\":\"00\","
	  "\"time\":1,\"sig\":\"AA==\"}]}" },
	{ HC_MSG_AUDIT_TRACE, "{\"job_id\":3}" },
	{ HC_MSG_REJECTED_QUERY, "{}" },
	{ HC_MSG_CLOUD_QUERY, "{}" },
	{ HC_MSG_ACCT_UPDATE, "{\"verb\":\"create\",\"object\":\"account\","
	  "\"name\":\"physics\",\"set\":{\"GrpRes\":\"gpu:4\"}}" },
	{ HC_MSG_ACCT_QUERY, "{\"object\":\"qos\"}" },
	{ HC_MSG_FAIRSHARE_QUERY, "{}" },
	{ HC_MSG_AUDIT_CHECKPOINT, "{\"seq\":1000,\"hash\":\"ab\",\"time\":5,"
	  "\"sig\":\"AA==\"}" },
};

/* Bodies that must fail, and the words the error must carry. */
static const struct {
	unsigned type;
	const char *body;
	const char *expect;
} bad[] = {
	{ HC_MSG_REPLY, "{}", "REPLY: field 'rc' is required" },
	/* an empty body is {} and answers to the schema like any other */
	{ HC_MSG_JOB_UPDATE, "", "JOB_UPDATE: field 'job_id' is required" },
	{ HC_MSG_SUBMIT, "", "SUBMIT: field 'job' is required" },
	{ HC_MSG_REPLY, "{\"rc\":\"0\"}", "field 'rc' must be an integer" },
	{ HC_MSG_REPLY, "{\"rc\":1,\"error\":5}",
	  "field 'error' must be a string" },
	{ HC_MSG_SUBMIT, "{}", "SUBMIT: field 'job' is required" },
	{ HC_MSG_SUBMIT, "{\"job\":[]}", "SUBMIT: field 'job' must be an object" },
	{ HC_MSG_SUBMIT, "{\"job\":{}}", "field 'job.script' is required" },
	{ HC_MSG_SUBMIT, "{\"job\":{\"script\":1}}",
	  "field 'job.script' must be a string" },
	{ HC_MSG_SUBMIT, "{\"job\":{\"script\":\"x\",\"nodes\":\"2\"}}",
	  "field 'job.nodes' must be an integer" },
	{ HC_MSG_SUBMIT, "{\"job\":{\"script\":\"x\",\"nodes\":2.5}}",
	  "field 'job.nodes' must be an integer" },
	{ HC_MSG_SUBMIT, "{\"job\":{\"script\":\"x\",\"env\":[\"A\",1]}}",
	  "field 'job.env[1]' must be a string" },
	{ HC_MSG_SUBMIT, "{\"job\":{\"script\":\"x\",\"hold\":1}}",
	  "field 'job.hold' must be a boolean" },
	{ HC_MSG_SUBMIT, "{\"job\":{\"script\":\"x\",\"signal\":{\"num\":"
	  "\"USR1\"}}}", "field 'job.signal.num' must be an integer" },
	{ HC_MSG_SUBMIT, "{\"job\":{\"script\":null}}",
	  "field 'job.script' must be a string" },
	{ HC_MSG_JOB_QUERY, "{\"job_ids\":5}", "field 'job_ids' must be an array" },
	{ HC_MSG_JOB_QUERY, "{\"users\":[\"root\"]}",
	  "field 'users[0]' must be an integer" },
	{ HC_MSG_JOB_QUERY, "{\"detail\":\"yes\"}", "'detail' must be a boolean" },
	{ HC_MSG_JOB_SIGNAL, "{\"signal\":\"KILL\"}", "'signal' must be an integer" },
	{ HC_MSG_JOB_UPDATE, "{\"action\":\"hold\"}", "'job_id' is required" },
	{ HC_MSG_ACCT_UPDATE, "{\"verb\":\"create\",\"object\":\"user\"}",
	  "ACCT_UPDATE: field 'name' is required" },
	{ HC_MSG_ACCT_QUERY, "{\"object\":3}",
	  "field 'object' must be a string" },
	{ HC_MSG_JOB_UPDATE, "{\"job_id\":1}", "'action' is required" },
	{ HC_MSG_JOB_UPDATE, "{\"job_id\":1,\"action\":\"update\",\"set\":[]}",
	  "'set' must be an object" },
	{ HC_MSG_NODE_QUERY, "{\"nodes\":[\"n1\"]}", "'nodes' must be a string" },
	{ HC_MSG_NODE_UPDATE, "{\"nodes\":\"n1\"}", "'set' is required" },
	{ HC_MSG_NODE_UPDATE, "{\"set\":{}}", "'nodes' is required" },
	{ HC_MSG_QUEUE_QUERY, "{\"queues\":\"batch\"}", "'queues' must be an array" },
	{ HC_MSG_STEP_PMI, "{\"seq\":\"1\"}", "'seq' must be an integer" },
	{ HC_MSG_STEP_PMI, "{\"blobs\":[1]}", "'blobs[0]' must be a string" },
	{ HC_MSG_BACKUP, "{}", "BACKUP: field 'path' is required" },
	{ HC_MSG_HISTORY_QUERY, "{\"start\":\"now\"}", "'start' must be an integer" },
	{ HC_MSG_NODE_REGISTER, "{\"version\":\"0\",\"boot_time\":1,"
	  "\"inventory\":{},\"jobs\":[]}", "'name' is required" },
	{ HC_MSG_NODE_REGISTER, "{\"name\":\"n1\",\"version\":\"0\","
	  "\"boot_time\":1,\"inventory\":{\"gpus\":[{\"index\":\"0\"}]},"
	  "\"jobs\":[]}", "'inventory.gpus[0].index' must be an integer" },
	{ HC_MSG_NODE_REGISTER, "{\"name\":\"n1\",\"version\":\"0\","
	  "\"boot_time\":1,\"inventory\":{},\"jobs\":[{\"job_id\":1}]}",
	  "'jobs[0].state' is required" },
	{ HC_MSG_NODE_REGISTER, "{\"name\":\"n1\",\"version\":\"0\","
	  "\"boot_time\":1,\"inventory\":{},\"jobs\":[7]}",
	  "'jobs[0]' must be an object" },
	{ HC_MSG_NODE_HEARTBEAT, "{}", "'jobs' is required" },
	{ HC_MSG_NODE_HEARTBEAT, "{\"jobs\":[],\"load\":\"1\"}",
	  "'load' must be a number" },
	{ HC_MSG_JOB_EVENT, "{\"job_id\":1}", "'event' is required" },
	{ HC_MSG_JOB_EVENT, "{\"job_id\":1,\"event\":\"ended\",\"oom\":0}",
	  "'oom' must be a boolean" },
	{ HC_MSG_NODE_HEALTH, "{\"ok\":1,\"message\":\"\"}", "'ok' must be a boolean" },
	{ HC_MSG_JOB_LAUNCH, "{\"job_id\":1,\"gid\":1}", "'uid' is required" },
	{ HC_MSG_JOB_LAUNCH, "{\"job_id\":1,\"uid\":1,\"gid\":1,"
	  "\"gpu_ids\":[\"0\"]}", "'gpu_ids[0]' must be an integer" },
	{ HC_MSG_JOB_KILL, "{\"job_id\":\"1\"}", "'job_id' must be an integer" },
	{ HC_MSG_JOB_EVENT_ACK, "{}", "JOB_EVENT_ACK: field 'job_ids' is "
	  "required" },
	{ HC_MSG_JOB_EVENT_ACK, "{\"job_ids\":[\"1\"]}",
	  "'job_ids[0]' must be an integer" },
	{ HC_MSG_STEP_HELLO, "{}", "STEP_HELLO: field 'cred' is required" },
	{ HC_MSG_RESV_UPDATE, "{\"name\":\"r\"}",
	  "RESV_UPDATE: field 'action' is required" },
	{ HC_MSG_STEP_HELLO, "{\"cred\":{}}", "'cred' must be a string" },
	{ HC_MSG_STEP_CREATE, "{\"nodes\":2}", "field 'job_id' is required" },
	{ HC_MSG_STEP_IO, "{\"t\":0,\"fd\":1,\"d\":5}", "'d' must be a string" },
	{ HC_MSG_STEP_HELLO, "{\"cred\":\"A\",\"tasks\":[\"x\"]}", "tasks" },
	{ HC_MSG_AUDIT_TRACE, "{}", "AUDIT_TRACE: field 'job_id' is required" },
	{ HC_MSG_AUDIT_CHECKPOINT, "{\"seq\":1,\"hash\":\"a\",\"time\":1}",
	  "field 'sig' is required" },
	{ HC_MSG_AUDIT_VERIFY, "{\"anchors\":[{\"seq\":\"1\"}]}",
	  "must be an integer" },
	/* not an object, not JSON, duplicates, trailing garbage, NUL */
	{ HC_MSG_PING, "[]", "PING: body must be a JSON object" },
	{ HC_MSG_PING, "\"x\"", "not valid JSON" },
	{ HC_MSG_PING, "{", "not valid JSON" },
	{ HC_MSG_PING, "{\"a\":1,\"a\":2}", "not valid JSON" },
	{ HC_MSG_PING, "{} {}", "not valid JSON" },
	{ HC_MSG_PING, "{\"a\":\"\\u0000\"}", "not valid JSON" },
	{ HC_MSG_PING, "{\"a\":1e999999}", "not valid JSON" },
	{ HC_MSG_PING, "{\"a\":99999999999999999999999}", "not valid JSON" },
	{ HC_MSG_PING, "{\"a\":\"\xff\xfe\"}", "not valid JSON" },
	{ 0, "{}", "unknown message type 0" },
	{ 9999, "{}", "unknown message type 9999" },
};

static void
test_catalogue(void **state)
{
	size_t n;
	const uint16_t *t = hc_msg_types(&n);

	assert_true(n >= 21);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(hc_msg_name(t[i]));
		assert_true(hc_msg_max_body(t[i]) > 0);
		if (i)
			assert_true(t[i] > t[i - 1]);
	}
	assert_string_equal(hc_msg_name(HC_MSG_SUBMIT), "SUBMIT");
	assert_int_equal(hc_msg_max_body(HC_MSG_SUBMIT), HC_MSG_BODY_SUBMIT);
	assert_int_equal(hc_msg_max_body(HC_MSG_REPLY), HC_MSG_BODY_REPLY);
	assert_null(hc_msg_name(0));
	assert_int_equal(hc_msg_max_body(3), 0);
}

/* Every type has a good body here, and it decodes. */
static void
test_good_bodies(void **state)
{
	size_t n;
	const uint16_t *t = hc_msg_types(&n);

	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < sizeof(good) / sizeof(good[0]); j++)
			if (good[j].type == t[i])
				break;
		if (j == sizeof(good) / sizeof(good[0]))
			fail_msg("no good body for %s", hc_msg_name(t[i]));
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct hc_err err = { 0 };
		json_t *o = hc_msg_decode(good[i].type, good[i].body,
					  strlen(good[i].body), &err);

		if (!o)
			fail_msg("%s: %s", hc_msg_name(good[i].type), err.text);
		assert_true(json_is_object(o));
		json_decref(o);
	}
}

static void
test_bad_bodies(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hc_err err = { 0 };
		json_t *o = hc_msg_decode(bad[i].type, bad[i].body,
					  strlen(bad[i].body), &err);

		if (o)
			fail_msg("accepted: %s", bad[i].body);
		assert_true(err.code == HC_EINVAL || err.code == HC_EPROTO);
		if (!strstr(err.text, bad[i].expect))
			fail_msg("%s: message '%s' lacks '%s'", bad[i].body,
				 err.text, bad[i].expect);
	}
}

static char *
nested(int depth, char open, char close)
{
	char *s = malloc(2 * (size_t)depth + 16);
	size_t k = 0;

	k += (size_t)sprintf(s, "{\"a\":");
	for (int i = 0; i < depth; i++)
		s[k++] = open;
	for (int i = 0; i < depth; i++)
		s[k++] = close;
	s[k++] = '}';
	s[k] = '\0';
	return s;
}

static void
test_nesting(void **state)
{
	struct hc_err err = { 0 };
	const char *cs;
	char *s;
	json_t *o;

	s = nested(20, '[', ']');	/* within the bound */
	o = hc_msg_decode(HC_MSG_PING, s, strlen(s), &err);
	assert_non_null(o);
	json_decref(o);
	free(s);

	s = nested(10000, '[', ']');
	assert_null(hc_msg_decode(HC_MSG_PING, s, strlen(s), &err));
	assert_non_null(strstr(err.text, "nests deeper"));
	free(s);

	/* Brackets inside strings do not count, escaped quotes included. */
	cs = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[\"}";
	o = hc_msg_decode(HC_MSG_PING, cs, strlen(cs), &err);
	if (!o)
		fail_msg("%s", err.text);
	json_decref(o);

	/* Objects nest too; stray closers do not hide later depth. */
	s = nested(40, '{', '}');
	assert_null(hc_msg_decode(HC_MSG_PING, s, strlen(s), &err));
	assert_non_null(strstr(err.text, "nests deeper"));
	free(s);
	s = nested(40, '[', ']');
	memcpy(s + 5, "]]]]]", 5);
	assert_null(hc_msg_decode(HC_MSG_PING, s, strlen(s), &err));
	free(s);
}

static void
test_limits(void **state)
{
	struct hc_err err = { 0 };
	size_t n = HC_MSG_BODY_SMALL + 1;
	char *s = malloc(n);

	memset(s, ' ', n);
	s[0] = '{';
	s[n - 1] = '}';
	assert_null(hc_msg_decode(HC_MSG_PING, s, n, &err));
	assert_non_null(strstr(err.text, "body length"));
	free(s);
}

static void
test_encode_reply(void **state)
{
	json_t *r = hc_msg_reply_new(HC_ENOENT, "job 9 not found");
	size_t len;
	char *s = hc_msg_encode(r, &len);
	struct hc_err err = { 0 };
	json_t *back;

	assert_string_equal(s, "{\"rc\":3,\"error\":\"job 9 not found\"}");
	assert_int_equal(len, strlen(s));
	back = hc_msg_decode(HC_MSG_REPLY, s, len, &err);
	assert_non_null(back);
	assert_true(json_equal(r, back));
	json_decref(back);
	json_decref(r);
	free(s);

	r = hc_msg_reply_new(0, "ignored");
	s = hc_msg_encode(r, NULL);
	assert_string_equal(s, "{\"rc\":0}");
	free(s);
	json_decref(r);

	r = hc_msg_reply_new(HC_EINVAL, "bad byte \xff here");
	assert_non_null(json_object_get(r, "error"));
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_good_bodies),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_encode_reply),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
