/*
 * jobs_array: job arrays in the controller.
 *
 * An array is ONE job record (the array record: j->array non-NULL, its id
 * is the array's id) holding its pending tasks as ranges (array.h), so a
 * 1,000,000-task array costs about one job. A task is split off into its
 * own job (own id, array_job_id and array_task_id set, its own copy of the
 * script record with the HC_ARRAY_* variables, %A/%a expanded in -o/-e)
 * only when the scheduler starts it; the last pending task is the array
 * record itself.
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
/* Split the lowest pending task off array record a into a job of its own,
 * inserted and persisted, still PENDING. Borrowed; NULL on error (logged). */
struct job *jobs_array_split(struct jobs *js, struct job *a, time_t now);

#endif
