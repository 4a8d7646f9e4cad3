/*
 * power_int.h: a pool's run-time state (power.c), kept in LMDB
 * (power_store.c) so that a controller restart keeps the breaker, the
 * back-off and the spend of the billing period.
 */
#ifndef HC_POWER_INT_H
#define HC_POWER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct node;
struct power;
struct power_progs;
struct state;

struct pool {
	char name[64];		/* "" = on-premise power saving */
	time_t *starts;		/* recent resume times (ring) */
	size_t nstarts;
	time_t backoff_until;
	long backoff_s;		/* 0: not backing off */
	bool probing;		/* after a back-off: one node at a time */
	bool breaker;
	char breaker_why[600];
	double node_secs;	/* node-seconds used in the billing period */
	char period[8];		/* that period: the month, "YYYY-MM" (UTC) */
	double boot_avg;	/* seconds from resume to registration */
	time_t list_next;	/* when ListProgram runs next (0: now) */
	bool list_busy;		/* ListProgram running */
};

/* Read p's record (by p->name) if one was saved; p->period set for now. */
void pool_load(struct state *st, struct pool *p, time_t now);
/* Write p's record (committed with the loop's next group commit). */
void pool_save(struct state *st, const struct pool *p);
/* A new billing period (month, UTC) at now: its spend starts from 0. */
void pool_period(struct pool *p, time_t now);

/* power.c, for power_list.c */
struct power_progs *power_progs_of(struct power *pw);
struct pool *power_pool_get(struct power *pw, const char *name);
/* The provider says n does not exist: back to CLOUD with why, its jobs
 * planned again, the pool backing off. */
void power_node_gone(struct power *pw, struct node *n, const char *why);

/* power_burst.c: whether a pending job's plan starts on n by until (an
 * idle node the plan needs within SuspendTime is kept up). O(1): looked
 * up in the keep-idle index of the last pass. */
bool power_node_planned(struct power *pw, const struct node *n,
			time_t until);

/* The keep-idle index (burst_plan_keep, libhcsched): per node index, the
 * earliest start the last applied pass planned on it; built once per
 * pass, valid while the node table's epoch is `epoch`. */
struct power_keep {
	time_t *start;
	size_t n;
	uint64_t epoch;
};
struct power_keep *power_keep_of(struct power *pw);

/* power_boot.c, for power_burst.c: built once per pass. */
struct sched_job;
struct sched_snap;
struct nodes;
struct boot_pair {
	uint32_t id;		/* a job a booting node remembers */
	uint32_t node;		/* that node's index */
};
/* The index of the first of pairs[0..np) (sorted) for job id, or np. */
size_t power_boot_first(const struct boot_pair *pairs, size_t np,
			uint32_t id);
/* qsort order of struct burst_job entries: priority, highest first, then
 * job id. */
int power_burst_prio_cmp(const void *a, const void *b);
/* Every booting node's (job, node) pairs, sorted; *np of them. */
struct boot_pair *power_boot_pairs(struct nodes *ns, size_t *np);
/* How many tasks shaped as sj the booting nodes that remember job id
 * hold. */
uint32_t power_tasks_booting(struct nodes *ns, const struct boot_pair *pairs,
			     size_t np, uint32_t id,
			     const struct sched_job *sj);
/* Each node v[pr[i].node] remembers job pr[i].id (pr[0..n) sorted here,
 * repeats dropped). */
void power_boot_assign(struct node **v, struct boot_pair *pr, size_t n);
/* Node n, about to start, remembers jobs u[0..nu) (unique). */
void power_boot_jobs_add(struct node *n, const uint32_t *u, size_t nu);
/* The keep-idle index from pass s. */
void power_keep_build(struct power *pw, const struct sched_snap *s);
/* Pool `pool`'s started nodes up and idle: their indexes (*n of them;
 * free it). */
uint32_t *power_idle_nodes(struct nodes *ns, const char *pool, uint32_t *n);
/* The idle nodes decision d holds for multi-node jobs, added to the
 * keep-idle index from now. */
struct burst_decision;
void power_keep_decision(struct power *pw, const struct burst_decision *d,
			 time_t now);

/* power_burst.c, for power_budget.c: a pool as burst_decide sees it (why:
 * the room's reason, len bytes), every account's cloud budget left once
 * charged and held, a job's account chain (POWER_CHAIN_MAX + 1 entries,
 * NULL-terminated). */
#define POWER_CHAIN_MAX 32
struct burst_budget;
struct burst_pool;
struct conf_pool;
struct ctld;
struct job;
void power_pool_view(struct power *pw, const struct conf_pool *cp,
		     time_t now, struct burst_pool *bp, char *why,
		     size_t len);
struct burst_budget *power_budgets_build(struct ctld *c, size_t *nb);
void power_chain_fill(struct ctld *c, const struct job *j,
		      const char **chain);

/* power_budget.c: what running and booting cloud jobs hold of budgets
 * b[0..nb), added to mins[i] and cost[i]. */
void power_budget_holds(struct ctld *c, const struct burst_budget *b,
			size_t nb, double *mins, double *cost);

/* power_list.c: each pool's ListProgram at start-up and every
 * ListInterval; orphans suspended, contradicting states repaired. */
void power_list_tick(struct power *pw, time_t now);

#endif
