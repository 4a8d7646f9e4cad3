/*
 * hc_garbage: throw malformed frames at a daemon and check that it lives.
 *
 *	hc_garbage [--count N] [--seed S] [--wait-ms MS] [--node] ADDR PORT
 *
 * Each frame goes on a fresh connection: for every message type, valid
 * headers with mutated bodies (bit flips, truncated JSON, wrong JSON types,
 * huge numbers, deep nesting, non-objects), with and without a valid munge
 * credential ($HC_MUNGE_SOCKET); a valid frame of every type truncated at
 * every offset; oversized lengths, wrong magic and versions; then N random
 * frames. After each phase the daemon must still answer: hcctld a
 * munge-signed PING, hcnoded (--node) an error reply to a STEP_HELLO with a
 * bad credential. Exit 0 if it survived, 1 with a message otherwise.
 *
 * A body that passes the schema is never sent with a valid credential
 * unless its type only reads (PING, queries), so a run cannot shut the
 * daemon down, drain nodes or cancel jobs by chance.
 *
 * Build (testsuite/Makefile.am):
 *	check_PROGRAMS = hc_garbage
 *	hc_garbage_SOURCES = hc_garbage.c
 *	hc_garbage_CPPFLAGS = -I$(top_srcdir)/src/common
 *	hc_garbage_CFLAGS = $(HC_CFLAGS) $(JANSSON_CFLAGS)
 *	hc_garbage_LDADD = $(top_builddir)/src/common/libhc.la $(JANSSON_LIBS)
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "frame.h"
#include "hmunge.h"
#include "log.h"
#include "msg.h"

enum cred_mode { CRED_NONE, CRED_VALID, CRED_GARBAGE, CRED_OTHER };

struct garbage {
	const char *addr;
	int port;
	int node;		/* target is hcnoded */
	const char *msock;	/* $HC_MUNGE_SOCKET or NULL */
	unsigned seed;
	long count;
	int wait_ms;
	long sent;
	const char *phase;
	uint32_t reqid;
};

/* A harmless good body per type: the base that mutations start from. */
static const struct {
	unsigned type;
	const char *body;
} good[] = {
	{ HC_MSG_REPLY, "{\"rc\":0}" },
	{ HC_MSG_PING, "{}" },
	{ HC_MSG_SUBMIT, "{\"job\":{\"script\":\"#!/bin/sh\\ntrue\\n\","
	  "\"nodes\":1,\"env\":[\"A=1\"],\"hold\":true}}" },
	{ HC_MSG_JOB_QUERY, "{\"job_ids\":[1],\"detail\":true}" },
	{ HC_MSG_JOB_SIGNAL, "{\"job_ids\":[999999],\"signal\":0}" },
	{ HC_MSG_JOB_UPDATE, "{\"job_id\":999999,\"action\":\"hold\"}" },
	{ HC_MSG_NODE_QUERY, "{\"nodes\":\"n1\"}" },
	{ HC_MSG_NODE_UPDATE, "{\"nodes\":\"nx\",\"set\":{\"State\":\"DRAIN\"}}" },
	{ HC_MSG_QUEUE_QUERY, "{\"queues\":[\"batch\"]}" },
	{ HC_MSG_CONFIG_SHOW, "{}" },
	{ HC_MSG_RECONFIGURE, "{}" },
	{ HC_MSG_SHUTDOWN, "{}" },
	{ HC_MSG_BACKUP, "{\"path\":\"/nonexistent/b\"}" },
	{ HC_MSG_HISTORY_QUERY, "{\"start\":0,\"end\":1}" },
	{ HC_MSG_NODE_REGISTER, "{\"name\":\"nx\",\"version\":\"0\","
	  "\"boot_time\":1,\"inventory\":{\"cpus\":1},\"jobs\":[]}" },
	{ HC_MSG_NODE_HEARTBEAT, "{\"jobs\":[1],\"load\":0.5}" },
	{ HC_MSG_JOB_EVENT, "{\"job_id\":999999,\"event\":\"ended\"}" },
	{ HC_MSG_NODE_HEALTH, "{\"ok\":true,\"message\":\"x\"}" },
	{ HC_MSG_JOB_LAUNCH, "{\"job_id\":999999,\"uid\":65534,\"gid\":65534,"
	  "\"script\":\"true\"}" },
	{ HC_MSG_JOB_KILL, "{\"job_id\":999999}" },
	{ HC_MSG_STEP_HELLO, "{\"cred\":\"AAAA\"}" },
};

/* Types whose schema-valid bodies may carry a valid credential: they only
 * read (or, for STEP_HELLO, carry their own credential). */
static int
type_reads(unsigned t)
{
	return t == HC_MSG_PING || t == HC_MSG_JOB_QUERY ||
	       t == HC_MSG_NODE_QUERY || t == HC_MSG_QUEUE_QUERY ||
	       t == HC_MSG_CONFIG_SHOW || t == HC_MSG_HISTORY_QUERY ||
	       t == HC_MSG_STEP_HELLO;
}

static const char *
good_body(unsigned type)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (good[i].type == type)
			return good[i].body;
	return "{}";
}

static void
die(const struct garbage *g, const char *what)
{
	fprintf(stderr, "hc_garbage: %s:%d: %s (phase %s, after %ld "
		"frames)\n", g->addr, g->port, what, g->phase, g->sent);
	exit(1);
}

static int
conn_open(const struct garbage *g)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	char sport[16];
	int fd, tries;

	snprintf(sport, sizeof(sport), "%d", g->port);
	if (getaddrinfo(g->addr, sport, &hints, &res) != 0)
		die(g, "cannot resolve the address");
	for (tries = 0; tries < 50; tries++) {
		fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
		usleep(20000);	/* a full backlog drains; a dead one won't */
	}
	freeaddrinfo(res);
	if (fd < 0)
		die(g, "cannot connect any more: the daemon died?");
	return fd;
}

/* Wait (bounded by wait_ms) until the daemon closes or one whole reply
 * frame has arrived; the reply's content does not matter. */
static void
await_reply(const struct garbage *g, int fd)
{
	uint8_t hdr[HC_FRAME_HDR_LEN], in[4096];
	size_t got = 0, want = 0;
	struct timespec t0, t;
	struct hc_frame_hdr h;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long ms;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= g->wait_ms || poll(&p, 1, g->wait_ms - (int)ms) <= 0)
			return;
		n = recv(fd, in, sizeof(in), 0);
		if (n <= 0)
			return;
		for (ssize_t i = 0; i < n && got + (size_t)i < sizeof(hdr); i++)
			hdr[got + (size_t)i] = in[i];
		if (!want && got + (size_t)n >= sizeof(hdr)) {
			if (hc_frame_hdr_decode(hdr, &h, NULL) < 0)
				return;
			want = sizeof(hdr) + h.cred_len + h.body_len;
		}
		got += (size_t)n;
		if (want && got >= want)
			return;
	}
}

/* Send buf on a fresh connection. If the frame is complete or its header
 * bad, wait for the reply or the close; a truncated frame is abandoned at
 * once, so the daemon sees its peer vanish mid-frame. */
static void
send_one(struct garbage *g, const uint8_t *buf, size_t len)
{
	struct timeval tv = { .tv_sec = 1 };
	int fd = conn_open(g);

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (size_t off = 0; off < len;) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;	/* the daemon closed on us: its right */
		off += (size_t)n;
	}
	g->sent++;
	if (hc_frame_parse(buf, len, NULL, NULL) != 0)
		await_reply(g, fd);
	close(fd);
}

/* A frame of type with body and a credential as mode asks; malloc'ed. */
static uint8_t *
frame_make(struct garbage *g, unsigned type, const char *body, size_t blen,
	   enum cred_mode mode, size_t *lenp)
{
	uint8_t d[HC_FRAME_DIGEST_LEN];
	uint32_t reqid = g->reqid++;
	char *cred = NULL;
	struct hc_err err = { 0 };
	uint8_t *f;

	if (mode == CRED_VALID || mode == CRED_OTHER) {
		hc_frame_digest((uint16_t)type,
				mode == CRED_OTHER ? reqid + 1 : reqid, body,
				blen, d);
		cred = hmunge_encode(g->msock, d, sizeof(d), &err);
		if (!cred) {
			fprintf(stderr, "hc_garbage: %s\n", err.text);
			exit(1);
		}
	} else if (mode == CRED_GARBAGE) {
		cred = hc_strdup("MUNGE:AwQFAAD/not+a+credential//:");
	}
	f = hc_frame_build((uint16_t)type, reqid, cred,
			   cred ? strlen(cred) : 0, body, blen, lenp);
	free(cred);
	return f;
}

/* Send body as type, with a valid credential and without one. A body the
 * schema accepts keeps its credential only for types that read. */
static void
send_body(struct garbage *g, unsigned type, const char *body, size_t blen)
{
	json_t *ok = hc_msg_decode(type, body, blen, NULL);
	static const enum cred_mode modes[] = { CRED_VALID, CRED_NONE,
						CRED_GARBAGE };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		enum cred_mode m = modes[i];
		size_t len;
		uint8_t *f;

		if (m == CRED_GARBAGE && g->sent % 4)
			continue;	/* a sample is enough */
		if (m == CRED_VALID && ok && !type_reads(type))
			m = CRED_OTHER;	/* refused: digest mismatch */
		f = frame_make(g, type, body, blen, m, &len);
		send_one(g, f, len);
		free(f);
	}
	json_decref(ok);
}

/* ---- mutated bodies ---- */

#define PH "\"@@hc-garbage@@\""

/* Values that replace a field in turn: wrong types, huge numbers, nesting
 * past the limit (33) and far past it. NULL entries are built at start. */
static const char *repl_fixed[] = {
	"\"s\"", "1", "-1", "1.5", "true", "null", "[]", "{}", "[1,\"a\",{}]",
	"99999999999999999999999999", "-1e999", "1e308",
	"9223372036854775807", "-9223372036854775808", "4294967296",
	"\"\\ud800\"", "\"\\u0000\"",
};

static char *
nest(int depth)
{
	char *s = hc_malloc(2 * (size_t)depth + 1);

	memset(s, '[', (size_t)depth);
	memset(s + depth, ']', (size_t)depth);
	s[2 * depth] = '\0';
	return s;
}

/* Replace the placeholder in text by lit; malloc'ed. */
static char *
splice(const char *text, const char *lit)
{
	const char *p = strstr(text, PH);
	size_t a = (size_t)(p - text), pl = strlen(PH);

	return hc_asprintf("%.*s%s%s", (int)a, text, lit, p + pl);
}

/* body with field key of obj (root or an object inside it) replaced by
 * each value, then removed. */
static void
mutate_field(struct garbage *g, unsigned type, json_t *root, json_t *obj,
	     const char *key_in, const char *const *vals, size_t nvals)
{
	char *key = hc_strdup(key_in);	/* obj's own copy dies with del */
	json_t *saved = json_incref(json_object_get(obj, key));
	char *text, *b;

	json_object_set_new(obj, key, json_string("@@hc-garbage@@"));
	text = hc_msg_encode(root, NULL);
	for (size_t i = 0; i < nvals; i++) {
		b = splice(text, vals[i]);
		send_body(g, type, b, strlen(b));
		free(b);
	}
	free(text);
	json_object_del(obj, key);
	text = hc_msg_encode(root, NULL);
	send_body(g, type, text, strlen(text));
	free(text);
	json_object_set_new(obj, key, saved);
	free(key);
}

/* Each field of obj in turn, and one level into object-valued fields.
 * Keys are copied first: mutating obj invalidates its iterator. */
static void
mutate_fields(struct garbage *g, unsigned type, json_t *root, json_t *obj,
	      int depth, const char *const *vals, size_t nvals)
{
	const char *k;
	json_t *v;
	char *keys[64];
	size_t n = 0;

	json_object_foreach(obj, k, v)
		if (n < sizeof(keys) / sizeof(keys[0]))
			keys[n++] = hc_strdup(k);
	for (size_t i = 0; i < n; i++) {
		v = json_object_get(obj, keys[i]);
		if (depth == 0 && json_is_object(v))
			mutate_fields(g, type, root, v, 1, vals, nvals);
		mutate_field(g, type, root, obj, keys[i], vals, nvals);
		free(keys[i]);
	}
}

static const char *const odd_bodies[] = {
	"[]", "null", "\"x\"", "1", "{", "}", "{}x", "{\"a\":1,\"a\":1}",
	"{\"\xff\xfe\":1}", "{\"a\":\"\\ud800\"}", "{\"a\"}", "{\"a\":}",
	"{'a':1}", "{\"a\":1,}", "\xef\xbb\xbf{}", " ",
};

static void
mutate_type(struct garbage *g, unsigned type, const char *const *vals,
	    size_t nvals)
{
	const char *gb = good_body(type);
	size_t gl = strlen(gb);
	json_t *root = json_loads(gb, 0, NULL);
	char *b;

	send_body(g, type, gb, gl);
	for (int i = 0; i < 8; i++) {	/* bit flips */
		b = hc_strdup(gb);
		for (int k = 0, n = 1 + i % 3; k < n; k++)
			b[rand_r(&g->seed) % gl] ^=
				(char)(1u << (rand_r(&g->seed) % 8));
		send_body(g, type, b, gl);
		free(b);
	}
	for (size_t cut = 1; cut < gl; cut += (gl + 3) / 4)	/* truncated */
		send_body(g, type, gb, cut);
	send_body(g, type, gb, gl - 1);
	mutate_fields(g, type, root, root, 0, vals, nvals);
	json_decref(root);
	for (size_t i = 0; i < sizeof(odd_bodies) / sizeof(odd_bodies[0]);
	     i++)
		send_body(g, type, odd_bodies[i], strlen(odd_bodies[i]));
	send_body(g, type, "{\"a\":\0}", 7);	/* a NUL inside */
	b = hc_malloc(HC_MSG_BODY_SMALL);	/* a body at the limit */
	memset(b, 'A', HC_MSG_BODY_SMALL);
	memcpy(b, "{\"x\":\"", 6);
	memcpy(b + HC_MSG_BODY_SMALL - 2, "\"}", 2);
	send_body(g, type, b, HC_MSG_BODY_SMALL);
	free(b);
}

static void
phase_bodies(struct garbage *g)
{
	size_t nt, nf = sizeof(repl_fixed) / sizeof(repl_fixed[0]);
	const uint16_t *types = hc_msg_types(&nt);
	const char *vals[sizeof(repl_fixed) / sizeof(repl_fixed[0]) + 2];
	char *deep1 = nest(33), *deep2 = nest(5000);

	memcpy(vals, repl_fixed, sizeof(repl_fixed));
	vals[nf] = deep1;
	vals[nf + 1] = deep2;
	g->phase = "mutated bodies";
	for (size_t i = 0; i < nt; i++)
		mutate_type(g, types[i], vals, nf + 2);
	free(deep1);
	free(deep2);
}

/* ---- truncation, headers, random frames ---- */

static void
phase_truncated(struct garbage *g)
{
	size_t nt;
	const uint16_t *types = hc_msg_types(&nt);

	g->phase = "truncated frames";
	for (size_t i = 0; i < nt; i++) {
		const char *b = good_body(types[i]);
		for (int m = 0; m < 2; m++) {
			size_t len;
			uint8_t *f = frame_make(g, types[i], b, strlen(b),
						m ? CRED_NONE : CRED_VALID,
						&len);

			/* Every strict prefix: never a whole frame. */
			for (size_t k = 0; k < len; k++)
				send_one(g, f, k);
			free(f);
		}
	}
}

static void
hdr_send(struct garbage *g, uint32_t magic, int dmaj, int dmin,
	 unsigned type, uint32_t cred_len, uint32_t body_len, uint32_t flags)
{
	struct hc_frame_hdr h = {
		.magic = magic,
		.ver_major = (uint8_t)(HC_PROTO_MAJOR + dmaj),
		.ver_minor = (uint8_t)(HC_PROTO_MINOR + dmin),
		.type = (uint16_t)type, .reqid = g->reqid++,
		.cred_len = cred_len, .body_len = body_len, .flags = flags,
	};
	uint8_t buf[HC_FRAME_HDR_LEN + 16];

	hc_frame_hdr_encode(&h, buf);
	memcpy(buf + HC_FRAME_HDR_LEN, "{}{}{}{}{}{}{}{}", 16);
	send_one(g, buf, sizeof(buf));
}

static void
phase_headers(struct garbage *g)
{
	const uint32_t M = HC_FRAME_MAGIC, S = HC_MSG_BODY_SMALL;
	static const char *const foreign[] = {
		"GET / HTTP/1.0\r\n\r\n", "\x16\x03\x01\x02\x00\x01\x00\x01",
		"\n", "HCM1",
	};

	g->phase = "bad headers";
	hdr_send(g, 0x47455420, 0, 0, HC_MSG_PING, 0, 2, 0);
	hdr_send(g, ~M, 0, 0, HC_MSG_PING, 0, 2, 0);
	hdr_send(g, M, 1, 0, HC_MSG_PING, 0, 2, 0);
	hdr_send(g, M, -1, 0, HC_MSG_PING, 0, 2, 0);
	hdr_send(g, M, 0, 1, HC_MSG_PING, 0, 2, 0);
	hdr_send(g, M, 0, -2, HC_MSG_PING, 0, 2, 0);
	hdr_send(g, M, 0, 0, 0, 0, 2, 0);
	hdr_send(g, M, 0, 0, 3, 0, 2, 0);
	hdr_send(g, M, 0, 0, 0xffff, 0, 2, 0);
	hdr_send(g, M, 0, 0, HC_MSG_PING, 0, 2, 1);
	hdr_send(g, M, 0, 0, HC_MSG_PING, 0, 2, 0x80000000u);
	hdr_send(g, M, 0, 0, HC_MSG_PING, HC_FRAME_CRED_MAX + 1, 2, 0);
	hdr_send(g, M, 0, 0, HC_MSG_PING, 0xffffffffu, 2, 0);
	hdr_send(g, M, 0, 0, HC_MSG_PING, 0, S + 1, 0);
	hdr_send(g, M, 0, 0, HC_MSG_PING, 0, 0xffffffffu, 0);
	hdr_send(g, M, 0, 0, HC_MSG_SUBMIT, 0, HC_MSG_BODY_SUBMIT + 1, 0);
	/* Valid headers promising far more than comes. */
	hdr_send(g, M, 0, 0, HC_MSG_PING, HC_FRAME_CRED_MAX, S, 0);
	hdr_send(g, M, 0, 0, HC_MSG_SUBMIT, 0, HC_MSG_BODY_SUBMIT, 0);
	hdr_send(g, M, 0, 0, HC_MSG_REPLY, 0, HC_MSG_BODY_REPLY, 0);
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		send_one(g, (const uint8_t *)foreign[i], strlen(foreign[i]));
}

static const char *const tokens[] = {
	"{", "}", "[", "]", ":", ",", "\"job\"", "\"job_id\"", "\"cred\"",
	"\"a\"", "1", "-0", "1e99", "true", "null", "\"\\u00e9\"", " ",
	"\"script\"", "99999999999999999999",
};

/* One random frame into buf (cap bytes); returns its length. */
static size_t
random_frame(struct garbage *g, uint8_t *buf, size_t cap)
{
	size_t nt, clen, blen, i;
	const uint16_t *types = hc_msg_types(&nt);
	int kind = rand_r(&g->seed) % 4;
	struct hc_frame_hdr h = {
		.magic = HC_FRAME_MAGIC, .ver_major = HC_PROTO_MAJOR,
		.ver_minor = HC_PROTO_MINOR,
		.type = types[rand_r(&g->seed) % nt], .reqid = g->reqid++,
	};

	clen = kind == 0 ? 0 : (size_t)rand_r(&g->seed) % 64;
	if (kind == 0) {	/* bytes, nothing more */
		blen = (size_t)rand_r(&g->seed) % 256;
		for (i = 0; i < blen; i++)
			buf[i] = (uint8_t)rand_r(&g->seed);
		return blen;
	}
	for (i = 0; i < clen; i++)
		buf[HC_FRAME_HDR_LEN + i] = (uint8_t)rand_r(&g->seed);
	blen = 0;
	if (kind == 3) {	/* JSON-ish tokens */
		while (blen < 200) {
			const char *t = tokens[rand_r(&g->seed) %
					       (sizeof(tokens) / sizeof(tokens[0]))];

			memcpy(buf + HC_FRAME_HDR_LEN + clen + blen, t,
			       strlen(t));
			blen += strlen(t);
			if (rand_r(&g->seed) % 16 == 0)
				break;
		}
	} else {
		blen = (size_t)rand_r(&g->seed) % 256;
		for (i = 0; i < blen; i++)
			buf[HC_FRAME_HDR_LEN + clen + i] =
				(uint8_t)rand_r(&g->seed);
	}
	h.cred_len = (uint32_t)clen;
	h.body_len = (uint32_t)blen;
	if (kind == 2)	/* lengths that lie */
		h.body_len = (uint32_t)rand_r(&g->seed) % (1u << 20);
	hc_frame_hdr_encode(&h, buf);
	(void)cap;
	return HC_FRAME_HDR_LEN + clen + blen;
}

static void
phase_random(struct garbage *g)
{
	uint8_t buf[HC_FRAME_HDR_LEN + 64 + 512];

	g->phase = "random frames";
	for (long n = 0; n < g->count; n++)
		send_one(g, buf, random_frame(g, buf, sizeof(buf)));
}

/* ---- liveness ---- */

static void
check_alive(struct garbage *g)
{
	struct hc_err err = { 0 };
	struct hc_client *c = hc_client_connect(g->addr, g->port, g->msock,
						10, &err);
	json_t *req, *rep;

	if (!c)
		die(g, err.text);
	if (!g->node) {
		rep = hc_client_call(c, HC_MSG_PING, NULL, &err);
		hc_client_destroy(c);
		if (!rep)
			die(g, err.text);
		json_decref(rep);
		return;
	}
	req = json_pack("{s:s}", "cred", "AAAA");
	rep = hc_client_call_noauth(c, HC_MSG_STEP_HELLO, req, &err);
	json_decref(req);
	hc_client_destroy(c);
	if (rep)
		die(g, "the node agent accepted a bad step credential");
	if (err.code == HC_ECONN || err.code == HC_ETIMEDOUT ||
	    err.code == HC_EPROTO)
		die(g, err.text);
}

static void
usage(void)
{
	fprintf(stderr, "Usage: hc_garbage [--count N] [--seed S] "
		"[--wait-ms MS] [--node] ADDR PORT\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ "node", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct garbage g = {
		.count = 1000, .wait_ms = 200, .phase = "start",
		.seed = (unsigned)time(NULL) ^ (unsigned)getpid(),
	};
	unsigned seed0;
	int o;

	while ((o = getopt_long(argc, argv, "c:s:w:n", opts, NULL)) != -1) {
		switch (o) {
		case 'c': g.count = strtol(optarg, NULL, 10); break;
		case 's': g.seed = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'w': g.wait_ms = atoi(optarg); break;
		case 'n': g.node = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || g.wait_ms <= 0)
		usage();
	g.addr = argv[optind];
	g.port = atoi(argv[optind + 1]);
	g.msock = getenv("HC_MUNGE_SOCKET");
	g.reqid = g.seed;
	seed0 = g.seed;
	signal(SIGPIPE, SIG_IGN);
	printf("# hc_garbage %s:%d seed=%u\n", g.addr, g.port, g.seed);
	check_alive(&g);
	phase_headers(&g);
	check_alive(&g);
	phase_truncated(&g);
	check_alive(&g);
	phase_bodies(&g);
	check_alive(&g);
	phase_random(&g);
	check_alive(&g);
	printf("# %s:%d survived %ld frames (seed %u)\n", g.addr, g.port,
	       g.sent, seed0);
	return 0;
}
