/*
 * hcnoded: the node agent. main() reads its options and hc.conf, then
 * creates its subsystems in dependency order from one table and destroys
 * them in reverse: the table is the daemon's table of contents.
 *
 * SIGTERM/SIGINT stop the agent and leave jobs running (the controller
 * marks the node DOWN after NodeTimeout unless it comes back); SIGCHLD is
 * handled on the loop and reaps every child with a waitpid loop.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "discover.h"
#include "invsig.h"
#include "log.h"
#include "noded.h"
#include "rsh.h"
#include "usercache.h"
#include "stepcred.h"

struct child_watch {
	struct child_watch *next;
	pid_t pid;
	child_exit_fn fn;
	void *arg;
};

void
noded_child_watch(struct noded *nd, pid_t pid, child_exit_fn fn, void *arg)
{
	struct child_watch *w = hc_calloc(1, sizeof(*w));

	w->pid = pid;
	w->fn = fn;
	w->arg = arg;
	w->next = nd->children;
	nd->children = w;
}

void
noded_child_forget(struct noded *nd, void *arg)
{
	for (struct child_watch *w = nd->children; w; w = w->next)
		if (w->arg == arg)
			w->fn = NULL;
}

static void
on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	struct noded *nd = arg;
	int status;
	pid_t pid;

	while ((pid = wait4(-1, &status, WNOHANG, &nd->last_rusage)) > 0) {
		for (struct child_watch **pp = &nd->children; *pp;
		     pp = &(*pp)->next) {
			struct child_watch *w = *pp;
			if (w->pid != pid)
				continue;
			*pp = w->next;
			if (w->fn)
				w->fn(w->arg, pid, status);
			free(w);
			break;
		}
	}
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct noded *nd = arg;

	hc_log(HC_LOG_INFO, "signal %d: exiting; running jobs keep running",
	       (int)sig);
	event_base_loopexit(nd->base, NULL);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct noded *nd = arg;

	hc_log_reopen();
	usercache_flush(nd->users);	/* accounts changed: look them up */
}

/* --- subsystems, in creation order ------------------------------------ */

static int
sub_signals(struct noded *nd, struct hc_err *err)
{
	signal(SIGPIPE, SIG_IGN);
	nd->ev_term = evsignal_new(nd->base, SIGTERM, on_stop, nd);
	nd->ev_int = evsignal_new(nd->base, SIGINT, on_stop, nd);
	nd->ev_hup = evsignal_new(nd->base, SIGHUP, on_hup, nd);
	nd->ev_chld = evsignal_new(nd->base, SIGCHLD, on_sigchld, nd);
	event_add(nd->ev_term, NULL);
	event_add(nd->ev_int, NULL);
	event_add(nd->ev_hup, NULL);
	event_add(nd->ev_chld, NULL);
	return 0;
}

static void
sub_signals_end(struct noded *nd)
{
	struct event *evs[] = { nd->ev_term, nd->ev_int, nd->ev_hup,
				nd->ev_chld };
	for (size_t i = 0; i < 4; i++)
		if (evs[i])
			event_free(evs[i]);
	while (nd->children) {
		struct child_watch *w = nd->children;
		nd->children = w->next;
		free(w);
	}
}

static int
sub_discover(struct noded *nd, struct hc_err *err)
{
	const char *topo = nd->opts.topology ? nd->opts.topology :
			   nd->me->topology;

	if (!(nd->disc = discover_load(topo && *topo ? topo : NULL, err)))
		return -1;
	inventory_check(nd->disc, nd->me);
	return 0;
}

static void
sub_discover_end(struct noded *nd)
{
	discover_destroy(nd->disc);
}

static int
sub_spool(struct noded *nd, struct hc_err *err)
{
	const char *base = nd->opts.spool;
	char *p;

	if (base)
		nd->spool = hc_strdup(base);
	else if (nd->conf->spool_dir && (p = strstr(nd->conf->spool_dir,
						   "%n")))
		nd->spool = hc_asprintf("%.*s%s%s",
			(int)(p - nd->conf->spool_dir), nd->conf->spool_dir,
			nd->me->name, p + 2);
	else
		nd->spool = hc_asprintf("%s/%s", nd->conf->spool_dir ?
			nd->conf->spool_dir : "/var/spool/hc", nd->me->name);
	if (mkdir(nd->spool, 0755) < 0 && errno != EEXIST)
		return hc_err_set(err, HC_EIO, "spool dir %s: %s; create it "
				  "or give --spool DIR", nd->spool,
				  strerror(errno));
	chmod(nd->spool, 0755);
	return 0;
}

static void
sub_spool_end(struct noded *nd)
{
	free(nd->spool);
}

static int
sub_cgroup(struct noded *nd, struct hc_err *err)
{
	size_t n = nd->disc->gpu_count;
	unsigned *minors = hc_calloc(n + 1, sizeof(*minors));

	for (size_t m = 0; m < n; m++)
		minors[m] = nd->disc->gpus[m].minor;
	nd->cg = cgroup_create(nd->conf->cgroup_root, nd->conf->cgroup_prefix,
			       nd->me->name, nd->disc->cpus, n, minors);
	free(minors);
	return 0;
}

static void
sub_cgroup_end(struct noded *nd)
{
	cgroup_destroy(nd->cg);
}

static int
sub_users(struct noded *nd, struct hc_err *err)
{
	nd->users = usercache_create(USERCACHE_TTL);
	return 0;
}

static void
sub_users_end(struct noded *nd)
{
	usercache_destroy(nd->users);
	nd->users = NULL;
}

#define SUB(name, create, destroy)                                       \
	static int sub_##name(struct noded *nd, struct hc_err *err)      \
	{                                                                \
		return (nd->name = create(nd, err)) ? 0 : -1;            \
	}                                                                \
	static void sub_##name##_end(struct noded *nd)                   \
	{                                                                \
		destroy(nd->name);                                       \
	}
SUB(jobs, jobs_create, jobs_destroy)
SUB(health, health_create, health_destroy)
SUB(stream, stream_create, stream_destroy)
SUB(rsh, rsh_create, rsh_destroy)
SUB(ctl, ctl_conn_create, ctl_conn_destroy)

static const struct subsystem {
	const char *name;
	int (*create)(struct noded *nd, struct hc_err *err);
	void (*destroy)(struct noded *nd);
} subsystems[] = {
	{ "signals", sub_signals, sub_signals_end },
	{ "discovery", sub_discover, sub_discover_end },
	{ "spool", sub_spool, sub_spool_end },
	{ "cgroup", sub_cgroup, sub_cgroup_end },
	{ "users", sub_users, sub_users_end },
	{ "jobs", sub_jobs, sub_jobs_end },
	{ "health", sub_health, sub_health_end },
	{ "stream", sub_stream, sub_stream_end },
	{ "rsh", sub_rsh, sub_rsh_end },
	{ "controller", sub_ctl, sub_ctl_end },
};
#define NSUB (sizeof(subsystems) / sizeof(subsystems[0]))

/* --- command line and main ------------------------------------------- */

static const struct option long_opts[] = {
	{ "conf", required_argument, NULL, 'f' },
	{ "name", required_argument, NULL, 'n' },
	{ "foreground", no_argument, NULL, 'D' },
	{ "topology", required_argument, NULL, 't' },
	{ "control-addr", required_argument, NULL, 'a' },
	{ "control-port", required_argument, NULL, 'p' },
	{ "spool", required_argument, NULL, 's' },
	{ "ready-file", required_argument, NULL, 'r' },
	{ "log-file", required_argument, NULL, 'l' },
	{ "print-inventory", no_argument, NULL, 'I' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: hcnoded -f hc.conf -n NODENAME [options]\n"
"The hc node agent: discovers the node, registers with hcctld and runs jobs.\n"
"  -f, --conf FILE          hc.conf to read (default $HC_CONF)\n"
"  -n, --name NODENAME      this node's NodeName in hc.conf\n"
"  -D, --foreground         do not detach\n"
"      --topology FILE.xml  emulate the node from an hwloc XML topology\n"
"      --control-addr ADDR  controller address (env HC_CONTROL_ADDR)\n"
"      --control-port PORT  controller port (env HC_CONTROL_PORT)\n"
"      --spool DIR          spool directory (default SpoolDir/NODENAME)\n"
"      --ready-file FILE    write the pid here once registered\n"
"      --log-file FILE      log here instead of stderr\n"
"      --print-inventory    print the canonical inventory (JSON) and exit;\n"
"                           with --topology, that of the XML file\n"
"  -h, --help               this help\n"
"  -V, --version            print the version\n"
"Exit status: 0 after SIGTERM, 1 on a start-up error.\n");
}

static int
opts_parse(struct noded_opts *o, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "f:n:DhV", long_opts, NULL)) != -1)
		switch (c) {
		case 'f': o->conf_path = optarg; break;
		case 'n': o->name = optarg; break;
		case 'D': o->foreground = true; break;
		case 't': o->topology = optarg; break;
		case 'a': o->control_addr = optarg; break;
		case 'p':
			o->control_port = strtol(optarg, NULL, 10);
			if (o->control_port <= 0 || o->control_port > 65535) {
				fprintf(stderr, "hcnoded: --control-port %s: "
					"not a port number\n", optarg);
				return -1;
			}
			break;
		case 's': o->spool = optarg; break;
		case 'r': o->ready_file = optarg; break;
		case 'l': o->log_file = optarg; break;
		case 'I': o->print_inventory = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V':
			printf("hcnoded (%s) %s\n", PACKAGE_NAME,
			       PACKAGE_VERSION);
			exit(0);
		default: usage(stderr); return -1;
		}
	if (optind == argc && o->print_inventory)
		return 0;
	if (optind < argc || !o->name) {
		fprintf(stderr, "hcnoded: %s; see hcnoded --help\n",
			optind < argc ? "unexpected argument" :
			"-n NODENAME is required");
		return -1;
	}
	if (!o->conf_path)
		o->conf_path = conf_default_path();
	return 0;
}

static int
noded_configure(struct noded *nd, struct hc_err *err)
{
	const char *env;

	if (!(nd->conf = conf_load(nd->opts.conf_path, NULL, err)))
		return -1;
	if (!(nd->me = conf_node_find(nd->conf, nd->opts.name)))
		return hc_err_set(err, HC_ENOENT, "%s: no NodeName=%s; add it "
				  "or give the right -n", nd->opts.conf_path,
				  nd->opts.name);
	nd->control_addr = hc_strdup(nd->opts.control_addr ?
		nd->opts.control_addr : (env = getenv("HC_CONTROL_ADDR")) ?
		env : nd->conf->control_addr ? nd->conf->control_addr :
		"127.0.0.1");
	nd->control_port = nd->opts.control_port;
	if (!nd->control_port && (env = getenv("HC_CONTROL_PORT")))
		nd->control_port = strtol(env, NULL, 10);
	if (!nd->control_port)
		nd->control_port = nd->conf->control_port;
	if (nd->control_port <= 0 || nd->control_port > 65535)
		return hc_err_set(err, HC_EINVAL, "no controller port; set "
				  "ControlPort or --control-port");
	return 0;
}

/* --print-inventory: the canonical bytes the node would sign. */
static int
print_inventory(const char *topology)
{
	struct hc_err err = { 0 };
	struct discover *d = discover_load(topology, &err);
	json_t *inv;
	char *blob;
	size_t len;

	if (!d) {
		fprintf(stderr, "hcnoded: %s\n", err.text);
		return 1;
	}
	inv = inventory_json(d);
	blob = invsig_canonical(inv, &len);
	printf("%s\n", blob);
	free(blob);
	json_decref(inv);
	discover_destroy(d);
	return 0;
}

int
main(int argc, char **argv)
{
	struct noded nd = { 0 };
	struct hc_err err = { 0 };
	size_t made = 0;
	int rc = 1;
	char ident[160];

	if (opts_parse(&nd.opts, argc, argv) < 0)
		return 1;
	if (nd.opts.print_inventory)
		return print_inventory(nd.opts.topology);
	snprintf(ident, sizeof(ident), "hcnoded[%s]", nd.opts.name);
	if (hc_log_open(ident, nd.opts.log_file, HC_LOG_INFO) < 0) {
		fprintf(stderr, "hcnoded: log %s: %s\n", nd.opts.log_file,
			strerror(errno));
		return 1;
	}
	if (noded_configure(&nd, &err) < 0) {
		hc_log(HC_LOG_ERR, "%s", err.text);
		goto out;
	}
	if (!nd.opts.foreground && daemon(0, nd.opts.log_file ? 0 : 1) < 0)
		hc_fatal("daemon: %s", strerror(errno));
	nd.boot_time = time(NULL);
	if (!(nd.base = event_base_new()))
		hc_fatal("event_base_new failed");
	for (; made < NSUB; made++)
		if (subsystems[made].create(&nd, &err) < 0) {
			hc_log(HC_LOG_ERR, "%s: %s", subsystems[made].name,
			       err.text);
			goto out;
		}
	hc_log(HC_LOG_INFO, "started version=%s controller=%s:%ld spool=%s",
	       PACKAGE_VERSION, nd.control_addr, nd.control_port, nd.spool);
	event_base_dispatch(nd.base);
	rc = 0;
out:
	while (made-- > 0)
		subsystems[made].destroy(&nd);
	stepcred_key_destroy(nd.step_key);
	EVP_PKEY_free(nd.node_key);
	if (nd.base)
		event_base_free(nd.base);
	free(nd.control_addr);
	conf_destroy(nd.conf);
	hc_log_close();
	return rc;
}
