/*
 * stepcred: step credentials. hcctld signs, with an Ed25519 key kept in its
 * StateDir (created on first start, 0600), a statement that a job's step may
 * use a list of nodes until an expiry; a node agent accepts a stream from a
 * command only if it presents such a credential that verifies with the
 * controller's public key (received when the node registers), has not
 * expired, names this node, and names a job the agent is running. Not munge:
 * munge's replay check would refuse the second agent on the same host.
 *
 * Encoded form (what travels, base64 of): a JSON object
 *	{"v":1,"job_id":N,"step_id":N,"uid":N,"gid":N,"nodes":"n[1-4]",
 *	 "expires":EPOCH,"nonce":"hex","tasks_max":N}
 * followed by a NUL byte and the 64-byte Ed25519 signature over the JSON.
 */
#ifndef HC_STEPCRED_H
#define HC_STEPCRED_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "hc_err.h"

struct stepcred {
	uint32_t job_id;
	uint32_t step_id;
	uid_t uid;
	gid_t gid;
	char nodes[1024];	/* hostlist expression */
	time_t expires;
	uint32_t tasks_max;	/* at most this many tasks on any one of its
				   nodes ("tasks_max", left out when 0: no
				   bound, a credential of an older
				   controller) */
};

struct stepcred_key;	/* an Ed25519 key pair or public key */

/* Load the private key from path, or create it (mode 0600) if absent.
 * Refuses a key file that group or others can read. */
struct stepcred_key *stepcred_key_load_or_create(const char *path,
						 struct hc_err *err);
/* Public key as base64 (raw 32 bytes); malloc'ed, caller frees. */
char *stepcred_key_public_b64(const struct stepcred_key *key);
/* A verifying key from the base64 public key. */
struct stepcred_key *stepcred_key_from_public_b64(const char *b64,
						  struct hc_err *err);
void stepcred_key_destroy(struct stepcred_key *key);	/* NULL ok */

/* Sign: returns a malloc'ed base64 credential or NULL (err). */
char *stepcred_sign(const struct stepcred_key *key, const struct stepcred *sc,
		    struct hc_err *err);

/* Verify b64 with key; check expiry against now and that node_name is in
 * the credential's node list. Fills *out. Returns 0 or -1 with err
 * (HC_EAUTH: "bad signature", "expired", "not issued for node X"). */
int stepcred_verify(const struct stepcred_key *key, const char *b64,
		    const char *node_name, time_t now, struct stepcred *out,
		    struct hc_err *err);

/* Generic signatures over bytes (audit checkpoints): the base64 Ed25519
 * signature of data[0..len) (malloc'ed), or NULL with err. */
char *stepcred_sign_bytes(const struct stepcred_key *key, const void *data,
			  size_t len, struct hc_err *err);
/* 0 when sig_b64 is key's signature of data[0..len), else -1 with err
 * (HC_EAUTH). A key loaded with its private half verifies too. */
int stepcred_verify_bytes(const struct stepcred_key *key, const void *data,
			  size_t len, const char *sig_b64, struct hc_err *err);

#endif
