/*
 * jobs_fit: could some nodes of the job's queue ever hold it? A request that
 * no node can satisfy is refused at submit (and at update) with a message
 * saying what is missing, rather than left pending forever. Capacities come
 * from the node's registration when it has one, else from hc.conf; a figure
 * that is not known yet (a node not registered, CPUs=0 in hc.conf) never
 * refuses. The cost is one look at each node of the queue.
 */
#include "config.h"

#include <string.h>

#include "hc_err.h"
#include "conf.h"
#include "ctld.h"
#include "jobs_int.h"
#include "nodes.h"
#include "sched.h"

static const char *const no_features[] = { NULL };

struct fit_need {
	uint32_t cpus;		/* per node */
	uint64_t mem_mb;	/* per node */
	uint32_t gpus;
	const char *gpu_type;
};

struct fit_best {
	uint32_t nodes, cpus, gpus, fit;
	uint64_t mem_mb;
	bool features;
};

static uint32_t
node_cpus(const struct node *n)
{
	if (n->cpus)
		return n->cpus;
	return n->cn && n->cn->cpus > 0 ? (uint32_t)n->cn->cpus : 0;
}

static uint64_t
node_mem(const struct node *n)
{
	if (n->mem_mb)
		return n->mem_mb;
	return n->cn ? n->cn->real_memory_mb : 0;
}

static uint32_t
node_gpus(const struct node *n, const char *type)
{
	uint32_t c = 0;

	if (n->gpu_count) {
		for (uint32_t g = 0; g < n->gpu_count && g < SCHED_MAX_GPUS;
		     g++)
			if (!*type || !strcmp(n->gpus[g].type, type))
				c++;
		return c;
	}
	for (size_t i = 0; n->cn && i < n->cn->gres.count; i++) {
		const struct res_item *r = &n->cn->gres.items[i];

		if (!strcmp(r->name, "gpu") && (!*type || !*r->type ||
						!strcmp(r->type, type)))
			c += (uint32_t)r->count;
	}
	return c;
}

static void
fit_node(const struct job *j, const struct node *n, const struct fit_need *w,
	 struct fit_best *b)
{
	uint32_t cpus = node_cpus(n), gpus = node_gpus(n, w->gpu_type);
	uint64_t mem = node_mem(n);
	bool cpu_ok = !cpus || cpus >= w->cpus;
	bool mem_ok = !mem || mem >= w->mem_mb;
	bool feat_ok = !j->constraint ||
		sched_features_match(j->constraint, n->features ?
				     (const char *const *)n->features :
				     no_features, NULL) == 1;

	b->nodes++;
	if (cpus > b->cpus)
		b->cpus = cpus;
	if (mem > b->mem_mb)
		b->mem_mb = mem;
	if (gpus > b->gpus)
		b->gpus = gpus;
	b->features |= feat_ok;
	if (cpu_ok && mem_ok && gpus >= w->gpus && feat_ok)
		b->fit++;
}

static int
fit_explain(const struct job *j, const struct fit_need *w,
	    const struct fit_best *b, struct hc_err *err)
{
	const char *q = j->queue;

	if (b->nodes == 0)
		return hc_err_set(err, HC_EINVAL, "queue %s has no nodes", q);
	if (b->cpus && b->cpus < w->cpus)
		return hc_err_set(err, HC_EINVAL, "no node of queue %s has %u "
				  "CPUs (the largest has %u); ask for fewer "
				  "tasks per node or CPUs per task", q,
				  w->cpus, b->cpus);
	if (b->mem_mb && b->mem_mb < w->mem_mb)
		return hc_err_set(err, HC_EINVAL, "no node of queue %s has "
				  "%llu MB of memory (the largest has %llu "
				  "MB); ask for less with --mem", q,
				  (unsigned long long)w->mem_mb,
				  (unsigned long long)b->mem_mb);
	if (b->gpus < w->gpus)
		return hc_err_set(err, HC_EINVAL, "no node of queue %s has %u "
				  "GPUs%s%s (the most is %u); see hcinfo for "
				  "the GPUs of each node", q, w->gpus,
				  *w->gpu_type ? " of type " : "",
				  w->gpu_type, b->gpus);
	if (!b->features)
		return hc_err_set(err, HC_EINVAL, "no node of queue %s has the "
				  "features %s; hcinfo -l lists them", q,
				  j->constraint);
	return hc_err_set(err, HC_EINVAL, "queue %s has %u nodes that could "
			  "hold this job; it asks for %u", q, b->fit,
			  j->nodes_min);
}

int
jobs_check_fit(struct jobs *js, const struct job *j, struct hc_err *err)
{
	struct fit_need w = { .gpus = j->gpus_per_node,
			      .gpu_type = j->gpu_type };
	struct fit_best b = { 0 };
	uint32_t tpn = j->ntasks_per_node ? j->ntasks_per_node :
		       (j->ntasks + j->nodes_min - 1) / j->nodes_min;
	uint64_t bit = 1ull << (j->queue_index & 63);

	if (j->constraint &&
	    sched_features_match(j->constraint, no_features, err) < 0)
		return hc_err_prefix(err, "-C %s: ", j->constraint);
	w.cpus = tpn * j->cpus_per_task;
	w.mem_mb = j->mem_per_cpu_mb ? j->mem_per_cpu_mb * w.cpus :
		   j->mem_per_node_mb;
	for (size_t i = 0; i < nodes_count(js->c->nodes); i++) {
		const struct node *n = nodes_at(js->c->nodes, i);

		if (n->queue_mask & bit)
			fit_node(j, n, &w, &b);
	}
	if (b.fit >= j->nodes_min)
		return 0;
	return fit_explain(j, &w, &b, err);
}
