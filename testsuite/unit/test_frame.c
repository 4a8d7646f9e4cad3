/*
 * test_frame: the frame header codec. Good and bad headers side by side,
 * every check failing with its own message, frames truncated at every
 * offset ("need more", never an error or a read past the end), garbage.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "frame.h"
#include "hmunge.h"
#include "msg.h"

static struct hc_frame_hdr
good_hdr(void)
{
	struct hc_frame_hdr h = {
		.magic = HC_FRAME_MAGIC,
		.ver_major = HC_PROTO_MAJOR,
		.ver_minor = HC_PROTO_MINOR,
		.type = HC_MSG_PING,
		.reqid = 7,
		.cred_len = 0,
		.body_len = 2,
		.flags = 0,
	};
	return h;
}

static void
test_roundtrip(void **state)
{
	const char *cred = "MUNGE:abc:";
	const char *body = "{\"job\":{}}";
	size_t len;
	uint8_t *f = hc_frame_build(HC_MSG_SUBMIT, 0xdeadbeef, cred,
				    strlen(cred), body, strlen(body), &len);
	struct hc_frame_view v;
	struct hc_err err = { 0 };

	assert_int_equal(len, HC_FRAME_HDR_LEN + strlen(cred) + strlen(body));
	assert_int_equal(hc_frame_parse(f, len, &v, &err), (long)len);
	assert_int_equal(v.hdr.type, HC_MSG_SUBMIT);
	assert_int_equal(v.hdr.reqid, 0xdeadbeef);
	assert_int_equal(v.hdr.cred_len, strlen(cred));
	assert_int_equal(v.hdr.body_len, strlen(body));
	assert_memory_equal(v.cred, cred, strlen(cred));
	assert_memory_equal(v.body, body, strlen(body));
	/* Bytes after the frame belong to the next one. */
	f = realloc(f, len + 5);
	assert_int_equal(hc_frame_parse(f, len + 5, &v, &err), (long)len);
	free(f);

	/* NULL cred and body give empty sections. */
	f = hc_frame_build(HC_MSG_PING, 1, NULL, 99, NULL, 99, &len);
	assert_int_equal(len, HC_FRAME_HDR_LEN);
	assert_int_equal(hc_frame_parse(f, len, &v, &err), HC_FRAME_HDR_LEN);
	assert_int_equal(v.hdr.cred_len, 0);
	assert_int_equal(v.hdr.body_len, 0);
	free(f);
}

/* One mutation of a good header, and the words its rejection must carry
 * (NULL: the header must be accepted). */
struct hdr_case {
	const char *desc;
	void (*mutate)(struct hc_frame_hdr *h);
	const char *expect;
};

static void m_none(struct hc_frame_hdr *h) { (void)h; }
static void m_magic(struct hc_frame_hdr *h) { h->magic = 0x47455420; }
static void m_major(struct hc_frame_hdr *h) { h->ver_major++; }
static void m_minor_new(struct hc_frame_hdr *h) { h->ver_minor++; }
static void m_minor_old(struct hc_frame_hdr *h) { h->ver_minor--; }
static void m_minor_older(struct hc_frame_hdr *h) { h->ver_minor -= 2; }
static void m_type0(struct hc_frame_hdr *h) { h->type = 0; }
static void m_type_unknown(struct hc_frame_hdr *h) { h->type = 0xffff; }
static void m_flags(struct hc_frame_hdr *h) { h->flags = 1; }
static void m_cred_max(struct hc_frame_hdr *h)
{
	h->cred_len = HC_FRAME_CRED_MAX;
}
static void m_cred_big(struct hc_frame_hdr *h)
{
	h->cred_len = HC_FRAME_CRED_MAX + 1;
}
static void m_cred_huge(struct hc_frame_hdr *h) { h->cred_len = 0xffffffff; }
static void m_body_max(struct hc_frame_hdr *h)
{
	h->body_len = HC_MSG_BODY_SMALL;
}
static void m_body_big(struct hc_frame_hdr *h)
{
	h->body_len = HC_MSG_BODY_SMALL + 1;
}
static void m_body_huge(struct hc_frame_hdr *h) { h->body_len = 0xffffffff; }
static void m_submit_big(struct hc_frame_hdr *h)
{
	h->type = HC_MSG_SUBMIT;
	h->body_len = HC_MSG_BODY_SUBMIT;
}
static void m_submit_over(struct hc_frame_hdr *h)
{
	h->type = HC_MSG_SUBMIT;
	h->body_len = HC_MSG_BODY_SUBMIT + 1;
}

static const struct hdr_case hdr_cases[] = {
	{ "good", m_none, NULL },
	{ "bad magic", m_magic, "magic" },
	{ "other major", m_major, "protocol version" },
	{ "newer minor", m_minor_new, "protocol version" },
	{ "one minor older", m_minor_old, NULL },
	{ "two minors older", m_minor_older, "protocol version" },
	{ "type 0", m_type0, "unknown message type 0" },
	{ "type 65535", m_type_unknown, "unknown message type 65535" },
	{ "flags set", m_flags, "flags" },
	{ "cred at limit", m_cred_max, NULL },
	{ "cred over limit", m_cred_big, "credential length" },
	{ "cred 4 GiB", m_cred_huge, "credential length" },
	{ "body at limit", m_body_max, NULL },
	{ "body over limit", m_body_big, "body length" },
	{ "body 4 GiB", m_body_huge, "body length" },
	{ "submit at its limit", m_submit_big, NULL },
	{ "submit over its limit", m_submit_over, "SUBMIT: body length" },
};

static void
test_header_checks(void **state)
{
	for (size_t i = 0; i < sizeof(hdr_cases) / sizeof(hdr_cases[0]); i++) {
		const struct hdr_case *c = &hdr_cases[i];
		struct hc_frame_hdr h = good_hdr(), out;
		uint8_t raw[HC_FRAME_HDR_LEN];
		struct hc_err err = { 0 };
		int rc;

		if (c->mutate == m_minor_old && HC_PROTO_MINOR == 0)
			continue;	/* no older minor exists */
		c->mutate(&h);
		hc_frame_hdr_encode(&h, raw);
		rc = hc_frame_hdr_decode(raw, &out, &err);
		if (!c->expect) {
			if (rc != 0)
				fail_msg("%s: refused: %s", c->desc, err.text);
			assert_memory_equal(&h, &out, sizeof(h));
			continue;
		}
		if (rc != -1)
			fail_msg("%s: accepted", c->desc);
		assert_int_equal(err.code, HC_EPROTO);
		if (!strstr(err.text, c->expect))
			fail_msg("%s: message '%s' lacks '%s'", c->desc,
				 err.text, c->expect);
		/* hc_frame_parse refuses it from the header alone. */
		assert_int_equal(hc_frame_parse(raw, sizeof(raw), NULL, &err),
				 -1);
	}
}

/* Every strict prefix of a valid frame is "need more", never an error. */
static void
test_truncated(void **state)
{
	const char *cred = "credential";
	const char *body = "{\"job_id\":1,\"event\":\"ended\"}";
	size_t len;
	uint8_t *f = hc_frame_build(HC_MSG_JOB_EVENT, 3, cred, strlen(cred),
				    body, strlen(body), &len);

	for (size_t k = 0; k < len; k++) {
		/* A buffer of exactly k bytes, so ASan sees any overread. */
		uint8_t *p = malloc(k ? k : 1);
		struct hc_err err = { 0 };

		memcpy(p, f, k);
		if (hc_frame_parse(p, k, NULL, &err) != 0)
			fail_msg("prefix of %zu bytes not 'need more'", k);
		free(p);
	}
	assert_int_equal(hc_frame_parse(f, len, NULL, NULL), (long)len);
	free(f);
}

/* Random bytes: refused or incomplete, never a crash; a random header that
 * is accepted must respect every limit. */
static void
test_garbage(void **state)
{
	unsigned seed = 12345;

	for (int n = 0; n < 20000; n++) {
		uint8_t buf[64];
		struct hc_frame_view v;
		long rc;

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rand_r(&seed);
		if (n % 2) {	/* a good prefix makes later checks reachable */
			struct hc_frame_hdr h = good_hdr();
			uint8_t raw[HC_FRAME_HDR_LEN];

			hc_frame_hdr_encode(&h, raw);
			memcpy(buf, raw, 6 + (size_t)(n % 7));
		}
		rc = hc_frame_parse(buf, sizeof(buf), &v, NULL);
		assert_true(rc >= -1 && rc <= (long)sizeof(buf));
		if (rc > 0) {
			assert_true(v.hdr.cred_len <= HC_FRAME_CRED_MAX);
			assert_true(v.hdr.body_len <=
				    hc_msg_max_body(v.hdr.type));
			assert_int_equal(v.hdr.flags, 0);
		}
	}
}

static void
test_digest(void **state)
{
	uint8_t a[HC_FRAME_DIGEST_LEN], b[HC_FRAME_DIGEST_LEN];
	/* sha256 of 00 02 00 00 00 01 "{}" */
	static const uint8_t known[HC_FRAME_DIGEST_LEN] = {
		0xde, 0x6a, 0x24, 0x15, 0xaa, 0x60, 0x5f, 0xbf,
		0x54, 0xf6, 0x0a, 0x82, 0x5a, 0x53, 0xcb, 0x30,
		0x90, 0x8b, 0xf9, 0x02, 0x64, 0x88, 0xc7, 0x96,
		0xe0, 0x3f, 0xce, 0x20, 0x31, 0x7e, 0x66, 0x5e,
	};

	hc_frame_digest(HC_MSG_PING, 1, "{}", 2, a);
	assert_memory_equal(a, known, sizeof(a));
	hc_frame_digest(HC_MSG_PING, 1, "{}", 2, b);
	assert_memory_equal(a, b, sizeof(a));
	hc_frame_digest(HC_MSG_PING, 2, "{}", 2, b);
	assert_memory_not_equal(a, b, sizeof(a));
	hc_frame_digest(HC_MSG_SHUTDOWN, 1, "{}", 2, b);
	assert_memory_not_equal(a, b, sizeof(a));
	hc_frame_digest(HC_MSG_PING, 1, "{ }", 3, b);
	assert_memory_not_equal(a, b, sizeof(a));
	hc_frame_digest(HC_MSG_PING, 1, NULL, 0, b);
	assert_memory_not_equal(a, b, sizeof(a));
}


/* A private munged in a temp dir, for the credential binding check;
 * skipped where munged cannot be started. */
struct munge_env {
	char dir[64];
	char sock[128];
	int up;
};

static int
run_cmd(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
munge_setup(void **state)
{
	static struct munge_env env;
	char cmd[1024];

	memset(&env, 0, sizeof(env));
	*state = &env;
	snprintf(env.dir, sizeof(env.dir), "/tmp/hc-test-munge.XXXXXX");
	if (!mkdtemp(env.dir))
		return 0;
	snprintf(env.sock, sizeof(env.sock), "%s/sock", env.dir);
	snprintf(cmd, sizeof(cmd),
		 "mungekey -c -k %s/key -b 1024 >/dev/null 2>&1 && "
		 "munged -f --socket=%s --key-file=%s/key "
		 "--pid-file=%s/pid --log-file=%s/log --seed-file=%s/seed "
		 ">/dev/null 2>&1", env.dir, env.sock, env.dir, env.dir,
		 env.dir, env.dir);
	env.up = run_cmd(cmd) == 0;
	return 0;
}

static int
munge_teardown(void **state)
{
	struct munge_env *env = *state;
	char cmd[512];

	if (env->up) {
		snprintf(cmd, sizeof(cmd),
			 "munged -s --socket=%s >/dev/null 2>&1", env->sock);
		run_cmd(cmd);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", env->dir);
	run_cmd(cmd);
	return 0;
}

/* A credential signs one request's digest; it cannot vouch for another
 * body, type or reqid. */
static void
test_munge_binding(void **state)
{
	struct munge_env *env = *state;
	uint8_t d1[HC_FRAME_DIGEST_LEN], d2[HC_FRAME_DIGEST_LEN];
	struct hc_err err = { 0 };
	uid_t uid = 99;
	gid_t gid = 99;
	char *cred;

	if (!env->up)
		skip();
	hc_frame_digest(HC_MSG_SUBMIT, 5, "{\"a\":1}", 7, d1);
	hc_frame_digest(HC_MSG_SUBMIT, 5, "{\"a\":2}", 7, d2);
	cred = hmunge_encode(env->sock, d1, sizeof(d1), &err);
	if (!cred)
		fail_msg("%s", err.text);
	assert_int_equal(hmunge_decode(env->sock, cred, strlen(cred), d2,
				       sizeof(d2), &uid, &gid, &err), -1);
	assert_int_equal(err.code, HC_EAUTH);
	assert_non_null(strstr(err.text, "does not match"));
	free(cred);

	cred = hmunge_encode(env->sock, d1, sizeof(d1), &err);
	assert_non_null(cred);
	if (hmunge_decode(env->sock, cred, strlen(cred), d1, sizeof(d1),
			  &uid, &gid, &err) != 0)
		fail_msg("%s", err.text);
	assert_int_equal(uid, getuid());
	assert_int_equal(gid, getgid());
	/* The same credential again is a replay. */
	assert_int_equal(hmunge_decode(env->sock, cred, strlen(cred), d1,
				       sizeof(d1), &uid, &gid, &err), -1);
	/* A truncated one is garbage. */
	assert_int_equal(hmunge_decode(env->sock, cred, strlen(cred) / 2, d1,
				       sizeof(d1), &uid, &gid, &err), -1);
	free(cred);

	/* No munged there: the message says what to check. */
	assert_null(hmunge_encode("/nonexistent/sock", d1, sizeof(d1), &err));
	assert_non_null(strstr(err.text, "is munged running"));
	assert_non_null(strstr(err.text, "MungeSocket=/nonexistent/sock"));
}

/* ---- the client against a scripted one-shot server ---- */

enum srv_act { SRV_OK, SRV_RC, SRV_REQID, SRV_BIG, SRV_MAGIC, SRV_CLOSE,
	       SRV_SILENT, SRV_BADJSON };

struct srv {
	int lfd;
	int port;
	enum srv_act act;
	pid_t pid;
};

static int
read_n(int fd, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* The server, in a child process: one connection, one scripted answer. */
static void
srv_main(struct srv *sv)
{
	uint8_t raw[HC_FRAME_HDR_LEN], *f, rest[8192];
	struct hc_frame_hdr h;
	const char *body = "{\"rc\":0,\"x\":1}";
	size_t len;
	int fd = accept(sv->lfd, NULL, NULL);

	if (fd < 0 || read_n(fd, raw, sizeof(raw)) < 0 ||
	    hc_frame_hdr_decode(raw, &h, NULL) < 0 ||
	    h.cred_len + h.body_len > sizeof(rest) ||
	    read_n(fd, rest, h.cred_len + h.body_len) < 0)
		goto out;
	if (sv->act == SRV_RC)
		body = "{\"rc\":3,\"error\":\"job 9 not found\"}";
	if (sv->act == SRV_BADJSON)
		body = "{\"rc\":";
	f = hc_frame_build(HC_MSG_REPLY, h.reqid + (sv->act == SRV_REQID),
			   NULL, 0, body, strlen(body), &len);
	if (sv->act == SRV_BIG) {
		h.magic = HC_FRAME_MAGIC;
		h.type = HC_MSG_REPLY;
		h.body_len = HC_MSG_BODY_REPLY + 1;
		hc_frame_hdr_encode(&h, f);
	}
	if (sv->act == SRV_MAGIC)
		f[0] ^= 0xff;
	if (sv->act == SRV_SILENT)
		sleep(2);
	else if (sv->act != SRV_CLOSE && write(fd, f, len) != (ssize_t)len)
		_exit(1);
	free(f);
out:
	if (fd >= 0)
		close(fd);
}

static void
srv_start(struct srv *sv, enum srv_act act)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sv->act = act;
	sv->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(sv->lfd >= 0);
	assert_int_equal(bind(sv->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(sv->lfd, 4), 0);
	getsockname(sv->lfd, (struct sockaddr *)&a, &al);
	sv->port = ntohs(a.sin_port);
	sv->pid = fork();
	assert_true(sv->pid >= 0);
	if (sv->pid == 0) {
		srv_main(sv);
		_exit(0);
	}
}

static void
srv_stop(struct srv *sv)
{
	close(sv->lfd);
	waitpid(sv->pid, NULL, 0);
}

static void
test_client(void **state)
{
	static const struct {
		enum srv_act act;
		int code;		/* HC_OK: a reply object */
		const char *expect;
	} cases[] = {
		{ SRV_OK, HC_OK, NULL },
		{ SRV_RC, HC_ENOENT, "job 9 not found" },
		{ SRV_REQID, HC_EPROTO, "expected the reply to request" },
		{ SRV_BIG, HC_EPROTO, "body length" },
		{ SRV_MAGIC, HC_EPROTO, "magic" },
		{ SRV_BADJSON, HC_EPROTO, "not valid JSON" },
		{ SRV_CLOSE, HC_ECONN, "closed the connection" },
		{ SRV_SILENT, HC_ETIMEDOUT, "no answer within 1 s" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hc_err err = { 0 };
		struct hc_client *c;
		struct srv sv;
		json_t *rep;

		srv_start(&sv, cases[i].act);
		c = hc_client_connect("127.0.0.1", sv.port, NULL, 1, &err);
		assert_non_null(c);
		rep = hc_client_call_noauth(c, HC_MSG_PING, NULL, &err);
		if (cases[i].code == HC_OK) {
			if (!rep)
				fail_msg("case %zu: %s", i, err.text);
			assert_int_equal(json_integer_value(
				json_object_get(rep, "x")), 1);
			json_decref(rep);
		} else {
			assert_null(rep);
			if (err.code != cases[i].code ||
			    !strstr(err.text, cases[i].expect))
				fail_msg("case %zu: code %d '%s'", i, err.code,
					 err.text);
			/* A failed exchange leaves the client unusable. */
			if (cases[i].code != HC_ENOENT)
				assert_null(hc_client_call_noauth(
					c, HC_MSG_PING, NULL, &err));
		}
		hc_client_destroy(c);
		srv_stop(&sv);
	}
}

static void
test_client_unreachable(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	struct hc_err err = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	/* A port bound but not listening: connections are refused. */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	port = ntohs(a.sin_port);
	assert_null(hc_client_connect("127.0.0.1", port, NULL, 1, &err));
	assert_int_equal(err.code, HC_ECONN);
	assert_non_null(strstr(err.text, "is it running?"));
	assert_null(hc_client_connect("127.0.0.1", 0, NULL, 1, &err));
	assert_null(hc_client_connect("no-such-host.invalid", 1, NULL, 1,
				      &err));
	assert_int_equal(err.code, HC_ECONN);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_client),
		cmocka_unit_test(test_client_unreachable),
		cmocka_unit_test_setup_teardown(test_munge_binding,
						munge_setup, munge_teardown),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
