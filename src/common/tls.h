/*
 * tls: mutual TLS between hcctld and the node agents (OpenSSL 3).
 *
 * Both ends build an SSL_CTX from hc.conf's paths: the controller's asks for
 * a client certificate, the node's presents its certificate; both speak TLS
 * 1.3 only. Neither lets OpenSSL refuse during the handshake: the handshake
 * completes, then the side that verifies calls tls_peer_verify(), which
 * verifies the peer's chain against TrustedCA (and CRLFile, expiry, the
 * certificate's purpose and name) and says why not in words an admin can
 * act on. No byte of the application protocol is read or sent before it
 * succeeds. The same check runs again on live connections
 * (tls_cert_verify(), after a CRL reload or as certificates expire).
 *
 * tls_export_binding() gives both ends the same 32 bytes for one TLS
 * session (RFC 5705 exporter, label "EXPORTER-hc-inventory"): what a node
 * signs together with its inventory, so a signature cannot be replayed on
 * another connection.
 */
#ifndef HC_TLS_H
#define HC_TLS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "hc_err.h"

#define TLS_BINDING_LEN 32
#define TLS_BINDING_LABEL "EXPORTER-hc-inventory"
#define TLS_NAME_MAX 256

/* Why a peer was refused. TLS_OK is 0. */
enum tls_reason {
	TLS_OK = 0,
	TLS_NO_CERT,		/* the peer presented no certificate */
	TLS_UNKNOWN_CA,		/* not issued by TrustedCA */
	TLS_EXPIRED,
	TLS_NOT_YET_VALID,
	TLS_REVOKED,		/* listed in CRLFile */
	TLS_NAME_MISMATCH,	/* not the name expected */
	TLS_WRONG_PURPOSE,	/* a node certificate used as a controller's,
				 * or the other way round */
	TLS_CRL_EXPIRED,	/* CRLFile's nextUpdate has passed */
	TLS_BAD_CERT,		/* anything else */
};

/* The outcome of a peer check. */
struct tls_peer {
	enum tls_reason reason;
	char name[TLS_NAME_MAX];	/* the certificate's name (SAN DNS,
					 * else CN); "" when none */
	time_t not_after;		/* 0 when no certificate */
	char text[HC_ERR_TEXT];		/* "certificate expired at ..." */
};

enum tls_role { TLS_ROLE_CONTROLLER, TLS_ROLE_NODE };

/*
 * An SSL_CTX for role: the controller (server: requires a client
 * certificate) or a node (client). ca is TrustedCA, crl CRLFile (may be
 * NULL: no revocation check), cert/key our own certificate and key. The
 * key file must not be readable by group or others (tls_key_file_check).
 * Returns a new SSL_CTX (caller frees with SSL_CTX_free) or NULL with err.
 */
SSL_CTX *tls_ctx_create(enum tls_role role, const char *ca, const char *crl,
			const char *cert, const char *key, struct hc_err *err);

/* Load ca and crl into a new store and swap it into ctx (used by
 * tls_peer_verify from then on). On error the old store stays. */
int tls_ctx_reload(SSL_CTX *ctx, const char *ca, const char *crl,
		   struct hc_err *err);

/*
 * Verify the peer of an established ssl against ctx's store: chain to
 * TrustedCA, CRL, validity, purpose (a controller checks that the peer is a
 * node and the other way round), and, when expect_name is non-NULL, that
 * the certificate names it. Fills *peer; returns 0 when the peer is
 * accepted, -1 otherwise (peer->reason, peer->text say why).
 */
int tls_peer_verify(SSL *ssl, const char *expect_name, struct tls_peer *peer);

/* The same check on a certificate (and its untrusted chain, may be NULL)
 * against store, for connections already up. peer_role is what the peer
 * must be. */
int tls_cert_verify(X509_STORE *store, X509 *cert, STACK_OF(X509) *chain,
		    enum tls_role peer_role, const char *expect_name,
		    struct tls_peer *peer);

/* The certificate's name: first SAN DNS name, else CN. "" when none. */
void tls_cert_name(X509 *cert, char *buf, size_t len);
/* Its notAfter as epoch seconds (0 when it cannot be read). */
time_t tls_cert_not_after(const X509 *cert);

/* The session's binding: 32 bytes, equal on both ends. 0/-1. */
int tls_export_binding(SSL *ssl, uint8_t out[TLS_BINDING_LEN]);

/* nextUpdate of the CRL in path (epoch seconds), 0 if none, -1 with err
 * if the file cannot be read. */
time_t tls_crl_next_update(const char *path, struct hc_err *err);

/* Refuse a private key file readable or writable by group or others, or
 * not a regular file. */
int tls_key_file_check(const char *path, struct hc_err *err);

/* A short word for a reason ("revoked"), for logs and the rejected list. */
const char *tls_reason_name(enum tls_reason r);

#endif
