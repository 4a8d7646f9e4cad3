/*
 * sched_plugin: loading scheduling policy plugins (libhcsched internal).
 *
 * A plugin is DIR/NAME.so exporting `hc_sched_plugin` (see
 * hc/sched_plugin.h). Loading checks the header, validates the plugin's
 * declared parameters against the values the site gave
 * ("NAME.Param=value", SchedulerParameters) and calls init.
 */
#ifndef SCHED_PLUGIN_H
#define SCHED_PLUGIN_H

#include <stddef.h>
#include <time.h>

#include "hc/sched_plugin.h"
#include "hc_err.h"

struct sched_plugin {
	char *name;			/* owned */
	void *dl;			/* dlopen handle */
	/* A copy of the plugin's table; hooks past its header.size are
	 * NULL, so older minors never have their tail read. */
	struct hc_sched_plugin ops;
	struct hc_sched_param_value *values;	/* one per declared param */
	size_t nvalues;
	struct hc_sched_host host;	/* host.ctx = this struct */
	const time_t *clock;		/* the scheduler's `now` (borrowed) */
	void *state;			/* the plugin's, from init */
	int inited;
};

/* Load DIR/NAME.so into p (zeroed by the caller). params: NULL-terminated
 * "Plugin.Param=value" strings (NULL = none); those for other plugins are
 * ignored here. clock is read by host->now() and must outlive p.
 * 0, or -1 with err naming the plugin (and parameter). On error p is left
 * unloaded (sched_plugin_unload is still safe). */
int sched_plugin_load(struct sched_plugin *p, const char *dir,
		      const char *name, const char *const *params,
		      const time_t *clock, struct hc_err *err);
void sched_plugin_unload(struct sched_plugin *p);

/* Check a plugin table's header as the loader does (magic, ABI, size).
 * 0 or -1 with err. */
int sched_plugin_check_header(const struct hc_sched_plugin *ops,
			      const char *name, struct hc_err *err);

/* Write the names of the plugins in dir ("a, b", sorted; "none" if there
 * are none) into buf. */
void sched_plugin_available(const char *dir, char *buf, size_t len);

#endif
