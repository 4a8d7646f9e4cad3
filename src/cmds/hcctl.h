/*
 * hcctl: the admin and self-service command, in one grammar:
 *	hcctl VERB OBJECT [NAME] [Key=Value...]
 * hcctl.c holds the table of verbs and objects, argument checks and the
 * changing requests; hcctl_show.c prints the show views (Key=Value lines
 * like scontrol's).
 */
#ifndef HC_HCCTL_H
#define HC_HCCTL_H

#include <stdbool.h>

#include "cmd.h"

struct hcctl {
	bool json;
	const char *anchors;	/* verify audit --anchors FILE */
	struct hc_client *c;	/* connected lazily by the action */
};

extern const struct cmd_info hcctl_info;

/* The connection to hcctld, made on first use (after the arguments have
 * been checked, so that mistakes are reported without a cluster). */
struct hc_client *hcctl_client(struct hcctl *h);

/* A job name "123", "123_7" or "123_[1-500]": the job id into *id, and
 * the tasks part (borrowed from name) or NULL; dies with a message on a
 * bad name. */
const char *hcctl_job_name(const char *name, long *id);

/* Each prints the object(s) named (NULL: all) and returns the exit status. */
int hcctl_show_job(struct hcctl *h, const char *name);
int hcctl_show_node(struct hcctl *h, const char *name);
int hcctl_show_queue(struct hcctl *h, const char *name);
int hcctl_show_config(struct hcctl *h, const char *name);
/* hcctl_steps.c: each job record of jobs gets its "steps" (STEP_QUERY),
 * and show job prints them, one "Step=ID.N ..." line each. */
void hcctl_steps_attach(struct hcctl *h, json_t *jobs);
void hcctl_steps_print(struct outbuf *o, const json_t *job);
/* hcctl_fairshare.c: the Fair Tree and the queues' fair-share. */
int hcctl_show_fairshare(struct hcctl *h, const char *name);
/* hcctl_rejected.c: the node connections hcctld refused. */
int hcctl_show_rejected(struct hcctl *h, const char *name);
int hcctl_show_cloud(struct hcctl *h, const char *name);
/* hcctl_audit.c: show/verify/export audit, trace job (verb says which). */
int hcctl_audit(struct hcctl *h, const char *verb, const char *name,
		json_t *set);
/* hcctl_resv.c: create/update/delete/show reservation. */
int hcctl_resv(struct hcctl *h, const char *verb, const char *name,
	       json_t *set);

/* hcctl_acct.c: create/update/delete/show account|user|qos. */
int hcctl_acct(struct hcctl *h, const char *verb, const char *object,
	       const char *name, json_t *set);
/* Key=Value checks for those objects' keys (hcctl.c's key tables). */
int hcctl_check_res(const char *val, struct hc_err *err);
int hcctl_check_count(const char *val, struct hc_err *err);
int hcctl_check_shares(const char *val, struct hc_err *err);
int hcctl_check_wall(const char *val, struct hc_err *err);

#endif
