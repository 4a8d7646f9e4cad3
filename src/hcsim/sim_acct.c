/*
 * sim_acct: an account tree for hcsim (--accounts FILE), so that traces
 * replay under the same tree quotas hcctld enforces (libhcsched's quota
 * stage): the file is written in hcctl's grammar, one object a line,
 * parents before children:
 *
 *	# comment
 *	account science GrpRes=cpu:4
 *	account physics Parent=science GrpJobs=2
 *	user 7 Account=physics
 *
 * A user is the trace's user id (SWF field 12); its jobs are charged to
 * its association under its account, other users' to root. The machine is
 * processors only, so GrpRes counts cpu; GrpResMins (budgets need charged
 * minutes hcsim does not keep) and QOS are refused rather than ignored.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "parse.h"
#include "sched_account.h"
#include "sim_acct.h"

struct sim_acct {
	struct sched_acct_view view;
	size_t cap;
	char **names;		/* owned, one per node */
	struct sim_user { int64_t uid; uint32_t assoc; } *users;
	size_t nusers;
};

static uint32_t
node_find(const struct sim_acct *a, const char *name)
{
	for (size_t i = 0; i < a->view.naccts; i++)
		if (!a->view.accts[i].is_user &&
		    !strcmp(a->view.accts[i].name, name))
			return (uint32_t)i;
	return SCHED_NONE;
}

static struct sched_acct *
node_add(struct sim_acct *a, const char *name, int32_t parent)
{
	struct sched_acct *n;

	if (a->view.naccts == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->view.accts = hc_realloc(a->view.accts,
					   a->cap * sizeof(*a->view.accts));
		a->names = hc_realloc(a->names, a->cap * sizeof(*a->names));
	}
	a->names[a->view.naccts] = hc_strdup(name);
	n = &a->view.accts[a->view.naccts++];
	memset(n, 0, sizeof(*n));
	n->name = a->names[a->view.naccts - 1];
	n->parent = parent;
	n->shares = 1;
	n->default_qos = SCHED_NONE;
	return n;
}

/* One Key=Value of an account or user line. */
static int
key_set(struct sim_acct *a, struct sched_acct *n, const char *kv,
	bool user, struct hc_err *err)
{
	const char *eq = strchr(kv, '=');
	long v;

	if (!eq)
		return hc_err_set(err, HC_EINVAL, "'%s' is not Key=Value", kv);
	if (!user && !strncasecmp(kv, "Parent=", 7)) {
		uint32_t p = node_find(a, eq + 1);

		if (p == SCHED_NONE)
			return hc_err_set(err, HC_EINVAL, "Parent=%s: no such "
					  "account above this line", eq + 1);
		n->parent = (int32_t)p;
		return 0;
	}
	if (!strncasecmp(kv, "GrpRes=", 7)) {
		res_list_free(&n->grp_res);
		return res_list_parse(eq + 1, &n->grp_res, err) < 0 ? -1 : 0;
	}
	if (!strncasecmp(kv, "GrpJobs=", 8)) {
		if (parse_long(eq + 1, 0, 1000000000L, &v, err) < 0)
			return -1;
		n->grp_jobs = (uint32_t)v;
		return 0;
	}
	if (!strncasecmp(kv, "Shares=", 7)) {
		if (parse_long(eq + 1, 1, 1000000000L, &v, err) < 0)
			return -1;
		n->shares = (uint32_t)v;
		return 0;
	}
	return hc_err_set(err, HC_EINVAL, "%.*s: not a key hcsim replays; "
			  "give Parent, GrpRes, GrpJobs or Shares (user: "
			  "Account, GrpRes, GrpJobs, Shares)",
			  (int)(eq - kv), kv);
}

static int
line_parse(struct sim_acct *a, char *line, struct hc_err *err)
{
	char *save = NULL, *kind = strtok_r(line, " \t", &save);
	char *name = kind ? strtok_r(NULL, " \t", &save) : NULL;
	char *w;
	struct sched_acct *n;
	bool user;

	if (!kind || *kind == '#')
		return 0;
	user = !strcmp(kind, "user");
	if ((!user && strcmp(kind, "account")) || !name)
		return hc_err_set(err, HC_EINVAL, "give 'account NAME "
				  "[Key=Value...]' or 'user UID Account=NAME "
				  "[Key=Value...]'");
	if (!user && node_find(a, name) != SCHED_NONE)
		return hc_err_set(err, HC_EINVAL, "account %s twice", name);
	n = node_add(a, name, 0);
	if (user) {
		long uid;

		if (parse_long(name, 0, 0x7fffffffL, &uid, err) < 0)
			return hc_err_prefix(err, "user %s: ", name);
		n->is_user = true;
		n->uid = (uint32_t)uid;
		n->parent = -2;		/* Account= must say */
	}
	while ((w = strtok_r(NULL, " \t", &save))) {
		if (user && !strncasecmp(w, "Account=", 8)) {
			uint32_t p = node_find(a, w + 8);

			if (p == SCHED_NONE)
				return hc_err_set(err, HC_EINVAL, "%s: no such "
						  "account above this line", w);
			n->parent = (int32_t)p;
			continue;
		}
		if (key_set(a, n, w, user, err) < 0)
			return -1;
	}
	if (n->parent == -2)
		return hc_err_set(err, HC_EINVAL, "user %s: give Account=NAME",
				  name);
	if (user) {
		a->users = hc_realloc(a->users,
				      (a->nusers + 1) * sizeof(*a->users));
		a->users[a->nusers++] = (struct sim_user){
			(int64_t)n->uid, (uint32_t)(a->view.naccts - 1) };
	}
	return 0;
}

struct sim_acct *
sim_acct_read(const char *path, struct hc_err *err)
{
	FILE *f = fopen(path, "r");
	struct sim_acct *a;
	char line[1024];
	uint32_t no = 0;

	if (!f)
		return hc_err_set(err, HC_ENOENT, "%s: cannot open it", path),
		       NULL;
	a = hc_calloc(1, sizeof(*a));
	node_add(a, "root", -1);
	while (fgets(line, sizeof(line), f)) {
		no++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line_parse(a, line, err) < 0) {
			hc_err_prefix(err, "%s:%u: ", path, no);
			fclose(f);
			sim_acct_free(a);
			return NULL;
		}
	}
	fclose(f);
	return a;
}

void
sim_acct_free(struct sim_acct *a)
{
	if (!a)
		return;
	sched_acct_view_free(&a->view);
	for (size_t i = 0; i < a->view.naccts; i++) {
		res_list_free(&a->view.accts[i].grp_res);
		free(a->names[i]);
	}
	free(a->view.accts);
	free(a->names);
	free(a->users);
	free(a);
}

struct sched_acct_view *
sim_acct_view(struct sim_acct *a)
{
	return a ? &a->view : NULL;
}

uint32_t
sim_acct_assoc(const struct sim_acct *a, int64_t uid)
{
	for (size_t i = 0; a && i < a->nusers; i++)
		if (a->users[i].uid == uid)
			return a->users[i].assoc;
	return 0;
}

void
sim_acct_end(struct sim_acct *a, uint32_t assoc, uint32_t uid, long procs)
{
	struct sched_use u = { .cpus = (uint64_t)procs };

	if (a)
		sched_acct_charge(&a->view, assoc, SCHED_NONE, uid, &u, 0, -1);
}
