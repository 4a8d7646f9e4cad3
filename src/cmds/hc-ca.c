/*
 * hc-ca: the cluster's certificate authority, run by an admin off the
 * controller. One verb per operation (init, issue, revoke, crl, list) over
 * a CA directory (ca.h); the controller reads only ca.crt and crl.pem.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ca.h"
#include "cmd.h"
#include "parse.h"

enum {
	OPT_CA = CMD_LONG, OPT_DAYS, OPT_NOT_AFTER, OPT_OUT, OPT_CONTROLLER,
	OPT_KEY_TYPE, OPT_JSON,
};

static const struct cmd_opt opts[] = {
	{"ca", OPT_CA, "DIR", "the CA directory (default $HC_CA_DIR, else "
			      SYSCONFDIR "/hc/ca)"},
	{"days", OPT_DAYS, "N", "issue: valid for N days from now (default "
				"365)"},
	{"not-after", OPT_NOT_AFTER, "TIME", "issue: valid until TIME "
	 "(YYYY-MM-DD[THH:MM[:SS]] or @EPOCH; a past time makes an expired "
	 "certificate)"},
	{"out", OPT_OUT, "DIR", "issue: write NAME.key and NAME.crt in DIR "
				"(default .)"},
	{"controller", OPT_CONTROLLER, NULL, "issue: a certificate for hcctld "
	 "(serverAuth) instead of a node (clientAuth)"},
	{"key-type", OPT_KEY_TYPE, "TYPE", "init, issue: ed25519 (default) or "
					   "p256"},
	{"json", OPT_JSON, NULL, "list: print JSON"},
	CMD_OPT_HELP,
	CMD_OPT_VERSION,
	{0},
};

static const struct cmd_info info = {
	.prog = "hc-ca",
	.usage = "init DIR | issue NAME | revoke NAME | crl | list [OPTIONS]",
	.summary = "Manage the cluster's certificate authority: node and "
		   "controller certificates, and the revocation list.",
	.more = "After revoke or crl, copy crl.pem where CRLFile points and "
		"run 'hcctl reconfigure'.\n",
	.opts = opts,
};

struct ctx {
	const char *dir;
	struct ca_issue_opts io;
	bool json, days_set;
};

static int
opt_fn(void *arg, int key, const char *val, struct hc_err *err)
{
	struct ctx *cx = arg;
	long n;

	switch (key) {
	case OPT_CA: cx->dir = val; return 0;
	case OPT_OUT: cx->io.out_dir = val; return 0;
	case OPT_CONTROLLER: cx->io.controller = true; return 0;
	case OPT_JSON: cx->json = true; return 0;
	case OPT_KEY_TYPE: return ca_key_type_parse(val, &cx->io.kt, err);
	case OPT_DAYS:
		if (parse_long(val, 1, 36500, &n, err) < 0)
			return -1;
		cx->io.days = n;
		cx->days_set = true;
		return 0;
	default:
		if (val[0] == '@') {
			if (parse_long(val + 1, 1, (long)1e11, &n, err) < 0)
				return -1;
			cx->io.not_after = (time_t)n;
			return 0;
		}
		if (parse_datetime(val, time(NULL), &cx->io.not_after,
				   err) < 0)
			return -1;
		return 0;
	}
}

static void
list_text(const json_t *issued)
{
	time_t now = time(NULL);
	struct outbuf o = { 0 };
	size_t i;
	json_t *r;

	out_printf(&o, "%-20s %-32s %-19s %-8s %s\n", "NAME", "SERIAL",
		   "NOT_AFTER", "KIND", "STATUS");
	json_array_foreach(issued, i, r) {
		time_t na = (time_t)ji(r, "not_after");
		const char *st = jb(r, "revoked") ? "revoked" :
				 na <= now ? "expired" :
				 na - now < 30 * 86400 ? "expiring" : "valid";
		char when[32];
		struct tm tm;

		gmtime_r(&na, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		out_printf(&o, "%-20s %-32s %-19s %-8s %s\n", js(r, "name"),
			   js(r, "serial"), when, jb(r, "controller") ?
			   "ctld" : "node", st);
	}
	out_flush(&o, stdout);
}

static struct ca *
ca_need(struct ctx *cx)
{
	struct hc_err err = { 0 };
	struct ca *ca = ca_open(cx->dir, &err);

	if (!ca)
		cmd_die_err(&info, &err);
	return ca;
}

static int
verb_run(struct ctx *cx, const char *verb, const char *arg)
{
	struct hc_err err = { 0 };
	struct ca *ca = NULL;
	int rc = 0;

	if (!strcmp(verb, "init")) {
		if (ca_init(arg, cx->io.kt, &err) < 0)
			cmd_die_err(&info, &err);
		ca = ca_need(&(struct ctx){ .dir = arg });
		printf("CA made in %s, cluster id %s\n", arg,
		       ca_cluster_id(ca));
	} else if (!strcmp(verb, "issue")) {
		ca = ca_need(cx);
		cx->io.name = arg;
		if (!cx->days_set && !cx->io.not_after)
			cx->io.days = 365;
		if ((rc = ca_issue(ca, &cx->io, &err)) == 0)
			printf("%s/%s.key %s/%s.crt\n", cx->io.out_dir ?
			       cx->io.out_dir : ".", arg, cx->io.out_dir ?
			       cx->io.out_dir : ".", arg);
	} else if (!strcmp(verb, "revoke")) {
		ca = ca_need(cx);
		if ((rc = ca_revoke(ca, arg, &err)) > 0) {
			printf("revoked %d certificate(s) of %s; copy %s/crl.pem"
			       " where CRLFile points and run 'hcctl "
			       "reconfigure'\n", rc, arg, cx->dir);
			rc = 0;
		}
	} else if (!strcmp(verb, "crl")) {
		ca = ca_need(cx);
		rc = ca_crl_refresh(ca, &err);
	} else {
		ca = ca_need(cx);
		if (cx->json)
			cmd_print_json(ca_issued(ca));
		else
			list_text(ca_issued(ca));
	}
	ca_close(ca);
	if (rc < 0)
		cmd_die_err(&info, &err);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const verbs[] = { "init", "issue", "revoke", "crl",
					     "list", NULL };
	static const int nargs[] = { 1, 1, 1, 0, 0 };
	struct ctx cx = { 0 };
	struct hc_err err = { 0 };
	char **ops = hc_calloc((size_t)argc + 1, sizeof(*ops));
	int n = cmd_parse(&info, argc - 1, argv + 1, opt_fn, &cx, ops, &err);
	int v;

	if (n < 0)
		cmd_die_err(&info, &err);
	if (n == 0)
		cmd_die(&info, HC_EINVAL, "give a verb: init, issue, revoke, "
			"crl or list; see hc-ca --help");
	for (v = 0; verbs[v] && strcmp(verbs[v], ops[0]); v++)
		;
	if (!verbs[v])
		cmd_die(&info, HC_EINVAL, "unknown verb '%s': give init, "
			"issue, revoke, crl or list", ops[0]);
	if (n - 1 != nargs[v])
		cmd_die(&info, HC_EINVAL, "%s takes %s; see hc-ca --help",
			verbs[v], nargs[v] ? (v == 0 ? "a directory" :
					      "a name") : "no operand");
	if (!cx.dir)
		cx.dir = getenv("HC_CA_DIR");
	if (!cx.dir)
		cx.dir = SYSCONFDIR "/hc/ca";
	v = verb_run(&cx, ops[0], nargs[v] ? ops[1] : NULL);
	free(ops);
	return v;
}
