/*
 * pmi_launch: a small launcher for testing the simple-PMI server
 * (src/common/pmi2.c) against real MPI programs without a cluster:
 *	pmi_launch -n RANKS -N NODES PROG ARGS...
 * forks the ranks (block distribution over NODES pretend nodes, each with
 * its own server, HC_NODENAME=n1.. set), gives each a socketpair as
 * PMI_FD with PMI_RANK/PMI_SIZE, and completes fences across the servers
 * as hcrun does across node agents: when every node has reached fence k,
 * the union of their puts goes back to all. Prints one line per rank,
 *	pmi_launch: rank=R node=nK pmi_version=V status=S
 * and exits 0 when every rank exited 0.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "pmi2.h"

#define MAXR 64

struct world;

struct node {
	struct world *w;
	struct pmi2_srv *srv;
	int first, count;	/* ranks first..first+count-1 */
	int fence_seq;		/* -1: not in a fence */
	json_t *puts;
};

struct world {
	int nranks, nnodes;
	int fd[MAXR];
	pid_t pid[MAXR];
	int status[MAXR], version[MAXR];
	struct node node[MAXR];
};


static void
on_send(void *arg, int client, const char *data, size_t len)
{
	struct node *n = arg;
	int fd = n->w->fd[n->first + client];

	while (len > 0) {
		ssize_t k = write(fd, data, len);
		if (k <= 0)
			return;
		data += k;
		len -= (size_t)k;
	}
}

static void
on_fence(void *arg, unsigned seq, json_t *puts)
{
	struct node *n = arg;
	struct world *w = n->w;
	json_t *all;

	n->fence_seq = (int)seq;
	n->puts = puts;
	for (int i = 0; i < w->nnodes; i++)
		if (w->node[i].fence_seq != (int)seq)
			return;
	all = json_object();
	for (int i = 0; i < w->nnodes; i++) {
		json_object_update(all, w->node[i].puts);
		json_decref(w->node[i].puts);
		w->node[i].puts = NULL;
		w->node[i].fence_seq = -1;
	}
	for (int i = 0; i < w->nnodes; i++)
		pmi2_fence_done(w->node[i].srv, seq, all);
	json_decref(all);
}

static void
on_abort(void *arg, int client, int code, const char *msg)
{
	struct node *n = arg;

	fprintf(stderr, "pmi_launch: rank %d aborts (%d): %s\n",
		n->first + client, code, msg);
	for (int r = 0; r < n->w->nranks; r++)
		kill(n->w->pid[r], SIGKILL);
}

static void
spawn(struct world *w, int r, int node, char **argv)
{
	int sv[2];
	char buf[32];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		exit(2);
	w->fd[r] = sv[0];
	if ((w->pid[r] = fork()) == 0) {
		int fd = dup(sv[1]);	/* without CLOEXEC */
		snprintf(buf, sizeof(buf), "%d", fd);
		setenv("PMI_FD", buf, 1);
		snprintf(buf, sizeof(buf), "%d", r);
		setenv("PMI_RANK", buf, 1);
		snprintf(buf, sizeof(buf), "%d", w->nranks);
		setenv("PMI_SIZE", buf, 1);
		snprintf(buf, sizeof(buf), "n%d", node + 1);
		setenv("HC_NODENAME", buf, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(sv[1]);
}

static void
serve(struct world *w)
{
	struct pollfd p[MAXR];
	int open = w->nranks;
	char buf[4096];

	while (open > 0) {
		for (int r = 0; r < w->nranks; r++)
			p[r] = (struct pollfd){ .fd = w->fd[r],
						.events = POLLIN };
		if (poll(p, (nfds_t)w->nranks, 30000) <= 0) {
			fprintf(stderr, "pmi_launch: no progress in 30 s\n");
			on_abort(&w->node[0], 0, 1, "timeout");
			return;
		}
		for (int r = 0; r < w->nranks; r++) {
			struct hc_err err = { 0 };
			struct node *n;
			ssize_t k;
			if (w->fd[r] < 0 ||
			    !(p[r].revents & (POLLIN | POLLHUP)))
				continue;
			k = read(w->fd[r], buf, sizeof(buf));
			n = &w->node[0];
			while (r >= n->first + n->count)
				n++;
			if (k > 0 && pmi2_input(n->srv, r - n->first, buf,
						(size_t)k, &err) == 0) {
				w->version[r] = pmi2_version(n->srv,
							    r - n->first);
				continue;
			}
			if (k > 0)
				fprintf(stderr, "pmi_launch: rank %d: %s\n", r,
					err.text);
			else if (!pmi2_finalized(n->srv, r - n->first))
				on_abort(n, r - n->first, 1, "its PMI "
					 "connection ended before "
					 "MPI_Finalize");
			close(w->fd[r]);
			w->fd[r] = -1;
			p[r].fd = -1;
			open--;
		}
	}
}

int
main(int argc, char **argv)
{
	static struct world W;	/* large: not on the stack */
	struct pmi2_ops ops = { on_send, on_fence, on_abort };
	int opt, node_of[MAXR], ranks[MAXR], worst = 0;
	char *map;

	while ((opt = getopt(argc, argv, "+n:N:")) != -1) {
		if (opt == 'n')
			W.nranks = atoi(optarg);
		else if (opt == 'N')
			W.nnodes = atoi(optarg);
		else
			return 2;
	}
	if (W.nranks < 1 || W.nranks > MAXR || W.nnodes < 1 ||
	    W.nnodes > W.nranks || optind >= argc) {
		fprintf(stderr, "usage: pmi_launch -n RANKS -N NODES PROG "
			"ARGS...\n");
		return 2;
	}
	for (int r = 0, k = 0; k < W.nnodes; k++) {
		int cnt = W.nranks / W.nnodes + (k < W.nranks % W.nnodes);
		W.node[k].first = r;
		W.node[k].count = cnt;
		W.node[k].fence_seq = -1;
		W.node[k].w = &W;
		for (int i = 0; i < cnt; i++, r++)
			node_of[r] = k;
	}
	map = pmi2_mapping(node_of, W.nranks);
	for (int k = 0; k < W.nnodes; k++) {
		struct hc_err err = { 0 };
		struct pmi2_info info = { .jobid = "hc_test_0", .size =
					  W.nranks, .mapping = map,
					  .ranks = ranks + W.node[k].first,
					  .nclients = W.node[k].count };
		for (int r = 0; r < W.nranks; r++)
			ranks[r] = r;
		W.node[k].srv = pmi2_create(&info, &ops, &W.node[k], &err);
		if (!W.node[k].srv) {
			fprintf(stderr, "pmi_launch: %s\n", err.text);
			return 2;
		}
	}
	printf("pmi_launch: mapping=%s\n", map);
	fflush(stdout);
	for (int r = 0; r < W.nranks; r++)
		spawn(&W, r, node_of[r], argv + optind);
	serve(&W);
	for (int r = 0; r < W.nranks; r++) {
		waitpid(W.pid[r], &W.status[r], 0);
		printf("pmi_launch: rank=%d node=n%d pmi_version=%d "
		       "status=%d\n", r, node_of[r] + 1, W.version[r],
		       W.status[r]);
		if (W.status[r])
			worst = 1;
	}
	for (int k = 0; k < W.nnodes; k++)
		pmi2_destroy(W.node[k].srv);
	free(map);
	return worst;
}
