/*
 * test_identity: the signed inventory (canonical encoding, signature bound
 * to a session binding), its strict parse, the compute id formula, the
 * inventory diff, and NVML's absent-library path and bus id matching.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "discover.h"
#include "identity.h"
#include "invsig.h"
#include "nvml.h"

static const char *const inv_text =
	"{\"arch\":\"x86_64\",\"cores\":32,\"cpu_model\":\"Xeon\","
	"\"cpu_vendor\":\"GenuineIntel\",\"cpus\":64,\"gpus\":["
	"{\"busid\":\"0000:10:00.0\",\"index\":0,\"memory_mb\":81079,"
	"\"model\":\"NVIDIA H100\",\"pci_id\":\"10de:2330\",\"type\":\"h100\","
	"\"vendor\":\"NVIDIA\"},"
	"{\"busid\":\"0000:30:00.0\",\"index\":1,\"memory_mb\":81079,"
	"\"model\":\"NVIDIA H100\",\"pci_id\":\"10de:2330\",\"type\":\"h100\","
	"\"uuid\":\"GPU-1234\",\"vendor\":\"NVIDIA\"}],"
	"\"hcnoded_version\":\"0.1.0\",\"memory_mb\":515000,\"sockets\":2,"
	"\"threads\":2,\"topology_digest\":\"abcd\"}";

static json_t *
inv_load(void)
{
	json_t *inv = json_loads(inv_text, 0, NULL);

	assert_non_null(inv);
	return inv;
}

static void
test_canonical(void **state)
{
	json_t *a = inv_load();
	json_t *b = json_loads("{\"sockets\":2,\"arch\":\"x86_64\"}", 0, NULL);
	size_t len;
	char *s = invsig_canonical(a, &len);

	/* Sorted keys, no spaces: the text above is canonical already. */
	assert_string_equal(s, inv_text);
	assert_int_equal(len, strlen(inv_text));
	free(s);
	s = invsig_canonical(b, &len);
	assert_string_equal(s, "{\"arch\":\"x86_64\",\"sockets\":2}");
	free(s);
	json_decref(a);
	json_decref(b);
}

static void
sign_verify(const char *alg)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, alg, "P-256");
	EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, alg, "P-256");
	uint8_t bind[32] = { 1, 2, 3 }, bind2[32] = { 1, 2, 4 };
	uint8_t sig[INVSIG_SIG_MAX];
	size_t slen = 0, len = strlen(inv_text);
	char *blob = strdup(inv_text);
	struct hc_err err = { 0 };

	assert_non_null(key);
	assert_int_equal(invsig_sign(key, bind, blob, len, sig, &slen, &err),
			 0);
	assert_int_equal(invsig_verify(key, bind, blob, len, sig, slen, &err),
			 0);
	/* another session's binding */
	assert_int_equal(invsig_verify(key, bind2, blob, len, sig, slen, &err),
			 -1);
	assert_int_equal(err.code, HC_EAUTH);
	/* another key */
	assert_int_equal(invsig_verify(other, bind, blob, len, sig, slen,
				       &err), -1);
	/* one byte of the blob, one byte of the signature */
	blob[len / 2] ^= 1;
	assert_int_equal(invsig_verify(key, bind, blob, len, sig, slen, &err),
			 -1);
	blob[len / 2] ^= 1;
	sig[slen - 1] ^= 0x80;
	assert_int_equal(invsig_verify(key, bind, blob, len, sig, slen, &err),
			 -1);
	/* a truncated signature */
	assert_int_equal(invsig_verify(key, bind, blob, len, sig, 10, &err),
			 -1);
	free(blob);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void
test_sign_ed25519(void **state)
{
	sign_verify("ED25519");
}

static void
test_sign_p256(void **state)
{
	sign_verify("EC");
}

static void
test_b64(void **state)
{
	size_t n = 0;
	char *s = invsig_b64_encode("hello", 5);
	uint8_t *d = invsig_b64_decode(s, &n);

	assert_string_equal(s, "aGVsbG8=");
	assert_int_equal(n, 5);
	assert_memory_equal(d, "hello", 5);
	free(s);
	free(d);
	assert_null(invsig_b64_decode("aGVsbG8", &n));	/* not padded */
	assert_null(invsig_b64_decode("aGVsbG9=", &n));	/* not canonical */
	assert_null(invsig_b64_decode("a$==", &n));
	assert_null(invsig_b64_decode("", &n));
}

static void
test_parse_good(void **state)
{
	struct hc_err err = { 0 };
	json_t *inv = identity_inventory_parse(inv_text, strlen(inv_text),
					       &err);

	assert_non_null(inv);
	json_decref(inv);
}

/* Bad inputs side by side with what the refusal must name. */
static const struct {
	const char *text, *says;
} bad_invs[] = {
	{ "{\"arch\":", "not JSON" },
	{ "[1,2]", "not a JSON object" },
	{ "{\"arch\":1,\"cores\":1,\"cpu_model\":\"\",\"cpu_vendor\":\"\","
	  "\"cpus\":1,\"gpus\":[],\"hcnoded_version\":\"\",\"memory_mb\":1,"
	  "\"sockets\":1,\"threads\":1,\"topology_digest\":\"\"}",
	  "arch must be a string" },
	{ "{\"arch\":\"x\",\"cores\":-1,\"cpu_model\":\"\",\"cpu_vendor\":\"\","
	  "\"cpus\":1,\"gpus\":[],\"hcnoded_version\":\"\",\"memory_mb\":1,"
	  "\"sockets\":1,\"threads\":1,\"topology_digest\":\"\"}",
	  "cores must not be negative" },
	{ "{\"arch\":\"x\",\"cores\":1,\"cpu_model\":\"\",\"cpu_vendor\":\"\","
	  "\"cpus\":1,\"gpus\":[],\"memory_mb\":1,"
	  "\"sockets\":1,\"threads\":1,\"topology_digest\":\"\"}",
	  "hcnoded_version is missing" },
	{ "{\"arch\":\"x\",\"cores\":1,\"cpu_model\":\"\",\"cpu_vendor\":\"\","
	  "\"cpus\":1,\"gpus\":[7],\"hcnoded_version\":\"\",\"memory_mb\":1,"
	  "\"sockets\":1,\"threads\":1,\"topology_digest\":\"\"}",
	  "gpus[0] must be an object" },
	{ "{\"arch\":\"x\",\"cores\":1,\"cpu_model\":\"\",\"cpu_vendor\":\"\","
	  "\"cpus\":1,\"gpus\":[{\"busid\":\"b\",\"index\":0,\"memory_mb\":1,"
	  "\"model\":\"m\",\"pci_id\":\"p\",\"type\":\"t\",\"uuid\":5,"
	  "\"vendor\":\"v\"}],\"hcnoded_version\":\"\",\"memory_mb\":1,"
	  "\"sockets\":1,\"threads\":1,\"topology_digest\":\"\"}",
	  "gpus[0].uuid must be a string" },
	{ "{\"cores\":1,\"arch\":\"x\",\"cpu_model\":\"\",\"cpu_vendor\":\"\","
	  "\"cpus\":1,\"gpus\":[],\"hcnoded_version\":\"\",\"memory_mb\":1,"
	  "\"sockets\":1,\"threads\":1,\"topology_digest\":\"\"}",
	  "canonical" },
	{ "{\"arch\":\"x\", \"cores\":1,\"cpu_model\":\"\",\"cpu_vendor\":\"\","
	  "\"cpus\":1,\"gpus\":[],\"hcnoded_version\":\"\",\"memory_mb\":1,"
	  "\"sockets\":1,\"threads\":1,\"topology_digest\":\"\"}",
	  "canonical" },
	{ "{\"arch\":\"x\",\"arch\":\"y\"}", "not JSON" },
};

static void
test_parse_bad(void **state)
{
	for (size_t i = 0; i < sizeof(bad_invs) / sizeof(bad_invs[0]); i++) {
		struct hc_err err = { 0 };
		json_t *inv = identity_inventory_parse(bad_invs[i].text,
			strlen(bad_invs[i].text), &err);

		assert_null(inv);
		assert_int_equal(err.code, HC_EINVAL);
		if (!strstr(err.text, bad_invs[i].says))
			fail_msg("case %zu: '%s' does not say '%s'", i,
				 err.text, bad_invs[i].says);
	}
}

static void
id_of(const json_t *inv, char out[IDENTITY_ID_LEN])
{
	identity_compute_id("0123456789abcdef0123456789abcdef", "n3", inv,
			    out);
}

static void
test_compute_id(void **state)
{
	json_t *a = inv_load(), *b;
	char ida[IDENTITY_ID_LEN], idb[IDENTITY_ID_LEN], what[256];
	json_t *gpus;

	id_of(a, ida);
	assert_int_equal(strlen(ida), 36);
	assert_memory_equal(ida, "hc1-", 4);
	/* key order, GPU order, software version, digest, exact memory,
	 * sockets and threads: same id */
	b = json_loads("{\"topology_digest\":\"ffff\",\"threads\":1,"
		       "\"sockets\":1,\"memory_mb\":514900,"
		       "\"hcnoded_version\":\"9.9\",\"gpus\":["
		       "{\"uuid\":\"GPU-1234\",\"busid\":\"0000:30:00.0\"},"
		       "{\"pci_id\":\"10de:2330\",\"busid\":\"0000:10:00.0\"}],"
		       "\"cpus\":64,\"cpu_vendor\":\"x\",\"cpu_model\":\"Xeon\","
		       "\"cores\":32,\"arch\":\"x86_64\"}", 0, NULL);
	assert_non_null(b);
	id_of(b, idb);
	assert_string_equal(ida, idb);
	identity_diff(a, b, what, sizeof(what));
	assert_string_equal(what, "");
	/* other node name or cluster: other id */
	identity_compute_id("0123456789abcdef0123456789abcdef", "n4", a, idb);
	assert_string_not_equal(ida, idb);
	identity_compute_id("ffffffffffffffffffffffffffffffff", "n3", a, idb);
	assert_string_not_equal(ida, idb);
	/* a GPU gone */
	gpus = json_object_get(b, "gpus");
	json_array_remove(gpus, 1);
	id_of(b, idb);
	assert_string_not_equal(ida, idb);
	identity_diff(a, b, what, sizeof(what));
	assert_string_equal(what, "gpu 0000:10:00.0 gone");
	/* memory by a GiB, cores */
	json_decref(b);
	b = json_deep_copy(a);
	json_object_set_new(b, "memory_mb", json_integer(515000 - 1024));
	json_object_set_new(b, "cores", json_integer(16));
	id_of(b, idb);
	assert_string_not_equal(ida, idb);
	identity_diff(a, b, what, sizeof(what));
	assert_string_equal(what, "cores 32 -> 16, memory 503 GiB -> 502 GiB");
	json_decref(a);
	json_decref(b);
}

static void
test_accel_id(void **state)
{
	json_t *g = json_pack("{s:s,s:s}", "busid", "0000:10:00.0", "pci_id",
			      "10de:2330");
	char buf[128];

	identity_accel_id(g, buf, sizeof(buf));
	assert_string_equal(buf, "pci:0000:10:00.0:10de:2330");
	json_object_set_new(g, "serial", json_string("1654922001234"));
	identity_accel_id(g, buf, sizeof(buf));
	assert_string_equal(buf, "1654922001234");
	json_object_set_new(g, "uuid", json_string("GPU-abcd"));
	identity_accel_id(g, buf, sizeof(buf));
	assert_string_equal(buf, "GPU-abcd");
	json_decref(g);
}

static void
test_nvml_absent(void **state)
{
	struct discover_gpu gpus[1] = { { .busid = "0000:10:00.0" } };
	struct discover d = { .gpus = gpus, .gpu_count = 1 };
	size_t n = 99;

	assert_null(nvml_read("/nonexistent/libnvidia-ml.so.1", &n));
	assert_int_equal(n, 0);
	assert_int_equal(nvml_fill(&d, "/nonexistent/libnvidia-ml.so.1"), 0);
	assert_string_equal(gpus[0].uuid, "");
}

static void
test_nvml_match(void **state)
{
	struct discover_gpu gpus[3] = {
		{ .busid = "0000:10:00.0", .model = "from hwloc", .minor = 0 },
		{ .busid = "0000:30:00.0", .minor = 1 },
		{ .busid = "0001:a0:00.0", .minor = 2 },
	};
	struct discover d = { .gpus = gpus, .gpu_count = 3 };
	const struct nvml_gpu table[] = {
		{ 0x0001, 0xa0, 0, "GPU-cccc", "", "NVIDIA H100 PCIe", 81559,
		  true, 7 },
		{ 0, 0x10, 0, "GPU-aaaa", "1650000000001",
		  "NVIDIA H100 80GB HBM3", 81559, false, 0 },
		{ 0, 0x50, 0, "GPU-dddd", "", "NVIDIA H100", 81559, false, 0 },
	};

	assert_int_equal(nvml_match(&d, table, 3), 2);
	assert_string_equal(gpus[0].uuid, "GPU-aaaa");
	assert_string_equal(gpus[0].serial, "1650000000001");
	assert_string_equal(gpus[0].model, "NVIDIA H100 80GB HBM3");
	assert_string_equal(gpus[1].uuid, "");
	assert_string_equal(gpus[2].uuid, "GPU-cccc");
	assert_string_equal(gpus[2].serial, "");
	assert_int_equal(gpus[2].memory_mb, 81559);
	/* the device node NVML names, else the index */
	assert_int_equal(gpus[2].minor, 7);
	assert_int_equal(gpus[0].minor, 0);
	assert_int_equal(gpus[1].minor, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_sign_ed25519),
		cmocka_unit_test(test_sign_p256),
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_compute_id),
		cmocka_unit_test(test_accel_id),
		cmocka_unit_test(test_nvml_absent),
		cmocka_unit_test(test_nvml_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
