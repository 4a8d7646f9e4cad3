/* ossl: OpenSSL error reporting shared by ca.c and tls.c (see ossl.h). */
#include "config.h"

#include <openssl/err.h>

#include "ossl.h"

int
ossl_err(struct hc_err *err, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "unknown OpenSSL error";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return hc_err_set(err, HC_EIO, "%s: %s", what, buf);
}
