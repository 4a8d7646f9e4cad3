/*
 * jtext: JSON text written straight into a growing buffer, for replies too
 * large to build as jansson trees first (a listing of 10,000 jobs). Only
 * what the writers need: strings (escaped; bytes that are not valid UTF-8
 * become '?', as json_string would refuse them), integers, reals, literals.
 */
#ifndef JTEXT_H
#define JTEXT_H

#include <stddef.h>

struct jtext {
	char *buf;		/* owned; NUL-terminated when len > 0 */
	size_t len, cap;
};

/* Make room for n more bytes. */
void jtext_reserve(struct jtext *t, size_t n);
void jtext_putn(struct jtext *t, const char *s, size_t n);
void jtext_puts(struct jtext *t, const char *s);
void jtext_putc(struct jtext *t, char c);
void jtext_int(struct jtext *t, long long v);
/* v as a JSON number; NaN and infinities (not JSON) as null. */
void jtext_real(struct jtext *t, double v);
/* s as a JSON string; NULL as null. */
void jtext_str(struct jtext *t, const char *s);
/* Hand the buffer to the caller (who frees it); t is empty again. */
char *jtext_steal(struct jtext *t, size_t *lenp);
void jtext_free(struct jtext *t);

#endif
