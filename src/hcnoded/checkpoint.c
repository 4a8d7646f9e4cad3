/*
 * checkpoint: the audit checkpoints the controller sends (AUDIT_CHECKPOINT,
 * after registration and every AuditCheckpointEvery entries). Each is
 * checked with the controller's public key from the registration reply and
 * the last one is kept in SpoolDir/checkpoint.json: a copy of the audit
 * log's head kept off the controller, which `hcctl verify audit --anchors`
 * can check the chain against. A checkpoint with a lower seq than the one
 * kept means the controller's log went back (restored, truncated or
 * rewritten): it is refused and logged loudly, and the kept one stays;
 * so is one with the same seq and another hash (a rewritten log).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "noded.h"
#include "stepcred.h"

/* The signed bytes: canonical JSON of {"hash","seq","time"}. */
static int
cp_check(const struct noded *nd, const json_t *cp, struct hc_err *err)
{
	json_t *o = json_pack("{s:O, s:O, s:O}", "seq",
			      json_object_get(cp, "seq"), "hash",
			      json_object_get(cp, "hash"), "time",
			      json_object_get(cp, "time"));
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc;

	json_decref(o);
	if (!text)
		return hc_err_set(err, HC_EINVAL, "malformed");
	if (!nd->step_key)
		rc = hc_err_set(err, HC_EAUTH, "no controller key yet");
	else
		rc = stepcred_verify_bytes(nd->step_key, text, strlen(text),
					   json_string_value(json_object_get(
						   cp, "sig")), err);
	free(text);
	return rc;
}

/* The kept checkpoint's seq (0: none), its hash into hash. */
static json_int_t
kept_seq(const char *path, char hash[65])
{
	json_t *o = json_load_file(path, 0, NULL);
	json_int_t seq = o ? json_integer_value(json_object_get(o, "seq")) : 0;
	const char *h = json_string_value(json_object_get(o, "hash"));

	snprintf(hash, 65, "%s", h ? h : "");
	json_decref(o);
	return seq;
}

void
checkpoint_on_frame(struct noded *nd, json_t *cp)
{
	struct hc_err err = { 0 };
	char *path = hc_asprintf("%s/checkpoint.json", nd->spool);
	char *tmp = hc_asprintf("%s.tmp", path);
	json_int_t seq = json_integer_value(json_object_get(cp, "seq"));
	const char *hash = json_string_value(json_object_get(cp, "hash"));
	char kept[65];
	json_int_t have = kept_seq(path, kept);

	if (cp_check(nd, cp, &err) < 0) {
		hc_log(HC_LOG_ERR, "audit checkpoint seq=%lld refused: %s",
		       (long long)seq, err.text);
	} else if (seq < have) {
		/* Security: the controller's audit log went back. */
		hc_log(HC_LOG_ERR, "audit checkpoint seq=%lld is behind the "
		       "one kept (seq=%lld): the controller's audit log was "
		       "rewound (restored, truncated or rewritten); keeping "
		       "%s -- check it with hcctl verify audit --anchors",
		       (long long)seq, (long long)have, path);
	} else if (seq == have && strcmp(kept, hash ? hash : "")) {
		/* Security: same place in the log, another history. */
		hc_log(HC_LOG_ERR, "audit checkpoint seq=%lld has hash %.16s "
		       "but the one kept has %.16s: the controller's audit log "
		       "was rewritten; keeping %s -- check it with hcctl "
		       "verify audit --anchors", (long long)seq,
		       hash ? hash : "", kept, path);
	} else if (seq > have) {
		if (json_dump_file(cp, tmp, JSON_COMPACT | JSON_SORT_KEYS) ||
		    rename(tmp, path) < 0) {
			hc_log(HC_LOG_ERR, "audit checkpoint: cannot write %s",
			       path);
			unlink(tmp);
		} else {
			hc_log(HC_LOG_INFO, "audit checkpoint seq=%lld kept",
			       (long long)seq);
		}
	}
	free(tmp);
	free(path);
}
