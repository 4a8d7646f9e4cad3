/*
 * accounts: the account tree, the users' memberships and the QOS table,
 * kept in LMDB (STATE_DB_ACCOUNTS) and managed by `hcctl create|update|
 * delete|show account|user|qos NAME Key=Value...`.
 *
 * Accounts form a tree under the implicit "root" (organisation ->
 * department -> project); a user belongs to one or more accounts and is a
 * leaf under each (a user association). QOS are a flat table; "normal"
 * always exists and is the default unless an account (or an ancestor) says
 * DefaultQOS=. DefaultAccount (hc.conf) is created when first needed.
 *
 * Files: accounts.c (objects, keys, records, load), accounts_rpc.c (the
 * ACCT_UPDATE and ACCT_QUERY requests), accounts_submit.c (which account
 * and QOS a submission is charged to, and the submit-time limits),
 * accounts_view.c (the view libhcsched's quota stage reads, and the
 * resource-minutes charged when jobs end).
 *
 * Every object is one struct acct_obj; which keys a kind takes is the key
 * table in accounts.c. Records are JSON objects of those keys plus "v".
 */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "hc_err.h"
#include "parse.h"

struct ctld;
struct job;
struct jobs;
struct sched_job;

#define ACCT_ROOT "root"
#define ACCT_QOS_NORMAL "normal"
#define ACCT_NAME_MAX 48	/* fits pending reasons */

enum acct_kind { ACCT_ACCOUNT, ACCT_USER, ACCT_QOS, ACCT_NKINDS };

struct acct_obj {
	enum acct_kind kind;
	char *name;
	char *parent;		/* account: Parent= (NULL only for root) */
	char *descr;		/* Description= */
	char *default_qos;	/* account: DefaultQOS= (NULL: inherit) */
	char *qos;		/* account: QOS= allowed "a,b" (NULL:
				 * inherit; none anywhere: all) */
	char *accounts;		/* user: Account= "a,b" */
	char *default_account;	/* user: DefaultAccount= */
	uint32_t uid;		/* user: resolved from the name */
	long shares;		/* account, user: Shares= (>= 1) */
	long priority;		/* qos: Priority= */
	long grp_jobs, grp_submit, max_jobs_per_user;	/* 0: none */
	long max_wall;		/* MaxWall= minutes; 0: none */
	struct res_list grp_res, grp_res_mins;
	long grp_cloud_node_mins;	/* account: cloud node-minutes budget
					 * of its subtree; 0: none */
	long grp_cloud_cost;	/* account: cloud cost budget; 0: none */
	json_t *used;		/* account: resource-minutes charged to it
				 * (not its subtree) since the last reset:
				 * {"gpu":n,"gpu:h100":n,"cpu":n,...} */
};

struct accounts;

/* Load every record (creating root and QOS normal when absent). */
struct accounts *accounts_create(struct ctld *c, struct hc_err *err);
void accounts_destroy(struct accounts *a);	/* NULL ok */

/* The object of that kind and name, or NULL. Borrowed until it changes. */
struct acct_obj *accounts_find(struct accounts *a, enum acct_kind kind,
			       const char *name);
/* All objects of a kind, *n of them, in creation order. Borrowed. */
struct acct_obj **accounts_list(struct accounts *a, enum acct_kind kind,
				size_t *n);
/* The parent of an account, NULL for root (or a missing parent). */
struct acct_obj *accounts_parent(struct accounts *a,
				 const struct acct_obj *acct);
/* Whether name is in the comma list csv. */
bool accounts_in_list(const char *csv, const char *name);

/* Persist o (current write transaction). */
int accounts_save(struct accounts *a, const struct acct_obj *o,
		  struct hc_err *err);
/* Add a new object (takes o) / remove and free one. Both persist. */
int accounts_add(struct accounts *a, struct acct_obj *o, struct hc_err *err);
int accounts_remove(struct accounts *a, struct acct_obj *o,
		    struct hc_err *err);
/* Set Key=val on o (only the keys o's kind takes). Does not persist. */
int accounts_set_key(struct accounts *a, struct acct_obj *o, const char *key,
		     const char *val, struct hc_err *err);
/* The object as {Key: value} for show (new reference). */
json_t *accounts_obj_json(const struct acct_obj *o);
struct acct_obj *accounts_obj_new(enum acct_kind kind, const char *name);
void accounts_obj_free(struct acct_obj *o);	/* NULL ok */
/* "account", "user", "qos"; and back (-1 when unknown). */
const char *accounts_kind_name(enum acct_kind kind);
int accounts_kind_parse(const char *s);

/* accounts_submit.c. Decide the account and QOS of a submission by uid
 * and user (names as asked, may be NULL), check that they exist and are
 * allowed, and apply the submit-time limits (MaxWall at every level and of
 * the QOS, GrpSubmit at every level). *time_limit (minutes, -1 unlimited)
 * is lowered to the smallest MaxWall when the job asked for none. On
 * success *account_out and *qos_out are malloc'ed names. */
int accounts_submit(struct ctld *c, uint32_t uid, const char *user,
		    const char *account, const char *qos, long *time_limit,
		    bool time_asked, char **account_out, char **qos_out,
		    struct hc_err *err);

/* hcctl update job ID Account=NAME: whether the job of user (uid) may be
 * charged to account; uid 0 (an admin's change): only that it exists. */
int accounts_job_account(struct ctld *c, uint32_t uid, const char *user,
			 const char *account, struct hc_err *err);

/* accounts_view.c. A scheduling pass's account view (sched_account.h),
 * built on the loop from the records and the job table (running jobs
 * charged, pending ones counted) into a snapshot the scheduling worker
 * reads: it owns copies of everything it points at. accounts_pass_job
 * sets a pending job's sched_job.assoc and qos; hand accounts_pass_view
 * to sched_set_accounts around sched_pass; accounts_pass_end frees it.
 * NULL (no accounts) is accepted everywhere. */
struct acct_pass;
struct sched_acct_view;
struct acct_pass *accounts_pass_begin(struct ctld *c, struct jobs *js,
				      time_t now);
void accounts_pass_job(struct acct_pass *p, const struct job *j,
		       struct sched_job *sj);
struct sched_acct_view *accounts_pass_view(struct acct_pass *p);
void accounts_pass_end(struct acct_pass *p);

/* A job's allocation ends (finished or requeued): charge its
 * resource-minutes to its account's record. */
void accounts_job_end(struct ctld *c, const struct job *j, time_t now);

#endif
