/*
 * accounts: the objects (accounts, users, QOS), their keys and their LMDB
 * records (see accounts.h).
 *
 * One key table says which Key= each kind takes and how its value is
 * parsed; records, `hcctl show` and the man page follow it. An empty value
 * clears a key (a limit back to none, Parent back to root).
 */
#include "config.h"

#include <ctype.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "accounts_int.h"
#include "ctld.h"
#include "log.h"
#include "sched_account.h"
#include "state.h"

enum key_type { K_NAME, K_NAMES, K_TEXT, K_SHARES, K_COUNT, K_WALL, K_RES };

#define KA (1u << ACCT_ACCOUNT)
#define KU (1u << ACCT_USER)
#define KQ (1u << ACCT_QOS)
#define O(f) offsetof(struct acct_obj, f)

static const struct acct_key {
	const char *name;
	enum key_type type;
	size_t off;
	unsigned kinds;
} keys[] = {
	{ "Parent", K_NAME, O(parent), KA },
	{ "Account", K_NAMES, O(accounts), KU },
	{ "DefaultAccount", K_NAME, O(default_account), KU },
	{ "Shares", K_SHARES, O(shares), KA | KU },
	{ "Priority", K_COUNT, O(priority), KQ },
	{ "GrpRes", K_RES, O(grp_res), KA | KU | KQ },
	{ "GrpResMins", K_RES, O(grp_res_mins), KA },
	{ "GrpJobs", K_COUNT, O(grp_jobs), KA | KU | KQ },
	{ "GrpCloudNodeMins", K_COUNT, O(grp_cloud_node_mins), KA },
	{ "GrpCloudCost", K_COUNT, O(grp_cloud_cost), KA },
	{ "GrpSubmit", K_COUNT, O(grp_submit), KA | KU },
	{ "MaxJobsPerUser", K_COUNT, O(max_jobs_per_user), KQ },
	{ "MaxWall", K_WALL, O(max_wall), KA | KU | KQ },
	{ "DefaultQOS", K_NAME, O(default_qos), KA },
	{ "QOS", K_NAMES, O(qos), KA },
	{ "Description", K_TEXT, O(descr), KA | KU | KQ },
	{ NULL, 0, 0, 0 },
};

static const char *const kind_names[ACCT_NKINDS] = {
	[ACCT_ACCOUNT] = "account", [ACCT_USER] = "user", [ACCT_QOS] = "qos",
};

const char *
accounts_kind_name(enum acct_kind kind)
{
	return kind < ACCT_NKINDS ? kind_names[kind] : "?";
}

int
accounts_kind_parse(const char *s)
{
	for (int k = 0; k < ACCT_NKINDS; k++)
		if (s && !strcmp(s, kind_names[k]))
			return k;
	return -1;
}

bool
accounts_in_list(const char *csv, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = csv; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !strncmp(p, name, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

int
accounts_name_check(const char *key, const char *s, struct hc_err *err)
{
	size_t n = strlen(s);

	if (n == 0 || n >= ACCT_NAME_MAX)
		return hc_err_set(err, HC_EINVAL, "%s=%s: give a name of 1 to "
				  "%d characters", key, s, ACCT_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return hc_err_set(err, HC_EINVAL, "%s=%s: invalid "
					  "character '%c'; names use letters, "
					  "digits, '-', '_' and '.'", key, s,
					  s[i]);
	return 0;
}

static int
names_check(const char *key, const char *s, struct hc_err *err)
{
	char *copy = hc_strdup(s), *save = NULL;
	int rc = 0;

	if (!*s || strstr(s, ",,") || *s == ',' || s[strlen(s) - 1] == ',')
		rc = hc_err_set(err, HC_EINVAL, "%s=%s: give names separated "
				"by single commas", key, s);
	for (char *w = strtok_r(copy, ",", &save); w && !rc;
	     w = strtok_r(NULL, ",", &save))
		rc = accounts_name_check(key, w, err);
	free(copy);
	return rc;
}

static int
res_set(const char *key, const char *val, struct res_list *rl,
	struct hc_err *err)
{
	struct res_list nl = { 0 };

	if (*val && res_list_parse(val, &nl, err) < 0)
		return hc_err_prefix(err, "%s=%s: ", key, val);
	if (nl.count > SCHED_ACCT_MAX_RES) {
		res_list_free(&nl);
		return hc_err_set(err, HC_EINVAL, "%s=%s: at most %d "
				  "resources", key, val, SCHED_ACCT_MAX_RES);
	}
	res_list_free(rl);
	*rl = nl;
	return 0;
}

static int
num_set(const struct acct_key *k, const char *val, long *out,
	struct hc_err *err)
{
	long v = 0;

	if (k->type == K_WALL) {
		if (*val && parse_time_limit(val, &v, err) < 0)
			return hc_err_prefix(err, "%s=%s: ", k->name, val);
		*out = v < 0 ? 0 : v;	/* UNLIMITED: no limit */
		return 0;
	}
	if (!*val) {
		*out = k->type == K_SHARES ? 1 : 0;
		return 0;
	}
	if (parse_long(val, k->type == K_SHARES ? 1 : 0, 1000000000L, &v,
		       err) < 0)
		return hc_err_prefix(err, "%s=%s: ", k->name, val);
	*out = v;
	return 0;
}

int
accounts_uid_resolve(struct acct_obj *o, struct hc_err *err)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(o->name, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return hc_err_set(err, HC_ENOENT, "user %s: no such user on "
				  "the controller's host; check the name",
				  o->name);
	o->uid = (uint32_t)res->pw_uid;
	return 0;
}

int
accounts_set_key(struct accounts *a, struct acct_obj *o, const char *key,
		 const char *val, struct hc_err *err)
{
	const struct acct_key *k;
	char valid[256] = "";

	for (k = keys; k->name; k++) {
		size_t l = strlen(valid);

		if (!(k->kinds & (1u << o->kind)))
			continue;
		snprintf(valid + l, sizeof(valid) - l, "%s%s", l ? ", " : "",
			 k->name);
		if (!strcasecmp(k->name, key))
			break;
	}
	if (!k->name)
		return hc_err_set(err, HC_EINVAL, "%s: unknown key '%s'; "
				  "valid keys: %s", kind_names[o->kind], key,
				  valid);
	switch (k->type) {
	case K_NAME:
	case K_NAMES:
	case K_TEXT: {
		char **f = (char **)((char *)o + k->off);

		if (*val && k->type == K_NAME &&
		    accounts_name_check(k->name, val, err))
			return -1;
		if (*val && k->type == K_NAMES && names_check(k->name, val,
							      err))
			return -1;
		free(*f);
		*f = *val ? hc_strdup(val) : NULL;
		return 0;
	}
	case K_RES:
		return res_set(k->name, val,
			       (struct res_list *)((char *)o + k->off), err);
	default:
		return num_set(k, val, (long *)((char *)o + k->off), err);
	}
}

static char *
key_value(const struct acct_obj *o, const struct acct_key *k)
{
	const void *f = (const char *)o + k->off;
	char buf[48];

	switch (k->type) {
	case K_NAME:
	case K_NAMES:
	case K_TEXT:
		return hc_strdup(*(char *const *)f ? *(char *const *)f : "");
	case K_RES:
		return res_list_format(f);
	case K_WALL:
		if (!*(const long *)f)
			return hc_strdup("");
		format_time_limit(*(const long *)f, buf, sizeof(buf));
		return hc_strdup(buf);
	default:
		snprintf(buf, sizeof(buf), "%ld", *(const long *)f);
		return hc_strdup(buf);
	}
}

json_t *
accounts_obj_json(const struct acct_obj *o)
{
	json_t *r = json_pack("{s:s}", "Name", o->name);

	for (const struct acct_key *k = keys; k->name; k++) {
		if (!(k->kinds & (1u << o->kind)))
			continue;
		char *v = key_value(o, k);

		json_object_set_new(r, k->name, json_string(v));
		free(v);
	}
	return r;
}

struct acct_obj *
accounts_obj_new(enum acct_kind kind, const char *name)
{
	struct acct_obj *o = hc_calloc(1, sizeof(*o));

	o->kind = kind;
	o->name = hc_strdup(name);
	o->shares = 1;
	if (kind == ACCT_ACCOUNT)
		o->used = json_object();
	return o;
}

void
accounts_obj_free(struct acct_obj *o)
{
	if (!o)
		return;
	for (const struct acct_key *k = keys; k->name; k++) {
		void *f = (char *)o + k->off;

		if (k->type == K_RES)
			res_list_free(f);
		else if (k->type == K_NAME || k->type == K_NAMES ||
			 k->type == K_TEXT)
			free(*(char **)f);
	}
	json_decref(o->used);
	free(o->name);
	free(o);
}
