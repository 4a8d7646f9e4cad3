/*
 * fuzz_stepcred: step credentials as a node agent receives them in
 * STEP_HELLO, verified with a fixed Ed25519 key. Random bytes never carry a
 * good signature, so the first byte picks what the rest is:
 *	0: a base64 credential, verified as it is (decoding, framing);
 *	1: a statement, signed here with the fixed key and then verified, so
 *	   that the statement reader and the node-list check are reached;
 *	2: a base64 public key (what NODE_REGISTER's reply carries).
 * Property: a credential verifies only for a node it names.
 */
#include "config.h"

#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "fuzz.h"
#include "hostlist.h"
#include "stepcred.h"

#define FUZZ_NOW ((time_t)1767225600)

/* Fixed, public test key: fuzzing must be reproducible. */
static const char fixed_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIPlgcghOdIDkywSfBbD+w+W90qsR5GkBNoEze+LK5M80\n"
	"-----END PRIVATE KEY-----\n";

struct fixed {
	struct stepcred_key *key;	/* through stepcred's own loader */
	EVP_PKEY *pkey;			/* the same key, to sign with */
};

static struct fixed *
fixed_get(void)
{
	static struct fixed fx;
	char path[] = "/tmp/hc-fuzz-stepcred.XXXXXX";
	struct hc_err err = { 0 };
	BIO *bio;
	int fd;

	if (fx.key)
		return &fx;
	fd = mkstemp(path);	/* mode 0600, as the loader demands */
	fuzz_assert(fd >= 0);
	fuzz_assert(write(fd, fixed_pem, sizeof(fixed_pem) - 1) ==
		    (ssize_t)(sizeof(fixed_pem) - 1));
	close(fd);
	fx.key = stepcred_key_load_or_create(path, &err);
	unlink(path);
	if (!fx.key)
		fprintf(stderr, "fixed key: %s\n", err.text);
	fuzz_assert(fx.key);
	bio = BIO_new_mem_buf(fixed_pem, -1);
	fx.pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	fuzz_assert(fx.pkey);
	return &fx;
}

static void
verify(const struct fixed *fx, const char *b64)
{
	struct stepcred sc;
	struct hostlist *hl;
	int rc = stepcred_verify(fx->key, b64, "n1", FUZZ_NOW, &sc, NULL);

	if (rc < 0)
		return;
	fuzz_assert(sc.expires > FUZZ_NOW);
	hl = hostlist_parse(sc.nodes, NULL);
	fuzz_assert(hl && hostlist_find(hl, "n1") >= 0);
	hostlist_destroy(hl);
}

/* The credential of statement s: base64(s || NUL || signature(s)). */
static char *
sign_statement(const struct fixed *fx, const char *s)
{
	size_t jlen = strlen(s), slen = 64, blen = jlen + 1 + 64;
	unsigned char *blob = malloc(blen);
	char *b64 = malloc(4 * ((blen + 2) / 3) + 1);
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	fuzz_assert(blob && b64 && md);
	memcpy(blob, s, jlen + 1);
	fuzz_assert(EVP_DigestSignInit(md, NULL, NULL, NULL, fx->pkey) == 1);
	fuzz_assert(EVP_DigestSign(md, blob + jlen + 1, &slen,
				   (const unsigned char *)s, jlen) == 1);
	EVP_MD_CTX_free(md);
	EVP_EncodeBlock((unsigned char *)b64, blob, (int)blen);
	free(blob);
	return b64;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fixed *fx = fixed_get();
	struct stepcred_key *pub;
	char *s, *cred;

	if (size < 1)
		return 0;
	s = fuzz_cstr(data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		verify(fx, s);
		break;
	case 1:
		cred = sign_statement(fx, s);
		verify(fx, cred);
		free(cred);
		break;
	default:
		pub = stepcred_key_from_public_b64(s, NULL);
		stepcred_key_destroy(pub);
		break;
	}
	free(s);
	return 0;
}
