/*
 * sched_resv: advance reservations as libhcsched sees them, and the two
 * checks placement and planning make against them.
 *
 * A reservation holds a set of nodes for a time window [start, end) for
 * some users and accounts. The controller keeps the records (LMDB) and
 * fills these views for each pass; the simulator builds them from its own
 * input. Everything here is plain data and pure functions on the injected
 * clock.
 *
 * The rules:
 *  - a job that does not belong to a reservation may not use one of its
 *    nodes if the job's run [start, start + time limit) overlaps the
 *    window (an unlimited job overlaps every window that has not ended);
 *    the planner treats the window as busy time on those nodes;
 *  - a job submitted with --reservation=R may only use R's nodes, and
 *    only while R's window is open (before it: reason "Reservation").
 * The node set is a bitmap indexed by struct sched_node.index (the
 * caller's node index), bit i in word i / 64.
 */
#ifndef SCHED_RESV_H
#define SCHED_RESV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Flags (the controller's records use the same bits). */
#define SCHED_RESV_MAINT 0x1u		/* nodes in maintenance */
#define SCHED_RESV_IGNORE_JOBS 0x2u	/* created over running jobs */
#define SCHED_RESV_DAILY 0x4u		/* window repeats every day */
#define SCHED_RESV_WEEKLY 0x8u		/* window repeats every week */

#define SCHED_RESV_NO_ACCOUNT UINT32_MAX	/* job without an account */

struct sched_resv {
	const char *name;		/* borrowed */
	time_t start, end;		/* the window [start, end) */
	const uint64_t *nodes;		/* bitmap by sched_node.index */
	uint32_t nbits;			/* bits in nodes (higher: out) */
	const uint32_t *uids;		/* Users=, nuids entries */
	size_t nuids;
	const uint32_t *accounts;	/* Accounts=, as account indices */
	size_t naccounts;
	uint32_t flags;			/* SCHED_RESV_* */
};

/* The reservations of a pass, borrowed by libhcsched until the next call
 * (or until the pass that uses them returns). */
struct sched_resv_set {
	const struct sched_resv *resv;
	size_t count;
};

struct sched;

/* Give the pass its reservations: rv[0..n) are borrowed until the next
 * call (the caller keeps them alive across sched_pass). n 0: none. */
void sched_resv_use(struct sched *s, const struct sched_resv *rv, size_t n);

/* Is the node (caller's index) one of r's? */
bool sched_resv_has_node(const struct sched_resv *r, uint32_t node);

/* Does [from, to) overlap r's window? */
bool sched_resv_overlaps(const struct sched_resv *r, time_t from, time_t to);

/* May user uid (account index, or SCHED_RESV_NO_ACCOUNT) use r? */
bool sched_resv_member(const struct sched_resv *r, uint32_t uid,
		       uint32_t account);

/* When a job starting at `start` with a time limit of `secs` seconds
 * (<= 0: unlimited) ends, for overlap tests. */
time_t sched_resv_job_end(time_t start, long secs);

/* The reservation named `name` in set, or NULL. */
const struct sched_resv *sched_resv_find(const struct sched_resv_set *set,
					 const char *name);

/*
 * The placement check: may a job use node `node` for [start, end)?
 * own is the job's reservation (sched_resv_find of its --reservation), or
 * NULL. Returns true, or false with why: "Reservation" (own's window is
 * not open at start), "ReqNodeNotAvail" (the node is not own's) or
 * "ReqNodeNotAvail,Reserved(NAME)" (another reservation's window overlaps
 * on this node).
 * A job in own is not blocked by own's window; other reservations on the
 * same node block it like any job.
 */
bool sched_resv_node_ok(const struct sched_resv_set *set,
			const struct sched_resv *own, uint32_t node,
			time_t start, time_t end, char *why, size_t len);

/* The earliest time >= `from` at which a job of length `secs` can start
 * on `node` without overlapping a reservation other than own (for
 * planners: windows are busy time). secs < 0: unlimited. Returns
 * LLONG_MAX when it never can. */
time_t sched_resv_node_free_at(const struct sched_resv_set *set,
			       const struct sched_resv *own, uint32_t node,
			       time_t from, long secs);

/* For planners: job j was planned to start at t (> now) on
 * nodes[chosen[0..n)]. When a reservation window is what puts it there,
 * say so in j->reason: "Reservation" when t opens j's own reservation,
 * "ReqNodeNotAvail,Reserved(NAME)" when t closes another reservation
 * holding one of those nodes. Otherwise j->reason is left as it is. */
struct sched_job;
struct sched_node;
void sched_resv_plan_reason(const struct sched_resv_set *set,
			    struct sched_job *j,
			    const struct sched_node *nodes,
			    const uint32_t *chosen, size_t n, time_t now,
			    time_t t);

#endif
