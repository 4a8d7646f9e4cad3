/*
 * stepc: the streams of one step, from the command's side (see stepc.h).
 *
 * Output: without a label, chunks are written as they come (a task's bytes
 * in order; tasks interleave by chunk). With a label, each task's stdout
 * and stderr keep the unfinished last line until its newline (or the end
 * of the stream), so that every printed line carries one task's prefix.
 * Signals: SIGINT once is sent on to the tasks; twice within a second
 * kills them (SIGKILL), as srun does. Under --pty the terminal is raw, so
 * Ctrl-C travels as a byte to the remote shell instead.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "b64.h"
#include "frame.h"
#include "log.h"
#include "msg.h"
#include "parse.h"
#include "stepc.h"

#define STEPC_TIMEOUT_MS 30000
#define LOST_STATUS 255

struct snode {
	char *name, *addr;
	int port;
	json_t *hello;
	int fd;
	char *buf;		/* unparsed input */
	size_t len, cap;
	bool replied, done, lost;
	bool pmi_in;		/* in the current PMI fence */
	json_t *pmi_blob;	/* its blob for that fence (PMIx) */
};

struct tstate {
	int status;		/* wait status; valid if exited */
	bool exited, oom, lost;
	int node;
	char *line[2];		/* label mode: unfinished lines */
	size_t llen[2];
	FILE *file[2];		/* -o/-e: its file (shared ones alike) */
};

struct ofile {
	struct ofile *next;
	char *path;
	FILE *f;
};

struct stepc {
	struct stepc_opts o;
	uint32_t ntasks;
	struct snode *nodes;
	size_t nn;
	struct tstate *t;
	struct ofile *files;
	int in_fd;		/* our stdin (or -i file); -1 when done */
	struct termios saved;
	bool raw;
	struct timespec last_int;
	bool int_once;
	bool sigs_on;		/* our handlers installed (setup_signals) */
	json_t *pmi_kvs;	/* the current PMI fence's puts so far */
	unsigned pmi_seq;	/* fences completed */
	bool pmi_aborted;	/* an agent ended the step */
};

static int sig_pipe[2] = { -1, -1 };

static void setup_signals(struct stepc *s);
static void restore_signals(struct stepc *s);

static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int e = errno;

	if (write(sig_pipe[1], &c, 1) < 0)
		(void)0;
	errno = e;
}

static const int fwd_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
				SIGUSR2, SIGCONT, SIGALRM, SIGWINCH, 0 };

struct stepc *
stepc_create(const struct stepc_opts *o, uint32_t ntasks)
{
	struct stepc *s = hc_calloc(1, sizeof(*s));

	s->o = *o;
	s->ntasks = ntasks;
	s->t = hc_calloc(ntasks ? ntasks : 1, sizeof(*s->t));
	for (uint32_t i = 0; i < ntasks; i++)
		s->t[i].node = -1;
	s->in_fd = -1;
	return s;
}

void
stepc_destroy(struct stepc *s)
{
	if (!s)
		return;
	restore_signals(s);
	for (size_t i = 0; i < s->nn; i++) {
		if (s->nodes[i].fd >= 0)
			close(s->nodes[i].fd);
		free(s->nodes[i].name);
		free(s->nodes[i].addr);
		free(s->nodes[i].buf);
		json_decref(s->nodes[i].hello);
		json_decref(s->nodes[i].pmi_blob);
	}
	json_decref(s->pmi_kvs);
	for (uint32_t i = 0; i < s->ntasks; i++)
		free(s->t[i].line[0]), free(s->t[i].line[1]);
	while (s->files) {
		struct ofile *f = s->files;
		s->files = f->next;
		fclose(f->f);
		free(f->path);
		free(f);
	}
	free(s->nodes);
	free(s->t);
	free(s);
}

void
stepc_add_node(struct stepc *s, const char *name, const char *addr,
	       int port, json_t *hello)
{
	size_t i;
	json_t *v;
	struct snode *n;

	s->nodes = hc_realloc(s->nodes, (s->nn + 1) * sizeof(*s->nodes));
	n = &s->nodes[s->nn];
	memset(n, 0, sizeof(*n));
	n->name = hc_strdup(name);
	n->addr = hc_strdup(addr);
	n->port = port;
	n->hello = hello;
	n->fd = -1;
	json_array_foreach(json_object_get(hello, "tasks"), i, v) {
		json_int_t id = json_integer_value(v);
		if (id >= 0 && (uint64_t)id < s->ntasks)
			s->t[id].node = (int)s->nn;
	}
	s->nn++;
}

static int
send_frame(int fd, uint16_t type, uint32_t reqid, const json_t *body)
{
	size_t blen = 0, flen = 0, off = 0;
	char *text = hc_msg_encode(body, &blen);
	uint8_t *f = hc_frame_build(type, reqid, NULL, 0, text, blen, &flen);
	int rc = 0;

	while (off < flen) {
		ssize_t w = write(fd, f + off, flen - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	free(f);
	free(text);
	return rc;
}

static int
node_connect(struct snode *n, struct hc_err *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char port[16];
	int one = 1, rc;

	snprintf(port, sizeof(port), "%d", n->port);
	if ((rc = getaddrinfo(n->addr, port, &hints, &ai)) != 0)
		return hc_err_set(err, HC_ECONN, "%s: cannot resolve %s: %s",
				  n->name, n->addr, gai_strerror(rc));
	n->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0 || connect(n->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		freeaddrinfo(ai);
		return hc_err_set(err, HC_ECONN, "%s: cannot reach its agent "
				  "at %s:%d: %s", n->name, n->addr, n->port,
				  strerror(errno));
	}
	freeaddrinfo(ai);
	setsockopt(n->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (send_frame(n->fd, HC_MSG_STEP_HELLO, 1, n->hello) < 0)
		return hc_err_set(err, HC_ECONN, "%s: write: %s", n->name,
				  strerror(errno));
	return 0;
}

/* Read what is there into n's buffer; 0 at end of stream or error. */
static ssize_t
node_read(struct snode *n)
{
	ssize_t r;

	if (n->cap - n->len < 65536)
		n->buf = hc_realloc(n->buf, n->cap = n->cap * 2 + 65536);
	do
		r = read(n->fd, n->buf + n->len, n->cap - n->len);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		n->len += (size_t)r;
	return r;
}

/* --- output --- */

static char *
expand(const struct stepc *s, const char *pat, uint32_t task)
{
	char buf[4096];
	size_t off = 0;
	int node = s->t[task].node;

	for (const char *p = pat; *p && off < sizeof(buf) - 64; p++) {
		if (*p != '%' || !p[1]) {
			buf[off++] = *p;
			continue;
		}
		switch (*++p) {
		case 't': off += (size_t)sprintf(buf + off, "%u", task); break;
		case 'n': off += (size_t)sprintf(buf + off, "%d", node); break;
		case 'N': off += (size_t)snprintf(buf + off, 64, "%s",
				node >= 0 ? s->nodes[node].name : "?"); break;
		case 'j': off += (size_t)sprintf(buf + off, "%u", s->o.job_id);
			break;
		case 's': off += (size_t)sprintf(buf + off, "%u",
						 s->o.step_id); break;
		default: buf[off++] = '%'; buf[off++] = *p; break;
		}
	}
	buf[off] = '\0';
	return hc_strdup(buf);
}

static FILE *
task_file(struct stepc *s, uint32_t task, int k)
{
	const char *pat = k == 0 ? s->o.out_pat : s->o.err_pat ?
			  s->o.err_pat : s->o.out_pat;
	char *path;
	struct ofile *f;

	if (!pat)
		return NULL;
	if (s->t[task].file[k])
		return s->t[task].file[k];
	path = expand(s, pat, task);
	for (f = s->files; f; f = f->next)
		if (!strcmp(f->path, path))
			break;
	if (!f) {
		FILE *fp = fopen(path, "w");
		if (!fp) {
			fprintf(stderr, "%s: error: cannot open %s: %s\n",
				s->o.prog, path, strerror(errno));
			free(path);
			return NULL;
		}
		f = hc_calloc(1, sizeof(*f));
		f->path = path;
		f->f = fp;
		f->next = s->files;
		s->files = f;
	} else {
		free(path);
	}
	return s->t[task].file[k] = f->f;
}

static void
put(FILE *f, const char *p, size_t n)
{
	if (n && fwrite(p, 1, n, f) != n)
		(void)0;
}

static void
out_data(struct stepc *s, uint32_t task, int fd, const char *p, size_t n,
	 bool eof)
{
	struct tstate *t = &s->t[task];
	int k = fd == 2;
	FILE *f = task_file(s, task, k);

	if (!f)
		f = k ? stderr : stdout;
	if (!s->o.label) {
		put(f, p, n);
		fflush(f);
		return;
	}
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) + 1 : n;
		if (!nl) {
			t->line[k] = hc_realloc(t->line[k], t->llen[k] + take);
			memcpy(t->line[k] + t->llen[k], p, take);
			t->llen[k] += take;
			break;
		}
		fprintf(f, "%u: ", task);
		put(f, t->line[k], t->llen[k]);
		put(f, p, take);
		t->llen[k] = 0;
		p += take;
		n -= take;
	}
	if (eof && t->llen[k]) {
		fprintf(f, "%u: ", task);
		put(f, t->line[k], t->llen[k]);
		fputc('\n', f);
		t->llen[k] = 0;
	}
	fflush(f);
}

/* --- frames from the agents --- */

static void send_all(struct stepc *s, uint16_t type, const json_t *b,
		     int only_node);
static void send_signal(struct stepc *s, int sig);

/* MPI fences (--mpi=pmi2|pmix): every node's agent sends its part of
 * fence seq; once all (not lost) nodes have, the union of the puts and
 * the blobs in node order go back to all of them, an allgather. An
 * "abort" (a rank ended before MPI_Finalize, or asked to abort) ends the
 * step, saying why. */
static void
on_pmi(struct stepc *s, struct snode *n, json_t *b)
{
	const char *why = json_string_value(json_object_get(b, "abort"));
	json_t *blobs, *done;
	size_t in = 0;

	if (why) {	/* the first says why; the others follow from it */
		if (!s->pmi_aborted)
			fprintf(stderr, "%s: %s: %s; ending the step\n",
				s->o.prog, n->name, why);
		s->pmi_aborted = true;
		send_signal(s, SIGKILL);
		return;
	}
	if ((unsigned)json_integer_value(json_object_get(b, "seq")) !=
	    s->pmi_seq || n->pmi_in)
		return;
	n->pmi_in = true;
	if (!s->pmi_kvs)
		s->pmi_kvs = json_object();
	json_object_update(s->pmi_kvs, json_object_get(b, "kvs"));
	n->pmi_blob = json_incref(json_object_get(b, "blob"));
	for (size_t i = 0; i < s->nn; i++)
		if (s->nodes[i].pmi_in || s->nodes[i].lost)
			in++;
	if (in < s->nn)
		return;
	blobs = json_array();
	for (size_t i = 0; i < s->nn; i++) {
		json_array_append_new(blobs, s->nodes[i].pmi_blob ?
				      json_incref(s->nodes[i].pmi_blob) :
				      json_string(""));
		json_decref(s->nodes[i].pmi_blob);
		s->nodes[i].pmi_blob = NULL;
		s->nodes[i].pmi_in = false;
	}
	done = json_pack("{s:I,s:o,s:o}", "seq", (json_int_t)s->pmi_seq,
			 "kvs", s->pmi_kvs, "blobs", blobs);
	s->pmi_kvs = NULL;
	s->pmi_seq++;
	send_all(s, HC_MSG_STEP_PMI, done, -1);
	json_decref(done);
}

static void
on_frame(struct stepc *s, struct snode *n, unsigned type, json_t *b)
{
	json_int_t task = json_integer_value(json_object_get(b, "t"));
	bool known = task >= 0 && (uint64_t)task < s->ntasks;

	if (type == HC_MSG_STEP_IO && known) {
		const char *d = json_string_value(json_object_get(b, "d"));
		size_t len = 0;
		uint8_t *bytes = d ? b64_decode(d, &len) : NULL;
		int fd = (int)json_integer_value(json_object_get(b, "fd"));
		out_data(s, (uint32_t)task, fd, (const char *)bytes, len,
			 json_is_true(json_object_get(b, "eof")));
		free(bytes);
	} else if (type == HC_MSG_STEP_EXIT && known) {
		s->t[task].exited = true;
		s->t[task].status = (int)json_integer_value(json_object_get(b,
								"status"));
		s->t[task].oom = json_is_true(json_object_get(b, "oom"));
	} else if (type == HC_MSG_STEP_DONE) {
		n->done = true;
	} else if (type == HC_MSG_STEP_PMI) {
		on_pmi(s, n, b);
	}
}

/* Parse the frames in n's buffer; -1 on a protocol error. */
static int
node_frames(struct stepc *s, struct snode *n, struct hc_err *err)
{
	size_t off = 0;

	while (!n->done) {
		struct hc_frame_view v;
		long used = hc_frame_parse(n->buf + off, n->len - off, &v, err);
		json_t *b;

		if (used < 0)
			return hc_err_prefix(err, "%s: ", n->name);
		if (used == 0)
			break;
		b = hc_msg_decode(v.hdr.type, v.body, v.hdr.body_len, err);
		if (!b)
			return hc_err_prefix(err, "%s: ", n->name);
		if (v.hdr.type == HC_MSG_REPLY && !n->replied) {
			n->replied = true;
			if (json_integer_value(json_object_get(b, "rc"))) {
				hc_err_set(err, HC_EAUTH, "%s refused the "
					   "step: %s", n->name,
					   json_string_value(json_object_get(
						   b, "error")));
				json_decref(b);
				return -1;
			}
		} else {
			on_frame(s, n, v.hdr.type, b);
		}
		json_decref(b);
		off += (size_t)used;
	}
	memmove(n->buf, n->buf + off, n->len - off);
	n->len -= off;
	return 0;
}

int
stepc_start(struct stepc *s, struct hc_err *err)
{
	signal(SIGPIPE, SIG_IGN);	/* a closed stream is an error here */
	setup_signals(s);
	for (size_t i = 0; i < s->nn; i++)
		if (node_connect(&s->nodes[i], err) < 0)
			return -1;
	for (size_t i = 0; i < s->nn; i++) {
		struct snode *n = &s->nodes[i];
		while (!n->replied) {
			struct pollfd p = { n->fd, POLLIN, 0 };
			int r = poll(&p, 1, STEPC_TIMEOUT_MS);
			if (r == 0)
				return hc_err_set(err, HC_ETIMEDOUT, "%s: its "
						  "agent did not answer",
						  n->name);
			if (r < 0 && errno == EINTR)
				continue;
			if (node_read(n) <= 0)
				return hc_err_set(err, HC_ECONN, "%s: its "
						  "agent closed the stream",
						  n->name);
			if (node_frames(s, n, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* --- the loop --- */

static void
send_all(struct stepc *s, uint16_t type, const json_t *b, int only_node)
{
	for (size_t i = 0; i < s->nn; i++)
		if (!s->nodes[i].done && !s->nodes[i].lost &&
		    (only_node < 0 || (size_t)only_node == i))
			send_frame(s->nodes[i].fd, type, 0, b);
}

static void
send_signal(struct stepc *s, int sig)
{
	json_t *b = json_pack("{s:i}", "signal", sig);

	send_all(s, HC_MSG_STEP_SIGNAL, b, -1);
	json_decref(b);
}

static void
send_winch(struct stepc *s)
{
	struct winsize ws;
	json_t *b;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	b = json_pack("{s:i,s:i}", "rows", ws.ws_row, "cols", ws.ws_col);
	send_all(s, HC_MSG_STEP_WINCH, b, -1);
	json_decref(b);
}

static double
since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void
on_our_signal(struct stepc *s, int sig)
{
	if (sig == SIGWINCH) {
		if (s->o.pty)
			send_winch(s);
		return;
	}
	if (sig != SIGINT) {
		send_signal(s, sig);
		return;
	}
	if (s->int_once && since(&s->last_int) < 1.0) {
		fprintf(stderr, "%s: killing the step's tasks\n", s->o.prog);
		send_signal(s, SIGKILL);
		return;
	}
	fprintf(stderr, "%s: interrupt sent to the tasks (one more within "
		"1 sec to kill them)\n", s->o.prog);
	s->int_once = true;
	clock_gettime(CLOCK_MONOTONIC, &s->last_int);
	send_signal(s, SIGINT);
}

/* Our stdin to the task(s) that read it. */
static void
on_stdin(struct stepc *s)
{
	char buf[32768];
	ssize_t r = read(s->in_fd, buf, sizeof(buf));
	int to = s->o.stdin_task, node = to >= 0 && (uint32_t)to < s->ntasks ?
		 s->t[to].node : -1;
	json_t *b;

	if (r < 0 && errno == EINTR)
		return;
	if (r > 0) {
		char *d = b64_encode(buf, (size_t)r);
		b = json_pack("{s:i,s:i,s:s}", "t", to, "fd", 0, "d", d);
		free(d);
	} else {
		b = json_pack("{s:i,s:i,s:b}", "t", to, "fd", 0, "eof", 1);
		if (s->in_fd != STDIN_FILENO)
			close(s->in_fd);
		s->in_fd = -1;
	}
	send_all(s, HC_MSG_STEP_IO, b, node);
	json_decref(b);
}

static void
node_lost(struct stepc *s, struct snode *n, const char *why)
{
	n->lost = true;
	for (uint32_t i = 0; i < s->ntasks; i++)
		if (s->t[i].node == n - s->nodes && !s->t[i].exited)
			s->t[i].lost = true;
	fprintf(stderr, "%s: error: %s: %s; its tasks are lost\n", s->o.prog,
		n->name, why);
}

/* Before the first task can start: a signal that comes while the agents
 * start the tasks waits in the pipe for stepc_run, rather than killing us
 * (SIG_DFL) or vanishing (SIG_IGN, as in a script's background job). */
static void
setup_signals(struct stepc *s)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (s->sigs_on)
		return;
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		hc_fatal("pipe: %s", strerror(errno));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; fwd_sigs[i]; i++)
		sigaction(fwd_sigs[i], &sa, NULL);
	s->sigs_on = true;
}

static void
restore_signals(struct stepc *s)
{
	if (!s->sigs_on)
		return;
	for (size_t i = 0; fwd_sigs[i]; i++)
		signal(fwd_sigs[i], SIG_DFL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	s->sigs_on = false;
}

static void
setup_io(struct stepc *s)
{
	setup_signals(s);
	signal(SIGPIPE, SIG_IGN);
	if (s->o.in_file) {
		s->in_fd = open(s->o.in_file, O_RDONLY | O_CLOEXEC);
		if (s->in_fd < 0)
			fprintf(stderr, "%s: error: cannot open %s: %s\n",
				s->o.prog, s->o.in_file, strerror(errno));
	} else if (s->o.stdin_task != -2) {
		s->in_fd = STDIN_FILENO;
	}
	if (s->o.pty && isatty(STDIN_FILENO) &&
	    tcgetattr(STDIN_FILENO, &s->saved) == 0) {
		struct termios raw = s->saved;
		cfmakeraw(&raw);
		s->raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
}

static void
restore_io(struct stepc *s)
{
	if (s->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &s->saved);
	s->raw = false;
	restore_signals(s);
}

static int
rank(const struct tstate *t)
{
	if (t->lost || !t->exited)
		return LOST_STATUS;
	return WIFSIGNALED(t->status) ? 128 + WTERMSIG(t->status) :
	       WEXITSTATUS(t->status);
}

/* "task 3 (n2): exited with exit code 3" lines and the summary. */
static int
report(struct stepc *s, char **failed)
{
	int worst = 0, shown = 0;
	char first[160] = "";

	for (uint32_t i = 0; i < s->ntasks; i++) {
		struct tstate *t = &s->t[i];
		const char *node = t->node >= 0 ? s->nodes[t->node].name : "?";
		int r = rank(t);
		char why[96];

		if (r > worst)
			worst = r;
		if (r == 0)
			continue;
		if (t->lost || !t->exited)
			snprintf(why, sizeof(why), "lost with its node");
		else if (t->oom)
			snprintf(why, sizeof(why), "out of memory (killed by "
				 "the OOM killer)");
		else if (WIFSIGNALED(t->status))
			snprintf(why, sizeof(why), "killed by signal %d "
				 "(SIG%s)", WTERMSIG(t->status),
				 signal_name(WTERMSIG(t->status)) ?
				 signal_name(WTERMSIG(t->status)) : "?");
		else
			snprintf(why, sizeof(why), "exited with exit code %d",
				 WEXITSTATUS(t->status));
		if (!first[0])
			snprintf(first, sizeof(first), "task %u (%s): %s", i,
				 node, why);
		if (!s->o.quiet && shown++ < 16)
			fprintf(stderr, "%s: error: task %u (%s): %s\n",
				s->o.prog, i, node, why);
	}
	if (!s->o.quiet && shown > 16)
		fprintf(stderr, "%s: error: ... and %d more failed tasks\n",
			s->o.prog, shown - 16);
	if (failed)
		*failed = first[0] ? hc_strdup(first) : NULL;
	return worst;
}

int
stepc_run(struct stepc *s, char **failed)
{
	struct pollfd *p = hc_calloc(s->nn + 2, sizeof(*p));
	struct hc_err err = { 0 };

	setup_io(s);
	if (s->o.pty)
		send_winch(s);
	for (;;) {
		size_t np = 0, live = 0;

		p[np++] = (struct pollfd){ sig_pipe[0], POLLIN, 0 };
		p[np++] = (struct pollfd){ s->in_fd, POLLIN, 0 };
		for (size_t i = 0; i < s->nn; i++) {
			bool on = !s->nodes[i].done && !s->nodes[i].lost;
			p[np++] = (struct pollfd){ on ? s->nodes[i].fd : -1,
						   POLLIN, 0 };
			live += on;
		}
		if (!live)
			break;
		if (poll(p, np, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents) {
			unsigned char c;
			while (read(sig_pipe[0], &c, 1) == 1)
				on_our_signal(s, c);
		}
		if (p[1].revents && s->in_fd >= 0)
			on_stdin(s);
		for (size_t i = 0; i < s->nn; i++) {
			struct snode *n = &s->nodes[i];
			if (!p[i + 2].revents || n->done || n->lost)
				continue;
			if (node_read(n) <= 0) {
				node_frames(s, n, &err);
				if (!n->done)
					node_lost(s, n, "connection to its "
						  "agent lost");
				continue;
			}
			if (node_frames(s, n, &err) < 0)
				node_lost(s, n, err.text);
		}
	}
	restore_io(s);
	free(p);
	return report(s, failed);
}
