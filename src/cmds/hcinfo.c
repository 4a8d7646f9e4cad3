/*
 * hcinfo: queues and nodes, sinfo-style. The default view has one line per
 * queue and node state; -N has one line per node (and queue); -l adds CPU
 * counts (allocated/idle/other/total), GPU use and the reason a node is
 * unavailable.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "hostlist.h"
#include "msg.h"
#include "parse.h"

enum { O_JSON = CMD_LONG };

static const struct cmd_opt opts[] = {
	{"Node", 'N', NULL, "one line per node instead of per queue and state"},
	{"long", 'l', NULL, "add CPUs (allocated/idle/other/total), GPU use "
			    "and reasons"},
	{"queue", 'p', "QUEUES", "only these queues"},
	{"nodes", 'n', "HOSTLIST", "only these nodes (e.g. n[1-4])"},
	{"noheader", 'h', NULL, "do not print the header line"},
	{"json", O_JSON, NULL, "print the queue and node records as JSON"},
	CMD_OPT_HELP,
	CMD_OPT_VERSION,
	{0},
};

static const struct cmd_info info = {
	.prog = "hcinfo",
	.usage = "[OPTIONS]",
	.summary = "Show the queues and nodes of the cluster with their states "
		   "and resources.",
	.opts = opts,
};

struct ctx {
	bool node_view, long_view, noheader, json;
	json_t *queues;		/* filter, or NULL */
	const char *nodes;	/* filter, or NULL */
};

static int
opt_fn(void *arg, int key, const char *val, struct hc_err *err)
{
	struct ctx *cx = arg;

	switch (key) {
	case 'N': cx->node_view = true; break;
	case 'l': cx->long_view = true; break;
	case 'h': cx->noheader = true; break;
	case O_JSON: cx->json = true; break;
	case 'n': {
		struct hostlist *hl = hostlist_parse(val, err);
		if (!hl)
			return -1;
		hostlist_destroy(hl);
		cx->nodes = val;
		break;
	}
	case 'p':
		json_decref(cx->queues);
		cx->queues = cmd_list_strings(val, err);
		return cx->queues ? 0 : -1;
	}
	return 0;
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static bool
node_in_queue(const json_t *node, const char *q)
{
	size_t i;
	const json_t *v;

	json_array_foreach(json_object_get(node, "queues"), i, v)
		if (strcmp(json_string_value(v) ? json_string_value(v) : "",
			   q) == 0)
			return true;
	return false;
}

/* Node usable for new work: not DOWN and not draining. */
static bool
node_usable(const json_t *node)
{
	const char *st = js(node, "state");

	return strncmp(st, "DOWN", 4) != 0 && !strstr(st, "DRAIN") &&
	       !strstr(st, "NOT_RESPONDING");
}

static void
cpus_aiot(long long a, long long i, long long o, long long t, char *b,
	  size_t n)
{
	snprintf(b, n, "%lld/%lld/%lld/%lld", a, i, o, t);
}

static long long
res_count(const char *s)
{
	struct res_list rl = {0};
	long long n = 0;

	if (*s && res_list_parse(s, &rl, NULL) == 0)
		for (size_t i = 0; i < rl.count; i++)
			n += (long long)rl.items[i].count;
	res_list_free(&rl);
	return n;
}

/* "gpu:h100:4", with " (used 2)" in the long view; "-" for none. */
static void
node_gres(const json_t *node, bool used, char *b, size_t n)
{
	const char *g = js(node, "gres");
	size_t ngpu = json_array_size(json_object_get(node, "gpus"));

	if (*g)
		snprintf(b, n, "%s", g);
	else if (ngpu)
		snprintf(b, n, "gpu:%s:%zu",
			 js(json_array_get(json_object_get(node, "gpus"), 0),
			    "type"),
			 ngpu);
	else {
		snprintf(b, n, "-");
		return;
	}
	if (used) {
		size_t l = strlen(b);
		snprintf(b + l, n - l, " (used %lld)",
			 res_count(js(node, "gres_alloc")));
	}
}

static const char *
queue_label(const json_t *q, char *b, size_t n)
{
	snprintf(b, n, "%s%s", js(q, "name"), jb(q, "default") ? "*" : "");
	return b;
}

/* One queue: group its nodes by state, in the order states first appear. */
static void
queue_rows(struct ctx *cx, struct table *t, const json_t *q,
	   const json_t *nodes)
{
	char label[128], avail[32], limit[32], state[128], count[32], cpus[96];
	const char *seen[256];
	size_t nseen = 0, i, k;
	const json_t *nd;

	queue_label(q, label, sizeof(label));
	snprintf(avail, sizeof(avail), "%s", *js(q, "state") ? js(q, "state")
							      : "UP");
	lower(avail);
	cmd_fmt_limit(ji(q, "max_time") ? ji(q, "max_time") : -1, limit,
		      sizeof(limit));
	json_array_foreach(nodes, i, nd) {
		const char *st = js(nd, "state");
		bool done = false;

		if (!node_in_queue(nd, js(q, "name")))
			continue;
		for (k = 0; k < nseen; k++)
			done |= strcmp(seen[k], st) == 0;
		if (done || nseen == 256)
			continue;
		seen[nseen++] = st;

		struct hostlist *hl = hostlist_create();
		long long a = 0, idle = 0, o = 0, tot = 0;
		size_t j;
		const json_t *m;
		json_array_foreach(nodes, j, m) {
			if (!node_in_queue(m, js(q, "name")) ||
			    strcmp(js(m, "state"), st) != 0)
				continue;
			hostlist_push(hl, js(m, "name"));
			a += ji(m, "cpus_alloc");
			tot += ji(m, "cpus");
			if (node_usable(m))
				idle += ji(m, "cpus") - ji(m, "cpus_alloc");
			else
				o += ji(m, "cpus") - ji(m, "cpus_alloc");
		}
		char *list = hostlist_ranged(hl);
		snprintf(count, sizeof(count), "%zu", hl->count);
		snprintf(state, sizeof(state), "%s", st);
		lower(state);
		cpus_aiot(a, idle, o, tot, cpus, sizeof(cpus));
		const char *row[] = {label, avail, limit, count, state,
				     cx->long_view ? cpus : list, list};
		table_add(t, row);
		free(list);
		hostlist_destroy(hl);
	}
	if (nseen == 0) {
		const char *row[] = {label, avail, limit, "0", "n/a", "", ""};
		table_add(t, row);
	}
}

/* -N -l: the node's identity: compute id, certificate expiry ("-" when
 * none) and accelerator identities (UUIDs, or bus ids where none). */
static void
node_identity(const json_t *nd, char *exp, size_t elen, char *acc,
	      size_t alen)
{
	size_t i, used = 0;
	const json_t *a;

	if (ji(nd, "cert_not_after") > 0)
		cmd_fmt_time(ji(nd, "cert_not_after"), exp, elen);
	else
		snprintf(exp, elen, "-");
	acc[0] = '\0';
	json_array_foreach(json_object_get(nd, "accelerators"), i, a)
		if (used < alen)
			used += (size_t)snprintf(acc + used, alen - used,
						 "%s%s", i ? "," : "",
						 json_string_value(a));
	if (!acc[0])
		snprintf(acc, alen, "-");
}

/* -N -l: how long the node has been in its power state (a cloud or
 * PowerSave node: CLOUD, POWERING_UP, up since it registered...), or "-". */
static void
node_since(const json_t *nd, char *buf, size_t len)
{
	long long since = ji(nd, "state_since"), now = (long long)time(NULL);

	if (since > 0 && now >= since)
		cmd_fmt_elapsed(now - since, buf, len);
	else
		snprintf(buf, len, "-");
}

static void
node_rows(struct ctx *cx, struct table *t, const json_t *nd,
	  const json_t *queues)
{
	char state[128], cpus[96], mem[32], gres[256], label[128];
	char exp[32], acc[1024], since[32];
	const char *cid = *js(nd, "compute_id") ? js(nd, "compute_id") : "-";
	long long c = ji(nd, "cpus"), a = ji(nd, "cpus_alloc");
	bool ok = node_usable(nd);
	size_t i;
	const json_t *q;
	int rows = 0;

	snprintf(state, sizeof(state), "%s", js(nd, "state"));
	lower(state);
	if (cx->long_view)
		cpus_aiot(a, ok ? c - a : 0, ok ? 0 : c - a, c, cpus,
			  sizeof(cpus));
	else
		snprintf(cpus, sizeof(cpus), "%lld", c);
	snprintf(mem, sizeof(mem), "%lld", ji(nd, "real_memory_mb"));
	node_gres(nd, cx->long_view, gres, sizeof(gres));
	node_identity(nd, exp, sizeof(exp), acc, sizeof(acc));
	node_since(nd, since, sizeof(since));
	json_array_foreach(queues, i, q) {
		if (!node_in_queue(nd, js(q, "name")))
			continue;
		const char *row[] = {js(nd, "name"), "1",
				     queue_label(q, label, sizeof(label)),
				     state, cpus, mem, gres,
				     *js(nd, "reason") ? js(nd, "reason")
						       : "none", since, cid, exp,
				     acc};
		table_add(t, row);
		rows++;
	}
	if (!rows && !cx->queues) {
		const char *row[] = {js(nd, "name"), "1", "-", state, cpus,
				     mem, gres, *js(nd, "reason")
							? js(nd, "reason")
							: "none", since, cid,
				     exp, acc};
		table_add(t, row);
	}
}

static void
print_view(struct ctx *cx, const json_t *queues, const json_t *nodes)
{
	struct table t;
	struct outbuf o = {0};
	size_t i;
	const json_t *v;

	if (cx->node_view) {
		const char *hdr[] = {"NODELIST", "NODES", "QUEUE", "STATE",
				     cx->long_view ? "CPUS(A/I/O/T)" : "CPUS",
				     "MEMORY", "GRES", "REASON", "SINCE",
				     "COMPUTE_ID", "CERT_EXPIRY",
				     "ACCELERATORS"};
		table_init(&t, cx->long_view ? 12 : 7, 1u << 1 | 1u << 5);
		if (!cx->noheader)
			table_add(&t, hdr);
		json_array_foreach(nodes, i, v)
			node_rows(cx, &t, v, queues);
	} else {
		const char *hdr[] = {"QUEUE", "AVAIL", "TIMELIMIT", "NODES",
				     "STATE", cx->long_view ? "CPUS(A/I/O/T)"
							    : "NODELIST",
				     "NODELIST"};
		table_init(&t, cx->long_view ? 7 : 6, 1u << 2 | 1u << 3);
		if (!cx->noheader)
			table_add(&t, hdr);
		json_array_foreach(queues, i, v)
			queue_rows(cx, &t, v, nodes);
	}
	table_print(&t, &o);
	if (out_flush(&o, stdout) < 0)
		cmd_die(&info, HC_EIO, "cannot write the output");
}

int
main(int argc, char **argv)
{
	struct ctx cx = {0};

	cmd_parse_options(&info, argc - 1, argv + 1, opt_fn, &cx,
			  "to show some nodes use -n HOSTLIST");

	struct hc_client *c = cmd_connect(&info);
	json_t *qreq = json_object(), *nreq = json_object();
	if (cx.queues)
		json_object_set(qreq, "queues", cx.queues);
	if (cx.nodes)
		json_object_set_new(nreq, "nodes", json_string(cx.nodes));
	json_t *qrep = cmd_call(&info, c, HC_MSG_QUEUE_QUERY, qreq);
	json_t *nrep = cmd_call(&info, c, HC_MSG_NODE_QUERY, nreq);
	json_t *queues = json_object_get(qrep, "queues");
	json_t *nodes = json_object_get(nrep, "nodes");

	if (cx.json) {
		json_t *out = json_pack("{s:O?,s:O?}", "queues", queues,
					"nodes", nodes);
		cmd_print_json(out);
		json_decref(out);
	} else {
		print_view(&cx, queues, nodes);
	}
	json_decref(qrep);
	json_decref(nrep);
	json_decref(cx.queues);
	hc_client_destroy(c);
	return 0;
}
