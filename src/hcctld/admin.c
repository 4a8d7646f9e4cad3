/*
 * admin: PING, CONFIG_SHOW, RECONFIGURE, SHUTDOWN and BACKUP.
 *
 * A backup copies the LMDB environment from a worker thread (LMDB's copy
 * with compaction reads a snapshot, so the loop keeps writing meanwhile);
 * the thread wakes the loop through an event it activates when done
 * (evthread_use_pthreads is on), and the reply is sent from the loop.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <event2/event.h>

#include "audit.h"
#include "conf.h"
#include "ctld.h"
#include "identity.h"
#include "jobs.h"
#include "log.h"
#include "msg.h"
#include "nodes.h"
#include "rpc.h"
#include "state.h"
#include "usage.h"
#include "usercache.h"

struct admin_backup {
	struct ctld *c;
	struct rpc_req *req;	/* loop side only */
	char *path;
	pthread_t thread;
	struct event *done_ev;
	int rc;
	struct hc_err err;
};

void
admin_rpc_ping(struct rpc_req *req, json_t *body)
{
	const struct hc_conf *conf = req->ctld->conf;

	rpc_reply(req, json_pack("{s:s, s:s, s:I}", "version", PACKAGE_VERSION,
				 "cluster_name", conf->cluster_name ?
				 conf->cluster_name : "",
				 "now", (json_int_t)time(NULL)));
}

void
admin_rpc_config(struct rpc_req *req, json_t *body)
{
	const struct hc_conf *conf = req->ctld->conf;
	json_t *a = json_array();

	for (const struct conf_key *k = conf_keys; k->name; k++) {
		char *v;
		if (k->scope != CONF_GLOBAL)
			continue;
		v = conf_value_string(conf, k);
		json_array_append_new(a, json_pack("{s:s, s:s}", "key",
						   k->name, "value",
						   v ? v : ""));
		free(v);
	}
	rpc_reply(req, json_pack("{s:o}", "config", a));
}

/* Queues keep their order (jobs refer to them by position): new ones may
 * only be appended. */
static int
queues_check(const struct hc_conf *old, const struct hc_conf *conf,
	     struct hc_err *err)
{
	for (size_t q = 0; q < old->queue_count; q++)
		if (q >= conf->queue_count ||
		    strcmp(old->queues[q].name, conf->queues[q].name))
			return hc_err_set(err, HC_EBUSY, "queue %s was removed "
					  "or moved; queues may only be added "
					  "at the end while hcctld runs: "
					  "restart hcctld to apply this",
					  old->queues[q].name);
	return 0;
}

static void
restart_keys_warn(const struct hc_conf *old, const struct hc_conf *conf)
{
	static const char *const keys[] = { "StateDir", "ControlAddr",
		"ControlPort", "MungeSocket", "SchedulerPlugins", "PluginDir",
		NULL };

	for (const char *const *k = keys; *k; k++) {
		for (const struct conf_key *ck = conf_keys; ck->name; ck++) {
			char *a, *b;
			if (strcmp(ck->name, *k))
				continue;
			a = conf_value_string(old, ck);
			b = conf_value_string(conf, ck);
			if (strcmp(a ? a : "", b ? b : ""))
				hc_log(HC_LOG_WARN, "reconfigure: %s changed; "
				       "it takes effect when hcctld restarts",
				       *k);
			free(a);
			free(b);
		}
	}
}

/* Load hc.conf again and apply it; *errors gets every problem (malloc'ed)
 * when the file is refused. */
static int
reconfigure(struct ctld *c, char **errors, struct hc_err *err)
{
	struct hc_conf *conf = conf_load(c->conf_path, errors, err);

	if (!conf)
		return -1;
	/* nodes_reconfigure() applies what it checked: it goes last. */
	if (identity_cluster_load(c, conf, err) < 0 ||
	    queues_check(c->conf, conf, err) < 0 ||
	    nodes_reconfigure(c->nodes, conf, err) < 0) {
		conf_destroy(conf);
		return -1;
	}
	restart_keys_warn(c->conf, conf);
	c->old_confs = hc_realloc(c->old_confs, (c->nold_confs + 1) *
				  sizeof(*c->old_confs));
	c->old_confs[c->nold_confs++] = c->conf;
	c->conf = conf;
	hc_log(HC_LOG_INFO, "reconfigured from %s: nodes=%zu queues=%zu",
	       c->conf_path, conf->node_count, conf->queue_count);
	/* The CRL too (hc-ca revoke runs elsewhere): nodes revoked since
	 * are dropped now. */
	rpc_tls_reload(c->rpc);
	usercache_flush(c->users);	/* accounts may have changed too */
	if (c->usage && usage_reconfigure(c->usage, err) < 0)
		hc_log(HC_LOG_ERR, "reconfigure: usage: %s", err->text);
	if (c->jobs)
		jobs_sched_request(c->jobs);
	return 0;
}

int
ctld_reconfigure(struct ctld *c, struct hc_err *err)
{
	char *errors = NULL;
	int rc = reconfigure(c, &errors, err);

	free(errors);
	return rc;
}

void
admin_rpc_reconfigure(struct rpc_req *req, json_t *body)
{
	struct hc_err err = { 0 };
	char *errors = NULL;

	/* Security: RPC_ADMIN in the handler table: admins only. */
	if (reconfigure(req->ctld, &errors, &err) < 0) {
		hc_log(HC_LOG_WARN, "reconfigure by uid=%u refused: %s",
		       (unsigned)req->uid, err.text);
		if (errors && *errors) {
			json_t *r = hc_msg_reply_new(err.code ? err.code :
						     HC_EINVAL, errors);
			rpc_reply(req, r);
		} else {
			rpc_reply_err(req, err.code ? err.code : HC_EINVAL,
				      "%s", err.text);
		}
		free(errors);
		return;
	}
	free(errors);
	audit_admin(req->ctld, req->uid, "reconfigure", req->ctld->conf_path);
	rpc_reply(req, NULL);
}

void
admin_rpc_shutdown(struct rpc_req *req, json_t *body)
{
	/* Security: RPC_ADMIN in the handler table: admins only. */
	hc_log(HC_LOG_INFO, "shutdown requested by uid=%u peer=%s",
	       (unsigned)req->uid, req->peer);
	req->ctld->shutting_down = true;	/* loop ends after the flush */
	audit_admin(req->ctld, req->uid, "shutdown", req->peer);
	rpc_reply(req, NULL);
}

static void *
backup_thread(void *p)
{
	struct admin_backup *b = p;

	b->rc = state_backup(b->c->state, b->path, &b->err);
	event_active(b->done_ev, EV_TIMEOUT, 0);
	return NULL;
}

static void
backup_free(struct admin_backup *b)
{
	if (b->done_ev)
		event_free(b->done_ev);
	free(b->path);
	free(b);
}

static void
backup_done(evutil_socket_t fd, short what, void *arg)
{
	struct admin_backup *b = arg;
	struct stat sb;

	pthread_join(b->thread, NULL);
	b->c->backup = NULL;
	if (b->rc < 0) {
		hc_log(HC_LOG_ERR, "backup path=%s failed: %s", b->path,
		       b->err.text);
		rpc_reply_err(b->req, b->err.code, "%s", b->err.text);
	} else {
		if (stat(b->path, &sb) < 0)
			sb.st_size = 0;
		hc_log(HC_LOG_INFO, "backup path=%s bytes=%lld done", b->path,
		       (long long)sb.st_size);
		rpc_reply(b->req, json_pack("{s:s, s:I}", "path", b->path,
					    "bytes", (json_int_t)sb.st_size));
	}
	backup_free(b);
}

void
admin_rpc_backup(struct rpc_req *req, json_t *body)
{
	struct ctld *c = req->ctld;
	const char *path = json_string_value(json_object_get(body, "path"));
	struct admin_backup *b;
	struct stat sb;

	/* Security: RPC_ADMIN in the handler table: admins only. */
	if (!path || path[0] != '/') {
		rpc_reply_err(req, HC_EINVAL, "backup: give an absolute path "
			      "for the copy (hcctl backup /path/to/file)");
		return;
	}
	if (lstat(path, &sb) == 0) {
		rpc_reply_err(req, HC_EEXIST, "backup: %s exists; give a new "
			      "file name", path);
		return;
	}
	if (c->backup) {
		rpc_reply_err(req, HC_EBUSY, "backup: another backup is "
			      "running; try again when it is done");
		return;
	}
	b = hc_calloc(1, sizeof(*b));
	b->c = c;
	b->req = req;
	b->path = hc_strdup(path);
	b->done_ev = event_new(c->base, -1, 0, backup_done, b);
	if (!b->done_ev ||
	    pthread_create(&b->thread, NULL, backup_thread, b) != 0) {
		backup_free(b);
		rpc_reply_err(req, HC_EIO, "backup: cannot start the copy "
			      "thread");
		return;
	}
	c->backup = b;
	audit_admin(c, req->uid, "backup", path);
	hc_log(HC_LOG_INFO, "backup path=%s started by uid=%u", path,
	       (unsigned)req->uid);
}

void
admin_fini(struct ctld *c)
{
	struct admin_backup *b = c->backup;

	if (!b)
		return;
	pthread_join(b->thread, NULL);
	c->backup = NULL;
	hc_log(HC_LOG_WARN, "backup path=%s ended by shutdown: %s", b->path,
	       b->rc < 0 ? b->err.text : "complete");
	/* the request's connection is gone with rpc: no reply */
	free(b->req);
	backup_free(b);
}
