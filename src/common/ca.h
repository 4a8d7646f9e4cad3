/*
 * ca: the cluster's certificate authority, kept in a directory (hc-ca).
 *
 *   ca.key       the CA's private key (0600)
 *   ca.crt       its self-signed certificate; subject CN=hc-ca,
 *                OU=cluster-<32 hex>: the cluster id travels with it
 *   crl.pem      the revocation list, re-signed at every change
 *   issued.json  [{serial, name, not_after, fingerprint, revoked,
 *                 revoked_at, controller}], the CA's own record
 *
 * Certificates name a node (or the controller): subject CN=NAME, SAN
 * DNS:NAME, a random 128-bit serial, extendedKeyUsage clientAuth (nodes) or
 * serverAuth (the controller). Keys are Ed25519 (default) or P-256.
 */
#ifndef HC_CA_H
#define HC_CA_H

#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "hc_err.h"

#define CA_CLUSTER_ID_LEN 32		/* hex digits */
#define CA_CRL_DAYS 30			/* nextUpdate of every CRL signed */

enum ca_key_type { CA_KEY_ED25519, CA_KEY_P256 };

struct ca;

/* Parse "ed25519" | "p256". 0/-1. */
int ca_key_type_parse(const char *s, enum ca_key_type *out,
		      struct hc_err *err);

/* Create a new CA in dir (created 0700 if missing; refused if it holds a
 * CA already). */
int ca_init(const char *dir, enum ca_key_type kt, struct hc_err *err);

/* Open the CA in dir. Returns a new struct ca (ca_close) or NULL. */
struct ca *ca_open(const char *dir, struct hc_err *err);
void ca_close(struct ca *ca);			/* NULL ok */

/* The cluster id (32 hex). Borrowed from ca. */
const char *ca_cluster_id(const struct ca *ca);

/* The cluster id in the CA certificate file crt (TrustedCA) without the
 * CA's key: 0 with out filled, 1 when its subject has no OU=cluster-<id>
 * (out ""), -1 with err when it cannot be read. */
int ca_cert_cluster_id(const char *crt, char out[CA_CLUSTER_ID_LEN + 1],
		       struct hc_err *err);

struct ca_issue_opts {
	const char *name;	/* CN and SAN */
	long days;		/* validity from now, when not_after == 0 */
	time_t not_after;	/* explicit end (may be in the past) */
	bool controller;	/* serverAuth instead of clientAuth */
	enum ca_key_type kt;
	const char *out_dir;	/* where NAME.key (0600) and NAME.crt go */
};

/* Issue a key and certificate; record it in issued.json. */
int ca_issue(struct ca *ca, const struct ca_issue_opts *o,
	     struct hc_err *err);

/* Revoke every unrevoked certificate issued to name and re-sign the CRL.
 * Returns the number revoked (>= 1) or -1 (HC_ENOENT: none). */
int ca_revoke(struct ca *ca, const char *name, struct hc_err *err);

/* Re-sign the CRL (fresh nextUpdate) without changing it. */
int ca_crl_refresh(struct ca *ca, struct hc_err *err);

/* The issued records (borrowed; valid until the next ca_* call). */
const json_t *ca_issued(const struct ca *ca);

#endif
