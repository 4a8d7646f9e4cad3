/*
 * b64: base64 as credentials, signatures and signed inventories travel,
 * with a strict decoder: one canonical spelling per byte string, so that
 * a signed object has exactly one encoded form.
 */
#ifndef HC_B64_H
#define HC_B64_H

#include <stddef.h>
#include <stdint.h>

/* Base64 of len bytes; malloc'ed, NUL-terminated, the caller frees it. */
char *b64_encode(const void *p, size_t len);

/* The bytes s encodes, in a malloc'ed buffer the caller frees (one byte
 * longer than *lenp, NUL-terminated); NULL unless s is padded base64 in its
 * one canonical spelling. */
uint8_t *b64_decode(const char *s, size_t *lenp);

#endif
