/*
 * test_state: the controller's LMDB store, on a real LMDB in a temp dir.
 * Durability flags, versioned records, key order, map growth (also in the
 * middle of a walk), the ceiling, and a hot backup that opens as a StateDir.
 */
#define _GNU_SOURCE
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <lmdb.h>

#include "log.h"
#include "state.h"

struct fixture {
	char dir[64];
	char path[128];		/* dir/db */
};

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
setup(void **ctx)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_state.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/db", f->dir);
	*ctx = f;
	return 0;
}

static int
teardown(void **ctx)
{
	struct fixture *f = *ctx;

	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static struct state *
open_ok(const char *dir, uint64_t init_mb, uint64_t max_mb)
{
	struct hc_err err = { 0 };
	struct state *st = state_open_sized(dir, init_mb, max_mb, &err);

	if (!st)
		fail_msg("state_open %s: %s", dir, err.text);
	return st;
}

static void
put_id(struct state *st, enum state_db db, uint64_t id, json_t *rec)
{
	uint8_t key[8];
	struct hc_err err = { 0 };

	state_key_u64(id, key);
	if (state_put(st, db, key, 8, rec, &err) < 0)
		fail_msg("state_put %llu: %s", (unsigned long long)id,
			 err.text);
	json_decref(rec);
}

static json_t *
get_id(struct state *st, enum state_db db, uint64_t id, struct hc_err *err)
{
	uint8_t key[8];

	state_key_u64(id, key);
	return state_get(st, db, key, 8, err);
}

static void
commit_ok(struct state *st)
{
	struct hc_err err = { 0 };

	if (state_commit(st, &err) < 0)
		fail_msg("state_commit: %s", err.text);
}

/* The environment must sync every commit: none of the flags that trade
 * durability for speed. */
static void
test_env_flags_durable(void **ctx)
{
	struct fixture *f = *ctx;
	struct state *st = open_ok(f->path, 1, 64);
	unsigned flags = state_env_flags(st);

	assert_int_equal(flags & MDB_NOSYNC, 0);
	assert_int_equal(flags & MDB_NOMETASYNC, 0);
	assert_int_equal(flags & MDB_MAPASYNC, 0);
	assert_int_equal(flags & MDB_WRITEMAP, 0);
	assert_int_equal(flags & MDB_RDONLY, 0);
	assert_true(flags & MDB_NOTLS);
	state_close(st);
}

static void
test_records_versioned(void **ctx)
{
	struct fixture *f = *ctx;
	struct state *st = open_ok(f->path, 1, 64);
	struct hc_err err = { 0 };
	struct state_stats s0, s1;
	json_t *rec;

	state_stats(st, &s0);
	put_id(st, STATE_DB_JOBS, 7, json_pack("{s:s}", "name", "a"));
	put_id(st, STATE_DB_JOBS, 8, json_pack("{s:i}", "v", 3));
	assert_true(state_dirty(st));
	/* the open write transaction is visible to reads */
	rec = get_id(st, STATE_DB_JOBS, 7, &err);
	assert_non_null(rec);
	assert_int_equal(json_integer_value(json_object_get(rec, "v")),
			 STATE_RECORD_VERSION);
	assert_string_equal(json_string_value(json_object_get(rec, "name")),
			    "a");
	json_decref(rec);
	commit_ok(st);
	assert_false(state_dirty(st));
	state_stats(st, &s1);
	assert_int_equal(s1.commits, s0.commits + 1);
	assert_int_equal(s1.puts, s0.puts + 2);

	/* a commit with only reads syncs nothing */
	rec = get_id(st, STATE_DB_JOBS, 8, &err);
	assert_int_equal(json_integer_value(json_object_get(rec, "v")), 3);
	json_decref(rec);
	commit_ok(st);
	state_stats(st, &s0);
	assert_int_equal(s0.commits, s1.commits);

	/* absent is HC_ENOENT, deleting absent is fine */
	assert_null(get_id(st, STATE_DB_JOBS, 99, &err));
	assert_int_equal(err.code, HC_ENOENT);
	uint8_t key[8];
	state_key_u64(99, key);
	assert_int_equal(state_del(st, STATE_DB_JOBS, key, 8, &err), 0);
	state_key_u64(8, key);
	assert_int_equal(state_del(st, STATE_DB_JOBS, key, 8, &err), 0);
	assert_int_equal(state_put_raw(st, STATE_DB_SCRIPTS, key, 8,
				       "#!/bin/sh\n", 10, &err), 0);
	/* closing without a commit loses the transaction */
	put_id(st, STATE_DB_JOBS, 9, json_object());
	commit_ok(st);
	put_id(st, STATE_DB_JOBS, 10, json_object());
	state_close(st);

	st = open_ok(f->path, 1, 64);
	assert_non_null(rec = get_id(st, STATE_DB_JOBS, 7, &err));
	json_decref(rec);
	assert_non_null(rec = get_id(st, STATE_DB_JOBS, 9, &err));
	json_decref(rec);
	assert_null(get_id(st, STATE_DB_JOBS, 8, &err));
	assert_null(get_id(st, STATE_DB_JOBS, 10, &err));
	size_t len = 0;
	char *raw = state_get_raw(st, STATE_DB_SCRIPTS, key, 8, &len, &err);
	assert_non_null(raw);
	assert_int_equal(len, 10);
	assert_memory_equal(raw, "#!/bin/sh\n", 10);
	free(raw);
	assert_int_equal(strlen(state_cluster_id(st)), 32);
	state_close(st);
}

struct walk_ctx {
	uint64_t seen[4096];
	size_t n;
	size_t stop_after;
	struct state *grow;	/* write big records while walking */
};

static int
walk_collect(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct walk_ctx *w = arg;
	const uint8_t *k = key;
	uint64_t id = 0;

	assert_int_equal(klen, 8);
	for (int i = 0; i < 8; i++)
		id = id << 8 | k[i];
	assert_int_equal(json_integer_value(json_object_get(rec, "id")), id);
	w->seen[w->n++] = id;
	if (w->grow) {
		char big[4096];
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		put_id(w->grow, STATE_DB_HISTORY, id,
		       json_pack("{s:s}", "pad", big));
	}
	if (w->stop_after && w->n == w->stop_after)
		return 1;
	return 0;
}

static void
test_walk_order(void **ctx)
{
	struct fixture *f = *ctx;
	struct state *st = open_ok(f->path, 1, 64);
	static const uint64_t ids[] = { 300, 1, 70000, 2, 65536, 255, 256 };
	static const uint64_t sorted[] = { 1, 2, 255, 256, 300, 65536, 70000 };
	struct walk_ctx *w = calloc(1, sizeof(*w));
	struct hc_err err = { 0 };

	for (size_t i = 0; i < 7; i++)
		put_id(st, STATE_DB_JOBS, ids[i],
		       json_pack("{s:I}", "id", (json_int_t)ids[i]));
	/* uncommitted writes are walked too */
	assert_int_equal(state_walk(st, STATE_DB_JOBS, walk_collect, w,
				    &err), 0);
	assert_int_equal(w->n, 7);
	assert_memory_equal(w->seen, sorted, sizeof(sorted));
	commit_ok(st);

	memset(w, 0, sizeof(*w));
	w->stop_after = 3;
	assert_int_equal(state_walk(st, STATE_DB_JOBS, walk_collect, w,
				    &err), 0);
	assert_int_equal(w->n, 3);
	/* other databases are apart */
	memset(w, 0, sizeof(*w));
	assert_int_equal(state_walk(st, STATE_DB_NODES, walk_collect, w,
				    &err), 0);
	assert_int_equal(w->n, 0);
	commit_ok(st);
	state_close(st);
	free(w);
}

/* The map starts at 1 MiB and must double as records arrive, within one
 * transaction (nothing lost) and in the middle of a walk. */
static void
test_map_growth(void **ctx)
{
	struct fixture *f = *ctx;
	struct state *st = open_ok(f->path, 1, 64);
	struct walk_ctx *w = calloc(1, sizeof(*w));
	struct hc_err err = { 0 };
	char pad[2048];
	json_t *rec;

	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (uint64_t id = 1; id <= 2000; id++)	/* ~4 MiB, one txn */
		put_id(st, STATE_DB_JOBS, id,
		       json_pack("{s:I, s:s}", "id", (json_int_t)id, "pad",
				 pad));
	commit_ok(st);
	assert_non_null(rec = get_id(st, STATE_DB_JOBS, 1, &err));
	json_decref(rec);
	commit_ok(st);

	/* writes during a walk that force the map to grow again */
	assert_int_equal(state_walk(st, STATE_DB_JOBS, walk_collect,
				    (w->grow = st, w), &err), 0);
	assert_int_equal(w->n, 2000);
	for (size_t i = 0; i < w->n; i++)
		assert_int_equal(w->seen[i], i + 1);
	commit_ok(st);
	state_close(st);

	st = open_ok(f->path, 1, 64);
	for (uint64_t id = 1; id <= 2000; id += 199) {
		assert_non_null(rec = get_id(st, STATE_DB_HISTORY, id, &err));
		json_decref(rec);
		assert_non_null(rec = get_id(st, STATE_DB_JOBS, id, &err));
		json_decref(rec);
	}
	state_close(st);
	free(w);
}

/* At the ceiling a put fails with a hint; what was written before it in
 * the same transaction survives. */
static void
test_map_ceiling(void **ctx)
{
	struct fixture *f = *ctx;
	struct state *st = open_ok(f->path, 1, 2);
	struct hc_err err = { 0 };
	char pad[4096];
	uint8_t key[8];
	uint64_t id;
	int rc = 0;
	json_t *rec;

	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (id = 1; id <= 4000 && rc == 0; id++) {
		rec = json_pack("{s:s}", "pad", pad);
		state_key_u64(id, key);
		rc = state_put(st, STATE_DB_JOBS, key, 8, rec, &err);
		json_decref(rec);
	}
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, HC_EIO);
	assert_non_null(strstr(err.text, "StateMapSize"));
	assert_true(id > 10);
	assert_non_null(rec = get_id(st, STATE_DB_JOBS, 1, &err));
	json_decref(rec);
	state_close(st);
}

static void
test_backup_restore(void **ctx)
{
	struct fixture *f = *ctx;
	struct state *st = open_ok(f->path, 1, 64);
	struct hc_err err = { 0 };
	char bk[160], restored[160], cmd[512], id[33];
	json_t *rec;

	for (uint64_t i = 1; i <= 100; i++)
		put_id(st, STATE_DB_JOBS, i,
		       json_pack("{s:I}", "id", (json_int_t)i));
	commit_ok(st);
	for (uint64_t i = 1; i <= 50; i++) {	/* freed pages: compaction */
		uint8_t key[8];
		state_key_u64(i, key);
		state_del(st, STATE_DB_JOBS, key, 8, &err);
	}
	commit_ok(st);
	/* uncommitted writes are not in the copy */
	put_id(st, STATE_DB_JOBS, 1000, json_pack("{s:i}", "id", 1000));
	snprintf(bk, sizeof(bk), "%s/backup.mdb", f->dir);
	assert_int_equal(state_backup(st, bk, &err), 0);
	assert_int_equal(state_backup(st, bk, &err), -1);
	assert_int_equal(err.code, HC_EEXIST);
	assert_int_equal(state_backup(st, "relative.mdb", &err), -1);
	assert_int_equal(err.code, HC_EINVAL);
	snprintf(id, sizeof(id), "%s", state_cluster_id(st));
	commit_ok(st);
	state_close(st);

	snprintf(restored, sizeof(restored), "%s/restored", f->dir);
	snprintf(cmd, sizeof(cmd), "mkdir %s && cp %s %s/data.mdb", restored,
		 bk, restored);
	assert_int_equal(system(cmd), 0);
	st = open_ok(restored, 1, 64);
	assert_string_equal(state_cluster_id(st), id);
	assert_null(get_id(st, STATE_DB_JOBS, 10, &err));
	assert_null(get_id(st, STATE_DB_JOBS, 1000, &err));
	for (uint64_t i = 51; i <= 100; i++) {
		assert_non_null(rec = get_id(st, STATE_DB_JOBS, i, &err));
		json_decref(rec);
	}
	/* and it takes writes */
	put_id(st, STATE_DB_JOBS, 2000, json_pack("{s:i}", "id", 2000));
	commit_ok(st);
	state_close(st);
}

static void
on_dirty(void *arg)
{
	(*(int *)arg)++;
}

static void
test_dirty_hook(void **ctx)
{
	struct fixture *f = *ctx;
	struct state *st = open_ok(f->path, 1, 64);
	struct hc_err err = { 0 };
	int calls = 0;
	json_t *rec;

	state_on_dirty(st, on_dirty, &calls);
	rec = get_id(st, STATE_DB_JOBS, 1, &err);	/* reads: not dirty */
	assert_null(rec);
	assert_int_equal(calls, 0);
	put_id(st, STATE_DB_JOBS, 1, json_object());
	put_id(st, STATE_DB_JOBS, 2, json_object());
	assert_int_equal(calls, 1);
	commit_ok(st);
	put_id(st, STATE_DB_JOBS, 3, json_object());
	assert_int_equal(calls, 2);
	commit_ok(st);
	state_close(st);
}

static void
test_open_errors(void **ctx)
{
	struct hc_err err = { 0 };

	assert_null(state_open("/proc/no/such/dir", 64, &err));
	assert_int_equal(err.code, HC_EIO);
	assert_non_null(strstr(err.text, "StateDir"));
	state_close(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_env_flags_durable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_records_versioned, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_map_growth, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_map_ceiling, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_backup_restore, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dirty_hook, setup,
						teardown),
		cmocka_unit_test(test_open_errors),
	};

	hc_log_open("test_state", NULL, HC_LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
