/*
 * sim_acct: an account tree for hcsim (--accounts FILE), so that traces
 * replay under the same tree quotas hcctld enforces (libhcsched's quota
 * stage): the file is written in hcctl's grammar, one object a line,
 * parents before children:
 *
 *	# comment
 *	qos long Priority=10 MaxWall=3-00:00:00 GrpJobs=4 MaxJobsPerUser=1
 *	account science GrpRes=cpu:4 GrpResMins=cpu:6000
 *	account physics Parent=science GrpJobs=2 DefaultQOS=long
 *	user 7 Account=physics
 *
 * A user is the trace's user id (SWF field 12); its jobs are charged to
 * its association under its account, other users' to root, and run under
 * the nearest DefaultQOS up the tree (SWF has no QOS field). The machine
 * is processors only, so GrpRes counts cpu. GrpResMins budgets are
 * charged as hcctld charges them: a running job holds its use x time
 * limit ahead, and at its end the minutes it ran are used. A QOS's
 * MaxWall refuses a job asking more at submit: such jobs are dropped and
 * counted. Keys hcsim cannot replay (GrpSubmit, ...) are refused rather
 * than ignored. The tree's root is there from the start: an `account
 * root` line sets keys on it (no Parent=).
 *
 * Cloud budgets (--cloud): an account's GrpCloudNodeMins and GrpCloudCost
 * bound the burst decision (burst.h) for its subtree, as hcctld's
 * power_burst.c builds them: what is left is the budget less what the
 * subtree's ended jobs were charged for cloud nodes (their share of each
 * node x the minutes they ran, and its cost at the pool's price) and less
 * what its running and booting jobs hold ahead (sim_cloud.c rebuilds the
 * holds before each pass). Each account keeps its subtree's sum: a job's
 * use is added to its account and every ancestor.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "burst.h"
#include "log.h"
#include "parse.h"
#include "sched_account.h"
#include "sim_acct.h"

struct sim_acct {
	struct sched_acct_view view;
	size_t cap, qcap;
	char **names;		/* owned, one per node */
	char **qnames;		/* owned, one per QOS */
	struct sim_user { int64_t uid; uint32_t assoc; } *users;
	size_t nusers;
	struct sim_acct_cloud *cloud;	/* one per node */
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
		a->cloud = hc_realloc(a->cloud, a->cap * sizeof(*a->cloud));
	}
	memset(&a->cloud[a->view.naccts], 0, sizeof(*a->cloud));
	a->names[a->view.naccts] = hc_strdup(name);
	n = &a->view.accts[a->view.naccts++];
	memset(n, 0, sizeof(*n));
	n->name = a->names[a->view.naccts - 1];
	n->parent = parent;
	n->shares = 1;
	n->default_qos = SCHED_NONE;
	return n;
}

static uint32_t
qos_find(const struct sim_acct *a, const char *name)
{
	for (size_t i = 0; i < a->view.nqos; i++)
		if (!strcmp(a->view.qos[i].name, name))
			return (uint32_t)i;
	return SCHED_NONE;
}

/* A qos line: qos NAME [Priority= MaxWall= GrpRes= GrpJobs=
 * MaxJobsPerUser=]. */
static int
qos_line(struct sim_acct *a, const char *name, char **save,
	 struct hc_err *err)
{
	struct sched_qos *q;
	char *w;
	long v;

	if (qos_find(a, name) != SCHED_NONE)
		return hc_err_set(err, HC_EINVAL, "qos %s twice", name);
	if (a->view.nqos == a->qcap) {
		a->qcap = a->qcap ? 2 * a->qcap : 8;
		a->view.qos = hc_realloc(a->view.qos,
					 a->qcap * sizeof(*a->view.qos));
		a->qnames = hc_realloc(a->qnames, a->qcap * sizeof(*a->qnames));
	}
	a->qnames[a->view.nqos] = hc_strdup(name);
	q = &a->view.qos[a->view.nqos++];
	memset(q, 0, sizeof(*q));
	q->name = a->qnames[a->view.nqos - 1];
	while ((w = strtok_r(NULL, " \t", save))) {
		const char *eq = strchr(w, '=');
		int rc;

		if (!eq)
			return hc_err_set(err, HC_EINVAL, "'%s' is not "
					  "Key=Value", w);
		if (!strncasecmp(w, "GrpRes=", 7)) {
			res_list_free(&q->grp_res);
			rc = res_list_parse(eq + 1, &q->grp_res, err);
		} else if (!strncasecmp(w, "MaxWall=", 8)) {
			rc = parse_time_limit(eq + 1, &q->max_wall, err);
		} else if (!strncasecmp(w, "Priority=", 9) ||
			   !strncasecmp(w, "GrpJobs=", 8) ||
			   !strncasecmp(w, "MaxJobsPerUser=", 15)) {
			rc = parse_long(eq + 1, 0, 1000000000L, &v, err);
			*(w[0] == 'P' || w[0] == 'p' ? &q->priority :
			  w[0] == 'G' || w[0] == 'g' ? &q->grp_jobs :
						     &q->max_jobs_per_user) =
				(uint32_t)v;
		} else {
			return hc_err_set(err, HC_EINVAL, "%.*s: not a key "
					  "hcsim replays for a qos; give "
					  "Priority, MaxWall, GrpRes, GrpJobs "
					  "or MaxJobsPerUser",
					  (int)(eq - w), w);
		}
		if (rc < 0)
			return hc_err_prefix(err, "qos %s: %.*s: ", name,
					     (int)(eq - w), w);
	}
	return 0;
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
	if (!strncasecmp(kv, "DefaultQOS=", 11)) {
		n->default_qos = qos_find(a, eq + 1);
		return n->default_qos == SCHED_NONE
			       ? hc_err_set(err, HC_EINVAL, "DefaultQOS=%s: "
					    "no such qos above this line",
					    eq + 1) : 0;
	}
	if (!user && !strncasecmp(kv, "GrpResMins=", 11)) {
		res_list_free(&n->grp_res_mins);
		return res_list_parse(eq + 1, &n->grp_res_mins, err) < 0
			       ? -1 : 0;
	}
	if (!user && (!strncasecmp(kv, "GrpCloudNodeMins=", 17) ||
		      !strncasecmp(kv, "GrpCloudCost=", 13))) {
		struct sim_acct_cloud *c = &a->cloud[n - a->view.accts];

		if (parse_long(eq + 1, 0, 1L << 50, &v, err) < 0)
			return hc_err_prefix(err, "%.*s: ", (int)(eq - kv),
					     kv);
		*(kv[8] == 'N' || kv[8] == 'n' ? &c->grp_node_mins :
		  &c->grp_cost) = v;
		return 0;
	}
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
			  "give Parent, GrpRes, GrpResMins, GrpJobs, Shares, "
			  "DefaultQOS, GrpCloudNodeMins or GrpCloudCost "
			  "(user: Account, GrpRes, GrpJobs, Shares, "
			  "DefaultQOS)", (int)(eq - kv), kv);
}

/* An account root line: keys on the root every tree has (a site-wide
 * GrpRes or cloud budget); it has no parent. */
static int
root_line(struct sim_acct *a, char **save, struct hc_err *err)
{
	char *w;

	while ((w = strtok_r(NULL, " \t", save))) {
		if (!strncasecmp(w, "Parent=", 7))
			return hc_err_set(err, HC_EINVAL, "account root: %s: "
					  "root has no parent", w);
		if (key_set(a, &a->view.accts[0], w, false, err) < 0)
			return -1;
	}
	return 0;
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
	if (!strcmp(kind, "qos") && name)
		return qos_line(a, name, &save, err);
	user = !strcmp(kind, "user");
	if ((!user && strcmp(kind, "account")) || !name)
		return hc_err_set(err, HC_EINVAL, "give 'account NAME "
				  "[Key=Value...]', 'user UID Account=NAME "
				  "[Key=Value...]' or 'qos NAME "
				  "[Key=Value...]'");
	if (!user && !strcmp(name, "root"))	/* there from the start */
		return root_line(a, &save, err);
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
		res_list_free(&a->view.accts[i].grp_res_mins);
		free(a->names[i]);
	}
	for (size_t i = 0; i < a->view.nqos; i++) {
		res_list_free(&a->view.qos[i].grp_res);
		free(a->qnames[i]);
	}
	free(a->view.qos);
	free(a->qnames);
	free(a->view.accts);
	free(a->names);
	free(a->users);
	free(a->cloud);
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

uint32_t
sim_acct_qos(const struct sim_acct *a, uint32_t assoc)
{
	for (int64_t x = assoc; a && x >= 0 && (size_t)x < a->view.naccts;
	     x = a->view.accts[x].parent) {
		if (a->view.accts[x].default_qos != SCHED_NONE)
			return a->view.accts[x].default_qos;
		if (a->view.accts[x].parent >= x)
			break;
	}
	return SCHED_NONE;
}

long
sim_acct_max_wall(const struct sim_acct *a, uint32_t assoc)
{
	uint32_t q = sim_acct_qos(a, assoc);

	return q != SCHED_NONE ? a->view.qos[q].max_wall : 0;
}

void
sim_acct_end(struct sim_acct *a, uint32_t assoc, uint32_t uid, long procs,
	     long limit_mins, int64_t run_secs)
{
	struct sched_use u = { .cpus = (uint64_t)procs };

	if (!a)
		return;
	/* Off the tree and its QOS: what it held, and the minutes it held
	 * ahead (its limit, as the pass charged at its start); on: the
	 * minutes it ran. */
	sched_acct_charge(&a->view, assoc, sim_acct_qos(a, assoc), uid, &u,
			  limit_mins, -1);
	sched_acct_charge_mins(&a->view, assoc, &u, (double)run_secs / 60.0);
}

/* The account a job charged to assoc belongs to: its user's account. */
static int64_t
acct_of(const struct sim_acct *a, uint32_t assoc)
{
	if (!a || assoc >= a->view.naccts)
		return -1;
	return a->view.accts[assoc].is_user ? a->view.accts[assoc].parent :
					      (int64_t)assoc;
}

size_t
sim_acct_cloud_chain(const struct sim_acct *a, uint32_t assoc,
		     const char **chain, size_t max)
{
	size_t d = 0;

	for (int64_t x = acct_of(a, assoc); x >= 0 && d + 1 < max;
	     x = a->view.accts[x].parent)
		chain[d++] = a->view.accts[x].name;
	if (max)
		chain[d] = NULL;
	return d;
}

size_t
sim_acct_cloud_budgets(const struct sim_acct *a, struct burst_budget *out)
{
	size_t n = 0;

	for (size_t i = 0; a && i < a->view.naccts; i++) {
		const struct sim_acct_cloud *c = &a->cloud[i];
		if (a->view.accts[i].is_user ||
		    (!c->grp_node_mins && !c->grp_cost))
			continue;
		out[n++] = (struct burst_budget){
			.account = a->view.accts[i].name,
			.node_mins_left = burst_budget_left(
				(double)c->grp_node_mins,
				c->node_mins + c->held_mins),
			.cost_left = burst_budget_left((double)c->grp_cost,
						       c->cost + c->held_cost),
		};
	}
	return n;
}

size_t
sim_acct_count(const struct sim_acct *a)
{
	return a ? a->view.naccts : 0;
}

void
sim_acct_cloud_charge(struct sim_acct *a, uint32_t assoc, double mins,
		      double cost)
{
	for (int64_t x = acct_of(a, assoc); x >= 0;
	     x = a->view.accts[x].parent) {
		a->cloud[x].node_mins += mins;
		a->cloud[x].cost += cost;
	}
}

void
sim_acct_cloud_hold(struct sim_acct *a, uint32_t assoc, double mins,
		    double cost)
{
	for (int64_t x = acct_of(a, assoc); x >= 0;
	     x = a->view.accts[x].parent) {
		a->cloud[x].held_mins += mins;
		a->cloud[x].held_cost += cost;
	}
}

void
sim_acct_cloud_unhold(struct sim_acct *a)
{
	for (size_t i = 0; a && i < a->view.naccts; i++)
		a->cloud[i].held_mins = a->cloud[i].held_cost = 0;
}

void
sim_acct_cloud_refused(struct sim_acct *a, const char *name)
{
	uint32_t i = a ? node_find(a, name) : SCHED_NONE;

	if (i != SCHED_NONE)
		a->cloud[i].refused++;
}

const char *
sim_acct_cloud_use(const struct sim_acct *a, size_t i,
		   struct sim_acct_cloud *use)
{
	if (!a || i >= a->view.naccts || a->view.accts[i].is_user)
		return NULL;
	*use = a->cloud[i];
	return a->view.accts[i].name;
}
