/*
 * hostlist: node name expressions, "n[001-128]", "gpu[1,3,5-7],login1",
 * "a[1-2]b[3-4]" is not supported (one bracket per name, as Slurm).
 * Expansion is bounded (HOSTLIST_MAX names) so a request cannot make us
 * allocate without limit.
 */
#ifndef HC_HOSTLIST_H
#define HC_HOSTLIST_H

#include <stddef.h>

#include "hc_err.h"

#define HOSTLIST_MAX 65536

struct hostlist {
	char **names;	/* owned */
	size_t count;
	size_t cap;
};

/* Expand expr into a new hostlist (order kept, duplicates kept). Returns
 * NULL with err (HC_EINVAL: "n[3-1]: range is reversed") on bad syntax. */
struct hostlist *hostlist_parse(const char *expr, struct hc_err *err);
struct hostlist *hostlist_create(void);
void hostlist_destroy(struct hostlist *hl);	/* NULL ok */
void hostlist_push(struct hostlist *hl, const char *name);
/* Index of name or -1. */
long hostlist_find(const struct hostlist *hl, const char *name);
/* Sort (natural order: n2 < n10) and remove duplicates. */
void hostlist_uniq(struct hostlist *hl);
/* Compress names into the shortest expression ("n[001-003,007],gpu1").
 * Returns a malloc'ed string (caller frees); "" for an empty list. Keeps
 * zero-padding widths. */
char *hostlist_ranged(const struct hostlist *hl);

#endif
