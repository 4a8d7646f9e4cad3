/*
 * nvml: read GPU UUIDs and serial numbers through NVML, loaded with dlopen
 * (RTLD_NOW | RTLD_LOCAL) when libnvidia-ml.so.1 is present, and match the
 * devices to the GPUs hwloc found by PCI bus id.
 *
 * The few NVML types used are declared here from NVML's documented ABI
 * (nvml.h, API v2/v3 entry points), so no NVIDIA header is needed to build.
 * Without the library (CI, non-NVIDIA hosts) the hwloc info attributes are
 * all there is (discover.c), and without those, no UUID.
 */
#include "config.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "log.h"
#include "nvml.h"

typedef int nvml_ret;			/* nvmlReturn_t; 0 = NVML_SUCCESS */
typedef struct nvml_device *nvml_dev;	/* nvmlDevice_t (opaque) */

struct nvml_pci_info {			/* nvmlPciInfo_t (v3) */
	char bus_id_legacy[16];
	unsigned int domain;
	unsigned int bus;
	unsigned int device;
	unsigned int pci_device_id;	/* device << 16 | vendor */
	unsigned int pci_subsystem_id;
	char bus_id[32];
};

struct nvml_memory {			/* nvmlMemory_t */
	unsigned long long total, free, used;
};

struct nvml_api {
	void *dl;
	nvml_ret (*init)(void);
	nvml_ret (*shutdown)(void);
	nvml_ret (*count)(unsigned int *);
	nvml_ret (*by_index)(unsigned int, nvml_dev *);
	nvml_ret (*uuid)(nvml_dev, char *, unsigned int);
	nvml_ret (*serial)(nvml_dev, char *, unsigned int);
	nvml_ret (*pci)(nvml_dev, struct nvml_pci_info *);
	nvml_ret (*name)(nvml_dev, char *, unsigned int);
	nvml_ret (*memory)(nvml_dev, struct nvml_memory *);
	nvml_ret (*minor)(nvml_dev, unsigned int *);	/* may be NULL */
};

static const struct {
	const char *sym;
	size_t off;
} nvml_syms[] = {
	{ "nvmlInit_v2", offsetof(struct nvml_api, init) },
	{ "nvmlShutdown", offsetof(struct nvml_api, shutdown) },
	{ "nvmlDeviceGetCount_v2", offsetof(struct nvml_api, count) },
	{ "nvmlDeviceGetHandleByIndex_v2", offsetof(struct nvml_api,
						    by_index) },
	{ "nvmlDeviceGetUUID", offsetof(struct nvml_api, uuid) },
	{ "nvmlDeviceGetSerial", offsetof(struct nvml_api, serial) },
	{ "nvmlDeviceGetPciInfo_v3", offsetof(struct nvml_api, pci) },
	{ "nvmlDeviceGetName", offsetof(struct nvml_api, name) },
	{ "nvmlDeviceGetMemoryInfo", offsetof(struct nvml_api, memory) },
};

static int
api_open(struct nvml_api *api, const char *lib)
{
	memset(api, 0, sizeof(*api));
	if (!(api->dl = dlopen(lib ? lib : "libnvidia-ml.so.1",
			       RTLD_NOW | RTLD_LOCAL)))
		return -1;
	for (size_t i = 0; i < sizeof(nvml_syms) / sizeof(nvml_syms[0]);
	     i++) {
		void *f = dlsym(api->dl, nvml_syms[i].sym);
		if (!f) {
			hc_log(HC_LOG_WARN, "nvml: %s lacks %s; GPU UUIDs from "
			       "hwloc only", lib ? lib : "libnvidia-ml.so.1",
			       nvml_syms[i].sym);
			dlclose(api->dl);
			return -1;
		}
		memcpy((char *)api + nvml_syms[i].off, &f, sizeof(f));
	}
	/* Optional: without it a GPU's minor is taken to be its index. */
	{
		void *f = dlsym(api->dl, "nvmlDeviceGetMinorNumber");
		memcpy(&api->minor, &f, sizeof(f));
	}
	return 0;
}

static void
device_read(struct nvml_api *api, nvml_dev dev, struct nvml_gpu *g)
{
	struct nvml_pci_info pci;
	struct nvml_memory mem;

	memset(g, 0, sizeof(*g));
	memset(&pci, 0, sizeof(pci));
	if (api->pci(dev, &pci) == 0) {
		g->domain = pci.domain;
		g->bus = pci.bus;
		g->dev = pci.device;
	}
	if (api->uuid(dev, g->uuid, sizeof(g->uuid)) != 0)
		g->uuid[0] = '\0';
	if (api->serial(dev, g->serial, sizeof(g->serial)) != 0)
		g->serial[0] = '\0';
	if (api->name(dev, g->name, sizeof(g->name)) != 0)
		g->name[0] = '\0';
	if (api->memory(dev, &mem) == 0)
		g->memory_mb = mem.total / (1024 * 1024);
	g->has_minor = api->minor && api->minor(dev, &g->minor) == 0;
	g->uuid[sizeof(g->uuid) - 1] = g->serial[sizeof(g->serial) - 1] = 0;
	g->name[sizeof(g->name) - 1] = '\0';
}

struct nvml_gpu *
nvml_read(const char *lib, size_t *n)
{
	struct nvml_api api;
	struct nvml_gpu *t = NULL;
	unsigned int count = 0;
	size_t got = 0;

	*n = 0;
	if (api_open(&api, lib) < 0)
		return NULL;
	if (api.init() != 0) {
		hc_log(HC_LOG_WARN, "nvml: nvmlInit failed; GPU UUIDs from "
		       "hwloc only");
		dlclose(api.dl);
		return NULL;
	}
	if (api.count(&count) == 0 && count > 0 && count <= 1024) {
		t = hc_calloc(count, sizeof(*t));
		for (unsigned int i = 0; i < count; i++) {
			nvml_dev dev;
			if (api.by_index(i, &dev) == 0)
				device_read(&api, dev, &t[got++]);
		}
	}
	api.shutdown();
	dlclose(api.dl);
	*n = got;
	return t;
}

size_t
nvml_match(struct discover *d, const struct nvml_gpu *t, size_t n)
{
	size_t matched = 0;

	for (size_t i = 0; i < d->gpu_count; i++) {
		struct discover_gpu *g = &d->gpus[i];
		unsigned dom, bus, dev, fn;

		if (sscanf(g->busid, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (t[k].domain != dom || t[k].bus != bus ||
			    t[k].dev != dev)
				continue;
			if (t[k].uuid[0])
				snprintf(g->uuid, sizeof(g->uuid), "%s",
					 t[k].uuid);
			if (t[k].serial[0])
				snprintf(g->serial, sizeof(g->serial), "%s",
					 t[k].serial);
			if (t[k].name[0])
				snprintf(g->model, sizeof(g->model), "%s",
					 t[k].name);
			if (t[k].memory_mb)
				g->memory_mb = t[k].memory_mb;
			if (t[k].has_minor)
				g->minor = t[k].minor;
			matched++;
			break;
		}
	}
	return matched;
}

size_t
nvml_fill(struct discover *d, const char *lib)
{
	size_t n = 0, matched;
	struct nvml_gpu *t;

	if (d->gpu_count == 0 || !(t = nvml_read(lib, &n)))
		return 0;
	matched = nvml_match(d, t, n);
	if (matched < n)
		hc_log(HC_LOG_WARN, "nvml: %zu of %zu NVML devices match no "
		       "GPU hwloc found", n - matched, n);
	free(t);
	return matched;
}
