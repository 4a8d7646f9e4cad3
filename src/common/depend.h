/*
 * depend: job dependency expressions (hcsub --dependency), Slurm's syntax.
 *
 *	after:ID[+MIN][:ID...]  afterok:ID[:ID...]  afternotok:  afterany:
 *	aftercorr:ID  singleton
 * joined with ',' (all must hold) or '?' (any one is enough), never both.
 * An ID is a job id, an array id or a task id (123_7). The parser and the
 * printer live here (libhc: hcsub checks before sending, hcctld stores and
 * prints); the evaluation is here too, on states the caller looks up, so the
 * rules can be unit tested without a controller.
 */
#ifndef HC_DEPEND_H
#define HC_DEPEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hc_err.h"

enum dep_type {
	DEP_AFTER,
	DEP_AFTEROK,
	DEP_AFTERNOTOK,
	DEP_AFTERANY,
	DEP_AFTERCORR,
	DEP_SINGLETON,
	DEP_TYPE_COUNT
};

#define DEP_NO_TASK UINT32_MAX
/* The task id depend_eval asks the lookup for with aftercorr:ID: "the
 * task of ID whose index is the asking job's own" (see depend_lookup_fn). */
#define DEP_CORR_TASK (UINT32_MAX - 1)
#define DEP_MAX_ITEMS 1024

struct dep_item {
	uint8_t type;		/* enum dep_type */
	uint32_t job_id;	/* 0 for singleton */
	uint32_t task_id;	/* DEP_NO_TASK unless written ID_TASK */
	uint32_t minutes;	/* after:ID+MIN */
};

struct depend {
	struct dep_item *items;	/* owned, n entries */
	size_t n;
	bool any;		/* joined with '?' */
};

/* Parse s into d (zeroed first). 0, or -1 with err filled (HC_EINVAL). On
 * success d owns its items: release with depend_free. "" gives n == 0. */
int depend_parse(const char *s, struct depend *d, struct hc_err *err);
void depend_free(struct depend *d);

/* Print d back in canonical form ("afterok:12:13,singleton"; "" when empty)
 * into buf. Returns buf; truncated (never overrun) if len is short. */
char *depend_format(const struct depend *d, char *buf, size_t len);

/* "afterok"...; NULL if out of range. Borrowed. */
const char *depend_type_name(int type);

/* What the evaluator needs to know of one job another depends on. */
struct dep_job {
	bool exists;
	int state;		/* enum job_state */
	time_t start_time;	/* 0 if never started */
};

/* Look up job id (task_id DEP_NO_TASK for a whole job) into *out. For
 * singleton the evaluator asks with job_id 0: fill exists=true and state
 * PENDING when an earlier job of the same name and user is not final.
 * For aftercorr:ID it asks with task_id DEP_CORR_TASK; Slurm's rule, which
 * the lookup applies: an array task waits for the task of ID with its own
 * index; a task with no counterpart in ID, or a job that is not an array
 * task, waits for the whole of ID (afterok); an array's pending tasks not
 * yet split off wait (they are judged one by one once split). */
typedef void (*depend_lookup_fn)(uint32_t job_id, uint32_t task_id,
				 struct dep_job *out, void *arg);

enum dep_result { DEP_WAIT, DEP_SATISFIED, DEP_NEVER };

/* Evaluate d at time now: drop the items that are satisfied (the remaining
 * dependency is what is left in d) and say whether the whole expression is
 * satisfied, can never be, or must wait. Sets *changed when items went. */
enum dep_result depend_eval(struct depend *d, time_t now,
			    depend_lookup_fn lookup, void *arg,
			    bool *changed);

#endif
