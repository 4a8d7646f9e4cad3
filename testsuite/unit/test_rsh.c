/* test_rsh: hc-rsh's ssh-style argv (good and bad inputs side by side) and
 * the agent's reading of a caller's cgroup (the job it belongs to). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rsh.h"
#include "rsh_args.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAXW 12

/* argv (NULL-ended words after "hc-rsh"), then host, user, command, -n
 * when it parses, or the start of the error */
struct arow {
	const char *w[MAXW];
	const char *host, *user, *cmd;
	int null_stdin;
	const char *err;
};

static const struct arow arows[] = {
	{ { "n2", "hostname" }, "n2", NULL, "hostname", 0, NULL },
	{ { "n2", "echo", "a  b", "c;", "echo", "d" }, "n2", NULL,
	  "echo a  b c; echo d", 0, NULL },
	/* Open MPI: a preamble and quoted words in one */
	{ { "n1", " PATH=/usr/bin:$PATH ; export PATH ;", "orted", "-mca",
	    "ess", "\"env\"" }, "n1", NULL,
	  " PATH=/usr/bin:$PATH ; export PATH ; orted -mca ess \"env\"", 0,
	  NULL },
	/* Hydra */
	{ { "n3", "\"/usr/bin/hydra_pmi_proxy\"", "--control-port", "vm:1" },
	  "n3", NULL, "\"/usr/bin/hydra_pmi_proxy\" --control-port vm:1", 0,
	  NULL },
	{ { "-x", "n2", "true" }, "n2", NULL, "true", 0, NULL },
	{ { "-xn", "-q", "n2", "true" }, "n2", NULL, "true", 1, NULL },
	{ { "-p", "22", "-o", "BatchMode=yes", "n2", "true" }, "n2", NULL,
	  "true", 0, NULL },
	{ { "-p22", "-oStrictHostKeyChecking=no", "n2", "true" }, "n2", NULL,
	  "true", 0, NULL },
	{ { "-l", "alice", "n2", "true" }, "n2", "alice", "true", 0, NULL },
	{ { "-lalice", "n2", "true" }, "n2", "alice", "true", 0, NULL },
	{ { "bob@n2", "true" }, "n2", "bob", "true", 0, NULL },
	{ { "-l", "alice", "bob@n2", "true" }, "n2", "bob", "true", 0, NULL },
	{ { "--", "n2", "-x" }, "n2", NULL, "-x", 0, NULL },
	{ { "-t", "-T", "-4", "-C", "node-1.x_y", "ls" }, "node-1.x_y", NULL,
	  "ls", 0, NULL },

	{ { NULL }, NULL, NULL, NULL, 0, "no host given" },
	{ { "-x" }, NULL, NULL, NULL, 0, "no host given" },
	{ { "n2" }, NULL, NULL, NULL, 0, "no command given" },
	{ { "n2", "", " " }, NULL, NULL, NULL, 0, "no command given" },
	{ { "-Z", "n2", "true" }, NULL, NULL, NULL, 0, "unknown option -Z" },
	{ { "-xZ", "n2", "true" }, NULL, NULL, NULL, 0, "unknown option -Z" },
	{ { "--verbose", "n2", "true" }, NULL, NULL, NULL, 0,
	  "unknown option '--verbose'" },
	{ { "-L", "8080:h:80", "n2", "true" }, NULL, NULL, NULL, 0,
	  "option -L (local port forwarding) is not supported" },
	{ { "-R8080:h:80", "n2", "true" }, NULL, NULL, NULL, 0,
	  "option -R (remote port forwarding)" },
	{ { "-X", "n2", "xterm" }, NULL, NULL, NULL, 0,
	  "option -X (X11 forwarding)" },
	{ { "-f", "n2", "true" }, NULL, NULL, NULL, 0,
	  "option -f (going to the background)" },
	{ { "-N", "n2" }, NULL, NULL, NULL, 0, "option -N" },
	{ { "-J", "gw", "n2", "true" }, NULL, NULL, NULL, 0,
	  "option -J (a jump host)" },
	{ { "-p" }, NULL, NULL, NULL, 0, "option -p needs an argument" },
	{ { "-l" }, NULL, NULL, NULL, 0, "option -l needs an argument" },
	{ { "@n2", "true" }, NULL, NULL, NULL, 0, "empty user name" },
	{ { "bob@", "true" }, NULL, NULL, NULL, 0, "empty host name" },
	{ { "n2;rm", "true" }, NULL, NULL, NULL, 0, "bad host name 'n2;rm'" },
	{ { "n 2", "true" }, NULL, NULL, NULL, 0, "bad host name" },
	{ { "../n2", "true" }, NULL, NULL, NULL, 0, "bad host name" },
};

static void
test_args(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(arows); i++) {
		const struct arow *r = &arows[i];
		char *argv[MAXW + 1] = { "hc-rsh" };
		struct hc_err err = { 0 };
		struct rsh_args a;
		int argc = 1, rc;

		while (argc <= MAXW && r->w[argc - 1]) {
			argv[argc] = (char *)r->w[argc - 1];
			argc++;
		}
		rc = rsh_args_parse(&a, argc, argv, &err);
		if (!r->err) {
			if (rc != 0)
				print_error("row %zu: %s\n", i, err.text);
			assert_int_equal(rc, 0);
			assert_string_equal(a.host, r->host);
			assert_string_equal(a.command, r->cmd);
			if (r->user)
				assert_string_equal(a.user, r->user);
			else
				assert_null(a.user);
			assert_int_equal(a.null_stdin, r->null_stdin);
		} else {
			if (rc == 0 || !strstr(err.text, r->err))
				print_error("row %zu: '%s' not '%s'\n", i,
					    rc ? err.text : "(parsed)", r->err);
			assert_int_equal(rc, -1);
			assert_non_null(strstr(err.text, r->err));
		}
		rsh_args_free(&a);
	}
}

/* /proc/PID/cgroup text, mode, then the job id (0 = refused) */
struct prow {
	const char *text;
	enum cgroup_mode mode;
	uint32_t job;
};

#define V1(fr) "9:name=systemd:/\n8:pids:/hc/n1/job_7\n6:freezer:" fr \
	"\n4:memory:/x\n0::/\n"

static const struct prow prows[] = {
	{ V1("/hc/n1/job_7"), CGROUP_V1, 7 },
	{ V1("/hc/n1/job_7/step_3"), CGROUP_V1, 7 },
	{ V1("/hc/n1/job_4294967295"), CGROUP_V1, 4294967295u },
	{ "0::/hc/n1/job_12\n", CGROUP_V2, 12 },
	{ "0::/hc/n1/job_12/task_0\n", CGROUP_V2, 12 },

	{ V1("/"), CGROUP_V1, 0 },			/* outside any job */
	{ V1("/hc/n2/job_7"), CGROUP_V1, 0 },		/* another node */
	{ V1("/hc/n1"), CGROUP_V1, 0 },
	{ V1("/hc/n1/job_"), CGROUP_V1, 0 },
	{ V1("/hc/n1/job_7x"), CGROUP_V1, 0 },
	{ V1("/hc/n1/job_07"), CGROUP_V1, 0 },
	{ V1("/hc/n1/job_-7"), CGROUP_V1, 0 },
	{ V1("/hc/n1/job_0"), CGROUP_V1, 0 },
	{ V1("/hc/n1/job_4294967296"), CGROUP_V1, 0 },
	{ V1("/hc/n10/job_7"), CGROUP_V1, 0 },
	{ V1("/hcx/n1/job_7"), CGROUP_V1, 0 },
	{ V1("/other/hc/n1/job_7"), CGROUP_V1, 0 },
	/* v1 trusts freezer only: a pids line in a job proves nothing */
	{ "8:pids:/hc/n1/job_7\n6:freezer:/\n", CGROUP_V1, 0 },
	{ "8:pids:/hc/n1/job_7\n", CGROUP_V1, 0 },
	/* v2 reads the 0:: line only */
	{ "6:freezer:/hc/n1/job_7\n0::/\n", CGROUP_V2, 0 },
	{ "", CGROUP_V1, 0 },
	{ "garbage", CGROUP_V1, 0 },
	{ V1("/hc/n1/job_7"), CGROUP_NONE, 0 },
};

static void
test_peer(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(prows); i++) {
		struct hc_err err = { 0 };
		uint32_t got = rsh_peer_parse(prows[i].text, prows[i].mode,
					      "hc", "n1", &err);
		if (got != prows[i].job)
			print_error("row %zu: got %u (%s)\n", i, got,
				    err.text);
		assert_int_equal(got, prows[i].job);
		if (!got)
			assert_true(err.text[0] != '\0');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
