/*
 * conf_int: what the hc.conf parser's files share (conf.c reads nodes,
 * queues and global keys; conf_pool.c reads CloudPool lines).
 */
#ifndef CONF_INT_H
#define CONF_INT_H

#include "conf.h"

struct pair {
	char *key;
	char *val;		/* NULL when the key had no '=' */
};

/* Node names -> index into conf->nodes, for duplicate and queue checks. */
struct nameset {
	const char **keys;	/* borrowed from conf->nodes */
	size_t *vals;
	size_t cap, count;
};

struct cp {			/* one parse */
	struct hc_conf *conf;
	const char *file;	/* the name in messages */
	const char *dir;	/* base of relative paths, or NULL */
	int line;
	int nerr;
	struct hc_err *err;	/* the first error, if the caller wants it */
	char *errs;		/* every error, '\n'-joined */
	size_t errlen;
	int *gseen;		/* per row: the line a global key was set on */
	struct nameset nodes;
	struct pair *pairs;
	size_t npairs, cap;
};

void cp_error(struct cp *p, const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
long nameset_get(const struct nameset *ns, const char *name);
void nameset_put(struct nameset *ns, const char *name, size_t val);
bool is_opener(const struct conf_key *k);
void unknown_key(struct cp *p, const char *ctx, const char *key,
		 enum conf_scope scope);
const char *pair_value(struct cp *p, const char *ctx, const struct pair *pr,
		       const struct conf_key *k);
/* The table row of a line's key (NULL: the line does not take it), and
 * in *base the struct its value goes to (NULL: checked, not kept). */
typedef const struct conf_key *pair_key_fn(const char *key, void *arg,
					   void **base);
/* Apply pairs[1..] of the line in p, each where key_of says; unknown keys
 * are reported as scope's. Returns the number of errors, reported only
 * when report is true. */
int apply_pairs_by(struct cp *p, const char *ctx, enum conf_scope scope,
		   pair_key_fn *key_of, void *arg, bool report);
void apply_defaults(enum conf_scope scope, void *base);
bool valid_name(const char *s);
const char *named_line_open(struct cp *p, const struct conf_key *k,
			    char **ctx);
void node_free_fields(struct conf_node *n);
int node_check(struct cp *p, const char *ctx, const struct conf_node *n);

/* conf_pool.c */
void pool_line(struct cp *p);
/* Checks that need the whole file: Queues, PowerSave's programs. */
void pools_check(struct cp *p);
void pool_free_fields(struct conf_pool *pl);

#endif
