/*
 * rejected: a fixed ring of the last refusals and a count per reason (see
 * rejected.h). Every field is bounded and copied: what a refused peer sent
 * (its claimed name) is cut to the field's size.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rejected.h"

struct rejected_entry {
	time_t time;
	char peer[64];
	char name[128];
	char reason[32];
	char detail[384];
};

struct rejected {
	struct rejected_entry ring[REJECTED_MAX];
	size_t head;		/* next slot to write */
	size_t count;		/* entries held (<= REJECTED_MAX) */
	json_t *counts;		/* reason -> n */
	json_int_t total;
};

struct rejected *
rejected_create(void)
{
	struct rejected *rj = hc_calloc(1, sizeof(*rj));

	rj->counts = json_object();
	return rj;
}

void
rejected_destroy(struct rejected *rj)
{
	if (!rj)
		return;
	json_decref(rj->counts);
	free(rj);
}

void
rejected_add(struct rejected *rj, time_t when, const char *peer,
	     const char *name, const char *reason, const char *detail)
{
	struct rejected_entry *e = &rj->ring[rj->head];
	json_int_t n = json_integer_value(json_object_get(rj->counts,
							  reason));

	e->time = when;
	snprintf(e->peer, sizeof(e->peer), "%s", peer ? peer : "");
	snprintf(e->name, sizeof(e->name), "%s", name ? name : "");
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	snprintf(e->detail, sizeof(e->detail), "%s", detail ? detail : "");
	rj->head = (rj->head + 1) % REJECTED_MAX;
	if (rj->count < REJECTED_MAX)
		rj->count++;
	json_object_set_new(rj->counts, e->reason, json_integer(n + 1));
	rj->total++;
}

json_t *
rejected_json(const struct rejected *rj)
{
	json_t *list = json_array();
	size_t first = (rj->head + REJECTED_MAX - rj->count) % REJECTED_MAX;

	for (size_t i = 0; i < rj->count; i++) {
		const struct rejected_entry *e =
			&rj->ring[(first + i) % REJECTED_MAX];
		json_array_append_new(list, json_pack(
			"{s:I,s:s,s:s,s:s,s:s}", "time", (json_int_t)e->time,
			"peer", e->peer, "name", e->name, "reason", e->reason,
			"detail", e->detail));
	}
	return json_pack("{s:o,s:O,s:I}", "rejected", list, "counts",
			 rj->counts, "total", rj->total);
}
