/*
 * job_report: the "ended" reports this node owes the controller.
 *
 * A job's end must reach the controller exactly once in effect, whatever
 * dies meanwhile: the controller (kill -9, its socket takes unread events
 * with it), the connection, or this agent. So every ended event is kept in
 * an unacknowledged set, written to <spool>/ended/job_<id>.json, until the
 * controller acknowledges it:
 *  - by JOB_EVENT_ACK {"job_ids"}, sent once it has saved the outcome;
 *  - or by the reply to a NODE_REGISTER whose "jobs" list carried it (the
 *    controller commits what a registration changes before replying).
 * Every registration carries the whole set; events that end while one is in
 * flight are sent as JOB_EVENT once it is accepted. A new JOB_LAUNCH of the
 * same id drops an old report: the controller has moved on (requeued it).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job.h"
#include "log.h"
#include "msg.h"
#include "noded.h"

/* Beyond this many unacknowledged reports (a controller that never acks)
 * the oldest are dropped, loudly. */
#define REPORT_MAX 10000

struct job_reports {
	struct noded *nd;
	char *dir;		/* <spool>/ended */
	json_t *unacked;	/* "<id>" -> ended event, oldest first */
	json_t *in_flight;	/* ids carried by the registration sent */
};

static char *
report_path(const struct job_reports *r, uint32_t id)
{
	return hc_asprintf("%s/job_%u.json", r->dir, id);
}

static void
report_save(const struct job_reports *r, uint32_t id, const json_t *ev)
{
	char *path = report_path(r, id), *tmp = hc_asprintf("%s.tmp", path);

	if (json_dump_file(ev, tmp, JSON_COMPACT) < 0 ||
	    rename(tmp, path) < 0) {
		hc_log(HC_LOG_WARN, "job=%u cannot save its end report in %s: "
		       "%s; it is lost if the agent restarts before the "
		       "controller has it", id, r->dir, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(path);
}

static void
report_drop(struct job_reports *r, uint32_t id, const char *why)
{
	char key[16], *path;

	snprintf(key, sizeof(key), "%u", id);
	if (!json_object_get(r->unacked, key))
		return;
	json_object_del(r->unacked, key);
	path = report_path(r, id);
	unlink(path);
	free(path);
	hc_log(HC_LOG_DEBUG, "job=%u end report dropped: %s", id, why);
}

/* Reports an earlier run of the agent left: still owed. */
static void
report_load(struct job_reports *r)
{
	struct dirent *de;
	unsigned id;
	DIR *d;

	if (!(d = opendir(r->dir)))
		return;
	while ((de = readdir(d))) {
		char key[16], *path;
		json_t *ev;
		int n = 0;

		if (sscanf(de->d_name, "job_%u.json%n", &id, &n) != 1 ||
		    de->d_name[n] != '\0')
			continue;
		path = hc_asprintf("%s/%s", r->dir, de->d_name);
		ev = json_load_file(path, 0, NULL);
		if (ev && json_is_object(ev) &&
		    json_integer_value(json_object_get(ev, "job_id")) == id) {
			snprintf(key, sizeof(key), "%u", id);
			json_object_set_new(r->unacked, key, ev);
			hc_log(HC_LOG_INFO, "job=%u end report from a previous "
			       "run kept for the controller", id);
		} else {
			json_decref(ev);
			unlink(path);
		}
		free(path);
	}
	closedir(d);
}

struct job_reports *
job_reports_create(struct noded *nd)
{
	struct job_reports *r = hc_calloc(1, sizeof(*r));

	r->nd = nd;
	r->dir = hc_asprintf("%s/ended", nd->spool);
	r->unacked = json_object();
	r->in_flight = json_array();
	if (mkdir(r->dir, 0700) < 0 && errno != EEXIST)
		hc_log(HC_LOG_WARN, "%s: %s; end reports live in memory only",
		       r->dir, strerror(errno));
	report_load(r);
	return r;
}

void
job_reports_destroy(struct job_reports *r)
{
	if (!r)
		return;
	json_decref(r->unacked);
	json_decref(r->in_flight);
	free(r->dir);
	free(r);
}

void
job_reports_add(struct job_reports *r, uint32_t id, json_t *ev)
{
	char key[16];

	if (json_object_size(r->unacked) >= REPORT_MAX) {
		const char *old = json_object_iter_key(
			json_object_iter(r->unacked));
		unsigned long oid = strtoul(old, NULL, 10);

		hc_log_limited("report_max", HC_LOG_ERR, "job=%lu end report "
			       "dropped: %d reports wait for the controller's "
			       "acknowledgement", oid, REPORT_MAX);
		report_drop(r, (uint32_t)oid, "too many");
	}
	snprintf(key, sizeof(key), "%u", id);
	json_object_set(r->unacked, key, ev);
	report_save(r, id, ev);
}

bool
job_reports_has(const struct job_reports *r, uint32_t id)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", id);
	return json_object_get(r->unacked, key) != NULL;
}

void
job_reports_forget(struct job_reports *r, uint32_t id, const char *why)
{
	report_drop(r, id, why);
}

void
job_reports_ack(struct job_reports *r, const json_t *ids)
{
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v)
		if (json_integer_value(v) > 0 &&
		    json_integer_value(v) <= UINT32_MAX)
			report_drop(r, (uint32_t)json_integer_value(v),
				    "acknowledged");
}

void
job_reports_register_json(struct job_reports *r, json_t *list)
{
	const char *key;
	json_t *ev;

	json_array_clear(r->in_flight);
	json_object_foreach(r->unacked, key, ev) {
		json_t *c = json_deep_copy(ev);

		json_object_set_new(c, "state", json_string("ended"));
		json_array_append_new(list, c);
		json_array_append(r->in_flight, json_object_get(ev, "job_id"));
	}
}

void
job_reports_register_done(struct job_reports *r)
{
	const char *key;
	json_t *ev, *ids = r->in_flight;

	r->in_flight = json_array();
	job_reports_ack(r, ids);
	json_decref(ids);
	/* Ended while the registration was on its way. */
	json_object_foreach(r->unacked, key, ev)
		ctl_conn_send(r->nd->ctl, HC_MSG_JOB_EVENT, json_incref(ev),
			      false);
}
