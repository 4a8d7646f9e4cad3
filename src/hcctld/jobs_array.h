/*
 * jobs_array: job arrays in the controller.
 *
 * An array is ONE job record (the array record: j->array non-NULL, its id
 * is the array's id) holding its pending tasks as ranges (array.h), so a
 * 1,000,000-task array costs about one job. A task is split off into its
 * own job (own id, array_job_id and array_task_id set, its own copy of the
 * script record with the HC_ARRAY_* variables, %A/%a expanded in -o/-e)
 * only when the scheduler starts it; the last pending task is the array
 * record itself. Held pending tasks (hcctl hold job 123_[1-500]) move from
 * the record's pending set to one of its two held sets (held by the owner,
 * by an admin), ranges as well: holding part of a 1,000,000-task array
 * splits ranges, never tasks.
 */
#ifndef JOBS_ARRAY_H
#define JOBS_ARRAY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "hc_err.h"

struct jobs;
struct job;
struct array_set;

/* Scheduler view ids of array tasks not yet split: the bit, plus the index
 * of the view in the pass. Job ids stay below it. */
#define JOBS_ARRAY_VIEW_BIT 0x80000000u
/* Most tasks of one array offered to one scheduling pass. */
#define JOBS_ARRAY_PASS_MAX 256

/* The "array" field of a JOBSPEC into j (nothing when absent). */
int jobs_array_spec(struct job *j, const json_t *s, struct hc_err *err);
/* Free j's array fields (job_free). */
void jobs_array_free(struct job *j);
/* Add the array fields to a JOB record / LMDB record o. */
void jobs_array_to_json(const struct job *j, json_t *o);
/* Read them back from an LMDB record. */
void jobs_array_from_record(struct job *j, const json_t *r);
/* The id hcqueue shows: "123_[7-9999%50]" for an array record, "123_5"
 * for a task; NULL for other jobs. Caller frees. */
char *jobs_array_id(const struct job *j);
/* How many tasks of array record a may start in this pass (throttle, what
 * is pending, JOBS_ARRAY_PASS_MAX); sets a's reason when none may. */
uint32_t jobs_array_room(struct jobs *js, struct job *a);
/* Task j (of an array) goes from its state to state (final, or PENDING
 * again on a requeue): the array's record counts the tasks that ended
 * other than COMPLETED (array_failed, persisted), so that afterok on the
 * array still sees a failed task once it has left the table. */
void jobs_array_task_end(struct jobs *js, struct job *j, int state);
/* Whether pending task t, split off its array, must wait for the array's
 * throttle in the pass being built (then its reason is set); takes one of
 * the pass's slots when not. */
bool jobs_array_throttled(struct jobs *js, struct job *t);
/* Whether task is pending (held or not) in array record a. */
bool jobs_array_pending_has(const struct job *a, uint32_t task);
/* a's pending tasks, held ones included. */
uint64_t jobs_array_pending_count(const struct job *a);
/* Hold (hold) or release the pending tasks of record a named by which; an
 * admin's hold is kept apart and released by admins only. *n: how many
 * tasks changed. 0, or -1 with err (nothing changed). */
int jobs_array_hold(struct job *a, const struct array_set *which, bool hold,
		    bool admin, uint64_t *n, struct hc_err *err);
/* Drop the pending tasks of record a named by which (cancel); *n: how
 * many. 0 or -1 with err. */
int jobs_array_drop(struct job *a, const struct array_set *which,
		    uint64_t *n, struct hc_err *err);
/* The rows hcqueue shows for array record a: copies of *a sharing its
 * fields, one for its pending set (when not empty) and one per non-empty
 * held set (reason Held). Returns how many (at most 3) went into v (which
 * holds 3). The copies borrow a's pointers: never free them. */
int jobs_array_rows(const struct job *a, struct job *v);
/* aftercorr: split pending tasks off array record a (which has such a
 * dependency) so each is judged against its own counterpart, keeping at
 * most JOBS_ARRAY_CORR_MAX split and pending at a time (Slurm's rule). */
void jobs_array_corr_split(struct jobs *js, struct job *a, time_t now);
#define JOBS_ARRAY_CORR_MAX 64

/* jobs_array_update.c: JOB_UPDATE with "tasks" (123_[1-500]), or hold,
 * release and requeue of a whole array (jobs_array_update_whole). Replies. */
struct rpc_req;
bool jobs_array_update_whole(const struct job *j, const char *action);
void jobs_array_rpc_update(struct rpc_req *req, struct job *a,
			   const char *tasks, const char *action,
			   json_t *body, bool admin);

/* Split the lowest pending task off array record a into a job of its own,
 * inserted and persisted, still PENDING. Borrowed; NULL on error (logged). */
struct job *jobs_array_split(struct jobs *js, struct job *a, time_t now);

#endif
