/*
 * conf_pool: CloudPool= lines of hc.conf, and the power-saving checks.
 *
 * A pool line mixes two kinds of keys: the pool's own (Nodes,
 * ResumeProgram, BurstAfter, ...; scope CONF_POOL) and node-line keys
 * (CPUs, RealMemory, Gres, ...; scope CONF_NODE) that form the template of
 * its nodes. Each name of Nodes= becomes a node of the cluster (conf->nodes,
 * with pool set), declared like a NodeName line would, so everything that
 * knows nodes knows cloud nodes; they start in state CLOUD (hcctld).
 *
 * Errors name the pool: "hc.conf:7: CloudPool=burst: CPUs missing; ...".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_int.h"
#include "hostlist.h"
#include "log.h"

void
pool_free_fields(struct conf_pool *pl)
{
	for (const struct conf_key *k = conf_keys; k->name; k++)
		if (k->scope == CONF_POOL)
			conf_value_free(k, pl);
	node_free_fields(&pl->tmpl);
}

/* The row for a key of a pool line, and whether it is a template key. */
static const struct conf_key *
pool_key(const char *name, bool *tmpl)
{
	const struct conf_key *k = conf_key_find(name, CONF_POOL);

	*tmpl = false;
	if (k)
		return k;
	k = conf_key_find(name, CONF_NODE);
	if (!k || is_opener(k) || !strcmp(k->name, "PowerSave"))
		return NULL;
	*tmpl = true;
	return k;
}

struct pool_bases {
	struct conf_pool *pl;
	struct conf_node *node;
};

/* pair_key_fn: pool keys go to the pool, template keys to the node. */
static const struct conf_key *
pool_pair_key(const char *key, void *arg, void **base)
{
	const struct pool_bases *pb = arg;
	bool is_tmpl;
	const struct conf_key *k = pool_key(key, &is_tmpl);

	*base = is_tmpl ? (void *)pb->node : (void *)pb->pl;
	return k;
}

/*
 * Apply pairs[1..] of a pool line: pool keys to pl (when non-NULL),
 * template keys to node (when non-NULL). Returns the number of errors,
 * reported only when report is true.
 */
static int
pool_apply(struct cp *p, const char *ctx, struct conf_pool *pl,
	   struct conf_node *node, bool report)
{
	struct pool_bases pb = { pl, node };

	return apply_pairs_by(p, ctx, CONF_POOL, pool_pair_key, &pb, report);
}

static bool
pool_line_has(const struct cp *p, const char *key)
{
	for (size_t i = 1; i < p->npairs; i++)
		if (!strcasecmp(p->pairs[i].key, key))
			return true;
	return false;
}

static const struct {
	size_t offset;		/* of a char * in struct conf_pool */
	const char *key, *what;
} pool_required[] = {
	{ offsetof(struct conf_pool, nodes), "Nodes",
	  "list the pool's node names, e.g. Nodes=c[001-064]" },
	{ offsetof(struct conf_pool, resume_program), "ResumeProgram",
	  "give the provider program that starts nodes" },
	{ offsetof(struct conf_pool, suspend_program), "SuspendProgram",
	  "give the provider program that releases nodes" },
};

/* Checks across the keys of one pool line. */
static int
pool_check(struct cp *p, const char *ctx, struct conf_pool *pl,
	   const struct hostlist *hl)
{
	struct hc_err e;
	int bad = 0;

	for (size_t i = 0; i < sizeof(pool_required) /
			   sizeof(pool_required[0]); i++)
		if (!*(char **)((char *)pl + pool_required[i].offset) &&
		    !pool_line_has(p, pool_required[i].key)) {
			cp_error(p, ctx, "%s missing; %s", pool_required[i].key,
				 pool_required[i].what);
			bad++;
		}
	if (!pl->tmpl.cpus) {
		cp_error(p, ctx, "CPUs missing; give the template's CPUs: the "
			 "plan counts a node before it exists");
		bad++;
	}
	if (!pl->tmpl.real_memory_mb) {
		cp_error(p, ctx, "RealMemory missing; give the template's "
			 "memory, e.g. RealMemory=64G");
		bad++;
	}
	bad += node_check(p, ctx, &pl->tmpl);
	if (hl && pl->max_nodes > (long)hl->count) {
		cp_error(p, ctx, "MaxNodes=%ld but Nodes names %zu; lower "
			 "MaxNodes or name more nodes", pl->max_nodes,
			 hl->count);
		bad++;
	}
	if (hl && pl->tmpl.port + (long)hl->count - 1 > 65535) {
		cp_error(p, ctx, "Port=%ld leaves no port for the last of %zu "
			 "nodes; give a port below %ld", pl->tmpl.port,
			 hl->count, 65536 - (long)hl->count);
		bad++;
	}
	if (conf_rate_parse(pl->resume_rate, &pl->rate_count,
			    &pl->rate_period, &e) < 0 ||
	    conf_cost_parse(pl->cost_per_node_hour, &pl->cost, &e) < 0) {
		cp_error(p, ctx, "%s", e.text);	/* defaults: never */
		bad++;
	}
	return bad;
}

/* Declare the pool's nodes as nodes of the cluster. */
static int
pool_declare_nodes(struct cp *p, const char *ctx, const char *pool,
		   const struct hostlist *hl, bool port_given)
{
	struct hc_conf *c = p->conf;
	long dup;

	for (size_t i = 0; i < hl->count; i++)
		if ((dup = nameset_get(&p->nodes, hl->names[i])) >= 0) {
			cp_error(p, ctx, "%s is already declared on line %d; "
				 "declare each node once", hl->names[i],
				 c->nodes[dup].line);
			return 1;
		}
	for (size_t i = 0; i < hl->count; i++) {
		struct conf_node *n;
		c->nodes = hc_realloc(c->nodes,
				      (c->node_count + 1) * sizeof(*n));
		n = &c->nodes[c->node_count];
		memset(n, 0, sizeof(*n));
		apply_defaults(CONF_NODE, n);
		pool_apply(p, ctx, NULL, n, false);
		n->name = hc_strdup(hl->names[i]);
		if (!n->addr)
			n->addr = hc_strdup(hl->names[i]);
		if (port_given)
			n->port += (long)i;
		n->pool = hc_strdup(pool);
		n->line = p->line;
		nameset_put(&p->nodes, n->name, c->node_count);
		c->node_count++;
	}
	return 0;
}

void
pool_line(struct cp *p)
{
	const struct conf_key *k = conf_key_find("CloudPool", CONF_POOL);
	struct conf_pool pl = { 0 };
	struct hostlist *hl = NULL;
	struct hc_conf *c = p->conf;
	const struct conf_pool *old;
	const char *name;
	struct hc_err e;
	char *ctx;
	int bad;

	if (!(name = named_line_open(p, k, &ctx)))
		return;
	if ((old = conf_pool_find(c, name))) {
		cp_error(p, ctx, "already declared on line %d; declare each "
			 "pool once", old->line);
		free(ctx);
		return;
	}
	apply_defaults(CONF_POOL, &pl);
	apply_defaults(CONF_NODE, &pl.tmpl);
	bad = pool_apply(p, ctx, &pl, &pl.tmpl, true);
	if (pl.nodes && !(hl = hostlist_parse(pl.nodes, &e))) {
		cp_error(p, ctx, "Nodes: %s", e.text);
		bad++;
	}
	bad += pool_check(p, ctx, &pl, hl);
	if (c->pool_count >= 64) {	/* sched_node.pool, pool_deny bits */
		cp_error(p, ctx, "at most 64 cloud pools; merge pools of "
			 "the same template");
		bad++;
	}
	if (!bad)
		bad = pool_declare_nodes(p, ctx, name, hl,
					 pool_line_has(p, "Port"));
	if (!bad) {
		pl.name = hc_strdup(name);
		pl.line = p->line;
		pl.node_count = hl->count;
		if (pl.max_nodes < 0)
			pl.max_nodes = (long)hl->count;
		c->pools = hc_realloc(c->pools,
				      (c->pool_count + 1) * sizeof(pl));
		c->pools[c->pool_count++] = pl;
	} else {
		pool_free_fields(&pl);
	}
	hostlist_destroy(hl);
	free(ctx);
}

/* Add the pool's nodes to queue q (Queues=), unless already there. */
static void
queue_add_pool(struct conf_queue *q, const struct conf_pool *pl)
{
	struct hostlist *qh = hostlist_parse(q->nodes, NULL);
	struct hostlist *ph = hostlist_parse(pl->nodes, NULL);

	for (size_t j = 0; qh && ph && j < ph->count; j++)
		if (hostlist_find(qh, ph->names[j]) < 0)
			hostlist_push(qh, ph->names[j]);
	if (qh) {
		free(q->nodes);
		q->nodes = hostlist_ranged(qh);
	}
	hostlist_destroy(qh);
	hostlist_destroy(ph);
}

static bool
pool_in_some_queue(const struct hc_conf *c, const struct conf_pool *pl)
{
	struct hostlist *ph = hostlist_parse(pl->nodes, NULL);
	bool found = false;

	for (size_t i = 0; ph && i < c->queue_count && !found; i++) {
		struct hostlist *qh = hostlist_parse(c->queues[i].nodes, NULL);
		found = qh && hostlist_find(qh, ph->names[0]) >= 0;
		hostlist_destroy(qh);
	}
	hostlist_destroy(ph);
	return found;
}

static void
pool_check_queues(struct cp *p, const struct conf_pool *pl)
{
	struct hc_conf *c = p->conf;
	struct conf_queue *q;

	p->line = pl->line;
	for (size_t i = 0; pl->queues && pl->queues[i]; i++) {
		q = (struct conf_queue *)conf_queue_find(c, pl->queues[i]);
		if (!q) {
			cp_error(p, "", "CloudPool=%s: Queues: %s is not a "
				 "queue; declare it with QueueName= or fix the "
				 "list", pl->name, pl->queues[i]);
			continue;
		}
		queue_add_pool(q, pl);
	}
	if (!pl->queues && !pool_in_some_queue(c, pl))
		cp_error(p, "", "CloudPool=%s: its nodes are in no queue; name "
			 "the queues with Queues= or list the nodes in a "
			 "queue's Nodes", pl->name);
}

/* PowerSave=YES needs the programs and a SuspendTime. */
static void
power_save_check(struct cp *p)
{
	struct hc_conf *c = p->conf;
	const char *what = NULL;
	int line = 0;

	for (size_t i = 0; i < c->node_count && !what; i++)
		if (c->nodes[i].power_save) {
			what = c->nodes[i].name;
			line = c->nodes[i].line;
		}
	for (size_t i = 0; i < c->queue_count && !what; i++)
		if (c->queues[i].power_save) {
			what = c->queues[i].name;
			line = c->queues[i].line;
		}
	if (!what)
		return;
	p->line = line;
	if (!c->resume_program || !c->suspend_program)
		cp_error(p, "", "PowerSave=YES on %s, but ResumeProgram or "
			 "SuspendProgram is not set; set both on a line of "
			 "their own", what);
	else if (!c->suspend_time)
		cp_error(p, "", "PowerSave=YES on %s, but SuspendTime is 0; "
			 "set how long a node stays idle before it is powered "
			 "off", what);
}

void
pools_check(struct cp *p)
{
	struct hc_err e;

	for (size_t i = 0; i < p->conf->pool_count; i++)
		pool_check_queues(p, &p->conf->pools[i]);
	power_save_check(p);
	if (conf_rate_parse(p->conf->resume_rate, &p->conf->rate_count,
			    &p->conf->rate_period, &e) < 0)
		cp_error(p, "", "%s", e.text);	/* checked by its row */
}

const struct conf_pool *
conf_pool_find(const struct hc_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->pool_count; i++)
		if (!strcmp(conf->pools[i].name, name))
			return &conf->pools[i];
	return NULL;
}

bool
conf_node_power_save(const struct hc_conf *conf, const struct conf_node *node)
{
	struct hostlist *hl;
	bool on = node->power_save, exc = false;

	if (node->pool || !conf->suspend_time || !conf->suspend_program ||
	    !conf->resume_program)
		return false;
	for (size_t i = 0; i < conf->queue_count && !on; i++) {
		if (!conf->queues[i].power_save)
			continue;
		hl = hostlist_parse(conf->queues[i].nodes, NULL);
		on = hl && hostlist_find(hl, node->name) >= 0;
		hostlist_destroy(hl);
	}
	if (on && conf->suspend_exc_nodes) {
		hl = hostlist_parse(conf->suspend_exc_nodes, NULL);
		exc = hl && hostlist_find(hl, node->name) >= 0;
		hostlist_destroy(hl);
	}
	return on && !exc;
}
