/*
 * usage_rpc: FAIRSHARE_QUERY, what `hcctl show fairshare` prints: the Fair
 * Tree ranked now (the accounts' view, accounts_view.c, with every user
 * who has usage or a job not yet over), each node's shares, raw usage
 * (decayed billing-unit-seconds of its subtree), normalised usage among
 * its siblings, effective usage (of the whole cluster's), level fair-share
 * and factor; then each queue's usage, weight and queue fair-share
 * factor. Anyone may ask: sshare shows the same to every user.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "conf.h"
#include "ctld.h"
#include "fairshare.h"
#include "fairshare_view.h"
#include "job.h"
#include "jobs_int.h"
#include "log.h"
#include "rpc.h"
#include "sched.h"
#include "states.h"
#include "usage.h"

static json_t *
tree_json(const struct fs_node *n, size_t count)
{
	json_t *a = json_array();
	int *depth = hc_calloc(count ? count : 1, sizeof(*depth));

	for (size_t i = 0; i < count; i++) {
		const struct fs_node *x = &n[i];
		bool ok = i == 0 || (x->parent >= 0 && (size_t)x->parent < i);

		if (!ok)
			continue;
		depth[i] = i ? depth[x->parent] + 1 : 0;
		json_array_append_new(a, json_pack(
			"{s:s, s:s?, s:i, s:b, s:i, s:f, s:f, s:f, s:f, "
			"s:f, s:i}",
			"name", x->name ? x->name : "",
			"parent", i ? n[x->parent].name : NULL,
			"depth", depth[i], "user", x->is_user,
			"shares", (int)(x->shares ? x->shares : 1),
			"raw_usage", x->usage, "norm_usage", x->usage_norm,
			"effective_usage", x->usage_eff,
			"level_fs", isinf(x->level_fs) ? -1.0 : x->level_fs,
			"factor", x->factor, "rank", (int)x->rank));
	}
	free(depth);
	return a;
}

static json_t *
queues_json(const struct hc_conf *conf, const struct fs_ledger *l,
	    time_t now)
{
	size_t n = conf->queue_count < 64 ? conf->queue_count : 64;
	double usage[64], weight[64], factor[64];
	json_t *a = json_array();
	char key[FS_KEY_MAX];

	for (size_t q = 0; q < n; q++) {
		fs_key_queue(conf->queues[q].name, key, sizeof(key));
		usage[q] = fs_ledger_usage(l, key, now);
		weight[q] = (double)conf->queues[q].fairshare_weight;
	}
	fairshare_queues(usage, weight, n, factor);
	for (size_t q = 0; q < n; q++)
		json_array_append_new(a, json_pack(
			"{s:s, s:i, s:f, s:f}", "name", conf->queues[q].name,
			"weight", (int)weight[q], "raw_usage", usage[q],
			"factor", factor[q]));
	return a;
}

json_t *
jobs_prio_factors_json(const struct sched_prio_factors *f)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
			 "age", f->age, "jobsize", f->jobsize, "queue",
			 f->queue, "fairshare", f->fairshare,
			 "queue_fairshare", f->queue_fs, "qos", f->qos,
			 "nice", f->nice, "plugins", f->plugins, "admin",
			 f->admin, "total", f->total);
}

/* The users of the jobs not yet over, as the pass would see them, so that
 * a user with no usage yet is in the tree too. *n set; caller frees. */
static struct sched_job *
active_jobs(struct ctld *c, struct acct_pass *ap, size_t *n)
{
	struct jobs *js = c->jobs;
	struct sched_job *v = hc_calloc(js && js->n ? js->n : 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; js && i < js->n; i++) {
		const struct job *j = js->v[i];

		if (j->state != JOB_PENDING && j->state != JOB_CONFIGURING &&
		    j->state != JOB_RUNNING)
			continue;
		v[*n].uid = j->uid;
		v[*n].user = j->user;
		accounts_pass_job(ap, j, &v[*n]);
		(*n)++;
	}
	return v;
}

void
usage_rpc_query(struct rpc_req *req, json_t *body)
{
	struct ctld *c = req->ctld;
	time_t now = time(NULL);
	const struct fs_ledger *l;
	struct acct_pass *ap;
	struct sched_job *active;
	size_t nactive;
	struct fs_view *fv;
	const struct fs_node *n;
	size_t count;

	if (!c->usage) {
		rpc_reply_err(req, HC_EINTERNAL, "fair-share usage is not "
			      "loaded");
		return;
	}
	l = usage_ledger(c->usage);
	ap = c->jobs ? accounts_pass_begin(c, c->jobs, now) : NULL;
	active = active_jobs(c, ap, &nactive);
	fv = fs_view_build(accounts_pass_view(ap), l, active, nactive, now);
	n = fs_view_nodes(fv, &count);
	rpc_reply(req, json_pack("{s:o, s:o, s:I, s:I}",
				 "tree", tree_json(n, count),
				 "queues", queues_json(c->conf, l, now),
				 "half_life",
				 (json_int_t)c->conf->prio_decay_half_life,
				 "now", (json_int_t)now));
	fs_view_free(fv);
	free(active);
	accounts_pass_end(ap);
}
