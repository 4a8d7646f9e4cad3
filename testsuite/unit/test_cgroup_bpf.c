/* test_cgroup_bpf: the cgroup v2 device program, on the running kernel. A
 * child process joins a fresh cgroup of the host's cgroup2 mount (the whole
 * hierarchy, or the "unified" one of a hybrid host) with the program
 * attached and opens device nodes made here with mknod: EPERM is the
 * program refusing; anything else (ENXIO where no driver has the number,
 * ENODEV or success where the NVIDIA driver does) got past it.
 * Skipped without root or a cgroup2 mount. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup_bpf.h"

#define CGROUP2_MAGIC 0x63677270
#define N(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
	char cg[PATH_MAX];	/* the test's cgroup */
	char dev[PATH_MAX];	/* a directory of device nodes */
};

static const char *
cgroup2_mount(void)
{
	static const char *const cand[] = { "/sys/fs/cgroup",
		"/sys/fs/cgroup/unified" };
	struct statfs s;

	for (size_t i = 0; i < N(cand); i++)
		if (statfs(cand[i], &s) == 0 &&
		    (unsigned long)s.f_type == CGROUP2_MAGIC)
			return cand[i];
	return NULL;
}

static void
node(const struct fixture *f, const char *name, mode_t type, int maj,
     int min)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/%s", f->dev, name);
	assert_int_equal(mknod(p, type | 0666, makedev(maj, min)), 0);
}

static int
setup(void **state)
{
	const char *mnt = cgroup2_mount();
	struct hc_err err = { 0 };
	struct fixture *f;
	struct statvfs vfs;
	const char *tmp;

	*state = NULL;
	if (geteuid() != 0 || !mnt)
		return 0;		/* the tests skip */
	if (cgbpf_probe(NULL, &err) < 0) {
		fprintf(stderr, "# no device programs here: %s\n", err.text);
		return 0;
	}
	f = calloc(1, sizeof(*f));
	tmp = getenv("TMPDIR");
	snprintf(f->dev, sizeof(f->dev), "%s/test_cgroup_bpf.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dev) || statvfs(f->dev, &vfs) < 0 ||
	    (vfs.f_flag & ST_NODEV)) {	/* device nodes cannot open there */
		fprintf(stderr, "# %s: not a place for device nodes\n",
			f->dev);
		rmdir(f->dev);
		free(f);
		return 0;
	}
	snprintf(f->cg, sizeof(f->cg), "%s/hc-test-bpf-%d", mnt, getpid());
	*state = f;
	assert_int_equal(mkdir(f->cg, 0755), 0);
	node(f, "nv0", S_IFCHR, 195, 0);
	node(f, "nv1", S_IFCHR, 195, 1);
	node(f, "nv2", S_IFCHR, 195, 2);
	node(f, "nvctl", S_IFCHR, 195, 255);
	node(f, "other0", S_IFCHR, 196, 0);
	node(f, "blk0", S_IFBLK, 195, 0);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const names[] = { "nv0", "nv1", "nv2", "nvctl",
		"other0", "blk0" };
	char p[PATH_MAX + 32];

	if (!f)
		return 0;
	for (size_t i = 0; i < N(names); i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dev, names[i]);
		unlink(p);
	}
	rmdir(f->dev);
	rmdir(f->cg);
	free(f);
	return 0;
}

/* The fixture, or skip the test where there is none (not root, no
 * cgroup2 mount, no device programs in this kernel). */
static struct fixture *
need(void **state)
{
	if (!*state)
		skip();
	return *state;
}

/* Whether opening each name from a child in cg was refused (1: EPERM). */
static void
open_in(const struct fixture *f, const char *cg, const char *const *names,
	size_t n, int *errs)
{
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		char p[PATH_MAX + 32], me[32];
		int fd = -1, e;

		snprintf(p, sizeof(p), "%s/cgroup.procs", cg);
		snprintf(me, sizeof(me), "%d", getpid());
		if ((fd = open(p, O_WRONLY)) < 0 ||
		    write(fd, me, strlen(me)) < 0)
			_exit(2);
		close(fd);
		for (size_t i = 0; i < n; i++) {
			snprintf(p, sizeof(p), "%s/%s", names[i][0] == '/' ?
				 "" : f->dev, names[i]);
			fd = open(names[i][0] == '/' ? names[i] : p, O_RDONLY);
			e = fd < 0 && errno == EPERM;
			if (fd >= 0)
				close(fd);
			if (write(fds[1], &e, sizeof(e)) != sizeof(e))
				_exit(3);
		}
		_exit(0);
	}
	close(fds[1]);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(read(fds[0], &errs[i], sizeof(errs[i])),
				 sizeof(errs[i]));
	close(fds[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static const char *const names[] = { "nv0", "nv1", "nv2", "nvctl", "other0",
	"blk0", "/dev/null" };

/* Minors 0 and 2 of major 195 refused; its other minors, other majors,
 * block devices of the same numbers and /dev/null let through. */
static void
test_deny_some(void **state)
{
	struct fixture *f = need(state);
	static const uint32_t deny[] = { 0, 2 };
	static const int want[] = { 1, 0, 1, 0, 0, 0, 0 };
	struct hc_err err = { 0 };
	int got[N(names)];

	assert_int_equal(cgbpf_deny_minors(f->cg, 195, deny, N(deny), &err),
			 0);
	open_in(f, f->cg, names, N(names), got);
	for (size_t i = 0; i < N(names); i++) {
		if (got[i] != want[i])
			fail_msg("%s: %s, want %s", names[i],
				 got[i] ? "refused" : "let through",
				 want[i] ? "refused" : "let through");
	}
}

/* A child cgroup inherits the refusal: a job's processes cannot escape it
 * by making a cgroup of their own below. */
static void
test_child_cgroup_inherits(void **state)
{
	struct fixture *f = need(state);
	static const uint32_t deny[] = { 1 };
	struct hc_err err = { 0 };
	char sub[PATH_MAX + 8];
	int got[N(names)];

	assert_int_equal(cgbpf_deny_minors(f->cg, 195, deny, N(deny), &err),
			 0);
	snprintf(sub, sizeof(sub), "%s/sub", f->cg);
	assert_int_equal(mkdir(sub, 0755), 0);
	open_in(f, sub, names, 3, got);
	rmdir(sub);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 1);
	assert_int_equal(got[2], 0);
}

/* No minors: a program that allows everything (a GPU job using every GPU
 * of its node). */
static void
test_deny_none(void **state)
{
	struct fixture *f = need(state);
	struct hc_err err = { 0 };
	int got[3];

	assert_int_equal(cgbpf_deny_minors(f->cg, 195, NULL, 0, &err), 0);
	open_in(f, f->cg, names, 3, got);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(got[i], 0);
}

static void
test_errors(void **state)
{
	struct fixture *f = need(state);
	static uint32_t many[1025];
	struct hc_err err = { 0 };
	char missing[PATH_MAX + 16];

	assert_int_equal(cgbpf_deny_minors(f->cg, 195, many, N(many), &err),
			 -1);
	assert_non_null(strstr(err.text, "at most 1024"));
	snprintf(missing, sizeof(missing), "%s/missing", f->cg);
	assert_int_equal(cgbpf_deny_minors(missing, 195, many, 1, &err), -1);
	assert_non_null(strstr(err.text, "missing"));
	/* the probe attaches and detaches; a missing cgroup is named */
	assert_int_equal(cgbpf_probe(f->cg, &err), 0);
	assert_int_equal(cgbpf_probe(missing, &err), -1);
	assert_non_null(strstr(err.text, "missing"));
	/* the most minors there may be still load and attach */
	for (size_t i = 0; i < 1024; i++)
		many[i] = (uint32_t)i;
	assert_int_equal(cgbpf_deny_minors(f->cg, 195, many, 1024, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deny_some, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_child_cgroup_inherits,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_deny_none, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
