/*
 * reg_driver: N node agents registering at once with hcctld over mutual
 * TLS, each with its own certificate (bench/register builds and runs it).
 *
 *	reg_driver PORT CERTDIR N READYFILE
 *
 * CERTDIR holds ca.crt and rNNNN.crt/rNNNN.key (NNNN = 0001..N). Keys and
 * certificates are loaded before the clock starts; then every connection
 * is opened, its handshake done, the controller's certificate checked, and
 * a NODE_REGISTER sent (a small inventory, signed and bound to the session
 * as hcnoded does). Prints the seconds from the first connect() to the
 * last successful reply, writes them to READYFILE, and keeps the
 * connections open until killed (so the nodes stay IDLE for checking).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "frame.h"
#include "msg.h"

struct node {
	char name[16];
	X509 *cert;
	EVP_PKEY *key;
	struct bufferevent *bev;
	bool done;
};

static struct event_base *base;
static struct node *nodes;
static int nnodes, nok, nfail, port;
static struct timespec t0;
static double t_last_ok;
static const char *ready;

static double
since_t0(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0.tv_sec) +
	       (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
}

static void *
load(const char *dir, const char *name, const char *ext, bool key)
{
	char path[4096];
	FILE *f;
	void *p;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	if (!(f = fopen(path, "r"))) {
		perror(path);
		exit(1);
	}
	p = key ? (void *)PEM_read_PrivateKey(f, NULL, NULL, NULL) :
		  (void *)PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!p) {
		fprintf(stderr, "%s: unreadable\n", path);
		exit(1);
	}
	return p;
}

static char *
b64(const unsigned char *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/* NODE_REGISTER with the inventory signed as invsig.h says. */
static json_t *
register_body(struct node *nd, SSL *ssl)
{
	json_t *inv = json_pack("{s:i,s:i,s:i,s:i,s:i,s:s,s:s,s:s,s:[],s:s,"
				"s:s}", "sockets", 1, "cores", 4, "threads", 1,
				"cpus", 4, "memory_mb", 4096, "cpu_vendor",
				"bench", "cpu_model", "bench cpu", "arch",
				"x86_64", "gpus", "hcnoded_version", "bench",
				"topology_digest", "0");
	char *blob = json_dumps(inv, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned char binding[32], dg[32], sig[256];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int dl = 0;
	char *b, *s;
	json_t *body;

	SSL_export_keying_material(ssl, binding, 32, "EXPORTER-hc-inventory",
				   21, NULL, 0, 0);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, "hc-inventory-v1", 15);
	EVP_DigestUpdate(md, binding, 32);
	EVP_DigestUpdate(md, blob, strlen(blob));
	EVP_DigestFinal_ex(md, dg, &dl);
	EVP_MD_CTX_reset(md);
	EVP_DigestSignInit(md, NULL, NULL, NULL, nd->key);
	EVP_DigestSign(md, sig, &siglen, dg, sizeof(dg));
	EVP_MD_CTX_free(md);
	b = b64((unsigned char *)blob, strlen(blob));
	s = b64(sig, siglen);
	body = json_pack("{s:s,s:s,s:I,s:o,s:[],s:s,s:s}", "name", nd->name,
			 "version", "bench", "boot_time", (json_int_t)time(NULL),
			 "inventory", inv, "jobs", "inventory_blob", b,
			 "inventory_sig", s);
	free(blob);
	free(b);
	free(s);
	return body;
}

static void
finish_one(struct node *nd, bool ok)
{
	if (nd->done)
		return;
	nd->done = true;
	if (ok) {
		nok++;
		t_last_ok = since_t0();
	} else {
		nfail++;
		fprintf(stderr, "%s: failed at %.3f s\n", nd->name, since_t0());
	}
	if (nok + nfail < nnodes)
		return;
	printf("%d of %d nodes registered in %.3f s\n", nok, nnodes,
	       t_last_ok);
	fflush(stdout);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f) {
			fprintf(f, "%.3f %d\n", t_last_ok, nok);
			fclose(f);
		}
	}
}

/* Frames from hcctld: the reply to NODE_REGISTER, and whatever else it
 * sends registered nodes (audit checkpoints), skipped. */
static void
on_read(struct bufferevent *bev, void *arg)
{
	struct node *nd = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct hc_frame_view v;
	struct hc_err err = { 0 };
	size_t len;
	long n;

	while ((len = evbuffer_get_length(in)) >= HC_FRAME_HDR_LEN) {
		n = hc_frame_parse(evbuffer_pullup(in, -1), len, &v, &err);
		if (n == 0)
			return;
		if (n < 0) {
			fprintf(stderr, "%s: bad frame: %s\n", nd->name,
				err.text);
			evbuffer_drain(in, len);
			finish_one(nd, false);
			return;
		}
		if (v.hdr.type == HC_MSG_REPLY && !nd->done) {
			json_t *rep = json_loadb(v.body, v.hdr.body_len, 0,
						 NULL);
			long long rc = json_integer_value(
				json_object_get(rep, "rc"));

			if (rc != 0)
				fprintf(stderr, "%s: %s\n", nd->name,
					json_string_value(json_object_get(
						rep, "error")));
			finish_one(nd, rc == 0);
			json_decref(rep);
		}
		evbuffer_drain(in, (size_t)n);
	}
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct node *nd = arg;
	SSL *ssl = bufferevent_openssl_get_ssl(bev);

	if (what & BEV_EVENT_CONNECTED) {
		json_t *body = register_body(nd, ssl);
		char *text = json_dumps(body, JSON_COMPACT);
		size_t flen;
		uint8_t *fr = hc_frame_build(HC_MSG_NODE_REGISTER, 1, NULL, 0,
					     text, strlen(text), &flen);

		bufferevent_write(bev, fr, flen);
		free(fr);
		free(text);
		json_decref(body);
		return;
	}
	if (!nd->done)
		fprintf(stderr, "%s: connection error (%s)\n", nd->name,
			ERR_reason_error_string(
				bufferevent_get_openssl_error(bev)));
	finish_one(nd, false);
}

int
main(int argc, char **argv)
{
	SSL_CTX *ctx;
	char cafile[4096];

	if (argc < 4) {
		fprintf(stderr, "usage: reg_driver PORT CERTDIR N [READY]\n");
		return 1;
	}
	port = atoi(argv[1]);
	nnodes = atoi(argv[3]);
	ready = argc > 4 ? argv[4] : NULL;
	nodes = calloc((size_t)nnodes, sizeof(*nodes));
	for (int i = 0; i < nnodes; i++) {
		snprintf(nodes[i].name, sizeof(nodes[i].name), "r%04d", i + 1);
		nodes[i].cert = load(argv[2], nodes[i].name, "crt", false);
		nodes[i].key = load(argv[2], nodes[i].name, "key", true);
	}
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	snprintf(cafile, sizeof(cafile), "%s/ca.crt", argv[2]);
	SSL_CTX_load_verify_locations(ctx, cafile, NULL);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	base = event_base_new();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < nnodes; i++) {
		SSL *ssl = SSL_new(ctx);

		SSL_use_certificate(ssl, nodes[i].cert);
		SSL_use_PrivateKey(ssl, nodes[i].key);
		SSL_set1_host(ssl, "hcctld");
		nodes[i].bev = bufferevent_openssl_socket_new(base, -1, ssl,
				BUFFEREVENT_SSL_CONNECTING,
				BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(nodes[i].bev, on_read, NULL, on_event,
				  &nodes[i]);
		bufferevent_enable(nodes[i].bev, EV_READ | EV_WRITE);
		bufferevent_socket_connect_hostname(nodes[i].bev, NULL,
						    AF_INET, "127.0.0.1", port);
	}
	event_base_dispatch(base);
	return nfail ? 1 : 0;
}
