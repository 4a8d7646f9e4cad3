/*
 * power_list: reconciling each cloud pool with its provider (ListProgram).
 *
 * At start-up and every ListInterval the pool's ListProgram is run with
 * the pool's nodes as its argument; it prints the instances that exist,
 * one "NODE [STATE]" a line (a STATE of terminated, shutting-down,
 * stopped, deleted or gone counts as not existing). Then, for each node of
 * the pool:
 *   - listed, CLOUD here, not starting and not connected: an orphan (a
 *     start hcctld forgot, a stop that failed); the SuspendProgram
 *     releases it and the node stays CLOUD;
 *   - not listed, starting or up here, not connected, and its state older
 *     than the list: the provider lost it; back to CLOUD (power_node_gone:
 *     its jobs planned again, the pool backing off); one that still
 *     runs jobs is left to NodeTimeout.
 * A node whose program is running (power_busy) is left alone: its own
 * result decides. A connected node exists, whatever the list says. A
 * ListProgram that fails or times out changes nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "ctld.h"
#include "hostlist.h"
#include "log.h"
#include "nodes.h"
#include "power.h"
#include "power_int.h"
#include "power_prog.h"
#include "states.h"

#define LIST_TIMEOUT 60

struct list_run {
	struct power *pw;
	char pool[64];
	time_t started;
};

static const char *const gone_words[] = {
	"terminated", "shutting-down", "stopped", "deleted", "gone",
};

/* Whether the list output names node as existing. */
static bool
listed(const char *out, const char *node)
{
	const char *p = out;
	size_t len = strlen(node);

	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l >= len && !strncmp(p, node, len) &&
		    (l == len || p[len] == ' ' || p[len] == '\t')) {
			char word[32] = "";
			bool gone = false;
			if (l > len)
				sscanf(p + len, " %31s", word);
			for (size_t i = 0; i < sizeof(gone_words) /
			     sizeof(gone_words[0]); i++)
				gone |= !strcasecmp(word, gone_words[i]);
			if (!gone)
				return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

static void
orphans_release(struct power *pw, const struct conf_pool *cp,
		struct hostlist *hl)
{
	char *names;

	if (!hl->count || !cp->suspend_program)
		return;
	names = hostlist_ranged(hl);
	hc_log(HC_LOG_WARN, "pool=%s ListProgram: %s exist at the provider "
	       "but not here: releasing them", cp->name, names);
	struct power_prog_req rq = { .path = cp->suspend_program,
		.action = "suspend", .pool = cp->name, .nodes = names,
		.tmpl = &cp->tmpl, .timeout_s = LIST_TIMEOUT };
	power_prog_run(power_progs_of(pw), &rq, NULL, NULL, NULL);
	free(names);
}

static void
list_apply(struct power *pw, const struct conf_pool *cp, const char *out,
	   time_t started)
{
	struct nodes *ns = power_ctld(pw)->nodes;
	struct hostlist *orphans = hostlist_create();

	for (size_t i = 0; i < nodes_count(ns); i++) {
		struct node *n = nodes_at(ns, i);
		bool up = n->base != NODE_CLOUD && n->base != NODE_DOWN;
		if (!n->cn || !n->cn->pool || strcmp(n->cn->pool, cp->name) ||
		    n->power_busy || n->conn)
			continue;
		if (listed(out, n->name)) {
			if (n->base == NODE_CLOUD &&
			    !(n->flags & NODE_F_POWERING_UP))
				hostlist_push(orphans, n->name);
			continue;
		}
		if (((n->flags & NODE_F_POWERING_UP) || up) && !n->njobs &&
		    n->state_since < started)
			power_node_gone(pw, n, "ListProgram: the provider has "
					"no such instance");
	}
	orphans_release(pw, cp, orphans);
	hostlist_destroy(orphans);
}

static void
on_list_done(void *arg, const struct power_result *res)
{
	struct list_run *lr = arg;
	const struct conf_pool *cp = conf_pool_find(power_ctld(lr->pw)->conf,
						    lr->pool);
	struct pool *p = power_pool_get(lr->pw, lr->pool);

	p->list_busy = false;
	if (cp && (res->exit_code != 0 || res->timed_out))
		hc_log(HC_LOG_WARN, "pool=%s ListProgram failed (%s): nothing "
		       "reconciled", lr->pool, res->last_line ?
		       res->last_line : "no message");
	else if (cp)
		list_apply(lr->pw, cp, res->output ? res->output : "",
			   lr->started);
	free(lr);
}

void
power_list_tick(struct power *pw, time_t now)
{
	const struct hc_conf *conf = power_ctld(pw)->conf;

	for (size_t i = 0; i < conf->pool_count; i++) {
		const struct conf_pool *cp = &conf->pools[i];
		struct pool *p;
		struct list_run *lr;
		if (!cp->list_program)
			continue;
		p = power_pool_get(pw, cp->name);
		if (p->list_busy || now < p->list_next)
			continue;
		p->list_next = cp->list_interval ? now + cp->list_interval :
			       (time_t)1 << 62;
		lr = hc_calloc(1, sizeof(*lr));
		lr->pw = pw;
		lr->started = now;
		snprintf(lr->pool, sizeof(lr->pool), "%s", cp->name);
		struct power_prog_req rq = { .path = cp->list_program,
			.action = "list", .pool = cp->name,
			.nodes = cp->nodes, .tmpl = &cp->tmpl,
			.timeout_s = LIST_TIMEOUT };
		p->list_busy = true;
		if (power_prog_run(power_progs_of(pw), &rq, on_list_done, lr,
				   NULL) < 0) {
			p->list_busy = false;
			free(lr);
		}
	}
}
