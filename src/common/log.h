/*
 * log: one event per line, key=value identifiers, to stderr or a file.
 * The log sink is one of the two kinds of global a daemon may have.
 *
 *	hc_log(HC_LOG_INFO, "job=%u node=%s started", id, name);
 */
#ifndef HC_LOG_H
#define HC_LOG_H

enum hc_log_level { HC_LOG_ERR, HC_LOG_WARN, HC_LOG_INFO, HC_LOG_DEBUG };

/* Open the sink: path NULL or "-" means stderr. ident names the daemon
 * ("hcctld", "hcnoded[n01]"). Returns 0/-1 (errno). */
int hc_log_open(const char *ident, const char *path, int level);
/* Reopen the file (after logrotate) */
int hc_log_reopen(void);
void hc_log_close(void);
void hc_log_set_level(int level);
int hc_log_level_parse(const char *s);	/* "error|warn|info|debug" or -1 */

void hc_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Same, but at most one line per `key` every 10 s; the count of dropped
 * repeats is printed with the next one. key is a static string. */
void hc_log_limited(const char *key, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Log at HC_LOG_ERR and exit(1). Only at start-up, on out-of-memory, or on
 * a broken invariant -- never because of what a peer sent. */
void hc_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Allocation wrappers that call hc_fatal on out-of-memory. */
#include <stddef.h>
void *hc_malloc(size_t n);
void *hc_calloc(size_t n, size_t size);
void *hc_realloc(void *p, size_t n);
char *hc_strdup(const char *s);
char *hc_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
