/*
 * rejected: the node connections hcctld refused, for admins (`hcctl show
 * rejected`): the last REJECTED_MAX in memory (a ring; older ones live on in
 * the log and the audit trail) and a count per reason since start.
 */
#ifndef REJECTED_H
#define REJECTED_H

#include <time.h>
#include <jansson.h>

#define REJECTED_MAX 256

struct rejected;

struct rejected *rejected_create(void);
void rejected_destroy(struct rejected *rj);	/* NULL ok */

/* Record one refusal. peer ("127.0.0.1:40112"), name (the name claimed or
 * the certificate's; may be NULL), reason (a short word, tls.h's
 * tls_reason_name() or "plain TCP", ...) and detail (one sentence) are
 * copied. */
void rejected_add(struct rejected *rj, time_t when, const char *peer,
		  const char *name, const char *reason, const char *detail);

/* {"rejected":[{"time","peer","name","reason","detail"}...] (oldest
 * first), "counts":{reason: n}, "total": n}. New reference. */
json_t *rejected_json(const struct rejected *rj);

#endif
