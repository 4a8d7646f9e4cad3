/*
 * directives: split the "#HC"/"#SBATCH" lines of a batch script's header
 * into words and hand them to a callback. See directives.h.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "directives.h"
#include "log.h"

#define DIRECTIVE_MAX_WORDS 128

/* Length of prefix if line starts with it followed by blank or end. */
static size_t
prefix_match(const char *line, size_t len, const char *const *prefixes)
{
	for (const char *const *p = prefixes; *p; p++) {
		size_t n = strlen(*p);

		if (n <= len && memcmp(line, *p, n) == 0 &&
		    (n == len || line[n] == ' ' || line[n] == '\t'))
			return n;
	}
	return 0;
}

/*
 * Split s[0..len) into words written to buf (at least len + 1 bytes per
 * word boundary: len * 2 + 2 is enough). Returns the word count or -1 with
 * err on an unterminated quote or too many words.
 */
static int
split_words(const char *s, size_t len, char *buf, char **argv,
	    struct hc_err *err)
{
	size_t i = 0;
	int argc = 0;

	for (;;) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i >= len || s[i] == '#')
			break;
		if (argc == DIRECTIVE_MAX_WORDS)
			return hc_err_set(err, HC_EINVAL,
					  "more than %d words in a directive",
					  DIRECTIVE_MAX_WORDS);
		argv[argc++] = buf;
		char quote = 0;
		while (i < len) {
			char c = s[i];

			if (!quote && isspace((unsigned char)c))
				break;
			i++;
			if (quote == '\'' && c == '\'') {
				quote = 0;
			} else if (quote == '\'') {
				*buf++ = c;
			} else if (c == '\\' && i < len &&
				   (!quote || strchr("\"\\$`", s[i]))) {
				*buf++ = s[i++];
			} else if (quote == '"' && c == '"') {
				quote = 0;
			} else if (!quote && (c == '"' || c == '\'')) {
				quote = c;
			} else {
				*buf++ = c;
			}
		}
		if (quote)
			return hc_err_set(err, HC_EINVAL,
					  "unterminated %s quote; close it on "
					  "the same line",
					  quote == '"' ? "double" : "single");
		*buf++ = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

/* Whether a header line is blank or a comment (the header goes on). */
static bool
header_line(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	return i == len || s[i] == '#';
}

int
directives_parse(const char *script, const char *const *prefixes,
		 directive_fn fn, void *arg, struct hc_err *err)
{
	const char *s = script;
	int lineno = 0, count = 0;

	for (; *s; lineno++) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		size_t plen;

		if (len && s[len - 1] == '\r')
			len--;
		if (!header_line(s, len))
			break;
		plen = prefix_match(s, len, prefixes);
		if (plen) {
			char *argv[DIRECTIVE_MAX_WORDS + 1];
			char *buf = hc_malloc(2 * len + 2);
			int argc = split_words(s + plen, len - plen, buf, argv,
					       err);
			int rc = 0;

			if (argc < 0)
				rc = -1;
			else if (argc > 0 &&
				 fn(arg, lineno + 1, argc, argv, err) < 0)
				rc = -1;
			free(buf);
			if (rc < 0)
				return hc_err_prefix(err, "script line %d: ",
						     lineno + 1);
			count++;
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	return count;
}

/* Whether word w (length n) occurs in s[0..len) as a whole command word. */
static bool
has_word(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(s + i, w, n) != 0)
			continue;
		bool before = i == 0 || strchr(" \t;&|(`$", s[i - 1]);
		bool after = i + n == len || strchr(" \t;&|)`\"'", s[i + n]);
		if (before && after)
			return true;
	}
	return false;
}

static bool
has_slurm_var(const char *s, size_t len)
{
	for (size_t i = 0; i + 6 < len; i++)
		if (memcmp(s + i, "SLURM_", 6) == 0 &&
		    (i == 0 || !(isalnum((unsigned char)s[i - 1]) ||
				 s[i - 1] == '_')))
			return true;
	return false;
}

int
directives_find_slurm(const char *script, const char **what)
{
	const char *s = script;

	for (int lineno = 1; *s; lineno++) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		size_t i = 0;

		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i < len && s[i] != '#') {
			if (has_word(s + i, len - i, "srun")) {
				*what = "srun";
				return lineno;
			}
			if (has_slurm_var(s + i, len - i)) {
				*what = "SLURM_ variables";
				return lineno;
			}
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	*what = NULL;
	return 0;
}
