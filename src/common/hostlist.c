/*
 * hostlist: expand and compress node name expressions.
 *
 * "n[001-128]" expands to n001..n128 (the width of the lower bound is the
 * width of every name), "gpu[1,3,5-7],login1" to gpu1 gpu3 gpu5 gpu6 gpu7
 * login1. One bracket per name, text may follow it ("r[1-2]-ib"). The total
 * is counted before anything is allocated, so an expression cannot make us
 * allocate more than HOSTLIST_MAX names.
 *
 * Compression is the reverse: names are sorted in natural order (n2 < n10),
 * split into a prefix and a trailing number, and consecutive numbers that
 * print with the same width are merged into ranges.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlist.h"
#include "log.h"

#define HL_DIGITS_MAX 9		/* numbers in ranges: < 10^9 */
/* Longest host name, written alone or made by a range: the same limit for
 * both, so that every list hostlist_ranged() compresses parses back. */
#define HL_NAME_MAX 255

struct hostlist *
hostlist_create(void)
{
	return hc_calloc(1, sizeof(struct hostlist));
}

void
hostlist_destroy(struct hostlist *hl)
{
	if (!hl)
		return;
	for (size_t i = 0; i < hl->count; i++)
		free(hl->names[i]);
	free(hl->names);
	free(hl);
}

void
hostlist_push(struct hostlist *hl, const char *name)
{
	if (hl->count == hl->cap) {
		hl->cap = hl->cap ? hl->cap * 2 : 16;
		hl->names = hc_realloc(hl->names, hl->cap * sizeof(char *));
	}
	hl->names[hl->count++] = hc_strdup(name);
}

long
hostlist_find(const struct hostlist *hl, const char *name)
{
	for (size_t i = 0; i < hl->count; i++)
		if (strcmp(hl->names[i], name) == 0)
			return (long)i;
	return -1;
}

static bool
name_char_ok(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* Check the plain parts of a name (outside brackets). */
static int
check_chars(const char *tok, const char *s, size_t n, struct hc_err *err)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '[')
			return hc_err_set(err, HC_EINVAL,
				"%s: only one [...] range per name; "
				"list such names separately", tok);
		if (s[i] == ']')
			return hc_err_set(err, HC_EINVAL,
				"%s: ']' without '['; write ranges like n[1-4]",
				tok);
		if (!name_char_ok((unsigned char)s[i]))
			return hc_err_set(err, HC_EINVAL,
				"%s: invalid character '%c' in host name; "
				"use letters, digits, '-', '_' and '.'",
				tok, s[i]);
	}
	return 0;
}

/* One number of a range: digits only, at most HL_DIGITS_MAX of them. */
static int
range_num(const char *tok, const char *s, size_t n, unsigned long *out,
	  struct hc_err *err)
{
	if (n == 0)
		return hc_err_set(err, HC_EINVAL,
			"%s: empty number in range; write ranges like "
			"n[1-4] or n[1,3,5-7]", tok);
	if (n > HL_DIGITS_MAX)
		return hc_err_set(err, HC_EINVAL,
			"%s: number too long in range; use at most %d digits",
			tok, HL_DIGITS_MAX);
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return hc_err_set(err, HC_EINVAL,
				"%s: '%.*s' is not a number; write ranges "
				"like n[1-4] or n[1,3,5-7]", tok, (int)n, s);
		*out = *out * 10 + (unsigned long)(s[i] - '0');
	}
	return 0;
}

struct hl_range {
	unsigned long lo, hi;
	int width;
};

/* Parse one "lo[-hi]" item of a bracket. */
static int
range_item(const char *tok, const char *pre, const char *s, size_t n,
	   struct hl_range *r, struct hc_err *err)
{
	const char *dash = memchr(s, '-', n);
	size_t lon = dash ? (size_t)(dash - s) : n;

	if (range_num(tok, s, lon, &r->lo, err) < 0)
		return -1;
	r->width = (int)lon;
	r->hi = r->lo;
	if (dash && range_num(tok, dash + 1, n - lon - 1, &r->hi, err) < 0)
		return -1;
	if (r->hi < r->lo)
		return hc_err_set(err, HC_EINVAL,
			"%s: range is reversed; write %s[%.*s-%.*s]", tok,
			pre, (int)(n - lon - 1), dash + 1, (int)lon, s);
	return 0;
}

/* Length of the longest name range r makes: its widest number is hi,
 * printed with at least the range's width. */
static size_t
name_len(size_t pn, const struct hl_range *r, const char *suf)
{
	int digits = 1;

	for (unsigned long v = r->hi; v >= 10; v /= 10)
		digits++;
	return pn + (size_t)(digits > r->width ? digits : r->width) +
	       strlen(suf);
}

static void
push_num(struct hostlist *hl, const char *pre, size_t pn, int width,
	 unsigned long v, const char *suf)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%.*s%0*lu%s", (int)pn, pre, width, v,
		 suf);
	hostlist_push(hl, buf);
}

/*
 * Expand "pre[items]suf" into hl. Two passes over the items: the first
 * checks them and counts, the second pushes, so that nothing is allocated
 * for an expression that would exceed HOSTLIST_MAX.
 */
static int
expand_bracket(struct hostlist *hl, const char *tok, const char *lb,
	       struct hc_err *err)
{
	const char *rb = strchr(lb, ']');
	size_t pn = (size_t)(lb - tok);
	char pre[HL_NAME_MAX + 1];

	if (!rb)
		return hc_err_set(err, HC_EINVAL,
			"%s: missing ']'; write ranges like n[1-4]", tok);
	if (rb == lb + 1)
		return hc_err_set(err, HC_EINVAL,
			"%s: empty brackets; write ranges like n[1-4]", tok);
	if (check_chars(tok, tok, pn, err) < 0 ||
	    check_chars(tok, rb + 1, strlen(rb + 1), err) < 0)
		return -1;
	if (strlen(rb + 1) + pn + 1 > HL_NAME_MAX)
		return hc_err_set(err, HC_EINVAL,
			"%.40s...: host name too long; keep names under %d "
			"characters", tok, HL_NAME_MAX + 1);
	snprintf(pre, sizeof(pre), "%.*s", (int)pn, tok);
	for (int pass = 0; pass < 2; pass++) {
		size_t total = hl->count;
		const char *p = lb + 1;
		while (p < rb) {
			const char *e = memchr(p, ',', (size_t)(rb - p));
			struct hl_range r;
			if (!e)
				e = rb;
			if (range_item(tok, pre, p, (size_t)(e - p), &r,
				       err) < 0)
				return -1;
			if (name_len(pn, &r, rb + 1) > HL_NAME_MAX)
				return hc_err_set(err, HC_EINVAL,
					"%.40s...: host name too long; keep "
					"names under %d characters", tok,
					HL_NAME_MAX + 1);
			total += r.hi - r.lo + 1;
			if (total > HOSTLIST_MAX)
				return hc_err_set(err, HC_EINVAL,
					"%s: expands to more than %d names; "
					"split the expression", tok,
					HOSTLIST_MAX);
			for (unsigned long v = r.lo; pass && v <= r.hi; v++)
				push_num(hl, tok, pn, r.width, v, rb + 1);
			p = e + 1;
		}
	}
	return 0;
}

static int
expand_token(struct hostlist *hl, const char *tok, struct hc_err *err)
{
	const char *lb = strchr(tok, '[');

	if (*tok == '\0')
		return hc_err_set(err, HC_EINVAL,
			"empty host name; separate names with one comma");
	if (lb)
		return expand_bracket(hl, tok, lb, err);
	if (check_chars(tok, tok, strlen(tok), err) < 0)
		return -1;
	if (strlen(tok) > HL_NAME_MAX)
		return hc_err_set(err, HC_EINVAL,
			"%.40s...: host name too long; keep names under %d "
			"characters", tok, HL_NAME_MAX + 1);
	if (hl->count >= HOSTLIST_MAX)
		return hc_err_set(err, HC_EINVAL,
			"more than %d names; split the expression",
			HOSTLIST_MAX);
	hostlist_push(hl, tok);
	return 0;
}

/* Split at commas outside brackets. */
struct hostlist *
hostlist_parse(const char *expr, struct hc_err *err)
{
	struct hostlist *hl;
	char *copy, *tok;
	int depth = 0;

	if (!expr) {
		hc_err_set(err, HC_EINVAL, "no host list given");
		return NULL;
	}
	hl = hostlist_create();
	if (*expr == '\0')
		return hl;
	copy = hc_strdup(expr);
	tok = copy;
	for (char *p = copy;; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		if ((*p == ',' && depth <= 0) || *p == '\0') {
			bool end = *p == '\0';
			*p = '\0';
			if (expand_token(hl, tok, err) < 0)
				goto fail;
			if (end)
				break;
			tok = p + 1;
			depth = 0;
		}
	}
	free(copy);
	return hl;
fail:
	free(copy);
	hostlist_destroy(hl);
	return NULL;
}

/* Natural order: runs of digits compare by value, then by width. */
static int
natural_cmp(const char *a, const char *b)
{
	const char *sa = a, *sb = b;

	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a, *eb = b;
			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			if (ea - a != eb - b)
				return (ea - a) < (eb - b) ? -1 : 1;
			int c = strncmp(a, b, (size_t)(ea - a));
			if (c)
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	if (*a || *b)
		return *a ? 1 : -1;
	return strcmp(sa, sb);
}

static int
natural_qsort_cmp(const void *a, const void *b)
{
	return natural_cmp(*(char *const *)a, *(char *const *)b);
}

void
hostlist_uniq(struct hostlist *hl)
{
	size_t out = 0;

	if (hl->count == 0)
		return;
	qsort(hl->names, hl->count, sizeof(char *), natural_qsort_cmp);
	for (size_t i = 0; i < hl->count; i++) {
		if (out > 0 && strcmp(hl->names[out - 1], hl->names[i]) == 0) {
			free(hl->names[i]);
			continue;
		}
		hl->names[out++] = hl->names[i];
	}
	hl->count = out;
}

/* A name split as prefix + trailing number ("n" 7 "007"). */
struct hl_split {
	const char *name;
	size_t plen;		/* length of the prefix */
	int digits;		/* length of the trailing number, 0 if none */
	unsigned long num;
};

static void
split_name(const char *name, struct hl_split *s)
{
	size_t n = strlen(name), i = n;

	while (i > 0 && isdigit((unsigned char)name[i - 1]))
		i--;
	s->name = name;
	s->plen = i;
	s->digits = (int)(n - i);
	if (s->digits > HL_DIGITS_MAX) {	/* too long to be a range */
		s->plen = n;
		s->digits = 0;
	}
	s->num = s->digits ? strtoul(name + i, NULL, 10) : 0;
}

/* Whether b prints as its own digits with width w. */
static bool
fits_width(const struct hl_split *b, int w)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%0*lu", w, b->num);
	return (int)strlen(buf) == b->digits;
}

static bool
same_prefix(const struct hl_split *a, const struct hl_split *b)
{
	return a->plen == b->plen && strncmp(a->name, b->name, a->plen) == 0;
}

static void
buf_add(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = hc_realloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

/*
 * Emit the group of names v[i..] that share a prefix and a width; returns
 * the index after it. Within a group, consecutive numbers form ranges.
 */
static size_t
emit_group(const struct hl_split *v, size_t i, size_t n, char **buf,
	   size_t *len, size_t *cap)
{
	int w = v[i].digits;
	size_t j = i + 1, k;
	char tmp[64];

	while (j < n && v[j].digits && same_prefix(&v[i], &v[j]) &&
	       fits_width(&v[j], w) && v[j].num != v[j - 1].num)
		j++;
	if (j == i + 1) {
		buf_add(buf, len, cap, v[i].name);
		return j;
	}
	char *pre = hc_asprintf("%.*s[", (int)v[i].plen, v[i].name);
	buf_add(buf, len, cap, pre);
	free(pre);
	for (k = i; k < j;) {
		size_t e = k;
		while (e + 1 < j && v[e + 1].num == v[e].num + 1)
			e++;
		if (e == k)
			snprintf(tmp, sizeof(tmp), "%s%0*lu", k > i ? "," : "",
				 w, v[k].num);
		else
			snprintf(tmp, sizeof(tmp), "%s%0*lu-%0*lu",
				 k > i ? "," : "", w, v[k].num, w, v[e].num);
		buf_add(buf, len, cap, tmp);
		k = e + 1;
	}
	buf_add(buf, len, cap, "]");
	return j;
}

char *
hostlist_ranged(const struct hostlist *hl)
{
	struct hostlist *copy = hostlist_create();
	struct hl_split *v;
	size_t len = 0, cap = 64;
	char *buf = hc_malloc(cap);

	buf[0] = '\0';
	for (size_t i = 0; i < hl->count; i++)
		hostlist_push(copy, hl->names[i]);
	hostlist_uniq(copy);
	v = hc_calloc(copy->count ? copy->count : 1, sizeof(*v));
	for (size_t i = 0; i < copy->count; i++)
		split_name(copy->names[i], &v[i]);
	for (size_t i = 0; i < copy->count;) {
		if (i > 0)
			buf_add(&buf, &len, &cap, ",");
		if (v[i].digits == 0) {
			buf_add(&buf, &len, &cap, v[i].name);
			i++;
			continue;
		}
		i = emit_group(v, i, copy->count, &buf, &len, &cap);
	}
	free(v);
	hostlist_destroy(copy);
	return buf;
}
