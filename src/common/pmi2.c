/*
 * pmi2: the simple-PMI server (see pmi2.h): per-client input buffers, the
 * version a client speaks, the key-value store and fences. The two wire
 * forms are read into one list of key=value pairs, and each command is a
 * row of one table per version.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pmi2.h"

#define PMI_LINE_MAX (64u * 1024)
#define PMI_KEY_MAX 64
#define PMI_VAL_MAX 1024
#define PMI_NAME_MAX 256
#define PMI_PAIRS 16
/* What one node's ranks may put in all (the agent holds it). */
#define PMI_PUT_BYTES_MAX (64u << 20)

struct pmi_client {
	int rank;
	int version;		/* 0, 1 or 2 */
	bool in_fence, done, in_mcmd;
	char *buf;		/* unread input */
	size_t len;
};

struct pmi2_srv {
	struct pmi2_info info;
	char *jobid, *mapping;
	struct pmi2_ops ops;
	void *arg;
	struct pmi_client *c;
	json_t *kvs;		/* everything known after the last fence */
	json_t *puts;		/* this node's puts since the last fence */
	json_t *nodeattr;	/* info-putnodeattr */
	size_t put_bytes;	/* put by this node's ranks so far */
	unsigned seq;		/* fences completed */
	int entered;		/* clients inside the current fence */
	bool waiting;		/* fence_fn called, waiting for done */
};

static char *
dup_n(const char *p, size_t n)
{
	char *s = hc_malloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

struct pair {
	char *k, *v;
};

struct msg {
	struct pair p[PMI_PAIRS];
	int n;
};

static const char *
msg_get(const struct msg *m, const char *key)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->p[i].k, key) == 0)
			return m->p[i].v;
	return NULL;
}

/* PMI-1: "cmd=put kvsname=k key=x value=a b" in place. The value of the
 * last key runs to the end of the line only for "value" (some clients
 * put spaces in it); every other word ends at a space. */
static int
parse_v1(char *line, struct msg *m)
{
	char *p = line;

	m->n = 0;
	while (*p) {
		char *eq, *end;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (m->n == PMI_PAIRS || !(eq = strchr(p, '=')))
			return -1;
		*eq = '\0';
		m->p[m->n].k = p;
		m->p[m->n].v = eq + 1;
		if (strcmp(p, "value") == 0) {
			m->n++;
			break;
		}
		end = strchr(eq + 1, ' ');
		m->n++;
		if (!end)
			break;
		*end = '\0';
		p = end + 1;
	}
	return m->n ? 0 : -1;
}

/* PMI-2: "cmd=kvs-put;key=x;value=a;;b;" in place (";;" is a ';'). */
static int
parse_v2(char *s, struct msg *m)
{
	char *r = s, *w;

	m->n = 0;
	while (*r) {
		if (m->n == PMI_PAIRS)
			return -1;
		m->p[m->n].k = r;
		while (*r && *r != '=' && *r != ';')
			r++;
		if (*r != '=')
			return -1;
		*r++ = '\0';
		m->p[m->n].v = w = r;
		for (;;) {
			if (!*r)
				break;
			if (*r == ';' && r[1] == ';') {
				*w++ = ';';
				r += 2;
			} else if (*r == ';') {
				r++;
				break;
			} else {
				*w++ = *r++;
			}
		}
		*w = '\0';
		m->n++;
	}
	return m->n ? 0 : -1;
}

static void
send_raw(struct pmi2_srv *s, int c, const char *text)
{
	s->ops.send(s->arg, c, text, strlen(text));
}

/* A PMI-2 reply: fields "k=v" joined, ';' in values doubled, framed. */
static void __attribute__((format(printf, 3, 4)))
reply_v2(struct pmi2_srv *s, int c, const char *fmt, ...)
{
	char body[PMI_LINE_MAX], frame[PMI_LINE_MAX + 8];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = snprintf(body, sizeof(body), "cmd=error;rc=-1;");
	snprintf(frame, sizeof(frame), "%-6d%s", n, body);
	send_raw(s, c, frame);
}

static void __attribute__((format(printf, 3, 4)))
reply_v1(struct pmi2_srv *s, int c, const char *fmt, ...)
{
	char line[PMI_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		n = snprintf(line, sizeof(line), "cmd=error rc=-1");
	strcat(line, "\n");
	send_raw(s, c, line);
}

/* A value with ';' doubled for PMI-2 (malloc'ed). */
static char *
esc_v2(const char *v)
{
	char *out = hc_malloc(strlen(v) * 2 + 1), *w = out;

	for (; *v; v++) {
		if (*v == ';')
			*w++ = ';';
		*w++ = *v;
	}
	*w = '\0';
	return out;
}

static const char *
kvs_find(const struct pmi2_srv *s, const char *key)
{
	const char *v = json_string_value(json_object_get(s->kvs, key));

	if (!v)
		v = json_string_value(json_object_get(s->puts, key));
	if (!v && strcmp(key, "PMI_process_mapping") == 0)
		v = s->mapping;
	return v;
}

static int
kvs_put(struct pmi2_srv *s, const char *key, const char *val,
	struct hc_err *err)
{
	if (!key || !val || !*key || strlen(key) >= PMI_KEY_MAX ||
	    strlen(val) >= PMI_VAL_MAX)
		return hc_err_set(err, HC_EINVAL, "PMI put: bad key or value");
	s->put_bytes += strlen(key) + strlen(val);
	if (s->put_bytes > PMI_PUT_BYTES_MAX)
		return hc_err_set(err, HC_EINVAL, "PMI put: this node's ranks "
				  "put more than %u MiB", PMI_PUT_BYTES_MAX >> 20);
	json_object_set_new(s->puts, key, json_string(val));
	return 0;
}

static void
fence_enter(struct pmi2_srv *s, int c)
{
	s->c[c].in_fence = true;
	if (++s->entered < s->info.nclients)
		return;
	s->waiting = true;
	json_t *p = s->puts;
	s->puts = json_object();
	json_object_update(s->kvs, p);	/* our own, visible at once */
	s->ops.fence(s->arg, s->seq, p);
}

void
pmi2_fence_done(struct pmi2_srv *s, unsigned seq, const json_t *kvs)
{
	if (!s->waiting || seq != s->seq)
		return;
	json_object_update(s->kvs, (json_t *)kvs);
	s->waiting = false;
	s->entered = 0;
	s->seq++;
	for (int c = 0; c < s->info.nclients; c++) {
		if (!s->c[c].in_fence)
			continue;
		s->c[c].in_fence = false;
		if (s->c[c].version == 2)
			reply_v2(s, c, "cmd=kvs-fence-response;rc=0;");
		else
			reply_v1(s, c, "cmd=barrier_out rc=0");
	}
}

/* --- PMI-1 ------------------------------------------------------------ */

static int
v1_cmd(struct pmi2_srv *s, int c, struct msg *m, struct hc_err *err)
{
	const char *cmd = msg_get(m, "cmd"), *k, *v;

	if (!cmd)
		return hc_err_set(err, HC_EPROTO, "PMI-1 line without cmd=");
	if (!strcmp(cmd, "get_maxes"))
		reply_v1(s, c, "cmd=maxes kvsname_max=%d keylen_max=%d "
			 "vallen_max=%d rc=0", PMI_NAME_MAX, PMI_KEY_MAX,
			 PMI_VAL_MAX);
	else if (!strcmp(cmd, "get_appnum"))
		reply_v1(s, c, "cmd=appnum appnum=%d rc=0", s->info.appnum);
	else if (!strcmp(cmd, "get_my_kvsname"))
		reply_v1(s, c, "cmd=my_kvsname kvsname=%s rc=0", s->jobid);
	else if (!strcmp(cmd, "get_universe_size"))
		reply_v1(s, c, "cmd=universe_size size=%d rc=0", s->info.size);
	else if (!strcmp(cmd, "put")) {
		if (kvs_put(s, msg_get(m, "key"), msg_get(m, "value"), err))
			reply_v1(s, c, "cmd=put_result rc=-1 msg=%s",
				 "bad_key_or_value");
		else
			reply_v1(s, c, "cmd=put_result rc=0");
	} else if (!strcmp(cmd, "get")) {
		k = msg_get(m, "key");
		if (k && (v = kvs_find(s, k)))
			reply_v1(s, c, "cmd=get_result rc=0 value=%s", v);
		else
			reply_v1(s, c, "cmd=get_result rc=-1 msg=key_%s_not_"
				 "found", k ? k : "");
	} else if (!strcmp(cmd, "barrier_in"))
		fence_enter(s, c);
	else if (!strcmp(cmd, "finalize")) {
		s->c[c].done = true;
		reply_v1(s, c, "cmd=finalize_ack rc=0");
	} else if (!strcmp(cmd, "abort")) {
		k = msg_get(m, "exitcode");
		s->ops.abort(s->arg, c, k ? atoi(k) : 1, "PMI abort");
	} else if (!strcmp(cmd, "init")) {
		return hc_err_set(err, HC_EPROTO, "PMI init twice");
	} else {
		reply_v1(s, c, "cmd=%s rc=-1 msg=unsupported_by_hc", cmd);
	}
	return 0;
}

/* The first line: cmd=init pmi_version=V. */
static int
v1_init(struct pmi2_srv *s, int c, struct msg *m, struct hc_err *err)
{
	const char *cmd = msg_get(m, "cmd"), *ver = msg_get(m, "pmi_version");

	if (!cmd || strcmp(cmd, "init") || !ver)
		return hc_err_set(err, HC_EPROTO, "PMI client began without "
				  "cmd=init pmi_version=");
	if (!strcmp(ver, "1")) {
		s->c[c].version = 1;
		reply_v1(s, c, "cmd=response_to_init pmi_version=1 "
			 "pmi_subversion=1 rc=0");
	} else if (!strcmp(ver, "2")) {
		s->c[c].version = 2;
		reply_v1(s, c, "cmd=response_to_init pmi_version=2 "
			 "pmi_subversion=0 rc=0");
	} else {
		reply_v1(s, c, "cmd=response_to_init pmi_version=1 "
			 "pmi_subversion=1 rc=-1");
		return hc_err_set(err, HC_EPROTO, "PMI version %s asked; this "
				  "server speaks 1 and 2", ver);
	}
	return 0;
}

/* --- PMI-2 ------------------------------------------------------------ */

static void
v2_found(struct pmi2_srv *s, int c, const char *resp, const char *v)
{
	char *e;

	if (!v) {
		reply_v2(s, c, "cmd=%s;found=FALSE;rc=0;", resp);
		return;
	}
	e = esc_v2(v);
	reply_v2(s, c, "cmd=%s;found=TRUE;value=%s;rc=0;", resp, e);
	free(e);
}

static int
v2_cmd(struct pmi2_srv *s, int c, struct msg *m, struct hc_err *err)
{
	const char *cmd = msg_get(m, "cmd"), *k = msg_get(m, "key"), *v;
	char num[32];

	if (!cmd)
		return hc_err_set(err, HC_EPROTO, "PMI-2 frame without cmd=");
	if (!strcmp(cmd, "fullinit")) {
		v = msg_get(m, "pmirank");
		if (v && atoi(v) != s->c[c].rank)
			return hc_err_set(err, HC_EPROTO, "PMI-2 fullinit as "
					  "rank %s, but this is rank %d", v,
					  s->c[c].rank);
		reply_v2(s, c, "cmd=fullinit-response;pmi-version=2;"
			 "pmi-subversion=0;rank=%d;size=%d;appnum=%d;"
			 "spawner-jobid=;debugged=FALSE;pmiverbose=FALSE;"
			 "rc=0;", s->c[c].rank, s->info.size, s->info.appnum);
	} else if (!strcmp(cmd, "job-getid")) {
		reply_v2(s, c, "cmd=job-getid-response;jobid=%s;rc=0;",
			 s->jobid);
	} else if (!strcmp(cmd, "info-getjobattr")) {
		snprintf(num, sizeof(num), "%d", s->info.size);
		v = !k ? NULL : !strcmp(k, "PMI_process_mapping") ?
		    s->mapping : !strcmp(k, "universeSize") ? num : NULL;
		v2_found(s, c, "info-getjobattr-response", v);
	} else if (!strcmp(cmd, "info-putnodeattr")) {
		if (!k || !(v = msg_get(m, "value")))
			return hc_err_set(err, HC_EPROTO, "PMI-2 "
					  "info-putnodeattr without key/value");
		json_object_set_new(s->nodeattr, k, json_string(v));
		reply_v2(s, c, "cmd=info-putnodeattr-response;rc=0;");
	} else if (!strcmp(cmd, "info-getnodeattr")) {
		v2_found(s, c, "info-getnodeattr-response", k ?
			 json_string_value(json_object_get(s->nodeattr, k)) :
			 NULL);
	} else if (!strcmp(cmd, "kvs-put")) {
		if (kvs_put(s, k, msg_get(m, "value"), err) < 0)
			return -1;
		reply_v2(s, c, "cmd=kvs-put-response;rc=0;");
	} else if (!strcmp(cmd, "kvs-get")) {
		v2_found(s, c, "kvs-get-response", k ? kvs_find(s, k) : NULL);
	} else if (!strcmp(cmd, "kvs-fence")) {
		fence_enter(s, c);
	} else if (!strcmp(cmd, "finalize")) {
		s->c[c].done = true;
		reply_v2(s, c, "cmd=finalize-response;rc=0;");
	} else if (!strcmp(cmd, "abort")) {
		v = msg_get(m, "msg");
		s->ops.abort(s->arg, c, 1, v ? v : "PMI-2 abort");
	} else {
		reply_v2(s, c, "cmd=%.64s-response;rc=-1;errmsg=unsupported by "
			 "hc;", cmd);
	}
	return 0;
}

/* --- input ------------------------------------------------------------ */

/* One complete message at the head of the client's buffer: handled and
 * consumed. 1 if there was one, 0 if more input is needed, -1 on error. */
static int
input_one(struct pmi2_srv *s, int c, struct hc_err *err)
{
	struct pmi_client *cl = &s->c[c];
	struct msg m;
	size_t used;
	char *text, *nl;
	int rc;

	if (cl->version == 2) {
		char lenbuf[7];
		char *end;
		long n;
		if (cl->len < 6)
			return 0;
		memcpy(lenbuf, cl->buf, 6);
		lenbuf[6] = '\0';
		n = strtol(lenbuf, &end, 10);
		if (end == lenbuf || n <= 0 || (size_t)n > PMI_LINE_MAX)
			return hc_err_set(err, HC_EPROTO, "bad PMI-2 frame "
					  "length '%s'", lenbuf);
		if (cl->len < 6 + (size_t)n)
			return 0;
		used = 6 + (size_t)n;
		text = dup_n(cl->buf + 6, (size_t)n);
		rc = parse_v2(text, &m) < 0 ?
		     hc_err_set(err, HC_EPROTO, "bad PMI-2 frame") :
		     v2_cmd(s, c, &m, err);
	} else {
		if (cl->version == 0 && cl->len && (cl->buf[0] == ' ' ||
		    (cl->buf[0] >= '0' && cl->buf[0] <= '9'))) {
			cl->version = 2;	/* a framed fullinit, no init */
			return 1;
		}
		if (!(nl = memchr(cl->buf, '\n', cl->len)))
			return 0;
		used = (size_t)(nl - cl->buf) + 1;
		text = dup_n(cl->buf, used - 1);
		if (cl->in_mcmd || !strncmp(text, "mcmd=", 5)) {
			/* spawn: read to endcmd, then say no */
			cl->in_mcmd = strcmp(text, "endcmd") != 0;
			if (!cl->in_mcmd)
				reply_v1(s, c, "cmd=spawn_result rc=-1 "
					 "errmsg=unsupported_by_hc");
			rc = 0;
		} else if (parse_v1(text, &m) < 0) {
			rc = hc_err_set(err, HC_EPROTO, cl->version ?
					"bad PMI-1 line" : "PMI client began "
					"without cmd=init pmi_version=");
		} else {
			rc = cl->version ? v1_cmd(s, c, &m, err) :
			     v1_init(s, c, &m, err);
		}
	}
	free(text);
	memmove(cl->buf, cl->buf + used, cl->len - used);
	cl->len -= used;
	return rc < 0 ? -1 : 1;
}

int
pmi2_input(struct pmi2_srv *s, int c, const char *data, size_t len,
	   struct hc_err *err)
{
	struct pmi_client *cl;
	int rc;

	if (c < 0 || c >= s->info.nclients)
		return hc_err_set(err, HC_EINVAL, "no PMI client %d", c);
	cl = &s->c[c];
	if (cl->len + len > PMI_LINE_MAX + 8)
		return hc_err_set(err, HC_EPROTO, "PMI message longer than %u "
				  "bytes", PMI_LINE_MAX);
	cl->buf = hc_realloc(cl->buf, cl->len + len + 1);
	memcpy(cl->buf + cl->len, data, len);
	cl->len += len;
	while ((rc = input_one(s, c, err)) > 0)
		;
	return rc;
}

int
pmi2_version(const struct pmi2_srv *s, int client)
{
	return client >= 0 && client < s->info.nclients ?
	       s->c[client].version : 0;
}

int
pmi2_finalized(const struct pmi2_srv *s, int client)
{
	return client >= 0 && client < s->info.nclients &&
	       s->c[client].done;
}

/* --- life ------------------------------------------------------------- */

struct pmi2_srv *
pmi2_create(const struct pmi2_info *info, const struct pmi2_ops *ops,
	    void *arg, struct hc_err *err)
{
	struct pmi2_srv *s;

	if (!info->jobid || !*info->jobid || strchr(info->jobid, ' ') ||
	    strchr(info->jobid, ';') || strlen(info->jobid) >= PMI_NAME_MAX ||
	    info->size < 1 || info->nclients < 0 ||
	    info->nclients > info->size || !info->mapping) {
		hc_err_set(err, HC_EINVAL, "bad PMI server description");
		return NULL;
	}
	s = hc_calloc(1, sizeof(*s));
	s->info = *info;
	s->jobid = hc_strdup(info->jobid);
	s->mapping = hc_strdup(info->mapping);
	s->info.jobid = s->jobid;
	s->info.mapping = s->mapping;
	s->info.ranks = NULL;
	s->ops = *ops;
	s->arg = arg;
	s->c = hc_calloc((size_t)info->nclients + 1, sizeof(*s->c));
	for (int i = 0; i < info->nclients; i++)
		s->c[i].rank = info->ranks[i];
	s->kvs = json_object();
	s->puts = json_object();
	s->nodeattr = json_object();
	return s;
}

void
pmi2_destroy(struct pmi2_srv *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->info.nclients; i++)
		free(s->c[i].buf);
	free(s->c);
	json_decref(s->kvs);
	json_decref(s->puts);
	json_decref(s->nodeattr);
	free(s->jobid);
	free(s->mapping);
	free(s);
}

static void
map_add(char **out, size_t *cap, size_t *off, int start, int nodes, int run)
{
	char blk[64];
	int k = snprintf(blk, sizeof(blk), ",(%d,%d,%d)", start, nodes, run);

	if (*off + (size_t)k + 2 > *cap)
		*out = hc_realloc(*out, *cap = (*off + (size_t)k + 2) * 2);
	memcpy(*out + *off, blk, (size_t)k + 1);
	*off += (size_t)k;
}

/* Runs of ranks on one node become (node,1,run); neighbouring runs of the
 * same length on consecutive nodes merge into (start,nodes,run). Rank
 * order is kept, so the vector need not repeat. */
char *
pmi2_mapping(const int *node_of, int n)
{
	size_t cap = 64, off;
	char *out = hc_malloc(cap);
	int bstart = 0, bnodes = 0, brun = 0;

	off = (size_t)snprintf(out, cap, "(vector");
	for (int r = 0; r < n;) {
		int node = node_of[r], run = 1;
		while (r + run < n && node_of[r + run] == node)
			run++;
		if (bnodes && run == brun && node == bstart + bnodes) {
			bnodes++;
		} else {
			if (bnodes)
				map_add(&out, &cap, &off, bstart, bnodes, brun);
			bstart = node;
			bnodes = 1;
			brun = run;
		}
		r += run;
	}
	if (bnodes)
		map_add(&out, &cap, &off, bstart, bnodes, brun);
	snprintf(out + off, cap - off, ")");
	return out;
}
