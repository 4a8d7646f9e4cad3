/*
 * hmunge: the munge wrapper (see hmunge.h). Each call makes its own munge
 * context, so concurrent calls from worker threads share nothing.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <munge.h>

#include "frame.h"
#include "hmunge.h"
#include "log.h"

/* A context talking to socket (NULL: munge's compiled-in default). */
static munge_ctx_t
ctx_new(const char *socket, struct hc_err *err)
{
	munge_ctx_t ctx = munge_ctx_create();

	if (!ctx) {
		hc_err_set(err, HC_ENOMEM, "munge: cannot create a context");
		return NULL;
	}
	if (socket && *socket &&
	    munge_ctx_set(ctx, MUNGE_OPT_SOCKET, socket) != EMUNGE_SUCCESS) {
		hc_err_set(err, HC_EAUTH, "munge: cannot use socket %s: %s",
			   socket, munge_ctx_strerror(ctx));
		munge_ctx_destroy(ctx);
		return NULL;
	}
	return ctx;
}

/* Fill err from a failed munge call, with what to do about it. */
static int
munge_fail(struct hc_err *err, munge_ctx_t ctx, munge_err_t e,
	   const char *socket, const char *what)
{
	const char *msg = munge_ctx_strerror(ctx);

	if (!msg)
		msg = munge_strerror(e);
	if (e == EMUNGE_SOCKET)
		return hc_err_set(err, HC_EAUTH,
				  "munge: %s; is munged running? check "
				  "MungeSocket=%s in hc.conf "
				  "(or $HC_MUNGE_SOCKET)", msg,
				  socket && *socket ? socket : "(default)");
	return hc_err_set(err, HC_EAUTH, "munge: %s: %s", what, msg);
}

char *
hmunge_encode(const char *socket, const void *payload, size_t len,
	      struct hc_err *err)
{
	munge_ctx_t ctx = ctx_new(socket, err);
	char *cred = NULL;
	munge_err_t e;

	if (!ctx)
		return NULL;
	if (len > (size_t)HC_FRAME_CRED_MAX / 2) {
		hc_err_set(err, HC_EINVAL, "munge: payload of %zu bytes is "
			   "too large", len);
		munge_ctx_destroy(ctx);
		return NULL;
	}
	e = munge_encode(&cred, ctx, payload, (int)len);
	if (e != EMUNGE_SUCCESS) {
		munge_fail(err, ctx, e, socket, "cannot sign the request");
		free(cred);
		cred = NULL;
	} else if (strlen(cred) > HC_FRAME_CRED_MAX) {
		hc_err_set(err, HC_EAUTH, "munge: credential of %zu bytes "
			   "exceeds the frame limit %u", strlen(cred),
			   HC_FRAME_CRED_MAX);
		free(cred);
		cred = NULL;
	}
	munge_ctx_destroy(ctx);
	return cred;
}

/* Equal, in time independent of where they differ. */
static bool
same_bytes(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

int
hmunge_decode(const char *socket, const char *cred, size_t cred_len,
	      const void *expect, size_t expect_len, uid_t *uid, gid_t *gid,
	      struct hc_err *err)
{
	munge_ctx_t ctx;
	munge_err_t e;
	void *payload = NULL;
	int plen = 0, rc = -1;
	char *copy;

	if (cred_len == 0)
		return hc_err_set(err, HC_EAUTH, "no munge credential; the "
				  "request must be signed");
	if (cred_len > HC_FRAME_CRED_MAX)
		return hc_err_set(err, HC_EAUTH, "munge credential too long");
	/* munge wants a C string; a credential is never meant to hold NUL. */
	if (memchr(cred, '\0', cred_len))
		return hc_err_set(err, HC_EAUTH, "munge credential holds a "
				  "NUL byte");
	ctx = ctx_new(socket, err);
	if (!ctx)
		return -1;
	copy = hc_malloc(cred_len + 1);
	memcpy(copy, cred, cred_len);
	copy[cred_len] = '\0';
	e = munge_decode(copy, ctx, &payload, &plen, uid, gid);
	if (e != EMUNGE_SUCCESS) {
		munge_fail(err, ctx, e, socket, "credential refused");
	} else if ((size_t)plen != expect_len ||
		   (expect_len &&
		    !same_bytes(payload, expect, expect_len))) {
		/* Security: the credential was made for another request
		 * (another body, type or reqid); it proves nothing here. */
		hc_err_set(err, HC_EAUTH, "munge credential does not match "
			   "this request (payload differs)");
	} else {
		rc = 0;
	}
	free(payload);
	free(copy);
	munge_ctx_destroy(ctx);
	return rc;
}
