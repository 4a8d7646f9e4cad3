/*
 * hmunge: the munge wrapper. Encoding is used by commands and node agents to
 * sign a request's digest; decoding is done by daemons (hcctld runs it off
 * its loop, in a worker thread, since munge_decode blocks on munged).
 */
#ifndef HC_HMUNGE_H
#define HC_HMUNGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hc_err.h"

/* Encode a credential carrying payload. socket may be NULL (munge's default).
 * Returns a malloc'ed NUL-terminated credential (caller frees) or NULL with
 * err (HC_EAUTH, with munge's message and a hint to check that munged runs
 * and MungeSocket points at it). */
char *hmunge_encode(const char *socket, const void *payload, size_t len,
		    struct hc_err *err);

/* Decode cred (cred_len bytes, need not be NUL-terminated) and check that its
 * payload equals expect (expect_len bytes). On success fills *uid, *gid and
 * returns 0; otherwise -1 with err (HC_EAUTH: expired, replayed, rewound,
 * invalid, payload mismatch...). Thread-safe. */
int hmunge_decode(const char *socket, const char *cred, size_t cred_len,
		  const void *expect, size_t expect_len, uid_t *uid, gid_t *gid,
		  struct hc_err *err);

#endif
