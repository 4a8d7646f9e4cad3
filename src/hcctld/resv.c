/*
 * resv: the table of advance reservations, their LMDB records, the views a
 * scheduling pass gets, and time: windows of DAILY/WEEKLY reservations
 * roll forward when they end, other reservations are removed (and
 * audited) once their window has passed. See resv.h.
 *
 * Record (STATE_DB_RESERVATIONS, key = name): {"v":1, "name", "start",
 * "end", "nodes", "users", "uids":[int], "accounts", "flags":int,
 * "node_cnt", "gpus"}.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include "audit.h"
#include "conf.h"
#include "ctld.h"
#include "hostlist.h"
#include "jobs.h"
#include "log.h"
#include "nodes.h"
#include "resv.h"
#include "state.h"

#define RESV_TICK_SECS 5
#define DAY_SECS 86400

struct resvs {
	struct ctld *c;
	struct resv **v;
	size_t n;
	struct event *tick;
	struct sched_resv *views;	/* n entries, per pass */
};

void
resv_free(struct resv *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->nodes);
	free(r->users);
	free(r->uids);
	free(r->accounts);
	free(r->bits);
	free(r);
}

static json_t *
resv_to_record(const struct resv *r)
{
	json_t *uids = json_array();

	for (size_t i = 0; i < r->nuids; i++)
		json_array_append_new(uids, json_integer(r->uids[i]));
	return json_pack("{s:i, s:s, s:I, s:I, s:s, s:s, s:o, s:s, s:i, "
			 "s:i, s:i}", "v", STATE_RECORD_VERSION,
			 "name", r->name, "start", (json_int_t)r->start,
			 "end", (json_int_t)r->end, "nodes", r->nodes,
			 "users", r->users ? r->users : "", "uids", uids,
			 "accounts", r->accounts ? r->accounts : "",
			 "flags", (int)r->flags, "node_cnt", (int)r->node_cnt,
			 "gpus", (int)r->gpus);
}

static const char *
rstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static struct resv *
resv_from_record(const json_t *rec)
{
	struct resv *r = hc_calloc(1, sizeof(*r));
	json_t *uids = json_object_get(rec, "uids");
	size_t i;
	json_t *u;

	r->name = hc_strdup(rstr(rec, "name"));
	r->start = (time_t)json_integer_value(json_object_get(rec, "start"));
	r->end = (time_t)json_integer_value(json_object_get(rec, "end"));
	r->nodes = hc_strdup(rstr(rec, "nodes"));
	r->users = hc_strdup(rstr(rec, "users"));
	r->accounts = hc_strdup(rstr(rec, "accounts"));
	r->flags = (uint32_t)json_integer_value(json_object_get(rec, "flags"));
	r->node_cnt = (uint32_t)json_integer_value(json_object_get(rec,
								  "node_cnt"));
	r->gpus = (uint32_t)json_integer_value(json_object_get(rec, "gpus"));
	r->uids = hc_calloc(json_array_size(uids) + 1, sizeof(*r->uids));
	json_array_foreach(uids, i, u)
		r->uids[r->nuids++] = (uint32_t)json_integer_value(u);
	return r;
}

static int
load_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct resvs *rs = arg;
	struct resv *r;

	if (json_integer_value(json_object_get(rec, "v")) >
	    STATE_RECORD_VERSION) {
		hc_log(HC_LOG_ERR, "reservation record %.*s is of a newer "
		       "version; skipped", (int)klen, (const char *)key);
		return 0;
	}
	r = resv_from_record(rec);
	if (!*r->name || r->end <= r->start) {
		hc_log(HC_LOG_ERR, "reservation record %.*s is damaged; "
		       "skipped", (int)klen, (const char *)key);
		resv_free(r);
		return 0;
	}
	rs->v = hc_realloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
	rs->v[rs->n++] = r;
	return 0;
}

static void
resvs_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resvs *rs = arg;

	resvs_expire(rs, time(NULL));
}

struct resvs *
resvs_create(struct ctld *c, struct hc_err *err)
{
	struct resvs *rs = hc_calloc(1, sizeof(*rs));
	struct timeval tv = { RESV_TICK_SECS, 0 };

	rs->c = c;
	if (state_walk(c->state, STATE_DB_RESERVATIONS, load_one, rs,
		       err) < 0) {
		resvs_destroy(rs);
		return NULL;
	}
	if (rs->n)
		hc_log(HC_LOG_INFO, "reservations loaded=%zu", rs->n);
	if (c->base) {
		rs->tick = event_new(c->base, -1, EV_PERSIST, resvs_tick_cb,
				     rs);
		if (rs->tick)
			event_add(rs->tick, &tv);
	}
	return rs;
}

void
resvs_destroy(struct resvs *rs)
{
	if (!rs)
		return;
	if (rs->tick)
		event_free(rs->tick);
	for (size_t i = 0; i < rs->n; i++)
		resv_free(rs->v[i]);
	free(rs->v);
	free(rs->views);
	free(rs);
}

struct resv *
resvs_find(struct resvs *rs, const char *name)
{
	for (size_t i = 0; rs && name && i < rs->n; i++)
		if (!strcmp(rs->v[i]->name, name))
			return rs->v[i];
	return NULL;
}

size_t
resvs_count(const struct resvs *rs)
{
	return rs ? rs->n : 0;
}

struct resv *
resvs_at(struct resvs *rs, size_t i)
{
	return rs->v[i];
}

/* Move the generation of r's nodes: a pass in flight that planned on them
 * without r (or with r as it was) has its decisions there dropped, and
 * the next pass sees r (sched_snap.h). */
static void
resv_touch_nodes(struct resvs *rs, const struct resv *r)
{
	struct hostlist *hl = hostlist_parse(r->nodes, NULL);

	for (size_t k = 0; hl && k < hl->count; k++) {
		struct node *n = nodes_find(rs->c->nodes, hl->names[k]);

		if (n)
			n->gen++;
	}
	hostlist_destroy(hl);
}

int
resvs_save(struct resvs *rs, struct resv *r, struct hc_err *err)
{
	json_t *rec = resv_to_record(r);
	int rc = state_put(rs->c->state, STATE_DB_RESERVATIONS, r->name,
			   strlen(r->name), rec, err);

	json_decref(rec);
	if (rc == 0)
		resv_touch_nodes(rs, r);
	return rc;
}

int
resvs_add(struct resvs *rs, struct resv *r, struct hc_err *err)
{
	if (resvs_save(rs, r, err) < 0)
		return -1;
	rs->v = hc_realloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
	rs->v[rs->n++] = r;
	if (rs->c->jobs)
		jobs_sched_request(rs->c->jobs);
	return 0;
}

int
resvs_remove(struct resvs *rs, struct resv *r, struct hc_err *err)
{
	size_t i;

	if (state_del(rs->c->state, STATE_DB_RESERVATIONS, r->name,
		      strlen(r->name), err) < 0)
		return -1;
	resv_touch_nodes(rs, r);
	for (i = 0; i < rs->n && rs->v[i] != r; i++)
		;
	if (i < rs->n) {
		memmove(&rs->v[i], &rs->v[i + 1],
			(rs->n - i - 1) * sizeof(*rs->v));
		rs->n--;
	}
	resv_free(r);
	if (rs->c->jobs)
		jobs_sched_request(rs->c->jobs);
	return 0;
}

/* A repeating window that has ended moves on by whole periods until it
 * ends in the future; others are removed. */
void
resvs_expire(struct resvs *rs, time_t now)
{
	struct hc_err err = { 0 };

	for (size_t i = rs->n; i-- > 0;) {
		struct resv *r = rs->v[i];
		long period = (r->flags & SCHED_RESV_WEEKLY) ? 7 * DAY_SECS :
			      (r->flags & SCHED_RESV_DAILY) ? DAY_SECS : 0;

		if (r->end > now)
			continue;
		if (period) {
			long k = (long)((now - r->end) / period) + 1;

			r->start += k * period;
			r->end += k * period;
			if (resvs_save(rs, r, &err) < 0)
				hc_log(HC_LOG_ERR, "reservation=%s: cannot "
				       "save: %s", r->name, err.text);
			hc_log(HC_LOG_INFO, "reservation=%s repeats start=%lld",
			       r->name, (long long)r->start);
			continue;
		}
		hc_log(HC_LOG_INFO, "reservation=%s ended; removed", r->name);
		audit_admin(rs->c, 0, "reservation_end", r->name);
		if (resvs_remove(rs, r, &err) < 0)
			hc_log(HC_LOG_ERR, "reservation=%s: cannot remove: %s",
			       r->name, err.text);
	}
}

/* r->bits from its node names, again only when the node table changed
 * (its epoch) since they were made: one pass over the table with the
 * names sorted, so a big reservation costs O(nodes log nodes) once. */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
resv_bits(struct resvs *rs, struct resv *r)
{
	size_t nn = nodes_count(rs->c->nodes);
	uint64_t epoch = nodes_epoch(rs->c->nodes);
	struct hostlist *hl;

	if (r->bits && r->bits_epoch == epoch && r->nbits == nn)
		return;
	free(r->bits);
	r->nbits = (uint32_t)nn;
	r->bits_epoch = epoch;
	r->bits = hc_calloc(nn / 64 + 1, sizeof(*r->bits));
	if (!(hl = hostlist_parse(r->nodes, NULL)))
		return;
	qsort(hl->names, hl->count, sizeof(*hl->names), name_cmp);
	for (size_t i = 0; i < nn; i++) {
		const struct node *n = nodes_at(rs->c->nodes, i);

		if (bsearch(&n->name, hl->names, hl->count,
			    sizeof(*hl->names), name_cmp))
			r->bits[i / 64] |= 1ull << (i % 64);
	}
	hostlist_destroy(hl);
}

bool
resv_has_node(struct resvs *rs, struct resv *r, const struct node *n)
{
	resv_bits(rs, r);
	return n->index < r->nbits &&
	       ((r->bits[n->index / 64] >> (n->index % 64)) & 1);
}

size_t
resvs_views(struct resvs *rs, time_t now, const struct sched_resv **out)
{
	*out = NULL;
	if (!rs)
		return 0;
	resvs_expire(rs, now);
	free(rs->views);
	rs->views = hc_calloc(rs->n ? rs->n : 1, sizeof(*rs->views));
	for (size_t i = 0; i < rs->n; i++) {
		struct resv *r = rs->v[i];

		resv_bits(rs, r);
		/* Membership is checked at submit (resvs_check_job): the
		 * views need no account indices. */
		rs->views[i] = (struct sched_resv){
			.name = r->name, .start = r->start, .end = r->end,
			.nodes = r->bits, .nbits = r->nbits,
			.uids = r->uids, .nuids = r->nuids, .flags = r->flags,
		};
	}
	*out = rs->n ? rs->views : NULL;
	return rs->n;
}

/* Is word (e.g. an account name) in the comma list? */
static bool
list_has(const char *list, const char *word)
{
	size_t wl = word ? strlen(word) : 0;

	for (const char *p = list; wl && p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == wl && !strncmp(p, word, wl))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

int
resvs_check_job(struct resvs *rs, const char *name, uint32_t uid,
		const char *account, struct hc_err *err)
{
	struct resv *r = resvs_find(rs, name);

	if (!r)
		return hc_err_set(err, HC_ENOENT, "--reservation=%s: no such "
				  "reservation; see hcctl show reservation",
				  name);
	/* Security: only the users and accounts the reservation lists may
	 * run jobs in it. */
	for (size_t i = 0; i < r->nuids; i++)
		if (r->uids[i] == uid)
			return 0;
	if (list_has(r->accounts, account))
		return 0;
	return hc_err_set(err, HC_EPERM, "--reservation=%s: uid %u is not "
			  "allowed in it (Users=%s Accounts=%s); ask an "
			  "administrator to add you", name, (unsigned)uid,
			  *r->users ? r->users : "(none)",
			  *r->accounts ? r->accounts : "(none)");
}

const char *
resvs_node_flag(struct resvs *rs, const struct node *n, time_t now)
{
	const char *flag = NULL;

	for (size_t i = 0; rs && i < rs->n; i++) {
		struct resv *r = rs->v[i];

		if (now < r->start || now >= r->end)
			continue;
		if (resv_has_node(rs, r, n))
			flag = (r->flags & SCHED_RESV_MAINT) ? "MAINT" :
			       flag ? flag : "RESERVED";
	}
	return flag;
}

void
resv_node_json(struct resvs *rs, const struct node *n, json_t *rec)
{
	const char *flag = resvs_node_flag(rs, n, time(NULL));
	const char *st = json_string_value(json_object_get(rec, "state"));
	char buf[160];

	if (!flag || !st)
		return;
	snprintf(buf, sizeof(buf), "%s+%s", st, flag);
	json_object_set_new(rec, "state", json_string(buf));
}

static void
flags_text(uint32_t flags, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ SCHED_RESV_MAINT, "MAINT" },
		{ SCHED_RESV_IGNORE_JOBS, "IGNORE_JOBS" },
		{ SCHED_RESV_DAILY, "DAILY" },
		{ SCHED_RESV_WEEKLY, "WEEKLY" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((flags & names[i].bit) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? "," : "", names[i].name);
}

json_t *
resv_to_json(const struct resv *r, time_t now)
{
	char flags[64];
	struct hostlist *hl = hostlist_parse(r->nodes, NULL);
	json_t *o;

	flags_text(r->flags, flags, sizeof(flags));
	o = json_pack("{s:s, s:I, s:I, s:I, s:s, s:i, s:s, s:s, s:s, s:s, "
		      "s:i}", "name", r->name, "start_time",
		      (json_int_t)r->start, "end_time", (json_int_t)r->end,
		      "duration", (json_int_t)((r->end - r->start) / 60),
		      "nodes", r->nodes, "node_cnt",
		      (int)(hl ? hl->count : 0), "users", r->users,
		      "accounts", r->accounts, "flags", flags,
		      "state", now >= r->start && now < r->end ? "ACTIVE"
							       : "INACTIVE",
		      "gpus", (int)r->gpus);
	hostlist_destroy(hl);
	return o;
}
