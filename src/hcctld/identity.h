/*
 * identity: what the controller knows of each node's hardware identity --
 * its signed inventory, checked strictly, and the compute id derived from
 * it (identity.c, with the formula), and the identity records kept in
 * LMDB (identity_rec.c): id, previous ids, certificate fingerprint, first
 * and last seen, the last signed inventories, and an inventory change
 * waiting for `hcctl accept node NAME`.
 */
#ifndef IDENTITY_H
#define IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "hc_err.h"

#define IDENTITY_ID_LEN 40	/* "hc1-" + 32 hex + NUL, rounded up */
#define IDENTITY_HISTORY_MAX 8

struct ctld;
struct hc_conf;
struct node;
struct rpc_req;

/* --- identity.c: pure functions (no state, unit tested) --- */

/* Parse a signed inventory blob strictly: valid JSON, an object, every
 * field of msg.h's INVENTORY present with its type, non-negative counts,
 * and the blob in canonical form. Returns a new reference or NULL with
 * err (HC_EINVAL) naming what is wrong. */
json_t *identity_inventory_parse(const void *blob, size_t len,
				 struct hc_err *err);

/* One accelerator's identity: its UUID, else its serial, else
 * "pci:<busid>:<vendor:device>". */
void identity_accel_id(const json_t *gpu, char *out, size_t len);

/* The compute id of node `name` with inventory inv (parsed) in cluster
 * cluster_id, into out. */
void identity_compute_id(const char *cluster_id, const char *name,
			 const json_t *inv, char out[IDENTITY_ID_LEN]);

/* What differs between two inventories in the parts the compute id is
 * made of ("gpu 0000:30:00.0 gone, cpu cores 64 -> 32"), into out;
 * "" when nothing does. */
void identity_diff(const json_t *old_inv, const json_t *new_inv, char *out,
		   size_t len);

/* --- identity_cluster.c: the cluster id compute ids are made from --- */

#define IDENTITY_CLUSTER_LEN 33		/* 32 hex + NUL: ctld.cluster_id */

/* Set c->cluster_id for conf: TrustedCA's OU=cluster-<id> (hc-ca init),
 * else StateDir's (logged). -1 with err, c unchanged, when it differs from
 * the id in use (or recorded in StateDir) while identity records exist.
 * Writes the meta record; the caller commits. */
int identity_cluster_load(struct ctld *c, const struct hc_conf *conf,
			  struct hc_err *err);

/* --- identity_rec.c: the records and the registration policy --- */

/* What a registration proved (all borrowed for the call). */
struct identity_proof {
	const json_t *inv;		/* parsed, verified inventory */
	const char *blob_b64, *sig_b64;	/* as received */
	const uint8_t *binding;		/* 32 bytes */
	const char *cert_fp;		/* SHA-256 hex of the DER, or NULL */
	long long cert_not_after;	/* epoch, 0 when no certificate */
	bool verified;			/* the signature was checked */
};

/* Load n's identity record from LMDB into n (at start). */
void identity_restore(struct ctld *c, struct node *n);

/* A verified registration of n: create its record, or compare with it.
 * Same id: refresh last seen. Different id: drain n "inventory changed:
 * ..." and keep the new inventory pending until identity_accept(). */
void identity_on_register(struct ctld *c, struct node *n,
			  const struct identity_proof *p);

/* `hcctl accept node NAME`: adopt the pending inventory and id, link old
 * -> new, lift the drain. -1 with err when nothing is pending. */
int identity_accept(struct ctld *c, struct node *n, uid_t uid,
		    struct hc_err *err);

/* The node's current compute id ("" when not known yet). Borrowed. */
const char *identity_node_id(const struct node *n);

/* Fields for the NODE record: compute_id, previous_ids, cert_not_after,
 * accelerators ([UUID or bus id]), identity_pending. */
void identity_node_json(const struct node *n, json_t *o);

#endif
