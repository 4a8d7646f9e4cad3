/*
 * jobs_int: what the jobs_*.c files share and nothing else sees.
 *
 * The table is an array of job pointers sorted by id: ids are handed out in
 * increasing order, so a submit appends; lookups are binary searches; the
 * MinJobAge sweep compacts the array in one pass.
 */
#ifndef JOBS_INT_H
#define JOBS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <jansson.h>

#include "hc_err.h"
#include "job.h"

struct ctld;
struct event;
struct sched_worker;

struct jobs {
	struct ctld *c;
	struct job **v;		/* sorted by id */
	size_t n, cap;
	uint32_t next_id;
	struct event *sched_ev;	/* coalesced pass */
	struct event *tick_ev;	/* periodic pass + MinJobAge sweep */
	bool sched_queued;
	struct timeval last_pass;
	bool own_sched;		/* we created c->sched: we destroy it */
	struct sched_worker *worker;	/* runs the passes (NULL: inline) */
	bool sched_dirty;	/* a pass was asked for during one */
	long sched_delay_ms;	/* HC_SCHED_PASS_DELAY_MS (debugging) */
	uint64_t passes;	/* passes whose result came back */
	double pass_last_s, pass_max_s;
	time_t last_sweep;
};

/* jobs.c: table and lifecycle */
struct job *jobs_find(struct jobs *js, uint32_t id);
void jobs_insert(struct jobs *js, struct job *j);
void job_free(struct job *j);
/* Persist j into STATE_DB_JOBS (current write transaction). Logs errors. */
int jobs_save(struct jobs *js, struct job *j);
/* Persist the id counter into STATE_DB_META (same transaction). */
int jobs_save_next_id(struct jobs *js, struct hc_err *err);
/* Hold j's allocation in the node table (node_alloc on each node). */
void jobs_alloc_attach(struct jobs *js, struct job *j);
/* Release node k of j's allocation (node_release), mark it ended. */
void jobs_node_release(struct jobs *js, struct job *j, uint32_t k);
/* Drop the allocation entirely (after releasing every node). */
void job_alloc_clear(struct job *j);
/* Send JOB_KILL (sig 0 = terminate) to every node of j still running it. */
void jobs_kill(struct jobs *js, struct job *j, int sig, bool batch_only,
	       const char *reason);
/* End j in final state `state` now: release, end time, persist, pass. */
void jobs_finish(struct jobs *js, struct job *j, int state,
		 const char *reason);
/* Make j PENDING again (restart_count+1, held if hold), release, persist. */
void jobs_requeue(struct jobs *js, struct job *j, bool hold,
		  const char *reason);
/* Make j PENDING again without counting a restart: it never started (its
 * launch was lost). Release, persist. */
void jobs_relaunch(struct jobs *js, struct job *j, const char *reason);
/* Move finished jobs older than MinJobAge to the history; purge history. */
void jobs_sweep(struct jobs *js, time_t now);
/* Whether uid may act on every job (AdminUsers, root). */
bool jobs_is_admin(struct jobs *js, uint32_t uid);

/* jobs_json.c: JOB records (msg.h) and LMDB records */
json_t *job_to_json(const struct job *j, bool detail, time_t now);
json_t *job_to_record(const struct job *j);
struct job *job_from_record(json_t *rec, struct hc_err *err);
/* "code:signal" from a wait status. buf >= 16. */
void job_exit_code(const struct job *j, char *buf, size_t len);
/* JSON helpers: NULL / def when absent or of another type. */
const char *jstr(const json_t *o, const char *key);
long long jint(const json_t *o, const char *key, long long def);
bool jbool(const json_t *o, const char *key, bool def);

/* jobs_submit.c / jobs_fit.c: checks shared by SUBMIT and JOB_UPDATE */
int jobs_check_time_limit(struct jobs *js, const struct job *j, long tl,
			  struct hc_err *err);
/* Whether some nodes of j's queue could ever hold j (CPUs, memory, GPUs of
 * the type, features); -1 with a message saying what no node has. */
int jobs_check_fit(struct jobs *js, const struct job *j, struct hc_err *err);

/* jobs_depend.c: --dependency. Parse text into j->dep, refusing ids that
 * never existed ("" clears it). */
int jobs_depend_set(struct jobs *js, struct job *j, const char *text,
		    struct hc_err *err);
/* Free j->dep and set it NULL. */
void job_free_dep(struct job *j);
/* The JOBSPEC's dependency and kill_on_invalid_dep into j. */
int jobs_depend_spec(struct jobs *js, struct job *j, const json_t *s,
		     struct hc_err *err);
/* The remaining dependency as text (caller frees), NULL when none. */
char *jobs_depend_text(const struct job *j);
/* Whether pending j's dependency holds now; if not, sets its reason (and
 * cancels it when it never can and kill_on_invalid_dep). */
bool jobs_depend_ready(struct jobs *js, struct job *j, time_t now);

/* jobs_update.c: one JOB_UPDATE action ("update", "hold", "release",
 * "requeue") on one job the caller may change; the caller saves j. */
int jobs_update_one(struct jobs *js, struct job *j, const char *action,
		    const json_t *b, bool admin, struct hc_err *err);

/* jobs_sched.c */
int jobs_sched_init(struct jobs *js, struct hc_err *err);
void jobs_sched_fini(struct jobs *js);
/* Send JOB_LAUNCH for j to every node of its allocation. */
void jobs_launch(struct jobs *js, struct job *j);

/* jobs_rpc.c / jobs_filter: whether j passes a query's filters. */
bool jobs_filter_match(const struct job *j, const json_t *q);

#endif
