/*
 * nvml: NVIDIA GPU identities (UUID, serial number) read through NVML,
 * loaded with dlopen("libnvidia-ml.so.1") when the host has it, so hcnoded
 * neither needs the NVIDIA headers to build nor the driver to run.
 */
#ifndef HC_NVML_H
#define HC_NVML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct discover;

/* One device as NVML reports it. */
struct nvml_gpu {
	unsigned domain, bus, dev;	/* PCI address (function 0) */
	char uuid[96];			/* "GPU-..." or "" */
	char serial[64];		/* "" when the board has none */
	char name[96];			/* "NVIDIA H100 80GB HBM3" */
	uint64_t memory_mb;
	bool has_minor;			/* NVML gave its device minor: */
	unsigned minor;			/* /dev/nvidia<minor> */
};

/* Read every device from the NVML library lib (NULL: libnvidia-ml.so.1).
 * Returns a malloc'ed table (count in *n), or NULL with *n = 0 when the
 * library is absent or fails: then nothing is known from NVML. */
struct nvml_gpu *nvml_read(const char *lib, size_t *n);

/* Give d's GPUs the UUID, serial and device minor of the NVML device at
 * the same PCI bus id (and NVML's name and memory). Returns how many
 * matched. */
size_t nvml_match(struct discover *d, const struct nvml_gpu *t, size_t n);

/* nvml_read() then nvml_match() (nothing when the library is absent). */
size_t nvml_fill(struct discover *d, const char *lib);

#endif
