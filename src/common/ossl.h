/*
 * ossl: what libhc's OpenSSL users share. Kept apart from hc_err so that
 * programs which never touch OpenSSL (the commands) do not link libcrypto.
 */
#ifndef HC_OSSL_H
#define HC_OSSL_H

#include "hc_err.h"

/* Fill err with "WHAT: <OpenSSL's first queued error>" (HC_EIO), clear
 * OpenSSL's error queue, and return -1. */
int ossl_err(struct hc_err *err, const char *what);

#endif
