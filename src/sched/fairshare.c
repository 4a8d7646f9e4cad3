/*
 * fairshare: decaying usage and the Fair Tree fair-share factor.
 *
 * Decay. Usage is billing-unit-seconds; a unit charged at t is worth
 * 2^-((now - t)/h) at now (h = PriorityDecayHalfLife). A record holds its
 * value and the instant it was decayed to; reading or charging it first
 * multiplies by 2^-(dt/h) for the time since (lazy decay: nothing is aged
 * between reads, and the clock is whatever the caller says `now` is). A
 * running job is charged at every tick for the interval since the last
 * one, with the exact integral of the decaying rate:
 *
 *	charge(rate, t0, t1) = rate * h/ln 2 * (1 - 2^-((t1 - t0)/h))
 *
 * so the result does not depend on how often the ticks come.
 *
 * Fair Tree (Slurm's algorithm, as published by BYU). Every node of the
 * account tree has shares; a subtree's usage is the sum of the usage
 * charged inside it. Among siblings, a node's
 *
 *	level fair-share  LF = (shares / siblings' shares)
 *	                       / (usage / parent's usage)
 *
 * (infinite for a node with no usage: the unused get first pick). The
 * tree is walked depth-first, visiting each node's children in
 * descending LF; every leaf (a user association, or an account with no
 * users) gets the next rank as it is met, counting down from the number
 * of leaves, and its factor is rank / leaves: 1 for the first, 1/n for the
 * last. Because a whole subtree is visited before its next sibling, every
 * user of an under-served project ranks above every user of an
 * over-served one: a heavy user in project A cannot starve a light user
 * in project B, however the users compare across projects, and within a
 * project the same rule orders its users. Sibling leaves with equal LF
 * share a rank. Siblings with equal LF are taken in order of more shares,
 * then name (Slurm merges tied accounts' children; we do not).
 * An inner node's own factor (for jobs charged to an account that has
 * user associations below it) is the rank its first leaf would have.
 *
 * Queue fair-share uses the classic formula 2^-(U/S) over the queues
 * (U: the queue's part of all queues' usage, S: its part of the weights):
 * 1 for an idle queue, 0.5 at exactly its share, towards 0 when flooding.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fairshare.h"
#include "log.h"

double
fs_decay(double dt, double half_life)
{
	if (half_life <= 0 || dt <= 0)
		return 1;
	return exp2(-dt / half_life);
}

double
fs_usage_at(const struct fs_usage *u, time_t now, double half_life)
{
	return u->value * fs_decay((double)(now - u->at), half_life);
}

void
fs_usage_decay(struct fs_usage *u, time_t now, double half_life)
{
	if (now <= u->at)
		return;
	u->value = fs_usage_at(u, now, half_life);
	u->at = now;
}

void
fs_usage_charge(struct fs_usage *u, double rate, time_t t0, time_t t1,
		double half_life)
{
	double dt, add;

	if (t1 <= t0 || rate <= 0)
		return;
	dt = (double)(t1 - t0);
	if (half_life <= 0)
		add = rate * dt;
	else
		add = rate * half_life / M_LN2 * (1 - exp2(-dt / half_life));
	if (t1 < u->at) {	/* late: decay the charge to the record */
		add *= fs_decay((double)(u->at - t1), half_life);
		t1 = u->at;
	}
	fs_usage_decay(u, t1, half_life);
	u->value += add;
}

/* ---- Fair Tree ---------------------------------------------------------- */

struct ft_child {
	double lf;
	uint32_t shares;
	const char *name;
	uint32_t idx;
};

static int
ft_child_cmp(const void *a, const void *b)
{
	const struct ft_child *x = a, *y = b;
	int c;

	if (x->lf != y->lf)
		return x->lf > y->lf ? -1 : 1;
	if (x->shares != y->shares)
		return x->shares > y->shares ? -1 : 1;
	c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
	return c ? c : (x->idx < y->idx ? -1 : 1);
}

struct ft {
	struct fs_node *n;
	size_t count;
	uint32_t *first;	/* i's children: kids[first[i]..first[i+1]) */
	uint32_t *kids;
	uint32_t leaves;
	uint32_t counter;	/* the next rank to give */
};

static bool
ft_has_parent(const struct fs_node *n, size_t i)
{
	return i > 0 && n[i].parent >= 0 && (size_t)n[i].parent < i;
}

/* Children lists, parent before child (so one pass fills them). */
static void
ft_build(struct ft *t)
{
	size_t n = t->count;
	uint32_t *fill = hc_calloc(n + 1, sizeof(*fill));

	t->first = hc_calloc(n + 1, sizeof(*t->first));
	t->kids = hc_calloc(n ? n : 1, sizeof(*t->kids));
	for (size_t i = 1; i < n; i++)
		if (ft_has_parent(t->n, i))
			t->first[t->n[i].parent + 1]++;
	for (size_t i = 0; i < n; i++)
		t->first[i + 1] += t->first[i];
	for (size_t i = 1; i < n; i++) {
		int32_t p = t->n[i].parent;

		if (ft_has_parent(t->n, i))
			t->kids[t->first[p] + fill[p]++] = (uint32_t)i;
	}
	for (size_t i = 0; i < n; i++)
		if (t->first[i + 1] == t->first[i] &&
		    (ft_has_parent(t->n, i) || n == 1))
			t->leaves++;
	free(fill);
}

static double
shares_of(const struct fs_node *x)
{
	return x->shares ? x->shares : 1;
}

/* shares_norm, usage_norm, level_fs of p's children. */
static void
ft_level(struct ft *t, uint32_t p)
{
	struct fs_node *a = t->n;
	double shares = 0;

	for (uint32_t k = t->first[p]; k < t->first[p + 1]; k++)
		shares += shares_of(&a[t->kids[k]]);
	for (uint32_t k = t->first[p]; k < t->first[p + 1]; k++) {
		struct fs_node *c = &a[t->kids[k]];

		c->shares_norm = shares_of(c) / shares;
		c->usage_norm = a[p].usage > 0 ? c->usage / a[p].usage : 0;
		c->usage_eff = a[0].usage > 0 ? c->usage / a[0].usage : 0;
		c->level_fs = c->usage_norm > 0 ? c->shares_norm /
						  c->usage_norm : HUGE_VAL;
	}
}

static void
ft_walk(struct ft *t, uint32_t p)
{
	struct fs_node *a = t->n;
	uint32_t nk = t->first[p + 1] - t->first[p];
	struct ft_child *c = hc_calloc(nk ? nk : 1, sizeof(*c));
	double prev_lf = -1;
	uint32_t prev_rank = 0;

	ft_level(t, p);
	for (uint32_t k = 0; k < nk; k++) {
		uint32_t i = t->kids[t->first[p] + k];

		c[k] = (struct ft_child){ a[i].level_fs, a[i].shares,
					  a[i].name, i };
	}
	qsort(c, nk, sizeof(*c), ft_child_cmp);
	for (uint32_t k = 0; k < nk; k++) {
		struct fs_node *x = &a[c[k].idx];

		if (t->first[c[k].idx + 1] > t->first[c[k].idx]) {
			x->rank = t->counter;	/* inner: not used up */
			x->factor = (double)t->counter / t->leaves;
			ft_walk(t, c[k].idx);
			prev_lf = -1;
			continue;
		}
		x->rank = prev_lf == x->level_fs ? prev_rank : t->counter;
		x->factor = (double)x->rank / t->leaves;
		prev_lf = x->level_fs;
		prev_rank = x->rank;
		t->counter--;
	}
	free(c);
}

void
fairshare_tree(struct fs_node *n, size_t count)
{
	struct ft t = { .n = n, .count = count };

	if (!count)
		return;
	for (size_t i = 0; i < count; i++)
		if (!(n[i].usage > 0))
			n[i].usage = 0;
	for (size_t i = count; i-- > 1;)
		if (ft_has_parent(n, i))
			n[n[i].parent].usage += n[i].usage;
	ft_build(&t);
	n[0].shares_norm = n[0].usage_norm = n[0].level_fs = 1;
	n[0].usage_eff = n[0].usage > 0 ? 1 : 0;
	t.counter = t.leaves;
	n[0].rank = t.counter;
	n[0].factor = 1;
	if (count > 1)
		ft_walk(&t, 0);
	free(t.first);
	free(t.kids);
}

void
fairshare_queues(const double *usage, const double *weight, size_t n,
		 double *factor)
{
	double tu = 0, tw = 0;

	for (size_t i = 0; i < n; i++) {
		tu += usage[i] > 0 ? usage[i] : 0;
		tw += weight[i] > 0 ? weight[i] : 0;
	}
	for (size_t i = 0; i < n; i++) {
		double u = tu > 0 && usage[i] > 0 ? usage[i] / tu : 0;
		double s = tw > 0 && weight[i] > 0 ? weight[i] / tw : 0;

		factor[i] = s > 0 ? exp2(-u / s) : 0;
	}
}
