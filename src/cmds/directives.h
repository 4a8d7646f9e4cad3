/*
 * directives: the option lines at the top of a batch script.
 *
 * hcsub reads "#HC --nodes=2" lines (and "#SBATCH ..." lines, so existing
 * Slurm scripts keep their requests) from the script's header: the lines
 * before the first command. Blank lines and other comments do not end the
 * header; the first line that is neither does. Each directive line is split
 * into words the way a shell would (single and double quotes, backslash),
 * and an unquoted '#' that starts a word begins a trailing comment.
 *
 * The parser knows no options: it hands each line's words to a callback,
 * which applies them (hcsub feeds them to its option table). An error the
 * callback reports is prefixed with the line it came from.
 */
#ifndef HC_DIRECTIVES_H
#define HC_DIRECTIVES_H

#include "hc_err.h"

/* Called once per directive line with its words (argv[argc] == NULL).
 * argv is borrowed for the call only. Return 0, or -1 with err filled. */
typedef int (*directive_fn)(void *arg, int line, int argc, char **argv,
			    struct hc_err *err);

/*
 * Walk the header of script (NUL-terminated) and call fn for each line that
 * starts with one of prefixes (NULL-terminated, e.g. {"#HC", "#SBATCH",
 * NULL}) followed by white space or the end of the line. Returns the number
 * of directive lines, or -1 with err ("script line 3: ...") on a quoting
 * error or an error from fn.
 */
int directives_parse(const char *script, const char *const *prefixes,
		     directive_fn fn, void *arg, struct hc_err *err);

/*
 * Find the first line of script that uses a Slurm-only facility: a SLURM_
 * variable or the srun command. Returns its line number (1-based) and sets
 * *what to "srun" or "SLURM_ variables" (borrowed), or 0 if none.
 * Directive and other comment lines are not counted.
 */
int directives_find_slurm(const char *script, const char **what);

#endif
