/*
 * parse: the small parsers every part shares: durations, sizes, booleans,
 * integers with ranges, resource lists, signals. All return 0/-1 with err.
 */
#ifndef HC_PARSE_H
#define HC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hc_err.h"

/* Time limits as Slurm writes them, in minutes: "M", "M:S", "H:M:S",
 * "D-H", "D-H:M", "D-H:M:S", "UNLIMITED"/"INFINITE" (-> -1). Seconds round
 * up to a whole minute. */
int parse_time_limit(const char *s, long *minutes, struct hc_err *err);
/* Format minutes as "D-HH:MM:SS" / "HH:MM:SS" / "UNLIMITED". buf >= 32. */
void format_time_limit(long minutes, char *buf, size_t len);
/* Format seconds the same way (elapsed times). */
void format_duration(long secs, char *buf, size_t len);

/* Durations for hc.conf and flags: "300" (seconds), "30s", "5min", "2h",
 * "1d", "15m" (minutes). */
int parse_duration_secs(const char *s, long *secs, struct hc_err *err);

/* Sizes in MiB: "4096" (MiB), "512M", "16G", "1T", "800K" (rounded up). */
int parse_size_mb(const char *s, uint64_t *mb, struct hc_err *err);

/* "yes/no/true/false/1/0/on/off" (case-insensitive). */
int parse_bool(const char *s, bool *out, struct hc_err *err);

/* Integer in [min, max]. */
int parse_long(const char *s, long min, long max, long *out,
	       struct hc_err *err);

/* Signal by name or number: "TERM", "SIGTERM", "15", "USR1". */
int parse_signal(const char *s, int *sig, struct hc_err *err);
const char *signal_name(int sig);	/* "TERM"; borrowed; NULL if unknown */

/* Date-times for --begin: "now", "now+60" (seconds), "now+10min",
 * "YYYY-MM-DD[THH:MM[:SS]]", "HH:MM[:SS]" (today, or tomorrow if past). */
int parse_datetime(const char *s, time_t now, time_t *out, struct hc_err *err);
/* "2026-11-27T10:00:00" local time; "Unknown" for 0. buf >= 32. */
void format_datetime(time_t t, char *buf, size_t len);

/*
 * Resource lists, written one way everywhere: "name[:type]:count[,...]",
 * e.g. "gpu:h100:4", "gpu:2", "cpu:512,gpu:16". A missing count means 1
 * ("gpu", "gpu:h100"), as in Slurm's --gres: in "name:x", x is the count
 * when it starts with a digit, else the type.
 * A name (name and type) may appear once; "" is the empty list.
 * "mem" counts MiB and takes a size ("mem:64G", "mem:512M", "mem:4096").
 */
#define RES_NAME_MAX 32
struct res_item {
	char name[RES_NAME_MAX];	/* "gpu" */
	char type[RES_NAME_MAX];	/* "h100", or "" for any */
	uint64_t count;
};
struct res_list {
	struct res_item *items;	/* owned */
	size_t count;
};
int res_list_parse(const char *s, struct res_list *out, struct hc_err *err);
void res_list_free(struct res_list *rl);	/* frees items, zeroes */
/* "gpu:h100:4,fpga:1"; malloc'ed. */
char *res_list_format(const struct res_list *rl);

#endif
