/*
 * hcsub: submit a batch script. hcsub.c reads the script and sends the
 * job; hcsub_opts.c holds the option table and applies each option to the
 * JOBSPEC being built (command line and script directives alike).
 */
#ifndef HC_HCSUB_H
#define HC_HCSUB_H

#include <stdbool.h>
#include <jansson.h>

#include "cmd.h"

struct sub {
	json_t *spec;		/* the JOBSPEC (msg.h), owned */
	char *wrap;		/* --wrap command, owned */
	bool parsable, json;
};

extern const struct cmd_info hcsub_info;

/* cmd_opt_fn: apply one option to the struct sub at arg. */
int hcsub_apply(void *arg, int key, const char *val, struct hc_err *err);

#endif
