/* log: the log sink (one of the allowed globals) and allocation helpers. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>

#include "log.h"

static struct {
	FILE *fp;
	char ident[64];
	char path[4096];
	int level;
} sink = { NULL, "hc", "", HC_LOG_INFO };

static const char *const level_names[] = { "error", "warn", "info", "debug" };

int
hc_log_open(const char *ident, const char *path, int level)
{
	snprintf(sink.ident, sizeof(sink.ident), "%s", ident ? ident : "hc");
	sink.level = level;
	if (!path || !strcmp(path, "-")) {
		sink.path[0] = '\0';
		sink.fp = NULL;
		return 0;
	}
	snprintf(sink.path, sizeof(sink.path), "%s", path);
	return hc_log_reopen();
}

int
hc_log_reopen(void)
{
	FILE *fp;

	if (!sink.path[0])
		return 0;
	fp = fopen(sink.path, "a");
	if (!fp)
		return -1;
	setvbuf(fp, NULL, _IOLBF, 0);
	if (sink.fp)
		fclose(sink.fp);
	sink.fp = fp;
	return 0;
}

void
hc_log_close(void)
{
	if (sink.fp)
		fclose(sink.fp);
	sink.fp = NULL;
}

void
hc_log_set_level(int level)
{
	sink.level = level;
}

int
hc_log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, level_names[i]))
			return i;
	return -1;
}

static void
vlog(int level, const char *fmt, va_list ap)
{
	FILE *fp = sink.fp ? sink.fp : stderr;
	struct timeval tv;
	struct tm tm;
	char ts[32], line[1024];
	int n, m;
	va_list aq;

	if (level > sink.level)
		return;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ld %s[%d] %s: ", ts,
		     (long)tv.tv_usec / 1000, sink.ident, (int)getpid(),
		     level_names[level]);
	va_copy(aq, ap);
	m = n >= 0 && (size_t)n < sizeof(line) ?
	    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, aq) : -1;
	va_end(aq);
	flockfile(fp);
	/* One write per line when it fits (stderr is unbuffered: piecewise
	 * it took three), so busy daemons spend one system call a line. */
	if (m >= 0 && (size_t)n + (size_t)m + 1 < sizeof(line)) {
		line[n + m] = '\n';
		fwrite(line, 1, (size_t)(n + m + 1), fp);
	} else {
		fprintf(fp, "%.*s", n > 0 ? n : 0, line);
		vfprintf(fp, fmt, ap);
		fputc('\n', fp);
	}
	funlockfile(fp);
	fflush(fp);
}

void
hc_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

#define LIMIT_SLOTS 32
#define LIMIT_SECS 10

void
hc_log_limited(const char *key, int level, const char *fmt, ...)
{
	static struct { const char *key; time_t last; unsigned dropped; }
		slots[LIMIT_SLOTS];
	/* Part of the sink: the controller's scheduling worker logs too. */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	time_t now = time(NULL);
	unsigned i, dropped = 0;
	va_list ap;

	pthread_mutex_lock(&lock);
	for (i = 0; i < LIMIT_SLOTS; i++)
		if (slots[i].key == key || !slots[i].key)
			break;
	if (i < LIMIT_SLOTS) {
		if (slots[i].key && now - slots[i].last < LIMIT_SECS) {
			slots[i].dropped++;
			pthread_mutex_unlock(&lock);
			return;
		}
		dropped = slots[i].dropped;
		slots[i].key = key;
		slots[i].last = now;
		slots[i].dropped = 0;
	}
	pthread_mutex_unlock(&lock);
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
	if (dropped)
		hc_log(level, "previous message repeated %u times", dropped);
}

void
hc_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(HC_LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}

void *
hc_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		hc_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
hc_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		hc_fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
hc_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		hc_fatal("out of memory (%zu bytes)", n);
	return q;
}

char *
hc_strdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		hc_fatal("out of memory");
	return p;
}

char *
hc_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		hc_fatal("out of memory");
	return p;
}
