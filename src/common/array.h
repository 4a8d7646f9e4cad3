/*
 * array: job array task sets, "0-9999", "1,3,5-11:2", "0-99%10".
 *
 * A set is a short sorted list of ranges (start-end:step), never one entry
 * per task, so a 1,000,000-task array costs a few bytes. The controller
 * keeps an array's pending tasks as one such set and removes a task from it
 * when the task starts (array_set_remove splits a range when needed).
 * Task ids are 0..ARRAY_TASK_ID_MAX; a set holds at most ARRAY_RANGES_MAX
 * ranges, and a throttle (the "%N" suffix, 0 = none) limits running tasks.
 */
#ifndef HC_ARRAY_H
#define HC_ARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hc_err.h"

#define ARRAY_TASK_ID_MAX 4000000u
#define ARRAY_RANGES_MAX 4096
#define ARRAY_SPEC_MAX 8192	/* longest accepted specification */

/* start..end (end is itself a member: start + k * step), step >= 1. */
struct array_range {
	uint32_t start;
	uint32_t end;
	uint32_t step;
};

struct array_set {
	struct array_range *ranges;	/* owned; sorted, disjoint */
	size_t count;			/* ranges in use */
	size_t cap;
	uint32_t throttle;	/* most tasks running at once; 0 none */
};

/* Parse spec into set (which must be zeroed or freed first). On error fills
 * err (HC_EINVAL, "5-1: range is reversed; write 1-5"), leaves set empty and
 * returns -1. */
int array_set_parse(struct array_set *set, const char *spec,
		    struct hc_err *err);
/* Free the ranges; the set is empty (and reusable) afterwards. */
void array_set_free(struct array_set *set);
/* Copy src into dst (dst zeroed or freed). Returns 0, -1 on ENOMEM. */
int array_set_copy(struct array_set *dst, const struct array_set *src);

/* Number of tasks in the set. */
uint64_t array_set_size(const struct array_set *set);
bool array_set_contains(const struct array_set *set, uint32_t id);
/* Remove one task, splitting its range if it is inside. Returns 0, or -1
 * (errno ENOENT) when id is not in the set. */
int array_set_remove(struct array_set *set, uint32_t id);
/* Lowest task id, or -1 when the set is empty. */
int64_t array_set_first(const struct array_set *set);
/* The lowest task id above after (-1 for the first), or -1 when none:
 * for (int64_t id = -1; (id = array_set_next(s, id)) >= 0;) ... */
int64_t array_set_next(const struct array_set *set, int64_t after);
/* Highest task id, or -1 when empty. */
int64_t array_set_last(const struct array_set *set);
/* The step shared by every range (1 when mixed or single tasks). */
uint32_t array_set_step(const struct array_set *set);

/* The set in its folded form, "7-9999%50" or "1,3,5-11:2" (the throttle
 * only when with_throttle). Returns a malloc'ed string the caller frees;
 * "" for an empty set. */
char *array_set_format(const struct array_set *set, bool with_throttle);

/* array_ops.c. Cut a by b: the tasks of a that are in b into *in, the
 * others into *out (either may be NULL; both are overwritten, and a's
 * throttle goes with *out). 0, or -1 (ENOMEM) with nothing allocated. */
int array_set_cut(const struct array_set *a, const struct array_set *b,
		  struct array_set *in, struct array_set *out);
/* *dst = a and b, which share no task (a's throttle). 0 or -1 (ENOMEM). */
int array_set_union(struct array_set *dst, const struct array_set *a,
		    const struct array_set *b);

#endif
