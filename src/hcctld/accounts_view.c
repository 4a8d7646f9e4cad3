/*
 * accounts_view: the account view a scheduling pass hands to libhcsched
 * (sched_account.h), and the resource-minutes charged when jobs end.
 *
 * The view is rebuilt for every pass from the records and the job table:
 * accounts in breadth-first order from root (parents before children),
 * then one leaf per (user, account) membership. Running jobs are charged
 * with sched_acct_charge (what they hold now, their time left) and
 * sched_acct_charge_mins (what they used so far), so libhcsched counts
 * them exactly as it counts the jobs it starts. Ended jobs' use is in each
 * account's record ("Used", charged by accounts_job_end), summed up the
 * tree here. The view is built on the loop into a pass's snapshot and
 * read by the scheduling worker, so it owns copies of every name and
 * resource list it points at: nothing in it refers to a live record.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "accounts_int.h"
#include "conf.h"
#include "ctld.h"
#include "jobs_int.h"
#include "log.h"
#include "nodes.h"
#include "power.h"
#include "sched.h"
#include "sched_account.h"
#include "states.h"

struct leaf_key {
	const char *user, *account;
	uint32_t idx;
};

struct acct_pass {
	struct ctld *c;			/* build time only (on the loop) */
	struct sched_acct_view view;
	size_t naccounts;		/* accts[0..naccounts) are accounts,
					 * the rest user leaves */
	struct acct_obj **objs;		/* accts[i]'s record: build time only */
	struct leaf_key *leaves;	/* sorted by (user, account) */
	size_t nleaves;
	struct leaf_key *byname;	/* accounts sorted by name (user "") */
	struct res_list *others;	/* running jobs' other resources */
	size_t nothers;
	void **owned;			/* copies the view points at */
	size_t nowned;
};

/* Keep ptr (malloc'ed) until the pass ends; returns it. */
static void *
pass_own(struct acct_pass *p, void *ptr)
{
	p->owned = hc_realloc(p->owned, (p->nowned + 1) * sizeof(*p->owned));
	p->owned[p->nowned++] = ptr;
	return ptr;
}

static struct res_list
pass_res(struct acct_pass *p, const struct res_list *rl)
{
	struct res_list out = { NULL, rl->count };

	if (rl->count) {
		out.items = pass_own(p, hc_calloc(rl->count,
						  sizeof(*out.items)));
		memcpy(out.items, rl->items, rl->count * sizeof(*out.items));
	}
	return out;
}

static int
leaf_cmp(const void *x, const void *y)
{
	const struct leaf_key *a = x, *b = y;
	int c = strcmp(a->user, b->user);

	return c ? c : strcmp(a->account, b->account);
}

/* An account's index in the view (byname is built once the accounts
 * are: a pass looks one up per job). */
static uint32_t
acct_index(const struct acct_pass *p, size_t naccounts, const char *name)
{
	struct leaf_key k = { "", name, 0 };
	const struct leaf_key *f;

	if (!name || !p->byname)
		return SCHED_NONE;
	f = bsearch(&k, p->byname, naccounts, sizeof(k), leaf_cmp);
	return f ? f->idx : SCHED_NONE;
}

static void
node_fill(struct acct_pass *p, struct sched_acct *n, const struct acct_obj *o,
	  int32_t parent)
{
	n->name = pass_own(p, hc_strdup(o->name));
	n->parent = parent;
	n->shares = o->shares > 0 ? (uint32_t)o->shares : 1;
	n->default_qos = SCHED_NONE;
	n->grp_res = pass_res(p, &o->grp_res);
	n->grp_res_mins = pass_res(p, &o->grp_res_mins);
	n->grp_jobs = (uint32_t)o->grp_jobs;
	n->grp_submit = (uint32_t)o->grp_submit;
	n->max_wall = o->max_wall;
}

static uint32_t
qos_index(const struct acct_pass *p, const char *name)
{
	for (size_t i = 0; name && i < p->view.nqos; i++)
		if (!strcmp(p->view.qos[i].name, name))
			return (uint32_t)i;
	return SCHED_NONE;
}

/* Accounts breadth-first from root; *nacc gets how many. */
static void
build_accounts(struct accounts *a, struct acct_pass *p, size_t *nacc)
{
	size_t n, done = 0, m = 0;
	struct acct_obj **v = accounts_list(a, ACCT_ACCOUNT, &n);
	struct acct_obj *root = accounts_find(a, ACCT_ACCOUNT, ACCT_ROOT);

	p->view.accts = hc_calloc(n + 1, sizeof(*p->view.accts));
	p->objs = hc_calloc(n + 1, sizeof(*p->objs));
	p->objs[m] = root;
	node_fill(p, &p->view.accts[m++], root, -1);
	/* O(accounts^2): hundreds of accounts, once per pass. */
	for (; done < m; done++)
		for (size_t i = 0; i < n; i++) {
			const char *par = v[i]->parent ? v[i]->parent
						       : ACCT_ROOT;

			if (v[i] == root || strcmp(par, p->objs[done]->name))
				continue;
			p->objs[m] = v[i];
			node_fill(p, &p->view.accts[m++], v[i],
				  (int32_t)done);
		}
	for (size_t i = 0; i < m; i++) {	/* inherited DefaultQOS */
		struct sched_acct *x = &p->view.accts[i];
		uint32_t q = qos_index(p, p->objs[i]->default_qos);

		x->default_qos = q != SCHED_NONE ? q : x->parent >= 0 ?
			p->view.accts[x->parent].default_qos : SCHED_NONE;
	}
	p->byname = hc_calloc(m, sizeof(*p->byname));
	for (size_t i = 0; i < m; i++)
		p->byname[i] = (struct leaf_key){ "", p->view.accts[i].name,
						  (uint32_t)i };
	qsort(p->byname, m, sizeof(*p->byname), leaf_cmp);
	*nacc = m;
}

static void
build_users(struct accounts *a, struct acct_pass *p, size_t nacc)
{
	size_t n, cap = nacc;
	struct acct_obj **v = accounts_list(a, ACCT_USER, &n);

	p->view.naccts = nacc;
	for (size_t i = 0; i < n; i++) {
		char *copy = hc_strdup(v[i]->accounts ? v[i]->accounts : "");
		char *save = NULL;

		for (char *w = strtok_r(copy, ",", &save); w;
		     w = strtok_r(NULL, ",", &save)) {
			uint32_t par = acct_index(p, nacc, w);
			struct sched_acct *leaf;

			if (par == SCHED_NONE)
				continue;
			if (p->view.naccts == cap) {
				cap = cap * 2 + 8;
				p->view.accts = hc_realloc(p->view.accts,
					cap * sizeof(*p->view.accts));
				p->objs = hc_realloc(p->objs,
						     cap * sizeof(*p->objs));
			}
			leaf = &p->view.accts[p->view.naccts];
			memset(leaf, 0, sizeof(*leaf));
			node_fill(p, leaf, v[i], (int32_t)par);
			leaf->is_user = true;
			leaf->uid = v[i]->uid;
			leaf->default_qos = p->view.accts[par].default_qos;
			p->objs[p->view.naccts] = v[i];
			p->leaves = hc_realloc(p->leaves, (p->nleaves + 1) *
					       sizeof(*p->leaves));
			p->leaves[p->nleaves++] = (struct leaf_key){
				leaf->name, p->view.accts[par].name,
				(uint32_t)p->view.naccts++ };
		}
		free(copy);
	}
	if (p->nleaves)
		qsort(p->leaves, p->nleaves, sizeof(*p->leaves), leaf_cmp);
}

static void
build_qos(struct accounts *a, struct acct_pass *p)
{
	size_t n;
	struct acct_obj **v = accounts_list(a, ACCT_QOS, &n);

	p->view.qos = hc_calloc(n ? n : 1, sizeof(*p->view.qos));
	for (size_t i = 0; i < n; i++) {
		struct sched_qos *q = &p->view.qos[i];

		q->name = pass_own(p, hc_strdup(v[i]->name));
		q->priority = (uint32_t)v[i]->priority;
		q->max_wall = v[i]->max_wall;
		q->grp_res = pass_res(p, &v[i]->grp_res);
		q->grp_jobs = (uint32_t)v[i]->grp_jobs;
		q->max_jobs_per_user = (uint32_t)v[i]->max_jobs_per_user;
	}
	p->view.nqos = n;
}

/* The resource key a limit item is charged under: "gpu", "gpu:h100". */
static void
item_key(const struct res_item *it, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", it->name, *it->type ? ":" : "",
		 it->type);
}

/* Ended jobs' resource-minutes, from each account's record, up the tree. */
static void
charge_recorded(struct acct_pass *p, size_t nacc)
{
	for (size_t y = 0; y < nacc; y++) {
		const json_t *used = p->objs[y]->used;

		if (!used || json_object_size(used) == 0)
			continue;
		for (int32_t x = (int32_t)y; x >= 0;
		     x = p->view.accts[x].parent) {
			struct sched_acct *n = &p->view.accts[x];

			for (size_t i = 0; i < n->grp_res_mins.count &&
					   i < SCHED_ACCT_MAX_RES; i++) {
				char key[2 * RES_NAME_MAX + 2];

				item_key(&n->grp_res_mins.items[i], key,
					 sizeof(key));
				n->mins_used[i] += (uint64_t)(0.5 +
					json_number_value(json_object_get(
						used, key)));
			}
		}
	}
}

/* The view node j is charged to: its user leaf under its account when
 * there is one, else the account, else root. */
static uint32_t
job_assoc(const struct ctld *c, const struct acct_pass *p, size_t nacc,
	  const struct job *j)
{
	const char *acct = j->account ? j->account
				      : c->conf->default_account;
	struct leaf_key k = { j->user ? j->user : "", acct ? acct : "", 0 };
	const struct leaf_key *l = p->nleaves && acct ?
		bsearch(&k, p->leaves, p->nleaves, sizeof(k), leaf_cmp) : NULL;
	uint32_t i;

	if (l)
		return l->idx;
	i = acct_index(p, nacc, acct);
	return i == SCHED_NONE ? 0 : i;
}

/* What a started job holds, in totals; *other is filled (caller frees)
 * with its resources other than GPUs. */
static void
job_use(const struct job *j, struct sched_use *u, struct res_list *other)
{
	struct res_list rl = { 0 };

	memset(u, 0, sizeof(*u));
	memset(other, 0, sizeof(*other));
	for (uint32_t k = 0; k < j->nalloc; k++) {
		const struct job_node *jn = &j->alloc[k];

		u->cpus += jn->ncpus;
		u->mem_mb += jn->mem_mb;
		u->gpus += jn->ngpus;
		if (!u->gpu_type[0] && jn->ngpus && jn->node && jn->gpu_ids &&
		    jn->gpu_ids[0] < SCHED_MAX_GPUS)
			snprintf(u->gpu_type, sizeof(u->gpu_type), "%s",
				 jn->node->gpus[jn->gpu_ids[0]].type);
	}
	if (j->gpu_type[0])
		snprintf(u->gpu_type, sizeof(u->gpu_type), "%s", j->gpu_type);
	if (j->gres && res_list_parse(j->gres, &rl, NULL) == 0) {
		for (size_t i = 0; i < rl.count; i++) {
			if (!strcmp(rl.items[i].name, "gpu"))
				continue;
			other->items = hc_realloc(other->items,
				(other->count + 1) * sizeof(*other->items));
			other->items[other->count] = rl.items[i];
			other->items[other->count++].count *= j->nalloc;
		}
	}
	res_list_free(&rl);
	u->other = other;
}

static bool
job_holds(const struct job *j)
{
	return (j->state == JOB_CONFIGURING || j->state == JOB_RUNNING ||
		j->state == JOB_COMPLETING) && j->nalloc;
}

static void
charge_jobs(struct ctld *c, struct jobs *js, struct acct_pass *p,
	    size_t nacc, time_t now)
{
	for (size_t i = 0; i < js->n; i++) {
		const struct job *j = js->v[i];
		uint32_t assoc;
		double mins;
		long left;

		if (j->state == JOB_PENDING) {
			assoc = job_assoc(c, p, nacc, j);
			for (int64_t x = assoc; x >= 0;
			     x = p->view.accts[x].parent)
				p->view.accts[x].jobs_pending++;
			continue;
		}
		if (!job_holds(j))
			continue;
		assoc = job_assoc(c, p, nacc, j);
		p->others = hc_realloc(p->others, (p->nothers + 1) *
				       sizeof(*p->others));
		{
			struct sched_use u;

			job_use(j, &u, &p->others[p->nothers++]);
			mins = j->start_time && now > j->start_time ?
				(double)(now - j->start_time) / 60.0 : 0;
			left = j->time_limit > 0 ?
				j->time_limit - (long)mins : 0;
			sched_acct_charge(&p->view, assoc,
					  qos_index(p, j->qos), j->uid, &u,
					  left > 0 ? left : 0, +1);
			sched_acct_charge_mins(&p->view, assoc, &u, mins);
		}
	}
}

struct acct_pass *
accounts_pass_begin(struct ctld *c, struct jobs *js, time_t now)
{
	struct acct_pass *p;
	size_t nacc;

	if (!c->accounts)
		return NULL;
	p = hc_calloc(1, sizeof(*p));
	p->c = c;
	build_qos(c->accounts, p);
	build_accounts(c->accounts, p, &nacc);
	build_users(c->accounts, p, nacc);
	p->naccounts = nacc;
	charge_recorded(p, nacc);
	charge_jobs(c, js, p, nacc, now);
	free(p->objs);		/* the records may change after the build */
	p->objs = NULL;
	return p;
}

void
accounts_pass_job(struct acct_pass *p, const struct job *j,
		  struct sched_job *sj)
{
	if (!p)
		return;
	sj->assoc = job_assoc(p->c, p, p->naccounts, j);
	sj->qos = qos_index(p, j->qos ? j->qos : ACCT_QOS_NORMAL);
}

struct sched_acct_view *
accounts_pass_view(struct acct_pass *p)
{
	return p ? &p->view : NULL;
}

void
accounts_pass_end(struct acct_pass *p)
{
	if (!p)
		return;
	sched_acct_view_free(&p->view);
	for (size_t i = 0; i < p->nothers; i++)
		res_list_free(&p->others[i]);
	for (size_t i = 0; i < p->nowned; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->others);
	free(p->view.accts);
	free(p->view.qos);
	free(p->objs);
	free(p->leaves);
	free(p->byname);
	free(p);
}

static void
used_add(json_t *used, const char *name, const char *type, double v)
{
	char key[2 * RES_NAME_MAX + 2];

	if (v <= 0)
		return;
	snprintf(key, sizeof(key), "%s%s%s", name, type && *type ? ":" : "",
		 type ? type : "");
	json_object_set_new(used, key, json_real(
		json_number_value(json_object_get(used, key)) + v));
}

void
accounts_job_end(struct ctld *c, const struct job *j, time_t now)
{
	struct acct_obj *acct;
	struct sched_use u;
	struct res_list other;
	struct hc_err err = { 0 };
	double mins;

	if (!c->accounts || !job_holds(j) || !j->start_time)
		return;
	acct = accounts_find(c->accounts, ACCT_ACCOUNT, j->account ?
			     j->account : c->conf->default_account);
	if (!acct || !acct->used)
		return;
	mins = (double)((j->end_time ? j->end_time : now) - j->start_time) /
	       60.0;
	if (mins <= 0)
		return;
	job_use(j, &u, &other);
	used_add(acct->used, "cpu", NULL, (double)u.cpus * mins);
	used_add(acct->used, "mem", NULL, (double)u.mem_mb * mins);
	used_add(acct->used, "gpu", NULL, (double)u.gpus * mins);
	if (u.gpu_type[0])
		used_add(acct->used, "gpu", u.gpu_type, (double)u.gpus * mins);
	for (size_t i = 0; i < other.count; i++) {
		used_add(acct->used, other.items[i].name, NULL,
			 (double)other.items[i].count * mins);
		if (other.items[i].type[0])
			used_add(acct->used, other.items[i].name,
				 other.items[i].type,
				 (double)other.items[i].count * mins);
	}
	res_list_free(&other);
	/* Cloud pools' nodes: the job's share of each x the minutes it ran,
	 * and their cost (GrpCloudNodeMins, GrpCloudCost; power_burst.c
	 * reads them back; power_job.c keeps the same in the record). */
	for (uint32_t k = 0; k < j->nalloc; k++) {
		const struct node *n = j->alloc[k].node;
		const struct conf_pool *cp = n && n->cn && n->cn->pool ?
			conf_pool_find(c->conf, n->cn->pool) : NULL;
		double m = mins * power_job_share(&j->alloc[k]);
		if (!cp)
			continue;
		used_add(acct->used, "cloud_node_mins", NULL, m);
		used_add(acct->used, "cloud_cost", NULL, m / 60.0 * cp->cost);
	}
	if (accounts_save(c->accounts, acct, &err) < 0)
		hc_log(HC_LOG_ERR, "job=%u account=%s usage not stored: %s",
		       j->id, acct->name, err.text);
}
