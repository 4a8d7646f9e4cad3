/*
 * invsig: the signed inventory a node agent sends when it registers.
 *
 * The inventory (msg.h INVENTORY) is encoded canonically -- the bytes of
 * json_dumps(inv, JSON_COMPACT | JSON_SORT_KEYS), so both ends and any later
 * re-verification agree on them -- and the node signs
 *
 *	digest = SHA-256("hc-inventory-v1" || binding || blob)
 *
 * with its node key, where binding is 32 bytes of keying material of the
 * TLS session the registration travels on (tls_export_binding()), so a
 * captured inventory and signature cannot be replayed on another
 * connection. Ed25519 keys sign the 32-byte digest as their message; EC keys
 * sign it as a SHA-256 prehash (ECDSA). Blob and signature travel base64 as
 * NODE_REGISTER's "inventory_blob" and "inventory_sig".
 */
#ifndef HC_INVSIG_H
#define HC_INVSIG_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "hc_err.h"

#define INVSIG_CONTEXT "hc-inventory-v1"
#define INVSIG_BINDING_LEN 32
#define INVSIG_DIGEST_LEN 32
#define INVSIG_SIG_MAX 256

/* The canonical bytes of inv: malloc'ed, NUL-terminated, *len = strlen. */
char *invsig_canonical(const json_t *inv, size_t *len);

/* The digest a node signs (see above). */
void invsig_digest(const uint8_t binding[INVSIG_BINDING_LEN],
		   const void *blob, size_t len,
		   uint8_t out[INVSIG_DIGEST_LEN]);

/* Sign blob bound to binding with key (private). Writes at most
 * INVSIG_SIG_MAX bytes into sig and their count into *siglen. */
int invsig_sign(EVP_PKEY *key, const uint8_t binding[INVSIG_BINDING_LEN],
		const void *blob, size_t len, uint8_t *sig, size_t *siglen,
		struct hc_err *err);

/* 0 when sig is key's signature of blob bound to binding; -1 with err
 * (HC_EAUTH) when it is not. key may be a public key. */
int invsig_verify(EVP_PKEY *key, const uint8_t binding[INVSIG_BINDING_LEN],
		  const void *blob, size_t len, const uint8_t *sig,
		  size_t siglen, struct hc_err *err);

/* b64_encode and b64_decode (b64.h), under the names the registration
 * code calls. */
char *invsig_b64_encode(const void *p, size_t len);
uint8_t *invsig_b64_decode(const char *s, size_t *lenp);

#endif
