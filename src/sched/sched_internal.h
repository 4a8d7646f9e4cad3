/*
 * sched_internal: what the files of libhcsched share and nothing else sees.
 */
#ifndef SCHED_INTERNAL_H
#define SCHED_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hc/sched_plugin.h"
#include "hc_err.h"
#include "sched.h"
#include "sched_plugin.h"
#include "sched_resv.h"

#define SCHED_MAX_QUEUES 64	/* bits of sched_node.queue_mask */

struct sched {
	struct sched_plugin *plugins;
	size_t nplugins;
	char *names;			/* "basic,testfilter" */
	uint32_t max_jobs_per_pass;
	time_t now;			/* the current pass's clock */
	bool has_filter, has_score;
	struct sched_acct_view *acct;	/* borrowed (sched_set_accounts) */
	struct sched_resv_set resv;	/* borrowed: sched_resv_use() */
	struct sched_prio *prio;	/* multifactor priority (priority.c) */
};

/* A features expression compiled to postfix form, evaluated per node
 * without re-parsing. */
struct sched_features;

/* Compile expr ("a&b|c", "(a|b)&c"). NULL with err on a syntax error; an
 * expression of only blanks compiles to "always true". Caller frees with
 * sched_features_free. */
struct sched_features *sched_features_compile(const char *expr,
					      struct hc_err *err);
void sched_features_free(struct sched_features *f);	/* NULL ok */
/* Whether a node with these (NULL-terminated) features satisfies f. */
bool sched_features_eval(const struct sched_features *f,
			 const char *const *features);


/* What a job asks of each node it is placed on. */
struct sched_req {
	uint32_t nnodes;
	uint32_t cpus;
	uint64_t mem_mb;	/* 0 with exclusive: all of it */
	uint32_t gpus;
	const char *gpu_type;	/* "" = any */
	struct sched_features *feat;	/* NULL = no constraint */
	bool exclusive;
	bool no_cloud;		/* cloud nodes are not for it */
	uint64_t pool_deny;	/* sched_job.pool_deny */
	const struct sched_resv *resv;	/* the job's reservation, or NULL */
	long time_limit;		/* seconds, <= 0 unlimited; kept only
					 * when the pass has reservations
					 * (it is part of the memo's shape) */
};

/* Whether node n is kept from the job: a cloud node and no_cloud, or a
 * node of a pool its pool_deny names. */
static inline bool
sched_node_denied(const struct sched_req *rq, const struct sched_node *n)
{
	return (rq->no_cloud && n->cloud) ||
	       (n->pool && n->pool <= 64 &&
		((rq->pool_deny >> (n->pool - 1)) & 1));
}

/* Outcomes of sched_place_job. */
enum sched_place {
	SCHED_PLACED,		/* allocation appended, node views updated */
	SCHED_BUSY,		/* fits when running jobs end: "Resources",
				 * or when a reservation's window ends or
				 * opens: reason set ("" for Resources) */
	SCHED_NEVER,		/* cannot fit now or later: reason set */
};

/* Resolve the job's reservation into rq->resv. false with reason when it
 * names one the pass does not have ("ReservationDeleted"). */
bool sched_req_resv(const struct sched *s, const struct sched_job *j,
		    struct sched_req *rq, char *reason, size_t len);

struct sched_place_ctx;

/* Per-pass placement state over nodes[0..nnodes) (borrowed for the pass).
 * NULL never (allocation failure is fatal). */
struct sched_place_ctx *sched_place_begin(struct sched *s,
					  struct sched_node *nodes,
					  size_t nnodes);
void sched_place_end(struct sched_place_ctx *pc);	/* NULL ok */

/* Try to place one job (its view jv, request rq) in queue `queue`.
 * Returns enum sched_place; on SCHED_NEVER writes reason (len bytes). */
int sched_place_job(struct sched_place_ctx *pc, uint32_t queue,
		    const struct hc_job_view *jv, const struct sched_req *rq,
		    struct sched_result *res, char *reason, size_t len);

/* priority.c: the multifactor priority of a pass. begin ranks the
 * fair-share tree for the pass's jobs; job fills j->factors (plugins: the
 * hooks' sum) and j->factors.total; end drops the pass's state. */
struct sched_prio;
void sched_prio_begin(struct sched *s, const struct sched_job *jobs,
		      size_t njobs, const struct sched_node *nodes,
		      size_t nnodes, time_t now);
void sched_prio_job(struct sched *s, struct sched_job *j, double plugins);
void sched_prio_end(struct sched *s);
void sched_prio_free(struct sched_prio *p);	/* NULL ok */

/* The allowed nodes for the next sched_place_job calls: allow[i] != 0
 * lets nodes[i] be used (the planner's "fits without delaying a plan");
 * NULL allows all. Borrowed until replaced. */
void sched_place_allow(struct sched_place_ctx *pc, const uint8_t *allow);

/* The stages sched_pass runs, shared with the planning pass (plan.c). */
/* Held -> BeginTime -> reservation -> admit hooks -> quotas: fills rq
 * (feat NULL) and v; true if the job may start in this pass, else false
 * with j->reason set. */
bool sched_stage_admit(struct sched *s, struct sched_job *j,
		       struct sched_req *rq, struct hc_job_view *v,
		       time_t now);
/* A job was placed (allocation a): charge what it holds (quotas). */
void sched_stage_started(struct sched *s, const struct sched_job *j,
			 const struct sched_alloc *a);
/* Set every job's priority and return the indices of jobs[] in scheduling
 * order (priority desc, submit time, id); the caller frees it. */
uint32_t *sched_stage_order(struct sched *s, struct sched_job *jobs,
			    size_t njobs, const struct sched_node *nodes,
			    size_t nnodes, time_t now);

#endif
