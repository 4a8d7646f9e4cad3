/*
 * fuzz: what the fuzz targets share. A target checks properties that must
 * hold for any input (a round trip gives back what went in, a view stays
 * inside its buffer); fuzz_assert() aborts when one does not, which both
 * libFuzzer and the replay driver report as a crash with its input.
 */
#ifndef HC_FUZZ_H
#define HC_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_assert(cond)                                                   \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "%s:%d: property failed: %s\n",     \
				__FILE__, __LINE__, #cond);                 \
			abort();                                            \
		}                                                           \
	} while (0)

/* The input as a C string (cut at its first NUL byte); caller frees. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
