/*
 * state: the controller's LMDB store (see state.h).
 *
 * Durability: the environment is opened without MDB_NOSYNC, MDB_NOMETASYNC,
 * MDB_WRITEMAP or MDB_MAPASYNC, so mdb_txn_commit() returns only once the
 * data and the meta page are on disk. MDB_NOTLS lets the backup thread hold
 * a read transaction while the loop holds the write transaction.
 *
 * All loop-side access goes through one write transaction, opened lazily and
 * ended by state_commit() (committed if something was written, aborted if it
 * was only read). Every write of the transaction is also kept in a replay
 * log: when LMDB says MDB_MAP_FULL, the transaction is lost, so we abort it,
 * double the map (up to StateMapSize), open a new one and replay the log.
 * Resizing needs no other transaction active in the process: the backup
 * thread holds `resize_lock` shared while it copies, growth takes it
 * exclusively.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lmdb.h>

#include "log.h"
#include "state.h"

#define STATE_MAP_INIT_MB 64
#define STATE_MAP_MAX_DEFAULT_MB (64u * 1024)

static const char *const db_names[STATE_DB_COUNT] = {
	[STATE_DB_JOBS] = "jobs",
	[STATE_DB_SCRIPTS] = "scripts",
	[STATE_DB_HISTORY] = "history",
	[STATE_DB_NODES] = "nodes",
	[STATE_DB_QUEUES] = "queues",
	[STATE_DB_META] = "meta",
	[STATE_DB_AUDIT] = "audit",
	[STATE_DB_CHECKPOINTS] = "checkpoints",
	[STATE_DB_IDENTITIES] = "identities",
	[STATE_DB_STEPS] = "steps",
	[STATE_DB_ACCOUNTS] = "accounts",
	[STATE_DB_USAGE] = "usage",
	[STATE_DB_RESERVATIONS] = "reservations",
};

struct state_op {		/* one write of the current transaction */
	enum state_db db;
	void *key;
	size_t klen;
	void *val;		/* NULL: delete */
	size_t vlen;
};

struct state {
	MDB_env *env;
	MDB_dbi dbi[STATE_DB_COUNT];
	MDB_txn *txn;		/* the loop's write transaction, or NULL */
	unsigned txn_gen;	/* bumped whenever txn is replaced */
	struct state_op *ops;	/* replay log of txn */
	size_t nops, cap;
	uint64_t map_bytes, map_max_bytes;
	pthread_rwlock_t resize_lock;
	struct state_stats stats;
	char cluster_id[33];
	state_dirty_fn *dirty_fn;
	void *dirty_arg;
	bool failed;		/* a commit failed: memory is ahead of disk */
};

static int
mdb_fail(struct hc_err *err, int rc, const char *what)
{
	int code = rc == ENOMEM ? HC_ENOMEM : HC_EIO;

	return hc_err_set(err, code, "state: %s: %s", what, mdb_strerror(rc));
}

void
state_key_u64(uint64_t id, uint8_t out[8])
{
	for (int i = 7; i >= 0; i--) {
		out[i] = id & 0xff;
		id >>= 8;
	}
}

static void
ops_clear(struct state *st)
{
	for (size_t i = 0; i < st->nops; i++) {
		free(st->ops[i].key);
		free(st->ops[i].val);
	}
	st->nops = 0;
}

static int
txn_apply(struct state *st, const struct state_op *op)
{
	MDB_val k = { op->klen, op->key }, v = { op->vlen, op->val };
	int rc;

	if (op->val)
		return mdb_put(st->txn, st->dbi[op->db], &k, &v, 0);
	rc = mdb_del(st->txn, st->dbi[op->db], &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
txn_ensure(struct state *st, struct hc_err *err)
{
	int rc;

	if (st->txn)
		return 0;
	/* After a failed commit the caller's memory holds changes the disk
	 * lost; writing more on top would make a state no one decided. */
	if (st->failed)
		return hc_err_set(err, HC_EIO, "state: an earlier commit "
				  "failed; restart hcctld to recover");
	rc = mdb_txn_begin(st->env, NULL, 0, &st->txn);
	if (rc) {
		st->txn = NULL;
		return mdb_fail(err, rc, "begin transaction");
	}
	st->txn_gen++;
	return 0;
}

static void
txn_drop(struct state *st)
{
	if (st->txn)
		mdb_txn_abort(st->txn);
	st->txn = NULL;
	st->txn_gen++;
}

static int map_grow(struct state *st, struct hc_err *err);

/* Open a new write transaction and replay the log into it; may_grow says
 * whether MDB_MAP_FULL may grow the map again. */
static int
txn_replay(struct state *st, bool may_grow, struct hc_err *err)
{
	int rc;

	if (txn_ensure(st, err) < 0)
		return -1;
	for (size_t i = 0; i < st->nops; i++) {
		rc = txn_apply(st, &st->ops[i]);
		if (rc == MDB_MAP_FULL && may_grow)
			return map_grow(st, err);
		if (rc) {
			txn_drop(st);
			return mdb_fail(err, rc, "replay");
		}
	}
	return 0;
}

/* The write transaction is lost (MDB_MAP_FULL): double the map, open a new
 * transaction and replay the log into it. */
static int
map_grow(struct state *st, struct hc_err *err)
{
	uint64_t want = st->map_bytes * 2;
	int rc;

	txn_drop(st);
	if (st->map_bytes >= st->map_max_bytes) {
		/* The writes before this one fitted: keep them. */
		if (txn_replay(st, false, NULL) < 0) {
			hc_log(HC_LOG_ERR, "state: replay failed; %zu writes "
			       "of this transaction are lost", st->nops);
			ops_clear(st);
		}
		return hc_err_set(err, HC_EIO, "state: the LMDB map is full at "
				  "StateMapSize=%lluM; raise StateMapSize",
				  (unsigned long long)(st->map_max_bytes >> 20));
	}
	if (want > st->map_max_bytes)
		want = st->map_max_bytes;
	pthread_rwlock_wrlock(&st->resize_lock);
	rc = mdb_env_set_mapsize(st->env, want);
	pthread_rwlock_unlock(&st->resize_lock);
	if (rc)
		return mdb_fail(err, rc, "grow map");
	hc_log(HC_LOG_INFO, "state map grown from %lluM to %lluM",
	       (unsigned long long)(st->map_bytes >> 20),
	       (unsigned long long)(want >> 20));
	st->map_bytes = want;
	return txn_replay(st, true, err);
}

/* Apply op (whose buffers we take) and log it for replay. */
static int
state_write(struct state *st, struct state_op *op, struct hc_err *err)
{
	int rc;

	if (txn_ensure(st, err) < 0)
		goto fail;
	while ((rc = txn_apply(st, op)) == MDB_MAP_FULL)
		if (map_grow(st, err) < 0)
			goto fail;
	if (rc) {
		/* Any other failure leaves the transaction unusable: start
		 * over with the writes made so far. */
		mdb_fail(err, rc, op->val ? "put" : "delete");
		txn_drop(st);
		if (st->nops && txn_replay(st, false, NULL) < 0) {
			hc_log(HC_LOG_ERR, "state: replay failed; %zu writes "
			       "of this transaction are lost", st->nops);
			ops_clear(st);
		}
		goto fail;
	}
	if (st->nops == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->ops = hc_realloc(st->ops, st->cap * sizeof(*st->ops));
	}
	st->ops[st->nops++] = *op;
	st->stats.puts++;
	if (st->nops == 1 && st->dirty_fn)
		st->dirty_fn(st->dirty_arg);
	return 0;
fail:
	free(op->key);
	free(op->val);
	return -1;
}

int
state_put_raw(struct state *st, enum state_db db, const void *key,
	      size_t klen, const void *val, size_t vlen, struct hc_err *err)
{
	struct state_op op = { db, hc_malloc(klen ? klen : 1), klen,
			       hc_malloc(vlen ? vlen : 1), vlen };

	memcpy(op.key, key, klen);
	memcpy(op.val, val, vlen);
	return state_write(st, &op, err);
}

int
state_put(struct state *st, enum state_db db, const void *key, size_t klen,
	  json_t *rec, struct hc_err *err)
{
	struct state_op op = { db, NULL, klen, NULL, 0 };

	if (!json_is_object(rec))
		return hc_err_set(err, HC_EINTERNAL, "state: record not an "
				  "object");
	if (!json_object_get(rec, "v"))
		json_object_set_new(rec, "v",
				    json_integer(STATE_RECORD_VERSION));
	op.val = json_dumps(rec, JSON_COMPACT);
	if (!op.val)
		hc_fatal("state: out of memory encoding a record");
	op.vlen = strlen(op.val);
	op.key = hc_malloc(klen ? klen : 1);
	memcpy(op.key, key, klen);
	return state_write(st, &op, err);
}

int
state_del(struct state *st, enum state_db db, const void *key, size_t klen,
	  struct hc_err *err)
{
	struct state_op op = { db, hc_malloc(klen ? klen : 1), klen, NULL, 0 };

	memcpy(op.key, key, klen);
	return state_write(st, &op, err);
}

static int
lookup(struct state *st, enum state_db db, const void *key, size_t klen,
       MDB_val *v, struct hc_err *err)
{
	MDB_val k = { klen, (void *)key };
	int rc;

	if (txn_ensure(st, err) < 0)
		return -1;
	rc = mdb_get(st->txn, st->dbi[db], &k, v);
	if (rc == MDB_NOTFOUND)
		return hc_err_set(err, HC_ENOENT, "state: no such record");
	if (rc)
		return mdb_fail(err, rc, "get");
	return 0;
}

void *
state_get_raw(struct state *st, enum state_db db, const void *key,
	      size_t klen, size_t *vlen, struct hc_err *err)
{
	MDB_val v;
	char *out;

	if (lookup(st, db, key, klen, &v, err) < 0)
		return NULL;
	out = hc_malloc(v.mv_size + 1);
	memcpy(out, v.mv_data, v.mv_size);
	out[v.mv_size] = '\0';
	if (vlen)
		*vlen = v.mv_size;
	return out;
}

json_t *
state_get(struct state *st, enum state_db db, const void *key, size_t klen,
	  struct hc_err *err)
{
	MDB_val v;
	json_error_t je;
	json_t *rec;

	if (lookup(st, db, key, klen, &v, err) < 0)
		return NULL;
	rec = json_loadb(v.mv_data, v.mv_size, 0, &je);
	if (!rec)
		hc_err_set(err, HC_EIO, "state: %s: corrupt record: %s",
			   db_names[db], je.text);
	return rec;
}

/* Position cur at the first key >= (key, klen), or the first one. */
static int
walk_seek(MDB_cursor *cur, MDB_val *k, MDB_val *v, bool resume)
{
	return mdb_cursor_get(cur, k, v, resume ? MDB_SET_RANGE : MDB_FIRST);
}

int
state_walk(struct state *st, enum state_db db, state_walk_fn *fn, void *arg,
	   struct hc_err *err)
{
	MDB_cursor *cur = NULL;
	MDB_val k = { 0, NULL }, v;
	char *last = NULL;
	size_t last_len = 0;
	int rc, ret = 0;
	unsigned gen;

	if (txn_ensure(st, err) < 0)
		return -1;
	if ((rc = mdb_cursor_open(st->txn, st->dbi[db], &cur)))
		return mdb_fail(err, rc, "cursor");
	gen = st->txn_gen;
	rc = walk_seek(cur, &k, &v, false);
	while (rc == 0) {
		json_error_t je;
		json_t *rec = json_loadb(v.mv_data, v.mv_size, 0, &je);

		if (!rec) {
			ret = hc_err_set(err, HC_EIO, "state: %s: corrupt "
					 "record: %s", db_names[db], je.text);
			break;
		}
		free(last);
		last = hc_malloc(k.mv_size + 1);
		memcpy(last, k.mv_data, k.mv_size);
		last_len = k.mv_size;
		ret = fn(last, last_len, rec, arg);
		json_decref(rec);
		if (ret != 0)
			break;
		if (gen != st->txn_gen || !st->txn) {
			/* The callback's write replaced the transaction
			 * (map growth): reopen the cursor after `last`. */
			cur = NULL;
			if (txn_ensure(st, err) < 0) {
				ret = -1;
				break;
			}
			if ((rc = mdb_cursor_open(st->txn, st->dbi[db], &cur)))
				break;
			gen = st->txn_gen;
			k.mv_data = last;
			k.mv_size = last_len;
			rc = walk_seek(cur, &k, &v, true);
			if (rc == 0 && k.mv_size == last_len &&
			    !memcmp(k.mv_data, last, last_len))
				rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
			continue;
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (ret == 0 && rc != 0 && rc != MDB_NOTFOUND)
		ret = mdb_fail(err, rc, "walk");
	if (cur && st->txn && gen == st->txn_gen)
		mdb_cursor_close(cur);
	free(last);
	return ret < 0 ? -1 : 0;
}

json_t *
state_last(struct state *st, enum state_db db, void *key, size_t *klen,
	   struct hc_err *err)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	json_error_t je;
	json_t *rec = NULL;
	int rc;

	if (txn_ensure(st, err) < 0)
		return NULL;
	if ((rc = mdb_cursor_open(st->txn, st->dbi[db], &cur))) {
		mdb_fail(err, rc, "cursor");
		return NULL;
	}
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == MDB_NOTFOUND)
		hc_err_set(err, HC_ENOENT, "state: %s is empty", db_names[db]);
	else if (rc)
		mdb_fail(err, rc, "last");
	else if (!(rec = json_loadb(v.mv_data, v.mv_size, 0, &je)))
		hc_err_set(err, HC_EIO, "state: %s: corrupt record: %s",
			   db_names[db], je.text);
	if (rec && key && klen) {
		*klen = k.mv_size < *klen ? k.mv_size : *klen;
		memcpy(key, k.mv_data, *klen);
	}
	mdb_cursor_close(cur);
	return rec;
}

int
state_dirty(const struct state *st)
{
	return st->nops > 0;
}

int
state_commit(struct state *st, struct hc_err *err)
{
	int rc;

	if (!st->txn)
		return 0;
	if (st->nops == 0) {		/* only read: nothing to sync */
		txn_drop(st);
		return 0;
	}
	for (;;) {
		rc = mdb_txn_commit(st->txn);
		st->txn = NULL;		/* ended, whatever rc says */
		st->txn_gen++;
		if (rc != MDB_MAP_FULL)
			break;
		if (map_grow(st, err) < 0)
			goto fail;
	}
	if (rc) {
		mdb_fail(err, rc, "commit");
		goto fail;
	}
	st->stats.commits++;
	ops_clear(st);
	return 0;
fail:
	st->failed = true;
	txn_drop(st);
	ops_clear(st);
	return -1;
}

bool
state_failed(const struct state *st)
{
	return st->failed;
}

void
state_stats(const struct state *st, struct state_stats *out)
{
	*out = st->stats;
}

unsigned
state_env_flags(const struct state *st)
{
	unsigned flags = 0;

	mdb_env_get_flags(st->env, &flags);
	return flags;
}

void
state_on_dirty(struct state *st, state_dirty_fn *fn, void *arg)
{
	st->dirty_fn = fn;
	st->dirty_arg = arg;
}

const char *
state_cluster_id(const struct state *st)
{
	return st->cluster_id;
}

/* The meta record: schema version and a random cluster id, made on first
 * open. */
static int
meta_init(struct state *st, struct hc_err *err)
{
	static const char key[] = "cluster";
	json_t *rec = state_get(st, STATE_DB_META, key, sizeof(key) - 1, NULL);
	unsigned char rnd[16];
	const char *id;

	if (rec) {
		id = json_string_value(json_object_get(rec, "cluster_id"));
		snprintf(st->cluster_id, sizeof(st->cluster_id), "%s",
			 id ? id : "");
		json_decref(rec);
		return 0;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return hc_err_set(err, HC_EIO, "state: getrandom: %s",
				  strerror(errno));
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(st->cluster_id + 2 * i, 3, "%02x", rnd[i]);
	rec = json_pack("{s:i, s:s}", "schema", 1, "cluster_id",
			st->cluster_id);
	if (state_put(st, STATE_DB_META, key, sizeof(key) - 1, rec, err) < 0) {
		json_decref(rec);
		return -1;
	}
	json_decref(rec);
	return state_commit(st, err);
}

static int
dbs_open(struct state *st, struct hc_err *err)
{
	int rc;

	if (txn_ensure(st, err) < 0)
		return -1;
	for (int i = 0; i < STATE_DB_COUNT; i++) {
		rc = mdb_dbi_open(st->txn, db_names[i], MDB_CREATE,
				  &st->dbi[i]);
		if (rc) {
			txn_drop(st);
			return mdb_fail(err, rc, db_names[i]);
		}
	}
	rc = mdb_txn_commit(st->txn);
	st->txn = NULL;
	st->txn_gen++;
	return rc ? mdb_fail(err, rc, "create databases") : 0;
}

struct state *
state_open_sized(const char *dir, uint64_t map_init_mb, uint64_t map_max_mb,
		 struct hc_err *err)
{
	struct state *st = hc_calloc(1, sizeof(*st));
	MDB_envinfo info;
	int rc;

	pthread_rwlock_init(&st->resize_lock, NULL);
	st->map_max_bytes = (map_max_mb ? map_max_mb
				: STATE_MAP_MAX_DEFAULT_MB) << 20;
	st->map_bytes = map_init_mb << 20;
	if (!st->map_bytes || st->map_bytes > st->map_max_bytes)
		st->map_bytes = st->map_max_bytes;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		hc_err_set(err, HC_EIO, "StateDir %s: %s; create it or fix "
			   "StateDir", dir, strerror(errno));
		goto fail;
	}
	if ((rc = mdb_env_create(&st->env)) ||
	    (rc = mdb_env_set_maxdbs(st->env, STATE_DB_COUNT)) ||
	    (rc = mdb_env_set_mapsize(st->env, st->map_bytes))) {
		mdb_fail(err, rc, "create environment");
		goto fail;
	}
	/* Security/durability: no NOSYNC, NOMETASYNC, WRITEMAP, MAPASYNC. */
	rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600);
	if (rc) {
		hc_err_set(err, HC_EIO, "StateDir %s: cannot open LMDB: %s",
			   dir, mdb_strerror(rc));
		goto fail;
	}
	/* An existing file larger than the initial size sets the map. */
	if (mdb_env_info(st->env, &info) == 0 &&
	    info.me_mapsize > st->map_bytes)
		st->map_bytes = info.me_mapsize;
	if (dbs_open(st, err) < 0 || meta_init(st, err) < 0)
		goto fail;
	return st;
fail:
	state_close(st);
	return NULL;
}

struct state *
state_open(const char *dir, uint64_t map_max_mb, struct hc_err *err)
{
	return state_open_sized(dir, STATE_MAP_INIT_MB, map_max_mb, err);
}

void
state_close(struct state *st)
{
	if (!st)
		return;
	txn_drop(st);
	ops_clear(st);
	free(st->ops);
	if (st->env)
		mdb_env_close(st->env);
	pthread_rwlock_destroy(&st->resize_lock);
	free(st);
}

int
state_backup(struct state *st, const char *path, struct hc_err *err)
{
	int fd, rc;

	if (path[0] != '/')
		return hc_err_set(err, HC_EINVAL, "backup: %s: give an "
				  "absolute path", path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return hc_err_set(err, errno == EEXIST ? HC_EEXIST : HC_EIO,
				  "backup: %s: %s", path, strerror(errno));
	pthread_rwlock_rdlock(&st->resize_lock);
	rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT);
	pthread_rwlock_unlock(&st->resize_lock);
	if (rc == 0 && fsync(fd) < 0)
		rc = errno;
	if (close(fd) < 0 && rc == 0)
		rc = errno;
	if (rc) {
		unlink(path);
		return hc_err_set(err, HC_EIO, "backup: %s: %s", path,
				  mdb_strerror(rc));
	}
	return 0;
}
