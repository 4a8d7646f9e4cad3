/*
 * conf: read hc.conf (see conf.h and hc.conf(5)).
 *
 * A file is read whole, cut into logical lines (a trailing '\' joins the
 * next line), and each line into Key=Value pairs. A line that starts with
 * NodeName= or QueueName= declares nodes or a queue; any other line holds
 * global keys. Every value goes through the row of conf_keys that names it
 * (conf_value_set), so parsing, defaults and range checks are the table's.
 *
 * Errors do not stop the parse: each is recorded as "FILE:LINE: Key:
 * problem; hint" and the whole file is refused at the end, so an admin sees
 * every mistake in one --check-config run. Checks that need the whole file
 * (a queue naming a node declared later) run after the last line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_int.h"
#include "hostlist.h"
#include "log.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define CONF_FILE_MAX (16 * 1024 * 1024)

void
cp_error(struct cp *p, const char *ctx, const char *fmt, ...)
{
	char msg[2048], *line;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line = hc_asprintf("%s:%d: %s%s", p->file, p->line, ctx, msg);
	if (p->nerr++ == 0)
		hc_err_set(p->err, HC_EINVAL, "%s", line);
	p->errs = hc_realloc(p->errs, p->errlen + strlen(line) + 2);
	if (p->errlen)
		p->errs[p->errlen++] = '\n';
	strcpy(p->errs + p->errlen, line);
	p->errlen += strlen(line);
	free(line);
}

static size_t
name_hash(const char *s)
{
	size_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

long
nameset_get(const struct nameset *ns, const char *name)
{
	if (!ns->cap)
		return -1;
	for (size_t i = name_hash(name) & (ns->cap - 1); ns->keys[i];
	     i = (i + 1) & (ns->cap - 1))
		if (!strcmp(ns->keys[i], name))
			return (long)ns->vals[i];
	return -1;
}

void
nameset_put(struct nameset *ns, const char *name, size_t val)
{
	size_t i;

	if (2 * (ns->count + 1) > ns->cap) {
		struct nameset big = { .cap = ns->cap ? ns->cap * 2 : 64 };
		big.keys = hc_calloc(big.cap, sizeof(char *));
		big.vals = hc_calloc(big.cap, sizeof(size_t));
		for (i = 0; i < ns->cap; i++)
			if (ns->keys[i])
				nameset_put(&big, ns->keys[i], ns->vals[i]);
		free(ns->keys);
		free(ns->vals);
		*ns = big;
	}
	for (i = name_hash(name) & (ns->cap - 1); ns->keys[i];
	     i = (i + 1) & (ns->cap - 1))
		;
	ns->keys[i] = name;
	ns->vals[i] = val;
	ns->count++;
}

/* Case-insensitive edit distance, for "did you mean". */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev + (tolower((unsigned char)a[i - 1]) !=
					     tolower((unsigned char)b[j - 1]));
			tmp = row[j];
			row[j] = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1
							     : row[j - 1] + 1;
			if (sub < row[j])
				row[j] = sub;
			prev = tmp;
		}
	}
	return row[lb];
}

/* NodeName and QueueName start their lines and are not set like others. */
bool
is_opener(const struct conf_key *k)
{
	return !strcmp(k->name, "NodeName") || !strcmp(k->name, "QueueName") ||
	       !strcmp(k->name, "CloudPool");
}

static size_t
conf_rows(void)
{
	size_t n = 0;

	while (conf_keys[n].name)
		n++;
	return n;
}

static const char *const scope_line[] = {
	[CONF_GLOBAL] = "a line of its own",
	[CONF_NODE] = "a NodeName line",
	[CONF_QUEUE] = "a QueueName line",
	[CONF_POOL] = "a CloudPool line",
};

/* An unknown key: say where it belongs, or the closest key of this scope. */
void
unknown_key(struct cp *p, const char *ctx, const char *key,
	    enum conf_scope scope)
{
	const struct conf_key *best = NULL;
	size_t bestd = SIZE_MAX, d;

	for (const struct conf_key *k = conf_keys; k->name; k++) {
		if (!strcasecmp(k->name, key)) {
			if (is_opener(k))
				cp_error(p, ctx, "%s: must start its line; put "
					 "%s=... first on a line", k->name,
					 k->name);
			else
				cp_error(p, ctx, "%s: not valid here; write "
					 "it on %s", k->name,
					 scope_line[k->scope]);
			return;
		}
		if (k->scope != scope &&
		    !(scope == CONF_GLOBAL && is_opener(k)))
			continue;
		d = edit_distance(key, k->name);
		if (d < bestd) {
			bestd = d;
			best = k;
		}
	}
	if (best && (bestd <= 2 || bestd <= strlen(key) / 3))
		cp_error(p, ctx, "%s: unknown key; did you mean %s?", key,
			 best->name);
	else
		cp_error(p, ctx, "%s: unknown key; see hc.conf(5) for the "
			 "keys", key);
}

/* A pair's value, or an error if it has none. */
const char *
pair_value(struct cp *p, const char *ctx, const struct pair *pr,
	   const struct conf_key *k)
{
	if (pr->val && *pr->val)
		return pr->val;
	cp_error(p, ctx, "%s: missing value; write %s=VALUE", k->name,
		 k->name);
	return NULL;
}

void
apply_defaults(enum conf_scope scope, void *base)
{
	struct hc_err e;

	for (const struct conf_key *k = conf_keys; k->name; k++)
		if (k->scope == scope && k->def &&
		    conf_value_set(k, base, k->def, NULL, &e) < 0)
			hc_fatal("conf_keys: bad default for %s: %s", k->name,
				 e.text);
}

int
apply_pairs_by(struct cp *p, const char *ctx, enum conf_scope scope,
	       pair_key_fn *key_of, void *arg, bool report)
{
	int *seen = hc_calloc(conf_rows(), sizeof(int)), bad = 0;
	struct hc_err e;

	for (size_t i = 1; i < p->npairs; i++) {
		const struct pair *pr = &p->pairs[i];
		void *base = NULL;
		const struct conf_key *k = key_of(pr->key, arg, &base);
		const char *v;
		size_t row;
		if (!k) {
			if (report)
				unknown_key(p, ctx, pr->key, scope);
			bad++;
			continue;
		}
		row = (size_t)(k - conf_keys);
		if (seen[row] || is_opener(k)) {
			if (report)
				cp_error(p, ctx, "%s: given twice on this "
					 "line; keep one", k->name);
			bad++;
			continue;
		}
		seen[row] = 1;
		if (!base)
			continue;
		if (!(v = report ? pair_value(p, ctx, pr, k) : pr->val)) {
			bad++;
			continue;
		}
		if (conf_value_set(k, base, v, p->dir, &e) < 0) {
			if (report)
				cp_error(p, ctx, "%s", e.text);
			bad++;
		}
	}
	free(seen);
	return bad;
}

struct scope_base {
	enum conf_scope scope;
	void *base;
};

static const struct conf_key *
scope_key(const char *key, void *arg, void **base)
{
	const struct scope_base *sb = arg;

	*base = sb->base;
	return conf_key_find(key, sb->scope);
}

/*
 * Apply pairs[1..] of a NodeName/QueueName line to base. Returns the number
 * of errors; with report false (the second and later nodes of a range,
 * already checked) nothing is reported.
 */
static int
apply_pairs(struct cp *p, const char *ctx, enum conf_scope scope,
	    void *base, bool report)
{
	struct scope_base sb = { scope, base };

	return apply_pairs_by(p, ctx, scope, scope_key, &sb, report);
}

void
node_free_fields(struct conf_node *n)
{
	for (const struct conf_key *k = conf_keys; k->name; k++)
		if (k->scope == CONF_NODE)
			conf_value_free(k, n);
	free(n->pool);
	n->pool = NULL;
}

static void
queue_free_fields(struct conf_queue *q)
{
	for (const struct conf_key *k = conf_keys; k->name; k++)
		if (k->scope == CONF_QUEUE)
			conf_value_free(k, q);
}

/* Checks across the keys of one node line (or a pool's template). */
int
node_check(struct cp *p, const char *ctx, const struct conf_node *n)
{
	long prod = n->sockets * n->cores_per_socket * n->threads_per_core;

	if (n->cpus && prod && n->cpus != prod) {
		cp_error(p, ctx, "CPUs=%ld but Sockets*CoresPerSocket*"
			 "ThreadsPerCore is %ld; make them agree, or give "
			 "only CPUs", n->cpus, prod);
		return 1;
	}
	return 0;
}

static void
node_add(struct cp *p, const char *name)
{
	struct hc_conf *c = p->conf;
	struct conf_node *n;

	c->nodes = hc_realloc(c->nodes, (c->node_count + 1) * sizeof(*n));
	n = &c->nodes[c->node_count];
	memset(n, 0, sizeof(*n));
	apply_defaults(CONF_NODE, n);
	apply_pairs(p, "", CONF_NODE, n, false);
	n->name = hc_strdup(name);
	if (!n->addr)
		n->addr = hc_strdup(name);
	n->line = p->line;
	nameset_put(&p->nodes, n->name, c->node_count);
	c->node_count++;
}

static void
node_line(struct cp *p)
{
	const struct conf_key *k = conf_key_find("NodeName", CONF_NODE);
	struct conf_node tmpl = { 0 };
	struct hostlist *hl;
	struct hc_err e;
	const char *expr;
	char *ctx;
	long dup;

	if (!(expr = pair_value(p, "", &p->pairs[0], k)))
		return;
	if (!(hl = hostlist_parse(expr, &e))) {
		cp_error(p, "", "NodeName: %s", e.text);
		return;
	}
	ctx = hc_asprintf("NodeName=%s: ", expr);
	apply_defaults(CONF_NODE, &tmpl);
	if (apply_pairs(p, ctx, CONF_NODE, &tmpl, true) == 0 &&
	    node_check(p, ctx, &tmpl) == 0) {
		for (size_t i = 0; i < hl->count; i++) {
			if ((dup = nameset_get(&p->nodes, hl->names[i])) >= 0) {
				cp_error(p, ctx, "%s is already declared on "
					 "line %d; declare each node once",
					 hl->names[i],
					 p->conf->nodes[dup].line);
				break;
			}
			node_add(p, hl->names[i]);
		}
	}
	node_free_fields(&tmpl);
	hostlist_destroy(hl);
	free(ctx);
}

bool
valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

/* Checks across the keys of one queue line. */
static int
queue_check(struct cp *p, const char *ctx, struct conf_queue *q)
{
	const struct conf_queue *d = conf_queue_default(p->conf);
	char a[32], b[32];
	int bad = 0;

	if (!q->nodes) {
		cp_error(p, ctx, "Nodes missing; list the queue's nodes, e.g. "
			 "Nodes=n[1-4] or Nodes=ALL");
		bad++;
	}
	if (q->max_time >= 0 && q->default_time > q->max_time) {
		format_time_limit(q->default_time, a, sizeof(a));
		format_time_limit(q->max_time, b, sizeof(b));
		cp_error(p, ctx, "DefaultTime (%s) is longer than MaxTime "
			 "(%s); lower DefaultTime or raise MaxTime", a, b);
		bad++;
	}
	if (q->is_default && d && d->is_default) {
		cp_error(p, ctx, "Default=YES, but queue %s (line %d) is "
			 "already the default; keep one Default=YES", d->name,
			 d->line);
		bad++;
	}
	q->exclusive = q->over_subscribe &&
		       !strcmp(q->over_subscribe, "EXCLUSIVE");
	return bad;
}

/* The opening pair of a named line (QueueName=NAME, CloudPool=NAME): its
 * value, checked to be a valid name, and in *ctx the "Key=NAME: " prefix of
 * its errors (the caller frees it). NULL, the error reported, when the
 * value is missing or not a valid name. */
const char *
named_line_open(struct cp *p, const struct conf_key *k, char **ctx)
{
	const char *name = pair_value(p, "", &p->pairs[0], k);

	if (!name)
		return NULL;
	if (!valid_name(name)) {
		cp_error(p, "", "%s: '%s' is not a valid name; use letters, "
			 "digits, '-', '_' and '.'", k->name, name);
		return NULL;
	}
	*ctx = hc_asprintf("%s=%s: ", k->name, name);
	return name;
}

static void
queue_line(struct cp *p)
{
	const struct conf_key *k = conf_key_find("QueueName", CONF_QUEUE);
	struct conf_queue q = { 0 };
	const struct conf_queue *old;
	struct hc_conf *c = p->conf;
	const char *name;
	char *ctx;

	if (!(name = named_line_open(p, k, &ctx)))
		return;
	if ((old = conf_queue_find(c, name))) {
		cp_error(p, ctx, "already declared on line %d; declare each "
			 "queue once", old->line);
		free(ctx);
		return;
	}
	apply_defaults(CONF_QUEUE, &q);
	q.default_time = -1;
	if (apply_pairs(p, ctx, CONF_QUEUE, &q, true) == 0 &&
	    queue_check(p, ctx, &q) == 0) {
		q.name = hc_strdup(name);
		q.line = p->line;
		c->queues = hc_realloc(c->queues,
				       (c->queue_count + 1) * sizeof(q));
		c->queues[c->queue_count++] = q;
	} else {
		queue_free_fields(&q);
	}
	free(ctx);
}

static void
global_pair(struct cp *p, const struct pair *pr)
{
	const struct conf_key *k = conf_key_find(pr->key, CONF_GLOBAL);
	struct hc_err e;
	const char *v;
	size_t row;

	if (!k) {
		unknown_key(p, "", pr->key, CONF_GLOBAL);
		return;
	}
	row = (size_t)(k - conf_keys);
	if (p->gseen[row]) {
		cp_error(p, "", "%s: set twice (first on line %d); keep one",
			 k->name, p->gseen[row]);
		return;
	}
	p->gseen[row] = p->line;
	if (!(v = pair_value(p, "", pr, k)))
		return;
	if (conf_value_set(k, p->conf, v, p->dir, &e) < 0)
		cp_error(p, "", "%s", e.text);
}

static void
pair_push(struct cp *p, char *key, char *val)
{
	if (p->npairs == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->pairs = hc_realloc(p->pairs, p->cap * sizeof(*p->pairs));
	}
	p->pairs[p->npairs].key = key;
	p->pairs[p->npairs++].val = val;
}

/* A quoted value: s is after the '"'; returns the end or NULL. */
static char *
lex_quoted(struct cp *p, const char *key, char *s)
{
	char *q = strchr(s, '"');

	if (!q) {
		cp_error(p, "", "%s: unterminated quote; end the value with "
			 "a closing \"", key);
		return NULL;
	}
	*q++ = '\0';
	if (*q && !isspace((unsigned char)*q) && *q != '#') {
		cp_error(p, "", "%s: text after the closing quote; put a "
			 "space after it or quote the whole value", key);
		return NULL;
	}
	return q;
}

/* Cut one logical line into pairs, in place. Returns -1 on a lexical
 * error (already reported). */
static int
lex_line(struct cp *p, char *s)
{
	p->npairs = 0;
	for (;;) {
		char *key, *val = NULL, c;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			return 0;
		key = s;
		s += strcspn(s, "= \t\r\n#");
		c = *s;
		*s = '\0';
		if (c == '=') {
			s++;
			if (*s == '"') {
				val = s + 1;
				if (!(s = lex_quoted(p, key, val)))
					return -1;
				pair_push(p, key, val);
				continue;
			}
			val = s;
			s += strcspn(s, " \t\r\n#");
			c = *s;
			*s = '\0';
		}
		pair_push(p, key, val);
		if (!c || c == '#')
			return 0;
		s++;
	}
}

static void
parse_line(struct cp *p, char *s)
{
	if (lex_line(p, s) < 0 || p->npairs == 0)
		return;
	if (!strcasecmp(p->pairs[0].key, "NodeName"))
		node_line(p);
	else if (!strcasecmp(p->pairs[0].key, "QueueName"))
		queue_line(p);
	else if (!strcasecmp(p->pairs[0].key, "CloudPool"))
		pool_line(p);
	else
		for (size_t i = 0; i < p->npairs; i++)
			global_pair(p, &p->pairs[i]);
}

/* Nodes=ALL: every declared node, written as a hostlist. */
static void
queue_expand_all(struct cp *p, struct conf_queue *q)
{
	struct hc_conf *c = p->conf;
	struct hostlist *hl = hostlist_create();

	if (!c->node_count)
		cp_error(p, "", "QueueName=%s: Nodes=ALL, but no node is "
			 "declared; add NodeName= lines", q->name);
	for (size_t j = 0; j < c->node_count; j++)
		hostlist_push(hl, c->nodes[j].name);
	free(q->nodes);
	q->nodes = hostlist_ranged(hl);
	hostlist_destroy(hl);
}

static void
queue_check_declared(struct cp *p, const struct conf_queue *q)
{
	struct hostlist *hl = hostlist_parse(q->nodes, NULL); /* checked */
	struct hostlist *missing = hostlist_create();
	char *s;

	for (size_t j = 0; hl && j < hl->count; j++)
		if (nameset_get(&p->nodes, hl->names[j]) < 0)
			hostlist_push(missing, hl->names[j]);
	if (missing->count) {
		bool many = missing->count > 1;
		s = hostlist_ranged(missing);
		cp_error(p, "", "QueueName=%s: Nodes: %s %s not declared; "
			 "declare %s with NodeName= or fix the list", q->name,
			 s, many ? "are" : "is", many ? "them" : "it");
		free(s);
	}
	hostlist_destroy(missing);
	hostlist_destroy(hl);
}

/* Queues may name nodes declared after them: checked once all are read. */
static void
queues_check_nodes(struct cp *p)
{
	for (size_t i = 0; i < p->conf->queue_count; i++) {
		struct conf_queue *q = &p->conf->queues[i];
		p->line = q->line;
		if (!strcasecmp(q->nodes, "ALL"))
			queue_expand_all(p, q);
		else
			queue_check_declared(p, q);
	}
}

/* Lines ending in '\' continue on the next; returns the next line start. */
static const char *
next_line(struct cp *p, const char *s, char **out)
{
	size_t len = 0, cap = 256;
	char *buf = hc_malloc(cap);

	for (;;) {
		size_t n = strcspn(s, "\n");
		size_t keep = n;
		bool cont;
		p->line++;
		while (keep && (s[keep - 1] == '\r' || s[keep - 1] == ' ' ||
				s[keep - 1] == '\t'))
			keep--;
		cont = keep && s[keep - 1] == '\\' && s[n];
		if (cont)
			keep--;
		if (len + keep + 2 > cap) {
			cap = (len + keep + 2) * 2;
			buf = hc_realloc(buf, cap);
		}
		memcpy(buf + len, s, keep);
		len += keep;
		buf[len++] = ' ';
		s += n + (s[n] == '\n');
		if (!cont)
			break;
	}
	buf[len] = '\0';
	*out = buf;
	return s;
}

/* A node is DOWN after NodeTimeout without a heartbeat: one heartbeat
 * interval as long would mark every node DOWN between two beats. */
static void
heartbeat_check(struct cp *p)
{
	const struct conf_key *kh = conf_key_find("HeartbeatInterval",
						  CONF_GLOBAL);
	const struct conf_key *kt = conf_key_find("NodeTimeout", CONF_GLOBAL);
	int lh = p->gseen[kh - conf_keys], lt = p->gseen[kt - conf_keys];

	if (p->conf->heartbeat_interval < p->conf->node_timeout)
		return;
	p->line = lh > lt ? lh : lt;
	cp_error(p, "", "HeartbeatInterval=%ld is not below NodeTimeout=%ld: "
		 "every node would go DOWN between two heartbeats; make "
		 "HeartbeatInterval at most a third of NodeTimeout",
		 p->conf->heartbeat_interval, p->conf->node_timeout);
}

static struct hc_conf *
conf_parse(const char *text, const char *name, const char *dir,
	   char **errors, struct hc_err *err)
{
	struct cp p = { .file = name, .dir = dir, .err = err };
	const char *s = text;

	p.gseen = hc_calloc(conf_rows(), sizeof(int));
	p.conf = hc_calloc(1, sizeof(struct hc_conf));
	apply_defaults(CONF_GLOBAL, p.conf);
	while (*s) {
		char *line;
		int first = p.line + 1;
		s = next_line(&p, s, &line);
		int last = p.line;
		p.line = first;
		parse_line(&p, line);
		p.line = last;
		free(line);
	}
	queues_check_nodes(&p);
	pools_check(&p);
	heartbeat_check(&p);
	free(p.gseen);
	free(p.pairs);
	free(p.nodes.keys);
	free(p.nodes.vals);
	if (errors)
		*errors = p.errs;
	else
		free(p.errs);
	if (p.nerr) {
		conf_destroy(p.conf);
		return NULL;
	}
	hc_err_clear(err);
	return p.conf;
}

struct hc_conf *
conf_load_string(const char *text, const char *name, char **errors,
		 struct hc_err *err)
{
	char *dir = NULL, *slash = strrchr(name, '/');
	struct hc_conf *c;

	if (errors)
		*errors = NULL;
	/* Without a directory in name, relative paths are kept as written. */
	if (slash)
		dir = slash == name ? hc_strdup("/") :
		      hc_asprintf("%.*s", (int)(slash - name), name);
	c = conf_parse(text, name, dir, errors, err);
	if (c)
		c->path = hc_strdup(name);
	free(dir);
	return c;
}

static char *
read_file(const char *path, struct hc_err *err)
{
	FILE *f = fopen(path, "r");
	size_t len = 0, cap = 4096, n;
	char *buf;

	if (!f) {
		hc_err_set(err, HC_EIO, "%s: cannot read: %s; check the path, "
			   "or set HC_CONF or pass -f FILE", path,
			   strerror(errno));
		return NULL;
	}
	buf = hc_malloc(cap);
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len > CONF_FILE_MAX) {
			hc_err_set(err, HC_EINVAL, "%s: larger than %d MiB; "
				   "is this hc.conf?", path,
				   CONF_FILE_MAX >> 20);
			fclose(f);
			free(buf);
			return NULL;
		}
		if (cap - len - 1 == 0)
			buf = hc_realloc(buf, cap *= 2);
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

struct hc_conf *
conf_load(const char *path, char **errors, struct hc_err *err)
{
	struct hc_err e;
	char *text, *abs, *slash;
	struct hc_conf *c;

	if (errors)
		*errors = NULL;
	if (!(text = read_file(path, &e))) {
		if (errors)
			*errors = hc_strdup(e.text);
		if (err)
			*err = e;
		return NULL;
	}
	abs = realpath(path, NULL);
	if (!abs)
		abs = hc_strdup(path);
	slash = strrchr(abs, '/');
	if (slash && slash != abs)
		*slash = '\0';
	c = conf_parse(text, path, slash ? (slash == abs ? "/" : abs) : NULL,
		       errors, err);
	if (slash)
		*slash = '/';
	if (c)
		c->path = abs;
	else
		free(abs);
	free(text);
	return c;
}

void
conf_destroy(struct hc_conf *conf)
{
	if (!conf)
		return;
	for (const struct conf_key *k = conf_keys; k->name; k++)
		if (k->scope == CONF_GLOBAL)
			conf_value_free(k, conf);
	for (size_t i = 0; i < conf->node_count; i++)
		node_free_fields(&conf->nodes[i]);
	for (size_t i = 0; i < conf->queue_count; i++)
		queue_free_fields(&conf->queues[i]);
	for (size_t i = 0; i < conf->pool_count; i++)
		pool_free_fields(&conf->pools[i]);
	free(conf->nodes);
	free(conf->queues);
	free(conf->pools);
	free(conf->path);
	free(conf);
}

const char *
conf_default_path(void)
{
	const char *env = getenv("HC_CONF");

	return env && *env ? env : SYSCONFDIR "/hc/hc.conf";
}

const struct conf_node *
conf_node_find(const struct hc_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->node_count; i++)
		if (!strcmp(conf->nodes[i].name, name))
			return &conf->nodes[i];
	return NULL;
}

const struct conf_queue *
conf_queue_find(const struct hc_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->queue_count; i++)
		if (!strcmp(conf->queues[i].name, name))
			return &conf->queues[i];
	return NULL;
}

const struct conf_queue *
conf_queue_default(const struct hc_conf *conf)
{
	for (size_t i = 0; i < conf->queue_count; i++)
		if (conf->queues[i].is_default)
			return &conf->queues[i];
	return conf->queue_count == 1 ? &conf->queues[0] : NULL;
}

char *
conf_value_string(const struct hc_conf *conf, const struct conf_key *k)
{
	if (k->scope != CONF_GLOBAL)
		return hc_strdup("");
	return conf_value_format(k, conf);
}

bool
conf_is_admin(const struct hc_conf *conf, unsigned uid)
{
	/* Security: root is always an admin; otherwise only the users that
	 * AdminUsers names, by uid or by a name that resolves to this uid.
	 * The uid comes from the transport (munge), never from a request. */
	if (uid == 0)
		return true;
	for (size_t i = 0; conf && conf->admin_users &&
			   conf->admin_users[i]; i++) {
		const char *u = conf->admin_users[i];
		struct passwd pw, *res = NULL;
		char buf[4096], *end;
		unsigned long n;

		if (isdigit((unsigned char)*u)) {
			errno = 0;
			n = strtoul(u, &end, 10);
			if (!*end && !errno && n == uid)
				return true;
			continue;
		}
		if (getpwnam_r(u, &pw, buf, sizeof(buf), &res) == 0 && res &&
		    res->pw_uid == uid)
			return true;
	}
	return false;
}
