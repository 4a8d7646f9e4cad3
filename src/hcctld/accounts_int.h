/*
 * accounts_int: what the accounts_*.c files share and nothing else sees.
 */
#ifndef ACCOUNTS_INT_H
#define ACCOUNTS_INT_H

#include <stddef.h>

#include "accounts.h"

struct accounts {
	struct ctld *c;
	struct acct_obj **v[ACCT_NKINDS];	/* creation order */
	size_t n[ACCT_NKINDS];
};

/* Set o->uid from o->name (a user object); -1 with err if unknown. */
int accounts_uid_resolve(struct acct_obj *o, struct hc_err *err);

/* A name: 1 to ACCT_NAME_MAX-1 letters, digits, '-', '_', '.'; key names
 * the field in the error. */
int accounts_name_check(const char *key, const char *s, struct hc_err *err);

/* Store nw in place of old (same kind and name), free old. On error
 * nw is freed and old stays. */
int accounts_replace(struct accounts *a, struct acct_obj *old,
		     struct acct_obj *nw, struct hc_err *err);

/* What show prints of o: its keys, plus for an account the
 * resource-minutes charged to its subtree (UsedResMins). New reference. */
json_t *accounts_show_json(struct accounts *a, const struct acct_obj *o);

/* Record <-> object (accounts_store.c). */
json_t *accounts_obj_record(const struct acct_obj *o);
struct acct_obj *accounts_obj_from_record(struct accounts *a,
					  enum acct_kind kind, json_t *rec,
					  struct hc_err *err);

#endif
