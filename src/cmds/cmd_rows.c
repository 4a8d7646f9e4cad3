/*
 * cmd_rows: the reader of a "rows" reply (JOB_QUERY "format": "rows"):
 *
 *	{"rc": 0, "fields": ["job_id", ...], "rows": [[12, "batch", ...], ...]}
 *
 * A general JSON parser builds a tree of every value (10,000 jobs: 100,000
 * allocations, ~20 ms); this one reads exactly this shape in one pass and
 * copies each cell's text into one arena, so a cell is a borrowed C string.
 * It is strict: anything else (nested values in a row, a row of the wrong
 * width, bad escapes, control characters) is an error, never a guess.
 * Numbers, true/false are kept as their text; null becomes "".
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

struct rp {
	const char *p, *end;
	char *arena;		/* where the next cell's text goes */
	struct hc_err *err;
};

static int
rp_fail(struct rp *r, const char *what)
{
	return hc_err_set(r->err, HC_EPROTO, "bad rows reply: %s", what);
}

static void
rp_ws(struct rp *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
				 *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* Expect c (after whitespace). */
static int
rp_expect(struct rp *r, char c)
{
	rp_ws(r);
	if (r->p >= r->end || *r->p != c)
		return -1;
	r->p++;
	return 0;
}

static int
hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *
put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* \uXXXX (and its low surrogate) at r->p, just after the 'u'. */
static int
rp_unicode(struct rp *r, char **o)
{
	uint32_t cp, lo;

	if (r->end - r->p < 4 || hex4(r->p, &cp) < 0)
		return rp_fail(r, "bad \\u escape");
	r->p += 4;
	if (cp >= 0xd800 && cp < 0xdc00) {
		if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
		    hex4(r->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
			return rp_fail(r, "lone surrogate");
		r->p += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		return rp_fail(r, "lone surrogate");
	}
	*o = put_utf8(*o, cp);
	return 0;
}

/* A string at r->p (the opening quote), unescaped into the arena. */
static const char *
rp_string(struct rp *r)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	char *start = r->arena, *o = r->arena;

	r->p++;
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p++;
		const char *e;

		if (c < 0x20) {
			rp_fail(r, "control character in a string");
			return NULL;
		}
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (r->p >= r->end) {
			break;
		} else if (*r->p == 'u') {
			r->p++;
			if (rp_unicode(r, &o) < 0)
				return NULL;
		} else if (*r->p && (e = strchr(esc_in, *r->p))) {
			*o++ = esc_out[e - esc_in];
			r->p++;
		} else {
			rp_fail(r, "bad escape");
			return NULL;
		}
	}
	if (r->p >= r->end) {
		rp_fail(r, "unterminated string");
		return NULL;
	}
	r->p++;
	*o++ = '\0';
	r->arena = o;
	return start;
}

/* A scalar: string, number, true, false, null. */
static const char *
rp_scalar(struct rp *r)
{
	const char *s;
	char *start = r->arena;
	size_t n;

	rp_ws(r);
	if (r->p >= r->end) {
		rp_fail(r, "truncated");
		return NULL;
	}
	if (*r->p == '"')
		return rp_string(r);
	s = r->p;
	while (r->p < r->end && (strchr("+-.eE", *r->p) ||
				 (*r->p >= '0' && *r->p <= '9') ||
				 (*r->p >= 'a' && *r->p <= 'z')))
		r->p++;
	n = (size_t)(r->p - s);
	if (n == 4 && !memcmp(s, "null", 4))
		n = 0;
	else if (n == 0 || (!(n == 4 && !memcmp(s, "true", 4)) &&
			    !(n == 5 && !memcmp(s, "false", 5)) &&
			    !strchr("-0123456789", *s))) {
		rp_fail(r, "unexpected value");
		return NULL;
	}
	memcpy(start, s, n);
	start[n] = '\0';
	r->arena = start + n + 1;
	return start;
}

static void
cells_push(struct cmd_rows *t, const char *s, size_t *cap)
{
	size_t n = t->nrows * (size_t)t->nfields + t->ncur;

	if (n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		t->cells = hc_realloc(t->cells, *cap * sizeof(*t->cells));
	}
	t->cells[n] = s;
	t->ncur++;
}

/* [ "a", "b" ] */
static int
rp_fields(struct rp *r, struct cmd_rows *t)
{
	if (rp_expect(r, '[') < 0)
		return rp_fail(r, "fields is not an array");
	rp_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return 0;
	}
	do {
		const char *s;

		rp_ws(r);
		if (r->p >= r->end || *r->p != '"')
			return rp_fail(r, "a field name is not a string");
		if (!(s = rp_string(r)))
			return -1;
		t->fields = hc_realloc(t->fields, (size_t)(t->nfields + 1) *
				       sizeof(*t->fields));
		t->fields[t->nfields++] = s;
	} while (rp_expect(r, ',') == 0);
	return rp_expect(r, ']') < 0 ? rp_fail(r, "fields not closed") : 0;
}

/* [ [v, ...], ... ] with nfields values per row. */
static int
rp_rows(struct rp *r, struct cmd_rows *t)
{
	size_t cap = 0;

	if (t->nfields == 0)
		return rp_fail(r, "rows before fields");
	if (rp_expect(r, '[') < 0)
		return rp_fail(r, "rows is not an array");
	rp_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return 0;
	}
	do {
		if (rp_expect(r, '[') < 0)
			return rp_fail(r, "a row is not an array");
		t->ncur = 0;
		do {
			const char *s = rp_scalar(r);

			if (!s)
				return -1;
			if (t->ncur == t->nfields)
				return rp_fail(r, "a row is too long");
			cells_push(t, s, &cap);
		} while (rp_expect(r, ',') == 0);
		if (rp_expect(r, ']') < 0 || t->ncur != t->nfields)
			return rp_fail(r, "a row is not closed or too short");
		t->nrows++;
		t->ncur = 0;
	} while (rp_expect(r, ',') == 0);
	return rp_expect(r, ']') < 0 ? rp_fail(r, "rows not closed") : 0;
}

static int
rp_member(struct rp *r, struct cmd_rows *t)
{
	const char *key, *v;

	rp_ws(r);
	if (r->p >= r->end || *r->p != '"' || !(key = rp_string(r)))
		return rp_fail(r, "expected a key");
	if (rp_expect(r, ':') < 0)
		return rp_fail(r, "expected ':'");
	if (!strcmp(key, "fields"))
		return rp_fields(r, t);
	if (!strcmp(key, "rows"))
		return rp_rows(r, t);
	if (!(v = rp_scalar(r)))
		return -1;
	if (!strcmp(key, "rc"))
		t->rc = strtoll(v, NULL, 10);
	else if (!strcmp(key, "error"))
		t->error = v;
	return 0;
}

int
cmd_rows_parse(const char *text, size_t len, struct cmd_rows *t,
	       struct hc_err *err)
{
	struct rp r = { .p = text, .end = text + len, .err = err };

	memset(t, 0, sizeof(*t));
	/* Each cell's text is no longer than its source, plus its NUL. */
	t->arena = hc_malloc(2 * len + 2);
	r.arena = t->arena;
	if (rp_expect(&r, '{') < 0)
		return rp_fail(&r, "not an object");
	rp_ws(&r);
	if (r.p < r.end && *r.p == '}')
		r.p++;
	else {
		do {
			if (rp_member(&r, t) < 0)
				return -1;
		} while (rp_expect(&r, ',') == 0);
		if (rp_expect(&r, '}') < 0)
			return rp_fail(&r, "object not closed");
	}
	rp_ws(&r);
	if (r.p != r.end)
		return rp_fail(&r, "trailing bytes");
	return 0;
}

int
cmd_rows_col(const struct cmd_rows *t, const char *name)
{
	for (int i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i], name))
			return i;
	return -1;
}

void
cmd_rows_free(struct cmd_rows *t)
{
	free(t->arena);
	free(t->fields);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

const char *const *
cmd_call_rows(const struct cmd_info *ci, struct hc_client *c, unsigned type,
	      json_t *req, struct cmd_rows *t)
{
	struct hc_err err = {0};
	size_t len = 0;
	char *text = hc_client_call_text(c, type, req, &len, &err);

	json_decref(req);
	if (!text || cmd_rows_parse(text, len, t, &err) < 0) {
		free(text);
		hc_client_destroy(c);
		cmd_die_err(ci, &err);
	}
	free(text);
	if (t->rc != 0) {
		int rc = t->rc < 0 || t->rc > HC_EINTERNAL ? HC_EINTERNAL
							  : (int)t->rc;

		hc_client_destroy(c);
		cmd_die(ci, rc, "%s", t->error ? t->error : hc_err_name(rc));
	}
	return t->cells;
}
