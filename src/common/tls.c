/*
 * tls: mutual TLS contexts and peer verification (see tls.h).
 *
 * OpenSSL's own chain check during the handshake is replaced by one that
 * accepts (SSL_CTX_set_cert_verify_callback): the handshake still proves
 * that the peer holds the key of the certificate it sent (TLS 1.3
 * CertificateVerify), and the verifying side then runs X509_verify_cert
 * itself in tls_cert_verify(), which stops at the first error, so the reason
 * an admin reads is the first thing wrong (unknown CA before expired), and
 * the same function re-checks live connections after a CRL reload.
 *
 * Session tickets and the session cache are off: every connection shows its
 * certificate again.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tls.h"
#include "ossl.h"

static const char *const reason_names[] = {
	[TLS_OK] = "ok",
	[TLS_NO_CERT] = "no certificate",
	[TLS_UNKNOWN_CA] = "unknown CA",
	[TLS_EXPIRED] = "expired",
	[TLS_NOT_YET_VALID] = "not yet valid",
	[TLS_REVOKED] = "revoked",
	[TLS_NAME_MISMATCH] = "name mismatch",
	[TLS_WRONG_PURPOSE] = "wrong purpose",
	[TLS_CRL_EXPIRED] = "CRL expired",
	[TLS_BAD_CERT] = "bad certificate",
};

const char *
tls_reason_name(enum tls_reason r)
{
	return (unsigned)r < sizeof(reason_names) / sizeof(*reason_names) ?
	       reason_names[r] : "?";
}

int
tls_key_file_check(const char *path, struct hc_err *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return hc_err_set(err, HC_ENOENT, "private key %s: %s", path,
				  strerror(errno));
	if (!S_ISREG(st.st_mode))
		return hc_err_set(err, HC_EINVAL, "private key %s: not a "
				  "regular file", path);
	if (st.st_mode & 077)
		return hc_err_set(err, HC_EPERM, "private key %s has mode "
				  "%04o: group or others can read it, so it "
				  "proves nothing; make it readable by its "
				  "owner only: chmod 600 %s", path,
				  (unsigned)(st.st_mode & 07777), path);
	return 0;
}

/* Accept during the handshake; the verifying side checks afterwards. */
static int
verify_later(X509_STORE_CTX *xc, void *arg)
{
	(void)xc;
	(void)arg;
	return 1;
}

static X509_STORE *
store_load(const char *ca, const char *crl, struct hc_err *err)
{
	X509_STORE *st = X509_STORE_new();
	STACK_OF(X509_INFO) *infos = NULL;
	BIO *b = NULL;
	int ncrl = 0;

	if (!X509_STORE_load_file(st, ca)) {
		ossl_err(err, "TrustedCA");
		hc_err_prefix(err, "%s: ", ca);
		goto fail;
	}
	if (!crl || !*crl)
		return st;
	if (!(b = BIO_new_file(crl, "r")) ||
	    !(infos = PEM_X509_INFO_read_bio(b, NULL, NULL, NULL))) {
		ossl_err(err, "CRLFile");
		hc_err_prefix(err, "%s: ", crl);
		goto fail;
	}
	for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);
		if (xi->crl) {
			X509_STORE_add_crl(st, xi->crl);
			ncrl++;
		}
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(b);
	if (!ncrl) {
		hc_err_set(err, HC_EINVAL, "%s: CRLFile holds no CRL (make one "
			   "with hc-ca init, or unset CRLFile)", crl);
		X509_STORE_free(st);
		return NULL;
	}
	X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	return st;
fail:
	BIO_free(b);
	X509_STORE_free(st);
	return NULL;
}

int
tls_ctx_reload(SSL_CTX *ctx, const char *ca, const char *crl,
	       struct hc_err *err)
{
	X509_STORE *st = store_load(ca, crl, err);

	if (!st)
		return -1;
	SSL_CTX_set_cert_store(ctx, st);	/* frees the old one */
	return 0;
}

SSL_CTX *
tls_ctx_create(enum tls_role role, const char *ca, const char *crl,
	       const char *cert, const char *key, struct hc_err *err)
{
	SSL_CTX *ctx;

	if (!ca || !*ca)
		return hc_err_set(err, HC_EINVAL, "TrustedCA is not set; give "
				  "the CA certificate (hc-ca init), see "
				  "hc.conf(5)"), NULL;
	if (!cert || !key)
		return hc_err_set(err, HC_EINVAL, "no certificate or key "
				  "given"), NULL;
	if (tls_key_file_check(key, err) < 0)
		return NULL;
	ctx = SSL_CTX_new(role == TLS_ROLE_CONTROLLER ? TLS_server_method() :
			  TLS_client_method());
	if (!ctx)
		return ossl_err(err, "SSL_CTX_new"), NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		ossl_err(err, cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ossl_err(err, key);
		hc_err_prefix(err, "%s does not go with %s: ", key, cert);
		goto fail;
	}
	if (tls_ctx_reload(ctx, ca, crl, err) < 0)
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, verify_later, NULL);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static time_t
asn1_epoch(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

time_t
tls_cert_not_after(const X509 *cert)
{
	return asn1_epoch(X509_get0_notAfter(cert));
}

void
tls_cert_name(X509 *cert, char *buf, size_t len)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name,
					       NULL, NULL);

	buf[0] = '\0';
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *s;
		int n;

		if (g->type != GEN_DNS)
			continue;
		s = ASN1_STRING_get0_data(g->d.dNSName);
		n = ASN1_STRING_length(g->d.dNSName);
		if (n > 0 && (size_t)n < len && !memchr(s, '\0', (size_t)n)) {
			memcpy(buf, s, (size_t)n);
			buf[n] = '\0';
			break;
		}
	}
	GENERAL_NAMES_free(gens);
	if (!buf[0] && X509_NAME_get_text_by_NID(X509_get_subject_name(cert),
						 NID_commonName, buf,
						 (int)len) < 0)
		buf[0] = '\0';
}

static enum tls_reason
reason_of(int e)
{
	switch (e) {
	case X509_V_OK:
		return TLS_OK;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		return TLS_UNKNOWN_CA;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return TLS_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TLS_NOT_YET_VALID;
	case X509_V_ERR_CERT_REVOKED:
		return TLS_REVOKED;
	case X509_V_ERR_INVALID_PURPOSE:
		return TLS_WRONG_PURPOSE;
	case X509_V_ERR_CRL_HAS_EXPIRED:
		return TLS_CRL_EXPIRED;
	default:
		return TLS_BAD_CERT;
	}
}

static void
reason_text(struct tls_peer *p, int e, X509 *cert)
{
	char when[64] = "", issuer[256] = "";
	struct tm tm;

	gmtime_r(&p->not_after, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	X509_NAME_oneline(X509_get_issuer_name(cert), issuer, sizeof(issuer));
	switch (p->reason) {
	case TLS_UNKNOWN_CA:
		snprintf(p->text, sizeof(p->text), "certificate of '%s' was "
			 "not issued by TrustedCA (issuer %s)", p->name,
			 issuer);
		break;
	case TLS_EXPIRED:
		snprintf(p->text, sizeof(p->text), "certificate of '%s' "
			 "expired at %s; issue a new one (hc-ca issue)",
			 p->name, when);
		break;
	case TLS_REVOKED:
		snprintf(p->text, sizeof(p->text), "certificate of '%s' is "
			 "revoked (CRLFile)", p->name);
		break;
	case TLS_WRONG_PURPOSE:
		snprintf(p->text, sizeof(p->text), "certificate of '%s' is "
			 "not for this role (nodes' are issued without "
			 "--controller, the controller's with it)", p->name);
		break;
	case TLS_CRL_EXPIRED:
		snprintf(p->text, sizeof(p->text), "CRLFile has passed its "
			 "nextUpdate; re-sign it (hc-ca crl) and run hcctl "
			 "reconfigure");
		break;
	default:
		snprintf(p->text, sizeof(p->text), "certificate of '%s': %s",
			 p->name, X509_verify_cert_error_string(e));
	}
}

int
tls_cert_verify(X509_STORE *store, X509 *cert, STACK_OF(X509) *chain,
		enum tls_role peer_role, const char *expect_name,
		struct tls_peer *p)
{
	X509_STORE_CTX *xc;
	int e;

	memset(p, 0, sizeof(*p));
	if (!cert) {
		p->reason = TLS_NO_CERT;
		snprintf(p->text, sizeof(p->text), "the peer presented no "
			 "certificate");
		return -1;
	}
	tls_cert_name(cert, p->name, sizeof(p->name));
	p->not_after = tls_cert_not_after(cert);
	if (!(xc = X509_STORE_CTX_new()) ||
	    !X509_STORE_CTX_init(xc, store, cert, chain)) {
		X509_STORE_CTX_free(xc);
		p->reason = TLS_BAD_CERT;
		snprintf(p->text, sizeof(p->text), "cannot verify: out of "
			 "memory");
		return -1;
	}
	X509_STORE_CTX_set_purpose(xc, peer_role == TLS_ROLE_NODE ?
				   X509_PURPOSE_SSL_CLIENT :
				   X509_PURPOSE_SSL_SERVER);
	e = X509_verify_cert(xc) == 1 ? X509_V_OK :
	    X509_STORE_CTX_get_error(xc);
	X509_STORE_CTX_free(xc);
	ERR_clear_error();
	if ((p->reason = reason_of(e)) != TLS_OK) {
		reason_text(p, e, cert);
		return -1;
	}
	if (expect_name && X509_check_host(cert, expect_name, 0,
					   X509_CHECK_FLAG_NO_WILDCARDS,
					   NULL) != 1) {
		p->reason = TLS_NAME_MISMATCH;
		snprintf(p->text, sizeof(p->text), "certificate names '%s', "
			 "expected '%s'", p->name, expect_name);
		return -1;
	}
	return 0;
}

int
tls_peer_verify(SSL *ssl, const char *expect_name, struct tls_peer *p)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);

	return tls_cert_verify(SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)),
			       cert, SSL_get_peer_cert_chain(ssl),
			       SSL_is_server(ssl) ? TLS_ROLE_NODE :
			       TLS_ROLE_CONTROLLER, expect_name, p);
}

int
tls_export_binding(SSL *ssl, uint8_t out[TLS_BINDING_LEN])
{
	if (SSL_export_keying_material(ssl, out, TLS_BINDING_LEN,
				       TLS_BINDING_LABEL,
				       strlen(TLS_BINDING_LABEL), NULL, 0,
				       0) != 1) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

time_t
tls_crl_next_update(const char *path, struct hc_err *err)
{
	BIO *b = BIO_new_file(path, "r");
	X509_CRL *crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
	time_t t;

	BIO_free(b);
	if (!crl)
		return ossl_err(err, path), (time_t)-1;
	t = asn1_epoch(X509_CRL_get0_nextUpdate(crl));
	X509_CRL_free(crl);
	return t;
}
