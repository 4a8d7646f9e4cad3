/*
 * accounts_submit: which account and QOS a submission is charged to, and
 * the limits checked at submit time.
 *
 * Account: -A NAME if given (it must exist, and a user with a user record
 * must be a member of it; admins may use any), else the user's
 * DefaultAccount (or first account), else hc.conf's DefaultAccount
 * (created when first needed) -- unless EnforceAccounts=yes, which refuses
 * users without a record and says how to add one.
 * QOS: --qos NAME, else the nearest DefaultQOS= up the account's path,
 * else "normal"; it must be allowed by the nearest QOS= list up the path
 * (none anywhere: every QOS is).
 * Limits, at the user association, the account and every ancestor: MaxWall
 * (and the QOS's), GrpSubmit (pending + running jobs of the subtree). A job
 * that asked for no time limit gets the smallest MaxWall instead of a
 * refusal.
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
#include "states.h"

/* The user's first account (DefaultAccount when set). Malloc'ed. */
static char *
user_default(const struct acct_obj *u)
{
	const char *c;

	if (u->default_account)
		return hc_strdup(u->default_account);
	c = strchr(u->accounts, ',');
	return c ? hc_asprintf("%.*s", (int)(c - u->accounts), u->accounts)
		 : hc_strdup(u->accounts);
}

static int
implicit_default(struct accounts *a, const char *name, struct hc_err *err)
{
	if (accounts_find(a, ACCT_ACCOUNT, name))
		return 0;
	if (accounts_name_check("DefaultAccount", name, err) < 0)
		return -1;
	hc_log(HC_LOG_INFO, "account %s created (DefaultAccount)", name);
	return accounts_add(a, accounts_obj_new(ACCT_ACCOUNT, name), err);
}

static int
pick_account(struct ctld *c, uint32_t uid, const char *user,
	     const struct acct_obj *u, const char *asked, char **out,
	     struct hc_err *err)
{
	struct accounts *a = c->accounts;

	if (asked) {
		/* Asked only here: AdminUsers names cost an NSS lookup each,
		 * and most submissions name no account. */
		bool admin = conf_is_admin(c->conf, uid);

		if (!accounts_find(a, ACCT_ACCOUNT, asked))
			return hc_err_set(err, HC_ENOENT, "account %s does "
					  "not exist; hcctl show account "
					  "lists them", asked);
		/* Security: a user charges only accounts it belongs to;
		 * admins may charge any. */
		if (u && !admin && !accounts_in_list(u->accounts, asked))
			return hc_err_set(err, HC_EPERM, "user %s may not use "
					  "account %s; use one of %s (-A), or "
					  "ask an administrator to add it "
					  "(hcctl update user %s Account=...)",
					  user, asked, u->accounts, user);
		if (!u && c->conf->enforce_accounts && !admin)
			goto enforce;
		*out = hc_strdup(asked);
		return 0;
	}
	if (u) {
		*out = user_default(u);
		return 0;
	}
	if (c->conf->enforce_accounts)
		goto enforce;
	if (implicit_default(a, c->conf->default_account ?
			     c->conf->default_account : "default", err) < 0)
		return -1;
	*out = hc_strdup(c->conf->default_account ? c->conf->default_account
						  : "default");
	return 0;
enforce:
	return hc_err_set(err, HC_EPERM, "user %s has no account and this "
			  "cluster requires one (EnforceAccounts=yes); ask an "
			  "administrator to run: hcctl create user %s "
			  "Account=NAME", user, user);
}

static int
pick_qos(struct accounts *a, const struct acct_obj *acct, const char *asked,
	 char **out, struct hc_err *err)
{
	const char *def = NULL, *allowed = NULL, *who = NULL;

	for (const struct acct_obj *x = acct; x; x = accounts_parent(a, x)) {
		if (!def && x->default_qos)
			def = x->default_qos;
		if (!allowed && x->qos) {
			allowed = x->qos;
			who = x->name;
		}
	}
	if (!asked)
		asked = def ? def : ACCT_QOS_NORMAL;
	if (!accounts_find(a, ACCT_QOS, asked))
		return hc_err_set(err, HC_ENOENT, "qos %s does not exist; "
				  "hcctl show qos lists them", asked);
	if (allowed && !accounts_in_list(allowed, asked))
		return hc_err_set(err, HC_EPERM, "account %s does not allow "
				  "qos %s; use one of %s (--qos)", who, asked,
				  allowed);
	*out = hc_strdup(asked);
	return 0;
}

/* MaxWall of one level: lower an unasked limit, refuse an asked one. */
static int
wall_check(const char *kind, const char *name, long max, long *tl,
	   bool asked, struct hc_err *err)
{
	char a[32], b[32];

	if (!max || (*tl >= 0 && *tl <= max))
		return 0;
	if (!asked) {
		*tl = max;
		return 0;
	}
	format_time_limit(max, b, sizeof(b));
	format_time_limit(*tl, a, sizeof(a));
	return hc_err_set(err, HC_EINVAL, "%s %s: MaxWall %s exceeded by "
			  "--time=%s; ask for less or use another %s", kind,
			  name, b, a, kind);
}

/* Active jobs charged to acct's subtree (user: only that uid's jobs of
 * acct itself). */
static long
submitted(struct ctld *c, const struct acct_obj *acct,
	  const struct acct_obj *user)
{
	struct accounts *a = c->accounts;
	long n = 0;

	for (size_t i = 0; c->jobs && i < c->jobs->n; i++) {
		const struct job *j = c->jobs->v[i];
		struct acct_obj *x;

		if (job_state_is_final(j->state) || !j->account)
			continue;
		if (user) {
			n += j->uid == user->uid &&
			     !strcmp(j->account, acct->name);
			continue;
		}
		for (x = accounts_find(a, ACCT_ACCOUNT, j->account); x;
		     x = accounts_parent(a, x))
			if (x == acct) {
				n++;
				break;
			}
	}
	return n;
}

static int
limits_check(struct ctld *c, const struct acct_obj *u,
	     const struct acct_obj *acct, const struct acct_obj *q, long *tl,
	     bool asked, struct hc_err *err)
{
	struct accounts *a = c->accounts;

	if (u && (wall_check("user", u->name, u->max_wall, tl, asked, err) ||
		  (u->grp_submit && submitted(c, acct, u) >= u->grp_submit &&
		   hc_err_set(err, HC_EBUSY, "user %s: GrpSubmit %ld reached "
			      "in account %s; wait for jobs to end",
			      u->name, u->grp_submit, acct->name))))
		return -1;
	for (const struct acct_obj *x = acct; x; x = accounts_parent(a, x)) {
		if (wall_check("account", x->name, x->max_wall, tl, asked, err))
			return -1;
		if (x->grp_submit && submitted(c, x, NULL) >= x->grp_submit)
			return hc_err_set(err, HC_EBUSY, "account %s: "
					  "GrpSubmit %ld reached (jobs pending "
					  "or running); wait for some to end "
					  "or use another account", x->name,
					  x->grp_submit);
	}
	return wall_check("qos", q->name, q->max_wall, tl, asked, err);
}

int
accounts_job_account(struct ctld *c, uint32_t uid, const char *user,
		     const char *account, struct hc_err *err)
{
	struct acct_obj *u = accounts_find(c->accounts, ACCT_USER, user);
	char *an = NULL;

	if (pick_account(c, uid, user ? user : "?", u, account, &an,
			 err) < 0)
		return -1;
	free(an);
	return 0;
}

int
accounts_submit(struct ctld *c, uint32_t uid, const char *user,
		const char *account, const char *qos, long *time_limit,
		bool time_asked, char **account_out, char **qos_out,
		struct hc_err *err)
{
	struct accounts *a = c->accounts;
	struct acct_obj *u = accounts_find(a, ACCT_USER, user);
	struct acct_obj *acct;
	char *an = NULL, *qn = NULL;

	if (pick_account(c, uid, user ? user : "?", u, account, &an, err) < 0)
		return -1;
	acct = accounts_find(a, ACCT_ACCOUNT, an);
	if (u && !accounts_in_list(u->accounts, an))
		u = NULL;	/* an admin's job outside its accounts */
	if (!acct || pick_qos(a, acct, qos, &qn, err) < 0 ||
	    limits_check(c, u, acct, accounts_find(a, ACCT_QOS, qn),
			 time_limit, time_asked, err) < 0) {
		if (!acct)
			hc_err_set(err, HC_EINTERNAL, "account %s vanished",
				   an);
		free(an);
		free(qn);
		return -1;
	}
	*account_out = an;
	*qos_out = qn;
	return 0;
}
