/*
 * ctld: the controller's context object. One pointer per subsystem; main()
 * creates them in dependency order and destroys them in reverse. Everything
 * runs on one libevent loop (ctld.base); the only other threads are the munge
 * decode worker and the backup copier, which hand results back to the loop.
 *
 * Subsystems and who they are:
 *	state	LMDB store, group commit (state.h)
 *	rpc	listener, connections, framing, auth worker, dispatch (rpc.h)
 *	nodes	node table, node connections, heartbeats, NodeTimeout (nodes.h)
 *	jobs	job table, submit/query/signal/update/history, lifecycle,
 *		scheduling passes through libhcsched (jobs.h)
 *	audit	hash-chained audit log and its checkpoints (audit.h)
 *	steps	job steps inside allocations, step credentials (steps.h)
 *	accounts  account tree, users, QOS, submit-time limits (accounts.h)
 *	resvs	advance reservations (resv.h)
 *	power	cloud pools and power saving: node starts and stops (power.h)
 *	users	user and group names by id, cached (usercache.h)
 */
#ifndef CTLD_H
#define CTLD_H

#include <stdbool.h>
#include <time.h>

struct event_base;
struct hc_err;
struct hc_conf;
struct state;
struct rpc;
struct nodes;
struct jobs;
struct sched;
struct stepcred_key;
struct admin_backup;
struct audit;
struct steps;
struct accounts;
struct usage;
struct resvs;
struct power;
struct usercache;

struct ctld {
	struct event_base *base;
	struct hc_conf *conf;		/* owned; replaced on reconfigure */
	const char *conf_path;
	struct state *state;
	struct rpc *rpc;
	struct nodes *nodes;
	struct jobs *jobs;
	struct sched *sched;
	struct stepcred_key *key;	/* step credential signing key */
	char *port_file;		/* --port-file */
	char *ready_file;		/* --ready-file */
	bool shutting_down;
	bool state_lost;		/* a commit failed: exit non-zero */
	struct hc_conf **old_confs;	/* replaced by reconfigure; kept
					   until exit (others may borrow) */
	size_t nold_confs;
	struct admin_backup *backup;	/* hcctl backup in progress */
	struct audit *audit;		/* audit log (audit.h); NULL ok */
	struct steps *steps;		/* job steps (steps.h); NULL ok */
	struct accounts *accounts;	/* accounts, users, QOS (accounts.h) */
	char cluster_id[33];		/* compute ids' (identity_cluster.c) */
	struct usage *usage;		/* fair-share usage (usage.h) */
	struct resvs *resvs;		/* advance reservations (resv.h) */
	struct power *power;		/* cloud pools, power saving (power.h);
					   NULL ok */
	struct usercache *users;	/* names of submitters (usercache.h) */
};

/* Re-read hc.conf (hcctl reconfigure). Refuses, with the job ids named,
 * to remove a node that still has running jobs. */
int ctld_reconfigure(struct ctld *c, struct hc_err *err);

/* Wait for a backup in progress (before the state is closed). */
void admin_fini(struct ctld *c);

#endif
