/*
 * hcctld: the controller. main() reads like a table of contents: read
 * hc.conf, open the log, create the subsystems in dependency order (state,
 * step key, nodes, jobs + scheduler, rpc), announce readiness, run the loop,
 * and destroy them in reverse under one label.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "accounts.h"
#include "audit.h"
#include "conf.h"
#include "ctld.h"
#include "identity.h"
#include "jobs.h"
#include "steps.h"
#include "log.h"
#include "nodes.h"
#include "power.h"
#include "power_prog.h"
#include "resv.h"
#include "rpc.h"
#include "state.h"
#include "stepcred.h"
#include "usage.h"
#include "usercache.h"

struct opts {
	const char *conf;
	const char *port_file, *ready_file, *log_file;
	bool foreground, check;
};

static const char usage_text[] =
	"Usage: hcctld -f FILE [-D] [--check-config] [--port-file F]\n"
	"              [--ready-file F] [--log-file F]\n"
	"The hc controller.\n"
	"  -f, --conf FILE      hc.conf to read (default $HC_CONF or %s)\n"
	"  -D, --foreground     do not daemonise; log to stderr by default\n"
	"      --check-config   validate hc.conf, print every error, exit\n"
	"      --port-file F    write the bound ControlPort to F\n"
	"      --ready-file F   create F once listening\n"
	"      --log-file F     log to F (default LogFile, or stderr)\n"
	"  -h, --help           show this help\n"
	"  -V, --version        show the version\n"
	"Exit status: 0 ok, 1 bad usage or configuration, 5 start-up "
	"failure.\n";

static int
opts_parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'f' },
		{ "foreground", no_argument, NULL, 'D' },
		{ "check-config", no_argument, NULL, 'c' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "log-file", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "f:DhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': o->conf = optarg; break;
		case 'D': o->foreground = true; break;
		case 'c': o->check = true; break;
		case 'p': o->port_file = optarg; break;
		case 'r': o->ready_file = optarg; break;
		case 'l': o->log_file = optarg; break;
		case 'h': printf(usage_text, conf_default_path()); exit(0);
		case 'V':
			printf("hcctld (%s) %s\n", PACKAGE_NAME,
			       PACKAGE_VERSION);
			exit(0);
		default:
			fprintf(stderr, "hcctld: try 'hcctld --help'\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hcctld: unexpected argument '%s'; try "
			"'hcctld --help'\n", argv[optind]);
		return -1;
	}
	if (!o->conf)
		o->conf = conf_default_path();
	return 0;
}

/* An absolute copy of path (we chdir("/") when daemonising). */
static char *
abs_path(const char *path)
{
	char cwd[PATH_MAX];

	if (!path || path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return path ? hc_strdup(path) : NULL;
	return hc_asprintf("%s/%s", cwd, path);
}

static void
prog_to_stderr(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

static void
prog_to_log(void *arg, const char *line)
{
	(void)arg;
	hc_log(HC_LOG_ERR, "%s (it fails when run)", line);
}

static struct hc_conf *
conf_read(const char *path)
{
	struct hc_err err = { 0 };
	char *errors = NULL;
	struct hc_conf *conf = conf_load(path, &errors, &err);

	if (!conf) {
		if (errors && *errors)
			fprintf(stderr, "%s%s", errors,
				errors[strlen(errors) - 1] == '\n' ? "" : "\n");
		else
			fprintf(stderr, "%s\n", err.text);
	}
	free(errors);
	return conf;
}

/* Write text to path atomically (temp file + rename). */
static int
file_write(const char *path, const char *text, struct hc_err *err)
{
	char *tmp = hc_asprintf("%s.tmp.%d", path, (int)getpid());
	FILE *fp = fopen(tmp, "w");
	int rc = 0;

	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0) {
		rc = hc_err_set(err, HC_EIO, "%s: %s", tmp, strerror(errno));
	} else if (rename(tmp, path) < 0) {
		rc = hc_err_set(err, HC_EIO, "%s: %s", path, strerror(errno));
	}
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

static int
announce(struct ctld *c, struct hc_err *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", rpc_bound_port(c->rpc));
	if (c->port_file && file_write(c->port_file, buf, err) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (c->ready_file && file_write(c->ready_file, buf, err) < 0)
		return -1;
	return 0;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct ctld *c = arg;

	if (sig == SIGHUP) {
		hc_log(HC_LOG_INFO, "SIGHUP: reopening the log, forgetting "
		       "cached user and group names");
		hc_log_reopen();
		usercache_flush(c->users);
		return;
	}
	hc_log(HC_LOG_INFO, "signal %d: shutting down", (int)sig);
	c->shutting_down = true;
	event_base_loopexit(c->base, NULL);
}

static int
log_setup(const struct opts *o, const struct hc_conf *conf)
{
	const char *path = o->log_file ? o->log_file : conf->log_file;
	int level = conf->log_level ? hc_log_level_parse(conf->log_level)
				    : HC_LOG_INFO;

	if (!path && !o->foreground)
		path = "/dev/null";
	if (hc_log_open("hcctld", path, level < 0 ? HC_LOG_INFO : level) < 0) {
		fprintf(stderr, "hcctld: cannot open log %s: %s\n",
			path ? path : "stderr", strerror(errno));
		return -1;
	}
	return 0;
}

static char *
key_path(const struct hc_conf *conf)
{
	return hc_asprintf("%s/step.key", conf->state_dir);
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct ctld c = { 0 };
	struct hc_err err = { 0 };
	struct event *sigs[3] = { NULL };
	static const int signums[3] = { SIGTERM, SIGINT, SIGHUP };
	char *kp = NULL;
	int rc = 5;

	if (opts_parse(argc, argv, &o) < 0)
		return 1;
	if (!(c.conf = conf_read(o.conf)))
		return 1;
	if (o.check && power_progs_check(c.conf, prog_to_stderr, NULL)) {
		conf_destroy(c.conf);
		return 1;
	}
	if (o.check) {
		printf("%s: OK (%zu nodes, %zu queues)\n", o.conf,
		       c.conf->node_count, c.conf->queue_count);
		conf_destroy(c.conf);
		return 0;
	}
	c.conf_path = abs_path(o.conf);
	c.port_file = abs_path(o.port_file);
	c.ready_file = abs_path(o.ready_file);
	o.log_file = abs_path(o.log_file);
	if (log_setup(&o, c.conf) < 0) {
		rc = 1;
		goto out_paths;
	}
	if (!o.foreground && daemon(0, 0) < 0)
		hc_fatal("daemon: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	evthread_use_pthreads();
	if (!(c.base = event_base_new()) ||
	    event_base_priority_init(c.base, 3) < 0)
		hc_fatal("cannot create the event loop");

	if (!(c.state = state_open(c.conf->state_dir,
				   c.conf->state_map_size_mb, &err)))
		goto out;
	kp = key_path(c.conf);
	if (!(c.key = stepcred_key_load_or_create(kp, &err)))
		goto out;
	if (!(c.audit = audit_open(c.state, &err)))
		goto out;
	audit_set_signer(c.audit, c.key, (unsigned)c.conf->audit_checkpoint_every,
			 audit_broadcast, &c);
	if (identity_cluster_load(&c, c.conf, &err) < 0)
		goto out;
	c.users = usercache_create(USERCACHE_TTL);
	if (!(c.nodes = nodes_create(&c, &err)))
		goto out;
	if (!(c.accounts = accounts_create(&c, &err)))
		goto out;
	if (!(c.usage = usage_create(&c, &err)))	/* before any pass */
		goto out;
	if (!(c.resvs = resvs_create(&c, &err)))
		goto out;
	if (!(c.jobs = jobs_create(&c, &err)))	/* and the scheduler */
		goto out;
	if (!(c.steps = steps_create(&c, &err)))
		goto out;
	power_progs_check(c.conf, prog_to_log, NULL);
	if (!(c.power = power_create(&c, &err)))
		goto out;
	if (!(c.rpc = rpc_create(&c, &err)))
		goto out;
	if (state_commit(c.state, &err) < 0 || announce(&c, &err) < 0)
		goto out;
	for (int i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(c.base, signums[i], on_signal, &c);
		if (!sigs[i] || event_add(sigs[i], NULL) < 0)
			hc_fatal("cannot watch signal %d", signums[i]);
	}
	hc_log(HC_LOG_INFO, "hcctld %s ready pid=%d port=%d cluster_id=%s",
	       PACKAGE_VERSION, (int)getpid(), rpc_bound_port(c.rpc),
	       c.cluster_id);

	event_base_dispatch(c.base);
	rc = c.state_lost ? 1 : 0;
out:
	if (rc && !c.state_lost) {
		hc_log(HC_LOG_ERR, "cannot start: %s", err.text);
		if (o.log_file || c.conf->log_file)	/* else on stderr */
			fprintf(stderr, "hcctld: cannot start: %s\n",
				err.text);
	}
	for (int i = 0; i < 3; i++)
		if (sigs[i])
			event_free(sigs[i]);
	if (c.state && !state_failed(c.state))	/* to the nodes, then */
		audit_checkpoint(c.audit, NULL);
	rpc_destroy(c.rpc);		/* last replies, then connections */
	power_destroy(c.power);
	steps_destroy(c.steps);
	jobs_destroy(c.jobs);
	accounts_destroy(c.accounts);
	usage_destroy(c.usage);
	resvs_destroy(c.resvs);
	admin_fini(&c);
	nodes_destroy(c.nodes);
	usercache_destroy(c.users);
	stepcred_key_destroy(c.key);
	if (c.state && !state_failed(c.state) &&
	    state_commit(c.state, &err) < 0)
		hc_log(HC_LOG_ERR, "final commit failed: %s", err.text);
	if (c.state) {
		struct state_stats ss;
		state_stats(c.state, &ss);
		hc_log(HC_LOG_INFO, "state commits=%llu puts=%llu",
		       (unsigned long long)ss.commits,
		       (unsigned long long)ss.puts);
	}
	audit_destroy(c.audit);
	state_close(c.state);
	if (c.ready_file)
		unlink(c.ready_file);
	for (size_t i = 0; i < c.nold_confs; i++)
		conf_destroy(c.old_confs[i]);
	free(c.old_confs);
	if (c.base)
		event_base_free(c.base);
	hc_log(HC_LOG_INFO, "hcctld stopped");
	hc_log_close();
	free(kp);
out_paths:
	conf_destroy(c.conf);
	free(c.port_file);
	free(c.ready_file);
	free((char *)c.conf_path);
	free((char *)o.log_file);
	return rc;
}
