/*
 * inventory: the INVENTORY object of NODE_REGISTER (msg.h) built from the
 * discovery, its canonical encoding signed with the node key and bound to
 * the connection (invsig.h), and a check of what was found against the
 * node's hc.conf line (CPUs, RealMemory, Gres): a mismatch is logged here
 * and judged by the controller.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "invsig.h"
#include "log.h"
#include "noded.h"

json_t *
inventory_json(const struct discover *d)
{
	json_t *gpus = json_array();
	json_t *inv;

	for (size_t i = 0; i < d->gpu_count; i++) {
		const struct discover_gpu *g = &d->gpus[i];
		json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:I}",
			"index", g->index, "vendor", g->vendor, "model",
			g->model, "type", g->type, "pci_id", g->pci_id,
			"busid", g->busid, "memory_mb",
			(json_int_t)g->memory_mb);
		if (g->uuid[0])
			json_object_set_new(o, "uuid", json_string(g->uuid));
		if (g->serial[0])
			json_object_set_new(o, "serial",
					    json_string(g->serial));
		json_array_append_new(gpus, o);
	}
	inv = json_pack("{s:i,s:i,s:i,s:i,s:I,s:s,s:s,s:s,s:o,s:s,s:s}",
		"sockets", (int)d->sockets, "cores", (int)d->cores,
		"threads", (int)d->threads, "cpus", (int)d->cpus,
		"memory_mb", (json_int_t)d->memory_mb,
		"cpu_vendor", d->cpu_vendor, "cpu_model", d->cpu_model,
		"arch", d->arch, "gpus", gpus,
		"topology_digest", d->topology_digest,
		"hcnoded_version", PACKAGE_VERSION);
	return inv;
}

/* Tests only: HC_TEST_TAMPER_INVENTORY=1 flips one byte of the blob after
 * signing, so the controller's refusal of a bad signature can be seen. */
static void
test_tamper(char *blob, size_t len)
{
	const char *v = getenv("HC_TEST_TAMPER_INVENTORY");

	if (v && !strcmp(v, "1") && len > 2) {
		blob[len / 2] ^= 0x01;
		hc_log(HC_LOG_WARN, "HC_TEST_TAMPER_INVENTORY=1: sending a "
		       "tampered inventory (for tests only)");
	}
}

int
inventory_sign_into(const struct discover *d, EVP_PKEY *key,
		    const uint8_t binding[INVSIG_BINDING_LEN], json_t *body,
		    struct hc_err *err)
{
	json_t *inv = inventory_json(d);
	uint8_t sig[INVSIG_SIG_MAX];
	size_t len = 0, slen = 0;
	char *blob = invsig_canonical(inv, &len), *b64, *s64;
	int rc = invsig_sign(key, binding, blob, len, sig, &slen, err);

	if (rc == 0) {
		test_tamper(blob, len);
		b64 = invsig_b64_encode(blob, len);
		s64 = invsig_b64_encode(sig, slen);
		json_object_set_new(body, "inventory_blob", json_string(b64));
		json_object_set_new(body, "inventory_sig", json_string(s64));
		json_object_set(body, "inventory", inv);
		free(b64);
		free(s64);
	}
	free(blob);
	json_decref(inv);
	return rc;
}

EVP_PKEY *
inventory_key(struct noded *nd, struct hc_err *err)
{
	if (!nd->node_key)
		hc_err_set(err, HC_EINTERNAL, "node %s: no node key loaded "
			   "(NodeKey)", nd->me->name);
	return nd->node_key;
}

void
inventory_check(const struct discover *d, const struct conf_node *me)
{
	uint64_t want_gpus = 0;

	for (size_t i = 0; i < me->gres.count; i++)
		if (strcmp(me->gres.items[i].name, "gpu") == 0)
			want_gpus += me->gres.items[i].count;
	if (me->cpus > 0 && (unsigned long)me->cpus != d->cpus)
		hc_log(HC_LOG_WARN, "node=%s hc.conf says CPUs=%ld, found %u",
		       me->name, me->cpus, d->cpus);
	if (me->real_memory_mb > d->memory_mb)
		hc_log(HC_LOG_WARN, "node=%s hc.conf says RealMemory=%llu, "
		       "found %llu MiB", me->name,
		       (unsigned long long)me->real_memory_mb,
		       (unsigned long long)d->memory_mb);
	if (want_gpus != d->gpu_count)
		hc_log(HC_LOG_WARN, "node=%s hc.conf says %llu GPUs, found "
		       "%zu", me->name, (unsigned long long)want_gpus,
		       d->gpu_count);
	hc_log(HC_LOG_INFO, "node=%s sockets=%u cores=%u threads=%u cpus=%u "
	       "memory_mb=%llu gpus=%zu%s%s digest=%.16s", me->name,
	       d->sockets, d->cores, d->threads, d->cpus,
	       (unsigned long long)d->memory_mb, d->gpu_count,
	       d->gpu_count ? " gpu_type=" : "",
	       d->gpu_count ? d->gpus[0].type : "", d->topology_digest);
	for (size_t i = 0; i < d->gpu_count; i++)
		hc_log(HC_LOG_INFO, "node=%s gpu=%zu type=%s busid=%s "
		       "device=/dev/nvidia%u uuid=%s", me->name, i,
		       d->gpus[i].type, d->gpus[i].busid, d->gpus[i].minor,
		       d->gpus[i].uuid[0] ? d->gpus[i].uuid : "-");
}
