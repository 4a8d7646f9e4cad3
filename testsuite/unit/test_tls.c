/*
 * test_tls: the CA (ca.c) and mutual TLS (tls.c) together. A CA in a temp
 * dir issues the certificates; a controller and a node context shake hands
 * over a socketpair; each refusal comes with its reason.
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ca.h"
#include "log.h"
#include "tls.h"

struct fix {
	char dir[64];
	char *ca, *crl, *other;
};

static char *
p(struct fix *f, const char *name)
{
	return hc_asprintf("%s/%s", f->dir, name);
}

static void
issue(const char *cadir, const char *out, const char *name, bool ctld,
      time_t not_after)
{
	struct hc_err err = { 0 };
	struct ca *ca = ca_open(cadir, &err);
	struct ca_issue_opts o = { .name = name, .days = 10,
				   .not_after = not_after, .controller = ctld,
				   .out_dir = out };

	assert_non_null(ca);
	assert_int_equal(ca_issue(ca, &o, &err), 0);
	ca_close(ca);
}

static int
setup(void **state)
{
	struct fix *f = hc_calloc(1, sizeof(*f));
	struct hc_err err = { 0 };
	char *oca;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_tls.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->ca = p(f, "ca");
	f->other = p(f, "other");
	assert_int_equal(ca_init(f->ca, CA_KEY_ED25519, &err), 0);
	assert_int_equal(ca_init(f->other, CA_KEY_P256, &err), 0);
	f->crl = p(f, "ca/crl.pem");
	issue(f->ca, f->dir, "hcctld", true, 0);
	issue(f->ca, f->dir, "n1", false, 0);
	issue(f->ca, f->dir, "n2", false, 0);
	issue(f->ca, f->dir, "old", false, time(NULL) - 86400);
	issue(f->other, f->dir, "evil", false, 0);
	oca = p(f, "rogue");
	mkdir(oca, 0700);
	issue(f->other, oca, "hcctld", true, 0);
	free(oca);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char *cmd = hc_asprintf("rm -rf '%s'", f->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->ca);
	free(f->crl);
	free(f->other);
	free(f);
	return 0;
}

static SSL_CTX *
ctx(struct fix *f, enum tls_role role, const char *ca, const char *name)
{
	struct hc_err err = { 0 };
	char *cafile = hc_asprintf("%s/ca.crt", ca);
	char *crl = hc_asprintf("%s/crl.pem", ca);
	char *cert = hc_asprintf("%s/%s.crt", f->dir, name);
	char *key = hc_asprintf("%s/%s.key", f->dir, name);
	SSL_CTX *c = tls_ctx_create(role, cafile, crl, cert, key, &err);

	if (!c)
		print_error("%s\n", err.text);
	assert_non_null(c);
	free(cafile);
	free(crl);
	free(cert);
	free(key);
	return c;
}

/* Shake hands; returns 0 when both ends finished. */
static int
handshake(SSL_CTX *sc, SSL_CTX *cc, SSL **s, SSL **c)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	*s = SSL_new(sc);
	*c = SSL_new(cc);
	SSL_set_fd(*s, sv[0]);
	SSL_set_fd(*c, sv[1]);
	SSL_set_accept_state(*s);
	SSL_set_connect_state(*c);
	for (int i = 0, sd = 0, cd = 0; i < 100; i++) {
		if (!cd)
			cd = SSL_do_handshake(*c) == 1;
		if (!sd)
			sd = SSL_do_handshake(*s) == 1;
		if (sd && cd)
			return 0;
	}
	return -1;
}

static void
done(SSL *s, SSL *c)
{
	close(SSL_get_fd(s));
	close(SSL_get_fd(c));
	SSL_free(s);
	SSL_free(c);
}

/* The node `node` (issued by ca) against the controller; returns what the
 * controller thinks of it. */
static enum tls_reason
node_check(struct fix *f, const char *ca, const char *node, char *name)
{
	SSL_CTX *sc = ctx(f, TLS_ROLE_CONTROLLER, f->ca, "hcctld");
	SSL_CTX *cc = ctx(f, TLS_ROLE_NODE, ca, node);
	struct tls_peer peer;
	SSL *s, *c;

	assert_int_equal(handshake(sc, cc, &s, &c), 0);
	tls_peer_verify(s, NULL, &peer);
	if (name)
		strcpy(name, peer.name);
	print_message("# %s: %s\n", node, peer.text);
	done(s, c);
	SSL_CTX_free(sc);
	SSL_CTX_free(cc);
	return peer.reason;
}

static void
test_good_pair(void **state)
{
	struct fix *f = *state;
	SSL_CTX *sc = ctx(f, TLS_ROLE_CONTROLLER, f->ca, "hcctld");
	SSL_CTX *cc = ctx(f, TLS_ROLE_NODE, f->ca, "n1");
	uint8_t b1[TLS_BINDING_LEN], b2[TLS_BINDING_LEN], b3[TLS_BINDING_LEN];
	struct tls_peer peer;
	SSL *s, *c, *s2, *c2;

	assert_int_equal(handshake(sc, cc, &s, &c), 0);
	assert_int_equal(tls_peer_verify(s, NULL, &peer), 0);
	assert_string_equal(peer.name, "n1");
	assert_true(peer.not_after > time(NULL));
	assert_int_equal(tls_peer_verify(c, "hcctld", &peer), 0);
	assert_string_equal(peer.name, "hcctld");
	assert_string_equal(SSL_get_version(s), "TLSv1.3");
	assert_int_equal(tls_export_binding(s, b1), 0);
	assert_int_equal(tls_export_binding(c, b2), 0);
	assert_memory_equal(b1, b2, sizeof(b1));
	/* another session, another binding */
	assert_int_equal(handshake(sc, cc, &s2, &c2), 0);
	assert_int_equal(tls_export_binding(c2, b3), 0);
	assert_memory_not_equal(b1, b3, sizeof(b1));
	done(s, c);
	done(s2, c2);
	SSL_CTX_free(sc);
	SSL_CTX_free(cc);
}

static void
test_refusals(void **state)
{
	struct fix *f = *state;
	char name[TLS_NAME_MAX];

	assert_int_equal(node_check(f, f->other, "evil", name),
			 TLS_UNKNOWN_CA);
	assert_string_equal(name, "evil");
	assert_int_equal(node_check(f, f->ca, "old", name), TLS_EXPIRED);
	/* a controller's certificate is no node's */
	assert_int_equal(node_check(f, f->ca, "hcctld", NULL),
			 TLS_WRONG_PURPOSE);
}

static void
test_revoked_and_reload(void **state)
{
	struct fix *f = *state;
	SSL_CTX *sc = ctx(f, TLS_ROLE_CONTROLLER, f->ca, "hcctld");
	SSL_CTX *cc = ctx(f, TLS_ROLE_NODE, f->ca, "n2");
	struct hc_err err = { 0 };
	struct tls_peer peer;
	struct ca *ca;
	char *cafile = hc_asprintf("%s/ca.crt", f->ca);
	SSL *s, *c;
	time_t nu;

	assert_int_equal(handshake(sc, cc, &s, &c), 0);
	assert_int_equal(tls_peer_verify(s, NULL, &peer), 0);
	ca = ca_open(f->ca, &err);
	assert_int_equal(ca_revoke(ca, "n2", &err), 1);
	assert_int_equal(ca_revoke(ca, "n2", &err), -1);
	assert_int_equal(err.code, HC_ENOENT);
	ca_close(ca);
	/* the live connection, re-checked after the reload */
	assert_int_equal(tls_ctx_reload(sc, cafile, f->crl, &err), 0);
	assert_int_equal(tls_peer_verify(s, NULL, &peer), -1);
	assert_int_equal(peer.reason, TLS_REVOKED);
	assert_non_null(strstr(peer.text, "revoked"));
	done(s, c);
	assert_int_equal(node_check(f, f->ca, "n2", NULL), TLS_REVOKED);
	nu = tls_crl_next_update(f->crl, &err);
	assert_true(nu > time(NULL) + 29 * 86400);
	free(cafile);
	SSL_CTX_free(sc);
	SSL_CTX_free(cc);
}

static void
test_rogue_controller(void **state)
{
	struct fix *f = *state;
	char *rogue = hc_asprintf("%s/rogue", f->dir);
	char *cafile = hc_asprintf("%s/ca.crt", f->other);
	char *cert = hc_asprintf("%s/hcctld.crt", rogue);
	char *key = hc_asprintf("%s/hcctld.key", rogue);
	struct hc_err err = { 0 };
	SSL_CTX *sc = tls_ctx_create(TLS_ROLE_CONTROLLER, cafile, NULL, cert,
				     key, &err);
	SSL_CTX *cc = ctx(f, TLS_ROLE_NODE, f->ca, "n1");
	SSL_CTX *good = ctx(f, TLS_ROLE_CONTROLLER, f->ca, "hcctld");
	struct tls_peer peer;
	SSL *s, *c;

	assert_non_null(sc);
	assert_int_equal(handshake(sc, cc, &s, &c), 0);
	assert_int_equal(tls_peer_verify(c, "hcctld", &peer), -1);
	assert_int_equal(peer.reason, TLS_UNKNOWN_CA);
	done(s, c);
	/* the right CA, the wrong name */
	assert_int_equal(handshake(good, cc, &s, &c), 0);
	assert_int_equal(tls_peer_verify(c, "ctl.example", &peer), -1);
	assert_int_equal(peer.reason, TLS_NAME_MISMATCH);
	done(s, c);
	SSL_CTX_free(sc);
	SSL_CTX_free(cc);
	SSL_CTX_free(good);
	free(rogue);
	free(cafile);
	free(cert);
	free(key);
}

static void
test_key_mode(void **state)
{
	struct fix *f = *state;
	char *key = hc_asprintf("%s/n1.key", f->dir);
	char *cert = hc_asprintf("%s/n1.crt", f->dir);
	char *cafile = hc_asprintf("%s/ca.crt", f->ca);
	struct hc_err err = { 0 };

	assert_int_equal(tls_key_file_check(key, &err), 0);
	chmod(key, 0640);
	assert_int_equal(tls_key_file_check(key, &err), -1);
	assert_non_null(strstr(err.text, "chmod 600"));
	assert_null(tls_ctx_create(TLS_ROLE_NODE, cafile, NULL, cert, key,
				   &err));
	chmod(key, 0600);
	free(key);
	free(cert);
	free(cafile);
}

static void
test_ca_errors(void **state)
{
	struct fix *f = *state;
	struct hc_err err = { 0 };
	struct ca *ca = ca_open(f->ca, &err);
	struct ca_issue_opts o = { .name = "../x", .days = 1,
				   .out_dir = f->dir };
	enum ca_key_type kt;

	assert_int_equal(ca_init(f->ca, CA_KEY_ED25519, &err), -1);
	assert_int_equal(err.code, HC_EEXIST);
	assert_int_equal(ca_issue(ca, &o, &err), -1);
	o.name = "n9";
	o.days = 0;
	assert_int_equal(ca_issue(ca, &o, &err), -1);
	assert_int_equal(strlen(ca_cluster_id(ca)), CA_CLUSTER_ID_LEN);
	assert_int_equal(ca_key_type_parse("rsa", &kt, &err), -1);
	ca_close(ca);
	assert_null(ca_open("/nonexistent/ca", &err));
	assert_int_equal(err.code, HC_ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_pair),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_rogue_controller),
		cmocka_unit_test(test_key_mode),
		cmocka_unit_test(test_ca_errors),
		cmocka_unit_test(test_revoked_and_reload),
	};

	return cmocka_run_group_tests_name("tls", tests, setup, teardown);
}
