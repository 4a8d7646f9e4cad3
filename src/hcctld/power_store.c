/*
 * power_store: a pool's breaker, back-off and spend in LMDB.
 *
 * One record per pool in the meta database under "cloud_pool:NAME"
 * (versioned as every record: state_put adds "v"). The spend is counted
 * per billing period, the calendar month in UTC: a node's up time counts
 * in the month its up time is charged (when it stops, or is shown), and
 * a new month starts from zero. The recent starts (ResumeRate's window,
 * at most the last hour) are kept too, as [time, count] pairs ("starts"),
 * so that a restart does not let the pool start more nodes in the window
 * than ResumeRate allows. A record without them (written before) loads
 * with none.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "hc_err.h"
#include "log.h"
#include "power_int.h"
#include "state.h"

#define POOL_KEY "cloud_pool:"
#define STARTS_MAX 4096		/* as power.c's RATE_KEEP */

static size_t
pool_key(const struct pool *p, char *key, size_t len)
{
	int k = snprintf(key, len, POOL_KEY "%s", p->name);

	return k < 0 ? 0 : (size_t)k < len ? (size_t)k : len - 1;
}

static void
month_of(time_t now, char out[8])
{
	struct tm tm;

	gmtime_r(&now, &tm);
	if (!strftime(out, 8, "%Y-%m", &tm))
		out[0] = '\0';
}

void
pool_period(struct pool *p, time_t now)
{
	char m[8];

	month_of(now, m);
	if (!strcmp(m, p->period))
		return;
	if (p->period[0] && p->node_secs > 0)
		hc_log(HC_LOG_INFO, "pool=%s billing period %s ended with "
		       "%.2f node-hours", p->name, p->period,
		       p->node_secs / 3600.0);
	memcpy(p->period, m, sizeof(p->period));
	p->node_secs = 0;
}

/* The ring of recent starts as [time, count] pairs, equal times merged
 * (a resume of k nodes at once is one pair). */
static json_t *
starts_to_json(const struct pool *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->nstarts;) {
		size_t k = i + 1;
		while (k < p->nstarts && p->starts[k] == p->starts[i])
			k++;
		json_array_append_new(a, json_pack("[I,I]",
			(json_int_t)p->starts[i], (json_int_t)(k - i)));
		i = k;
	}
	return a;
}

/* Starts of the last hour back from the record; the rest are dropped,
 * as pool_started drops them. */
static void
starts_from_json(struct pool *p, const json_t *a, time_t now)
{
	size_t i;
	json_t *e;

	p->nstarts = 0;
	json_array_foreach(a, i, e) {
		time_t t = (time_t)json_integer_value(json_array_get(e, 0));
		json_int_t k = json_integer_value(json_array_get(e, 1));
		if (!json_is_array(e) || t > now || now - t >= 3600 || k <= 0)
			continue;
		for (; k > 0 && p->nstarts < STARTS_MAX; k--) {
			p->starts = hc_realloc(p->starts, (p->nstarts + 1) *
					       sizeof(*p->starts));
			p->starts[p->nstarts++] = t;
		}
	}
}

void
pool_load(struct state *st, struct pool *p, time_t now)
{
	char key[128];
	size_t klen = pool_key(p, key, sizeof(key));
	json_t *rec = st ? state_get(st, STATE_DB_META, key, klen, NULL) :
			   NULL;
	const char *why, *period;

	if (rec) {
		p->breaker = json_is_true(json_object_get(rec, "breaker"));
		why = json_string_value(json_object_get(rec, "breaker_why"));
		snprintf(p->breaker_why, sizeof(p->breaker_why), "%s",
			 why ? why : "");
		p->backoff_until = (time_t)json_integer_value(
			json_object_get(rec, "backoff_until"));
		p->backoff_s = (long)json_integer_value(
			json_object_get(rec, "backoff_s"));
		p->probing = json_is_true(json_object_get(rec, "probing"));
		p->node_secs = json_number_value(
			json_object_get(rec, "node_secs"));
		p->boot_avg = json_number_value(
			json_object_get(rec, "boot_avg"));
		period = json_string_value(json_object_get(rec, "period"));
		snprintf(p->period, sizeof(p->period), "%s",
			 period ? period : "");
		starts_from_json(p, json_object_get(rec, "starts"), now);
		json_decref(rec);
	}
	pool_period(p, now);
}

void
pool_save(struct state *st, const struct pool *p)
{
	struct hc_err err = { 0 };
	char key[128];
	size_t klen = pool_key(p, key, sizeof(key));
	json_t *rec;

	if (!st)
		return;
	rec = json_pack("{s:s,s:b,s:s,s:I,s:I,s:b,s:f,s:s,s:f}",
			"name", p->name, "breaker", p->breaker,
			"breaker_why", p->breaker_why,
			"backoff_until", (json_int_t)p->backoff_until,
			"backoff_s", (json_int_t)p->backoff_s,
			"probing", p->probing, "node_secs", p->node_secs,
			"period", p->period, "boot_avg", p->boot_avg);
	json_object_set_new(rec, "starts", starts_to_json(p));
	if (state_put(st, STATE_DB_META, key, klen, rec, &err) < 0)
		hc_log(HC_LOG_ERR, "pool=%s cannot save its state: %s",
		       p->name, err.text);
	json_decref(rec);
}
