/*
 * parse: the small parsers every part shares (see parse.h).
 *
 * Every error names the input and says how to write it; the unit table in
 * testsuite/unit/test_parse.c checks each message.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "parse.h"

#define TL_HINT "write MINUTES, M:S, H:M:S, D-H, D-H:M or D-H:M:S " \
	"(e.g. 90, 1:30:00, 2-00:00:00) or UNLIMITED"

/* Non-negative decimal without sign, at most 9 digits. Returns the end or
 * NULL if s does not start with a digit. */
static const char *
read_num(const char *s, long *v)
{
	int n = 0;

	*v = 0;
	while (isdigit((unsigned char)*s) && n < 10) {
		*v = *v * 10 + (*s++ - '0');
		n++;
	}
	return (n == 0 || n > 9) ? NULL : s;
}

/* Split "a:b:c" (at most 3 numbers) after an optional "D-". */
static int
read_fields(const char *s, long *f, int *n)
{
	*n = 0;
	for (;;) {
		if (*n == 3 || !(s = read_num(s, &f[*n])))
			return -1;
		(*n)++;
		if (*s == '\0')
			return 0;
		if (*s++ != ':')
			return -1;
	}
}

int
parse_time_limit(const char *s, long *minutes, struct hc_err *err)
{
	long d = 0, f[3], secs;
	const char *p = s, *dash;
	int n;

	if (!s || !*s)
		return hc_err_set(err, HC_EINVAL, "empty time limit; " TL_HINT);
	if (!strcasecmp(s, "UNLIMITED") || !strcasecmp(s, "INFINITE")) {
		*minutes = -1;
		return 0;
	}
	dash = strchr(s, '-');
	if (dash) {
		if (!(p = read_num(s, &d)) || p != dash)
			goto bad;
		p = dash + 1;
	}
	if (read_fields(p, f, &n) < 0)
		goto bad;
	if (dash)		/* D-H, D-H:M, D-H:M:S */
		secs = f[0] * 3600 + (n > 1 ? f[1] * 60 : 0) +
		       (n > 2 ? f[2] : 0);
	else if (n == 1)	/* M */
		secs = f[0] * 60;
	else if (n == 2)	/* M:S */
		secs = f[0] * 60 + f[1];
	else			/* H:M:S */
		secs = f[0] * 3600 + f[1] * 60 + f[2];
	secs += d * 86400;
	if (secs / 60 > 100L * 366 * 24 * 60)
		return hc_err_set(err, HC_EINVAL,
			"%s: time limit too long; use at most 100 years or "
			"UNLIMITED", s);
	*minutes = (secs + 59) / 60;
	return 0;
bad:
	return hc_err_set(err, HC_EINVAL, "%s: bad time limit; " TL_HINT, s);
}

void
format_duration(long secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 86400)
		snprintf(buf, len, "%ld-%02ld:%02ld:%02ld", secs / 86400,
			 secs % 86400 / 3600, secs % 3600 / 60, secs % 60);
	else
		snprintf(buf, len, "%02ld:%02ld:%02ld", secs / 3600,
			 secs % 3600 / 60, secs % 60);
}

void
format_time_limit(long minutes, char *buf, size_t len)
{
	if (minutes < 0)
		snprintf(buf, len, "UNLIMITED");
	else
		format_duration(minutes * 60, buf, len);
}

struct unit {
	const char *name;
	uint64_t mult;
};

static const struct unit duration_units[] = {
	{ "", 1 }, { "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 },
	{ "seconds", 1 }, { "m", 60 }, { "min", 60 }, { "mins", 60 },
	{ "minute", 60 }, { "minutes", 60 }, { "h", 3600 }, { "hr", 3600 },
	{ "hour", 3600 }, { "hours", 3600 }, { "d", 86400 }, { "day", 86400 },
	{ "days", 86400 }, { "w", 604800 }, { "week", 604800 },
	{ "weeks", 604800 }, { NULL, 0 }
};

/* The size units divide: value * mult / div MiB, rounded up. */
static const struct unit size_units[] = {
	{ "", 1 }, { "m", 1 }, { "mb", 1 }, { "mib", 1 },
	{ "k", 0 }, { "kb", 0 }, { "kib", 0 },
	{ "g", 1024 }, { "gb", 1024 }, { "gib", 1024 },
	{ "t", 1024 * 1024 }, { "tb", 1024 * 1024 }, { "tib", 1024 * 1024 },
	{ "p", 1024ULL * 1024 * 1024 }, { "pb", 1024ULL * 1024 * 1024 },
	{ "pib", 1024ULL * 1024 * 1024 }, { NULL, 0 }
};

static const struct unit *
unit_find(const struct unit *t, const char *name)
{
	for (; t->name; t++)
		if (!strcasecmp(t->name, name))
			return t;
	return NULL;
}

/* A number then a unit suffix. Returns the number or -1 if none. */
static int
number_unit(const char *s, uint64_t *v, const char **unit)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	*unit = end;
	return errno == ERANGE ? -2 : 0;
}

#define DUR_HINT "write seconds (300) or a number with s, min, h or d " \
	"(30s, 5min, 2h, 1d)"

int
parse_duration_secs(const char *s, long *secs, struct hc_err *err)
{
	const struct unit *u;
	const char *unit;
	uint64_t v;
	int rc;

	if (!s || !*s)
		return hc_err_set(err, HC_EINVAL, "empty duration; " DUR_HINT);
	rc = number_unit(s, &v, &unit);
	if (rc == -1)
		return hc_err_set(err, HC_EINVAL, "%s: not a duration; "
				  DUR_HINT, s);
	if (!(u = unit_find(duration_units, unit)))
		return hc_err_set(err, HC_EINVAL, "%s: unknown unit '%s'; "
				  DUR_HINT, s, unit);
	if (rc == -2 || v > (uint64_t)LONG_MAX / u->mult)
		return hc_err_set(err, HC_EINVAL, "%s: duration too long; "
				  "use at most %ld seconds", s, LONG_MAX);
	*secs = (long)(v * u->mult);
	return 0;
}

#define SIZE_HINT "write MiB (4096) or a number with K, M, G or T " \
	"(800K, 512M, 16G, 1T)"

int
parse_size_mb(const char *s, uint64_t *mb, struct hc_err *err)
{
	const struct unit *u;
	const char *unit;
	uint64_t v;
	int rc;

	if (!s || !*s)
		return hc_err_set(err, HC_EINVAL, "empty size; " SIZE_HINT);
	rc = number_unit(s, &v, &unit);
	if (rc == -1)
		return hc_err_set(err, HC_EINVAL, "%s: not a size; " SIZE_HINT,
				  s);
	if (!(u = unit_find(size_units, unit)))
		return hc_err_set(err, HC_EINVAL, "%s: unknown unit '%s'; "
				  SIZE_HINT, s, unit);
	if (rc == -2 || (u->mult && v > UINT64_MAX / u->mult))
		return hc_err_set(err, HC_EINVAL, "%s: size too large; "
				  "use a smaller unit or value", s);
	*mb = u->mult ? v * u->mult : v / 1024 + (v % 1024 != 0);
	return 0;
}

int
parse_bool(const char *s, bool *out, struct hc_err *err)
{
	static const char *const yes[] = { "yes", "true", "1", "on", NULL };
	static const char *const no[] = { "no", "false", "0", "off", NULL };

	for (int i = 0; s && yes[i]; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return hc_err_set(err, HC_EINVAL, "%s: not a yes/no value; write "
			  "YES or NO (also true/false, on/off, 1/0)",
			  s ? s : "");
}

int
parse_long(const char *s, long min, long max, long *out, struct hc_err *err)
{
	char *end;
	long v;

	if (!s || !*s)
		return hc_err_set(err, HC_EINVAL, "empty number; give a whole "
				  "number");
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || isspace((unsigned char)*s))
		return hc_err_set(err, HC_EINVAL, "%s: not a whole number; "
				  "write digits only, like 42", s);
	if (errno == ERANGE || v < min || v > max) {
		if (max == LONG_MAX)
			return hc_err_set(err, HC_EINVAL, "%s: out of range; "
					  "give a number >= %ld", s, min);
		return hc_err_set(err, HC_EINVAL, "%s: out of range; give a "
				  "number from %ld to %ld", s, min, max);
	}
	*out = v;
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
	{ NULL, 0 }
};

int
parse_signal(const char *s, int *sig, struct hc_err *err)
{
	const char *name = s;
	long n;

	if (!s || !*s)
		return hc_err_set(err, HC_EINVAL, "empty signal; give a name "
				  "or number, like TERM, USR1 or 15");
	if (isdigit((unsigned char)*s)) {
		if (parse_long(s, 1, 64, &n, NULL) < 0)
			return hc_err_set(err, HC_EINVAL, "%s: no such signal; "
					  "give a number from 1 to 64 or a "
					  "name like TERM", s);
		*sig = (int)n;
		return 0;
	}
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (int i = 0; signals[i].name; i++) {
		if (!strcasecmp(name, signals[i].name)) {
			*sig = signals[i].sig;
			return 0;
		}
	}
	return hc_err_set(err, HC_EINVAL, "%s: no such signal; give a name "
			  "like TERM, INT, KILL, USR1, USR2 or a number", s);
}

const char *
signal_name(int sig)
{
	for (int i = 0; signals[i].name; i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}

#define DT_HINT "write now, now+SECONDS, now+10min, YYYY-MM-DD, " \
	"YYYY-MM-DDTHH:MM[:SS] or HH:MM[:SS]"

/* Build a local time from fields; refuse fields that mktime normalised
 * (Feb 30, 25:00). */
static int
make_local(struct tm *tm, time_t *out)
{
	struct tm want = *tm;

	tm->tm_isdst = -1;
	*out = mktime(tm);
	if (*out == (time_t)-1 || tm->tm_mday != want.tm_mday ||
	    tm->tm_mon != want.tm_mon || tm->tm_hour != want.tm_hour ||
	    tm->tm_min != want.tm_min)
		return -1;
	return 0;
}

/* "HH:MM" or "HH:MM:SS", strictly two digits each. */
static int
read_hhmmss(const char *t, int *h, int *m, int *sec)
{
	static const char pat[] = "dd:dd:dd";
	size_t n = strlen(t);

	if (n != 5 && n != 8)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)t[i]) : t[i] != ':')
			return -1;
	*h = (t[0] - '0') * 10 + (t[1] - '0');
	*m = (t[3] - '0') * 10 + (t[4] - '0');
	*sec = n == 8 ? (t[6] - '0') * 10 + (t[7] - '0') : 0;
	return (*h > 23 || *m > 59 || *sec > 59) ? -1 : 0;
}

static int
parse_clock(const char *s, time_t now, time_t *out)
{
	struct tm tm;
	int h, m, sec;

	if (read_hhmmss(s, &h, &m, &sec) < 0)
		return -1;
	localtime_r(&now, &tm);
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	if (make_local(&tm, out) < 0)
		return -1;
	if (*out <= now) {	/* past today: tomorrow */
		tm.tm_mday++;
		tm.tm_isdst = -1;
		*out = mktime(&tm);
	}
	return 0;
}

static int
parse_date(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0;
	static const char pat[] = "dddd-dd-dd";

	for (size_t i = 0; i < 10; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != '-')
			return -1;
	y = atoi(s);
	mo = atoi(s + 5);
	d = atoi(s + 8);
	if (s[10] == 'T') {
		if (read_hhmmss(s + 11, &h, &mi, &sec) < 0)
			return -1;
	} else if (s[10] != '\0') {
		return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return make_local(&tm, out);
}

int
parse_datetime(const char *s, time_t now, time_t *out, struct hc_err *err)
{
	long secs;

	if (!s || !*s)
		return hc_err_set(err, HC_EINVAL, "empty date; " DT_HINT);
	if (!strcasecmp(s, "now")) {
		*out = now;
		return 0;
	}
	if (!strncasecmp(s, "now+", 4)) {
		if (parse_duration_secs(s + 4, &secs, NULL) < 0)
			return hc_err_set(err, HC_EINVAL, "%s: bad offset "
					  "after now+; write now+60, "
					  "now+10min or now+2h", s);
		*out = now + secs;
		return 0;
	}
	if (strchr(s, '-') ? parse_date(s, out) == 0 :
	    parse_clock(s, now, out) == 0)
		return 0;
	return hc_err_set(err, HC_EINVAL, "%s: not a date or time; " DT_HINT,
			  s);
}

void
format_datetime(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0 || !localtime_r(&t, &tm)) {
		snprintf(buf, len, "Unknown");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

#define RES_HINT "write name[:type]:count, e.g. gpu:h100:4 or gpu:2,fpga:1"

static int
res_word(const char *item, const char *w, size_t n, char *out,
	 struct hc_err *err)
{
	if (n == 0)
		return hc_err_set(err, HC_EINVAL, "%s: empty name; " RES_HINT,
				  item);
	if (n >= RES_NAME_MAX)
		return hc_err_set(err, HC_EINVAL, "%s: name too long; use at "
				  "most %d characters", item, RES_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)w[i]) && w[i] != '_' &&
		    w[i] != '-' && w[i] != '.')
			return hc_err_set(err, HC_EINVAL, "%s: invalid "
					  "character '%c'; names use letters, "
					  "digits, '-', '_' and '.'", item,
					  w[i]);
	memcpy(out, w, n);
	out[n] = '\0';
	return 0;
}

/* A count; for "mem" a size ("64G", "512M", plain MiB) counted in MiB. */
static int
res_count(const char *item, const char *name, const char *s,
	  uint64_t *count, struct hc_err *err)
{
	char *end;

	if (!strcmp(name, "mem") && isdigit((unsigned char)*s)) {
		if (parse_size_mb(s, count, err) < 0)
			return hc_err_prefix(err, "%s: ", item);
		return 0;
	}
	errno = 0;
	*count = strtoull(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno == ERANGE)
		return hc_err_set(err, HC_EINVAL, "%s: '%s' is not a count; "
				  RES_HINT, item, s);
	return 0;
}

/* One "name[:type][:count]" item; a missing count means 1, as in Slurm's
 * --gres=gpu and --gres=gpu:h100. */
static int
res_item_parse(const char *item, struct res_item *it, struct hc_err *err)
{
	const char *c1 = strchr(item, ':'), *c2 = c1 ? strchr(c1 + 1, ':')
						     : NULL;

	memset(it, 0, sizeof(*it));
	it->count = 1;
	if (c2 && strchr(c2 + 1, ':'))
		return hc_err_set(err, HC_EINVAL, "%s: too many ':'; "
				  RES_HINT, item);
	if (res_word(item, item, c1 ? (size_t)(c1 - item) : strlen(item),
		     it->name, err) < 0)
		return -1;
	if (!c1)
		return 0;
	if (c2) {
		if (res_word(item, c1 + 1, (size_t)(c2 - c1 - 1), it->type,
			     err) < 0)
			return -1;
		return res_count(item, it->name, c2 + 1, &it->count, err);
	}
	if (isdigit((unsigned char)c1[1]) || c1[1] == '\0' || c1[1] == '-')
		return res_count(item, it->name, c1 + 1, &it->count, err);
	return res_word(item, c1 + 1, strlen(c1 + 1), it->type, err);
}

int
res_list_parse(const char *s, struct res_list *out, struct hc_err *err)
{
	char *copy, *item, *save = NULL;
	struct res_list rl = { 0 };

	if (!s)
		return hc_err_set(err, HC_EINVAL, "no resource list; "
				  RES_HINT);
	copy = hc_strdup(s);
	for (const char *p = s; *p; p++)
		if (*p == ',' && (p == s || p[1] == '\0' || p[1] == ','))
			goto empty;
	for (item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		struct res_item it;
		if (res_item_parse(item, &it, err) < 0)
			goto fail;
		for (size_t i = 0; i < rl.count; i++)
			if (!strcmp(rl.items[i].name, it.name) &&
			    !strcmp(rl.items[i].type, it.type)) {
				hc_err_set(err, HC_EINVAL, "%s: %s%s%s listed "
					   "twice; give each resource once",
					   s, it.name, *it.type ? ":" : "",
					   it.type);
				goto fail;
			}
		rl.items = hc_realloc(rl.items,
				      (rl.count + 1) * sizeof(*rl.items));
		rl.items[rl.count++] = it;
	}
	free(copy);
	*out = rl;
	return 0;
empty:
	hc_err_set(err, HC_EINVAL, "%s: empty item; separate items with one "
		   "comma", s);
fail:
	free(copy);
	res_list_free(&rl);
	return -1;
}

void
res_list_free(struct res_list *rl)
{
	if (!rl)
		return;
	free(rl->items);
	rl->items = NULL;
	rl->count = 0;
}

char *
res_list_format(const struct res_list *rl)
{
	size_t cap = 1 + rl->count * (2 * RES_NAME_MAX + 24);
	char *buf = hc_malloc(cap), *p = buf;

	*p = '\0';
	for (size_t i = 0; i < rl->count; i++) {
		const struct res_item *it = &rl->items[i];
		p += snprintf(p, cap - (size_t)(p - buf), "%s%s%s%s:%llu",
			      i ? "," : "", it->name, *it->type ? ":" : "",
			      it->type, (unsigned long long)it->count);
	}
	return buf;
}
