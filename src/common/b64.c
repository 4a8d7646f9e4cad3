/*
 * b64: base64 through OpenSSL's block coder, and the canonical-form check
 * that coder does not make (see b64.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "b64.h"
#include "log.h"

char *
b64_encode(const void *p, size_t len)
{
	char *out = hc_malloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, p, (int)len);
	return out;
}

uint8_t *
b64_decode(const char *s, size_t *lenp)
{
	size_t n = strlen(s), pad = 0;
	uint8_t *out;
	char *again;
	int got;

	if (n == 0 || n % 4 != 0)
		return NULL;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	out = hc_malloc(n / 4 * 3 + 1);
	got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (got < 0 || (size_t)got != n / 4 * 3) {
		free(out);
		return NULL;
	}
	*lenp = (size_t)got - pad;
	out[*lenp] = '\0';
	/* EVP_DecodeBlock ignores stray bits in the last group; only the
	 * spelling that encodes back to s is accepted. */
	again = b64_encode(out, *lenp);
	if (strcmp(again, s) != 0) {
		free(out);
		out = NULL;
	}
	free(again);
	return out;
}
