/*
 * identity: a node's signed inventory checked strictly, and the compute id
 * derived from it.
 *
 * Compute id, version "hc1" (also in hcctld(8)):
 *
 *	"hc1-" + the first 32 hex digits of SHA-256 over the lines
 *		hc-compute-id-v1
 *		<cluster id>
 *		<node name>
 *		<accelerator identities, sorted, joined with ','>
 *		<CPU model>
 *		<core count>
 *		<memory in GiB, rounded to the nearest>
 *	each followed by '\n'.
 *
 * An accelerator's identity is its UUID, else its serial number, else
 * "pci:<bus id>:<vendor:device>" (emulated topologies have no UUIDs). The
 * cluster id is the one `hc-ca init` wrote into the CA certificate, else
 * the controller's own (StateDir). Left out on purpose, because they change
 * with upgrades and not with the hardware: the topology digest, software
 * versions, exact memory, socket and thread counts. So the id is the same
 * across restarts, certificate renewals and upgrades, and changes when a
 * GPU goes, comes or is swapped, or the CPU or memory size changes. A new
 * formula gets a new version prefix ("hc2-"); records keep old ids.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "identity.h"
#include "log.h"

/* The INVENTORY fields (msg.h) and their JSON types. */
struct inv_field {
	const char *name;
	json_type type;
	bool required;
};

static const struct inv_field inv_fields[] = {
	{ "arch", JSON_STRING, true },
	{ "cores", JSON_INTEGER, true },
	{ "cpu_model", JSON_STRING, true },
	{ "cpu_vendor", JSON_STRING, true },
	{ "cpus", JSON_INTEGER, true },
	{ "gpus", JSON_ARRAY, true },
	{ "hcnoded_version", JSON_STRING, true },
	{ "memory_mb", JSON_INTEGER, true },
	{ "sockets", JSON_INTEGER, true },
	{ "threads", JSON_INTEGER, true },
	{ "topology_digest", JSON_STRING, true },
	{ NULL, JSON_NULL, false },
};

static const struct inv_field gpu_fields[] = {
	{ "busid", JSON_STRING, true },
	{ "index", JSON_INTEGER, true },
	{ "memory_mb", JSON_INTEGER, true },
	{ "model", JSON_STRING, true },
	{ "pci_id", JSON_STRING, true },
	{ "serial", JSON_STRING, false },
	{ "type", JSON_STRING, true },
	{ "uuid", JSON_STRING, false },
	{ "vendor", JSON_STRING, true },
	{ NULL, JSON_NULL, false },
};

static const char *const type_names[] = {
	[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
	[JSON_STRING] = "a string", [JSON_INTEGER] = "an integer",
	[JSON_REAL] = "a number", [JSON_TRUE] = "a boolean",
	[JSON_FALSE] = "a boolean", [JSON_NULL] = "null",
};

static int
fields_check(const json_t *o, const struct inv_field *f, const char *where,
	     struct hc_err *err)
{
	for (; f->name; f++) {
		json_t *v = json_object_get(o, f->name);

		if (!v && !f->required)
			continue;
		if (!v)
			return hc_err_set(err, HC_EINVAL, "inventory: %s%s is "
					  "missing", where, f->name);
		if (json_typeof(v) != f->type)
			return hc_err_set(err, HC_EINVAL, "inventory: %s%s "
					  "must be %s", where, f->name,
					  type_names[f->type]);
		if (f->type == JSON_INTEGER && json_integer_value(v) < 0)
			return hc_err_set(err, HC_EINVAL, "inventory: %s%s "
					  "must not be negative", where,
					  f->name);
	}
	return 0;
}

json_t *
identity_inventory_parse(const void *blob, size_t len, struct hc_err *err)
{
	json_error_t je;
	json_t *inv, *gpus, *g;
	char *again, where[32];
	size_t i, alen;

	inv = json_loadb(blob, len, JSON_REJECT_DUPLICATES, &je);
	if (!inv) {
		hc_err_set(err, HC_EINVAL, "inventory: not JSON: %s at "
			   "byte %d", je.text, je.position);
		return NULL;
	}
	if (!json_is_object(inv)) {
		hc_err_set(err, HC_EINVAL, "inventory: not a JSON object");
		goto bad;
	}
	if (fields_check(inv, inv_fields, "", err) < 0)
		goto bad;
	gpus = json_object_get(inv, "gpus");
	json_array_foreach(gpus, i, g) {
		snprintf(where, sizeof(where), "gpus[%zu].", i);
		if (!json_is_object(g)) {
			hc_err_set(err, HC_EINVAL, "inventory: gpus[%zu] must "
				   "be an object", i);
			goto bad;
		}
		if (fields_check(g, gpu_fields, where, err) < 0)
			goto bad;
	}
	/* Security: one inventory, one spelling; what was signed is what
	 * is stored and re-verified later. */
	again = json_dumps(inv, JSON_COMPACT | JSON_SORT_KEYS);
	alen = again ? strlen(again) : 0;
	if (!again || alen != len || memcmp(again, blob, len) != 0) {
		free(again);
		hc_err_set(err, HC_EINVAL, "inventory: not in canonical form "
			   "(compact JSON with sorted keys)");
		goto bad;
	}
	free(again);
	return inv;
bad:
	json_decref(inv);
	return NULL;
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

void
identity_accel_id(const json_t *gpu, char *out, size_t len)
{
	if (*jstr(gpu, "uuid"))
		snprintf(out, len, "%s", jstr(gpu, "uuid"));
	else if (*jstr(gpu, "serial"))
		snprintf(out, len, "%s", jstr(gpu, "serial"));
	else
		snprintf(out, len, "pci:%s:%s", jstr(gpu, "busid"),
			 jstr(gpu, "pci_id"));
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The accelerator identities of inv, sorted; caller frees each and v. */
static char **
accel_ids(const json_t *inv, size_t *np)
{
	json_t *gpus = json_object_get(inv, "gpus"), *g;
	size_t n = json_array_size(gpus), i;
	char **v = hc_calloc(n ? n : 1, sizeof(*v)), buf[256];

	json_array_foreach(gpus, i, g) {
		identity_accel_id(g, buf, sizeof(buf));
		v[i] = hc_strdup(buf);
	}
	qsort(v, n, sizeof(*v), str_cmp);
	*np = n;
	return v;
}

static long long
mem_gib(const json_t *inv)
{
	json_int_t mb = json_integer_value(json_object_get(inv, "memory_mb"));

	return (long long)((mb + 512) / 1024);
}

void
identity_compute_id(const char *cluster_id, const char *name,
		    const json_t *inv, char out[IDENTITY_ID_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t n;
	char **ids = accel_ids(inv, &n), *line;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		hc_fatal("SHA-256 failed (OpenSSL)");
	line = hc_asprintf("hc-compute-id-v1\n%s\n%s\n", cluster_id, name);
	EVP_DigestUpdate(md, line, strlen(line));
	free(line);
	for (size_t i = 0; i < n; i++) {
		if (i)
			EVP_DigestUpdate(md, ",", 1);
		EVP_DigestUpdate(md, ids[i], strlen(ids[i]));
		free(ids[i]);
	}
	free(ids);
	line = hc_asprintf("\n%s\n%lld\n%lld\n", jstr(inv, "cpu_model"),
		(long long)json_integer_value(json_object_get(inv, "cores")),
		mem_gib(inv));
	EVP_DigestUpdate(md, line, strlen(line));
	free(line);
	if (!EVP_DigestFinal_ex(md, dg, &dlen) || dlen < 16)
		hc_fatal("SHA-256 failed (OpenSSL)");
	EVP_MD_CTX_free(md);
	memcpy(out, "hc1-", 4);
	for (unsigned i = 0; i < 16; i++)
		snprintf(out + 4 + 2 * i, 3, "%02x", dg[i]);
}

static void
append(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
append(char *out, size_t len, const char *fmt, ...)
{
	size_t used = strlen(out);
	va_list ap;

	if (used + 2 >= len)
		return;
	if (used)
		used += (size_t)snprintf(out + used, len - used, ", ");
	va_start(ap, fmt);
	vsnprintf(out + used, len - used, fmt, ap);
	va_end(ap);
}

/* The GPU of inv whose identity is id, or NULL. */
static const json_t *
gpu_by_id(const json_t *inv, const char *id)
{
	json_t *g;
	size_t i;
	char buf[256];

	json_array_foreach(json_object_get(inv, "gpus"), i, g) {
		identity_accel_id(g, buf, sizeof(buf));
		if (!strcmp(buf, id))
			return g;
	}
	return NULL;
}

/* "gpu BUSID gone" for each GPU of a not in b (word "gone" or "new"). */
static void
diff_gpus(const json_t *a, const json_t *b, const char *word, char *out,
	  size_t len)
{
	json_t *g;
	size_t i;
	char buf[256];

	json_array_foreach(json_object_get(a, "gpus"), i, g) {
		identity_accel_id(g, buf, sizeof(buf));
		if (gpu_by_id(b, buf))
			continue;
		if (*jstr(g, "uuid") || *jstr(g, "serial"))
			append(out, len, "gpu %s (%s) %s", jstr(g, "busid"),
			       buf, word);
		else
			append(out, len, "gpu %s %s", jstr(g, "busid"), word);
	}
}

void
identity_diff(const json_t *old_inv, const json_t *new_inv, char *out,
	      size_t len)
{
	json_int_t oc = json_integer_value(json_object_get(old_inv, "cores"));
	json_int_t nc = json_integer_value(json_object_get(new_inv, "cores"));

	out[0] = '\0';
	diff_gpus(old_inv, new_inv, "gone", out, len);
	diff_gpus(new_inv, old_inv, "new", out, len);
	if (strcmp(jstr(old_inv, "cpu_model"), jstr(new_inv, "cpu_model")))
		append(out, len, "cpu model \"%s\" -> \"%s\"",
		       jstr(old_inv, "cpu_model"), jstr(new_inv, "cpu_model"));
	if (oc != nc)
		append(out, len, "cores %lld -> %lld", (long long)oc,
		       (long long)nc);
	if (mem_gib(old_inv) != mem_gib(new_inv))
		append(out, len, "memory %lld GiB -> %lld GiB",
		       mem_gib(old_inv), mem_gib(new_inv));
}
