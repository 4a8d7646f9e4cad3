/*
 * usercache: the accounts jobs run as (uid -> name and supplementary
 * groups; gid -> group name), looked up through NSS once and kept for a
 * short while, so that a burst of jobs does not read passwd/group (or ask
 * the directory service) for every job: hcnoded at each launch, hcctld at
 * each submit. See usercache.c for the rules.
 */
#ifndef HC_USERCACHE_H
#define HC_USERCACHE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "hc_err.h"

/* How long an entry is trusted: a change to a user's groups applies to
 * that user's jobs within this many seconds (hcnoded(8), hcctld(8)). */
#define USERCACHE_TTL 60

struct user_info {
	uid_t uid;
	gid_t gid;		/* primary group the groups were listed for */
	char *name;		/* owned by the cache */
	gid_t *groups;		/* owned by the cache; NULL when not listed */
	int ngroups;
	time_t resolved;	/* when NSS answered */
};

struct group_info {
	gid_t gid;
	char *name;		/* owned by the cache */
	time_t resolved;	/* when NSS answered */
};

struct usercache;

struct usercache *usercache_create(int ttl);
void usercache_destroy(struct usercache *c);
/* Drop every entry (SIGHUP: the site changed its accounts). */
void usercache_flush(struct usercache *c);
/* The account of uid, with its groups for primary group gid when
 * with_groups, resolved at most ttl seconds before now. Borrowed: valid
 * until the next call on c. NULL with err (HC_ENOENT: no such uid; HC_EIO:
 * groups could not be listed); failures are not cached. */
const struct user_info *usercache_get(struct usercache *c, uid_t uid,
				      gid_t gid, bool with_groups, time_t now,
				      struct hc_err *err);
/* The name of group gid, resolved at most ttl seconds before now, with
 * the same rules. Borrowed: valid until the next call on c. NULL with err
 * (HC_ENOENT: no such gid); failures are not cached. */
const char *usercache_group_name(struct usercache *c, gid_t gid, time_t now,
				 struct hc_err *err);

#endif
