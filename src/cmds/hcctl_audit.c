/*
 * hcctl_audit: `hcctl show audit`, `hcctl trace job ID`, `hcctl verify
 * audit [--anchors FILE]` and `hcctl export audit [FILE]`. The controller
 * holds the log and computes; this side filters nothing but prints, and
 * reads the anchors file (JSON lines as export writes them, or a node
 * agent's checkpoint.json) to send it along.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcctl.h"
#include "msg.h"
#include "parse.h"

/* More anchors than this and only the checkpoints (and the last entry)
 * are sent, to stay within a request's size. */
#define ANCHORS_MAX 40000

static void
entry_print(const json_t *e)
{
	char when[64], *d;

	cmd_fmt_time(ji(e, "time"), when, sizeof(when));
	d = json_dumps(json_object_get(e, "details"),
		       JSON_COMPACT | JSON_SORT_KEYS);
	printf("%6lld %s %-18s %-14s uid=%lld %s\n", ji(e, "seq"), when,
	       js(e, "event"), js(e, "subject"), ji(e, "actor_uid"),
	       d ? d : "{}");
	free(d);
}

static int
show_audit(struct hcctl *h, json_t *set)
{
	json_t *req = json_object(), *rep, *e;
	const char *v;
	struct hc_err err = {0};
	size_t i;

	if ((v = json_string_value(json_object_get(set, "Job")))) {
		long id;
		if (parse_long(v, 1, 0x7fffffffL, &id, &err) < 0)
			cmd_die(&hcctl_info, HC_EINVAL, "Job=%s: give a job "
				"id", v);
		json_object_set_new(req, "job_id", json_integer(id));
	}
	if ((v = json_string_value(json_object_get(set, "Node"))))
		json_object_set_new(req, "node", json_string(v));
	if ((v = json_string_value(json_object_get(set, "Event"))))
		json_object_set_new(req, "event", json_string(v));
	if ((v = json_string_value(json_object_get(set, "Since")))) {
		time_t t;
		if (parse_datetime(v, time(NULL), &t, &err) < 0)
			cmd_die(&hcctl_info, HC_EINVAL, "Since=%s: %s", v,
				err.text);
		json_object_set_new(req, "since", json_integer(t));
	}
	rep = cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_AUDIT_QUERY, req);
	if (h->json)
		cmd_print_json(json_object_get(rep, "entries"));
	else
		json_array_foreach(json_object_get(rep, "entries"), i, e)
			entry_print(e);
	json_decref(rep);
	return 0;
}

static int
trace_job(struct hcctl *h, const char *name)
{
	struct hc_err err = {0};
	json_t *rep, *n;
	long id;
	size_t i;

	if (parse_long(name, 1, 0x7fffffffL, &id, &err) < 0)
		cmd_die(&hcctl_info, HC_EINVAL, "'%s' is not a job id (a "
			"positive number)", name);
	rep = cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_AUDIT_TRACE,
		       json_pack("{s:i}", "job_id", (int)id));
	if (h->json) {
		cmd_print_json(rep);
		json_decref(rep);
		return 0;
	}
	printf("JobId=%lld State=%s NodeList=%s\n", ji(rep, "job_id"),
	       js(rep, "state"), js(rep, "nodelist"));
	json_array_foreach(json_object_get(rep, "nodes"), i, n)
		printf("   Node=%s ComputeId=%s Trusted=%s\n", js(n, "name"),
		       *js(n, "compute_id") ? js(n, "compute_id") : "(unknown)",
		       jb(n, "trusted") ? "yes" : "no");
	json_array_foreach(json_object_get(rep, "entries"), i, n)
		entry_print(n);
	json_decref(rep);
	return 0;
}

/* One anchor from an object in the file: a checkpoint as it is, an entry
 * as (seq, hash). NULL when it is neither. */
static json_t *
anchor_from(const json_t *o)
{
	if (!json_is_integer(json_object_get(o, "seq")) ||
	    !json_is_string(json_object_get(o, "hash")))
		return NULL;
	return json_pack("{s:O, s:O, s:I, s:s}", "seq",
			 json_object_get(o, "seq"), "hash",
			 json_object_get(o, "hash"), "time",
			 (json_int_t)ji(o, "time"), "sig",
			 js(o, "sig"));
}

/* The anchors in path: JSON lines (export), or one JSON object (a node
 * agent's checkpoint.json). */
static json_t *
anchors_read(const char *path)
{
	FILE *f = fopen(path, "r");
	json_t *out = json_array(), *cps = json_array(), *last = NULL, *o, *a;
	char *line = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		cmd_die(&hcctl_info, HC_EINVAL, "--anchors %s: cannot read it",
			path);
	if ((o = json_loadf(f, 0, NULL)) && (a = anchor_from(o))) {
		json_array_append_new(out, a);
		json_decref(o);
		goto done;
	}
	json_decref(o);
	rewind(f);
	while (getline(&line, &cap, f) > 0) {
		n++;
		if (!(o = json_loads(line, 0, NULL)))
			cmd_die(&hcctl_info, HC_EINVAL, "--anchors %s:%zu: not "
				"JSON", path, n);
		if ((a = anchor_from(o))) {
			json_array_append(json_object_get(o, "prev") ? out
				: cps, a);
			json_decref(last);
			last = a;
		}
		json_decref(o);
	}
	if (json_array_size(out) + json_array_size(cps) > ANCHORS_MAX) {
		json_array_clear(out);
		if (last)
			json_array_append(out, last);
	}
	json_array_extend(out, cps);
done:
	json_decref(last);
	json_decref(cps);
	free(line);
	fclose(f);
	if (json_array_size(out) == 0)
		cmd_die(&hcctl_info, HC_EINVAL, "--anchors %s: no checkpoints "
			"or entries in it", path);
	return out;
}

static int
verify_audit(struct hcctl *h)
{
	json_t *req = json_object(), *rep;

	if (h->anchors)
		json_object_set_new(req, "anchors", anchors_read(h->anchors));
	rep = cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_AUDIT_VERIFY, req);
	if (h->json)
		cmd_print_json(rep);
	else if (jb(rep, "ok"))
		printf("audit log intact: %lld entries (%lld-%lld), %lld "
		       "checkpoints, %lld anchors checked\n",
		       ji(rep, "entries"), ji(rep, "first"), ji(rep, "last"),
		       ji(rep, "checkpoints"), ji(rep, "anchors"));
	else
		printf("audit log BROKEN at entry %lld: %s\n",
		       ji(rep, "bad_seq"), js(rep, "problem"));
	int status = jb(rep, "ok") ? 0 : 1;
	json_decref(rep);
	return status;
}

static int
export_audit(struct hcctl *h, const char *path)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	json_t *rep, *e;
	size_t i;

	if (!f)
		cmd_die(&hcctl_info, HC_EINVAL, "export audit: cannot write "
			"%s", path);
	rep = cmd_call(&hcctl_info, hcctl_client(h), HC_MSG_AUDIT_QUERY,
		       json_pack("{s:b}", "checkpoints", 1));
	json_array_foreach(json_object_get(rep, "entries"), i, e)
		json_dumpf(e, f, JSON_COMPACT | JSON_SORT_KEYS), fputc('\n', f);
	json_array_foreach(json_object_get(rep, "checkpoints"), i, e)
		json_dumpf(e, f, JSON_COMPACT | JSON_SORT_KEYS), fputc('\n', f);
	json_decref(rep);
	if ((path && fclose(f) != 0) || (!path && fflush(f) != 0))
		cmd_die(&hcctl_info, HC_EIO, "export audit: write failed");
	return 0;
}

int
hcctl_audit(struct hcctl *h, const char *verb, const char *name,
	    json_t *set)
{
	if (!strcmp(verb, "show"))
		return show_audit(h, set);
	if (!strcmp(verb, "trace"))
		return trace_job(h, name);
	if (!strcmp(verb, "verify"))
		return verify_audit(h);
	return export_audit(h, name);
}
