/*
 * usercache: uid -> name and supplementary groups, and gid -> group name,
 * cached for ttl seconds.
 *
 * Every job launch needs the user's name and groups (setgroups() in the
 * child). Through NSS that is getpwuid() plus getgrouplist(): dozens of
 * file opens and reads of /etc/passwd, /etc/group and nsswitch.conf, or
 * round trips to a directory service, for every job of a burst. The
 * answers are kept here, keyed by (uid, primary gid, with groups or not),
 * for ttl seconds; an entry older than that is looked up again, so a
 * site's change to a user's groups reaches new jobs within ttl seconds,
 * and SIGHUP (usercache_flush) applies it at once. Misses and failures
 * are never cached: an account created a second ago works for the next
 * job. The tables are small and scanned linearly (a node runs jobs of
 * few users at a time, a burst of submissions comes from few users); when
 * full, expired entries go first, then the oldest. hcctld names the user
 * and group of every job it accepts from the same cache (group names in
 * their own table: a job's group need not be any user's primary group).
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "usercache.h"

#define USERCACHE_MAX 256

struct usercache {
	int ttl;
	size_t n, ng;
	struct user_info e[USERCACHE_MAX];
	struct group_info g[USERCACHE_MAX];
};

struct usercache *
usercache_create(int ttl)
{
	struct usercache *c = hc_calloc(1, sizeof(*c));

	c->ttl = ttl;
	return c;
}

static void
entry_clear(struct user_info *u)
{
	free(u->name);
	free(u->groups);
	memset(u, 0, sizeof(*u));
}

void
usercache_flush(struct usercache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_clear(&c->e[i]);
	for (size_t i = 0; i < c->ng; i++)
		free(c->g[i].name);
	memset(c->g, 0, sizeof(c->g));
	c->n = c->ng = 0;
}

void
usercache_destroy(struct usercache *c)
{
	usercache_flush(c);
	free(c);
}

/* The groups of name with primary group gid, malloc'ed into *out. */
static int
groups_list(const char *name, gid_t gid, gid_t **out, int *count,
	    struct hc_err *err)
{
	int n = 32;

	*out = NULL;
	for (int tries = 0; tries < 4; tries++) {
		int want = n;

		*out = hc_realloc(*out, (size_t)n * sizeof(gid_t));
		if (getgrouplist(name, gid, *out, &n) >= 0) {
			*count = n;
			return 0;
		}
		if (n <= want)	/* not a size problem */
			break;
	}
	free(*out);
	*out = NULL;
	return hc_err_set(err, HC_EIO, "cannot list the groups of %s", name);
}

/* Resolve uid through NSS into u (cleared first). */
static int
entry_resolve(struct user_info *u, uid_t uid, gid_t gid, bool with_groups,
	      time_t now, struct hc_err *err)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc;

	entry_clear(u);
	if ((rc = getpwuid_r(uid, &pw, buf, sizeof(buf), &res)) != 0 || !res)
		return hc_err_set(err, HC_ENOENT, "uid %u has no account on "
				  "this node%s%s", (unsigned)uid,
				  rc ? ": " : "", rc ? strerror(rc) : "");
	u->uid = uid;
	u->gid = gid;
	u->name = hc_strdup(pw.pw_name);
	u->resolved = now;
	if (with_groups && groups_list(u->name, gid, &u->groups, &u->ngroups,
				       err) < 0) {
		entry_clear(u);
		return -1;
	}
	return 0;
}

/* The slot for a new entry: a free one, an expired one, else the oldest. */
static struct user_info *
entry_slot(struct usercache *c, time_t now)
{
	size_t oldest = 0;

	if (c->n < USERCACHE_MAX)
		return &c->e[c->n++];
	for (size_t i = 0; i < c->n; i++) {
		if (now - c->e[i].resolved >= c->ttl)
			return &c->e[i];
		if (c->e[i].resolved < c->e[oldest].resolved)
			oldest = i;
	}
	return &c->e[oldest];
}

const struct user_info *
usercache_get(struct usercache *c, uid_t uid, gid_t gid, bool with_groups,
	      time_t now, struct hc_err *err)
{
	struct user_info *u = NULL;

	for (size_t i = 0; i < c->n && !u; i++)
		if (c->e[i].uid == uid && c->e[i].gid == gid &&
		    (c->e[i].groups != NULL) == with_groups)
			u = &c->e[i];
	if (u && now >= u->resolved && now - u->resolved < c->ttl)
		return u;
	if (!u)
		u = entry_slot(c, now);
	if (entry_resolve(u, uid, gid, with_groups, now, err) < 0) {
		/* not cached: drop the slot (keep the table dense) */
		*u = c->e[--c->n];
		memset(&c->e[c->n], 0, sizeof(c->e[c->n]));
		return NULL;
	}
	return u;
}

/* The slot for a new group: a free one, an expired one, else the oldest. */
static struct group_info *
group_slot(struct usercache *c, time_t now)
{
	size_t oldest = 0;

	if (c->ng < USERCACHE_MAX)
		return &c->g[c->ng++];
	for (size_t i = 0; i < c->ng; i++) {
		if (now - c->g[i].resolved >= c->ttl)
			return &c->g[i];
		if (c->g[i].resolved < c->g[oldest].resolved)
			oldest = i;
	}
	return &c->g[oldest];
}

const char *
usercache_group_name(struct usercache *c, gid_t gid, time_t now,
		     struct hc_err *err)
{
	struct group gr, *res = NULL;
	struct group_info *g = NULL;
	char buf[8192];
	int rc;

	for (size_t i = 0; i < c->ng && !g; i++)
		if (c->g[i].gid == gid)
			g = &c->g[i];
	if (g && now >= g->resolved && now - g->resolved < c->ttl)
		return g->name;
	if (!g)
		g = group_slot(c, now);
	free(g->name);
	g->name = NULL;
	if ((rc = getgrgid_r(gid, &gr, buf, sizeof(buf), &res)) != 0 ||
	    !res) {
		/* not cached: drop the slot (keep the table dense) */
		*g = c->g[--c->ng];
		memset(&c->g[c->ng], 0, sizeof(c->g[c->ng]));
		hc_err_set(err, HC_ENOENT, "gid %u has no group%s%s",
			   (unsigned)gid, rc ? ": " : "",
			   rc ? strerror(rc) : "");
		return NULL;
	}
	g->gid = gid;
	g->name = hc_strdup(gr.gr_name);
	g->resolved = now;
	return g->name;
}
