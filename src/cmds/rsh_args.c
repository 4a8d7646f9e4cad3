/*
 * rsh_args: hc-rsh's ssh-style command line (see rsh_args.h). One table
 * says what each flag letter does; bundles (-xn) and attached arguments
 * (-p22, -luser) are read the way ssh reads them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rsh_args.h"

enum rsh_flag_kind {
	RF_IGNORE,	/* harmless: accepted, no effect */
	RF_IGNORE_ARG,	/* harmless, takes an argument */
	RF_NULL_STDIN,	/* -n */
	RF_VERBOSE,	/* -v */
	RF_USER,	/* -l USER */
	RF_REFUSE,	/* refused, with why */
	RF_REFUSE_ARG,	/* refused, takes an argument */
};

static const struct {
	char letter;
	enum rsh_flag_kind kind;
	const char *why;	/* for refusals: what it asks for */
} rsh_flags[] = {
	{ 'x', RF_IGNORE, NULL }, { 'T', RF_IGNORE, NULL },
	{ 't', RF_IGNORE, NULL }, { 'q', RF_IGNORE, NULL },
	{ 'a', RF_IGNORE, NULL }, { 'k', RF_IGNORE, NULL },
	{ 'C', RF_IGNORE, NULL }, { '4', RF_IGNORE, NULL },
	{ '6', RF_IGNORE, NULL }, { 'A', RF_IGNORE, NULL },
	{ 'K', RF_IGNORE, NULL }, { 'g', RF_IGNORE, NULL },
	{ 'p', RF_IGNORE_ARG, NULL }, { 'o', RF_IGNORE_ARG, NULL },
	{ 'i', RF_IGNORE_ARG, NULL }, { 'F', RF_IGNORE_ARG, NULL },
	{ 'e', RF_IGNORE_ARG, NULL }, { 'c', RF_IGNORE_ARG, NULL },
	{ 'm', RF_IGNORE_ARG, NULL }, { 'b', RF_IGNORE_ARG, NULL },
	{ 'n', RF_NULL_STDIN, NULL }, { 'v', RF_VERBOSE, NULL },
	{ 'l', RF_USER, NULL },
	{ 'X', RF_REFUSE, "X11 forwarding" },
	{ 'Y', RF_REFUSE, "X11 forwarding" },
	{ 'f', RF_REFUSE, "going to the background" },
	{ 'N', RF_REFUSE, "no command (forwarding only)" },
	{ 'M', RF_REFUSE, "a control master" },
	{ 's', RF_REFUSE, "a subsystem" },
	{ 'G', RF_REFUSE, "printing ssh's configuration" },
	{ 'L', RF_REFUSE_ARG, "local port forwarding" },
	{ 'R', RF_REFUSE_ARG, "remote port forwarding" },
	{ 'D', RF_REFUSE_ARG, "dynamic port forwarding" },
	{ 'W', RF_REFUSE_ARG, "stdio forwarding" },
	{ 'J', RF_REFUSE_ARG, "a jump host" },
	{ 'S', RF_REFUSE_ARG, "a control socket" },
	{ 'O', RF_REFUSE_ARG, "a control command" },
	{ 'w', RF_REFUSE_ARG, "tunnel devices" },
	{ 'B', RF_REFUSE_ARG, "binding to an interface" },
	{ 'E', RF_REFUSE_ARG, "a log file" },
	{ 'Q', RF_REFUSE_ARG, "a query" },
	{ 0, RF_IGNORE, NULL },
};

#define RSH_COMMAND_MAX (256u * 1024)

static int
rsh_flag(char letter)
{
	for (int i = 0; rsh_flags[i].letter; i++)
		if (rsh_flags[i].letter == letter)
			return i;
	return -1;
}

/* One bundle "-xnp22": returns how many argv entries it used (1 or 2),
 * or -1 with err. */
static int
rsh_bundle(struct rsh_args *a, int argc, char *const *argv, int i,
	   struct hc_err *err)
{
	if (argv[i][1] == '-')	/* ssh has no long options */
		return hc_err_set(err, HC_EINVAL, "unknown option '%s'; "
				  "hc-rsh takes ssh's options (-x -n -l USER "
				  "-p PORT -o OPT ...) then HOST COMMAND",
				  argv[i]);
	for (const char *p = argv[i] + 1; *p; p++) {
		int f = rsh_flag(*p);
		const char *arg;

		if (f < 0)
			return hc_err_set(err, HC_EINVAL, "unknown option -%c; "
					  "hc-rsh takes ssh's options "
					  "(-x -n -l USER -p PORT -o OPT ...)"
					  " then HOST COMMAND", *p);
		switch (rsh_flags[f].kind) {
		case RF_IGNORE: continue;
		case RF_NULL_STDIN: a->null_stdin = true; continue;
		case RF_VERBOSE: a->verbose++; continue;
		case RF_REFUSE:
			return hc_err_set(err, HC_EINVAL, "option -%c (%s) is "
					  "not supported: hc-rsh only runs a "
					  "command on a node of the job", *p,
					  rsh_flags[f].why);
		default: break;
		}
		/* a flag with an argument: the rest of the word, or the next */
		arg = p[1] ? p + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
		if (!arg)
			return hc_err_set(err, HC_EINVAL, "option -%c needs an "
					  "argument", *p);
		if (rsh_flags[f].kind == RF_REFUSE_ARG)
			return hc_err_set(err, HC_EINVAL, "option -%c (%s) is "
					  "not supported: hc-rsh only runs a "
					  "command on a node of the job", *p,
					  rsh_flags[f].why);
		if (rsh_flags[f].kind == RF_USER)
			a->user = arg;
		return p[1] ? 1 : 2;
	}
	return 1;
}

static int
rsh_host(struct rsh_args *a, const char *word, struct hc_err *err)
{
	const char *at = strrchr(word, '@');

	if (at) {
		if (at == word)
			return hc_err_set(err, HC_EINVAL, "empty user name in "
					  "'%s'", word);
		a->user = NULL;	/* user@ given: checked by the caller */
		a->host = at + 1;
	} else {
		a->host = word;
	}
	if (!*a->host)
		return hc_err_set(err, HC_EINVAL, "empty host name in '%s'",
				  word);
	for (const char *p = a->host; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("-._", *p)))
			return hc_err_set(err, HC_EINVAL, "bad host name '%s': "
					  "give a node of the job", a->host);
	return 0;
}

/* The words joined by single spaces, as ssh does. */
static int
rsh_join(struct rsh_args *a, int argc, char *const *argv, int first,
	 struct hc_err *err)
{
	size_t len = 0, off = 0;

	for (int i = first; i < argc; i++) {
		len += strlen(argv[i]) + 1;
		if (len > RSH_COMMAND_MAX)
			return hc_err_set(err, HC_EINVAL, "command longer than "
					  "%u bytes", RSH_COMMAND_MAX);
	}
	a->command = hc_malloc(len + 1);
	for (int i = first; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (i > first)
			a->command[off++] = ' ';
		memcpy(a->command + off, argv[i], n);
		off += n;
	}
	a->command[off] = '\0';
	if (strspn(a->command, " \t\n") == off)
		return hc_err_set(err, HC_EINVAL, "no command given; hc-rsh "
				  "runs a command on HOST, not a login shell");
	return 0;
}

int
rsh_args_parse(struct rsh_args *a, int argc, char *const *argv,
	       struct hc_err *err)
{
	int i = 1, n;
	const char *user;

	memset(a, 0, sizeof(*a));
	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if ((n = rsh_bundle(a, argc, argv, i, err)) < 0)
			return -1;
		i += n;
	}
	if (i >= argc)
		return hc_err_set(err, HC_EINVAL, "no host given; usage: "
				  "hc-rsh [options] HOST COMMAND...");
	user = a->user;
	if (rsh_host(a, argv[i], err) < 0)
		return -1;
	if (strchr(argv[i], '@')) {	/* user@host wins over -l */
		size_t ul = (size_t)(strrchr(argv[i], '@') - argv[i]);
		if (ul >= sizeof(a->user_buf))
			return hc_err_set(err, HC_EINVAL, "user name too "
					  "long");
		memcpy(a->user_buf, argv[i], ul);
		a->user_buf[ul] = '\0';
		user = a->user_buf;
	}
	a->user = user;
	if (i + 1 >= argc)
		return hc_err_set(err, HC_EINVAL, "no command given; hc-rsh "
				  "runs a command on HOST, not a login shell");
	return rsh_join(a, argc, argv, i + 1, err);
}

void
rsh_args_free(struct rsh_args *a)
{
	free(a->command);
	a->command = NULL;
}
