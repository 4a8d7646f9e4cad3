/*
 * state: the controller's durable state in LMDB (StateDir).
 *
 * One environment, named databases. Records are JSON objects carrying a
 * version field "v" (state_put adds "v": STATE_RECORD_VERSION if absent), so
 * a later release can read and upgrade them. Keys: job ids as 8-byte
 * big-endian (ordered), names as strings.
 *
 * Writes go into the current write transaction, opened lazily on the first
 * write of a loop turn; state_commit() commits it (synced: no MDB_NOSYNC,
 * no MDB_NOMETASYNC) -- the controller calls it once per loop turn (group
 * commit), and only then sends the replies of the requests that wrote in it.
 * The map grows on MDB_MAP_FULL (doubling) up to StateMapSize.
 */
#ifndef STATE_H
#define STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "hc_err.h"

#define STATE_RECORD_VERSION 1

enum state_db {
	STATE_DB_JOBS,		/* job records (what the scheduler reads) */
	STATE_DB_SCRIPTS,	/* job scripts + environments, apart */
	STATE_DB_HISTORY,	/* finished jobs after MinJobAge (hcacct) */
	STATE_DB_NODES,		/* node state, reason, inventory */
	STATE_DB_QUEUES,	/* queue state */
	STATE_DB_META,		/* next_job_id, cluster id, schema version */
	STATE_DB_AUDIT,		/* audit entries by seq (audit.h) */
	STATE_DB_CHECKPOINTS,	/* signed audit checkpoints by seq */
	STATE_DB_IDENTITIES,	/* node identity records by name (identity.h) */
	STATE_DB_STEPS,		/* job steps by job id + step id (steps.h) */
	STATE_DB_ACCOUNTS,	/* accounts, users, QOS by "account/NAME",
				 * "user/NAME", "qos/NAME" (accounts.h) */
	STATE_DB_USAGE,		/* fair-share usage by key (usage.h) */
	STATE_DB_RESERVATIONS,	/* reservations by name (resv.h) */
	STATE_DB_COUNT
};

struct state;

/* Open (creating) the environment in dir. map_max_mb is the ceiling. */
struct state *state_open(const char *dir, uint64_t map_max_mb,
			 struct hc_err *err);
void state_close(struct state *st);	/* commits nothing; NULL ok */

/* The environment flags LMDB reports (mdb_env_get_flags), for the test that
 * asserts durability. */
unsigned state_env_flags(const struct state *st);

/* Keys. */
void state_key_u64(uint64_t id, uint8_t out[8]);

/* Write rec (borrowed) under key into db in the current write transaction. */
int state_put(struct state *st, enum state_db db, const void *key,
	      size_t klen, json_t *rec, struct hc_err *err);
/* Raw bytes (scripts). */
int state_put_raw(struct state *st, enum state_db db, const void *key,
		  size_t klen, const void *val, size_t vlen,
		  struct hc_err *err);
int state_del(struct state *st, enum state_db db, const void *key,
	      size_t klen, struct hc_err *err);	/* absent is not an error */
/* Read (sees uncommitted writes of the current transaction). Returns a new
 * reference, or NULL with err->code HC_ENOENT when absent. */
json_t *state_get(struct state *st, enum state_db db, const void *key,
		  size_t klen, struct hc_err *err);
/* Raw read: malloc'ed copy (caller frees), *vlen set. */
void *state_get_raw(struct state *st, enum state_db db, const void *key,
		    size_t klen, size_t *vlen, struct hc_err *err);

/* Walk every record of db in key order; fn returns 0 to go on, 1 to stop,
 * -1 on error (aborts the walk and returned). rec is borrowed for the call. */
typedef int state_walk_fn(const void *key, size_t klen, json_t *rec,
			  void *arg);
int state_walk(struct state *st, enum state_db db, state_walk_fn *fn,
	       void *arg, struct hc_err *err);

/* The record with the greatest key in db (new reference; its key copied
 * into key[*klen] when key is not NULL, up to *klen bytes), or NULL with
 * err->code HC_ENOENT when db is empty. */
json_t *state_last(struct state *st, enum state_db db, void *key,
		   size_t *klen, struct hc_err *err);

/* Whether there are uncommitted writes. */
int state_dirty(const struct state *st);
/* Commit the current write transaction (fsync'ed). A failed commit leaves
 * the store refusing every later write (state_failed): the controller's
 * memory is then ahead of its disk, and only a restart, which reloads what
 * is durable, makes them agree again. */
int state_commit(struct state *st, struct hc_err *err);
bool state_failed(const struct state *st);
/* Counters for the benchmark and tests. */
struct state_stats { uint64_t commits, puts; };
void state_stats(const struct state *st, struct state_stats *out);

/* Consistent hot copy with compaction into path (must not exist). Runs in
 * the caller's thread; the controller calls it from a worker thread. */
int state_backup(struct state *st, const char *path, struct hc_err *err);

/* Same as state_open with the map's starting size given (tests). */
struct state *state_open_sized(const char *dir, uint64_t map_init_mb,
			       uint64_t map_max_mb, struct hc_err *err);

/* fn(arg) is called when the first write of a transaction is made, so the
 * loop can schedule the commit of writes that no request is waiting on. */
typedef void state_dirty_fn(void *arg);
void state_on_dirty(struct state *st, state_dirty_fn *fn, void *arg);

/* The random cluster id kept in the meta record (32 hex chars). Borrowed. */
const char *state_cluster_id(const struct state *st);

#endif
