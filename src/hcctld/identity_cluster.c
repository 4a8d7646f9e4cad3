/*
 * identity_cluster: the cluster id that compute ids are made from.
 *
 * `hc-ca init` makes the cluster id and writes it into the CA certificate's
 * subject as OU=cluster-<32 hex>; whoever holds TrustedCA knows it. hcctld
 * reads it from TrustedCA at start and on reconfigure. A CA certificate
 * without that OU (not made by hc-ca) leaves the id of StateDir's meta
 * record (made at the state's first open), and that is logged.
 *
 * The id in use is kept in the meta record "compute_cluster". Every compute
 * id depends on it, so a TrustedCA that carries another id while identity
 * records exist is refused (the start, or the reconfigure): the records'
 * ids would no longer match any node's hardware.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ca.h"
#include "conf.h"
#include "ctld.h"
#include "identity.h"
#include "log.h"
#include "state.h"

static const char meta_key[] = "compute_cluster";

static int
has_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	(void)key;
	(void)klen;
	(void)rec;
	*(bool *)arg = true;
	return 1;
}

static bool
records_exist(struct ctld *c)
{
	bool any = false;

	state_walk(c->state, STATE_DB_IDENTITIES, has_one, &any, NULL);
	return any;
}

/* The id recorded as in use, into out ("" when none). */
static void
recorded_id(struct ctld *c, char out[IDENTITY_CLUSTER_LEN])
{
	json_t *rec = state_get(c->state, STATE_DB_META, meta_key,
				sizeof(meta_key) - 1, NULL);
	const char *id = json_string_value(json_object_get(rec,
							   "cluster_id"));

	snprintf(out, IDENTITY_CLUSTER_LEN, "%s", id ? id : "");
	json_decref(rec);
}

/* TrustedCA's id, else StateDir's; *from says which. */
static int
resolve(struct ctld *c, const struct hc_conf *conf,
	char out[IDENTITY_CLUSTER_LEN], const char **from, struct hc_err *err)
{
	int rc = 1;

	if (conf->trusted_ca) {
		rc = ca_cert_cluster_id(conf->trusted_ca, out, err);
		if (rc < 0)
			return hc_err_prefix(err, "TrustedCA: ");
	}
	*from = conf->trusted_ca ? conf->trusted_ca : "StateDir";
	if (rc == 0)
		return 0;
	hc_log(HC_LOG_WARN, "TrustedCA %s has no OU=cluster-<id> (not made "
	       "by hc-ca init): compute ids use StateDir's cluster id %s",
	       conf->trusted_ca ? conf->trusted_ca : "(unset)",
	       state_cluster_id(c->state));
	snprintf(out, IDENTITY_CLUSTER_LEN, "%s", state_cluster_id(c->state));
	*from = "StateDir";
	return 0;
}

int
identity_cluster_load(struct ctld *c, const struct hc_conf *conf,
		      struct hc_err *err)
{
	char id[IDENTITY_CLUSTER_LEN], was[IDENTITY_CLUSTER_LEN];
	const char *from = NULL;
	json_t *rec;

	if (resolve(c, conf, id, &from, err) < 0)
		return -1;
	if (c->cluster_id[0])
		snprintf(was, sizeof(was), "%s", c->cluster_id);
	else
		recorded_id(c, was);
	if (!strcmp(id, was)) {
		snprintf(c->cluster_id, sizeof(c->cluster_id), "%s", id);
		return 0;
	}
	/* Security: compute ids vouch for hardware under one cluster id; a
	 * CA of another cluster must not silently re-key them all. */
	if (was[0] && records_exist(c))
		return hc_err_set(err, HC_EPERM, "%s carries cluster id %s, "
				  "but the node identity records in StateDir "
				  "were made under cluster id %s: every "
				  "compute id would change. Put back the CA "
				  "certificate of that cluster, or start the "
				  "new cluster with an empty StateDir", from,
				  id, was);
	if (was[0])
		hc_log(HC_LOG_WARN, "cluster id for compute ids changes from "
		       "%s to %s (from %s); no identity records yet", was, id,
		       from);
	else if (records_exist(c) && strcmp(id, state_cluster_id(c->state)))
		hc_log(HC_LOG_ERR, "compute ids now use cluster id %s (from "
		       "%s) instead of StateDir's %s: every node's compute id "
		       "changes and each is drained 'inventory changed' until "
		       "accepted", id, from, state_cluster_id(c->state));
	else
		hc_log(HC_LOG_INFO, "cluster_id=%s for compute ids, from %s",
		       id, from);
	snprintf(c->cluster_id, sizeof(c->cluster_id), "%s", id);
	rec = json_pack("{s:s,s:s}", "cluster_id", id, "from", from);
	if (state_put(c->state, STATE_DB_META, meta_key,
		      sizeof(meta_key) - 1, rec, err) < 0) {
		json_decref(rec);
		return -1;
	}
	json_decref(rec);
	return 0;
}
