/*
 * cmd_out: output built in one buffer (hcqueue prints 10,000 lines in a
 * few milliseconds that way), reply field access, list flags and times.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "cmd.h"
#include "log.h"
#include "parse.h"
#include "states.h"

static void
out_reserve(struct outbuf *o, size_t n)
{
	if (o->len + n + 1 <= o->cap)
		return;
	size_t cap = o->cap ? o->cap : 65536;
	while (cap < o->len + n + 1)
		cap *= 2;
	o->buf = hc_realloc(o->buf, cap);
	o->cap = cap;
}

void
out_putn(struct outbuf *o, const char *s, size_t n)
{
	out_reserve(o, n);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void
out_puts(struct outbuf *o, const char *s)
{
	out_putn(o, s, strlen(s));
}

void
out_putc(struct outbuf *o, char c)
{
	out_reserve(o, 1);
	o->buf[o->len++] = c;
}

void
out_printf(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	out_reserve(o, 256);
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= o->cap - o->len) {
		out_reserve(o, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
	}
	o->len += (size_t)n;
}

void
out_field(struct outbuf *o, const char *s, int width, bool right)
{
	size_t n = strlen(s);

	if (width <= 0) {
		out_putn(o, s, n);
		return;
	}
	if (n > (size_t)width)
		n = (size_t)width;
	out_reserve(o, (size_t)width);
	if (right) {
		memset(o->buf + o->len, ' ', (size_t)width - n);
		o->len += (size_t)width - n;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	if (!right) {
		memset(o->buf + o->len, ' ', (size_t)width - n);
		o->len += (size_t)width - n;
	}
}

int
out_flush(struct outbuf *o, FILE *f)
{
	int rc = 0;

	if (o->len && fwrite(o->buf, 1, o->len, f) != o->len)
		rc = -1;
	if (fflush(f) != 0)
		rc = -1;
	free(o->buf);
	memset(o, 0, sizeof(*o));
	return rc;
}

void
cmd_print_json(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

const char *
js(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

long long
ji(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return 0;
}

bool
jb(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

typedef json_t *(*item_fn)(const char *item, struct hc_err *err);

static json_t *
list_parse(const char *csv, item_fn fn, struct hc_err *err)
{
	json_t *a = json_array();
	char *copy = hc_strdup(csv), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		json_t *v = fn(t, err);

		if (!v) {
			json_decref(a);
			a = NULL;
			break;
		}
		json_array_append_new(a, v);
	}
	free(copy);
	if (a && json_array_size(a) == 0) {
		json_decref(a);
		hc_err_set(err, HC_EINVAL, "'%s' is an empty list", csv);
		return NULL;
	}
	return a;
}

static json_t *
item_string(const char *s, struct hc_err *err)
{
	return json_string(s);
}

static json_t *
item_id(const char *s, struct hc_err *err)
{
	long id;

	if (parse_long(s, 1, 0x7fffffffL, &id, NULL) < 0) {
		hc_err_set(err, HC_EINVAL, "'%s' is not a job id (a positive "
			   "number)", s);
		return NULL;
	}
	return json_integer(id);
}

/* A job id, or an array's tasks as ID_TASK or ID_[RANGES] (sent as the
 * string "ID_RANGES", brackets dropped). */
static json_t *
item_ref(const char *s, struct hc_err *err)
{
	const char *us = strchr(s, '_');
	struct array_set set = { 0 };
	struct hc_err perr = { 0 };
	char head[16], spec[ARRAY_SPEC_MAX + 1];
	size_t len;
	long id;

	if (!us)
		return item_id(s, err);
	snprintf(head, sizeof(head), "%.*s", (int)(us - s) < 15 ?
		 (int)(us - s) : 15, s);
	snprintf(spec, sizeof(spec), "%s", us + 1);
	len = strlen(spec);
	if (len >= 2 && spec[0] == '[' && spec[len - 1] == ']') {
		spec[len - 1] = '\0';
		memmove(spec, spec + 1, len - 1);
	}
	if (parse_long(head, 1, 0x7fffffffL, &id, NULL) < 0 ||
	    strlen(us + 1) > ARRAY_SPEC_MAX ||
	    array_set_parse(&set, spec, &perr) < 0) {
		hc_err_set(err, HC_EINVAL, "'%s' is not a job id (a positive "
			   "number; ID_TASK or ID_[RANGES] for array tasks)",
			   s);
		return NULL;
	}
	array_set_free(&set);
	char *t = hc_asprintf("%ld_%s", id, spec);
	json_t *v = json_string(t);

	free(t);
	return v;
}

static json_t *
item_uid(const char *s, struct hc_err *err)
{
	struct passwd *pw = getpwnam(s);
	long uid;

	if (pw)
		return json_integer(pw->pw_uid);
	if (parse_long(s, 0, 0x7fffffffL, &uid, NULL) == 0)
		return json_integer(uid);
	hc_err_set(err, HC_ENOENT, "no such user '%s'; give a user name or "
		   "uid", s);
	return NULL;
}

static json_t *
item_state(const char *s, struct hc_err *err)
{
	int st = job_state_parse(s);

	if (st < 0) {
		char list[512] = "";
		size_t n = 0;

		for (int i = 0; i < JOB_STATE_COUNT && n < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n,
					      "%s%s", i ? " " : "",
					      job_state_name(i));
		hc_err_set(err, HC_EINVAL, "unknown job state '%s'; valid "
			   "states: %s", s, list);
		return NULL;
	}
	return json_string(job_state_name(st));
}

json_t *
cmd_list_strings(const char *csv, struct hc_err *err)
{
	return list_parse(csv, item_string, err);
}

json_t *
cmd_list_ids(const char *csv, struct hc_err *err)
{
	return list_parse(csv, item_id, err);
}

json_t *
cmd_list_job_refs(const char *csv, struct hc_err *err)
{
	return list_parse(csv, item_ref, err);
}

json_t *
cmd_list_uids(const char *csv, struct hc_err *err)
{
	return list_parse(csv, item_uid, err);
}

json_t *
cmd_list_states(const char *csv, struct hc_err *err)
{
	return list_parse(csv, item_state, err);
}

void
cmd_list_merge(json_t *o, const char *key, const json_t *src)
{
	json_t *a = json_object_get(o, key);

	if (!a) {
		a = json_array();
		json_object_set_new(o, key, a);
	}
	json_array_extend(a, (json_t *)src);
}

int
cmd_list_add(json_t *o, const char *key, json_t *l)
{
	if (!l)
		return -1;
	cmd_list_merge(o, key, l);
	json_decref(l);
	return 0;
}

void
cmd_fmt_elapsed(long long secs, char *buf, size_t len)
{
	long long d, h, m, s;

	if (secs < 0)
		secs = 0;
	d = secs / 86400;
	h = secs / 3600 % 24;
	m = secs / 60 % 60;
	s = secs % 60;
	if (d)
		snprintf(buf, len, "%lld-%02lld:%02lld:%02lld", d, h, m, s);
	else if (h)
		snprintf(buf, len, "%lld:%02lld:%02lld", h, m, s);
	else
		snprintf(buf, len, "%lld:%02lld", m, s);
}

void
cmd_fmt_limit(long long minutes, char *buf, size_t len)
{
	if (minutes < 0)
		snprintf(buf, len, "UNLIMITED");
	else if (minutes == 0)
		snprintf(buf, len, "NOT_SET");
	else
		cmd_fmt_elapsed(minutes * 60, buf, len);
}

void
cmd_fmt_time(long long t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || !localtime_r(&tt, &tm))
		snprintf(buf, len, "Unknown");
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}
