/*
 * test_discover: hwloc discovery of the emulated node topologies in
 * testsuite/topologies (the real H100 and H200 nodes and the ones derived
 * from the first), and clear errors for a missing or garbage XML file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "discover.h"

#define TOPO(f) TOP_SRCDIR "/testsuite/topologies/" f

static struct discover *
load_ok(const char *path)
{
	struct hc_err err = { 0 };
	struct discover *d = discover_load(path, &err);

	if (!d)
		fail_msg("%s: %s", path, err.text);
	return d;
}

static void
test_fixture_h100(void **state)
{
	struct discover *d = load_ok(TOPO("h100-1gpu.xml"));

	assert_int_equal(d->sockets, 1);
	assert_int_equal(d->cores, 16);
	assert_int_equal(d->cpus, 16);
	assert_int_equal(d->threads, 1);
	assert_int_equal(d->memory_mb, 4927766528ull / (1024 * 1024));
	assert_string_equal(d->cpu_vendor, "GenuineIntel");
	assert_string_equal(d->arch, "x86_64");
	assert_int_equal(d->gpu_count, 1);
	assert_string_equal(d->gpus[0].pci_id, "10de:2330");
	assert_string_equal(d->gpus[0].type, "h100");
	assert_string_equal(d->gpus[0].model, "NVIDIA H100 80GB HBM3");
	assert_string_equal(d->gpus[0].busid, "0000:00:06.0");
	/* OpenCL OS device under the bridge, matched to the PCI device */
	assert_int_equal(d->gpus[0].memory_mb, 83024896 / 1024);
	assert_int_equal(strlen(d->topology_digest), 64);
	discover_destroy(d);
}

/* A real H200 node (a VM, 2026-11-28): hwloc's own Linux PCI discovery
 * finds the GPU but no OS device describes it (no NVML or CUDA plugin in
 * Debian's hwloc), so its model and memory come from the PCI id table.
 * On that node NVML added the UUID and serial (hcnoded --print-inventory). */
static void
test_fixture_h200(void **state)
{
	struct discover *d = load_ok(TOPO("h200-1gpu.xml"));

	assert_int_equal(d->cores, 16);
	assert_int_equal(d->cpus, 16);
	assert_int_equal(d->gpu_count, 1);
	assert_string_equal(d->gpus[0].pci_id, "10de:2335");
	assert_string_equal(d->gpus[0].type, "h200");
	assert_string_equal(d->gpus[0].model, "NVIDIA H200");
	assert_string_equal(d->gpus[0].vendor, "NVIDIA Corporation");
	assert_string_equal(d->gpus[0].busid, "0000:00:06.0");
	assert_int_equal(d->gpus[0].memory_mb, 143771);
	discover_destroy(d);
}

static void
check_gpus(const char *path, size_t n, unsigned cpus)
{
	struct discover *d = load_ok(path);

	assert_int_equal(d->gpu_count, n);
	assert_int_equal(d->cpus, cpus);
	assert_int_equal(d->sockets, 2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(d->gpus[i].index, (int)i);
		assert_string_equal(d->gpus[i].type, "h100");
		assert_string_equal(d->gpus[i].pci_id, "10de:2330");
		assert_true(d->gpus[i].memory_mb > 80000);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(d->gpus[i].busid,
						d->gpus[j].busid);
	}
	discover_destroy(d);
}

static void
test_gpu4(void **state)
{
	check_gpus(TOPO("gpu4-h100.xml"), 4, 32);
}

static void
test_gpu8(void **state)
{
	check_gpus(TOPO("gpu8-h100.xml"), 8, 64);
}

static void
test_cpu16(void **state)
{
	struct discover *d = load_ok(TOPO("cpu16.xml"));
	struct discover *f = load_ok(TOPO("h100-1gpu.xml"));

	assert_int_equal(d->gpu_count, 0);
	assert_null(d->gpus);
	assert_int_equal(d->cpus, 16);
	/* a different machine, a different digest */
	assert_string_not_equal(d->topology_digest, f->topology_digest);
	discover_destroy(d);
	discover_destroy(f);
}

static void
test_digest_stable(void **state)
{
	struct discover *a = load_ok(TOPO("gpu4-h100.xml"));
	struct discover *b = load_ok(TOPO("gpu4-h100.xml"));

	assert_string_equal(a->topology_digest, b->topology_digest);
	discover_destroy(a);
	discover_destroy(b);
}

static void
test_missing(void **state)
{
	struct hc_err err = { 0 };

	assert_null(discover_load("/nonexistent/topo.xml", &err));
	assert_int_equal(err.code, HC_EINVAL);
	assert_non_null(strstr(err.text, "/nonexistent/topo.xml"));
	assert_non_null(strstr(err.text, "No such file"));
}

static void
test_garbage(void **state)
{
	char path[] = "/tmp/test_discover.XXXXXX";
	struct hc_err err = { 0 };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "<topology><garbage", 18), 18);
	close(fd);
	assert_null(discover_load(path, &err));
	unlink(path);
	assert_int_equal(err.code, HC_EINVAL);
	assert_non_null(strstr(err.text, "hwloc cannot load it"));
}

static void
test_short_type(void **state)
{
	static const char *const cases[][2] = {
		{ "NVIDIA H100 80GB HBM3", "h100" },
		{ "NVIDIA A100-SXM4-40GB", "a100" },
		{ "Tesla V100-SXM2-16GB", "v100" },
		{ "AMD Instinct MI250X", "mi250x" },
		{ "", "" },
	};
	char out[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		discover_short_type(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	discover_short_type(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_h100),
		cmocka_unit_test(test_fixture_h200),
		cmocka_unit_test(test_gpu4),
		cmocka_unit_test(test_gpu8),
		cmocka_unit_test(test_cpu16),
		cmocka_unit_test(test_digest_stable),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_short_type),
	};
	return cmocka_run_group_tests_name("discover", tests, NULL, NULL);
}
