/*
 * hc-rsh: the rsh-compatible launcher MPI uses inside a job (its path is
 * in the job's environment as HC_RSH_AGENT, OMPI_MCA_plm_rsh_agent and
 * HYDRA_LAUNCHER_EXEC): `hc-rsh [ssh-style flags] HOST WORD...` runs the
 * words, joined by spaces, with `sh -c` on HOST inside the job, stays in
 * the foreground and exits with the command's status (255 when it cannot
 * be started).
 *
 * It holds no credential and decides nothing: it hands the request and
 * its own stdin/stdout/stderr (SCM_RIGHTS) to the node agent it runs under,
 * over that agent's unix socket (HC_RSH_SOCKET says where it is, nothing
 * more); the agent checks who is calling by SO_PEERCRED and the caller's
 * cgroup, that HOST is a node of that job, and starts the command there.
 * Signals hc-rsh receives (INT TERM HUP QUIT USR1 USR2) are passed on;
 * if hc-rsh dies, the agent terminates the command.
 *
 * Another node of the job: the agent answers with a step credential
 * towards HOST (which hcctld signed for this job, that node and a fresh
 * step id) and hc-rsh opens the step's stream to HOST's agent itself, as
 * hcrun does (stepc.c), with one task: `sh -c COMMAND`.
 *
 * Launch failures: if the command is not running on HOST within
 * RSH_LAUNCH_SECS, or cannot be started, hc-rsh exits 255; as MPICH's
 * Hydra waits for ever for a proxy that never started, hc-rsh then also
 * ends its parent when that is mpiexec (hydra), saying so.
 *
 * Socket messages (SOCK_SEQPACKET, one JSON object each):
 *	-> {"host","command"} with 3 fds	-> {"signal":N}...
 *	<- {"started":true} then {"status":wait(2) status} | {"error":text}
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "rsh_args.h"

#define RSH_EXIT_FAIL 255
#define RSH_MSG_MAX (512u * 1024)
/* From the request to the command running on HOST: beyond this the launch
 * is declared failed (Hydra would wait for its proxy for ever). */
#define RSH_LAUNCH_SECS 60

static volatile sig_atomic_t got_signal;	/* the last signal caught */

static const int passed_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
	SIGUSR1, SIGUSR2 };
#define NPASSED (sizeof(passed_signals) / sizeof(passed_signals[0]))

static void
on_signal(int sig)
{
	got_signal = sig;
}

/* Hydra (mpiexec.hydra, mpiexec.mpich) waits for ever for a proxy whose
 * launcher failed: end it, so that the job goes on (or ends) instead of
 * hanging until its time limit. */
static void
end_hydra_parent(void)
{
	char path[64], comm[64] = "";
	pid_t pp = getppid();
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pp);
	if (!(f = fopen(path, "r")))
		return;
	if (fgets(comm, sizeof(comm), f) && strncmp(comm, "mpiexec", 7) == 0) {
		fprintf(stderr, "hc-rsh: ending %.*s (pid %d), which would "
			"wait for ever for this launch\n",
			(int)strcspn(comm, "\n"), comm, (int)pp);
		kill(pp, SIGTERM);
	}
	fclose(f);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("hc-rsh: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	end_hydra_parent();
	exit(RSH_EXIT_FAIL);
}

static void
on_alarm(int sig)
{
	static const char msg[] = "hc-rsh: the command did not start within "
				  "the launch timeout\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	end_hydra_parent();
	_exit(RSH_EXIT_FAIL);
}

static void
usage(void)
{
	printf("Usage: hc-rsh [ssh options] HOST COMMAND...\n"
	       "Run COMMAND with sh -c on HOST, a node of the job hc-rsh "
	       "runs in, inside\nthat job, with stdin, stdout and stderr "
	       "forwarded; exit with its status\n(128+N when killed by "
	       "signal N, 255 when it could not be started).\n\n"
	       "Accepted and ignored: -x -T -t -q -a -k -C -4 -6 -A -K -g "
	       "-p PORT -o OPTION\n  -i FILE -F FILE -e CHAR -c CIPHER "
	       "-m MAC -b ADDR\n"
	       "  -n          stdin from /dev/null\n"
	       "  -l USER     only yourself (so is USER@HOST)\n"
	       "  -v          say what is run\n"
	       "  --help      print this help and exit\n"
	       "  --version   print the version and exit\n"
	       "Refused: forwarding (-L -R -D -W -X -Y), -f, -N, -M, -S, "
	       "-O, -J, -s.\n"
	       "Only inside an hc job: HC_RSH_SOCKET names the node agent's "
	       "socket.\nSee hc-rsh(1).\n");
}

/* Security: the agent runs the command as the caller, whatever -l says;
 * refusing another user here only makes the mistake visible. */
static void
check_user(const char *user)
{
	struct passwd *pw = getpwuid(getuid());
	char uid[32];

	if (!user)
		return;
	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	if (strcmp(user, uid) == 0 || (pw && strcmp(user, pw->pw_name) == 0))
		return;
	die("cannot run commands as %s: hc-rsh runs them as yourself", user);
}

static void read_answer(int fd, const struct rsh_args *a);

static int
agent_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		die("HC_RSH_SOCKET is too long: %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("cannot reach the node agent at %s: %s", path,
		    strerror(errno));
	return fd;
}

static void
send_request(int fd, const struct rsh_args *a)
{
	json_t *o = json_pack("{s:s,s:s}", "host", a->host, "command",
			      a->command);
	char *text = json_dumps(o, JSON_COMPACT);
	int fds[3] = { 0, 1, 2 };
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = text, .iov_len = strlen(text) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	if (a->null_stdin && (fds[0] = open("/dev/null", O_RDONLY)) < 0)
		die("/dev/null: %s", strerror(errno));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	if (sendmsg(fd, &m, MSG_NOSIGNAL) < 0) {
		int e = errno;
		/* Refused at once? The agent said why before closing. */
		read_answer(fd, a);
		die("%s: cannot send the request: %s", a->host, strerror(e));
	}
	if (a->null_stdin)
		close(fds[0]);
	free(text);
	json_decref(o);
}

static void
send_signal(int fd, int sig)
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "{\"signal\":%d}", sig);

	(void)!send(fd, msg, (size_t)n, MSG_NOSIGNAL);
}

/* An answer from the agent: exits, or returns when there was none. */
static void
read_answer(int fd, const struct rsh_args *a)
{
	const char *host = a->host;
	char *buf = malloc(RSH_MSG_MAX);
	ssize_t n = buf ? recv(fd, buf, RSH_MSG_MAX - 1, 0) : -1;
	json_t *o, *st;
	const char *e;

	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		free(buf);
		return;
	}
	if (n <= 0)
		die("%s: the node agent closed the connection before the "
		    "command ended", host);
	buf[n] = '\0';
	if (!(o = json_loads(buf, 0, NULL)))
		die("%s: unreadable answer from the node agent", host);
	free(buf);
	if ((e = json_string_value(json_object_get(o, "error"))))
		die("%s: %s", host, e);
	if (json_is_true(json_object_get(o, "started"))) {
		alarm(0);	/* running here: no launch timeout any more */
		json_decref(o);
		return;
	}
	st = json_object_get(o, "status");
	if (!json_is_integer(st))
		die("%s: answer without a status from the node agent", host);
	int s = (int)json_integer_value(st);
	json_decref(o);
	if (WIFEXITED(s))
		exit(WEXITSTATUS(s));
	exit(WIFSIGNALED(s) ? 128 + WTERMSIG(s) : RSH_EXIT_FAIL);
}

int
main(int argc, char **argv)
{
	struct rsh_args a;
	struct hc_err err = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *path = getenv("HC_RSH_SOCKET");
	sigset_t blocked, waiting;
	int fd;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
			 strcmp(argv[1], "-h") == 0)) {
		usage();
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("hc-rsh (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	if (rsh_args_parse(&a, argc, argv, &err) < 0)
		die("%s", err.text);
	check_user(a.user);
	if (!path || !*path)
		die("not inside an hc job (HC_RSH_SOCKET is unset): hc-rsh "
		    "starts commands on the nodes of the job it runs in");
	if (a.verbose)
		fprintf(stderr, "hc-rsh: %s: sh -c '%s'\n", a.host, a.command);
	/* The passed signals stay blocked but inside ppoll(), so that one
	 * arriving between the check and the wait is not lost. */
	sigemptyset(&sa.sa_mask);
	sigemptyset(&blocked);
	for (size_t i = 0; i < NPASSED; i++) {
		sigaction(passed_signals[i], &sa, NULL);
		sigaddset(&blocked, passed_signals[i]);
	}
	sigprocmask(SIG_BLOCK, &blocked, &waiting);
	signal(SIGALRM, on_alarm);
	alarm(RSH_LAUNCH_SECS);
	fd = agent_connect(path);
	send_request(fd, &a);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int sig = got_signal;

		if (sig) {
			got_signal = 0;
			send_signal(fd, sig);
		}
		if (ppoll(&p, 1, NULL, &waiting) > 0)
			read_answer(fd, &a);
	}
}
