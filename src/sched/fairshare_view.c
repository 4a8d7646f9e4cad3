/*
 * fairshare_view: build the tree Fair Tree ranks in a pass (see
 * fairshare_view.h): the host's account view, plus implicit user leaves,
 * with each leaf's usage read from the ledger at `now`.
 *
 * Every leaf is known by its ledger key "U:ACCOUNT/USER"; the keys are
 * sorted once so that each job finds its leaf by binary search.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fairshare_view.h"
#include "log.h"
#include "priority.h"
#include "sched.h"

struct fs_leaf {
	char key[FS_KEY_MAX];
	uint32_t idx;		/* node; UINT32_MAX: a candidate's account */
	uint32_t acct;
};

struct fs_view {
	struct fs_node *n;
	size_t count, cap;
	char **names;		/* implicit leaves' names (owned) */
	size_t nnames;
	struct fs_leaf *leaf;	/* sorted by key */
	size_t nleaf;
};

static int
leaf_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fs_leaf *)a)->key,
		      ((const struct fs_leaf *)b)->key);
}

const char *
fs_job_user(const struct sched_job *j, char *buf, size_t len)
{
	if (j->user && *j->user)
		return j->user;
	snprintf(buf, len, "%u", j->uid);
	return buf;
}

static struct fs_node *
node_push(struct fs_view *fv)
{
	if (fv->count == fv->cap) {
		fv->cap = fv->cap ? fv->cap * 2 : 64;
		fv->n = hc_realloc(fv->n, fv->cap * sizeof(*fv->n));
	}
	memset(&fv->n[fv->count], 0, sizeof(fv->n[0]));
	return &fv->n[fv->count++];
}

static void
leaf_push(struct fs_leaf **v, size_t *n, size_t *cap, const char *key,
	  uint32_t idx, uint32_t acct)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = hc_realloc(*v, *cap * sizeof(**v));
	}
	snprintf((*v)[*n].key, FS_KEY_MAX, "%s", key);
	(*v)[*n].idx = idx;
	(*v)[(*n)++].acct = acct;
}

/* The index of account `name` (not a user node) in v, or -1. */
static long
acct_find(const struct sched_acct_view *v, const char *name, size_t len)
{
	for (size_t i = 0; v && i < v->naccts; i++)
		if (!v->accts[i].is_user && v->accts[i].name &&
		    strlen(v->accts[i].name) == len &&
		    !strncmp(v->accts[i].name, name, len))
			return (long)i;
	if (!v && len == 4 && !strncmp(name, "root", 4))
		return 0;
	return -1;
}

/* The view's nodes (or a lone root), explicit user leaves keyed. */
static void
view_copy(struct fs_view *fv, const struct sched_acct_view *v,
	  const struct fs_ledger *l, time_t now, size_t *lcap)
{
	char key[FS_KEY_MAX];

	for (size_t i = 0; i < (v ? v->naccts : 1); i++) {
		struct fs_node *x = node_push(fv);

		if (!v) {
			x->name = "root";
			x->parent = -1;
			continue;
		}
		x->name = v->accts[i].name;
		x->parent = i ? v->accts[i].parent : -1;
		x->shares = v->accts[i].shares;
		x->is_user = v->accts[i].is_user;
		if (!x->is_user)
			continue;
		fs_key_user(sched_assoc_account(v, (uint32_t)i), x->name, key,
			    sizeof(key));
		x->usage = l ? fs_ledger_usage(l, key, now) : 0;
		leaf_push(&fv->leaf, &fv->nleaf, lcap, key, (uint32_t)i, 0);
	}
}

/* Candidate implicit leaves: users with usage, users of pending jobs. */
static void
candidates(struct fs_leaf **c, size_t *nc, size_t *cc,
	   const struct sched_acct_view *v, const struct fs_ledger *l,
	   const struct sched_job *jobs, size_t njobs)
{
	char key[FS_KEY_MAX], ubuf[16];

	for (size_t i = 0; l && i < fs_ledger_count(l); i++) {
		const char *k = fs_ledger_at((struct fs_ledger *)l, i)->key;
		const char *slash = strchr(k, '/');
		long a;

		if (strncmp(k, "U:", 2) != 0 || !slash || !slash[1])
			continue;
		if ((a = acct_find(v, k + 2, (size_t)(slash - k - 2))) >= 0)
			leaf_push(c, nc, cc, k, UINT32_MAX, (uint32_t)a);
	}
	for (size_t i = 0; i < njobs; i++) {
		uint32_t a = jobs[i].assoc;

		if (v && (a >= v->naccts || v->accts[a].is_user))
			continue;
		fs_key_user(sched_assoc_account(v, a),
			    fs_job_user(&jobs[i], ubuf, sizeof(ubuf)), key,
			    sizeof(key));
		leaf_push(c, nc, cc, key, UINT32_MAX, v ? a : 0);
	}
}

/* Add the candidates that are not explicit leaves, once each. */
static void
implicit_add(struct fs_view *fv, struct fs_leaf *c, size_t nc,
	     const struct fs_ledger *l, time_t now, size_t *lcap)
{
	size_t nexplicit = fv->nleaf;

	/* qsort and bsearch take no NULL base, even for no elements. */
	if (fv->nleaf)
		qsort(fv->leaf, fv->nleaf, sizeof(*fv->leaf), leaf_cmp);
	if (nc)
		qsort(c, nc, sizeof(*c), leaf_cmp);
	fv->names = hc_calloc(nc ? nc : 1, sizeof(*fv->names));
	for (size_t i = 0; i < nc; i++) {
		struct fs_node *x;

		if ((i && !strcmp(c[i].key, c[i - 1].key)) ||
		    (nexplicit && bsearch(&c[i], fv->leaf, nexplicit,
					  sizeof(*c), leaf_cmp)))
			continue;
		x = node_push(fv);
		x->name = fv->names[fv->nnames++] =
			hc_strdup(strchr(c[i].key, '/') + 1);
		x->parent = (int32_t)c[i].acct;
		x->shares = 1;
		x->is_user = true;
		x->usage = l ? fs_ledger_usage(l, c[i].key, now) : 0;
		leaf_push(&fv->leaf, &fv->nleaf, lcap, c[i].key,
			  (uint32_t)(fv->count - 1), 0);
	}
	qsort(fv->leaf, fv->nleaf, sizeof(*fv->leaf), leaf_cmp);
}

static void
write_back(const struct fs_view *fv, struct sched_acct_view *v)
{
	for (size_t i = 0; v && i < v->naccts; i++) {
		struct sched_acct *a = &v->accts[i];
		const struct fs_node *x = &fv->n[i];

		a->usage_raw = x->usage;
		a->usage_norm = x->usage_norm;
		a->shares_norm = x->shares_norm;
		a->level_fs = x->level_fs;
		a->fs_factor = x->factor;
		a->fs_rank = x->rank;
	}
}

struct fs_view *
fs_view_build(struct sched_acct_view *v, const struct fs_ledger *l,
	      const struct sched_job *jobs, size_t njobs, time_t now)
{
	struct fs_view *fv = hc_calloc(1, sizeof(*fv));
	struct fs_leaf *c = NULL;
	size_t nc = 0, cc = 0, lcap = 0;

	if (v && !v->naccts)
		v = NULL;
	view_copy(fv, v, l, now, &lcap);
	candidates(&c, &nc, &cc, v, l, jobs, njobs);
	implicit_add(fv, c, nc, l, now, &lcap);
	free(c);
	fairshare_tree(fv->n, fv->count);
	write_back(fv, v);
	return fv;
}

void
fs_view_free(struct fs_view *fv)
{
	if (!fv)
		return;
	for (size_t i = 0; i < fv->nnames; i++)
		free(fv->names[i]);
	free(fv->names);
	free(fv->leaf);
	free(fv->n);
	free(fv);
}

double
fs_view_job_factor(const struct fs_view *fv, const struct sched_job *j,
		   const struct sched_acct_view *v)
{
	struct fs_leaf k;
	const struct fs_leaf *hit;
	char ubuf[16];

	if (v && j->assoc < v->naccts && v->accts[j->assoc].is_user)
		fs_key_user(sched_assoc_account(v, j->assoc),
			    v->accts[j->assoc].name, k.key, sizeof(k.key));
	else
		fs_key_user(sched_assoc_account(v, j->assoc),
			    fs_job_user(j, ubuf, sizeof(ubuf)), k.key,
			    sizeof(k.key));
	hit = bsearch(&k, fv->leaf, fv->nleaf, sizeof(k), leaf_cmp);
	return hit ? fv->n[hit->idx].factor : 0;
}

const struct fs_node *
fs_view_nodes(const struct fs_view *fv, size_t *n)
{
	*n = fv->count;
	return fv->n;
}
