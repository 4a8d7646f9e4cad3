/*
 * jtext: JSON text into a growing buffer (see jtext.h).
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jtext.h"
#include "log.h"

void
jtext_reserve(struct jtext *t, size_t n)
{
	if (t->len + n + 1 <= t->cap)
		return;
	while (t->len + n + 1 > t->cap)
		t->cap = t->cap ? t->cap * 2 : 4096;
	t->buf = hc_realloc(t->buf, t->cap);
}

void
jtext_putn(struct jtext *t, const char *s, size_t n)
{
	jtext_reserve(t, n);
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

void
jtext_puts(struct jtext *t, const char *s)
{
	jtext_putn(t, s, strlen(s));
}

void
jtext_putc(struct jtext *t, char c)
{
	jtext_reserve(t, 1);
	t->buf[t->len++] = c;
	t->buf[t->len] = '\0';
}

void
jtext_int(struct jtext *t, long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v
				     : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	jtext_putn(t, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* JSON has no NaN or infinity: those are written as null. */
void
jtext_real(struct jtext *t, double v)
{
	char tmp[32];
	int n;

	if (!isfinite(v)) {
		jtext_putn(t, "null", 4);
		return;
	}
	n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	jtext_putn(t, tmp, (size_t)n);
	/* JSON needs a fraction or exponent to read it back as a real. */
	if (!strpbrk(tmp, ".eE"))
		jtext_putn(t, ".0", 2);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
jtext_str(struct jtext *t, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		jtext_putn(t, "null", 4);
		return;
	}
	/* Worst case: every byte becomes \u00XX. */
	jtext_reserve(t, strlen(s) * 6 + 2);
	t->buf[t->len++] = '"';
	while (*p) {
		size_t n;

		if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
			t->buf[t->len++] = (char)*p++;
			continue;
		}
		if (*p == '"' || *p == '\\') {
			t->buf[t->len++] = '\\';
			t->buf[t->len++] = (char)*p++;
			continue;
		}
		if (*p < 0x20) {
			memcpy(t->buf + t->len, "\\u00", 4);
			t->buf[t->len + 4] = hex[*p >> 4];
			t->buf[t->len + 5] = hex[*p & 15];
			t->len += 6;
			p++;
			continue;
		}
		n = utf8_len(p);
		if (n == 0) {
			t->buf[t->len++] = '?';
			p++;
			continue;
		}
		memcpy(t->buf + t->len, p, n);
		t->len += n;
		p += n;
	}
	t->buf[t->len++] = '"';
	t->buf[t->len] = '\0';
}

char *
jtext_steal(struct jtext *t, size_t *lenp)
{
	char *b = t->buf ? t->buf : hc_strdup("");

	if (lenp)
		*lenp = t->len;
	t->buf = NULL;
	t->len = t->cap = 0;
	return b;
}

void
jtext_free(struct jtext *t)
{
	free(t->buf);
	t->buf = NULL;
	t->len = t->cap = 0;
}
