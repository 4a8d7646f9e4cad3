/*
 * sha256: SHA-256 (FIPS 180-4) in plain C, for the frame digest that every
 * request carries. The commands need nothing else of a crypto library, and
 * loading and initialising libcrypto cost each command ~1.5 ms of its start
 * (a third of an hcsub); this keeps them free of it.
 */
#ifndef HC_SHA256_H
#define HC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define HC_SHA256_LEN 32

struct hc_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t fill;
};

void hc_sha256_init(struct hc_sha256 *s);
void hc_sha256_update(struct hc_sha256 *s, const void *data, size_t len);
void hc_sha256_final(struct hc_sha256 *s, uint8_t out[HC_SHA256_LEN]);

#endif
