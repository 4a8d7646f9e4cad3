/*
 * cmd: what the user and admin commands share. Each command is thin: one
 * option table (parsed here, and --help printed from it), one request to
 * hcctld through client.h, and output built in one buffer.
 */
#ifndef HC_CMD_H
#define HC_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "client.h"
#include "hc_err.h"
#include "log.h"
#include "states.h"

/* Keys for long-only options start here; a key below it is the short
 * letter of the option. */
enum { CMD_LONG = 256, CMD_HELP = 1000, CMD_VERSION };

struct cmd_opt {
	const char *name;	/* long name, without "--" */
	int key;		/* short letter, or CMD_LONG + n */
	const char *arg;	/* argument name shown by --help; NULL: none */
	const char *help;	/* one sentence */
};

/* The rows every command has. */
#define CMD_OPT_HELP {"help", CMD_HELP, NULL, "print this help and exit"}
#define CMD_OPT_VERSION                                                     \
	{"version", CMD_VERSION, NULL, "print the version and exit"}

struct cmd_info {
	const char *prog;	/* "hcsub" */
	const char *usage;	/* after the name: "[OPTIONS] [SCRIPT [ARGS]]" */
	const char *summary;	/* one line: what the command does */
	const char *more;	/* text printed after the options, or NULL */
	const struct cmd_opt *opts;	/* terminated by a row with name NULL */
	bool stop_at_operand;	/* the first operand ends the options */
};

/* Called for each option found; val is the argument or NULL (borrowed from
 * argv). Return 0, or -1 with err filled. */
typedef int (*cmd_opt_fn)(void *arg, int key, const char *val,
			  struct hc_err *err);

/*
 * Parse argv[0..argc) (the program name already removed). Options may be
 * written -x VAL, -xVAL, --name VAL, --name=VAL; short flags bundle; "--"
 * ends the options. --help and --version are answered here (exit 0).
 * Operands are stored, in order, in operands (caller's array of argc + 1
 * slots, pointers into argv). Returns the operand count or -1 with err:
 * "unknown option '--foo'; see hcsub --help".
 */
int cmd_parse(const struct cmd_info *ci, int argc, char **argv, cmd_opt_fn fn,
	      void *arg, char **operands, struct hc_err *err);

/*
 * cmd_parse for a command that takes options only: exits with err's message,
 * or with "unexpected argument 'X'; <hint>" when an operand is given.
 */
void cmd_parse_options(const struct cmd_info *ci, int argc, char **argv,
		       cmd_opt_fn fn, void *arg, const char *hint);

/* Print --help from the table to f. */
void cmd_help(const struct cmd_info *ci, FILE *f);

/* Print "prog: message" on stderr and exit with hc_err_exit_status(code). */
void cmd_die(const struct cmd_info *ci, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
void cmd_die_err(const struct cmd_info *ci, const struct hc_err *err)
	__attribute__((noreturn));
void cmd_warn(const struct cmd_info *ci, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Connect to hcctld: ControlAddr/ControlPort/MungeSocket from hc.conf
 * (conf_default_path()), overridden by $HC_CONTROL_ADDR, $HC_CONTROL_PORT
 * and $HC_MUNGE_SOCKET. Exits with a message on failure.
 */
struct hc_client *cmd_connect(const struct cmd_info *ci);
/* The same, but NULL (err filled) when the controller cannot be reached:
 * for a caller that tries again later. */
struct hc_client *cmd_connect_try(const struct cmd_info *ci,
				  struct hc_err *err);
/* hc_client_call on *c, which may have been idle for longer than the
 * controller's MessageTimeout (which then closed it): on a connection
 * failure, once more on a new connection, which replaces *c. For requests
 * that may be sent twice (a release, a step's end). */
json_t *cmd_call_again(const struct cmd_info *ci, struct hc_client **c,
		       unsigned type, const json_t *req, struct hc_err *err);
/* Send req (stolen; NULL = {}) and return the reply (new reference), or
 * exit with the error's message and status. */
json_t *cmd_call(const struct cmd_info *ci, struct hc_client *c,
		 unsigned type, json_t *req);

/*
 * A "rows" reply ({"rc", "error"?, "fields": [...], "rows": [[...]...]}),
 * read by a parser for exactly that shape (cmd_rows.c). Cell (i, k) is
 * cells[i * nfields + k], a C string (numbers as text, null as "") that
 * lives in arena until cmd_rows_free().
 */
struct cmd_rows {
	long long rc;
	const char *error;
	int nfields, ncur;
	const char **fields;
	const char **cells;
	size_t nrows;
	char *arena;
};
int cmd_rows_parse(const char *text, size_t len, struct cmd_rows *t,
		   struct hc_err *err);
/* Index of the column named name, or -1. */
int cmd_rows_col(const struct cmd_rows *t, const char *name);
void cmd_rows_free(struct cmd_rows *t);
/* Like cmd_call, for a request answered with rows: fills t (the caller
 * frees it with cmd_rows_free) and returns t->cells, or exits with the
 * error's message and status. req is stolen. */
const char *const *cmd_call_rows(const struct cmd_info *ci,
				 struct hc_client *c, unsigned type,
				 json_t *req, struct cmd_rows *t);

/* Output built in one growing buffer, written once. */
struct outbuf {
	char *buf;
	size_t len, cap;
};
void out_putn(struct outbuf *o, const char *s, size_t n);
void out_puts(struct outbuf *o, const char *s);
void out_putc(struct outbuf *o, char c);
void out_printf(struct outbuf *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s in a field of width (0 = as is): right-aligned if right, truncated to
 * width if longer. */
void out_field(struct outbuf *o, const char *s, int width, bool right);
/* Write everything to f and free; returns 0 or -1 (errno). */
int out_flush(struct outbuf *o, FILE *f);

/* Print j as indented JSON on stdout. */
void cmd_print_json(const json_t *j);

/* Fields of a reply record: "" / 0 / false when missing. Borrowed. */
const char *js(const json_t *o, const char *key);
long long ji(const json_t *o, const char *key);
bool jb(const json_t *o, const char *key);

/*
 * Comma-separated lists from flags into JSON arrays (new references), or
 * NULL with err naming the bad item: strings, job ids, users (names or
 * uids, to uids), job states (checked, sent as long names).
 */
json_t *cmd_list_strings(const char *csv, struct hc_err *err);
json_t *cmd_list_ids(const char *csv, struct hc_err *err);
/* Job ids and array tasks: 32 as a number, 32_6 or 32_[1-3] as "32_1-3". */
json_t *cmd_list_job_refs(const char *csv, struct hc_err *err);
json_t *cmd_list_uids(const char *csv, struct hc_err *err);
json_t *cmd_list_states(const char *csv, struct hc_err *err);
/* Append the items of src (borrowed) to the array at o[key], made if
 * absent; repeated flags add up. */
void cmd_list_merge(json_t *o, const char *key, const json_t *src);
/* The list l (stolen; NULL: its parse failed) merged into o[key] as
 * cmd_list_merge does. Returns 0, or -1 when l is NULL (err is the
 * parser's), so an option callback can end with it. */
int cmd_list_add(json_t *o, const char *key, json_t *l);

/*
 * A table whose columns are as wide as their widest cell, printed into an
 * outbuf. Cells are copied.
 */
struct table {
	int ncols;
	unsigned right;		/* bit i: column i aligned right */
	char **cells;		/* rows * ncols, owned */
	size_t rows, cap;
};
void table_init(struct table *t, int ncols, unsigned right);
/* Add a row of ncols strings (NULL is printed as ""). */
void table_add(struct table *t, const char *const *row);
/* Print (first row as is: the caller adds the header) and free. */
void table_print(struct table *t, struct outbuf *o);

/* Elapsed seconds as squeue prints them: "M:SS", "H:MM:SS", "D-HH:MM:SS".
 * buf >= 32. */
void cmd_fmt_elapsed(long long secs, char *buf, size_t len);
/* A limit in minutes: "UNLIMITED" (< 0), "NOT_SET" (0), else elapsed. */
void cmd_fmt_limit(long long minutes, char *buf, size_t len);
/* An epoch time as "2026-11-27T10:00:00", "Unknown" for 0. */
void cmd_fmt_time(long long t, char *buf, size_t len);

#endif
