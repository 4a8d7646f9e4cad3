/*
 * stepcred: Ed25519 step credentials signed by hcctld and checked by node
 * agents (see stepcred.h for the encoded form). The signature covers the
 * JSON text exactly as it travels, so nothing is re-serialised before the
 * check; the JSON is parsed only after its signature has verified.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "b64.h"
#include "hostlist.h"
#include "log.h"
#include "stepcred.h"

#define SIG_LEN 64
#define PUB_LEN 32
/* Longest encoded credential accepted (JSON bounded by the nodes field). */
#define CRED_B64_MAX 4096

struct stepcred_key {
	EVP_PKEY *pkey;		/* owned */
	int priv;		/* holds the private half */
};

static struct stepcred_key *
key_wrap(EVP_PKEY *pkey, int priv)
{
	struct stepcred_key *k = hc_calloc(1, sizeof(*k));

	k->pkey = pkey;
	k->priv = priv;
	return k;
}

void
stepcred_key_destroy(struct stepcred_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

/* Create a new key at path (O_EXCL, 0600). Returns 0, -1 (err), or 1 when
 * the file appeared meanwhile (load it instead). */
static int
key_create(const char *path, EVP_PKEY **out, struct hc_err *err)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE *f;
	int fd, ok;

	if (!pkey)
		return hc_err_set(err, HC_EINTERNAL, "cannot generate an "
				  "Ed25519 key (OpenSSL)");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		EVP_PKEY_free(pkey);
		if (errno == EEXIST)
			return 1;
		return hc_err_set(err, HC_EIO, "step key %s: cannot create: "
				  "%s; check StateDir", path,
				  strerror(errno));
	}
	f = fdopen(fd, "w");
	ok = f && PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL);
	if (f ? fclose(f) != 0 : close(fd) != 0)
		ok = 0;
	if (!ok) {
		EVP_PKEY_free(pkey);
		unlink(path);
		return hc_err_set(err, HC_EIO, "step key %s: cannot write",
				  path);
	}
	*out = pkey;
	return 0;
}

/* Load a PEM private key; refuse one that group or others can read. */
static EVP_PKEY *
key_read(const char *path, struct hc_err *err)
{
	EVP_PKEY *pkey = NULL;
	struct stat st;
	FILE *f;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		hc_err_set(err, HC_EIO, "step key %s: %s", path,
			   strerror(errno));
		return NULL;
	}
	/* Security: a signing key others can read lets them forge step
	 * credentials for any job; refuse it rather than use it. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077)) {
		hc_err_set(err, HC_EPERM, "step key %s: mode %04o lets group "
			   "or others read it (or not a regular file); run "
			   "'chmod 600 %s', or remove it to make a new key",
			   path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (f) {
		pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	} else {
		close(fd);
	}
	if (!pkey || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		hc_err_set(err, HC_EINVAL, "step key %s: not an Ed25519 PEM "
			   "private key; remove it to make a new key", path);
		return NULL;
	}
	return pkey;
}

struct stepcred_key *
stepcred_key_load_or_create(const char *path, struct hc_err *err)
{
	EVP_PKEY *pkey = NULL;
	int rc;

	if (access(path, F_OK) != 0) {
		rc = key_create(path, &pkey, err);
		if (rc < 0)
			return NULL;
		if (rc == 0)
			return key_wrap(pkey, 1);
	}
	pkey = key_read(path, err);
	return pkey ? key_wrap(pkey, 1) : NULL;
}

char *
stepcred_key_public_b64(const struct stepcred_key *key)
{
	unsigned char raw[PUB_LEN];
	size_t len = sizeof(raw);

	if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &len) != 1 ||
	    len != PUB_LEN)
		hc_fatal("stepcred: cannot export the Ed25519 public key");
	return b64_encode(raw, len);
}

struct stepcred_key *
stepcred_key_from_public_b64(const char *b64, struct hc_err *err)
{
	size_t len = 0;
	unsigned char *raw = b64 ? b64_decode(b64, &len) : NULL;
	EVP_PKEY *pkey = NULL;

	if (raw && len == PUB_LEN)
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
						   raw, len);
	free(raw);
	if (!pkey) {
		hc_err_set(err, HC_EINVAL, "step public key: not a base64 "
			   "Ed25519 public key (32 bytes)");
		return NULL;
	}
	return key_wrap(pkey, 0);
}

/* The JSON statement for sc, with a fresh nonce; malloc'ed. */
static char *
statement_new(const struct stepcred *sc)
{
	unsigned char nonce[16];
	char hex[33];
	json_t *o;
	char *s;

	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		hc_fatal("stepcred: RAND_bytes failed");
	for (size_t i = 0; i < sizeof(nonce); i++)
		snprintf(hex + 2 * i, 3, "%02x", nonce[i]);
	o = json_pack("{s:i, s:I, s:I, s:I, s:I, s:s, s:I, s:s}",
		      "v", 1, "job_id", (json_int_t)sc->job_id,
		      "step_id", (json_int_t)sc->step_id,
		      "uid", (json_int_t)sc->uid, "gid", (json_int_t)sc->gid,
		      "nodes", sc->nodes, "expires", (json_int_t)sc->expires,
		      "nonce", hex);
	if (!o)
		return NULL;
	if (sc->tasks_max > 0)
		json_object_set_new(o, "tasks_max",
				    json_integer((json_int_t)sc->tasks_max));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

char *
stepcred_sign(const struct stepcred_key *key, const struct stepcred *sc,
	      struct hc_err *err)
{
	EVP_MD_CTX *md;
	unsigned char *blob;
	size_t jlen, slen = SIG_LEN;
	char *json, *out;
	int ok;

	if (!key->priv) {
		hc_err_set(err, HC_EINTERNAL, "stepcred: signing needs the "
			   "private key");
		return NULL;
	}
	if (memchr(sc->nodes, '\0', sizeof(sc->nodes)) == NULL) {
		hc_err_set(err, HC_EINVAL, "stepcred: node list too long");
		return NULL;
	}
	json = statement_new(sc);
	if (!json) {
		hc_err_set(err, HC_EINVAL, "stepcred: node list is not UTF-8");
		return NULL;
	}
	jlen = strlen(json);
	blob = hc_malloc(jlen + 1 + SIG_LEN);
	memcpy(blob, json, jlen + 1);
	free(json);
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, key->pkey) == 1 &&
	     EVP_DigestSign(md, blob + jlen + 1, &slen, blob, jlen) == 1 &&
	     slen == SIG_LEN;
	EVP_MD_CTX_free(md);
	out = ok ? b64_encode(blob, jlen + 1 + SIG_LEN) : NULL;
	free(blob);
	if (!out)
		hc_err_set(err, HC_EINTERNAL, "stepcred: Ed25519 signing "
			   "failed (OpenSSL)");
	return out;
}

/* Check the signature over blob[0..jlen) with the trailing SIG_LEN bytes. */
static int
sig_ok(const struct stepcred_key *key, const unsigned char *blob,
       size_t jlen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md &&
		 EVP_DigestVerifyInit(md, NULL, NULL, NULL, key->pkey) == 1 &&
		 EVP_DigestVerify(md, blob + jlen + 1, SIG_LEN, blob, jlen) ==
			 1;

	EVP_MD_CTX_free(md);
	return ok;
}

/* Fill out from the verified statement; -1 if a field is missing. */
static int
statement_read(const char *json, struct stepcred *out, struct hc_err *err)
{
	json_int_t v = 0, job = 0, step = 0, uid = 0, gid = 0, exp = 0;
	const char *nodes = NULL;
	json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, NULL), *max;
	int rc = 0;

	if (!o || json_unpack(o, "{s:I, s:I, s:I, s:I, s:I, s:s, s:I}",
			      "v", &v, "job_id", &job, "step_id", &step,
			      "uid", &uid, "gid", &gid, "nodes", &nodes,
			      "expires", &exp) != 0 || v != 1 ||
	    strlen(nodes) >= sizeof(out->nodes)) {
		rc = hc_err_set(err, HC_EAUTH, "step credential: bad or "
				"unsupported statement");
	} else {
		memset(out, 0, sizeof(*out));
		out->job_id = (uint32_t)job;
		out->step_id = (uint32_t)step;
		out->uid = (uid_t)uid;
		out->gid = (gid_t)gid;
		out->expires = (time_t)exp;
		snprintf(out->nodes, sizeof(out->nodes), "%s", nodes);
		max = json_object_get(o, "tasks_max");
		if (json_is_integer(max) && json_integer_value(max) > 0 &&
		    json_integer_value(max) <= UINT32_MAX)
			out->tasks_max = (uint32_t)json_integer_value(max);
	}
	json_decref(o);
	return rc;
}

int
stepcred_verify(const struct stepcred_key *key, const char *b64,
		const char *node_name, time_t now, struct stepcred *out,
		struct hc_err *err)
{
	struct stepcred sc;
	struct hostlist *hl;
	unsigned char *blob = NULL;
	size_t len = 0, jlen;
	long found;

	if (b64 && strlen(b64) <= CRED_B64_MAX)
		blob = b64_decode(b64, &len);
	if (!blob || len < 2 + SIG_LEN || blob[len - SIG_LEN - 1] != '\0') {
		free(blob);
		return hc_err_set(err, HC_EAUTH, "step credential: malformed");
	}
	jlen = len - SIG_LEN - 1;
	/* Security: nothing in the statement is read before the signature
	 * over its exact bytes verifies with the controller's key. */
	if (memchr(blob, '\0', jlen) || !sig_ok(key, blob, jlen)) {
		free(blob);
		return hc_err_set(err, HC_EAUTH, "step credential: bad "
				  "signature");
	}
	if (statement_read((const char *)blob, &sc, err) < 0) {
		free(blob);
		return -1;
	}
	free(blob);
	if (sc.expires <= now)
		return hc_err_set(err, HC_EAUTH, "step credential for job %u "
				  "expired %lld s ago", sc.job_id,
				  (long long)(now - sc.expires));
	hl = hostlist_parse(sc.nodes, NULL);
	found = hl && node_name ? hostlist_find(hl, node_name) : -1;
	hostlist_destroy(hl);
	/* Security: a credential names the nodes it may be used on; another
	 * node must not accept it, even for a job it runs. */
	if (found < 0)
		return hc_err_set(err, HC_EAUTH, "step credential for job %u "
				  "not issued for node %s", sc.job_id,
				  node_name ? node_name : "(none)");
	if (out)
		*out = sc;
	return 0;
}

char *
stepcred_sign_bytes(const struct stepcred_key *key, const void *data,
		    size_t len, struct hc_err *err)
{
	unsigned char sig[SIG_LEN];
	size_t slen = SIG_LEN;
	EVP_MD_CTX *md;
	int ok;

	if (!key || !key->priv) {
		hc_err_set(err, HC_EINTERNAL, "signing needs the private key");
		return NULL;
	}
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, key->pkey) == 1 &&
	     EVP_DigestSign(md, sig, &slen, data, len) == 1 &&
	     slen == SIG_LEN;
	EVP_MD_CTX_free(md);
	if (!ok) {
		hc_err_set(err, HC_EINTERNAL, "Ed25519 signing failed "
			   "(OpenSSL)");
		return NULL;
	}
	return b64_encode(sig, SIG_LEN);
}

int
stepcred_verify_bytes(const struct stepcred_key *key, const void *data,
		      size_t len, const char *sig_b64, struct hc_err *err)
{
	size_t slen = 0;
	unsigned char *sig = sig_b64 && strlen(sig_b64) < 128 ?
			     b64_decode(sig_b64, &slen) : NULL;
	EVP_MD_CTX *md;
	int ok;

	if (!sig || slen != SIG_LEN) {
		free(sig);
		return hc_err_set(err, HC_EAUTH, "signature: not a base64 "
				  "Ed25519 signature");
	}
	md = EVP_MD_CTX_new();
	ok = key && md &&
	     EVP_DigestVerifyInit(md, NULL, NULL, NULL, key->pkey) == 1 &&
	     EVP_DigestVerify(md, sig, SIG_LEN, data, len) == 1;
	EVP_MD_CTX_free(md);
	free(sig);
	return ok ? 0 : hc_err_set(err, HC_EAUTH, "bad signature");
}
