/*
 * test_usercache: the cache of the accounts jobs run as (hcnoded) and of
 * submitters' user and group names (hcctld), on this machine's real NSS
 * (root, uid and gid 0, is the one account every machine has): an answer
 * is kept for the TTL and asked again after it, a flush forgets
 * everything, a clock that goes back is not trusted, unknown uids and gids
 * are errors that are not cached, and a full table keeps working.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "usercache.h"

#define NOBODY_UID ((uid_t)3999999)	/* no account has it */

static const struct user_info *
get_ok(struct usercache *c, uid_t uid, gid_t gid, bool groups, time_t now)
{
	struct hc_err err = { 0 };
	const struct user_info *u = usercache_get(c, uid, gid, groups, now,
						  &err);

	if (!u)
		fail_msg("uid %u: %s", (unsigned)uid, err.text);
	return u;
}

static void
test_root(void **state)
{
	struct usercache *c = usercache_create(60);
	const struct user_info *u = get_ok(c, 0, 0, true, 1000);
	bool has0 = false;

	assert_string_equal(u->name, "root");
	assert_non_null(u->groups);
	assert_true(u->ngroups >= 1);
	for (int i = 0; i < u->ngroups; i++)
		has0 |= u->groups[i] == 0;
	assert_true(has0);
	u = get_ok(c, 0, 0, false, 1000);	/* a separate entry */
	assert_null(u->groups);
	usercache_destroy(c);
	usercache_destroy(NULL);
}

static void
test_ttl(void **state)
{
	struct usercache *c = usercache_create(60);

	assert_int_equal(get_ok(c, 0, 0, true, 1000)->resolved, 1000);
	assert_int_equal(get_ok(c, 0, 0, true, 1059)->resolved, 1000);
	assert_int_equal(get_ok(c, 0, 0, true, 1060)->resolved, 1060);
	assert_int_equal(get_ok(c, 0, 0, true, 1061)->resolved, 1060);
	/* a clock behind the answer: ask again */
	assert_int_equal(get_ok(c, 0, 0, true, 500)->resolved, 500);
	usercache_flush(c);
	assert_int_equal(get_ok(c, 0, 0, true, 501)->resolved, 501);
	usercache_destroy(c);
}

static void
test_groups_per_gid(void **state)
{
	struct usercache *c = usercache_create(60);
	const struct user_info *u = get_ok(c, 0, 54321, true, 1);
	bool has = false;

	for (int i = 0; i < u->ngroups; i++)
		has |= u->groups[i] == 54321;
	assert_true(has);	/* listed for the job's primary group */
	assert_int_equal(u->gid, 54321);
	assert_int_equal(get_ok(c, 0, 0, true, 2)->gid, 0);
	usercache_destroy(c);
}

static void
test_unknown(void **state)
{
	struct usercache *c = usercache_create(60);
	struct hc_err err = { 0 };

	get_ok(c, 0, 0, true, 1);
	assert_null(usercache_get(c, NOBODY_UID, 100, true, 1, &err));
	assert_int_equal(err.code, HC_ENOENT);
	assert_non_null(strstr(err.text, "3999999 has no account"));
	assert_null(usercache_get(c, NOBODY_UID, 100, true, 2, NULL));
	/* the failure left the good entry alone */
	assert_int_equal(get_ok(c, 0, 0, true, 3)->resolved, 1);
	usercache_destroy(c);
}

static void
test_full(void **state)
{
	struct usercache *c = usercache_create(60);

	for (gid_t g = 0; g < 600; g++)
		assert_int_equal(get_ok(c, 0, g, false, 10 + g / 10)->gid, g);
	/* the newest are still cached, the table still answers */
	assert_int_equal(get_ok(c, 0, 599, false, 80)->resolved, 69);
	assert_string_equal(get_ok(c, 0, 3, false, 80)->name, "root");
	usercache_destroy(c);
}

#define NOGROUP_GID ((gid_t)3999999)	/* no group has it */

static void
test_group_name(void **state)
{
	struct usercache *c = usercache_create(60);
	struct hc_err err = { 0 };
	const char *g = usercache_group_name(c, 0, 1000, &err);

	assert_non_null(g);
	assert_string_equal(g, "root");
	/* the same answer while fresh, asked again after the TTL or when
	 * the clock went back (the entry is then re-resolved in place) */
	assert_ptr_equal(usercache_group_name(c, 0, 1059, &err), g);
	assert_string_equal(usercache_group_name(c, 0, 1060, &err), "root");
	assert_string_equal(usercache_group_name(c, 0, 10, &err), "root");
	assert_null(usercache_group_name(c, NOGROUP_GID, 11, &err));
	assert_int_equal(err.code, HC_ENOENT);
	assert_non_null(strstr(err.text, "gid 3999999 has no group"));
	assert_null(usercache_group_name(c, NOGROUP_GID, 12, NULL));
	/* users and groups are apart: a flush forgets both */
	assert_string_equal(get_ok(c, 0, 0, false, 12)->name, "root");
	usercache_flush(c);
	assert_string_equal(usercache_group_name(c, 0, 13, NULL), "root");
	usercache_destroy(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_groups_per_gid),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_group_name),
	};
	return cmocka_run_group_tests_name("usercache", tests, NULL, NULL);
}
