/*
 * invsig: canonical encoding, signing and verification of a node's
 * inventory (see invsig.h for the construction).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64.h"
#include "invsig.h"
#include "log.h"

char *
invsig_canonical(const json_t *inv, size_t *len)
{
	char *s = json_dumps(inv, JSON_COMPACT | JSON_SORT_KEYS);

	if (!s)
		hc_fatal("out of memory encoding the inventory");
	*len = strlen(s);
	return s;
}

void
invsig_digest(const uint8_t binding[INVSIG_BINDING_LEN], const void *blob,
	      size_t len, uint8_t out[INVSIG_DIGEST_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(md, INVSIG_CONTEXT, strlen(INVSIG_CONTEXT)) ||
	    !EVP_DigestUpdate(md, binding, INVSIG_BINDING_LEN) ||
	    !EVP_DigestUpdate(md, blob, len) ||
	    !EVP_DigestFinal_ex(md, out, &n) || n != INVSIG_DIGEST_LEN)
		hc_fatal("SHA-256 failed (OpenSSL)");
	EVP_MD_CTX_free(md);
}

/* Ed25519/Ed448 sign the digest as a message; others as a prehash. */
static int
key_is_eddsa(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_id(key);

	return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

int
invsig_sign(EVP_PKEY *key, const uint8_t binding[INVSIG_BINDING_LEN],
	    const void *blob, size_t len, uint8_t *sig, size_t *siglen,
	    struct hc_err *err)
{
	uint8_t dg[INVSIG_DIGEST_LEN];
	size_t n = INVSIG_SIG_MAX;
	int ok = 0;

	invsig_digest(binding, blob, len, dg);
	if (key_is_eddsa(key)) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
		     EVP_DigestSign(md, sig, &n, dg, sizeof(dg)) == 1;
		EVP_MD_CTX_free(md);
	} else {
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(key, NULL);
		ok = pc && EVP_PKEY_sign_init(pc) == 1 &&
		     EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) == 1 &&
		     EVP_PKEY_sign(pc, NULL, &n, dg, sizeof(dg)) == 1 &&
		     n <= INVSIG_SIG_MAX &&
		     EVP_PKEY_sign(pc, sig, &n, dg, sizeof(dg)) == 1;
		EVP_PKEY_CTX_free(pc);
	}
	if (!ok)
		return hc_err_set(err, HC_EINTERNAL, "cannot sign the "
				  "inventory with the node key (OpenSSL)");
	*siglen = n;
	return 0;
}

int
invsig_verify(EVP_PKEY *key, const uint8_t binding[INVSIG_BINDING_LEN],
	      const void *blob, size_t len, const uint8_t *sig, size_t siglen,
	      struct hc_err *err)
{
	uint8_t dg[INVSIG_DIGEST_LEN];
	int ok = 0;

	invsig_digest(binding, blob, len, dg);
	if (key_is_eddsa(key)) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		ok = md &&
		     EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 &&
		     EVP_DigestVerify(md, sig, siglen, dg, sizeof(dg)) == 1;
		EVP_MD_CTX_free(md);
	} else {
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(key, NULL);
		ok = pc && EVP_PKEY_verify_init(pc) == 1 &&
		     EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) == 1 &&
		     EVP_PKEY_verify(pc, sig, siglen, dg, sizeof(dg)) == 1;
		EVP_PKEY_CTX_free(pc);
	}
	if (!ok)
		return hc_err_set(err, HC_EAUTH, "inventory signature does "
				  "not verify with the certificate's key");
	return 0;
}

char *
invsig_b64_encode(const void *p, size_t len)
{
	return b64_encode(p, len);
}

uint8_t *
invsig_b64_decode(const char *s, size_t *lenp)
{
	return b64_decode(s, lenp);
}
