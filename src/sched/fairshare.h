/*
 * fairshare: usage that decays, and the Fair Tree fair-share factor
 * (fairshare.c for the algorithm; fairshare_usage.c for the ledger).
 *
 * Usage is counted in billing-unit-seconds (billing.h: what a second of a
 * job's allocation costs) and decays with a half-life h: a unit charged at
 * time t counts 2^-((now - t) / h) at now. The decay is lazy: each record
 * keeps its value and the time it was last decayed to, and is brought to
 * `now` (the injected clock) only when it is read or charged, so no pass
 * ever walks every record to age it, and hcsim gets the same numbers on
 * virtual time.
 */
#ifndef HC_FAIRSHARE_H
#define HC_FAIRSHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>


/* One decaying amount: value as of time `at`. */
struct fs_usage {
	double value;
	time_t at;
};

/* 2^(-dt / half_life): the part of a charge left after dt seconds.
 * half_life <= 0: no decay (1). dt <= 0: 1. */
double fs_decay(double dt, double half_life);

/* u's value at now (u is not changed; now before u->at reads u->value). */
double fs_usage_at(const struct fs_usage *u, time_t now, double half_life);

/* Bring u to now: value decayed, at = now (never moves back in time). */
void fs_usage_decay(struct fs_usage *u, time_t now, double half_life);

/* Charge a job that cost `rate` units per second over [t0, t1]: u is
 * brought to t1 and gains the integral of the decayed rate,
 * rate * h/ln2 * (1 - 2^-((t1-t0)/h)) -- exact, so charging one long
 * interval or many short ticks gives the same usage. t1 <= t0: nothing.
 * Intervals ending before u->at are charged as if they ended at u->at. */
void fs_usage_charge(struct fs_usage *u, double rate, time_t t0, time_t t1,
		     double half_life);

/* One node of the tree Fair Tree ranks (the account view's nodes plus the
 * implicit user leaves: fairshare_view.c). Parent before child. */
struct fs_node {
	const char *name;	/* borrowed */
	int32_t parent;		/* index < own; -1 for the root (node 0) */
	uint32_t shares;	/* 0 counts as 1 */
	bool is_user;		/* a user leaf (shown as such) */
	double usage;		/* in: usage charged to the node itself;
				 * out: its subtree's */
	/* out: */
	double shares_norm;	/* shares / siblings' shares */
	double usage_norm;	/* usage / parent's usage (0 if none) */
	double usage_eff;	/* usage / root's usage */
	double level_fs;	/* shares_norm / usage_norm (HUGE_VAL: none) */
	double factor;		/* leaves: rank / leaves; inner: see .c */
	uint32_t rank;
};

/* Fair Tree over n[0..count): fills every out field. O(n log n). */
void fairshare_tree(struct fs_node *n, size_t count);

/*
 * Queue fair-share: n queues with usage[i] and weight[i] (> 0) get
 * factor[i] = 2^-(U_i / S_i), U_i = usage[i] / sum of usage, S_i =
 * weight[i] / sum of weights (Slurm's classic formula: 1 for an idle
 * queue, 0.5 for one that used exactly its share, towards 0 for a queue
 * that floods). All idle: every factor 1.
 */
void fairshare_queues(const double *usage, const double *weight, size_t n,
		      double *factor);

/* ---- the usage ledger: decaying usage by key -------------------------- */

/* Keys: "U:ACCOUNT/USER" (a user's usage under an account: an explicit
 * user association or an implicit one), "Q:QUEUE" (a queue). */
#define FS_KEY_MAX 160

struct fs_ledger;

struct fs_ledger_entry {
	char key[FS_KEY_MAX];
	struct fs_usage u;
	bool dirty;		/* changed since fs_ledger_clean() */
};

struct fs_ledger *fs_ledger_create(double half_life);
/* A copy (for a pass's snapshot: the pass reads it while the host goes on
 * charging the original). */
struct fs_ledger *fs_ledger_copy(const struct fs_ledger *l);
void fs_ledger_destroy(struct fs_ledger *l);	/* NULL ok */
double fs_ledger_half_life(const struct fs_ledger *l);
void fs_ledger_set_half_life(struct fs_ledger *l, double half_life);

/* The entry for key, created (zero usage at `now`) when create is set;
 * NULL if absent or the key is too long. Borrowed until the next call
 * that creates an entry. */
struct fs_ledger_entry *fs_ledger_get(struct fs_ledger *l, const char *key,
				      bool create, time_t now);
/* Usage of key at now (0 when absent). */
double fs_ledger_usage(const struct fs_ledger *l, const char *key,
		       time_t now);
/* Charge rate over [t0, t1] to key (created), marked dirty. */
void fs_ledger_charge(struct fs_ledger *l, const char *key, double rate,
		      time_t t0, time_t t1);
/* Set key's usage to value at now (loading, admin resets), dirty. */
void fs_ledger_set(struct fs_ledger *l, const char *key, double value,
		   time_t now);

/* Entries by index, 0 .. count-1 (stable while none is created). */
size_t fs_ledger_count(const struct fs_ledger *l);
struct fs_ledger_entry *fs_ledger_at(struct fs_ledger *l, size_t i);
void fs_ledger_clean(struct fs_ledger *l);	/* clear every dirty flag */

/* The ledger key of a user under an account: "U:ACCOUNT/USER". */
void fs_key_user(const char *account, const char *user, char *buf,
		 size_t len);
/* The ledger key of a queue: "Q:QUEUE". */
void fs_key_queue(const char *queue, char *buf, size_t len);

#endif
