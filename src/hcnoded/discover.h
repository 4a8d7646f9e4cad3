/*
 * discover: what this node is made of, read with hwloc 2 from the running
 * host or from an hwloc XML file (--topology), which is how tests emulate
 * nodes with GPUs on machines that have none.
 *
 * The result is plain data (no hwloc types leak out) so that the inventory,
 * the cgroup code and the unit tests can use it without hwloc.
 */
#ifndef HC_DISCOVER_H
#define HC_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include "hc_err.h"

struct discover_gpu {
	int index;		/* 0.. in PCI order: what gpu_ids name */
	unsigned class_id;	/* PCI class, 0x0302 */
	char vendor[64];	/* "NVIDIA Corporation" */
	char model[128];	/* "NVIDIA H100 80GB HBM3" */
	char type[32];		/* "h100" */
	char pci_id[16];	/* "10de:2330" */
	char busid[32];		/* "0000:00:06.0" */
	uint64_t memory_mb;	/* 0 when unknown */
	char uuid[96];		/* "" when neither NVML nor hwloc has one */
	char serial[64];	/* board serial (NVML), "" when unknown */
	unsigned minor;		/* its device node: /dev/nvidia<minor> (NVML),
				   else its index. Not in the inventory. */
};

struct discover {
	unsigned sockets;
	unsigned cores;		/* in total */
	unsigned threads;	/* per core */
	unsigned cpus;		/* PUs */
	uint64_t memory_mb;
	char cpu_vendor[64];
	char cpu_model[128];
	char arch[32];
	struct discover_gpu *gpus;	/* owned */
	size_t gpu_count;
	char topology_digest[65];	/* sha256 hex of the XML export */
	int from_xml;		/* 1 when emulated from a file */
};

/*
 * Discover the host (xml_path NULL) or load xml_path. Returns a new
 * struct discover (caller frees with discover_destroy), or NULL with err
 * (HC_EINVAL for a missing or unreadable file, HC_EIO when hwloc fails).
 */
struct discover *discover_load(const char *xml_path, struct hc_err *err);
void discover_destroy(struct discover *d);	/* NULL ok */

/* Short lower-case type from a model name ("NVIDIA H100 80GB HBM3" ->
 * "h100"); out gets "" when none can be derived. */
void discover_short_type(const char *model, char *out, size_t len);

#endif
