/*
 * nodes_int: what nodes.c, node_conn.c and nodes_rpc.c share.
 */
#ifndef NODES_INT_H
#define NODES_INT_H

#include <time.h>

#include "nodes.h"

struct event;

struct nodes {
	struct ctld *c;
	struct node **v;	/* in hc.conf order */
	size_t n;
	struct node **gone;	/* removed by reconfigure: kept until exit,
				   jobs may still point at them */
	size_t ngone;
	struct event *timer;	/* NodeTimeout check */
	time_t started;
	uint64_t epoch;		/* nodes_epoch() */
};

/* nodes.c */
struct node *node_new(const struct hc_conf *conf, const struct conf_node *cn,
		      uint32_t index);
void node_free(struct node *n);
/* Take the static shape from cn (and its queues) again (reconfigure). */
void node_apply_conf(struct node *n, const struct hc_conf *conf,
		     const struct conf_node *cn);
/* Make room for cpus entries in cpu_job_count. */
void node_cpus_resize(struct node *n, uint32_t cpus);
void node_set_reason(struct node *n, const char *reason, uid_t uid);

/* node_conn.c */
int nodes_timer_start(struct nodes *ns, struct hc_err *err);

#endif
