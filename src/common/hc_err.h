/*
 * hc_err: the error value every fallible libhc function can fill.
 *
 * Functions return 0/-1 (or NULL), set errno, and, when the caller passes a
 * non-NULL struct hc_err *, write a code and one line of text into it. No
 * allocation: the text lives in a fixed buffer, so error paths never fail.
 */
#ifndef HC_ERR_H
#define HC_ERR_H

#include <stddef.h>

#define HC_ERR_TEXT 512

/* Error classes. Client errors (the request was wrong) and server errors
 * (our fault, or the system's) are told apart so commands can say which. */
enum hc_err_code {
	HC_OK = 0,
	HC_EINVAL,	/* malformed or invalid input: fix the request */
	HC_EPERM,	/* not allowed: the caller lacks the right */
	HC_ENOENT,	/* no such job, node, queue, ... */
	HC_EEXIST,	/* already exists */
	HC_EBUSY,	/* cannot now: state forbids it (e.g. job running) */
	HC_EAUTH,	/* authentication failed (munge, credential) */
	HC_EPROTO,	/* protocol error: bad frame, version */
	HC_EIO,		/* I/O or system error */
	HC_ENOMEM,	/* out of memory */
	HC_ECONN,	/* cannot reach the peer */
	HC_ETIMEDOUT,	/* the peer did not answer in time */
	HC_EINTERNAL,	/* our fault: a bug or broken invariant */
};

struct hc_err {
	int code;			/* enum hc_err_code */
	char text[HC_ERR_TEXT];		/* one line, no trailing newline */
};

/* Fill err (if non-NULL) with code and a printf-formatted message, set errno
 * to a matching value, and return -1. One line per failure:
 *	return hc_err_set(err, HC_EINVAL, "CPUs must be > 0"); */
int hc_err_set(struct hc_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the existing text with context ("hc.conf:42: "), keeping the code.
 * Returns -1 so it can be used in return statements. */
int hc_err_prefix(struct hc_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clear to HC_OK / "". */
void hc_err_clear(struct hc_err *err);

/* Stable lower-case name of a code ("invalid", "permission", ...). Borrowed. */
const char *hc_err_name(int code);

/* The process exit status a command uses for this class of error. Documented
 * in every command's man page: 1 usage/client error, 2 permission or
 * authentication, 3 not found, 4 cannot reach the controller, 5 server. */
int hc_err_exit_status(int code);

#endif
