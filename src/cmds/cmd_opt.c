/*
 * cmd_opt: one option table per command, parsed here; --help is printed
 * from the same table so the two cannot drift apart.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct cmd_opt *
opt_long(const struct cmd_opt *t, const char *name, size_t len)
{
	for (; t->name; t++)
		if (strlen(t->name) == len && memcmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

static const struct cmd_opt *
opt_short(const struct cmd_opt *t, char c)
{
	for (; t->name; t++)
		if (t->key < CMD_LONG && t->key == (unsigned char)c)
			return t;
	return NULL;
}

static int
opt_call(const struct cmd_info *ci, const struct cmd_opt *o, const char *val,
	 cmd_opt_fn fn, void *arg, struct hc_err *err)
{
	if (o->key == CMD_HELP) {
		cmd_help(ci, stdout);
		exit(0);
	}
	if (o->key == CMD_VERSION) {
		printf("%s (%s) %s\n", ci->prog, PACKAGE_NAME, PACKAGE_VERSION);
		exit(0);
	}
	if (fn(arg, o->key, val, err) < 0) {
		if (o->key < CMD_LONG)
			return hc_err_prefix(err, "-%c/--%s: ", o->key,
					     o->name);
		return hc_err_prefix(err, "--%s: ", o->name);
	}
	return 0;
}

/* "--name[=val]" at argv[*i]; consumes the next word if it needs one. */
static int
parse_long(const struct cmd_info *ci, int argc, char **argv, int *i,
	   cmd_opt_fn fn, void *arg, struct hc_err *err)
{
	const char *name = argv[*i] + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cmd_opt *o = opt_long(ci->opts, name, len);
	const char *val = eq ? eq + 1 : NULL;

	if (!o)
		return hc_err_set(err, HC_EINVAL,
				  "unknown option '--%.*s'; see %s --help",
				  (int)len, name, ci->prog);
	if (!o->arg && val)
		return hc_err_set(err, HC_EINVAL,
				  "option '--%s' takes no argument; see %s "
				  "--help",
				  o->name, ci->prog);
	if (o->arg && !val) {
		if (*i + 1 >= argc)
			return hc_err_set(err, HC_EINVAL,
					  "option '--%s' needs an argument "
					  "(%s); see %s --help",
					  o->name, o->arg, ci->prog);
		val = argv[++*i];
	}
	return opt_call(ci, o, val, fn, arg, err);
}

/* "-abc" or "-xVAL" or "-x VAL" at argv[*i]. */
static int
parse_short(const struct cmd_info *ci, int argc, char **argv, int *i,
	    cmd_opt_fn fn, void *arg, struct hc_err *err)
{
	for (const char *p = argv[*i] + 1; *p; p++) {
		const struct cmd_opt *o = opt_short(ci->opts, *p);
		const char *val = NULL;

		if (!o)
			return hc_err_set(err, HC_EINVAL,
					  "unknown option '-%c'; see %s --help",
					  *p, ci->prog);
		if (o->arg) {
			if (p[1])
				val = p + 1;
			else if (*i + 1 < argc)
				val = argv[++*i];
			else
				return hc_err_set(err, HC_EINVAL,
						  "option '-%c' needs an "
						  "argument (%s); see %s "
						  "--help",
						  *p, o->arg, ci->prog);
		}
		if (opt_call(ci, o, val, fn, arg, err) < 0)
			return -1;
		if (val)
			break;
	}
	return 0;
}

int
cmd_parse(const struct cmd_info *ci, int argc, char **argv, cmd_opt_fn fn,
	  void *arg, char **operands, struct hc_err *err)
{
	int n = 0, i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		int rc;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			operands[n++] = argv[i];
			if (ci->stop_at_operand) {
				i++;
				break;
			}
			continue;
		}
		if (a[1] == '-')
			rc = parse_long(ci, argc, argv, &i, fn, arg, err);
		else
			rc = parse_short(ci, argc, argv, &i, fn, arg, err);
		if (rc < 0)
			return -1;
	}
	for (; i < argc; i++)
		operands[n++] = argv[i];
	operands[n] = NULL;
	return n;
}

void
cmd_parse_options(const struct cmd_info *ci, int argc, char **argv,
		  cmd_opt_fn fn, void *arg, const char *hint)
{
	char **ops = hc_calloc((size_t)argc + 1, sizeof(*ops));
	struct hc_err err = {0};
	int n = cmd_parse(ci, argc, argv, fn, arg, ops, &err);

	if (n < 0)
		cmd_die_err(ci, &err);
	if (n > 0)
		cmd_die(ci, HC_EINVAL, "unexpected argument '%s'; %s", ops[0],
			hint);
	free(ops);
}

/* Print text from column indent, wrapped before column 80. */
static void
help_wrap(FILE *f, const char *text, int indent)
{
	int col = indent;
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, " ");
		if (col > indent && col + 1 + (int)n > 79) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		}
		fprintf(f, "%s%.*s", col > indent ? " " : "  ", (int)n, p);
		col += (int)n + (col > indent ? 1 : 2);
		p += n;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* Print free text wrapped before column 80, keeping its own line breaks
 * (a line that starts with spaces is printed as it is: a table). */
static void
help_text(FILE *f, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		const char *p = text, *end = text + n;
		int col = 0;

		if (n < 80 || text[0] == ' ')
			fprintf(f, "%.*s", (int)n, text);
		while (n >= 80 && text[0] != ' ' && p < end) {
			size_t w = strcspn(p, " \n");

			if (col && col + 1 + (int)w > 79) {
				fputc('\n', f);
				col = 0;
			}
			fprintf(f, "%s%.*s", col ? " " : "", (int)w, p);
			col += (int)w + (col ? 1 : 0);
			p += w;
			while (p < end && *p == ' ')
				p++;
		}
		fputc('\n', f);
		text = *end ? end + 1 : end;
	}
}

/* The manual section of a command: 8 for the administrators' ones. */
static const char *
help_section(const char *prog)
{
	static const char *const admin[] = { "hcctl", "hc-ca", NULL };

	for (int i = 0; admin[i]; i++)
		if (strcmp(prog, admin[i]) == 0)
			return "8";
	return "1";
}

void
cmd_help(const struct cmd_info *ci, FILE *f)
{
	int width = 0;
	char col[128];

	for (const struct cmd_opt *o = ci->opts; o->name; o++) {
		int w = (int)strlen(o->name) + 6 +
			(o->arg ? (int)strlen(o->arg) + 1 : 0);
		if (w > width)
			width = w;
	}
	fprintf(f, "Usage: %s %s\n", ci->prog, ci->usage);
	help_text(f, ci->summary);
	fprintf(f, "\nOptions:\n");
	for (const struct cmd_opt *o = ci->opts; o->name; o++) {
		char sh[8] = "    ";

		if (o->key < CMD_LONG)
			snprintf(sh, sizeof(sh), "-%c, ", o->key);
		snprintf(col, sizeof(col), "%s--%s%s%s", sh, o->name,
			 o->arg ? "=" : "", o->arg ? o->arg : "");
		fprintf(f, "  %-*s", width, col);
		help_wrap(f, o->help, width + 4);
	}
	if (ci->more) {
		fputc('\n', f);
		help_text(f, ci->more);
	}
	/* A command whose exit statuses differ says so in its .more. */
	if (!ci->more || !strstr(ci->more, "Exit status"))
		fprintf(f, "\nExit status: 0 success, 1 usage or request "
			   "error, 2 permission or\nauthentication, 3 not "
			   "found, 4 cannot reach hcctld, 5 server error.\n");
	fprintf(f, "See %s(%s).\n", ci->prog, help_section(ci->prog));
}
