/* test_pmi2: the simple-PMI server's two wire versions as scripted
 * exchanges (what a client sends, what it must get back), bad input side
 * by side, fences across two servers, and PMI_process_mapping. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pmi2.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct sink {
	char out[2][8192];	/* what each client was sent */
	unsigned fences;
	json_t *puts;
	int aborted;
};

static void
on_send(void *arg, int client, const char *data, size_t len)
{
	struct sink *k = arg;
	strncat(k->out[client], data, len);
}

static void
on_fence(void *arg, unsigned seq, json_t *puts)
{
	struct sink *k = arg;
	k->fences = seq + 1;
	json_decref(k->puts);
	k->puts = puts;
}

static void
on_abort(void *arg, int client, int code, const char *msg)
{
	struct sink *k = arg;
	(void)client;
	(void)msg;
	k->aborted = code;
}

static const struct pmi2_ops ops = { on_send, on_fence, on_abort };
static const int ranks01[] = { 0, 1 };

static struct pmi2_srv *
mk(struct sink *k, int nclients, int size)
{
	struct pmi2_info info = { .jobid = "hc_7_0", .size = size,
				  .mapping = "(vector,(0,1,2))",
				  .ranks = ranks01, .nclients = nclients };
	memset(k, 0, sizeof(*k));
	return pmi2_create(&info, &ops, k, NULL);
}

/* Send in, expect out (exactly) on client c, consuming it. */
static void
xchg(struct pmi2_srv *s, struct sink *k, int c, const char *in,
     const char *out)
{
	k->out[c][0] = '\0';
	assert_int_equal(pmi2_input(s, c, in, strlen(in), NULL), 0);
	assert_string_equal(k->out[c], out);
}

static void
test_v1(void **state)
{
	struct sink k;
	struct pmi2_srv *s = mk(&k, 1, 2);

	(void)state;
	assert_int_equal(pmi2_version(s, 0), 0);
	xchg(s, &k, 0, "cmd=init pmi_version=1 pmi_subversion=1\n",
	     "cmd=response_to_init pmi_version=1 pmi_subversion=1 rc=0\n");
	assert_int_equal(pmi2_version(s, 0), 1);
	xchg(s, &k, 0, "cmd=get_maxes\n", "cmd=maxes kvsname_max=256 "
	     "keylen_max=64 vallen_max=1024 rc=0\n");
	xchg(s, &k, 0, "cmd=get_appnum\n", "cmd=appnum appnum=0 rc=0\n");
	xchg(s, &k, 0, "cmd=get_my_kvsname\n",
	     "cmd=my_kvsname kvsname=hc_7_0 rc=0\n");
	xchg(s, &k, 0, "cmd=get_universe_size\n",
	     "cmd=universe_size size=2 rc=0\n");
	xchg(s, &k, 0, "cmd=get kvsname=hc_7_0 key=PMI_process_mapping\n",
	     "cmd=get_result rc=0 value=(vector,(0,1,2))\n");
	/* split across reads, value with a space */
	xchg(s, &k, 0, "cmd=put kvsname=hc_7_0 ke", "");
	xchg(s, &k, 0, "y=bc-0 value=a b\n", "cmd=put_result rc=0\n");
	xchg(s, &k, 0, "cmd=get kvsname=hc_7_0 key=nope\n",
	     "cmd=get_result rc=-1 msg=key_nope_not_found\n");
	xchg(s, &k, 0, "cmd=barrier_in\n", "");
	assert_int_equal(k.fences, 1);
	assert_string_equal(json_string_value(json_object_get(k.puts,
							      "bc-0")), "a b");
	json_t *all = json_pack("{s:s,s:s}", "bc-0", "a b", "bc-1", "x");
	k.out[0][0] = '\0';
	pmi2_fence_done(s, 0, all);
	json_decref(all);
	assert_string_equal(k.out[0], "cmd=barrier_out rc=0\n");
	xchg(s, &k, 0, "cmd=get kvsname=hc_7_0 key=bc-1\n",
	     "cmd=get_result rc=0 value=x\n");
	xchg(s, &k, 0, "mcmd=spawn\nnprocs=1\nendcmd\n",
	     "cmd=spawn_result rc=-1 errmsg=unsupported_by_hc\n");
	xchg(s, &k, 0, "cmd=publish_name service=a port=b\n",
	     "cmd=publish_name rc=-1 msg=unsupported_by_hc\n");
	assert_int_equal(pmi2_finalized(s, 0), 0);
	xchg(s, &k, 0, "cmd=finalize\n", "cmd=finalize_ack rc=0\n");
	assert_int_equal(pmi2_finalized(s, 0), 1);
	xchg(s, &k, 0, "cmd=abort exitcode=5\n", "");
	assert_int_equal(k.aborted, 5);
	json_decref(k.puts);
	pmi2_destroy(s);
}

/* "NNNNNNbody" */
static char *
fr(const char *body)
{
	static char buf[4][1024];
	static int i;
	char *b = buf[i++ % 4];
	snprintf(b, 1024, "%-6zu%s", strlen(body), body);
	return b;
}

static void
test_v2(void **state)
{
	struct sink k;
	struct pmi2_srv *s = mk(&k, 2, 2);

	(void)state;
	/* client 0 negotiates in PMI-1 form, client 1 starts framed */
	xchg(s, &k, 0, "cmd=init pmi_version=2 pmi_subversion=0\n",
	     "cmd=response_to_init pmi_version=2 pmi_subversion=0 rc=0\n");
	assert_int_equal(pmi2_version(s, 0), 2);
	xchg(s, &k, 0, fr("cmd=fullinit;pmirank=0;threaded=FALSE;"),
	     fr("cmd=fullinit-response;pmi-version=2;pmi-subversion=0;"
		"rank=0;size=2;appnum=0;spawner-jobid=;debugged=FALSE;"
		"pmiverbose=FALSE;rc=0;"));
	xchg(s, &k, 1, fr("cmd=fullinit;pmirank=1;"),
	     fr("cmd=fullinit-response;pmi-version=2;pmi-subversion=0;"
		"rank=1;size=2;appnum=0;spawner-jobid=;debugged=FALSE;"
		"pmiverbose=FALSE;rc=0;"));
	assert_int_equal(pmi2_version(s, 1), 2);
	xchg(s, &k, 0, fr("cmd=job-getid;"),
	     fr("cmd=job-getid-response;jobid=hc_7_0;rc=0;"));
	xchg(s, &k, 0, fr("cmd=info-getjobattr;key=PMI_process_mapping;"),
	     fr("cmd=info-getjobattr-response;found=TRUE;"
		"value=(vector,(0,1,2));rc=0;"));
	xchg(s, &k, 0, fr("cmd=info-getjobattr;key=nope;"),
	     fr("cmd=info-getjobattr-response;found=FALSE;rc=0;"));
	/* a ';' in a value travels as ";;" both ways */
	xchg(s, &k, 0, fr("cmd=kvs-put;key=k0;value=a;;b;"),
	     fr("cmd=kvs-put-response;rc=0;"));
	xchg(s, &k, 1, fr("cmd=info-putnodeattr;key=shm;value=seg1;"),
	     fr("cmd=info-putnodeattr-response;rc=0;"));
	xchg(s, &k, 0, fr("cmd=info-getnodeattr;key=shm;wait=FALSE;"),
	     fr("cmd=info-getnodeattr-response;found=TRUE;value=seg1;"
		"rc=0;"));
	xchg(s, &k, 0, fr("cmd=kvs-fence;"), "");
	assert_int_equal(k.fences, 0);	/* client 1 not in yet */
	xchg(s, &k, 1, fr("cmd=kvs-fence;"), "");
	assert_int_equal(k.fences, 1);
	json_t *all = json_pack("{s:s,s:s}", "k0", "a;b", "k9", "z");
	k.out[0][0] = k.out[1][0] = '\0';
	pmi2_fence_done(s, 7, all);	/* not this fence: ignored */
	assert_string_equal(k.out[0], "");
	pmi2_fence_done(s, 0, all);
	json_decref(all);
	assert_string_equal(k.out[0], fr("cmd=kvs-fence-response;rc=0;"));
	assert_string_equal(k.out[1], fr("cmd=kvs-fence-response;rc=0;"));
	xchg(s, &k, 1, fr("cmd=kvs-get;jobid=hc_7_0;srcid=0;key=k0;"),
	     fr("cmd=kvs-get-response;found=TRUE;value=a;;b;rc=0;"));
	xchg(s, &k, 1, fr("cmd=kvs-get;jobid=hc_7_0;srcid=0;key=k1;"),
	     fr("cmd=kvs-get-response;found=FALSE;rc=0;"));
	xchg(s, &k, 1, fr("cmd=name-publish;name=a;port=b;"),
	     fr("cmd=name-publish-response;rc=-1;errmsg=unsupported by "
		"hc;"));
	xchg(s, &k, 0, fr("cmd=finalize;"), fr("cmd=finalize-response;"
					       "rc=0;"));
	json_decref(k.puts);
	pmi2_destroy(s);
}

/* bad input: each closes the client (-1 with a message) */
static void
test_bad(void **state)
{
	static const struct {
		const char *pre, *in, *msg;
	} rows[] = {
		{ NULL, "hello\n", "began without cmd=init" },
		{ NULL, "cmd=get_maxes\n", "began without cmd=init" },
		{ NULL, "cmd=init pmi_version=3\n", "PMI version 3 asked" },
		{ NULL, "cmd=init\n", "began without cmd=init pmi_version=" },
		{ "cmd=init pmi_version=1\n", "cmd=init pmi_version=1\n",
		  "PMI init twice" },
		{ "cmd=init pmi_version=1\n", "nocmd=1\n", "without cmd=" },
		{ "cmd=init pmi_version=1\n", "junk\n", "bad PMI-1 line" },
		{ "cmd=init pmi_version=2\n", "abcdefcmd=x;",
		  "bad PMI-2 frame length" },
		{ "cmd=init pmi_version=2\n", "-5    cmd=x;",
		  "bad PMI-2 frame length" },
		{ "cmd=init pmi_version=2\n", "999999cmd=x;",
		  "bad PMI-2 frame length" },
		{ "cmd=init pmi_version=2\n", "3     abc",
		  "bad PMI-2 frame" },
		{ "cmd=init pmi_version=2\n", "23    cmd=fullinit;pmirank=1;",
		  "fullinit as rank 1, but this is rank 0" },
		{ "cmd=init pmi_version=2\n", "12    cmd=kvs-put;",
		  "PMI put: bad key or value" },
	};
	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		struct sink k;
		struct pmi2_srv *s = mk(&k, 1, 1);
		struct hc_err err = { 0 };
		if (rows[i].pre)
			assert_int_equal(pmi2_input(s, 0, rows[i].pre,
						    strlen(rows[i].pre), NULL),
					 0);
		int rc = pmi2_input(s, 0, rows[i].in, strlen(rows[i].in),
				    &err);
		if (rc != -1 || !strstr(err.text, rows[i].msg))
			print_error("row %zu: rc=%d '%s'\n", i, rc, err.text);
		assert_int_equal(rc, -1);
		assert_non_null(strstr(err.text, rows[i].msg));
		pmi2_destroy(s);
	}
	/* an endless line is refused, not buffered */
	struct sink k;
	struct pmi2_srv *s = mk(&k, 1, 1);
	char *big = malloc(70000);
	memset(big, 'a', 69999);
	big[69999] = '\0';
	assert_int_equal(pmi2_input(s, 0, big, strlen(big), NULL), -1);
	free(big);
	pmi2_destroy(s);
	/* bad descriptions */
	struct pmi2_info bad = { .jobid = "a b", .size = 1, .mapping = "",
				 .ranks = ranks01, .nclients = 1 };
	assert_null(pmi2_create(&bad, &ops, NULL, NULL));
	bad.jobid = "ok";
	bad.size = 0;
	assert_null(pmi2_create(&bad, &ops, NULL, NULL));
}

static void
test_mapping(void **state)
{
	static const struct {
		int n, node[16];
		const char *map;
	} rows[] = {
		{ 8, { 0, 0, 0, 0, 1, 1, 1, 1 }, "(vector,(0,2,4))" },
		{ 4, { 0, 0, 1, 1 }, "(vector,(0,2,2))" },
		{ 5, { 0, 0, 0, 1, 1 }, "(vector,(0,1,3),(1,1,2))" },
		{ 8, { 0, 0, 0, 1, 1, 1, 2, 2 }, "(vector,(0,2,3),(2,1,2))" },
		{ 4, { 0, 1, 0, 1 }, "(vector,(0,2,1),(0,2,1))" },
		{ 1, { 0 }, "(vector,(0,1,1))" },
		{ 8, { 0, 0, 1, 1, 2, 2, 3, 3 }, "(vector,(0,4,2))" },
		{ 4, { 1, 1, 0, 0 }, "(vector,(1,1,2),(0,1,2))" },
	};
	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		char *m = pmi2_mapping(rows[i].node, rows[i].n);
		assert_string_equal(m, rows[i].map);
		free(m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_mapping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
