/* hc_err: error values with fixed-size text (see hc_err.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hc_err.h"

static int
code_errno(int code)
{
	switch (code) {
	case HC_OK: return 0;
	case HC_EINVAL: return EINVAL;
	case HC_EPERM: return EPERM;
	case HC_ENOENT: return ENOENT;
	case HC_EEXIST: return EEXIST;
	case HC_EBUSY: return EBUSY;
	case HC_EAUTH: return EACCES;
	case HC_EPROTO: return EPROTO;
	case HC_ENOMEM: return ENOMEM;
	case HC_ECONN: return ECONNREFUSED;
	case HC_ETIMEDOUT: return ETIMEDOUT;
	default: return EIO;
	}
}

int
hc_err_set(struct hc_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->text, sizeof(err->text), fmt, ap);
		va_end(ap);
	}
	errno = code_errno(code);
	return -1;
}

int
hc_err_prefix(struct hc_err *err, const char *fmt, ...)
{
	char pre[HC_ERR_TEXT], old[HC_ERR_TEXT];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->text, sizeof(old));
	/* Truncation is acceptable: the prefix comes first and the text is
	 * bounded; copy by hand so the compiler sees the bound. */
	size_t plen = strnlen(pre, sizeof(err->text) - 1);
	size_t olen = strnlen(old, sizeof(err->text) - 1 - plen);
	memcpy(err->text, pre, plen);
	memcpy(err->text + plen, old, olen);
	err->text[plen + olen] = '\0';
	return -1;
}

void
hc_err_clear(struct hc_err *err)
{
	if (err) {
		err->code = HC_OK;
		err->text[0] = '\0';
	}
}

static const char *const names[] = {
	[HC_OK] = "ok",
	[HC_EINVAL] = "invalid",
	[HC_EPERM] = "permission",
	[HC_ENOENT] = "not-found",
	[HC_EEXIST] = "exists",
	[HC_EBUSY] = "busy",
	[HC_EAUTH] = "authentication",
	[HC_EPROTO] = "protocol",
	[HC_EIO] = "io",
	[HC_ENOMEM] = "no-memory",
	[HC_ECONN] = "connection",
	[HC_ETIMEDOUT] = "timeout",
	[HC_EINTERNAL] = "internal",
};

const char *
hc_err_name(int code)
{
	if (code < 0 || (size_t)code >= sizeof(names) / sizeof(names[0]) ||
	    !names[code])
		return "unknown";
	return names[code];
}

int
hc_err_exit_status(int code)
{
	switch (code) {
	case HC_OK: return 0;
	case HC_EPERM:
	case HC_EAUTH: return 2;
	case HC_ENOENT: return 3;
	case HC_ECONN:
	case HC_ETIMEDOUT: return 4;
	case HC_EIO:
	case HC_ENOMEM:
	case HC_EINTERNAL:
	case HC_EPROTO: return 5;
	default: return 1;
	}
}
