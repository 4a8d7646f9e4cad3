/*
 * discover: hwloc 2 discovery of sockets, cores, PUs, memory, the CPU and
 * the accelerators (PCI display/3D controllers, matched with the OpenCL,
 * CUDA, NVML, RSMI or LevelZero OS devices hwloc found for them; UUIDs and
 * serials from NVML itself when the host has it, nvml.c).
 *
 * Matching an OS device to its PCI device: normally the OS device is a child
 * of the PCI device; some topologies (the H100 fixture) hang it off the
 * bridge above instead. Then it is matched, in order, with the first GPU of
 * that bridge that has no OS device yet; what is left falls back to the PCI
 * id table below for its model and memory.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwloc.h>
#include <openssl/evp.h>

#include "discover.h"
#include "log.h"
#include "nvml.h"

/* Known accelerators by PCI id, for when no OS device names them. */
static const struct pci_known {
	unsigned vendor, device;
	const char *type, *model;
	uint64_t memory_mb;
} pci_known[] = {
	{ 0x10de, 0x2330, "h100", "NVIDIA H100 80GB HBM3", 81559 },
	{ 0x10de, 0x2331, "h100", "NVIDIA H100 PCIe", 81559 },
	{ 0x10de, 0x2335, "h200", "NVIDIA H200", 143771 },
	{ 0x10de, 0x20b0, "a100", "NVIDIA A100-SXM4-40GB", 40536 },
	{ 0x10de, 0x20b2, "a100", "NVIDIA A100-SXM4-80GB", 81251 },
	{ 0x10de, 0x1db1, "v100", "Tesla V100-SXM2-16GB", 16160 },
	{ 0x1002, 0x740c, "mi250x", "AMD Instinct MI250X", 65520 },
	{ 0, 0, NULL, NULL, 0 },
};

static const struct {
	unsigned id;
	const char *name;
} pci_vendors[] = {
	{ 0x10de, "NVIDIA Corporation" },
	{ 0x1002, "Advanced Micro Devices, Inc." },
	{ 0x8086, "Intel Corporation" },
	{ 0, NULL },
};

/* Words that name a vendor or a product line rather than the model. */
static const char *const model_noise[] = {
	"nvidia", "amd", "intel", "intel(r)", "tesla", "geforce", "quadro",
	"radeon", "instinct", "data", "center", "gpu", "(tm)", NULL,
};

static void
copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

void
discover_short_type(const char *model, char *out, size_t len)
{
	char buf[256], *save = NULL, *tok;

	out[0] = '\0';
	if (!model || len == 0)
		return;
	copy_str(buf, sizeof(buf), model);
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		int noise = 0;
		for (size_t i = 0; model_noise[i]; i++)
			if (strcmp(tok, model_noise[i]) == 0)
				noise = 1;
		if (noise)
			continue;
		tok[strcspn(tok, "-_/,")] = '\0';
		if (*tok) {
			copy_str(out, len, tok);
			return;
		}
	}
}

static int
is_accelerator(hwloc_obj_t pci)
{
	unsigned cls = pci->attr->pcidev.class_id;
	unsigned ven = pci->attr->pcidev.vendor_id;

	if (cls == 0x0302 || cls == 0x1200)
		return 1;
	/* A VGA controller is a GPU only from a GPU vendor: BMC consoles
	 * (ASPEED, Matrox) are VGA too. */
	if (cls == 0x0300 || cls == 0x0380)
		return ven == 0x10de || ven == 0x1002;
	return 0;
}

static hwloc_obj_t
pci_ancestor(hwloc_obj_t obj)
{
	for (obj = obj->parent; obj; obj = obj->parent)
		if (obj->type == HWLOC_OBJ_PCI_DEVICE)
			return obj;
	return NULL;
}

static int
is_accel_osdev(hwloc_obj_t os)
{
	int t = os->attr->osdev.type;
	return t == HWLOC_OBJ_OSDEV_COPROC || t == HWLOC_OBJ_OSDEV_GPU;
}

/* Fold what an OS device tells (model, vendor, memory, uuid) into g. */
static void
gpu_take_osdev(struct discover_gpu *g, hwloc_obj_t os)
{
	static const char *const mem_keys[] = { "CUDAGlobalMemorySize",
		"OpenCLGlobalMemorySize", NULL };
	static const char *const uuid_keys[] = { "NVIDIAUUID", "AMDUUID",
		"LevelZeroUUID", "GPUUUID", NULL };
	const char *v;

	if (!g->model[0] && (v = hwloc_obj_get_info_by_name(os, "GPUModel")))
		copy_str(g->model, sizeof(g->model), v);
	if ((v = hwloc_obj_get_info_by_name(os, "GPUVendor")))
		copy_str(g->vendor, sizeof(g->vendor), v);
	for (size_t i = 0; mem_keys[i] && !g->memory_mb; i++)
		if ((v = hwloc_obj_get_info_by_name(os, mem_keys[i])))
			g->memory_mb = strtoull(v, NULL, 10) / 1024; /* KiB */
	for (size_t i = 0; uuid_keys[i] && !g->uuid[0]; i++)
		if ((v = hwloc_obj_get_info_by_name(os, uuid_keys[i])))
			copy_str(g->uuid, sizeof(g->uuid), v);
	if (!g->serial[0] && (v = hwloc_obj_get_info_by_name(os,
							      "NVIDIASerial")))
		copy_str(g->serial, sizeof(g->serial), v);
}

/* The GPU an OS device belongs to: its PCI ancestor, else the first GPU
 * below the same parent (a bridge) still without an OS device. */
static struct discover_gpu *
osdev_owner(struct discover *d, hwloc_obj_t *pcis, int *matched,
	    hwloc_obj_t os)
{
	hwloc_obj_t pci = pci_ancestor(os);

	for (size_t i = 0; i < d->gpu_count; i++) {
		if (pci && pcis[i] == pci)
			return &d->gpus[i];
		if (!pci && !matched[i] && pcis[i]->parent == os->parent) {
			matched[i] = 1;
			return &d->gpus[i];
		}
	}
	return NULL;
}

static void
gpu_from_pci(struct discover_gpu *g, hwloc_obj_t pci, int index)
{
	struct hwloc_pcidev_attr_s *a = &pci->attr->pcidev;

	memset(g, 0, sizeof(*g));
	g->index = index;
	g->minor = (unsigned)index;
	g->class_id = a->class_id;
	snprintf(g->pci_id, sizeof(g->pci_id), "%04x:%04x", a->vendor_id,
		 a->device_id);
	snprintf(g->busid, sizeof(g->busid), "%04x:%02x:%02x.%01x",
		 a->domain, a->bus, a->dev, a->func);
}

/* Fill what OS devices did not say from the tables. */
static void
gpu_finish(struct discover_gpu *g, hwloc_obj_t pci)
{
	struct hwloc_pcidev_attr_s *a = &pci->attr->pcidev;

	for (size_t i = 0; pci_known[i].type; i++) {
		if (pci_known[i].vendor != a->vendor_id ||
		    pci_known[i].device != a->device_id)
			continue;
		if (!g->model[0])
			copy_str(g->model, sizeof(g->model),
				 pci_known[i].model);
		if (!g->memory_mb)
			g->memory_mb = pci_known[i].memory_mb;
		copy_str(g->type, sizeof(g->type), pci_known[i].type);
	}
	for (size_t i = 0; !g->vendor[0] && pci_vendors[i].name; i++)
		if (pci_vendors[i].id == a->vendor_id)
			copy_str(g->vendor, sizeof(g->vendor),
				 pci_vendors[i].name);
	if (!g->type[0])
		discover_short_type(g->model, g->type, sizeof(g->type));
	if (!g->type[0])
		copy_str(g->type, sizeof(g->type), "gpu");
}

static void
discover_gpus(struct discover *d, hwloc_topology_t topo)
{
	hwloc_obj_t obj = NULL, *pcis;
	size_t n = 0, cap = 0;
	int *matched;

	while ((obj = hwloc_get_next_pcidev(topo, obj)))
		if (is_accelerator(obj))
			cap++;
	if (cap == 0)
		return;
	d->gpus = hc_calloc(cap, sizeof(*d->gpus));
	pcis = hc_calloc(cap, sizeof(*pcis));
	matched = hc_calloc(cap, sizeof(*matched));
	while ((obj = hwloc_get_next_pcidev(topo, obj)) && n < cap) {
		if (!is_accelerator(obj))
			continue;
		gpu_from_pci(&d->gpus[n], obj, (int)n);
		pcis[n++] = obj;
	}
	d->gpu_count = n;
	while ((obj = hwloc_get_next_osdev(topo, obj))) {
		struct discover_gpu *g;
		if (is_accel_osdev(obj) &&
		    (g = osdev_owner(d, pcis, matched, obj)))
			gpu_take_osdev(g, obj);
	}
	for (size_t i = 0; i < n; i++)
		gpu_finish(&d->gpus[i], pcis[i]);
	free(pcis);
	free(matched);
}

static void
discover_cpus(struct discover *d, hwloc_topology_t topo)
{
	hwloc_obj_t root = hwloc_get_root_obj(topo);
	hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
	const char *v;
	int n;

	n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
	d->sockets = n > 0 ? (unsigned)n : 1;
	n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	d->cpus = n > 0 ? (unsigned)n : 1;
	n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	d->cores = n > 0 ? (unsigned)n : d->cpus;
	d->threads = d->cpus / d->cores ? d->cpus / d->cores : 1;
	d->memory_mb = root->total_memory / (1024 * 1024);
	if (pkg && (v = hwloc_obj_get_info_by_name(pkg, "CPUVendor")))
		copy_str(d->cpu_vendor, sizeof(d->cpu_vendor), v);
	if (pkg && (v = hwloc_obj_get_info_by_name(pkg, "CPUModel")))
		copy_str(d->cpu_model, sizeof(d->cpu_model), v);
	v = hwloc_obj_get_info_by_name(root, "Architecture");
	copy_str(d->arch, sizeof(d->arch), v ? v : "unknown");
}

static int
discover_digest(struct discover *d, hwloc_topology_t topo,
		struct hc_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *xml = NULL;
	int len = 0;

	if (hwloc_topology_export_xmlbuffer(topo, &xml, &len, 0) < 0)
		return hc_err_set(err, HC_EIO, "hwloc: cannot export XML: %s",
				  strerror(errno));
	if (!EVP_Digest(xml, (size_t)len, md, &mdlen, EVP_sha256(), NULL)) {
		hwloc_free_xmlbuffer(topo, xml);
		return hc_err_set(err, HC_EIO, "sha256 of topology failed");
	}
	hwloc_free_xmlbuffer(topo, xml);
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(d->topology_digest + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static hwloc_topology_t
topology_open(const char *xml_path, struct hc_err *err)
{
	hwloc_topology_t topo;

	if (xml_path && access(xml_path, R_OK) < 0) {
		hc_err_set(err, HC_EINVAL, "topology %s: %s; give an hwloc "
			   "XML file (lstopo-no-graphics --of xml)", xml_path,
			   strerror(errno));
		return NULL;
	}
	if (hwloc_topology_init(&topo) < 0) {
		hc_err_set(err, HC_EIO, "hwloc_topology_init: %s",
			   strerror(errno));
		return NULL;
	}
	hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_ALL);
	if ((xml_path && hwloc_topology_set_xml(topo, xml_path) < 0) ||
	    hwloc_topology_load(topo) < 0) {
		hc_err_set(err, xml_path ? HC_EINVAL : HC_EIO,
			   "topology %s: hwloc cannot load it (%s); check it "
			   "with lstopo-no-graphics -i FILE",
			   xml_path ? xml_path : "(this host)",
			   errno ? strerror(errno) : "invalid XML");
		hwloc_topology_destroy(topo);
		return NULL;
	}
	return topo;
}

struct discover *
discover_load(const char *xml_path, struct hc_err *err)
{
	struct discover *d;
	hwloc_topology_t topo;

	if (!(topo = topology_open(xml_path, err)))
		return NULL;
	d = hc_calloc(1, sizeof(*d));
	d->from_xml = xml_path != NULL;
	discover_cpus(d, topo);
	discover_gpus(d, topo);
	/* NVML describes this host's devices: never an emulated node's. */
	if (!d->from_xml)
		nvml_fill(d, NULL);
	if (discover_digest(d, topo, err) < 0) {
		hwloc_topology_destroy(topo);
		discover_destroy(d);
		return NULL;
	}
	hwloc_topology_destroy(topo);
	return d;
}

void
discover_destroy(struct discover *d)
{
	if (!d)
		return;
	free(d->gpus);
	free(d);
}
