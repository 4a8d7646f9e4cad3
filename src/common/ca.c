/*
 * ca: the cluster's certificate authority (see ca.h for the directory).
 *
 * Every file is written whole to a temporary name and renamed into place,
 * so a crash leaves the old file or the new one, never half of one. Private
 * keys are created 0600 before a byte of them is written.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "ossl.h"
#include "log.h"

#define CA_DAYS 7300			/* the CA certificate: 20 years */
#define CA_NAME_MAX 63

struct ca {
	char *dir;
	EVP_PKEY *key;
	X509 *cert;
	json_t *issued;			/* array of records */
	char cluster_id[CA_CLUSTER_ID_LEN + 1];
};

int
ca_key_type_parse(const char *s, enum ca_key_type *out, struct hc_err *err)
{
	if (!strcmp(s, "ed25519"))
		*out = CA_KEY_ED25519;
	else if (!strcmp(s, "p256"))
		*out = CA_KEY_P256;
	else
		return hc_err_set(err, HC_EINVAL, "key type '%s': give "
				  "ed25519 or p256", s);
	return 0;
}

static EVP_PKEY *
key_new(enum ca_key_type kt, struct hc_err *err)
{
	EVP_PKEY *k = kt == CA_KEY_P256 ?
		      EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256") :
		      EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	if (!k)
		ossl_err(err, "cannot make a key");
	return k;
}

/* Ed25519 signs without a separate digest. */
static const EVP_MD *
sign_md(EVP_PKEY *k)
{
	return EVP_PKEY_get_id(k) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
}

/* Write path via path.tmp, created with mode; fn writes the content. */
static int
file_write(const char *path, mode_t mode, int (*fn)(FILE *, void *),
	   void *arg, struct hc_err *err)
{
	char *tmp = hc_asprintf("%s.tmp", path);
	int fd, ok;
	FILE *f;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 || fchmod(fd, mode) < 0 || !(f = fdopen(fd, "w"))) {
		hc_err_set(err, HC_EIO, "cannot write %s: %s", tmp,
			   strerror(errno));
		if (fd >= 0)
			close(fd);
		free(tmp);
		return -1;
	}
	ok = fn(f, arg) == 1;
	ok = (fflush(f) == 0 && fsync(fd) == 0) && ok;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) < 0) {
		hc_err_set(err, HC_EIO, "cannot write %s: %s", path,
			   ok ? strerror(errno) : "write failed");
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static int
w_key(FILE *f, void *k)
{
	return PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
}

static int
w_cert(FILE *f, void *x)
{
	return PEM_write_X509(f, x);
}

static int
w_crl(FILE *f, void *c)
{
	return PEM_write_X509_CRL(f, c);
}

static int
w_json(FILE *f, void *j)
{
	return json_dumpf(j, f, JSON_INDENT(1) | JSON_SORT_KEYS) == 0 &&
	       fputc('\n', f) != EOF;
}

static int
ext_add(X509 *x, X509 *issuer, int nid, const char *value,
	struct hc_err *err)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	if (!(e = X509V3_EXT_conf_nid(NULL, &v3, nid, value)))
		return ossl_err(err, "certificate extension");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return 0;
}

static void
hex_encode(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/* A new certificate: random serial, validity, subject, public key. */
static X509 *
cert_new(EVP_PKEY *pub, time_t nb, time_t na, const char *ou,
	 const char *cn, char serial_hex[33], struct hc_err *err)
{
	X509 *x = X509_new();
	unsigned char sb[16];
	BIGNUM *bn;
	X509_NAME *n;

	if (!x || RAND_bytes(sb, sizeof(sb)) != 1) {
		X509_free(x);
		ossl_err(err, "certificate");
		return NULL;
	}
	sb[0] &= 0x7f;		/* positive */
	sb[0] |= 0x01;		/* and 16 bytes long */
	hex_encode(sb, sizeof(sb), serial_hex);
	bn = BN_bin2bn(sb, sizeof(sb), NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	X509_set_version(x, 2);
	ASN1_TIME_set(X509_getm_notBefore(x), nb);
	ASN1_TIME_set(X509_getm_notAfter(x), na);
	X509_set_pubkey(x, pub);
	n = X509_get_subject_name(x);
	if (ou)
		X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC,
					   (const unsigned char *)ou, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	return x;
}

static char *
ca_path(const char *dir, const char *file)
{
	return hc_asprintf("%s/%s", dir, file);
}

/* Build, sign and write crl.pem from the revoked records. */
static int
crl_write(const char *dir, EVP_PKEY *key, X509 *cert, const json_t *issued,
	  struct hc_err *err)
{
	X509_CRL *crl = X509_CRL_new();
	time_t now = time(NULL);
	ASN1_TIME *t = ASN1_TIME_set(NULL, now);
	ASN1_TIME *nu = ASN1_TIME_set(NULL, now + CA_CRL_DAYS * 86400L);
	char *path = ca_path(dir, "crl.pem");
	size_t i;
	json_t *rec;
	int rc = -1;

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(cert));
	X509_CRL_set1_lastUpdate(crl, t);
	X509_CRL_set1_nextUpdate(crl, nu);
	json_array_foreach(issued, i, rec) {
		X509_REVOKED *r;
		BIGNUM *bn = NULL;
		ASN1_INTEGER *ai;
		ASN1_TIME *rt;

		if (!json_is_true(json_object_get(rec, "revoked")))
			continue;
		BN_hex2bn(&bn, json_string_value(json_object_get(rec,
								 "serial")));
		ai = BN_to_ASN1_INTEGER(bn, NULL);
		rt = ASN1_TIME_set(NULL, (time_t)json_integer_value(
					   json_object_get(rec, "revoked_at")));
		r = X509_REVOKED_new();
		X509_REVOKED_set_serialNumber(r, ai);
		X509_REVOKED_set_revocationDate(r, rt);
		X509_CRL_add0_revoked(crl, r);
		ASN1_INTEGER_free(ai);
		ASN1_TIME_free(rt);
		BN_free(bn);
	}
	X509_CRL_sort(crl);
	if (!X509_CRL_sign(crl, key, sign_md(key)))
		ossl_err(err, "cannot sign the CRL");
	else
		rc = file_write(path, 0644, w_crl, crl, err);
	ASN1_TIME_free(t);
	ASN1_TIME_free(nu);
	X509_CRL_free(crl);
	free(path);
	return rc;
}

int
ca_init(const char *dir, enum ca_key_type kt, struct hc_err *err)
{
	char *kp = ca_path(dir, "ca.key"), *cp = ca_path(dir, "ca.crt");
	char *ip = ca_path(dir, "issued.json");
	unsigned char id[16];
	char idhex[33], ou[48], serial[33];
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	json_t *issued = json_array();
	int rc = -1;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		hc_err_set(err, HC_EIO, "cannot create %s: %s", dir,
			   strerror(errno));
		goto out;
	}
	if (access(kp, F_OK) == 0 || access(cp, F_OK) == 0) {
		hc_err_set(err, HC_EEXIST, "%s already holds a CA (ca.key, "
			   "ca.crt); remove them first or choose another "
			   "directory", dir);
		goto out;
	}
	if (RAND_bytes(id, sizeof(id)) != 1) {
		ossl_err(err, "random cluster id");
		goto out;
	}
	hex_encode(id, sizeof(id), idhex);
	snprintf(ou, sizeof(ou), "cluster-%s", idhex);
	if (!(key = key_new(kt, err)))
		goto out;
	x = cert_new(key, time(NULL) - 300, time(NULL) + CA_DAYS * 86400L, ou,
		     "hc-ca", serial, err);
	if (!x)
		goto out;
	X509_set_issuer_name(x, X509_get_subject_name(x));
	if (ext_add(x, x, NID_basic_constraints, "critical,CA:TRUE", err) ||
	    ext_add(x, x, NID_key_usage, "critical,keyCertSign,cRLSign",
		    err) ||
	    ext_add(x, x, NID_subject_key_identifier, "hash", err))
		goto out;
	if (!X509_sign(x, key, sign_md(key))) {
		ossl_err(err, "cannot sign the CA certificate");
		goto out;
	}
	if (file_write(kp, 0600, w_key, key, err) < 0 ||
	    file_write(cp, 0644, w_cert, x, err) < 0 ||
	    file_write(ip, 0644, w_json, issued, err) < 0 ||
	    crl_write(dir, key, x, issued, err) < 0)
		goto out;
	rc = 0;
out:
	EVP_PKEY_free(key);
	X509_free(x);
	json_decref(issued);
	free(kp);
	free(cp);
	free(ip);
	return rc;
}

static int
cluster_id_read(X509 *x, char *out, size_t len)
{
	X509_NAME *n = X509_get_subject_name(x);
	int i = -1;

	while ((i = X509_NAME_get_index_by_NID(n, NID_organizationalUnitName,
					       i)) >= 0) {
		ASN1_STRING *s = X509_NAME_ENTRY_get_data(
			X509_NAME_get_entry(n, i));
		const char *v = (const char *)ASN1_STRING_get0_data(s);

		if (ASN1_STRING_length(s) == 8 + CA_CLUSTER_ID_LEN &&
		    !strncmp(v, "cluster-", 8)) {
			snprintf(out, len, "%.*s", CA_CLUSTER_ID_LEN, v + 8);
			return 0;
		}
	}
	return -1;
}

struct ca *
ca_open(const char *dir, struct hc_err *err)
{
	struct ca *ca = hc_calloc(1, sizeof(*ca));
	char *kp = ca_path(dir, "ca.key"), *cp = ca_path(dir, "ca.crt");
	char *ip = ca_path(dir, "issued.json");
	json_error_t je;
	FILE *f;

	ca->dir = hc_strdup(dir);
	if (!(f = fopen(cp, "r"))) {
		hc_err_set(err, HC_ENOENT, "no CA in %s (%s: %s); make one "
			   "with 'hc-ca init %s' or give --ca DIR", dir, cp,
			   strerror(errno), dir);
		goto fail;
	}
	ca->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!ca->cert || cluster_id_read(ca->cert, ca->cluster_id,
					 sizeof(ca->cluster_id)) < 0) {
		hc_err_set(err, HC_EINVAL, "%s: not a CA certificate made by "
			   "hc-ca init (no OU=cluster-<id>)", cp);
		goto fail;
	}
	if (!(f = fopen(kp, "r"))) {
		hc_err_set(err, errno == EACCES ? HC_EPERM : HC_ENOENT,
			   "cannot read the CA key %s: %s (run as its owner)",
			   kp, strerror(errno));
		goto fail;
	}
	ca->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!ca->key) {
		ossl_err(err, kp);
		goto fail;
	}
	ca->issued = json_load_file(ip, 0, &je);
	if (!json_is_array(ca->issued)) {
		hc_err_set(err, HC_EINVAL, "%s: %s", ip, ca->issued ?
			   "not a JSON array" : je.text);
		goto fail;
	}
	free(kp);
	free(cp);
	free(ip);
	return ca;
fail:
	free(kp);
	free(cp);
	free(ip);
	ca_close(ca);
	return NULL;
}

void
ca_close(struct ca *ca)
{
	if (!ca)
		return;
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	json_decref(ca->issued);
	free(ca->dir);
	free(ca);
}

const char *
ca_cluster_id(const struct ca *ca)
{
	return ca->cluster_id;
}

int
ca_cert_cluster_id(const char *crt, char out[CA_CLUSTER_ID_LEN + 1],
		   struct hc_err *err)
{
	FILE *f = fopen(crt, "r");
	X509 *x;
	int rc;

	if (!f)
		return hc_err_set(err, errno == ENOENT ? HC_ENOENT : HC_EIO,
				  "%s: %s", crt, strerror(errno));
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x) {
		ERR_clear_error();
		return hc_err_set(err, HC_EINVAL, "%s: not a PEM "
				  "certificate", crt);
	}
	rc = cluster_id_read(x, out, CA_CLUSTER_ID_LEN + 1) == 0 ? 0 : 1;
	X509_free(x);
	if (rc)
		out[0] = '\0';
	return rc;
}

const json_t *
ca_issued(const struct ca *ca)
{
	return ca->issued;
}

static int
issued_save(struct ca *ca, struct hc_err *err)
{
	char *ip = ca_path(ca->dir, "issued.json");
	int rc = file_write(ip, 0644, w_json, ca->issued, err);

	free(ip);
	return rc;
}

static int
name_check(const char *name, struct hc_err *err)
{
	size_t n = strlen(name);

	if (n == 0 || n > CA_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789.-_") != n || name[0] == '.' || name[0] == '-')
		return hc_err_set(err, HC_EINVAL, "name '%s': give a node name "
				  "(letters, digits, '.', '-', '_'; at most "
				  "%d)", name, CA_NAME_MAX);
	return 0;
}

static int
leaf_extensions(X509 *x, X509 *issuer, const struct ca_issue_opts *o,
		struct hc_err *err)
{
	char san[CA_NAME_MAX + 8];

	snprintf(san, sizeof(san), "DNS:%s", o->name);
	return ext_add(x, issuer, NID_basic_constraints, "critical,CA:FALSE",
		       err) ||
	       ext_add(x, issuer, NID_key_usage, "critical,digitalSignature",
		       err) ||
	       ext_add(x, issuer, NID_ext_key_usage, o->controller ?
		       "serverAuth" : "clientAuth", err) ||
	       ext_add(x, issuer, NID_subject_alt_name, san, err) ||
	       ext_add(x, issuer, NID_authority_key_identifier,
		       "keyid:always", err) ? -1 : 0;
}

int
ca_issue(struct ca *ca, const struct ca_issue_opts *o, struct hc_err *err)
{
	time_t now = time(NULL);
	time_t na = o->not_after ? o->not_after : now + o->days * 86400L;
	time_t nb = na <= now ? na - 86400 : now - 300;
	const char *out = o->out_dir ? o->out_dir : ".";
	char *kp = NULL, *cp = NULL, serial[33], fp[65];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int rc = -1;

	if (name_check(o->name, err) < 0)
		return -1;
	if (!o->not_after && o->days <= 0)
		return hc_err_set(err, HC_EINVAL, "--days must be > 0");
	if (!(key = key_new(o->kt, err)) ||
	    !(x = cert_new(key, nb, na, NULL, o->name, serial, err)))
		goto out;
	X509_set_issuer_name(x, X509_get_subject_name(ca->cert));
	if (leaf_extensions(x, ca->cert, o, err) < 0)
		goto out;
	if (!X509_sign(x, ca->key, sign_md(ca->key))) {
		ossl_err(err, "cannot sign the certificate");
		goto out;
	}
	X509_digest(x, EVP_sha256(), md, &mdlen);
	hex_encode(md, mdlen, fp);
	kp = hc_asprintf("%s/%s.key", out, o->name);
	cp = hc_asprintf("%s/%s.crt", out, o->name);
	if (file_write(kp, 0600, w_key, key, err) < 0 ||
	    file_write(cp, 0644, w_cert, x, err) < 0)
		goto out;
	json_array_append_new(ca->issued, json_pack(
		"{s:s,s:s,s:I,s:s,s:b,s:b}", "serial", serial, "name",
		o->name, "not_after", (json_int_t)na, "fingerprint", fp,
		"revoked", 0, "controller", o->controller));
	rc = issued_save(ca, err);
out:
	EVP_PKEY_free(key);
	X509_free(x);
	free(kp);
	free(cp);
	return rc;
}

int
ca_revoke(struct ca *ca, const char *name, struct hc_err *err)
{
	size_t i;
	json_t *rec;
	int n = 0;

	json_array_foreach(ca->issued, i, rec) {
		const char *rn = json_string_value(json_object_get(rec,
								   "name"));
		if (!rn || strcmp(rn, name) ||
		    json_is_true(json_object_get(rec, "revoked")))
			continue;
		json_object_set_new(rec, "revoked", json_true());
		json_object_set_new(rec, "revoked_at",
				    json_integer((json_int_t)time(NULL)));
		n++;
	}
	if (n == 0)
		return hc_err_set(err, HC_ENOENT, "no unrevoked certificate "
				  "issued to '%s' (see hc-ca list)", name);
	if (crl_write(ca->dir, ca->key, ca->cert, ca->issued, err) < 0 ||
	    issued_save(ca, err) < 0)
		return -1;
	return n;
}

int
ca_crl_refresh(struct ca *ca, struct hc_err *err)
{
	return crl_write(ca->dir, ca->key, ca->cert, ca->issued, err);
}
