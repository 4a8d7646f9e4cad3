/*
 * swf: the Standard Workload Format reader (see swf.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "swf.h"

static const char *const field_names[SWF_FIELDS] = {
	"job number", "submit time", "wait time", "run time",
	"allocated processors", "average CPU time", "used memory",
	"requested processors", "requested time", "requested memory",
	"status", "user id", "group id", "executable", "queue", "partition",
	"preceding job", "think time",
};

/* Fields hcsim uses must be integers; the others may be decimals. */
static bool
field_integral(int k)
{
	return k == 0 || k == 1 || k == 3 || k == 4 || k == 7 || k == 8 ||
	       k == 11;
}

static int
why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* "; MaxProcs: 256": a positive integer, or an error. */
static int
header_number(const char *v, long *out, const char *key, char *why,
	      size_t len)
{
	char *end;
	long n;

	while (*v == ' ' || *v == '\t')
		v++;
	errno = 0;
	n = strtol(v, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	if (errno || end == v || *end || n <= 0)
		return why_set(why, len, "%s: '%s' is not a positive "
			       "integer; write '; %s: N'", key, v, key);
	*out = n;
	return 0;
}

static int
header_line(struct swf_trace *t, const char *line, char *why, size_t len)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "MaxProcs", offsetof(struct swf_trace, max_procs) },
		{ "MaxNodes", offsetof(struct swf_trace, max_nodes) },
	};

	line++;
	while (*line == ' ' || *line == '\t')
		line++;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t n = strlen(keys[k].key);

		if (!strncasecmp(line, keys[k].key, n) && line[n] == ':')
			return header_number(line + n + 1,
					     (long *)((char *)t + keys[k].off),
					     keys[k].key, why, len);
	}
	return 0;
}

/* Split into fields and check each is a number. */
static int
data_fields(const char *line, double *v, char *why, size_t len)
{
	const char *p = line;
	int k = 0;

	for (;;) {
		char *end;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (k == SWF_FIELDS)
			return why_set(why, len, "more than %d fields; a "
				       "data line has exactly %d numbers",
				       SWF_FIELDS, SWF_FIELDS);
		errno = 0;
		v[k] = strtod(p, &end);
		if (end == p || errno ||
		    (*end && *end != ' ' && *end != '\t' && *end != '\r')) {
			size_t n = strcspn(p, " \t\r");
			return why_set(why, len, "field %d (%s): '%.*s' is not "
				       "a number; write -1 for unknown",
				       k + 1, field_names[k],
				       (int)(n > 40 ? 40 : n), p);
		}
		if (field_integral(k) && (v[k] != (double)(int64_t)v[k] ||
					  v[k] < -1 || v[k] > 1e15))
			return why_set(why, len, "field %d (%s): '%.*s' must "
				       "be an integer >= -1", k + 1,
				       field_names[k],
				       (int)(end - p > 40 ? 40 : end - p), p);
		p = end;
		k++;
	}
	if (k != SWF_FIELDS)
		return why_set(why, len, "%d fields; a data line has exactly "
			       "%d numbers (-1 for unknown)", k, SWF_FIELDS);
	return 0;
}

int
swf_parse_line(struct swf_trace *t, const char *line, uint32_t lineno,
	       char *why, size_t len)
{
	double v[SWF_FIELDS];
	struct swf_job *j;

	if (line[0] == ';')
		return header_line(t, line, why, len);
	if (!line[strspn(line, " \t\r")])
		return 0;
	if (data_fields(line, v, why, len) < 0)
		return -1;
	if (v[1] < 0)
		return why_set(why, len, "field 2 (submit time): %.0f; it must "
			       "be >= 0", v[1]);
	if (t->count == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->jobs = hc_realloc(t->jobs, t->cap * sizeof(*t->jobs));
	}
	j = &t->jobs[t->count++];
	*j = (struct swf_job){
		.id = (int64_t)v[0], .submit = (int64_t)v[1],
		.run = (int64_t)v[3],
		.procs = v[7] > 0 ? (int64_t)v[7] : (int64_t)v[4],
		.req_time = (int64_t)v[8], .user = (int64_t)v[11],
		.line = lineno,
	};
	return 0;
}

int
swf_read(FILE *f, const char *name, struct swf_trace *t, struct hc_err *err)
{
	char line[SWF_LINE_MAX + 2];
	char why[256];
	uint32_t lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(f))
			return hc_err_set(err, HC_EINVAL, "%s:%u: line longer "
					  "than %d bytes; is this an SWF "
					  "trace?", name, lineno,
					  SWF_LINE_MAX);
		if (swf_parse_line(t, line, lineno, why, sizeof(why)) < 0)
			return hc_err_set(err, HC_EINVAL, "%s:%u: %s", name,
					  lineno, why);
	}
	if (ferror(f))
		return hc_err_set(err, HC_EIO, "%s: read failed: %s", name,
				  strerror(errno));
	return 0;
}

void
swf_free(struct swf_trace *t)
{
	if (!t)
		return;
	free(t->jobs);
	memset(t, 0, sizeof(*t));
}
